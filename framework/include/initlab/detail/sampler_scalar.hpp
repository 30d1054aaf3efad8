#pragma once
/// The samplers' element transforms (random words → values) and the portable scalar fill.
/// These functions *define* the output of every path; the vector paths replay them exactly.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <initlab/detail/fast_math.hpp>
#include <initlab/math.hpp>
#include <initlab/random.hpp>
#include <initlab/detail/ziggurat.hpp>
#include <utility>

INITLAB_FP_STRICT_BEGIN

namespace initlab::detail {

/// 2·erf(√2) rounded to double: maps t ∈ (−½, ½) to x = 2t·erf(√2) ∈ (−erf √2, erf √2),
/// so that √2·erfinv(x) is N(0,1) conditioned on |z| < 2 (value checked in sampler_test.cpp).
inline constexpr double two_erf_sqrt2 = 2.0 * 0.95449973610364158560;
/// √2 as multiplier of erfinv.
inline constexpr double erfinv_scale = math::sqrt2;
/// Half a step of the 52-bit grid: centres t so that its range (−½, ½) is symmetric.
inline constexpr double half_grid_step = 0x1p-53;

/// Parameters of the normal law: value = mean + stddev·z.
struct normal_params {
  double mean;
  double stddev;
};
/// Parameters of the uniform law: value = min(lo + width·u, hi), width = hi − lo.
struct uniform_params {
  double lo;
  double width;
  double hi;
};
/// Parameters of the truncated normal: value = clamp(sigma·z, ±bound), bound < 2σ in the output
/// type.
struct truncated_params {
  double sigma;
  double bound;
};

/// Uniform on [0, 1) on the 2⁻⁵² grid from the low 52 bits of `word`.
[[nodiscard]] constexpr double unit_from_word(std::uint64_t word) noexcept {
  return std::bit_cast<double>((word & mantissa_mask) | one_bits) - 1.0;
}

/// The uniform law's value for one random word.
[[nodiscard]] constexpr double uniform_value(std::uint64_t word, const uniform_params& p) noexcept {
  const double v = p.lo + p.width * unit_from_word(word);
  return v < p.hi ? v : p.hi;  // same semantics as minpd(v, hi)
}

/// The truncated normal's value for one random word: inverse CDF on (Φ(−2), Φ(2)), so element n
/// depends on word n only (no rejection, no shift of later elements).
[[nodiscard]] constexpr double truncated_value(std::uint64_t word,
                                               const truncated_params& p) noexcept {
  const double t =
      (std::bit_cast<double>((word & mantissa_mask) | one_bits) - 1.5) + half_grid_step;
  const double x = t * two_erf_sqrt2;
  const double z = erfinv_central(x) * erfinv_scale;
  double v = p.sigma * z;
  v = v < p.bound ? v : p.bound;    // minpd(v, bound)
  v = v > -p.bound ? v : -p.bound;  // maxpd(v, -bound)
  return v;
}

/// The normal law's value for element n with stream word `word` (detail/ziggurat.hpp).
[[nodiscard]] inline double normal_value(const stream& s, std::uint64_t n, std::uint64_t word,
                                         const normal_params& p) noexcept {
  return p.mean + p.stddev * ziggurat_normal(s, n, word);
}

/// Word 0 (x0 | x1<<32) and word 1 (x2 | x3<<32) of a Philox block.
[[nodiscard]] constexpr std::pair<std::uint64_t, std::uint64_t> block_words(
    const philox_block& x) noexcept {
  return {std::uint64_t{x[0]} | (std::uint64_t{x[1]} << 32),
          std::uint64_t{x[2]} | (std::uint64_t{x[3]} << 32)};
}

/// Both values of block `b` for the law of `p` (elements 2b and 2b+1).
[[nodiscard]] inline std::pair<double, double> block_values(const stream& s, std::uint64_t b,
                                                            const normal_params& p) noexcept {
  const auto [w0, w1] = block_words(s.block(b));
  return {normal_value(s, 2 * b, w0, p), normal_value(s, 2 * b + 1, w1, p)};
}
/// Both values of block `b` for the law of `p` (elements 2b and 2b+1).
[[nodiscard]] constexpr std::pair<double, double> block_values(const stream& s, std::uint64_t b,
                                                               const uniform_params& p) noexcept {
  const auto [w0, w1] = block_words(s.block(b));
  return {uniform_value(w0, p), uniform_value(w1, p)};
}
/// Both values of block `b` for the law of `p` (elements 2b and 2b+1).
[[nodiscard]] constexpr std::pair<double, double> block_values(const stream& s, std::uint64_t b,
                                                               const truncated_params& p) noexcept {
  const auto [w0, w1] = block_words(s.block(b));
  return {truncated_value(w0, p), truncated_value(w1, p)};
}

/// Element `n` of the stream under the law of `p`.
template <class Params>
[[nodiscard]] constexpr double element_value(const stream& s, std::uint64_t n,
                                             const Params& p) noexcept {
  const auto [v0, v1] = block_values(s, n >> 1, p);
  return (n & 1u) ? v1 : v0;
}

/// Redoes, with the scalar code, the normal elements of blocks b … b+lanes−1 whose fast path the
/// vector code could not take: bit l of `slow` is word 0 of block b+l (wa[l]), bit lanes+l its
/// word 1 (wb[l]); out[0 .. 2·lanes) are those blocks' elements.
template <class T>
void redo_slow_normals(const stream& s, T* out, std::uint64_t b, const std::uint64_t* wa,
                       const std::uint64_t* wb, std::size_t lanes, unsigned slow,
                       const normal_params& p) noexcept {
  for (; slow != 0; slow &= slow - 1) {
    const auto bit = static_cast<std::size_t>(std::countr_zero(slow));
    const std::size_t lane = bit < lanes ? bit : bit - lanes;
    const std::size_t word = bit < lanes ? 0 : 1;
    const std::uint64_t n = 2 * (b + lane) + word;
    out[2 * lane + word] = static_cast<T>(normal_value(s, n, word == 0 ? wa[lane] : wb[lane], p));
  }
}

/// Scalar fill of blocks [b0, b0 + nblocks) into out[0 .. 2·nblocks).
template <class T, class Params>
void fill_blocks_scalar(const stream& s, T* out, std::uint64_t b0, std::size_t nblocks,
                        const Params& p) noexcept {
  for (std::size_t i = 0; i < nblocks; ++i) {
    const auto [v0, v1] = block_values(s, b0 + i, p);
    out[2 * i] = static_cast<T>(v0);
    out[2 * i + 1] = static_cast<T>(v1);
  }
}

/// Fills out[0, count) with elements first … first+count−1: a half block at each end if
/// needed, whole blocks in between through `blocks(out, b0, nblocks)`.
template <class T, class Params, class Blocks>
void fill_range(const stream& s, T* out, std::size_t count, std::uint64_t first, const Params& p,
                Blocks&& blocks) noexcept {
  if (count == 0) return;
  if (first & 1u) {
    out[0] = static_cast<T>(block_values(s, first >> 1, p).second);
    ++out;
    ++first;
    --count;
  }
  const std::size_t nblocks = count / 2;
  blocks(out, first >> 1, nblocks);
  if (count & 1u) out[count - 1] = static_cast<T>(block_values(s, (first >> 1) + nblocks, p).first);
}

// --------------------------------------------------------------- single precision
// Float fills of the normal and the uniform draw one 32-bit word per element: element n takes
// 32-bit word n of the stream, word n%4 of ARS block n/4, and computes in float.

/// Parameters of the float normal: value = mean + stddev·z in float.
struct normal_params_f32 {
  float mean;
  float stddev;
};
/// Parameters of the float uniform: value = min(lo + width·u, hi) in float, width = hi − lo.
struct uniform_params_f32 {
  float lo;
  float width;
  float hi;
};

/// Parameters of the float truncated normal: value = clamp(sigma·z, ±bound) in float, bound the
/// largest float below 2σ.
struct truncated_params_f32 {
  float sigma;
  float bound;
};

/// 2·erf(√2) rounded to float (the float truncated normal's map t ↦ x).
inline constexpr float two_erf_sqrt2_f32 = static_cast<float>(two_erf_sqrt2);
/// 2⁻²⁵: half a step of the float grid, centring t on (−½, ½).
inline constexpr float half_grid_step_f32 = 0x1p-25f;

/// 2⁻²⁴: the grid of the float uniform's u.
inline constexpr float uniform_grid_f32 = 0x1p-24f;

/// The float uniform's value for one 32-bit word: u = (word >> 8)·2⁻²⁴ ∈ [0, 1).
[[nodiscard]] constexpr float uniform_value_f32(std::uint32_t word,
                                                const uniform_params_f32& p) noexcept {
  const float u = static_cast<float>(static_cast<std::int32_t>(word >> 8)) * uniform_grid_f32;
  const float v = p.lo + p.width * u;
  return v < p.hi ? v : p.hi;  // same semantics as minps(v, hi)
}

/// The float truncated normal's value for one 32-bit word: t = ((word >> 8) − 2²³)·2⁻²⁴ + 2⁻²⁵
/// (exact, symmetric on (−½, ½)), z = √2·erfinv(2t·erf √2) in float, clamped to ±bound.
[[nodiscard]] constexpr float truncated_value_f32(std::uint32_t word,
                                                  const truncated_params_f32& p) noexcept {
  const float t =
      static_cast<float>(static_cast<std::int32_t>(word >> 8) - (1 << 23)) * uniform_grid_f32 +
      half_grid_step_f32;
  const float x = t * two_erf_sqrt2_f32;
  const float z = erfinv_central_f32(x) * sqrt2_f32;
  float v = p.sigma * z;
  v = v < p.bound ? v : p.bound;    // minps(v, bound)
  v = v > -p.bound ? v : -p.bound;  // maxps(v, -bound)
  return v;
}

/// The float normal's value for element n with 32-bit stream word `word`.
[[nodiscard]] inline float normal_value(const stream& s, std::uint64_t n, std::uint32_t word,
                                        const normal_params_f32& p) noexcept {
  return p.mean + p.stddev * ziggurat_normal_f32(s, n, word);
}

/// Value of element n (32-bit word `word`) for the law of `p`.
[[nodiscard]] inline float value_f32(const stream& s, std::uint64_t n, std::uint32_t word,
                                     const normal_params_f32& p) noexcept {
  return normal_value(s, n, word, p);
}
/// Value of element n (32-bit word `word`) for the law of `p`.
[[nodiscard]] constexpr float value_f32(const stream&, std::uint64_t, std::uint32_t word,
                                        const uniform_params_f32& p) noexcept {
  return uniform_value_f32(word, p);
}

/// Value of element n (32-bit word `word`) for the law of `p`.
[[nodiscard]] constexpr float value_f32(const stream&, std::uint64_t, std::uint32_t word,
                                        const truncated_params_f32& p) noexcept {
  return truncated_value_f32(word, p);
}

/// Scalar fill of blocks [b0, b0 + nblocks) into out[0 .. 4·nblocks) (four elements a block).
template <class Params>
void fill_blocks4_scalar(const stream& s, float* out, std::uint64_t b0, std::size_t nblocks,
                         const Params& p) noexcept {
  for (std::size_t i = 0; i < nblocks; ++i) {
    const std::uint64_t b = b0 + i;
    const philox_block x = s.block(b);
    for (std::size_t j = 0; j < 4; ++j)
      out[4 * i + j] = value_f32(s, 4 * b + j, x[j], p);
  }
}

/// Redoes, with the scalar code, the normal elements n0 + k for each bit k of `slow` (words[k] is
/// element n0 + k's word: 64-bit for double, 32-bit for float), which a vector fast path could
/// not take.
template <class T, class Word, class Params>
void redo_slow_normals_in_order(const stream& s, T* out, std::uint64_t n0, const Word* words,
                                std::uint64_t slow, const Params& p) noexcept {
  for (; slow != 0; slow &= slow - 1) {
    const auto k = static_cast<std::size_t>(std::countr_zero(slow));
    out[k] = normal_value(s, n0 + k, words[k], p);
  }
}

/// Fills out[0, count) with float elements first … first+count−1: the elements of a partial
/// block at each end one by one, whole blocks in between through `blocks(out, b0, nblocks)`.
template <class Params, class Blocks>
void fill_range4(const stream& s, float* out, std::size_t count, std::uint64_t first,
                 const Params& p, Blocks&& blocks) noexcept {
  auto one = [&](std::uint64_t n) { return value_f32(s, n, s.block(n >> 2)[n & 3u], p); };
  for (; count != 0 && (first & 3u) != 0; --count)
    *out++ = one(first++);
  const std::size_t nblocks = count / 4;
  blocks(out, first >> 2, nblocks);
  for (std::size_t k = 4 * nblocks; k < count; ++k)
    out[k] = one(first + k);
}

}  // namespace initlab::detail

INITLAB_FP_STRICT_END
