#pragma once
/// Counter-based random streams keyed by a seed and a path of logical indices.
///
/// A `stream` is nothing but a 64-bit key. Its random data is the sequence of 128-bit blocks
/// `ars4x32_7(counter = (lo32(b), hi32(b), 0, 0), key = (key0, key1, 0, 0))` for b = 0, 1, 2, …,
/// so any block can be computed without computing the others (no state, no thread ids). ARS-7
/// (seven AES rounds under a Weyl key schedule) is the Crush-resistant bijection of Salmon et al.
/// 2011 that costs least where AES instructions exist (one `vaesenc` advances four blocks a
/// round); keys are derived with Philox4x32-10, as before, which is cheaper in portable code.
///
/// Key derivation (exact, the provenance string `stream_scheme` repeats it):
///   - `stream(seed)`: key = (lo32(seed), hi32(seed)).
///   - `s.child(i)`:   (y0, y1, y2, y3) = philox4x32_10(counter = (lo32(i), hi32(i), 0, child_tag),
///                     key = s.key); the child's key = (y0, y1).
/// Child keys are Philox outputs whose data counters would have word 3 = 0 and child derivations
/// word 3 = child_tag ≠ 0, so a derived key is never a data block of its parent. Distinct indices
/// give distinct Philox inputs, hence (Philox being a bijection of the counter for a fixed key)
/// distinct 128-bit outputs; two of them share a 64-bit key only by a ~2⁻⁶⁴ accident.

#include <array>
#include <cstdint>
#include <initlab/detail/aes_round.hpp>
#include <initlab/detail/fp_strict.hpp>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Name of the random engine, for report provenance.
inline constexpr const char* random_engine =
    "ARS-7 data blocks and Philox4x32-10 key derivation (Salmon et al. 2011, Random123 "
    "ars4x32_R<7> and philox4x32_R<10>)";

/// How streams are keyed and how data is drawn from them, for report provenance.
inline constexpr const char* stream_scheme =
    "stream(seed): key=(lo32(seed),hi32(seed)); child(i): key=first two words of "
    "philox4x32_10(ctr=(lo32(i),hi32(i),0,0x6368696c),parent key); data block b: "
    "ars4x32_7(ctr=(lo32(b),hi32(b),0,0),key=(key0,key1,0,0)); element n uses 64-bit word n%2 of "
    "block n/2 "
    "(word0=x0|x1<<32, word1=x2|x3<<32)";

namespace detail {

/// Philox4x32 multipliers and Weyl key increments (Random123 `PHILOX_M4x32_*`, `PHILOX_W32_*`).
inline constexpr std::uint32_t philox_m0 = 0xD2511F53u;
inline constexpr std::uint32_t philox_m1 = 0xCD9E8D57u;
inline constexpr std::uint32_t philox_w0 = 0x9E3779B9u;
inline constexpr std::uint32_t philox_w1 = 0xBB67AE85u;
/// Number of Philox rounds (the Random123 default, "Philox4x32-10").
inline constexpr int philox_rounds = 10;
/// ARS Weyl key increments of the low and high 64-bit halves of the key (Random123 `ars.h`).
inline constexpr std::uint64_t ars_weyl_lo = 0x9E3779B97F4A7C15u;  // golden ratio
inline constexpr std::uint64_t ars_weyl_hi = 0xBB67AE8584CAA73Bu;  // √3 − 1
/// Number of ARS rounds (the Random123 default, "ARS-7"; 5 is the fewest Salmon et al. found
/// Crush-resistant).
inline constexpr int ars_rounds = 7;
/// Counter word 3 of a child-key derivation ("chil" in ASCII); data blocks use 0.
inline constexpr std::uint32_t child_tag = 0x6368696Cu;

}  // namespace detail

/// Philox4x32 counter / output block: four 32-bit words.
using philox_block = std::array<std::uint32_t, 4>;
/// Philox4x32 key: two 32-bit words.
using philox_key = std::array<std::uint32_t, 2>;

/// Philox4x32-10 bijection of `ctr` under `key` (Salmon, Moraes, Dror, Shaw, SC'11, Fig. 2).
[[nodiscard]] constexpr philox_block philox4x32_10(philox_block ctr, philox_key key) noexcept {
  for (int round = 0; round < detail::philox_rounds; ++round) {
    if (round > 0) {  // the key schedule bumps the key before every round but the first
      key[0] += detail::philox_w0;
      key[1] += detail::philox_w1;
    }
    const std::uint64_t p0 = std::uint64_t{detail::philox_m0} * ctr[0];
    const std::uint64_t p1 = std::uint64_t{detail::philox_m1} * ctr[2];
    ctr = {static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
           static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
  }
  return ctr;
}

/// ARS key: four 32-bit words (a 128-bit AES round key).
using ars_key = std::array<std::uint32_t, 4>;

namespace detail {
/// key + (ars_weyl_lo, ars_weyl_hi), as two 64-bit additions (`_mm_add_epi64`).
[[nodiscard]] constexpr ars_key ars_bump(const ars_key& k) noexcept {
  const std::uint64_t lo = (std::uint64_t{k[0]} | std::uint64_t{k[1]} << 32) + ars_weyl_lo;
  const std::uint64_t hi = (std::uint64_t{k[2]} | std::uint64_t{k[3]} << 32) + ars_weyl_hi;
  return {static_cast<std::uint32_t>(lo), static_cast<std::uint32_t>(lo >> 32),
          static_cast<std::uint32_t>(hi), static_cast<std::uint32_t>(hi >> 32)};
}
}  // namespace detail

namespace detail {
/// ARS with `rounds` AES rounds (1 ≤ rounds): ctr ⊕ key, then rounds − 1 AES rounds and a last
/// round, the key advanced by the Weyl increments before each (reduced rounds serve the battery's
/// negative control, tests/battery).
[[nodiscard]] constexpr philox_block ars_with_rounds(const philox_block& ctr, ars_key key,
                                             int rounds) noexcept {
  aes_block v{ctr[0] ^ key[0], ctr[1] ^ key[1], ctr[2] ^ key[2], ctr[3] ^ key[3]};
  for (int round = 1; round < rounds; ++round) {
    key = ars_bump(key);
    v = aes_round(v, key);
  }
  return aes_last_round(v, ars_bump(key));
}
}  // namespace detail

/// ARS-7 bijection of `ctr` under `key` (Salmon, Moraes, Dror, Shaw, SC'11, §4.1; bit for bit
/// Random123's `ars4x32_R(7, ctr, key)`): ctr ⊕ key, then six AES rounds and a last round, the
/// key advanced by the Weyl increments before each.
[[nodiscard]] constexpr philox_block ars4x32_7(const philox_block& ctr,
                                               const ars_key& key) noexcept {
  return detail::ars_with_rounds(ctr, key, detail::ars_rounds);
}

/// A counter-based random stream: a key derived from a seed and a path of logical indices.
class stream {
 public:
  /// The root stream of `seed`.
  constexpr explicit stream(std::uint64_t seed) noexcept
      : key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)} {}

  /// The independent sub-stream number `index` (e.g. study, claim, trial, layer).
  [[nodiscard]] constexpr stream child(std::uint64_t index) const noexcept {
    const philox_block y =
        philox4x32_10({static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32),
                       0u, detail::child_tag},
                      key_);
    return stream(philox_key{y[0], y[1]});
  }

  /// Random block number `b` of this stream: ars4x32_7((lo32(b), hi32(b), 0, 0), data_key()).
  [[nodiscard]] constexpr philox_block block(std::uint64_t b) const noexcept {
    return ars4x32_7({static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32), 0u, 0u},
                     data_key());
  }

  /// 64-bit random word `n`: word n%2 of block n/2 (word 0 = x0 | x1<<32, word 1 = x2 | x3<<32).
  [[nodiscard]] constexpr std::uint64_t word(std::uint64_t n) const noexcept {
    const philox_block x = block(n >> 1);
    const unsigned w = static_cast<unsigned>(n & 1u) * 2u;
    return std::uint64_t{x[w]} | (std::uint64_t{x[w + 1]} << 32);
  }

  /// The key of this stream (the Philox key of its child derivations).
  [[nodiscard]] constexpr philox_key key() const noexcept { return key_; }

  /// The ARS key of its data blocks: (key0, key1, 0, 0).
  [[nodiscard]] constexpr ars_key data_key() const noexcept { return {key_[0], key_[1], 0u, 0u}; }

  /// Equal streams produce equal data.
  friend constexpr bool operator==(const stream&, const stream&) = default;

 private:
  constexpr explicit stream(philox_key key) noexcept : key_{key} {}
  philox_key key_;
};

}  // namespace initlab

INITLAB_FP_STRICT_END
