// pool.hpp at run time: flatten and global average pooling against naive implementations (0 ulps:
// same summation order), central finite differences of L = Σ c·out, shape checks, clone
// independence, flatten into a dense head, and a Monte Carlo confirmation of the pooling map
// E[z²] = cross + (q − cross)/P when pixels of a sample correlate like two inputs.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <initlab/dense.hpp>
#include <initlab/init.hpp>
#include <initlab/layer.hpp>
#include <initlab/pool.hpp>
#include <initlab/random.hpp>
#include <initlab/sampler.hpp>
#include <initlab/serial.hpp>
#include <initlab/signal.hpp>
#include <memory>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

namespace {

using initlab::shape;
using initlab::stream;

std::vector<double> normal_values(const stream& s, std::size_t n, double stddev = 1.0) {
  std::vector<double> v(n);
  initlab::fill_normal(s, std::span<double>(v), 0.0, stddev);
  return v;
}

std::size_t mismatches(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    n += a[i] != b[i] ? 1 : 0;
  return n;
}

// Naive pooling from the layout of layer.hpp: x(c, i, j, b) at ((c·H + i)·W + j)·B + b; the
// pixels of (c, b) summed row by row, column by column, from +0.0, then divided by H·W.
std::vector<double> naive_pool(const std::vector<double>& x, shape s, std::size_t batch) {
  std::vector<double> z(s.channels * batch);
  const double p = static_cast<double>(s.height * s.width);
  for (std::size_t c = 0; c < s.channels; ++c)
    for (std::size_t b = 0; b < batch; ++b) {
      double acc = 0.0;
      for (std::size_t i = 0; i < s.height; ++i)
        for (std::size_t j = 0; j < s.width; ++j)
          acc = acc + x[((c * s.height + i) * s.width + j) * batch + b];
      z[c * batch + b] = acc / p;
    }
  return z;
}

std::vector<double> naive_pool_backward(const std::vector<double>& dz, shape s, std::size_t batch) {
  std::vector<double> dx(s.size() * batch);
  const double p = static_cast<double>(s.height * s.width);
  for (std::size_t c = 0; c < s.channels; ++c)
    for (std::size_t i = 0; i < s.height; ++i)
      for (std::size_t j = 0; j < s.width; ++j)
        for (std::size_t b = 0; b < batch; ++b)
          dx[((c * s.height + i) * s.width + j) * batch + b] = dz[c * batch + b] / p;
  return dx;
}

TEST_CASE("flatten: exact shape check, copies forward and backward", "[pool]") {
  using flat = initlab::flatten<3, 4, 5>;
  auto pass = flat::make_pass();
  REQUIRE(pass->name() == "flatten");
  CHECK_THROWS_AS(pass->bind({4, 3, 5}), std::invalid_argument);  // same size, other layout
  CHECK_THROWS_AS(pass->bind({60, 1, 1}), std::invalid_argument);
  CHECK_THROWS_WITH(pass->bind({3, 5, 4}), Catch::Contains("{3, 4, 5}"));
  REQUIRE(pass->bind({3, 4, 5}) == shape{60, 1, 1});
  constexpr std::size_t batch = 7;
  const auto x = normal_values(stream(1), 60 * batch);
  const auto dout = normal_values(stream(2), 60 * batch);
  std::vector<double> out(x.size()), dx(x.size());
  pass->forward(x.data(), out.data(), batch);
  pass->backward(dout.data(), dx.data());
  CHECK(mismatches(out, x) == 0);
  CHECK(mismatches(dx, dout) == 0);
  auto copy = pass->clone();
  std::vector<double> out2(x.size());
  copy->forward(dout.data(), out2.data(), batch);
  CHECK(mismatches(out2, dout) == 0);
}

TEST_CASE("flatten feeds a dense head: the same bits as the dense layer on the raw image",
          "[pool]") {
  using head = initlab::dense<32, 10, initlab::glorot_normal>;
  using net = initlab::network<initlab::flatten<2, 4, 4>, head>;
  static_assert(net::input_width == 2 && net::output_width == 10);
  auto chain = net::make_pass();
  REQUIRE(chain->bind({2, 4, 4}) == shape{10, 1, 1});
  CHECK_THROWS_AS(net::make_pass()->bind({32, 1, 1}), std::invalid_argument);
  auto alone = head::make_pass();
  REQUIRE(alone->bind({32, 1, 1}) == shape{10, 1, 1});
  // The serial gives the dense layer (part 1) weights.child(1).
  const stream w(3);
  chain->sample(w, stream(4), initlab::bulk_sampler{});
  alone->sample(w.child(1), stream(4).child(1), initlab::bulk_sampler{});
  for (std::size_t batch : {std::size_t{3}, std::size_t{16}}) {
    const auto x = normal_values(stream(5), 32 * batch);
    const auto dout = normal_values(stream(6), 10 * batch);
    std::vector<double> a(10 * batch), b(10 * batch), da(32 * batch), db(32 * batch);
    chain->forward(x.data(), a.data(), batch);
    alone->forward(x.data(), b.data(), batch);
    chain->backward(dout.data(), da.data());
    alone->backward(dout.data(), db.data());
    CHECK(mismatches(a, b) == 0);
    CHECK(mismatches(da, db) == 0);
  }
}

TEST_CASE("global average pooling equals a naive ascending mean bit for bit", "[pool]") {
  const shape img{3, 5, 7};
  for (std::size_t batch : {std::size_t{1}, std::size_t{6}}) {
    auto pass = initlab::global_avg_pool::make_pass();
    REQUIRE(pass->name() == "global_avg_pool");
    REQUIRE(pass->bind(img) == shape{3, 1, 1});
    // Offset values: a plain sum in another order would round differently.
    auto x = normal_values(stream(7), img.size() * batch);
    for (double& v : x)
      v = v + 1000.0 / 3.0;
    const auto dz = normal_values(stream(8), 3 * batch);
    std::vector<double> z(3 * batch), dx(img.size() * batch);
    pass->forward(x.data(), z.data(), batch);
    pass->backward(dz.data(), dx.data());
    CHECK(mismatches(z, naive_pool(x, img, batch)) == 0);
    CHECK(mismatches(dx, naive_pool_backward(dz, img, batch)) == 0);
  }
  // Dense input {C, 1, 1}: P = 1, the identity.
  auto unit = initlab::global_avg_pool::make_pass();
  REQUIRE(unit->bind({4, 1, 1}) == shape{4, 1, 1});
  const auto x = normal_values(stream(9), 8);
  std::vector<double> z(8);
  unit->forward(x.data(), z.data(), 2);
  CHECK(mismatches(z, x) == 0);
}

TEST_CASE("global average pooling gradient matches central finite differences", "[pool]") {
  const shape img{2, 3, 4};
  constexpr std::size_t batch = 3;
  constexpr double h = 1e-5, rel_tol = 1e-6;
  auto pass = initlab::global_avg_pool::make_pass();
  REQUIRE(pass->bind(img) == shape{2, 1, 1});
  auto x = normal_values(stream(10), img.size() * batch);
  const auto c = normal_values(stream(11), 2 * batch);
  std::vector<double> z(2 * batch), dx(x.size());
  const auto loss = [&] {
    pass->forward(x.data(), z.data(), batch);
    double s = 0.0;
    for (std::size_t k = 0; k < z.size(); ++k)
      s += c[k] * z[k];
    return s;
  };
  loss();
  pass->backward(c.data(), dx.data());
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double x0 = x[k];
    x[k] = x0 + h;
    const double lp = loss();
    x[k] = x0 - h;
    const double lm = loss();
    x[k] = x0;
    const double fd = (lp - lm) / (2.0 * h);
    INFO("input " << k << ": analytic " << dx[k] << ", finite difference " << fd);
    CHECK(std::abs(fd - dx[k]) <= rel_tol * std::abs(dx[k]));
  }
}

TEST_CASE("global average pooling: shape checks and clones", "[pool]") {
  auto any = initlab::global_avg_pool::make_pass();
  CHECK_THROWS_AS(any->bind({0, 4, 4}), std::invalid_argument);
  CHECK_THROWS_AS(any->bind({3, 0, 4}), std::invalid_argument);
  auto sized = initlab::global_avg_pool_of<5, 7>::make_pass();
  CHECK_THROWS_AS(sized->bind({3, 7, 5}), std::invalid_argument);
  CHECK_THROWS_WITH(sized->bind({3, 4, 4}), Catch::Contains("global_avg_pool_of<5, 7>"));
  REQUIRE(sized->bind({3, 5, 7}) == shape{3, 1, 1});

  // A clone keeps its own binding and buffers: rebinding the original does not affect it.
  const shape img{3, 5, 7};
  constexpr std::size_t batch = 4;
  auto original = initlab::global_avg_pool::make_pass();
  REQUIRE(original->bind(img) == shape{3, 1, 1});
  auto copy = original->clone();
  REQUIRE(original->bind({3, 2, 2}) == shape{3, 1, 1});
  const auto x = normal_values(stream(12), img.size() * batch);
  std::vector<double> z(3 * batch);
  copy->forward(x.data(), z.data(), batch);
  CHECK(mismatches(z, naive_pool(x, img, batch)) == 0);
}

// Pixels that correlate like two inputs: x(c, p, b) = u_c + e(c, p, b), u_c ~ N(0, κ) one per
// channel and trial (shared by pixels and samples: within a sample and across samples alike),
// e ~ N(0, v) i.i.d. Then q = κ + v, mean 0, cross = κ, and E[z²] = κ + v/P exactly, the
// pooled cross E[z_b z_b'] = κ.
TEST_CASE("global average pooling map: E[z^2] = cross + (q - cross)/P (Monte Carlo)",
          "[pool][monte_carlo]") {
  constexpr std::size_t channels = 64, h = 4, w = 4, batch = 8, trials = 2000;
  constexpr double kappa = 0.5, v = 2.0;
  constexpr double z_crit = 4.0;  // |estimate − value| ≤ z·SE; same test for controls
  constexpr double z_power = 1.2815515655446004;  // power 0.9
  const initlab::signal in{kappa + v, 0.0, kappa};
  constexpr initlab::signal out_map =
      initlab::global_avg_pool_of<h, w>::forward({kappa + v, 0.0, kappa});
  const initlab::signal predicted = initlab::global_avg_pool::forward_for_pixels(in, h * w);
  REQUIRE(predicted == out_map);
  REQUIRE(predicted.q == Approx(kappa + v / 16.0).epsilon(1e-15));

  const shape img{channels, h, w};
  auto pass = initlab::global_avg_pool::make_pass();
  REQUIRE(pass->bind(img) == shape{channels, 1, 1});
  std::vector<double> x(img.size() * batch), u(channels), z(channels * batch);
  std::vector<double> q_trials, cross_trials;
  const stream root(99);
  for (std::size_t t = 0; t < trials; ++t) {
    initlab::fill_normal(root.child(t).child(0), std::span<double>(u), 0.0, std::sqrt(kappa));
    initlab::fill_normal(root.child(t).child(1), std::span<double>(x), 0.0, std::sqrt(v));
    for (std::size_t c = 0; c < channels; ++c)
      for (std::size_t k = 0; k < h * w * batch; ++k)
        x[c * h * w * batch + k] += u[c];
    pass->forward(x.data(), z.data(), batch);
    double q = 0.0, cr = 0.0;
    for (std::size_t c = 0; c < channels; ++c)
      for (std::size_t b = 0; b < batch; ++b) {
        q += z[c * batch + b] * z[c * batch + b];
        for (std::size_t b2 = b + 1; b2 < batch; ++b2)
          cr += z[c * batch + b] * z[c * batch + b2];
      }
    q_trials.push_back(q / static_cast<double>(channels * batch));
    cross_trials.push_back(cr / static_cast<double>(channels * batch * (batch - 1) / 2));
  }
  const auto summarize = [](const std::vector<double>& s) {
    const double n = static_cast<double>(s.size());
    double m = 0.0, ss = 0.0;
    for (double a : s)
      m += a;
    m /= n;
    for (double a : s)
      ss += (a - m) * (a - m);
    return std::pair<double, double>{m, std::sqrt(ss / (n - 1.0) / n)};
  };
  const auto [q_est, q_se] = summarize(q_trials);
  const auto [c_est, c_se] = summarize(cross_trials);
  const auto consistent = [&](double est, double se, double value) {
    return std::abs(est - value) <= z_crit * se;
  };
  INFO("E[z^2]: map " << predicted.q << ", estimate " << q_est << " +- " << q_se << "; cross: map "
                      << predicted.cross << ", estimate " << c_est << " +- " << c_se);
  CHECK(consistent(q_est, q_se, predicted.q));
  CHECK(consistent(c_est, c_se, predicted.cross));
  // Resolution below 5%, and the same test refutes values 5% off, the infinite-image limit
  // (q_out = cross = 0.5, 20% off) and the i.i.d.-pixel value q/P (pixel correlation ignored).
  CHECK((z_crit + z_power) * q_se / predicted.q < 0.05);
  CHECK(!consistent(q_est, q_se, 1.05 * predicted.q));
  CHECK(!consistent(q_est, q_se, 0.95 * predicted.q));
  CHECK(!consistent(q_est, q_se, initlab::global_avg_pool::forward(in).q));
  CHECK(!consistent(q_est, q_se, in.q / 16.0));
}

}  // namespace
