// Bulk-sampler benchmarks: initlab's samplers vs the generators a user would pick instead, and
// vs the memory-store ceiling (std::fill of the same buffer). Names and arguments are fixed by
// issue 4; bench/README.md has the command and the ratios of one run.
#include <Random123/philox.h>
#include <benchmark/benchmark.h>

#include <Random123/boxmuller.hpp>
#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <cstdint>
#include <initlab/sampler.hpp>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "cpu_model.hpp"

namespace {

/// Element counts: 2^20 for the single-thread ratios, 2^22 for thread scaling.
constexpr std::int64_t small_n = 1 << 20;
constexpr std::int64_t large_n = 1 << 22;

/// The buffer every benchmark fills (allocated and touched once, before any timing).
std::vector<double>& buffer() {
  static std::vector<double> b(large_n, 0.0);
  return b;
}

/// Parameters read through volatiles so the compiler cannot fold them into the loops.
volatile std::uint64_t seed_source = 20240611;
volatile double mean_source = 0.0;
volatile double stddev_source = 1.0;
volatile double bound_source = 1.0;
std::uint64_t seed_value() {
  return seed_source;
}
double mean_value() {
  return mean_source;
}
double stddev_value() {
  return stddev_source;
}
double bound_value() {
  return bound_source;
}

/// Skips the benchmark with an error when the sample mean or variance of `x` is absurd:
/// more than 10 standard errors from (mean, variance) (SE of the variance taken as var·√(2/n)).
void check_moments(benchmark::State& state, std::span<const double> x, double mean,
                   double variance) {
  long double s1 = 0, s2 = 0;
  for (double v : x) {
    s1 += v - mean;
    s2 += (v - mean) * (v - mean);
  }
  const double n = static_cast<double>(x.size());
  const double m = static_cast<double>(s1 / n), var = static_cast<double>(s2 / n);
  if (std::fabs(m) > 10 * std::sqrt(variance / n) ||
      std::fabs(var - variance) > 10 * variance * std::sqrt(2 / n))
    state.SkipWithError(("sample moments off: mean " + std::to_string(m + mean) + ", variance " +
                         std::to_string(var))
                            .c_str());
}

/// Variance of N(0,1) conditioned on |z| < 2.
const double truncated_unit_variance =
    1.0 - 4.0 * std::exp(-2.0) / std::sqrt(2.0 * M_PI) / std::erf(std::sqrt(2.0));

/// The range of the buffer filled by the calling benchmark thread (all of it in one thread).
std::span<double> my_part(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto threads = static_cast<std::size_t>(state.threads());
  const auto t = static_cast<std::size_t>(state.thread_index());
  const std::size_t begin = n * t / threads, end = n * (t + 1) / threads;
  return std::span(buffer()).subspan(begin, end - begin);
}

/// Offset of this thread's part in the whole fill (element index of its first entry).
std::uint64_t my_first(benchmark::State& state) {
  return static_cast<std::uint64_t>(my_part(state).data() - buffer().data());
}

// ------------------------------------------------------------------------------- initlab

void normal_initlab(benchmark::State& state) {
  const auto out = my_part(state);
  const std::uint64_t first = my_first(state);
  std::uint64_t seed = seed_value();
  const double mean = mean_value(), sd = stddev_value();
  for (auto _ : state) {
    initlab::fill_normal(initlab::stream(seed++), out, mean, sd, first);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
  check_moments(state, out, mean, sd * sd);
}

void uniform_initlab(benchmark::State& state) {
  const auto out = my_part(state);
  const std::uint64_t first = my_first(state);
  std::uint64_t seed = seed_value();
  const double bound = bound_value();
  for (auto _ : state) {
    initlab::fill_uniform(initlab::stream(seed++), out, -bound, bound, first);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
  check_moments(state, out, 0.0, bound * bound / 3);
}

void truncated_normal_initlab(benchmark::State& state) {
  const auto out = my_part(state);
  const std::uint64_t first = my_first(state);
  std::uint64_t seed = seed_value();
  const double sd = stddev_value();
  for (auto _ : state) {
    initlab::fill_truncated_normal(initlab::stream(seed++), out, sd, first);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
  check_moments(state, out, 0.0, sd * sd * truncated_unit_variance);
  if (std::any_of(out.begin(), out.end(), [&](double v) { return std::fabs(v) >= 2 * sd; }))
    state.SkipWithError("truncated normal value outside (-2 sigma, 2 sigma)");
}

/// float32 fills (single precision, one 32-bit word per element): the issue asks for at least
/// the double rate per byte, i.e. at least twice the double fill's elements per second.
std::span<float> float_buffer() {
  static std::vector<float> b(small_n, 0.0f);
  return b;
}

void normal_float_initlab(benchmark::State& state) {
  const auto out = float_buffer().first(static_cast<std::size_t>(state.range(0)));
  std::uint64_t seed = seed_value();
  const double mean = mean_value(), sd = stddev_value();
  for (auto _ : state) {
    initlab::fill_normal(initlab::stream(seed++), out, mean, sd);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
  std::vector<double> widened(out.begin(), out.end());
  check_moments(state, widened, mean, sd * sd);
}

void uniform_float_initlab(benchmark::State& state) {
  const auto out = float_buffer().first(static_cast<std::size_t>(state.range(0)));
  std::uint64_t seed = seed_value();
  const double bound = bound_value();
  for (auto _ : state) {
    initlab::fill_uniform(initlab::stream(seed++), out, -bound, bound);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
  std::vector<double> widened(out.begin(), out.end());
  check_moments(state, widened, 0.0, bound * bound / 3);
}

void truncated_normal_float_initlab(benchmark::State& state) {
  const auto out = float_buffer().first(static_cast<std::size_t>(state.range(0)));
  std::uint64_t seed = seed_value();
  const double sd = stddev_value();
  for (auto _ : state) {
    initlab::fill_truncated_normal(initlab::stream(seed++), out, sd);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
  std::vector<double> widened(out.begin(), out.end());
  check_moments(state, widened, 0.0, sd * sd * truncated_unit_variance);
  if (std::any_of(widened.begin(), widened.end(), [&](double v) { return std::fabs(v) >= 2 * sd; }))
    state.SkipWithError("truncated normal value outside (-2 sigma, 2 sigma)");
}

// --------------------------------------------------------------------------------- peers

/// Fills with `dist(gen)` one value at a time, the way a user would.
template <class Engine, class Dist>
void fill_with(benchmark::State& state, Dist dist, double mean, double variance) {
  const auto out = my_part(state);
  Engine gen(seed_value());
  for (auto _ : state) {
    for (double& v : out)
      v = dist(gen);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
  check_moments(state, out, mean, variance);
}

void normal_boost(benchmark::State& state) {
  fill_with<boost::random::mt19937_64>(
      state, boost::random::normal_distribution<double>(mean_value(), stddev_value()), mean_value(),
      stddev_value() * stddev_value());
}

void normal_std(benchmark::State& state) {
  fill_with<std::mt19937_64>(state, std::normal_distribution<double>(mean_value(), stddev_value()),
                             mean_value(), stddev_value() * stddev_value());
}

void uniform_boost(benchmark::State& state) {
  fill_with<boost::random::mt19937_64>(
      state, boost::random::uniform_real_distribution<double>(-bound_value(), bound_value()), 0.0,
      bound_value() * bound_value() / 3);
}

void uniform_std(benchmark::State& state) {
  fill_with<std::mt19937_64>(state,
                             std::uniform_real_distribution<double>(-bound_value(), bound_value()),
                             0.0, bound_value() * bound_value() / 3);
}

/// Random123 Philox4x64-10 counters → r123::boxmuller (two normals per pair of 64-bit words).
void normal_philox(benchmark::State& state) {
  const auto out = my_part(state);
  using philox = r123::Philox4x64;
  philox gen;
  philox::key_type key = {{seed_value(), 0}};
  const double mean = mean_value(), sd = stddev_value();
  std::uint64_t iteration = 0;
  for (auto _ : state) {
    philox::ctr_type ctr = {{0, iteration++, 0, 0}};
    std::size_t i = 0;
    for (; i + 4 <= out.size(); i += 4, ++ctr.v[0]) {
      const philox::ctr_type r = gen(ctr, key);
      const r123::double2 a = r123::boxmuller(r.v[0], r.v[1]);
      const r123::double2 b = r123::boxmuller(r.v[2], r.v[3]);
      out[i] = mean + sd * a.x;
      out[i + 1] = mean + sd * a.y;
      out[i + 2] = mean + sd * b.x;
      out[i + 3] = mean + sd * b.y;
    }
    for (; i < out.size(); ++i)
      out[i] = mean;  // sizes here are multiples of 4
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
  check_moments(state, out, mean, sd * sd);
}

// ---------------------------------------------------------------------------------- bounds

#if INITLAB_SAMPLER_X86
// GCC 12's false positive on its own _mm512_undefined_* placeholders (see sampler_avx512.hpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
/// initlab's AVX-512 ziggurat (detail::avx512::put, the code fill_normal runs: the fast path
/// lane-wise, the slow elements' retry blocks in scalar code) on words from a Weyl sequence
/// instead of ARS: what the transform alone costs per value, so that
/// sampler/normal/initlab ≈ generator (sampler/uniform/initlab) + this row.
INITLAB_TARGET_AVX512 void ziggurat_words(std::span<double> out, std::uint64_t seed,
                                          const initlab::detail::normal_params& p) {
  namespace v = initlab::detail::avx512;
  const __m512i weyl = _mm512_set1_epi64(static_cast<long long>(0x9E3779B97F4A7C15ull));
  __m512i a = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(seed)),
                               _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
  __m512i b = _mm512_xor_si512(a, _mm512_set1_epi64(static_cast<long long>(0xBB67AE8584CAA73Bull)));
  for (std::size_t i = 0; i + 16 <= out.size(); i += 16) {
    a = _mm512_add_epi64(a, weyl);
    b = _mm512_xor_si512(_mm512_add_epi64(b, weyl), _mm512_srli_epi64(a, 29));
    v::put(initlab::stream(seed), out.data() + i, i, a, p);
    v::put(initlab::stream(seed), out.data() + i + 8, i + 8, b, p);
  }
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

void ziggurat_bound(benchmark::State& state) {
#if INITLAB_SAMPLER_X86
  if (!initlab::detail::sampler_path_supported(initlab::detail::sampler_path::avx512)) {
    state.SkipWithError("AVX-512F not supported by this CPU");
    return;
  }
  const auto out = my_part(state);
  std::uint64_t seed = seed_value();
  const initlab::detail::normal_params p{mean_value(), stddev_value()};
  for (auto _ : state) {
    ziggurat_words(out, seed++, p);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
  // Weyl words are not random enough for a moment check; every value must still be finite.
  if (!std::all_of(out.begin(), out.end(), [](double v) { return std::isfinite(v); }))
    state.SkipWithError("non-finite ziggurat value");
#else
  state.SkipWithError("x86-64 only: not supported by this CPU");
#endif
}

/// std::fill of the same buffer: the memory-store ceiling.
void fill_ceiling(benchmark::State& state) {
  const auto out = my_part(state);
  double value = mean_value();
  for (auto _ : state) {
    std::fill(out.begin(), out.end(), value);
    value += 1.0;
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
  if (out.front() != value - 1.0 || out.back() != value - 1.0) state.SkipWithError("fill lost");
}

BENCHMARK(normal_initlab)->Name("sampler/normal/initlab")->Arg(small_n)->Arg(large_n);
BENCHMARK(normal_boost)->Name("sampler/normal/boost")->Arg(small_n);
BENCHMARK(normal_std)->Name("sampler/normal/std")->Arg(small_n);
BENCHMARK(normal_philox)->Name("sampler/normal/philox")->Arg(small_n);
BENCHMARK(uniform_initlab)->Name("sampler/uniform/initlab")->Arg(small_n)->Arg(large_n);
BENCHMARK(uniform_boost)->Name("sampler/uniform/boost")->Arg(small_n);
BENCHMARK(uniform_std)->Name("sampler/uniform/std")->Arg(small_n);
BENCHMARK(truncated_normal_initlab)
    ->Name("sampler/truncated_normal/initlab")
    ->Arg(small_n)
    ->Arg(large_n);
BENCHMARK(fill_ceiling)->Name("sampler/fill")->Arg(small_n)->Arg(large_n);
BENCHMARK(normal_float_initlab)->Name("sampler/normal_float/initlab")->Arg(small_n);
BENCHMARK(uniform_float_initlab)->Name("sampler/uniform_float/initlab")->Arg(small_n);
BENCHMARK(truncated_normal_float_initlab)
    ->Name("sampler/truncated_normal_float/initlab")
    ->Arg(small_n);
BENCHMARK(ziggurat_bound)->Name("sampler/bound/ziggurat")->Arg(small_n);
// Two benchmark threads, each filling its own half of the same 2^22 fill (the bits equal a
// serial fill); real time, so items_per_second is total elements per wall second.
BENCHMARK(normal_initlab)->Name("sampler/normal/initlab")->Arg(large_n)->UseRealTime()->Threads(2);
BENCHMARK(uniform_initlab)
    ->Name("sampler/uniform/initlab")
    ->Arg(large_n)
    ->UseRealTime()
    ->Threads(2);
BENCHMARK(truncated_normal_initlab)
    ->Name("sampler/truncated_normal/initlab")
    ->Arg(large_n)
    ->UseRealTime()
    ->Threads(2);
BENCHMARK(fill_ceiling)->Name("sampler/fill")->Arg(large_n)->UseRealTime()->Threads(2);

}  // namespace

int main(int argc, char** argv) {
  buffer();  // allocate and touch the pages before any timing
  float_buffer();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("sampler_path", initlab::sampler_path_name());
  benchmark::AddCustomContext("cpu_model", initlab_bench::cpu_model());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
