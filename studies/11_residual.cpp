/// Study 11: residual streams at initialization (THEORY.md §8; He et al. 2016; De & Smith 2020,
/// SkipInit; Zhang, Dauphin & Ma 2019, Fixup). A block is x_{l+1} = x_l + α·f(x_l) with a branch
/// that ends in zero-mean weights, so E[x_{l+1}²] = E[x_l²] + α²·E[f²] (the cross term vanishes:
/// flipping the sign of W's row i flips f_i, not x_i) and, under gradient independence,
/// E[(∂L/∂x_l)²] = E[(∂L/∂x_{l+1})²] + α²·E[(J_fᵀ ∂L/∂x_{l+1})²]. Analytic values come from
/// `profile<Net>` (the layer kinds' maps, residual.hpp) and the finite-width correction
/// `relu_stream_width_correction` (residual.hpp); measured values: results/11_residual.json.
///
/// 1. He/ReLU stream (part 0), f = W·relu(x), W ~ N(0, 2/D), D = 256, 16 blocks, B = 8:
///    E[f²] = E[x²] for a symmetric stream, so the map doubles per block, forward (2^l·q0) and
///    backward (2^k·g after k blocks). At finite width the stream is skewed (each unit's own
///    relu(x_i)² enters the variance of its branch noise), E[x_{l+1}²] = 2·E[x_l²] + 2·A_l with
///    A_l = E[x_l|x_l|]/2 > 0, and the gradient departs from gradient independence through the
///    same coupling; residual.hpp derives both to first order, E[x_l²] = 2^l·q0·(1 + κ_l/D) and
///    E[(∂L/∂x_l)²] = 2^(L−l)·g·(1 + γ_l/D) (κ_16 = γ_{0,16} ≈ 9.2: +3.6% at D = 256, the size
///    of the deep interval; the top block's gradient is slightly low, γ < 0). Claims, every block:
///    E[x_l²]/q0 and E[(∂L/∂x_{l−1})²]/g (x_{l−1} the input of block l), and the per-block
///    gains E[x_l²]/E[x_{l−1}²] and E[(∂L/∂x_{l−1})²]/E[(∂L/∂x_l)²] (ratios of means over
///    networks: the ratio of the corrected values), all with the corrected values; block 1 forward
///    and block 16 backward are single-layer claims (1%). The deep absolute values fluctuate
///    between networks with a heavy right tail; a claim that misses 5% says so. Expected refuted
///    (real mistakes): "the residual variance is additive, E[x_l²] = q0 + l·q0" (the branch's
///    output variance taken as the input's, not the grown stream's), "the skip preserves the
///    variance, so He is enough: E[x_l²] = 2·q0 as in a plain He/ReLU net", and the backward "the
///    gradient is preserved as in a plain He net".
/// 2. BN on the branch (parts 4–6), in the pre-activation order De & Smith 2020 analyse (their
///    normalized ResNet-v2 branch BN → ReLU → weights): f = W·relu(BN(x)), ε = 0. BN makes
///    E[ŷ²] = 1 exactly in every batch and the branch ends in zero-mean weights, so E[f²] =
///    D·(2/D)·E[relu(ŷ)²] = 1 and E[x_l²] = q0 + l·α² (SkipInit's "the skip dominates": the
///    branch's share at block l is 1/(1 + l)). Parts: α = 1 at D = 128 (every block); α = 1/√L
///    for L = 16 (D = 128) and L = 64 (D = 64): E[x_L²] = q0 + 1, O(1) at any depth. The same
///    skew as in 1. shows here as an O(1/D) rise of E[relu(ŷ)²] above 1/2, smaller than in 1.
///    (the branch is normalized, so unit i's share of its noise does not grow with the stream)
///    and below these intervals (n/4 networks per part). Expected refuted: "the normalized branch
///    still doubles the stream" (2^l), "with α = 1/√L the stream still grows like q0 + l"
///    (α ignored), and the B → ∞ backward map of BN at B = 16 (the finite-batch factor of
///    batch_norm.hpp, about 1/(B − 3) per branch, compounds over 16 blocks; study 10 derives
///    BN's finite-batch backward).
/// 3. Fixup (parts 7–9): a two-layer branch relu → W₁ → relu → W₂, each W ~ N(0, 2s²/D) with s =
///    fixup_scale(L, 2) = L^(−1/2): E[f²] = s⁴·E[x²], so E[x_L²] = (1 + 1/L²)^L·q0 → q0 as L → ∞
///    (bounded), at L = 4, 16, 64 (D = 64), forward and backward. Expected refuted: "the Fixup
///    scale multiplies the branch once" (α = s on the branch output, E[x_L²] = (1 + 1/L)^L·q0 →
///    e·q0), and the unscaled He branch's 2^L.
/// 4. Finite width (parts 0–3): the He/ReLU stream of 1. at D = 32, 64, 128, 256 after 16 blocks,
///    forward E[x_16²] and backward E[(∂L/∂x_0)²]: the infinite-width 2^16 as a limit claim
///    (expected refuted where the derived gap κ_16/D, γ_{0,16}/D is resolved), the corrected
///    value, and the gap itself scaled by the width, D·(E[x_16²]/(2^16·q0) − 1) = κ_16 and
///    D·(E[(∂L/∂x_0)²]/(2^16·g) − 1) = γ_{0,16} at every width (the 1/D law). The gap is a small
///    part of a value whose spread between networks is O(1) (heavy right tail), so its own
///    interval is wide: those claims state why they miss 5%. Narrow streams are cheap, so they get
///    more networks (8n, 4n, 2n at D = 32, 64, 128; n at 256).
/// A trial is one network: fresh weights, B i.i.d. N(0, q0) inputs, an independent N(0, g)
/// ∂L/∂x_L, real back-propagation; part p on streams root.child(p).child(trial).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initlab/initlab.hpp>
#include <string>
#include <vector>

#include "network_trials.hpp"

namespace {

using namespace initlab;
using namespace initlab::study;

constexpr double q0 = 1.0, g = 1.0;    // E[x_0²]; Var[∂L/∂x_L] of the seed
constexpr std::size_t blocks = 16;     // depth of the He and BN streams
constexpr std::size_t he_width = 256;  // D of part 0
constexpr std::size_t he_batch = 8;    // B of the unnormalized streams
constexpr std::size_t bn_width = 128;  // D of the BN streams (L = 16)
constexpr std::size_t bn_batch = 16;   // B of the BN streams
constexpr std::size_t deep_bn = 64;    // L of the deep SkipInit stream
constexpr std::size_t deep_bn_width = 64;
constexpr std::size_t fixup_width = 64;

/// The He/ReLU block x + W·relu(x), W ~ N(0, 2/D).
template <std::size_t D>
using he_block = residual<serial<relu, dense<D, D, he_normal>>>;
template <std::size_t D>
using he_stream = network<repeat<blocks, he_block<D>>>;
/// A plain He/ReLU net of the same depth (the "He is enough" mistake).
using plain_he = network<repeat<blocks, dense<he_width, he_width, he_normal, relu>>>;

/// The BN branch block x + α·W·relu(BN(x)) (pre-activation order, ε = 0).
template <std::size_t D, initlab::real_param Alpha>
using bn_block = residual<serial<batch_norm<0.0>, relu, dense<D, D, he_normal>>, Alpha>;
constexpr double skip_alpha_16 = 1.0 / math::sqrt(static_cast<double>(blocks));
constexpr double skip_alpha_64 = 1.0 / math::sqrt(static_cast<double>(deep_bn));
using bn_stream = network<repeat<blocks, bn_block<bn_width, 1.0>>>;
using skip_stream_16 = network<repeat<blocks, bn_block<bn_width, skip_alpha_16>>>;
using skip_stream_64 = network<repeat<deep_bn, bn_block<deep_bn_width, skip_alpha_64>>>;

/// Fixup: each of the m = 2 weight layers of a branch at He·s², s = fixup_scale(L, 2).
template <std::size_t L>
inline constexpr double fixup_variance_scale = 2.0 * fixup_scale(L, 2) * fixup_scale(L, 2);
template <std::size_t L>
using fixup_init = variance_scaling<fixup_variance_scale<L>, fan::in, dist::normal>;
template <std::size_t L, class Init>
using two_layer_block = residual<serial<relu, dense<fixup_width, fixup_width, Init>, relu,
                                        dense<fixup_width, fixup_width, Init>>>;
template <std::size_t L>
using fixup_stream = network<repeat<L, two_layer_block<L, fixup_init<L>>>>;
/// The mistake "scale the branch once": He weights, α = s on the branch output.
template <std::size_t L>
using fixup_once_stream =
    network<repeat<L, residual<serial<relu, dense<fixup_width, fixup_width, he_normal>, relu,
                                      dense<fixup_width, fixup_width, he_normal>>,
                               fixup_scale(L, 2)>>>;
template <std::size_t L>
using unscaled_stream = network<repeat<L, two_layer_block<L, he_normal>>>;

// ---- analytic profiles (constexpr core); index i is block l = i + 1
template <std::size_t D>
constexpr auto he_profile = profile<he_stream<D>>(q0, g);
constexpr auto he = he_profile<he_width>;
constexpr auto plain = profile<plain_he>(q0, g);
constexpr auto bn = profile<bn_stream>(q0, g);
constexpr auto skip16 = profile<skip_stream_16>(q0, g);
constexpr auto skip64 = profile<skip_stream_64>(q0, g);
template <std::size_t L>
constexpr auto fixup = profile<fixup_stream<L>>(q0, g);
template <std::size_t L>
constexpr auto fixup_once = profile<fixup_once_stream<L>>(q0, g);
template <std::size_t L>
constexpr auto unscaled = profile<unscaled_stream<L>>(q0, g);

/// c = α²·D·σ_w² of the He block (2), from the layer kinds.
template <std::size_t D>
constexpr double he_c =
    he_block<D>::alpha* he_block<D>::alpha* static_cast<double>(D) * he_normal::variance(D, D);
/// E[x_l²]/(2^l·q0) to first order at width D (relu_stream_width_correction, residual.hpp).
template <std::size_t D>
constexpr double width_factor(std::size_t l) {
  return relu_stream_width_correction::second_moment_factor(l, he_c<D>, D);
}

/// E[(∂L/∂x_l)²]/(2^(L−l+1)·g) to first order at width D, gradient at the input of block
/// `first` + 1 (0-based `first`) of the 16-block stream.
template <std::size_t D>
constexpr double gradient_factor(std::size_t first) {
  return relu_stream_width_correction::gradient_factor(first, blocks, he_c<D>, D);
}

// ---- the derivation's facts
constexpr double exact = 1e-12;
/// Whether a[i] = a0·factor^(i+1) for every i.
template <std::size_t N>
constexpr bool geometric(const std::array<double, N>& a, double a0, double factor) {
  double v = a0;
  for (std::size_t i = 0; i < N; ++i) {
    v *= factor;
    if (!within_rel(a[i], v, exact)) return false;
  }
  return true;
}
/// Whether a[i] = a0 + step·(i+1) for every i.
template <std::size_t N>
constexpr bool arithmetic(const std::array<double, N>& a, double a0, double step) {
  for (std::size_t i = 0; i < N; ++i)
    if (!within_rel(a[i], a0 + step * static_cast<double>(i + 1), exact)) return false;
  return true;
}
// He/ReLU: the stream doubles per block forward, the gradient doubles per block going down
// (backward[i] is the gradient at the input of block i + 1: 2^(16−i)·g); c = 2.
static_assert(he_c<he_width> == 2.0 && geometric(he.forward, q0, 2.0) &&
              within_rel(he.backward[blocks - 1], 2.0 * g, exact) &&
              within_rel(he.backward[0], 65536.0 * g, exact));
// A plain He/ReLU net keeps 2·q0 (the "He is enough" value), the additive mistake is the BN map.
static_assert(within_rel(plain.forward[blocks - 1], 2.0 * q0, exact) &&
              within_rel(plain.backward[0], 2.0 * g, exact));
// The first-order correction: 0 before any block, 0 after block 1 (a Gaussian input has no
// skew), positive and growing after; a_l → 0.734 (the per-block increment of κ).
static_assert(relu_stream_width_correction::second_moment(0, 2.0) == 0.0 &&
              relu_stream_width_correction::second_moment(1, 2.0) == 0.0 &&
              relu_stream_width_correction::second_moment(2, 2.0) > 0.0 &&
              relu_stream_width_correction::second_moment(blocks, 2.0) > 9.0 &&
              relu_stream_width_correction::second_moment(blocks, 2.0) < 9.5);
// BN on the branch: E[x_l²] = q0 + l·α², so α = 1/√L ends at q0 + 1 at any L.
static_assert(arithmetic(bn.forward, q0, 1.0) &&
              arithmetic(skip16.forward, q0, skip_alpha_16* skip_alpha_16) &&
              arithmetic(skip64.forward, q0, skip_alpha_64* skip_alpha_64) &&
              within_rel(skip16.forward[blocks - 1], q0 + 1.0, exact) &&
              within_rel(skip64.forward[deep_bn - 1], q0 + 1.0, exact));
// Fixup: (1 + s⁴)^L with s⁴ = 1/L² for m = 2; bounded by e^(1/L); scaling once gives (1 + 1/L)^L.
static_assert(within_rel(fixup<4>.forward[3], 1.0625 * 1.0625 * 1.0625 * 1.0625, exact) &&
              within_rel(fixup_once<4>.forward[3], 1.25 * 1.25 * 1.25 * 1.25, exact) &&
              fixup<64>.forward[63] < fixup<16>.forward[15] &&
              fixup<16>.forward[15] < fixup<4>.forward[3] && fixup<4>.forward[3] < 1.3 &&
              within_rel(unscaled<4>.forward[3], 16.0, exact));

using trials = std::vector<trial_statistics>;

/// Two-digit block number (claim ids sort by block).
std::string block_id(std::size_t l) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02zu", l);
  return buf;
}
/// Per-trial E[x_l²] over units and batch: l = 0 the input, else block l's output.
std::vector<double> stream_moment(const trials& t, std::size_t l) {
  return l == 0 ? input_second_moment(t) : forward_moment(t, l - 1);
}

/// Why the deep absolute values of the unnormalized stream may miss 5%.
const std::string stream_budget =
    "the unnormalized stream's E[x_l²] fluctuates between networks with a heavy right tail "
    "(its per-network spread grows with depth, THEORY.md §6): 5% at every depth needs more "
    "networks than this study's budget; the per-block gains carry the 5% check";
/// Why the scaled gap D·(E[x_L²]/(2^L q0) − 1) misses 5%.
const std::string gap_budget =
    "the gap is kappa/D of a value whose spread between networks is O(1): its own 5% would take "
    "tens to hundreds of times the networks";

/// Part 0: the He/ReLU stream at D = 256, every block.
void he_claims(context& ctx, const trials& t) {
  constexpr std::size_t D = he_width;
  const std::string who = "He/ReLU residual stream x + W·relu(x), D = 256";
  for (std::size_t l = 1; l <= blocks; ++l) {
    const double analytic = he.forward[l - 1] / q0 * width_factor<D>(l);
    claim_spec spec{.id = "he_fwd_" + block_id(l),
                    .statement = who + ": E[x_" + std::to_string(l) + "²]/q0 after " +
                                 std::to_string(l) +
                                 " blocks (doubling, first-order width "
                                 "correction)",
                    .formula = "E[x_l²] = 2^l·q0·(1 + κ_l/D)",
                    .analytic = analytic,
                    .max_rel_half_width = l == 1 ? single_layer_precision : deep_precision,
                    .unresolved_because = l == 1 ? std::string{} : stream_budget};
    ctx.ratio_claim(std::move(spec), stream_moment(t, l), input_second_moment(t));
  }
  // Gains of blocks 2–16 (block 1's gain is he_fwd_01).
  for (std::size_t l = 2; l <= blocks; ++l)
    ctx.ratio_claim(
        holds("he_fwd_gain_" + block_id(l),
              who + ": forward gain of block " + std::to_string(l) + ", E[x_l²]/E[x_{l-1}²]",
              "E[x_l²]/E[x_{l-1}²] = 2·(1 + κ_l/D)/(1 + κ_{l-1}/D)",
              he.forward[l - 1] / he.forward[l - 2] * width_factor<D>(l) / width_factor<D>(l - 1),
              deep_precision),
        stream_moment(t, l), stream_moment(t, l - 1));
  // Backward gains of blocks 15 down to 1 (block 16's is he_bwd_16); index i is block i + 1.
  for (std::size_t i = blocks - 1; i-- > 0;)
    ctx.ratio_claim(holds("he_bwd_gain_" + block_id(i + 1),
                          who + ": backward gain of block " + std::to_string(i + 1) +
                              ", E[(∂L/∂x_{l-1})²]/E[(∂L/∂x_l)²] (x_{l-1} its input)",
                          "E[(∂L/∂x_{l-1})²]/E[(∂L/∂x_l)²] = 2·(1 + γ_{l-1}/D)/(1 + γ_l/D)",
                          he.backward[i] / he.backward[i + 1] * gradient_factor<D>(i) /
                              gradient_factor<D>(i + 1),
                          deep_precision),
                    input_gradient_moment(t, i), input_gradient_moment(t, i + 1));
  for (std::size_t i = blocks; i-- > 0;)
    backward_claim(
        ctx, t, i,
        holds("he_bwd_" + block_id(i + 1),
              who + ": E[(∂L/∂x_" + std::to_string(i) + ")²]/g at the input of block " +
                  std::to_string(i + 1) + ", " + std::to_string(blocks - i) +
                  " blocks below the output (first-order width correction)",
              "E[(∂L/∂x_l)²] = 2^(L−l)·g·(1 + γ_l/D)", he.backward[i] / g * gradient_factor<D>(i),
              i + 1 == blocks ? single_layer_precision : deep_precision));

  // Real mistakes, at the last block / the input.
  constexpr std::size_t last = blocks - 1;
  ctx.ratio_claim(wrong("wrong_additive_variance",
                        "wrong: the residual variance is additive, E[x_16²] = q0 + 16·q0 (each "
                        "branch adds q0, as if it saw the input, not the grown stream)",
                        "E[x_l²] = q0 + l·q0 (wrong; 2^l·q0 is right)", bn.forward[last] / q0),
                  stream_moment(t, blocks), input_second_moment(t));
  ctx.ratio_claim(
      wrong("wrong_skip_preserves_variance",
            "wrong: the skip preserves the variance, so He is enough: E[x_16²] = "
            "2·q0 as in a plain He/ReLU net",
            "E[x_l²] = 2·q0 (wrong; the branch adds E[x_l²] per block)", plain.forward[last] / q0),
      stream_moment(t, blocks), input_second_moment(t));
  backward_claim(ctx, t, 0,
                 wrong("wrong_skip_preserves_gradient",
                       "wrong: He keeps the gradient through the skips as in a plain He/ReLU "
                       "net, E[(∂L/∂x_0)²] = 2·g",
                       "E[(∂L/∂x_0)²] = 2·g (wrong; 2^16·g)", plain.backward[0] / g));
}

/// Part 0–3: the 16-block stream at width D; gap and limit claims.
template <std::size_t D>
void width_claims(context& ctx, const trials& t) {
  constexpr auto& p = he_profile<D>;
  const double kappa = relu_stream_width_correction::second_moment(blocks, he_c<D>);
  const double limit_value_16 = p.forward[blocks - 1] / q0;
  const std::string w = std::to_string(D);
  const std::string who = "He/ReLU residual stream, D = " + w + ", 16 blocks";
  if (D != he_width)  // part 0 states it with its other absolute values
    ctx.ratio_claim({.id = "width_" + w + "_fwd_16",
                     .statement = who + ": E[x_16²]/q0 with the first-order width correction",
                     .formula = "E[x_16²] = 2^16·q0·(1 + κ_16/D)",
                     .analytic = limit_value_16 * width_factor<D>(blocks),
                     .max_rel_half_width = deep_precision,
                     .unresolved_because = stream_budget},
                    stream_moment(t, blocks), input_second_moment(t));
  ctx.ratio_claim(limit_value("width_" + w + "_fwd_16_limit",
                              who + ": the infinite-width E[x_16²] = 2^16·q0 (the map)",
                              "E[x_16²] = 2^16·q0 (D → ∞)", limit_value_16, "infinite-width",
                              width_factor<D>(blocks) - 1.0),
                  stream_moment(t, blocks), input_second_moment(t));
  // D·(E[x_16²] − 2^16·E[x_0²])/2^16 over E[x_0²]: the scaled gap, κ_16 at every width.
  std::vector<double> scaled_excess;
  for (const trial_statistics& s : t)
    scaled_excess.push_back(static_cast<double>(D) *
                            (s.layers[blocks - 1].mean_y2 - limit_value_16 * s.mean_x2) /
                            limit_value_16);
  ctx.ratio_claim({.id = "width_" + w + "_gap_16",
                   .statement = who + ": the finite-width gap times the width, D·(E[x_16²]/" +
                                "(2^16·q0) − 1) (the 1/D law: the same κ_16 at every width)",
                   .formula = "D·(E[x_16²]/(2^16·q0) − 1) = κ_16 = (c/g)·Σ_{k<16} a_k",
                   .analytic = kappa,
                   .max_rel_half_width = deep_precision,
                   .unresolved_because = gap_budget},
                  scaled_excess, input_second_moment(t));
  // Backward: the gradient at the input, 16 blocks below the seed.
  const double gamma = relu_stream_width_correction::gradient(0, blocks, he_c<D>);
  const double bwd_limit = p.backward[0] / g;
  if (D != he_width)
    backward_claim(ctx, t, 0,
                   {.id = "width_" + w + "_bwd_16",
                    .statement = who + ": E[(∂L/∂x_0)²]/g at the input with the first-order "
                                       "width correction",
                    .formula = "E[(∂L/∂x_0)²] = 2^16·g·(1 + γ_{0,16}/D)",
                    .analytic = bwd_limit * gradient_factor<D>(0),
                    .max_rel_half_width = deep_precision,
                    .unresolved_because = stream_budget});
  backward_claim(ctx, t, 0,
                 limit_value("width_" + w + "_bwd_16_limit",
                             who + ": the infinite-width, gradient-independence E[(∂L/∂x_0)²] "
                                   "= 2^16·g at the input (the map)",
                             "E[(∂L/∂x_0)²] = 2^16·g (D → ∞, gradient independence)", bwd_limit,
                             "infinite-width", gradient_factor<D>(0) - 1.0));
  std::vector<double> scaled_bwd_excess;
  for (const trial_statistics& s : t)
    scaled_bwd_excess.push_back(static_cast<double>(D) *
                                (s.layers[0].mean_dx2 - bwd_limit * s.layers.back().mean_dy2) /
                                bwd_limit);
  ctx.ratio_claim({.id = "width_" + w + "_bwd_gap_16",
                   .statement = who + ": the gradient's finite-width gap times the width, D·(E[" +
                                "(∂L/∂x_0)²]/(2^16·g) − 1) (the same γ_{0,16} at every width)",
                   .formula = "D·(E[(∂L/∂x_0)²]/(2^16·g) − 1) = γ_{0,16} = (c/g)·Σ_k b_k",
                   .analytic = gamma,
                   .max_rel_half_width = deep_precision,
                   .unresolved_because = gap_budget},
                  scaled_bwd_excess, output_gradient_moment(t));
}

/// Parts 4–6: BN on the branch.
void bn_claims(context& ctx, const trials& t, const trials& t16, const trials& t64) {
  const std::string who = "BN branch x + W·relu(BN(x)), D = 128, B = 16";
  for (std::size_t l = 1; l <= blocks; ++l)
    ctx.ratio_claim(
        holds("bn_fwd_" + block_id(l),
              who + ": E[x_" + std::to_string(l) + "²]/q0 = 1 + " + std::to_string(l) + " (α = 1)",
              "E[x_l²] = q0 + l·α², E[f²] = 2·E[relu(ŷ)²] = 1", bn.forward[l - 1] / q0,
              l == 1 ? single_layer_precision : deep_precision),
        stream_moment(t, l), input_second_moment(t));
  ctx.ratio_claim(
      holds("skipinit_16_fwd_16",
            "SkipInit α = 1/√16 on the BN branch, D = 128: E[x_16²]/q0 = 1 + 16·α² = 2",
            "E[x_L²] = q0 + L·(1/√L)² = q0 + 1", skip16.forward[blocks - 1] / q0, deep_precision),
      stream_moment(t16, blocks), input_second_moment(t16));
  ctx.ratio_claim(
      holds("skipinit_64_fwd_64",
            "SkipInit α = 1/√64 on the BN branch, D = 64, 64 blocks: E[x_64²]/q0 = 2",
            "E[x_L²] = q0 + L·(1/√L)² = q0 + 1", skip64.forward[deep_bn - 1] / q0, deep_precision),
      stream_moment(t64, deep_bn), input_second_moment(t64));
  ctx.ratio_claim(
      wrong("wrong_bn_branch_doubles",
            "wrong: a normalized branch still doubles the stream, E[x_16²] = 2^16·q0",
            "E[x_l²] = 2^l·q0 (wrong with BN on the branch: q0 + l)", he.forward[blocks - 1] / q0),
      stream_moment(t, blocks), input_second_moment(t));
  ctx.ratio_claim(
      wrong("wrong_skipinit_ignores_alpha",
            "wrong: with α = 1/√16 the stream still grows like q0 + l, E[x_16²] = 17·q0",
            "E[x_L²] = q0 + L (wrong; α² = 1/L per block)", bn.forward[blocks - 1] / q0),
      stream_moment(t16, blocks), input_second_moment(t16));
  backward_claim(ctx, t, 0,
                 limit_value("bn_bwd_01_limit",
                             who + ": the B → ∞ backward map, E[(∂L/∂x_0)²]/g = ∏(1 + α²/v_l) "
                                   "(finite batch: BN's backward factor compounds)",
                             "E[(∂L/∂x_l)²] = E[(∂L/∂x_{l+1})²]·(1 + α²/(q_l − c_l)) (B → ∞)",
                             bn.backward[0] / g, "infinite-batch"));
}

/// Parts 7–9: Fixup at L = 4, 16, 64.
template <std::size_t L>
void fixup_claims(context& ctx, const trials& t) {
  const std::string l = std::to_string(L);
  const std::string who = "Fixup two-layer branch (weights He·L^-1, m = 2), D = 64, L = " + l;
  ctx.ratio_claim(
      holds("fixup_" + l + "_fwd", who + ": E[x_L²]/q0 = (1 + L^-2)^L, bounded as L grows",
            "E[x_L²] = (1 + s^(2m))^L·q0, s = L^(−1/(2m−2))", fixup<L>.forward[L - 1] / q0,
            deep_precision),
      stream_moment(t, L), input_second_moment(t));
  backward_claim(
      ctx, t, 0,
      holds("fixup_" + l + "_bwd", who + ": E[(∂L/∂x_0)²]/g = (1 + L^-2)^L",
            "E[(∂L/∂x_0)²] = (1 + s^(2m))^L·g", fixup<L>.backward[0] / g, deep_precision));
  ctx.ratio_claim(wrong("wrong_fixup_" + l + "_scale_once",
                        who + ": wrong: the Fixup scale multiplies the branch once (α = s on its "
                              "output), E[x_L²] = (1 + 1/L)^L·q0",
                        "E[x_L²] = (1 + s²)^L·q0 (wrong; s per weight layer: (1 + s⁴)^L)",
                        fixup_once<L>.forward[L - 1] / q0),
                  stream_moment(t, L), input_second_moment(t));
  ctx.ratio_claim(wrong("wrong_fixup_" + l + "_unscaled",
                        who + ": wrong: the branch scale does not matter (a residual net is "
                              "fine with He weights), E[x_L²] = 2^L·q0 as for the unscaled branch",
                        "E[x_L²] = 2^L·q0 (the unscaled map; wrong for Fixup)",
                        unscaled<L>.forward[L - 1] / q0),
                  stream_moment(t, L), input_second_moment(t));
}

void body(context& ctx) {
  const std::size_t n = ctx.replications();
  // Trials per part, in units of n (the narrow streams are cheap and need many networks).
  const std::size_t n_32 = 8 * n, n_64 = 4 * n, n_128 = 2 * n;
  // Fixup's L = 4 and 16 streams are cheap and skewed (a small chi-square-like branch on an
  // identity): n/2 networks; L = 64 costs 16× L = 4 per network and is less skewed: n/8.
  const std::size_t n_bn = (n + 3) / 4, n_fixup = (n + 1) / 2, n_fixup_64 = (n + 7) / 8;
  ctx.setting("blocks", blocks);
  ctx.setting("he_width", he_width);
  ctx.setting("he_batch", he_batch);
  ctx.setting("widths", std::vector<std::size_t>{32, 64, 128, he_width});
  ctx.setting("bn_width", bn_width);
  ctx.setting("bn_batch", bn_batch);
  ctx.setting("bn_eps", 0.0);
  ctx.setting("skipinit_depths", std::vector<std::size_t>{blocks, deep_bn});
  ctx.setting("skipinit_deep_width", deep_bn_width);
  ctx.setting("fixup_width", fixup_width);
  ctx.setting("fixup_depths", std::vector<std::size_t>{4, 16, 64});
  ctx.setting("input_variance", q0);
  ctx.setting("gradient_variance", g);
  ctx.setting("trials_he_256", n);
  ctx.setting("trials_he_32_64_128", std::vector<std::size_t>{n_32, n_64, n_128});
  ctx.setting("trials_bn", n_bn);
  ctx.setting("trials_fixup_4_16_64", std::vector<std::size_t>{n_fixup, n_fixup, n_fixup_64});
  ctx.setting("trials_per_chunk", simulate_chunk);

  const trial_config he_config = gaussian_backprop(he_batch, q0, g);
  const trial_config bn_config = gaussian_backprop(bn_batch, q0, g);
  const auto he_t = network_trials<he_stream<he_width>>(ctx, 0, he_config, n);
  const auto w32 = network_trials<he_stream<32>>(ctx, 1, he_config, n_32);
  const auto w64 = network_trials<he_stream<64>>(ctx, 2, he_config, n_64);
  const auto w128 = network_trials<he_stream<128>>(ctx, 3, he_config, n_128);
  const auto bn_t = network_trials<bn_stream>(ctx, 4, bn_config, n_bn);
  const auto s16 = network_trials<skip_stream_16>(ctx, 5, bn_config, n_bn);
  const auto s64 = network_trials<skip_stream_64>(ctx, 6, bn_config, n_bn);
  const auto f4 = network_trials<fixup_stream<4>>(ctx, 7, he_config, n_fixup);
  const auto f16 = network_trials<fixup_stream<16>>(ctx, 8, he_config, n_fixup);
  const auto f64 = network_trials<fixup_stream<64>>(ctx, 9, he_config, n_fixup_64);

  he_claims(ctx, he_t);
  width_claims<32>(ctx, w32);
  width_claims<64>(ctx, w64);
  width_claims<128>(ctx, w128);
  width_claims<he_width>(ctx, he_t);
  bn_claims(ctx, bn_t, s16, s64);
  fixup_claims<4>(ctx, f4);
  fixup_claims<16>(ctx, f16);
  fixup_claims<64>(ctx, f64);
}

}  // namespace

int main(int argc, char** argv) {
  return run(argc, argv,
             {.id = "11",
              .slug = "residual",
              .title = "Residual streams at initialization: He/ReLU doubles per block (with its "
                       "1/D correction), BN on the branch adds α² per block, SkipInit and Fixup "
                       "keep the stream bounded",
              .source = "THEORY.md §8; He et al. 2016; De & Smith 2020 (SkipInit); Zhang, "
                        "Dauphin & Ma 2019 (Fixup)",
              .default_replications = 2000,
              .quick_replications = 250},
             body);
}
