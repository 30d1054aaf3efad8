// Initializers against independent references: Boost.Multiprecision (50 digits) for the
// truncated-normal constant, Boost.Math quadrature for the truncated law's variance, Boost.Math
// distributions for the uniform variance; and run-time evaluation == compile-time evaluation.
#include <boost/math/constants/constants.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <initlab/init.hpp>
#include <initlab/stability.hpp>

namespace {

using big = boost::multiprecision::cpp_bin_float_50;

double relative_error(double value, double reference) {
  return std::abs(value - reference) / std::abs(reference);
}

// √(1 − 2tφ(t)/(2Φ(t)−1)) in 50 digits.
double truncated_stddev_reference(double t_double) {
  const big t = t_double;
  const big pi = boost::math::constants::pi<big>();
  const big pdf = exp(-t * t / 2) / sqrt(2 * pi);
  const big mass = erf(t / sqrt(big(2)));
  return static_cast<double>(sqrt(1 - 2 * t * pdf / mass));
}

}  // namespace

TEST_CASE("truncated-normal stddev matches a 50-digit reference", "[init]") {
  // t >= 1: a few ulps. Small t: 1 − 2tφ(t)/(2Φ(t)−1) cancels (σ² ≈ t²/3), measured 2e-15.
  for (double t : {0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0}) {
    const double ref = truncated_stddev_reference(t);
    INFO("t = " << t << ", initlab " << initlab::truncated_normal_stddev(t) << ", ref " << ref);
    CHECK(relative_error(initlab::truncated_normal_stddev(t), ref) <= (t >= 1.0 ? 4e-16 : 4e-15));
  }
  // The ±2σ constant Keras and JAX type in.
  CHECK(relative_error(initlab::truncated_normal_unit_stddev, truncated_stddev_reference(2.0)) <=
        2.3e-16);
}

TEST_CASE("truncated-normal law has the requested variance (quadrature)", "[init]") {
  // Var of N(0, s²) truncated to ±2s = ∫ x² φ(x/s)/s dx / P(|x| < 2s), by Gauss–Kronrod.
  using gk = boost::math::quadrature::gauss_kronrod<double, 61>;
  for (auto [fi, fo] : {std::pair<std::size_t, std::size_t>{300, 100}, {7, 5}, {1, 1000}}) {
    const initlab::weight_law law = initlab::he_truncated_normal::law(fi, fo);
    REQUIRE(law.kind == initlab::law_kind::truncated_normal);
    const double s = law.scale;
    const auto density = [s](double x) { return std::exp(-0.5 * (x / s) * (x / s)) / s; };
    const double mass = gk::integrate(density, -2.0 * s, 2.0 * s, 10, 1e-15);
    const double second =
        gk::integrate([&](double x) { return x * x * density(x); }, -2.0 * s, 2.0 * s, 10, 1e-15);
    const double target = 2.0 / static_cast<double>(fi);
    INFO("fan_in " << fi << ": quadrature " << second / mass << ", target " << target);
    CHECK(relative_error(second / mass, target) <= 1e-13);
    CHECK(relative_error(initlab::variance(law), target) <= 4e-16);
  }
}

TEST_CASE("uniform laws: variance a²/3 as Boost.Math's uniform distribution", "[init]") {
  for (auto [fi, fo] : {std::pair<std::size_t, std::size_t>{300, 100}, {3, 3}, {1024, 10}}) {
    const double a = initlab::xavier_uniform::bound(fi, fo);
    const boost::math::uniform_distribution<double> u(-a, a);
    CHECK(relative_error(boost::math::variance(u), initlab::xavier_uniform::variance(fi, fo)) <=
          4e-16);
    CHECK(relative_error(initlab::variance(initlab::xavier_uniform::law(fi, fo)),
                         boost::math::variance(u)) <= 4e-16);
  }
}

TEST_CASE("initializers give the same bits at run time as at compile time", "[init]") {
  volatile std::size_t fi_v = 300;
  volatile std::size_t fo_v = 100;
  const std::size_t fi = fi_v;
  const std::size_t fo = fo_v;
  constexpr initlab::weight_law he = initlab::he_normal::law(300, 100);
  constexpr initlab::weight_law xu = initlab::xavier_uniform::law(300, 100);
  constexpr initlab::weight_law tn = initlab::xavier_truncated_normal::law(300, 100);
  constexpr double tn_var = initlab::variance(tn);
  CHECK(initlab::he_normal::law(fi, fo) == he);
  CHECK(initlab::xavier_uniform::law(fi, fo) == xu);
  CHECK(initlab::xavier_truncated_normal::law(fi, fo) == tn);
  CHECK(initlab::variance(initlab::xavier_truncated_normal::law(fi, fo)) == tn_var);
  volatile double t = 2.0;
  CHECK(initlab::truncated_normal_stddev(t) == initlab::truncated_normal_unit_stddev);
}

TEST_CASE("gains: PyTorch values and the variance-preserving gain", "[init]") {
  CHECK(initlab::gain<initlab::tanh>() == Approx(5.0 / 3.0).epsilon(1e-15));
  CHECK(initlab::gain<initlab::leaky_relu<0.01>>() ==
        Approx(std::sqrt(2.0 / (1.0 + 0.01 * 0.01))).epsilon(1e-15));
  // tanh at q = 1: g = 1/√E[tanh²(z)], E[tanh²(z)] by Gauss–Kronrod with std::tanh.
  using gk = boost::math::quadrature::gauss_kronrod<double, 61>;
  const double m2 =
      gk::integrate([](double z) { return std::tanh(z) * std::tanh(z) * std::exp(-0.5 * z * z); },
                    -40.0, 40.0, 15, 1e-15) /
      std::sqrt(2.0 * boost::math::constants::pi<double>());
  CHECK(relative_error(initlab::variance_preserving_gain<initlab::tanh>(), 1.0 / std::sqrt(m2)) <=
        1e-12);
}
