#pragma once
/// Activation functions as empty literal types: the pointwise map φ and its derivative φ'
/// (used by the Monte Carlo engine at run time), and the Gaussian moments that the variance
/// recursions need (used at compile time):
///   second_moment(q) = E[φ(√q z)²], derivative_second_moment(q) = E[φ'(√q z)²],
///   mean(q) = E[φ(√q z)], z ~ N(0,1), q >= 0.
/// Closed forms follow THEORY.md §3 (neural-tangents stax/elementwise.py, Klambauer et al. 2017);
/// tanh, the logistic sigmoid and user-defined activations use initlab::gaussian_expectation.
/// Everything is computed with initlab::math only, so a value has the same bits at compile time,
/// at run time, and on every x86-64 CPU.

#include <array>
#include <concepts>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/real_param.hpp>
#include <initlab/math.hpp>
#include <initlab/quadrature.hpp>
#include <initlab/signal.hpp>
#include <limits>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// A pointwise activation: static `value(x)` = φ(x) and `derivative(x)` = φ'(x).
template <class A>
concept activation_function = requires(double x) {
  { A::value(x) } -> std::convertible_to<double>;
  { A::derivative(x) } -> std::convertible_to<double>;
};

/// An activation with its Gaussian moments: second_moment, derivative_second_moment and mean.
template <class A>
concept activation = activation_function<A> && requires(double q) {
  { A::second_moment(q) } -> std::convertible_to<double>;
  { A::derivative_second_moment(q) } -> std::convertible_to<double>;
  { A::mean(q) } -> std::convertible_to<double>;
};

/// E[φ(√q z)²] by quadrature, for any activation_function (user-defined ones included).
template <activation_function A>
[[nodiscard]] constexpr double second_moment_by_quadrature(double q) {
  return gaussian_expectation(
      [](double x) {
        const double v = static_cast<double>(A::value(x));
        return v * v;
      },
      q);
}

/// E[φ'(√q z)²] by quadrature, for any activation_function.
template <activation_function A>
[[nodiscard]] constexpr double derivative_second_moment_by_quadrature(double q) {
  return gaussian_expectation(
      [](double x) {
        const double d = static_cast<double>(A::derivative(x));
        return d * d;
      },
      q);
}

/// E[φ(√q z)] by quadrature, for any activation_function.
template <activation_function A>
[[nodiscard]] constexpr double mean_by_quadrature(double q) {
  return gaussian_expectation([](double x) { return static_cast<double>(A::value(x)); }, q);
}

/// CRTP base giving a user type with `value` and `derivative` the three moments by quadrature:
/// `struct softplus : initlab::moments_by_quadrature<softplus> { static constexpr double
/// value(double); static constexpr double derivative(double); };` models initlab::activation.
template <class Derived>
struct moments_by_quadrature {
  /// E[φ(√q z)²] by quadrature.
  [[nodiscard]] static constexpr double second_moment(double q) {
    return second_moment_by_quadrature<Derived>(q);
  }
  /// E[φ'(√q z)²] by quadrature.
  [[nodiscard]] static constexpr double derivative_second_moment(double q) {
    return derivative_second_moment_by_quadrature<Derived>(q);
  }
  /// E[φ(√q z)] by quadrature.
  [[nodiscard]] static constexpr double mean(double q) { return mean_by_quadrature<Derived>(q); }
};

/// The report name of an activation: A::name or A::name() if it has one, else "user-defined".
template <class A>
[[nodiscard]] constexpr const char* activation_name() noexcept {
  if constexpr (requires {
                  { A::name } -> std::convertible_to<const char*>;
                }) {
    return A::name;
  } else if constexpr (requires {
                         { A::name() } -> std::convertible_to<const char*>;
                       }) {
    return A::name();
  } else {
    return "user-defined";
  }
}

/// φ(x) = x.
struct identity {
  static constexpr const char* name = "identity";  ///< report name
  /// φ(x) = x.
  [[nodiscard]] static constexpr double value(double x) noexcept { return x; }
  /// φ'(x) = 1.
  [[nodiscard]] static constexpr double derivative(double) noexcept { return 1.0; }
  /// E[φ²] = q.
  [[nodiscard]] static constexpr double second_moment(double q) noexcept { return q; }
  /// E[φ'²] = 1.
  [[nodiscard]] static constexpr double derivative_second_moment(double) noexcept { return 1.0; }
  /// E[φ] = 0.
  [[nodiscard]] static constexpr double mean(double) noexcept { return 0.0; }
  /// E[φ(u)φ(u')] = c for inputs with covariance c.
  [[nodiscard]] static constexpr double cross_moment(double, double c) noexcept { return c; }
  /// The whole map, exact for any input law (centred or not).
  [[nodiscard]] static constexpr signal forward_signal(signal y) noexcept { return y; }
};

/// φ(x) = α·x (seed text 001); Alpha must be finite.
template <real_param Alpha>
struct linear {
  static_assert(math::is_finite(Alpha), "initlab::linear: Alpha must be finite");
  static constexpr const char* name = "linear";  ///< report name
  static constexpr double alpha = Alpha;         ///< the slope α
  /// φ(x) = αx.
  [[nodiscard]] static constexpr double value(double x) noexcept { return Alpha * x; }
  /// φ'(x) = α.
  [[nodiscard]] static constexpr double derivative(double) noexcept { return Alpha; }
  /// E[φ²] = α²q.
  [[nodiscard]] static constexpr double second_moment(double q) noexcept {
    return Alpha * Alpha * q;
  }
  /// E[φ'²] = α².
  [[nodiscard]] static constexpr double derivative_second_moment(double) noexcept {
    return Alpha * Alpha;
  }
  /// E[φ] = 0.
  [[nodiscard]] static constexpr double mean(double) noexcept { return 0.0; }
  /// E[φ(u)φ(u')] = α²c.
  [[nodiscard]] static constexpr double cross_moment(double, double c) noexcept {
    return Alpha * Alpha * c;
  }
  /// The whole map, exact for any input law (centred or not).
  [[nodiscard]] static constexpr signal forward_signal(signal y) noexcept {
    return {Alpha * Alpha * y.q, Alpha * y.mean, Alpha * Alpha * y.cross};
  }
};

/// φ(x) = max(x, 0). Convention: φ'(0) = 0 (the left derivative, as in PyTorch and JAX).
struct relu {
  static constexpr const char* name = "relu";  ///< report name
  /// φ(x) = max(x, 0).
  [[nodiscard]] static constexpr double value(double x) noexcept { return x > 0.0 ? x : 0.0; }
  /// φ'(x) = 1 for x > 0, else 0 (so φ'(0) = 0).
  [[nodiscard]] static constexpr double derivative(double x) noexcept {
    return x > 0.0 ? 1.0 : 0.0;
  }
  /// E[φ²] = q/2 (He et al. 2015, eq. 10).
  [[nodiscard]] static constexpr double second_moment(double q) noexcept { return 0.5 * q; }
  /// E[φ'²] = 1/2.
  [[nodiscard]] static constexpr double derivative_second_moment(double) noexcept { return 0.5; }
  /// E[φ] = √(q/(2π)).
  [[nodiscard]] static constexpr double mean(double q) noexcept {
    return math::sqrt(q) * math::inv_sqrt_2pi;
  }
  /// E[φ(u)φ(u')] for centred u, u' of variance q and covariance c: the arc-cosine kernel
  /// (q/2π)(√(1−ρ²) + (π − arccos ρ)ρ), ρ = c/q (Cho & Saul 2009; NT stax.Relu).
  [[nodiscard]] static constexpr double cross_moment(double q, double c) noexcept {
    const double rho = c / q;
    const double s = math::sqrt((1.0 - rho) * (1.0 + rho));
    return q * 0.5 * math::inv_pi * (s + (math::half_pi + math::asin(rho)) * rho);
  }
};

/// φ(x) = x for x > 0, Slope·x otherwise; Slope must be finite and >= 0. φ'(0) = Slope.
template <real_param Slope>
struct leaky_relu {
  static_assert(math::is_finite(Slope) && Slope >= 0.0,
                "initlab::leaky_relu: Slope must be finite and >= 0");
  static constexpr const char* name = "leaky_relu";  ///< report name
  static constexpr double slope = Slope;             ///< the negative-side slope a
  /// φ(x) = x (x > 0), a·x (x <= 0).
  [[nodiscard]] static constexpr double value(double x) noexcept { return x > 0.0 ? x : Slope * x; }
  /// φ'(x) = 1 (x > 0), a (x <= 0).
  [[nodiscard]] static constexpr double derivative(double x) noexcept {
    return x > 0.0 ? 1.0 : slope;
  }
  /// E[φ²] = (1 + a²)q/2.
  [[nodiscard]] static constexpr double second_moment(double q) noexcept {
    return 0.5 * (1.0 + Slope * Slope) * q;
  }
  /// E[φ'²] = (1 + a²)/2.
  [[nodiscard]] static constexpr double derivative_second_moment(double) noexcept {
    return 0.5 * (1.0 + Slope * Slope);
  }
  /// E[φ] = (1 − a)·√(q/(2π)).
  [[nodiscard]] static constexpr double mean(double q) noexcept {
    return (1.0 - Slope) * math::sqrt(q) * math::inv_sqrt_2pi;
  }
  /// E[φ(u)φ(u')] = a·c + (1 − a)²·k_relu(q, c), from φ(x) = a·x + (1 − a)·relu(x) and
  /// E[u·relu(u')] = c/2.
  [[nodiscard]] static constexpr double cross_moment(double q, double c) noexcept {
    return Slope * c + (1.0 - Slope) * (1.0 - Slope) * relu::cross_moment(q, c);
  }
};

/// φ(x) = tanh x; moments by quadrature (no closed form).
struct tanh {
  static constexpr const char* name = "tanh";  ///< report name
  /// φ(x) = tanh x.
  [[nodiscard]] static constexpr double value(double x) noexcept { return math::tanh(x); }
  /// φ'(x) = sech² x = 4e/(1+e)² with e = e^(−2|x|): accurate also where tanh x ≈ ±1.
  [[nodiscard]] static constexpr double derivative(double x) noexcept {
    const double e = math::exp(-2.0 * (x < 0.0 ? -x : x));
    const double d = 1.0 + e;
    return 4.0 * e / (d * d);
  }
  /// Distance of tanh's poles (x = ±iπ/2) from the real axis: tanh² and sech⁴ are analytic in
  /// the strip |Im x| < π/2, which picks their quadrature rule by q (quadrature.hpp).
  static constexpr double pole_distance = math::half_pi;
  /// E[tanh²(√q z)] by quadrature; tanh is odd bit for bit (math::tanh), so tanh² is even and
  /// one evaluation per node pair suffices. For q > 9.9e-2 the bits of
  /// second_moment_by_quadrature<tanh> (the composite rule); below, a Gauss–Hermite rule
  /// picked by q (gaussian_expectation_even with the pole distance; ≤ 1e-12 relative). A member
  /// template only so that it is instantiated where it is used: its Gauss–Hermite tables then
  /// cost compile time only in translation units that need tanh's moments (call it as
  /// tanh::second_moment(q); the template argument is never given).
  template <class Lazy = void>
  [[nodiscard]] static constexpr double second_moment(double q) {
    return gaussian_expectation_even(
        [](double x) {
          const double v = value(x);
          return v * v;
        },
        q, pole_distance);
  }
  /// E[sech⁴(√q z)] by quadrature (even: `derivative` reads |x|), as second_moment.
  template <class Lazy = void>
  [[nodiscard]] static constexpr double derivative_second_moment(double q) {
    return gaussian_expectation_even(
        [](double x) {
          const double d = derivative(x);
          return d * d;
        },
        q, pole_distance);
  }
  /// E[φ] = 0 (odd φ).
  [[nodiscard]] static constexpr double mean(double) noexcept { return 0.0; }
};

/// φ(x) = 1/(1 + e^(−x)) (logistic); moments by quadrature.
struct sigmoid {
  static constexpr const char* name = "sigmoid";  ///< report name
  /// φ(x) = 1/(1 + e^(−x)), as e^x/(1 + e^x) for x < 0 (no overflow, full relative accuracy).
  [[nodiscard]] static constexpr double value(double x) noexcept {
    if (x >= 0.0) return 1.0 / (1.0 + math::exp(-x));
    const double e = math::exp(x);
    return e / (1.0 + e);
  }
  /// φ'(x) = φ(x)(1 − φ(x)) = e/(1+e)² with e = e^(−|x|).
  [[nodiscard]] static constexpr double derivative(double x) noexcept {
    const double e = math::exp(x < 0.0 ? x : -x);
    const double d = 1.0 + e;
    return e / (d * d);
  }
  /// E[φ²] by quadrature.
  [[nodiscard]] static constexpr double second_moment(double q) {
    return second_moment_by_quadrature<sigmoid>(q);
  }
  /// E[φ'²] by quadrature.
  [[nodiscard]] static constexpr double derivative_second_moment(double q) {
    return derivative_second_moment_by_quadrature<sigmoid>(q);
  }
  /// E[φ] = 1/2 (φ(x) + φ(−x) = 1).
  [[nodiscard]] static constexpr double mean(double) noexcept { return 0.5; }
};

/// φ(x) = erf x.
struct erf {
  static constexpr const char* name = "erf";  ///< report name
  /// φ(x) = erf x.
  [[nodiscard]] static constexpr double value(double x) noexcept { return math::erf(x); }
  /// φ'(x) = (2/√π) e^(−x²) (x² split exactly); 0 for |x| > 27.3 (underflow).
  [[nodiscard]] static constexpr double derivative(double x) noexcept {
    constexpr double cutoff = 27.3;
    if (x > cutoff || x < -cutoff) return 0.0;
    return math::two_over_sqrt_pi * math::detail::exp_neg_dd(math::detail::two_prod(x, x));
  }
  /// E[φ²] = (2/π)·asin(2q/(1+2q)) = (2/π)·atan(2q/√(1+4q)) (same angle; no cancellation).
  [[nodiscard]] static constexpr double second_moment(double q) noexcept {
    return 2.0 * math::inv_pi * math::atan(2.0 * q / math::sqrt(1.0 + 4.0 * q));
  }
  /// E[φ'²] = (4/π)/√(1+4q).
  [[nodiscard]] static constexpr double derivative_second_moment(double q) noexcept {
    return 4.0 * math::inv_pi / math::sqrt(1.0 + 4.0 * q);
  }
  /// E[φ] = 0 (odd φ).
  [[nodiscard]] static constexpr double mean(double) noexcept { return 0.0; }
  /// E[φ(u)φ(u')] = (2/π)·asin(2c/(1+2q)) (Williams 1997; NT stax.Erf).
  [[nodiscard]] static constexpr double cross_moment(double q, double c) noexcept {
    return 2.0 * math::inv_pi * math::asin(2.0 * c / (1.0 + 2.0 * q));
  }
};

/// φ(x) = x·Φ(x) (GELU, exact form, not the tanh approximation).
struct gelu {
  static constexpr const char* name = "gelu";  ///< report name
  /// φ(x) = x·Φ(x).
  [[nodiscard]] static constexpr double value(double x) noexcept { return x * math::normal_cdf(x); }
  /// φ'(x) = Φ(x) + x·φ(x).
  [[nodiscard]] static constexpr double derivative(double x) noexcept {
    return math::normal_cdf(x) + x * math::normal_pdf(x);
  }
  /// E[φ²] = q/4 + (q/π)[q/((1+q)√(1+2q)) + ½·atan(q/√(1+2q))] (THEORY.md §3).
  [[nodiscard]] static constexpr double second_moment(double q) noexcept {
    const double r = math::sqrt(1.0 + 2.0 * q);
    return 0.25 * q + q * math::inv_pi * (q / ((1.0 + q) * r) + 0.5 * math::atan(q / r));
  }
  /// E[φ'²] = ¼ + atan(q/√(1+2q))/(2π) + q/(2π√(1+2q))·[1/(1+2q) + 2/(1+q)] (THEORY.md §3).
  [[nodiscard]] static constexpr double derivative_second_moment(double q) noexcept {
    const double r = math::sqrt(1.0 + 2.0 * q);
    const double inv_2pi = 0.5 * math::inv_pi;
    return 0.25 + inv_2pi * math::atan(q / r) +
           q * inv_2pi / r * (1.0 / (1.0 + 2.0 * q) + 2.0 / (1.0 + q));
  }
  /// E[φ] = q/√(2π(1+q)).
  [[nodiscard]] static constexpr double mean(double q) noexcept {
    return q * math::inv_sqrt_2pi / math::sqrt(1.0 + q);
  }
};

namespace detail {

/// Below this u = √(q/2) the SELU combinations 1 − erfcx(u) and 1 − 2erfcx(u) + erfcx(2u)
/// cancel; there they are summed from the Maclaurin series of erfcx instead.
inline constexpr double selu_series_limit = 0.5;
/// Maximum terms of that series: (2u)^k/Γ(k/2+1) < 1e-20 for k > 45 when 2u <= 1.
inline constexpr int selu_series_max_terms = 64;

/// {1 − erfcx(u), 1 − 2·erfcx(u) + erfcx(2u)} for 0 <= u < ½, with erfcx(u) = Σ t_k,
/// t_k = (−u)^k/Γ(k/2+1): the first is −Σ_(k>=1) t_k, the second Σ_(k>=2) (2^k − 2)·t_k.
[[nodiscard]] constexpr std::array<double, 2> selu_small_q_terms(double u) noexcept {
  constexpr double tolerance = 1e-19;
  double even = 1.0;                         // t_0
  double odd = -u * math::two_over_sqrt_pi;  // t_1
  double one_minus_a = -odd;
  double combo = 0.0;
  double two_k = 2.0;  // 2^k
  for (int k = 2; k < selu_series_max_terms; ++k) {
    double& t = (k % 2 == 0) ? even : odd;
    t = t * 2.0 * u * u / static_cast<double>(k);
    two_k *= 2.0;
    one_minus_a -= t;
    combo += (two_k - 2.0) * t;
    if ((t < 0.0 ? -t : t) * two_k < tolerance * combo) break;
  }
  return {one_minus_a, combo};
}

}  // namespace detail

/// SELU (Klambauer et al. 2017): φ(x) = λx for x > 0, λα(e^x − 1) otherwise. φ'(0) = λα
/// (left derivative).
struct selu {
  static constexpr const char* name = "selu";              ///< report name
  static constexpr double lambda = 1.0507009873554804934;  ///< λ (Klambauer et al. 2017)
  static constexpr double alpha = 1.6732632423543772848;   ///< α (Klambauer et al. 2017)
  /// φ(x) = λx (x > 0), λα·expm1(x) (x <= 0).
  [[nodiscard]] static constexpr double value(double x) noexcept {
    return x > 0.0 ? lambda * x : lambda * alpha * math::expm1(x);
  }
  /// φ'(x) = λ (x > 0), λα·e^x (x <= 0).
  [[nodiscard]] static constexpr double derivative(double x) noexcept {
    return x > 0.0 ? lambda : lambda * alpha * math::exp(x);
  }
  /// E[φ²] = (λ²/2)[q + α²(1 − 2e^(q/2)erfc(√(q/2)) + e^(2q)erfc(√(2q)))], with erfcx for the
  /// scaled tails and a series for q < ½ where the bracket cancels (THEORY.md §3).
  [[nodiscard]] static constexpr double second_moment(double q) noexcept {
    const double u = math::sqrt(0.5 * q);
    double combo = 0.0;
    if (u < detail::selu_series_limit) {
      combo = detail::selu_small_q_terms(u)[1];
    } else {
      combo = 1.0 - 2.0 * math::erfcx(u) + math::erfcx(math::sqrt(2.0 * q));
    }
    return 0.5 * lambda * lambda * (q + alpha * alpha * combo);
  }
  /// E[φ'²] = λ²[½ + (α²/2)·e^(2q)erfc(√(2q))].
  [[nodiscard]] static constexpr double derivative_second_moment(double q) noexcept {
    return lambda * lambda * (0.5 + 0.5 * alpha * alpha * math::erfcx(math::sqrt(2.0 * q)));
  }
  /// E[φ] = (λ/2)[√(2q/π) − α(1 − e^(q/2)erfc(√(q/2)))].
  [[nodiscard]] static constexpr double mean(double q) noexcept {
    const double u = math::sqrt(0.5 * q);
    const double one_minus_a =
        u < detail::selu_series_limit ? detail::selu_small_q_terms(u)[0] : 1.0 - math::erfcx(u);
    return 0.5 * lambda * (math::sqrt_2_over_pi * math::sqrt(q) - alpha * one_minus_a);
  }
};

}  // namespace initlab

INITLAB_FP_STRICT_END
