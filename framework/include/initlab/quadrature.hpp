#pragma once
/// Gaussian quadrature computed at compile time, and Gaussian expectations E[f(√q·z)], z ~ N(0,1).
///
/// Rules come from their Jacobi matrices (Golub & Welsch 1969): the nodes are the eigenvalues,
/// found here by Sturm-sequence bisection (Kahan's method; robust, needs no starting guesses)
/// and polished by one Newton step on the orthonormal recurrence; the weights are the
/// Christoffel numbers 1/Σ_k p_k(x_i)². No table is pasted in: every node is computed by the
/// compiler, with the same bits as at run time (initlab::math only).
///
/// Why gaussian_expectation does not use plain Gauss–Hermite: E[tanh²(√q z)] at q = 100 has
/// poles of tanh(√q z) at z = ±iπ/(2√q) ≈ ±0.157i, so the integrand is analytic only in a thin
/// strip and Gauss–Hermite converges like exp(−c·0.157·√n): hundreds of nodes for 1e-12.
/// Instead we integrate in z against the N(0,1) density with a composite Gauss–Legendre rule on
/// [−10, 10] (tail mass Φ(−10) = 7.6e-24) whose panels are graded geometrically towards z = 0,
/// where every activation of initlab has its features (kinks of ReLU/SELU at 0, the poles of
/// tanh and the logistic function on the imaginary axis at distance ∝ 1/√q). Each panel then
/// sees the nearest singularity at several panel half-widths (Bernstein ellipse ρ >= 5.8 for
/// q <= 100, so 12 nodes per panel leave an error ~ρ^(−24) < 1e-17), and a kink at 0 falls on
/// a panel boundary. One table of 2·17·12 nodes serves every q in [0, ~1e4].
///
/// The rule picked by q: the composite rule pays for the worst case, a pole close to the real
/// axis. Where the caller knows how far its integrand's poles are (tanh² and sech⁴: ±iπ/2 in x,
/// so ±iπ/(2√q) in z), gaussian_expectation_even(f, q, pole_distance) uses a 6-, 8-, 16- or
/// 32-point Gauss–Hermite rule while the poles are far enough for it to stay 170 times inside
/// 1e-12 (measured thresholds below), and the composite rule above: a LeCun tanh stack's q
/// decays like 1/(2l), so a deep stack costs 3–4 evaluations per moment and layer, not 204.
///
/// Tables are computed where they are used: a Gauss–Hermite rule is a variable template,
/// instantiated by the first function that needs it.

#include <array>
#include <concepts>
#include <cstddef>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/math.hpp>
#include <utility>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// An N-point quadrature rule: Σ weights[i]·f(nodes[i]), nodes ascending.
template <std::size_t N>
struct quadrature_rule {
  std::array<double, N> nodes{};    ///< abscissae, ascending
  std::array<double, N> weights{};  ///< weights (positive)

  /// Σ w_i f(x_i), summed from the outermost nodes inwards (small terms first).
  template <class F>
  [[nodiscard]] constexpr double apply(F&& f) const {
    double sum = 0.0;
    for (std::size_t i = 0; i < N / 2; ++i) {
      sum += weights[i] * f(nodes[i]);
      sum += weights[N - 1 - i] * f(nodes[N - 1 - i]);
    }
    if constexpr (N % 2 == 1) sum += weights[N / 2] * f(nodes[N / 2]);
    return sum;
  }
};

namespace detail {

/// Bisection steps for one eigenvalue: the bracket halves each step, 2^-200 of the Gershgorin
/// interval is far below one ulp, and the loop stops earlier once the midpoint stops moving.
inline constexpr int bisection_max_steps = 200;

/// Number of eigenvalues < x of the symmetric tridiagonal matrix with zero diagonal and
/// off-diagonal beta[1..N-1] (Sturm count of the LDLᵀ pivots of J − x·I).
template <std::size_t N>
[[nodiscard]] constexpr std::size_t sturm_count(const std::array<double, N>& beta, double x) {
  constexpr double tiny = 1e-300;  // replaces an exactly zero pivot (Kahan)
  std::size_t count = 0;
  double d = -x;
  if (d < 0.0) ++count;
  for (std::size_t k = 1; k < N; ++k) {
    if (d == 0.0) d = -tiny;
    d = -x - beta[k] * beta[k] / d;
    if (d < 0.0) ++count;
  }
  return count;
}

/// Orthonormal polynomials p_0..p_N at x from the Jacobi recurrence
/// beta_(k+1) p_(k+1) = x p_k − beta_k p_(k−1); returns {Σ_(k<N) p_k², p_N, p_N'}.
template <std::size_t N>
[[nodiscard]] constexpr std::array<double, 3> orthonormal_at(const std::array<double, N + 1>& beta,
                                                             double x) {
  double p_prev = 0.0;
  double p = 1.0;
  double dp_prev = 0.0;
  double dp = 0.0;
  double sum_sq = 0.0;
  for (std::size_t k = 0; k < N; ++k) {
    sum_sq += p * p;
    const double b_prev = k == 0 ? 0.0 : beta[k];
    const double p_next = (x * p - b_prev * p_prev) / beta[k + 1];
    const double dp_next = (p + x * dp - b_prev * dp_prev) / beta[k + 1];
    p_prev = p;
    p = p_next;
    dp_prev = dp;
    dp = dp_next;
  }
  return {sum_sq, p, dp};
}

/// N-point Gauss rule of a symmetric measure of total mass `mass`, given the off-diagonal
/// beta[1..N] of its Jacobi matrix (beta[0] unused). Nodes symmetric about 0 by construction.
template <std::size_t N>
[[nodiscard]] constexpr quadrature_rule<N> symmetric_gauss_rule(
    const std::array<double, N + 1>& beta, double mass) {
  std::array<double, N> off{};  // off-diagonal of the N×N matrix: beta[1..N-1]
  for (std::size_t k = 1; k < N; ++k)
    off[k] = beta[k];
  double bound = 0.0;  // Gershgorin: |λ| <= max_k (beta_k + beta_(k+1))
  for (std::size_t k = 0; k < N; ++k) {
    const double r = (k > 0 ? off[k] : 0.0) + (k + 1 < N ? off[k + 1] : 0.0);
    if (r > bound) bound = r;
  }
  quadrature_rule<N> rule{};
  for (std::size_t i = N / 2; i < N; ++i) {  // nonnegative half, mirrored below
    double lo = 0.0;
    double hi = bound;
    for (int step = 0; step < bisection_max_steps; ++step) {
      const double mid = 0.5 * (lo + hi);
      if (mid <= lo || mid >= hi) break;
      if (sturm_count(off, mid) > i) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    double x = 0.5 * (lo + hi);
    if (N % 2 == 1 && i == N / 2) x = 0.0;  // odd rules have an exact node at 0
    const auto at = orthonormal_at<N>(beta, x);
    if (x != 0.0 && at[2] != 0.0) {  // one Newton polish, kept only inside the bracket
      const double polished = x - at[1] / at[2];
      if (polished >= lo && polished <= hi) x = polished;
    }
    rule.nodes[i] = x;
    rule.weights[i] = mass / orthonormal_at<N>(beta, x)[0];
  }
  for (std::size_t i = 0; i < N / 2; ++i) {
    rule.nodes[i] = -rule.nodes[N - 1 - i];
    rule.weights[i] = rule.weights[N - 1 - i];
  }
  return rule;
}

/// Probabilists' Hermite Jacobi matrix (weight e^(−x²/2)/√(2π)): beta_k = √k.
template <std::size_t N>
[[nodiscard]] constexpr quadrature_rule<N> make_gauss_hermite() {
  std::array<double, N + 1> beta{};
  for (std::size_t k = 1; k <= N; ++k)
    beta[k] = math::sqrt(static_cast<double>(k));
  return symmetric_gauss_rule<N>(beta, 1.0);
}

/// Legendre Jacobi matrix on [−1, 1]: beta_k = k/√(4k² − 1); total mass 2.
template <std::size_t N>
[[nodiscard]] constexpr quadrature_rule<N> make_gauss_legendre() {
  std::array<double, N + 1> beta{};
  for (std::size_t k = 1; k <= N; ++k) {
    const auto kd = static_cast<double>(k);
    beta[k] = kd / math::sqrt(4.0 * kd * kd - 1.0);
  }
  return symmetric_gauss_rule<N>(beta, 2.0);
}

}  // namespace detail

/// N-point Gauss–Hermite rule for the standard normal density: Σ w_i f(x_i) ≈ E[f(z)], Σ w_i = 1,
/// exact for polynomials of degree <= 2N − 1.
template <std::size_t N>
inline constexpr quadrature_rule<N> gauss_hermite_rule = detail::make_gauss_hermite<N>();

/// N-point Gauss–Legendre rule on [−1, 1] (Σ w_i = 2), exact for degree <= 2N − 1.
template <std::size_t N>
inline constexpr quadrature_rule<N> gauss_legendre_rule = detail::make_gauss_legendre<N>();

namespace detail {

/// Gauss–Legendre points per panel of the composite normal rule.
inline constexpr std::size_t normal_rule_points_per_panel = 12;
/// Geometric panels [2^-(k+1), 2^-k] for k = 0..6, then [0, 2^-7].
inline constexpr std::size_t normal_rule_geometric_panels = 8;
/// Unit panels [1, 2], ..., [9, 10]; beyond 10 the N(0,1) mass is 7.6e-24.
inline constexpr std::size_t normal_rule_unit_panels = 9;
/// Panels on the half-line z >= 0.
inline constexpr std::size_t normal_rule_panels =
    normal_rule_geometric_panels + normal_rule_unit_panels;
/// Nodes on the half-line z > 0.
inline constexpr std::size_t normal_rule_half_size =
    normal_rule_panels * normal_rule_points_per_panel;

/// Half of the composite rule for the N(0,1) density: nodes z_i > 0, weights include φ(z_i), so
/// E[f(z)] ≈ Σ w_i (f(z_i) + f(−z_i)). Ordered from the outermost node inwards.
[[nodiscard]] constexpr quadrature_rule<normal_rule_half_size> make_normal_half_rule() {
  constexpr auto gl = detail::make_gauss_legendre<normal_rule_points_per_panel>();
  std::array<double, normal_rule_panels + 1> edges{};  // ascending breakpoints 0 .. 10
  edges[0] = 0.0;
  for (std::size_t k = 1; k <= normal_rule_geometric_panels; ++k)
    edges[k] =
        math::detail::pow2(static_cast<int>(k) - static_cast<int>(normal_rule_geometric_panels));
  for (std::size_t k = 1; k <= normal_rule_unit_panels; ++k)
    edges[normal_rule_geometric_panels + k] = 1.0 + static_cast<double>(k);
  quadrature_rule<normal_rule_half_size> rule{};
  std::size_t out = 0;
  for (std::size_t p = normal_rule_panels; p-- > 0;) {  // outermost panel first
    const double a = edges[p];
    const double b = edges[p + 1];
    const double half = 0.5 * (b - a);
    const double mid = 0.5 * (a + b);
    for (std::size_t j = normal_rule_points_per_panel; j-- > 0;) {
      const double z = mid + half * gl.nodes[j];
      rule.nodes[out] = z;
      rule.weights[out] = half * gl.weights[j] * math::normal_pdf(z);
      ++out;
    }
  }
  return rule;
}

/// The composite normal rule, computed once per program (2 × 204 nodes).
inline constexpr auto normal_half_rule = make_normal_half_rule();

}  // namespace detail

namespace detail {

/// Σ_i w_i·pair(√q·z_i) over the half rule, where pair(z) is f(z) + f(−z); q = 0 → f(0),
/// q < 0 or NaN → NaN. The one loop behind gaussian_expectation and its even variant.
template <class F, class Pair>
[[nodiscard]] constexpr double sum_half_rule(F& f, Pair pair, double q) {
  if (!(q >= 0.0)) return math::nan;
  if (q == 0.0) return static_cast<double>(f(0.0));
  const double s = math::sqrt(q);
  double sum = 0.0;
  for (std::size_t i = 0; i < normal_rule_half_size; ++i)
    sum += normal_half_rule.weights[i] * pair(s * normal_half_rule.nodes[i]);
  return sum;
}

}  // namespace detail

/// E[f(√q·z)] for z ~ N(0,1) and q >= 0 (q is a variance), by the composite rule above:
/// relative error <= 1e-12 for the activation moments of initlab over q in [1e-6, 1e2] (tested),
/// for f analytic off the imaginary axis or with kinks only at 0. q = 0 → f(0); q < 0 or NaN → NaN.
template <class F>
requires std::invocable<F&, double>
[[nodiscard]] constexpr double gaussian_expectation(F f, double q) {
  return detail::sum_half_rule(
      f, [&](double z) { return static_cast<double>(f(z)) + static_cast<double>(f(-z)); }, q);
}

/// `gaussian_expectation` of an even f (f(−x) == f(x) bit for bit, e.g. φ² and φ'² of an odd φ
/// computed from |x|): each node pair costs one evaluation, and the sum is the same expression
/// w·(v + v) as w·(f(z) + f(−z)), so the result has the same bits (tests/runtime/quadrature_test).
template <class F>
requires std::invocable<F&, double>
[[nodiscard]] constexpr double gaussian_expectation_even(F f, double q) {
  return detail::sum_half_rule(
      f,
      [&](double z) {
        const double v = static_cast<double>(f(z));
        return v + v;
      },
      q);
}

namespace detail {

/// The ladder of gaussian_expectation_even(f, q, pole_distance): the N-point Gauss–Hermite rule
/// serves q when f's poles, seen in z (at ±i·pole_distance/√q), are at least this far from the
/// real axis; nearer, the next rung; nearer than the last rung, the composite rule.
template <std::size_t N>
inline constexpr double gauss_hermite_min_pole_distance = 0.0;
template <>
inline constexpr double gauss_hermite_min_pole_distance<6> = 60.0;
template <>
inline constexpr double gauss_hermite_min_pole_distance<8> = 25.0;
template <>
inline constexpr double gauss_hermite_min_pole_distance<16> = 9.0;
template <>
inline constexpr double gauss_hermite_min_pole_distance<32> = 5.0;

/// Σ w_i·2f(s·x_i) over the nonnegative half of the N-point Gauss–Hermite rule (N even, no
/// node at 0), outermost node first: E[f(s·z)] for an even f, one evaluation per node pair.
/// A left fold over the N/2 ≤ 16 nodes (the same sums in the same order as a loop): Clang counts
/// its constexpr step limit in statements, and a loop pays three per node. The rule is a
/// variable template, built only where this is instantiated.
template <std::size_t N, class F, std::size_t... I>
[[nodiscard]] constexpr double sum_even_gauss_hermite(F& f, double s, std::index_sequence<I...>) {
  static_assert(N % 2 == 0 && sizeof...(I) == N / 2,
                "initlab: the even Gauss–Hermite sum needs an even rule");
  constexpr const quadrature_rule<N>& rule = gauss_hermite_rule<N>;
  return (0.0 + ... +
          (rule.weights[N - 1 - I] *
           (2.0 * static_cast<double>(f(s * rule.nodes[N - 1 - I])))));
}
template <std::size_t N, class F>
[[nodiscard]] constexpr double sum_even_gauss_hermite(F& f, double s) {
  return sum_even_gauss_hermite<N>(f, s, std::make_index_sequence<N / 2>{});
}

/// The square of the minimum: the N-point rung serves q when pole_distance² >= this·q (no
/// square root, and in the ladder below no call: Clang's step limit counts statements).
template <std::size_t N>
inline constexpr double gauss_hermite_min_pole_distance_sq =
    gauss_hermite_min_pole_distance<N> * gauss_hermite_min_pole_distance<N>;

}  // namespace detail

/// `gaussian_expectation_even` of an even f that is analytic in the strip |Im x| < pole_distance
/// (its nearest singularities at ±i·pole_distance, e.g. π/2 for tanh² and sech⁴), with the rule
/// picked by q: in z the poles sit at ±i·τ, τ = pole_distance/√q, so for small q they are far
/// from the real axis, f(√q·z) is close to a low-degree polynomial on the bulk of N(0,1), and an
/// N-point Gauss–Hermite rule (exact to degree 2N − 1) costs N/2 evaluations instead of the
/// composite rule's 204. Rungs (detail::gauss_hermite_min_pole_distance): 6 points for τ >= 60
/// (q <= 6.9e-4 for tanh), 8 for τ >= 25 (q <= 3.9e-3), 16 for τ >= 9 (q <= 3.0e-2), 32 for
/// τ >= 5 (q <= 9.9e-2), else the composite rule (the two-argument overload's bits).
/// Why each threshold is safe, measured on tanh² and sech⁴ against a long double reference
/// (tests/runtime/activation_test.cpp checks it on a grid across every threshold): up to its
/// threshold a rung's relative error is at most 6e-15 (6, 8 points) and 8e-16 (16, 32 points),
/// over 170 times below the 1e-12 target, and it first exceeds 1e-12 only at 2.9 (6 points),
/// 2.2 (8), 1.8 (16) and 1.65 (32) times the threshold q; the error grows like the
/// Gauss–Hermite error of a pole at distance τ, so a larger q is served by the next rung, never
/// by a smaller one. Another f with the same strip has other constants: measure it first.
template <class F>
requires std::invocable<F&, double>
[[nodiscard]] constexpr double gaussian_expectation_even(F f, double q, double pole_distance) {
  if (!(q >= 0.0)) return math::nan;
  if (q == 0.0) return static_cast<double>(f(0.0));
  using detail::gauss_hermite_min_pole_distance_sq;
  const double d2 = pole_distance * pole_distance;
  if (d2 >= gauss_hermite_min_pole_distance_sq<6> * q)
    return detail::sum_even_gauss_hermite<6>(f, math::sqrt(q));
  if (d2 >= gauss_hermite_min_pole_distance_sq<8> * q)
    return detail::sum_even_gauss_hermite<8>(f, math::sqrt(q));
  if (d2 >= gauss_hermite_min_pole_distance_sq<16> * q)
    return detail::sum_even_gauss_hermite<16>(f, math::sqrt(q));
  if (d2 >= gauss_hermite_min_pole_distance_sq<32> * q)
    return detail::sum_even_gauss_hermite<32>(f, math::sqrt(q));
  return gaussian_expectation_even(f, q);
}

/// E[f(√q·z)] by the N-point Gauss–Hermite rule: exact for polynomials of degree <= 2N − 1,
/// fast for smooth f whose singularities are far from the real axis (small q).
template <std::size_t N, class F>
requires std::invocable<F&, double>
[[nodiscard]] constexpr double gaussian_expectation_gauss_hermite(F f, double q) {
  if (!(q >= 0.0)) return math::nan;
  const double s = math::sqrt(q);
  return gauss_hermite_rule<N>.apply([&](double z) { return static_cast<double>(f(s * z)); });
}

}  // namespace initlab

INITLAB_FP_STRICT_END
