/// Study 08: He initialization for ReLU (seed text 000; He et al. 2015 eq. 7–14; THEORY.md §1,
/// §3, §5–6). E[relu(y)²] = Var[y]/2 for symmetric y, so Var[y_l] = D_l·σ_l²·Var[y_{l−1}]/2 and
/// Var[∂L/∂x_l] = D̂_l·σ_l²·Var[∂L/∂x_{l+1}]/2: σ² = 2/D_l keeps every Var[y_l] at Var[y_1] =
/// 2·q0, σ² = 2/D̂_l keeps the gradient, LeCun's 1/n loses a factor 2 per layer; leaky ReLU with
/// slope a has E[φ²] = (1+a²)q/2, needs 2/((1+a²)n), and grows by (1+a²) per layer under 2/n.
/// Networks: depth-10 dense stacks without bias, 1000 trials each (network p = 0…5 on streams
/// root.child(p).child(trial)) of fresh weights, B = 8 inputs x ~ N(0, 1), ∂L/∂y_10 ~ N(0, 1):
///   he (width 256, he_normal): forward and backward per layer, E[h_1²]/E[y_1²] = 1/2;
///   lecun (lecun_normal): the 2^{−l} forward profile, backward at layer 1, "1/n preserves
///   variance" (expected refuted, off by 2^9); he_in (widths 128 → 512, he_normal): forward
///   constant per layer, the gradient grows downward, "fan_in preserves the gradient" expected
///   refuted; he_out (he_normal_fan_out): the mirror image; leaky (leaky_relu<0.5>,
///   kaiming_normal): E[h_1²]/E[y_1²] = (1+a²)/2, forward per layer, backward at layer 1;
///   leaky_he (he_normal): Var[y_10] grows by (1+a²)^9, "2/n preserves leaky ReLU" expected
///   refuted (off by ≈ 7.45).
/// Honest intervals: (leaky) ReLU is positively homogeneous, so the mean recursion is exact at
/// any width (THEORY.md §6), and with the output gradient independent of the network so is the
/// backward one in expectation (Hanin 2018): no finite-width bias to hide. The spread between
/// networks grows with depth (Var[M_L]/M_0² ≈ exp(5·Σ 1/D_l) − 1 per input; a larger batch does
/// not reduce it): ≈ 0.33 per trial at layer 10, so 1000 trials give half-widths ≈ 4% at the
/// Bonferroni confidence (target 5% deep, 1% for the two single-layer ratios). The refuted
/// claims are off by factors ≥ 4, outside even the --quick intervals (≈ 40%).
/// Measured values: results/08_he_relu.json.
#include <array>
#include <cstddef>
#include <initlab/initlab.hpp>
#include <string>
#include <utility>
#include <vector>

#include "network_trials.hpp"

namespace {

using namespace initlab;
using namespace initlab::study;

constexpr double q0 = 1.0, g = 1.0;        // E[x²] of the inputs; Var[∂L/∂y_N] of the seed
constexpr std::size_t batch = 8;           // inputs per network (one trial = one network)
constexpr std::size_t depth = 10;          // layers of every network
constexpr std::size_t square_width = 256;  // width of the square stacks
constexpr double leaky_slope = 0.5;        // a of leaky ReLU
constexpr double leaky_gain = 1.0 + leaky_slope * leaky_slope;  // 1+a²
/// Widths h_0 … h_10 of the widening stack (D̂_l ≠ D_l in every layer).
constexpr std::array<std::size_t, depth + 1> widening_widths{128, 144, 160, 192, 224, 256,
                                                             288, 320, 384, 448, 512};

using leaky = leaky_relu<leaky_slope>;
using leaky_init = kaiming_normal<leaky>;  // 2/((1+a²)·fan_in)

/// A depth-10 stack of width-256 dense layers with one initializer and activation.
template <class Init, class Act>
using square_stack = repeat<depth, dense<square_width, square_width, Init, Act>>;
/// Layer l of the widening ReLU stack maps widening_widths[l−1] → widening_widths[l] (the return
/// type only: never called).
template <class Init, std::size_t... I>
auto make_widening(std::index_sequence<I...>)
    -> network<dense<widening_widths[I], widening_widths[I + 1], Init, relu>...>;
template <class Init>
using widening_stack = decltype(make_widening<Init>(std::make_index_sequence<depth>{}));

using he_net = square_stack<he_normal, relu>;
using lecun_net = square_stack<lecun_normal, relu>;
using he_in_net = widening_stack<he_normal>;
using he_out_net = widening_stack<he_normal_fan_out>;
using leaky_net = square_stack<leaky_init, leaky>;
using leaky_he_net = square_stack<he_normal, leaky>;

// ---- analytic profiles (constexpr core), index i = layer l = i + 1
constexpr auto he = profile<he_net>(q0, g);
constexpr auto lecun = profile<lecun_net>(q0, g);
constexpr auto he_in = profile<he_in_net>(q0, g);
constexpr auto he_out = profile<he_out_net>(q0, g);
constexpr auto leaky_p = profile<leaky_net>(q0, g);
constexpr auto leaky_he = profile<leaky_he_net>(q0, g);
/// E[h²]/E[y²] of ReLU and of leaky ReLU at the first layer's variance.
constexpr double relu_keep = relu::second_moment(he.forward[0]) / he.forward[0];
constexpr double leaky_keep = leaky::second_moment(leaky_p.forward[0]) / leaky_p.forward[0];

// ---- the derivation's facts
constexpr double exact = 1e-12;  // relative tolerance for exact identities in double arithmetic
/// Whether profile[i] = profile[i − 1]·factor for every i ≥ 1.
constexpr bool geometric(const std::array<double, depth>& profile, double factor) {
  for (std::size_t i = 1; i < depth; ++i)
    if (!within_rel(profile[i], profile[i - 1] * factor, exact)) return false;
  return true;
}
// Every stack has depth 10. ReLU keeps half of E[y²], leaky ReLU (1+a²)/2. He 2/n: the first
// layer doubles q0 (its input is not activated), then the profile is flat, forward and backward.
static_assert(he_net::depth == depth && lecun_net::depth == depth && he_in_net::depth == depth &&
              he_out_net::depth == depth && leaky_net::depth == depth &&
              leaky_he_net::depth == depth && within_rel(relu_keep, 0.5, exact) &&
              within_rel(leaky_keep, leaky_gain / 2.0, exact) &&
              within_rel(he.forward[0], 2.0 * q0, exact) &&
              preserves_forward_variance<he_net>(exact, q0) &&
              preserves_backward_variance<he_net>(exact, q0));
// LeCun 1/n halves per layer in both directions (2^{−l}; the backward index order is bottom-up,
// so it doubles going up), 2^9 over the stack; not preserved.
static_assert(geometric(lecun.forward, 0.5) && geometric(lecun.backward, 2.0) &&
              within_rel(lecun.forward[depth - 1] * 512.0, lecun.forward[0], exact) &&
              !preserves_forward_variance<lecun_net>(1.0));
// Widening widths: fan_in keeps the forward pass only, fan_out the backward pass only; the
// D̂_l/D_l telescope to 512/128, so the fan_in gradient at layer 1 is 2·g·512/128 = 8·g and the
// fan_out forward variance at layer 10 is 2·q0·128/512 = q0/2.
static_assert(preserves_forward_variance<he_in_net>(exact, q0) &&
              !preserves_backward_variance<he_in_net>(1.0, q0) &&
              preserves_backward_variance<he_out_net>(exact, q0) &&
              !preserves_forward_variance<he_out_net>(1.0, q0) &&
              within_rel(he_in.backward[0], 2.0 * g * 512.0 / 128.0, exact) &&
              within_rel(he_out.forward[depth - 1], 2.0 * q0 * 128.0 / 512.0, exact));
// Leaky ReLU: 2/((1+a²)n) preserves both directions; He's 2/n grows by (1+a²) per layer.
static_assert(within_rel(leaky_init::variance(256, 256) * leaky_gain, he_normal::variance(256, 256),
                         exact) &&
              preserves_forward_variance<leaky_net>(exact, q0) &&
              preserves_backward_variance<leaky_net>(exact, q0) &&
              geometric(leaky_he.forward, leaky_gain));

using trials = std::vector<trial_statistics>;

/// The claim `<net>_<forward|backward>_layer_<l>` on layer index i = l − 1, "(layer l)" after the
/// statement: Var[y_l]/q0 (forward_claim) or Var[∂L/∂x_l]/g (backward_claim) against the
/// profile's `variance`; confirmed claims carry the deep-network target.
void layer_claim(context& ctx, const trials& t, bool forward, const std::string& net, std::size_t i,
                 double variance, const std::string& statement, const std::string& formula,
                 verdict expected = verdict::confirmed) {
  const std::string l = std::to_string(i + 1);
  const std::string id = net + (forward ? "_forward" : "_backward") + "_layer_" + l;
  const double analytic = variance / (forward ? q0 : g);
  claim_spec spec =
      expected == verdict::confirmed
          ? holds(id, statement + " (layer " + l + ")", formula, analytic, deep_precision)
          : wrong(id, statement + " (layer " + l + ")", formula, analytic);
  forward ? forward_claim(ctx, t, i, std::move(spec)) : backward_claim(ctx, t, i, std::move(spec));
}
constexpr bool forward = true, backward = false;  // layer_claim's direction

void body(context& ctx) {
  ctx.setting("depth", depth);
  ctx.setting("square_width", square_width);
  ctx.setting("widening_widths",
              std::vector<std::size_t>(widening_widths.begin(), widening_widths.end()));
  ctx.setting("leaky_slope", leaky_slope);
  ctx.setting("batch", batch);
  ctx.setting("input_variance", q0);
  ctx.setting("gradient_variance", g);
  // network_trials' chunks (8 trials sharing one network's buffers) never change a result; 8 is
  // the value this setting has recorded since the study's own chunking.
  ctx.setting("trials_per_chunk", simulate_chunk);
  const trial_config config = gaussian_backprop(batch, q0, g);
  const std::size_t n = ctx.replications(), last = depth - 1;
  const auto he_t = network_trials<he_net>(ctx, 0, config, n);
  const auto lecun_t = network_trials<lecun_net>(ctx, 1, config, n);
  const auto he_in_t = network_trials<he_in_net>(ctx, 2, config, n);
  const auto he_out_t = network_trials<he_out_net>(ctx, 3, config, n);
  const auto leaky_t = network_trials<leaky_net>(ctx, 4, config, n);
  const auto leaky_he_t = network_trials<leaky_he_net>(ctx, 5, config, n);

  // -- He 2/n, width 256: ReLU halves E[y²]; flat forward and backward profiles.
  ctx.ratio_claim(holds("relu_halves_second_moment",
                        "ReLU keeps half of E[y²]: E[h_1²]/E[y_1²] = 1/2 (He net, layer 1)",
                        "E[relu(y)²] = Var[y]/2", relu_keep, single_layer_precision),
                  activation_moment(he_t, 0), forward_moment(he_t, 0));
  for (std::size_t i = 0; i < depth; ++i)
    layer_claim(ctx, he_t, forward, "he", i, he.forward[i],
                "He 2/fan_in with ReLU, width 256: Var[y_l] = 2·q0 at every layer",
                "Var[y_l] = D·(2/D)·Var[y_{l-1}]/2 = 2·q0");
  for (std::size_t i = 0; i < depth; ++i)
    layer_claim(ctx, he_t, backward, "he", i, he.backward[i],
                "He 2/n with ReLU, width 256: Var[∂L/∂x_l] = 2·g at every layer",
                "Var[∂L/∂x_l] = D̂·(2/D̂)·Var[∂L/∂x_{l+1}]/2 = 2·g");

  // -- LeCun 1/n, width 256: the 2^{-l} profile; "1/n preserves variance" is wrong.
  for (std::size_t i = 0; i < depth; ++i)
    layer_claim(ctx, lecun_t, forward, "lecun", i, lecun.forward[i],
                "LeCun 1/n with ReLU: Var[y_l] = 2^-(l-1)·q0 (halves every layer)",
                "Var[y_l] = D·(1/D)·Var[y_{l-1}]/2");
  layer_claim(ctx, lecun_t, forward, "lecun_preserves", last, lecun.forward[0],
              "wrong: 1/n preserves the ReLU forward variance (Var[y_10] = Var[y_1]); it is "
              "2^-9·Var[y_1]",
              "Var[y_10] = Var[y_1] (wrong; 2^-9·Var[y_1] is right)", verdict::refuted);
  layer_claim(ctx, lecun_t, backward, "lecun", 0, lecun.backward[0],
              "LeCun 1/n with ReLU: the gradient halves every layer going down, Var[∂L/∂x_1] = "
              "2^-9·Var[∂L/∂x_10]",
              "Var[∂L/∂x_l] = D̂·(1/D̂)·Var[∂L/∂x_{l+1}]/2");

  // -- Widening widths: fan_in keeps the forward pass, fan_out the backward pass.
  for (std::size_t i = 0; i < depth; ++i)
    layer_claim(ctx, he_in_t, forward, "he_fan_in", i, he_in.forward[i],
                "He 2/fan_in, widths 128→512: Var[y_l] = 2·q0 at every layer",
                "Var[y_l] = D_l·(2/D_l)·Var[y_{l-1}]/2");
  layer_claim(ctx, he_in_t, backward, "he_fan_in", 0, he_in.backward[0],
              "He 2/fan_in, widths 128→512: the gradient grows by D̂_l/D_l per layer going down "
              "(Var[∂L/∂x_1] = 8·g)",
              "Var[∂L/∂x_l] = D̂_l·(2/D_l)·Var[∂L/∂x_{l+1}]/2");
  layer_claim(ctx, he_in_t, backward, "he_fan_in_preserves", 0, he_in.backward[last],
              "wrong: He 2/fan_in preserves the gradient variance of a widening stack "
              "(Var[∂L/∂x_1] = Var[∂L/∂x_10])",
              "Var[∂L/∂x_1] = Var[∂L/∂x_10] (wrong for D̂_l ≠ D_l)", verdict::refuted);
  for (std::size_t i = 0; i < depth; ++i)
    layer_claim(ctx, he_out_t, backward, "he_fan_out", i, he_out.backward[i],
                "He 2/fan_out, widths 128→512: Var[∂L/∂x_l] = 2·g at every layer",
                "Var[∂L/∂x_l] = D̂_l·(2/D̂_l)·Var[∂L/∂x_{l+1}]/2");
  layer_claim(ctx, he_out_t, forward, "he_fan_out", last, he_out.forward[last],
              "He 2/fan_out, widths 128→512: the forward variance shrinks by D_l/D̂_l per layer "
              "(Var[y_10] = q0/2)",
              "Var[y_l] = D_l·(2/D̂_l)·Var[y_{l-1}]/2");
  layer_claim(ctx, he_out_t, forward, "he_fan_out_preserves", last, he_out.forward[0],
              "wrong: He 2/fan_out preserves the forward variance of a widening stack "
              "(Var[y_10] = Var[y_1])",
              "Var[y_10] = Var[y_1] (wrong for D̂_l ≠ D_l)", verdict::refuted);

  // -- Leaky ReLU, slope a: 2/((1+a²)n) keeps the variances; He's 2/n does not.
  ctx.ratio_claim(holds("leaky_relu_keeps_second_moment",
                        "leaky ReLU (a = 0.5) keeps (1+a²)/2 of E[y²]: E[h_1²]/E[y_1²] (layer 1)",
                        "E[φ(y)²] = (1+a²)·Var[y]/2", leaky_keep, single_layer_precision),
                  activation_moment(leaky_t, 0), forward_moment(leaky_t, 0));
  for (std::size_t i = 0; i < depth; ++i)
    layer_claim(ctx, leaky_t, forward, "leaky", i, leaky_p.forward[i],
                "leaky ReLU (a = 0.5), σ_w² = 2/((1+a²)·fan_in): Var[y_l] constant",
                "Var[y_l] = D·(2/((1+a²)D))·(1+a²)·Var[y_{l-1}]/2");
  layer_claim(ctx, leaky_t, backward, "leaky", 0, leaky_p.backward[0],
              "leaky ReLU (a = 0.5), σ_w² = 2/((1+a²)·n): Var[∂L/∂x_1] = Var[∂L/∂x_10]",
              "Var[∂L/∂x_l] = D̂·(2/((1+a²)D̂))·(1+a²)·Var[∂L/∂x_{l+1}]/2");
  layer_claim(ctx, leaky_he_t, forward, "leaky_he", last, leaky_he.forward[last],
              "leaky ReLU (a = 0.5) with He 2/n: Var[y_l] grows by (1+a²) per layer",
              "Var[y_10] = (1+a²)^9·Var[y_1]");
  layer_claim(ctx, leaky_he_t, forward, "leaky_he_preserves", last, leaky_he.forward[0],
              "wrong: He 2/n (ignoring the slope) preserves the leaky ReLU forward variance "
              "(Var[y_10] = Var[y_1]); it grows by (1+a²)^9 ≈ 7.45",
              "Var[y_10] = Var[y_1] (wrong; (1+a²)^9·Var[y_1] is right)", verdict::refuted);
}

}  // namespace

int main(int argc, char** argv) {
  return run(argc, argv,
             {.id = "08",
              .slug = "he_relu",
              .title = "He 2/n keeps ReLU variances constant (fan_in forward, fan_out backward); "
                       "1/n decays as 2^-l; leaky ReLU needs (1+a²)/2",
              .source = "seed text 000; He et al. 2015 eq. 7-14; THEORY.md §1, §3, §6",
              .default_replications = 1000,
              .quick_replications = 24},
             body);
}
