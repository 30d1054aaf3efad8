#pragma once
/// Short, readable static_asserts on a network's variance profile:
///
///     static_assert(initlab::preserves_forward_variance<net>(0.01));   // Var[y_l] flat within 1%
///     static_assert(initlab::preserves_backward_variance<net>(0.01));  // Var[∂L/∂x_l] flat
///     static_assert(initlab::within_rel(initlab::forward_gain<net>(), 1.0, 1e-12));
///
/// "Flat within rel_tol" means max ≤ (1 + rel_tol)·min over the layers, all values positive: a
/// symmetric criterion that bounds the drift between ANY two layers, not just neighbours, so a
/// slow per-layer decay that accumulates over depth is caught. A vanished (zero) profile is not
/// "preserved". The input q0 itself is not part of the profile: the first layer may legitimately
/// rescale it (He + ReLU gives Var[y_1] = 2·q0), what matters is that depth does not.

#include <array>
#include <cstddef>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/network.hpp>
#include <limits>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// |value − reference| ≤ rel_tol·|reference| (reference 0 demands exact equality). NaN: false.
[[nodiscard]] constexpr bool within_rel(double value, double reference, double rel_tol) noexcept {
  return math::abs(value - reference) <= rel_tol * math::abs(reference);
}

/// max/min of a profile (≥ 1; +inf if some entry is ≤ 0 or NaN): how far apart any two layers are.
template <std::size_t N>
[[nodiscard]] constexpr double spread(const std::array<double, N>& profile) noexcept {
  static_assert(N > 0, "initlab::spread: empty profile");
  double lo = profile[0];
  double hi = profile[0];
  for (double v : profile) {
    if (!(v > 0.0)) return std::numeric_limits<double>::infinity();
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  return hi / lo;
}

/// Whether every entry is positive and max ≤ (1 + rel_tol)·min.
template <std::size_t N>
[[nodiscard]] constexpr bool is_flat(const std::array<double, N>& profile,
                                     double rel_tol) noexcept {
  return spread(profile) <= 1.0 + rel_tol;
}

/// Whether Var[y_l] (l = 1..N) stays within rel_tol of itself across all layers, input E[x²] = q0.
template <network_type Net>
[[nodiscard]] constexpr bool preserves_forward_variance(double rel_tol, double q0 = 1.0) noexcept {
  return is_flat(forward_variances<Net>(q0), rel_tol);
}

/// Whether Var[∂L/∂x_l] (l = 1..N) stays within rel_tol across all layers (forward profile taken
/// at input E[x²] = q0, which matters only for non-homogeneous activations).
template <network_type Net>
[[nodiscard]] constexpr bool preserves_backward_variance(double rel_tol, double q0 = 1.0) noexcept {
  return is_flat(backward_variances<Net>(1.0, q0), rel_tol);
}

/// Var[y_N] / Var[y_1]: how much the forward signal grows (> 1) or shrinks (< 1) through depth.
template <network_type Net>
[[nodiscard]] constexpr double forward_gain(double q0 = 1.0) noexcept {
  const auto v = forward_variances<Net>(q0);
  return v[Net::depth - 1] / v[0];
}

/// Var[∂L/∂x_1] / Var[∂L/∂x_N]: how much the gradient grows (> 1) or shrinks (< 1) on its way
/// back from the last layer to the first.
template <network_type Net>
[[nodiscard]] constexpr double backward_gain(double q0 = 1.0) noexcept {
  const auto v = backward_variances<Net>(1.0, q0);
  return v[0] / v[Net::depth - 1];
}

}  // namespace initlab

INITLAB_FP_STRICT_END
