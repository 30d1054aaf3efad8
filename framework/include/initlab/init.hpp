#pragma once
/// Weight initializers as empty literal types: each states, for a layer's fans, the variance it
/// gives one weight entry and the law (`weight_law`) a sampler draws that entry from.
///
/// Sources: LeCun et al. 1998 (1/D), Glorot & Bengio 2010 (2/(D+D̂), uniform bound √(6/(D+D̂))),
/// He et al. 2015 (2/n), Keras/JAX `VarianceScaling` (modes, distributions, truncated normal),
/// PyTorch `calculate_gain` (gains). See THEORY.md §4.

#include <concepts>
#include <cstddef>
#include <initlab/activation.hpp>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/real_param.hpp>
#include <initlab/math.hpp>
#include <initlab/weight_law.hpp>
#include <limits>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Which fan sets the scale n of `variance_scaling` (Keras `mode`).
namespace fan {

/// n = fan_in (D): preserves the forward variance (LeCun, He).
struct in {
  static constexpr const char* name = "fan_in";
  /// The fan n used by variance_scaling for a layer with these fans.
  [[nodiscard]] static constexpr double of(std::size_t fan_in, std::size_t) noexcept {
    return static_cast<double>(fan_in);
  }
};

/// n = fan_out (D̂): preserves the backward (gradient) variance.
struct out {
  static constexpr const char* name = "fan_out";
  /// The fan n used by variance_scaling for a layer with these fans.
  [[nodiscard]] static constexpr double of(std::size_t, std::size_t fan_out) noexcept {
    return static_cast<double>(fan_out);
  }
};

/// n = (fan_in + fan_out)/2: Glorot & Bengio's compromise between the two.
struct avg {
  static constexpr const char* name = "fan_avg";
  /// The fan n used by variance_scaling for a layer with these fans.
  [[nodiscard]] static constexpr double of(std::size_t fan_in, std::size_t fan_out) noexcept {
    return (static_cast<double>(fan_in) + static_cast<double>(fan_out)) / 2.0;
  }
};

}  // namespace fan

/// The distribution family of `variance_scaling` (Keras `distribution`).
namespace dist {

/// N(0, s²) with s² the target variance.
struct normal {
  static constexpr const char* name = "normal";
};
/// U[−a, a] with a = √(3·variance).
struct uniform {
  static constexpr const char* name = "uniform";
};
/// N(0, σ²) truncated to ±2σ, σ = √variance / 0.8796…, so the truncated law has the variance.
struct truncated_normal {
  static constexpr const char* name = "truncated_normal";
};

}  // namespace dist

/// A `fan::` mode tag.
template <class M>
concept fan_mode =
    std::same_as<M, fan::in> || std::same_as<M, fan::out> || std::same_as<M, fan::avg>;

/// A `dist::` distribution tag.
template <class D>
concept distribution_family = std::same_as<D, dist::normal> || std::same_as<D, dist::uniform> ||
    std::same_as<D, dist::truncated_normal>;

/// An initializer: a type with constexpr `variance(fan_in, fan_out)`, `law(fan_in, fan_out)`,
/// a `name`, and `zero_mean` (whether its weights are centred, as THEORY.md §1 assumes).
template <class I>
concept initializer = requires(std::size_t fan_in, std::size_t fan_out) {
  { I::variance(fan_in, fan_out) } -> std::same_as<double>;
  { I::law(fan_in, fan_out) } -> std::same_as<weight_law>;
  { I::name } -> std::convertible_to<const char*>;
  { I::zero_mean } -> std::convertible_to<bool>;
};

/// Keras/JAX `VarianceScaling`: variance Scale/n with n chosen by `Mode`, drawn from `Dist`.
template <real_param Scale, fan_mode Mode, distribution_family Dist>
struct variance_scaling {
  static_assert(math::is_finite(Scale) && Scale > 0.0,
                "initlab::variance_scaling: Scale must be positive and finite");

  static constexpr double scale = Scale;  ///< the numerator of Scale/n
  using mode_type = Mode;                 ///< fan::in, fan::out or fan::avg
  using dist_type = Dist;                 ///< dist::normal, dist::uniform or dist::truncated_normal
  static constexpr const char* name = "variance_scaling";
  static constexpr bool zero_mean = true;

  /// Variance of one weight entry: Scale / n (n = fan_in, fan_out or their mean).
  [[nodiscard]] static constexpr double variance(std::size_t fan_in, std::size_t fan_out) noexcept {
    return Scale / Mode::of(fan_in, fan_out);
  }

  /// Uniform bound a = √(3·Scale/n): U[−a, a] has variance a²/3 = Scale/n.
  [[nodiscard]] static constexpr double bound(
      std::size_t fan_in, std::size_t fan_out) noexcept requires std::same_as<Dist, dist::uniform> {
    return math::sqrt(3.0 * variance(fan_in, fan_out));
  }

  /// The law of one entry; for a truncated normal, scale is the parent σ = √variance / 0.8796….
  [[nodiscard]] static constexpr weight_law law(std::size_t fan_in, std::size_t fan_out) noexcept {
    const double v = variance(fan_in, fan_out);
    if constexpr (std::same_as<Dist, dist::normal>) {
      return {law_kind::normal, math::sqrt(v)};
    } else if constexpr (std::same_as<Dist, dist::uniform>) {
      return {law_kind::uniform, math::sqrt(3.0 * v)};
    } else {
      return {law_kind::truncated_normal, math::sqrt(v) / truncated_normal_unit_stddev};
    }
  }
};

/// Declares a named variance_scaling alias: a distinct type (so reports print its own `name`)
/// with the base's variance, bound and law. Internal; the macro is undefined below.
#define INITLAB_NAMED_VARIANCE_SCALING(alias, scale_value, mode, distribution) \
  struct alias : variance_scaling<scale_value, mode, distribution> {           \
    using base_type = variance_scaling<scale_value, mode, distribution>;       \
    static constexpr const char* name = #alias;                                \
  }

/// LeCun normal: N(0, 1/D) (LeCun et al. 1998; PyTorch-style plain normal).
INITLAB_NAMED_VARIANCE_SCALING(lecun_normal, 1.0, fan::in, dist::normal);
/// LeCun uniform: U[±√(3/D)], variance 1/D.
INITLAB_NAMED_VARIANCE_SCALING(lecun_uniform, 1.0, fan::in, dist::uniform);
/// LeCun truncated normal, variance 1/D (what Keras/JAX call `lecun_normal`).
INITLAB_NAMED_VARIANCE_SCALING(lecun_truncated_normal, 1.0, fan::in, dist::truncated_normal);
/// Xavier/Glorot normal: N(0, 2/(D+D̂)) (Glorot & Bengio 2010, eq. 12).
INITLAB_NAMED_VARIANCE_SCALING(xavier_normal, 1.0, fan::avg, dist::normal);
/// Xavier/Glorot uniform: U[±√(6/(D+D̂))], variance 2/(D+D̂) (Glorot & Bengio 2010, eq. 16).
INITLAB_NAMED_VARIANCE_SCALING(xavier_uniform, 1.0, fan::avg, dist::uniform);
/// Xavier truncated normal, variance 2/(D+D̂) (what Keras/JAX call `glorot_normal`).
INITLAB_NAMED_VARIANCE_SCALING(xavier_truncated_normal, 1.0, fan::avg, dist::truncated_normal);
/// He/Kaiming normal: N(0, 2/D) (He et al. 2015, eq. 10; PyTorch kaiming_normal_ for ReLU).
INITLAB_NAMED_VARIANCE_SCALING(he_normal, 2.0, fan::in, dist::normal);
/// He/Kaiming uniform: U[±√(6/D)], variance 2/D.
INITLAB_NAMED_VARIANCE_SCALING(he_uniform, 2.0, fan::in, dist::uniform);
/// He truncated normal, variance 2/D (what Keras/JAX call `he_normal`).
INITLAB_NAMED_VARIANCE_SCALING(he_truncated_normal, 2.0, fan::in, dist::truncated_normal);
/// He normal with fan_out: N(0, 2/D̂), preserves the backward variance of a ReLU stack (He eq. 14).
INITLAB_NAMED_VARIANCE_SCALING(he_normal_fan_out, 2.0, fan::out, dist::normal);
/// He uniform with fan_out: U[±√(6/D̂)], variance 2/D̂.
INITLAB_NAMED_VARIANCE_SCALING(he_uniform_fan_out, 2.0, fan::out, dist::uniform);
/// Fan-out normal: N(0, 1/D̂), preserves the backward variance of a linear stack.
INITLAB_NAMED_VARIANCE_SCALING(fan_out_normal, 1.0, fan::out, dist::normal);
/// Fan-out uniform: U[±√(3/D̂)], variance 1/D̂.
INITLAB_NAMED_VARIANCE_SCALING(fan_out_uniform, 1.0, fan::out, dist::uniform);
/// PyTorch's default nn.Linear init (kaiming_uniform_ with a = √5): U[±1/√D], variance 1/(3D).
INITLAB_NAMED_VARIANCE_SCALING(pytorch_linear_default, 1.0 / 3.0, fan::in, dist::uniform);

#undef INITLAB_NAMED_VARIANCE_SCALING

/// Glorot is Xavier (same paper, two names in the libraries).
using glorot_normal = xavier_normal;
/// Glorot is Xavier (same paper, two names in the libraries).
using glorot_uniform = xavier_uniform;
/// Glorot truncated normal is Xavier truncated normal.
using glorot_truncated_normal = xavier_truncated_normal;

/// All-zero weights: no spread, so every unit of a layer computes the same thing (THEORY.md §2).
struct zeros {
  static constexpr const char* name = "zeros";
  static constexpr bool zero_mean = true;
  /// Variance of one entry: 0.
  [[nodiscard]] static constexpr double variance(std::size_t, std::size_t) noexcept { return 0.0; }
  /// The constant law with value 0.
  [[nodiscard]] static constexpr weight_law law(std::size_t, std::size_t) noexcept {
    return {law_kind::constant, 0.0};
  }
};

/// Every weight equals C (any finite value): variance 0, mean C.
template <real_param C>
struct constant {
  static_assert(math::is_finite(C), "initlab::constant: the value C must be finite");
  static constexpr double value = C;  ///< the value of every entry
  static constexpr const char* name = "constant";
  static constexpr bool zero_mean = C == 0.0;
  /// Variance of one entry: 0 (a constant has no spread; its second moment is C²).
  [[nodiscard]] static constexpr double variance(std::size_t, std::size_t) noexcept { return 0.0; }
  /// The constant law with value C.
  [[nodiscard]] static constexpr weight_law law(std::size_t, std::size_t) noexcept {
    return {law_kind::constant, C};
  }
};

/// No bias vector: the `Bias` argument of `dense` and `conv2d` when the layer has no bias
/// (THEORY.md §1). Not an initializer.
struct no_bias {};

/// "Small random values": N(0, Std²) whatever the fans (e.g. Std = 0.01, THEORY.md §2).
template <real_param Std>
struct random_normal {
  static_assert(math::is_finite(Std) && Std >= 0.0,
                "initlab::random_normal: Std must be finite and non-negative");
  static constexpr double stddev = Std;  ///< the standard deviation of every entry
  static constexpr const char* name = "random_normal";
  static constexpr bool zero_mean = true;
  /// Variance of one entry: Std².
  [[nodiscard]] static constexpr double variance(std::size_t, std::size_t) noexcept {
    return Std * Std;
  }
  /// N(0, Std²).
  [[nodiscard]] static constexpr weight_law law(std::size_t, std::size_t) noexcept {
    return {law_kind::normal, Std};
  }
};

/// "Small random values", uniform: U[−Bound, Bound] whatever the fans.
template <real_param Bound>
struct random_uniform {
  static_assert(math::is_finite(Bound) && Bound >= 0.0,
                "initlab::random_uniform: Bound must be finite and non-negative");
  static constexpr const char* name = "random_uniform";
  static constexpr bool zero_mean = true;
  /// Variance of one entry: Bound²/3.
  [[nodiscard]] static constexpr double variance(std::size_t, std::size_t) noexcept {
    return Bound * Bound / 3.0;
  }
  /// The uniform bound: Bound.
  [[nodiscard]] static constexpr double bound(std::size_t, std::size_t) noexcept { return Bound; }
  /// U[−Bound, Bound].
  [[nodiscard]] static constexpr weight_law law(std::size_t, std::size_t) noexcept {
    return {law_kind::uniform, Bound};
  }
};

namespace detail {

template <class A>
inline constexpr bool is_leaky_relu = false;
template <real_param S>
inline constexpr bool is_leaky_relu<leaky_relu<S>> = true;
template <class A>
inline constexpr bool always_false = false;

}  // namespace detail

/// Square of PyTorch's `calculate_gain` (THEORY.md §4), exact where the gain is a square root:
/// identity and sigmoid 1, tanh 25/9, ReLU 2, leaky ReLU 2/(1+slope²), SELU 9/16. Other
/// activations fail to compile (PyTorch defines no gain for them): see variance_preserving_gain.
template <class Act>
[[nodiscard]] constexpr double gain_squared() noexcept {
  if constexpr (std::same_as<Act, identity> || std::same_as<Act, sigmoid>) {
    return 1.0;
  } else if constexpr (std::same_as<Act, tanh>) {
    return 25.0 / 9.0;
  } else if constexpr (std::same_as<Act, relu>) {
    return 2.0;
  } else if constexpr (detail::is_leaky_relu<Act>) {
    return 2.0 / (1.0 + Act::slope * Act::slope);
  } else if constexpr (std::same_as<Act, selu>) {
    return 9.0 / 16.0;
  } else {
    static_assert(detail::always_false<Act>,
                  "initlab::gain: PyTorch's calculate_gain defines no gain for this activation; "
                  "use initlab::variance_preserving_gain<Act>()");
    return 0.0;
  }
}

/// PyTorch's `calculate_gain`: linear/sigmoid 1, tanh 5/3, ReLU √2, leaky ReLU √(2/(1+slope²)),
/// SELU 3/4 (the last two are heuristics, not derived; compare variance_preserving_gain).
template <class Act>
[[nodiscard]] constexpr double gain() noexcept {
  return math::sqrt(gain_squared<Act>());
}

/// The gain g that makes σ_w² = g²/fan_in keep a pre-activation variance q from one layer to the
/// next: g²·E_q[φ²] = q, so g = √(q / E_q[φ²]). ReLU √2 and α·x 1/|α| at any q (He; seed text
/// 001); tanh 1.593 at q = 1 (PyTorch uses 5/3); SELU 1 at q = 1 (PyTorch uses 3/4).
template <activation Act>
[[nodiscard]] constexpr double variance_preserving_gain(double q = 1.0) noexcept {
  return math::sqrt(q / Act::second_moment(q));
}

/// PyTorch `kaiming_normal_(nonlinearity = Act, mode)`: N(0, gain²/n), n = fan_in or fan_out.
template <class Act, fan_mode Mode = fan::in>
struct kaiming_normal : variance_scaling<gain_squared<Act>(), Mode, dist::normal> {
  using base_type = variance_scaling<gain_squared<Act>(), Mode, dist::normal>;
  static constexpr const char* name = "kaiming_normal";
};

/// PyTorch `kaiming_uniform_(nonlinearity = Act, mode)`: U[±gain·√(3/n)], variance gain²/n.
template <class Act, fan_mode Mode = fan::in>
struct kaiming_uniform : variance_scaling<gain_squared<Act>(), Mode, dist::uniform> {
  using base_type = variance_scaling<gain_squared<Act>(), Mode, dist::uniform>;
  static constexpr const char* name = "kaiming_uniform";
};

}  // namespace initlab

INITLAB_FP_STRICT_END
