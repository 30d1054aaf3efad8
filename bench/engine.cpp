// Monte Carlo engine benchmarks (issue 12): the dense product kernel per instruction-set path,
// a dense layer's forward + backward pass on a batch, and a whole trial of study 08's He/ReLU
// network per sampler path. bench/README.md has the command; bench/engine-vs-pytorch compares
// study 08's whole workload with PyTorch.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <initlab/initlab.hpp>
#include <span>
#include <string>
#include <vector>

#include "cpu_model.hpp"

namespace {

using namespace initlab;

constexpr std::size_t batch = 8;  // study 08's inputs per network

/// Skips the benchmark when a check on its last output fails (a benchmark that computes
/// garbage fast must not report a rate).
void require(benchmark::State& state, bool ok, const std::string& what) {
  if (!ok) state.SkipWithError(what.c_str());
}

/// The kernel's paths this CPU can run, as benchmark arguments.
detail::kernel_isa isa_of(std::int64_t i) {
  return static_cast<detail::kernel_isa>(i);
}
bool isa_supported(detail::kernel_isa isa) {
  return static_cast<int>(isa) <= static_cast<int>(detail::detected_kernel_isa());
}

/// out = A·X for a width × width matrix A and X (width × batch), on the path given by range(1)
/// (0 generic/SSE2, 1 AVX2, 2 AVX-512), in the layout of range(2): 0 = the forward pass's y = W·x
/// (W row-major: lanes over the batch), 1 = the backward pass's dx = Wᵀ·dy (A's columns
/// contiguous: lanes over output units). Items: floating-point operations (2 per multiply-add).
void product(benchmark::State& state) {
  const auto width = static_cast<std::size_t>(state.range(0));
  const detail::kernel_isa isa = isa_of(state.range(1));
  const bool transposed = state.range(2) == 1;
  if (!isa_supported(isa)) {
    state.SkipWithError("path not supported by this CPU");
    return;
  }
  std::vector<double> w(width * width), x(width * batch), out(width * batch);
  fill_normal(stream(1), std::span<double>(w), 0.0, 1.0 / std::sqrt(static_cast<double>(width)));
  fill_normal(stream(2), std::span<double>(x), 0.0, 1.0);
  const std::size_t a_row = transposed ? 1 : width, a_col = transposed ? width : 1;
  const detail::product_args args{w.data(), a_row, a_col, x.data(), batch, out.data(), batch,
                                  width,    width, batch};
  for (auto _ : state) {
    detail::ordered_product(args, isa);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  // Check: out(0, 0) is Σ_k a(0, k)·x(k, 0) summed in ascending k (the kernel's definition).
  double expected = 0.0;
  for (std::size_t k = 0; k < width; ++k)
    expected = expected + w[k * a_col] * x[k * batch];
  require(state, out[0] == expected, "product differs from its definition");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(2 * width * width * batch));
}

/// A width × width dense He/ReLU layer: forward on a batch of 8, then backward from a Gaussian
/// ∂L/∂y (weights sampled once, outside the timing). Items: multiply-adds of both passes.
template <std::size_t Width>
void dense_forward_backward(benchmark::State& state) {
  sampled_network net = sampled_network::of<network<dense<Width, Width, he_normal, relu>>>();
  net.sample(stream(3));
  std::vector<double> x(Width * batch), dy(Width * batch);
  fill_normal(stream(4), std::span<double>(x), 0.0, 1.0);
  fill_normal(stream(5), std::span<double>(dy), 0.0, 1.0);
  for (auto _ : state) {
    net.forward(x, batch);
    net.backward(dy);
    benchmark::DoNotOptimize(net.input_gradients(0).data());
    benchmark::ClobberMemory();
  }
  // Check: He gives E[y²] = 2·E[x²] given x; the mean over 8·Width outputs has a relative spread
  // ≈ 0.5/√Width, so 3/√Width is six of them (a factor-2 error fails at every width).
  double x2 = 0.0;
  for (double v : x)
    x2 += v * v;
  const double expected = 2.0 * x2 / static_cast<double>(x.size()), m = net.moments(0).mean_y2;
  require(state, std::fabs(m / expected - 1.0) < 3.0 / std::sqrt(static_cast<double>(Width)),
          "E[y^2] = " + std::to_string(m) + ", not about " + std::to_string(expected));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(2 * Width * Width * batch));
}

/// Study 08's He/ReLU network: ten 256 → 256 dense layers.
using he_relu_10 = network<repeat<10, dense<256, 256, he_normal, relu>>>;

/// One whole trial of study 08 (fresh weights and inputs, forward, Gaussian backward, moments)
/// with the sampler path of range(0) (0 scalar, 1 AVX2, 2 AVX-512). Items: trials.
void study08_trial(benchmark::State& state) {
  const auto path = static_cast<detail::sampler_path>(state.range(0) + 1);
  if (!detail::sampler_path_supported(path)) {
    state.SkipWithError("sampler path not supported by this CPU");
    return;
  }
  detail::set_sampler_path(path);
  sampled_network net = sampled_network::of<he_relu_10>();
  const trial_config config{.batch = batch};
  const stream root(8);
  std::uint64_t t = 0;
  double sum_y2 = 0.0;
  for (auto _ : state) {
    const trial_statistics s = run_trial(net, config, root.child(t++));
    sum_y2 += s.layers.back().mean_y2;
    benchmark::DoNotOptimize(sum_y2);
  }
  detail::set_sampler_path(detail::sampler_path::automatic);
  // Check: He keeps Var[y_10] = 2·q0 = 2 in expectation (spread per trial ≈ 0.6 at depth 10).
  const double mean = sum_y2 / static_cast<double>(t);
  require(state, t < 100 || std::fabs(mean / 2.0 - 1.0) < 6.0 * 0.6 / std::sqrt(static_cast<double>(t)),
          "mean Var[y_10] = " + std::to_string(mean) + ", not about 2");
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(product)
    ->ArgNames({"width", "isa", "transposed"})
    ->ArgsProduct({{64, 128, 256, 512, 1024}, {0, 1, 2}, {0, 1}})
    ->Name("engine/product");
BENCHMARK(dense_forward_backward<64>)->Name("engine/dense_forward_backward/64");
BENCHMARK(dense_forward_backward<128>)->Name("engine/dense_forward_backward/128");
BENCHMARK(dense_forward_backward<256>)->Name("engine/dense_forward_backward/256");
BENCHMARK(dense_forward_backward<512>)->Name("engine/dense_forward_backward/512");
BENCHMARK(dense_forward_backward<1024>)->Name("engine/dense_forward_backward/1024");
BENCHMARK(study08_trial)->ArgName("sampler")->DenseRange(0, 2)->Name("engine/study08_trial");
int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("cpu_model", initlab_bench::cpu_model());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
