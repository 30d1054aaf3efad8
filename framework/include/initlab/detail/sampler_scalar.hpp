#pragma once
/// The samplers' element transforms (random words → values) and the portable scalar fill.
/// These functions *define* the output of every path; the vector paths replay them exactly.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <initlab/detail/fast_math.hpp>
#include <initlab/math.hpp>
#include <initlab/random.hpp>
#include <utility>

INITLAB_FP_STRICT_BEGIN

namespace initlab::detail {

/// π/2 rounded to double: the angle step of Box–Muller's quadrant-relative angle.
inline constexpr double half_pi = math::half_pi;
/// 2·erf(√2) rounded to double: maps t ∈ (−½, ½) to x = 2t·erf(√2) ∈ (−erf √2, erf √2),
/// so that √2·erfinv(x) is N(0,1) conditioned on |z| < 2 (value checked in sampler_test.cpp).
inline constexpr double two_erf_sqrt2 = 2.0 * 0.95449973610364158560;
/// √2 as multiplier of erfinv.
inline constexpr double erfinv_scale = math::sqrt2;
/// Half a step of the 52-bit grid: centres t so that its range (−½, ½) is symmetric.
inline constexpr double half_grid_step = 0x1p-53;
/// Sign bit of a double.
inline constexpr std::uint64_t sign_bit = 0x8000000000000000ull;

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

/// Box–Muller pair for words (a, b): r = √(−2 log u₁), u₁ ∈ (0, 1] from a; the angle is
/// θ = q·π/2 + t·π/2 with quadrant q = the top two bits of b and t ∈ [−½, ½) from its low 52
/// bits, so sin/cos are only evaluated on [−π/4, π/4] and the quadrant is a swap and sign flips.
[[nodiscard]] inline std::pair<double, double> normal_pair(std::uint64_t a, std::uint64_t b,
                                                           const normal_params& p) noexcept {
  const double u1 = 2.0 - std::bit_cast<double>((a & mantissa_mask) | one_bits);  // (0, 1]
  const double r = __builtin_sqrt(log_positive(u1) * -2.0);
  const double t = std::bit_cast<double>((b & mantissa_mask) | one_bits) - 1.5;
  const double alpha = t * half_pi;
  double c = cos_kernel(alpha);
  double s = sin_kernel(alpha);
  if ((b >> 62) & 1u) std::swap(c, s);
  c = std::bit_cast<double>(std::bit_cast<std::uint64_t>(c) ^ ((b ^ (b << 1)) & sign_bit));
  s = std::bit_cast<double>(std::bit_cast<std::uint64_t>(s) ^ (b & sign_bit));
  const double z0 = r * c;
  const double z1 = r * s;
  return {p.mean + p.stddev * z0, p.mean + p.stddev * z1};
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
  return normal_pair(w0, w1, p);
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

}  // namespace initlab::detail

INITLAB_FP_STRICT_END
