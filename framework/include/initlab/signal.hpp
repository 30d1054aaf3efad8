#pragma once
/// The analytic state that flows through a network's maps (THEORY.md §1, §7, §8): moments of one
/// unit's value over networks and inputs, in the form neural-tangents' `stax` keeps its NNGP kernel
/// (diagonal and off-diagonal), plus the mean that normalization and residual sums need.

#include <initlab/detail/fp_strict.hpp>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Moments of one unit (every unit of a layer has the same law at initialization).
struct signal {
  double q = 1.0;      ///< E[x²], over networks and inputs
  double mean = 0.0;   ///< E[x]: ReLU outputs are not centred
  double cross = 0.0;  ///< E[x_b·x_b'] for two different inputs b ≠ b' of one network: the NNGP
                       ///< off-diagonal; as B → ∞ it is the square of a unit's batch mean, so
                       ///< q − cross is the within-batch variance that batch norm divides by

  friend constexpr bool operator==(const signal&, const signal&) = default;
};

/// The network input of THEORY.md §1: i.i.d. zero-mean inputs with E[x²] = q0.
[[nodiscard]] constexpr signal input_signal(double q0) noexcept {
  return {q0, 0.0, 0.0};
}

/// Var of a unit across the inputs of one batch, averaged over networks, as B → ∞ (batch norm).
[[nodiscard]] constexpr double batch_variance(const signal& s) noexcept {
  return s.q - s.cross;
}

/// Var across the units of one sample, as the width → ∞ (layer norm): E[x²] − E[x]².
[[nodiscard]] constexpr double unit_variance(const signal& s) noexcept {
  return s.q - s.mean * s.mean;
}

}  // namespace initlab

INITLAB_FP_STRICT_END
