// residual.hpp at run time: residual_pass against an independent naive implementation (0 ulps:
// same summation order), central finite differences of L = Σ c·out for the input and the
// branch's weights, stream forwarding, clone independence, shape checks, and a Monte Carlo
// confirmation of THEORY.md §8: the He/ReLU residual stream x + W·relu(x), W ~ N(0, 2/D), doubles
// E[x²] (and, under gradient independence, E[(∂L/∂x)²]) per block; and the first-order
// finite-width correction `relu_stream_width_correction`: its Gaussian integrals against
// quadrature, and its values against a narrow stream (D = 32) where the infinite-width map is
// refuted.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <initlab/activation.hpp>
#include <initlab/dense.hpp>
#include <initlab/init.hpp>
#include <initlab/layer.hpp>
#include <initlab/math.hpp>
#include <initlab/random.hpp>
#include <initlab/residual.hpp>
#include <initlab/sampler.hpp>
#include <initlab/serial.hpp>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

namespace {

using initlab::layer_pass;
using initlab::residual_pass;
using initlab::serial_pass;
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

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    s += a[i] * b[i];
  return s;
}

// The naive residual block x + α·W·relu(x) (W: D × D row-major), summed over j ascending from
// +0.0 like the engine's kernels, and its backward dx = dout + relu'(x)·Wᵀ(α·dout), summed over i
// ascending. Written from the formulas, not from the passes.
struct naive_block {
  std::size_t d;
  double alpha;
  std::vector<double> w;

  std::vector<double> forward(const std::vector<double>& x, std::size_t batch) const {
    std::vector<double> out(d * batch);
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t b = 0; b < batch; ++b) {
        double acc = 0.0;
        for (std::size_t j = 0; j < d; ++j) {
          const double r = x[j * batch + b] > 0.0 ? x[j * batch + b] : 0.0;
          const double prod = w[i * d + j] * r;
          acc = acc + prod;
        }
        out[i * batch + b] = x[i * batch + b] + alpha * acc;
      }
    return out;
  }
  std::vector<double> backward(const std::vector<double>& x, const std::vector<double>& dout,
                               std::size_t batch) const {
    std::vector<double> dx(d * batch);
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t b = 0; b < batch; ++b) {
        double acc = 0.0;
        for (std::size_t i = 0; i < d; ++i) {
          const double df = alpha * dout[i * batch + b];  // ∂L/∂f
          const double prod = w[i * d + j] * df;
          acc = acc + prod;
        }
        const double relu_grad = (x[j * batch + b] > 0.0 ? 1.0 : 0.0) * acc;
        dx[j * batch + b] = dout[j * batch + b] + relu_grad;
      }
    return dx;
  }
};

template <class Block>
initlab::pass_ptr<layer_pass> bound_sampled(std::size_t width, std::uint64_t seed) {
  auto p = Block::make_pass();
  REQUIRE(p->bind({width, 1, 1}) == shape{width, 1, 1});
  p->sample(stream(seed).child(0), stream(seed).child(1), initlab::bulk_sampler{});
  return p;
}

template <initlab::real_param Alpha>
void check_against_naive(std::size_t batch) {
  constexpr std::size_t d = 24;
  using block =
      initlab::residual<initlab::serial<initlab::relu, initlab::dense<d, d, initlab::he_normal>>,
                        Alpha>;
  const stream weights = stream(11).child(0);
  auto pass = block::make_pass();
  REQUIRE(pass->name() == "residual");
  REQUIRE(pass->bind({d, 1, 1}) == shape{d, 1, 1});
  pass->sample(weights, stream(11).child(1), initlab::bulk_sampler{});

  // The serial branch gives its part 1 (the dense layer) weights.child(1).
  naive_block ref{d, Alpha, std::vector<double>(d * d)};
  initlab::fill(weights.child(1), std::span<double>(ref.w), initlab::he_normal::law(d, d));
  auto& branch = dynamic_cast<serial_pass&>(dynamic_cast<residual_pass&>(*pass).branch());
  const auto w = branch.part(1).weights();
  REQUIRE(mismatches(std::vector<double>(w.begin(), w.end()), ref.w) == 0);

  const auto x = normal_values(stream(12), d * batch);
  const auto dout = normal_values(stream(13), d * batch);
  std::vector<double> out(d * batch), dx(d * batch);
  pass->forward(x.data(), out.data(), batch);
  pass->backward(dout.data(), dx.data());
  CHECK(mismatches(out, ref.forward(x, batch)) == 0);
  CHECK(mismatches(dx, ref.backward(x, dout, batch)) == 0);
}

TEST_CASE("residual_pass equals a naive x + alpha*W*relu(x) bit for bit", "[residual]") {
  // batch 5: the narrow (transposed-weights) path of dense_pass; 32: the wide path.
  for (std::size_t batch : {std::size_t{1}, std::size_t{5}, std::size_t{32}}) {
    check_against_naive<1.0>(batch);
    check_against_naive<0.5>(batch);
    check_against_naive<0.3>(batch);  // not a power of two: the branch gets α·dout, as naive
  }
}

TEST_CASE("residual forwards its own streams to the branch unchanged", "[residual]") {
  constexpr std::size_t d = 16, batch = 4;
  using branch = initlab::serial<
      initlab::dense<d, d, initlab::glorot_normal, initlab::tanh, initlab::random_normal<0.1>>,
      initlab::dense<d, d, initlab::he_normal>>;
  auto res = bound_sampled<initlab::residual<branch>>(d, 5);
  auto alone = bound_sampled<branch>(d, 5);
  const auto x = normal_values(stream(6), d * batch);
  std::vector<double> out(d * batch), f(d * batch);
  res->forward(x.data(), out.data(), batch);
  alone->forward(x.data(), f.data(), batch);
  // out − x = α·f with α = 1: the branch computed exactly what the standalone branch does.
  std::vector<double> expected(d * batch);
  for (std::size_t i = 0; i < expected.size(); ++i)
    expected[i] = x[i] + 1.0 * f[i];
  CHECK(mismatches(out, expected) == 0);
  const auto* rp = dynamic_cast<const residual_pass*>(res.get());
  REQUIRE(rp != nullptr);
  CHECK(mismatches(std::vector<double>(rp->branch_output(), rp->branch_output() + d * batch), f) ==
        0);
}

// ∂L/∂x and ∂L/∂W of the branch's weights for L = Σ c·out, by central differences.
template <class Block>
void check_finite_differences(std::uint64_t seed) {
  constexpr std::size_t d = 6, batch = 3;
  constexpr double h = 1e-5;
  constexpr double rel_tol = 1e-6;
  auto pass = bound_sampled<Block>(d, seed);
  auto x = normal_values(stream(seed).child(2), d * batch);
  const auto c = normal_values(stream(seed).child(3), d * batch);
  std::vector<double> out(d * batch), dx(d * batch);
  const auto loss = [&] {
    pass->forward(x.data(), out.data(), batch);
    return dot(c, out);
  };
  loss();
  pass->backward(c.data(), dx.data());
  pass->compute_gradients();

  double gmax = 0.0;
  for (double g : dx)
    gmax = std::max(gmax, std::abs(g));
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double x0 = x[k];
    x[k] = x0 + h;
    const double lp = loss();
    x[k] = x0 - h;
    const double lm = loss();
    x[k] = x0;
    const double fd = (lp - lm) / (2.0 * h);
    INFO("input " << k << ": analytic " << dx[k] << ", finite difference " << fd);
    CHECK(std::abs(fd - dx[k]) <= rel_tol * std::max(std::abs(dx[k]), 1e-3 * gmax));
  }

  // Weight gradients of every dense part of the branch (means over the batch: ∂(L/B)/∂W).
  auto& branch = dynamic_cast<serial_pass&>(dynamic_cast<residual_pass&>(*pass).branch());
  for (std::size_t part = 0; part < branch.size(); ++part) {
    const auto w = branch.part(part).weights();
    const auto gw = std::as_const(branch.part(part)).weight_gradients();
    REQUIRE(gw.size() == w.size());
    double wmax = 0.0;
    for (double g : gw)
      wmax = std::max(wmax, std::abs(g));
    for (std::size_t k = 0; k < w.size(); ++k) {
      const double w0 = w[k];
      w[k] = w0 + h;
      const double lp = loss();
      w[k] = w0 - h;
      const double lm = loss();
      w[k] = w0;
      const double fd = (lp - lm) / (2.0 * h) / static_cast<double>(batch);
      INFO("part " << part << " weight " << k << ": analytic " << gw[k] << ", fd " << fd);
      CHECK(std::abs(fd - gw[k]) <= rel_tol * std::max(std::abs(gw[k]), 1e-3 * wmax));
    }
  }
}

TEST_CASE("residual gradients match central finite differences", "[residual]") {
  using tanh_branch = initlab::serial<initlab::dense<6, 6, initlab::he_normal, initlab::tanh>,
                                      initlab::dense<6, 6, initlab::glorot_normal>>;
  check_finite_differences<initlab::residual<tanh_branch>>(21);
  // α ≠ 1 checks that the branch's weight gradients carry the factor α.
  check_finite_differences<initlab::residual<tanh_branch, 0.3>>(22);
  check_finite_differences<initlab::residual<tanh_branch, -2.0>>(23);
}

TEST_CASE("a cloned residual pass is independent of the original", "[residual]") {
  constexpr std::size_t d = 12, batch = 8;
  using block =
      initlab::residual<initlab::serial<initlab::relu, initlab::dense<d, d, initlab::he_normal>>>;
  auto original = bound_sampled<block>(d, 31);
  const auto x = normal_values(stream(32), d * batch);
  const auto dout = normal_values(stream(33), d * batch);
  std::vector<double> out0(d * batch), dx0(d * batch);
  original->forward(x.data(), out0.data(), batch);
  original->backward(dout.data(), dx0.data());

  auto copy = original->clone();
  REQUIRE(copy->name() == "residual");
  // Change the original's parameters: one SGD step, then overwrite a weight.
  original->compute_gradients();
  original->sgd_step(0.5);
  auto& branch = dynamic_cast<serial_pass&>(dynamic_cast<residual_pass&>(*original).branch());
  branch.part(1).weights()[0] = 100.0;

  std::vector<double> out1(d * batch), dx1(d * batch);
  copy->forward(x.data(), out1.data(), batch);
  copy->backward(dout.data(), dx1.data());
  CHECK(mismatches(out1, out0) == 0);
  CHECK(mismatches(dx1, dx0) == 0);
  std::vector<double> out2(d * batch);
  original->forward(x.data(), out2.data(), batch);
  CHECK(mismatches(out2, out0) > 0);
}

TEST_CASE("residual_pass rejects branches that change the shape", "[residual]") {
  residual_pass widening(initlab::dense<4, 8, initlab::he_normal>::make_pass(), 1.0);
  CHECK_THROWS_AS(widening.bind({4, 1, 1}), std::invalid_argument);
  auto block = initlab::residual<
      initlab::serial<initlab::relu, initlab::dense<4, 4, initlab::he_normal>>>::make_pass();
  CHECK_THROWS_WITH(block->bind({5, 1, 1}), Catch::Contains("initlab::residual: branch"));
  CHECK_THROWS_AS(residual_pass(nullptr, 1.0), std::invalid_argument);
}

// ---- Monte Carlo: THEORY.md §8 ------------------------------------------------------------------

// Mean and standard error across trials (the unit of replication: fresh weights and inputs).
struct estimate {
  double mean = 0.0, std_error = 0.0;
};
estimate summarize(const std::vector<double>& per_trial) {
  const double n = static_cast<double>(per_trial.size());
  double m = 0.0;
  for (double v : per_trial)
    m += v;
  m /= n;
  double ss = 0.0;
  for (double v : per_trial)
    ss += (v - m) * (v - m);
  return {m, std::sqrt(ss / (n - 1.0) / n)};
}

// The test used for claims and negative controls alike: |estimate − value| ≤ z·SE. z = 4: two-sided
// 6e-5 per claim, < 1e-3 over the 8 claims and 16 controls below (Bonferroni).
constexpr double z_crit = 4.0;
bool consistent(const estimate& e, double value) {
  return std::abs(e.mean - value) <= z_crit * e.std_error;
}
// Smallest relative error this test refutes with probability ≥ 0.9: (z + z_0.9)·SE/|value|.
double resolution(const estimate& e, double value) {
  return (z_crit + 1.2815515655446004) * e.std_error / std::abs(value);
}

TEST_CASE("He/ReLU residual stream doubles E[x^2] and E[dL/dx^2] per block (Monte Carlo)",
          "[residual][monte_carlo]") {
  constexpr std::size_t d = 256, batch = 16, blocks = 4, trials = 400;
  using block =
      initlab::residual<initlab::serial<initlab::relu, initlab::dense<d, d, initlab::he_normal>>>;
  using net = initlab::network<initlab::repeat<blocks, block>>;
  static_assert(net::depth == blocks);

  std::vector<std::vector<double>> fwd(blocks), bwd(blocks);
  std::vector<double> x(d * batch), out(d * batch), dout(d * batch), dx(d * batch);
  const stream root(20240611);
  for (std::size_t t = 0; t < trials; ++t) {
    const stream trial = root.child(t);
    auto pass = net::make_pass();
    auto& sp = dynamic_cast<serial_pass&>(*pass);
    REQUIRE(pass->bind({d, 1, 1}) == shape{d, 1, 1});
    pass->sample(trial.child(0), trial.child(1), initlab::bulk_sampler{});
    initlab::fill_normal(trial.child(2), std::span<double>(x), 0.0, 1.0);
    initlab::fill_normal(trial.child(3), std::span<double>(dout), 0.0, 1.0);
    pass->forward(x.data(), out.data(), batch);
    pass->backward(dout.data(), dx.data());
    const auto mean_square = [](const double* v, std::size_t n) {
      double s = 0.0;
      for (std::size_t i = 0; i < n; ++i)
        s += v[i] * v[i];
      return s / static_cast<double>(n);
    };
    for (std::size_t l = 0; l < blocks; ++l) {
      // Output of block l (l + 1 blocks deep); gradient at the input of block l.
      const double* o = l + 1 < blocks ? sp.output_of(l) : out.data();
      const double* g = l > 0 ? sp.input_gradient_of(l) : dx.data();
      fwd[l].push_back(mean_square(o, d * batch));
      bwd[l].push_back(mean_square(g, d * batch));
    }
  }

  // Analytic values from the layer kind's own maps: 2^(l+1) forward, 2^(blocks−l) backward.
  const auto signals = net::signals(initlab::input_signal(1.0));
  for (std::size_t l = 0; l < blocks; ++l) {
    const double q = signals[l + 1].q;
    REQUIRE(q == Approx(std::ldexp(1.0, static_cast<int>(l + 1))).epsilon(1e-12));
    double g = 1.0;
    for (std::size_t k = blocks; k-- > l;)
      g = block::backward(signals[k], g);
    REQUIRE(g == Approx(std::ldexp(1.0, static_cast<int>(blocks - l))).epsilon(1e-12));

    const estimate ef = summarize(fwd[l]);
    const estimate eb = summarize(bwd[l]);
    INFO("block " << l + 1 << ": E[x^2] analytic " << q << ", estimate " << ef.mean << " +- "
                  << ef.std_error << " (resolution " << resolution(ef, q) << "); E[dx^2] analytic "
                  << g << ", estimate " << eb.mean << " +- " << eb.std_error << " (resolution "
                  << resolution(eb, g) << ")");
    CHECK(consistent(ef, q));
    CHECK(consistent(eb, g));
    // Every check must be able to fail: the resolution is below 5% (1–3% here), and values 5%
    // off are refuted by the same test. The maps are infinite-width values; at D = 256 the
    // stream is slightly right-skewed (the self term W_ii·relu(x_i)), so E[relu(x)²] > q/2 by
    // O(1/D): +0.35% at block 4, measured with 8000 trials (+1.5% at D = 64), far below this
    // resolution.
    CHECK(resolution(ef, q) < 0.05);
    CHECK(resolution(eb, g) < 0.05);
    CHECK(!consistent(ef, 1.05 * q));
    CHECK(!consistent(ef, 0.95 * q));
    CHECK(!consistent(eb, 1.05 * g));
    CHECK(!consistent(eb, 0.95 * g));
  }
}

// ---- relu_stream_width_correction ---------------------------------------------------------------

double std_normal_pdf(double z) {
  return std::exp(-0.5 * z * z) / std::sqrt(2.0 * initlab::math::pi);
}
double std_normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}
// Composite Simpson on [a, b] with n (even) intervals.
template <class F>
double simpson(F f, double a, double b, int n) {
  const double h = (b - a) / n;
  double s = f(a) + f(b);
  for (int i = 1; i < n; ++i)
    s += (i % 2 == 1 ? 4.0 : 2.0) * f(a + i * h);
  return s * h / 3.0;
}

// The header's Gaussian integrals, by quadrature over a ~ N(0, qm) (a > 0) with X_k = a + s·Z:
//   K(t)              = E[z²·1{z>0}·(2Φ(t·z) − 1)]
//   e_S·T_k/T_k       = E[relu(a)²·E_Z δ'(a + sZ)],     E_Z δ'(a + sZ) = −(a/s³)·φ(a/s)
//   E[relu(a)·δ(X_k)] = ∫ a·φ_qm(a)·φ(a/s)/s da,  E[1{a>0}·sgn(X_k)] = ∫ φ_qm(a)·(2Φ(a/s) − 1) da
// then b_k = (c/2)·Σ_{m<k} g^(k−1−m)·[e_S + 1{m ≥ first}·(T_m/T_k)·(4·E[relu δ] + E[1 sgn])].
double k_by_quadrature(double t) {
  return simpson(
      [t](double z) { return z * z * std_normal_pdf(z) * (2.0 * std_normal_cdf(t * z) - 1.0); },
      0.0, 12.0, 20000);
}
double tangent_asymmetry_by_quadrature(std::size_t first, std::size_t k, double c) {
  const double g = 1.0 + c / 2.0;
  const double qk = std::pow(g, static_cast<double>(k));
  double sum = 0.0;
  for (std::size_t m = 0; m < k; ++m) {
    const double qm = std::pow(g, static_cast<double>(m));
    const double s = std::sqrt(qk - qm);
    const double sd = std::sqrt(qm);
    const auto density = [sd](double a) { return std_normal_pdf(a / sd) / sd; };
    const double hi = 14.0 * sd;
    const double e_s = simpson(
        [&](double a) { return a * a * density(a) * (-(a / (s * s * s)) * std_normal_pdf(a / s)); },
        0.0, hi, 20000);
    double term = e_s;
    if (m >= first) {
      const double relu_delta = simpson(
          [&](double a) { return a * density(a) * std_normal_pdf(a / s) / s; }, 0.0, hi, 20000);
      const double positive_sign =
          simpson([&](double a) { return density(a) * (2.0 * std_normal_cdf(a / s) - 1.0); }, 0.0,
                  hi, 20000);
      const double t_ratio = std::pow(g, -static_cast<double>(k - m));
      term += t_ratio * (4.0 * relu_delta + positive_sign);
    }
    sum += std::pow(g, static_cast<double>(k - 1 - m)) * term;
  }
  return c / 2.0 * sum;
}

TEST_CASE("relu_stream_width_correction's Gaussian integrals match quadrature", "[residual]") {
  using wc = initlab::relu_stream_width_correction;
  for (double c : {0.5, 1.0, 2.0, 3.0}) {
    const double g = 1.0 + c / 2.0;
    INFO("c = " << c);
    // a_1 = (c/(2g))·K(1/√(g − 1)).
    CHECK(wc::asymmetry(1, c) ==
          Approx(c / (2.0 * g) * k_by_quadrature(1.0 / std::sqrt(g - 1.0))).epsilon(1e-9));
    for (std::size_t k : {std::size_t{1}, std::size_t{3}, std::size_t{6}})
      for (std::size_t first : {std::size_t{0}, std::size_t{1}, k})
        if (first <= k) {
          INFO("k = " << k << ", first = " << first);
          CHECK(wc::tangent_asymmetry(first, k, c) ==
                Approx(tangent_asymmetry_by_quadrature(first, k, c)).epsilon(1e-7).margin(1e-12));
        }
  }
}

TEST_CASE("narrow He/ReLU stream: the first-order width correction holds, the map is refuted",
          "[residual][monte_carlo]") {
  // D = 32, 8 blocks: the corrected E[x_8²] and E[(∂L/∂x_0)²] are 2^8·(1 + κ_8/32), ≈ 11% above
  // the map, 5–8 standard errors at 3000 networks; the O(1/D²) remainder is well inside 4 SE.
  constexpr std::size_t d = 32, batch = 8, blocks = 8, trials = 3000;
  using block =
      initlab::residual<initlab::serial<initlab::relu, initlab::dense<d, d, initlab::he_normal>>>;
  using net = initlab::network<initlab::repeat<blocks, block>>;
  std::vector<double> fwd, bwd;
  std::vector<double> x(d * batch), out(d * batch), dout(d * batch), dx(d * batch);
  const stream root(20261202);
  auto pass = net::make_pass();
  REQUIRE(pass->bind({d, 1, 1}) == shape{d, 1, 1});
  for (std::size_t t = 0; t < trials; ++t) {
    const stream trial = root.child(t);
    pass->sample(trial.child(0), trial.child(1), initlab::bulk_sampler{});
    initlab::fill_normal(trial.child(2), std::span<double>(x), 0.0, 1.0);
    initlab::fill_normal(trial.child(3), std::span<double>(dout), 0.0, 1.0);
    pass->forward(x.data(), out.data(), batch);
    pass->backward(dout.data(), dx.data());
    double x2 = 0.0, o2 = 0.0, g2 = 0.0, d2 = 0.0;
    for (std::size_t i = 0; i < d * batch; ++i) {
      x2 += x[i] * x[i];
      o2 += out[i] * out[i];
      g2 += dout[i] * dout[i];
      d2 += dx[i] * dx[i];
    }
    fwd.push_back(o2 / x2);  // per sample homogeneous of degree 2: E[ratio] = E[x_8²]/E[x_0²]
    bwd.push_back(d2 / g2);  // linear in the seed, which is independent of the network
  }
  using wc = initlab::relu_stream_width_correction;
  const double map = std::ldexp(1.0, static_cast<int>(blocks));
  const double fwd_corrected = map * wc::second_moment_factor(blocks, 2.0, d);
  const double bwd_corrected = map * wc::gradient_factor(0, blocks, 2.0, d);
  const estimate ef = summarize(fwd), eb = summarize(bwd);
  INFO("E[x_8^2]: " << ef.mean << " +- " << ef.std_error << " (corrected " << fwd_corrected
                    << ", map " << map << "); E[dx_0^2]: " << eb.mean << " +- " << eb.std_error
                    << " (corrected " << bwd_corrected << ")");
  CHECK(consistent(ef, fwd_corrected));
  CHECK(consistent(eb, bwd_corrected));
  // Negative controls: the infinite-width (and gradient-independence) map is refuted.
  CHECK(!consistent(ef, map));
  CHECK(!consistent(eb, map));
}

}  // namespace
