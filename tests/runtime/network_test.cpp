// forward_variances / backward_variances against an independent implementation of THEORY.md §1
// written here with run-time widths and Boost.Math Gauss–Kronrod moments (std::tanh, std::erf),
// and run-time evaluation == compile-time evaluation.
#include <array>
#include <boost/math/constants/constants.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <initlab/network.hpp>
#include <initlab/stability.hpp>
#include <vector>

namespace {

double relative_error(double value, double reference) {
  return std::abs(value - reference) / std::abs(reference);
}

// E_q[f] = ∫ f(√q z) φ(z) dz by adaptive Gauss–Kronrod (independent of initlab's quadrature).
double gaussian_mean(const std::function<double(double)>& f, double q) {
  using gk = boost::math::quadrature::gauss_kronrod<double, 61>;
  const double s = std::sqrt(q);
  return gk::integrate([&](double z) { return f(s * z) * std::exp(-0.5 * z * z); }, -40.0, 40.0, 15,
                       1e-15) /
         std::sqrt(2.0 * boost::math::constants::pi<double>());
}

struct ref_layer {
  double fan_in, fan_out, sigma2;
  std::function<double(double)> phi, dphi;
};

struct ref_profile {
  std::vector<double> forward, backward;
};

// The recursions of THEORY.md §1, written out directly.
ref_profile reference(const std::vector<ref_layer>& layers, double q0, double g) {
  ref_profile p;
  double h2 = q0;
  for (const auto& l : layers) {
    const double v = l.fan_in * l.sigma2 * h2;
    p.forward.push_back(v);
    h2 = gaussian_mean([&](double x) { return l.phi(x) * l.phi(x); }, v);
  }
  p.backward.assign(layers.size(), 0.0);
  double gy = g;
  for (std::size_t i = layers.size(); i-- > 0;) {
    p.backward[i] = layers[i].fan_out * layers[i].sigma2 * gy;
    if (i > 0) {
      const auto& below = layers[i - 1];
      gy =
          gaussian_mean([&](double x) { return below.dphi(x) * below.dphi(x); }, p.forward[i - 1]) *
          p.backward[i];
    }
  }
  return p;
}

double tanh_d(double x) {
  return 1.0 / (std::cosh(x) * std::cosh(x));
}
double erf_d(double x) {
  return 2.0 / std::sqrt(boost::math::constants::pi<double>()) * std::exp(-x * x);
}

using mixed = initlab::network<initlab::dense<30, 70, initlab::xavier_normal, initlab::tanh>,
                               initlab::dense<70, 20, initlab::lecun_uniform, initlab::erf>,
                               initlab::dense<20, 50, initlab::he_truncated_normal, initlab::tanh>,
                               initlab::dense<50, 5, initlab::random_normal<0.2>, initlab::erf>>;

std::vector<ref_layer> mixed_reference() {
  const auto tanh_f = [](double x) { return std::tanh(x); };
  const auto erf_f = [](double x) { return std::erf(x); };
  return {{30, 70, 2.0 / 100.0, tanh_f, tanh_d},
          {70, 20, 1.0 / 70.0, erf_f, erf_d},
          {20, 50, 2.0 / 20.0, tanh_f, tanh_d},
          {50, 5, 0.04, erf_f, erf_d}};
}

}  // namespace

TEST_CASE("tanh/erf network profile matches an independent Gauss-Kronrod recursion", "[network]") {
  for (double q0 : {0.1, 1.0, 3.0}) {
    for (double g : {1.0, 0.25}) {
      const ref_profile ref = reference(mixed_reference(), q0, g);
      const auto fwd = initlab::forward_variances<mixed>(q0);
      const auto bwd = initlab::backward_variances<mixed>(g, q0);
      for (std::size_t i = 0; i < mixed::depth; ++i) {
        INFO("q0 " << q0 << " g " << g << " layer " << i);
        CHECK(relative_error(fwd[i], ref.forward[i]) <= 1e-12);
        CHECK(relative_error(bwd[i], ref.backward[i]) <= 1e-12);
      }
    }
  }
}

TEST_CASE("ReLU stacks follow the closed-form products", "[network]") {
  // Var[y_l] = q0 · D_1σ_1² · ∏_{k≥2} D_kσ_k²/2 for ReLU (E[h²] = Var[y]/2); He gives 2q0.
  using net = initlab::network<initlab::dense<10, 40, initlab::lecun_normal, initlab::relu>,
                               initlab::dense<40, 40, initlab::xavier_normal, initlab::relu>,
                               initlab::dense<40, 3, initlab::he_normal, initlab::relu>>;
  const double q0 = 1.7;
  const auto fwd = initlab::forward_variances<net>(q0);
  const double v1 = q0;                            // 10·(1/10)·q0
  const double v2 = v1 / 2.0 * 40.0 * 2.0 / 80.0;  // Xavier 2/(40+40)
  const double v3 = v2 / 2.0 * 40.0 * 2.0 / 40.0;  // He
  CHECK(relative_error(fwd[0], v1) <= 1e-15);
  CHECK(relative_error(fwd[1], v2) <= 1e-15);
  CHECK(relative_error(fwd[2], v3) <= 1e-15);
  // Backward, g = 1: Var[∂L/∂x_3] = 3·(2/40); each layer below: ½ · D̂·σ².
  const auto bwd = initlab::backward_variances<net>(1.0);
  const double b3 = 3.0 * 2.0 / 40.0;
  const double b2 = b3 / 2.0 * 40.0 * 2.0 / 80.0;
  const double b1 = b2 / 2.0 * 40.0 / 10.0;
  CHECK(relative_error(bwd[2], b3) <= 1e-15);
  CHECK(relative_error(bwd[1], b2) <= 1e-15);
  CHECK(relative_error(bwd[0], b1) <= 1e-15);
}

TEST_CASE("profiles give the same bits at run time as at compile time", "[network]") {
  constexpr auto fwd_c = initlab::forward_variances<mixed>(1.0);
  constexpr auto bwd_c = initlab::backward_variances<mixed>(0.5, 1.0);
  volatile double one = 1.0;
  volatile double half = 0.5;
  CHECK(initlab::forward_variances<mixed>(one) == fwd_c);
  CHECK(initlab::backward_variances<mixed>(half, one) == bwd_c);
}
