// Softmax cross-entropy (softmax_cross_entropy.hpp), the engine's cross-entropy backward pass,
// batches (dataset.hpp) and SGD with momentum (training.hpp).
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <initlab/dataset.hpp>
#include <initlab/initlab.hpp>
#include <initlab/softmax_cross_entropy.hpp>
#include <initlab/training.hpp>
#include <numeric>
#include <vector>

using namespace initlab;

namespace {

/// A small labelled set: n samples of `features` bytes from a stream, labels i mod classes.
labelled_images toy_data(std::size_t n, std::size_t features, std::size_t classes) {
  labelled_images d{n, features, classes, std::vector<std::uint8_t>(n * features),
                    std::vector<std::uint8_t>(n)};
  const stream s(42);
  for (std::size_t i = 0; i < d.pixels.size(); ++i)
    d.pixels[i] = static_cast<std::uint8_t>(s.word(i) % 256);
  for (std::size_t i = 0; i < n; ++i)
    d.labels[i] = static_cast<std::uint8_t>(i % classes);
  return d;
}

using toy_net = network<dense<12, 8, lecun_normal, initlab::tanh>, dense<8, 4, lecun_normal>>;

}  // namespace

TEST_CASE("softmax cross-entropy at zero logits is log K exactly, gradient 1/K - e_y") {
  constexpr std::size_t k = 10, b = 3;
  const std::vector<double> z(k * b, 0.0);
  const std::vector<std::uint8_t> y{0, 4, 9};
  std::vector<double> loss(b), grad(k * b);
  const std::size_t correct = softmax_cross_entropy(z, k, b, y, loss, grad);
  CHECK(correct == 1);  // ties pick class 0
  for (const double l : loss)
    CHECK(l == uniform_cross_entropy(k));
  CHECK(uniform_cross_entropy(k) == math::log(10.0));
  CHECK(std::abs(uniform_cross_entropy(k) - std::log(10.0)) < 1e-15);
  for (std::size_t c = 0; c < k; ++c)
    for (std::size_t s = 0; s < b; ++s)
      CHECK(grad[c * b + s] == (c == y[s] ? 0.1 - 1.0 : 0.1));
}

TEST_CASE("softmax cross-entropy matches its definition and finite differences") {
  constexpr std::size_t k = 5, b = 2;
  std::vector<double> z{0.3, -1.2, 2.0, 0.5, -0.7, 40.0, 1.1, 0.0, -3.0, 39.0};  // k × b
  const std::vector<std::uint8_t> y{2, 0};
  std::vector<double> loss(b), grad(k * b);
  (void)softmax_cross_entropy(z, k, b, y, loss, grad);
  for (std::size_t s = 0; s < b; ++s) {
    double sum = 0.0;
    for (std::size_t c = 0; c < k; ++c)
      sum += std::exp(z[c * b + s]);
    CHECK(loss[s] == Approx(std::log(sum) - z[y[s] * b + s]).epsilon(1e-13));
    for (std::size_t c = 0; c < k; ++c) {
      std::vector<double> zp = z, zm = z, lp(b), lm(b);
      const double h = 1e-6;
      zp[c * b + s] += h;
      zm[c * b + s] -= h;
      (void)softmax_cross_entropy(zp, k, b, y, lp);
      (void)softmax_cross_entropy(zm, k, b, y, lm);
      CHECK(grad[c * b + s] == Approx((lp[s] - lm[s]) / (2 * h)).margin(1e-8));
    }
  }
  std::vector<std::uint8_t> bad{2, 5};
  CHECK_THROWS_AS(softmax_cross_entropy(z, k, b, bad, loss), std::invalid_argument);
}

TEST_CASE("backward_cross_entropy: weight gradients match finite differences of the loss") {
  const labelled_images data = toy_data(6, 12, 4);
  sampled_network net = sampled_network::of<toy_net>();
  net.sample(stream(7));
  std::vector<std::uint32_t> idx{0, 1, 2, 3, 4, 5};
  batch_buffers buf;
  gather_batch(data, idx, buf.x, buf.y);
  auto loss_at = [&](sampled_network& n) {
    n.forward(buf.x, idx.size());
    return n.backward_cross_entropy(buf.y);
  };
  (void)loss_at(net);
  net.compute_weight_gradients();
  for (std::size_t l = 0; l < net.depth(); ++l) {
    const std::vector<double> g(net.weight_gradients(l).begin(), net.weight_gradients(l).end());
    for (const std::size_t e : {std::size_t{0}, std::size_t{5}, g.size() - 1}) {
      sampled_network p(net), m(net);
      const double h = 1e-6;
      p.weights(l)[e] += h;
      m.weights(l)[e] -= h;
      CHECK(g[e] == Approx((loss_at(p) - loss_at(m)) / (2 * h)).margin(1e-8));
    }
  }
}

TEST_CASE("gather_batch lays a batch out feature-major, scaled by 1/255") {
  const labelled_images data = toy_data(5, 3, 2);
  std::vector<std::uint32_t> idx{4, 1};
  std::vector<double> x;
  std::vector<std::uint8_t> y;
  gather_batch(data, idx, x, y);
  REQUIRE(x.size() == 6);
  for (std::size_t f = 0; f < 3; ++f) {
    CHECK(x[f * 2 + 0] == static_cast<double>(data.pixels[4 * 3 + f]) / 255.0);
    CHECK(x[f * 2 + 1] == static_cast<double>(data.pixels[1 * 3 + f]) / 255.0);
  }
  CHECK(y == std::vector<std::uint8_t>{0, 1});
  std::vector<std::uint32_t> out_of_range{5};
  CHECK_THROWS_AS(gather_batch(data, out_of_range, x, y), std::out_of_range);
}

TEST_CASE("shuffled_order is a permutation that depends only on its stream") {
  const auto a = shuffled_order(1000, stream(1).child(3));
  const auto b = shuffled_order(1000, stream(1).child(3));
  const auto c = shuffled_order(1000, stream(1).child(4));
  CHECK(a == b);
  CHECK(a != c);
  std::vector<std::uint32_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::uint32_t> iota(1000);
  std::iota(iota.begin(), iota.end(), 0u);
  CHECK(sorted == iota);
  // A prefix is the beginning of the whole permutation.
  const auto p = shuffled_order(1000, stream(1).child(3), 64);
  REQUIRE(p.size() == 64);
  CHECK(std::equal(p.begin(), p.end(), a.begin()));
  CHECK(shuffled_order(10, stream(1), 99).size() == 10);
  // Position of element 0 over many permutations of 4: roughly uniform (each ~1/4).
  std::array<int, 4> where{};
  for (std::uint64_t t = 0; t < 4000; ++t) {
    const auto p = shuffled_order(4, stream(9).child(t));
    ++where[static_cast<std::size_t>(std::find(p.begin(), p.end(), 0u) - p.begin())];
  }
  for (const int w : where)
    CHECK(std::abs(w - 1000) < 120);  // ~3.9 standard deviations
}

TEST_CASE("sgd_optimizer: momentum 0 is the engine's sgd_step, momentum accumulates") {
  const labelled_images data = toy_data(8, 12, 4);
  std::vector<std::uint32_t> idx{0, 1, 2, 3};
  sampled_network a = sampled_network::of<toy_net>();
  a.sample(stream(3));
  sampled_network b(a), c(a);
  sgd_optimizer plain({.learning_rate = 0.1, .momentum = 0.0, .batch = 4});
  batch_buffers buf;
  (void)train_batch(a, data, idx, plain, buf);
  // b by hand through the engine
  gather_batch(data, idx, buf.x, buf.y);
  b.forward(buf.x, 4);
  (void)b.backward_cross_entropy(buf.y);
  b.compute_weight_gradients();
  b.sgd_step(0.1);
  for (std::size_t l = 0; l < a.depth(); ++l)
    CHECK(std::equal(a.weights(l).begin(), a.weights(l).end(), b.weights(l).begin()));
  // momentum 0.9 over two steps: w2 = w1 − η(0.9 g1 + g2), w1 = w0 − η g1
  sgd_optimizer heavy({.learning_rate = 0.1, .momentum = 0.9, .batch = 4});
  const std::vector<double> w0(c.weights(0).begin(), c.weights(0).end());
  (void)train_batch(c, data, idx, heavy, buf);
  const std::vector<double> w1(c.weights(0).begin(), c.weights(0).end());
  sampled_network probe(c);
  gather_batch(data, idx, buf.x, buf.y);
  probe.forward(buf.x, 4);
  (void)probe.backward_cross_entropy(buf.y);
  probe.compute_weight_gradients();
  const std::vector<double> g2(probe.weight_gradients(0).begin(), probe.weight_gradients(0).end());
  (void)train_batch(c, data, idx, heavy, buf);
  for (std::size_t e = 0; e < w0.size(); ++e) {
    const double g1 = (w0[e] - w1[e]) / 0.1;
    CHECK(c.weights(0)[e] == Approx(w1[e] - 0.1 * (0.9 * g1 + g2[e])).margin(1e-12));
  }
  CHECK_THROWS_AS(sgd_optimizer({.learning_rate = 0.1, .momentum = 1.0, .batch = 4}),
                  std::invalid_argument);
}

TEST_CASE("evaluate: an all-zero network scores the share of class 0 and loss log K") {
  using zero_net = network<dense<12, 8, zeros, relu>, dense<8, 4, zeros>>;
  const labelled_images data = toy_data(10, 12, 4);  // labels 0,1,2,3,0,1,...: 3 of class 0
  sampled_network net = sampled_network::of<zero_net>();
  net.sample(stream(1));
  const evaluation e = evaluate(net, data, 4);
  CHECK(e.count == 10);
  CHECK(e.correct == 3);
  CHECK(e.accuracy == 0.3);
  CHECK(e.loss == Approx(uniform_cross_entropy(4)).epsilon(1e-15));
}

TEST_CASE("labelled_images: head and balanced_head are fixed subsets") {
  const labelled_images data = toy_data(12, 3, 4);  // labels 0,1,2,3,0,1,2,3,...
  const labelled_images h = data.head(5);
  CHECK(h.count == 5);
  CHECK(h.labels == std::vector<std::uint8_t>{0, 1, 2, 3, 0});
  CHECK(std::equal(h.pixels.begin(), h.pixels.end(), data.pixels.begin()));
  const labelled_images b = data.balanced_head(2);
  CHECK(b.count == 8);
  CHECK(b.class_counts() == std::vector<std::size_t>{2, 2, 2, 2});
  CHECK(std::equal(b.sample(7).begin(), b.sample(7).end(), data.sample(7).begin()));
  CHECK_THROWS_AS(data.balanced_head(4), std::invalid_argument);
  // head(13) throws before it copies; inlined here with n = 13, GCC 12 at -O3 still warns
  // (-Warray-bounds) about the copy past the 12 samples on the path it cannot take, so the call
  // with a too-large n stays out of line.
  const auto head_of = [&data](std::size_t n) __attribute__((noinline)) { return data.head(n); };
  CHECK_THROWS_AS(head_of(13), std::invalid_argument);
}
