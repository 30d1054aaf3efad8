#pragma once
/// Bulk samplers: fill spans of double / float with weights drawn from a counter-based `stream`.
///
/// `out[k]` is element `first + k` of the stream under the requested law, whatever the path
/// (scalar, AVX2, AVX-512), the split of the range, or the thread count: element n is a pure
/// function of (stream key, n, law parameters). Element n uses 64-bit word n of the stream
/// (word n%2 of ARS block n/2, see random.hpp):
///   - uniform:   u = 52 low bits / 2⁵² ∈ [0, 1); value = min(lo + (hi − lo)·u, hi).
///   - normal:    2048-layer ziggurat on word n (detail/ziggurat.hpp): ≈ 99.77% of elements take
///                the fast path z = ±u·xᵢ; the others draw retry blocks of their own, keyed by n
///                (so later elements never shift); value = mean + stddev·z.
///   - truncated normal (|w| < 2σ): inverse CDF, σ·√2·erfinv(x) with x uniform on
///                (−erf √2, erf √2) from word n (detail::truncated_value), clamped to the largest
///                value of the output type below 2σ.
/// float outputs are single precision throughout, from one 32-bit word per element (half the
/// random bits and twice the vector lanes of a double fill): element n uses 32-bit word n of the
/// stream (word n%4 of ARS block n/4):
///   - uniform:   u = (word >> 8)/2²⁴ ∈ [0, 1); value = min(lo + (hi − lo)·u, hi) in float, with
///                lo and hi rounded to float first.
///   - normal:    the same ziggurat on the 32-bit word (layer = bits 0–10, sign = bit 11,
///                u = bits 12–31 / 2²⁰, fast path in float, slow path in double, rounded);
///                value = mean + stddev·z in float, mean and stddev rounded to float first.
///   - truncated normal: σ·√2·erfinv(x) in float (Giles' single-precision branch, fdlibm's
///                logf polynomial), x = 2t·erf √2, t = ((word >> 8) − 2²³)/2²⁴ + 2⁻²⁵, clamped
///                to the largest float below 2σ.
/// No libm call anywhere: log, exp and erfinv are the polynomials of
/// detail/fast_math.hpp (the ziggurat's table adds math.hpp's log, sqrt, erfc), without FMA, so
/// every x86-64 CPU gives the same bits (checked: GCC 12 -O0…-O3, -march=native,
/// -ffp-contract=fast; Clang 14 -O2/-O3 -march=native; Clang with -ffp-contract=fast is not
/// supported, it ignores the guard).
///
/// Public names: fill_normal, fill_uniform, fill_truncated_normal, fill (weight_law or Init),
/// sampler_scheme_float32,
/// bulk_sampler (the engine's parameter_sampler),
/// parallel_fill_* (threads), uniform01 / draw_* (single elements), sampler_scheme,
/// sampler_path_name; tests force a path with detail::set_sampler_path.

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/detail/sampler_scalar.hpp>
#include <initlab/parameter_sampler.hpp>
#include <initlab/random.hpp>
#include <initlab/weight_law.hpp>
#include <span>
#include <thread>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define INITLAB_SAMPLER_X86 1
#include <cpuid.h>

#include <initlab/detail/sampler_avx2.hpp>
#include <initlab/detail/sampler_avx512.hpp>
#else
#define INITLAB_SAMPLER_X86 0
#endif

INITLAB_FP_STRICT_BEGIN

namespace initlab {

namespace detail {

/// Implementation used by the bulk samplers; all give identical bits.
enum class sampler_path : std::uint8_t {
  automatic,  ///< the widest path the CPU supports
  scalar,     ///< portable C++
  avx2,       ///< 4 ARS blocks per iteration (x86-64 with AVX2 and AES-NI)
  avx512,     ///< 16 ARS blocks per iteration (x86-64 with AVX-512F and VAES)
};

#if INITLAB_SAMPLER_X86
/// Whether the CPU has AES-NI (CPUID.1:ECX bit 25).
[[nodiscard]] inline bool cpu_has_aes_ni() noexcept {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid(1, &a, &b, &c, &d) != 0 && (c & (1u << 25)) != 0;
}
/// Whether the CPU has VAES (CPUID.(7,0):ECX bit 9); read with cpuid because Clang's
/// __builtin_cpu_supports does not know "vaes".
[[nodiscard]] inline bool cpu_has_vaes() noexcept {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid_count(7, 0, &a, &b, &c, &d) != 0 && (c & (1u << 9)) != 0;
}
#endif

/// Whether this build and this CPU can run `path`.
[[nodiscard]] inline bool sampler_path_supported(sampler_path path) noexcept {
  switch (path) {
    case sampler_path::automatic:
    case sampler_path::scalar:
      return true;
#if INITLAB_SAMPLER_X86
    case sampler_path::avx2:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") && cpu_has_aes_ni();
    case sampler_path::avx512:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx512f") && cpu_has_vaes();
#else
    case sampler_path::avx2:
    case sampler_path::avx512:
      return false;
#endif
  }
  return false;
}

/// The widest supported path (detected once).
[[nodiscard]] inline sampler_path best_sampler_path() noexcept {
  static const sampler_path best =
      sampler_path_supported(sampler_path::avx512) ? sampler_path::avx512
      : sampler_path_supported(sampler_path::avx2) ? sampler_path::avx2
                                                   : sampler_path::scalar;
  return best;
}

/// Process-wide override of the path (tests and benchmarks); `automatic` by default.
inline std::atomic<sampler_path> sampler_path_override{sampler_path::automatic};

/// Forces `path` for subsequent fills (an unsupported path falls back to the best supported).
inline void set_sampler_path(sampler_path path) noexcept {
  sampler_path_override.store(path);
}

/// The path the next fill will use.
[[nodiscard]] inline sampler_path active_sampler_path() noexcept {
  const sampler_path forced = sampler_path_override.load(std::memory_order_relaxed);
  if (forced != sampler_path::automatic && sampler_path_supported(forced)) return forced;
  return best_sampler_path();
}

/// Fills double `out` with elements first … first + out.size() − 1 of law `p` on the active
/// path (64-bit word n per element).
template <class Params>
void dispatch_fill(const stream& s, std::span<double> out, std::uint64_t first, const Params& p) {
  const sampler_path path = active_sampler_path();
  fill_range(s, out.data(), out.size(), first, p,
             [&](double* dst, std::uint64_t b0, std::size_t nblocks) {
#if INITLAB_SAMPLER_X86
               if (path == sampler_path::avx512) return fill_blocks_avx512(s, dst, b0, nblocks, p);
               if (path == sampler_path::avx2) return fill_blocks_avx2(s, dst, b0, nblocks, p);
#endif
               (void)path;
               fill_blocks_scalar(s, dst, b0, nblocks, p);
             });
}

/// Fills float `out` with elements first … first + out.size() − 1 of a single-precision law
/// (one 32-bit word per element) on the active path.
template <class Params>
void dispatch_fill_f32(const stream& s, std::span<float> out, std::uint64_t first,
                       const Params& p) {
  const sampler_path path = active_sampler_path();
  fill_range4(s, out.data(), out.size(), first, p,
              [&](float* dst, std::uint64_t b0, std::size_t nblocks) {
#if INITLAB_SAMPLER_X86
                if (path == sampler_path::avx512)
                  return fill_blocks4_avx512(s, dst, b0, nblocks, p);
                if (path == sampler_path::avx2) return fill_blocks4_avx2(s, dst, b0, nblocks, p);
#endif
                (void)path;
                fill_blocks4_scalar(s, dst, b0, nblocks, p);
              });
}

/// Largest value of type T that is strictly below `x` (> 0) when compared in double.
template <class T>
[[nodiscard]] inline double largest_below(double x) noexcept {
  T t = static_cast<T>(x);
  if (static_cast<double>(t) >= x) t = std::nextafter(t, T{0});
  return static_cast<double>(t);
}

/// Parameters of the truncated normal of parent σ for output type T.
template <class T>
[[nodiscard]] inline truncated_params make_truncated(double sigma) noexcept {
  return {sigma, largest_below<T>(weight_law::truncation * sigma)};
}

}  // namespace detail

/// Name of the path the samplers use now ("scalar", "avx2", "avx512"; all give the same bits).
[[nodiscard]] inline const char* sampler_path_name() noexcept {
  switch (detail::active_sampler_path()) {
    case detail::sampler_path::avx512:
      return "avx512";
    case detail::sampler_path::avx2:
      return "avx2";
    default:
      return "scalar";
  }
}

/// How the samplers turn stream words into values, for report provenance.
inline constexpr const char* sampler_scheme =
    "element n uses 64-bit stream word n; uniform: lo+(hi-lo)*u, u=52 low bits/2^52; normal: "
    "2048-layer ziggurat (Marsaglia-Tsang 2000, r=4.2163704095118969) on word n: layer=bits "
    "0-10, sign=bit 11, u=bits 12-63/2^52, fast path u*x_i<x_(i+1); else tail (Marsaglia 1964) or "
    "wedge test on retry blocks c=1,2,... philox4x32_10(ctr=(lo32(n),hi32(n),c,0x7a696767),key) "
    "(first word: wedge/tail uniform, second: next word); truncated normal: inverse CDF "
    "sqrt2*erfinv (Giles 2010) on (-erf sqrt2, erf sqrt2); fdlibm log and exp, no FMA, no libm";

/// How float fills turn stream words into values (sampler_scheme is that of double fills, which
/// every study uses).
inline constexpr const char* sampler_scheme_float32 =
    "float fills: element n uses 32-bit stream word n (word n%4 of ARS block n/4), "
    "single precision; uniform: lo+(hi-lo)*u, u=(word>>8)/2^24; normal: the 2048-layer ziggurat "
    "with layer=bits 0-10, sign=bit 11, u=bits 12-31/2^20, fast path u*x_i<x_(i+1) on the table "
    "rounded to float, slow path as for doubles on the float x (a rejected wedge point takes the "
    "low 32 bits of the retry block's second word), rounded; mean+stddev*z in float; truncated "
    "normal: sigma*sqrt2*erfinv(2t*erf sqrt2), t=((word>>8)-2^23)/2^24+2^-25, Giles 2010 "
    "single-precision branch with fdlibm logf, clamped below 2 sigma";

// ------------------------------------------------------------------------- serial fills

/// Fills `out` with N(mean, stddev²) elements first, first+1, … of `s`.
inline void fill_normal(const stream& s, std::span<double> out, double mean, double stddev,
                        std::uint64_t first = 0) {
  detail::dispatch_fill(s, out, first, detail::normal_params{mean, stddev});
}
/// Fills `out` with N(mean, stddev²) elements in single precision (32-bit word n per element).
inline void fill_normal(const stream& s, std::span<float> out, double mean, double stddev,
                        std::uint64_t first = 0) {
  detail::dispatch_fill_f32(
      s, out, first,
      detail::normal_params_f32{static_cast<float>(mean), static_cast<float>(stddev)});
}

/// Fills `out` with U[lo, hi] elements first, first+1, … of `s` (hi reached only by rounding).
inline void fill_uniform(const stream& s, std::span<double> out, double lo, double hi,
                         std::uint64_t first = 0) {
  detail::dispatch_fill(s, out, first, detail::uniform_params{lo, hi - lo, hi});
}
/// Fills `out` with U[lo, hi] elements in single precision, lo and hi rounded to float (32-bit
/// word n per element).
inline void fill_uniform(const stream& s, std::span<float> out, double lo, double hi,
                         std::uint64_t first = 0) {
  const auto flo = static_cast<float>(lo), fhi = static_cast<float>(hi);
  detail::dispatch_fill_f32(s, out, first, detail::uniform_params_f32{flo, fhi - flo, fhi});
}

/// Fills `out` with N(0, σ²) conditioned on |w| < 2σ (every |value| < 2σ), elements first, … .
inline void fill_truncated_normal(const stream& s, std::span<double> out, double sigma,
                                  std::uint64_t first = 0) {
  detail::dispatch_fill(s, out, first, detail::make_truncated<double>(sigma));
}
/// Fills `out` with N(0, σ²) conditioned on |w| < 2σ in single precision, σ rounded to float
/// (32-bit word n per element; every |value| < 2σ).
inline void fill_truncated_normal(const stream& s, std::span<float> out, double sigma,
                                  std::uint64_t first = 0) {
  const detail::truncated_params p = detail::make_truncated<float>(sigma);
  detail::dispatch_fill_f32(
      s, out, first,
      detail::truncated_params_f32{static_cast<float>(p.sigma), static_cast<float>(p.bound)});
}

namespace detail {
/// Fill by weight_law for either output type.
template <class T>
void fill_law(const stream& s, std::span<T> out, const weight_law& law, std::uint64_t first) {
  static_assert(weight_law::truncation == 2.0, "the truncated-normal sampler truncates at 2σ");
  switch (law.kind) {
    case law_kind::constant:
      std::fill(out.begin(), out.end(), static_cast<T>(law.scale));
      return;
    case law_kind::normal:
      return fill_normal(s, out, 0.0, law.scale, first);
    case law_kind::uniform:
      return fill_uniform(s, out, -law.scale, law.scale, first);
    case law_kind::truncated_normal:
      return fill_truncated_normal(s, out, law.scale, first);
  }
}
}  // namespace detail

/// Fills `out` with elements first, first+1, … of `law` (constant: every entry = scale).
inline void fill(const stream& s, std::span<double> out, const weight_law& law,
                 std::uint64_t first = 0) {
  detail::fill_law(s, out, law, first);
}
/// Fills `out` with elements of `law`, rounded to float.
inline void fill(const stream& s, std::span<float> out, const weight_law& law,
                 std::uint64_t first = 0) {
  detail::fill_law(s, out, law, first);
}

/// The parameter sampler of the Monte Carlo engine: a layer's pass draws its buffers with
/// `fill` above (same bits as calling it directly).
class bulk_sampler final : public parameter_sampler {
 public:
  void fill(const stream& s, std::span<double> out, const weight_law& law) const override {
    initlab::fill(s, out, law);
  }
};

/// Fills `out` with the weights of initializer `Init` for a layer (fan_in, fan_out).
template <class Init>
void fill(const stream& s, std::span<double> out, std::size_t fan_in, std::size_t fan_out,
          std::uint64_t first = 0) {
  fill(s, out, Init::law(fan_in, fan_out), first);
}
/// Fills `out` with the weights of initializer `Init` for a layer (fan_in, fan_out), as float.
template <class Init>
void fill(const stream& s, std::span<float> out, std::size_t fan_in, std::size_t fan_out,
          std::uint64_t first = 0) {
  fill(s, out, Init::law(fan_in, fan_out), first);
}

// ----------------------------------------------------------------------- parallel fills

namespace detail {
/// Elements per unit of the parallel split: a multiple of any vector width and cache line.
inline constexpr std::size_t parallel_grain = 4096;

/// Runs `fill_part(subspan, first_of_subspan)` on `threads` contiguous parts of `out`. The
/// values do not depend on the split (element n depends on n only), so not on `threads`.
template <class T, class Fill>
void parallel_parts(std::span<T> out, std::uint64_t first, unsigned threads, Fill&& fill_part) {
  const std::size_t grains = (out.size() + parallel_grain - 1) / parallel_grain;
  const std::size_t parts = std::max<std::size_t>(1, std::min<std::size_t>(threads, grains));
  if (parts == 1) return fill_part(out, first);
  std::vector<std::thread> workers;
  workers.reserve(parts - 1);
  std::size_t begin = 0;
  for (std::size_t i = 0; i < parts; ++i) {
    const std::size_t end = std::min(out.size(), (grains * (i + 1) / parts) * parallel_grain);
    const auto part = out.subspan(begin, end - begin);
    const std::uint64_t part_first = first + begin;
    if (i + 1 == parts) {
      fill_part(part, part_first);
    } else {
      workers.emplace_back([&fill_part, part, part_first] { fill_part(part, part_first); });
    }
    begin = end;
  }
  for (auto& w : workers)
    w.join();
}
}  // namespace detail

/// fill_normal on `threads` threads; the same bits as the serial fill for any thread count.
template <class T>
void parallel_fill_normal(const stream& s, std::span<T> out, double mean, double stddev,
                          unsigned threads, std::uint64_t first = 0) {
  detail::parallel_parts(out, first, threads, [&](std::span<T> part, std::uint64_t f) {
    fill_normal(s, part, mean, stddev, f);
  });
}
/// fill_uniform on `threads` threads; the same bits as the serial fill for any thread count.
template <class T>
void parallel_fill_uniform(const stream& s, std::span<T> out, double lo, double hi,
                           unsigned threads, std::uint64_t first = 0) {
  detail::parallel_parts(out, first, threads, [&](std::span<T> part, std::uint64_t f) {
    fill_uniform(s, part, lo, hi, f);
  });
}
/// fill_truncated_normal on `threads` threads; the same bits as the serial fill.
template <class T>
void parallel_fill_truncated_normal(const stream& s, std::span<T> out, double sigma,
                                    unsigned threads, std::uint64_t first = 0) {
  detail::parallel_parts(out, first, threads, [&](std::span<T> part, std::uint64_t f) {
    fill_truncated_normal(s, part, sigma, f);
  });
}
/// fill(stream, out, law) on `threads` threads; the same bits as the serial fill.
template <class T>
void parallel_fill(const stream& s, std::span<T> out, const weight_law& law, unsigned threads,
                   std::uint64_t first = 0) {
  detail::parallel_parts(out, first, threads,
                         [&](std::span<T> part, std::uint64_t f) { fill(s, part, law, f); });
}

// ----------------------------------------------------------------- single scalar draws

/// Element `n` of fill_uniform(s, …, 0, 1): uniform on [0, 1) (2⁻⁵² grid).
[[nodiscard]] constexpr double uniform01(const stream& s, std::uint64_t n) noexcept {
  return detail::element_value(s, n, detail::uniform_params{0.0, 1.0, 1.0});
}
/// Element `n` of fill_normal(s, …, mean, stddev).
[[nodiscard]] inline double draw_normal(const stream& s, std::uint64_t n, double mean = 0.0,
                                        double stddev = 1.0) noexcept {
  return detail::element_value(s, n, detail::normal_params{mean, stddev});
}
/// Element `n` of fill_uniform(s, …, lo, hi).
[[nodiscard]] constexpr double draw_uniform(const stream& s, std::uint64_t n, double lo,
                                            double hi) noexcept {
  return detail::element_value(s, n, detail::uniform_params{lo, hi - lo, hi});
}
/// Element `n` of fill_truncated_normal(s, std::span<double>, sigma).
[[nodiscard]] inline double draw_truncated_normal(const stream& s, std::uint64_t n,
                                                  double sigma) noexcept {
  return detail::element_value(s, n, detail::make_truncated<double>(sigma));
}

}  // namespace initlab

INITLAB_FP_STRICT_END
