#pragma once
/// Mean-field signal propagation (Poole et al. 2016, arXiv:1606.05340; Schoenholz et al. 2017,
/// arXiv:1611.01232; THEORY.md §5) for a deep, wide network with W ~ N(0, σ_w²/D), bias variance
/// σ_b² and activation φ:
///
///     length map   q_l = σ_w²·E_{q_{l-1}}[φ²] + σ_b²
///     fixed point  q* = lim q_l (from q_0 = q_start)
///     χ₁ = σ_w²·E_{q*}[φ'²]:  ordered χ₁ < 1, critical χ₁ = 1, chaotic χ₁ > 1
///     depth scale  ξ = −1/log χ₁ (gradients scale as χ₁^l = e^{−l/ξ})
///
/// Everything is constexpr: `static_assert(mean_field::analyze<relu>({2.0, 0.0}).phase ==
/// mean_field::phase::critical)`.

#include <cstddef>
#include <cstdint>
#include <initlab/activation.hpp>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/math.hpp>
#include <initlab/dense.hpp>
#include <limits>

INITLAB_FP_STRICT_BEGIN

namespace initlab::mean_field {

/// Weight and bias variances of every layer: W_ij ~ N(0, weight_variance/D), b_i ~ N(0,
/// bias_variance). He for ReLU is {2, 0}; LeCun is {1, 0}.
struct parameters {
  double weight_variance = 1.0;  ///< σ_w² (the variance of a weight times the fan-in)
  double bias_variance = 0.0;    ///< σ_b²
};

/// The phase of a network at its fixed point, by χ₁.
enum class phase : std::uint8_t {
  ordered,   ///< χ₁ < 1: gradients vanish, nearby inputs converge
  critical,  ///< χ₁ = 1 (edge of chaos): gradients neither vanish nor explode
  chaotic,   ///< χ₁ > 1: gradients explode, nearby inputs decorrelate
};

/// "ordered", "critical" or "chaotic".
[[nodiscard]] constexpr const char* to_string(phase p) noexcept {
  switch (p) {
    case phase::ordered:
      return "ordered";
    case phase::critical:
      return "critical";
    case phase::chaotic:
      return "chaotic";
  }
  return "?";
}

/// Maximal number of accelerated fixed-point steps; each costs two length-map evaluations.
inline constexpr int max_iterations = 20;
/// Convergence: |q_{n+1} − q_n| ≤ tolerance·q_{n+1}.
inline constexpr double tolerance = 1e-15;
/// Iterates above this are taken as divergence (q* = +inf, e.g. ReLU with σ_w² > 2).
inline constexpr double divergence_threshold = 1e100;
/// When 0 is an exact fixed point (σ_b² = 0, φ(0) = 0) a decreasing iteration may approach it
/// only algebraically (tanh at σ_w² = 1: q_l ≈ 1/(2l), which no acceleration fixes); the map is
/// then scanned down to zero_threshold·q_start for a positive fixed point, and q* = 0 if none.
inline constexpr double zero_threshold = 1e-40;
/// Ratio between consecutive points of that scan (a fixed point shows as a sign change of
/// f(q) − q; two fixed points within one ratio of each other would be missed).
inline constexpr double zero_scan_ratio = 0.0625;
/// Maximal bisection steps to locate a fixed point bracketed by the scan.
inline constexpr int max_bisections = 200;
/// |χ₁ − 1| ≤ critical_tolerance classifies as critical.
inline constexpr double critical_tolerance = 1e-12;

/// One step of the length map: σ_w²·E_q[φ²] + σ_b² (E_0[φ²] = φ(0)²).
template <activation Act>
[[nodiscard]] constexpr double length_map(parameters p, double q) noexcept {
  return p.weight_variance * initlab::detail::second_moment_at<Act>(q) + p.bias_variance;
}

/// q_l after `layers` steps of the length map from q_0 = q0 (the depth-l variance of y_l).
template <activation Act>
[[nodiscard]] constexpr double length_after(parameters p, double q0, std::size_t layers) noexcept {
  double q = q0;
  for (std::size_t l = 0; l < layers; ++l)
    q = length_map<Act>(p, q);
  return q;
}

namespace detail {

/// The largest fixed point of the length map in (0, q] when f(q) < q and 0 is a fixed point:
/// scan q·r^k downwards for f(x) ≥ x, then bisect the bracket; 0 if the scan finds none.
template <activation Act>
[[nodiscard]] constexpr double fixed_point_below(parameters p, double q, double floor) noexcept {
  double hi = q;  // invariant: f(hi) < hi
  for (double x = q * zero_scan_ratio; x > floor; x *= zero_scan_ratio) {
    if (length_map<Act>(p, x) >= x) {
      double lo = x;  // f(lo) ≥ lo: a fixed point lies in [lo, hi)
      for (int k = 0; k < max_bisections && hi - lo > tolerance * hi; ++k) {
        const double mid = lo + (hi - lo) / 2.0;
        (length_map<Act>(p, mid) >= mid ? lo : hi) = mid;
      }
      return lo;
    }
    hi = x;
  }
  return 0.0;
}

}  // namespace detail

/// The fixed point q* the length map reaches from q_start: +inf if it diverges, exactly 0 if it
/// falls onto the exact fixed point 0. Iteration with Aitken (Steffensen) acceleration, the
/// extrapolation accepted only in the direction the plain iteration moves, so a repelling fixed
/// point is never jumped to. If that has not converged after max_iterations: when 0 is a fixed
/// point approached from above, detail::fixed_point_below decides; when the iterates still grow
/// with growing increments, q* = +inf; otherwise the last iterate is returned. The length map is
/// increasing in q for the activations here, so the plain iteration is monotone and its limit is
/// the nearest fixed point in its direction.
template <activation Act>
[[nodiscard]] constexpr double fixed_point(parameters p, double q_start = 1.0) noexcept {
  constexpr double inf = std::numeric_limits<double>::infinity();
  const bool zero_is_fixed = p.bias_variance == 0.0 && Act::value(0.0) == 0.0;
  const auto converged = [](double next, double q) {
    return math::abs(next - q) <= tolerance * math::abs(next);
  };
  double q = q_start;
  bool decreasing = false;
  bool accelerating = false;  // increments growing: the plain iteration runs away
  for (int it = 0; it < max_iterations; ++it) {
    const double f1 = length_map<Act>(p, q);
    if (f1 != f1) return f1;  // NaN: the activation's moment failed; report it, do not hide it
    if (converged(f1, q)) return f1;
    if (!(f1 < divergence_threshold)) return inf;
    const double f2 = length_map<Act>(p, f1);
    if (f2 != f2) return f2;
    if (converged(f2, f1)) return f2;
    if (!(f2 < divergence_threshold)) return inf;
    double next = f2;
    const double d = f1 - q;
    decreasing = d < 0.0;
    const double denom = f2 - 2.0 * f1 + q;
    accelerating = d > 0.0 && denom >= 0.0;
    if (denom != 0.0) {
      const double aitken = q - d * d / denom;
      const bool ahead = d > 0.0 ? aitken > f2 : aitken < f2;
      if (ahead && aitken >= 0.0 && aitken < divergence_threshold) next = aitken;
    }
    if (zero_is_fixed && next <= zero_threshold * q_start) return 0.0;
    q = next;
  }
  if (zero_is_fixed && decreasing) {
    return detail::fixed_point_below<Act>(p, q, zero_threshold * q_start);
  }
  // Still growing with growing increments after max_iterations: an increasing map that approaches
  // a fixed point from below does so with shrinking increments, so this one diverges.
  if (accelerating) return inf;
  return q;
}

/// χ₁ = σ_w²·E_q[φ'²] at a given q. At q = 0 the limit q → 0⁺ is used (φ'(0)² for a smooth φ,
/// the average slope² of the two sides for ReLU-like kinks: ReLU gives σ_w²/2 at every q); a
/// divergent q (+inf) is evaluated at divergence_threshold.
template <activation Act>
[[nodiscard]] constexpr double chi1_at(parameters p, double q) noexcept {
  constexpr double smallest = std::numeric_limits<double>::min();
  const double at = q < smallest ? smallest : (q > divergence_threshold ? divergence_threshold : q);
  return p.weight_variance * Act::derivative_second_moment(at);
}

/// χ₁ at the fixed point reached from q_start.
template <activation Act>
[[nodiscard]] constexpr double chi1(parameters p, double q_start = 1.0) noexcept {
  return chi1_at<Act>(p, fixed_point<Act>(p, q_start));
}

/// Ordered, critical (|χ₁ − 1| ≤ tol) or chaotic.
[[nodiscard]] constexpr phase classify(double chi_1, double tol = critical_tolerance) noexcept {
  if (math::abs(chi_1 - 1.0) <= tol) return phase::critical;
  return chi_1 < 1.0 ? phase::ordered : phase::chaotic;
}

/// ξ = −1/log χ₁: positive in the ordered phase (gradients decay as e^{−l/ξ}), negative in the
/// chaotic phase (they grow as e^{l/|ξ|}), +inf at χ₁ = 1 exactly.
[[nodiscard]] constexpr double depth_scale(double chi_1) noexcept {
  if (chi_1 == 1.0) return std::numeric_limits<double>::infinity();
  return -1.0 / math::log(chi_1);
}

/// Fixed point, χ₁, phase and depth scale in one value.
struct analysis {
  double q_star = 0.0;                                   ///< fixed point of the length map
  double chi1 = 0.0;                                     ///< σ_w²·E_{q*}[φ'²]
  mean_field::phase phase = mean_field::phase::ordered;  ///< by χ₁ with critical_tolerance
  double depth_scale = 0.0;                              ///< −1/log χ₁
};

/// The mean-field analysis of activation Act with parameters p, from q_start.
template <activation Act>
[[nodiscard]] constexpr analysis analyze(parameters p, double q_start = 1.0) noexcept {
  analysis a;
  a.q_star = fixed_point<Act>(p, q_start);
  a.chi1 = chi1_at<Act>(p, a.q_star);
  a.phase = classify(a.chi1);
  a.depth_scale = mean_field::depth_scale(a.chi1);
  return a;
}

/// The mean-field parameters of a dense layer descriptor: σ_w² = fan_in·Var[W] (the weight
/// variance times the fan-in), σ_b² = E[b²] of its bias (0 without one).
template <class Dense>
requires requires {
  Dense::fan_in;
  Dense::weight_variance();
  Dense::bias_second_moment();
  typename Dense::activation_type;
}
[[nodiscard]] constexpr parameters parameters_of() noexcept {
  return {static_cast<double>(Dense::fan_in) * Dense::weight_variance(),
          Dense::bias_second_moment()};
}

/// The mean-field analysis of a deep stack of copies of the dense descriptor `Dense` (its
/// initializer, bias and activation): `analyze<dense<256, 256, he_normal, relu>>()`.
template <class Dense>
requires requires { parameters_of<Dense>(); }
[[nodiscard]] constexpr analysis analyze(double q_start = 1.0) noexcept {
  return analyze<typename Dense::activation_type>(parameters_of<Dense>(), q_start);
}

}  // namespace initlab::mean_field

INITLAB_FP_STRICT_END
