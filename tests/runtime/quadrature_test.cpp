// Compile-time Gauss rules and initlab::gaussian_expectation against known moments, Boost.Math's
// Hermite polynomials and Gauss–Legendre tables, and Boost.Math adaptive quadrature.
#include <algorithm>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/hermite.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <functional>
#include <initlab/activation.hpp>
#include <initlab/quadrature.hpp>
#include <vector>

namespace {

using real = long double;

/// (2k − 1)!! = E[z^2k], z ~ N(0,1).
real double_factorial_odd(int k) {
  real r = 1;
  for (int j = 1; j <= 2 * k - 1; j += 2)
    r *= j;
  return r;
}

/// Probabilists' Hermite He_n(x) = 2^(−n/2)·H_n(x/√2), from Boost's physicists' H_n.
real hermite_he(unsigned n, real x) {
  return std::pow(2.0L, -0.5L * n) * boost::math::hermite(n, x / std::sqrt(2.0L));
}

template <std::size_t N>
void check_gauss_hermite() {
  constexpr auto rule = initlab::gauss_hermite_rule<N>;
  // Moments E[z^2k] = (2k−1)!!, exact for 2k <= 2N − 1.
  double worst_moment = 0.0;
  for (int k = 0; 2 * k <= static_cast<int>(2 * N - 1); ++k) {
    const real got = rule.apply([k](double z) { return std::pow(z, 2 * k); });
    const real want = double_factorial_odd(k);
    worst_moment = std::max(worst_moment, static_cast<double>(std::fabs(got / want - 1)));
  }
  CHECK(worst_moment <= 1e-13);
  // Nodes are roots of He_N: the Newton correction He_N/He_N' = He_N/(N·He_(N−1)) is tiny; weights
  // match (N−1)!/(N·He_(N−1)(x)²) (Abramowitz & Stegun 25.4.46 in probabilists' form).
  double worst_node = 0.0;
  double worst_weight = 0.0;
  for (std::size_t i = 0; i < N; ++i) {
    const real x = rule.nodes[i];
    const real he_prev = hermite_he(N - 1, x);
    const real step = hermite_he(N, x) / (static_cast<real>(N) * he_prev);
    worst_node =
        std::max(worst_node, static_cast<double>(std::fabs(step) / std::max(1.0L, std::fabs(x))));
    const real w = std::tgamma(static_cast<real>(N)) / (static_cast<real>(N) * he_prev * he_prev);
    worst_weight = std::max(worst_weight, static_cast<double>(std::fabs(rule.weights[i] / w - 1)));
  }
  CHECK(worst_node <= 1e-15);
  CHECK(worst_weight <= 1e-12);
  std::printf(
      "quadrature_test: Gauss-Hermite N=%3zu  moments rel err %.2e  node Newton step %.2e  weight "
      "rel err %.2e\n",
      N, worst_moment, worst_node, worst_weight);
}

template <int N>
void check_gauss_legendre() {
  constexpr auto rule = initlab::gauss_legendre_rule<N>;
  using boost_rule = boost::math::quadrature::gauss<double, N>;
  // Boost stores the non-negative abscissas (ascending) and their weights.
  const auto& xs = boost_rule::abscissa();
  const auto& ws = boost_rule::weights();
  double worst_node = 0.0;
  double worst_weight = 0.0;
  for (std::size_t j = 0; j < xs.size(); ++j) {
    const std::size_t i = N / 2 + j;  // our ascending non-negative half
    worst_node = std::max(worst_node, std::fabs(rule.nodes[i] - xs[j]));
    worst_weight = std::max(worst_weight, std::fabs(rule.weights[i] / ws[j] - 1));
  }
  CHECK(worst_node <= 4e-16);
  CHECK(worst_weight <= 5e-14);  // Christoffel sums: ~N ulps
  std::printf(
      "quadrature_test: Gauss-Legendre N=%3d  max |node - Boost| %.2e  weight rel err %.2e\n", N,
      worst_node, worst_weight);
}

/// E[g(x)], x ~ N(0, q), by Boost's adaptive 61-point Gauss–Kronrod on [−12√q, 0] ∪ [0, 12√q].
real reference_expectation(const std::function<real(real)>& g, double q_double) {
  const real q = q_double;
  const real limit = 12.0L * std::sqrt(q);
  const real norm = 1.0L / std::sqrt(2.0L * 3.14159265358979323846264338327950288L * q);
  auto integrand = [&](real x) { return g(x) * std::exp(-x * x / (2.0L * q)) * norm; };
  using gk = boost::math::quadrature::gauss_kronrod<real, 61>;
  return gk::integrate(integrand, -limit, 0.0L, 15, 1e-17L) +
         gk::integrate(integrand, 0.0L, limit, 15, 1e-17L);
}

std::vector<double> q_grid(int n) {
  std::vector<double> qs;
  for (int i = 0; i < n; ++i)
    qs.push_back(std::pow(10.0, -3.0 + 5.0 * i / (n - 1)));
  return qs;
}

}  // namespace

TEST_CASE("Gauss-Hermite rules: moments, nodes and weights", "[quadrature]") {
  check_gauss_hermite<4>();
  check_gauss_hermite<10>();
  check_gauss_hermite<20>();
  check_gauss_hermite<40>();
  check_gauss_hermite<64>();
}

TEST_CASE("Gauss-Legendre rules match Boost.Math's tables", "[quadrature]") {
  check_gauss_legendre<7>();
  check_gauss_legendre<10>();
  check_gauss_legendre<15>();
  check_gauss_legendre<20>();
  check_gauss_legendre<30>();
}

TEST_CASE("gaussian_expectation: known Gaussian moments", "[quadrature]") {
  double worst = 0.0;
  for (const double q : q_grid(101)) {
    const double m2 = initlab::gaussian_expectation([](double x) { return x * x; }, q);
    const double m4 = initlab::gaussian_expectation([](double x) { return x * x * x * x; }, q);
    const double m8 = initlab::gaussian_expectation([](double x) { return std::pow(x, 8); }, q);
    const double abs3 =
        initlab::gaussian_expectation([](double x) { return std::fabs(x * x * x); }, q);
    worst = std::max({worst, std::fabs(m2 / q - 1), std::fabs(m4 / (3 * q * q) - 1),
                      std::fabs(m8 / (105 * q * q * q * q) - 1),
                      // E|z|³ = 2√(2/π)
                      std::fabs(abs3 / (2 * std::sqrt(2 / M_PI) * q * std::sqrt(q)) - 1)});
    // Odd integrands vanish exactly: the rule sums f(z) + f(−z) pairs.
    CHECK(initlab::gaussian_expectation([](double x) { return x * x * x; }, q) == 0.0);
  }
  CHECK(worst <= 1e-13);
  std::printf(
      "quadrature_test: E[x^2], E[x^4], E[x^8], E|x|^3 over q in [1e-3, 1e2]: max rel err %.2e\n",
      worst);
  CHECK(initlab::gaussian_expectation([](double x) { return x + 2.0; }, 0.0) == 2.0);
  CHECK(std::isnan(initlab::gaussian_expectation([](double x) { return x; }, -1.0)));
  // Gauss–Hermite is exact for polynomials: E[(√q z)^6] = 15 q³ with 4 nodes.
  CHECK(initlab::gaussian_expectation_gauss_hermite<4>([](double x) { return std::pow(x, 6); },
                                                       2.0) == Approx(120.0).epsilon(1e-14));
}

TEST_CASE("gaussian_expectation vs Boost.Math Gauss-Kronrod on analytic and kinked integrands",
          "[quadrature]") {
  struct named {
    const char* name;
    std::function<double(double)> f;
    std::function<real(real)> ref;
  };
  const std::vector<named> cases = {
      {"1/(1+x^2)", [](double x) { return 1.0 / (1.0 + x * x); },
       [](real x) { return 1.0L / (1.0L + x * x); }},
      {"tanh(x)^2", [](double x) { return std::pow(std::tanh(x), 2); },
       [](real x) { return std::pow(std::tanh(x), 2); }},
      {"max(x,0)^3", [](double x) { return x > 0 ? x * x * x : 0.0; },
       [](real x) { return x > 0 ? x * x * x : 0.0L; }},
      {"exp(-x^2)", [](double x) { return std::exp(-x * x); },
       [](real x) { return std::exp(-x * x); }},
  };
  for (const auto& c : cases) {
    double worst = 0.0;
    for (const double q : q_grid(41)) {
      const real want = reference_expectation(c.ref, q);
      const double got = initlab::gaussian_expectation(c.f, q);
      const double err = static_cast<double>(std::fabs((got - want) / want));
      INFO(c.name << " at q = " << q);
      CHECK(err <= 1e-12);
      worst = std::max(worst, err);
    }
    std::printf("quadrature_test: E[%-11s] over q in [1e-3, 1e2]: max rel err %.2e\n", c.name,
                worst);
  }
}

TEST_CASE("why the composite rule: Gauss-Hermite misses tanh features at large q", "[quadrature]") {
  // E[sech⁴(√q z)] at q = 100: the composite rule is within 1e-12, 64-point Gauss–Hermite is not.
  const auto sech4 = [](double x) { return std::pow(1.0 / std::cosh(x), 4); };
  const real want =
      reference_expectation([](real x) { return std::pow(1.0L / std::cosh(x), 4); }, 100.0);
  const double composite = initlab::gaussian_expectation(sech4, 100.0);
  const double hermite = initlab::gaussian_expectation_gauss_hermite<64>(sech4, 100.0);
  const double err_composite = static_cast<double>(std::fabs(composite / want - 1));
  const double err_hermite = static_cast<double>(std::fabs(hermite / want - 1));
  std::printf(
      "quadrature_test: E[sech^4] at q = 100: composite rel err %.2e, Gauss-Hermite-64 %.2e\n",
      err_composite, err_hermite);
  CHECK(err_composite <= 1e-12);
  CHECK(err_hermite > 1e-6);
}

TEST_CASE("gaussian_expectation_even gives gaussian_expectation's bits for even integrands",
          "[quadrature]") {
  // tanh² and sech⁴ (tanh's moments use the even composite rule above the q-dependent rule's
  // last threshold) over 2,000 variances q ∈ [1e-4, 1e4], log-spaced: bit for bit equal to the
  // two-sided sum.
  const auto tanh2 = [](double x) {
    const double v = initlab::tanh::value(x);
    return v * v;
  };
  const auto sech4 = [](double x) {
    const double d = initlab::tanh::derivative(x);
    return d * d;
  };
  std::size_t equal = 0;
  for (int i = 0; i < 2000; ++i) {
    const double q = std::pow(10.0, -4.0 + 8.0 * i / 1999.0);
    equal += initlab::gaussian_expectation_even(tanh2, q) ==
             initlab::second_moment_by_quadrature<initlab::tanh>(q);
    equal += initlab::gaussian_expectation_even(sech4, q) ==
             initlab::derivative_second_moment_by_quadrature<initlab::tanh>(q);
  }
  CHECK(equal == 4000);
  // Control: for an integrand that is not even (the logistic function's square) the one-sided
  // sum is a different number, so the equality above is not vacuous.
  const auto sigmoid2 = [](double x) {
    const double v = initlab::sigmoid::value(x);
    return v * v;
  };
  CHECK(initlab::gaussian_expectation_even(sigmoid2, 1.0) !=
        initlab::gaussian_expectation(sigmoid2, 1.0));
  // ... and the even rule's value for it is off by the odd part's contribution, not by rounding.
  CHECK(std::fabs(initlab::gaussian_expectation_even(sigmoid2, 1.0) -
                  initlab::gaussian_expectation(sigmoid2, 1.0)) > 1e-3);
  // At compile time too (what the compile-time benchmark relies on).
  static_assert(initlab::tanh::second_moment(0.7) ==
                initlab::second_moment_by_quadrature<initlab::tanh>(0.7));
}
