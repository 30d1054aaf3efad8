// initlab::math and initlab quadrature in constant expressions: compiling is passing.
// Reference digits come from mpmath at 30 digits (independent of initlab), not from initlab.
#include <initlab/math.hpp>
#include <initlab/quadrature.hpp>

namespace {

namespace im = initlab::math;

/// |a − b| <= tol·|b|.
constexpr bool near(double a, double b, double tol) {
  const double d = a - b;
  const double m = b < 0.0 ? -b : b;
  return (d < 0.0 ? -d : d) <= tol * m;
}

/// The documented accuracy of initlab::math.
constexpr double tol = 1e-14;

// Exact special values.
static_assert(im::exp(0.0) == 1.0);
static_assert(im::log(1.0) == 0.0);
static_assert(im::expm1(0.0) == 0.0 && im::log1p(0.0) == 0.0);
static_assert(im::erf(0.0) == 0.0 && im::erfc(0.0) == 1.0 && im::erfcx(0.0) == 1.0);
static_assert(im::normal_cdf(0.0) == 0.5);
static_assert(im::tanh(0.0) == 0.0 && im::atan(0.0) == 0.0 && im::asin(0.0) == 0.0);
static_assert(im::sqrt(4.0) == 2.0 && im::sqrt(2.0) == im::sqrt2);
static_assert(im::exp(1000.0) == im::infinity && im::exp(-1000.0) == 0.0);
static_assert(im::log(0.0) == -im::infinity);
static_assert(im::log(-1.0) != im::log(-1.0));  // NaN
static_assert(im::erf(10.0) == 1.0 && im::erfc(-10.0) == 2.0 && im::tanh(-30.0) == -1.0);
static_assert(im::atan(im::infinity) == im::half_pi && im::asin(1.0) == im::half_pi);

// Values checked against 30-digit mpmath evaluations.
static_assert(near(im::exp(1.0), 2.718281828459045235360287, tol));
static_assert(near(im::exp(-20.0), 2.061153622438557827965e-9, tol));
static_assert(near(im::log(2.0), 0.6931471805599453094172321, tol));
static_assert(near(im::log(1e-300), -690.7755278982137052054, tol));
static_assert(near(im::log1p(1e-10), 9.9999999995000000000333e-11, tol));
static_assert(near(im::expm1(1e-10), 1.00000000005000000000167e-10, tol));
static_assert(near(im::atan(1.0), 0.7853981633974483096156608, tol));
static_assert(near(im::asin(0.5), 0.5235987755982988730771073, tol));
static_assert(near(im::erf(1.0), 0.8427007929497148693412206, tol));
static_assert(near(im::erfc(5.0), 1.537459794428034850188343e-12, tol));
static_assert(near(im::erfc(20.0), 5.395865611607900928934999e-176, tol));
static_assert(near(im::normal_cdf(-1.959963984540054), 0.025, tol));
static_assert(near(im::normal_pdf(1.0), 0.2419707245191433497978302, tol));
static_assert(near(im::tanh(0.5), 0.4621171572600097585023184, tol));
// erfcx(x) → 1/(x√π) for large x: 1/(x√π)·(1 − 1/(2x²) + 3/(4x⁴)) has error < 2e-20 at x = 1e4.
static_assert(near(im::erfcx(1e4), im::inv_sqrt_pi / 1e4 * (1.0 - 0.5e-8 + 0.75e-16), tol));

// Identities that tie functions together.
static_assert(near(im::exp(im::log(123.456)), 123.456, tol));
static_assert(near(im::erf(0.75) + im::erfc(0.75), 1.0, tol));
static_assert(near(im::normal_cdf(1.3) + im::normal_cdf(-1.3), 1.0, tol));
static_assert(near(im::sqrt_pi * im::sqrt_pi, im::pi, tol));
static_assert(near(im::inv_sqrt_2pi * im::sqrt_2pi, 1.0, tol));

// Gauss–Hermite (probabilists', N(0,1) weight): E[z^2k] = (2k − 1)!! exactly up to degree 2N − 1.
constexpr double gh_moment(double power) {
  return initlab::gauss_hermite_rule<10>.apply([power](double z) {
    double r = 1.0;
    for (int i = 0; i < static_cast<int>(power); ++i)
      r *= z;
    return r;
  });
}
static_assert(near(gh_moment(0), 1.0, tol));
static_assert(near(gh_moment(2), 1.0, tol));
static_assert(near(gh_moment(4), 3.0, tol));
static_assert(near(gh_moment(8), 105.0, tol));
static_assert(near(gh_moment(18), 34459425.0, tol));     // 17!!
static_assert(!near(gh_moment(20), 654729075.0, 1e-6));  // degree 20 > 2N − 1: no longer exact
static_assert(gh_moment(7) == 0.0);                      // symmetric nodes: odd moments vanish

// Gauss–Legendre on [−1, 1]: ∫x⁴ = 2/5.
static_assert(near(initlab::gauss_legendre_rule<5>.apply([](double x) { return x * x * x * x; }),
                   0.4, tol));

// The composite normal rule: E[(√q z)²] = q, E[|√q z|] = √(2q/π), P(z > 0) = 1/2.
static_assert(near(initlab::gaussian_expectation([](double x) { return x * x; }, 7.0), 7.0, tol));
static_assert(near(initlab::gaussian_expectation([](double x) { return x < 0.0 ? -x : x; }, 2.0),
                   2.0 / im::sqrt_pi, tol));
static_assert(near(initlab::gaussian_expectation([](double x) { return x > 0.0 ? 1.0 : 0.0; }, 3.0),
                   0.5, tol));

}  // namespace
