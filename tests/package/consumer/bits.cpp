// The floating-point contract travels with the headers (issue 11 item 1): this file is compiled
// with the consumer's own flags (the package test uses -O3 -march=native, with and without
// initlab's usage requirements), and every value below must have the same bits whether the
// compiler evaluated it in a constant expression or the program computed it at run time.
// Prints one line per function and a digest of Monte Carlo output (samplers and a sampled
// network's forward/backward pass) that the package test compares across builds.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initlab/initlab.hpp>
#include <span>
#include <vector>

namespace {

constexpr std::size_t points = 1000;  // per function
constexpr std::size_t chunk = 10;  // one constant expression per chunk (Clang's default step limit)

using fn = double (*)(double);

// Arguments, computed at compile time only (a run-time copy of this arithmetic would itself be
// subject to the consumer's contraction). Spread over [lo, hi] with an irrational stride, so the
// low bits vary.
template <std::size_t N>
constexpr std::array<double, N> spread(double lo, double hi) {
  std::array<double, N> x{};
  double u = 0.0;
  for (std::size_t i = 0; i < N; ++i) {
    u += 0.6180339887498949;
    if (u >= 1.0) u -= 1.0;
    x[i] = lo + (hi - lo) * u;
  }
  return x;
}

template <fn F, const auto& X, std::size_t Begin>
constexpr std::array<double, chunk> table_chunk = [] {
  std::array<double, chunk> y{};
  for (std::size_t i = 0; i < chunk; ++i) y[i] = F(X[Begin + i]);
  return y;
}();

template <fn F, const auto& X, std::size_t... C>
constexpr std::array<double, points> table_of(std::index_sequence<C...>) {
  std::array<double, points> y{};
  ((std::copy(table_chunk<F, X, C * chunk>.begin(), table_chunk<F, X, C * chunk>.end(),
              y.begin() + C * chunk)),
   ...);
  return y;
}

// Compile-time table of F over X.
template <fn F, const auto& X>
constexpr std::array<double, points> compile_time = table_of<F, X>(std::make_index_sequence<points / chunk>{});

// Counts the points where the run-time value differs in any bit from the compile-time one.
template <fn F, const auto& X>
int mismatches(const char* name) {
  int bad = 0;
  for (std::size_t i = 0; i < points; ++i) {
    volatile double x = X[i];  // a run-time argument: no constant folding
    const double y = F(x);
    if (std::bit_cast<std::uint64_t>(y) != std::bit_cast<std::uint64_t>(compile_time<F, X>[i])) {
      if (bad < 3)
        std::printf("  %s(%.17g): run time %.17g, compile time %.17g\n", name, X[i], y,
                    compile_time<F, X>[i]);
      ++bad;
    }
  }
  std::printf("%-36s %zu points, %d differ\n", name, points, bad);
  return bad;
}

constexpr auto wide = spread<points>(-30.0, 30.0);
constexpr auto unit = spread<points>(-1.0, 1.0);
constexpr auto positive = spread<points>(1e-3, 50.0);
constexpr auto q_range = spread<points>(0.01, 20.0);

// FNV-1a over the bit patterns of a span of doubles.
std::uint64_t digest(std::uint64_t h, std::span<const double> v) {
  for (const double d : v) {
    std::uint64_t bits = std::bit_cast<std::uint64_t>(d);
    for (int b = 0; b < 8; ++b) {
      h ^= bits & 0xFFu;
      h *= 0x100000001B3ull;
      bits >>= 8;
    }
  }
  return h;
}

// Monte Carlo bits: samplers, and a sampled network's passes (dense tanh, batch norm, residual).
std::uint64_t monte_carlo_digest() {
  using namespace initlab;
  std::uint64_t h = 0xCBF29CE484222325ull;
  std::vector<double> v(4096);
  fill_normal(stream(1), std::span<double>(v), 0.0, 1.0);
  h = digest(h, v);
  fill_uniform(stream(2), std::span<double>(v), -1.0, 1.0);
  h = digest(h, v);
  using net = network<dense<32, 64, lecun_normal, initlab::tanh>, batch_norm<>,
                      residual<serial<gelu, dense<64, 64, he_normal>>, 0.5>,
                      dense<64, 8, xavier_normal, sigmoid>>;
  auto sampled = sampled_network::of<net>();
  sampled.sample(stream(3));
  constexpr std::size_t batch = 16;
  std::vector<double> x(32 * batch), dy(8 * batch);
  fill_normal(stream(4), std::span<double>(x), 0.0, 1.0);
  fill_normal(stream(5), std::span<double>(dy), 0.0, 1.0);
  sampled.forward(x, batch);
  sampled.backward(dy);
  sampled.compute_weight_gradients();
  for (std::size_t l = 0; l < sampled.depth(); ++l) {
    h = digest(h, sampled.activations(l));
    h = digest(h, sampled.input_gradients(l));
  }
  h = digest(h, sampled.weight_gradients(0));
  return h;
}

}  // namespace

int main() {
  namespace m = initlab::math;
  using initlab::erf, initlab::gelu, initlab::relu, initlab::selu, initlab::sigmoid;
  int bad = 0;
  bad += mismatches<m::exp, wide>("math::exp");
  bad += mismatches<m::expm1, unit>("math::expm1");
  bad += mismatches<m::log, positive>("math::log");
  bad += mismatches<m::log1p, positive>("math::log1p");
  bad += mismatches<m::sqrt, positive>("math::sqrt");
  bad += mismatches<m::tanh, wide>("math::tanh");
  bad += mismatches<m::atan, wide>("math::atan");
  bad += mismatches<m::asin, unit>("math::asin");
  bad += mismatches<m::erf, unit>("math::erf");
  bad += mismatches<m::erfc, wide>("math::erfc");
  bad += mismatches<m::normal_cdf, wide>("math::normal_cdf");
  bad += mismatches<initlab::tanh::second_moment, q_range>("tanh::second_moment");
  bad += mismatches<sigmoid::mean, q_range>("sigmoid::mean");
  bad += mismatches<erf::second_moment, q_range>("erf::second_moment");
  bad += mismatches<gelu::second_moment, q_range>("gelu::second_moment");
  bad += mismatches<gelu::derivative_second_moment, q_range>("gelu::derivative_second_moment");
  bad += mismatches<selu::second_moment, q_range>("selu::second_moment");
  bad += mismatches<relu::mean, q_range>("relu::mean");
  std::printf("monte carlo digest %016llx\n", static_cast<unsigned long long>(monte_carlo_digest()));
  std::printf("%s\n", bad == 0 ? "bits: ok" : "bits: MISMATCH");
  return bad == 0 ? 0 : 1;
}
