// batch_norm and layer_norm run-time passes: the exact per-batch identities of THEORY.md §7,
// backward against an independent naive implementation, a replica of the documented summation
// order and central finite differences, scale invariance, the finite-n backward factor, and
// Monte Carlo checks of the analytic maps with tolerances from standard errors and negative
// controls near the resolution. Tolerances are stated next to each check; INITLAB_NORM_TEST_REPORT=1
// prints the measured errors behind them (GCC 12 -O2 and -O1 -fsanitize=address,undefined,
// x86-64, -ffp-contract=off).
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initlab/batch_norm.hpp>
#include <initlab/dense.hpp>
#include <initlab/layer_norm.hpp>
#include <initlab/random.hpp>
#include <initlab/sampler.hpp>
#include <initlab/serial.hpp>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using initlab::shape;
using vec = std::vector<double>;
constexpr double u = 0x1p-53;  // unit roundoff of double

// Set INITLAB_NORM_TEST_REPORT=1 to print the measured errors behind the stated tolerances.
void report(const char* what, double value) {
  static const bool on = std::getenv("INITLAB_NORM_TEST_REPORT") != nullptr;
  if (on) std::printf("%-58s %.6g\n", what, value);
}

const initlab::stream root = initlab::stream(20250307);

vec normals(const initlab::stream& s, std::size_t n, double mean = 0.0, double sd = 1.0) {
  vec v(n);
  initlab::fill_normal(s, std::span<double>(v), mean, sd);
  return v;
}

// Distance in representable doubles (0 = same bits; +0 and −0 are 0 apart).
std::int64_t ulps(double a, double b) {
  auto key = [](double x) {
    const auto i = std::bit_cast<std::int64_t>(x);
    return i < 0 ? std::numeric_limits<std::int64_t>::min() - i : i;
  };
  const std::int64_t d = key(a) - key(b);
  return d < 0 ? -d : d;
}

std::int64_t max_ulps(const vec& a, const vec& b) {
  std::int64_t m = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    m = std::max(m, ulps(a[i], b[i]));
  return m;
}

double max_abs(const vec& a) {
  double m = 0.0;
  for (double v : a)
    m = std::max(m, std::abs(v));
  return m;
}

// max_i |a_i − b_i| / max_i |b_i|: normwise relative error (elementwise relative error is
// meaningless for the entries of dx that cancel to near 0).
double normwise_error(const vec& a, const vec& b) {
  double m = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    m = std::max(m, std::abs(a[i] - b[i]));
  return m / max_abs(b);
}

struct run {
  vec y, dx;
};

run forward_backward(initlab::layer_pass& pass, shape s, const vec& x, std::size_t batch,
                     const vec& g) {
  REQUIRE(pass.bind(s) == s);
  run r{vec(x.size()), vec(x.size())};
  pass.forward(x.data(), r.y.data(), batch);
  if (!g.empty()) pass.backward(g.data(), r.dx.data());
  return r;
}

// Inputs with a different mean and scale per feature (feature-major, layer.hpp): scales 10^-3 …
// 10^3 and offsets of up to 3 of those scales, so the identities are tested far from N(0, 1).
vec spread_inputs(const initlab::stream& s, shape sh, std::size_t batch) {
  const std::size_t per = sh.height * sh.width * batch;
  vec x = normals(s, sh.channels * per);
  for (std::size_t c = 0; c < sh.channels; ++c) {
    const double scale =
        std::pow(10.0, -3.0 + 6.0 * static_cast<double>(c) /
                                  static_cast<double>(std::max<std::size_t>(sh.channels - 1, 1)));
    const double offset = 3.0 * std::sin(1.0 + static_cast<double>(c)) * scale;
    for (std::size_t k = 0; k < per; ++k)
      x[c * per + k] = offset + scale * x[c * per + k];
  }
  return x;
}

// Index of (channel c, pixel p, sample b) in the feature-major layout.
std::size_t at(shape s, std::size_t c, std::size_t p, std::size_t b, std::size_t batch) {
  return (c * s.height * s.width + p) * batch + b;
}

// ------------------------------------------------------------------------ reference passes

// The documented order, written out independently of the library: 8 partial sums over i ≡ j
// (mod 8) ascending, ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)), then the tail ascending.
double documented_sum(const vec& v) {
  double s[8] = {};
  const std::size_t full = v.size() / 8 * 8;
  for (std::size_t i = 0; i < full; ++i)
    s[i % 8] += v[i];
  double t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (std::size_t i = full; i < v.size(); ++i)
    t += v[i];
  return t;
}

// One group (already gathered in the documented order) through the documented formulas.
void documented_group(const vec& x, const vec& g, double eps, vec& y, vec& dx) {
  const double n = static_cast<double>(x.size());
  const double mu = documented_sum(x) / n;
  vec d2(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    d2[i] = (x[i] - mu) * (x[i] - mu);
  const double s = std::sqrt(documented_sum(d2) / n + eps);
  y.resize(x.size());
  dx.resize(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    y[i] = (x[i] - mu) / s;
  vec gy(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    gy[i] = g[i] * y[i];
  const double mg = documented_sum(g) / n;
  const double mgy = documented_sum(gy) / n;
  for (std::size_t i = 0; i < x.size(); ++i)
    dx[i] = ((g[i] - mg) - y[i] * mgy) / s;
}

// Batch norm by the documented order: channel c's values in storage order k = p·B + b.
run documented_batch_norm(shape s, const vec& x, std::size_t batch, double eps, const vec& g) {
  const std::size_t n = s.height * s.width * batch;
  run r{vec(x.size()), vec(x.size())};
  for (std::size_t c = 0; c < s.channels; ++c) {
    vec xs(x.begin() + static_cast<std::ptrdiff_t>(c * n),
           x.begin() + static_cast<std::ptrdiff_t>((c + 1) * n));
    vec gs(g.begin() + static_cast<std::ptrdiff_t>(c * n),
           g.begin() + static_cast<std::ptrdiff_t>((c + 1) * n));
    vec y, dx;
    documented_group(xs, gs, eps, y, dx);
    std::copy(y.begin(), y.end(), r.y.begin() + static_cast<std::ptrdiff_t>(c * n));
    std::copy(dx.begin(), dx.end(), r.dx.begin() + static_cast<std::ptrdiff_t>(c * n));
  }
  return r;
}

// Layer norm by the documented order: sample b's features f ascending.
run documented_layer_norm(shape s, const vec& x, std::size_t batch, double eps, const vec& g) {
  const std::size_t f = s.size();
  run r{vec(x.size()), vec(x.size())};
  for (std::size_t b = 0; b < batch; ++b) {
    vec xs(f), gs(f), y, dx;
    for (std::size_t i = 0; i < f; ++i) {
      xs[i] = x[i * batch + b];
      gs[i] = g[i * batch + b];
    }
    documented_group(xs, gs, eps, y, dx);
    for (std::size_t i = 0; i < f; ++i) {
      r.y[i * batch + b] = y[i];
      r.dx[i * batch + b] = dx[i];
    }
  }
  return r;
}

// Naive batch norm: plain left-to-right sums in (sample, pixel) order, a different order from
// the library's, and the textbook backward of Ioffe & Szegedy (2015, §3) term by term:
// ∂L/∂σ² = Σ g·(x − μ)·(−½)(σ² + ε)^(−3/2), ∂L/∂μ = −Σ g/s (+ ∂L/∂σ²·(−2/n)Σ(x − μ) = 0 exactly
// in real arithmetic, kept), ∂L/∂x = g/s + ∂L/∂σ²·2(x − μ)/n + ∂L/∂μ/n.
run naive_batch_norm(shape s, const vec& x, std::size_t batch, double eps, const vec& g) {
  const std::size_t pixels = s.height * s.width;
  const double n = static_cast<double>(pixels * batch);
  run r{vec(x.size()), vec(x.size())};
  for (std::size_t c = 0; c < s.channels; ++c) {
    double mu = 0.0;
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t p = 0; p < pixels; ++p)
        mu += x[at(s, c, p, b, batch)];
    mu /= n;
    double var = 0.0;
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t p = 0; p < pixels; ++p) {
        const double d = x[at(s, c, p, b, batch)] - mu;
        var += d * d;
      }
    var /= n;
    const double sd = std::sqrt(var + eps);
    double dvar = 0.0, dmu = 0.0, sum_dev = 0.0;
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t p = 0; p < pixels; ++p) {
        const std::size_t i = at(s, c, p, b, batch);
        r.y[i] = (x[i] - mu) / sd;
        dvar += g[i] * (x[i] - mu) * -0.5 / (sd * sd * sd);
        dmu += -g[i] / sd;
        sum_dev += x[i] - mu;
      }
    dmu += dvar * -2.0 * sum_dev / n;
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t p = 0; p < pixels; ++p) {
        const std::size_t i = at(s, c, p, b, batch);
        r.dx[i] = g[i] / sd + dvar * 2.0 * (x[i] - mu) / n + dmu / n;
      }
  }
  return r;
}

// Naive layer norm, the same textbook backward per sample, features in descending order.
run naive_layer_norm(shape s, const vec& x, std::size_t batch, double eps, const vec& g) {
  const std::size_t f = s.size();
  const double n = static_cast<double>(f);
  run r{vec(x.size()), vec(x.size())};
  for (std::size_t b = 0; b < batch; ++b) {
    double mu = 0.0;
    for (std::size_t i = f; i-- > 0;)
      mu += x[i * batch + b];
    mu /= n;
    double var = 0.0;
    for (std::size_t i = f; i-- > 0;)
      var += (x[i * batch + b] - mu) * (x[i * batch + b] - mu);
    var /= n;
    const double sd = std::sqrt(var + eps);
    double dvar = 0.0, dmu = 0.0, sum_dev = 0.0;
    for (std::size_t i = f; i-- > 0;) {
      const std::size_t k = i * batch + b;
      r.y[k] = (x[k] - mu) / sd;
      dvar += g[k] * (x[k] - mu) * -0.5 / (sd * sd * sd);
      dmu += -g[k] / sd;
      sum_dev += x[k] - mu;
    }
    dmu += dvar * -2.0 * sum_dev / n;
    for (std::size_t i = 0; i < f; ++i) {
      const std::size_t k = i * batch + b;
      r.dx[k] = g[k] / sd + dvar * 2.0 * (x[k] - mu) / n + dmu / n;
    }
  }
  return r;
}

// ∂L/∂x of L(x) = Σ_i w_i·out_i(x) by central differences, step h·(1 + |x_k|).
vec finite_differences(initlab::layer_pass& pass, shape s, vec x, std::size_t batch, const vec& w,
                       double h) {
  pass.bind(s);
  vec out(x.size()), grad(x.size());
  auto loss = [&] {
    pass.forward(x.data(), out.data(), batch);
    long double l = 0.0L;
    for (std::size_t i = 0; i < out.size(); ++i)
      l += static_cast<long double>(w[i]) * out[i];
    return l;
  };
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double x0 = x[k];
    const double step = h * (1.0 + std::abs(x0));
    x[k] = x0 + step;
    const long double up = loss();
    x[k] = x0 - step;
    const long double down = loss();
    x[k] = x0;
    // The step actually taken is (x0 + step) − (x0 − step), exactly representable here.
    grad[k] = static_cast<double>((up - down) / ((x0 + step) - (x0 - step)));
  }
  return grad;
}

// Mean and standard error of independent replicates.
struct estimate {
  double mean = 0.0, se = 0.0;
};
estimate mean_se(const vec& v) {
  long double s = 0.0L;
  for (double x : v)
    s += x;
  const double m = static_cast<double>(s / static_cast<long double>(v.size()));
  long double ss = 0.0L;
  for (double x : v)
    ss += (x - m) * static_cast<long double>(x - m);
  const double var = static_cast<double>(ss / static_cast<long double>(v.size() - 1));
  return {m, std::sqrt(var / static_cast<double>(v.size()))};
}

// A claim against a Monte Carlo estimate: accepted when |estimate − analytic| ≤ z·SE + bias,
// with `bias` a bound on the finite-B (or finite-width) bias of the estimator. resolution: the
// smallest error refuted with probability ≥ 0.9 (normal estimator): (z + 1.2816)·SE + bias.
constexpr double z_crit = 4.0;  // two-sided 6e-5 per check (the seeds are fixed anyway)
struct claim {
  estimate e;
  double bias;
  [[nodiscard]] double half_width() const { return z_crit * e.se + bias; }
  [[nodiscard]] double resolution() const { return (z_crit + 1.2815515655446004) * e.se + bias; }
  [[nodiscard]] bool accepts(double analytic) const {
    return std::abs(e.mean - analytic) <= half_width();
  }
};

}  // namespace

// ================================================================= (a) per-batch identities

TEST_CASE("batch_norm, eps = 0: sum of y-hat is 0 and sum of squares is n per feature",
          "[norm][batch_norm]") {
  // Tolerances, with u = 2^-53 and n values per feature (sums of the outputs in long double):
  //   |Σŷ| ≤ 8·n·u·(1 + ‖x‖∞/σ)   (the rounding of μ, amplified by |x|/σ, dominates)
  //   |Σŷ² − n| ≤ 16·n·u
  // (INITLAB_NORM_TEST_REPORT=1 prints the measured worst cases in those units.)
  const struct {
    shape s;
    std::size_t batch;
  } cases[] = {{{7, 1, 1}, 37}, {{5, 1, 1}, 256}, {{3, 4, 5}, 6}, {{2, 3, 3}, 1}};
  double worst_sum = 0.0, worst_sq = 0.0;
  std::uint64_t idx = 0;
  for (const auto& c : cases) {
    const vec x = spread_inputs(root.child(1).child(idx++), c.s, c.batch);
    initlab::batch_norm_pass pass(0.0);
    const run r = forward_backward(pass, c.s, x, c.batch, {});
    const std::size_t n = c.s.height * c.s.width * c.batch;
    REQUIRE(pass.values_per_feature() == n);
    for (std::size_t ch = 0; ch < c.s.channels; ++ch) {
      long double sum = 0.0L, sq = 0.0L;
      double xmax = 0.0;
      for (std::size_t k = 0; k < n; ++k) {
        sum += r.y[ch * n + k];
        sq += static_cast<long double>(r.y[ch * n + k]) * r.y[ch * n + k];
        xmax = std::max(xmax, std::abs(x[ch * n + k]));
      }
      const double sigma = std::sqrt(pass.statistics(ch).variance);
      const double nu = static_cast<double>(n) * u;
      const double e_sum = std::abs(static_cast<double>(sum)) / (nu * (1.0 + xmax / sigma));
      const double e_sq = std::abs(static_cast<double>(sq - static_cast<long double>(n))) / nu;
      CAPTURE(c.s.channels, c.s.height, c.s.width, c.batch, ch, e_sum, e_sq);
      CHECK(e_sum <= 8.0);
      CHECK(e_sq <= 16.0);
      worst_sum = std::max(worst_sum, e_sum);
      worst_sq = std::max(worst_sq, e_sq);
    }
  }
  report("BN |sum y|/(n u (1+|x|max/sigma))", worst_sum);
  report("BN |sum y^2 - n|/(n u)", worst_sq);
}

TEST_CASE("layer_norm, eps = 0: sum of x-hat is 0 and sum of squares is F per sample",
          "[norm][layer_norm]") {
  // Same tolerances as batch norm with n = F features.
  const struct {
    shape s;
    std::size_t batch;
  } cases[] = {{{64, 1, 1}, 5}, {{13, 1, 1}, 17}, {{3, 4, 5}, 4}};
  double worst_sum = 0.0, worst_sq = 0.0;
  std::uint64_t idx = 0;
  for (const auto& c : cases) {
    // A common offset 2 and per-feature scales sin(f) make each sample's values far from
    // identically distributed.
    vec x = normals(root.child(2).child(idx++), c.s.size() * c.batch);
    for (std::size_t f = 0; f < c.s.size(); ++f)
      for (std::size_t b = 0; b < c.batch; ++b)
        x[f * c.batch + b] = 2.0 + std::sin(static_cast<double>(f)) * x[f * c.batch + b];
    initlab::layer_norm_pass pass(0.0);
    const run r = forward_backward(pass, c.s, x, c.batch, {});
    const std::size_t n = c.s.size();
    for (std::size_t b = 0; b < c.batch; ++b) {
      long double sum = 0.0L, sq = 0.0L;
      double xmax = 0.0;
      for (std::size_t f = 0; f < n; ++f) {
        const double y = r.y[f * c.batch + b];
        sum += y;
        sq += static_cast<long double>(y) * y;
        xmax = std::max(xmax, std::abs(x[f * c.batch + b]));
      }
      const double sigma = std::sqrt(pass.statistics(b).variance);
      const double nu = static_cast<double>(n) * u;
      const double e_sum = std::abs(static_cast<double>(sum)) / (nu * (1.0 + xmax / sigma));
      const double e_sq = std::abs(static_cast<double>(sq - static_cast<long double>(n))) / nu;
      CAPTURE(c.s.size(), c.batch, b, e_sum, e_sq);
      CHECK(e_sum <= 8.0);
      CHECK(e_sq <= 16.0);
      worst_sum = std::max(worst_sum, e_sum);
      worst_sq = std::max(worst_sq, e_sq);
    }
  }
  report("LN |sum y|/(F u (1+|x|max/sigma))", worst_sum);
  report("LN |sum y^2 - F|/(F u)", worst_sq);
}

// ================================================================ (b) the backward identity

TEST_CASE("batch_norm backward: squared norm identity of THEORY.md section 7",
          "[norm][batch_norm]") {
  // ‖∂L/∂y_j‖² = (1/s²)(‖g‖² − ⟨1,g⟩²/n − (2 − r)⟨g,ŷ⟩²/n), r = σ²/(σ² + ε): r = 1 at ε = 0 is
  // THEORY.md's form. Right side in long double from the pass's ŷ and σ², ε; relative tolerance
  // 64·u. g correlated with ŷ (g = ŷ + noise) so the
  // ⟨g,ŷ⟩ term matters.
  for (double eps : {0.0, 1e-3}) {
    const shape sh{6, 1, 1};
    const std::size_t batch = 50;
    const vec x = spread_inputs(root.child(3), sh, batch);
    vec g = normals(root.child(4), x.size(), 0.3, 1.0);
    initlab::batch_norm_pass pass(eps);
    const run r0 = forward_backward(pass, sh, x, batch, {});
    for (std::size_t i = 0; i < g.size(); ++i)
      g[i] += 2.0 * r0.y[i];
    vec dx(x.size());
    pass.backward(g.data(), dx.data());
    double worst = 0.0;
    for (std::size_t c = 0; c < sh.channels; ++c) {
      long double gg = 0, g1 = 0, gy = 0, lhs = 0;
      for (std::size_t b = 0; b < batch; ++b) {
        const long double gi = g[c * batch + b], yi = r0.y[c * batch + b];
        gg += gi * gi;
        g1 += gi;
        gy += gi * yi;
        lhs += static_cast<long double>(dx[c * batch + b]) * dx[c * batch + b];
      }
      const long double n = static_cast<long double>(batch);
      const long double var = pass.statistics(c).variance;
      const long double s2 = var + eps;
      const long double r = var / s2;
      const long double rhs = (gg - g1 * g1 / n - (2.0L - r) * gy * gy / n) / s2;
      const double rel = static_cast<double>(std::abs(lhs - rhs) / rhs);
      CAPTURE(eps, c, rel / u);
      CHECK(rel <= 64.0 * u);
      worst = std::max(worst, rel / u);
    }
    report(eps == 0.0 ? "BN backward norm identity, eps=0, rel/u"
                      : "BN backward norm identity, eps=1e-3, rel/u",
           worst);
  }
}

// ============================================== (c) reference implementations, finite differences

TEST_CASE("batch_norm and layer_norm against the documented order: same bits",
          "[norm][batch_norm][layer_norm]") {
  const struct {
    shape s;
    std::size_t batch;
  } cases[] = {{{7, 1, 1}, 37}, {{4, 1, 1}, 16}, {{3, 4, 5}, 3}, {{3, 4, 5}, 1}};
  std::uint64_t idx = 0;
  for (const auto& c : cases) {
    for (double eps : {0.0, 1e-5}) {
      const vec x = spread_inputs(root.child(5).child(idx), c.s, c.batch);
      const vec g = normals(root.child(6).child(idx++), x.size(), 0.1, 2.0);
      initlab::batch_norm_pass bn(eps);
      const run lib = forward_backward(bn, c.s, x, c.batch, g);
      const run ref = documented_batch_norm(c.s, x, c.batch, eps, g);
      CAPTURE(c.s.channels, c.s.height, c.s.width, c.batch, eps);
      CHECK(max_ulps(lib.y, ref.y) == 0);
      CHECK(max_ulps(lib.dx, ref.dx) == 0);
      initlab::layer_norm_pass ln(eps);
      const run lib_ln = forward_backward(ln, c.s, x, c.batch, g);
      const run ref_ln = documented_layer_norm(c.s, x, c.batch, eps, g);
      CHECK(max_ulps(lib_ln.y, ref_ln.y) == 0);
      CHECK(max_ulps(lib_ln.dx, ref_ln.dx) == 0);
    }
  }
}

TEST_CASE("batch_norm and layer_norm against a naive textbook implementation",
          "[norm][batch_norm][layer_norm]") {
  // Different summation order and a different (term by term) backward formula, so not the same
  // bits: normwise relative error max|Δ|/max|ref| ≤ 64·u for ŷ and for dx. Inputs here have |μ|/σ = 3 (the naive one-lane sums lose more on wider spreads).
  const struct {
    shape s;
    std::size_t batch;
  } cases[] = {{{7, 1, 1}, 37}, {{16, 1, 1}, 8}, {{3, 4, 5}, 3}};
  double worst_y = 0.0, worst_dx = 0.0;
  std::uint64_t idx = 0;
  for (const auto& c : cases) {
    for (double eps : {0.0, 1e-5}) {
      const vec x = normals(root.child(7).child(idx), c.s.size() * c.batch, 1.5, 0.5);
      const vec g = normals(root.child(8).child(idx++), x.size(), 0.1, 2.0);
      CAPTURE(c.s.channels, c.s.height, c.s.width, c.batch, eps);
      initlab::batch_norm_pass bn(eps);
      const run lib = forward_backward(bn, c.s, x, c.batch, g);
      const run ref = naive_batch_norm(c.s, x, c.batch, eps, g);
      initlab::layer_norm_pass ln(eps);
      const run lib_ln = forward_backward(ln, c.s, x, c.batch, g);
      const run ref_ln = naive_layer_norm(c.s, x, c.batch, eps, g);
      const double ey = std::max(normwise_error(lib.y, ref.y), normwise_error(lib_ln.y, ref_ln.y));
      const double edx =
          std::max(normwise_error(lib.dx, ref.dx), normwise_error(lib_ln.dx, ref_ln.dx));
      CAPTURE(ey / u, edx / u);
      CHECK(ey <= 64.0 * u);
      CHECK(edx <= 64.0 * u);
      worst_y = std::max(worst_y, ey / u);
      worst_dx = std::max(worst_dx, edx / u);
    }
  }
  report("naive reference: y normwise / u", worst_y);
  report("naive reference: dx normwise / u", worst_dx);
}

TEST_CASE("batch_norm and layer_norm backward against central finite differences",
          "[norm][batch_norm][layer_norm]") {
  // L = Σ w·out with fixed random w; step 1e-5·(1 + |x|), loss summed in long double.
  // Tolerance: |FD − dx|/max|dx| ≤ 1e-6 (normwise).
  const struct {
    shape s;
    std::size_t batch;
  } cases[] = {{{4, 1, 1}, 6}, {{9, 1, 1}, 3}, {{3, 4, 5}, 2}};
  double worst = 0.0;
  std::uint64_t idx = 0;
  for (const auto& c : cases) {
    for (double eps : {0.0, 1e-2}) {
      const vec x = normals(root.child(9).child(idx), c.s.size() * c.batch, 0.5, 1.0);
      const vec w = normals(root.child(10).child(idx++), x.size());
      CAPTURE(c.s.channels, c.s.height, c.s.width, c.batch, eps);
      initlab::batch_norm_pass bn(eps);
      const run lib = forward_backward(bn, c.s, x, c.batch, w);
      const double e_bn = normwise_error(finite_differences(bn, c.s, x, c.batch, w, 1e-5), lib.dx);
      initlab::layer_norm_pass ln(eps);
      const run lib_ln = forward_backward(ln, c.s, x, c.batch, w);
      const double e_ln =
          normwise_error(finite_differences(ln, c.s, x, c.batch, w, 1e-5), lib_ln.dx);
      CAPTURE(e_bn, e_ln);
      CHECK(e_bn <= 1e-6);
      CHECK(e_ln <= 1e-6);
      worst = std::max({worst, e_bn, e_ln});
    }
  }
  report("finite differences: normwise rel error", worst);
}

// ===================================================================== (d) scale invariance

TEST_CASE("batch_norm, eps = 0: BN(c x) = BN(x)", "[norm][batch_norm]") {
  // c = 1: the same bits. c a power of two: c·x is exact, so the same bits again. c = 0.01, 100:
  // c·x is rounded once per element, so ŷ moves by at most a few u·(|x − μ| + |μ|)/σ:
  // max|Δŷ| ≤ 16·u·(1 + max|x|/σ).
  const shape sh{5, 2, 3};
  const std::size_t batch = 9;
  const vec x = normals(root.child(11), sh.size() * batch, 0.7, 1.3);
  initlab::batch_norm_pass ref_pass(0.0);
  const run ref = forward_backward(ref_pass, sh, x, batch, {});
  double xmax_over_sigma = 0.0;
  for (std::size_t c = 0; c < sh.channels; ++c)
    xmax_over_sigma =
        std::max(xmax_over_sigma, max_abs(x) / std::sqrt(ref_pass.statistics(c).variance));
  double worst = 0.0;
  for (double c : {0.01, 1.0, 100.0, 0x1p-7, 0x1p7}) {
    vec xc = x;
    for (double& v : xc)
      v *= c;
    initlab::batch_norm_pass pass(0.0);
    const run r = forward_backward(pass, sh, xc, batch, {});
    CAPTURE(c);
    if (c == 1.0 || c == 0x1p-7 || c == 0x1p7) {
      CHECK(max_ulps(r.y, ref.y) == 0);
    } else {
      double d = 0.0;
      for (std::size_t i = 0; i < x.size(); ++i)
        d = std::max(d, std::abs(r.y[i] - ref.y[i]));
      const double e = d / (u * (1.0 + xmax_over_sigma));
      CAPTURE(e);
      CHECK(e <= 16.0);
      worst = std::max(worst, e);
    }
  }
  report("BN scale invariance: max|dy|/(u(1+|x|max/sigma))", worst);
}

TEST_CASE("batch_norm, eps > 0: the output second moment departs as v/(v + eps) at small scales",
          "[norm][batch_norm]") {
  // Per feature, (1/n)Σŷ² = σ²/(σ² + ε) holds per batch; the map batch_norm<ε>::forward at the
  // batch's own σ² must match it to 32·u relative at every scale, and the
  // scale sweep shows the departure from 1 (e.g. ≈ 0.09 at c = 1e-3 for ε = 1e-5).
  constexpr double eps = 1e-5;
  const shape sh{4, 1, 1};
  const std::size_t batch = 200;
  const vec z = normals(root.child(12), sh.size() * batch);
  double worst = 0.0;
  double previous = 0.0;
  for (double c : {1e-4, 1e-3, 3e-3, 1e-2, 1.0, 100.0}) {
    vec x = z;
    for (double& v : x)
      v *= c;
    initlab::batch_norm_pass pass(eps);
    const run r = forward_backward(pass, sh, x, batch, {});
    double mean_q = 0.0;
    for (std::size_t f = 0; f < sh.channels; ++f) {
      long double sq = 0.0L;
      for (std::size_t b = 0; b < batch; ++b)
        sq += static_cast<long double>(r.y[f * batch + b]) * r.y[f * batch + b];
      const double measured = static_cast<double>(sq / static_cast<long double>(batch));
      const double v = pass.statistics(f).variance;
      const double map = initlab::batch_norm<eps>::forward(initlab::signal{v, 0.0, 0.0}).q;
      const double rel = std::abs(measured - map) / map;
      CAPTURE(c, f, v, measured, map, rel / u);
      CHECK(rel <= 32.0 * u);
      worst = std::max(worst, rel / u);
      mean_q += measured / static_cast<double>(sh.channels);
    }
    CAPTURE(c, mean_q);
    CHECK(mean_q > previous);  // increasing in the scale, towards 1
    if (c == 1e-3) CHECK(mean_q < 0.2);
    if (c == 100.0) CHECK(mean_q > 1.0 - 1e-8);
    previous = mean_q;
  }
  report("BN eps>0: (1/n) sum y^2 vs map at batch sigma^2, rel/u", worst);
}

// ======================================================= the exact finite-n backward factor

TEST_CASE("finite-n backward factor: tr(P^T P) = n - 1 - r(2 - r) by the basis vectors",
          "[norm][batch_norm][layer_norm]") {
  // Σ_k ‖∂L/∂x(g = e_k)‖² = tr(PᵀP)/s² for each group: with E[g gᵀ] = g·I this is exactly the
  // expectation the factor states. Relative tolerance 64·u.
  double worst = 0.0;
  const struct {
    shape s;
    std::size_t batch;
    double eps;
  } cases[] = {{{3, 1, 1}, 8, 0.0}, {{3, 1, 1}, 8, 0.5}, {{2, 4, 5}, 2, 0.0}, {{2, 1, 1}, 2, 0.0}};
  std::uint64_t idx = 0;
  for (const auto& c : cases) {
    const vec x = normals(root.child(13).child(idx++), c.s.size() * c.batch);
    initlab::batch_norm_pass pass(c.eps);
    forward_backward(pass, c.s, x, c.batch, {});
    const std::size_t n = pass.values_per_feature();
    vec trace(c.s.channels, 0.0);
    for (std::size_t k = 0; k < n; ++k) {
      vec g(x.size(), 0.0), dx(x.size());
      for (std::size_t ch = 0; ch < c.s.channels; ++ch)
        g[ch * n + k] = 1.0;
      pass.backward(g.data(), dx.data());
      for (std::size_t ch = 0; ch < c.s.channels; ++ch)
        for (std::size_t i = 0; i < n; ++i)
          trace[ch] += dx[ch * n + i] * dx[ch * n + i];
    }
    for (std::size_t ch = 0; ch < c.s.channels; ++ch) {
      const auto& st = pass.statistics(ch);
      const double measured = trace[ch] * st.scale * st.scale / static_cast<double>(n);
      const double factor =
          c.eps == 0.0 ? initlab::batch_norm<0.0>::finite_batch_backward_factor(n)
                       : initlab::batch_norm<0.5>::finite_batch_backward_factor(n, st.variance);
      CAPTURE(c.s.channels, c.s.height, c.s.width, c.batch, c.eps, ch, measured, factor);
      if (n == 2) {
        CHECK(factor == 0.0);
        CHECK(measured <= 1e-30);  // two values: ŷ = ±1 and dx = 0 up to rounding
      } else {
        CHECK(std::abs(measured - factor) <= 64.0 * u * factor);
        worst = std::max(worst, std::abs(measured - factor) / (u * factor));
      }
    }
  }
  // layer norm: the same algebra per sample over F features.
  {
    const shape sh{10, 1, 1};
    const std::size_t batch = 3;
    const vec x = normals(root.child(14), sh.size() * batch, 1.0, 2.0);
    initlab::layer_norm_pass pass(0.0);
    forward_backward(pass, sh, x, batch, {});
    vec trace(batch, 0.0);
    for (std::size_t k = 0; k < sh.size(); ++k) {
      vec g(x.size(), 0.0), dx(x.size());
      for (std::size_t b = 0; b < batch; ++b)
        g[k * batch + b] = 1.0;
      pass.backward(g.data(), dx.data());
      for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t f = 0; f < sh.size(); ++f)
          trace[b] += dx[f * batch + b] * dx[f * batch + b];
    }
    for (std::size_t b = 0; b < batch; ++b) {
      const auto& st = pass.statistics(b);
      const double measured = trace[b] * st.scale * st.scale / 10.0;
      const double factor = initlab::layer_norm<0.0>::finite_width_backward_factor(10);
      CHECK(factor == 0.8);
      CHECK(std::abs(measured - factor) <= 64.0 * u * factor);
      worst = std::max(worst, std::abs(measured - factor) / (u * factor));
    }
  }
  report("finite-n factor by basis vectors, rel/u", worst);
}

TEST_CASE("finite-n backward over Gaussian batches: (n - 2)/(n - 3) g/v, not g/v",
          "[norm][batch_norm]") {
  // B = 16, ε = 0, x i.i.d. N(0, v = 4), g i.i.d. N(0, 1) independent of x; 2^15 independent
  // features (batches). E[(∂L/∂x)²] = (14/13)·g/v exactly; the leading-order map g/v is 7.7%
  // low, far outside the interval (its resolution is 1.7% of the value, measured).
  const std::size_t batch = 16, features = 1 << 15;
  const double v = 4.0;
  const vec x = normals(root.child(15), features * batch, 0.0, 2.0);
  const vec g = normals(root.child(16), features * batch);
  initlab::batch_norm_pass pass(0.0);
  const run r = forward_backward(pass, {features, 1, 1}, x, batch, g);
  vec per(features);
  for (std::size_t f = 0; f < features; ++f) {
    double s = 0.0;
    for (std::size_t b = 0; b < batch; ++b)
      s += r.dx[f * batch + b] * r.dx[f * batch + b];
    per[f] = s / static_cast<double>(batch);
  }
  const claim c{mean_se(per), 0.0};
  const double exact = 14.0 / 13.0 / v;
  const double leading = initlab::batch_norm<0.0>::backward(initlab::signal{v, 0.0, 0.0}, 1.0);
  CAPTURE(c.e.mean, c.e.se, exact, leading, c.resolution() / exact);
  CHECK(c.accepts(exact));
  CHECK_FALSE(c.accepts(leading));
  report("Gaussian finite-B backward: resolution / analytic", c.resolution() / exact);
}

// ==================================================== (e) Monte Carlo checks of the maps

namespace {

// Batch norm on F independent features (each its own "network": independent replicates) of a
// batch of B: x_fb = m_f + s·z_fb with m_f ~ N(0, τ²) fixed per feature, so the signal is
// q = τ² + s², mean 0, cross = τ² and v = q − cross = s². g ~ N(0, 1) independent of x.
struct bn_mc {
  claim forward, backward;
  initlab::signal in;
};

template <initlab::real_param Eps>
bn_mc run_bn_mc(std::uint64_t seed, std::size_t features, std::size_t batch, double s, double tau) {
  const initlab::stream st = root.child(20).child(seed);
  vec x = normals(st.child(0), features * batch, 0.0, s);
  const vec m = normals(st.child(1), features, 0.0, tau);
  for (std::size_t f = 0; f < features; ++f)
    for (std::size_t b = 0; b < batch; ++b)
      x[f * batch + b] += m[f];
  const vec g = normals(st.child(2), features * batch);
  auto pass = initlab::batch_norm<Eps>::make_pass();
  const run r = forward_backward(*pass, {features, 1, 1}, x, batch, g);
  vec q(features), d(features);
  for (std::size_t f = 0; f < features; ++f) {
    double sq = 0.0, dd = 0.0;
    for (std::size_t b = 0; b < batch; ++b) {
      sq += r.y[f * batch + b] * r.y[f * batch + b];
      dd += r.dx[f * batch + b] * r.dx[f * batch + b];
    }
    q[f] = sq / static_cast<double>(batch);
    d[f] = dd / static_cast<double>(batch);
  }
  // Finite-B bias allowances (the maps are B → ∞ limits). Forward: E[σ̂²] = (1 − 1/B)s² and
  // Var[σ̂²] ≈ 2s⁴/B give, by the delta method, bias ≈ −r(1 − r)(1 + 2r)/B ≤ 0.53/B: allow 1/B.
  // Backward: the factor 1 − (1 + (1 − r)²)/B and E[1/(σ̂² + ε)] ≈ (1 + (r + 2r²)/B)/(v + ε)
  // give |bias| ≤ 3/B relative: allow 4/B times the value.
  const double b = static_cast<double>(batch);
  const double analytic_d = 1.0 / (s * s + Eps);
  return {{mean_se(q), 1.0 / b},
          {mean_se(d), 4.0 / b * analytic_d},
          {tau * tau + s * s, 0.0, tau * tau}};
}

}  // namespace

TEST_CASE("batch_norm maps by Monte Carlo: q_out = v/(v + eps), backward g/(v + eps)",
          "[norm][batch_norm][monte_carlo]") {
  constexpr double eps = 1e-4;
  using bn = initlab::batch_norm<eps>;
  const std::size_t features = 256, batch = 4096;
  const double s = 0.01;  // s² = ε: r = 1/2, where the map is most sensitive to v
  const auto wrong_forward = [](initlab::signal in) {  // q in place of q − cross
    return in.q / (in.q + eps);
  };
  const auto wrong_backward = [](initlab::signal in, double g) { return g / (in.q + eps); };

  SECTION("large feature means (tau = 1): the cross moment decides") {
    const bn_mc r = run_bn_mc<eps>(0, features, batch, s, 1.0);
    const double qf = bn::forward(r.in).q, gb = bn::backward(r.in, 1.0);
    CAPTURE(r.forward.e.mean, r.forward.e.se, qf, r.backward.e.mean, r.backward.e.se, gb);
    CHECK(std::abs(qf - 0.5) < 1e-12);
    CHECK(r.forward.accepts(qf));
    CHECK(r.backward.accepts(gb));
    CHECK_FALSE(r.forward.accepts(wrong_forward(r.in)));
    CHECK_FALSE(r.backward.accepts(wrong_backward(r.in, 1.0)));
    report("BN MC forward: resolution (abs)", r.forward.resolution());
    report("BN MC backward: resolution / analytic", r.backward.resolution() / gb);
  }
  SECTION("negative control near the resolution: forward, tau^2 = 0.012 eps") {
    // q/(q + ε) − v/(v + ε) ≈ τ²/(4ε) = 3.0e-3; measured resolution 2.1e-3 (ratio 1.4).
    const bn_mc r = run_bn_mc<eps>(1, features, batch, s, std::sqrt(0.012 * eps));
    const double right = bn::forward(r.in).q, wrong = wrong_forward(r.in);
    CAPTURE(r.forward.e.mean, r.forward.e.se, right, wrong, r.forward.resolution());
    CHECK(r.forward.accepts(right));
    CHECK_FALSE(r.forward.accepts(wrong));
    CHECK(std::abs(wrong - right) < 2.0 * r.forward.resolution());  // the control is close
    report("BN MC forward control: |wrong-right| / resolution",
           std::abs(wrong - right) / r.forward.resolution());
  }
  SECTION("negative control near the resolution: backward, tau^2 = 0.03 eps") {
    // 1 − (v + ε)/(q + ε) = τ²/(q + ε) ≈ 1.5%; measured resolution 0.94% (ratio 1.6).
    const bn_mc r = run_bn_mc<eps>(2, features, batch, s, std::sqrt(0.03 * eps));
    const double right = bn::backward(r.in, 1.0), wrong = wrong_backward(r.in, 1.0);
    CAPTURE(r.backward.e.mean, r.backward.e.se, right, wrong, r.backward.resolution());
    CHECK(r.backward.accepts(right));
    CHECK_FALSE(r.backward.accepts(wrong));
    CHECK(std::abs(wrong - right) < 2.0 * r.backward.resolution());
    report("BN MC backward control: |wrong-right| / resolution",
           std::abs(wrong - right) / r.backward.resolution());
  }
}

namespace {

// Layer norm on R independent replicates ("networks") of B samples × F features:
// x_fb = μ0 + s·(√ρ·w_f + √(1 − ρ)·z_fb), w_f ~ N(0, 1) shared by the samples of a replicate, so
// q = μ0² + s², mean = μ0, cross = μ0² + ρs², u = s². Per replicate: the mean of x̂², the mean
// of x̂_fb·x̂_fb' over b < b', the mean of (∂L/∂x)² for g ~ N(0, 1) independent of x.
struct ln_mc {
  claim forward, cross, backward;
  initlab::signal in;
};

template <initlab::real_param Eps>
ln_mc run_ln_mc(std::uint64_t seed, std::size_t replicates, std::size_t features, std::size_t batch,
                double s, double rho, double mu0) {
  const initlab::stream st = root.child(21).child(seed);
  vec q(replicates), c(replicates), d(replicates);
  for (std::size_t t = 0; t < replicates; ++t) {
    const initlab::stream rs = st.child(t);
    const vec w = normals(rs.child(0), features);
    vec x = normals(rs.child(1), features * batch);
    for (std::size_t f = 0; f < features; ++f)
      for (std::size_t b = 0; b < batch; ++b)
        x[f * batch + b] =
            mu0 + s * (std::sqrt(rho) * w[f] + std::sqrt(1.0 - rho) * x[f * batch + b]);
    const vec g = normals(rs.child(2), features * batch);
    auto pass = initlab::layer_norm<Eps>::make_pass();
    const run r = forward_backward(*pass, {features, 1, 1}, x, batch, g);
    double sq = 0.0, cr = 0.0, dd = 0.0;
    for (std::size_t f = 0; f < features; ++f) {
      double row = 0.0, row_sq = 0.0;
      for (std::size_t b = 0; b < batch; ++b) {
        const double y = r.y[f * batch + b];
        row += y;
        row_sq += y * y;
        dd += r.dx[f * batch + b] * r.dx[f * batch + b];
      }
      sq += row_sq;
      cr += (row * row - row_sq) / 2.0;  // Σ_{b<b'} ŷ_b ŷ_b'
    }
    const double n = static_cast<double>(features * batch);
    q[t] = sq / n;
    c[t] = cr / (static_cast<double>(features) * static_cast<double>(batch * (batch - 1) / 2));
    d[t] = dd / n;
  }
  // Finite-width bias allowances (the maps are F → ∞ limits), as for batch norm with B → F:
  // forward 1/F, cross 4/F (the per-sample mean removes w̄ ~ N(0, 1/F)), backward 4/F relative.
  const double fw = static_cast<double>(features);
  const double analytic_d = 1.0 / (s * s + Eps);
  return {{mean_se(q), 1.0 / fw},
          {mean_se(c), 4.0 / fw},
          {mean_se(d), 4.0 / fw * analytic_d},
          {mu0 * mu0 + s * s, mu0, mu0 * mu0 + rho * s * s}};
}

}  // namespace

TEST_CASE("layer_norm maps by Monte Carlo: q, cross (cross - mean^2)/(u + eps), backward",
          "[norm][layer_norm][monte_carlo]") {
  constexpr double eps = 1e-4;
  using ln = initlab::layer_norm<eps>;
  const std::size_t replicates = 16, features = 16384, batch = 4;
  const double s = 0.01, rho = 0.5;
  const auto wrong_forward = [](initlab::signal in) { return in.q / (in.q + eps); };
  const auto wrong_cross = [](initlab::signal in) {  // forgetting the − mean²
    return in.cross / (initlab::unit_variance(in) + eps);
  };
  const auto wrong_backward = [](initlab::signal in, double g) { return g / (in.q + eps); };

  SECTION("large mean (mu0 = 1): the maps hold, the wrong ones are far off") {
    const ln_mc r = run_ln_mc<eps>(0, replicates, features, batch, s, rho, 1.0);
    const initlab::signal out = ln::forward(r.in);
    const double gb = ln::backward(r.in, 1.0);
    CAPTURE(r.forward.e.mean, r.forward.e.se, out.q, r.cross.e.mean, r.cross.e.se, out.cross,
            r.backward.e.mean, r.backward.e.se, gb);
    CHECK(std::abs(out.q - 0.5) < 1e-9);
    CHECK(std::abs(out.cross - 0.25) < 1e-9);
    CHECK(out.mean == 0.0);
    CHECK(r.forward.accepts(out.q));
    CHECK(r.cross.accepts(out.cross));
    CHECK(r.backward.accepts(gb));
    CHECK_FALSE(r.forward.accepts(wrong_forward(r.in)));
    CHECK_FALSE(r.cross.accepts(wrong_cross(r.in)));
    CHECK_FALSE(r.backward.accepts(wrong_backward(r.in, 1.0)));
    report("LN MC forward: resolution (abs)", r.forward.resolution());
    report("LN MC cross: resolution (abs)", r.cross.resolution());
    report("LN MC backward: resolution / analytic", r.backward.resolution() / gb);
  }
  SECTION("negative controls near the resolution") {
    // Forward: q/(q + ε) − u/(u + ε) ≈ μ0²/(4ε); cross: μ0²/(u + ε); backward: μ0²/(q + ε)
    // relative. One μ0 per control, each a little above its resolution.
    struct control {
      double t;  // μ0² / ε
      int which;
    };
    for (const control k : {control{0.012, 0}, control{0.0125, 1}, control{0.025, 2}}) {
      const ln_mc r = run_ln_mc<eps>(1 + static_cast<std::uint64_t>(k.which), replicates, features,
                                     batch, s, rho, std::sqrt(k.t * eps));
      const initlab::signal out = ln::forward(r.in);
      const claim& cl = k.which == 0 ? r.forward : k.which == 1 ? r.cross : r.backward;
      const double right = k.which == 0   ? out.q
                           : k.which == 1 ? out.cross
                                          : ln::backward(r.in, 1.0);
      const double wrong = k.which == 0   ? wrong_forward(r.in)
                           : k.which == 1 ? wrong_cross(r.in)
                                          : wrong_backward(r.in, 1.0);
      CAPTURE(k.which, cl.e.mean, cl.e.se, right, wrong, cl.resolution());
      CHECK(cl.accepts(right));
      CHECK_FALSE(cl.accepts(wrong));
      CHECK(std::abs(wrong - right) < 2.0 * cl.resolution());
      const char* names[] = {"LN MC forward control: |wrong-right| / resolution",
                             "LN MC cross control: |wrong-right| / resolution",
                             "LN MC backward control: |wrong-right| / resolution"};
      report(names[k.which], std::abs(wrong - right) / cl.resolution());
    }
  }
}

// ================================================================ degenerate inputs, plumbing

TEST_CASE("batch_norm: degenerate batches are defined, never a silent NaN", "[norm][batch_norm]") {
  const vec x1{1.0, -2.0, 3.0};
  SECTION("batch of 1 with eps = 0 throws std::invalid_argument") {
    initlab::batch_norm_pass pass(0.0);
    pass.bind({3, 1, 1});
    vec out(3);
    CHECK_THROWS_AS(pass.forward(x1.data(), out.data(), 1), std::invalid_argument);
    CHECK_THROWS_WITH(pass.forward(x1.data(), out.data(), 1),
                      Catch::Contains("batch_norm") && Catch::Contains("Eps = 0"));
  }
  SECTION("batch of 1 with eps > 0: y = 0, dx = 0") {
    initlab::batch_norm_pass pass(1e-5);
    const run r = forward_backward(pass, {3, 1, 1}, x1, 1, {0.5, 1.0, -2.0});
    CHECK(r.y == vec{0.0, 0.0, 0.0});
    CHECK(r.dx == vec{0.0, 0.0, 0.0});
  }
  SECTION("image with batch 1 and eps = 0 is fine: the pixels form the batch") {
    initlab::batch_norm_pass pass(0.0);
    const vec x = normals(root.child(30), 2 * 3 * 3);
    const run r = forward_backward(pass, {2, 3, 3}, x, 1, normals(root.child(31), x.size()));
    for (double v : r.y)
      CHECK(std::isfinite(v));
    for (double v : r.dx)
      CHECK(std::isfinite(v));
  }
  SECTION("a constant feature with eps = 0 is dead: y = 0, dx = 0; other features unaffected") {
    const vec x{2.5, 2.5, 2.5, 2.5, 1.0, 2.0, 3.0, 4.0};
    initlab::batch_norm_pass pass(0.0);
    const run r =
        forward_backward(pass, {2, 1, 1}, x, 4, {1.0, 2.0, 3.0, 4.0, 1.0, -1.0, 2.0, 0.5});
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(r.y[i] == 0.0);
      CHECK(r.dx[i] == 0.0);
    }
    CHECK(pass.statistics(0).scale == 0.0);
    CHECK(std::abs(r.y[7] - 3.0 / std::sqrt(5.0)) < 4 * u);
  }
  SECTION("bad eps and empty shapes") {
    CHECK_THROWS_AS(initlab::batch_norm_pass(-1.0), std::invalid_argument);
    CHECK_THROWS_AS(initlab::batch_norm_pass(std::numeric_limits<double>::quiet_NaN()),
                    std::invalid_argument);
    CHECK_THROWS_AS(initlab::batch_norm_pass(std::numeric_limits<double>::infinity()),
                    std::invalid_argument);
    initlab::batch_norm_pass pass(0.0);
    CHECK_THROWS_AS(pass.bind({0, 1, 1}), std::invalid_argument);
  }
}

TEST_CASE("layer_norm: degenerate samples", "[norm][layer_norm]") {
  SECTION("one feature with eps = 0 is rejected at bind") {
    initlab::layer_norm_pass pass(0.0);
    CHECK_THROWS_AS(pass.bind({1, 1, 1}), std::invalid_argument);
    CHECK_THROWS_AS(pass.bind({0, 1, 1}), std::invalid_argument);
    initlab::layer_norm_pass with_eps(1e-5);
    CHECK(with_eps.bind({1, 1, 1}) == shape{1, 1, 1});
  }
  SECTION("a constant sample with eps = 0 is dead") {
    // Two samples (columns) of three features: sample 0 constant.
    const vec x{7.0, 1.0, 7.0, 2.0, 7.0, 4.0};
    initlab::layer_norm_pass pass(0.0);
    const run r = forward_backward(pass, {3, 1, 1}, x, 2, {1.0, 1.0, 2.0, 1.0, 3.0, 1.0});
    CHECK(r.y[0] == 0.0);
    CHECK(r.y[2] == 0.0);
    CHECK(r.y[4] == 0.0);
    CHECK(r.dx[0] == 0.0);
    CHECK(r.dx[2] == 0.0);
    CHECK(r.dx[4] == 0.0);
    CHECK(std::isfinite(r.y[1]));
    CHECK(pass.statistics(0).scale == 0.0);
  }
}

TEST_CASE("norm passes through the layer kinds and inside a serial network",
          "[norm][batch_norm][layer_norm]") {
  STATIC_REQUIRE(initlab::layer_kind<initlab::batch_norm<>>);
  STATIC_REQUIRE(initlab::layer_kind<initlab::layer_norm<>>);
  auto bn = initlab::batch_norm<>::make_pass();
  auto ln = initlab::layer_norm<>::make_pass();
  CHECK(bn->name() == "batch_norm");
  CHECK(ln->name() == "layer_norm");
  CHECK(bn->weights().empty());
  CHECK(bn->biases().empty());
  bn->compute_gradients();
  bn->sgd_step(0.1);  // no parameters: nothing happens, nothing throws
  CHECK(dynamic_cast<initlab::batch_norm_pass&>(*bn).eps() == 1e-5);

  // A clone keeps its own buffers: run the original on other data, the clone's backward is
  // unchanged.
  const shape sh{3, 1, 1};
  const vec x = normals(root.child(40), 3 * 8), x2 = normals(root.child(41), 3 * 8);
  const vec g = normals(root.child(42), 3 * 8);
  const run direct = forward_backward(*bn, sh, x, 8, g);
  auto copy = bn->clone();
  vec out(x.size()), dx(x.size());
  bn->forward(x2.data(), out.data(), 8);
  copy->backward(g.data(), dx.data());
  CHECK(max_ulps(dx, direct.dx) == 0);

  // dense (tiny weights) → batch_norm: the output of every unit has batch mean 0 and variance 1.
  using net = initlab::network<initlab::dense<16, 8, initlab::random_normal<0.01>>,
                               initlab::batch_norm<0.0>>;
  auto pass = net::make_pass();
  REQUIRE(pass->bind({16, 1, 1}) == shape{8, 1, 1});
  pass->sample(root.child(43), root.child(44), initlab::bulk_sampler{});
  const std::size_t batch = 32;
  const vec in = normals(root.child(45), 16 * batch);
  vec y(8 * batch);
  pass->forward(in.data(), y.data(), batch);
  for (std::size_t f = 0; f < 8; ++f) {
    double m = 0.0, sq = 0.0;
    for (std::size_t b = 0; b < batch; ++b) {
      m += y[f * batch + b];
      sq += y[f * batch + b] * y[f * batch + b];
    }
    CHECK(std::abs(m) < 1e-13);
    CHECK(std::abs(sq / static_cast<double>(batch) - 1.0) < 1e-14);
  }
}

TEST_CASE("dense -> BN -> ReLU at infinite width: finite-batch rate lambda(B) by direct simulation",
          "[norm][batch_norm]") {
  // An independent reference for batch_norm.hpp's bn_relu_gradient_growth and
  // bn_relu_batch_variance: simulate the infinite-width block directly, with explicit B × B
  // projections, instead of the closed form. Per sample: z ~ N(0, I_B) is a unit's pre-activation
  // at the (permutation-symmetric) fixed point up to the c·a scale, which cancels; ŷ = BN(z)
  // computed as in the pass; h = relu(ŷ); the gradient below the block is P_ŷ·D·δ/σ with
  // δ = P·ξ (covariance P, the stationary gradient shape), σ² = ‖P z‖²/B, then ×c by the dense
  // layer, so λ = B·E[‖P_ŷ D P ξ‖²/‖P z‖²]/(a·(B − 1)) with a estimated from the same samples
  // (mean h_b² − mean h_b h_b'). Tolerance: 4 standard errors (the two relative standard errors
  // added in quadrature, ignoring their correlation).
  // Negative control: the B → ∞ value times the i.i.d.-gradient factor (n − 2)/(n − 3) of
  // batch_norm<0>::finite_batch_backward_factor with E[1/σ²] (a real shortcut: it ignores that
  // the gradient is already ⊥ 1 and that relu(ŷ)'s batch covariance changes with B).
  for (const std::size_t batch : {std::size_t{6}, std::size_t{8}, std::size_t{16}}) {
    const std::size_t samples = 3000000 / batch;
    const double b = static_cast<double>(batch);
    vec z(batch), xi(batch), y(batch), g(batch), d(batch);
    std::vector<double> num, kernel;  // per sample: the ratio, mean h_b² − mean h_b h_b'
    num.reserve(samples);
    const initlab::stream base = root.child(90).child(batch);
    for (std::size_t i = 0; i < samples; ++i) {
      initlab::fill_normal(base.child(2 * i), std::span<double>(z), 0.0, 1.0);
      initlab::fill_normal(base.child(2 * i + 1), std::span<double>(xi), 0.0, 1.0);
      double mz = 0.0, mxi = 0.0;
      for (std::size_t k = 0; k < batch; ++k) {
        mz += z[k];
        mxi += xi[k];
      }
      mz /= b;
      mxi /= b;
      double pz2 = 0.0;
      for (std::size_t k = 0; k < batch; ++k)
        pz2 += (z[k] - mz) * (z[k] - mz);
      const double sd = std::sqrt(pz2 / b);
      for (std::size_t k = 0; k < batch; ++k)
        y[k] = (z[k] - mz) / sd;
      // Forward kernel of h = relu(ŷ).
      double dsum = 0.0, hsum = 0.0;
      for (std::size_t k = 0; k < batch; ++k) {
        const double h = y[k] > 0.0 ? y[k] : 0.0;
        dsum += h * h;
        hsum += h;
      }
      kernel.push_back(dsum / b - (hsum * hsum - dsum) / (b * (b - 1.0)));
      // g = D·P·ξ, then P_ŷ g = g − mean(g) − ŷ·⟨g, ŷ⟩/B.
      double mg = 0.0, gy = 0.0;
      for (std::size_t k = 0; k < batch; ++k) {
        g[k] = y[k] > 0.0 ? xi[k] - mxi : 0.0;
        mg += g[k];
        gy += g[k] * y[k];
      }
      mg /= b;
      double pg2 = 0.0;
      for (std::size_t k = 0; k < batch; ++k) {
        d[k] = g[k] - mg - y[k] * gy / b;
        pg2 += d[k] * d[k];
      }
      num.push_back(pg2 / pz2);
    }
    const estimate n_e = mean_se(num), a_e = mean_se(kernel);
    const double a = a_e.mean, a_se = a_e.se;
    const double lambda = b * n_e.mean / (a * (b - 1.0));
    const double rel_se = std::sqrt((n_e.se / n_e.mean) * (n_e.se / n_e.mean) +
                                    (a_se / a) * (a_se / a));
    const double derived = initlab::bn_relu_gradient_growth(batch);
    const double naive = initlab::math::pi / (initlab::math::pi - 1.0) * (b - 2.0) / (b - 3.0);
    CAPTURE(batch, lambda, derived, naive, rel_se);
    CHECK(std::abs(lambda - derived) <= 4.0 * rel_se * derived);
    if (batch <= 8) CHECK(std::abs(lambda - naive) > 4.0 * rel_se * derived);
    // The within-batch variance of h: ((B−1)/B)·a.
    CHECK(std::abs((b - 1.0) / b * a - initlab::bn_relu_batch_variance(batch)) <=
          4.0 * a_se * (b - 1.0) / b);
    report(batch == 6   ? "BN-ReLU lambda(6): |MC - derived| / SE"
           : batch == 8 ? "BN-ReLU lambda(8): |MC - derived| / SE"
                        : "BN-ReLU lambda(16): |MC - derived| / SE",
           std::abs(lambda - derived) / (rel_se * derived));
  }
}
