#pragma once
/// Scalar reference versions of the sampler's elementary functions (log, sin, cos, erfinv).
///
/// Pure IEEE-754 double arithmetic (+ − × ÷ and bit manipulation, no libm, no FMA), so the same
/// operations written with AVX2 / AVX-512 intrinsics in sampler_avx2.hpp / sampler_avx512.hpp give
/// exactly the same bits. Each vector kernel must perform these operations in this order; a
/// change here must be mirrored there (tests/runtime/sampler_test.cpp compares all paths).

#include <bit>
#include <cstddef>
#include <cstdint>
#include <initlab/detail/fp_strict.hpp>
#include <iterator>

// The sequence of roundings in the sampler headers is the definition of the samplers' output:
// contraction is off in them (detail/fp_strict.hpp).

INITLAB_FP_STRICT_BEGIN

namespace initlab::detail {

/// Bits of 1.0: OR-ing 52 random mantissa bits into it gives a double uniform on [1, 2).
inline constexpr std::uint64_t one_bits = 0x3FF0000000000000ull;
/// Mask of the 52 mantissa bits.
inline constexpr std::uint64_t mantissa_mask = 0x000FFFFFFFFFFFFFull;
/// Bits of 2^52: OR-ing an integer k < 2^52 into it and subtracting 2^52 converts k exactly.
inline constexpr std::uint64_t two52_bits = 0x4330000000000000ull;

/// fdlibm e_log.c constants: ln 2 split in a high part with 32 trailing zero bits and a low part.
inline constexpr double ln2_hi = 6.93147180369123816490e-01;
inline constexpr double ln2_lo = 1.90821492927058770002e-10;
/// fdlibm e_log.c minimax coefficients of (log(1+f) - f + f²/2) in s = f/(2+f), |s| ≤ 0.1716.
inline constexpr double lg1 = 6.666666666666735130e-01;
inline constexpr double lg2 = 3.999999999940941908e-01;
inline constexpr double lg3 = 2.857142874366239149e-01;
inline constexpr double lg4 = 2.222219843214978396e-01;
inline constexpr double lg5 = 1.818357216161805012e-01;
inline constexpr double lg6 = 1.531383769920937332e-01;
inline constexpr double lg7 = 1.479819860511658591e-01;
/// Double nearest √2: mantissas at or above it are halved so that m ∈ [√2/2, √2).
inline constexpr double sqrt2 = 1.41421356237309504880;

/// log(x) for a positive normal double x, fdlibm's algorithm (e_log.c, Sun 1993) without the
/// special cases: x = 2^e·m, m ∈ [√2/2, √2), f = m − 1, s = f/(2+f),
/// log x = e·ln2_hi − ((f²/2 − (s(f²/2 + R(s²)) + e·ln2_lo)) − f).
/// Max error measured in sampler_test.cpp (10⁶ points on (0, 1]): 0.78 ulp (fdlibm: < 1 ulp).
[[nodiscard]] constexpr double log_positive(double x) noexcept {
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  double m = std::bit_cast<double>((bits & mantissa_mask) | one_bits);  // [1, 2)
  double e = std::bit_cast<double>((bits >> 52) | two52_bits) - (4503599627370496.0 + 1023.0);
  if (m >= sqrt2) {
    m = m * 0.5;
    e = e + 1.0;
  }
  const double f = m - 1.0;  // exact (Sterbenz)
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (lg2 + w * (lg4 + w * lg6));
  const double t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
  const double r = t2 + t1;
  const double hfsq = 0.5 * f * f;
  return e * ln2_hi - ((hfsq - (s * (hfsq + r) + e * ln2_lo)) - f);
}

/// FreeBSD k_sin.c coefficients: sin x ≈ x + x³(S1 + x²S2 + … + x^10 S6) on |x| ≤ π/4.
inline constexpr double sin_s1 = -1.66666666666666324348e-01;
inline constexpr double sin_s2 = 8.33333333332248946124e-03;
inline constexpr double sin_s3 = -1.98412698298579493134e-04;
inline constexpr double sin_s4 = 2.75573137070700676789e-06;
inline constexpr double sin_s5 = -2.50507602534068634195e-08;
inline constexpr double sin_s6 = 1.58969099521155010221e-10;
/// FreeBSD k_cos.c coefficients: cos x ≈ 1 − x²/2 + x⁴(C1 + x²C2 + … + x^10 C6) on |x| ≤ π/4.
inline constexpr double cos_c1 = 4.16666666666666019037e-02;
inline constexpr double cos_c2 = -1.38888888888741095749e-03;
inline constexpr double cos_c3 = 2.48015872894767294178e-05;
inline constexpr double cos_c4 = -2.75573143513906633035e-07;
inline constexpr double cos_c5 = 2.08757232129817482790e-09;
inline constexpr double cos_c6 = -1.13596475577881948265e-11;

/// sin x for |x| ≤ π/4 (FreeBSD __kernel_sin, tail y = 0; error bound in its k_sin.c).
[[nodiscard]] constexpr double sin_kernel(double x) noexcept {
  const double z = x * x;
  const double w = z * z;
  const double r = sin_s2 + z * (sin_s3 + z * sin_s4) + z * w * (sin_s5 + z * sin_s6);
  const double v = z * x;
  return x + v * (sin_s1 + z * r);
}

/// cos x for |x| ≤ π/4 (FreeBSD __kernel_cos, tail y = 0; error bound in its k_cos.c).
[[nodiscard]] constexpr double cos_kernel(double x) noexcept {
  const double z = x * x;
  const double w = z * z;
  const double r =
      z * (cos_c1 + z * (cos_c2 + z * cos_c3)) + w * w * (cos_c4 + z * (cos_c5 + z * cos_c6));
  const double hz = 0.5 * z;
  const double v = 1.0 - hz;
  return v + (((1.0 - v) - hz) + z * r);
}

/// Giles (2010), "Approximating the erfinv function", GPU Computing Gems 2, double-precision
/// central branch: erfinv(x) ≈ x·P(w − 3.125), w = −log((1−x)(1+x)), valid for w < 6.25
/// (|x| < 0.99814). Coefficients from highest to lowest degree.
inline constexpr double erfinv_coefficients[] = {
    -3.6444120640178196996e-21, -1.685059138182016589e-19,  1.2858480715256400167e-18,
    1.115787767802518096e-17,   -1.333171662854620906e-16,  2.0972767875968561637e-17,
    6.6376381343583238325e-15,  -4.0545662729752068639e-14, -8.1519341976054721522e-14,
    2.6335093153082322977e-12,  -1.2975133253453532498e-11, -5.4154120542946279317e-11,
    1.051212273321532285e-09,   -4.1126339803469836976e-09, -2.9070369957882005086e-08,
    4.2347877827932403518e-07,  -1.3654692000834678645e-06, -1.3882523362786468719e-05,
    0.0001867342080340571352,   -0.00074070253416626697512, -0.0060336708714301490533,
    0.24015818242558961693,     1.6536545626831027356};

/// erfinv(x) for |x| < 0.998 (Giles' central branch evaluated with log_positive).
/// Max relative error measured in sampler_test.cpp against Boost.Math erf_inv on
/// |x| < erf(√2): 5.5e-16 (≈ 2.5 ulps); the test asserts ≤ 6e-16.
[[nodiscard]] constexpr double erfinv_central(double x) noexcept {
  const double w = -log_positive((1.0 - x) * (1.0 + x)) - 3.125;
  double p = erfinv_coefficients[0];
  for (std::size_t i = 1; i < std::size(erfinv_coefficients); ++i)
    p = erfinv_coefficients[i] + p * w;
  return p * x;
}

}  // namespace initlab::detail

INITLAB_FP_STRICT_END
