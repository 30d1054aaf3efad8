#pragma once
/// AVX-512F + VAES path of the bulk samplers: 16 ARS blocks (32 double or 64 float elements)
/// per iteration, four per register, in four interleaved chains; the normal's ziggurat runs its
/// fast path lane-wise and leaves the rare slow elements to the scalar code. Its table reads are
/// plain loads, not gathers: a double element's (xᵢ, xᵢ₊₁) is one 128-bit load and a float
/// element's (x̃ᵢ, kᵢ) one 64-bit load, which on AMD Zen 4 (slow AVX-512 gathers) fills faster than
/// the gathers did (the sampler benchmarks); same values, same bits.
///
/// Every floating-point operation mirrors detail/fast_math.hpp and detail/sampler_scalar.hpp
/// one for one (same operands, same order, no FMA: the target attribute does not enable "fma"
/// and contraction is switched off below), so the bits equal the scalar path's.

#include <immintrin.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <initlab/detail/fast_math.hpp>
#include <initlab/detail/sampler_scalar.hpp>
#include <initlab/detail/ziggurat.hpp>
#include <initlab/random.hpp>

INITLAB_FP_STRICT_BEGIN
// GCC 12 reports its own _mm512_undefined_* placeholders as (maybe-)uninitialized when the
// intrinsics are inlined here (a false positive); silence it for this header only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

/// Compiles one function for AVX-512F with VAES while the rest of the program stays baseline.
#define INITLAB_TARGET_AVX512 __attribute__((target("avx512f,vaes")))

namespace initlab::detail::avx512 {

/// ARS round keys, each broadcast to the four 128-bit lanes once per fill.
struct round_keys {
  __m512i k[ars_rounds + 1];
};

/// Round keys of the stream's data key: round r uses key + r·(Weyl lo, Weyl hi).
INITLAB_TARGET_AVX512 inline round_keys make_round_keys(const ars_key& key) noexcept {
  round_keys k;
  const __m512i weyl = _mm512_broadcast_i32x4(
      _mm_set_epi64x(static_cast<long long>(ars_weyl_hi), static_cast<long long>(ars_weyl_lo)));
  k.k[0] =
      _mm512_broadcast_i32x4(_mm_set_epi32(static_cast<int>(key[3]), static_cast<int>(key[2]),
                                           static_cast<int>(key[1]), static_cast<int>(key[0])));
  for (int r = 1; r <= ars_rounds; ++r)
    k.k[r] = _mm512_add_epi64(k.k[r - 1], weyl);
  return k;
}

/// ARS-7 of the 4·N blocks from b0, four per register (128-bit lane j of v[i] = block
/// b0 + 4i + j), round by round so the N chains hide the AES unit's latency.
template <int N>
INITLAB_TARGET_AVX512 inline void ars(const round_keys& k, std::uint64_t b0,
                                      __m512i (&v)[N]) noexcept {
  const __m512i lanes = _mm512_set_epi64(0, 3, 0, 2, 0, 1, 0, 0);  // counter = (b, 0) per lane
  for (int i = 0; i < N; ++i) {
    const __m512i first =
        _mm512_set1_epi64(static_cast<long long>(b0 + 4 * static_cast<unsigned>(i)));
    const __m512i ctr = _mm512_add_epi64(_mm512_maskz_mov_epi64(0x55, first), lanes);
    v[i] = _mm512_xor_si512(ctr, k.k[0]);
  }
  for (int r = 1; r < ars_rounds; ++r)
    for (int i = 0; i < N; ++i)
      v[i] = _mm512_aesenc_epi128(v[i], k.k[r]);
  for (int i = 0; i < N; ++i)
    v[i] = _mm512_aesenclast_epi128(v[i], k.k[ars_rounds]);
}

/// Broadcast double.
INITLAB_TARGET_AVX512 inline __m512d set(double x) noexcept {
  return _mm512_set1_pd(x);
}

/// (word & mantissa) | bits(1.0): uniform on [1, 2).
INITLAB_TARGET_AVX512 inline __m512d one_to_two(__m512i word) noexcept {
  return _mm512_castsi512_pd(_mm512_ternarylogic_epi64(
      word, _mm512_set1_epi64(static_cast<long long>(mantissa_mask)),
      _mm512_set1_epi64(static_cast<long long>(one_bits)), 0xEA));  // (a & b) | c
}

/// detail::log_positive, lane-wise.
INITLAB_TARGET_AVX512 inline __m512d log_positive(__m512d x) noexcept {
  const __m512i bits = _mm512_castpd_si512(x);
  __m512d m = one_to_two(bits);
  __m512d e = _mm512_sub_pd(
      _mm512_castsi512_pd(_mm512_or_si512(_mm512_srli_epi64(bits, 52),
                                          _mm512_set1_epi64(static_cast<long long>(two52_bits)))),
      set(4503599627370496.0 + 1023.0));
  const __mmask8 big = _mm512_cmp_pd_mask(m, set(sqrt2), _CMP_GE_OQ);
  m = _mm512_mask_mul_pd(m, big, m, set(0.5));
  e = _mm512_mask_add_pd(e, big, e, set(1.0));
  const __m512d f = _mm512_sub_pd(m, set(1.0));
  const __m512d s = _mm512_div_pd(f, _mm512_add_pd(set(2.0), f));
  const __m512d z = _mm512_mul_pd(s, s);
  const __m512d w = _mm512_mul_pd(z, z);
  const __m512d t1 = _mm512_mul_pd(
      w, _mm512_add_pd(set(lg2),
                       _mm512_mul_pd(w, _mm512_add_pd(set(lg4), _mm512_mul_pd(w, set(lg6))))));
  const __m512d t2 = _mm512_mul_pd(
      z, _mm512_add_pd(
             set(lg1),
             _mm512_mul_pd(
                 w, _mm512_add_pd(
                        set(lg3),
                        _mm512_mul_pd(w, _mm512_add_pd(set(lg5), _mm512_mul_pd(w, set(lg7))))))));
  const __m512d r = _mm512_add_pd(t2, t1);
  const __m512d hfsq = _mm512_mul_pd(_mm512_mul_pd(set(0.5), f), f);
  return _mm512_sub_pd(
      _mm512_mul_pd(e, set(ln2_hi)),
      _mm512_sub_pd(_mm512_sub_pd(hfsq, _mm512_add_pd(_mm512_mul_pd(s, _mm512_add_pd(hfsq, r)),
                                                      _mm512_mul_pd(e, set(ln2_lo)))),
                    f));
}

/// (xᵢ, xᵢ₊₁) of four lanes, one 128-bit load each.
INITLAB_TARGET_AVX512 inline __m512d edge_pairs(const double* edge,
                                                const std::uint64_t* index) noexcept {
  return _mm512_insertf64x4(
      _mm512_castpd256_pd512(
          _mm256_set_m128d(_mm_loadu_pd(edge + index[1]), _mm_loadu_pd(edge + index[0]))),
      _mm256_set_m128d(_mm_loadu_pd(edge + index[3]), _mm_loadu_pd(edge + index[2])), 1);
}

/// detail::ziggurat_fast, lane-wise: ±u·xᵢ, and in `accepted` bit l set when lane l's point
/// lies under the curve (the others need detail::ziggurat_normal's slow path).
INITLAB_TARGET_AVX512 inline __m512d ziggurat_fast(const ziggurat_table& t, __m512i word,
                                                 __mmask8& accepted) noexcept {
  const __m512i layer =
      _mm512_and_si512(word, _mm512_set1_epi64(static_cast<long long>(ziggurat_layers - 1)));
  alignas(64) std::uint64_t index[8];
  _mm512_store_si512(index, layer);
  const __m512d p0 = edge_pairs(t.x.data(), index), p1 = edge_pairs(t.x.data(), index + 4);
  const __m512d xi = _mm512_permutex2var_pd(p0, _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0), p1);
  const __m512d xnext = _mm512_permutex2var_pd(p0, _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1), p1);
  const __m512d x = _mm512_mul_pd(_mm512_sub_pd(one_to_two(_mm512_srli_epi64(word, 12)), set(1.0)), xi);
  accepted = _mm512_cmp_pd_mask(x, xnext, _CMP_LT_OQ);
  const __m512i sign = _mm512_and_si512(_mm512_slli_epi64(word, 63 - ziggurat_layer_bits),
                                        _mm512_set1_epi64(static_cast<long long>(sign_bit)));
  return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(x), sign));
}

/// detail::uniform_value, lane-wise.
INITLAB_TARGET_AVX512 inline __m512d uniform(__m512i word, const uniform_params& p) noexcept {
  const __m512d u = _mm512_sub_pd(one_to_two(word), set(1.0));
  return _mm512_min_pd(_mm512_add_pd(set(p.lo), _mm512_mul_pd(set(p.width), u)), set(p.hi));
}

/// detail::truncated_value, lane-wise.
INITLAB_TARGET_AVX512 inline __m512d truncated(__m512i word, const truncated_params& p) noexcept {
  const __m512d t = _mm512_add_pd(_mm512_sub_pd(one_to_two(word), set(1.5)), set(half_grid_step));
  const __m512d x = _mm512_mul_pd(t, set(two_erf_sqrt2));
  const __m512d lg =
      log_positive(_mm512_mul_pd(_mm512_sub_pd(set(1.0), x), _mm512_add_pd(set(1.0), x)));
  const __m512d w = _mm512_sub_pd(set(-3.125), lg);  // = (−lg) − 3.125 exactly
  __m512d q = set(erfinv_coefficients[0]);
  for (std::size_t i = 1; i < std::size(erfinv_coefficients); ++i)
    q = _mm512_add_pd(set(erfinv_coefficients[i]), _mm512_mul_pd(q, w));
  const __m512d z = _mm512_mul_pd(_mm512_mul_pd(q, x), set(erfinv_scale));
  const __m512d v = _mm512_min_pd(_mm512_mul_pd(set(p.sigma), z), set(p.bound));
  return _mm512_max_pd(v, set(-p.bound));
}

/// The values of elements n0 … n0+7 from their words (lane l = element n0 + l), stored in order.
INITLAB_TARGET_AVX512 inline void put(const stream&, double* out, std::uint64_t, __m512i word,
                                      const uniform_params& p) noexcept {
  _mm512_storeu_pd(out, uniform(word, p));
}
/// The values of elements n0 … n0+7 from their words (lane l = element n0 + l), stored in order.
INITLAB_TARGET_AVX512 inline void put(const stream&, double* out, std::uint64_t, __m512i word,
                                      const truncated_params& p) noexcept {
  _mm512_storeu_pd(out, truncated(word, p));
}
/// The normal law: detail::normal_value's fast path lane-wise, then its slow elements by the
/// scalar code.
INITLAB_TARGET_AVX512 inline void put(const stream& s, double* out, std::uint64_t n0, __m512i word,
                                      const normal_params& p) noexcept {
  __mmask8 ok = 0;
  const __m512d z = ziggurat_fast(ziggurat(), word, ok);
  _mm512_storeu_pd(out, _mm512_add_pd(set(p.mean), _mm512_mul_pd(set(p.stddev), z)));
  if (const unsigned slow = ~static_cast<unsigned>(ok) & 0xFFu; slow != 0) {
    alignas(64) std::uint64_t w[8];
    _mm512_store_si512(w, word);
    redo_slow_normals_in_order(s, out, n0, w, slow, p);
  }
}

// ------------------------------------------------------- single precision (32-bit words)

/// Broadcast float.
INITLAB_TARGET_AVX512 inline __m512 set_f32(float x) noexcept {
  return _mm512_set1_ps(x);
}

/// The 64-bit (x̃ᵢ, kᵢ) entries of eight lanes, one scalar load each.
INITLAB_TARGET_AVX512 inline __m512i layer_entries(const ziggurat_table_f32& t,
                                                   const std::uint32_t* index) noexcept {
  __m128i two[4];
  for (int l = 0; l < 4; ++l)
    two[l] = _mm_set_epi64x(std::bit_cast<long long>(t.layer[index[2 * l + 1]]),
                            std::bit_cast<long long>(t.layer[index[2 * l]]));
  return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_set_m128i(two[1], two[0])),
                            _mm256_set_m128i(two[3], two[2]), 1);
}

/// detail::ziggurat_fast_f32, lane-wise over 16 consecutive elements; `accepted` bit l set
/// when lane l's point lies under the curve. One 64-bit load fetches a layer's (x̃ᵢ, kᵢ).
INITLAB_TARGET_AVX512 inline __m512 ziggurat_fast_f32(const ziggurat_table_f32& t, __m512i word,
                                                      __mmask16& accepted) noexcept {
  const __m512i layer = _mm512_and_si512(word, _mm512_set1_epi32(int{ziggurat_layers - 1}));
  alignas(64) std::uint32_t index[16];
  _mm512_store_si512(index, layer);
  const __m512i lo = layer_entries(t, index), hi = layer_entries(t, index + 8);
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  const __m512 xi = _mm512_castsi512_ps(_mm512_permutex2var_epi32(lo, even, hi));
  const __m512i k = _mm512_permutex2var_epi32(lo, odd, hi);
  const __m512i j = _mm512_srli_epi32(word, 12);
  accepted = _mm512_cmplt_epu32_mask(j, k);
  const __m512 x = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(j), set_f32(unit_grid_f32)), xi);
  const __m512i sign = _mm512_and_si512(_mm512_slli_epi32(word, 31 - ziggurat_layer_bits),
                                        _mm512_set1_epi32(static_cast<int>(sign_bit_f32)));
  return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), sign));
}

/// Float normal elements n0 … n0+15 from their words: the fast path lane-wise, the rest by the
/// scalar code.
INITLAB_TARGET_AVX512 inline void put_f32(const stream& s, float* out, std::uint64_t n0,
                                          __m512i word, const normal_params_f32& p) noexcept {
  __mmask16 ok = 0;
  const __m512 z = ziggurat_fast_f32(ziggurat_f32(), word, ok);
  _mm512_storeu_ps(out, _mm512_add_ps(set_f32(p.mean), _mm512_mul_ps(set_f32(p.stddev), z)));
  if (const unsigned slow = ~static_cast<unsigned>(ok) & 0xFFFFu; slow != 0) {
    alignas(64) std::uint32_t w[16];
    _mm512_store_si512(w, word);
    redo_slow_normals_in_order(s, out, n0, w, slow, p);
  }
}

/// Float uniform elements n0 … n0+15 from their words (detail::uniform_value_f32, lane-wise).
INITLAB_TARGET_AVX512 inline void put_f32(const stream&, float* out, std::uint64_t, __m512i word,
                                          const uniform_params_f32& p) noexcept {
  const __m512 u =
      _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(word, 8)), set_f32(uniform_grid_f32));
  _mm512_storeu_ps(out,
                   _mm512_min_ps(_mm512_add_ps(set_f32(p.lo), _mm512_mul_ps(set_f32(p.width), u)),
                                 set_f32(p.hi)));
}

/// detail::log_positive_f32, lane-wise.
INITLAB_TARGET_AVX512 inline __m512 log_positive_f32(__m512 x) noexcept {
  const __m512i bits = _mm512_castps_si512(x);
  __m512 m = _mm512_castsi512_ps(_mm512_or_si512(
      _mm512_and_si512(bits, _mm512_set1_epi32(static_cast<int>(mantissa_mask_f32))),
      _mm512_set1_epi32(static_cast<int>(one_bits_f32))));
  __m512 e =
      _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_srli_epi32(bits, 23), _mm512_set1_epi32(127)));
  const __mmask16 big = _mm512_cmp_ps_mask(m, set_f32(sqrt2_f32), _CMP_GE_OQ);
  m = _mm512_mask_mul_ps(m, big, m, set_f32(0.5f));
  e = _mm512_mask_add_ps(e, big, e, set_f32(1.0f));
  const __m512 f = _mm512_sub_ps(m, set_f32(1.0f));
  const __m512 s = _mm512_div_ps(f, _mm512_add_ps(set_f32(2.0f), f));
  const __m512 z = _mm512_mul_ps(s, s);
  const __m512 w = _mm512_mul_ps(z, z);
  const __m512 t1 =
      _mm512_mul_ps(w, _mm512_add_ps(set_f32(lg2_f32), _mm512_mul_ps(w, set_f32(lg4_f32))));
  const __m512 t2 =
      _mm512_mul_ps(z, _mm512_add_ps(set_f32(lg1_f32), _mm512_mul_ps(w, set_f32(lg3_f32))));
  const __m512 r = _mm512_add_ps(t2, t1);
  const __m512 hfsq = _mm512_mul_ps(_mm512_mul_ps(set_f32(0.5f), f), f);
  return _mm512_sub_ps(
      _mm512_mul_ps(e, set_f32(ln2_hi_f32)),
      _mm512_sub_ps(_mm512_sub_ps(hfsq, _mm512_add_ps(_mm512_mul_ps(s, _mm512_add_ps(hfsq, r)),
                                                      _mm512_mul_ps(e, set_f32(ln2_lo_f32)))),
                    f));
}

/// Float truncated normal elements n0 … n0+15 from their words (detail::truncated_value_f32,
/// lane-wise).
INITLAB_TARGET_AVX512 inline void put_f32(const stream&, float* out, std::uint64_t, __m512i word,
                                          const truncated_params_f32& p) noexcept {
  const __m512 t =
      _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_srli_epi32(word, 8),
                                                                      _mm512_set1_epi32(1 << 23))),
                                  set_f32(uniform_grid_f32)),
                    set_f32(half_grid_step_f32));
  const __m512 x = _mm512_mul_ps(t, set_f32(two_erf_sqrt2_f32));
  const __m512 lg = log_positive_f32(
      _mm512_mul_ps(_mm512_sub_ps(set_f32(1.0f), x), _mm512_add_ps(set_f32(1.0f), x)));
  const __m512 w = _mm512_sub_ps(set_f32(-2.5f), lg);  // = (−lg) − 2.5 exactly
  __m512 q = set_f32(erfinv_coefficients_f32[0]);
  for (std::size_t i = 1; i < std::size(erfinv_coefficients_f32); ++i)
    q = _mm512_add_ps(set_f32(erfinv_coefficients_f32[i]), _mm512_mul_ps(q, w));
  const __m512 z = _mm512_mul_ps(_mm512_mul_ps(q, x), set_f32(sqrt2_f32));
  const __m512 v = _mm512_min_ps(_mm512_mul_ps(set_f32(p.sigma), z), set_f32(p.bound));
  _mm512_storeu_ps(out, _mm512_max_ps(v, set_f32(-p.bound)));
}

}  // namespace initlab::detail::avx512

namespace initlab::detail {

/// Fills blocks [b0, b0 + nblocks) into out[0 .. 2·nblocks) with AVX-512F and VAES (the CPU
/// must have both): a register of ARS output is 4 blocks, i.e. the 64-bit words of 8
/// consecutive elements in order, so values go straight to memory.
template <class Params>
INITLAB_TARGET_AVX512 void fill_blocks_avx512(const stream& s, double* out, std::uint64_t b0,
                                              std::size_t nblocks, const Params& p) noexcept {
  const avx512::round_keys keys = avx512::make_round_keys(s.data_key());
  std::size_t i = 0;
  for (; i + 16 <= nblocks; i += 16) {
    __m512i v[4];
    avx512::ars(keys, b0 + i, v);
    for (std::size_t j = 0; j < 4; ++j)
      avx512::put(s, out + 2 * i + 8 * j, 2 * (b0 + i) + 8 * j, v[j], p);
  }
  for (; i + 4 <= nblocks; i += 4) {
    __m512i v[1];
    avx512::ars(keys, b0 + i, v);
    avx512::put(s, out + 2 * i, 2 * (b0 + i), v[0], p);
  }
  fill_blocks_scalar(s, out + 2 * i, b0 + i, nblocks - i, p);
}

/// Float fill of blocks [b0, b0 + nblocks) into out[0 .. 4·nblocks) with AVX-512F and VAES: a
/// register of ARS output is 4 blocks, i.e. the 16 words of 16 consecutive elements in order.
template <class Params>
INITLAB_TARGET_AVX512 void fill_blocks4_avx512(const stream& s, float* out, std::uint64_t b0,
                                               std::size_t nblocks, const Params& p) noexcept {
  const avx512::round_keys keys = avx512::make_round_keys(s.data_key());
  std::size_t i = 0;
  for (; i + 16 <= nblocks; i += 16) {
    __m512i v[4];
    avx512::ars(keys, b0 + i, v);
    for (std::size_t j = 0; j < 4; ++j)
      avx512::put_f32(s, out + 4 * i + 16 * j, 4 * (b0 + i) + 16 * j, v[j], p);
  }
  for (; i + 4 <= nblocks; i += 4) {
    __m512i v[1];
    avx512::ars(keys, b0 + i, v);
    avx512::put_f32(s, out + 4 * i, 4 * (b0 + i), v[0], p);
  }
  fill_blocks4_scalar(s, out + 4 * i, b0 + i, nblocks - i, p);
}

}  // namespace initlab::detail

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
INITLAB_FP_STRICT_END
