// Tests of the Monte Carlo engine (engine.hpp, trial.hpp, detail/kernels.hpp) on the layer
// algebra (dense_pass inside activated_pass, activation_pass, serial_pass): kernels against a
// naive sequential sum (0 ulps: the order is part of the contract), forward/backward against an
// independent naive implementation (0 ulps) and against finite differences, bit-identity across
// thread counts, trial orders, batch paths and instruction sets, split (dense + activation layer)
// against fused (dense with activation) networks, serial streams, activation-only layers, Monte
// Carlo smoke checks of Var[y_1] = D·σ²·q0 and Var[∂L/∂x_1] = D̂·σ²·g, and rejection of bad
// networks and calls.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initlab/activation.hpp>
#include <initlab/activation_layer.hpp>
#include <initlab/dense.hpp>
#include <initlab/detail/kernels.hpp>
#include <initlab/engine.hpp>
#include <initlab/init.hpp>
#include <initlab/layer.hpp>
#include <initlab/network.hpp>
#include <initlab/random.hpp>
#include <initlab/sampler.hpp>
#include <initlab/serial.hpp>
#include <initlab/trial.hpp>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using initlab::law_kind;
using initlab::layer_pass;
using initlab::sampled_network;
using initlab::shape;
using initlab::weight_law;

// Test activations with only the run-time interface (static value/derivative): enough for
// activated_pass and activation_pass. Kept local so these tests exercise the engine alone; they
// use only exact arithmetic or a rational function.
struct test_relu {
  static constexpr const char* name = "test_relu";
  static constexpr double value(double x) { return x > 0.0 ? x : 0.0; }
  static constexpr double derivative(double x) { return x > 0.0 ? 1.0 : 0.0; }
};
struct test_identity {
  static constexpr double value(double x) { return x; }
  static constexpr double derivative(double) { return 1.0; }
};
// A smooth saturating rational function x / (1 + x²/3); φ' = (1 − x²/3)/(1 + x²/3)².
struct test_smooth {
  [[maybe_unused]] static constexpr const char* name = "test_smooth";
  static constexpr double value(double x) { return x / (1.0 + x * x / 3.0); }
  static constexpr double derivative(double x) {
    const double d = 1.0 + x * x / 3.0;
    return (1.0 - x * x / 3.0) / (d * d);
  }
};

// Which test activation a test layer applies.
enum class test_act { relu, identity, smooth };

double act_value(test_act a, double x) {
  switch (a) {
    case test_act::relu:
      return test_relu::value(x);
    case test_act::identity:
      return test_identity::value(x);
    case test_act::smooth:
      return test_smooth::value(x);
  }
  return 0.0;
}
double act_derivative(test_act a, double x) {
  switch (a) {
    case test_act::relu:
      return test_relu::derivative(x);
    case test_act::identity:
      return test_identity::derivative(x);
    case test_act::smooth:
      return test_smooth::derivative(x);
  }
  return 0.0;
}

// A run-time dense layer with a test activation: what the old layer_spec described.
struct test_layer {
  std::size_t fan_in = 0;
  std::size_t fan_out = 0;
  weight_law law{};
  test_act activation = test_act::identity;
  std::optional<weight_law> bias{};
};

initlab::pass_ptr<layer_pass> make_test_pass(const test_layer& t) {
  auto linear = initlab::make_pass_ptr<initlab::dense_pass>(t.fan_in, t.fan_out, t.law, t.bias);
  switch (t.activation) {
    case test_act::relu:
      return initlab::make_pass_ptr<initlab::activated_pass<test_relu>>(std::move(linear));
    case test_act::identity:
      return initlab::make_pass_ptr<initlab::activated_pass<test_identity>>(std::move(linear));
    case test_act::smooth:
      return initlab::make_pass_ptr<initlab::activated_pass<test_smooth>>(std::move(linear));
  }
  return nullptr;
}

std::vector<initlab::pass_ptr<layer_pass>> make_test_passes(const std::vector<test_layer>& layers) {
  std::vector<initlab::pass_ptr<layer_pass>> passes;
  for (const auto& t : layers)
    passes.push_back(make_test_pass(t));
  return passes;
}

// The network of `layers`, taking samples of fan_in0 × 1 × 1.
sampled_network build(const std::vector<test_layer>& layers) {
  return sampled_network({layers.empty() ? 1 : layers.front().fan_in, 1, 1},
                         make_test_passes(layers));
}

std::vector<double> random_vector(std::size_t n, std::uint64_t seed, double sd = 1.0) {
  std::vector<double> v(n);
  initlab::fill_normal(initlab::stream(seed), std::span<double>(v), 0.0, sd);
  return v;
}

std::vector<double> to_vector(std::span<const double> s) { return {s.begin(), s.end()}; }

bool same_bits(std::span<const double> a, std::span<const double> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return same_bits(std::span<const double>(a), std::span<const double>(b));
}
bool same_bits(std::span<const double> a, const std::vector<double>& b) {
  return same_bits(a, std::span<const double>(b));
}
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }
bool same_bits(const initlab::layer_moments& a, const initlab::layer_moments& b) {
  return std::memcmp(&a, &b, sizeof(initlab::layer_moments)) == 0;
}

bool same_bits(const initlab::trial_statistics& a, const initlab::trial_statistics& b) {
  if (!same_bits(a.mean_x2, b.mean_x2)) return false;
  if (!same_bits(a.loss, b.loss)) return false;
  if (a.layers.size() != b.layers.size()) return false;
  return std::memcmp(a.layers.data(), b.layers.data(),
                     a.layers.size() * sizeof(initlab::layer_moments)) == 0;
}

// Naive reference for the kernel: one sequential accumulator per output, k ascending.
std::vector<double> naive_product(const initlab::detail::product_args& p) {
  std::vector<double> out(p.rows * p.out_ld, 0.0);
  for (std::size_t r = 0; r < p.rows; ++r)
    for (std::size_t c = 0; c < p.cols; ++c) {
      double acc = 0.0;
      for (std::size_t k = 0; k < p.depth; ++k) {
        const double prod = p.a[r * p.a_row + k * p.a_col] * p.in[k * p.in_ld + c];
        acc = acc + prod;
      }
      out[r * p.out_ld + c] = acc;
    }
  return out;
}

// Independent re-implementation of the documented reduction order of detail::sum (kernels.hpp):
// 8 interleaved partial sums over the first ⌊n/8⌋·8 terms, ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)),
// then the tail in order.
template <class F>
double documented_sum(const double* x, std::size_t n, F f) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = s0 + f(x[i]);
    s1 = s1 + f(x[i + 1]);
    s2 = s2 + f(x[i + 2]);
    s3 = s3 + f(x[i + 3]);
    s4 = s4 + f(x[i + 4]);
    s5 = s5 + f(x[i + 5]);
    s6 = s6 + f(x[i + 6]);
    s7 = s7 + f(x[i + 7]);
  }
  double total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  for (; i < n; ++i)
    total = total + f(x[i]);
  return total;
}
double documented_sum(std::span<const double> x) {
  return documented_sum(x.data(), x.size(), [](double v) { return v; });
}
double documented_sum_squares(std::span<const double> x) {
  return documented_sum(x.data(), x.size(), [](double v) { return v * v; });
}

std::vector<test_layer> mixed_layers(bool with_bias) {
  std::vector<test_layer> s = {
      {5, 7, {law_kind::normal, 0.6}, test_act::smooth, {}},
      {7, 4, {law_kind::uniform, 0.9}, test_act::relu, {}},
      {4, 3, {law_kind::normal, 0.5}, test_act::smooth, {}},
  };
  if (with_bias)
    for (auto& l : s)
      l.bias = weight_law{law_kind::normal, 0.3};
  return s;
}

// W (and b) of layer `from_l` of `from` into layer `to_l` of `to`.
void copy_parameters(sampled_network& from, std::size_t from_l, sampled_network& to,
                     std::size_t to_l) {
  REQUIRE(from.weights(from_l).size() == to.weights(to_l).size());
  REQUIRE(from.bias(from_l).size() == to.bias(to_l).size());
  std::copy(from.weights(from_l).begin(), from.weights(from_l).end(), to.weights(to_l).begin());
  std::copy(from.bias(from_l).begin(), from.bias(from_l).end(), to.bias(to_l).begin());
}

}  // namespace

TEST_CASE("ordered_product equals a sequential sum on every path, bit for bit", "[kernels]") {
  using namespace initlab::detail;
  const std::vector<kernel_isa> isas = {kernel_isa::generic, detected_kernel_isa()};
  // Odd shapes: row and column tails of every tile size, both matrix layouts.
  for (std::size_t rows : {1u, 3u, 8u, 33u, 70u})
    for (std::size_t depth : {1u, 5u, 64u})
      for (std::size_t cols : {1u, 2u, 5u, 16u, 19u, 40u})
        for (int layout = 0; layout < 2; ++layout) {
          const auto a = random_vector(rows * depth, 1 + rows * 7 + depth);
          const auto in = random_vector(depth * cols, 2 + cols);
          const std::size_t a_row = layout == 0 ? depth : 1;
          const std::size_t a_col = layout == 0 ? 1 : rows;
          const product_args args{a.data(), a_row, a_col, in.data(), cols,
                                  nullptr,  cols,  rows,  depth,     cols};
          const auto expected = naive_product(args);
          for (kernel_isa isa : isas) {
            std::vector<double> out(rows * cols, -1.0);
            product_args p = args;
            p.out = out.data();
            ordered_product(p, isa);
            INFO("rows " << rows << " depth " << depth << " cols " << cols << " layout " << layout
                         << " isa " << static_cast<int>(isa));
            CHECK(same_bits(out, expected));
          }
        }
}

TEST_CASE("sum and sum_squares follow their documented order, bit for bit", "[kernels]") {
  for (std::size_t n : {1u, 7u, 8u, 9u, 16u, 23u, 64u, 101u}) {
    const auto x = random_vector(n, 90 + n, 3.0);
    INFO("n " << n);
    CHECK(same_bits(initlab::detail::sum(x.data(), n), documented_sum(x)));
    CHECK(same_bits(initlab::detail::sum_squares(x.data(), n), documented_sum_squares(x)));
  }
}

TEST_CASE("a hand-checkable network: values computed by hand", "[engine]") {
  // 2 -> 2 (ReLU) -> 1 (identity), W1 = [[1, -2], [0.5, 1]], W2 = [[3, -1]], x = (1, 1).
  sampled_network net = build({{2, 2, {}, test_act::relu, {}}, {2, 1, {}, test_act::identity, {}}});
  const double w1[] = {1.0, -2.0, 0.5, 1.0};
  std::copy(std::begin(w1), std::end(w1), net.weights(0).begin());
  net.weights(1)[0] = 3.0;
  net.weights(1)[1] = -1.0;
  const std::vector<double> x = {1.0, 1.0};
  net.forward(x, 1);
  CHECK(net.batch() == 1);
  // y1 = (1 - 2, 0.5 + 1) = (-1, 1.5); h1 = (0, 1.5); y2 = 3·0 − 1.5 = −1.5.
  CHECK(net.pre_activations(0)[0] == -1.0);
  CHECK(net.pre_activations(0)[1] == 1.5);
  CHECK(net.activations(0)[0] == 0.0);
  CHECK(net.activations(0)[1] == 1.5);
  CHECK(net.activations(1)[0] == -1.5);
  // Squared error to t = 0.5: L = ½(−2)² = 2; ∂L/∂y2 = −2; ∂L/∂x2 = W2ᵀ(−2) = (−6, 2);
  // ∂L/∂y1 = φ'(y1)⊙(−6, 2) = (0, 2); ∂L/∂x1 = W1ᵀ(0, 2) = (1, 2).
  const std::vector<double> t = {0.5};
  CHECK(net.backward_squared_error(t) == 2.0);
  CHECK(net.has_backward());
  CHECK(net.pre_activation_gradients(1)[0] == -2.0);
  CHECK(net.input_gradients(1)[0] == -6.0);
  CHECK(net.input_gradients(1)[1] == 2.0);
  CHECK(net.pre_activation_gradients(0)[0] == 0.0);
  CHECK(net.pre_activation_gradients(0)[1] == 2.0);
  CHECK(net.input_gradients(0)[0] == 1.0);
  CHECK(net.input_gradients(0)[1] == 2.0);
  // ∂L/∂W2 = (−2)·h1ᵀ = (0, −3); ∂L/∂W1 = (0, 2)ᵀ·xᵀ = [[0, 0], [2, 2]].
  net.compute_weight_gradients();
  CHECK(net.weight_gradients(1)[0] == 0.0);
  CHECK(net.weight_gradients(1)[1] == -3.0);
  CHECK(net.weight_gradients(0)[0] == 0.0);
  CHECK(net.weight_gradients(0)[2] == 2.0);
  CHECK(net.weight_gradients(0)[3] == 2.0);
  CHECK(net.bias_gradients(0).empty());
  // SGD with lr 0.25: W2 = (3, −1 + 0.75), W1 row 1 = (0.5 − 0.5, 1 − 0.5).
  net.sgd_step(0.25);
  CHECK(!net.has_backward());
  CHECK(net.weights(1)[0] == 3.0);
  CHECK(net.weights(1)[1] == -0.25);
  CHECK(net.weights(0)[2] == 0.0);
  CHECK(net.weights(0)[3] == 0.5);
  // After the step y1 = (1 − 2, 0 + 0.5) = (−1, 0.5): mean over the 2 units of y1² = 0.625.
  net.forward(x, 1);
  CHECK(net.pre_activations(0)[1] == 0.5);
  CHECK(net.moments(0).mean_y2 == 0.625);
  CHECK(net.moments(0).mean_h2 == 0.125);
  CHECK(net.moments(0).mean_dy2 == 0.0);  // no backward pass since the forward pass
}

TEST_CASE("forward and backward equal an independent naive implementation, 0 ulps", "[engine]") {
  for (bool with_bias : {false, true})
    for (std::size_t batch : {1u, 3u, 16u, 21u}) {
      const auto layers = mixed_layers(with_bias);
      sampled_network net = build(layers);
      net.sample(initlab::stream(11));
      const auto x = random_vector(5 * batch, 12);
      const auto target = random_vector(3 * batch, 13);
      net.forward(x, batch);
      const double loss = net.backward_squared_error(target);
      net.compute_weight_gradients();

      // Naive: per sample b, loops in the documented order.
      const std::size_t n = layers.size();
      REQUIRE(net.depth() == n);
      std::vector<std::vector<double>> h(n + 1), y(n), dy(n), dx(n), dw(n), db(n);
      h[0] = x;
      for (std::size_t l = 0; l < n; ++l) {
        const auto& s = layers[l];
        const auto w = net.weights(l);
        REQUIRE(w.size() == s.fan_in * s.fan_out);
        REQUIRE(net.bias(l).size() == (with_bias ? s.fan_out : 0));
        y[l].assign(s.fan_out * batch, 0.0);
        h[l + 1].assign(s.fan_out * batch, 0.0);
        for (std::size_t i = 0; i < s.fan_out; ++i)
          for (std::size_t b = 0; b < batch; ++b) {
            double acc = 0.0;
            for (std::size_t j = 0; j < s.fan_in; ++j)
              acc = acc + w[i * s.fan_in + j] * h[l][j * batch + b];
            if (with_bias) acc = acc + net.bias(l)[i];
            y[l][i * batch + b] = acc;
            h[l + 1][i * batch + b] = act_value(s.activation, acc);
          }
      }
      for (std::size_t l = n; l-- > 0;) {
        const auto& s = layers[l];
        const auto w = net.weights(l);
        dy[l].assign(s.fan_out * batch, 0.0);
        for (std::size_t k = 0; k < dy[l].size(); ++k)
          dy[l][k] = l + 1 == n ? act_derivative(s.activation, y[l][k]) * (h[n][k] - target[k])
                                : act_derivative(s.activation, y[l][k]) * dx[l + 1][k];
        dx[l].assign(s.fan_in * batch, 0.0);
        for (std::size_t j = 0; j < s.fan_in; ++j)
          for (std::size_t b = 0; b < batch; ++b) {
            double acc = 0.0;
            for (std::size_t i = 0; i < s.fan_out; ++i)
              acc = acc + w[i * s.fan_in + j] * dy[l][i * batch + b];
            dx[l][j * batch + b] = acc;
          }
        dw[l].assign(s.fan_out * s.fan_in, 0.0);
        db[l].assign(with_bias ? s.fan_out : 0, 0.0);
        for (std::size_t i = 0; i < s.fan_out; ++i) {
          for (std::size_t j = 0; j < s.fan_in; ++j) {
            double acc = 0.0;
            for (std::size_t b = 0; b < batch; ++b)
              acc = acc + dy[l][i * batch + b] * h[l][j * batch + b];
            dw[l][i * s.fan_in + j] = acc / static_cast<double>(batch);
          }
        }
        // ∂L/∂b in the documented order of detail::sum (8 interleaved partial sums).
        for (std::size_t i = 0; i < db[l].size(); ++i)
          db[l][i] = documented_sum(std::span<const double>(dy[l]).subspan(i * batch, batch)) /
                     static_cast<double>(batch);
      }
      INFO("bias " << with_bias << " batch " << batch);
      for (std::size_t l = 0; l < n; ++l) {
        INFO("layer " << l);
        CHECK(same_bits(net.pre_activations(l), y[l]));
        CHECK(same_bits(net.activations(l), h[l + 1]));
        CHECK(same_bits(net.pre_activation_gradients(l), dy[l]));
        CHECK(same_bits(net.input_gradients(l), dx[l]));
        CHECK(same_bits(net.weight_gradients(l), dw[l]));
        CHECK(same_bits(net.bias_gradients(l), db[l]));
        // moments(): means in the documented order.
        const initlab::layer_moments m = net.moments(l);
        const double ny = static_cast<double>(y[l].size());
        CHECK(same_bits(m.mean_y, documented_sum(y[l]) / ny));
        CHECK(same_bits(m.mean_y2, documented_sum_squares(y[l]) / ny));
        CHECK(same_bits(m.mean_h, documented_sum(h[l + 1]) / ny));
        CHECK(same_bits(m.mean_h2, documented_sum_squares(h[l + 1]) / ny));
        CHECK(same_bits(m.mean_dy2, documented_sum_squares(dy[l]) / ny));
        CHECK(same_bits(m.mean_dx2,
                        documented_sum_squares(dx[l]) / static_cast<double>(dx[l].size())));
      }
      CHECK(same_bits(net.input(), x));
      double naive_loss = 0.0;
      for (std::size_t k = 0; k < target.size(); ++k)
        naive_loss += 0.5 * (h[n][k] - target[k]) * (h[n][k] - target[k]);
      naive_loss /= static_cast<double>(batch);
      CHECK(std::abs(loss - naive_loss) <= 1e-14 * naive_loss);  // summation orders differ
      // … and exactly the documented order: ½·Σ(h − t)² (detail::sum_squares) / B.
      std::vector<double> residual(target.size());
      for (std::size_t k = 0; k < target.size(); ++k)
        residual[k] = h[n][k] - target[k];
      CHECK(same_bits(loss, 0.5 * documented_sum_squares(residual) / static_cast<double>(batch)));
    }
}

TEST_CASE("gradients agree with central finite differences of the loss", "[engine]") {
  // Relative error ≤ 1e-6: central differences with step 1e-5 on a smooth loss have truncation
  // error O(h²) ≈ 1e-10 and rounding error ≈ 1e-16/h ≈ 1e-11, relative to gradients of O(0.1).
  auto layers = mixed_layers(true);
  for (auto& s : layers)
    s.activation = test_act::smooth;
  const std::size_t batch = 3;
  sampled_network net = build(layers);
  net.sample(initlab::stream(21));
  const auto x = random_vector(5 * batch, 22);
  const auto target = random_vector(3 * batch, 23);
  net.forward(x, batch);
  net.backward_squared_error(target);
  net.compute_weight_gradients();
  auto loss_at = [&](sampled_network& m, const std::vector<double>& input) {
    m.forward(input, batch);
    return m.backward_squared_error(target);
  };
  const double h = 1e-5;
  double worst = 0.0;
  std::size_t checked = 0;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto grad = to_vector(net.weight_gradients(l));
    const auto gbias = to_vector(net.bias_gradients(l));
    REQUIRE(grad.size() == layers[l].fan_in * layers[l].fan_out);
    REQUIRE(gbias.size() == layers[l].fan_out);
    for (std::size_t k = 0; k < grad.size(); ++k) {
      sampled_network m = net;  // a clone: perturbing it leaves `net` alone
      const double w0 = m.weights(l)[k];
      m.weights(l)[k] = w0 + h;
      const double up = loss_at(m, x);
      m.weights(l)[k] = w0 - h;
      const double down = loss_at(m, x);
      const double fd = (up - down) / (2.0 * h);
      worst = std::max(worst, std::abs(fd - grad[k]) / std::max(1e-3, std::abs(grad[k])));
      ++checked;
    }
    for (std::size_t k = 0; k < gbias.size(); ++k) {
      sampled_network m = net;
      const double b0 = m.bias(l)[k];
      m.bias(l)[k] = b0 + h;
      const double up = loss_at(m, x);
      m.bias(l)[k] = b0 - h;
      const double down = loss_at(m, x);
      const double fd = (up - down) / (2.0 * h);
      worst = std::max(worst, std::abs(fd - gbias[k]) / std::max(1e-3, std::abs(gbias[k])));
      ++checked;
    }
  }
  // Input gradients: L is a mean over the batch, input_gradients are per sample, so
  // ∂L/∂x(j, b) = input_gradients(0)(j, b) / B.
  const auto gx = to_vector(net.input_gradients(0));
  for (std::size_t k = 0; k < x.size(); ++k) {
    sampled_network m = net;
    auto xp = x;
    xp[k] = x[k] + h;
    const double up = loss_at(m, xp);
    xp[k] = x[k] - h;
    const double down = loss_at(m, xp);
    const double fd = (up - down) / (2.0 * h);
    const double g = gx[k] / static_cast<double>(batch);
    worst = std::max(worst, std::abs(fd - g) / std::max(1e-3, std::abs(g)));
    ++checked;
  }
  CHECK(checked == (35 + 7) + (28 + 4) + (12 + 3) + 15);
  CHECK(worst < 1e-6);
  // The clones never touched the original's gradients.
  CHECK(same_bits(net.input_gradients(0), gx));
}

TEST_CASE("narrow and wide batches give each sample the same bits", "[engine]") {
  // Batches that are not a multiple of detail::wide_batch go through a transposed matrix and
  // row tiles; the per-output order is the same, so each column must match bit for bit.
  const auto layers = mixed_layers(true);
  sampled_network wide = build(layers), narrow = build(layers);
  wide.sample(initlab::stream(31));
  narrow.sample(initlab::stream(31));
  const std::size_t batch = 32;
  static_assert(batch % initlab::detail::wide_batch == 0);
  const auto x = random_vector(5 * batch, 32);
  const auto dy = random_vector(3 * batch, 33);
  wide.forward(x, batch);
  wide.backward(dy);
  wide.compute_weight_gradients();
  for (std::size_t b = 0; b < batch; ++b) {
    std::vector<double> xb(5), dyb(3);
    for (std::size_t j = 0; j < 5; ++j)
      xb[j] = x[j * batch + b];
    for (std::size_t i = 0; i < 3; ++i)
      dyb[i] = dy[i * batch + b];
    narrow.forward(xb, 1);
    narrow.backward(dyb);
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const auto y_w = wide.pre_activations(l);
      const auto h_w = wide.activations(l);
      const auto dy_w = wide.pre_activation_gradients(l);
      const auto dx_w = wide.input_gradients(l);
      for (std::size_t i = 0; i < layers[l].fan_out; ++i) {
        REQUIRE(std::memcmp(&y_w[i * batch + b], &narrow.pre_activations(l)[i], 8) == 0);
        REQUIRE(std::memcmp(&h_w[i * batch + b], &narrow.activations(l)[i], 8) == 0);
        REQUIRE(std::memcmp(&dy_w[i * batch + b], &narrow.pre_activation_gradients(l)[i], 8) ==
                0);
      }
      for (std::size_t j = 0; j < layers[l].fan_in; ++j)
        REQUIRE(std::memcmp(&dx_w[j * batch + b], &narrow.input_gradients(l)[j], 8) == 0);
    }
  }
  // A narrow batch of the same 32 samples minus one (31: not a multiple of wide_batch) agrees
  // with the wide one on every shared column.
  const std::size_t nb = batch - 1;
  std::vector<double> x31(5 * nb), dy31(3 * nb);
  for (std::size_t j = 0; j < 5; ++j)
    for (std::size_t b = 0; b < nb; ++b)
      x31[j * nb + b] = x[j * batch + b];
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t b = 0; b < nb; ++b)
      dy31[i * nb + b] = dy[i * batch + b];
  narrow.forward(x31, nb);
  narrow.backward(dy31);
  for (std::size_t l = 0; l < layers.size(); ++l)
    for (std::size_t i = 0; i < layers[l].fan_out; ++i)
      for (std::size_t b = 0; b < nb; ++b)
        REQUIRE(std::memcmp(&wide.pre_activations(l)[i * batch + b],
                            &narrow.pre_activations(l)[i * nb + b], 8) == 0);
}

TEST_CASE("results do not depend on thread count, trial order or buffer reuse", "[engine]") {
  const std::vector<test_layer> layers = {
      {24, 40, {law_kind::normal, 0.2}, test_act::relu, {}},
      {40, 17, {law_kind::uniform, 0.3}, test_act::smooth, {}},
      {17, 9, {law_kind::truncated_normal, 0.3}, test_act::relu, weight_law{law_kind::normal, 0.1}}};
  const sampled_network prototype = build(layers);
  for (auto seed : {initlab::gradient_seed::gaussian, initlab::gradient_seed::squared_error,
                    initlab::gradient_seed::none}) {
    initlab::trial_config config;
    config.batch = 5;
    config.input_variance = 1.5;
    config.seed = seed;
    const initlab::stream base = initlab::stream(41).child(3);
    const std::size_t trials = 37;  // not a multiple of the chunk size
    const auto one = initlab::simulate(prototype, config, trials, 1, base);
    const auto two = initlab::simulate(prototype, config, trials, 2, base);
    const auto five = initlab::simulate(prototype, config, trials, 5, base);
    REQUIRE(one.size() == trials);
    REQUIRE(two.size() == trials);
    REQUIRE(five.size() == trials);
    for (std::size_t t = 0; t < trials; ++t) {
      INFO("trial " << t);
      REQUIRE(one[t].layers.size() == layers.size());
      CHECK(same_bits(one[t], two[t]));
      CHECK(same_bits(one[t], five[t]));
    }
    // Reverse order on one reused network, after a run with a different batch size.
    sampled_network net = build(layers);
    initlab::trial_config other = config;
    other.batch = 16;
    (void)initlab::run_trial(net, other, base.child(1000));
    for (std::size_t t = trials; t-- > 0;) {
      INFO("trial " << t);
      CHECK(same_bits(initlab::run_trial(net, config, base.child(t)), one[t]));
    }
    // A fresh network for a single trial.
    sampled_network fresh = build(layers);
    CHECK(same_bits(initlab::run_trial(fresh, config, base.child(20)), one[20]));
    // A prototype that has been sampled, run and trained: its state does not leak into trials.
    sampled_network used = build(layers);
    used.sample(initlab::stream(999));
    const auto ux = random_vector(24 * 7, 998);
    (void)used.train_step(ux, 7, random_vector(9 * 7, 997), 0.5);
    const auto from_used = initlab::simulate(used, config, trials, 2, base);
    for (std::size_t t = 0; t < trials; ++t)
      CHECK(same_bits(from_used[t], one[t]));
    // Different trials differ (the streams are really keyed by the trial index).
    CHECK(!same_bits(one[0], one[1]));
    if (seed == initlab::gradient_seed::none) {
      CHECK(one[3].loss == 0.0);
      CHECK(one[3].layers[1].mean_dy2 == 0.0);
      CHECK(one[3].layers[1].mean_dx2 == 0.0);
    } else {
      CHECK(one[3].layers[1].mean_dy2 > 0.0);
    }
    if (seed == initlab::gradient_seed::squared_error) CHECK(one[3].loss > 0.0);
  }
  // simulate reports progress up to the number of trials.
  std::size_t last = 0;
  std::mutex m;
  initlab::trial_config config;
  (void)initlab::simulate(prototype, config, 21, 2, initlab::stream(42), [&](std::size_t done) {
    const std::lock_guard<std::mutex> lock(m);
    last = std::max(last, done);
  });
  CHECK(last == 21);
}

TEST_CASE("Monte Carlo smoke check: Var[y_1] = D·σ²·q0 and Var[dL/dx_1] = D̂·σ²·g", "[engine]") {
  // One layer, D = 64 → D̂ = 32, σ = 0.15, q0 = 2, g = 0.5: Var[y] = 64·0.0225·2 = 2.88,
  // Var[∂L/∂x] = 32·0.0225·0.5 = 0.36. 4000 trials of a batch of 4; the estimate is the mean over
  // trials. Tolerance: 4.5 standard errors of that mean (a false failure has probability ≈ 7e-6
  // per check; the seed is fixed, so the test is deterministic), and the standard error itself
  // must be below 1% of the analytic value, so a 5% error in the engine could not pass.
  const double sigma = 0.15, q0 = 2.0, g = 0.5;
  const sampled_network net = build({{64, 32, {law_kind::normal, sigma}, test_act::relu, {}}});
  initlab::trial_config config;
  config.batch = 4;
  config.input_variance = q0;
  config.gradient_variance = g;
  const std::size_t trials = 4000;
  const auto r = initlab::simulate(net, config, trials, 2, initlab::stream(51));
  auto check_mean = [&](auto field, double analytic) {
    double s = 0.0, s2 = 0.0;
    for (const auto& t : r) {
      const double v = field(t);
      s += v;
      s2 += v * v;
    }
    const double n = static_cast<double>(trials);
    const double mean = s / n;
    const double se = std::sqrt((s2 / n - mean * mean) / (n - 1.0));
    INFO("analytic " << analytic << " estimate " << mean << " se " << se);
    CHECK(se < 0.01 * analytic);
    CHECK(std::abs(mean - analytic) < 4.5 * se);
  };
  check_mean([](const initlab::trial_statistics& t) { return t.layers[0].mean_y2; },
             64 * sigma * sigma * q0);
  check_mean([](const initlab::trial_statistics& t) { return t.layers[0].mean_dx2; },
             32 * sigma * sigma * g);
  check_mean([](const initlab::trial_statistics& t) { return t.layers[0].mean_h2; },
             0.5 * 64 * sigma * sigma * q0);  // ReLU keeps half of E[y²]
  check_mean([](const initlab::trial_statistics& t) { return t.layers[0].mean_dy2; }, g);
  check_mean([](const initlab::trial_statistics& t) { return t.mean_x2; }, q0);
}

TEST_CASE("Monte Carlo smoke check through a separate activation layer", "[engine]") {
  // network<dense<64, 32, random_normal<0.15>>, relu>: the dense layer's output is y itself and
  // the ReLU layer's output keeps half of E[y²]; a seed g at the ReLU layer's output reaches
  // ∂L/∂x_1 as D̂·σ²·E[φ'²]·g = 32·0.0225·0.5·0.5.
  using net_t = initlab::network<initlab::dense<64, 32, initlab::random_normal<0.15>>, initlab::relu>;
  const sampled_network net = sampled_network::of<net_t>();
  REQUIRE(net.depth() == 2);
  const double s2 = 0.15 * 0.15, q0 = 2.0, g = 0.5;
  initlab::trial_config config;
  config.batch = 4;
  config.input_variance = q0;
  config.gradient_variance = g;
  const std::size_t trials = 4000;
  const auto r = initlab::simulate(net, config, trials, 2, initlab::stream(52));
  auto check_mean = [&](auto field, double analytic) {
    double s = 0.0, ss = 0.0;
    for (const auto& t : r) {
      const double v = field(t);
      s += v;
      ss += v * v;
    }
    const double n = static_cast<double>(trials);
    const double mean = s / n;
    const double se = std::sqrt((ss / n - mean * mean) / (n - 1.0));
    INFO("analytic " << analytic << " estimate " << mean << " se " << se);
    CHECK(se < 0.01 * analytic);
    CHECK(std::abs(mean - analytic) < 4.5 * se);
  };
  check_mean([](const initlab::trial_statistics& t) { return t.layers[0].mean_y2; }, 64 * s2 * q0);
  check_mean([](const initlab::trial_statistics& t) { return t.layers[1].mean_h2; },
             0.5 * 64 * s2 * q0);
  check_mean([](const initlab::trial_statistics& t) { return t.layers[0].mean_dx2; },
             32 * s2 * 0.5 * g);
  // The analytic profile of the same network agrees (same layer indices).
  constexpr auto p = initlab::profile<net_t>(2.0, 0.5);
  check_mean([](const initlab::trial_statistics& t) { return t.layers[1].mean_y2; },
             p.forward[1]);
  check_mean([](const initlab::trial_statistics& t) { return t.layers[0].mean_dx2; },
             p.backward[0]);
}

TEST_CASE("zero weights give zero gradients for ReLU hidden layers", "[engine]") {
  // Study 01's mechanism: with W = 0 every y is 0, φ'_relu(0) = 0 blocks the backward pass.
  sampled_network net = build({{6, 5, {law_kind::constant, 0.0}, test_act::relu, {}},
                               {5, 2, {law_kind::constant, 0.0}, test_act::identity, {}}});
  net.sample(initlab::stream(61));
  const auto x = random_vector(6 * 4, 62);
  const auto t = random_vector(2 * 4, 63);
  const double loss = net.train_step(x, 4, t, 0.1);
  CHECK(loss > 0.0);
  for (std::size_t l = 0; l < 2; ++l)
    for (double w : net.weights(l))
      CHECK(w == 0.0);
}

// A parameter_sampler that records every request and fills with a marker: what a pass asks for
// is visible, and the marker proves the buffers come from this sampler, not the bulk one.
struct recording_sampler final : initlab::parameter_sampler {
  struct request {
    initlab::stream s;
    std::size_t size;
    weight_law law;
  };
  mutable std::vector<request> requests;
  void fill(const initlab::stream& s, std::span<double> out, const weight_law& law) const override {
    requests.push_back({s, out.size(), law});
    std::fill(out.begin(), out.end(), static_cast<double>(requests.size()));
  }
};

TEST_CASE("passes draw only through the sampler they are given, from their own streams",
          "[engine]") {
  const auto layers = mixed_layers(true);
  sampled_network net = build(layers);
  const initlab::stream s(83);
  recording_sampler recorder;
  net.sample(s, recorder);
  REQUIRE(recorder.requests.size() == 2 * layers.size());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    INFO("layer " << l);
    const auto& w = recorder.requests[2 * l];
    const auto& b = recorder.requests[2 * l + 1];
    CHECK(w.s == s.child(initlab::stream_key::weights).child(l));
    CHECK(w.size == layers[l].fan_in * layers[l].fan_out);
    CHECK(w.law == layers[l].law);
    CHECK(b.s == s.child(initlab::stream_key::biases).child(l));
    CHECK(b.size == layers[l].fan_out);
    CHECK(b.law == *layers[l].bias);
    for (double v : net.weights(l)) CHECK(v == static_cast<double>(2 * l + 1));
    for (double v : net.bias(l)) CHECK(v == static_cast<double>(2 * l + 2));
  }
  // Control: the bulk sampler's draws are not the marker, and equal the one-argument sample's.
  sampled_network bulk = build(layers), plain = build(layers);
  bulk.sample(s, initlab::bulk_sampler{});
  plain.sample(s);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    CHECK(same_bits(bulk.weights(l), plain.weights(l)));
    CHECK(bulk.weights(l)[0] != static_cast<double>(2 * l + 1));
  }
}

TEST_CASE("sampling draws each layer from its own keyed streams; copies are clones", "[engine]") {
  auto layers = mixed_layers(true);
  layers[1].law = {law_kind::truncated_normal, 0.4};
  sampled_network net = build(layers);
  const initlab::stream s(81);
  net.sample(s);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    std::vector<double> w(layers[l].fan_in * layers[l].fan_out), b(layers[l].fan_out);
    initlab::fill(s.child(initlab::stream_key::weights).child(l), std::span<double>(w),
                  layers[l].law);
    initlab::fill(s.child(initlab::stream_key::biases).child(l), std::span<double>(b),
                  *layers[l].bias);
    INFO("layer " << l);
    CHECK(same_bits(net.weights(l), w));
    CHECK(same_bits(net.bias(l), b));
  }
  // A copy has the same parameters and gives the same passes, but owns them.
  const auto x = random_vector(5 * 4, 82);
  net.forward(x, 4);
  sampled_network copy = net;
  CHECK(copy.depth() == net.depth());
  CHECK(copy.shape_at(3) == net.shape_at(3));
  for (std::size_t l = 0; l < layers.size(); ++l)
    CHECK(same_bits(copy.weights(l), to_vector(net.weights(l))));
  copy.forward(x, 4);
  CHECK(same_bits(copy.activations(2), to_vector(net.activations(2))));
  const auto before = to_vector(net.activations(2));
  copy.weights(2)[0] = copy.weights(2)[0] + 1.0;
  copy.bias(1)[0] = 7.0;
  copy.forward(x, 4);
  CHECK(!same_bits(copy.activations(2), before));
  CHECK(same_bits(net.activations(2), before));
  net.forward(x, 4);
  CHECK(same_bits(net.activations(2), before));
  CHECK(net.bias(1)[0] != 7.0);
  // A moved-from network's passes live on in the new one.
  sampled_network moved = std::move(copy);
  moved.forward(x, 4);
  CHECK(moved.bias(1)[0] == 7.0);
}

TEST_CASE("sampled_network::of reads the compile-time descriptors", "[engine]") {
  using net_t = initlab::network<initlab::dense<8, 6, initlab::he_normal, initlab::relu>,
                                 initlab::dense<6, 3, initlab::xavier_uniform, initlab::tanh>>;
  sampled_network sampled = sampled_network::of<net_t>();
  REQUIRE(sampled.depth() == 2);
  CHECK(sampled.input_width() == 8);
  CHECK(sampled.output_width() == 3);
  CHECK(sampled.shape_at(0) == shape{8, 1, 1});
  CHECK(sampled.shape_at(1) == shape{6, 1, 1});
  CHECK(sampled.shape_at(2) == shape{3, 1, 1});
  CHECK(sampled.weights(0).size() == 8 * 6);
  CHECK(sampled.weights(1).size() == 6 * 3);
  CHECK(sampled.bias(0).empty());
  CHECK(sampled.bias(1).empty());
  CHECK(sampled.layer(0).name() == "dense");
  CHECK(sampled.layer(1).name() == "dense");
  CHECK(std::string_view(initlab::activation_name<net_t::layer<0>::activation_type>()) == "relu");
  CHECK(std::string_view(initlab::activation_name<net_t::layer<1>::activation_type>()) == "tanh");
  // Sampling uses the library sampler with the layer's law, keyed weights → layer.
  const initlab::stream s(71);
  sampled.sample(s);
  std::vector<double> expected0(8 * 6), expected1(6 * 3);
  initlab::fill(s.child(initlab::stream_key::weights).child(0), std::span<double>(expected0),
                initlab::he_normal::law(8, 6));
  initlab::fill(s.child(initlab::stream_key::weights).child(1), std::span<double>(expected1),
                initlab::xavier_uniform::law(6, 3));
  CHECK(same_bits(sampled.weights(0), expected0));
  CHECK(same_bits(sampled.weights(1), expected1));
  // The activations applied are the library's own (same bits), forward and backward.
  const std::size_t batch = 5;
  const auto x = random_vector(8 * batch, 72);
  const auto dh = random_vector(3 * batch, 73);
  sampled.forward(x, batch);
  sampled.backward_from_output(dh);
  const auto y0 = sampled.pre_activations(0), h0 = sampled.activations(0);
  for (std::size_t k = 0; k < y0.size(); ++k)
    REQUIRE(same_bits(h0[k], initlab::relu::value(y0[k])));
  const auto y1 = sampled.pre_activations(1), h1 = sampled.activations(1);
  const auto dy1 = sampled.pre_activation_gradients(1);
  for (std::size_t k = 0; k < y1.size(); ++k) {
    REQUIRE(same_bits(h1[k], initlab::tanh::value(y1[k])));
    REQUIRE(same_bits(dy1[k], initlab::tanh::derivative(y1[k]) * dh[k]));
  }
  const auto dy0 = sampled.pre_activation_gradients(0), dx1 = sampled.input_gradients(1);
  for (std::size_t k = 0; k < dy0.size(); ++k)
    REQUIRE(same_bits(dy0[k], initlab::relu::derivative(y0[k]) * dx1[k]));
  // The same network built from run-time passes (same laws) draws the same bits.
  std::vector<initlab::pass_ptr<layer_pass>> passes;
  passes.push_back(initlab::make_pass_ptr<initlab::activated_pass<initlab::relu>>(
      initlab::make_pass_ptr<initlab::dense_pass>(8, 6, initlab::he_normal::law(8, 6))));
  passes.push_back(initlab::make_pass_ptr<initlab::activated_pass<initlab::tanh>>(
      initlab::make_pass_ptr<initlab::dense_pass>(6, 3, initlab::xavier_uniform::law(6, 3))));
  sampled_network by_hand({8, 1, 1}, std::move(passes));
  by_hand.sample(s);
  by_hand.forward(x, batch);
  by_hand.backward_from_output(dh);
  CHECK(same_bits(by_hand.activations(1), to_vector(sampled.activations(1))));
  CHECK(same_bits(by_hand.input_gradients(0), to_vector(sampled.input_gradients(0))));
  // A bias initializer becomes the pass's bias law, keyed biases → layer.
  using biased = initlab::network<
      initlab::dense<4, 3, initlab::lecun_normal, initlab::identity, initlab::random_normal<0.2>>>;
  sampled_network b = sampled_network::of<biased>();
  b.sample(s);
  std::vector<double> expected_b(3);
  initlab::fill(s.child(initlab::stream_key::biases).child(0), std::span<double>(expected_b),
                weight_law{law_kind::normal, 0.2});
  CHECK(same_bits(b.bias(0), expected_b));
}

TEST_CASE("a dense layer followed by an activation layer equals the fused dense layer, 0 ulps",
          "[engine][layers]") {
  using split_t = initlab::serial<
      initlab::dense<5, 7, initlab::he_normal>, initlab::relu,
      initlab::dense<7, 3, initlab::he_normal, initlab::tanh, initlab::random_normal<0.1>>>;
  using fused_t = initlab::network<
      initlab::dense<5, 7, initlab::he_normal, initlab::relu>,
      initlab::dense<7, 3, initlab::he_normal, initlab::tanh, initlab::random_normal<0.1>>>;
  static_assert(split_t::depth == 3 && fused_t::depth == 2);
  sampled_network split = sampled_network::of<split_t>();
  sampled_network fused = sampled_network::of<fused_t>();
  REQUIRE(split.depth() == 3);
  REQUIRE(fused.depth() == 2);
  CHECK(split.layer(1).name() == "relu");
  CHECK(split.weights(1).empty());
  CHECK(split.bias(1).empty());
  CHECK(split.shape_at(2) == shape{7, 1, 1});
  const initlab::stream s(101);
  split.sample(s);
  fused.sample(s);
  // Layer 0 has the same law and the same stream in both: the same draws.
  CHECK(same_bits(split.weights(0), to_vector(fused.weights(0))));
  // The last dense layer is layer 2 of one and layer 1 of the other (different streams): copy.
  copy_parameters(fused, 1, split, 2);
  REQUIRE(split.bias(2).size() == 3);

  for (std::size_t batch : {1u, 3u, 16u}) {
    INFO("batch " << batch);
    const auto x = random_vector(5 * batch, 102 + batch);
    const auto dy = random_vector(3 * batch, 103 + batch);
    const auto t = random_vector(3 * batch, 104 + batch);
    for (int mode = 0; mode < 3; ++mode) {
      INFO("mode " << mode);  // 0: backward (at y_N), 1: backward_from_output, 2: squared error
      split.forward(x, batch);
      fused.forward(x, batch);
      double ls = 0.0, lf = 0.0;
      if (mode == 0) {
        split.backward(dy);
        fused.backward(dy);
      } else if (mode == 1) {
        split.backward_from_output(dy);
        fused.backward_from_output(dy);
      } else {
        ls = split.backward_squared_error(t);
        lf = fused.backward_squared_error(t);
      }
      CHECK(same_bits(ls, lf));
      // Outputs and input gradients.
      CHECK(same_bits(split.activations(2), to_vector(fused.activations(1))));
      CHECK(same_bits(split.pre_activations(2), to_vector(fused.pre_activations(1))));
      CHECK(same_bits(split.input_gradients(0), to_vector(fused.input_gradients(0))));
      // Intermediate quantities, with the shifted indices.
      CHECK(same_bits(split.activations(0), to_vector(fused.pre_activations(0))));
      CHECK(same_bits(split.activations(1), to_vector(fused.activations(0))));
      CHECK(same_bits(split.input_gradients(1), to_vector(fused.pre_activation_gradients(0))));
      CHECK(same_bits(split.pre_activation_gradients(0),
                      to_vector(fused.pre_activation_gradients(0))));
      CHECK(same_bits(split.input_gradients(2), to_vector(fused.input_gradients(1))));
      CHECK(same_bits(split.pre_activation_gradients(2),
                      to_vector(fused.pre_activation_gradients(1))));
      CHECK(same_bits(split.moments(2), fused.moments(1)));
      CHECK(split.moments(1).mean_h2 == fused.moments(0).mean_h2);
      CHECK(split.moments(0).mean_y2 == fused.moments(0).mean_y2);
      // Weight gradients and an SGD step.
      split.compute_weight_gradients();
      fused.compute_weight_gradients();
      CHECK(same_bits(split.weight_gradients(0), to_vector(fused.weight_gradients(0))));
      CHECK(same_bits(split.weight_gradients(2), to_vector(fused.weight_gradients(1))));
      CHECK(same_bits(split.bias_gradients(2), to_vector(fused.bias_gradients(1))));
      CHECK(split.weight_gradients(1).empty());
    }
  }
  // Training both for a few steps keeps them identical.
  const std::size_t batch = 8;
  for (int step = 0; step < 4; ++step) {
    const auto x = random_vector(5 * batch, 200 + static_cast<std::uint64_t>(step));
    const auto t = random_vector(3 * batch, 300 + static_cast<std::uint64_t>(step));
    CHECK(same_bits(split.train_step(x, batch, t, 0.1), fused.train_step(x, batch, t, 0.1)));
  }
  CHECK(same_bits(split.weights(0), to_vector(fused.weights(0))));
  CHECK(same_bits(split.weights(2), to_vector(fused.weights(1))));
  CHECK(same_bits(split.bias(2), to_vector(fused.bias(1))));
}

TEST_CASE("nested serials: flattened at compile time, serial_pass streams at run time",
          "[engine][layers]") {
  using first = initlab::dense<6, 5, initlab::he_normal, initlab::relu>;
  using second =
      initlab::dense<5, 4, initlab::xavier_uniform, initlab::tanh, initlab::random_normal<0.2>>;
  using third = initlab::dense<4, 2, initlab::lecun_normal>;
  using inner = initlab::serial<first, second>;
  using nested = initlab::network<inner, third>;
  using flat = initlab::network<first, second, third>;
  static_assert(std::is_same_v<nested, flat>);
  static_assert(std::is_same_v<initlab::network<initlab::serial<initlab::serial<first>, second>,
                                                initlab::serial<third>>,
                               flat>);

  const initlab::stream s(111);
  sampled_network a = sampled_network::of<nested>(), b = sampled_network::of<flat>();
  REQUIRE(a.depth() == 3);
  a.sample(s);
  b.sample(s);
  for (std::size_t l = 0; l < 3; ++l) {
    INFO("layer " << l);
    CHECK(same_bits(a.weights(l), to_vector(b.weights(l))));
    CHECK(same_bits(a.bias(l), to_vector(b.bias(l))));
  }

  // At run time a serial_pass is one layer: part k of layer l draws from
  // weights.child(l).child(k) and biases.child(l).child(k).
  std::vector<initlab::pass_ptr<layer_pass>> passes;
  passes.push_back(inner::make_pass());
  passes.push_back(third::make_pass());
  sampled_network composite({6, 1, 1}, std::move(passes));
  REQUIRE(composite.depth() == 2);
  CHECK(composite.layer(0).name() == "serial");
  CHECK(composite.shape_at(1) == shape{4, 1, 1});
  CHECK(composite.shape_at(2) == shape{2, 1, 1});
  CHECK(composite.weights(0).empty());  // a serial's parameters are its parts'
  composite.sample(s);
  auto* sp = dynamic_cast<initlab::serial_pass*>(&composite.layer(0));
  REQUIRE(sp != nullptr);
  REQUIRE(sp->size() == 2);
  CHECK(sp->part(0).name() == "dense");
  CHECK(sp->shape_at(1) == shape{5, 1, 1});
  const initlab::stream ws = s.child(initlab::stream_key::weights);
  const initlab::stream bs = s.child(initlab::stream_key::biases);
  std::vector<double> w0(30), w1(20), b1(4), w2(8);
  initlab::fill(ws.child(0).child(0), std::span<double>(w0), first::law());
  initlab::fill(ws.child(0).child(1), std::span<double>(w1), second::law());
  initlab::fill(bs.child(0).child(1), std::span<double>(b1), weight_law{law_kind::normal, 0.2});
  initlab::fill(ws.child(1), std::span<double>(w2), third::law());
  CHECK(same_bits(sp->part(0).weights(), w0));
  CHECK(same_bits(sp->part(1).weights(), w1));
  CHECK(same_bits(sp->part(1).biases(), b1));
  CHECK(same_bits(composite.weights(1), w2));
  // Layer 0 of the flat network draws from ws.child(0) itself, not ws.child(0).child(0).
  CHECK(!same_bits(sp->part(0).weights(), to_vector(b.weights(0))));

  // With the flat network's parameters copied in, the composite computes the same bits.
  std::copy(b.weights(0).begin(), b.weights(0).end(), sp->part(0).weights().begin());
  std::copy(b.weights(1).begin(), b.weights(1).end(), sp->part(1).weights().begin());
  std::copy(b.bias(1).begin(), b.bias(1).end(), sp->part(1).biases().begin());
  copy_parameters(b, 2, composite, 1);
  for (std::size_t batch : {3u, 16u}) {
    INFO("batch " << batch);
    const auto x = random_vector(6 * batch, 112 + batch);
    const auto t = random_vector(2 * batch, 113 + batch);
    composite.forward(x, batch);
    b.forward(x, batch);
    CHECK(same_bits(composite.activations(0), to_vector(b.activations(1))));
    CHECK(same_bits(composite.activations(1), to_vector(b.activations(2))));
    CHECK(same_bits(std::span<const double>(sp->output_of(0), 5 * batch),
                    to_vector(b.activations(0))));
    CHECK(same_bits(composite.backward_squared_error(t), b.backward_squared_error(t)));
    CHECK(same_bits(composite.input_gradients(0), to_vector(b.input_gradients(0))));
    CHECK(same_bits(composite.input_gradients(1), to_vector(b.input_gradients(2))));
    CHECK(same_bits(std::span<const double>(sp->input_gradient_of(1), 5 * batch),
                    to_vector(b.input_gradients(1))));
    // Gradients and an SGD step reach the parts.
    composite.compute_weight_gradients();
    b.compute_weight_gradients();
    CHECK(same_bits(std::as_const(sp->part(1)).weight_gradients(),
                    to_vector(b.weight_gradients(1))));
    CHECK(same_bits(std::as_const(sp->part(1)).bias_gradients(), to_vector(b.bias_gradients(1))));
    composite.sgd_step(0.05);
    b.sgd_step(0.05);
    CHECK(same_bits(sp->part(0).weights(), to_vector(b.weights(0))));
    CHECK(same_bits(sp->part(1).biases(), to_vector(b.bias(1))));
  }
  // A copy of a network with a serial layer clones its parts.
  sampled_network composite_copy = composite;
  auto* cp = dynamic_cast<initlab::serial_pass*>(&composite_copy.layer(0));
  REQUIRE(cp != nullptr);
  CHECK(cp != sp);
  CHECK(cp->part(0).weights().data() != sp->part(0).weights().data());
  CHECK(same_bits(cp->part(0).weights(), to_vector(sp->part(0).weights())));
}

TEST_CASE("an activation-only top layer: its pre-activation is its output", "[engine][layers]") {
  using net_t = initlab::network<initlab::dense<4, 6, initlab::he_normal>, initlab::tanh>;
  sampled_network net = sampled_network::of<net_t>();
  REQUIRE(net.depth() == 2);
  CHECK(net.layer(1).name() == "tanh");
  CHECK(net.shape_at(2) == shape{6, 1, 1});
  net.sample(initlab::stream(121));
  const std::size_t batch = 5;
  const auto x = random_vector(4 * batch, 122);
  const auto seed = random_vector(6 * batch, 123);
  net.forward(x, batch);
  const auto y = to_vector(net.activations(0));  // the dense layer's output (identity)
  CHECK(same_bits(net.pre_activations(0), y));
  CHECK(same_bits(net.pre_activations(1), to_vector(net.activations(1))));
  for (std::size_t k = 0; k < y.size(); ++k)
    REQUIRE(same_bits(net.activations(1)[k], initlab::tanh::value(y[k])));
  const initlab::layer_moments before = net.moments(1);
  CHECK(same_bits(before.mean_y, before.mean_h));
  CHECK(same_bits(before.mean_y2, before.mean_h2));
  CHECK(same_bits(before.mean_h2, documented_sum_squares(net.activations(1)) / 30.0));
  CHECK(before.mean_dy2 == 0.0);
  CHECK(before.mean_dx2 == 0.0);

  // backward: the seed is ∂L/∂out of the activation layer (it has no activation inside).
  net.backward(seed);
  const initlab::layer_moments m = net.moments(1);
  CHECK(same_bits(m.mean_y, before.mean_y));
  CHECK(same_bits(m.mean_y, m.mean_h));
  CHECK(same_bits(m.mean_y2, m.mean_h2));
  CHECK(same_bits(net.pre_activation_gradients(1), seed));
  CHECK(same_bits(m.mean_dy2, documented_sum_squares(seed) / 30.0));
  std::vector<double> dx(seed.size());
  for (std::size_t k = 0; k < dx.size(); ++k)
    dx[k] = initlab::tanh::derivative(y[k]) * seed[k];
  CHECK(same_bits(net.input_gradients(1), dx));
  CHECK(same_bits(m.mean_dx2, documented_sum_squares(dx) / 30.0));
  // Identity dense layer: ∂L/∂y_0 = 1·∂L/∂out_0.
  CHECK(same_bits(net.pre_activation_gradients(0), dx));
  const auto dx0 = to_vector(net.input_gradients(0));
  // backward_from_output is the same thing here.
  net.backward_from_output(seed);
  CHECK(same_bits(net.moments(1), m));
  CHECK(same_bits(net.input_gradients(0), dx0));
  // Gradients: the activation layer has none; an SGD step moves only the dense layer.
  net.compute_weight_gradients();
  CHECK(net.weight_gradients(1).empty());
  CHECK(net.weight_gradients(0).size() == 24);
  net.sgd_step(0.1);

  // An activation layer first: it takes the width of the layer after it.
  using first_t = initlab::network<initlab::relu, initlab::dense<3, 2, initlab::he_normal>>;
  sampled_network f = sampled_network::of<first_t>();
  CHECK(f.shape_at(0) == shape{3, 1, 1});
  CHECK(f.shape_at(1) == shape{3, 1, 1});
  f.sample(initlab::stream(124));
  const auto xf = random_vector(3 * 2, 125);
  f.forward(xf, 2);
  for (std::size_t k = 0; k < xf.size(); ++k)
    CHECK(same_bits(f.activations(0)[k], initlab::relu::value(xf[k])));
  f.backward(random_vector(2 * 2, 126));
  for (std::size_t k = 0; k < xf.size(); ++k)
    CHECK(same_bits(f.input_gradients(0)[k],
                    initlab::relu::derivative(xf[k]) * f.input_gradients(1)[k]));
}

TEST_CASE("bad networks and calls are rejected", "[engine]") {
  CHECK(std::string_view(initlab::activation_name<test_relu>()) == "test_relu");
  CHECK(std::string_view(initlab::activation_name<test_identity>()) == "user-defined");
  CHECK(std::string_view(initlab::activation_name<initlab::relu>()) == "relu");
  CHECK(initlab::activation_pass<test_relu>().name() == "test_relu");
  CHECK(initlab::activation_pass<test_identity>().name() == "user-defined");
  CHECK(initlab::activation_pass<initlab::relu>().name() == "relu");
  CHECK(make_test_pass({3, 4, {}, test_act::smooth, {}})->name() == "dense");

  const test_layer relu34{3, 4, {}, test_act::relu, {}};
  // No layers, empty input, null layer, zero width.
  CHECK_THROWS_AS(sampled_network({3, 1, 1}, {}), std::invalid_argument);
  CHECK_THROWS_AS(sampled_network({0, 1, 1}, make_test_passes({relu34})), std::invalid_argument);
  {
    std::vector<initlab::pass_ptr<layer_pass>> passes;
    passes.push_back(nullptr);
    CHECK_THROWS_AS(sampled_network({3, 1, 1}, std::move(passes)), std::invalid_argument);
  }
  CHECK_THROWS_AS(make_test_pass({0, 4, {}, test_act::relu, {}}), std::invalid_argument);
  CHECK_THROWS_AS(make_test_pass({3, 0, {}, test_act::relu, {}}), std::invalid_argument);
  CHECK_THROWS_AS(initlab::serial_pass({}), std::invalid_argument);
  // Widths that do not chain: the message names the layer.
  CHECK_THROWS_AS(build({relu34, {5, 2, {}, test_act::relu, {}}}), std::invalid_argument);
  CHECK_THROWS_WITH(build({relu34, {5, 2, {}, test_act::relu, {}}}), Catch::Contains("layer 1"));
  CHECK_THROWS_WITH(sampled_network({4, 1, 1}, make_test_passes({relu34})),
                    Catch::Contains("layer 0"));
  using net_t = initlab::network<initlab::dense<5, 3, initlab::he_normal, initlab::relu>>;
  CHECK_THROWS_WITH(sampled_network::of<net_t>({6, 1, 1}), Catch::Contains("layer 0"));
  CHECK_NOTHROW(sampled_network::of<net_t>({5, 1, 1}));
  {
    // Inside a serial layer: both indices.
    std::vector<initlab::pass_ptr<layer_pass>> parts =
        make_test_passes({{4, 5, {}, test_act::relu, {}}, {4, 2, {}, test_act::relu, {}}});
    std::vector<initlab::pass_ptr<layer_pass>> passes = make_test_passes({relu34});
    passes.push_back(initlab::make_pass_ptr<initlab::serial_pass>(std::move(parts)));
    CHECK_THROWS_WITH(sampled_network({3, 1, 1}, std::move(passes)),
                      Catch::Contains("layer 1: layer 1"));
  }

  sampled_network net = build({relu34});
  const std::vector<double> x(3 * 2, 1.0);
  // Before any forward pass.
  CHECK(net.batch() == 0);
  CHECK_THROWS_AS(net.backward(std::vector<double>(8, 0.0)), std::logic_error);
  CHECK_THROWS_AS(net.backward_from_output(std::vector<double>(8, 0.0)), std::logic_error);
  CHECK_THROWS_AS(net.backward_squared_error(std::vector<double>(8, 0.0)), std::logic_error);
  CHECK_THROWS_AS(net.compute_weight_gradients(), std::logic_error);
  CHECK_THROWS_AS(net.sgd_step(0.1), std::logic_error);
  CHECK_THROWS_AS(net.layer(1), std::out_of_range);
  // Bad forward calls.
  CHECK_THROWS_AS(net.forward(x, 3), std::invalid_argument);
  CHECK_THROWS_AS(net.forward(x, 0), std::invalid_argument);
  net.forward(x, 2);
  // Bad backward calls; gradients need a backward pass, an SGD step needs gradients.
  CHECK_THROWS_AS(net.backward(std::vector<double>(7, 0.0)), std::invalid_argument);
  CHECK_THROWS_AS(net.backward_from_output(std::vector<double>(9, 0.0)), std::invalid_argument);
  CHECK_THROWS_AS(net.backward_squared_error(std::vector<double>(7, 0.0)), std::invalid_argument);
  CHECK_THROWS_AS(net.compute_weight_gradients(), std::logic_error);
  CHECK_THROWS_AS(net.sgd_step(0.1), std::logic_error);
  net.backward(std::vector<double>(8, 1.0));
  CHECK_THROWS_AS(net.sgd_step(0.1), std::logic_error);  // backward, but no gradients yet
  net.compute_weight_gradients();
  CHECK_NOTHROW(net.sgd_step(0.1));
  CHECK_THROWS_AS(net.sgd_step(0.1), std::logic_error);  // the gradients were used
  CHECK_THROWS_AS(net.compute_weight_gradients(), std::logic_error);
  // A new forward pass invalidates the backward pass.
  net.backward(std::vector<double>(8, 1.0));
  net.forward(x, 2);
  CHECK(!net.has_backward());
  CHECK_THROWS_AS(net.compute_weight_gradients(), std::logic_error);
  // A copy starts without passes of its own.
  net.backward(std::vector<double>(8, 1.0));
  sampled_network copy = net;
  CHECK(copy.batch() == 0);
  CHECK_THROWS_AS(copy.backward(std::vector<double>(8, 0.0)), std::logic_error);
  CHECK_THROWS_AS(copy.compute_weight_gradients(), std::logic_error);
  // Bad trials.
  initlab::trial_config bad;
  bad.batch = 0;
  CHECK_THROWS_AS((void)initlab::run_trial(net, bad, initlab::stream(1)), std::invalid_argument);
  bad.batch = 2;
  bad.input_variance = -1.0;
  CHECK_THROWS_AS((void)initlab::run_trial(net, bad, initlab::stream(1)), std::invalid_argument);
  bad.input_variance = 1.0;
  bad.gradient_variance = std::nan("");
  CHECK_THROWS_AS((void)initlab::run_trial(net, bad, initlab::stream(1)), std::invalid_argument);
  CHECK_THROWS_AS((void)initlab::simulate(net, initlab::trial_config{}, 4, 0, initlab::stream(1)),
                  std::invalid_argument);
}

// A serial_pass as the top layer exposes its last part's pre-activation, so the seed of
// sampled_network::backward enters where pre_activations() / pre_activation_gradients() say.
TEST_CASE("a serial top layer: backward's seed enters where pre_activations says",
          "[engine][layers]") {
  using inner = initlab::serial<initlab::dense<3, 4, initlab::he_normal, initlab::relu>,
                                initlab::dense<4, 2, initlab::he_normal, initlab::tanh>>;
  std::vector<initlab::pass_ptr<layer_pass>> passes;
  passes.push_back(inner::make_pass());
  sampled_network composite({3, 1, 1}, std::move(passes));
  sampled_network flat = sampled_network::of<inner>();
  flat.sample(initlab::stream(131));
  auto& sp = dynamic_cast<initlab::serial_pass&>(composite.layer(0));
  for (std::size_t k = 0; k < 2; ++k)
    std::copy(flat.weights(k).begin(), flat.weights(k).end(), sp.part(k).weights().begin());
  const auto x = random_vector(3 * 2, 132);
  const auto dy = random_vector(2 * 2, 133);
  composite.forward(x, 2);
  flat.forward(x, 2);
  flat.backward(dy);
  composite.backward(dy);
  const auto dx_seed = to_vector(composite.input_gradients(0));
  const initlab::layer_moments m = composite.moments(0);
  composite.backward_from_output(dy);
  // (A): y, out and ∂L/∂y of the top layer are the last part's (∂L/∂x differs: other inputs).
  const initlab::layer_moments mf = flat.moments(1);
  const bool fix_a = same_bits(composite.pre_activations(0), to_vector(flat.pre_activations(1))) &&
                     same_bits(m.mean_y, mf.mean_y) && same_bits(m.mean_y2, mf.mean_y2) &&
                     same_bits(m.mean_h2, mf.mean_h2) && same_bits(m.mean_dy2, mf.mean_dy2);
  // (B): the seed is ∂L/∂out, as for any layer without a pre-activation (residual_pass does so).
  const bool fix_b = same_bits(composite.input_gradients(0), dx_seed);
  INFO("composite mean_y2 " << m.mean_y2 << " mean_h2 " << m.mean_h2 << " mean_dy2 " << m.mean_dy2
                            << "; flat mean_y2 " << mf.mean_y2);
  CHECK((fix_a || fix_b));
}
