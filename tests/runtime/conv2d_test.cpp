// conv2d (conv2d.hpp): the run-time pass against a naive implementation written here (0 ulps:
// the summation order is part of the contract), against central finite differences, clone and
// batch-split independence, and Monte Carlo checks of the analytic maps of THEORY.md §9, each with
// a negative control that shows the tolerance is tight enough to reject a nearby wrong value.

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initlab/activation.hpp>
#include <initlab/conv2d.hpp>
#include <initlab/init.hpp>
#include <initlab/random.hpp>
#include <initlab/sampler.hpp>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using initlab::conv2d_pass;
using initlab::conv_options;
using initlab::law_kind;
using initlab::padding;
using initlab::shape;
using initlab::stream;
using initlab::weight_law;
using vec = std::vector<double>;

const char* padding_name(padding p) {
  switch (p) {
    case padding::same_zero:
      return "same_zero";
    case padding::same_circular:
      return "same_circular";
    case padding::valid:
      return "valid";
  }
  return "?";
}

// ------------------------------------------------------------------------- naive reference
// Written from the definition, with signed arithmetic and no tables, independently of the
// header's detail:: helpers. Summation orders (the documented ones; each sum is one accumulator
// from +0.0, `acc = acc + prod` with the product rounded first):
//   forward  y(co,i,j,b)  = Σ_{ci' asc, ki asc, kj asc} W·x over in-image taps, then + bias
//   backward dx(ci,r,c,b) = Σ_{co' asc, ki asc, kj asc} W·dy(co, i, j, b) over the output pixels
//                           (i, j) whose tap (ki, kj) reads (r, c), found by searching all of them
//   dW = (Σ_{b asc} (Σ_{i asc, j asc} dy·x)) / B,   db = (Σ_{b asc} (Σ_{i asc, j asc} dy)) / B
// The pass multiplies gathered zeros where this loop skips a tap; 0 ulps also checks that the two
// agree (w·0 = ±0 never changes a partial sum that started at +0.0).

struct geometry {
  std::size_t cin, cout, kh, kw, h, w;
  conv_options opt;
  std::size_t cig() const { return cin / opt.groups; }
  std::size_t cog() const { return cout / opt.groups; }
  std::size_t extent(std::size_t n, std::size_t k) const {
    return opt.padding == padding::valid ? (n - k) / opt.stride + 1
                                         : (n + opt.stride - 1) / opt.stride;
  }
  std::size_t oh() const { return extent(h, kh); }
  std::size_t ow() const { return extent(w, kw); }
  // Input position read by tap t of output o (axis extent n, kernel k), or −1 (zero padding).
  long long tap(std::size_t o, std::size_t t, std::size_t n, std::size_t k) const {
    const long long pad = opt.padding == padding::valid ? 0 : (static_cast<long long>(k) - 1) / 2;
    long long u = static_cast<long long>(o * opt.stride + t) - pad;
    const long long nn = static_cast<long long>(n);
    if (opt.padding == padding::same_circular) return ((u % nn) + nn) % nn;
    return (u < 0 || u >= nn) ? -1 : u;
  }
  std::string describe() const {
    return "cin=" + std::to_string(cin) + " cout=" + std::to_string(cout) +
           " k=" + std::to_string(kh) + "x" + std::to_string(kw) + " image=" + std::to_string(h) +
           "x" + std::to_string(w) + " stride=" + std::to_string(opt.stride) +
           " groups=" + std::to_string(opt.groups) + " " + padding_name(opt.padding);
  }
};

// Indices of the layouts: x(c, r, s, b) at ((c·H + r)·W + s)·B + b; W row-major.
std::size_t xi(const geometry& g, std::size_t c, std::size_t r, std::size_t s, std::size_t b,
               std::size_t batch) {
  return ((c * g.h + r) * g.w + s) * batch + b;
}
std::size_t yi(const geometry& g, std::size_t c, std::size_t i, std::size_t j, std::size_t b,
               std::size_t batch) {
  return ((c * g.oh() + i) * g.ow() + j) * batch + b;
}
std::size_t wi(const geometry& g, std::size_t co, std::size_t cl, std::size_t ki, std::size_t kj) {
  return ((co * g.cig() + cl) * g.kh + ki) * g.kw + kj;
}

vec naive_forward(const geometry& g, const vec& w, const vec& bias, const vec& x,
                  std::size_t batch) {
  vec y(g.cout * g.oh() * g.ow() * batch);
  for (std::size_t co = 0; co < g.cout; ++co)
    for (std::size_t i = 0; i < g.oh(); ++i)
      for (std::size_t j = 0; j < g.ow(); ++j)
        for (std::size_t b = 0; b < batch; ++b) {
          double acc = 0.0;
          for (std::size_t cl = 0; cl < g.cig(); ++cl)
            for (std::size_t ki = 0; ki < g.kh; ++ki)
              for (std::size_t kj = 0; kj < g.kw; ++kj) {
                const long long r = g.tap(i, ki, g.h, g.kh);
                const long long s = g.tap(j, kj, g.w, g.kw);
                if (r < 0 || s < 0) continue;
                const std::size_t ci = co / g.cog() * g.cig() + cl;
                const double prod =
                    w[wi(g, co, cl, ki, kj)] * x[xi(g, ci, static_cast<std::size_t>(r),
                                                    static_cast<std::size_t>(s), b, batch)];
                acc = acc + prod;
              }
          if (!bias.empty()) acc = acc + bias[co];
          y[yi(g, co, i, j, b, batch)] = acc;
        }
  return y;
}

// Also counts how many output pixels a single tap reaches one input pixel from (must be ≤ 1 for
// the documented order to be the whole story).
vec naive_backward(const geometry& g, const vec& w, const vec& dy, std::size_t batch,
                   std::size_t& max_sources) {
  vec dx(g.cin * g.h * g.w * batch);
  max_sources = 0;
  for (std::size_t ci = 0; ci < g.cin; ++ci)
    for (std::size_t r = 0; r < g.h; ++r)
      for (std::size_t s = 0; s < g.w; ++s)
        for (std::size_t b = 0; b < batch; ++b) {
          double acc = 0.0;
          const std::size_t group = ci / g.cig(), cl = ci % g.cig();
          for (std::size_t col = 0; col < g.cog(); ++col)
            for (std::size_t ki = 0; ki < g.kh; ++ki)
              for (std::size_t kj = 0; kj < g.kw; ++kj) {
                const std::size_t co = group * g.cog() + col;
                std::size_t sources = 0;
                for (std::size_t i = 0; i < g.oh(); ++i) {
                  if (g.tap(i, ki, g.h, g.kh) != static_cast<long long>(r)) continue;
                  for (std::size_t j = 0; j < g.ow(); ++j) {
                    if (g.tap(j, kj, g.w, g.kw) != static_cast<long long>(s)) continue;
                    ++sources;
                    const double prod = w[wi(g, co, cl, ki, kj)] * dy[yi(g, co, i, j, b, batch)];
                    acc = acc + prod;
                  }
                }
                max_sources = sources > max_sources ? sources : max_sources;
              }
          dx[xi(g, ci, r, s, b, batch)] = acc;
        }
  return dx;
}

void naive_gradients(const geometry& g, const vec& x, const vec& dy, std::size_t batch,
                     bool has_bias, vec& dw, vec& db) {
  dw.assign(g.cout * g.cig() * g.kh * g.kw, 0.0);
  for (std::size_t co = 0; co < g.cout; ++co)
    for (std::size_t cl = 0; cl < g.cig(); ++cl)
      for (std::size_t ki = 0; ki < g.kh; ++ki)
        for (std::size_t kj = 0; kj < g.kw; ++kj) {
          const std::size_t ci = co / g.cog() * g.cig() + cl;
          double total = 0.0;
          for (std::size_t b = 0; b < batch; ++b) {
            double acc = 0.0;
            for (std::size_t i = 0; i < g.oh(); ++i)
              for (std::size_t j = 0; j < g.ow(); ++j) {
                const long long r = g.tap(i, ki, g.h, g.kh);
                const long long s = g.tap(j, kj, g.w, g.kw);
                if (r < 0 || s < 0) continue;
                const double prod =
                    dy[yi(g, co, i, j, b, batch)] * x[xi(g, ci, static_cast<std::size_t>(r),
                                                         static_cast<std::size_t>(s), b, batch)];
                acc = acc + prod;
              }
            total = total + acc;
          }
          dw[wi(g, co, cl, ki, kj)] = total / static_cast<double>(batch);
        }
  db.assign(has_bias ? g.cout : 0, 0.0);
  for (std::size_t co = 0; co < db.size(); ++co) {
    double total = 0.0;
    for (std::size_t b = 0; b < batch; ++b) {
      double acc = 0.0;
      for (std::size_t i = 0; i < g.oh(); ++i)
        for (std::size_t j = 0; j < g.ow(); ++j)
          acc = acc + dy[yi(g, co, i, j, b, batch)];
      total = total + acc;
    }
    db[co] = total / static_cast<double>(batch);
  }
}

// ------------------------------------------------------------------------------------ helpers

// Elements whose bit patterns differ (0 means equal to 0 ulps, signed zeros included).
template <class A, class B>
std::size_t bit_mismatches(const A& a, const B& b) {
  if (a.size() != b.size()) return static_cast<std::size_t>(-1);
  std::size_t n = 0;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (std::bit_cast<std::uint64_t>(a[k]) != std::bit_cast<std::uint64_t>(b[k])) ++n;
  return n;
}

vec normal_vector(const stream& s, std::size_t n, double stddev = 1.0) {
  vec v(n);
  initlab::fill_normal(s, std::span<double>(v), 0.0, stddev);
  return v;
}

constexpr weight_law test_law{law_kind::normal, 0.3};
constexpr weight_law test_bias_law{law_kind::normal, 0.2};

initlab::pass_ptr<conv2d_pass> make_bound(const geometry& g, bool bias, std::uint64_t seed) {
  auto p = initlab::make_pass_ptr<conv2d_pass>(
      g.cin, g.cout, g.kh, g.kw, g.opt, test_law,
      bias ? std::optional<weight_law>(test_bias_law) : std::nullopt);
  const shape out = p->bind({g.cin, g.h, g.w});
  REQUIRE(out == shape{g.cout, g.oh(), g.ow()});
  p->sample(stream(seed).child(0), stream(seed).child(1), initlab::bulk_sampler{});
  return p;
}

std::vector<geometry> exact_cases() {
  std::vector<geometry> cases;
  // Kernels and images cycle so every stride/group/padding combination meets non-square ones.
  const std::size_t kernels[][2] = {{3, 3}, {3, 5}, {2, 3}, {5, 2}, {1, 4}};
  const std::size_t images[][2] = {{7, 6}, {8, 9}, {5, 11}, {6, 6}};
  std::size_t k = 0;
  for (std::size_t stride : {1, 2})
    for (std::size_t groups : {1, 2, 4})
      for (padding pad : {padding::same_zero, padding::same_circular, padding::valid}) {
        const auto& ker = kernels[k % 5];
        const auto& img = images[k % 4];
        cases.push_back({4, 8, ker[0], ker[1], img[0], img[1], {stride, pad, groups}});
        ++k;
      }
  // Edge geometries: a kernel wider than the image (circular wraps several times, zero padding
  // cuts most taps), stride 3 with an even kernel, more input than output channels.
  cases.push_back({2, 2, 5, 4, 3, 3, {1, padding::same_circular, 1}});
  cases.push_back({2, 4, 5, 4, 3, 3, {1, padding::same_zero, 2}});
  cases.push_back({2, 3, 4, 2, 7, 8, {3, padding::same_zero, 1}});
  cases.push_back({2, 3, 4, 2, 7, 8, {3, padding::same_circular, 1}});
  cases.push_back({8, 4, 3, 3, 9, 7, {2, padding::valid, 4}});
  cases.push_back({4, 4, 1, 1, 5, 4, {2, padding::same_zero, 4}});
  return cases;
}

}  // namespace

// ===================================================================== (a) exact, naive reference

TEST_CASE("conv2d_pass forward, backward and gradients equal a naive loop to 0 ulps", "[conv2d]") {
  std::uint64_t seed = 100;
  for (const geometry& g : exact_cases())
    for (std::size_t batch : {1, 5, 16}) {
      const bool bias = seed % 3 != 0;
      ++seed;
      INFO(g.describe() << " batch=" << batch << " bias=" << bias);
      auto p = make_bound(g, bias, seed);
      const vec w(p->weights().begin(), p->weights().end());
      const vec b(p->biases().begin(), p->biases().end());
      REQUIRE(w.size() == g.cout * g.cig() * g.kh * g.kw);
      REQUIRE(b.size() == (bias ? g.cout : 0));

      const vec x = normal_vector(stream(seed).child(2), g.cin * g.h * g.w * batch);
      const vec dy = normal_vector(stream(seed).child(3), g.cout * g.oh() * g.ow() * batch);
      vec y(dy.size()), dx(x.size());
      p->forward(x.data(), y.data(), batch);
      p->backward(dy.data(), dx.data());
      p->compute_gradients();

      std::size_t max_sources = 0;
      CHECK(bit_mismatches(y, naive_forward(g, w, b, x, batch)) == 0);
      CHECK(bit_mismatches(dx, naive_backward(g, w, dy, batch, max_sources)) == 0);
      CHECK(max_sources <= 1);
      vec dw, db;
      naive_gradients(g, x, dy, batch, bias, dw, db);
      CHECK(bit_mismatches(p->weight_gradients(), dw) == 0);
      CHECK(bit_mismatches(p->bias_gradients(), db) == 0);

      // sgd_step: w ← w − lr·g with the product rounded first, like dense_pass.
      const double lr = 0.125 + 1e-3;
      p->sgd_step(lr);
      vec w_expected = w, b_expected = b;
      for (std::size_t k = 0; k < w.size(); ++k) {
        const double step = lr * dw[k];
        w_expected[k] = w[k] - step;
      }
      for (std::size_t k = 0; k < b.size(); ++k) {
        const double step = lr * db[k];
        b_expected[k] = b[k] - step;
      }
      CHECK(bit_mismatches(p->weights(), w_expected) == 0);
      CHECK(bit_mismatches(p->biases(), b_expected) == 0);
    }
}

TEST_CASE("conv2d_pass shapes and errors", "[conv2d]") {
  conv2d_pass same(3, 8, 3, 4, {2, padding::same_zero, 1}, test_law);
  CHECK(same.name() == "conv2d");
  CHECK(same.bind({3, 7, 8}) == shape{8, 4, 4});  // ⌈7/2⌉, ⌈8/2⌉
  conv2d_pass circ(3, 8, 3, 3, {3, padding::same_circular, 1}, test_law);
  CHECK(circ.bind({3, 7, 9}) == shape{8, 3, 3});
  conv2d_pass valid(4, 6, 3, 2, {2, padding::valid, 2}, test_law);
  CHECK(valid.bind({4, 7, 5}) == shape{6, 3, 2});  // ⌊(7−3)/2⌋+1, ⌊(5−2)/2⌋+1
  CHECK(valid.bind({4, 3, 2}) == shape{6, 1, 1});

  CHECK_THROWS_AS(same.bind({4, 7, 8}), std::invalid_argument);
  CHECK_THROWS_WITH(same.bind({4, 7, 8}), Catch::Contains("conv2d") && Catch::Contains("3 input"));
  CHECK_THROWS_AS(valid.bind({4, 2, 5}), std::invalid_argument);
  CHECK_THROWS_WITH(valid.bind({4, 7, 1}), Catch::Contains("kernel"));
  CHECK_THROWS_AS(same.bind({3, 0, 8}), std::invalid_argument);
  CHECK_THROWS_AS(conv2d_pass(6, 8, 3, 3, {1, padding::same_zero, 4}, test_law),
                  std::invalid_argument);
  CHECK_THROWS_AS(conv2d_pass(4, 8, 3, 3, {0, padding::same_zero, 1}, test_law),
                  std::invalid_argument);
  CHECK_THROWS_AS(conv2d_pass(4, 8, 0, 3, {}, test_law), std::invalid_argument);

  conv2d_pass fresh(3, 8, 3, 3, {}, test_law);
  fresh.bind({3, 4, 4});
  CHECK_THROWS_AS(fresh.compute_gradients(), std::logic_error);
  CHECK_THROWS_AS(fresh.sgd_step(0.1), std::logic_error);
}

// ============================================================== (b) central finite differences

namespace {

// Relative error allowed between a gradient and its central difference (the brief's bound; the
// measured errors are ~1e-10: rounding eps·|L|/h plus the O(h²) truncation of a smooth loss).
constexpr double fd_tolerance = 1e-6;
constexpr double fd_step = 1e-5;

// max_k |fd_k − g_k| / max_k |g_k|: the normwise relative error of a gradient.
double normwise_error(const vec& fd, const vec& g) {
  double err = 0.0, scale = 0.0;
  for (std::size_t k = 0; k < g.size(); ++k) {
    err = std::max(err, std::abs(fd[k] - g[k]));
    scale = std::max(scale, std::abs(g[k]));
  }
  return err / scale;
}

// ∂L/∂x, ∂L/∂W, ∂L/∂b of L = Σ c·out by central differences, step h, and from the pass.
void check_finite_differences(initlab::layer_pass& p, const geometry& g, std::size_t batch,
                              std::uint64_t seed) {
  const vec x0 = normal_vector(stream(seed).child(2), g.cin * g.h * g.w * batch);
  const vec c = normal_vector(stream(seed).child(3), g.cout * g.oh() * g.ow() * batch);
  vec out(c.size()), dx(x0.size());
  p.forward(x0.data(), out.data(), batch);
  p.backward(c.data(), dx.data());
  p.compute_gradients();
  // compute_gradients returns batch means: L sums over the batch, so ∂L/∂W = B·dW.
  vec dw(p.weight_gradients().begin(), p.weight_gradients().end());
  vec db(p.bias_gradients().begin(), p.bias_gradients().end());
  for (double& v : dw)
    v = v * static_cast<double>(batch);
  for (double& v : db)
    v = v * static_cast<double>(batch);

  vec x = x0;
  const auto loss = [&] {
    p.forward(x.data(), out.data(), batch);
    double l = 0.0;
    for (std::size_t k = 0; k < c.size(); ++k)
      l += c[k] * out[k];
    return l;
  };
  constexpr double h = fd_step;
  const auto central = [&](double& v) {
    const double keep = v;
    v = keep + h;
    const double up = loss();
    v = keep - h;
    const double down = loss();
    v = keep;
    return (up - down) / (2.0 * h);
  };
  vec fd_x(x.size());
  for (std::size_t k = 0; k < x.size(); ++k)
    fd_x[k] = central(x[k]);
  vec fd_w(dw.size()), fd_b(db.size());
  auto wspan = p.weights();
  for (std::size_t k = 0; k < wspan.size(); ++k)
    fd_w[k] = central(wspan[k]);
  auto bspan = p.biases();
  for (std::size_t k = 0; k < bspan.size(); ++k)
    fd_b[k] = central(bspan[k]);

  CHECK(normwise_error(fd_x, dx) <= fd_tolerance);
  CHECK(normwise_error(fd_w, dw) <= fd_tolerance);
  if (!db.empty()) CHECK(normwise_error(fd_b, db) <= fd_tolerance);
}

}  // namespace

TEST_CASE("conv2d_pass gradients match central finite differences", "[conv2d]") {
  const std::vector<geometry> cases = {
      {4, 6, 3, 5, 6, 7, {1, padding::same_zero, 2}},
      {4, 8, 3, 3, 8, 6, {2, padding::same_circular, 4}},
      {2, 4, 2, 3, 7, 5, {2, padding::valid, 1}},
  };
  std::uint64_t seed = 500;
  for (const geometry& g : cases) {
    INFO(g.describe());
    for (std::size_t batch : {1, 3}) {
      auto p = make_bound(g, true, ++seed);
      check_finite_differences(*p, g, batch, seed);
    }
  }
}

TEST_CASE("conv2d make_pass: tanh after the conv, gradients by finite differences", "[conv2d]") {
  // The descriptor's pass wraps conv2d_pass in activated_pass<tanh>; a nonlinear loss surface, so
  // the central difference carries an O(h²) error (≈ 1e-10 here, far below the 1e-6 bound).
  constexpr conv_options opt{2, padding::same_zero, 2};
  using layer = initlab::conv2d<4, 6, 3, 2, initlab::xavier_normal, initlab::tanh, opt,
                                initlab::random_normal<0.1>>;
  auto p = layer::make_pass();
  CHECK(p->name() == "conv2d");
  const geometry g{4, 6, 3, 2, 7, 6, opt};
  REQUIRE(p->bind({4, 7, 6}) == shape{6, 4, 3});
  p->sample(stream(9).child(0), stream(9).child(1), initlab::bulk_sampler{});
  REQUIRE(p->biases().size() == 6);
  check_finite_differences(*p, g, 2, 9);
  CHECK(p->pre_activation() != nullptr);

  // The descriptor's law and bias law reach the pass: same draws as a conv2d_pass built by hand.
  conv2d_pass direct(4, 6, 3, 2, opt, layer::law(), initlab::random_normal<0.1>::law(0, 0));
  direct.bind({4, 7, 6});
  auto q = layer::make_pass();
  q->bind({4, 7, 6});
  q->sample(stream(10).child(0), stream(10).child(1), initlab::bulk_sampler{});
  direct.sample(stream(10).child(0), stream(10).child(1), initlab::bulk_sampler{});
  CHECK(bit_mismatches(q->weights(), direct.weights()) == 0);
  CHECK(bit_mismatches(q->biases(), direct.biases()) == 0);
}

// ================================================================ (c) clones and batch splits

TEST_CASE("conv2d_pass clones are independent", "[conv2d]") {
  const geometry g{4, 8, 3, 3, 6, 5, {2, padding::same_zero, 2}};
  const std::size_t batch = 5;
  auto p = make_bound(g, true, 42);
  const vec x1 = normal_vector(stream(42).child(2), g.cin * g.h * g.w * batch);
  const vec x2 = normal_vector(stream(42).child(3), x1.size());
  const vec dy = normal_vector(stream(42).child(4), g.cout * g.oh() * g.ow() * batch);
  vec y1(dy.size()), y1_clone(dy.size()), dx1(x1.size()), scratch(dy.size()), dscratch(x1.size());

  p->forward(x1.data(), y1.data(), batch);
  const vec w_before(p->weights().begin(), p->weights().end());
  auto c = p->clone();
  CHECK(c->name() == "conv2d");
  CHECK(bit_mismatches(c->weights(), w_before) == 0);
  CHECK(c->weights().data() != p->weights().data());

  // The clone runs its own forward/backward/step on other data ...
  c->forward(x2.data(), scratch.data(), batch);
  c->backward(dy.data(), dscratch.data());
  c->compute_gradients();
  c->sgd_step(0.5);
  c->weights()[0] = 123.0;
  c->sample(stream(7).child(0), stream(7).child(1), initlab::bulk_sampler{});

  // ... and the original still holds its parameters and its last forward pass (x1).
  CHECK(bit_mismatches(p->weights(), w_before) == 0);
  p->backward(dy.data(), dx1.data());
  p->compute_gradients();
  vec dw, db;
  naive_gradients(g, x1, dy, batch, true, dw, db);
  CHECK(bit_mismatches(p->weight_gradients(), dw) == 0);
  CHECK(bit_mismatches(p->bias_gradients(), db) == 0);

  // A clone taken before any change computes the same bits as its original.
  auto fresh = make_bound(g, true, 42);
  auto twin = fresh->clone();
  vec a(dy.size()), b(dy.size());
  fresh->forward(x1.data(), a.data(), batch);
  twin->forward(x1.data(), b.data(), batch);
  CHECK(bit_mismatches(a, b) == 0);
  CHECK(bit_mismatches(a, y1) == 0);

  // The same through the descriptor's pass (activated_pass clones its inner conv2d_pass).
  using layer = initlab::conv2d<4, 8, 3, 3, initlab::he_normal, initlab::relu,
                                conv_options{2, padding::same_zero, 2}>;
  auto m = layer::make_pass();
  m->bind({4, 6, 5});
  m->sample(stream(3).child(0), stream(3).child(1), initlab::bulk_sampler{});
  auto mc = m->clone();
  mc->weights()[0] = mc->weights()[0] + 1.0;
  CHECK(m->weights()[0] != mc->weights()[0]);
}

TEST_CASE("conv2d_pass per-sample bits do not depend on the batch or its split", "[conv2d]") {
  for (const geometry& g : {geometry{4, 8, 3, 5, 7, 6, {1, padding::same_zero, 2}},
                            geometry{4, 4, 3, 3, 8, 8, {2, padding::same_circular, 4}},
                            geometry{2, 6, 2, 3, 6, 7, {2, padding::valid, 1}}}) {
    INFO(g.describe());
    const std::size_t batch = 16;
    auto p = make_bound(g, true, 77);
    const std::size_t nin = g.cin * g.h * g.w, nout = g.cout * g.oh() * g.ow();
    const vec x = normal_vector(stream(77).child(2), nin * batch);
    const vec dy = normal_vector(stream(77).child(3), nout * batch);
    vec y(nout * batch), dx(nin * batch);
    p->forward(x.data(), y.data(), batch);
    p->backward(dy.data(), dx.data());

    // Columns [b0, b0 + n) of a feature-major batch, as a batch of n.
    const auto columns = [](const vec& v, std::size_t features, std::size_t from, std::size_t b0,
                            std::size_t n) {
      vec out(features * n);
      for (std::size_t f = 0; f < features; ++f)
        for (std::size_t b = 0; b < n; ++b)
          out[f * n + b] = v[f * from + b0 + b];
      return out;
    };
    // Splits 5 + 11, and 1 + 15 (a single sample and an odd remainder).
    for (const auto& split : {std::vector<std::size_t>{5, 11}, std::vector<std::size_t>{1, 15},
                              std::vector<std::size_t>{16}}) {
      std::size_t b0 = 0;
      for (std::size_t n : split) {
        INFO("samples " << b0 << " .. " << b0 + n - 1);
        const vec xs = columns(x, nin, batch, b0, n);
        const vec dys = columns(dy, nout, batch, b0, n);
        vec ys(nout * n), dxs(nin * n);
        p->forward(xs.data(), ys.data(), n);
        p->backward(dys.data(), dxs.data());
        CHECK(bit_mismatches(ys, columns(y, nout, batch, b0, n)) == 0);
        CHECK(bit_mismatches(dxs, columns(dx, nin, batch, b0, n)) == 0);
        b0 += n;
      }
    }
  }
}

// ========================================================= (d) Monte Carlo: the analytic maps
//
// N independent networks (weights from initlab::fill with the descriptor's He-normal law, inputs
// or output gradients from fill_normal, streams stream(seed).child(n)). Per network one statistic
// (a mean of squares over units, pixels and samples); the estimate is its mean over networks and
// the standard error its sample standard deviation / √N, the networks being i.i.d. Tolerance:
// 5 standard errors. Each check also asserts that a nearby wrong value lies outside that
// tolerance (a negative control): otherwise passing would not discriminate.

namespace {

constexpr double z_tolerance = 5.0;  // standard errors

struct estimate {
  double mean = 0.0;
  double se = 0.0;  // standard error of the mean
  [[nodiscard]] double tolerance() const { return z_tolerance * se; }
  [[nodiscard]] bool accepts(double value) const { return std::abs(mean - value) <= tolerance(); }
};

estimate estimate_of(const vec& per_network) {
  const double n = static_cast<double>(per_network.size());
  double m = 0.0;
  for (double v : per_network)
    m += v;
  m /= n;
  double ss = 0.0;
  for (double v : per_network)
    ss += (v - m) * (v - m);
  return {m, std::sqrt(ss / (n - 1.0) / n)};
}

// Checks `e` against the prediction and that it rejects each of `wrong` (value, label).
void check_estimate(const estimate& e, double predicted,
                    const std::vector<std::pair<double, const char*>>& wrong) {
  INFO("estimate " << e.mean << " ± " << e.se << " (se), tolerance " << e.tolerance()
                   << ", predicted " << predicted << ", relative resolution "
                   << e.tolerance() / predicted);
  CHECK(e.accepts(predicted));
  for (const auto& [value, label] : wrong) {
    INFO("negative control: " << label << " = " << value);
    CHECK_FALSE(e.accepts(value));
  }
}

// Per network: y = conv(x) for x ~ N(0, q) i.i.d.; returns, for every output pixel class given by
// `cls` (pixel index i·OW + j → class ≥ 0), the per-network means of y² over the class, and under
// key −1 the means over the whole output.
template <class Layer>
std::map<int, vec> forward_moments(std::size_t h, std::size_t w, std::size_t batch,
                                   std::size_t networks, double q, std::uint64_t seed,
                                   const std::vector<int>& cls) {
  conv2d_pass p(Layer::in_channels, Layer::out_channels, Layer::kernel_height, Layer::kernel_width,
                conv_options{Layer::stride, Layer::padding, Layer::groups}, Layer::law());
  const shape out = p.bind({Layer::in_channels, h, w});
  const std::size_t pixels = out.height * out.width;
  REQUIRE(cls.size() == pixels);
  std::map<int, vec> result;
  std::map<int, double> count;
  for (int c : cls)
    count[c] += static_cast<double>(out.channels * batch);
  vec x(Layer::in_channels * h * w * batch), y(out.size() * batch);
  for (std::size_t n = 0; n < networks; ++n) {
    const stream net = stream(seed).child(n);
    p.sample(net.child(0), net.child(1), initlab::bulk_sampler{});
    initlab::fill_normal(net.child(2), std::span<double>(x), 0.0, std::sqrt(q));
    p.forward(x.data(), y.data(), batch);
    std::map<int, double> sums;
    for (std::size_t c = 0; c < out.channels; ++c)
      for (std::size_t px = 0; px < pixels; ++px)
        for (std::size_t b = 0; b < batch; ++b) {
          const double v = y[(c * pixels + px) * batch + b];
          sums[cls[px]] += v * v;
        }
    double total = 0.0;
    for (const auto& [c, s] : sums) {
      result[c].push_back(s / count[c]);
      total += s;
    }
    result[-1].push_back(total / static_cast<double>(out.size() * batch));
  }
  return result;
}

// Per network: dx = convᵀ(dy) for dy ~ N(0, 1) i.i.d. and independent of W (so gradient
// independence holds exactly); returns the per-network means of dx² over all input units.
template <class Layer>
vec backward_moments(std::size_t h, std::size_t w, std::size_t batch, std::size_t networks,
                     std::uint64_t seed) {
  conv2d_pass p(Layer::in_channels, Layer::out_channels, Layer::kernel_height, Layer::kernel_width,
                conv_options{Layer::stride, Layer::padding, Layer::groups}, Layer::law());
  const shape out = p.bind({Layer::in_channels, h, w});
  const vec x(Layer::in_channels * h * w * batch, 0.0);  // dx does not depend on x
  vec y(out.size() * batch), dy(out.size() * batch), dx(x.size());
  vec result;
  for (std::size_t n = 0; n < networks; ++n) {
    const stream net = stream(seed).child(n);
    p.sample(net.child(0), net.child(1), initlab::bulk_sampler{});
    p.forward(x.data(), y.data(), batch);
    initlab::fill_normal(net.child(3), std::span<double>(dy), 0.0, 1.0);
    p.backward(dy.data(), dx.data());
    double s = 0.0;
    for (double v : dx)
      s += v * v;
    result.push_back(s / static_cast<double>(dx.size()));
  }
  return result;
}

constexpr double mc_q = 1.5;  // E[x²] of the Monte Carlo inputs
constexpr std::size_t mc_networks = 600;

}  // namespace

TEST_CASE("conv2d Monte Carlo: E[y²] = fan_in·σ²·q with circular padding", "[conv2d][mc]") {
  SECTION("stride 1, groups 1, 3 x 5 kernel") {
    using layer = initlab::conv2d<16, 32, 3, 5, initlab::he_normal, initlab::identity,
                                  conv_options{1, padding::same_circular, 1}>;
    const double predicted = layer::pre_activation(initlab::input_signal(mc_q)).q;
    const auto m = forward_moments<layer>(4, 5, 4, mc_networks, mc_q, 11, std::vector<int>(20, 0));
    check_estimate(estimate_of(m.at(0)), predicted, {{1.03 * predicted, "3% too large"}});
  }
  SECTION("stride 2, groups 4: fan_in per group") {
    using layer = initlab::conv2d<16, 32, 3, 3, initlab::he_normal, initlab::identity,
                                  conv_options{2, padding::same_circular, 4}>;
    static_assert(layer::fan_in == 4 * 9);
    const double sigma2 = layer::weight_variance();
    const double predicted = layer::pre_activation(initlab::input_signal(mc_q)).q;
    const auto m = forward_moments<layer>(6, 8, 4, mc_networks, mc_q, 12, std::vector<int>(12, 0));
    check_estimate(estimate_of(m.at(0)), predicted,
                   {{0.97 * predicted, "3% too small"},
                    {16.0 * 9.0 * sigma2 * mc_q, "fan_in over all CIn channels"}});
  }
}

TEST_CASE("conv2d Monte Carlo: zero padding, pixel by pixel (border formula)", "[conv2d][mc]") {
  // 3 x 3 kernel, stride 1, 5 x 6 image: corners see 4 taps, edges 6, the interior 9.
  using layer = initlab::conv2d<16, 32, 3, 3, initlab::he_normal, initlab::identity,
                                conv_options{1, padding::same_zero, 1}>;
  const std::size_t h = 5, w = 6;
  const initlab::signal in = initlab::input_signal(mc_q);
  std::vector<int> cls;
  std::map<int, double> predicted;
  for (std::size_t i = 0; i < h; ++i)
    for (std::size_t j = 0; j < w; ++j) {
      const int edges = (i == 0 || i + 1 == h) + (j == 0 || j + 1 == w);  // 0, 1 or 2
      cls.push_back(edges);
      const double v = layer::border_forward_second_moment(h, w, i, j, in);
      if (predicted.count(edges) != 0) REQUIRE(predicted[edges] == v);  // one value per class
      predicted[edges] = v;
    }
  const double interior = layer::pre_activation(in).q;
  REQUIRE(predicted[0] == interior);
  const auto m = forward_moments<layer>(h, w, 8, mc_networks, mc_q, 13, cls);
  const char* names[] = {"interior", "edge", "corner"};
  for (int c = 0; c < 3; ++c) {
    INFO("class " << names[c]);
    std::vector<std::pair<double, const char*>> wrong = {{1.03 * predicted[c], "3% too large"}};
    if (c > 0) wrong.push_back({interior, "the interior value (border ignored)"});
    check_estimate(estimate_of(m.at(c)), predicted[c], wrong);
  }
  // The image average is the tap fraction times the interior value.
  const double average = layer::zero_padding_tap_fraction(h, w) * interior;
  check_estimate(estimate_of(m.at(-1)), average,
                 {{0.97 * average, "3% too small"}, {interior, "no border effect"}});
}

TEST_CASE("conv2d Monte Carlo: zero padding, stride 2, non-square kernel", "[conv2d][mc]") {
  // 3 x 4 kernel (taps at o·s − 1 … o·s + 1 rows, o·s − 1 … o·s + 2 columns), 7 x 9 image:
  // the classes are the distinct tap counts n_ij.
  using layer = initlab::conv2d<16, 32, 3, 4, initlab::he_normal, initlab::identity,
                                conv_options{2, padding::same_zero, 1}>;
  const std::size_t h = 7, w = 9, oh = 4, ow = 5;
  const initlab::signal in = initlab::input_signal(mc_q);
  const double per_tap = layer::pre_activation(in).q / 12.0;
  std::vector<int> cls;
  std::map<int, double> predicted;
  for (std::size_t i = 0; i < oh; ++i)
    for (std::size_t j = 0; j < ow; ++j) {
      const double v = layer::border_forward_second_moment(h, w, i, j, in);
      const int taps = static_cast<int>(std::lround(v / per_tap));
      cls.push_back(taps);
      predicted[taps] = v;
    }
  // Row counts (2, 3, 3, 2) × column counts (3, 4, 4, 4, 2): n_ij ∈ {4, 6, 8, 9, 12}.
  REQUIRE(predicted.size() == 5);
  REQUIRE(predicted.count(4) == 1);
  REQUIRE(predicted.count(6) == 1);
  REQUIRE(predicted.count(8) == 1);
  REQUIRE(predicted.count(9) == 1);
  REQUIRE(predicted.count(12) == 1);
  const auto m = forward_moments<layer>(h, w, 16, mc_networks, mc_q, 14, cls);
  for (const auto& [taps, value] : predicted) {
    INFO("n_ij = " << taps);
    check_estimate(estimate_of(m.at(taps)), value, {{1.03 * value, "3% too large"}});
  }
}

TEST_CASE("conv2d Monte Carlo: backward gain fan_out·σ²/s² with circular padding", "[conv2d][mc]") {
  SECTION("stride 1") {
    using layer = initlab::conv2d<16, 32, 3, 3, initlab::he_normal, initlab::identity,
                                  conv_options{1, padding::same_circular, 1}>;
    const double gain = layer::backward_from_pre_activation(initlab::input_signal(1.0), 1.0);
    check_estimate(estimate_of(backward_moments<layer>(4, 4, 4, mc_networks, 21)), gain,
                   {{1.03 * gain, "3% too large"}});
  }
  SECTION("stride 2") {
    using layer = initlab::conv2d<16, 32, 3, 3, initlab::he_normal, initlab::identity,
                                  conv_options{2, padding::same_circular, 1}>;
    const double gain = layer::backward_from_pre_activation(initlab::input_signal(1.0), 1.0);
    const double stride_free = static_cast<double>(layer::fan_out) * layer::weight_variance();
    REQUIRE(gain == stride_free / 4.0);
    check_estimate(estimate_of(backward_moments<layer>(4, 6, 8, mc_networks, 22)), gain,
                   {{0.97 * gain, "3% too small"}, {stride_free, "the stride-free gain"}});
  }
  SECTION("groups 4, stride 1 and 2: fan_out per group") {
    using g1 = initlab::conv2d<16, 32, 3, 3, initlab::he_normal, initlab::identity,
                               conv_options{1, padding::same_circular, 4}>;
    using g2 = initlab::conv2d<16, 32, 3, 3, initlab::he_normal, initlab::identity,
                               conv_options{2, padding::same_circular, 4}>;
    static_assert(g1::fan_out == 8 * 9);
    // PyTorch's _calculate_fan_in_and_fan_out: COut·KH·KW for a grouped conv (pytorch#23854).
    const double pytorch_fan_out = 32.0 * 9.0;
    const double gain1 = g1::backward_from_pre_activation(initlab::input_signal(1.0), 1.0);
    check_estimate(estimate_of(backward_moments<g1>(4, 4, 8, mc_networks, 23)), gain1,
                   {{1.03 * gain1, "3% too large"},
                    {pytorch_fan_out * g1::weight_variance(), "PyTorch's grouped fan_out"}});
    const double gain2 = g2::backward_from_pre_activation(initlab::input_signal(1.0), 1.0);
    check_estimate(estimate_of(backward_moments<g2>(6, 4, 8, mc_networks, 24)), gain2,
                   {{0.97 * gain2, "3% too small"},
                    {pytorch_fan_out * g2::weight_variance() / 4.0, "PyTorch's grouped fan_out"}});
  }
}
