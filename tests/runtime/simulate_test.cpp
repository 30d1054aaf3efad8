// Tests of the Monte Carlo engine (simulate.hpp, detail/kernels.hpp): kernels against a naive
// sequential sum (0 ulps: the order is part of the contract), forward/backward against an
// independent naive implementation (0 ulps) and against finite differences, bit-identity across
// thread counts, trial orders, batch paths and instruction sets, and Monte Carlo smoke checks of
// Var[y_1] = D·σ²·q0 and Var[∂L/∂x_1] = D̂·σ²·g.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initlab/activation.hpp>
#include <initlab/init.hpp>
#include <initlab/network.hpp>
#include <initlab/simulate.hpp>
#include <vector>

namespace {

using initlab::law_kind;
using initlab::weight_law;

// Test activations with the engine's interface (static value/derivative). Kept local so these
// tests exercise the engine alone; they use only exact arithmetic or a rational function.
struct test_relu {
  static constexpr double value(double x) { return x > 0.0 ? x : 0.0; }
  static constexpr double derivative(double x) { return x > 0.0 ? 1.0 : 0.0; }
  static constexpr const char* name() { return "test_relu"; }
};
struct test_identity {
  static constexpr double value(double x) { return x; }
  static constexpr double derivative(double) { return 1.0; }
};
// A smooth saturating function (x / (1 + |x|)... made smooth: x / sqrt(1 + x²) would need sqrt;
// a rational softsign-like x / (1 + x²/3) is smooth and cheap; φ' = (1 − x²/3)/(1 + x²/3)².
struct test_smooth {
  static constexpr double value(double x) { return x / (1.0 + x * x / 3.0); }
  static constexpr double derivative(double x) {
    const double d = 1.0 + x * x / 3.0;
    return (1.0 - x * x / 3.0) / (d * d);
  }
  static constexpr const char* name() { return "test_smooth"; }
};

std::vector<double> random_vector(std::size_t n, std::uint64_t seed, double sd = 1.0) {
  std::vector<double> v(n);
  initlab::fill_normal(initlab::stream(seed), std::span<double>(v), 0.0, sd);
  return v;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}
bool same_bits(std::span<const double> a, std::span<const double> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

bool same_bits(const initlab::trial_statistics& a, const initlab::trial_statistics& b) {
  if (std::memcmp(&a.mean_x2, &b.mean_x2, sizeof(double)) != 0) return false;
  if (std::memcmp(&a.loss, &b.loss, sizeof(double)) != 0) return false;
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

std::vector<initlab::layer_spec> mixed_specs(bool with_bias) {
  using initlab::runtime_activation;
  std::vector<initlab::layer_spec> s = {
      {5, 7, {law_kind::normal, 0.6}, runtime_activation::of<test_smooth>(), {}},
      {7, 4, {law_kind::uniform, 0.9}, runtime_activation::of<test_relu>(), {}},
      {4, 3, {law_kind::normal, 0.5}, runtime_activation::of<test_smooth>(), {}},
  };
  if (with_bias)
    for (auto& l : s)
      l.bias = weight_law{law_kind::normal, 0.3};
  return s;
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

TEST_CASE("a hand-checkable network: values computed by hand", "[simulate]") {
  using initlab::runtime_activation;
  // 2 -> 2 (ReLU) -> 1 (identity), W1 = [[1, -2], [0.5, 1]], W2 = [[3, -1]], x = (1, 1).
  initlab::sampled_network net({{2, 2, {}, runtime_activation::of<test_relu>(), {}},
                                {2, 1, {}, runtime_activation::of<test_identity>(), {}}});
  const double w1[] = {1.0, -2.0, 0.5, 1.0};
  std::copy(std::begin(w1), std::end(w1), net.weights(0).begin());
  net.weights(1)[0] = 3.0;
  net.weights(1)[1] = -1.0;
  const std::vector<double> x = {1.0, 1.0};
  net.forward(x, 1);
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
  // SGD with lr 0.25: W2 = (3, −1 + 0.75), W1 row 1 = (0.5 − 0.5, 1 − 0.5).
  net.sgd_step(0.25);
  CHECK(net.weights(1)[0] == 3.0);
  CHECK(net.weights(1)[1] == -0.25);
  CHECK(net.weights(0)[2] == 0.0);
  CHECK(net.weights(0)[3] == 0.5);
  // After the step y1 = (1 − 2, 0 + 0.5) = (−1, 0.5): mean over the 2 units of y1² = 0.625.
  net.forward(x, 1);
  CHECK(net.pre_activations(0)[1] == 0.5);
  CHECK(net.moments(0).mean_y2 == 0.625);
  CHECK(net.moments(0).mean_h2 == 0.125);
}

TEST_CASE("forward and backward equal an independent naive implementation, 0 ulps", "[simulate]") {
  for (bool with_bias : {false, true})
    for (std::size_t batch : {1u, 3u, 16u, 21u}) {
      const auto specs = mixed_specs(with_bias);
      initlab::sampled_network net(specs);
      net.sample(initlab::stream(11));
      const auto x = random_vector(5 * batch, 12);
      const auto target = random_vector(3 * batch, 13);
      net.forward(x, batch);
      const double loss = net.backward_squared_error(target);
      net.compute_weight_gradients();

      // Naive: per sample b, loops in the documented order.
      const std::size_t n = specs.size();
      std::vector<std::vector<double>> h(n + 1), y(n), dy(n), dx(n), dw(n), db(n);
      h[0] = x;
      for (std::size_t l = 0; l < n; ++l) {
        const auto& s = specs[l];
        const auto w = net.weights(l);
        y[l].assign(s.fan_out * batch, 0.0);
        h[l + 1].assign(s.fan_out * batch, 0.0);
        for (std::size_t i = 0; i < s.fan_out; ++i)
          for (std::size_t b = 0; b < batch; ++b) {
            double acc = 0.0;
            for (std::size_t j = 0; j < s.fan_in; ++j)
              acc = acc + w[i * s.fan_in + j] * h[l][j * batch + b];
            if (with_bias) acc = acc + net.bias(l)[i];
            y[l][i * batch + b] = acc;
            h[l + 1][i * batch + b] = s.activation.value(acc);
          }
      }
      for (std::size_t l = n; l-- > 0;) {
        const auto& s = specs[l];
        const auto w = net.weights(l);
        dy[l].assign(s.fan_out * batch, 0.0);
        for (std::size_t k = 0; k < dy[l].size(); ++k)
          dy[l][k] = l + 1 == n ? s.activation.derivative(y[l][k]) * (h[n][k] - target[k])
                                : s.activation.derivative(y[l][k]) * dx[l + 1][k];
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
      }
      INFO("bias " << with_bias << " batch " << batch);
      for (std::size_t l = 0; l < n; ++l) {
        INFO("layer " << l);
        CHECK(same_bits(net.pre_activations(l), y[l]));
        CHECK(same_bits(net.activations(l), h[l + 1]));
        CHECK(same_bits(net.pre_activation_gradients(l), dy[l]));
        CHECK(same_bits(net.input_gradients(l), dx[l]));
        CHECK(same_bits(net.weight_gradients(l), dw[l]));
      }
      double naive_loss = 0.0;
      for (std::size_t k = 0; k < target.size(); ++k)
        naive_loss += 0.5 * (h[n][k] - target[k]) * (h[n][k] - target[k]);
      naive_loss /= static_cast<double>(batch);
      CHECK(std::abs(loss - naive_loss) <= 1e-14 * naive_loss);  // summation orders differ
    }
}

TEST_CASE("gradients agree with central finite differences of the loss", "[simulate]") {
  // Relative error ≤ 1e-6: central differences with step 1e-5 on a smooth loss have truncation
  // error O(h²) ≈ 1e-10 and rounding error ≈ 1e-16/h ≈ 1e-11, relative to gradients of O(0.1).
  auto specs = mixed_specs(true);
  for (auto& s : specs)
    s.activation = initlab::runtime_activation::of<test_smooth>();
  const std::size_t batch = 3;
  initlab::sampled_network net(specs);
  net.sample(initlab::stream(21));
  const auto x = random_vector(5 * batch, 22);
  const auto target = random_vector(3 * batch, 23);
  net.forward(x, batch);
  net.backward_squared_error(target);
  net.compute_weight_gradients();
  auto loss_at = [&](initlab::sampled_network& m, const std::vector<double>& input) {
    m.forward(input, batch);
    return m.backward_squared_error(target);
  };
  const double h = 1e-5;
  double worst = 0.0;
  for (std::size_t l = 0; l < specs.size(); ++l) {
    const std::vector<double> grad(net.weight_gradients(l).begin(), net.weight_gradients(l).end());
    const std::vector<double> gbias(net.bias_gradients(l).begin(), net.bias_gradients(l).end());
    for (std::size_t k = 0; k < grad.size(); ++k) {
      initlab::sampled_network m = net;
      const double w0 = m.weights(l)[k];
      m.weights(l)[k] = w0 + h;
      const double up = loss_at(m, x);
      m.weights(l)[k] = w0 - h;
      const double down = loss_at(m, x);
      const double fd = (up - down) / (2.0 * h);
      worst = std::max(worst, std::abs(fd - grad[k]) / std::max(1e-3, std::abs(grad[k])));
    }
    for (std::size_t k = 0; k < gbias.size(); ++k) {
      initlab::sampled_network m = net;
      const double b0 = m.bias(l)[k];
      m.bias(l)[k] = b0 + h;
      const double up = loss_at(m, x);
      m.bias(l)[k] = b0 - h;
      const double down = loss_at(m, x);
      const double fd = (up - down) / (2.0 * h);
      worst = std::max(worst, std::abs(fd - gbias[k]) / std::max(1e-3, std::abs(gbias[k])));
    }
  }
  // Input gradients: L is a mean over the batch, input_gradients are per sample, so
  // ∂L/∂x(j, b) = input_gradients(0)(j, b) / B.
  const std::vector<double> gx(net.input_gradients(0).begin(), net.input_gradients(0).end());
  for (std::size_t k = 0; k < x.size(); ++k) {
    initlab::sampled_network m = net;
    auto xp = x;
    xp[k] = x[k] + h;
    const double up = loss_at(m, xp);
    xp[k] = x[k] - h;
    const double down = loss_at(m, xp);
    const double fd = (up - down) / (2.0 * h);
    const double g = gx[k] / static_cast<double>(batch);
    worst = std::max(worst, std::abs(fd - g) / std::max(1e-3, std::abs(g)));
  }
  CHECK(worst < 1e-6);
}

TEST_CASE("narrow and wide batches give each sample the same bits", "[simulate]") {
  // Batches that are not a multiple of detail::wide_batch go through a transposed matrix and
  // row tiles; the per-output order is the same, so each column must match bit for bit.
  const auto specs = mixed_specs(true);
  initlab::sampled_network wide(specs), narrow(specs);
  wide.sample(initlab::stream(31));
  narrow.sample(initlab::stream(31));
  const std::size_t batch = 32;
  const auto x = random_vector(5 * batch, 32);
  const auto dy = random_vector(3 * batch, 33);
  wide.forward(x, batch);
  wide.backward(dy);
  for (std::size_t b = 0; b < batch; ++b) {
    std::vector<double> xb(5), dyb(3);
    for (std::size_t j = 0; j < 5; ++j)
      xb[j] = x[j * batch + b];
    for (std::size_t i = 0; i < 3; ++i)
      dyb[i] = dy[i * batch + b];
    narrow.forward(xb, 1);
    narrow.backward(dyb);
    for (std::size_t l = 0; l < specs.size(); ++l) {
      const auto y_w = wide.pre_activations(l);
      const auto dx_w = wide.input_gradients(l);
      for (std::size_t i = 0; i < specs[l].fan_out; ++i)
        REQUIRE(std::memcmp(&y_w[i * batch + b], &narrow.pre_activations(l)[i], 8) == 0);
      for (std::size_t j = 0; j < specs[l].fan_in; ++j)
        REQUIRE(std::memcmp(&dx_w[j * batch + b], &narrow.input_gradients(l)[j], 8) == 0);
    }
  }
}

TEST_CASE("results do not depend on thread count, trial order or buffer reuse", "[simulate]") {
  const std::vector<initlab::layer_spec> specs = {
      {24, 40, {law_kind::normal, 0.2}, initlab::runtime_activation::of<test_relu>(), {}},
      {40, 17, {law_kind::uniform, 0.3}, initlab::runtime_activation::of<test_smooth>(), {}},
      {17,
       9,
       {law_kind::truncated_normal, 0.3},
       initlab::runtime_activation::of<test_relu>(),
       weight_law{law_kind::normal, 0.1}}};
  for (auto seed : {initlab::gradient_seed::gaussian, initlab::gradient_seed::squared_error}) {
    initlab::trial_config config;
    config.batch = 5;
    config.input_variance = 1.5;
    config.seed = seed;
    const initlab::stream base = initlab::stream(41).child(3);
    const std::size_t trials = 37;  // not a multiple of the chunk size
    const auto one = initlab::simulate(specs, config, trials, 1, base);
    const auto two = initlab::simulate(specs, config, trials, 2, base);
    const auto five = initlab::simulate(specs, config, trials, 5, base);
    REQUIRE(one.size() == trials);
    for (std::size_t t = 0; t < trials; ++t) {
      INFO("trial " << t);
      CHECK(same_bits(one[t], two[t]));
      CHECK(same_bits(one[t], five[t]));
    }
    // Reverse order on one reused network, after a run with a different batch size.
    initlab::sampled_network net(specs);
    initlab::trial_config other = config;
    other.batch = 16;
    (void)initlab::run_trial(net, other, base.child(1000));
    for (std::size_t t = trials; t-- > 0;) {
      INFO("trial " << t);
      CHECK(same_bits(initlab::run_trial(net, config, base.child(t)), one[t]));
    }
    // A fresh network for a single trial.
    initlab::sampled_network fresh(specs);
    CHECK(same_bits(initlab::run_trial(fresh, config, base.child(20)), one[20]));
    // Different trials differ (the streams are really keyed by the trial index).
    CHECK(!same_bits(one[0], one[1]));
  }
}

TEST_CASE("Monte Carlo smoke check: Var[y_1] = D·σ²·q0 and Var[dL/dx_1] = D̂·σ²·g", "[simulate]") {
  // One layer, D = 64 → D̂ = 32, σ = 0.15, q0 = 2, g = 0.5: Var[y] = 64·0.0225·2 = 2.88,
  // Var[∂L/∂x] = 32·0.0225·0.5 = 0.36. 4000 trials of a batch of 4; the estimate is the mean over
  // trials. Tolerance: 4.5 standard errors of that mean (a false failure has probability ≈ 7e-6
  // per check; the seed is fixed, so the test is deterministic), and the standard error itself
  // must be below 1% of the analytic value, so a 5% error in the engine could not pass.
  const double sigma = 0.15, q0 = 2.0, g = 0.5;
  const std::vector<initlab::layer_spec> specs = {
      {64, 32, {law_kind::normal, sigma}, initlab::runtime_activation::of<test_relu>(), {}}};
  initlab::trial_config config;
  config.batch = 4;
  config.input_variance = q0;
  config.gradient_variance = g;
  const std::size_t trials = 4000;
  const auto r = initlab::simulate(specs, config, trials, 2, initlab::stream(51));
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
  check_mean([](const initlab::trial_statistics& t) { return t.mean_x2; }, q0);
}

TEST_CASE("zero weights give zero gradients for ReLU hidden layers", "[simulate]") {
  // Study 01's mechanism: with W = 0 every y is 0, φ'_relu(0) = 0 blocks the backward pass.
  const std::vector<initlab::layer_spec> specs = {
      {6, 5, {law_kind::constant, 0.0}, initlab::runtime_activation::of<test_relu>(), {}},
      {5, 2, {law_kind::constant, 0.0}, initlab::runtime_activation::of<test_identity>(), {}}};
  initlab::sampled_network net(specs);
  net.sample(initlab::stream(61));
  const auto x = random_vector(6 * 4, 62);
  const auto t = random_vector(2 * 4, 63);
  const double loss = net.train_step(x, 4, t, 0.1);
  CHECK(loss > 0.0);
  for (std::size_t l = 0; l < 2; ++l)
    for (double w : net.weights(l))
      CHECK(w == 0.0);
}

TEST_CASE("bad networks and calls are rejected", "[simulate]") {
  using initlab::runtime_activation;
  const auto relu = runtime_activation::of<test_relu>();
  CHECK(runtime_activation::of<test_relu>().name == "test_relu");
  CHECK(runtime_activation::of<test_identity>().name == "user-defined");
  CHECK(runtime_activation::of<initlab::relu>().name == "relu");
  CHECK_THROWS_AS(initlab::sampled_network({}), std::invalid_argument);
  CHECK_THROWS_AS(initlab::sampled_network({{3, 4, {}, relu, {}}, {5, 2, {}, relu, {}}}),
                  std::invalid_argument);
  CHECK_THROWS_AS(initlab::sampled_network({{0, 4, {}, relu, {}}}), std::invalid_argument);
  CHECK_THROWS_AS(initlab::sampled_network({{3, 4, {}, {}, {}}}), std::invalid_argument);
  initlab::sampled_network net({{3, 4, {}, relu, {}}});
  const std::vector<double> x(3 * 2, 1.0);
  CHECK_THROWS_AS(net.backward(std::vector<double>(8, 0.0)), std::logic_error);
  CHECK_THROWS_AS(net.forward(x, 3), std::invalid_argument);
  CHECK_THROWS_AS(net.forward(x, 0), std::invalid_argument);
  net.forward(x, 2);
  CHECK_THROWS_AS(net.backward(std::vector<double>(7, 0.0)), std::invalid_argument);
  CHECK_THROWS_AS(net.compute_weight_gradients(), std::logic_error);
  CHECK_THROWS_AS(net.sgd_step(0.1), std::logic_error);
}

TEST_CASE("layer_specs reads the compile-time descriptors", "[simulate]") {
  using net = initlab::network<initlab::dense<8, 6, initlab::he_normal, initlab::relu>,
                               initlab::dense<6, 3, initlab::xavier_uniform, initlab::tanh>>;
  const auto specs = initlab::layer_specs<net>();
  REQUIRE(specs.size() == 2);
  CHECK(specs[0].fan_in == 8);
  CHECK(specs[0].fan_out == 6);
  CHECK(specs[0].law == initlab::he_normal::law(8, 6));
  CHECK(specs[1].law == initlab::xavier_uniform::law(6, 3));
  CHECK(specs[0].activation.name == "relu");
  CHECK(specs[1].activation.name == "tanh");
  CHECK(!specs[0].bias.has_value());
  // The wrapped functions are the activation's own (same bits).
  for (double x : {-2.5, -0.1, 0.0, 0.3, 4.0}) {
    CHECK(specs[1].activation.value(x) == initlab::tanh::value(x));
    CHECK(specs[1].activation.derivative(x) == initlab::tanh::derivative(x));
  }
  // Sampling uses the library sampler with the layer's law, keyed weights → layer.
  initlab::sampled_network sampled(specs);
  const initlab::stream s(71);
  sampled.sample(s);
  std::vector<double> expected(6 * 3);
  initlab::fill(s.child(initlab::stream_key::weights).child(1), std::span<double>(expected),
                initlab::xavier_uniform::law(6, 3));
  CHECK(same_bits(sampled.weights(1), std::span<const double>(expected)));
}
