#pragma once
/// Deterministic dense kernels of the Monte Carlo engine: a matrix × panel product whose every
/// output is summed in ascending index order, and fixed-order reductions.
///
/// Why the bits never depend on the CPU: each output element is one scalar accumulator that starts
/// at +0.0 and receives `acc = acc + a * x` (a rounded product, then a rounded sum; contraction
/// into an FMA is off in this header, fp_strict.hpp, whatever the consumer's flags) for k = 0, 1, …, K−1. The SIMD paths only compute
/// several *independent* outputs side by side (one per lane), so the scalar, SSE2, AVX2 and
/// AVX-512 paths produce the same bits; the path is picked once at run time for speed only.

#include <cstddef>
#include <cstring>
#include <initlab/detail/fp_strict.hpp>
#include <vector>

INITLAB_FP_STRICT_BEGIN

namespace initlab::detail {

/// GCC vector-extension types (lane-wise IEEE arithmetic; not part of any ABI we expose).
typedef double simd_v2d __attribute__((vector_size(16)));
typedef double simd_v4d __attribute__((vector_size(32)));
typedef double simd_v8d __attribute__((vector_size(64)));

/// Arguments of `ordered_product`: out(r, c) = Σ_{k=0}^{K−1} a(r, k) · in(k, c), k ascending,
/// with a(r, k) = a[r·a_row + k·a_col], in(k, c) = in[k·in_ld + c], out(r, c) = out[r·out_ld + c].
struct product_args {
  const double* a;
  std::size_t a_row, a_col;
  const double* in;
  std::size_t in_ld;
  double* out;
  std::size_t out_ld;
  std::size_t rows, depth, cols;
};

/// Columns [c_begin, c_end) (c_end − c_begin a multiple of lanes·CB): register tiles of `RB`
/// rows × `CB` vectors of adjacent columns (lanes = columns); the row tail one row at a time.
/// Good for batches of at least one vector, in the layer's own (row-major) weight layout.
template <class V, int RB, int CB>
[[gnu::always_inline]] inline void column_tiles(const product_args& p, std::size_t c_begin,
                                                std::size_t c_end) noexcept {
  constexpr std::size_t lanes = sizeof(V) / sizeof(double);
  constexpr std::size_t tile_cols = lanes * CB;
  const std::size_t full_rows = p.rows - p.rows % RB;
  // Column panels outermost: the K × tile_cols panel of `in` stays in cache for all rows.
  for (std::size_t c0 = c_begin; c0 < c_end; c0 += tile_cols) {
    for (std::size_t r0 = 0; r0 < full_rows; r0 += RB) {
      V acc[RB][CB];
      for (int i = 0; i < RB; ++i)
        for (int j = 0; j < CB; ++j)
          acc[i][j] = V{};
      const double* arow = p.a + r0 * p.a_row;
      const double* x = p.in + c0;
      for (std::size_t k = 0; k < p.depth; ++k, x += p.in_ld, arow += p.a_col) {
        V xv[CB];
        for (int j = 0; j < CB; ++j)
          std::memcpy(&xv[j], x + j * lanes, sizeof(V));
        for (int i = 0; i < RB; ++i) {
          const double w = arow[static_cast<std::size_t>(i) * p.a_row];
          for (int j = 0; j < CB; ++j) {
            V prod = w * xv[j];
            acc[i][j] = acc[i][j] + prod;
          }
        }
      }
      for (int i = 0; i < RB; ++i)
        for (int j = 0; j < CB; ++j)
          std::memcpy(p.out + (r0 + static_cast<std::size_t>(i)) * p.out_ld + c0 + j * lanes,
                      &acc[i][j], sizeof(V));
    }
    // Row tail: one row at a time, same tile width.
    for (std::size_t r = full_rows; r < p.rows; ++r) {
      V acc[CB];
      for (int j = 0; j < CB; ++j)
        acc[j] = V{};
      const double* arow = p.a + r * p.a_row;
      const double* x = p.in + c0;
      for (std::size_t k = 0; k < p.depth; ++k, x += p.in_ld, arow += p.a_col) {
        const double w = *arow;
        for (int j = 0; j < CB; ++j) {
          V xv;
          std::memcpy(&xv, x + j * lanes, sizeof(V));
          V prod = w * xv;
          acc[j] = acc[j] + prod;
        }
      }
      for (int j = 0; j < CB; ++j)
        std::memcpy(p.out + r * p.out_ld + c0 + j * lanes, &acc[j], sizeof(V));
    }
  }
}

/// Columns [c_begin, cols) for a matrix with contiguous rows (a_row == 1): register tiles of
/// `RB` vectors of adjacent rows (lanes = rows) × `CB` columns; the row tail one row at a time.
/// Good for narrow batches (even a single column: a matrix × vector product).
template <class V, int RB, int CB>
[[gnu::always_inline]] inline void row_tiles(const product_args& p, std::size_t c_begin) noexcept {
  constexpr std::size_t lanes = sizeof(V) / sizeof(double);
  constexpr std::size_t tile_rows = lanes * RB;
  const std::size_t full_rows = p.rows - p.rows % tile_rows;
  std::size_t c0 = c_begin;
  for (; c0 + CB <= p.cols; c0 += CB) {
    for (std::size_t r0 = 0; r0 < full_rows; r0 += tile_rows) {
      V acc[RB][CB];
      for (int i = 0; i < RB; ++i)
        for (int j = 0; j < CB; ++j)
          acc[i][j] = V{};
      const double* ak = p.a + r0;
      const double* x = p.in + c0;
      for (std::size_t k = 0; k < p.depth; ++k, ak += p.a_col, x += p.in_ld) {
        V av[RB];
        for (int i = 0; i < RB; ++i)
          std::memcpy(&av[i], ak + i * lanes, sizeof(V));
        for (int j = 0; j < CB; ++j) {
          const double xv = x[j];
          for (int i = 0; i < RB; ++i) {
            V prod = av[i] * xv;
            acc[i][j] = acc[i][j] + prod;
          }
        }
      }
      for (int i = 0; i < RB; ++i)
        for (int j = 0; j < CB; ++j)
          for (std::size_t lane = 0; lane < lanes; ++lane)
            p.out[(r0 + i * lanes + lane) * p.out_ld + c0 + j] = acc[i][j][lane];
    }
    for (std::size_t r = full_rows; r < p.rows; ++r) {
      double acc[CB] = {};
      const double* ak = p.a + r;
      const double* x = p.in + c0;
      for (std::size_t k = 0; k < p.depth; ++k, ak += p.a_col, x += p.in_ld) {
        const double w = *ak;
        for (int j = 0; j < CB; ++j) {
          const double prod = w * x[j];
          acc[j] = acc[j] + prod;
        }
      }
      for (int j = 0; j < CB; ++j)
        p.out[r * p.out_ld + c0 + j] = acc[j];
    }
  }
  if constexpr (CB > 1) {
    if (c0 < p.cols) row_tiles<V, RB, 1>(p, c0);
  }
}

/// Columns [c_begin, cols), any layout: one scalar accumulator per output.
inline void scalar_columns(const product_args& p, std::size_t c_begin) noexcept {
  for (std::size_t r = 0; r < p.rows; ++r) {
    for (std::size_t c = c_begin; c < p.cols; ++c) {
      double acc = 0.0;
      const double* arow = p.a + r * p.a_row;
      const double* x = p.in + c;
      for (std::size_t k = 0; k < p.depth; ++k, x += p.in_ld, arow += p.a_col) {
        const double prod = *arow * *x;
        acc = acc + prod;
      }
      p.out[r * p.out_ld + c] = acc;
    }
  }
}

/// Columns handled by `column_tiles` with vector type V (the rest go to the other paths).
template <class V>
constexpr std::size_t column_tile_width = 2 * sizeof(V) / sizeof(double);

/// Vectors of rows per `row_tiles` tile (speed only). AVX2 has 16 vector registers, and 4 × 4
/// accumulators plus 4 row vectors spill: its backward product fell below SSE2's
/// (bench/README.md, `engine/product/…/isa:1/transposed:1`); 2 × 4 fits. SSE2 and
/// AVX-512 measured fastest with 4.
template <class V>
constexpr int row_tile_vectors = sizeof(V) == 32 ? 2 : 4;

/// Whole product: column tiles where the batch is wide enough, row tiles (contiguous rows) or
/// scalar accumulators for the remaining columns. Every path has the same per-output order.
template <class V>
[[gnu::always_inline]] inline void ordered_product_body(const product_args& p) noexcept {
  constexpr std::size_t tile = column_tile_width<V>;
  constexpr std::size_t lanes = sizeof(V) / sizeof(double);
  const bool rows_contiguous = p.a_row == 1;
  // Narrow batches with contiguous rows: row tiles are faster than a mostly-tail column pass.
  std::size_t done = rows_contiguous && p.cols < 2 * tile ? 0 : p.cols - p.cols % tile;
  if (done > 0) column_tiles<V, 4, 2>(p, 0, done);
  // Without contiguous rows, whole vectors of the remaining columns still get column tiles (one
  // vector wide, eight rows to hide the adds' latency): a batch of 8 is one AVX-512 vector.
  if (!rows_contiguous && p.cols - done >= lanes) {
    const std::size_t end = p.cols - (p.cols - done) % lanes;
    column_tiles<V, 8, 1>(p, done, end);
    done = end;
  }
  if (done == p.cols) return;
  if (rows_contiguous)
    row_tiles<V, row_tile_vectors<V>, 4>(p, done);
  else
    scalar_columns(p, done);
}

/// Portable path (SSE2 is the x86-64 baseline).
inline void ordered_product_generic(const product_args& p) noexcept {
  ordered_product_body<simd_v2d>(p);
}

#if defined(__x86_64__) && defined(__GNUC__)
/// AVX2 path: same bits, four lanes.
[[gnu::target("avx2")]] inline void ordered_product_avx2(const product_args& p) noexcept {
  ordered_product_body<simd_v4d>(p);
}
/// AVX-512 path: same bits, eight lanes.
[[gnu::target("avx512f")]] inline void ordered_product_avx512(const product_args& p) noexcept {
  ordered_product_body<simd_v8d>(p);
}
#endif

/// Batches that are a multiple of this are fast in `column_tiles` on every path (a whole number
/// of AVX-512 vectors, of pairs of AVX2 vectors); other ones are faster with lanes over rows (a
/// transposed matrix). A speed choice only.
inline constexpr std::size_t wide_batch = 8;

/// Instruction set used by `ordered_product`; affects speed only, never results.
enum class kernel_isa { generic, avx2, avx512 };

/// The best path this CPU supports (detected once).
[[nodiscard]] inline kernel_isa detected_kernel_isa() noexcept {
#if defined(__x86_64__) && defined(__GNUC__)
  static const kernel_isa isa = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return kernel_isa::avx512;
    if (__builtin_cpu_supports("avx2")) return kernel_isa::avx2;
    return kernel_isa::generic;
  }();
  return isa;
#else
  return kernel_isa::generic;
#endif
}

/// out(r, c) = Σ_k a(r, k)·in(k, c) summed in ascending k; `isa` selects a path (same bits).
inline void ordered_product(const product_args& p,
                            kernel_isa isa = detected_kernel_isa()) noexcept {
  if (p.rows == 0 || p.cols == 0) return;
#if defined(__x86_64__) && defined(__GNUC__)
  if (isa == kernel_isa::avx512) return ordered_product_avx512(p);
  if (isa == kernel_isa::avx2) return ordered_product_avx2(p);
#endif
  ordered_product_generic(p);
}

/// Number of interleaved partial sums used by the fixed-order reductions below.
inline constexpr std::size_t reduction_lanes = 8;

/// Σ f(x[i]) in a fixed order: partial sum s_j over i ≡ j (mod 8), ascending, for the first
/// ⌊n/8⌋·8 elements; then ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)); then the tail in order.
template <class F>
[[nodiscard]] inline double ordered_sum(const double* x, std::size_t n, F f) noexcept {
  double s[reduction_lanes] = {};
  const std::size_t full = n - n % reduction_lanes;
  for (std::size_t i = 0; i < full; i += reduction_lanes)
    for (std::size_t j = 0; j < reduction_lanes; ++j)
      s[j] = s[j] + f(x[i + j]);
  double total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (std::size_t i = full; i < n; ++i)
    total = total + f(x[i]);
  return total;
}

/// Σ x[i] in the fixed order of `ordered_sum`.
[[nodiscard]] inline double sum(const double* x, std::size_t n) noexcept {
  return ordered_sum(x, n, [](double v) { return v; });
}

/// Σ x[i]² in the fixed order of `ordered_sum`.
[[nodiscard]] inline double sum_squares(const double* x, std::size_t n) noexcept {
  return ordered_sum(x, n, [](double v) { return v * v; });
}

}  // namespace initlab::detail

namespace initlab::detail {

/// out = mᵀ for m (rows × cols, row-major), in cache-sized blocks.
inline void transpose(const double* m, std::size_t rows, std::size_t cols,
                      std::vector<double>& out) {
  out.resize(rows * cols);
  constexpr std::size_t block = 8;  // 8 lines per cache set: no conflict misses at 4 KiB strides
  for (std::size_t r0 = 0; r0 < rows; r0 += block)
    for (std::size_t c0 = 0; c0 < cols; c0 += block) {
      const std::size_t r1 = r0 + block < rows ? r0 + block : rows;
      const std::size_t c1 = c0 + block < cols ? c0 + block : cols;
      for (std::size_t r = r0; r < r1; ++r)
        for (std::size_t c = c0; c < c1; ++c)
          out[c * rows + r] = m[r * cols + c];
    }
}

}  // namespace initlab::detail

INITLAB_FP_STRICT_END
