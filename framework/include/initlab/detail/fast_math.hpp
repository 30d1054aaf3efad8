#pragma once
/// Scalar reference versions of the sampler's elementary functions (log, exp, erfinv).
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

/// fdlibm e_exp.c minimax coefficients of R(r²) in e^r = 1 + 2r/(R(r) − r), |r| ≤ ln2/2.
inline constexpr double exp_p1 = 1.66666666666666019037e-01;
inline constexpr double exp_p2 = -2.77777777770155933842e-03;
inline constexpr double exp_p3 = 6.61375632143793436117e-05;
inline constexpr double exp_p4 = -1.65339022054652515390e-06;
inline constexpr double exp_p5 = 4.13813679705723846039e-08;
/// 1/ln 2 as fdlibm rounds it.
inline constexpr double inv_ln2 = 1.44269504088896338700e+00;

/// e^x for −708 < x ≤ 0, fdlibm's algorithm (e_exp.c, Sun 1993) without the special cases:
/// k = round(x/ln2), r = hi − lo with hi = x − k·ln2_hi, lo = k·ln2_lo,
/// e^x = 2^k·(1 − ((lo − r·c/(2 − c)) − hi)), c = r − r²(P1 + r²(P2 + …)).
/// Max error measured in sampler_test.cpp (10⁶ points on [−20, 0]): < 1 ulp (fdlibm: < 1 ulp).
[[nodiscard]] constexpr double exp_nonpositive(double x) noexcept {
  const int k = static_cast<int>(inv_ln2 * x - 0.5);  // round half away from zero, x ≤ 0
  const double kd = static_cast<double>(k);
  const double hi = x - kd * ln2_hi;
  const double lo = kd * ln2_lo;
  const double r = hi - lo;
  const double t = r * r;
  const double c = r - t * (exp_p1 + t * (exp_p2 + t * (exp_p3 + t * (exp_p4 + t * exp_p5))));
  const double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  // 2^k for −1022 ≤ k ≤ 0 is exact as a normal double built from its exponent bits.
  return y * std::bit_cast<double>(static_cast<std::uint64_t>(1023 + k) << 52);
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

// --------------------------------------------------------------- single precision
// The float fills' kernels: the same algorithms in IEEE single arithmetic, with the constants
// of the single-precision originals.

/// Bits of 1.0f and the 23 mantissa bits of a float.
inline constexpr std::uint32_t one_bits_f32 = 0x3F800000u;
inline constexpr std::uint32_t mantissa_mask_f32 = 0x007FFFFFu;
/// fdlibm e_logf.c (Sun 1993, FreeBSD's float version) constants: ln 2 split in a high part
/// with trailing zero bits (e·ln2_hi is exact for |e| < 128) and a low part, and the minimax
/// coefficients of (log(1+f) − f + f²/2) in s = f/(2+f) for float.
inline constexpr float ln2_hi_f32 = 6.9313812256e-01f;  // 0x3f317180
inline constexpr float ln2_lo_f32 = 9.0580006145e-06f;  // 0x3717f7d1
inline constexpr float lg1_f32 = 0xaaaaaa.0p-24f;
inline constexpr float lg2_f32 = 0xccce13.0p-25f;
inline constexpr float lg3_f32 = 0x91e9ee.0p-25f;
inline constexpr float lg4_f32 = 0xf89e26.0p-26f;
/// Float nearest √2.
inline constexpr float sqrt2_f32 = 1.41421356f;

/// log(x) for a positive normal float x: log_positive's algorithm in float with e_logf.c's
/// polynomial. Max error measured in sampler_test.cpp (10⁶ points on (0, 1]): ≤ 1 ulp.
[[nodiscard]] constexpr float log_positive_f32(float x) noexcept {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(x);
  float m = std::bit_cast<float>((bits & mantissa_mask_f32) | one_bits_f32);  // [1, 2)
  float e = static_cast<float>(static_cast<std::int32_t>(bits >> 23) - 127);
  if (m >= sqrt2_f32) {
    m = m * 0.5f;
    e = e + 1.0f;
  }
  const float f = m - 1.0f;  // exact (Sterbenz)
  const float s = f / (2.0f + f);
  const float z = s * s;
  const float w = z * z;
  const float t1 = w * (lg2_f32 + w * lg4_f32);
  const float t2 = z * (lg1_f32 + w * lg3_f32);
  const float r = t2 + t1;
  const float hfsq = 0.5f * f * f;
  return e * ln2_hi_f32 - ((hfsq - (s * (hfsq + r) + e * ln2_lo_f32)) - f);
}

/// Giles (2010), single-precision central branch: erfinv(x) ≈ x·P(w − 2.5), w = −log((1−x)(1+x)),
/// valid for w < 5 (|x| < 0.99663). Coefficients from highest to lowest degree.
inline constexpr float erfinv_coefficients_f32[] = {
    2.81022636e-08f, 3.43273939e-07f, -3.5233877e-06f, -4.39150654e-06f, 0.00021858087f,
    -0.00125372503f, -0.00417768164f, 0.246640727f,    1.50140941f};

/// erfinv(x) in float for |x| < 0.9966 (Giles' single-precision central branch with
/// log_positive_f32). Max relative error measured in sampler_test.cpp against Boost.Math on
/// |x| < erf(√2): see the test's stated bound.
[[nodiscard]] constexpr float erfinv_central_f32(float x) noexcept {
  const float w = -log_positive_f32((1.0f - x) * (1.0f + x)) - 2.5f;
  float p = erfinv_coefficients_f32[0];
  for (std::size_t i = 1; i < std::size(erfinv_coefficients_f32); ++i)
    p = erfinv_coefficients_f32[i] + p * w;
  return p * x;
}

}  // namespace initlab::detail

INITLAB_FP_STRICT_END
