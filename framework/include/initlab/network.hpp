#pragma once
/// `network<Layer...>`: a compile-time stack of layer descriptors, and the variance recursions of
/// THEORY.md §1 through it (He et al. 2015 eq. 7–14; Glorot & Bengio 2010 §4.2):
///
///     forward   Var[y_l] = D_l·σ_l²·E[h_{l-1}²],   E[h_l²] = E_{Var[y_l]}[φ_l²],   E[h_0²] = q0
///     backward  Var[∂L/∂x_l] = D̂_l·σ_l²·Var[∂L/∂y_l],
///               Var[∂L/∂y_{l-1}] = E_{Var[y_{l-1}]}[φ_{l-1}'²]·Var[∂L/∂x_l],  Var[∂L/∂y_N] = g
///
/// Arrays are indexed by layer position 0..N-1 (array[i] is layer l = i + 1 of THEORY.md), the
/// same 0-based index as `network::layer<I>`.

#include <array>
#include <cstddef>
#include <initlab/layer.hpp>
#include <tuple>
#include <type_traits>
#include <utility>

namespace initlab {

/// Width check between layer `Layer` (0-based, as in network::layer<I>) and the layer before it.
/// Instantiated by `network` for every consecutive pair: when the widths differ, the compiler
/// reports the static_assert below *in instantiation of layer_widths_match<Layer, InWidth,
/// PreviousOutWidth>*, so the diagnostic names the offending layer and both widths.
template <std::size_t Layer, std::size_t InWidth, std::size_t PreviousOutWidth>
struct layer_widths_match {
  static_assert(InWidth == PreviousOutWidth,
                "initlab::network: layer widths do not match: network::layer<Layer>::in_width "
                "(template argument 2 of layer_widths_match<Layer, InWidth, PreviousOutWidth>) "
                "must equal network::layer<Layer - 1>::out_width (template argument 3); Layer is "
                "the 0-based position of the offending layer");
  /// Always true: a mismatch already fired the static_assert above, and a second error here
  /// would only add noise to the diagnostic.
  static constexpr bool value = true;
};

/// Whether consecutive layers agree on widths (out_width of one = in_width of the next), without
/// asserting: for tests and for `requires` clauses.
template <layer_descriptor... Layers>
[[nodiscard]] constexpr bool widths_match() noexcept {
  constexpr std::array<std::size_t, sizeof...(Layers)> in{Layers::in_width...};
  constexpr std::array<std::size_t, sizeof...(Layers)> out{Layers::out_width...};
  for (std::size_t i = 1; i < sizeof...(Layers); ++i) {
    if (in[i] != out[i - 1]) return false;
  }
  return true;
}

namespace detail {

/// Instantiates layer_widths_match for every consecutive pair (its static_assert names the layer).
template <class... Layers, std::size_t... I>
constexpr bool check_widths(std::index_sequence<I...>) noexcept {
  using tuple = std::tuple<Layers...>;
  return (layer_widths_match<I + 1, std::tuple_element_t<I + 1, tuple>::in_width,
                             std::tuple_element_t<I, tuple>::out_width>::value &&
          ... && true);
}

}  // namespace detail

/// A feed-forward stack of layer descriptors (dense, conv2d, or anything `layer_descriptor`).
template <class... Layers>
struct network {
  static_assert(sizeof...(Layers) > 0, "initlab::network: a network needs at least one layer");
  static_assert((layer_descriptor<Layers> && ...),
                "initlab::network: every template argument must be a layer descriptor "
                "(initlab::dense, initlab::conv2d, ...)");

  /// Number of layers N.
  static constexpr std::size_t depth = sizeof...(Layers);
  /// The I-th layer, 0-based.
  template <std::size_t I>
  requires(I < sizeof...(Layers)) using layer = std::tuple_element_t<I, std::tuple<Layers...>>;
  /// Width of the network input (in_width of layer 0).
  static constexpr std::size_t input_width = layer<0>::in_width;
  /// Width of the network output (out_width of the last layer).
  static constexpr std::size_t output_width = layer<depth - 1>::out_width;
  /// Whether every initializer is zero-mean, as the recursions of THEORY.md §1 assume.
  static constexpr bool zero_mean_weights = (Layers::init_type::zero_mean && ...);

  // A static_assert (not a static data member) so the check runs whenever the type is used.
  static_assert(detail::check_widths<Layers...>(
      std::make_index_sequence<(sizeof...(Layers) > 0 ? sizeof...(Layers) - 1 : 0)>{}));
};

namespace detail {

template <class T>
inline constexpr bool is_network = false;
template <class... L>
inline constexpr bool is_network<network<L...>> = true;

/// E_q[φ²]; at q = 0 the pre-activation is exactly 0, so the moment is φ(0)².
template <class Act>
[[nodiscard]] constexpr double second_moment_at(double q) noexcept {
  if (q > 0.0) return Act::second_moment(q);
  const double v = Act::value(0.0);
  return v * v;
}

/// E_q[φ'²]; at q = 0 the pre-activation is exactly 0, so the moment is φ'(0)², the derivative a
/// real backward pass uses there.
template <class Act>
[[nodiscard]] constexpr double derivative_second_moment_at(double q) noexcept {
  if (q > 0.0) return Act::derivative_second_moment(q);
  const double d = Act::derivative(0.0);
  return d * d;
}

}  // namespace detail

/// A `network<...>` specialization.
template <class Net>
concept network_type = detail::is_network<Net>;

/// The whole analytic profile of a network, per layer (index i is layer l = i + 1).
template <std::size_t N>
struct variance_profile {
  std::array<double, N> forward{};                  ///< Var[y_l], pre-activations
  std::array<double, N> activation{};               ///< E[h_l²] = E_{Var[y_l]}[φ_l²]
  std::array<double, N> backward{};                 ///< Var[∂L/∂x_l], gradient w.r.t. the input
  std::array<double, N> backward_pre_activation{};  ///< Var[∂L/∂y_l]
};

/// The recursions of THEORY.md §1 for an input with E[x²] = q0 and Var[∂L/∂y_N] = g.
template <network_type Net>
[[nodiscard]] constexpr variance_profile<Net::depth> profile(double q0, double g) noexcept {
  static_assert(Net::zero_mean_weights,
                "initlab: the variance recursions (THEORY.md section 1) assume zero-mean weights; "
                "initlab::constant<C> with C != 0 is not zero-mean");
  constexpr std::size_t n = Net::depth;
  variance_profile<n> p;
  // Forward, layer 0 first. The input is not activated: E[h_0²] = q0.
  double h2 = q0;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using L = typename Net::template layer<I>;
          p.forward[I] = static_cast<double>(L::fan_in) * L::weight_variance() * h2;
          h2 = detail::second_moment_at<typename L::activation_type>(p.forward[I]);
          p.activation[I] = h2;
        }(),
        ...);
  }
  (std::make_index_sequence<n>{});
  // Backward, last layer first. Before the next step, Var[∂L/∂y] of the layer below is the
  // gradient times E[φ'²] of that layer's activation, at that layer's forward variance.
  double gy = g;
  [&]<std::size_t... R>(std::index_sequence<R...>) {
    (
        [&] {
          constexpr std::size_t i = n - 1 - R;
          using L = typename Net::template layer<i>;
          p.backward_pre_activation[i] = gy;
          p.backward[i] = static_cast<double>(L::fan_out) * L::weight_variance() * gy;
          if constexpr (i > 0) {
            using below = typename Net::template layer<i - 1>;
            gy = detail::derivative_second_moment_at<typename below::activation_type>(
                     p.forward[i - 1]) *
                 p.backward[i];
          }
        }(),
        ...);
  }
  (std::make_index_sequence<n>{});
  return p;
}

/// Var[y_l] for l = 1..N (pre-activation variances) for an input with E[x²] = q0.
template <network_type Net>
[[nodiscard]] constexpr std::array<double, Net::depth> forward_variances(double q0) noexcept {
  return profile<Net>(q0, 1.0).forward;
}

/// E[h_l²] for l = 1..N (second moments of the activations) for an input with E[x²] = q0.
template <network_type Net>
[[nodiscard]] constexpr std::array<double, Net::depth> activation_second_moments(
    double q0) noexcept {
  return profile<Net>(q0, 1.0).activation;
}

/// Var[∂L/∂x_l] for l = 1..N given Var[∂L/∂y_N] = g, with E_{Var[y_{l-1}]}[φ'²] taken on the
/// forward profile of an input with E[x²] = q0.
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
