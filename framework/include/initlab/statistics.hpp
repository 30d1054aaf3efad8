#pragma once
/// Estimates, standard errors and confidence intervals with the trial as the unit of
/// replication; Student-t / chi-squared / beta quantiles from Boost.Math. (What a study concludes from
/// an interval — Bonferroni, verdicts — is the study harness's policy: studies/harness/verdict.hpp.)
///
/// Determinism: sums run in index order (two-pass mean and variance), so an estimate has
/// the same bits for any thread count and any build. Boost.Math quantiles call libm
/// (log, exp, lgamma …), whose last bit may differ between x86-64 CPUs (glibc picks FMA
/// code paths at run time); every quantile is therefore rounded to 12 significant digits
/// (`round_significant`, exact decimal conversion) before use. A last-ulp difference
/// (relative 1e-16) then changes the rounded value only if the exact quantile lies within
/// ~1e-16 of a 12-digit rounding boundary, a chance of about 1e-4 per quantile, instead of
/// always reaching the report.

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/math.hpp>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Significant digits kept of every Boost.Math quantile (see the header comment).
inline constexpr int quantile_significant_digits = 12;

/// x rounded to `digits` significant decimal digits (exact: to_chars/from_chars are
/// correctly rounded, no libm involved). Non-finite x is returned unchanged.
[[nodiscard]] inline double round_significant(double x, int digits = quantile_significant_digits) {
  if (!(x - x == 0.0) || x == 0.0) return x;  // inf, nan, ±0
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific, digits - 1);
  if (r.ec != std::errc{}) throw std::logic_error("round_significant: to_chars failed");
  double y = 0.0;
  const auto p = std::from_chars(buf, r.ptr, y);
  if (p.ec != std::errc{}) throw std::logic_error("round_significant: from_chars failed");
  return y;
}

/// Upper quantile of Student's t: t with P(T > t) = tail, df > 0 degrees of freedom.
[[nodiscard]] inline double student_t_upper_quantile(double tail, double df) {
  return round_significant(
      boost::math::quantile(boost::math::complement(boost::math::students_t(df), tail)));
}

/// Quantile of the chi-squared distribution: x with P(X <= x) = p, df > 0.
[[nodiscard]] inline double chi_squared_quantile(double p, double df) {
  return round_significant(boost::math::quantile(boost::math::chi_squared(df), p));
}

/// Upper quantile of the chi-squared distribution: x with P(X > x) = tail, df > 0.
[[nodiscard]] inline double chi_squared_upper_quantile(double tail, double df) {
  return round_significant(
      boost::math::quantile(boost::math::complement(boost::math::chi_squared(df), tail)));
}

/// Upper quantile of N(0, 1): z with P(Z > z) = tail.
[[nodiscard]] inline double normal_upper_quantile(double tail) {
  return round_significant(
      boost::math::quantile(boost::math::complement(boost::math::normal(0.0, 1.0), tail)));
}

/// Mean and unbiased variance of a sample, summed in index order (two-pass, corrected).
struct sample_moments {
  std::size_t count = 0;  ///< number of values (trials)
  double mean = 0.0;      ///< arithmetic mean
  double variance = 0.0;  ///< unbiased sample variance (0 when count < 2)
};

/// Two-pass moments in index order: the same bits whatever produced the values.
[[nodiscard]] inline sample_moments moments(std::span<const double> x) {
  sample_moments m;
  m.count = x.size();
  if (x.empty()) return m;
  double sum = 0.0;
  for (double v : x)
    sum += v;
  m.mean = sum / static_cast<double>(x.size());
  if (x.size() < 2) return m;
  double ss = 0.0;
  double comp = 0.0;  // corrected two-pass (Chan, Golub, LeVeque 1983): removes mean's error
  for (double v : x) {
    const double d = v - m.mean;
    ss += d * d;
    comp += d;
  }
  const double n = static_cast<double>(x.size());
  m.variance = (ss - comp * comp / n) / (n - 1.0);
  if (m.variance < 0.0) m.variance = 0.0;
  return m;
}

/// Closed interval [low, high].
struct interval {
  double low = 0.0;   ///< lower end
  double high = 0.0;  ///< upper end
  /// True iff low <= x <= high.
  [[nodiscard]] constexpr bool contains(double x) const noexcept { return low <= x && x <= high; }
  /// (high - low) / 2.
  [[nodiscard]] constexpr double half_width() const noexcept { return (high - low) / 2.0; }
};

/// A point estimate with standard error and a two-sided confidence interval.
struct estimate {
  double value = 0.0;       ///< the estimate
  double std_error = 0.0;   ///< its standard error
  interval ci;              ///< confidence interval
  double confidence = 0.0;  ///< 1 - alpha
  std::size_t trials = 0;   ///< independent trials it rests on
  double skewness = 0.0;    ///< sample skewness of the per-trial values (0 where not used)
};

namespace detail {
inline void require_trials(std::size_t n, std::size_t need, const char* what) {
  if (n < need) throw std::invalid_argument(std::string(what) + ": too few trials");
}
inline void require_alpha(double alpha) {
  if (!(alpha > 0.0 && alpha < 1.0)) throw std::invalid_argument("alpha must be in (0, 1)");
}
}  // namespace detail

namespace detail {

/// Real cube root through initlab::math (the same bits on every CPU, unlike libm's cbrt).
[[nodiscard]] inline double cube_root(double v) noexcept {
  if (v == 0.0) return 0.0;
  const double r = math::exp(math::log(v < 0.0 ? -v : v) / 3.0);
  return v < 0.0 ? -r : r;
}

/// Sample skewness m₃/s³ of values with mean `mean` and unbiased variance `variance` (index order).
[[nodiscard]] inline double skewness(std::span<const double> x, double mean, double variance) {
  if (!(variance > 0.0)) return 0.0;
  double s3 = 0.0;
  for (double v : x) {
    const double d = v - mean;
    s3 += d * d * d;
  }
  const double sd = std::sqrt(variance);
  return s3 / static_cast<double>(x.size()) / (sd * sd * sd);
}

/// Fewest trials for which Hall's correction is applied: it is an O(n^-1/2) asymptotic correction
/// built on the sample skewness, which a handful of trials cannot estimate (a calibration of
/// study 09 at 4 trials per network found 13% unexpected verdicts with it); below this the plain
/// Student-t interval is used.
inline constexpr double hall_min_trials = 50.0;

/// Hall's (1992) skewness-corrected interval for a studentized mean: with γ = skew/√n,
/// g(T) = T + γT²/3 + γ²T³/27 + γ/6 is N(0,1) to second order, so μ ∈ [m − se·g⁻¹(t),
/// m − se·g⁻¹(−t)], g⁻¹(y) = (3/γ)((1 + γ(y − γ/6))^{1/3} − 1) (g is monotone).
[[nodiscard]] inline interval hall_interval(double m, double se, double skew, double n,
                                            double t) noexcept {
  const double gamma = skew / std::sqrt(n);
  if (gamma == 0.0 || se == 0.0 || n < hall_min_trials) return {m - t * se, m + t * se};
  const auto g_inverse = [gamma](double y) {
    return 3.0 / gamma * (cube_root(1.0 + gamma * (y - gamma / 6.0)) - 1.0);
  };
  return {m - se * g_inverse(t), m - se * g_inverse(-t)};
}

}  // namespace detail

/// Mean of per-trial values with Hall's (1992, "On the removal of skewness by transformation",
/// JRSS B 54:221) skewness-corrected studentized interval, Student-t quantile with n − 1 degrees
/// of freedom, at confidence 1 − alpha (two-sided). For symmetric data it is the Student-t
/// interval; for skewed data (deep ReLU networks) it moves the interval towards the long tail,
/// where the plain t interval under-covers on the other side (tests/runtime/coverage_test.cpp).
/// Needs at least 2 trials.
[[nodiscard]] inline estimate mean_estimate(std::span<const double> x, double alpha) {
  detail::require_trials(x.size(), 2, "mean_estimate");
  detail::require_alpha(alpha);
  const sample_moments m = moments(x);
  const double n = static_cast<double>(m.count);
  const double se = std::sqrt(m.variance / n);
  const double t = student_t_upper_quantile(alpha / 2.0, n - 1.0);
  const double skew = detail::skewness(x, m.mean, m.variance);
  return {m.mean, se, detail::hall_interval(m.mean, se, skew, n, t), 1.0 - alpha, m.count, skew};
}

/// Variance across trials (unbiased s²) with the chi-squared interval
/// [(n-1)s²/χ²_{1-α/2}, (n-1)s²/χ²_{α/2}], exact for Gaussian trial values; the standard
/// error is the Gaussian one, s²·√(2/(n-1)). Needs at least 2 trials.
[[nodiscard]] inline estimate variance_estimate(std::span<const double> x, double alpha) {
  detail::require_trials(x.size(), 2, "variance_estimate");
  detail::require_alpha(alpha);
  const sample_moments m = moments(x);
  const double df = static_cast<double>(m.count) - 1.0;
  const double upper = chi_squared_upper_quantile(alpha / 2.0, df);
  const double lower = chi_squared_quantile(alpha / 2.0, df);
  const double s2 = m.variance;
  return {s2, s2 * std::sqrt(2.0 / df), {df * s2 / upper, df * s2 / lower}, 1.0 - alpha, m.count};
}

/// An exact (deterministic) identity checked in every trial, e.g. "this gradient is exactly 0":
/// no sampling error is involved, so the "interval" is the range [min, max] of the per-trial
/// values (confidence 1), and the identity holds iff that range is the single point `analytic`
/// (see `decide_exact`). One deviating trial out of any number refutes it. Needs >= 1 trial.
[[nodiscard]] inline estimate exact_estimate(std::span<const double> x) {
  detail::require_trials(x.size(), 1, "exact_estimate");
  double lo = x[0];
  double hi = x[0];
  for (double v : x) {
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  return {moments(x).mean, 0.0, {lo, hi}, 1.0, x.size()};
}

/// Quantile of the Beta(a, b) distribution: x with P(X <= x) = p; a, b > 0.
[[nodiscard]] inline double beta_quantile(double p, double a, double b) {
  return round_significant(boost::math::quantile(boost::math::beta_distribution<double>(a, b), p));
}

/// A proportion: the fraction k/n of trials whose value is 1 (every value must be 0 or 1, e.g.
/// "this network is still at chance"), with the Clopper–Pearson interval at confidence 1 − alpha:
/// [B⁻¹(α/2; k, n−k+1), B⁻¹(1−α/2; k+1, n−k)], 0 for k = 0 and 1 for k = n. It inverts the
/// binomial test, so it covers with probability >= 1 − alpha for every n and p (no normal
/// approximation: valid for a handful of trials and at p near 0 or 1, where the Wald interval
/// fails; tests/runtime/statistics_test.cpp computes both coverages exactly). The standard error
/// is the binomial one, √(p̂(1−p̂)/n). Needs at least 1 trial.
[[nodiscard]] inline estimate proportion_estimate(std::span<const double> x, double alpha) {
  detail::require_trials(x.size(), 1, "proportion_estimate");
  detail::require_alpha(alpha);
  std::size_t k = 0;
  for (double v : x) {
    if (v != 0.0 && v != 1.0)
      throw std::invalid_argument("proportion_estimate: a trial value is neither 0 nor 1");
    k += v == 1.0 ? 1u : 0u;
  }
  const auto n = static_cast<double>(x.size());
  const auto kd = static_cast<double>(k);
  const double p = kd / n;
  const double low = k == 0 ? 0.0 : beta_quantile(alpha / 2.0, kd, n - kd + 1.0);
  const double high = k == x.size() ? 1.0 : beta_quantile(1.0 - alpha / 2.0, kd + 1.0, n - kd);
  return {p, std::sqrt(p * (1.0 - p) / n), {low, high}, 1.0 - alpha, x.size()};
}

/// Ratio of means mean(a)/mean(b) of paired per-trial values; delta-method standard error
/// √(Var a − 2R Cov(a,b) + R² Var b)/(|mean b|·√n); Hall's interval (see mean_estimate) on the
/// linearized values, Student-t quantile with n-1 df.
/// Needs at least 2 trials, equal lengths and mean(b) != 0.
[[nodiscard]] inline estimate ratio_estimate(std::span<const double> a, std::span<const double> b,
                                             double alpha) {
  if (a.size() != b.size()) throw std::invalid_argument("ratio_estimate: lengths differ");
  detail::require_trials(a.size(), 2, "ratio_estimate");
  detail::require_alpha(alpha);
  const sample_moments ma = moments(a);
  const sample_moments mb = moments(b);
  if (mb.mean == 0.0) throw std::invalid_argument("ratio_estimate: denominator mean is zero");
  const double r = ma.mean / mb.mean;
  double cov = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    cov += (a[i] - ma.mean) * (b[i] - mb.mean);
  const double n = static_cast<double>(a.size());
  cov /= n - 1.0;
  double v = ma.variance - 2.0 * r * cov + r * r * mb.variance;
  if (v < 0.0) v = 0.0;
  const double abs_b = mb.mean < 0.0 ? -mb.mean : mb.mean;
  const double se = std::sqrt(v / n) / abs_b;
  const double t = student_t_upper_quantile(alpha / 2.0, n - 1.0);
  // Skewness of the linearized values (a_i − R·b_i)/|mean b| (mean 0, variance v/|mean b|²).
  double s3 = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double z = ((a[i] - ma.mean) - r * (b[i] - mb.mean)) / abs_b;
    s3 += z * z * z;
  }
  const double sd = std::sqrt(v) / abs_b;
  const double skew = sd > 0.0 ? s3 / n / (sd * sd * sd) : 0.0;
  return {r, se, detail::hall_interval(r, se, skew, n, t), 1.0 - alpha, a.size(), skew};
}

}  // namespace initlab

INITLAB_FP_STRICT_END
