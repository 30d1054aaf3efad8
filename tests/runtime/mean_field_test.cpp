// Mean-field fixed points and χ₁ against independent references: a Boost.Math TOMS 748 root of
// q − σ_w²·E_q[φ²] − σ_b² with Gauss–Kronrod moments (std::tanh), and closed forms (ReLU, erf).
#include <boost/math/constants/constants.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/tools/roots.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <initlab/mean_field.hpp>

namespace {

namespace mf = initlab::mean_field;

double relative_error(double value, double reference) {
  return std::abs(value - reference) / std::abs(reference);
}

double gaussian_mean(const std::function<double(double)>& f, double q) {
  using gk = boost::math::quadrature::gauss_kronrod<double, 61>;
  const double s = std::sqrt(q);
  return gk::integrate([&](double z) { return f(s * z) * std::exp(-0.5 * z * z); }, -40.0, 40.0, 15,
                       1e-15) /
         std::sqrt(2.0 * boost::math::constants::pi<double>());
}

// The positive root of q = σ_w²·E_q[φ²] + σ_b² in (lo, hi), by TOMS 748.
double reference_fixed_point(const std::function<double(double)>& m2, double w, double b, double lo,
                             double hi) {
  std::uintmax_t iterations = 200;
  const auto r =
      boost::math::tools::toms748_solve([&](double q) { return q - w * m2(q) - b; }, lo, hi,
                                        boost::math::tools::eps_tolerance<double>(50), iterations);
  return (r.first + r.second) / 2.0;
}

double tanh_m2(double q) {
  return gaussian_mean([](double x) { return std::tanh(x) * std::tanh(x); }, q);
}
double tanh_dm2(double q) {
  return gaussian_mean([](double x) { return std::pow(std::cosh(x), -4.0); }, q);
}

}  // namespace

TEST_CASE("tanh fixed point and chi1 match a TOMS 748 + Gauss-Kronrod reference", "[mean_field]") {
  struct point {
    double w, b;
  };
  for (point p : {point{1.0, 0.05}, point{1.5, 0.0}, point{1.5, 0.05}, point{2.5, 0.3},
                  point{0.8, 0.05}, point{4.0, 1.0}}) {
    const mf::analysis a = mf::analyze<initlab::tanh>({p.w, p.b});
    const double ref_q = reference_fixed_point(tanh_m2, p.w, p.b, 1e-6, 20.0);
    const double ref_chi = p.w * tanh_dm2(ref_q);
    INFO("sigma_w^2 " << p.w << " sigma_b^2 " << p.b << ": q* " << a.q_star << " vs " << ref_q
                      << ", chi1 " << a.chi1 << " vs " << ref_chi);
    CHECK(relative_error(a.q_star, ref_q) <= 1e-12);
    CHECK(relative_error(a.chi1, ref_chi) <= 1e-12);
    CHECK(a.phase == (ref_chi < 1.0 ? mf::phase::ordered : mf::phase::chaotic));
  }
}

TEST_CASE("tanh without bias: q* = 0 up to sigma_w^2 = 1, positive beyond", "[mean_field]") {
  CHECK(mf::fixed_point<initlab::tanh>({0.95, 0.0}) == 0.0);
  CHECK(mf::fixed_point<initlab::tanh>({1.0, 0.0}) == 0.0);
  // Just above the critical line the positive fixed point is small: q* ≈ (σ_w² − 1)/(2σ_w²)·…;
  // compare with the reference root instead of an expansion.
  for (double w : {1.01, 1.1}) {
    const double q = mf::fixed_point<initlab::tanh>({w, 0.0});
    const double ref = reference_fixed_point(tanh_m2, w, 0.0, 1e-8, 10.0);
    INFO("sigma_w^2 " << w << ": " << q << " vs " << ref);
    CHECK(relative_error(q, ref) <= 1e-12);
  }
}

TEST_CASE("erf: fixed point of the closed-form length map", "[mean_field]") {
  // E_q[erf²(√q z)] = (2/π)·asin(2q/(1+2q)) (THEORY.md §3, a = b = 1).
  const auto m2 = [](double q) {
    return 2.0 / boost::math::constants::pi<double>() * std::asin(2.0 * q / (1.0 + 2.0 * q));
  };
  for (double w : {1.0, 2.0, 3.0}) {
    const double b = 0.1;
    const double q = mf::fixed_point<initlab::erf>({w, b});
    const double ref = reference_fixed_point(m2, w, b, 1e-6, 50.0);
    INFO("sigma_w^2 " << w << ": " << q << " vs " << ref);
    CHECK(relative_error(q, ref) <= 1e-12);
  }
}

TEST_CASE("ReLU with bias: q* = sigma_b^2 / (1 - sigma_w^2/2)", "[mean_field]") {
  for (double w : {0.5, 1.0, 1.5, 1.9}) {
    for (double b : {0.01, 0.5}) {
      CHECK(relative_error(mf::fixed_point<initlab::relu>({w, b}), b / (1.0 - w / 2.0)) <= 1e-14);
    }
  }
  CHECK(std::isinf(mf::fixed_point<initlab::relu>({2.0, 0.1})));  // q grows by σ_b² per layer
}

TEST_CASE("mean field gives the same bits at run time as at compile time", "[mean_field]") {
  constexpr mf::analysis c = mf::analyze<initlab::tanh>({1.5, 0.05});
  volatile double w = 1.5;
  volatile double b = 0.05;
  const mf::analysis r = mf::analyze<initlab::tanh>({w, b});
  CHECK(r.q_star == c.q_star);
  CHECK(r.chi1 == c.chi1);
  CHECK(r.depth_scale == c.depth_scale);
}
