#pragma once
/// Finite width: the per-input length of a layer as a random variable, to second order in 1/D.
///
/// For one input, let S = ‖h‖²/D be the mean square of the D units entering a dense layer with
/// W ~ N(0, σ²), no bias, D̂ outputs and activation φ. Given h, the pre-activations y_i are i.i.d.
/// N(0, Q) with Q = c·S, c = D·σ² (what the infinite-width recursion calls q), so the output's
/// length S' = (1/D̂)·Σ φ(y_i)² has, with F(q) = E_q[φ²] and V(q) = E_q[φ⁴] − F(q)²,
///     E[S' | S] = F(Q),        Var[S' | S] = V(Q)/D̂.
/// Over the randomness of S (mean m, variance v: a = c·m, w = c²·v), a second-order expansion:
///     E[S']   = F(a) + ½·F''(a)·w                                  + O(w^{3/2})
///     Var[S'] = F'(a)²·w + (V(a) + ½·V''(a)·w)/D̂                   + O(w^{3/2})
/// and E[y²] = E[Q] = a exactly; the backward map's E[φ'(y)²] = G(a) + ½·G''(a)·w with G(q) =
/// E_q[φ'²] (under gradient independence, which this does not correct). With w = O(1/D) per layer this is the O(1/D) finite-width
/// correction of the mean-field length map (cf. Yaida 2020, "Non-Gaussian processes and neural
/// networks at finite widths"; THEORY.md §6): its mean departs from the infinite-width q_l by the
/// Jensen term ½F''w, accumulated over layers. For positively homogeneous φ (identity, ReLU,
/// leaky ReLU) F and V are polynomials of degree 1 and 2 in q, so both lines are EXACT at any
/// width: for ReLU with c = 2 they give E[S_L] = S_0 and E[S_L²]/S_0² = ∏(1 + 5/D̂_l), the
/// fluctuation law of THEORY.md §6.
///
/// Derivatives in q by Gaussian integration by parts (the heat equation ∂p/∂q = ½∂²p/∂x²):
///     d/dq  E[g(√q z)] = E[g(√q z)·(z² − 1)]/(2q),
///     d²/dq² E[g(√q z)] = E[g(√q z)·(z⁴ − 6z² + 3)]/(4q²),
/// which need only φ itself (any activation, kinks at 0 included). The Hermite weights cancel to
/// O(q²) for small q, so the derivatives lose about log10(1/q) digits: they are computed for q ≥
/// min_length only (NaN below; tested against independent quadrature for q in [1e-2, 1e2]).

#include <cstddef>
#include <initlab/activation.hpp>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/math.hpp>
#include <initlab/quadrature.hpp>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Mean and variance of a per-input length S = ‖h‖²/D (one input, randomness of the weights
/// below and of the input).
struct length_moments {
  double mean = 0.0;      ///< E[S]
  double variance = 0.0;  ///< Var[S]
};

/// The length of D i.i.d. N(0, q0) inputs: E[S] = q0, Var[S] = 2·q0²/D.
[[nodiscard]] constexpr length_moments gaussian_input_length(double q0, std::size_t width) noexcept {
  return {q0, 2.0 * q0 * q0 / static_cast<double>(width)};
}

namespace finite_width {

/// Below this q the integration-by-parts derivatives are not computed (NaN): their cancellation
/// would cost more than 6 of the 16 digits.
inline constexpr double min_length = 1e-6;

/// E_q[g], d/dq E_q[g] and d²/dq² E_q[g] for g a function of the pre-activation x = √q·z.
struct gaussian_derivatives {
  double value = 0.0;   ///< E_q[g]
  double first = 0.0;   ///< d/dq
  double second = 0.0;  ///< d²/dq²
};

/// The derivatives of F = E_q[φ²], of E_q[φ⁴] and of G = E_q[φ'²].
struct length_derivatives {
  gaussian_derivatives square;      ///< of E_q[φ²]
  gaussian_derivatives fourth;      ///< of E_q[φ⁴]
  gaussian_derivatives derivative;  ///< of E_q[φ'²]
};

/// Both by the composite normal rule of quadrature.hpp (the nodes of gaussian_expectation), in
/// one pass over the nodes: each φ(x) serves six sums (header comment: integration by parts).
template <activation_function A>
[[nodiscard]] constexpr length_derivatives length_derivatives_at(double q) {
  if (!(q >= min_length))
    return {{math::nan, math::nan, math::nan},
            {math::nan, math::nan, math::nan},
            {math::nan, math::nan, math::nan}};
  const double s = math::sqrt(q);
  double e2 = 0.0, h2_2 = 0.0, h4_2 = 0.0, e4 = 0.0, h2_4 = 0.0, h4_4 = 0.0;
  double ed = 0.0, h2_d = 0.0, h4_d = 0.0;
  for (std::size_t i = 0; i < detail::normal_rule_half_size; ++i) {
    const double z = detail::normal_half_rule.nodes[i];
    const double wt = detail::normal_half_rule.weights[i];
    const double z2 = z * z;
    const double he2 = z2 - 1.0, he4 = (z2 - 6.0) * z2 + 3.0;  // Hermite polynomials
    const double p = static_cast<double>(A::value(s * z)), m = static_cast<double>(A::value(-s * z));
    const double sq = p * p + m * m, qu = (p * p) * (p * p) + (m * m) * (m * m);
    e2 += wt * sq;
    h2_2 += wt * (sq * he2);
    h4_2 += wt * (sq * he4);
    e4 += wt * qu;
    h2_4 += wt * (qu * he2);
    h4_4 += wt * (qu * he4);
    const double dp = static_cast<double>(A::derivative(s * z));
    const double dm = static_cast<double>(A::derivative(-s * z));
    const double dd = dp * dp + dm * dm;
    ed += wt * dd;
    h2_d += wt * (dd * he2);
    h4_d += wt * (dd * he4);
  }
  return {{e2, h2_2 / (2.0 * q), h4_2 / (4.0 * q * q)},
          {e4, h2_4 / (2.0 * q), h4_4 / (4.0 * q * q)},
          {ed, h2_d / (2.0 * q), h4_d / (4.0 * q * q)}};
}

/// The length leaving a layer y = W·h (W ~ N(0, c/D), no bias, `width` outputs), h' = φ(y), from
/// the length S entering it (header comment). `pre_activation` of the result is E[y²] = c·E[S].
struct layer_lengths {
  double pre_activation = 0.0;  ///< E[y²] = E[Q] = c·E[S]
  length_moments out{};         ///< moments of S' = ‖φ(y)‖²/width
  double derivative_square = 0.0;  ///< E[φ'(y)²] = G(a) + ½·G''(a)·w (the backward map's factor)
};

namespace detail {

// IEEE +, −, × with an invalid result (NaN operand, ∞ − ∞, 0·∞) returned as NaN without computing
// it: Clang does not let arithmetic produce a NaN in a constant expression, GCC does. Same bits
// as the plain operation whenever that is not NaN. Used where a vanishing deep network (q → 0,
// E[φ⁴]'' → ∞) makes the O(1/D) terms invalid.
[[nodiscard]] constexpr bool is_inf(double x) noexcept {
  return x == math::infinity || x == -math::infinity;
}
[[nodiscard]] constexpr double add(double x, double y) noexcept {
  if (math::detail::is_nan(x) || math::detail::is_nan(y)) return math::nan;
  if (is_inf(x) && is_inf(y) && (x > 0.0) != (y > 0.0)) return math::nan;
  return x + y;
}
[[nodiscard]] constexpr double sub(double x, double y) noexcept {
  if (math::detail::is_nan(y)) return math::nan;
  return add(x, -y);
}
[[nodiscard]] constexpr double mul(double x, double y) noexcept {
  if (math::detail::is_nan(x) || math::detail::is_nan(y)) return math::nan;
  if ((is_inf(x) && y == 0.0) || (is_inf(y) && x == 0.0)) return math::nan;
  return x * y;
}

}  // namespace detail

template <activation_function A>
[[nodiscard]] constexpr layer_lengths activated_length(double c, std::size_t width,
                                                       length_moments in) {
  // A NaN input length (an earlier layer's invalid O(1/D) terms) makes every output NaN.
  if (math::detail::is_nan(in.mean)) return {math::nan, {math::nan, math::nan}, math::nan};
  const double a = c * in.mean;
  if (math::detail::is_nan(in.variance)) return {a, {math::nan, math::nan}, math::nan};
  const double w = c * c * in.variance;
  const length_derivatives all = length_derivatives_at<A>(a);
  const gaussian_derivatives& f = all.square;
  const gaussian_derivatives& f4 = all.fourth;
  using detail::add, detail::sub, detail::mul;
  // V = E[φ⁴] − F², V'' = E[φ⁴]'' − 2(F'² + F·F'').
  const double v = sub(f4.value, mul(f.value, f.value));
  const double v2 = sub(f4.second, mul(2.0, add(mul(f.first, f.first), mul(f.value, f.second))));
  const double d = static_cast<double>(width);
  const double var_sum = add(v, mul(mul(0.5, v2), w));
  return {a,
          {add(f.value, mul(mul(0.5, f.second), w)),
           add(mul(mul(f.first, f.first), w),
               math::detail::is_nan(var_sum) ? math::nan : var_sum / d)},
          add(all.derivative.value, mul(mul(0.5, all.derivative.second), w))};
}

}  // namespace finite_width

}  // namespace initlab

INITLAB_FP_STRICT_END
