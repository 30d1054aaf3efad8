// Bulk samplers: identical bits on every path, for every split, thread count and offset; the
// element-index mapping; bounds on extreme random words; accuracy of the polynomial kernels.
#include <Random123/ars.h>
#include <Random123/philox.h>

#include <algorithm>
#include <boost/math/constants/constants.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/tools/roots.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initlab/sampler.hpp>
#include <limits>
#include <random>
#include <span>
#include <vector>

namespace {

using initlab::stream;
using initlab::weight_law;
using initlab::detail::sampler_path;

/// Restores automatic path selection when a test ends, even on failure.
struct path_guard {
  path_guard() = default;
  path_guard(const path_guard&) = delete;
  path_guard& operator=(const path_guard&) = delete;
  ~path_guard() { initlab::detail::set_sampler_path(sampler_path::automatic); }
};

/// The vector paths this CPU can run (the scalar path is always compared against them).
std::vector<sampler_path> vector_paths() {
  std::vector<sampler_path> paths;
  for (auto p : {sampler_path::avx2, sampler_path::avx512})
    if (initlab::detail::sampler_path_supported(p)) paths.push_back(p);
  return paths;
}

constexpr int law_count = 5;

/// Fills `out` with law number `law` through the public API.
template <class T>
void fill_law(int law, const stream& s, std::span<T> out, std::uint64_t first) {
  switch (law) {
    case 0:
      return initlab::fill_normal(s, out, 0.5, 2.0, first);
    case 1:
      return initlab::fill_uniform(s, out, -3.0, 0.7, first);
    case 2:
      return initlab::fill_truncated_normal(s, out, 0.3, first);
    case 3:
      return initlab::fill(s, out, weight_law{initlab::law_kind::uniform, 0.125}, first);
    default:
      return initlab::fill(s, out, weight_law{initlab::law_kind::normal, 1e-3}, first);
  }
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  return a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

/// Distance from `x` to `ref` in units of the spacing of doubles at `ref`.
double ulps(double x, long double ref) {
  const double r = static_cast<double>(ref);
  const double spacing =
      std::nextafter(std::fabs(r), std::numeric_limits<double>::infinity()) - std::fabs(r);
  return static_cast<double>(std::fabs(static_cast<long double>(x) - ref) / spacing);
}

/// Random123's Philox4x32-10 of counter (lo32(c), hi32(c), w2, w3) under the key of `s`.
r123::Philox4x32_R<10>::ctr_type random123_block(const stream& s, std::uint64_t c,
                                                 std::uint32_t w2, std::uint32_t w3) {
  r123::Philox4x32_R<10>::ctr_type ctr = {
      {static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(c >> 32), w2, w3}};
  r123::Philox4x32_R<10>::key_type k = {{s.key()[0], s.key()[1]}};
  return r123::Philox4x32_R<10>()(ctr, k);
}

/// Random123's ARS-7 (AES-NI) of data block b of `s`: counter (lo32(b), hi32(b), 0, 0), key
/// (key0, key1, 0, 0).
ars4x32_ctr_t random123_data_block(const stream& s, std::uint64_t b) {
  const ars4x32_ctr_t ctr = {
      {static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32), 0u, 0u}};
  const ars4x32_key_t k = {{s.key()[0], s.key()[1], 0u, 0u}};
  return ars4x32_R(7, ctr, k);
}

using initlab::detail::cpu_has_aes_ni;

/// The 2048-layer ziggurat solved in 50 digits (Boost.Multiprecision), rounded to long double.
struct reference_table {
  long double r;
  long double v;
  std::vector<long double> x;  ///< x_0 … x_2048
  std::vector<long double> f;  ///< e^(−x_i²/2)
};

/// The layers for edge r in 50 digits; returns the top layer's area minus v (negative when the
/// recursion reaches the mode early: r too small).
template <class Real>
Real ziggurat_closure(const Real& r, std::vector<Real>* xs = nullptr) {
  using std::exp, std::log, std::sqrt;
  constexpr std::size_t layers = initlab::detail::ziggurat_layers;
  const Real fr = exp(-r * r / 2);
  const Real v = r * fr + sqrt(boost::math::constants::half_pi<Real>()) *
                              boost::math::erfc(r / boost::math::constants::root_two<Real>());
  Real x = r;
  if (xs != nullptr) *xs = {v / fr, r};
  for (std::size_t i = 1; i + 1 < layers; ++i) {
    const Real y = v / x + exp(-x * x / 2);
    if (y >= 1) return -Real(layers - i);
    x = sqrt(-2 * log(y));
    if (xs != nullptr) xs->push_back(x);
  }
  return x * (1 - exp(-x * x / 2)) - v;
}

const reference_table& reference() {
  static const reference_table table = [] {
    using real = boost::multiprecision::cpp_bin_float_50;
    std::uintmax_t iterations = 200;
    const auto [lo, hi] = boost::math::tools::toms748_solve(
        [](const real& r) { return ziggurat_closure(r); }, real(4.2), real(4.23),
        boost::math::tools::eps_tolerance<real>(160), iterations);
    const real r = (lo + hi) / 2;
    std::vector<real> xs;
    ziggurat_closure(r, &xs);
    xs.push_back(0);
    reference_table t;
    t.r = static_cast<long double>(r);
    const real fr = exp(-r * r / 2);
    t.v = static_cast<long double>(xs[0] * fr);
    for (const real& x : xs) {
      t.x.push_back(static_cast<long double>(x));
      t.f.push_back(static_cast<long double>(exp(-x * x / 2)));
    }
    return t;
  }();
  return table;
}

/// A fake initializer: fill<Init> needs nothing but Init::law.
struct fake_init {
  static constexpr weight_law law(std::size_t fan_in, std::size_t fan_out) {
    return {initlab::law_kind::normal, 1.0 / static_cast<double>(fan_in + fan_out)};
  }
};

}  // namespace

TEMPLATE_TEST_CASE("scalar, AVX2 and AVX-512 paths give the same bits", "[sampler]", double,
                   float) {
  path_guard guard;
  const auto paths = vector_paths();
  if (paths.empty()) WARN("this CPU has neither AVX2 nor AVX-512F: only the scalar path runs");
  const stream s = stream(42).child(7);
  std::size_t compared = 0;
  for (std::size_t n : {0u, 1u, 2u, 3u, 7u, 15u, 16u, 17u, 31u, 32u, 33u, 49u, 63u, 65u, 1001u, 20011u})
    for (std::uint64_t first : {0ull, 1ull, 3ull, 17ull, (1ull << 33) + 1, (1ull << 62) - 5})
      for (int law = 0; law < law_count; ++law) {
        initlab::detail::set_sampler_path(sampler_path::scalar);
        REQUIRE(initlab::detail::active_sampler_path() == sampler_path::scalar);
        std::vector<TestType> expected(n);
        fill_law<TestType>(law, s, expected, first);
        for (auto path : paths) {
          initlab::detail::set_sampler_path(path);
          REQUIRE(initlab::detail::active_sampler_path() == path);
          std::vector<TestType> got(n);
          fill_law<TestType>(law, s, got, first);
          INFO("law " << law << ", n " << n << ", first " << first << ", path "
                      << static_cast<int>(path));
          CHECK(same_bits(got, expected));
          ++compared;
        }
      }
  CHECK(compared == paths.size() * 16 * 6 * law_count);
}

TEST_CASE("AVX-512 path is exercised on this machine", "[sampler]") {
  // The machine the project is benchmarked on has AVX-512F; if not, the equality test above
  // silently covers fewer paths, which this warning makes visible.
  if (!initlab::detail::sampler_path_supported(sampler_path::avx512))
    WARN("AVX-512F not available: the AVX-512 path is not tested here");
  CHECK(initlab::detail::sampler_path_supported(sampler_path::scalar));
}

TEST_CASE("a split fill equals the serial fill bit for bit", "[sampler]") {
  const stream s = stream(5).child(1).child(2);
  constexpr std::size_t n = 10007;
  std::mt19937_64 gen(99);
  for (int law = 0; law < law_count; ++law)
    for (std::uint64_t first : {0ull, 1ull, 1000001ull}) {
      std::vector<double> serial(n);
      fill_law<double>(law, s, serial, first);
      for (int trial = 0; trial < 20; ++trial) {
        std::vector<double> pieces(n);
        std::size_t begin = 0;
        while (begin < n) {
          const std::size_t len = std::min<std::size_t>(n - begin, 1 + gen() % 700);
          fill_law<double>(law, s, std::span(pieces).subspan(begin, len), first + begin);
          begin += len;
        }
        INFO("law " << law << ", first " << first);
        REQUIRE(same_bits(pieces, serial));
      }
    }
}

TEST_CASE("parallel fills equal the serial fill for any thread count", "[sampler]") {
  const stream s = stream(11);
  constexpr std::size_t n = 100003;
  std::vector<double> serial(n);
  std::vector<float> serial_f(n);
  for (unsigned threads : {1u, 2u, 3u, 7u}) {
    std::vector<double> par(n);
    initlab::fill_normal(s, serial, 1.0, 3.0, 5);
    initlab::parallel_fill_normal(s, std::span(par), 1.0, 3.0, threads, 5);
    CHECK(same_bits(par, serial));
    initlab::fill_uniform(s, serial, -1.0, 2.0, 5);
    initlab::parallel_fill_uniform(s, std::span(par), -1.0, 2.0, threads, 5);
    CHECK(same_bits(par, serial));
    initlab::fill_truncated_normal(s, serial, 0.1, 5);
    initlab::parallel_fill_truncated_normal(s, std::span(par), 0.1, threads, 5);
    CHECK(same_bits(par, serial));
    std::vector<float> par_f(n);
    const weight_law law{initlab::law_kind::truncated_normal, 0.02};
    initlab::fill(s, std::span(serial_f), law, 0);
    initlab::parallel_fill(s, std::span(par_f), law, threads, 0);
    CHECK(same_bits(par_f, serial_f));
    initlab::fill_normal(s, std::span(serial_f), 1.0, 3.0, 5);
    initlab::parallel_fill_normal(s, std::span(par_f), 1.0, 3.0, threads, 5);
    CHECK(same_bits(par_f, serial_f));
  }
}

TEST_CASE("out[k] is element first + k; single draws equal the fills", "[sampler]") {
  const stream s = stream(3).child(4);
  std::vector<double> normal(64), uniform(64), trunc(64), unit(64);
  initlab::fill_normal(s, normal, -1.0, 0.5, 1000);
  initlab::fill_uniform(s, uniform, 2.0, 5.0, 1000);
  initlab::fill_truncated_normal(s, trunc, 0.7, 1000);
  initlab::fill_uniform(s, unit, 0.0, 1.0, 1000);
  for (std::size_t k = 0; k < 64; ++k) {
    CHECK(initlab::draw_normal(s, 1000 + k, -1.0, 0.5) == normal[k]);
    CHECK(initlab::draw_uniform(s, 1000 + k, 2.0, 5.0) == uniform[k]);
    CHECK(initlab::draw_truncated_normal(s, 1000 + k, 0.7) == trunc[k]);
    CHECK(initlab::uniform01(s, 1000 + k) == unit[k]);
  }
  // Different streams and different offsets give different values.
  std::vector<double> other(64);
  initlab::fill_normal(s.child(0), other, -1.0, 0.5, 1000);
  CHECK_FALSE(same_bits(other, normal));
  initlab::fill_normal(s, other, -1.0, 0.5, 1001);
  CHECK_FALSE(same_bits(other, normal));
  CHECK(std::equal(other.begin(), other.end() - 1, normal.begin() + 1));
}

TEST_CASE("float normal and uniform: element n is 32-bit word n of Random123's ARS-7, in float",
          "[sampler]") {
  // The documented single-precision mapping, recomputed from Random123's words: 32-bit word n
  // is word n%4 of ARS block n/4.
  const stream s = stream(8);
  constexpr std::size_t n = 5001;
  constexpr std::uint64_t first = 3;
  auto word = [&](std::uint64_t e) { return random123_data_block(s, e / 4).v[e % 4]; };
  std::vector<float> f(n);
  initlab::fill_uniform(s, std::span(f), -0.5, 0.25, first);
  const float lo = -0.5f, hi = 0.25f;
  for (std::size_t k = 0; k < n; ++k) {
    const float u = static_cast<float>(word(first + k) >> 8) / 16777216.0f;  // exact: / 2²⁴
    const float v = lo + (hi - lo) * u;
    REQUIRE(f[k] == std::min(v, hi));
  }
  // Normal: every fast-path element is ±u·x̃ᵢ with x̃ the double table rounded to float; the
  // others (the slow path) are counted against the layer table's rate.
  const auto& table = initlab::detail::ziggurat();
  const float mean = 0.75f, stddev = 2.5f;
  initlab::fill_normal(s, std::span(f), 0.75, 2.5, first);
  std::size_t slow = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t w = word(first + k);
    const std::size_t layer = w % 2048;
    const float x = (static_cast<float>(w >> 12) / 1048576.0f) * static_cast<float>(table.x[layer]);
    if (!(x < static_cast<float>(table.x[layer + 1]))) {
      ++slow;
      REQUIRE(std::isfinite(f[k]));
      continue;
    }
    const float z = (w >> 11) & 1u ? -x : x;
    REQUIRE(f[k] == mean + stddev * z);
  }
  CHECK(slow < n / 100);  // ≈ 0.23% of elements; 1% would mean a broken fast path
  // Truncated normal: close to the double fill's value for the same u (u on the 2⁻²⁴ grid of
  // the word against the 2⁻⁵² grid of another word is not the same u, so compare with the
  // double transform on this word's t instead), and strictly inside ±2σ.
  const double sigma = 0.3;
  initlab::fill_truncated_normal(s, std::span(f), sigma, first);
  double worst = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t w = word(first + k);
    const double t = (static_cast<double>(w >> 8) - 8388608.0) / 16777216.0 + 0x1p-25;
    const double ref = sigma * std::sqrt(2.0) *
                       static_cast<double>(boost::math::erf_inv(static_cast<long double>(t) * 2 *
                                                                boost::math::erf(std::sqrt(2.0L))));
    REQUIRE(std::fabs(f[k]) < 2 * sigma);
    worst = std::max(worst, std::fabs(f[k] - ref) / std::fabs(ref));
  }
  INFO("worst relative error of the float truncated normal: " << worst);
  CHECK(worst < 1e-6);  // float erfinv (≤ 3e-7, tested below) plus the float rounding of x and σ
}

TEST_CASE("a split float fill equals the serial fill bit for bit", "[sampler]") {
  const stream s = stream(5).child(3);
  constexpr std::size_t n = 10007;
  std::mt19937_64 gen(7);
  for (int law = 0; law < law_count; ++law)
    for (std::uint64_t first : {0ull, 1ull, 2ull, 1000003ull}) {
      std::vector<float> serial(n);
      fill_law<float>(law, s, serial, first);
      std::vector<float> pieces(n);
      std::size_t begin = 0;
      while (begin < n) {
        const std::size_t len = std::min<std::size_t>(n - begin, 1 + gen() % 97);
        fill_law<float>(law, s, std::span(pieces).subspan(begin, len), first + begin);
        begin += len;
      }
      INFO("law " << law << ", first " << first);
      REQUIRE(same_bits(pieces, serial));
    }
}

TEST_CASE("fill by weight_law and by initializer", "[sampler]") {
  const stream s = stream(21);
  std::vector<double> a(999), b(999);
  initlab::fill<fake_init>(s, a, 3, 5, 7);
  initlab::fill_normal(s, b, 0.0, 1.0 / 8.0, 7);
  CHECK(same_bits(a, b));
  std::vector<float> fa(999), fb(999);
  initlab::fill<fake_init>(s, std::span(fa), 3, 5);
  initlab::fill_normal(s, std::span(fb), 0.0, 1.0 / 8.0);
  CHECK(same_bits(fa, fb));

  initlab::fill(s, a, weight_law{initlab::law_kind::constant, 0.25});
  for (double v : a)
    REQUIRE(v == 0.25);
  initlab::fill(s, a, weight_law{});  // zeros
  for (double v : a)
    REQUIRE(v == 0.0);
  initlab::fill(s, a, weight_law{initlab::law_kind::truncated_normal, 0.5}, 11);
  initlab::fill_truncated_normal(s, b, 0.5, 11);
  CHECK(same_bits(a, b));
  initlab::fill(s, a, weight_law{initlab::law_kind::uniform, 0.5}, 11);
  initlab::fill_uniform(s, b, -0.5, 0.5, 11);
  CHECK(same_bits(a, b));
}

TEST_CASE("elements follow the documented formulas, evaluated independently", "[sampler]") {
  // Words from Random123's ARS (not initlab's), transforms in long double with libm/Boost.
  if (!cpu_has_aes_ni()) {
    WARN("this CPU has no AES-NI: Random123's ARS cannot run here");
    return;
  }
  const stream s = stream(31).child(2);
  const auto word = [&](std::uint64_t n) {
    const auto y = random123_data_block(s, n / 2);
    const unsigned w = (n % 2) * 2;
    return std::uint64_t{y.v[w]} | std::uint64_t{y.v[w + 1]} << 32;
  };
  std::vector<double> uniform(2000), trunc(2000);
  initlab::fill_uniform(s, uniform, 0.0, 1.0);
  initlab::fill_truncated_normal(s, trunc, 1.0);
  for (std::uint64_t n = 0; n < 2000; ++n) {
    CHECK(uniform[n] == static_cast<double>((word(n) & 0xFFFFFFFFFFFFFull)) * 0x1p-52);
    const long double tt =
        static_cast<long double>(word(n) & 0xFFFFFFFFFFFFFull) * 0x1p-52L - 0.5L + 0x1p-53L;
    const long double x = 2 * tt * boost::math::erf(std::sqrt(2.0L));
    const long double zt = std::sqrt(2.0L) * boost::math::erf_inv(x);
    CHECK(std::fabs(trunc[n] - zt) <= 2e-15L * std::max(1.0L, std::fabs(zt)));
  }
  // Normal: the ziggurat re-implemented in long double on a table built from the 50-digit r,
  // with Random123's ARS for the stream words and its Philox for the retry blocks. 4·10⁵ elements
  // take ≈ 900 slow paths (≈ 10 tails). The double table's recursion amplifies rounding towards the
  // top layers (next test), hence a tolerance above the 1e-15 of the other laws.
  const reference_table& ref = reference();
  constexpr std::size_t count = 400000;
  std::vector<double> normal(count);
  initlab::fill_normal(s, normal, 0.0, 1.0);
  const auto unit = [](std::uint64_t w) {
    return static_cast<long double>(w & 0xFFFFFFFFFFFFFull) * 0x1p-52L;
  };
  std::size_t slow = 0, tails = 0;
  double worst = 0;
  for (std::uint64_t n = 0; n < count; ++n) {
    std::uint64_t w = word(n);
    std::uint32_t retry = 0;
    long double z = 0;
    for (;;) {
      const std::size_t i = w & 2047u;
      const bool negative = (w >> 11) & 1u;
      const long double x = static_cast<long double>(w >> 12) * 0x1p-52L * ref.x[i];
      if (x < ref.x[i + 1]) {
        z = negative ? -x : x;
        break;
      }
      if (retry == 0) ++slow;
      auto y = random123_block(s, n, ++retry, 0x7A696767u);
      const auto word_of = [&](unsigned k) {
        return std::uint64_t{y.v[k]} | std::uint64_t{y.v[k + 1]} << 32;
      };
      if (i == 0) {
        ++tails;
        for (;;) {
          const long double a = -std::log(1.0L - unit(word_of(0))) / ref.r;
          const long double b = -std::log(1.0L - unit(word_of(2)));
          if (2 * b > a * a) {
            z = negative ? -(ref.r + a) : ref.r + a;
            break;
          }
          y = random123_block(s, n, ++retry, 0x7A696767u);
        }
        break;
      }
      const long double height = ref.f[i] + unit(word_of(0)) * (ref.f[i + 1] - ref.f[i]);
      if (height < std::exp(-x * x / 2)) {
        z = negative ? -x : x;
        break;
      }
      w = word_of(2);
    }
    worst = std::max(worst, static_cast<double>(std::fabs(normal[n] - z) /
                                                std::max(1.0L, std::fabs(z))));
  }
  INFO("slow paths " << slow << ", tails " << tails << ", worst relative difference " << worst);
  CHECK(slow > 700);
  CHECK(tails > 0);
  CHECK(worst <= 1e-13);
}

TEST_CASE("ziggurat table: r, every x_i and every layer's area against Boost.Multiprecision",
          "[sampler][accuracy]") {
  using initlab::detail::ziggurat;
  using initlab::detail::ziggurat_layers;
  const reference_table& ref = reference();
  const auto& t = ziggurat();
  CHECK(ulps(initlab::detail::ziggurat_r, ref.r) <= 0.5);  // the double nearest the root
  CHECK(std::fabs(t.area - ref.v) <= 4e-16L * ref.v);
  double worst_x = 0, worst_area = 0;
  for (std::size_t i = 0; i < ziggurat_layers; ++i)
    worst_x = std::max(worst_x, static_cast<double>(std::fabs(t.x[i] - ref.x[i]) / ref.x[i]));
  // Layers 1 … N−1 as the table stores them (the last, [0, x_{N−1}] × [f(x_{N−1}), 1], closes
  // the recursion, so its area error is the recursion's accumulated rounding).
  for (std::size_t i = 1; i < ziggurat_layers; ++i) {
    const long double area =
        static_cast<long double>(t.x[i]) * (static_cast<long double>(t.f[i + 1]) - t.f[i]);
    worst_area = std::max(worst_area, static_cast<double>(std::fabs(area - ref.v) / ref.v));
  }
  INFO("worst x_i relative error " << worst_x << ", worst layer area relative error "
                                   << worst_area);
  CHECK(worst_x <= 1e-12);
  CHECK(worst_area <= 2e-12);
  CHECK(t.x[ziggurat_layers] == 0.0);
  CHECK(t.f[ziggurat_layers] == 1.0);
}

TEST_CASE("ziggurat: the slow-path rate matches the table, and slow elements are keyed by n",
          "[sampler]") {
  using namespace initlab::detail;
  const auto& t = ziggurat();
  long double fast = 0;
  for (std::size_t i = 0; i < ziggurat_layers; ++i)
    fast += static_cast<long double>(t.x[i + 1]) / t.x[i];
  const double p_slow = static_cast<double>(1.0L - fast / ziggurat_layers);
  const stream s = stream(77);
  constexpr std::size_t count = 2000000;
  std::size_t slow = 0;
  double z = 0;
  for (std::uint64_t n = 0; n < count; ++n)
    slow += !ziggurat_fast(t, s.word(n), z);
  const double expected = p_slow * count, sd = std::sqrt(expected * (1 - p_slow));
  INFO("slow " << slow << ", expected " << expected << " +- " << sd);
  CHECK(std::fabs(static_cast<double>(slow) - expected) < 4 * sd);
  CHECK(p_slow < 0.0025);
  // A slow element's value depends on its own retry blocks: at its own index it is the fill's
  // value; the same word at another index restarts from other blocks whenever a wedge rejects.
  std::size_t seen = 0, differ = 0;
  for (std::uint64_t n = 0; seen < 2000; ++n) {
    const std::uint64_t w = s.word(n);
    if (ziggurat_fast(t, w, z)) continue;
    ++seen;
    REQUIRE(ziggurat_normal(s, n, w) == initlab::draw_normal(s, n));
    differ += ziggurat_normal(s, n, w) != ziggurat_normal(s, n + 1, w);
  }
  INFO("slow words whose value changes with the index: " << differ << " of " << seen);
  CHECK(differ > 100);
}

TEST_CASE("extreme random words stay in bounds", "[sampler]") {
  using namespace initlab::detail;
  constexpr std::uint64_t zero = 0, ones = ~std::uint64_t{0};
  // Uniform: the grid ends are lo and hi − (hi − lo)·2⁻⁵².
  const uniform_params u{-1.0, 2.0, 1.0};
  CHECK(uniform_value(zero, u) == -1.0);
  CHECK(uniform_value(ones, u) == 1.0 - 0x1p-51);
  const uniform_params w{-0.3, 0.6, 0.3};  // hi − lo rounds: the clamp keeps values ≤ hi
  CHECK(uniform_value(ones, w) <= 0.3);
  // Truncated normal: symmetric ends strictly inside ±2σ, close to it.
  for (double sigma : {1.0, 0.3, 1e-3, 7.0}) {
    const truncated_params t = initlab::detail::make_truncated<double>(sigma);
    const double lo = truncated_value(zero, t), hi = truncated_value(ones, t);
    CHECK(lo == -hi);
    CHECK(hi < 2.0 * sigma);
    CHECK(hi > 1.9999 * sigma);
    const truncated_params tf = initlab::detail::make_truncated<float>(sigma);
    CHECK(static_cast<double>(static_cast<float>(truncated_value(ones, tf))) < 2.0 * sigma);
  }
  // Normal: the zero word is the mean; the fast path and the wedges stay below r; layer 0 beyond
  // r's share goes to the tail, which gives |z| > r, finite, with the word's sign.
  const normal_params n{0.25, 1.0};
  const stream st = stream(1);
  CHECK(normal_value(st, 0, zero, n) == 0.25);
  for (std::uint64_t layer : {std::uint64_t{1}, std::uint64_t{2047}})
    for (std::uint64_t u : {std::uint64_t{0}, (std::uint64_t{1} << 52) - 1}) {
      const std::uint64_t w = (u << 12) | layer;
      const double v = ziggurat_normal(st, 3, w);
      CHECK(std::isfinite(v));
      CHECK(std::fabs(v) < ziggurat_r);
    }
  for (std::uint64_t sign : {std::uint64_t{0}, std::uint64_t{1} << 11}) {
    const std::uint64_t w = (((std::uint64_t{1} << 52) - 1) << 12) | sign;  // layer 0, u ≈ 1
    const double v = ziggurat_normal(st, 9, w);
    CHECK(std::isfinite(v));
    CHECK(std::fabs(v) > ziggurat_r);
    CHECK(std::signbit(v) == (sign != 0));
  }
}

TEST_CASE("polynomial kernels: stated maximum errors", "[sampler][accuracy]") {
  using namespace initlab::detail;
  std::mt19937_64 gen(12345);
  constexpr int points = 1000000;
  // log_positive on (0, 1] (the ziggurat tail's argument, 2⁻⁵² grid) and on [0.089, 1] (erfinv): ≤ 1
  // ulp.
  double worst_log = 0;
  for (int i = 0; i < points; ++i) {
    const double u = 2.0 - std::bit_cast<double>((gen() & mantissa_mask) | one_bits);
    const double v = (i % 2) ? u : std::ldexp(u, -static_cast<int>(gen() % 60));
    worst_log = std::max(worst_log, ulps(log_positive(v), std::log(static_cast<long double>(v))));
  }
  CHECK(worst_log <= 1.0);
  // exp_nonpositive on [−20, 0] (the ziggurat's wedge test and table use (−r²/2, 0]): ≤ 1 ulp.
  double worst_exp = 0;
  for (int i = 0; i < points; ++i) {
    const double x = -20.0 * unit_from_word(gen());
    worst_exp =
        std::max(worst_exp, ulps(exp_nonpositive(x), std::exp(static_cast<long double>(x))));
  }
  CHECK(worst_exp <= 1.0);
  // erfinv on the truncated normal's range |x| < erf(√2): relative error ≤ 6e-16 (measured 5.5e-16,
  // ≈ 2.5 ulps)
  // against Boost.Math's long-double erf_inv.
  double worst_erfinv = 0;
  for (int i = 0; i < points; ++i) {
    const double x = (unit_from_word(gen()) - 0.5) * two_erf_sqrt2;
    if (x == 0.0) continue;
    const long double ref = boost::math::erf_inv(static_cast<long double>(x));
    worst_erfinv =
        std::max(worst_erfinv, static_cast<double>(std::fabs((erfinv_central(x) - ref) / ref)));
  }
  CHECK(worst_erfinv <= 6e-16);
  // Single precision: log_positive_f32 on (0, 1] ≤ 1 float ulp; erfinv_central_f32 on
  // |x| < erf(√2) within 3e-7 relative (measured 2.5e-7, ≈ 2 float epsilons).
  double worst_logf = 0, worst_erfinvf = 0;
  for (int i = 0; i < points; ++i) {
    const std::uint64_t g = gen();
    const float u = 2.0f - std::bit_cast<float>(
                               (static_cast<std::uint32_t>(g) & mantissa_mask_f32) | one_bits_f32);
    const float v = (i % 2) ? u : std::ldexp(u, -static_cast<int>((g >> 32) % 60));
    const long double ref = std::log(static_cast<long double>(v));
    const auto r = static_cast<float>(ref);
    const double spacing =
        std::nextafter(std::fabs(r), std::numeric_limits<float>::infinity()) - std::fabs(r);
    worst_logf =
        std::max(worst_logf, static_cast<double>(std::fabs(log_positive_f32(v) - ref)) / spacing);
    const float x = (static_cast<float>(gen() >> 40) * 0x1p-24f - 0.5f) * two_erf_sqrt2_f32;
    if (x == 0.0f) continue;
    const long double e = boost::math::erf_inv(static_cast<long double>(x));
    worst_erfinvf =
        std::max(worst_erfinvf, static_cast<double>(std::fabs((erfinv_central_f32(x) - e) / e)));
  }
  CHECK(worst_logf <= 1.0);
  CHECK(worst_erfinvf <= 3e-7);
  WARN("single precision: log " << worst_logf << " ulp, erfinv " << worst_erfinvf << " relative");
  // The constant 2·erf(√2): within 1 ulp of Boost.Math.
  CHECK(ulps(two_erf_sqrt2 / 2, boost::math::erf(std::sqrt(2.0L))) <= 1.0);
  WARN("max errors: log " << worst_log << " ulp, exp " << worst_exp << " ulp, erfinv "
                          << worst_erfinv << " relative");
}

TEST_CASE("provenance strings describe the scheme", "[sampler]") {
  const std::string scheme = initlab::sampler_scheme;
  CHECK(scheme.find("2048-layer ziggurat") != std::string::npos);
  CHECK(scheme.find("r=4.2163704095118969") != std::string::npos);
  CHECK(scheme.find("erfinv") != std::string::npos);
  const std::string path = initlab::sampler_path_name();
  CHECK((path == "scalar" || path == "avx2" || path == "avx512"));
}
