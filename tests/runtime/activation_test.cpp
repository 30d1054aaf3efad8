// Activation moments against an independent reference: Boost.Math tanh–sinh quadrature in long
// double of φ(x)², φ'(x)² and φ(x) against the N(0, q) density, with φ written afresh here from
// libm's long double functions (not initlab's closed forms or initlab::math). 101 log-spaced q
// in [1e-3, 1e2] per closed-form activation; the activations whose moments come from
// quadrature (tanh, sigmoid, user types) on a denser grid over [1e-6, 1e2] that straddles every
// threshold of the q-dependent rule (quadrature.hpp); required relative error <= 1e-12.
#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <functional>
#include <initlab/activation.hpp>
#include <string>
#include <vector>

namespace {

using real = long double;
using ref_fn = std::function<real(real)>;

/// DESIGN.md §3: activation moments within 1e-12 relative of high-precision values.
constexpr double moment_tolerance = 1e-12;
/// q grid: 101 points log-spaced on [1e-3, 1e2].
constexpr int q_points = 101;
/// Agreement required between the two reference quadratures (tanh–sinh vs Gauss–Kronrod).
constexpr real reference_agreement = 1e-15L;

std::vector<double> q_grid() {
  std::vector<double> qs;
  for (int i = 0; i < q_points; ++i)
    qs.push_back(std::pow(10.0, -3.0 + 5.0 * i / (q_points - 1)));
  return qs;
}

/// The q at which tanh's moments switch from the N-point Gauss–Hermite rung to the next rule:
/// pole distance π/2 in x, at least min_pole_distance<N> in z (quadrature.hpp).
template <std::size_t N>
double rung_threshold() {
  const double tau = initlab::detail::gauss_hermite_min_pole_distance<N>;
  const double d = initlab::tanh::pole_distance;
  return d * d / (tau * tau);
}

/// The quadrature grid: 20 log-spaced q per decade over [1e-6, 1e2], plus, on both sides of each
/// rung threshold q_k, q_k·(1 ± 1e-9, 1e-3, 1e-2, 0.1, 0.5) and q_k itself (the rung's side).
std::vector<double> dense_q_grid() {
  std::vector<double> qs;
  for (int i = 0; i <= 160; ++i)
    qs.push_back(std::pow(10.0, -6.0 + 8.0 * i / 160));
  for (const double t : {rung_threshold<6>(), rung_threshold<8>(), rung_threshold<16>(),
                         rung_threshold<32>()}) {
    qs.push_back(t);
    for (const double r : {1e-9, 1e-3, 1e-2, 0.1, 0.5}) {
      qs.push_back(t * (1.0 - r));
      qs.push_back(t * (1.0 + r));
    }
  }
  std::sort(qs.begin(), qs.end());
  return qs;
}

struct expectation {
  real value;      ///< E[g(x)]
  real magnitude;  ///< E[|g(x)|]: the scale for errors when E[g] cancels (SELU's mean has a zero)
};

/// E[g(x)], x ~ N(0, q): ∫ g(√q·z) e^(−z²/2)/√(2π) dz over [−12, 0] and [0, 12] (kinks sit at
/// 0; the tails beyond 12σ weigh e^(−72)). Computed twice, by tanh–sinh and by adaptive
/// Gauss–Kronrod, and the two must agree: a wrong reference would not pass silently.
expectation reference_expectation(const ref_fn& g, double q_double) {
  // In z = x/√q: the integrand keeps the scale of N(0,1) for every q (integrating in x, the
  // adaptive rule's tails at q = 1e-6 recursed to its depth limit).
  const real sigma = std::sqrt(static_cast<real>(q_double));
  const real norm = 1.0L / std::sqrt(2.0L * 3.14159265358979323846264338327950288L);
  auto integrand = [&](real z) { return g(sigma * z) * std::exp(-z * z / 2.0L) * norm; };
  auto magnitude = [&](real z) { return std::fabs(integrand(z)); };
  const real limit = 12.0L;
  boost::math::quadrature::tanh_sinh<real> ts(15);
  const real tol = 1e-17L;
  const real ts_value =
      ts.integrate(integrand, -limit, 0.0L, tol) + ts.integrate(integrand, 0.0L, limit, tol);
  const real ts_magnitude =
      ts.integrate(magnitude, -limit, 0.0L, tol) + ts.integrate(magnitude, 0.0L, limit, tol);
  using gk = boost::math::quadrature::gauss_kronrod<real, 61>;
  const real gk_value = gk::integrate(integrand, -limit, 0.0L, 20, tol) +
                        gk::integrate(integrand, 0.0L, limit, 20, tol);
  REQUIRE(std::fabs(ts_value - gk_value) <= reference_agreement * ts_magnitude);
  return {ts_value, ts_magnitude};
}

struct reference_activation {
  ref_fn value;
  ref_fn derivative;
};

/// Max relative error of the three moments of A over the q grid against the reference φ.
template <class A>
void check_moments(const std::string& label, const reference_activation& ref, bool odd = false,
                   const std::vector<double>& grid = q_grid()) {
  double worst[3] = {0.0, 0.0, 0.0};
  for (const double q : grid) {
    const expectation want[3] = {
        reference_expectation([&](real x) { return ref.value(x) * ref.value(x); }, q),
        reference_expectation([&](real x) { return ref.derivative(x) * ref.derivative(x); }, q),
        reference_expectation(ref.value, q)};
    const double got[3] = {A::second_moment(q), A::derivative_second_moment(q), A::mean(q)};
    for (int k = 0; k < 3; ++k) {
      // Second moments: relative error. Means: error relative to E|φ| (equal to |E[φ]| for
      // φ >= 0), since E[φ] may vanish (odd φ, or SELU at one q).
      const real scale = k == 2 ? want[k].magnitude : want[k].value;
      if (k == 2 && odd) CHECK(got[k] == 0.0);  // odd φ: the implementation returns exactly 0
      const double err =
          static_cast<double>(std::fabs((static_cast<real>(got[k]) - want[k].value) / scale));
      INFO(label << " moment " << k << " at q = " << q << ": got " << got[k] << ", reference "
                 << static_cast<double>(want[k].value));
      CHECK(err <= moment_tolerance);
      if (err > worst[k]) worst[k] = err;
    }
  }
  std::printf(
      "activation_test: %-18s max rel err  E[phi^2] %.2e  E[phi'^2] %.2e  E[phi] %.2e (of "
      "E|phi|), %zu q in [%.0e, %.0e]\n",
      label.c_str(), worst[0], worst[1], worst[2], grid.size(), grid.front(), grid.back());
}

constexpr real lambda = 1.0507009873554804934L;
constexpr real alpha = 1.6732632423543772848L;
constexpr real inv_sqrt2 = 0.70710678118654752440084436210484903928L;
constexpr real inv_sqrt_2pi = 0.39894228040143267793994605993438186848L;

real phi_cdf(real x) {
  return 0.5L * std::erfc(-x * inv_sqrt2);
}
real phi_pdf(real x) {
  return inv_sqrt_2pi * std::exp(-0.5L * x * x);
}
real logistic(real x) {
  return 1.0L / (1.0L + std::exp(-x));
}

}  // namespace

TEST_CASE("closed-form and quadrature moments of every activation vs Boost.Math quadrature",
          "[activation]") {
  check_moments<initlab::identity>("identity",
                                   {[](real x) { return x; }, [](real) { return 1.0L; }}, true);
  check_moments<initlab::linear<0.5>>(
      "linear<0.5>", {[](real x) { return 0.5L * x; }, [](real) { return 0.5L; }}, true);
  check_moments<initlab::linear<-3.0>>(
      "linear<-3>", {[](real x) { return -3.0L * x; }, [](real) { return -3.0L; }}, true);
  check_moments<initlab::relu>("relu", {[](real x) { return x > 0 ? x : 0.0L; },
                                        [](real x) { return x > 0 ? 1.0L : 0.0L; }});
  check_moments<initlab::leaky_relu<0.01>>(
      "leaky_relu<0.01>",
      {[](real x) { return x > 0 ? x : 0.01L * x; }, [](real x) { return x > 0 ? 1.0L : 0.01L; }});
  check_moments<initlab::leaky_relu<0.2>>(
      "leaky_relu<0.2>",
      {[](real x) { return x > 0 ? x : 0.2L * x; }, [](real x) { return x > 0 ? 1.0L : 0.2L; }});
  check_moments<initlab::tanh>("tanh",
                               {[](real x) { return std::tanh(x); },
                                [](real x) {
                                  const real c = std::cosh(x);
                                  return 1.0L / (c * c);
                                }},
                               true, dense_q_grid());
  check_moments<initlab::sigmoid>("sigmoid",
                                  {[](real x) { return logistic(x); },
                                   [](real x) { return logistic(x) * logistic(-x); }},
                                  false, dense_q_grid());
  check_moments<initlab::erf>(
      "erf",
      {[](real x) { return std::erf(x); },
       [](real x) { return 2.0L * inv_sqrt2 * inv_sqrt_2pi * 2.0L * std::exp(-x * x); }},
      true);
  check_moments<initlab::gelu>("gelu", {[](real x) { return x * phi_cdf(x); },
                                        [](real x) { return phi_cdf(x) + x * phi_pdf(x); }});
  check_moments<initlab::selu>(
      "selu", {[](real x) { return x > 0 ? lambda * x : lambda * alpha * std::expm1(x); },
               [](real x) { return x > 0 ? lambda : lambda * alpha * std::exp(x); }});
}

namespace {

/// A user-defined activation: softplus log(1 + e^x), moments by quadrature via the CRTP base.
struct softplus : initlab::moments_by_quadrature<softplus> {
  static constexpr const char* name = "softplus";
  static constexpr double value(double x) noexcept {
    return x > 0.0 ? x + initlab::math::log1p(initlab::math::exp(-x))
                   : initlab::math::log1p(initlab::math::exp(x));
  }
  static constexpr double derivative(double x) noexcept { return initlab::sigmoid::value(x); }
};

/// A user-defined activation without the base: LeCun's scaled tanh 1.7159·tanh(2x/3).
struct scaled_tanh {
  static constexpr double a = 1.7159;
  static constexpr double b = 2.0 / 3.0;
  static constexpr double value(double x) noexcept { return a * initlab::math::tanh(b * x); }
  static constexpr double derivative(double x) noexcept {
    return a * b * initlab::tanh::derivative(b * x);
  }
};

/// scaled_tanh promoted to an activation with the free-function templates.
struct scaled_tanh_activation : scaled_tanh {
  static constexpr double second_moment(double q) {
    return initlab::second_moment_by_quadrature<scaled_tanh>(q);
  }
  static constexpr double derivative_second_moment(double q) {
    return initlab::derivative_second_moment_by_quadrature<scaled_tanh>(q);
  }
  static constexpr double mean(double q) { return initlab::mean_by_quadrature<scaled_tanh>(q); }
};

}  // namespace

static_assert(initlab::activation<softplus>);
static_assert(initlab::activation_function<scaled_tanh> && !initlab::activation<scaled_tanh>);
static_assert(initlab::activation<scaled_tanh_activation>);

TEST_CASE("user-defined activations get their moments by quadrature", "[activation]") {
  check_moments<softplus>("softplus (user)",
                          {[](real x) { return std::log1p(std::exp(x)); },
                           [](real x) { return logistic(x); }},
                          false, dense_q_grid());
  // The mean of an odd user function comes out of the quadrature as a sum of ± pairs: 0 exactly.
  check_moments<scaled_tanh_activation>(
      "scaled_tanh (user)",
      {[](real x) { return 1.7159L * std::tanh(x * 2.0L / 3.0L); },
       [](real x) {
         const real c = std::cosh(x * 2.0L / 3.0L);
         return 1.7159L * 2.0L / 3.0L / (c * c);
       }},
      true, dense_q_grid());
  CHECK(std::string(initlab::activation_name<softplus>()) == "softplus");
  CHECK(std::string(initlab::activation_name<scaled_tanh>()) == "user-defined");
}

namespace {

/// φ and φ' of an activation vs long double libm references at points over [-30, 30].
template <class A>
void check_pointwise(const std::string& label, const reference_activation& ref, double tol) {
  double worst = 0.0;
  for (int i = -3000; i <= 3000; ++i) {
    const double x = i / 100.0;
    for (int k = 0; k < 2; ++k) {
      const double got = k == 0 ? A::value(x) : A::derivative(x);
      const real want = k == 0 ? ref.value(x) : ref.derivative(x);
      if (want == 0.0L) {
        CHECK(got == 0.0);
        continue;
      }
      if (std::fabs(want) < 1e-300L) continue;  // subnormal territory
      const double err = static_cast<double>(std::fabs((got - want) / want));
      INFO(label << (k == 0 ? " value" : " derivative") << " at x = " << x);
      CHECK(err <= tol);
      if (err > worst) worst = err;
    }
  }
  std::printf("activation_test: %-10s value/derivative max rel err %.2e over [-30, 30]\n",
              label.c_str(), worst);
}

}  // namespace

TEST_CASE("value and derivative agree with libm long double references", "[activation]") {
  constexpr double pointwise_tolerance = 1e-14;
  check_pointwise<initlab::tanh>("tanh",
                                 {[](real x) { return std::tanh(x); },
                                  [](real x) {
                                    const real c = std::cosh(x);
                                    return 1.0L / (c * c);
                                  }},
                                 pointwise_tolerance);
  check_pointwise<initlab::sigmoid>(
      "sigmoid",
      {[](real x) { return logistic(x); }, [](real x) { return logistic(x) * logistic(-x); }},
      pointwise_tolerance);
  check_pointwise<initlab::erf>(
      "erf",
      {[](real x) { return std::erf(x); },
       [](real x) { return 2.0L * inv_sqrt2 * inv_sqrt_2pi * 2.0L * std::exp(-x * x); }},
      pointwise_tolerance);
  // GELU's derivative Φ(x) + xφ(x) has a zero near x = −0.75, where a relative error means
  // nothing: GELU is judged against the sum of the absolute values of its terms below.
  check_pointwise<initlab::selu>(
      "selu",
      {[](real x) { return x > 0 ? lambda * x : lambda * alpha * std::expm1(x); },
       [](real x) { return x > 0 ? lambda : lambda * alpha * std::exp(x); }},
      pointwise_tolerance);
  double worst_gelu = 0.0;
  for (int i = -3000; i <= 3000; ++i) {
    const double x = i / 100.0;
    const real v = x * phi_cdf(x);
    const real d = phi_cdf(x) + x * phi_pdf(x);
    // Scale: |x|Φ(x) + ... terms summed in absolute value, so cancellation is judged fairly.
    const real v_scale = std::fabs(v);
    const real d_scale = phi_cdf(x) + std::fabs(x) * phi_pdf(x);
    if (v_scale > 1e-300L) {
      const double e = static_cast<double>(std::fabs(initlab::gelu::value(x) - v) / v_scale);
      CHECK(e <= pointwise_tolerance);
      worst_gelu = std::max(worst_gelu, e);
    }
    if (d_scale > 1e-300L) {
      const double e = static_cast<double>(std::fabs(initlab::gelu::derivative(x) - d) / d_scale);
      CHECK(e <= pointwise_tolerance);
      worst_gelu = std::max(worst_gelu, e);
    }
  }
  std::printf("activation_test: %-10s value/derivative max rel err %.2e over [-30, 30]\n", "gelu",
              worst_gelu);
}

TEST_CASE("derivative conventions at the kink", "[activation]") {
  CHECK(initlab::relu::derivative(0.0) == 0.0);
  CHECK(initlab::relu::derivative(1e-300) == 1.0);
  CHECK(initlab::leaky_relu<0.1>::derivative(0.0) == 0.1);
  CHECK(initlab::selu::derivative(0.0) == initlab::selu::lambda * initlab::selu::alpha);
  CHECK(initlab::relu::value(-2.0) == 0.0);
}

namespace {

real tanh2_ref(real x) {
  const real t = std::tanh(x);
  return t * t;
}
real sech4_ref(real x) {
  const real c = std::cosh(x);
  return 1.0L / (c * c * c * c);
}

/// Relative errors of the N-point even Gauss–Hermite sum for tanh² and sech⁴ at q (the larger).
template <std::size_t N>
double rung_error(double q) {
  auto tanh2 = [](double x) {
    const double v = initlab::tanh::value(x);
    return v * v;
  };
  auto sech4 = [](double x) {
    const double d = initlab::tanh::derivative(x);
    return d * d;
  };
  const double s = std::sqrt(q);
  const real want2 = reference_expectation(tanh2_ref, q).value;
  const real want4 = reference_expectation(sech4_ref, q).value;
  const real got2 = initlab::detail::sum_even_gauss_hermite<N>(tanh2, s);
  const real got4 = initlab::detail::sum_even_gauss_hermite<N>(sech4, s);
  return static_cast<double>(
      std::max(std::fabs(got2 / want2 - 1.0L), std::fabs(got4 / want4 - 1.0L)));
}

/// The rung's side of its threshold: tanh's moments use it there, bit for bit, and it is within
/// the documented 5e-15 (checked at 1e-14: the reference's own noise is ~1e-18); just above,
/// tanh uses the next rule (`next`: the sum tanh's second moment must equal there); and the
/// rung at `control` (inside the next rule's range) misses 1e-12, so the threshold is where it
/// has to be and the tolerance of the grid test would catch a rule that is too small.
template <std::size_t N, class Next>
void check_rung(Next next, double control) {
  const double t = rung_threshold<N>();
  auto tanh2 = [](double x) {
    const double v = initlab::tanh::value(x);
    return v * v;
  };
  const double below = t * (1.0 - 1e-9);
  const double above = t * (1.0 + 1e-9);
  CHECK(initlab::tanh::second_moment(below) ==
        initlab::detail::sum_even_gauss_hermite<N>(tanh2, std::sqrt(below)));
  CHECK(initlab::tanh::second_moment(t * 0.5) ==
        initlab::detail::sum_even_gauss_hermite<N>(tanh2, std::sqrt(t * 0.5)));
  CHECK(initlab::tanh::second_moment(above) == next(tanh2, above));
  const double at = rung_error<N>(below);
  const double err_control = rung_error<N>(control);
  std::printf(
      "activation_test: %2zu-point Gauss-Hermite rung: threshold q = %.4e, rel err there %.2e; "
      "at q = %.4e (%.1fx) %.2e (control: must exceed 1e-12)\n",
      N, t, at, control, control / t, err_control);
  CHECK(at <= 1e-14);
  CHECK(err_control > moment_tolerance);
}

/// The even N-point Gauss–Hermite sum as a function of (f, q), for check_rung's `next`.
template <std::size_t N>
constexpr auto rung = [](auto f, double q) {
  return initlab::detail::sum_even_gauss_hermite<N>(f, std::sqrt(q));
};

}  // namespace

TEST_CASE("tanh's q-dependent rule: each rung serves its side of its threshold, within margin",
          "[activation][quadrature]") {
  // Controls: each rung at the top of the next rule's range; the 32-point one at q = 0.3, in the
  // composite rule's range.
  check_rung<6>(rung<8>, rung_threshold<8>());
  check_rung<8>(rung<16>, rung_threshold<16>());
  check_rung<16>(rung<32>, rung_threshold<32>());
  check_rung<32>([](auto f, double q) { return initlab::gaussian_expectation_even(f, q); }, 0.3);
  // Above the last threshold, the composite rule: the bits of the two-argument overload.
  for (const double q : {0.0987, 0.1, 0.5, 1.0, 10.0, 100.0}) {
    if (q <= rung_threshold<32>()) continue;
    CHECK(initlab::tanh::second_moment(q) == initlab::second_moment_by_quadrature<initlab::tanh>(q));
    CHECK(initlab::tanh::derivative_second_moment(q) ==
          initlab::derivative_second_moment_by_quadrature<initlab::tanh>(q));
  }
}
