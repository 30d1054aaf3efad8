#pragma once
/// Layer descriptors: compile-time shapes plus an initializer and an activation. They hold no
/// weights; `network.hpp` propagates variances through them and `simulate.hpp` samples them.
///
/// Every layer type exposes `fan_in`, `fan_out` (the D and D̂ of THEORY.md §1, which set the
/// weight variance and the forward/backward recursions), `in_width`, `out_width` (what must match
/// between consecutive layers: units for dense, channels for conv2d), `init_type`,
/// `activation_type`, `law()` and `weight_variance()`.

#include <concepts>
#include <cstddef>
#include <initlab/activation.hpp>
#include <initlab/init.hpp>
#include <initlab/weight_law.hpp>

namespace initlab {

/// Fully connected layer y = W·x (no bias), W of shape FanOut × FanIn, then h = Act(y).
template <std::size_t FanIn, std::size_t FanOut, class Init, class Act>
struct dense {
  static_assert(FanIn > 0, "initlab::dense: FanIn (the input width D) must be positive");
  static_assert(FanOut > 0, "initlab::dense: FanOut (the output width D-hat) must be positive");
  static_assert(initializer<Init>,
                "initlab::dense: Init must be an initializer (variance, law, name, zero_mean)");
  static_assert(activation<Act>,
                "initlab::dense: Act must be an activation (second_moment, "
                "derivative_second_moment, mean, value, derivative)");

  static constexpr std::size_t fan_in = FanIn;      ///< D: inputs summed into each output
  static constexpr std::size_t fan_out = FanOut;    ///< D̂: outputs each input feeds
  static constexpr std::size_t in_width = FanIn;    ///< units expected from the previous layer
  static constexpr std::size_t out_width = FanOut;  ///< units handed to the next layer
  using init_type = Init;                           ///< the initializer of W
  using activation_type = Act;                      ///< φ applied to y

  /// The law of one entry of W.
  [[nodiscard]] static constexpr weight_law law() noexcept { return Init::law(fan_in, fan_out); }
  /// σ² = Var[W_ij] as the initializer defines it for these fans.
  [[nodiscard]] static constexpr double weight_variance() noexcept {
    return Init::variance(fan_in, fan_out);
  }
};

/// 2-D convolution with CIn input and COut output channels and a KH × KW kernel (no bias).
/// Fans as in He et al. 2015 and PyTorch: fan_in = CIn·KH·KW, fan_out = COut·KH·KW.
/// Widths (what consecutive layers must agree on) are channel counts.
template <std::size_t CIn, std::size_t COut, std::size_t KH, std::size_t KW, class Init, class Act>
struct conv2d {
  static_assert(CIn > 0, "initlab::conv2d: CIn (input channels) must be positive");
  static_assert(COut > 0, "initlab::conv2d: COut (output channels) must be positive");
  static_assert(KH > 0 && KW > 0, "initlab::conv2d: the kernel size KH x KW must be positive");
  static_assert(initializer<Init>,
                "initlab::conv2d: Init must be an initializer (variance, law, name, zero_mean)");
  static_assert(activation<Act>,
                "initlab::conv2d: Act must be an activation (second_moment, "
                "derivative_second_moment, mean, value, derivative)");

  static constexpr std::size_t in_channels = CIn;         ///< channels read
  static constexpr std::size_t out_channels = COut;       ///< channels written
  static constexpr std::size_t kernel_height = KH;        ///< kernel rows
  static constexpr std::size_t kernel_width = KW;         ///< kernel columns
  static constexpr std::size_t fan_in = CIn * KH * KW;    ///< inputs summed into each output
  static constexpr std::size_t fan_out = COut * KH * KW;  ///< outputs each input feeds
  static constexpr std::size_t in_width = CIn;            ///< channels from the previous layer
  static constexpr std::size_t out_width = COut;          ///< channels to the next layer
  using init_type = Init;                                 ///< the initializer of the kernel
  using activation_type = Act;                            ///< φ applied to y

  /// The law of one kernel entry.
  [[nodiscard]] static constexpr weight_law law() noexcept { return Init::law(fan_in, fan_out); }
  /// σ² = Var[W_ij] as the initializer defines it for these fans.
  [[nodiscard]] static constexpr double weight_variance() noexcept {
    return Init::variance(fan_in, fan_out);
  }
};

/// A layer descriptor usable in `network`: the members documented at the top of this header.
template <class L>
concept layer_descriptor = requires {
  { L::fan_in } -> std::convertible_to<std::size_t>;
  { L::fan_out } -> std::convertible_to<std::size_t>;
  { L::in_width } -> std::convertible_to<std::size_t>;
  { L::out_width } -> std::convertible_to<std::size_t>;
  { L::law() } -> std::same_as<weight_law>;
  { L::weight_variance() } -> std::same_as<double>;
  typename L::init_type;
  typename L::activation_type;
};

}  // namespace initlab
