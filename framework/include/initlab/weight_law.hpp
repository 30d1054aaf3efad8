#pragma once
/// The probability law of one weight entry, as a small literal value: what an initializer
/// promises (its variance) and what a sampler draws from, in one place.

#include <cstdint>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/math.hpp>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Family of the law of a weight entry.
enum class law_kind : std::uint8_t {
  constant,          ///< every entry equals `scale` (zeros: scale = 0)
  normal,            ///< N(0, scale²)
  uniform,           ///< U[-scale, +scale]
  truncated_normal,  ///< N(0, scale²) conditioned on |w| < truncation·scale
};

/// A zero-centred (or constant) law for weight entries; `scale` means stddev, bound or value.
struct weight_law {
  law_kind kind = law_kind::constant;
  double scale = 0.0;

  /// Truncation point of `truncated_normal`, in units of the parent normal's σ (Keras, JAX).
  static constexpr double truncation = 2.0;

  friend constexpr bool operator==(const weight_law&, const weight_law&) = default;
};

/// Standard deviation of N(0,1) truncated to (−t, t): √(1 − 2t·φ(t)/(2Φ(t) − 1)), t > 0.
/// 2Φ(t) − 1 is computed as erf(t/√2). Relative error ≤ 4e-16 for t ≥ 1 (tests/runtime/init_test
/// against 50 digits); the final 1 − … cancels for small t (≈ 2e-15 at t = 0.5).
[[nodiscard]] constexpr double truncated_normal_stddev(double t) noexcept {
  const double mass = math::erf(t / math::sqrt2);  // P(|z| < t)
  return math::sqrt(1.0 - 2.0 * t * math::normal_pdf(t) / mass);
}

/// σ of N(0,1) truncated to ±weight_law::truncation (= 0.8796256610342398 for ±2); Keras and JAX
/// divide the target std by it so that a truncated normal has exactly the requested variance.
inline constexpr double truncated_normal_unit_stddev =
    truncated_normal_stddev(weight_law::truncation);

/// Variance of one weight entry drawn from `law` (0 for a constant law: it has no spread).
[[nodiscard]] constexpr double variance(const weight_law& law) noexcept {
  const double s2 = law.scale * law.scale;
  switch (law.kind) {
    case law_kind::constant:
      return 0.0;
    case law_kind::normal:
      return s2;
    case law_kind::uniform:
      return s2 / 3.0;  // U[−a, a]: a²/3
    case law_kind::truncated_normal:
      return s2 * truncated_normal_unit_stddev * truncated_normal_unit_stddev;
  }
  return 0.0;
}

/// Mean of one weight entry drawn from `law` (non-zero only for a non-zero constant).
[[nodiscard]] constexpr double mean(const weight_law& law) noexcept {
  return law.kind == law_kind::constant ? law.scale : 0.0;
}

/// Second moment E[w²] of one weight entry drawn from `law`: variance + mean².
[[nodiscard]] constexpr double second_moment(const weight_law& law) noexcept {
  return variance(law) + mean(law) * mean(law);
}

}  // namespace initlab

INITLAB_FP_STRICT_END
