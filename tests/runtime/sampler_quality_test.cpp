// Statistical quality of the bulk samplers at >= 10^7 samples per distribution, fixed seeds:
// Kolmogorov–Smirnov against Boost.Math CDFs, the first four moments against their standard
// errors, normal tail counts beyond 3σ/4σ/5σ against binomial quantiles, hard bounds, and
// negative controls showing the same checks reject a slightly wrong distribution.
#include <algorithm>
#include <array>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <initlab/sampler.hpp>
#include <span>
#include <vector>

namespace {

using initlab::stream;

/// Samples per distribution.
constexpr std::size_t samples = 10'000'000;
/// Significance level of each KS test and of each tail-count interval.
constexpr double alpha = 1e-3;
/// Moment checks fail beyond this many standard errors (two-sided p ≈ 6e-5 each).
constexpr double moment_z_limit = 4.0;
/// Root of all streams in this file.
const stream root = stream(20240611).child(4);

/// Asymptotic Kolmogorov tail P(K > λ) = 2 Σ (−1)^{k−1} exp(−2k²λ²) (libm is fine in a test).
double kolmogorov_tail(double lambda) {
  if (lambda < 0.2) return 1.0;
  double sum = 0.0;
  for (int k = 1; k <= 100; ++k) {
    const double term = std::exp(-2.0 * k * k * lambda * lambda);
    sum += (k % 2 ? term : -term);
    if (term < 1e-300) break;
  }
  return std::clamp(2.0 * sum, 0.0, 1.0);
}

struct ks_result {
  double d;        ///< sup |F_n − F|
  double p_value;  ///< with Stephens' finite-n correction λ = (√n + 0.12 + 0.11/√n)·D
};

/// One-sample KS test of `x` (sorted in place) against `cdf`.
template <class Cdf>
ks_result ks_test(std::vector<double>& x, Cdf cdf) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  const double rn = std::sqrt(n);
  return {d, kolmogorov_tail((rn + 0.12 + 0.11 / rn) * d)};
}

/// z-scores of the raw moments E[((x − center)/scale)^k], k = 1..4, against the exact values
/// mu[k] (mu[0..8] given): SE_k = √((mu[2k] − mu[k]²)/n), since the center is known.
std::array<double, 4> moment_z(std::span<const double> x, double center, double scale,
                               const std::array<double, 9>& mu) {
  std::array<long double, 5> sum{};
  for (double v : x) {
    const long double y = (static_cast<long double>(v) - center) / scale;
    long double p = 1;
    for (int k = 1; k <= 4; ++k)
      sum[k] += (p *= y);
  }
  std::array<double, 4> z{};
  const double n = static_cast<double>(x.size());
  for (int k = 1; k <= 4; ++k) {
    const double se = std::sqrt((mu[2 * k] - mu[k] * mu[k]) / n);
    z[k - 1] = static_cast<double>(sum[k] / n - mu[k]) / se;
  }
  return z;
}

double max_abs(const std::array<double, 4>& z) {
  double m = 0;
  for (double v : z)
    m = std::max(m, std::fabs(v));
  return m;
}

/// Moments 0..8 of N(0, 1).
constexpr std::array<double, 9> normal_moments{1, 0, 1, 0, 3, 0, 15, 0, 105};
/// Moments 0..8 of U[−1, 1]: 1/(k+1) for even k.
constexpr std::array<double, 9> uniform_moments{1, 0, 1.0 / 3, 0, 1.0 / 5, 0, 1.0 / 7, 0, 1.0 / 9};

/// Moments 0..8 of N(0,1) given |z| < a: μ_k = (k−1)μ_{k−2} − 2a^{k−1}φ(a)/(2Φ(a) − 1), k even
/// (integration by parts of ∫ x^k φ over (−a, a)).
std::array<double, 9> truncated_moments(double a) {
  const double mass = boost::math::erf(a / std::sqrt(2.0));
  const double pdf = boost::math::pdf(boost::math::normal_distribution<double>(), a);
  std::array<double, 9> mu{1, 0, 0, 0, 0, 0, 0, 0, 0};
  for (int k = 2; k <= 8; k += 2)
    mu[k] = (k - 1) * mu[k - 2] - 2 * std::pow(a, k - 1) * pdf / mass;
  return mu;
}

/// CDF of N(0, σ²) conditioned on |x| < 2σ.
struct truncated_cdf {
  boost::math::normal_distribution<double> parent;
  double lo = boost::math::cdf(parent, -2 * parent.standard_deviation());
  double mass = boost::math::cdf(parent, 2 * parent.standard_deviation()) - lo;
  double operator()(double x) const {
    return std::clamp((boost::math::cdf(parent, x) - lo) / mass, 0.0, 1.0);
  }
};

}  // namespace

TEST_CASE("normal: KS, moments, tails beyond 3, 4, 5 sigma, serial correlation", "[quality]") {
  constexpr double mean = 0.5, sd = 2.0;
  std::vector<double> x(2 * samples);  // 2·10⁷: ~11 expected beyond 5σ
  initlab::parallel_fill_normal(root.child(0), std::span(x), mean, sd, 2);

  const auto z = moment_z(x, mean, sd, normal_moments);
  INFO("moment z-scores " << z[0] << ' ' << z[1] << ' ' << z[2] << ' ' << z[3]);
  CHECK(max_abs(z) < moment_z_limit);

  // Lag-1 correlation (neighbours share an ARS block): |r| < 4/√n.
  long double cross = 0;
  for (std::size_t i = 1; i < x.size(); ++i)
    cross += (x[i] - mean) * (x[i - 1] - mean);
  const double r = static_cast<double>(cross / (x.size() - 1)) / (sd * sd);
  CHECK(std::fabs(r) < 4.0 / std::sqrt(static_cast<double>(x.size())));

  const auto n = static_cast<double>(x.size());
  for (int k : {3, 4, 5}) {
    std::size_t count = 0;
    for (double v : x)
      count += std::fabs(v - mean) > k * sd;
    const double p = boost::math::erfc(k / std::sqrt(2.0));
    const boost::math::binomial_distribution<double> binom(n, p);
    const double lo = boost::math::quantile(binom, alpha / 2);
    const double hi = boost::math::quantile(boost::math::complement(binom, alpha / 2));
    INFO(k << " sigma: count " << count << ", expected " << n * p << ", interval [" << lo << ", "
           << hi << "]");
    CHECK(static_cast<double>(count) >= lo);
    CHECK(static_cast<double>(count) <= hi);
  }

  const boost::math::normal_distribution<double> law(mean, sd);
  const auto ks = ks_test(x, [&](double v) { return boost::math::cdf(law, v); });
  INFO("KS D = " << ks.d << ", p = " << ks.p_value);
  CHECK(ks.p_value > alpha);
}

TEST_CASE("normal, float output (32-bit words, single precision): KS, moments, tails",
          "[quality]") {
  // 2·10⁷ as for doubles, so the wedge-less float control below is judged at the same size.
  std::vector<float> f(2 * samples);
  initlab::parallel_fill_normal(root.child(1), std::span(f), 0.0, 1.0, 2);
  std::vector<double> x(f.begin(), f.end());
  const auto z = moment_z(x, 0.0, 1.0, normal_moments);
  INFO("moment z-scores " << z[0] << ' ' << z[1] << ' ' << z[2] << ' ' << z[3]);
  CHECK(max_abs(z) < moment_z_limit);
  for (int k : {3, 4, 5}) {
    const double p = std::erfc(k / std::sqrt(2.0));
    const auto count =
        std::count_if(x.begin(), x.end(), [&](double v) { return std::fabs(v) > k; });
    const boost::math::binomial_distribution<double> binom(static_cast<double>(x.size()), p);
    INFO(k << " sigma: count " << count << ", expected " << static_cast<double>(x.size()) * p);
    CHECK(static_cast<double>(count) >= boost::math::quantile(binom, alpha / 2));
    CHECK(static_cast<double>(count) <=
          boost::math::quantile(boost::math::complement(binom, alpha / 2)));
  }
  const boost::math::normal_distribution<double> law;
  const auto ks = ks_test(x, [&](double v) { return boost::math::cdf(law, v); });
  INFO("KS D = " << ks.d << ", p = " << ks.p_value);
  CHECK(ks.p_value > alpha);
}

TEST_CASE("uniform, float output (32-bit words, single precision): KS, moments", "[quality]") {
  std::vector<float> f(samples);
  initlab::fill_uniform(root.child(14), std::span(f), -1.0, 1.0);
  std::vector<double> x(f.begin(), f.end());
  CHECK(*std::min_element(x.begin(), x.end()) >= -1.0);
  CHECK(*std::max_element(x.begin(), x.end()) <= 1.0);
  const auto z = moment_z(x, 0.0, 1.0, uniform_moments);
  INFO("moment z-scores " << z[0] << ' ' << z[1] << ' ' << z[2] << ' ' << z[3]);
  CHECK(max_abs(z) < moment_z_limit);
  const boost::math::uniform_distribution<double> law(-1.0, 1.0);
  const auto cdf = [&](double v) { return boost::math::cdf(law, std::clamp(v, -1.0, 1.0)); };
  const auto ks = ks_test(x, cdf);
  INFO("KS D = " << ks.d << ", p = " << ks.p_value);
  CHECK(ks.p_value > alpha);
  // Negative control near KS's resolution at 10⁷ (critical D ≈ 6·10⁻⁴): the same draws on
  // [−1.002, 1.002] (D ≈ 10⁻³) are rejected.
  initlab::fill_uniform(root.child(14), std::span(f), -1.002, 1.002);
  x.assign(f.begin(), f.end());
  const auto wide = ks_test(x, cdf);
  INFO("control KS D = " << wide.d << ", p = " << wide.p_value);
  CHECK(wide.p_value < alpha);
}

TEST_CASE("uniform: KS, moments, bounds", "[quality]") {
  std::vector<double> x(samples);
  initlab::fill_uniform(root.child(2), x, -1.0, 1.0);
  CHECK(*std::min_element(x.begin(), x.end()) >= -1.0);
  CHECK(*std::max_element(x.begin(), x.end()) <= 1.0);
  const auto z = moment_z(x, 0.0, 1.0, uniform_moments);
  INFO("moment z-scores " << z[0] << ' ' << z[1] << ' ' << z[2] << ' ' << z[3]);
  CHECK(max_abs(z) < moment_z_limit);
  const boost::math::uniform_distribution<double> law(-1.0, 1.0);
  const auto ks = ks_test(x, [&](double v) { return boost::math::cdf(law, v); });
  INFO("KS D = " << ks.d << ", p = " << ks.p_value);
  CHECK(ks.p_value > alpha);

  // Bounds for awkward intervals, double and float.
  for (auto [lo, hi] :
       {std::pair{-0.3, 0.3}, std::pair{1e-3, 1e-3 + 1e-9}, std::pair{-7.1, -2.2}}) {
    initlab::fill_uniform(root.child(3), x, lo, hi);
    const auto [mn, mx] = std::minmax_element(x.begin(), x.end());
    CHECK(*mn >= lo);
    CHECK(*mx <= hi);
    std::vector<float> f(samples);
    initlab::fill_uniform(root.child(3), std::span(f), lo, hi);
    const auto [fmn, fmx] = std::minmax_element(f.begin(), f.end());
    CHECK(*fmn >= static_cast<float>(lo));
    CHECK(*fmx <= static_cast<float>(hi));
  }
}

TEST_CASE("truncated normal: KS, moments, strict bounds", "[quality]") {
  constexpr double sigma = 1.0;
  std::vector<double> x(samples);
  initlab::fill_truncated_normal(root.child(4), x, sigma);
  CHECK(std::count_if(x.begin(), x.end(), [&](double v) { return std::fabs(v) >= 2 * sigma; }) ==
        0);
  const auto z = moment_z(x, 0.0, sigma, truncated_moments(2.0));
  INFO("moment z-scores " << z[0] << ' ' << z[1] << ' ' << z[2] << ' ' << z[3]);
  CHECK(max_abs(z) < moment_z_limit);
  const auto ks = ks_test(x, truncated_cdf{boost::math::normal_distribution<double>(0.0, sigma)});
  INFO("KS D = " << ks.d << ", p = " << ks.p_value);
  CHECK(ks.p_value > alpha);

  // Strict bounds for other σ, double and float (floats: |w| < 2σ evaluated in double).
  for (double s : {0.05, 0.3, 3.7}) {
    initlab::fill_truncated_normal(root.child(5), x, s);
    CHECK(std::count_if(x.begin(), x.end(), [&](double v) { return std::fabs(v) >= 2 * s; }) == 0);
    std::vector<float> f(samples);
    initlab::fill_truncated_normal(root.child(5), std::span(f), s);
    CHECK(std::count_if(f.begin(), f.end(),
                        [&](float v) { return std::fabs(static_cast<double>(v)) >= 2 * s; }) == 0);
  }
}

TEST_CASE("truncated normal, float output (32-bit words, single precision): KS, moments",
          "[quality]") {
  constexpr double sigma = 1.0;
  std::vector<float> f(samples);
  initlab::fill_truncated_normal(root.child(16), std::span(f), sigma);
  std::vector<double> x(f.begin(), f.end());
  CHECK(std::count_if(x.begin(), x.end(), [&](double v) { return std::fabs(v) >= 2 * sigma; }) ==
        0);
  const auto z = moment_z(x, 0.0, sigma, truncated_moments(2.0));
  INFO("moment z-scores " << z[0] << ' ' << z[1] << ' ' << z[2] << ' ' << z[3]);
  CHECK(max_abs(z) < moment_z_limit);
  const truncated_cdf cdf{boost::math::normal_distribution<double>(0.0, sigma)};
  const auto ks = ks_test(x, cdf);
  INFO("KS D = " << ks.d << ", p = " << ks.p_value);
  CHECK(ks.p_value > alpha);
  // Negative control near KS's resolution at 10⁷: σ·1.003 (D ≈ 10⁻³) is rejected.
  initlab::fill_truncated_normal(root.child(16), std::span(f), 1.003 * sigma);
  x.assign(f.begin(), f.end());
  const auto wide = ks_test(x, cdf);
  INFO("control KS D = " << wide.d << ", p = " << wide.p_value);
  CHECK(wide.p_value < alpha);
}

TEST_CASE("independent streams are uncorrelated", "[quality]") {
  std::vector<double> a(samples), b(samples);
  initlab::fill_normal(root.child(6), a, 0.0, 1.0);
  initlab::fill_normal(root.child(7), b, 0.0, 1.0);
  long double cross = 0;
  for (std::size_t i = 0; i < samples; ++i)
    cross += a[i] * b[i];
  CHECK(std::fabs(static_cast<double>(cross / samples)) < 4.0 / std::sqrt(double(samples)));
}

TEST_CASE("normal: KS p-values of 100 independent streams are uniform", "[quality]") {
  // A second-level test: a defect too small for one KS test at 10⁵ samples but systematic across
  // streams skews the p-values; 100 streams × 10⁵ samples = 10⁷ normals.
  constexpr std::size_t streams = 100, per_stream = 100'000;
  const boost::math::normal_distribution<double> law;
  std::vector<double> p_values;
  std::vector<double> x(per_stream);
  for (std::size_t i = 0; i < streams; ++i) {
    initlab::fill_normal(root.child(11).child(i), x, 0.0, 1.0);
    p_values.push_back(ks_test(x, [&](double v) { return boost::math::cdf(law, v); }).p_value);
  }
  const auto ks = ks_test(p_values, [](double p) { return p; });
  INFO("second-level KS D = " << ks.d << ", p = " << ks.p_value);
  CHECK(ks.p_value > alpha);
}

TEST_CASE("negative controls: the checks reject slightly wrong distributions", "[quality]") {
  // σ·1.01 tested against N(0, 1): KS and the second moment must both reject.
  std::vector<double> x(samples);
  initlab::fill_normal(root.child(8), x, 0.0, 1.01);
  const auto z = moment_z(x, 0.0, 1.0, normal_moments);
  INFO("moment z-scores " << z[0] << ' ' << z[1] << ' ' << z[2] << ' ' << z[3]);
  CHECK(std::fabs(z[1]) > moment_z_limit);
  const boost::math::normal_distribution<double> law;
  const auto ks = ks_test(x, [&](double v) { return boost::math::cdf(law, v); });
  INFO("KS D = " << ks.d << ", p = " << ks.p_value);
  CHECK(ks.p_value < alpha);

  // U[−1.01, 1.01] against U[−1, 1]: KS rejects.
  initlab::fill_uniform(root.child(9), x, -1.01, 1.01);
  const boost::math::uniform_distribution<double> unit(-1.0, 1.0);
  const auto ku =
      ks_test(x, [&](double v) { return boost::math::cdf(unit, std::clamp(v, -1.0, 1.0)); });
  CHECK(ku.p_value < alpha);

  // The untruncated normal against the truncated CDF: moments reject.
  initlab::fill_normal(root.child(10), x, 0.0, 1.0);
  x.erase(std::remove_if(x.begin(), x.end(), [](double v) { return std::fabs(v) >= 2.2; }),
          x.end());  // truncated at 2.2σ instead of 2σ
  CHECK(max_abs(moment_z(x, 0.0, 1.0, truncated_moments(2.0))) > moment_z_limit);
}

namespace {

/// `count` words of stream `s` forced into layer 0 beyond r's share (u·x₀ ≥ r), so that
/// detail::ziggurat_normal takes the tail; the result's magnitudes.
std::vector<double> forced_tail(const stream& s, std::size_t count) {
  using namespace initlab::detail;
  const auto& t = ziggurat();
  std::vector<double> out;
  out.reserve(count);
  for (std::uint64_t n = 0; out.size() < count; ++n) {
    const std::uint64_t w = s.word(n) & ~std::uint64_t{(1u << 12) - 1};  // layer 0, sign +
    if (ziggurat_unit(w) * t.x[0] < ziggurat_r) continue;
    out.push_back(ziggurat_normal(s, n, w));
  }
  return out;
}

/// CDF of |Z| given |Z| > r.
double tail_cdf(double x) {
  const double r = initlab::detail::ziggurat_r;
  return std::clamp(1.0 - boost::math::erfc(x / std::sqrt(2.0)) / boost::math::erfc(r / std::sqrt(2.0)),
                    0.0, 1.0);
}

/// The ziggurat without its wedge test (every point of a layer's box accepted): a normal with
/// ≈ 0.1% of its mass misplaced into the top layers, a defect at the resolution of the checks.
std::vector<double> ziggurat_without_wedges(const stream& s, std::size_t count) {
  using namespace initlab::detail;
  const auto& t = ziggurat();
  std::vector<double> out(count);
  for (std::uint64_t n = 0; n < count; ++n) {
    const std::uint64_t w = s.word(n);
    const std::size_t i = ziggurat_layer(w);
    out[n] = i == 0 ? ziggurat_normal(s, n, w)
                    : with_sign(ziggurat_unit(w) * t.x[i], ziggurat_sign(w));
  }
  return out;
}

/// The float ziggurat without its wedge test, on the 32-bit words of `s` (word n = word n%4 of
/// block n/4), as the float fills read them.
std::vector<double> ziggurat_without_wedges_f32(const stream& s, std::size_t count) {
  using namespace initlab::detail;
  const auto& t = ziggurat_f32();
  std::vector<double> out(count);
  for (std::uint64_t n = 0; n < count; ++n) {
    const std::uint32_t w = s.block(n / 4)[n % 4];
    const std::size_t i = ziggurat_layer_f32(w);
    out[n] = i == 0 ? ziggurat_normal_f32(s, n, w)
                    : with_sign_f32(ziggurat_unit_f32(w) * t.layer[i].x, ziggurat_sign_f32(w));
  }
  return out;
}

}  // namespace

TEST_CASE("normal: the ziggurat's tail beyond r follows N(0, 1) given |z| > r", "[quality]") {
  // 10⁶ tail draws (the fills see a tail element once per ≈ 4·10⁴): KS against the conditional
  // law, all beyond r.
  auto x = forced_tail(root.child(12), 1'000'000);
  CHECK(*std::min_element(x.begin(), x.end()) > initlab::detail::ziggurat_r);
  const auto ks = ks_test(x, tail_cdf);
  INFO("tail KS D = " << ks.d << ", p = " << ks.p_value);
  CHECK(ks.p_value > alpha);
  // Negative control: the tail shifted by 1% of its mean excess over r is rejected.
  const double r = initlab::detail::ziggurat_r;
  for (double& v : x)
    v = r + (v - r) * 1.01;
  CHECK(ks_test(x, tail_cdf).p_value < alpha);
}

TEST_CASE("negative control: the checks reject a ziggurat without wedge tests", "[quality]") {
  // The defect a ziggurat is most likely to have: ≈ 0.1% of the mass misplaced outwards within
  // the layers. At the 2·10⁷ samples of the normal test above it sits at KS's resolution (KS
  // alone does not reliably see it: p ≈ 0.2 on these draws, so KS is reported, not checked),
  // but the fourth moment, with the same limit that passes the real sampler, rejects it.
  auto x = ziggurat_without_wedges(root.child(13), 2 * samples);
  const auto z = moment_z(x, 0.0, 1.0, normal_moments);
  const boost::math::normal_distribution<double> law;
  const auto ks = ks_test(x, [&](double v) { return boost::math::cdf(law, v); });
  INFO("moment z-scores " << z[0] << ' ' << z[1] << ' ' << z[2] << ' ' << z[3] << "; KS D = "
                          << ks.d << ", p = " << ks.p_value);
  CHECK(max_abs(z) > moment_z_limit);
}

TEST_CASE("negative control: the checks reject a float ziggurat without wedge tests", "[quality]") {
  // The same defect in the single-precision fast path, at the float normal test's 2·10⁷: the
  // fourth moment, with the limit that passes the real float sampler, rejects it.
  auto x = ziggurat_without_wedges_f32(root.child(15), 2 * samples);
  const auto z = moment_z(x, 0.0, 1.0, normal_moments);
  INFO("moment z-scores " << z[0] << ' ' << z[1] << ' ' << z[2] << ' ' << z[3]);
  CHECK(max_abs(z) > moment_z_limit);
}
