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

namespace detail {

/// profile's entries of one layer kind L, behind one function type each (see map_table in
/// serial.hpp: the profile walks the layers in a loop over these arrays, not in a fold).
/// forward[l]: Var[y] for a layer with an activation inside, else E[out²] (from `out`).
template <class L>
[[nodiscard]] constexpr double forward_entry(const signal& in, const signal& out) noexcept {
  if constexpr (activated_layer<L>)
    return L::pre_activation(in).q;
  else
    return out.q;
}
/// backward[l] from the gradient at the layer's pre-activation (its output without activation).
template <class L>
[[nodiscard]] constexpr double backward_entry(const signal& in, double gy) noexcept {
  if constexpr (activated_layer<L>)
    return L::backward_from_pre_activation(in, gy);
  else
    return L::backward(in, gy);
}
/// The gradient at the layer's pre-activation (its output without activation) from the one at
/// its output.
template <class L>
[[nodiscard]] constexpr double gradient_entry(const signal& in, double g) noexcept {
  if constexpr (activated_layer<L>)
    return L::pre_activation_gradient(in, g);
  else
    return g;
}

template <class Net>
struct profile_table;
template <class... L>
struct profile_table<basic_serial<L...>> {
  static constexpr std::array<double (*)(const signal&, const signal&) noexcept, sizeof...(L)>
      forward{&forward_entry<L>...};
  static constexpr std::array<double (*)(const signal&, double) noexcept, sizeof...(L)> backward{
      &backward_entry<L>...};
  static constexpr std::array<double (*)(const signal&, double) noexcept, sizeof...(L)> gradient{
      &gradient_entry<L>...};
};

}  // namespace detail

/// Every layer's maps for an input with E[x²] = q0 (i.i.d., zero-mean) and Var[∂L/∂y_N] = g.
template <network_type Net>
[[nodiscard]] constexpr variance_profile<Net::depth> profile(double q0, double g) noexcept {
  constexpr std::size_t n = Net::depth;
  using table = detail::profile_table<Net>;
  variance_profile<n> p;
  p.signals = Net::signals(input_signal(q0));
  for (std::size_t i = 0; i < n; ++i) {
    p.forward[i] = table::forward[i](p.signals[i], p.signals[i + 1]);
    p.activation[i] = p.signals[i + 1].q;
  }
  // Backward, last layer first; gy is the gradient at layer i's pre-activation (its output for a
  // layer without activation).
  double gy = g;
  for (std::size_t i = n; i-- > 0;) {
    p.backward_pre_activation[i] = gy;
    p.backward[i] = table::backward[i](p.signals[i], gy);
    if (i > 0) gy = table::gradient[i - 1](p.signals[i - 1], p.backward[i]);
  }
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

namespace detail {

/// finite_width_profile's step through one layer kind L: {E[y²], output lengths, backward gain}.
struct length_step {
  double forward = 0.0;
  length_moments out{};
  double backward_gain = 0.0;
};
template <class L>
[[nodiscard]] constexpr length_step length_entry(const length_moments& in) {
  static_assert(requires(length_moments m) { L::length(m); },
                "initlab::finite_width_profile: every layer needs a length map (dense "
                "without bias)");
  const finite_width::layer_lengths next = L::length(in);
  // A NaN E[φ'²] (invalid O(1/D) terms, finite_width.hpp) gives a NaN gain, returned rather than
  // computed (Clang rejects arithmetic that yields NaN in constants).
  const double gain = next.derivative_square != next.derivative_square
                          ? next.derivative_square
                          : L::backward_from_pre_activation(signal{}, next.derivative_square);
  return {next.pre_activation, next.out, gain};
}

template <class Net>
struct length_table;
template <class... L>
struct length_table<basic_serial<L...>> {
  static constexpr std::array<length_step (*)(const length_moments&), sizeof...(L)> step{
      &length_entry<L>...};
};

}  // namespace detail

/// `length_profile` from the input's length moments (e.g. gaussian_input_length(q0, D_0)).
template <network_type Net>
[[nodiscard]] constexpr length_profile<Net::depth> finite_width_profile(length_moments input) {
  constexpr std::size_t n = Net::depth;
  length_profile<n> p;
  p.lengths[0] = input;
  for (std::size_t i = 0; i < n; ++i) {
    const detail::length_step next = detail::length_table<Net>::step[i](p.lengths[i]);
    p.forward[i] = next.forward;
    p.lengths[i + 1] = next.out;
    p.backward_gain[i] = next.backward_gain;
  }
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
