#pragma once
/// The analytic profile of a network, layer by layer, composed from each layer kind's own maps
/// (layer.hpp): nothing here knows a formula. With the conventions of THEORY.md §1:
///
///     forward[l]  = Var[y_l] for a layer with an activation inside (dense, conv2d: its
///                   pre-activation), else E[out_l²], the second moment of its output
///     activation[l] = E[out_l²]
///     backward[l] = Var[∂L/∂x_l], the gradient w.r.t. the input of layer l
///     backward_pre_activation[l] = Var[∂L/∂y_l] (∂L/∂out_l for a layer without activation)
///
/// given an input with E[x²] = q0 and Var[∂L/∂y_N] = g at the last layer's pre-activation.
/// Arrays are indexed by the 0-based position of the layer in the flattened network, the same
/// index as `network::layer<I>`.

#include <array>
#include <cstddef>
#include <initlab/conv2d.hpp>
#include <initlab/dense.hpp>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/layer.hpp>
#include <initlab/serial.hpp>
#include <initlab/signal.hpp>
#include <utility>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// The whole analytic profile of a network, per layer (index i is layer l = i + 1).
template <std::size_t N>
struct variance_profile {
  std::array<double, N> forward{};                  ///< Var[y_l] (pre-activation) or E[out_l²]
  std::array<double, N> activation{};               ///< E[out_l²]
  std::array<double, N> backward{};                 ///< Var[∂L/∂x_l], gradient w.r.t. the input
  std::array<double, N> backward_pre_activation{};  ///< Var[∂L/∂y_l]
  std::array<signal, N + 1> signals{};              ///< moments entering layer l; [N]: output
};

/// Every layer's maps for an input with E[x²] = q0 (i.i.d., zero-mean) and Var[∂L/∂y_N] = g.
template <network_type Net>
[[nodiscard]] constexpr variance_profile<Net::depth> profile(double q0, double g) noexcept {
  constexpr std::size_t n = Net::depth;
  variance_profile<n> p;
  p.signals = Net::signals(input_signal(q0));
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using L = typename Net::template layer<I>;
          if constexpr (activated_layer<L>)
            p.forward[I] = L::pre_activation(p.signals[I]).q;
          else
            p.forward[I] = p.signals[I + 1].q;
          p.activation[I] = p.signals[I + 1].q;
        }(),
        ...);
  }(std::make_index_sequence<n>{});
  // Backward, last layer first; gy is the gradient at layer i's pre-activation (its output for a
  // layer without activation).
  double gy = g;
  [&]<std::size_t... R>(std::index_sequence<R...>) {
    (
        [&] {
          constexpr std::size_t i = n - 1 - R;
          using L = typename Net::template layer<i>;
          p.backward_pre_activation[i] = gy;
          if constexpr (activated_layer<L>)
            p.backward[i] = L::backward_from_pre_activation(p.signals[i], gy);
          else
            p.backward[i] = L::backward(p.signals[i], gy);
          if constexpr (i > 0) {
            using below = typename Net::template layer<i - 1>;
            if constexpr (activated_layer<below>)
              gy = below::pre_activation_gradient(p.signals[i - 1], p.backward[i]);
            else
              gy = p.backward[i];
          }
        }(),
        ...);
  }(std::make_index_sequence<n>{});
  return p;
}

/// The finite-width forward profile of a network whose layers all have a `length` map (dense
/// layers without bias; finite_width.hpp), per layer (index i is layer l = i + 1).
template <std::size_t N>
struct length_profile {
  std::array<double, N> forward{};             ///< E[y_l²] at finite width
  std::array<length_moments, N + 1> lengths{};  ///< per-input length entering layer l; [N]: output
  /// Var[∂L/∂x_l]/Var[∂L/∂h_l]: layer l's backward gain with E[φ'²] at finite width (gradient
  /// independence assumed).
  std::array<double, N> backward_gain{};
};

/// `length_profile` from the input's length moments (e.g. gaussian_input_length(q0, D_0)).
template <network_type Net>
[[nodiscard]] constexpr length_profile<Net::depth> finite_width_profile(length_moments input) {
  constexpr std::size_t n = Net::depth;
  length_profile<n> p;
  p.lengths[0] = input;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using L = typename Net::template layer<I>;
          static_assert(requires(length_moments m) { L::length(m); },
                        "initlab::finite_width_profile: every layer needs a length map (dense "
                        "without bias)");
          const finite_width::layer_lengths next = L::length(p.lengths[I]);
          p.forward[I] = next.pre_activation;
          p.lengths[I + 1] = next.out;
          // A NaN E[φ'²] (invalid O(1/D) terms, finite_width.hpp) gives a NaN gain, returned
          // rather than computed (Clang rejects arithmetic that yields NaN in constants).
          p.backward_gain[I] = next.derivative_square != next.derivative_square
                                   ? next.derivative_square
                                   : L::backward_from_pre_activation(signal{}, next.derivative_square);
        }(),
        ...);
  }(std::make_index_sequence<n>{});
  return p;
}

/// Var[y_l] for l = 1..N (see the header comment) for an input with E[x²] = q0.
template <network_type Net>
[[nodiscard]] constexpr std::array<double, Net::depth> forward_variances(double q0) noexcept {
  return profile<Net>(q0, 1.0).forward;
}

/// E[out_l²] for l = 1..N (second moments of the layer outputs) for an input with E[x²] = q0.
template <network_type Net>
[[nodiscard]] constexpr std::array<double, Net::depth> activation_second_moments(
    double q0) noexcept {
  return profile<Net>(q0, 1.0).activation;
}

/// Var[∂L/∂x_l] for l = 1..N given Var[∂L/∂y_N] = g, on the forward profile of an input with
/// E[x²] = q0.
template <network_type Net>
[[nodiscard]] constexpr std::array<double, Net::depth> backward_variances(double g,
                                                                          double q0) noexcept {
  return profile<Net>(q0, g).backward;
}

/// Var[∂L/∂x_l] for l = 1..N given Var[∂L/∂y_N] = g, for an input with E[x²] = 1 (q0 = 1).
/// For positively homogeneous activations (identity, linear, ReLU, leaky ReLU) q0 does not matter
/// (as long as it is positive); for the others use the two-argument overload.
template <network_type Net>
[[nodiscard]] constexpr std::array<double, Net::depth> backward_variances(double g) noexcept {
  return profile<Net>(1.0, g).backward;
}

}  // namespace initlab

INITLAB_FP_STRICT_END
