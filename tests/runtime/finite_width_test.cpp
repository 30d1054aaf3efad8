// finite_width.hpp against independent references: the derivatives of E_q[tanh²] from the
// closed-form derivatives of tanh² (Gauss–Kronrod, long double), the other derivatives by central
// differences of long-double quadrature; the exact ReLU and identity cases; and a Monte Carlo
// check that the O(1/D) length correction is what a real finite-width tanh network does, with
// the infinite-width value as a negative control a few standard errors away.
#include <boost/math/constants/constants.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <initlab/finite_width.hpp>
#include <initlab/network.hpp>
#include <initlab/statistics.hpp>
#include <initlab/trial.hpp>
#include <vector>

namespace {

using namespace initlab;
using real = long double;

real gaussian_mean(const std::function<real(real)>& f, real q) {
  using gk = boost::math::quadrature::gauss_kronrod<real, 61>;
  const real s = std::sqrt(q);
  return gk::integrate([&](real z) { return f(s * z) * std::exp(-z * z / 2); }, real(-40),
                       real(40), 15, real(1e-18)) /
         std::sqrt(2 * boost::math::constants::pi<real>());
}

double relative_error(double value, real reference) {
  return static_cast<double>(std::abs(value - reference) / std::abs(reference));
}

// d/dq E[g(√q z)] = ½E[g''], d²/dq² = ¼E[g''''] (heat equation); for g = tanh², t = tanh x:
// g'' = 2 − 8t² + 6t⁴, g'''' = −16 + 136t² − 240t⁴ + 120t⁶.
real tanh2_first(real q) {
  return gaussian_mean([](real x) {
           const real t2 = std::tanh(x) * std::tanh(x);
           return 2 - 8 * t2 + 6 * t2 * t2;
         }, q) / 2;
}
real tanh2_second(real q) {
  return gaussian_mean([](real x) {
           const real t2 = std::tanh(x) * std::tanh(x);
           return -16 + 136 * t2 - 240 * t2 * t2 + 120 * t2 * t2 * t2;
         }, q) / 4;
}

// Central second difference of a long-double Gaussian expectation (truncation O(h²)).
real second_difference(const std::function<real(real)>& g, real q) {
  const real h = q * real(1e-3);
  return (gaussian_mean(g, q + h) - 2 * gaussian_mean(g, q) + gaussian_mean(g, q - h)) / (h * h);
}

}  // namespace

TEST_CASE("finite_width: derivatives of E_q[tanh^2] match closed-form derivatives", "[finite_width]") {
  for (double q : {0.01, 0.05, 0.3, 1.0, 2.0, 10.0, 100.0}) {
    const auto d = finite_width::length_derivatives_at<initlab::tanh>(q);
    INFO("q = " << q);
    CHECK(relative_error(d.square.value, gaussian_mean([](real x) {
                                            return std::tanh(x) * std::tanh(x);
                                          }, q)) < 1e-12);
    CHECK(relative_error(d.square.first, tanh2_first(q)) < 1e-10);
    CHECK(relative_error(d.square.second, tanh2_second(q)) < 1e-9);
  }
}

TEST_CASE("finite_width: second derivatives of E[tanh^4] and E[sech^4] match differences",
          "[finite_width]") {
  for (double q : {0.05, 0.3, 1.0, 2.0, 10.0}) {
    const auto d = finite_width::length_derivatives_at<initlab::tanh>(q);
    INFO("q = " << q);
    const auto t4 = [](real x) { return std::pow(std::tanh(x), 4); };
    const auto s4 = [](real x) { return std::pow(1 / std::cosh(x), 4); };
    CHECK(relative_error(d.fourth.second, second_difference(t4, q)) < 1e-5);
    CHECK(relative_error(d.derivative.second, second_difference(s4, q)) < 1e-5);
    CHECK(relative_error(d.derivative.value, gaussian_mean(s4, q)) < 1e-12);
  }
}

TEST_CASE("finite_width: below min_length the derivatives are NaN, not wrong", "[finite_width]") {
  const auto d = finite_width::length_derivatives_at<initlab::tanh>(finite_width::min_length / 2);
  CHECK(std::isnan(d.square.second));
  CHECK(std::isnan(d.fourth.value));
}

TEST_CASE("finite_width: exact for ReLU (fluctuation law) and identity", "[finite_width]") {
  // He/ReLU: E[S_L] = S_0 and E[S_L²]/S_0² = ∏(1 + 5/D_l) (THEORY.md §6), exact at any width.
  using net = repeat<5, dense<40, 24, he_normal, relu>, dense<24, 40, he_normal, relu>>;
  constexpr auto p = finite_width_profile<net>({1.0, 0.0});
  double law = 1.0;
  for (std::size_t l = 0; l < net::depth; ++l) law *= 1.0 + 5.0 / (l % 2 == 0 ? 24.0 : 40.0);
  const auto& out = p.lengths[net::depth];
  CHECK(std::abs(out.mean - 1.0) < 1e-13);
  CHECK(relative_error(out.variance + out.mean * out.mean, law) < 1e-13);
  // Identity: S' has E = c·m, Var = c²v + (2a² + 2c²v)/D̂ (E[y⁴] = 3Q²: V = 2a², V'' = 4).
  constexpr auto one = dense<16, 8, lecun_normal>::length({1.5, 0.25});
  CHECK(relative_error(one.out.mean, 1.5) < 1e-13);
  CHECK(relative_error(one.out.variance, 0.25 + (2.0 * 1.5 * 1.5 + 2.0 * 0.25) / 8.0) < 1e-12);
  CHECK(one.derivative_square == Approx(1.0).epsilon(1e-13));
}

TEST_CASE("finite_width: a narrow tanh network's E[y^2] is the corrected value, not the "
          "infinite-width one", "[finite_width][mc]") {
  // LeCun/tanh, 12 layers of width 16: the derived gap is several standard errors at 4000
  // networks, so the infinite-width value is a negative control near the resolution.
  constexpr std::size_t width = 16, depth = 12, batch = 8, trials = 4000;
  using net = repeat<depth, dense<width, width, lecun_normal, initlab::tanh>>;
  constexpr auto finite = finite_width_profile<net>(gaussian_input_length(1.0, width));
  constexpr auto infinite = profile<net>(1.0, 1.0);
  const trial_config config{.batch = batch, .input_variance = 1.0, .seed = gradient_seed::none};
  const stream base = stream(2026).child(12);
  const sampled_network prototype = sampled_network::of<net>();
  std::vector<double> y2(trials), x2(trials);
  sampled_network n(prototype);
  for (std::size_t t = 0; t < trials; ++t) {
    const trial_statistics s = run_trial(n, config, base.child(t));
    y2[t] = s.layers[depth - 1].mean_y2;
    x2[t] = s.mean_x2;
  }
  const estimate e = ratio_estimate(y2, x2, 1e-4);
  const double fw = finite.forward[depth - 1], inf = infinite.forward[depth - 1];
  INFO("estimate " << e.value << " ± " << e.ci.half_width() << ", finite-width " << fw
                   << ", infinite-width " << inf);
  REQUIRE(std::abs(fw - inf) > 2.0 * e.ci.half_width());  // the control is meaningful
  CHECK(e.ci.contains(fw));
  CHECK_FALSE(e.ci.contains(inf));
}
