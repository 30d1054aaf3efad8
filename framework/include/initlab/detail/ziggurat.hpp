#pragma once
/// Counter-based ziggurat for the standard normal (Marsaglia & Tsang 2000, "The ziggurat method
/// for generating random variables", J. Stat. Softw. 5(8)), 256 layers on |z|, tables computed
/// at compile time from initlab::math (no pasted constants).
///
/// Geometry (f(x) = exp(−x²/2), unnormalised half normal): 256 regions of equal area v.
/// x[1] = r, x[i+1] = f⁻¹(f(x[i]) + v/x[i]), x[256] = 0; layer i ≥ 1 is the box
/// [0, x[i]) × [f(x[i]), f(x[i+1])); layer 0 is the base strip [0, r) × [0, f(r)) plus the tail
/// x ≥ r, folded into a box of width x[0] = v/f(r). r solves x[256] = 0 (bisection at compile
/// time; Marsaglia & Tsang give r = 3.6541528853610088, v = 4.92867323399e−3).
///
/// Element n, main word w = 64-bit stream word n:
///   layer i = bits 52…59 of w, u = low 52 bits / 2⁵² ∈ [0, 1), sign = bit 63,
///   x = u·x[i]; if x < x[i+1] (fast path, probability 98.51 %): z = ±x (sign bit XOR).
/// Otherwise (1.49 %) the slow path draws from the element's own sub-counters: auxiliary block
/// c = 0, 1, … is philox4x32_10(ctr = (lo32(n), hi32(n), c, zig_tag), stream key), words
/// (a, b) as for data blocks. Counter word 3 = zig_tag ("zigg") differs from data blocks (0) and
/// child-key derivations (child_tag), so these blocks are disjoint from both.
///   - layer 0 (x ≥ r): tail, Marsaglia's loop on block c, c+1, …: t = −log(u_a)/r,
///     e = −log(u_b) with u ∈ (0, 1]; accept when 2e ≥ t², z = ±(r + t) with the sign of w.
///   - layer i ≥ 1 (wedge): y = f[i] + u_a·(f[i+1] − f[i]); accept z = ±x when
///     log(y) < −x²/2; otherwise restart from the fast path with w = b.
/// So element n is a pure function of (key, n): the fill split, thread count and vector path
/// cannot change it. The vector paths run the fast path on all lanes and call ziggurat_slow
/// (this scalar function) for the rejected lanes, so all paths give identical bits by
/// construction. log is detail::log_positive (fdlibm, no libm); the slow path needs no exp.
/// Overall acceptance of one attempt is √(π/2)/(256 v) = 99.33 %.

#include <array>
#include <bit>
#include <cstdint>
#include <initlab/detail/fast_math.hpp>
#include <initlab/math.hpp>
#include <initlab/random.hpp>

INITLAB_FP_STRICT_BEGIN

namespace initlab::detail {

/// Number of ziggurat layers (8 bits of the word select one).
inline constexpr int zig_layers = 256;
/// Counter word 3 of the slow path's auxiliary blocks ("zigg" in ASCII).
inline constexpr std::uint32_t zig_tag = 0x7A696767u;

/// Ziggurat tables: x[0..256] (x[0] = v/f(r), x[1] = r, x[256] = 0) and f[i] = exp(−x[i]²/2).
struct ziggurat_tables {
  std::array<double, zig_layers + 1> x{};  ///< right edges of the layers
  std::array<double, zig_layers + 1> f{};  ///< f(x[i]); f[0] unused by the sampler (= f(x[0]))
  double r = 0.0;                          ///< start of the tail, x[1]
  double v = 0.0;                          ///< common area of every layer
};

/// Unnormalised half-normal density exp(−x²/2), compile-time capable.
[[nodiscard]] constexpr double zig_density(double x) noexcept {
  return math::exp(-0.5 * x * x);
}

/// Area of the base strip plus tail for tail start r: r·f(r) + ∫_r^∞ f = r f(r) +
/// √(π/2)·erfc(r/√2).
[[nodiscard]] constexpr double zig_base_area(double r) noexcept {
  return r * zig_density(r) + math::sqrt_pi * math::inv_sqrt2 * math::erfc(r * math::inv_sqrt2);
}

/// Builds x[] for tail start r (f[] is filled once r is found); returns f(x[255]) + v/x[255] − 1 (0
/// at the right r, > 0 when r is too small: the recursion then overshoots the top before layer
/// 256).
[[nodiscard]] constexpr double zig_build(double r, ziggurat_tables& t) noexcept {
  const double v = zig_base_area(r);
  t.r = r;
  t.v = v;
  t.x[0] = v / zig_density(r);
  t.x[1] = r;
  for (int i = 1; i < zig_layers - 1; ++i) {
    const double next = zig_density(t.x[i]) + v / t.x[i];
    if (next >= 1.0) return 1.0;
    t.x[i + 1] = math::sqrt(-2.0 * math::log(next));
  }
  t.x[zig_layers] = 0.0;
  return zig_density(t.x[zig_layers - 1]) + v / t.x[zig_layers - 1] - 1.0;
}

/// Tables with r found by bisection on [3, 4] until the bracket stops shrinking (≈ 0.8 s of
/// compile time per translation unit with GCC 12).
[[nodiscard]] constexpr ziggurat_tables make_ziggurat_tables() noexcept {
  double lo = 3.0;
  double hi = 4.0;
  ziggurat_tables t;
  for (int it = 0; it < 64; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (zig_build(mid, t) > 0.0) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  (void)zig_build(lo, t);
  for (int i = 0; i <= zig_layers; ++i)
    t.f[i] = zig_density(t.x[i]);
  return t;
}

/// The sampler's tables, evaluated at compile time.
inline constexpr ziggurat_tables zig = make_ziggurat_tables();

/// Bits of 1.0 OR-ed with the low 52 bits of w, minus 1: uniform on [0, 1), 2⁻⁵² grid.
[[nodiscard]] constexpr double zig_unit(std::uint64_t w) noexcept {
  return std::bit_cast<double>((w & mantissa_mask) | one_bits) - 1.0;
}

/// 2 − [1, 2): uniform on (0, 1], the argument of the tail's logarithms.
[[nodiscard]] constexpr double zig_unit_open0(std::uint64_t w) noexcept {
  return 2.0 - std::bit_cast<double>((w & mantissa_mask) | one_bits);
}

/// Layer index of word w (bits 52…59).
[[nodiscard]] constexpr unsigned zig_layer(std::uint64_t w) noexcept {
  return static_cast<unsigned>(w >> 52) & (zig_layers - 1u);
}

/// x with its sign bit XOR-ed with bit 63 of w.
[[nodiscard]] constexpr double zig_sign(double x, std::uint64_t w) noexcept {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) ^ (w & 0x8000000000000000ull));
}

/// Auxiliary block c of element n: philox4x32_10((lo32 n, hi32 n, c, zig_tag), key), as words.
[[nodiscard]] constexpr std::array<std::uint64_t, 2> zig_aux(philox_key key, std::uint64_t n,
                                                             std::uint32_t c) noexcept {
  const philox_block y = philox4x32_10(
      {static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(n >> 32), c, zig_tag}, key);
  return {std::uint64_t{y[0]} | (std::uint64_t{y[1]} << 32),
          std::uint64_t{y[2]} | (std::uint64_t{y[3]} << 32)};
}

/// Standard normal element n whose main word w failed (or may fail) the fast test: the full
/// ziggurat loop, drawing any further randomness from element n's auxiliary blocks.
[[nodiscard]] constexpr double ziggurat_slow(philox_key key, std::uint64_t n,
                                             std::uint64_t w) noexcept {
  std::uint32_t c = 0;
  for (;;) {
    const unsigned i = zig_layer(w);
    const double x = zig_unit(w) * zig.x[i];
    if (x < zig.x[i + 1]) return zig_sign(x, w);
    auto ab = zig_aux(key, n, c++);
    if (i == 0) {  // tail beyond r: loop until accepted (restarting would under-weight it)
      for (;;) {
        const double t = -log_positive(zig_unit_open0(ab[0])) / zig.r;
        const double e = -log_positive(zig_unit_open0(ab[1]));
        if (e + e >= t * t) return zig_sign(zig.r + t, w);
        ab = zig_aux(key, n, c++);
      }
    }
    const double y = zig.f[i] + zig_unit(ab[0]) * (zig.f[i + 1] - zig.f[i]);
    if (log_positive(y) < -0.5 * (x * x)) return zig_sign(x, w);
    w = ab[1];  // wedge rejected: a fresh attempt
  }
}

/// Standard normal element n from its main word w (fast path inline, slow path out of line).
[[nodiscard]] constexpr double ziggurat_value(philox_key key, std::uint64_t n,
                                              std::uint64_t w) noexcept {
  const unsigned i = zig_layer(w);
  const double x = zig_unit(w) * zig.x[i];
  if (x < zig.x[i + 1]) [[likely]]
    return zig_sign(x, w);
  return ziggurat_slow(key, n, w);
}

}  // namespace initlab::detail

INITLAB_FP_STRICT_END
