#pragma once
/// AVX2 + AES-NI path of the bulk samplers: 4 ARS blocks (8 elements) per iteration; the normal's
/// ziggurat runs its fast path lane-wise and leaves the rare slow elements to the scalar code.
///
/// Every floating-point operation mirrors detail/fast_math.hpp and detail/sampler_scalar.hpp
/// one for one (same operands, same order, no FMA: the target attribute does not enable "fma"
/// and contraction is switched off below), so the bits equal the scalar path's.

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <initlab/detail/fast_math.hpp>
#include <initlab/detail/sampler_scalar.hpp>
#include <initlab/detail/ziggurat.hpp>
#include <initlab/random.hpp>

INITLAB_FP_STRICT_BEGIN
// GCC 12 reports its own _mm256_undefined_* placeholders as maybe-uninitialized when the
// intrinsics are inlined here (a false positive); silence it for this header only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

/// Compiles one function for AVX2 and AES-NI (without FMA) while the rest of the program stays
/// baseline.
#define INITLAB_TARGET_AVX2 __attribute__((target("avx2,aes")))

namespace initlab::detail::avx2 {

/// ARS round keys, computed once per fill.
struct round_keys {
  __m128i k[ars_rounds + 1];
};

/// The two 64-bit words of 4 consecutive blocks (lane i = block b0 + i).
struct block_words {
  __m256i a;
  __m256i b;
};

/// Round keys of the stream's data key: round r uses key + r·(Weyl lo, Weyl hi).
INITLAB_TARGET_AVX2 inline round_keys make_round_keys(const ars_key& key) noexcept {
  round_keys k;
  const __m128i weyl =
      _mm_set_epi64x(static_cast<long long>(ars_weyl_hi), static_cast<long long>(ars_weyl_lo));
  k.k[0] = _mm_set_epi32(static_cast<int>(key[3]), static_cast<int>(key[2]),
                         static_cast<int>(key[1]), static_cast<int>(key[0]));
  for (int r = 1; r <= ars_rounds; ++r)
    k.k[r] = _mm_add_epi64(k.k[r - 1], weyl);
  return k;
}

/// ARS-7 of blocks b0 … b0+3 with AES-NI (v[i] = block b0 + i), round by round: four chains
/// hide the latency.
INITLAB_TARGET_AVX2 inline void ars4(const round_keys& k, std::uint64_t b0,
                                     __m128i (&v)[4]) noexcept {
  for (int i = 0; i < 4; ++i)
    v[i] = _mm_xor_si128(_mm_set_epi64x(0, static_cast<long long>(b0 + static_cast<unsigned>(i))),
                         k.k[0]);
  for (int r = 1; r < ars_rounds; ++r)
    for (int i = 0; i < 4; ++i)
      v[i] = _mm_aesenc_si128(v[i], k.k[r]);
  for (int i = 0; i < 4; ++i)
    v[i] = _mm_aesenclast_si128(v[i], k.k[ars_rounds]);
}

/// The words of blocks b0 … b0+3: a = word 0 of each block, b = word 1.
INITLAB_TARGET_AVX2 inline block_words blocks4(const round_keys& k, std::uint64_t b0) noexcept {
  __m128i v[4];
  ars4(k, b0, v);
  const __m256i x01 = _mm256_set_m128i(v[1], v[0]);  // w0(b) w1(b) w0(b+1) w1(b+1)
  const __m256i x23 = _mm256_set_m128i(v[3], v[2]);
  // unpack gives (b, b+2, b+1, b+3); the 64-bit permute puts the lanes in block order.
  return {_mm256_permute4x64_epi64(_mm256_unpacklo_epi64(x01, x23), 0xD8),
          _mm256_permute4x64_epi64(_mm256_unpackhi_epi64(x01, x23), 0xD8)};
}

/// Broadcast double.
INITLAB_TARGET_AVX2 inline __m256d set(double x) noexcept {
  return _mm256_set1_pd(x);
}

/// (word & mantissa) | bits(1.0): uniform on [1, 2).
INITLAB_TARGET_AVX2 inline __m256d one_to_two(__m256i word) noexcept {
  return _mm256_castsi256_pd(_mm256_or_si256(
      _mm256_and_si256(word, _mm256_set1_epi64x(static_cast<long long>(mantissa_mask))),
      _mm256_set1_epi64x(static_cast<long long>(one_bits))));
}

/// detail::log_positive, lane-wise.
INITLAB_TARGET_AVX2 inline __m256d log_positive(__m256d x) noexcept {
  const __m256i bits = _mm256_castpd_si256(x);
  __m256d m = one_to_two(bits);
  __m256d e = _mm256_sub_pd(
      _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(bits, 52),
                                          _mm256_set1_epi64x(static_cast<long long>(two52_bits)))),
      set(4503599627370496.0 + 1023.0));
  const __m256d big = _mm256_cmp_pd(m, set(sqrt2), _CMP_GE_OQ);
  m = _mm256_blendv_pd(m, _mm256_mul_pd(m, set(0.5)), big);
  e = _mm256_blendv_pd(e, _mm256_add_pd(e, set(1.0)), big);
  const __m256d f = _mm256_sub_pd(m, set(1.0));
  const __m256d s = _mm256_div_pd(f, _mm256_add_pd(set(2.0), f));
  const __m256d z = _mm256_mul_pd(s, s);
  const __m256d w = _mm256_mul_pd(z, z);
  const __m256d t1 = _mm256_mul_pd(
      w, _mm256_add_pd(set(lg2),
                       _mm256_mul_pd(w, _mm256_add_pd(set(lg4), _mm256_mul_pd(w, set(lg6))))));
  const __m256d t2 = _mm256_mul_pd(
      z, _mm256_add_pd(
             set(lg1),
             _mm256_mul_pd(
                 w, _mm256_add_pd(
                        set(lg3),
                        _mm256_mul_pd(w, _mm256_add_pd(set(lg5), _mm256_mul_pd(w, set(lg7))))))));
  const __m256d r = _mm256_add_pd(t2, t1);
  const __m256d hfsq = _mm256_mul_pd(_mm256_mul_pd(set(0.5), f), f);
  return _mm256_sub_pd(
      _mm256_mul_pd(e, set(ln2_hi)),
      _mm256_sub_pd(_mm256_sub_pd(hfsq, _mm256_add_pd(_mm256_mul_pd(s, _mm256_add_pd(hfsq, r)),
                                                      _mm256_mul_pd(e, set(ln2_lo)))),
                    f));
}

/// Values of 4 blocks: v0 = elements 2b, v1 = elements 2b+1.
struct block_values {
  __m256d v0;
  __m256d v1;
};

/// detail::ziggurat_fast, lane-wise: ±u·xᵢ, and in `accepted` bit l set when lane l's point
/// lies under the curve (the others need detail::ziggurat_normal's slow path).
INITLAB_TARGET_AVX2 inline __m256d ziggurat_fast(const ziggurat_table& t, __m256i word,
                                               unsigned& accepted) noexcept {
  const __m256i layer =
      _mm256_and_si256(word, _mm256_set1_epi64x(static_cast<long long>(ziggurat_layers - 1)));
  const __m256d xi = _mm256_i64gather_pd(t.x.data(), layer, 8);
  const __m256d xnext = _mm256_i64gather_pd(t.x.data() + 1, layer, 8);
  const __m256d x = _mm256_mul_pd(_mm256_sub_pd(one_to_two(_mm256_srli_epi64(word, 12)), set(1.0)), xi);
  accepted = static_cast<unsigned>(_mm256_movemask_pd(_mm256_cmp_pd(x, xnext, _CMP_LT_OQ)));
  const __m256i sign = _mm256_and_si256(_mm256_slli_epi64(word, 63 - ziggurat_layer_bits),
                                        _mm256_set1_epi64x(static_cast<long long>(sign_bit)));
  return _mm256_castsi256_pd(_mm256_xor_si256(_mm256_castpd_si256(x), sign));
}

/// detail::normal_value's fast path on both words; `slow` gets bit l (word a) or 4 + l (word b)
/// for each element the caller must redo with the scalar slow path.
INITLAB_TARGET_AVX2 inline block_values values(const block_words& x, const normal_params& p,
                                               unsigned& slow) noexcept {
  const ziggurat_table& t = ziggurat();
  unsigned ok_a = 0, ok_b = 0;
  const __m256d z0 = ziggurat_fast(t, x.a, ok_a);
  const __m256d z1 = ziggurat_fast(t, x.b, ok_b);
  slow = ~(ok_a | (ok_b << 4)) & 0xFFu;
  return {_mm256_add_pd(set(p.mean), _mm256_mul_pd(set(p.stddev), z0)),
          _mm256_add_pd(set(p.mean), _mm256_mul_pd(set(p.stddev), z1))};
}

/// detail::uniform_value, lane-wise.
INITLAB_TARGET_AVX2 inline __m256d uniform(__m256i word, const uniform_params& p) noexcept {
  const __m256d u = _mm256_sub_pd(one_to_two(word), set(1.0));
  return _mm256_min_pd(_mm256_add_pd(set(p.lo), _mm256_mul_pd(set(p.width), u)), set(p.hi));
}

/// detail::uniform_value on both words.
INITLAB_TARGET_AVX2 inline block_values values(const block_words& x,
                                               const uniform_params& p) noexcept {
  return {uniform(x.a, p), uniform(x.b, p)};
}

/// detail::truncated_value, lane-wise.
INITLAB_TARGET_AVX2 inline __m256d truncated(__m256i word, const truncated_params& p) noexcept {
  const __m256d t = _mm256_add_pd(_mm256_sub_pd(one_to_two(word), set(1.5)), set(half_grid_step));
  const __m256d x = _mm256_mul_pd(t, set(two_erf_sqrt2));
  const __m256d lg =
      log_positive(_mm256_mul_pd(_mm256_sub_pd(set(1.0), x), _mm256_add_pd(set(1.0), x)));
  const __m256d w = _mm256_sub_pd(set(-3.125), lg);  // = (−lg) − 3.125 exactly
  __m256d q = set(erfinv_coefficients[0]);
  for (std::size_t i = 1; i < std::size(erfinv_coefficients); ++i)
    q = _mm256_add_pd(set(erfinv_coefficients[i]), _mm256_mul_pd(q, w));
  const __m256d z = _mm256_mul_pd(_mm256_mul_pd(q, x), set(erfinv_scale));
  const __m256d v = _mm256_min_pd(_mm256_mul_pd(set(p.sigma), z), set(p.bound));
  return _mm256_max_pd(v, set(-p.bound));
}

/// detail::truncated_value on both words.
INITLAB_TARGET_AVX2 inline block_values values(const block_words& x,
                                               const truncated_params& p) noexcept {
  return {truncated(x.a, p), truncated(x.b, p)};
}

/// Interleaves (v0[0], v1[0], v0[1], v1[1]) and (v0[2], v1[2], v0[3], v1[3]).
INITLAB_TARGET_AVX2 inline block_values interleave(const block_values& v) noexcept {
  const __m256d lo = _mm256_unpacklo_pd(v.v0, v.v1);  // v0[0] v1[0] v0[2] v1[2]
  const __m256d hi = _mm256_unpackhi_pd(v.v0, v.v1);  // v0[1] v1[1] v0[3] v1[3]
  return {_mm256_permute2f128_pd(lo, hi, 0x20), _mm256_permute2f128_pd(lo, hi, 0x31)};
}

/// Stores 8 values in element order.
INITLAB_TARGET_AVX2 inline void store(double* out, const block_values& v) noexcept {
  const block_values o = interleave(v);
  _mm256_storeu_pd(out, o.v0);
  _mm256_storeu_pd(out + 4, o.v1);
}

/// Stores the values of the 4 blocks from block b in element order.
template <class T, class Params>
INITLAB_TARGET_AVX2 inline void put(const stream&, T* out, std::uint64_t, const block_words& x,
                                    const Params& p) noexcept {
  store(out, values(x, p));
}
/// The normal law: the fast path lane-wise, then its slow elements by the scalar code.
template <class T>
INITLAB_TARGET_AVX2 inline void put(const stream& s, T* out, std::uint64_t b, const block_words& x,
                                    const normal_params& p) noexcept {
  unsigned slow = 0;
  store(out, values(x, p, slow));
  if (slow != 0) {
    alignas(32) std::uint64_t wa[4], wb[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(wa), x.a);
    _mm256_store_si256(reinterpret_cast<__m256i*>(wb), x.b);
    redo_slow_normals(s, out, b, wa, wb, 4, slow, p);
  }
}

// ------------------------------------------------------- single precision (32-bit words)

/// Broadcast float.
INITLAB_TARGET_AVX2 inline __m256 set_f32(float x) noexcept {
  return _mm256_set1_ps(x);
}

/// detail::ziggurat_fast_f32, lane-wise over 8 consecutive elements; `accepted` bit l set when
/// lane l's point lies under the curve. One 64-bit gather fetches a layer's (x̃ᵢ, kᵢ).
INITLAB_TARGET_AVX2 inline __m256 ziggurat_fast_f32(const ziggurat_table_f32& t, __m256i word,
                                                    unsigned& accepted) noexcept {
  const __m256i layer = _mm256_and_si256(word, _mm256_set1_epi32(int{ziggurat_layers - 1}));
  const auto* base = reinterpret_cast<const long long*>(t.layer.data());
  const __m256 lo =
      _mm256_castsi256_ps(_mm256_i32gather_epi64(base, _mm256_castsi256_si128(layer), 8));
  const __m256 hi =
      _mm256_castsi256_ps(_mm256_i32gather_epi64(base, _mm256_extracti128_si256(layer, 1), 8));
  // shuffle gives (e0 e1 e4 e5 | e2 e3 e6 e7); the 64-bit permute puts them in lane order.
  const __m256 xi = _mm256_castpd_ps(
      _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
  const __m256i k = _mm256_castpd_si256(
      _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
  const __m256i j = _mm256_srli_epi32(word, 12);
  accepted = static_cast<unsigned>(
      _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(k, j))));  // both < 2³¹
  const __m256 x = _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(j), set_f32(unit_grid_f32)), xi);
  const __m256i sign = _mm256_and_si256(_mm256_slli_epi32(word, 31 - ziggurat_layer_bits),
                                        _mm256_set1_epi32(static_cast<int>(sign_bit_f32)));
  return _mm256_castsi256_ps(_mm256_xor_si256(_mm256_castps_si256(x), sign));
}

/// Float normal elements n0 … n0+7 from their words: the fast path lane-wise, the rest by the
/// scalar code.
INITLAB_TARGET_AVX2 inline void put_f32(const stream& s, float* out, std::uint64_t n0, __m256i word,
                                        const normal_params_f32& p) noexcept {
  unsigned ok = 0;
  const __m256 z = ziggurat_fast_f32(ziggurat_f32(), word, ok);
  _mm256_storeu_ps(out, _mm256_add_ps(set_f32(p.mean), _mm256_mul_ps(set_f32(p.stddev), z)));
  if (const unsigned slow = ~ok & 0xFFu; slow != 0) {
    alignas(32) std::uint32_t w[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(w), word);
    redo_slow_normals_in_order(s, out, n0, w, slow, p);
  }
}

/// Float uniform elements n0 … n0+7 from their words (detail::uniform_value_f32, lane-wise).
INITLAB_TARGET_AVX2 inline void put_f32(const stream&, float* out, std::uint64_t, __m256i word,
                                        const uniform_params_f32& p) noexcept {
  const __m256 u =
      _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(word, 8)), set_f32(uniform_grid_f32));
  _mm256_storeu_ps(out,
                   _mm256_min_ps(_mm256_add_ps(set_f32(p.lo), _mm256_mul_ps(set_f32(p.width), u)),
                                 set_f32(p.hi)));
}

/// detail::log_positive_f32, lane-wise.
INITLAB_TARGET_AVX2 inline __m256 log_positive_f32(__m256 x) noexcept {
  const __m256i bits = _mm256_castps_si256(x);
  __m256 m = _mm256_castsi256_ps(_mm256_or_si256(
      _mm256_and_si256(bits, _mm256_set1_epi32(static_cast<int>(mantissa_mask_f32))),
      _mm256_set1_epi32(static_cast<int>(one_bits_f32))));
  __m256 e =
      _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127)));
  const __m256 big = _mm256_cmp_ps(m, set_f32(sqrt2_f32), _CMP_GE_OQ);
  m = _mm256_blendv_ps(m, _mm256_mul_ps(m, set_f32(0.5f)), big);
  e = _mm256_blendv_ps(e, _mm256_add_ps(e, set_f32(1.0f)), big);
  const __m256 f = _mm256_sub_ps(m, set_f32(1.0f));
  const __m256 s = _mm256_div_ps(f, _mm256_add_ps(set_f32(2.0f), f));
  const __m256 z = _mm256_mul_ps(s, s);
  const __m256 w = _mm256_mul_ps(z, z);
  const __m256 t1 =
      _mm256_mul_ps(w, _mm256_add_ps(set_f32(lg2_f32), _mm256_mul_ps(w, set_f32(lg4_f32))));
  const __m256 t2 =
      _mm256_mul_ps(z, _mm256_add_ps(set_f32(lg1_f32), _mm256_mul_ps(w, set_f32(lg3_f32))));
  const __m256 r = _mm256_add_ps(t2, t1);
  const __m256 hfsq = _mm256_mul_ps(_mm256_mul_ps(set_f32(0.5f), f), f);
  return _mm256_sub_ps(
      _mm256_mul_ps(e, set_f32(ln2_hi_f32)),
      _mm256_sub_ps(_mm256_sub_ps(hfsq, _mm256_add_ps(_mm256_mul_ps(s, _mm256_add_ps(hfsq, r)),
                                                      _mm256_mul_ps(e, set_f32(ln2_lo_f32)))),
                    f));
}

/// Float truncated normal elements n0 … n0+7 from their words (detail::truncated_value_f32,
/// lane-wise).
INITLAB_TARGET_AVX2 inline void put_f32(const stream&, float* out, std::uint64_t, __m256i word,
                                        const truncated_params_f32& p) noexcept {
  const __m256 t =
      _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(word, 8),
                                                                      _mm256_set1_epi32(1 << 23))),
                                  set_f32(uniform_grid_f32)),
                    set_f32(half_grid_step_f32));
  const __m256 x = _mm256_mul_ps(t, set_f32(two_erf_sqrt2_f32));
  const __m256 lg = log_positive_f32(
      _mm256_mul_ps(_mm256_sub_ps(set_f32(1.0f), x), _mm256_add_ps(set_f32(1.0f), x)));
  const __m256 w = _mm256_sub_ps(set_f32(-2.5f), lg);  // = (−lg) − 2.5 exactly
  __m256 q = set_f32(erfinv_coefficients_f32[0]);
  for (std::size_t i = 1; i < std::size(erfinv_coefficients_f32); ++i)
    q = _mm256_add_ps(set_f32(erfinv_coefficients_f32[i]), _mm256_mul_ps(q, w));
  const __m256 z = _mm256_mul_ps(_mm256_mul_ps(q, x), set_f32(sqrt2_f32));
  const __m256 v = _mm256_min_ps(_mm256_mul_ps(set_f32(p.sigma), z), set_f32(p.bound));
  _mm256_storeu_ps(out, _mm256_max_ps(v, set_f32(-p.bound)));
}

}  // namespace initlab::detail::avx2

namespace initlab::detail {

/// Fills blocks [b0, b0 + nblocks) into out[0 .. 2·nblocks) with AVX2 and AES-NI (the CPU must
/// have both).
template <class T, class Params>
INITLAB_TARGET_AVX2 void fill_blocks_avx2(const stream& s, T* out, std::uint64_t b0,
                                          std::size_t nblocks, const Params& p) noexcept {
  constexpr std::size_t width = 4;
  const avx2::round_keys keys = avx2::make_round_keys(s.data_key());
  std::size_t i = 0;
  for (; i + width <= nblocks; i += width)
    avx2::put(s, out + 2 * i, b0 + i, avx2::blocks4(keys, b0 + i), p);
  fill_blocks_scalar(s, out + 2 * i, b0 + i, nblocks - i, p);
}

/// Float fill of blocks [b0, b0 + nblocks) into out[0 .. 4·nblocks) (four 32-bit words, four
/// elements, a block) with AVX2 and AES-NI.
template <class Params>
INITLAB_TARGET_AVX2 void fill_blocks4_avx2(const stream& s, float* out, std::uint64_t b0,
                                           std::size_t nblocks, const Params& p) noexcept {
  const avx2::round_keys keys = avx2::make_round_keys(s.data_key());
  std::size_t i = 0;
  for (; i + 4 <= nblocks; i += 4) {
    __m128i v[4];
    avx2::ars4(keys, b0 + i, v);  // v[j] = the words of elements 4(b0 + i + j) … +3, in order
    const std::uint64_t n0 = 4 * (b0 + i);
    avx2::put_f32(s, out + 4 * i, n0, _mm256_set_m128i(v[1], v[0]), p);
    avx2::put_f32(s, out + 4 * i + 8, n0 + 8, _mm256_set_m128i(v[3], v[2]), p);
  }
  fill_blocks4_scalar(s, out + 4 * i, b0 + i, nblocks - i, p);
}

}  // namespace initlab::detail

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
INITLAB_FP_STRICT_END
