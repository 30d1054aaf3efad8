// initlab::math against 50-digit references (boost::multiprecision::cpp_bin_float_50), at
// >= 1,000 points per function over its documented domain and tails, and a bitwise check that
// constant-expression values equal run-time values.
#include <array>
#include <bit>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/log1p.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <initlab/math.hpp>
#include <limits>
#include <string>
#include <vector>

namespace {

using mp = boost::multiprecision::cpp_bin_float_50;
namespace im = initlab::math;

/// The documented accuracy of initlab::math: relative error <= 1e-14.
constexpr double max_relative_error = 1e-14;
/// Minimum number of test points per function (the brief asks for >= 1,000).
constexpr std::size_t min_points = 1000;

/// n points evenly spaced on [a, b].
std::vector<double> linspace(double a, double b, std::size_t n) {
  std::vector<double> v;
  for (std::size_t i = 0; i < n; ++i)
    v.push_back(a + (b - a) * static_cast<double>(i) / static_cast<double>(n - 1));
  return v;
}

/// n points sign·10^t with t evenly spaced on [lo, hi] (std::pow only places test points).
std::vector<double> logspace(double lo, double hi, std::size_t n, double sign = 1.0) {
  std::vector<double> v;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1);
    v.push_back(sign * std::pow(10.0, t));
  }
  return v;
}

std::vector<double> concat(std::initializer_list<std::vector<double>> parts) {
  std::vector<double> v;
  for (const auto& p : parts)
    v.insert(v.end(), p.begin(), p.end());
  return v;
}

struct error_report {
  double max_rel = 0.0;
  double worst_x = 0.0;
  std::size_t points = 0;
};

/// Max relative error of f against ref over xs; points whose reference is below `floor` in
/// magnitude (subnormal results) are skipped: relative accuracy is not promised there.
error_report measure(const std::string& name, const std::vector<double>& xs,
                     const std::function<double(double)>& f,
                     const std::function<mp(const mp&)>& ref,
                     double floor = std::numeric_limits<double>::min()) {
  error_report r;
  for (const double x : xs) {
    const mp exact = ref(mp(x));
    if (boost::multiprecision::abs(exact) < floor) continue;
    const double got = f(x);
    const double rel = static_cast<double>(boost::multiprecision::abs((mp(got) - exact) / exact));
    ++r.points;
    if (!(rel <= r.max_rel)) {  // also catches NaN
      r.max_rel = rel;
      r.worst_x = x;
    }
  }
  std::printf("math_test: %-11s %5zu points  max relative error %.3e (%.2f ulp-ish) at x = %.17g\n",
              name.c_str(), r.points, r.max_rel, r.max_rel / 1.1102230246251565e-16, r.worst_x);
  return r;
}

void check(const error_report& r) {
  CHECK(r.points >= min_points);
  CHECK(r.max_rel <= max_relative_error);
}

const mp mp_pi = boost::math::constants::pi<mp>();

/// erfcx reference: e^(x²)·erfc(x) in 50 digits, or for x > 100 the asymptotic series
/// (1/(x√π))·Σ (−1)^n (2n−1)!!/(2x²)^n, whose truncation error after 40 terms is < 1e-60 there.
mp erfcx_ref(const mp& x) {
  if (x <= 100) return exp(x * x) * boost::math::erfc(x);
  mp sum = 0;
  mp term = 1;
  const mp inv_2x2 = 1 / (2 * x * x);
  for (int n = 0; n < 40; ++n) {
    sum += term;
    term *= -(2 * n + 1) * inv_2x2;
  }
  return sum / (x * sqrt(mp_pi));
}

}  // namespace

TEST_CASE("sqrt is correctly rounded (matches the IEEE square root bit for bit)", "[math]") {
  const auto xs = concat({logspace(-307, 307, 1500), linspace(0.0, 4.0, 500)});
  for (const double x : xs) {
    const double expected = std::sqrt(x);  // correctly rounded by IEEE 754
    REQUIRE(std::bit_cast<std::uint64_t>(im::sqrt(x)) == std::bit_cast<std::uint64_t>(expected));
  }
  CHECK(std::isnan(im::sqrt(-1.0)));
  CHECK(im::sqrt(std::numeric_limits<double>::infinity()) ==
        std::numeric_limits<double>::infinity());
}

TEST_CASE("the constant-evaluation square root is correctly rounded too", "[math]") {
  // detail::sqrt_correctly_rounded is what Clang evaluates in constant expressions (math::sqrt
  // above runs the hardware instruction): compare it at run time, bit for bit, on random bit
  // patterns (normal and subnormal), on perfect squares and their neighbours (exact roots and
  // the cases nearest a rounding tie), and on every power of two with its neighbours.
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;  // splitmix64: a fixed, portable sequence
  const auto next = [&state] {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  std::size_t checked = 0;
  std::size_t mismatches = 0;
  const auto check_one = [&](double x) {
    if (!(x > 0.0) || !std::isfinite(x)) return;
    ++checked;
    mismatches += std::bit_cast<std::uint64_t>(im::detail::sqrt_correctly_rounded(x)) !=
                  std::bit_cast<std::uint64_t>(std::sqrt(x));
  };
  for (int i = 0; i < 1000000; ++i) {
    check_one(std::bit_cast<double>(next() & 0x7fffffffffffffffULL));
    check_one(std::bit_cast<double>(next() & 0x000fffffffffffffULL));  // subnormal
  }
  for (int i = 1; i <= 300000; ++i) {
    const double s = static_cast<double>(i) * static_cast<double>(i);
    check_one(s);
    check_one(std::nextafter(s, 0.0));
    check_one(std::nextafter(s, std::numeric_limits<double>::infinity()));
  }
  for (int e = -1074; e <= 1023; ++e) {
    const double x = std::ldexp(1.0, e);
    check_one(x);
    check_one(std::nextafter(x, 0.0));
    check_one(std::nextafter(x, std::numeric_limits<double>::infinity()));
  }
  check_one(std::numeric_limits<double>::max());
  std::printf("math_test: constant-evaluation sqrt: %zu arguments, %zu mismatches\n", checked,
              mismatches);
  CHECK(checked > 2000000);
  CHECK(mismatches == 0);
  static_assert(im::detail::sqrt_correctly_rounded(2.0) == im::sqrt2);
}

TEST_CASE("exp over its full range", "[math]") {
  const auto xs = concat({linspace(-708.0, 709.7, 2000), linspace(-1.0, 1.0, 501),
                          logspace(-300, 0, 200), logspace(-300, 0, 200, -1.0)});
  check(measure(
      "exp", xs, [](double x) { return im::exp(x); }, [](const mp& x) { return exp(x); }));
  CHECK(im::exp(710.0) == std::numeric_limits<double>::infinity());
  CHECK(im::exp(-746.0) == 0.0);
  CHECK(im::exp(0.0) == 1.0);
  CHECK(std::isnan(im::exp(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("expm1 near 0 and far out", "[math]") {
  const auto xs = concat({linspace(-50.0, 709.0, 1000), linspace(-1.0, 1.0, 501),
                          logspace(-300, 0, 300), logspace(-300, 0, 300, -1.0)});
  check(measure(
      "expm1", xs, [](double x) { return im::expm1(x); },
      [](const mp& x) { return boost::math::expm1(x); }));
  CHECK(im::expm1(-50.0) == -1.0);
}

TEST_CASE("log: full range, subnormals, and near 1", "[math]") {
  std::vector<double> near_one;
  for (int k = 1; k <= 52; ++k) {
    near_one.push_back(1.0 + std::ldexp(1.0, -k));
    near_one.push_back(1.0 - std::ldexp(1.0, -k - 1));
  }
  const auto xs = concat({logspace(-320, 308, 1500), linspace(0.5, 2.0, 601), near_one});
  check(measure(
      "log", xs, [](double x) { return im::log(x); }, [](const mp& x) { return log(x); }));
  CHECK(im::log(1.0) == 0.0);
  CHECK(im::log(0.0) == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(im::log(-1.0)));
}

TEST_CASE("log1p near 0, near −1 and large", "[math]") {
  std::vector<double> near_minus_one;
  for (int k = 1; k <= 52; ++k)
    near_minus_one.push_back(-1.0 + std::ldexp(1.0, -k));
  const auto xs = concat({logspace(-300, 300, 1000), logspace(-300, -1e-9, 600, -1.0),
                          linspace(-0.99, 1.0, 401), near_minus_one});
  check(measure(
      "log1p", xs, [](double x) { return im::log1p(x); },
      [](const mp& x) { return boost::math::log1p(x); }));
  CHECK(im::log1p(-1.0) == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(im::log1p(-2.0)));
}

TEST_CASE("erf, erfc down to underflow, erfcx for large x", "[math]") {
  const auto erf_xs =
      concat({linspace(-6.5, 6.5, 1301), logspace(-300, 0, 300), logspace(-300, 0, 300, -1.0)});
  check(measure(
      "erf", erf_xs, [](double x) { return im::erf(x); },
      [](const mp& x) { return boost::math::erf(x); }));

  const auto erfc_xs = concat({linspace(-6.0, 26.5, 1626), logspace(-300, 0, 200)});
  check(measure(
      "erfc", erfc_xs, [](double x) { return im::erfc(x); },
      [](const mp& x) { return boost::math::erfc(x); }));

  const auto erfcx_xs =
      concat({linspace(-26.0, 30.0, 1121), logspace(-300, 0, 200), logspace(1.0, 10.0, 300)});
  check(measure(
      "erfcx", erfcx_xs, [](double x) { return im::erfcx(x); }, erfcx_ref));
  CHECK(im::erfc(30.0) == 0.0);
  CHECK(im::erf(-7.0) == -1.0);
  CHECK(im::erfcx(-27.0) == std::numeric_limits<double>::infinity());
}

TEST_CASE("atan, asin, tanh", "[math]") {
  const auto atan_xs =
      concat({logspace(-300, 300, 800), logspace(-300, 300, 800, -1.0), linspace(-3.0, 3.0, 601)});
  check(measure(
      "atan", atan_xs, [](double x) { return im::atan(x); }, [](const mp& x) { return atan(x); }));
  CHECK(im::atan(std::numeric_limits<double>::infinity()) == im::half_pi);

  std::vector<double> near_one;
  for (int k = 1; k <= 53; ++k) {
    near_one.push_back(1.0 - std::ldexp(1.0, -k));
    near_one.push_back(-1.0 + std::ldexp(1.0, -k));
  }
  const auto asin_xs = concat(
      {linspace(-1.0, 1.0, 1001), logspace(-300, 0, 300), logspace(-300, 0, 300, -1.0), near_one});
  check(measure(
      "asin", asin_xs, [](double x) { return im::asin(x); }, [](const mp& x) { return asin(x); }));
  CHECK(std::isnan(im::asin(1.5)));

  const auto tanh_xs =
      concat({linspace(-25.0, 25.0, 1001), logspace(-300, 1, 300), logspace(-300, 1, 300, -1.0)});
  check(measure(
      "tanh", tanh_xs, [](double x) { return im::tanh(x); }, [](const mp& x) { return tanh(x); }));
}

TEST_CASE("normal_pdf and normal_cdf including the deep lower tail", "[math]") {
  const mp inv_sqrt_2pi = 1 / sqrt(2 * mp_pi);
  const auto pdf_xs = concat({linspace(-37.5, 37.5, 1501), logspace(-300, 0, 200)});
  check(measure(
      "normal_pdf", pdf_xs, [](double x) { return im::normal_pdf(x); },
      [&](const mp& x) { return exp(-x * x / 2) * inv_sqrt_2pi; }));

  const auto cdf_xs = concat({linspace(-37.5, 10.0, 1901), logspace(-300, 0, 200, -1.0)});
  check(measure(
      "normal_cdf", cdf_xs, [](double x) { return im::normal_cdf(x); },
      [](const mp& x) { return boost::math::erfc(-x / sqrt(mp(2))) / 2; }));
}

namespace {

/// Sample points for the compile-time/run-time comparison, spread over every function's domain.
constexpr std::array<double, 12> sample = {-30.5, -7.25, -2.0, -0.75, -1e-9, 1e-300,
                                           0.3,   0.999, 1.75, 4.5,   19.0,  600.0};

using fn_ptr = double (*)(double) noexcept;
/// All unary functions of initlab::math, in a fixed order.
constexpr std::array<fn_ptr, 13> functions = {
    im::sqrt,  im::exp,  im::expm1, im::log,  im::log1p,      im::erf,       im::erfc,
    im::erfcx, im::atan, im::asin,  im::tanh, im::normal_pdf, im::normal_cdf};

/// Factor applied to the sample for each function: asin's points must lie in [−1, 1].
constexpr std::array<double, functions.size()> argument_scale = {1, 1, 1,          1, 1, 1, 1,
                                                                 1, 1, 1.0 / 40.0, 1, 1, 1};

/// Every function at every sample point, evaluated by the compiler.
constexpr auto compile_time_table = [] {
  std::array<std::array<double, sample.size()>, functions.size()> t{};
  for (std::size_t f = 0; f < functions.size(); ++f)
    for (std::size_t i = 0; i < sample.size(); ++i) {
      const double x = sample[i] * argument_scale[f];
      t[f][i] = functions[f](x);
    }
  return t;
}();

}  // namespace

TEST_CASE("constant-expression values equal run-time values bit for bit", "[math]") {
  std::size_t compared = 0;
  for (std::size_t f = 0; f < functions.size(); ++f) {
    for (std::size_t i = 0; i < sample.size(); ++i) {
      volatile double laundered = sample[i] * argument_scale[f];
      const double x = laundered;  // the compiler cannot fold this call
      const double run_time = functions[f](x);
      INFO("function #" << f << " at x = " << x);
      // NaN (log of a negative sample) compares by bits too: the same NaN must come out.
      CHECK(std::bit_cast<std::uint64_t>(run_time) ==
            std::bit_cast<std::uint64_t>(compile_time_table[f][i]));
      ++compared;
    }
  }
  CHECK(compared == functions.size() * sample.size());
}
