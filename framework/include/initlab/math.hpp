#pragma once
/// Constexpr elementary and special functions in pure double arithmetic.
///
/// Why not <cmath>: glibc's libm picks FMA or non-FMA code paths at run time, so the same call
/// can give different bits on two x86-64 CPUs, and most <cmath> functions are not usable in
/// constant expressions. Everything here is plain IEEE-754 double arithmetic (+, -, *, /, and
/// the correctly rounded square root), evaluated in a fixed order. With -ffp-contract=off a
/// value computed in a constant expression has the same bits as the same call at run time, on
/// every x86-64 CPU. No branch depends on constant evaluation, except sqrt under Clang, which
/// picks between two correctly rounded square roots (same bits).
///
/// Accuracy target: relative error <= 1e-14 on the documented domains (tests/runtime/math_test.cpp
/// measures it against 50-digit references). Results that underflow into subnormals lose relative
/// accuracy gracefully, as in any libm.

#include <bit>
#include <cstdint>
#include <limits>
#include <initlab/detail/fp_strict.hpp>

INITLAB_FP_STRICT_BEGIN

namespace initlab::math {

// ------------------------------------------------------------------ constants

/// π.
inline constexpr double pi = 3.14159265358979323846;
/// π/2.
inline constexpr double half_pi = 1.57079632679489661923;
/// 1/π.
inline constexpr double inv_pi = 0.318309886183790671538;
/// √2.
inline constexpr double sqrt2 = 1.41421356237309504880;
/// 1/√2.
inline constexpr double inv_sqrt2 = 0.707106781186547524401;
/// √π.
inline constexpr double sqrt_pi = 1.77245385090551602730;
/// 1/√π.
inline constexpr double inv_sqrt_pi = 0.564189583547756286948;
/// 2/√π, the factor in erf.
inline constexpr double two_over_sqrt_pi = 1.12837916709551257390;
/// √(2π).
inline constexpr double sqrt_2pi = 2.50662827463100050242;
/// 1/√(2π), the peak of the standard normal density.
inline constexpr double inv_sqrt_2pi = 0.398942280401432677940;
/// √(2/π).
inline constexpr double sqrt_2_over_pi = 0.797884560802865355879;
/// ln 2.
inline constexpr double ln2 = 0.693147180559945309417;
/// log2(e) = 1/ln 2.
inline constexpr double log2e = 1.44269504088896340736;
/// Euler's number e.
inline constexpr double e = 2.71828182845904523536;

/// Quiet NaN, returned for arguments outside a function's domain.
inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();
/// +∞.
inline constexpr double infinity = std::numeric_limits<double>::infinity();

/// |x| (keeps NaN; -0 becomes +0). std::abs is not constexpr in C++20.
[[nodiscard]] constexpr double abs(double x) noexcept {
  return x < 0.0 ? -x : (x == 0.0 ? 0.0 : x);
}

/// True for finite doubles (not NaN, not ±∞); usable on template arguments.
[[nodiscard]] constexpr bool is_finite(double x) noexcept {
  return x == x && x <= std::numeric_limits<double>::max() &&
         x >= -std::numeric_limits<double>::max();
}

namespace detail {

/// True for NaN (x != x), without <cmath>.
[[nodiscard]] constexpr bool is_nan(double x) noexcept {
  return x != x;
}

/// 2^k for k in [-1022, 1023], exact, built from the exponent bits.
[[nodiscard]] constexpr double pow2(int k) noexcept {
  return std::bit_cast<double>(static_cast<std::uint64_t>(k + 1023) << 52);
}

/// x · 2^k for any int k (result may overflow to ∞ or underflow to a subnormal or 0).
[[nodiscard]] constexpr double scale2(double x, int k) noexcept {
  while (k > 1023) {
    x *= pow2(1023);
    k -= 1023;
    if (x == infinity || x == -infinity) return x;
  }
  while (k < -1022) {
    // Two steps through -1022+53 keep one rounding only when the result lands in subnormals.
    x *= pow2(-969);
    k += 969;
    if (x == 0.0) return x;
  }
  return x * pow2(k);
}

/// Unevaluated sum hi + lo with |lo| <= ulp(hi)/2 ("double-double"), for the few places that
/// need more than 53 bits internally (Dekker 1971; Hida, Li, Bailey QD library).
struct dd {
  double hi = 0.0;
  double lo = 0.0;
};

/// Exact a + b = s + e (Knuth's TwoSum).
[[nodiscard]] constexpr dd two_sum(double a, double b) noexcept {
  const double s = a + b;
  const double bb = s - a;
  const double err = (a - (s - bb)) + (b - bb);
  return {s, err};
}

/// Exact a + b = s + e when |a| >= |b| (Dekker's FastTwoSum).
[[nodiscard]] constexpr dd quick_two_sum(double a, double b) noexcept {
  const double s = a + b;
  return {s, b - (s - a)};
}

/// Veltkamp split of a into 26-bit halves (valid for |a| < 1e300).
[[nodiscard]] constexpr dd split(double a) noexcept {
  constexpr double splitter = 134217729.0;  // 2^27 + 1
  const double c = splitter * a;
  const double hi = c - (c - a);
  return {hi, a - hi};
}

/// Exact a·b = p + e without FMA (Dekker's TwoProduct); |a|, |b| < 1e150.
[[nodiscard]] constexpr dd two_prod(double a, double b) noexcept {
  const double p = a * b;
  const dd as = split(a);
  const dd bs = split(b);
  const double err = ((as.hi * bs.hi - p) + as.hi * bs.lo + as.lo * bs.hi) + as.lo * bs.lo;
  return {p, err};
}

/// Double-double addition, accurate also under cancellation (QD's ieee_add).
[[nodiscard]] constexpr dd add(dd a, dd b) noexcept {
  dd s = two_sum(a.hi, b.hi);
  const dd t = two_sum(a.lo, b.lo);
  s.lo += t.hi;
  s = quick_two_sum(s.hi, s.lo);
  s.lo += t.lo;
  return quick_two_sum(s.hi, s.lo);
}

/// Double-double product.
[[nodiscard]] constexpr dd mul(dd a, dd b) noexcept {
  dd p = two_prod(a.hi, b.hi);
  p.lo += a.hi * b.lo + a.lo * b.hi;
  return quick_two_sum(p.hi, p.lo);
}

/// Double-double divided by a double.
[[nodiscard]] constexpr dd div(dd a, double b) noexcept {
  const double q1 = a.hi / b;
  const dd p = two_prod(q1, b);
  const double r = ((a.hi - p.hi) - p.lo) + a.lo;
  return quick_two_sum(q1, r / b);
}

/// ln 2 split so that k·ln2_hi is exact for |k| < 2^11 (fdlibm's Cody–Waite constants).
inline constexpr double ln2_hi = 6.93147180369123816490e-01;
/// Remainder ln 2 − ln2_hi.
inline constexpr double ln2_lo = 1.90821492927058770002e-10;

/// Degree of the Taylor polynomial of e^r on |r| <= ln2/2: 0.347^15/15! < 1e-19.
inline constexpr int exp_taylor_degree = 14;
/// Terms of the atanh series 2(s + s³/3 + ...) for |s| <= 0.1716 (s² <= 0.0295): < 1e-18 after.
inline constexpr int atanh_series_terms = 13;

/// 2·atanh(s) = ln((1+s)/(1−s)) for |s| <= 0.1716; series 2Σ s^(2j+1)/(2j+1).
[[nodiscard]] constexpr double two_atanh_small(double s) noexcept {
  const double s2 = s * s;
  double sum = 1.0 / (2.0 * atanh_series_terms - 1.0);
  for (int j = atanh_series_terms - 2; j >= 0; --j)
    sum = sum * s2 + 1.0 / (2.0 * j + 1.0);
  return 2.0 * s * sum;
}

/// e^(−(hi+lo)) for an exactly split argument hi + lo with |lo| <= ulp(hi): e^(−hi)·(1 − lo).
/// Declared here, defined after exp.
[[nodiscard]] constexpr double exp_neg_dd(dd a) noexcept;

}  // namespace detail

// ------------------------------------------------------------- sqrt, exp, log

namespace detail {

/// Newton steps of the integer square root below: from the start's relative error <= 2.5% the
/// error squares each step (2.5e-2 → 3e-4 → 5e-8 → 1.2e-15 → 7e-31 < 2^-54), so 5 steps and one
/// that stops; the limit only bounds the loop.
inline constexpr int isqrt_newton_max_steps = 8;

/// √x correctly rounded (to nearest, ties to even) in integer arithmetic, for finite x > 0
/// (subnormals included): x = m·2^p with p even, r = ⌊√(m·2^54)⌋ has 54 bits, rounded to 53 with
/// the remainder as sticky bit. IEEE 754 defines sqrt as the correctly rounded root, so this has
/// the bits of the hardware instruction (tests/runtime/math_test.cpp compares them); it is what
/// math::sqrt evaluates in constant expressions where the compiler cannot fold __builtin_sqrt.
/// r comes from integer Newton steps r ← ⌊(r + ⌊n/r⌋)/2⌋, which decrease from any start above
/// ⌊√n⌋ and stop there (the first step that does not decrease): ~6 steps where a bit-by-bit
/// root takes 54, which matters under Clang's constexpr step limit (one profile takes two roots
/// per layer).
[[nodiscard]] constexpr double sqrt_correctly_rounded(double x) noexcept {
  __extension__ using u128 = unsigned __int128;
  const std::uint64_t b = std::bit_cast<std::uint64_t>(x);
  int e = static_cast<int>(b >> 52);
  std::uint64_t m = b & 0x000FFFFFFFFFFFFFull;
  if (e == 0) {  // subnormal: normalize the significand to [2^52, 2^53)
    e = 1;
    while ((m & (std::uint64_t{1} << 52)) == 0) {
      m <<= 1;
      --e;
    }
  } else {
    m |= std::uint64_t{1} << 52;
  }
  int p = e - 1075;  // x = m·2^p
  if ((p & 1) != 0) {
    m <<= 1;
    --p;
  }
  const u128 big = static_cast<u128>(m) << 54;  // m·2^54 ∈ [2^106, 2^108)
  // Start above √big: with t = big/2^106 ∈ [1, 4), a tangent of the concave √t bounds it from
  // above, √t <= (t + c²)/(2c): c = 5/4 on [1, 2), c = 7/4 on [2, 4) (within 2.5%); the +1s cover
  // the floors. In units of 2^53: 2^53·t <= t53, 2^53·c² = 25·2^49 or 49·2^49.
  const u128 t53 = (big >> 53) + 1;
  const bool upper = (big >> 107) != 0;  // t >= 2
  u128 root = upper ? (t53 + (static_cast<u128>(49) << 49)) * 2 / 7 + 1
                    : (t53 + (static_cast<u128>(25) << 49)) * 2 / 5 + 1;
  for (int step = 0; step < isqrt_newton_max_steps; ++step) {
    const u128 next = (root + big / root) >> 1;
    if (next >= root) break;
    root = next;
  }
  const u128 rem = big - root * root;
  // root = ⌊√big⌋ ∈ [2^53, 2^54), rem = big − root²; √x = √big·2^(p/2 − 27).
  std::uint64_t q = static_cast<std::uint64_t>(root >> 1);
  if ((root & 1) != 0 && (rem != 0 || (q & 1) != 0)) ++q;
  return static_cast<double>(q) * pow2(p / 2 - 26);
}

}  // namespace detail

/// √x, correctly rounded (IEEE sqrt); x < 0 → NaN, √(−0) = −0, √∞ = ∞. GCC folds
/// __builtin_sqrt exactly in constant expressions; Clang does not fold it, so under Clang a
/// constant expression uses detail::sqrt_correctly_rounded, which has the same bits (both are
/// the correctly rounded root): the one branch on constant evaluation in this file.
[[nodiscard]] constexpr double sqrt(double x) noexcept {
  if (detail::is_nan(x) || x < 0.0) return nan;
  if (x == 0.0 || x == infinity) return x;
#if defined(__clang__)
  if (__builtin_is_constant_evaluated()) return detail::sqrt_correctly_rounded(x);
#endif
  return __builtin_sqrt(x);
}

/// e^x, all x: Cody–Waite reduction x = k·ln2 + r, |r| <= ln2/2, Taylor degree 14, scale by 2^k
/// (fdlibm's e_exp.c scheme). Overflow (x > 709.78) → ∞, x < −745.14 → 0, NaN → NaN.
[[nodiscard]] constexpr double exp(double x) noexcept {
  constexpr double overflow_threshold = 7.09782712893383973096e+02;    // ln(DBL_MAX)
  constexpr double underflow_threshold = -7.45133219101941108420e+02;  // ln(min subnormal / 2)
  if (detail::is_nan(x)) return x;
  if (x > overflow_threshold) return infinity;
  if (x < underflow_threshold) return 0.0;
  const double kd_raw = x * log2e;
  const auto k = static_cast<int>(kd_raw < 0.0 ? kd_raw - 0.5 : kd_raw + 0.5);
  const double kd = static_cast<double>(k);
  const double r = (x - kd * detail::ln2_hi) - kd * detail::ln2_lo;
  // Horner on Σ r^j/j!, j = 1..degree, as r·(1 + r/2·(1 + r/3·(...))).
  double p = 1.0;
  for (int j = detail::exp_taylor_degree; j >= 2; --j)
    p = 1.0 + p * r / static_cast<double>(j);
  const double er = 1.0 + r * p;
  return detail::scale2(er, k);
}

/// e^x − 1 without cancellation: Taylor Σ x^j/j! (degree 16) for |x| <= ln2/2, else exp(x) − 1
/// (|e^x − 1| >= 0.29 there, so no digits are lost); x < −40 → −1, NaN → NaN.
[[nodiscard]] constexpr double expm1(double x) noexcept {
  constexpr double series_limit = 0.34657359027997264;  // ln2/2
  constexpr int degree = 16;                            // 0.347^17/17! < 1e-22
  if (detail::is_nan(x)) return x;
  if (x < -40.0) return -1.0;
  if (abs(x) <= series_limit) {
    double p = 1.0;
    for (int j = degree; j >= 2; --j)
      p = 1.0 + p * x / static_cast<double>(j);
    return x * p;
  }
  return exp(x) - 1.0;
}

/// ln x for x > 0: x = m·2^e with m in [√½, √2), ln m = 2·atanh((m−1)/(m+1)) by series,
/// e·ln2 added in two parts (fdlibm e_log.c reduction). x < 0 → NaN, 0 → −∞, ∞ → ∞.
[[nodiscard]] constexpr double log(double x) noexcept {
  if (detail::is_nan(x) || x < 0.0) return nan;
  if (x == 0.0) return -infinity;
  if (x == infinity) return x;
  int e = 0;
  if (x < std::numeric_limits<double>::min()) {  // subnormal: make it normal first
    x *= detail::pow2(54);
    e -= 54;
  }
  const auto bits = std::bit_cast<std::uint64_t>(x);
  e += static_cast<int>((bits >> 52) & 0x7ffU) - 1023;
  // m in [1, 2): same mantissa, exponent field of 1.0.
  double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  if (m > sqrt2) {
    m *= 0.5;
    e += 1;
  }
  const double f = m - 1.0;  // exact (Sterbenz)
  const double log_m = detail::two_atanh_small(f / (2.0 + f));
  const double ed = static_cast<double>(e);
  return ed * detail::ln2_hi + (ed * detail::ln2_lo + log_m);
}

/// ln(1 + x) for x > −1 without cancellation: 2·atanh(x/(2+x)) by series for x in [√½−1, √2−1],
/// else log(1 + x). x < −1 → NaN, −1 → −∞, ∞ → ∞.
[[nodiscard]] constexpr double log1p(double x) noexcept {
  constexpr double lower = -0.29289321881345247560;  // √½ − 1
  constexpr double upper = 0.41421356237309504880;   // √2 − 1
  if (detail::is_nan(x) || x < -1.0) return nan;
  if (x == -1.0) return -infinity;
  if (x >= lower && x <= upper) return detail::two_atanh_small(x / (2.0 + x));
  return log(1.0 + x);
}

namespace detail {

constexpr double exp_neg_dd(dd a) noexcept {
  // e^(−hi−lo) = e^(−hi)·e^(−lo), and e^(−lo) = 1 − lo to double precision since |lo| < 1e-13.
  return exp(-a.hi) * (1.0 - a.lo);
}

}  // namespace detail

// ------------------------------------------------------------ trig and tanh

/// atan x, all x: |x| > 1 uses π/2 − atan(1/x); two half-angle steps t → t/(1+√(1+t²)) bring
/// |t| <= 0.199, then the Taylor series (14 terms). ±∞ → ±π/2, NaN → NaN.
[[nodiscard]] constexpr double atan(double x) noexcept {
  constexpr int half_angle_steps = 2;
  constexpr int series_terms = 14;                      // 0.199^28/29 < 1e-20
  constexpr double half_pi_lo = 6.123233995736766e-17;  // π/2 − half_pi
  if (detail::is_nan(x)) return x;
  if (x == 0.0) return x;
  const bool negative = x < 0.0;
  double a = negative ? -x : x;
  const bool inverted = a > 1.0;
  if (inverted) a = 1.0 / a;
  for (int i = 0; i < half_angle_steps; ++i)
    a = a / (1.0 + sqrt(1.0 + a * a));
  const double a2 = a * a;
  double sum = 1.0 / (2.0 * series_terms - 1.0);
  for (int j = series_terms - 2; j >= 0; --j) {
    const double c = 1.0 / (2.0 * j + 1.0);
    sum = c - a2 * sum;  // alternating: Σ (−1)^j a^(2j)/(2j+1), Horner form c_j − a²·rest
  }
  double result = static_cast<double>(1 << half_angle_steps) * a * sum;
  if (inverted) result = half_pi - (result - half_pi_lo);
  return negative ? -result : result;
}

/// asin x for |x| <= 1: atan(x/√((1−x)(1+x))) for |x| <= ½, else ±(π/2 −
/// atan(√((1−|x|)(1+|x|))/|x|)) (1−|x| is exact there). |x| > 1 → NaN.
[[nodiscard]] constexpr double asin(double x) noexcept {
  constexpr double half_pi_lo = 6.123233995736766e-17;
  if (detail::is_nan(x) || x > 1.0 || x < -1.0) return nan;
  const double a = abs(x);
  const double c = sqrt((1.0 - a) * (1.0 + a));  // cos(asin a)
  if (a <= 0.5) return atan(x / c);
  const double r = half_pi - (atan(c / a) - half_pi_lo);
  return x < 0.0 ? -r : r;
}

/// tanh x, all x: for x >= 0, m/(m+2) with m = expm1(2x) (no cancellation near 0); odd symmetry;
/// |x| > 20 → ±1 (1 − tanh 20 < 2^-54). NaN → NaN.
[[nodiscard]] constexpr double tanh(double x) noexcept {
  constexpr double saturation = 20.0;
  if (detail::is_nan(x)) return x;
  if (x == 0.0) return x;
  const double a = abs(x);
  double r = 1.0;
  if (a <= saturation) {
    const double m = expm1(2.0 * a);
    r = m / (m + 2.0);
  }
  return x < 0.0 ? -r : r;
}

// ------------------------------------------------------- error function family

namespace detail {

/// Maclaurin terms of erf for |x| < ½: 0.25^n/(n!(2n+1)) < 1e-19 for n >= 16.
inline constexpr int erf_series_terms = 18;
/// erf x = (2/√π) Σ (−x²)^n x/(n!(2n+1)) for |x| < ½ (A&S 7.1.5); relative error ~ 1 ulp.
[[nodiscard]] constexpr double erf_small(double x) noexcept {
  const double x2 = x * x;
  double sum = 0.0;
  double term = 1.0;  // (−x²)^n/n!
  for (int n = 0; n < erf_series_terms; ++n) {
    sum += term / (2.0 * n + 1.0);
    term *= -x2 / (n + 1.0);
  }
  return two_over_sqrt_pi * x * sum;
}

/// Maximum terms of the erfcx Maclaurin series on [0, 2): 2^k/Γ(k/2+1) < 1e-20 beyond k = 90.
inline constexpr int erfcx_series_max_terms = 110;
/// Relative size of a term at which the erfcx series stops.
inline constexpr double erfcx_series_tolerance = 1e-34;
/// 2/√π as a double-double (hi, lo).
inline constexpr dd two_over_sqrt_pi_dd{1.1283791670955126, 1.533545961316588e-17};

/// erfcx x = e^(x²) erfc x = Σ_k (−x)^k/Γ(k/2+1) for 0 <= x < 2, summed in double-double: the
/// alternating sum loses up to ~log10(430) digits at x = 2, which the 106-bit sum absorbs.
[[nodiscard]] constexpr double erfcx_series(double x) noexcept {
  const dd x2 = two_prod(x, x);
  const dd two_x2{2.0 * x2.hi, 2.0 * x2.lo};
  dd sum{1.0, 0.0};
  dd even{1.0, 0.0};                               // x^(2m)/m!
  dd odd = mul(two_over_sqrt_pi_dd, dd{-x, 0.0});  // −x/Γ(3/2)
  sum = add(sum, odd);
  for (int k = 2; k < erfcx_series_max_terms; ++k) {
    dd& t = (k % 2 == 0) ? even : odd;
    t = div(mul(t, two_x2), static_cast<double>(k));  // t_k = t_(k−2)·2x²/k
    sum = add(sum, t);
    if (abs(t.hi) < erfcx_series_tolerance * abs(sum.hi) && k > 4) break;
  }
  return sum.hi + sum.lo;
}

/// Number of levels of the Laplace continued fraction for erfcx at x >= 2: 12 + 200/x² reaches
/// full double precision (62 levels at x = 2, measured with mpmath; doubling it changes nothing).
[[nodiscard]] constexpr int erfcx_cf_levels(double x) noexcept {
  if (x > 100.0) return 12;
  return 12 + static_cast<int>(200.0 / (x * x));
}

/// erfcx x = (1/√π)/(x + ½/(x + 1/(x + (3/2)/(x + ...)))) for x >= 2 (A&S 7.1.14), evaluated
/// bottom-up with a fixed depth.
[[nodiscard]] constexpr double erfcx_cf(double x) noexcept {
  double t = x;
  for (int k = erfcx_cf_levels(x); k >= 1; --k)
    t = x + (0.5 * k) / t;
  return inv_sqrt_pi / t;
}

/// erfcx for x >= 0.
[[nodiscard]] constexpr double erfcx_nonneg(double x) noexcept {
  constexpr double cf_start = 2.0;
  return x < cf_start ? erfcx_series(x) : erfcx_cf(x);
}

/// erfc for x >= 0.
[[nodiscard]] constexpr double erfc_nonneg(double x) noexcept {
  constexpr double series_limit = 0.5;
  constexpr double underflow = 27.3;  // erfc(27.3) < 2^-1075
  if (x < series_limit) return 1.0 - erf_small(x);
  if (x > underflow) return 0.0;
  return exp_neg_dd(two_prod(x, x)) * erfcx_nonneg(x);
}

}  // namespace detail

/// erf x, all x: Maclaurin series for |x| < ½, else ±(1 − erfc|x|); |x| >= 6 → ±1. NaN → NaN.
[[nodiscard]] constexpr double erf(double x) noexcept {
  constexpr double saturation = 6.0;  // erfc(6) = 2e-17 < 2^-54
  if (detail::is_nan(x)) return x;
  const double a = abs(x);
  if (a < 0.5) return detail::erf_small(x);
  const double r = a >= saturation ? 1.0 : 1.0 - detail::erfc_nonneg(a);
  return x < 0.0 ? -r : r;
}

/// erfc x = 1 − erf x, all x, relative error <= 1e-14 down to underflow (x ≈ 26.5):
/// x < ½: 1 − erf; [½, 2): e^(−x²)·erfcx with the series; x >= 2: e^(−x²)·erfcx by continued
/// fraction; x² is split exactly (Dekker) so e^(−x²) keeps full accuracy. x < 0: 2 − erfc(−x).
[[nodiscard]] constexpr double erfc(double x) noexcept {
  if (detail::is_nan(x)) return x;
  if (x < 0.0) return x < -6.0 ? 2.0 : 2.0 - detail::erfc_nonneg(-x);
  return detail::erfc_nonneg(x);
}

/// Scaled complementary error function erfcx x = e^(x²)·erfc x, accurate for large x (no
/// underflow: erfcx x ≈ 1/(x√π)): Maclaurin series in double-double for 0 <= x < 2, continued
/// fraction for x >= 2; x < 0: 2e^(x²) − erfcx(−x), overflowing to ∞ below x ≈ −26.6. NaN → NaN.
[[nodiscard]] constexpr double erfcx(double x) noexcept {
  constexpr double overflow = -26.6;  // 2e^(x²) > DBL_MAX
  if (detail::is_nan(x)) return x;
  if (x >= 0.0) return detail::erfcx_nonneg(x);
  if (x < overflow) return infinity;
  const detail::dd x2 = detail::two_prod(x, x);
  return 2.0 * (exp(x2.hi) * (1.0 + x2.lo)) - detail::erfcx_nonneg(-x);
}

/// Standard normal density φ(x) = e^(−x²/2)/√(2π), all x (x² split exactly); |x| > 40 → 0.
[[nodiscard]] constexpr double normal_pdf(double x) noexcept {
  constexpr double cutoff = 40.0;  // e^(−800) underflows to 0
  if (detail::is_nan(x)) return x;
  if (x > cutoff || x < -cutoff) return 0.0;
  const detail::dd x2 = detail::two_prod(x, x);
  return detail::exp_neg_dd({0.5 * x2.hi, 0.5 * x2.lo}) * inv_sqrt_2pi;
}

/// Standard normal distribution function Φ(x), all x, relative error <= 1e-14 down to underflow
/// (x ≈ −37.5): x < −2√2 uses φ(x)·R(−x) with Mills' ratio R(t) = 1/(t + 1/(t + 2/(t + ...)))
/// (Laplace's continued fraction, fixed depth 12 + 400/x²), else ½·erfc(−x/√2). NaN → NaN.
[[nodiscard]] constexpr double normal_cdf(double x) noexcept {
  constexpr double cf_start = -2.8284271247461903;  // −2√2, where erfcx switches to its CF
  constexpr double underflow = -38.5;
  if (detail::is_nan(x)) return x;
  if (x >= cf_start) return 0.5 * erfc(-x * inv_sqrt2);
  if (x < underflow) return 0.0;
  constexpr int base_levels = 12;         // erfcx_cf_levels in the variable t = √2·u:
  constexpr double levels_scale = 400.0;  // 12 + 200/u² = 12 + 400/t², 62 levels at t = 2√2
  const double t = -x;
  const int levels = base_levels + static_cast<int>(levels_scale / (t * t));
  double d = t;
  for (int k = levels; k >= 1; --k)
    d = t + static_cast<double>(k) / d;
  return normal_pdf(x) / d;
}

}  // namespace initlab::math

INITLAB_FP_STRICT_END
