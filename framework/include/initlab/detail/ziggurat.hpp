#pragma once
/// The normal sampler's transform: Marsaglia & Tsang's ziggurat (J. Stat. Softw. 5(8), 2000)
/// with 2048 layers, keyed by element index so that element n stays a pure function of n.
///
/// Layers (f(x) = e^(−x²/2), r = x₁ the base strip's edge, v the common layer area):
///   layer i = 1…2047 is the box [0, xᵢ] × [f(xᵢ), f(xᵢ₊₁)], xᵢ(f(xᵢ₊₁) − f(xᵢ)) = v, x₂₀₄₈ = 0;
///   layer 0 is the base strip [0, r] × [0, f(r)] plus the tail {x > r, y < f(x)}, area v,
///   drawn as the box [0, x₀] with x₀ = v/f(r).
/// Element n takes 64-bit stream word n: layer i = bits 0–10, sign = bit 11, u = bits 12–63 / 2⁵²;
/// x = u·xᵢ. If x < xᵢ₊₁ the point lies under the curve (≈ 99.77% of elements: the fast path,
/// which the vector paths evaluate lane-wise) and the value is ±x. Otherwise the element draws
/// further 128-bit blocks of its own, retry block c = 1, 2, … =
/// philox4x32_10(ctr = (lo32(n), hi32(n), c, retry_tag), key): in layer 0 the tail by
/// Marsaglia's (1964) method, in the other layers the wedge test y < f(x) with y uniform on
/// [f(xᵢ), f(xᵢ₊₁)] from the retry block's first word; a rejected point starts over with the
/// retry block's second word as its new word. Retry counters never collide with data blocks
/// (counter word 3 = 0) or child keys (word 3 = child_tag).
///
/// Single precision (float fills): element n takes 32-bit stream word n instead, with the same
/// layers: layer = bits 0–10, sign = bit 11, u = bits 12–31 / 2²⁰, and the fast path in float,
/// x = u·x̃ᵢ < x̃ᵢ₊₁ with x̃ the table rounded to float (the layer areas then equal v to ≈ 2⁻²⁴
/// relative, far below what 2³² distinct values can show). Its slow path is the one above on the
/// float x (or the tail), evaluated in double and rounded; a rejected wedge point takes the low
/// 32 bits of the retry block's second word as its new word.
///
/// The table comes from math.hpp's log, sqrt, erfc and fast_math's exp (IEEE operations in a fixed
/// order), so every compiler and CPU computes the same bits; tests/runtime/sampler_test.cpp checks
/// r and the table against Boost.Multiprecision and every layer's area against v.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <initlab/detail/fast_math.hpp>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/math.hpp>
#include <initlab/random.hpp>

INITLAB_FP_STRICT_BEGIN

namespace initlab::detail {

/// Bits of a word that pick the layer (bits 0 … 10); the sign is the next bit.
inline constexpr unsigned ziggurat_layer_bits = 11;
/// Number of layers.
inline constexpr std::size_t ziggurat_layers = std::size_t{1} << ziggurat_layer_bits;
/// Right edge r of the base strip for 2048 layers: the root of "the top layer's area is v",
/// from a 40-digit solve (checked in sampler_test.cpp against Boost.Multiprecision, ≤ 1 ulp).
inline constexpr double ziggurat_r = 4.2163704095118968639;
/// Sign bit of a double.
inline constexpr std::uint64_t sign_bit = 0x8000000000000000ull;
/// Counter word 3 of an element's retry blocks ("zigg" in ASCII).
inline constexpr std::uint32_t retry_tag = 0x7A696767u;

/// x₀ … x₂₀₄₈ and f(xᵢ) (f₀ = f(r): layer 0's box is [0, x₀] × [0, f(r)] in area terms).
struct ziggurat_table {
  double area;                                ///< v
  std::array<double, ziggurat_layers + 1> x;  ///< x₀ = v/f(r), x₁ = r, …, x₂₀₄₈ = 0
  std::array<double, ziggurat_layers + 1> f;  ///< f(xᵢ) = exp_nonpositive(−xᵢ²/2), f₂₀₄₈ = 1
};

/// The table for ziggurat_r: v = r·f(r) + √(π/2)·erfc(r/√2), xᵢ₊₁ = f⁻¹(v/xᵢ + f(xᵢ)).
[[nodiscard]] constexpr ziggurat_table make_ziggurat_table() noexcept {
  ziggurat_table t{};
  const double r = ziggurat_r;
  const double fr = exp_nonpositive(-0.5 * r * r);
  t.area = r * fr + 0.5 * math::sqrt_2pi * math::erfc(r * math::inv_sqrt2);
  t.x[0] = t.area / fr;
  t.f[0] = fr;
  t.x[1] = r;
  t.f[1] = fr;
  for (std::size_t i = 1; i + 1 < ziggurat_layers; ++i) {
    t.x[i + 1] = math::sqrt(-2.0 * math::log(t.area / t.x[i] + t.f[i]));
    t.f[i + 1] = exp_nonpositive(-0.5 * t.x[i + 1] * t.x[i + 1]);
  }
  t.x[ziggurat_layers] = 0.0;
  t.f[ziggurat_layers] = 1.0;
  return t;
}

/// The table, computed once per process on first use (a constant expression would cost every
/// translation unit ~10⁶ constexpr steps; math.hpp's functions give the same bits at run time).
[[nodiscard]] inline const ziggurat_table& ziggurat() noexcept {
  static const ziggurat_table table = make_ziggurat_table();
  return table;
}

/// Layer index of a word (bits 0 … 10).
[[nodiscard]] constexpr std::size_t ziggurat_layer(std::uint64_t word) noexcept {
  return static_cast<std::size_t>(word & (ziggurat_layers - 1));
}
/// The sign bit of the value (bit 11 of the word, moved to bit 63).
[[nodiscard]] constexpr std::uint64_t ziggurat_sign(std::uint64_t word) noexcept {
  return (word << (63 - ziggurat_layer_bits)) & sign_bit;
}
/// u ∈ [0, 1) on the 2⁻⁵² grid from bits 12–63 of the word.
[[nodiscard]] constexpr double ziggurat_unit(std::uint64_t word) noexcept {
  return std::bit_cast<double>((word >> 12) | one_bits) - 1.0;
}
/// u ∈ (0, 1] on the 2⁻⁵² grid from the low 52 bits (an argument for log).
[[nodiscard]] constexpr double positive_unit(std::uint64_t word) noexcept {
  return 2.0 - std::bit_cast<double>((word & mantissa_mask) | one_bits);
}
/// ±x by the sign bit.
[[nodiscard]] constexpr double with_sign(double x, std::uint64_t sign) noexcept {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) ^ sign);
}

/// Retry block c ≥ 1 of element n as two words (word 0 = x0 | x1<<32, word 1 = x2 | x3<<32).
[[nodiscard]] constexpr std::array<std::uint64_t, 2> retry_words(const stream& s, std::uint64_t n,
                                                                 std::uint32_t c) noexcept {
  const philox_block y = philox4x32_10(
      {static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(n >> 32), c, retry_tag}, s.key());
  return {std::uint64_t{y[0]} | (std::uint64_t{y[1]} << 32),
          std::uint64_t{y[2]} | (std::uint64_t{y[3]} << 32)};
}

/// Whether the fast path accepts `word`, and the value it gives then: x = u·xᵢ < xᵢ₊₁.
[[nodiscard]] inline bool ziggurat_fast(const ziggurat_table& t, std::uint64_t word,
                                        double& z) noexcept {
  const std::size_t i = ziggurat_layer(word);
  const double x = ziggurat_unit(word) * t.x[i];
  z = with_sign(x, ziggurat_sign(word));
  return x < t.x[i + 1];
}

/// A standard normal for element n of `s` whose stream word is `word`: the fast path, else the
/// element's retry blocks (tail or wedge), in the order described at the top of this header.
[[nodiscard]] inline double ziggurat_normal(const stream& s, std::uint64_t n,
                                           std::uint64_t word) noexcept {
  const ziggurat_table& t = ziggurat();
  std::uint32_t retry = 0;
  for (;;) {
    double z = 0.0;
    if (ziggurat_fast(t, word, z)) return z;
    const std::size_t i = ziggurat_layer(word);
    const std::uint64_t sign = ziggurat_sign(word);
    auto extra = retry_words(s, n, ++retry);
    if (i == 0) {
      // Tail x > r (Marsaglia 1964): a = −log(u₁)/r, b = −log(u₂), accept when 2b > a².
      for (;;) {
        const double a = -log_positive(positive_unit(extra[0])) / ziggurat_r;
        const double b = -log_positive(positive_unit(extra[1]));
        if (b + b > a * a) return with_sign(ziggurat_r + a, sign);
        extra = retry_words(s, n, ++retry);
      }
    }
    const double x = with_sign(z, sign);  // the fast path's u·xᵢ, unsigned again
    const double w = std::bit_cast<double>((extra[0] & mantissa_mask) | one_bits) - 1.0;
    const double y = t.f[i] + w * (t.f[i + 1] - t.f[i]);
    if (y < exp_nonpositive(-0.5 * x * x)) return with_sign(x, sign);
    word = extra[1];
  }
}

// --------------------------------------------------------------- single precision

/// A layer of the float fast path: x̃ᵢ and kᵢ, the number of grid points j (u = j·2⁻²⁰) whose
/// float product u·x̃ᵢ stays below x̃ᵢ₊₁. The product is non-decreasing in j, so "j < kᵢ" is
/// exactly "u·x̃ᵢ < x̃ᵢ₊₁" in float; packed in 64 bits so that one gather fetches both.
struct ziggurat_layer_f32_entry {
  float x;
  std::uint32_t k;
};

static_assert(sizeof(ziggurat_layer_f32_entry) == 8, "the vector paths gather entries as 64 bits");

/// x̃ᵢ and kᵢ for the layers 0 … 2047.
struct ziggurat_table_f32 {
  alignas(64) std::array<ziggurat_layer_f32_entry, ziggurat_layers> layer;
};

/// 2⁻²⁰: the grid of the float ziggurat's u.
inline constexpr float unit_grid_f32 = 0x1p-20f;
/// Grid points of u: j = 0 … 2²⁰ − 1.
inline constexpr std::uint32_t unit_points_f32 = 1u << 20;

/// The float table, computed once per process from the double one: x̃ᵢ = xᵢ rounded to float,
/// kᵢ by bisection with the very float operations of the fast path.
[[nodiscard]] inline const ziggurat_table_f32& ziggurat_f32() noexcept {
  static const ziggurat_table_f32 table = [] {
    ziggurat_table_f32 t{};
    const ziggurat_table& d = ziggurat();
    for (std::size_t i = 0; i < ziggurat_layers; ++i) {
      const auto x = static_cast<float>(d.x[i]);
      const auto next = static_cast<float>(d.x[i + 1]);
      std::uint32_t lo = 0, hi = unit_points_f32;  // kᵢ = the first j in [0, 2²⁰] not below
      auto below = [&](std::uint32_t j) {
        return static_cast<float>(static_cast<std::int32_t>(j)) * unit_grid_f32 * x < next;
      };
      while (lo < hi) {
        const std::uint32_t mid = lo + (hi - lo) / 2;
        if (below(mid)) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      t.layer[i] = {x, lo};
    }
    return t;
  }();
  return table;
}

/// Sign bit of a float.
inline constexpr std::uint32_t sign_bit_f32 = 0x80000000u;
/// Layer index of a 32-bit word (bits 0 … 10).
[[nodiscard]] constexpr std::size_t ziggurat_layer_f32(std::uint32_t word) noexcept {
  return static_cast<std::size_t>(word & (ziggurat_layers - 1));
}
/// The sign bit of the value (bit 11 of the word, moved to bit 31).
[[nodiscard]] constexpr std::uint32_t ziggurat_sign_f32(std::uint32_t word) noexcept {
  return (word << (31 - ziggurat_layer_bits)) & sign_bit_f32;
}
/// j: the grid index of u, bits 12–31 of the word.
[[nodiscard]] constexpr std::uint32_t ziggurat_point_f32(std::uint32_t word) noexcept {
  return word >> 12;
}
/// u = j·2⁻²⁰ ∈ [0, 1) (exact: j is below 2²⁴).
[[nodiscard]] constexpr float ziggurat_unit_f32(std::uint32_t word) noexcept {
  return static_cast<float>(static_cast<std::int32_t>(ziggurat_point_f32(word))) * unit_grid_f32;
}
/// ±x by the sign bit.
[[nodiscard]] constexpr float with_sign_f32(float x, std::uint32_t sign) noexcept {
  return std::bit_cast<float>(std::bit_cast<std::uint32_t>(x) ^ sign);
}

/// Whether the float fast path accepts `word` (x = u·x̃ᵢ < x̃ᵢ₊₁, i.e. j < kᵢ), and ±x.
[[nodiscard]] inline bool ziggurat_fast_f32(const ziggurat_table_f32& t, std::uint32_t word,
                                            float& z) noexcept {
  const ziggurat_layer_f32_entry& e = t.layer[ziggurat_layer_f32(word)];
  z = with_sign_f32(ziggurat_unit_f32(word) * e.x, ziggurat_sign_f32(word));
  return ziggurat_point_f32(word) < e.k;
}

/// A standard normal in float for element n of `s` whose 32-bit stream word is `word`.
[[nodiscard]] inline float ziggurat_normal_f32(const stream& s, std::uint64_t n,
                                               std::uint32_t word) noexcept {
  const ziggurat_table& t = ziggurat();
  const ziggurat_table_f32& tf = ziggurat_f32();
  std::uint32_t retry = 0;
  for (;;) {
    float z = 0.0f;
    if (ziggurat_fast_f32(tf, word, z)) return z;
    const std::size_t i = ziggurat_layer_f32(word);
    const std::uint32_t sign = ziggurat_sign_f32(word);
    auto extra = retry_words(s, n, ++retry);
    if (i == 0) {
      for (;;) {  // the tail, as in ziggurat_normal
        const double a = -log_positive(positive_unit(extra[0])) / ziggurat_r;
        const double b = -log_positive(positive_unit(extra[1]));
        if (b + b > a * a) return with_sign_f32(static_cast<float>(ziggurat_r + a), sign);
        extra = retry_words(s, n, ++retry);
      }
    }
    const auto x = static_cast<double>(with_sign_f32(z, sign));  // the fast path's u·x̃ᵢ ≥ 0
    const double w = std::bit_cast<double>((extra[0] & mantissa_mask) | one_bits) - 1.0;
    const double y = t.f[i] + w * (t.f[i + 1] - t.f[i]);
    if (y < exp_nonpositive(-0.5 * x * x)) return z;
    word = static_cast<std::uint32_t>(extra[1]);
  }
}

}  // namespace initlab::detail

INITLAB_FP_STRICT_END
