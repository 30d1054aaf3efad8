/// Study 09: the whole depth profile. For the four schemes of the seed texts {random_normal(0.01),
/// LeCun 1/D, Xavier 2/(D+D̂), He 2/D} × {linear, ReLU, tanh}, depth 50: the per-layer forward
/// and backward variances, analytic (constexpr recursion) vs measured (real passes).
///
/// Derivation checked (seed texts 000 and 001; He et al. 2015 eq. 7–14; Glorot & Bengio 2010
/// §4.2; THEORY.md §1, §5, §6): Var[y_l] = D_l·σ_l²·E_{q_{l−1}}[φ²] (E[h_0²] = q0) forward and
/// Var[∂L/∂x_l] = D̂_l·σ_l²·E_{q_l}[φ'²]·Var[∂L/∂x_{l+1}] backward, iterated over 50 layers by
/// `initlab::profile<Net>` for a compile-time `network<dense<...>...>` built from an
/// index_sequence.
///
/// Design: 50 dense layers without bias whose widths alternate 192, 320, 192, …, 192 (layer l maps
/// D_l → D̂_l with {D_l, D̂_l} = {192, 320}), so the four schemes differ in every layer: LeCun
/// keeps the forward variance (gain 1) but the gradient alternates by D̂/D = 5/3, 3/5; the fan_avg
/// of Xavier gives gains 2D/(D+D̂) = 0.75, 1.25 forward and backward, a net 0.9375 per two layers
/// (×0.2 over 50 layers for linear); He is LeCun ×2. (With equal widths Xavier ≡ LeCun and the
/// row would have only three distinct schemes; the mean width 256 keeps the cost of the equal-width
/// pilot.) Inputs x ~ N(0, q0 = 1) in a batch of B = 16 per network (cheap: sampling the weights
/// dominates a trial; it shrinks the spread of linear/tanh values and of backward gains, not of
/// ReLU forward values), a Gaussian output gradient ∂L/∂y_50 ~ N(0, g = 1)
/// (gradient_seed::gaussian) and real back-propagation through the same weights (engine
/// `run_trial`). One trial = one fresh network with fresh inputs; pair p uses streams
/// root.child(p).child(trial). Trials per pair: linear n = `replications` (800), ReLU ⌈n/2⌉ (400:
/// its absolute values are out of reach anyway, its gains need fewer), tanh ⌈n/3⌉ (267: its
/// passes cost ~1.8×, its spreads are smaller); at least 4 each. All 12 pairs run in one parallel
/// loop over (pair, block of trials) units, ≤ 4 units per pair (a 25 MB network allocation costs
/// as much as a few trials). σ = 0.01 makes Var[y_50] ≈ 5e-81 (linear) and 9e-96 (ReLU): the y_l²
/// stay normal doubles (profiles ≥ 1e-200, static_assert), far from the subnormals (< 2.2e-308).
///
/// Claims, per pair (12 pairs), 1271 in all:
///  * per-layer GAINS, every layer, both directions (100 per pair): the mean over trials of the
///    per-trial ratio y2_l/y2_{l−1} (y2_0 = mean x²) against Var[y_l]/Var[y_{l−1}] of the profile,
///    and of dx2_l/dx2_{l+1} (dx2_51 = mean (∂L/∂y_50)²) against Var[∂L/∂x_l]/Var[∂L/∂x_{l+1}].
///    The product of the gains is the profile, so these claims show the whole analytic vs
///    measured profile layer by layer. Why exact: given h_{l−1}, the rows of y_l are i.i.d.
///    Gaussian, so E[‖y_l‖² | h_{l−1}] = D̂_l·σ_l²·‖h_{l−1}‖² exactly, and for ReLU a row-wise sign
///    flip gives E[‖relu(y)‖²/‖y‖²] = 1/2 exactly: the per-trial gain has expectation exactly the
///    analytic gain at any width, with a spread ~√(5/D̂) (ReLU, one input direction) that does not
///    grow with depth, unlike the absolute value (THEORY.md §6). Backward, linear/ReLU gains showed
///    no bias either (pilot, 400 trials: χ²/50 of the per-layer z-scores 0.85). For tanh the gain
///    is the infinite-width limit: its O(1/D) bias per layer (pilot, 1200 trials: ≈ −0.1% forward
///    for LeCun/Xavier, +0.5% backward on He's 320 → 192 layers) is below the gain intervals
///    (≥ 1.2%). Target 5%
///    (each gain is measured inside a depth-50 network); the 1% single-layer target would need
///    ~5000 ReLU trials per pair, ~10× this study's budget.
///  * ABSOLUTE values after k = 10, 25, 50 layers of propagation: mean of y2_k/x2 against
///    Var[y_k]/q0 and of dx2_{51−k}/dx2_51 against Var[∂L/∂x_{51−k}]/g. Exact in expectation for
///    linear and ReLU (the gains' conditional exactness telescopes). Their spread grows like
///    exp(5·Σ1/D̂)−1 for ReLU (batches do not help: deep ReLU nets make inputs nearly collinear),
///    so ReLU's deep intervals are wide: targets 15/25/45% from THEORY.md §6 at this width and
///    trial count; 5% at depth 50 would need ~8000 trials per pair (~110 core-s each). tanh pairs
///    have ⌈n/3⌉ trials and linear-like spreads (≈ 0.26 per trial after 50 layers for σ = 0.01 and
///    for the LeCun/Xavier gradients): targets 5/6/10%. For tanh the absolute value also carries
///    the finite-width bias accumulated over k layers, so it is claimed only where the pilot put
///    that bias below the interval (LeCun/Xavier forward after 10 layers: −0.85% in the pilot,
///    half-width 1.8%): not LeCun/Xavier forward after 25 and 50 layers (q_l → 0
///    like 1/l; Jensen on the concave map q ↦ E_q[tanh²] biases it down by O(k/D)), not He
///    backward (chaotic phase, the gradient grows ~+0.5% more per 320 → 192 layer than the
///    gradient-independence recursion says). Those deviations are stated under "Measured".
///  * expected REFUTED, wrong by factors ≥ 90 so that even the --quick intervals exclude them:
///    LeCun 1/D preserves the ReLU variance (2^-49 off), σ = 0.01 preserves the ReLU variance
///    forward and backward (1e-94 off), He's linear recursion (ignoring ReLU's 1/2) holds for
///    ReLU (2^49 off), LeCun and Xavier preserve the tanh variance (q_50 ≈ 0.010 and 0.0047).
/// Bonferroni over all claims: each interval at confidence 1 − 7.9e-6 (t ≈ 4.55).
///
/// Measured (default settings, seed 1; ≈ 80 core-s): all 1271 claims as expected. Gain
/// half-widths: linear ≤ 0.88%, tanh ≤ 1.6%, ReLU ≤ 3.5% forward and ≤ 2.0% backward; the largest
/// gain deviation from the analytic value is 0.44% (linear), 0.86% (tanh), 1.7% (ReLU). Absolute:
/// linear after 50 layers within 4.4–4.8% half-widths (e.g. Xavier Var[y_50] = 0.1985 vs
/// 0.1992, He 1.118e15 vs 1.126e15); ReLU after 50 layers 24–26% forward (He Var[y_50] = 1.96
/// vs 2), 12–14% backward; tanh ≤ 7.9% (LeCun Var[y_10] = 0.0572 vs 0.0580, ± 1.7%).
/// Not claimed, the finite-width biases (pilot, 1200 trials per pair, B = 16):
/// LeCun/tanh Var[y_50] is 6.0% below the recursion (13 standard errors), Var[y_25] 3.0% below;
/// Xavier/tanh 5.8% and 3.0% below; He/tanh Var[∂L/∂x_1] 10.8% above (11 standard errors),
/// Var[∂L/∂x_25] 4.6% above: the infinite-width recursion misses these by O(depth/width). The six
/// wrong derivations are refuted by factors 102 to 2e93.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initlab/initlab.hpp>
#include <string>
#include <utility>
#include <vector>

#include "study.hpp"

namespace {

using initlab::verdict;
using initlab::study::claim_spec;
using initlab::study::context;

constexpr std::size_t depth = 50;          // layers of every network
constexpr std::size_t narrow = 192;        // width of h_0, h_2, …, h_50
constexpr std::size_t wide = 320;          // width of h_1, h_3, …, h_49
constexpr std::size_t batch = 16;          // B: inputs per network
constexpr double input_variance = 1.0;     // q0 = E[x²]
constexpr double gradient_variance = 1.0;  // g = Var[∂L/∂y_50]
constexpr double small_std = 0.01;         // σ of the seed texts' "small random values"
constexpr std::array<std::size_t, 3> spans{10, 25, 50};  // k: layers crossed by absolute claims

/// Width of h_i (h_0 = x): narrow for even i, wide for odd i.
constexpr std::size_t width(std::size_t i) {
  return i % 2 == 0 ? narrow : wide;
}

using small_normal = initlab::random_normal<small_std>;
using linear = initlab::identity;

/// dense layers D_i → D̂_i for i in the index sequence (the return type only: never called).
template <class Init, class Act, std::size_t... I>
auto make_network(std::index_sequence<I...>)
    -> initlab::network<initlab::dense<width(I), width(I + 1), Init, Act>...>;

/// The depth-50 network of one scheme × activation pair.
template <class Init, class Act>
using deep_network = decltype(make_network<Init, Act>(std::make_index_sequence<depth>{}));

template <class Init, class Act>
constexpr auto profile_of = initlab::profile<deep_network<Init, Act>>(input_variance,
                                                                      gradient_variance);

// ---- the derivation's facts, on the constexpr profiles (index i = layer l = i + 1)
constexpr double exact = 1e-12;  // relative tolerance for identities in double arithmetic
constexpr double d_narrow = static_cast<double>(narrow);
constexpr double d_wide = static_cast<double>(wide);

static_assert(deep_network<initlab::he_normal, initlab::relu>::depth == depth);
static_assert(deep_network<initlab::he_normal, initlab::relu>::input_width == narrow &&
              deep_network<initlab::he_normal, initlab::relu>::output_width == narrow);

/// Whether a[i + step] = a[i]·factor for every i (relative tolerance `exact`).
template <std::size_t N>
constexpr bool geometric(const std::array<double, N>& a, std::size_t step, double factor) {
  for (std::size_t i = 0; i + step < N; ++i)
    if (!initlab::within_rel(a[i + step], a[i] * factor, exact)) return false;
  return true;
}
/// Whether a[i] = b[i]·factor for every i.
template <std::size_t N>
constexpr bool proportional(const std::array<double, N>& a, const std::array<double, N>& b,
                            double factor) {
  for (std::size_t i = 0; i < N; ++i)
    if (!initlab::within_rel(a[i], b[i] * factor, exact)) return false;
  return true;
}
/// Smallest entry.
template <std::size_t N>
constexpr double smallest(const std::array<double, N>& a) {
  double m = a[0];
  for (double v : a)
    m = v < m ? v : m;
  return m;
}

// LeCun keeps a linear stack's forward variance at q0 exactly; the gradient alternates by D̂/D.
static_assert(initlab::preserves_forward_variance<deep_network<initlab::lecun_normal, linear>>(
    exact, input_variance));
static_assert(initlab::within_rel(profile_of<initlab::lecun_normal, linear>.forward[0],
                                  input_variance, exact));
static_assert(geometric(profile_of<initlab::lecun_normal, linear>.backward, 2, 1.0) &&
              initlab::within_rel(profile_of<initlab::lecun_normal, linear>.backward[depth - 2],
                                  profile_of<initlab::lecun_normal, linear>.backward[depth - 1] *
                                      d_wide / d_narrow,
                                  exact));
// Xavier: 2D/(D+D̂) per layer, 4·D·D̂/(D+D̂)² = 0.9375 per two layers, forward and backward.
constexpr double xavier_pair_gain =
    4.0 * d_narrow * d_wide / ((d_narrow + d_wide) * (d_narrow + d_wide));
static_assert(initlab::within_rel(xavier_pair_gain, 0.9375, exact));
static_assert(geometric(profile_of<initlab::xavier_normal, linear>.forward, 2, xavier_pair_gain) &&
              geometric(profile_of<initlab::xavier_normal, linear>.backward, 2,
                        1.0 / xavier_pair_gain));
static_assert(!initlab::preserves_forward_variance<deep_network<initlab::xavier_normal, linear>>(
    1.0, input_variance));
// He with ReLU: flat at 2·q0 forward; ReLU and linear are positively homogeneous, so He/ReLU is
// exactly twice LeCun/linear in both directions, and LeCun/ReLU halves per layer (2^-49 at 50).
static_assert(initlab::preserves_forward_variance<deep_network<initlab::he_normal, initlab::relu>>(
    exact, input_variance));
static_assert(proportional(profile_of<initlab::he_normal, initlab::relu>.forward,
                           profile_of<initlab::lecun_normal, linear>.forward, 2.0) &&
              proportional(profile_of<initlab::he_normal, initlab::relu>.backward,
                           profile_of<initlab::lecun_normal, linear>.backward, 2.0));
static_assert(geometric(profile_of<initlab::lecun_normal, initlab::relu>.forward, 1, 0.5));
// σ = 0.01: D_l·σ² per layer (×1/2 for ReLU); every analytic value stays a normal double.
static_assert(initlab::within_rel(profile_of<small_normal, linear>.forward[1] /
                                      profile_of<small_normal, linear>.forward[0],
                                  d_wide* small_std* small_std, exact));
static_assert(initlab::within_rel(profile_of<small_normal, initlab::relu>.forward[1] /
                                      profile_of<small_normal, initlab::relu>.forward[0],
                                  d_wide* small_std* small_std / 2.0, exact));
static_assert(smallest(profile_of<small_normal, initlab::relu>.forward) > 1e-200 &&
              smallest(profile_of<small_normal, initlab::relu>.backward) > 1e-200 &&
              smallest(profile_of<small_normal, initlab::tanh>.forward) > 1e-200 &&
              smallest(profile_of<small_normal, initlab::tanh>.backward) > 1e-200 &&
              smallest(profile_of<small_normal, linear>.backward) > 1e-200);
static_assert(profile_of<small_normal, linear>.forward[depth - 1] < 1e-79);
// tanh: LeCun drives q_l to 0 (q_50 < 0.02), He converges to the mean-field fixed point q* of
// q = 2·E_q[tanh²] (THEORY.md §5), where the gradient grows by χ₁ > 1 per layer pair.
static_assert(profile_of<initlab::lecun_normal, initlab::tanh>.forward[depth - 1] < 0.02 &&
              profile_of<initlab::xavier_normal, initlab::tanh>.forward[depth - 1] < 0.01);
constexpr double he_tanh_q_star = initlab::mean_field::fixed_point<initlab::tanh>({2.0, 0.0});
static_assert(initlab::within_rel(profile_of<initlab::he_normal, initlab::tanh>.forward[depth - 1],
                                  he_tanh_q_star, 1e-9));
static_assert(initlab::mean_field::chi1<initlab::tanh>({2.0, 0.0}) > 1.0);

/// Per-trial values of one depth-50 network.
struct trial_values {
  double x2 = 0.0;                  // mean of x²
  double seed2 = 0.0;               // mean of (∂L/∂y_50)², the gradient seed
  std::array<double, depth> y2{};   // mean of y_l²
  std::array<double, depth> dx2{};  // mean of (∂L/∂x_l)²
};

/// Per-trial column f(trial).
template <class F>
std::vector<double> column(const std::vector<trial_values>& t, F&& f) {
  std::vector<double> c;
  c.reserve(t.size());
  for (const auto& v : t)
    c.push_back(f(v));
  return c;
}

/// Two-digit layer number (claim ids sort by layer).
std::string layer_id(std::size_t l) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02zu", l);
  return buf;
}

/// What a pair checks beyond the gains: targets of its absolute claims and which spans are
/// claimed (tanh's accumulated finite-width bias exceeds the interval at some spans).
struct pair_plan {
  std::string tag;    // claim id prefix, e.g. "he_relu"
  std::string label;  // e.g. "He 2/D_l, ReLU"
  std::array<bool, spans.size()> forward_spans{true, true, true};
  std::array<bool, spans.size()> backward_spans{true, true, true};
  std::array<double, spans.size()> absolute_target{0.05, 0.05, 0.05};
};

constexpr double gain_target = 0.05;  // per-layer gains inside a depth-50 network

/// One scheme × activation pair: its plan, run-time specs, constexpr profile and trials.
struct pair_run {
  pair_plan plan;
  initlab::sampled_network specs;             // the compile-time network, sampled
  initlab::variance_profile<depth> profile;  // copy of the constexpr profile_of<Init, Act>
  initlab::stream base;                      // trial t uses base.child(t)
  std::size_t trials = 0;                    // trials of this pair
  std::vector<trial_values> values;          // per-trial values, in trial order
};

/// The pair (Init, Act) with its streams root.child(index).
template <class Init, class Act>
pair_run make_pair_run(pair_plan plan, const initlab::stream& root, std::uint64_t index,
                       std::size_t trials) {
  return {std::move(plan),
          initlab::sampled_network::of<deep_network<Init, Act>>(),
          profile_of<Init, Act>,
          root.child(index),
          trials,
          {}};
}

/// Trials per work unit of a pair: a function of its trial count only (never of the threads);
/// at most 4 units per pair, because allocating a 25 MB network costs as much as a few trials.
constexpr std::size_t unit_size(std::size_t trials) {
  const std::size_t quarter = (trials + 3) / 4;
  return quarter < 8 ? 8 : quarter;
}

/// Runs every trial of every pair in one parallel loop over (pair, unit) work units; each unit
/// samples fresh networks into one reused buffer set (buffers never change a result).
void measure_all(context& ctx, std::vector<pair_run>& pairs) {
  struct unit {
    std::size_t pair, first, last;
  };
  std::vector<unit> units;
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    const std::size_t size = unit_size(pairs[p].trials);
    for (std::size_t first = 0; first < pairs[p].trials; first += size)
      units.push_back({p, first, std::min(first + size, pairs[p].trials)});
  }
  const initlab::trial_config config{.batch = batch,
                                     .input_variance = input_variance,
                                     .seed = initlab::gradient_seed::gaussian,
                                     .gradient_variance = gradient_variance};
  const auto parts = ctx.trials(units.size(), [&](std::size_t u) {
    const pair_run& pr = pairs[units[u].pair];
    initlab::sampled_network net(pr.specs);
    std::vector<trial_values> part;
    for (std::size_t t = units[u].first; t < units[u].last; ++t) {
      const initlab::trial_statistics s = initlab::run_trial(net, config, pr.base.child(t));
      trial_values v;
      v.x2 = s.mean_x2;
      v.seed2 = s.layers[depth - 1].mean_dy2;
      for (std::size_t l = 0; l < depth; ++l) {
        v.y2[l] = s.layers[l].mean_y2;
        v.dx2[l] = s.layers[l].mean_dx2;
      }
      part.push_back(v);
    }
    return part;
  });
  for (std::size_t u = 0; u < units.size(); ++u) {
    auto& values = pairs[units[u].pair].values;
    values.insert(values.end(), parts[u].begin(), parts[u].end());
  }
}

/// Adds the gain and absolute claims of one measured pair.
void add_pair_claims(context& ctx, const pair_run& pr) {
  const pair_plan& plan = pr.plan;
  const auto& p = pr.profile;
  const auto& t = pr.values;
  const std::string& who = plan.label;
  // Forward gains, layer 1 (over the input, which is not activated) to 50.
  for (std::size_t i = 0; i < depth; ++i) {
    const std::size_t l = i + 1;
    const double analytic =
        i == 0 ? p.forward[0] / input_variance : p.forward[i] / p.forward[i - 1];
    const std::string d_in = std::to_string(width(i)), d_out = std::to_string(width(i + 1));
    ctx.claim({.id = plan.tag + "_fwd_gain_" + layer_id(l),
               .statement = who + ": forward gain of layer " + std::to_string(l) + " (" + d_in +
                            " → " + d_out + "), E[y2_l/y2_{l-1}] over networks",
               .formula = i == 0 ? "Var[y_1]/q0 = D_1·σ_1²"
                                 : "Var[y_l]/Var[y_{l-1}] = D_l·σ_l²·E_{q_{l-1}}[φ²]/q_{l-1}",
               .analytic = analytic,
               .max_rel_half_width = gain_target},
              column(t, [i](const trial_values& v) {
                return i == 0 ? v.y2[0] / v.x2 : v.y2[i] / v.y2[i - 1];
              }));
  }
  // Backward gains, layer 50 (over the output gradient seed) down to 1.
  for (std::size_t i = depth; i-- > 0;) {
    const std::size_t l = i + 1;
    const double analytic =
        i == depth - 1 ? p.backward[i] / gradient_variance : p.backward[i] / p.backward[i + 1];
    ctx.claim({.id = plan.tag + "_bwd_gain_" + layer_id(l),
               .statement = who + ": backward gain of layer " + std::to_string(l) +
                            ", E[dx2_l/dx2_{l+1}] over networks",
               .formula = i == depth - 1 ? "Var[∂L/∂x_50]/g = D̂_50·σ_50²"
                                         : "Var[∂L/∂x_l]/Var[∂L/∂x_{l+1}] = D̂_l·σ_l²·E_{q_l}[φ'²]",
               .analytic = analytic,
               .max_rel_half_width = gain_target},
              column(t, [i](const trial_values& v) {
                return i == depth - 1 ? v.dx2[i] / v.seed2 : v.dx2[i] / v.dx2[i + 1];
              }));
  }
  // Absolute values after k layers, forward (Var[y_k]) and backward (Var[∂L/∂x_{51-k}]).
  for (std::size_t s = 0; s < spans.size(); ++s) {
    const std::size_t k = spans[s];
    if (plan.forward_spans[s])
      ctx.claim({.id = plan.tag + "_fwd_abs_" + layer_id(k),
                 .statement = who + ": Var[y_" + std::to_string(k) + "]/q0, the profile after " +
                              std::to_string(k) + " layers",
                 .formula = "Var[y_k]/q0 = ∏_{l≤k} gain_l",
                 .analytic = p.forward[k - 1] / input_variance,
                 .max_rel_half_width = plan.absolute_target[s]},
                column(t, [k](const trial_values& v) { return v.y2[k - 1] / v.x2; }));
    if (plan.backward_spans[s]) {
      const std::size_t i = depth - k;  // layer l = depth − k + 1
      ctx.claim({.id = plan.tag + "_bwd_abs_" + layer_id(i + 1),
                 .statement = who + ": Var[∂L/∂x_" + std::to_string(i + 1) +
                              "]/g, the gradient after " + std::to_string(k) + " layers",
                 .formula = "Var[∂L/∂x_l]/g = ∏_{m≥l} backward gain_m",
                 .analytic = p.backward[i] / gradient_variance,
                 .max_rel_half_width = plan.absolute_target[s]},
                column(t, [i](const trial_values& v) { return v.dx2[i] / v.seed2; }));
    }
  }
}

/// Per-trial Var[y_50]/q0.
std::vector<double> forward_output(const std::vector<trial_values>& t) {
  return column(t, [](const trial_values& v) { return v.y2[depth - 1] / v.x2; });
}

}  // namespace

int main(int argc, char** argv) {
  return initlab::study::run(
      argc, argv,
      {.id = "09",
       .slug = "depth_profile",
       .title = "Depth-50 variance profiles of {N(0,0.01²), LeCun, Xavier, He} × {linear, ReLU, "
                "tanh}: per-layer gains and absolute values, forward and backward",
       .source = "seed texts 000 and 001; He et al. 2015 eq. 7-14; Glorot & Bengio 2010 §4.2; "
                 "THEORY.md §1, §5, §6",
       .default_replications = 800,
       .quick_replications = 4},
      [](context& ctx) {
        // Trials per pair: linear n, ReLU ⌈n/2⌉, tanh ⌈n/3⌉ (at least 4 each).
        const std::size_t n = ctx.replications();
        const std::size_t n_relu = std::max<std::size_t>(4, (n + 1) / 2);
        const std::size_t n_tanh = std::max<std::size_t>(4, (n + 2) / 3);
        ctx.setting("depth", depth);
        ctx.setting("widths", std::vector<std::size_t>{narrow, wide});
        ctx.setting("batch", batch);
        ctx.setting("input_variance", input_variance);
        ctx.setting("gradient_variance", gradient_variance);
        ctx.setting("small_std", small_std);
        ctx.setting("trials_linear", n);
        ctx.setting("trials_relu", n_relu);
        ctx.setting("trials_tanh", n_tanh);
        ctx.setting("absolute_spans", std::vector<std::size_t>{spans.begin(), spans.end()});
        const initlab::stream root = ctx.root_stream();
        constexpr std::size_t last = depth - 1;

        // ReLU absolute targets (THEORY.md §6): per-trial spread √(∏(1+5/D̂_l) − 1) ≈ 0.48,
        // 0.80, 1.35 after 10, 25, 50 layers (pilot: up to 1.7 at 50), times t ≈ 4.55 / √400.
        const std::array<double, 3> relu_targets{0.15, 0.25, 0.45};

        std::vector<pair_run> pairs;
        pairs.push_back(make_pair_run<small_normal, linear>(
            {.tag = "small_linear", .label = "N(0, 0.01²), linear"}, root, 0, n));
        pairs.push_back(make_pair_run<initlab::lecun_normal, linear>(
            {.tag = "lecun_linear", .label = "LeCun 1/D_l, linear"}, root, 1, n));
        pairs.push_back(make_pair_run<initlab::xavier_normal, linear>(
            {.tag = "xavier_linear", .label = "Xavier 2/(D+D̂), linear"}, root, 2, n));
        pairs.push_back(make_pair_run<initlab::he_normal, linear>(
            {.tag = "he_linear", .label = "He 2/D_l, linear"}, root, 3, n));
        pairs.push_back(make_pair_run<small_normal, initlab::relu>(
            {.tag = "small_relu", .label = "N(0, 0.01²), ReLU", .absolute_target = relu_targets},
            root, 4, n_relu));
        pairs.push_back(make_pair_run<initlab::lecun_normal, initlab::relu>(
            {.tag = "lecun_relu", .label = "LeCun 1/D_l, ReLU", .absolute_target = relu_targets},
            root, 5, n_relu));
        pairs.push_back(
            make_pair_run<initlab::xavier_normal, initlab::relu>({.tag = "xavier_relu",
                                                                  .label = "Xavier 2/(D+D̂), ReLU",
                                                                  .absolute_target = relu_targets},
                                                                 root, 6, n_relu));
        pairs.push_back(make_pair_run<initlab::he_normal, initlab::relu>(
            {.tag = "he_relu", .label = "He 2/D_l, ReLU", .absolute_target = relu_targets}, root, 7,
            n_relu));
        // tanh: ⌈n/3⌉ trials, so the linear-like spread of the deep absolute values (≈ 0.26 per
        // trial after 50 layers) gives half-widths up to ≈ 8%; targets accordingly. The absolute
        // values whose accumulated finite-width bias the pilot put near or above the interval are
        // not claimed (header): LeCun/Xavier forward after 25 and 50 layers, He backward.
        const std::array<double, 3> tanh_targets{0.05, 0.06, 0.10};
        pairs.push_back(make_pair_run<small_normal, initlab::tanh>(
            {.tag = "small_tanh", .label = "N(0, 0.01²), tanh", .absolute_target = tanh_targets},
            root, 8, n_tanh));
        pairs.push_back(make_pair_run<initlab::lecun_normal, initlab::tanh>(
            {.tag = "lecun_tanh",
             .label = "LeCun 1/D_l, tanh",
             .forward_spans = {true, false, false},
             .absolute_target = tanh_targets},
            root, 9, n_tanh));
        pairs.push_back(make_pair_run<initlab::xavier_normal, initlab::tanh>(
            {.tag = "xavier_tanh",
             .label = "Xavier 2/(D+D̂), tanh",
             .forward_spans = {true, false, false},
             .absolute_target = tanh_targets},
            root, 10, n_tanh));
        pairs.push_back(make_pair_run<initlab::he_normal, initlab::tanh>(
            {.tag = "he_tanh",
             .label = "He 2/D_l, tanh",
             .backward_spans = {false, false, false},
             .absolute_target = tanh_targets},
            root, 11, n_tanh));

        measure_all(ctx, pairs);
        for (const pair_run& pr : pairs)
          add_pair_claims(ctx, pr);
        const auto& lecun_relu = pairs[5].values;
        const auto& he_relu = pairs[7].values;
        const auto& small_relu = pairs[4].values;
        const auto& lecun_tanh = pairs[9].values;
        const auto& xavier_tanh = pairs[10].values;

        // ---- derivations expected to be refuted (by factors ≥ 90)
        constexpr auto lecun_relu_p = profile_of<initlab::lecun_normal, initlab::relu>;
        ctx.claim({.id = "wrong_lecun_preserves_relu",
                   .statement = "wrong: LeCun 1/D preserves the ReLU forward variance, Var[y_50] = "
                                "Var[y_1] (ReLU halves E[y²]: it is 2^-49·Var[y_1])",
                   .formula = "Var[y_50] = Var[y_1] (wrong; 2^-49·Var[y_1] is right)",
                   .analytic = lecun_relu_p.forward[0] / input_variance,
                   .expected = verdict::refuted},
                  forward_output(lecun_relu));
        constexpr auto he_linear_p = profile_of<initlab::he_normal, linear>;
        ctx.claim({.id = "wrong_he_relu_linear_recursion",
                   .statement = "wrong: He 2/D with ReLU follows the linear recursion D·σ² = 2 per "
                                "layer, Var[y_50] = 2^50·q0 (it ignores ReLU's 1/2: 2·q0 is right)",
                   .formula = "Var[y_50] = (D·σ²)^50·q0 (wrong; ×E[relu²]/q = 1/2 per layer)",
                   .analytic = he_linear_p.forward[last] / input_variance,
                   .expected = verdict::refuted},
                  forward_output(he_relu));
        constexpr auto small_relu_p = profile_of<small_normal, initlab::relu>;
        ctx.claim({.id = "wrong_small_preserves_relu",
                   .statement = "wrong: σ = 0.01 keeps the ReLU forward variance, Var[y_50] = "
                                "Var[y_1] (it shrinks by D·σ²/2 ≤ 0.016 per layer)",
                   .formula = "Var[y_50] = Var[y_1] (wrong; ∏ D_l·σ²/2 is right)",
                   .analytic = small_relu_p.forward[0] / input_variance,
                   .expected = verdict::refuted},
                  forward_output(small_relu));
        ctx.claim({.id = "wrong_small_preserves_relu_gradient",
                   .statement = "wrong: σ = 0.01 keeps the ReLU gradient, Var[∂L/∂x_1] = "
                                "Var[∂L/∂x_50] (it shrinks by D̂·σ²/2 ≤ 0.016 per layer)",
                   .formula = "Var[∂L/∂x_1] = Var[∂L/∂x_50] (wrong)",
                   .analytic = small_relu_p.backward[last] / gradient_variance,
                   .expected = verdict::refuted},
                  column(small_relu, [](const trial_values& v) { return v.dx2[0] / v.seed2; }));
        constexpr auto lecun_tanh_p = profile_of<initlab::lecun_normal, initlab::tanh>;
        ctx.claim({.id = "wrong_lecun_preserves_tanh",
                   .statement = "wrong: LeCun 1/D preserves the tanh forward variance as for "
                                "linear (tanh ≈ x), Var[y_50] = q0 (E_q[tanh²] < q: q_50 ≈ 0.01)",
                   .formula = "Var[y_50] = q0 (wrong; q_l = E_{q_{l-1}}[tanh²] → 0)",
                   .analytic = lecun_tanh_p.forward[0] / input_variance,
                   .expected = verdict::refuted},
                  forward_output(lecun_tanh));
        constexpr auto xavier_tanh_p = profile_of<initlab::xavier_normal, initlab::tanh>;
        ctx.claim({.id = "wrong_xavier_preserves_tanh",
                   .statement = "wrong: Xavier preserves the tanh forward variance, Var[y_50] = "
                                "Var[y_1] (0.9375 per layer pair, and E_q[tanh²] < q)",
                   .formula = "Var[y_50] = Var[y_1] (wrong)",
                   .analytic = xavier_tanh_p.forward[0] / input_variance,
                   .expected = verdict::refuted},
                  forward_output(xavier_tanh));
      });
}
