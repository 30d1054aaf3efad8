/// Study 10: what batch normalization (and layer normalization) does at initialization (seed text
/// 000: "batch normalization ... need to be studied"; Ioffe & Szegedy 2015; Santurkar et al. 2018;
/// Yang, Pennington, Rao, Sohl-Dickstein, Schoenholz 2019; THEORY.md §7). Claims:
///  1. EXACT per-batch identities (statistic `exact`, every trial, every BN feature / LN sample of
///     the identity stacks, ε = 0): Σ_b ŷ = 0, Σ_b ŷ² = n, and the backward identity ‖∂L/∂y_j‖² =
///     (1/σ_j²)(‖g‖² − ⟨1,g⟩²/n − ⟨g,ŷ_j⟩²/n), g = ∂L/∂ŷ_j. Rounding makes "= 0" impossible, so a
///     trial's value is the number of groups (of n = B values for BN, F for LN) outside a stated
///     rounding bound, analytic 0. Bounds, u = 2^-53, sums of the pass's outputs taken in long
///     double: |Σŷ| ≤ 8·n·u·(1 + ‖x‖∞/σ) (the rounded μ, amplified by |x|/σ, dominates: Σ_b (x_b −
///     fl(μ)) = n(μ − fl(μ)) plus n roundings of one ulp of |x_b − μ|/σ); |Σŷ² − n| ≤ 16·n·u (each
///     ŷ_b carries ≤ 3 roundings); backward |‖dx‖² − RHS| ≤ 32·n·u·(1 + ‖x‖∞/σ)·‖g‖²/σ² (each
///     dx_b carries ≤ 4 roundings of terms bounded by (|g_b| + ‖g‖/√n + |ŷ_b|·‖g‖/√n)/σ, and the
///     identity's own use of Σŷ = 0 and ‖ŷ‖² = n moves RHS by those two bounds times ‖g‖²/(nσ²)).
///     The forward bounds are tests/runtime/norm_test.cpp's (its measured worst cases are stated
///     there); that test also checks the backward identity at 64·u, a tighter bound than this one.
///     Negative controls (expected refuted, the same bounds): the UNBIASED batch variance (Σŷ² =
///     n − 1, PyTorch's running-variance convention applied to the normalisation), and the
///     backward with FROZEN batch statistics (‖∂L/∂y‖² = ‖g‖²/σ², back-propagating as if μ and σ
///     were constants).
///  2. Scale invariance: dense → BN → ReLU stacks (width 128, 20 blocks, B = 32, ε = 0) with
///     W = s·Z for s = He's √(2/128), 0.01 and 10 on the SAME streams Z: every ReLU output agrees
///     with He's to 1e-9 (BN(cWx) = BN(Wx), only rounding differs), the gradient growth rate too,
///     and s·‖∂L/∂W_l‖ agrees (∂L/∂W ∝ 1/s), exact claims (trials beyond the bound, analytic 0);
///     "the weight gradient does not depend on the scale" is refuted. The seed's small values no
///     longer vanish: E[h_l²] = 1/2 at blocks 1, 10, 20 for every scale (exact in expectation at
///     any width: a row sign flip maps ŷ to −ŷ), target 1%. The within-batch variance of a ReLU
///     output at block 1 is the finite-batch value bn_relu_batch_variance(B) (batch_norm.hpp: ŷ
///     is uniform on the sphere ⊥ 1, exact at any width for i.i.d. inputs), target 1%.
///     With ε > 0: one dense(256 → 256) → batch_norm<1e-5> layer, B = 256, tiny weights with
///     D·s²·q0 = ε, so the map's E[ŷ²] = v/(v + ε) is 1/2: the seed's small values are damped
///     by ε after all. The map is the B, D → ∞ limit; given W a unit's B values are i.i.d.
///     N(0, q0‖w_j‖²), so the finite value is E[X/(X + ε)] over X = q0‖w_j‖²·χ²_{B−1}/B, which
///     batch_norm.hpp's bn_finite_batch_second_moment expands to second order (residual O(1/B² +
///     1/D²), far below the interval): that value is claimed (target 1%), the limit 1/2 is refuted
///     (the finite-size gap, Jensen plus (B−1)/B, resolved at this precision), and "BN outputs
///     unit second moment whatever the scale" is refuted.
///  3. Gradient explosion (Yang et al. 2019): λ = π/(π−1) per dense → BN → ReLU block as B → ∞,
///     for any weight variance. batch_norm.hpp derives the finite-B rate λ(B) exactly at infinite
///     width under gradient independence (bn_relu_gradient_growth: ŷ uniform on the sphere ⊥ 1,
///     the backward projection off span{1, ŷ}, E[1/χ²_{B−1}]; tests/runtime/norm_test.cpp checks
///     it against a direct simulation of the infinite-width block), so its limit is analytic
///     (static_assert below) and the Monte Carlo checks the finite-B values. Stacks of 20 blocks,
///     He, ε = 0; estimator per trial: the mean over the middle blocks 6…15 of the block gains
///     dx2_k/dx2_{k+1} (dx2_k = mean (∂L/∂x)² entering block k; the top block sees the i.i.d.
///     seed, not the stationary gradient ∝ P). Finite width shifts the rate by a correction that
///     is not derived here and not monotone in the width: pilots found it below this study's
///     intervals at B = 8 and 16 (width 256) and at B = 64 with width 64, but of the order of the
///     interval at B = 64 for widths 128 to 512 (below λ(64), shrinking towards width 1024), and
///     resolved at B = 256 up to width 512 (below λ(256), shrinking with width; a width-1024 pilot
///     came within the interval but costs ~1 s per trial). So λ(B) is claimed at B = 8, 16 (width
///     256) and B = 64 (width 64), targets 2% at B = 8 (the largest per-trial spread), else 1%; at
///     B = 256 (width 128, B/width = 2) the infinite-width λ(256) is an expected-refuted claim,
///     its estimate the finite-width rate.
///     π/(π−1) itself is refuted at B = 8 and 16 (λ(B) above it by 22% and 8%; at B = 64 and 256
///     the gap, 1.8% and 0.4%, is not resolved at --quick, so not claimed there). Negative
///     controls: λ = 1 (AutoInit's assumption that BN outputs (0, 1) so the gradient passes like
///     through a He layer: dividing by E[y²] instead of the batch variance) at B = 64 and 256. The
///     same rate for σ_w = 0.01 and 10 is claim 2's exact rate identity.
///  4. Layer norm (per sample, over F units): the identities of 1 per sample, and its gradient
///     growth in dense → LN → ReLU stacks (He, 20 blocks, B = 8): layer_norm.hpp's map predicts
///     the dense/activation gain, 1 per block for He (LN divides by the unit variance c/2 that the
///     dense layer produces: no batch mean to subtract), whatever the weight variance. Confirmed at
///     F = 384 (target 1%; the finite-width excess is then below the interval); at F = 64 the finite-width excess (of order 1/F; no
///     finite-F derivation here) is resolved and the map's 1 is an expected-refuted claim there
///     (its estimate is the size of the gap). "LN explodes like BN" (π/(π−1) per block) is
///     refuted at F = 384.
/// Streams: part p on root.child(p).child(trial) (parts: 0, 1 identities, 2 scale, 3 ε, 4-7 the
/// rates at B = 8, 16, 64, 256, 8-9 layer norm); the scale trial runs its three networks on the
/// SAME trial stream, so their weights are s·Z with one Z.
/// Measured values: results/10_batch_norm.json.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initlab/initlab.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "network_trials.hpp"

namespace {

using namespace initlab;
using namespace initlab::study;

constexpr double q0 = 1.0, g = 1.0;   // E[x²] of the inputs; Var[∂L/∂y_N] of the seed
constexpr double u = 0x1p-53;         // unit roundoff of double
constexpr std::size_t blocks = 20;    // dense → norm → ReLU blocks of the deep stacks
constexpr std::size_t mid_lo = 5;     // middle blocks k = mid_lo … mid_hi − 1 (0-based)
constexpr std::size_t mid_hi = 15;
constexpr double scale_tol = 1e-9;    // relative bound of the scale-invariance identities

/// A stack of `K` dense(N → N, Init) → Norm → ReLU blocks: block k is layers 3k, 3k+1, 3k+2.
template <std::size_t N, class Init, class Norm, std::size_t K = blocks>
using stack = repeat<K, dense<N, N, Init>, Norm, relu>;

// ---- the maps' facts (batch_norm.hpp, layer_norm.hpp), as constexpr values
constexpr double pi = math::pi;
/// The stationary state entering a block (ReLU output of a unit normalised to E[ŷ²] = 1).
constexpr signal relu_state = activation_layer<relu>::forward(signal{1.0, 0.0, 0.0});
template <class Norm, class Init = he_normal>
constexpr double block_gain = serial<dense<128, 128, Init>, Norm, relu>::backward(relu_state, 1.0);
constexpr double lambda_inf = block_gain<batch_norm<0.0>>;           // π/(π−1), the B → ∞ map
constexpr double lambda_inf_small = block_gain<batch_norm<0.0>, random_normal<0.01>>;
constexpr double ln_gain = block_gain<layer_norm<0.0>>;              // LN's map
static_assert(within_rel(lambda_inf, pi / (pi - 1.0), 1e-14) &&
              within_rel(lambda_inf_small, lambda_inf, 1e-14));
static_assert(within_rel(ln_gain, 1.0, 1e-14) &&
              within_rel(block_gain<layer_norm<0.0>, random_normal<0.01>>, 1.0, 1e-14));
// The derived finite-B rate: above the limit and decreasing to it (tests/static/norm_static.cpp
// checks the 1/B approach).
constexpr std::array<std::size_t, 4> batches{8, 16, 64, 256};
static_assert(bn_relu_gradient_growth(8) > bn_relu_gradient_growth(16) &&
              bn_relu_gradient_growth(16) > bn_relu_gradient_growth(64) &&
              bn_relu_gradient_growth(64) > bn_relu_gradient_growth(256) &&
              bn_relu_gradient_growth(256) > lambda_inf &&
              within_rel(bn_relu_gradient_growth(1u << 24), lambda_inf, 1e-6) &&
              bn_relu_gradient_growth(16) > 1.08 * lambda_inf &&
              bn_relu_gradient_growth(8) > 1.2 * lambda_inf);
static_assert(within_rel(bn_relu_batch_variance(1u << 24), batch_variance(relu_state), 1e-6));
// The ε > 0 layer: dense(256 → 256, N(0, s²)) → batch_norm<1e-5> with D·s²·q0 = ε, so the map's
// E[ŷ²] = v/(v + ε) is 1/2; a unit's n = B values are i.i.d. N(0, q0·‖w_j‖²) given W, with
// ‖w_j‖² ~ s²·χ²_D: relative variance 2/D (a Gaussian's fourth moment 3s⁴, minus s⁴, over D).
constexpr std::size_t eps_width = 256, eps_batch = 256;
constexpr double bn_eps = 1e-5;
constexpr double eps_std = math::sqrt(bn_eps / (q0 * eps_width));
using eps_net = network<dense<eps_width, eps_width, random_normal<eps_std>>, batch_norm<bn_eps>>;
constexpr auto eps_profile = profile<eps_net>(q0, g);
constexpr double eps_kappa = 2.0 / static_cast<double>(eps_width);
constexpr double eps_finite = bn_finite_batch_second_moment(
    eps_batch, eps_profile.forward[0], bn_eps, eps_kappa);
static_assert(within_rel(eps_profile.activation[1], 0.5, 1e-12) &&
              eps_finite < 0.998 * eps_profile.activation[1] &&
              eps_finite > 0.99 * eps_profile.activation[1]);

/// Per-trial gradient-growth estimate: mean over the middle blocks of dx2_k / dx2_{k+1}.
double middle_rate(const trial_statistics& s) {
  double m = 0.0;
  for (std::size_t k = mid_lo; k < mid_hi; ++k)
    m += s.layers[3 * k].mean_dx2 / s.layers[3 * k + 3].mean_dx2;
  return m / static_cast<double>(mid_hi - mid_lo);
}

/// Runs f(state, t) for t in [0, n) in chunks of simulate_chunk trials sharing one `State` (copies
/// of the sampled networks: buffers never change a result); results in trial order.
template <class State, class F>
auto chunked(context& ctx, std::size_t n, const State& prototype, F f,
             std::size_t chunk = simulate_chunk) {
  using result = decltype(f(std::declval<State&>(), std::size_t{}));
  const std::size_t chunks = (n + chunk - 1) / chunk;
  const auto parts = ctx.trials(chunks, [&](std::size_t c) {
    State state(prototype);
    std::vector<result> part;
    for (std::size_t t = c * chunk; t < n && t < (c + 1) * chunk; ++t)
      part.push_back(f(state, t));
    return part;
  });
  std::vector<result> all;
  for (const auto& p : parts)
    all.insert(all.end(), p.begin(), p.end());
  return all;
}

/// One forward pass and a Gaussian backward pass (run_trial), then the weight gradients.
trial_statistics run_full(sampled_network& net, std::size_t batch, const stream& s) {
  trial_statistics st = run_trial(net, gaussian_backprop(batch, q0, g), s);
  net.compute_weight_gradients();
  return st;
}

// ------------------------------------------------------------------ 1. exact identities

/// Groups outside the rounding bounds in one trial (see the header comment).
struct identity_counts {
  double sum = 0, squares = 0, backward = 0;          // the identities
  double wrong_unbiased = 0, wrong_frozen = 0;        // the negative controls
};

/// Checks one group of n values: x (input), y (ŷ), gy (∂L/∂ŷ), dx (∂L/∂x), σ² (biased, ε = 0);
/// `stride` between consecutive values.
void check_group(identity_counts& c, const double* x, const double* y, const double* gy,
                 const double* dx, std::size_t n, std::size_t stride, double var) {
  long double sy = 0, syy = 0, sdx = 0, sg = 0, sgg = 0, sgy = 0;
  double xmax = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const long double yk = y[k * stride], gk = gy[k * stride], dk = dx[k * stride];
    sy += yk;
    syy += yk * yk;
    sdx += dk * dk;
    sg += gk;
    sgg += gk * gk;
    sgy += gk * yk;
    xmax = std::max(xmax, std::abs(x[k * stride]));
  }
  const long double nn = static_cast<long double>(n);
  const double sigma = std::sqrt(var);
  const double amp = 1.0 + xmax / sigma;
  const double nu = static_cast<double>(n) * u;
  const double gscale = static_cast<double>(sgg) / var;
  const double rhs = static_cast<double>((sgg - sg * sg / nn - sgy * sgy / nn) / var);
  if (!(std::abs(static_cast<double>(sy)) <= 8.0 * nu * amp)) ++c.sum;
  if (!(std::abs(static_cast<double>(syy - nn)) <= 16.0 * nu)) ++c.squares;
  if (!(std::abs(static_cast<double>(syy - (nn - 1))) <= 16.0 * nu)) ++c.wrong_unbiased;
  if (!(std::abs(static_cast<double>(sdx) - rhs) <= 32.0 * nu * amp * gscale)) ++c.backward;
  if (!(std::abs(static_cast<double>(sdx) - gscale) <= 32.0 * nu * amp * gscale))
    ++c.wrong_frozen;
}

constexpr std::size_t id_width = 128, id_batch = 16, id_blocks = 4;
using bn_identity_stack = stack<id_width, he_normal, batch_norm<0.0>, id_blocks>;
using ln_identity_stack = stack<id_width, he_normal, layer_norm<0.0>, id_blocks>;

/// Identity counts of one trial of a BN (features over the batch) or LN (samples over units)
/// stack: every norm layer 3k+1; its input x = activations(3k), ŷ = activations(3k+1),
/// ∂L/∂ŷ = input_gradients(3k+2), ∂L/∂x = input_gradients(3k+1).
template <bool Batch>
identity_counts identities(sampled_network& net, const stream& s) {
  (void)run_trial(net, gaussian_backprop(id_batch, q0, g), s);
  identity_counts c;
  for (std::size_t k = 0; k < id_blocks; ++k) {
    const std::size_t l = 3 * k + 1;
    const double* x = net.activations(l - 1).data();
    const double* y = net.activations(l).data();
    const double* gy = net.input_gradients(l + 1).data();
    const double* dx = net.input_gradients(l).data();
    if constexpr (Batch) {
      const auto& pass = dynamic_cast<const batch_norm_pass&>(net.layer(l));
      for (std::size_t f = 0; f < id_width; ++f) {
        const std::size_t o = f * id_batch;
        check_group(c, x + o, y + o, gy + o, dx + o, id_batch, 1, pass.statistics(f).variance);
      }
    } else {
      const auto& pass = dynamic_cast<const layer_norm_pass&>(net.layer(l));
      for (std::size_t b = 0; b < id_batch; ++b)
        check_group(c, x + b, y + b, gy + b, dx + b, id_width, id_batch,
                    pass.statistics(b).variance);
    }
  }
  return c;
}

void identity_claims(context& ctx, std::size_t n) {
  for (int which = 0; which < 2; ++which) {
    const bool bn = which == 0;
    const stream base = ctx.root_stream().child(static_cast<std::uint64_t>(which));
    const auto t = bn ? network_trials_with<bn_identity_stack>(
                            ctx, n, [&](std::size_t i) { return base.child(i); },
                            [](sampled_network& net, const stream& s) {
                              return identities<true>(net, s);
                            })
                      : network_trials_with<ln_identity_stack>(
                            ctx, n, [&](std::size_t i) { return base.child(i); },
                            [](sampled_network& net, const stream& s) {
                              return identities<false>(net, s);
                            });
    const std::string p = bn ? "bn" : "ln";
    const std::string what = bn ? "BN feature (over its B = 16 batch values)"
                                : "LN sample (over its F = 128 units)";
    const std::string groups = bn ? "features" : "samples";
    const std::string n_sym = bn ? "B" : "F";
    auto count = [&](double identity_counts::*m) { return column(t, m); };
    ctx.claim(holds(p + "_sum_zero",
                    "every " + what + " of 4 norm layers has Σŷ = 0 within 8·n·u·(1 + ‖x‖∞/σ): "
                    "per trial the number of " + groups + " outside the bound",
                    "Σ ŷ = 0 (ε = 0)", 0.0, 0.0, statistic::exact),
              count(&identity_counts::sum));
    ctx.claim(holds(p + "_sum_squares",
                    "every " + what + " has Σŷ² = " + n_sym + " within 16·n·u: per trial the "
                    "number of " + groups + " outside the bound",
                    "Σ ŷ² = " + n_sym + " (biased variance, ε = 0)", 0.0, 0.0, statistic::exact),
              count(&identity_counts::squares));
    ctx.claim(holds(p + "_backward_identity",
                    "every " + what + ": ‖∂L/∂x‖² = (‖g‖² − ⟨1,g⟩²/n − ⟨g,ŷ⟩²/n)/σ² within "
                    "32·n·u·(1 + ‖x‖∞/σ)·‖g‖²/σ²: per trial the number of " + groups + " outside",
                    "‖∂L/∂x‖² = (1/σ²)(‖g‖² − ⟨1,g⟩²/n − ⟨g,ŷ⟩²/n)", 0.0, 0.0, statistic::exact),
              count(&identity_counts::backward));
    if (bn)
      ctx.claim(wrong(p + "_wrong_unbiased_variance",
                      "wrong: normalising by the unbiased batch variance, Σŷ² = B − 1 (the "
                      "running-variance convention), within 16·n·u: groups outside",
                      "Σ ŷ² = B − 1 (wrong)", 0.0, statistic::exact),
                count(&identity_counts::wrong_unbiased));
    ctx.claim(wrong(p + "_wrong_frozen_statistics",
                    "wrong: back-propagating as if μ and σ were constants, ‖∂L/∂x‖² = ‖g‖²/σ², "
                    "within the backward bound: groups outside",
                    "‖∂L/∂x‖² = ‖g‖²/σ² (wrong: no projection)", 0.0, statistic::exact),
              count(&identity_counts::wrong_frozen));
  }
}

// ------------------------------------------------------------------ 2. scale invariance

constexpr std::size_t sc_width = 128, sc_batch = 32;
constexpr double he_std = 0.125;  // √(2/128)
static_assert(within_rel(he_normal::variance(sc_width, sc_width), he_std * he_std, 1e-15));
constexpr std::array<double, 2> other_std{0.01, 10.0};
using sc_he = stack<sc_width, he_normal, batch_norm<0.0>>;
using sc_small = stack<sc_width, random_normal<other_std[0]>, batch_norm<0.0>>;
using sc_large = stack<sc_width, random_normal<other_std[1]>, batch_norm<0.0>>;
constexpr std::array<std::size_t, 3> sc_blocks{0, 9, 19};  // blocks 1, 10, 20

struct scale_trial {
  std::array<double, 3> rate{};                    // He, 0.01, 10
  std::array<std::array<double, 3>, 3> h2{};       // [scale][block]: mean h² of the ReLU output
  double batch_var_1 = 0.0;                        // He: within-batch variance of h at block 1
  double bad_forward = 0, bad_rate = 0, bad_weight_grad = 0, wrong_scale_free = 0;
};

struct scale_nets {
  sampled_network he = sampled_network::of<sc_he>();
  sampled_network small = sampled_network::of<sc_small>();
  sampled_network large = sampled_network::of<sc_large>();
};

double mean_batch_variance(std::span<const double> h, std::size_t batch) {
  const std::size_t units = h.size() / batch;
  double total = 0.0;
  for (std::size_t j = 0; j < units; ++j) {
    double m = 0.0, v = 0.0;
    for (std::size_t b = 0; b < batch; ++b)
      m += h[j * batch + b];
    m /= static_cast<double>(batch);
    for (std::size_t b = 0; b < batch; ++b)
      v += (h[j * batch + b] - m) * (h[j * batch + b] - m);
    total += v / static_cast<double>(batch);
  }
  return total / static_cast<double>(units);
}

double sum_sq(std::span<const double> v) {
  double s = 0.0;
  for (double x : v)
    s += x * x;
  return s;
}

scale_trial scale_one(scale_nets& nets, const stream& s) {
  scale_trial r;
  std::array<sampled_network*, 3> net{&nets.he, &nets.small, &nets.large};
  const std::array<double, 3> sd{he_std, other_std[0], other_std[1]};
  std::array<trial_statistics, 3> st;
  for (std::size_t i = 0; i < 3; ++i) {
    st[i] = run_full(*net[i], sc_batch, s);  // the same stream: W = sd·Z with the same Z
    r.rate[i] = middle_rate(st[i]);
    for (std::size_t b = 0; b < 3; ++b)
      r.h2[i][b] = st[i].layers[3 * sc_blocks[b] + 2].mean_h2;
  }
  r.batch_var_1 = mean_batch_variance(nets.he.activations(2), sc_batch);
  for (std::size_t i = 1; i < 3; ++i) {
    double dev = 0.0;
    for (std::size_t k = 0; k < blocks; ++k) {
      const auto a = net[0]->activations(3 * k + 2), b = net[i]->activations(3 * k + 2);
      for (std::size_t j = 0; j < a.size(); ++j)
        dev = std::max(dev, std::abs(a[j] - b[j]));
    }
    if (!(dev <= scale_tol)) ++r.bad_forward;
    if (!(std::abs(r.rate[i] - r.rate[0]) <= scale_tol * r.rate[0])) ++r.bad_rate;
    for (std::size_t k : sc_blocks) {
      const double ref = std::sqrt(sum_sq(net[0]->weight_gradients(3 * k)));
      const double here = std::sqrt(sum_sq(net[i]->weight_gradients(3 * k)));
      if (!(std::abs(sd[i] * here - sd[0] * ref) <= scale_tol * sd[0] * ref)) ++r.bad_weight_grad;
      if (!(std::abs(here - ref) <= scale_tol * ref)) ++r.wrong_scale_free;
    }
  }
  return r;
}

void scale_claims(context& ctx, std::size_t n) {
  const stream base = ctx.root_stream().child(2);
  const auto t = chunked(ctx, n, scale_nets{}, [&](scale_nets& nets, std::size_t i) {
    return scale_one(nets, base.child(i));
  });
  constexpr auto p = profile<sc_he>(q0, g);
  const std::array<std::string, 3> tag{"he", "small", "large"};
  const std::array<std::string, 3> label{"He √(2/128)", "N(0, 0.01²)", "N(0, 10²)"};
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t b = 0; b < 3; ++b) {
      const std::size_t k = sc_blocks[b] + 1;
      ctx.claim(holds("fwd_relu_q_block" + std::to_string(k) + "_" + tag[i],
                      "dense → BN → ReLU, weights " + label[i] + ", B = 32: E[h²] of the ReLU "
                      "output of block " + std::to_string(k) + " is the map's 1/2 (the small "
                      "weights do not vanish forward)",
                      "E[relu(ŷ)²] = E[ŷ²]/2 = 1/2", p.activation[3 * sc_blocks[b] + 2],
                      single_layer_precision),
                column(t, [&](const scale_trial& s) { return s.h2[i][b]; }));
    }
  ctx.claim(holds("fwd_relu_batch_variance_block1",
                  "within-batch variance of a ReLU output at block 1 (B = 32): the finite-batch "
                  "value ((B−1)/B)(1/2 − k(−1/(B−1))) of ŷ uniform on the sphere ⊥ 1, exact at "
                  "any width",
                  "((B−1)/B)·(1/2 − relu::cross_moment(1, −1/(B−1)))",
                  bn_relu_batch_variance(sc_batch), single_layer_precision),
            column(t, &scale_trial::batch_var_1));
  ctx.claim(holds("scale_invariance_forward",
                  "every ReLU output of the 20 blocks with weights 0.01·Z and 10·Z equals He's "
                  "(√(2/128)·Z, same Z) within 1e-9: per trial the scales outside",
                  "BN(c·W x) = BN(W x)", 0.0, 0.0, statistic::exact),
            column(t, &scale_trial::bad_forward));
  ctx.claim(holds("scale_invariance_gradient_rate",
                  "the middle-block gradient growth rate with weights 0.01·Z and 10·Z equals He's "
                  "within 1e-9 relative (the rate does not depend on the weight variance): per "
                  "trial the scales outside",
                  "λ independent of σ_w", 0.0, 0.0, statistic::exact),
            column(t, &scale_trial::bad_rate));
  ctx.claim(holds("weight_gradient_inverse_scale",
                  "s·‖∂L/∂W_l‖ at blocks 1, 10, 20 with s = 0.01 and 10 equals He's within 1e-9 "
                  "relative (∂L/∂W scales as 1/s): per trial the (scale, block) pairs outside",
                  "∂L/∂(cW) = (1/c)·∂L/∂W", 0.0, 0.0, statistic::exact),
            column(t, &scale_trial::bad_weight_grad));
  ctx.claim(wrong("wrong_weight_gradient_scale_free",
                  "wrong: the weight gradient does not depend on the weight scale (as the "
                  "normalised forward does), ‖∂L/∂W_l‖ equal within 1e-9: pairs outside",
                  "‖∂L/∂W‖ independent of s (wrong: ∝ 1/s)", 0.0, statistic::exact),
            column(t, &scale_trial::wrong_scale_free));
}

void eps_claims(context& ctx, std::size_t n) {
  const trial_config forward_only{.batch = eps_batch, .input_variance = q0,
                                  .seed = gradient_seed::none};
  const auto t = network_trials<eps_net>(ctx, 3, forward_only, n);
  ctx.claim(holds("eps_fwd_bn_q_finite",
                  "batch_norm<1e-5> after tiny weights (D·s²·q0 = ε, width 256, B = 256): E[ŷ²] "
                  "is the finite-batch, finite-width value of v/(v + ε) (batch_norm.hpp "
                  "bn_finite_batch_second_moment, relative spread 2/D of ‖w_j‖²)",
                  "r − r²(1 − r)(κ + 2/(B−1) + 2κ/(B−1)), r = v_B/(v_B + ε), κ = 2/D",
                  eps_finite, single_layer_precision),
            activation_moment(t, 1));
  ctx.claim(wrong("eps_fwd_bn_q_limit",
                  "the map's B, D → ∞ value v/(v + ε) = 1/2 at B = D = 256: refuted, the "
                  "finite-size gap (Jensen on v ↦ v/(v + ε) over the spread of a unit's batch "
                  "variance, and the (B−1)/B of a biased variance)",
                  "E[ŷ²] = v/(v + ε) (B, D → ∞)", eps_profile.activation[1]),
            activation_moment(t, 1));
  ctx.claim(wrong("wrong_eps_unit_output",
                  "wrong: BN outputs unit second moment whatever the weight scale (ε ignored)",
                  "E[ŷ²] = 1 (wrong with ε > 0 and v ~ ε)", 1.0),
            activation_moment(t, 1));
}

// ------------------------------------------------------------------ 3. gradient explosion

/// Per-trial rates of a He dense(N) → BN<0> → ReLU stack of 20 blocks at batch B.
template <std::size_t N, std::size_t B>
std::vector<double> rates(context& ctx, std::uint64_t part, std::size_t n) {
  using net = stack<N, he_normal, batch_norm<0.0>>;
  const stream base = ctx.root_stream().child(part);
  return network_trials_with<net>(
      ctx, n, [&](std::size_t i) { return base.child(i); },
      [](sampled_network& m, const stream& s) {
        return middle_rate(run_trial(m, gaussian_backprop(B, q0, g), s));
      });
}

void explosion_claims(context& ctx, std::size_t n) {
  // Trials per batch: ≥ 100 at default for the confirmed claims (Hall's skewness condition needs
  // ~100 trials even for symmetric data; the per-trial rates at B = 8 and at width 64 are skewed:
  // 240 and 320); floors keep the
  // refuted ones resolved at --quick.
  const std::array<std::size_t, 4> trials{std::max<std::size_t>(64, 12 * n),
                                          std::max<std::size_t>(64, 8 * n),
                                          std::max<std::size_t>(16, 16 * n),
                                          std::max<std::size_t>(60, 4 * n)};
  const std::array<std::size_t, 4> width{256, 256, 64, 128};
  ctx.setting("explosion_trials", std::vector<std::size_t>{trials.begin(), trials.end()});
  ctx.setting("explosion_widths", std::vector<std::size_t>{width.begin(), width.end()});
  std::array<std::vector<double>, 4> r;
  r[0] = rates<256, 8>(ctx, 4, trials[0]);
  r[1] = rates<256, 16>(ctx, 5, trials[1]);
  r[2] = rates<64, 64>(ctx, 6, trials[2]);
  r[3] = rates<128, 256>(ctx, 7, trials[3]);
  for (std::size_t i = 0; i < 3; ++i) {
    const std::size_t b = batches[i];
    const std::string bs = std::to_string(b), ns = std::to_string(width[i]);
    ctx.claim(holds("lambda_B" + bs,
                    "dense → BN → ReLU (He, 20 blocks, ε = 0, width " + ns + "), B = " + bs +
                        ": the gradient's second moment grows per middle block by the derived "
                        "finite-batch λ(B) (mean over blocks 6-15 of the per-block gains)",
                    "λ(B) = B·μ/(a·(B − 3)) (batch_norm.hpp bn_relu_gradient_growth)",
                    bn_relu_gradient_growth(b), b == 8 ? 0.02 : single_layer_precision),
              r[i]);
  }
  ctx.claim(wrong("lambda_B256_width128",
                  "dense → BN → ReLU (He, 20 blocks, ε = 0, width 128), B = 256: the "
                  "infinite-width λ(256) is refuted by the finite-width gap at B/width = 2 (the "
                  "rate is lower; the estimate is the measured finite-width rate)",
                  "λ(256) (bn_relu_gradient_growth; exact only as width → ∞)",
                  bn_relu_gradient_growth(256)),
            r[3]);
  for (std::size_t i : {0u, 1u})
    ctx.claim(wrong("wrong_lambda_infinite_batch_B" + std::to_string(batches[i]),
                    "wrong at small batches: the B → ∞ rate π/(π−1) at B = " +
                        std::to_string(batches[i]) + " (finite B makes the rate larger)",
                    "λ = π/(π−1) (the B → ∞ map)", lambda_inf),
              r[i]);
  for (std::size_t i : {2u, 3u})
    ctx.claim(wrong("wrong_lambda_one_B" + std::to_string(batches[i]),
                    "wrong: BN outputs (0, 1), so the gradient passes a dense → BN → ReLU block "
                    "like a He layer, λ = 1 (AutoInit's assumption; it divides by E[y²] instead "
                    "of the batch variance)",
                    "λ = 1 (wrong)", 1.0),
              r[i]);
}

// ------------------------------------------------------------------ 4. layer norm

template <std::size_t F>
std::vector<double> ln_rates(context& ctx, std::uint64_t part, std::size_t n) {
  using net = stack<F, he_normal, layer_norm<0.0>>;
  const stream base = ctx.root_stream().child(part);
  return network_trials_with<net>(
      ctx, n, [&](std::size_t i) { return base.child(i); },
      [](sampled_network& m, const stream& s) {
        return middle_rate(run_trial(m, gaussian_backprop(8, q0, g), s));
      });
}

void layer_norm_claims(context& ctx, std::size_t n) {
  const std::size_t n_wide = std::max<std::size_t>(16, 10 * n);
  const std::size_t n_narrow = std::max<std::size_t>(600, 10 * n);
  ctx.setting("layer_norm_trials", std::vector<std::size_t>{n_wide, n_narrow});
  const auto wide = ln_rates<384>(ctx, 8, n_wide);
  const auto narrow = ln_rates<64>(ctx, 9, n_narrow);
  ctx.claim(holds("ln_gain_width384",
                  "dense → LN → ReLU (He, 20 blocks, B = 8, width 384): the gradient's second "
                  "moment per middle block is layer_norm.hpp's 1, the dense/activation gain (LN "
                  "divides by the unit variance c/2; no batch mean to subtract)",
                  "D̂σ²·(1/u)·E[φ'²] = c·(2/c)·(1/2) = 1", ln_gain, single_layer_precision),
            wide);
  ctx.claim(wrong("ln_gain_width64",
                  "the infinite-width LN map's 1 at width 64: refuted, the finite-width excess "
                  "(per-sample statistics over 64 units, an excess of order 1/F)",
                  "gain = 1 (infinite width)", ln_gain),
            narrow);
  ctx.claim(wrong("wrong_ln_explodes_like_bn",
                  "wrong: layer norm explodes the gradient like batch norm, π/(π−1) per block "
                  "(width 384)",
                  "λ = π/(π−1) (wrong for LN)", lambda_inf),
            wide);
}

void body(context& ctx) {
  const std::size_t n = ctx.replications();
  ctx.setting("blocks", blocks);
  ctx.setting("middle_blocks", std::vector<std::size_t>{mid_lo + 1, mid_hi});
  ctx.setting("input_variance", q0);
  ctx.setting("gradient_variance", g);
  ctx.setting("batches", std::vector<std::size_t>{batches.begin(), batches.end()});
  ctx.setting("eps", bn_eps);
  ctx.setting("eps_weight_std", eps_std);
  const std::size_t n_id = std::max<std::size_t>(4, 5 * n);
  const std::size_t n_scale = std::max<std::size_t>(8, 10 * n);
  const std::size_t n_eps = std::max<std::size_t>(100, 10 * n);
  ctx.setting("identity_trials", n_id);
  ctx.setting("scale_trials", n_scale);
  ctx.setting("eps_trials", n_eps);
  identity_claims(ctx, n_id);
  scale_claims(ctx, n_scale);
  eps_claims(ctx, n_eps);
  explosion_claims(ctx, n);
  layer_norm_claims(ctx, n);
}

}  // namespace

int main(int argc, char** argv) {
  return run(argc, argv,
             {.id = "10",
              .slug = "batch_norm",
              .title = "Batch and layer normalization at initialization: exact identities, scale "
                       "invariance, ε, the finite-batch gradient explosion λ(B) → π/(π−1)",
              .source = "seed text 000; Ioffe & Szegedy 2015; Santurkar et al. 2018; Yang et al. "
                        "2019; THEORY.md §7",
              .default_replications = 20,
              .quick_replications = 2},
             body);
}
