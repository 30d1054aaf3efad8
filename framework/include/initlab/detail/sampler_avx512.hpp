#pragma once
/// AVX-512F path of the bulk samplers: 8 Philox blocks (16 elements) per iteration.
///
/// Every floating-point operation mirrors detail/fast_math.hpp and detail/sampler_scalar.hpp
/// one for one (same operands, same order, no FMA: the target attribute does not enable "fma"
/// and contraction is switched off below), so the bits equal the scalar path's.

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initlab/detail/fast_math.hpp>
#include <initlab/detail/sampler_scalar.hpp>
#include <initlab/detail/ziggurat.hpp>
#include <initlab/random.hpp>
#include <type_traits>

INITLAB_FP_STRICT_BEGIN
// GCC 12 reports its own _mm512_undefined_* placeholders as (maybe-)uninitialized when the
// intrinsics are inlined here (a false positive); silence it for this header only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

/// Compiles one function for AVX-512F while the rest of the program stays baseline x86-64.
#define INITLAB_TARGET_AVX512 __attribute__((target("avx512f")))

namespace initlab::detail::avx512 {

/// Philox round keys broadcast once per fill.
struct round_keys {
  __m512i k0[philox_rounds];
  __m512i k1[philox_rounds];
};

/// The two 64-bit words of 8 consecutive blocks (lane i = block b0 + i).
struct block_words {
  __m512i a;
  __m512i b;
};

/// Round keys of `key`: round r uses key + r·(W0, W1) (mod 2³²).
INITLAB_TARGET_AVX512 inline round_keys make_round_keys(philox_key key) noexcept {
  round_keys k;
  for (int r = 0; r < philox_rounds; ++r) {
    k.k0[r] = _mm512_set1_epi64(static_cast<long long>(key[0]));
    k.k1[r] = _mm512_set1_epi64(static_cast<long long>(key[1]));
    key[0] += philox_w0;
    key[1] += philox_w1;
  }
  return k;
}

/// Philox4x32-10 of 8 counters (one 32-bit counter word per 64-bit lane, upper halves ignored),
/// one 32-bit word per 64-bit lane (upper halves are junk
/// until the final packing; _mm512_mul_epu32 reads only the low halves).
INITLAB_TARGET_AVX512 inline block_words philox_counters(const round_keys& k, __m512i c0,
                                                         __m512i c1, __m512i c2,
                                                         __m512i c3) noexcept {
  const __m512i m0 = _mm512_set1_epi64(philox_m0);
  const __m512i m1 = _mm512_set1_epi64(philox_m1);
  for (int r = 0; r < philox_rounds; ++r) {
    const __m512i p0 = _mm512_mul_epu32(c0, m0);
    const __m512i p1 = _mm512_mul_epu32(c2, m1);
    c0 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), c1, k.k0[r], 0x96);  // a^b^c
    c1 = p1;
    c2 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), c3, k.k1[r], 0x96);
    c3 = p0;
  }
  const __m512i low = _mm512_set1_epi64(0xFFFFFFFFll);
  return {_mm512_or_si512(_mm512_and_si512(c0, low), _mm512_slli_epi64(c1, 32)),
          _mm512_or_si512(_mm512_and_si512(c2, low), _mm512_slli_epi64(c3, 32))};
}

/// Philox4x32-10 of data blocks b0 … b0+7: counters (lo32(b), hi32(b), 0, 0).
INITLAB_TARGET_AVX512 inline block_words philox(const round_keys& k, std::uint64_t b0) noexcept {
  const __m512i b = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(b0)),
                                     _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
  return philox_counters(k, b, _mm512_srli_epi64(b, 32), _mm512_setzero_si512(),
                         _mm512_setzero_si512());
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

/// Values of 8 blocks: v0 = elements 2b, v1 = elements 2b+1.
struct block_values {
  __m512d v0;
  __m512d v1;
};

/// Main words and fast-path masks of one chunk of blocks, for the scalar slow path that runs
/// after the chunk's stores (no compress, no data-dependent branch in the vector loop).
struct ziggurat_chunk {
  /// Blocks per chunk (a multiple of 8): 4 KiB of words, stays in L1.
  static constexpr std::size_t blocks = 256;
  alignas(64) std::uint64_t word[2 * blocks];  ///< vector j: words a at 16j, words b at 16j + 8
  std::uint8_t slow[blocks / 4];               ///< vector j: lanes of a (2j) and b (2j+1) to redo
  alignas(64) std::uint64_t offset[2 * blocks + 8];    ///< output offsets of the flagged lanes
  alignas(64) std::uint64_t rejected[2 * blocks + 8];  ///< their main words
};

/// Slow path of `count` ≤ 8 flagged elements (entries r … r+count−1 of `c`; element = n0 + offset):
/// the first wedge test (auxiliary block 0, exactly as detail::ziggurat_slow computes it) on all
/// lanes at once; lanes in layer 0 (tail) or whose wedge test fails call ziggurat_slow itself.
template <class T>
INITLAB_TARGET_AVX512 void ziggurat_wedges(const round_keys& keys, philox_key key, T* out,
                                           std::uint64_t n0, const normal_params& p,
                                           const ziggurat_chunk& c, std::size_t r,
                                           std::size_t count) noexcept {
  const __mmask8 valid = static_cast<__mmask8>((1u << count) - 1u);
  const __m512i w = _mm512_maskz_loadu_epi64(valid, c.rejected + r);
  const __m512i n = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(n0)),
                                     _mm512_maskz_loadu_epi64(valid, c.offset + r));
  const block_words ab = philox_counters(keys, n, _mm512_srli_epi64(n, 32), _mm512_setzero_si512(),
                                         _mm512_set1_epi64(zig_tag));
  const __m512i layer =
      _mm512_and_si512(_mm512_srli_epi64(w, 52), _mm512_set1_epi64(zig_layers - 1));
  const __m512i next = _mm512_add_epi64(layer, _mm512_set1_epi64(1));
  const __m512d x = _mm512_mul_pd(_mm512_sub_pd(one_to_two(w), set(1.0)),
                                  _mm512_i64gather_pd(layer, zig.x.data(), 8));
  const __m512d fi = _mm512_i64gather_pd(layer, zig.f.data(), 8);
  const __m512d fn = _mm512_i64gather_pd(next, zig.f.data(), 8);
  const __m512d y = _mm512_add_pd(
      fi, _mm512_mul_pd(_mm512_sub_pd(one_to_two(ab.a), set(1.0)), _mm512_sub_pd(fn, fi)));
  const __m512d bound = _mm512_mul_pd(set(-0.5), _mm512_mul_pd(x, x));
  const __mmask8 wedge = _mm512_test_epi64_mask(layer, layer);  // layer ≠ 0
  const __mmask8 accept = _mm512_mask_cmp_pd_mask(static_cast<__mmask8>(valid & wedge),
                                                  log_positive(y), bound, _CMP_LT_OQ);
  const __m512i sign = _mm512_and_si512(w, _mm512_set1_epi64(static_cast<long long>(sign_bit)));
  const __m512d z = _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(x), sign));
  const __m512d v = _mm512_add_pd(set(p.mean), _mm512_mul_pd(set(p.stddev), z));
  alignas(64) double vs[8];
  _mm512_store_pd(vs, v);
  for (unsigned l = 0; l < count; ++l) {
    const std::uint64_t k = c.offset[r + l];
    if ((accept >> l) & 1u) {
      out[k] = static_cast<T>(vs[l]);
    } else {
      out[k] = static_cast<T>(p.mean + p.stddev * ziggurat_slow(key, n0 + k, c.rejected[r + l]));
    }
  }
}

/// (t[a], t[a+1], t[b], t[b+1]) by two 16-byte loads.
INITLAB_TARGET_AVX512 inline __m256d table_pair(const double* t, std::uint64_t a,
                                                std::uint64_t b) noexcept {
  return _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(t + a)), _mm_loadu_pd(t + b), 1);
}

/// The ziggurat's fast path on 8 words (two gathers, one multiply, one compare): z = ±u·x[i]
/// on every lane; `slow` gets the lanes failing x < x[i+1] (≈ 1.5 % of elements), whose values
/// the scalar slow path overwrites afterwards, so the bits are the scalar path's by construction.
INITLAB_TARGET_AVX512 inline __m512d ziggurat_fast(__m512i w, std::uint8_t& slow) noexcept {
  const __m512i layer =
      _mm512_and_si512(_mm512_srli_epi64(w, 52), _mm512_set1_epi64(zig_layers - 1));
  // (x[i], x[i+1]) by eight 16-byte loads and two permutes: on Zen 5 under load this is
  // ≈ 0.85 ns per element cheaper than two vgatherqpd.
  alignas(64) std::uint64_t li[8];
  _mm512_store_si512(li, layer);
  const double* tx = zig.x.data();
  const __m512d lo = _mm512_insertf64x4(_mm512_castpd256_pd512(table_pair(tx, li[0], li[1])),
                                        table_pair(tx, li[2], li[3]), 1);
  const __m512d hi = _mm512_insertf64x4(_mm512_castpd256_pd512(table_pair(tx, li[4], li[5])),
                                        table_pair(tx, li[6], li[7]), 1);
  const __m512d xi = _mm512_permutex2var_pd(lo, _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0), hi);
  const __m512d xn = _mm512_permutex2var_pd(lo, _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1), hi);
  const __m512d x = _mm512_mul_pd(_mm512_sub_pd(one_to_two(w), set(1.0)), xi);
  slow = static_cast<std::uint8_t>(_mm512_cmp_pd_mask(x, xn, _CMP_NLT_UQ));
  const __m512i sign = _mm512_and_si512(w, _mm512_set1_epi64(static_cast<long long>(sign_bit)));
  return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(x), sign));
}

/// Normal values of 8 blocks by the fast path; records words and masks as vector j of `c`.
INITLAB_TARGET_AVX512 inline block_values normal_fast(const block_words& x, const normal_params& p,
                                                      ziggurat_chunk& c, std::size_t j) noexcept {
  _mm512_store_si512(c.word + 16 * j, x.a);
  _mm512_store_si512(c.word + 16 * j + 8, x.b);
  const __m512d z0 = ziggurat_fast(x.a, c.slow[2 * j]);
  const __m512d z1 = ziggurat_fast(x.b, c.slow[2 * j + 1]);
  return {_mm512_add_pd(set(p.mean), _mm512_mul_pd(set(p.stddev), z0)),
          _mm512_add_pd(set(p.mean), _mm512_mul_pd(set(p.stddev), z1))};
}

/// detail::uniform_value, lane-wise.
INITLAB_TARGET_AVX512 inline __m512d uniform(__m512i word, const uniform_params& p) noexcept {
  const __m512d u = _mm512_sub_pd(one_to_two(word), set(1.0));
  return _mm512_min_pd(_mm512_add_pd(set(p.lo), _mm512_mul_pd(set(p.width), u)), set(p.hi));
}

/// detail::uniform_value on both words.
INITLAB_TARGET_AVX512 inline block_values values(const block_words& x,
                                                 const uniform_params& p) noexcept {
  return {uniform(x.a, p), uniform(x.b, p)};
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

/// detail::truncated_value on both words.
INITLAB_TARGET_AVX512 inline block_values values(const block_words& x,
                                                 const truncated_params& p) noexcept {
  return {truncated(x.a, p), truncated(x.b, p)};
}

/// Stores 16 values in element order (v0[0], v1[0], v0[1], v1[1], …).
INITLAB_TARGET_AVX512 inline void store(double* out, const block_values& v) noexcept {
  const __m512i lo = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
  const __m512i hi = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
  _mm512_storeu_pd(out, _mm512_permutex2var_pd(v.v0, lo, v.v1));
  _mm512_storeu_pd(out + 8, _mm512_permutex2var_pd(v.v0, hi, v.v1));
}

/// Stores 16 values in element order, rounded to float.
INITLAB_TARGET_AVX512 inline void store(float* out, const block_values& v) noexcept {
  const __m512i lo = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
  const __m512i hi = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
  _mm256_storeu_ps(out, _mm512_cvtpd_ps(_mm512_permutex2var_pd(v.v0, lo, v.v1)));
  _mm256_storeu_ps(out + 8, _mm512_cvtpd_ps(_mm512_permutex2var_pd(v.v0, hi, v.v1)));
}

}  // namespace initlab::detail::avx512

namespace initlab::detail {

/// Fills blocks [b0, b0 + nblocks) into out[0 .. 2·nblocks) with AVX-512F (CPU must have it).
template <class T, class Params>
INITLAB_TARGET_AVX512 void fill_blocks_avx512(const stream& s, T* out, std::uint64_t b0,
                                              std::size_t nblocks, const Params& p) noexcept {
  constexpr std::size_t width = 8;
  const avx512::round_keys keys = avx512::make_round_keys(s.key());
  std::size_t i = 0;
  if constexpr (std::is_same_v<Params, normal_params>) {
    // Chunks of ≤ 256 blocks: fast path with stores, then the scalar slow path for the
    // flagged lanes (block lane l of vector j is block i0 + 8j + l, words a / b are elements
    // 2·block and 2·block + 1), overwriting their placeholders.
    avx512::ziggurat_chunk chunk;
    while (i + width <= nblocks) {
      const std::size_t i0 = i;
      const std::size_t vectors = std::min(avx512::ziggurat_chunk::blocks, nblocks - i) / width;
      for (std::size_t j = 0; j < vectors; ++j, i += width)
        avx512::store(out + 2 * i, avx512::normal_fast(avx512::philox(keys, b0 + i), p, chunk, j));
      std::size_t count = 0;
      for (std::size_t h = 0; h < 2 * vectors; ++h)
        for (unsigned m = chunk.slow[h]; m != 0; m &= m - 1) {
          const unsigned l = static_cast<unsigned>(__builtin_ctz(m));
          chunk.offset[count] = 2 * (i0 + 8 * (h / 2) + l) + (h % 2);
          chunk.rejected[count++] = chunk.word[8 * h + l];
        }
      for (std::size_t r = 0; r < count; r += width)
        avx512::ziggurat_wedges(keys, s.key(), out, 2 * b0, p, chunk, r,
                                std::min(width, count - r));
    }
  } else {
    for (; i + width <= nblocks; i += width)
      avx512::store(out + 2 * i, avx512::values(avx512::philox(keys, b0 + i), p));
  }
  fill_blocks_scalar(s, out + 2 * i, b0 + i, nblocks - i, p);
}

}  // namespace initlab::detail

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
INITLAB_FP_STRICT_END
