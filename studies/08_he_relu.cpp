/// Study 08: He initialization for ReLU. ReLU keeps half of E[y²], so σ_w² = 2/n keeps the
/// variances of a ReLU stack constant: forward with n = fan_in, backward with n = fan_out;
/// LeCun's 1/n loses a factor 2 per layer; leaky ReLU with slope a needs 2/((1+a²)n).
///
/// Derivation checked (seed text 000; He et al. 2015 eq. 7–14; THEORY.md §1, §3, §5–6):
/// E[relu(y)²] = Var[y]/2 for symmetric y, so Var[y_l] = D_l·σ_l²·Var[y_{l−1}]/2: with
/// σ² = 2/D_l every Var[y_l] equals Var[y_1] = 2·q0, with σ² = 1/D_l it is 2^{−(l−1)}·Var[y_1].
/// Backward, Var[∂L/∂x_l] = D̂_l·σ_l²·Var[∂L/∂x_{l+1}]/2, constant with σ² = 2/D̂_l. Leaky ReLU:
/// E[φ²] = (1+a²)q/2, so the preserving variance is 2/((1+a²)n) and He's 2/n grows the
/// variance by (1+a²) per layer.
///
/// Design: depth-10 dense ReLU stacks without bias, inputs x ~ N(0, q0 = 1), a Gaussian output
/// gradient ∂L/∂y_10 ~ N(0, g = 1), real forward and backward passes through the same weights
/// (engine `run_trial`), B = 8 inputs per network:
///   he     width 256, he_normal (2/n; fan_in = fan_out): forward and backward per layer; the
///          single-layer claim E[h_1²]/E[y_1²] = 1/2 on its first layer;
///   lecun  width 256, lecun_normal (1/n): forward per layer (the 2^{−l} profile), backward at
///          layer 1, and "1/n preserves variance" (expected refuted, off by 2^9 = 512);
///   he_in  widths 128 → 512 (widening), he_normal (fan_in): forward per layer constant, the
///          backward profile grows downward; "fan_in preserves the gradient" expected refuted;
///   he_out the same widths, he_normal_fan_out (2/D̂): backward per layer constant, the forward
///          profile shrinks; "fan_out preserves the forward variance" expected refuted;
///   leaky  width 256, leaky_relu<0.5> with kaiming_normal<leaky_relu<0.5>> (2/((1+a²)n)):
///          E[h²]/E[y²] = (1+a²)/2 at layer 1, forward per layer, backward at layer 1;
///   leaky_he the same activation with he_normal (2/n): forward at layer 10 grows by (1+a²)^9,
///          and "2/n preserves leaky ReLU" is expected refuted (off by 1.25^9 ≈ 7.45).
/// Each network has its own streams root.child(net).child(trial); claims of one network share
/// its trials (one value per trial per claim).
///
/// Why the intervals are honest: ReLU and leaky ReLU are positively homogeneous, so the mean
/// recursion is exact at any width (THEORY.md §6) and a confirmed claim has no finite-width bias
/// to hide; the backward recursion with the output gradient independent of the network is also
/// exact in expectation (Hanin 2018; the pilot agrees). The spread between networks grows with
/// depth/width (Var[M_L]/M_0² ≈ exp(5·Σ 1/D_l) − 1 for one input): the pilot measured a per-trial
/// relative spread of ≈ 0.33 at layer 10 for B = 8 (a larger batch does not reduce it: it is the
/// network's own gain), so 1000 trials give half-widths ≈ 4% at the Bonferroni confidence
/// (target ≤ 5% for deep claims, ≤ 1% for the two single-layer ratio claims). The refuted-expected
/// claims are off by factors ≥ 4, outside even the --quick intervals (≈ 40%).
///
/// Measured (default settings, 1000 trials, seed 1): all 67 confirmed claims hold; largest
/// relative half-width 4.04% (He forward, layer 10: 2.009 vs 2). E[h²]/E[y²] = 0.5012 (ReLU) and
/// 0.6253 (leaky, (1+a²)/2 = 0.625). He backward at layer 1: 2.008 vs 2; LeCun layer 10:
/// 0.001924 vs 2^-9 = 0.001953. The four refuted-expected claims are off by 520× (1/n
/// "preserves"), 3.5× (fan_in "preserves" the gradient), 0.28× (fan_out "preserves" forward) and
/// 7.46× (2/n "preserves" leaky ReLU).
#include <array>
#include <cstddef>
#include <cstdint>
#include <initlab/initlab.hpp>
#include <string>
#include <vector>

#include "study.hpp"

namespace {

using initlab::verdict;
using initlab::study::claim_spec;
using initlab::study::context;

constexpr double input_variance = 1.0;       // q0 = E[x²] of the inputs
constexpr double gradient_variance = 1.0;    // g = Var[∂L/∂y_N] of the output gradient seed
constexpr std::size_t batch = 8;             // inputs per network (one trial = one network)
constexpr std::size_t trials_per_chunk = 8;  // trials sharing one network's buffers
constexpr double leaky_slope = 0.5;          // a of leaky ReLU

using leaky = initlab::leaky_relu<leaky_slope>;
using leaky_init = initlab::kaiming_normal<leaky>;  // 2/((1+a²)·fan_in)

/// A depth-10 stack of width-256 dense layers with one initializer and activation.
template <class Init, class Act>
using square_stack =
    initlab::network<initlab::dense<256, 256, Init, Act>, initlab::dense<256, 256, Init, Act>,
                     initlab::dense<256, 256, Init, Act>, initlab::dense<256, 256, Init, Act>,
                     initlab::dense<256, 256, Init, Act>, initlab::dense<256, 256, Init, Act>,
                     initlab::dense<256, 256, Init, Act>, initlab::dense<256, 256, Init, Act>,
                     initlab::dense<256, 256, Init, Act>, initlab::dense<256, 256, Init, Act>>;

/// A depth-10 ReLU stack widening from 128 to 512 units (D̂_l ≠ D_l in every layer).
template <class Init>
using widening_stack = initlab::network<
    initlab::dense<128, 144, Init, initlab::relu>, initlab::dense<144, 160, Init, initlab::relu>,
    initlab::dense<160, 192, Init, initlab::relu>, initlab::dense<192, 224, Init, initlab::relu>,
    initlab::dense<224, 256, Init, initlab::relu>, initlab::dense<256, 288, Init, initlab::relu>,
    initlab::dense<288, 320, Init, initlab::relu>, initlab::dense<320, 384, Init, initlab::relu>,
    initlab::dense<384, 448, Init, initlab::relu>, initlab::dense<448, 512, Init, initlab::relu>>;

using he_net = square_stack<initlab::he_normal, initlab::relu>;
using lecun_net = square_stack<initlab::lecun_normal, initlab::relu>;
using he_in_net = widening_stack<initlab::he_normal>;
using he_out_net = widening_stack<initlab::he_normal_fan_out>;
using leaky_net = square_stack<leaky_init, leaky>;
using leaky_he_net = square_stack<initlab::he_normal, leaky>;

constexpr std::size_t depth = he_net::depth;
static_assert(depth == 10 && lecun_net::depth == depth && he_in_net::depth == depth &&
              he_out_net::depth == depth && leaky_net::depth == depth &&
              leaky_he_net::depth == depth);

// ---- analytic profiles (constexpr core), index i = layer l = i + 1
constexpr auto he_forward = initlab::forward_variances<he_net>(input_variance);
constexpr auto he_backward = initlab::backward_variances<he_net>(gradient_variance);
constexpr auto lecun_forward = initlab::forward_variances<lecun_net>(input_variance);
constexpr auto lecun_backward = initlab::backward_variances<lecun_net>(gradient_variance);
constexpr auto he_in_forward = initlab::forward_variances<he_in_net>(input_variance);
constexpr auto he_in_backward = initlab::backward_variances<he_in_net>(gradient_variance);
constexpr auto he_out_forward = initlab::forward_variances<he_out_net>(input_variance);
constexpr auto he_out_backward = initlab::backward_variances<he_out_net>(gradient_variance);
constexpr auto leaky_forward = initlab::forward_variances<leaky_net>(input_variance);
constexpr auto leaky_backward = initlab::backward_variances<leaky_net>(gradient_variance);
constexpr auto leaky_he_forward = initlab::forward_variances<leaky_he_net>(input_variance);

/// E[h²]/E[y²] of ReLU and of leaky ReLU at the first layer's variance.
constexpr double relu_keep = initlab::relu::second_moment(he_forward[0]) / he_forward[0];
constexpr double leaky_keep = leaky::second_moment(leaky_forward[0]) / leaky_forward[0];

/// Whether profile[i] = profile[i − 1]·factor for every i ≥ 1 (relative tolerance 1e-12).
template <std::size_t N>
constexpr bool geometric(const std::array<double, N>& profile, double factor) {
  for (std::size_t i = 1; i < N; ++i)
    if (!initlab::within_rel(profile[i], profile[i - 1] * factor, 1e-12)) return false;
  return true;
}

// ---- the derivation's facts
constexpr double exact = 1e-12;  // relative tolerance for exact identities in double arithmetic
// ReLU keeps half of E[y²]; leaky ReLU keeps (1+a²)/2.
static_assert(initlab::within_rel(relu_keep, 0.5, exact));
static_assert(initlab::within_rel(leaky_keep, (1.0 + leaky_slope * leaky_slope) / 2.0, exact));
// He 2/n: the first layer doubles q0 (its input is not activated), then the profile is flat,
// forward and backward.
static_assert(initlab::within_rel(he_forward[0], 2.0 * input_variance, exact));
static_assert(initlab::preserves_forward_variance<he_net>(exact, input_variance));
static_assert(initlab::preserves_backward_variance<he_net>(exact, input_variance));
// LeCun 1/n: halves per layer in both directions (2^{−l}); not preserved.
static_assert(geometric(lecun_forward, 0.5) &&
              !initlab::preserves_forward_variance<lecun_net>(1.0));
static_assert(geometric(lecun_backward, 2.0));  // index order is bottom-up: doubles going up
static_assert(initlab::within_rel(lecun_forward[depth - 1] * 512.0, lecun_forward[0], exact));
// Widening widths: fan_in keeps the forward pass only, fan_out keeps the backward pass only.
static_assert(initlab::preserves_forward_variance<he_in_net>(exact, input_variance) &&
              !initlab::preserves_backward_variance<he_in_net>(1.0, input_variance));
static_assert(initlab::preserves_backward_variance<he_out_net>(exact, input_variance) &&
              !initlab::preserves_forward_variance<he_out_net>(1.0, input_variance));
// Leaky ReLU: 2/((1+a²)n) preserves both directions; He's 2/n grows by (1+a²) per layer.
static_assert(initlab::within_rel(leaky_init::variance(256, 256) *
                                      (1.0 + leaky_slope * leaky_slope),
                                  initlab::he_normal::variance(256, 256), exact));
static_assert(initlab::preserves_forward_variance<leaky_net>(exact, input_variance) &&
              initlab::preserves_backward_variance<leaky_net>(exact, input_variance));
static_assert(geometric(leaky_he_forward, 1.0 + leaky_slope * leaky_slope));
// Over the whole widening stack the D̂_l/D_l telescope to 512/128: the fan_in gradient at layer 1
// is 2·g·512/128 = 8·g, the fan_out forward variance at layer 10 is 2·q0·128/512 = q0/2.
static_assert(initlab::within_rel(he_in_backward[0], 2.0 * gradient_variance * 512.0 / 128.0,
                                  exact));
static_assert(initlab::within_rel(he_out_forward[depth - 1], 2.0 * input_variance * 128.0 / 512.0,
                                  exact));

/// Per-trial values of a depth-10 network.
struct trial_values {
  double x2 = 0.0;                  // mean of x²
  double dy2_top = 0.0;             // mean of (∂L/∂y_N)², the gradient seed
  std::array<double, depth> y2{};   // mean of y_l²
  std::array<double, depth> h2{};   // mean of h_l²
  std::array<double, depth> dx2{};  // mean of (∂L/∂x_l)²
};

/// Runs the trials of `Net`: trial t uses stream base.child(t); trials run in fixed chunks that
/// reuse one network's buffers (buffers never change a result).
template <class Net>
std::vector<trial_values> measure(context& ctx, const initlab::stream& base) {
  const auto specs = initlab::sampled_network::of<Net>();
  const initlab::trial_config config{.batch = batch,
                                     .input_variance = input_variance,
                                     .seed = initlab::gradient_seed::gaussian,
                                     .gradient_variance = gradient_variance};
  const std::size_t n = ctx.replications();
  const std::size_t chunks = (n + trials_per_chunk - 1) / trials_per_chunk;
  const auto parts = ctx.trials(chunks, [&](std::size_t c) {
    initlab::sampled_network net(specs);
    std::vector<trial_values> part;
    for (std::size_t t = c * trials_per_chunk; t < n && t < (c + 1) * trials_per_chunk; ++t) {
      const initlab::trial_statistics s = initlab::run_trial(net, config, base.child(t));
      trial_values v;
      v.x2 = s.mean_x2;
      v.dy2_top = s.layers[depth - 1].mean_dy2;
      for (std::size_t l = 0; l < depth; ++l) {
        v.y2[l] = s.layers[l].mean_y2;
        v.h2[l] = s.layers[l].mean_h2;
        v.dx2[l] = s.layers[l].mean_dx2;
      }
      part.push_back(v);
    }
    return part;
  });
  std::vector<trial_values> all;
  all.reserve(n);
  for (const auto& part : parts)
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

/// One column of per-trial values.
template <class F>
std::vector<double> column(const std::vector<trial_values>& t, F&& f) {
  std::vector<double> c;
  c.reserve(t.size());
  for (const auto& v : t)
    c.push_back(f(v));
  return c;
}

std::vector<double> y2_at(const std::vector<trial_values>& t, std::size_t i) {
  return column(t, [i](const trial_values& v) { return v.y2[i]; });
}
std::vector<double> h2_at(const std::vector<trial_values>& t, std::size_t i) {
  return column(t, [i](const trial_values& v) { return v.h2[i]; });
}
std::vector<double> dx2_at(const std::vector<trial_values>& t, std::size_t i) {
  return column(t, [i](const trial_values& v) { return v.dx2[i]; });
}
std::vector<double> x2_of(const std::vector<trial_values>& t) {
  return column(t, [](const trial_values& v) { return v.x2; });
}
std::vector<double> seed_of(const std::vector<trial_values>& t) {
  return column(t, [](const trial_values& v) { return v.dy2_top; });
}

std::string layer_name(std::size_t i) {
  return std::to_string(i + 1);
}

/// Forward claim at layer index i: Var[y_l]/q0 (ratio of per-trial means to the input's E[x²]).
void forward_claim(context& ctx, const std::string& net, const std::vector<trial_values>& t,
                   std::size_t i, double analytic, const std::string& statement,
                   const std::string& formula, verdict expected = verdict::confirmed) {
  ctx.ratio_claim({.id = net + "_forward_layer_" + layer_name(i),
                   .statement = statement + " (layer " + layer_name(i) + ")",
                   .formula = formula,
                   .analytic = analytic / input_variance,
                   .expected = expected,
                   .max_rel_half_width = expected == verdict::confirmed ? 0.05 : 0.0},
                  y2_at(t, i), x2_of(t));
}

/// Backward claim at layer index i: Var[∂L/∂x_l]/g (ratio to the output gradient seed's mean).
void backward_claim(context& ctx, const std::string& net, const std::vector<trial_values>& t,
                    std::size_t i, double analytic, const std::string& statement,
                    const std::string& formula, verdict expected = verdict::confirmed) {
  ctx.ratio_claim({.id = net + "_backward_layer_" + layer_name(i),
                   .statement = statement + " (layer " + layer_name(i) + ")",
                   .formula = formula,
                   .analytic = analytic / gradient_variance,
                   .expected = expected,
                   .max_rel_half_width = expected == verdict::confirmed ? 0.05 : 0.0},
                  dx2_at(t, i), seed_of(t));
}

}  // namespace

int main(int argc, char** argv) {
  return initlab::study::run(
      argc, argv,
      {.id = "08",
       .slug = "he_relu",
       .title = "He 2/n keeps ReLU variances constant (fan_in forward, fan_out backward); 1/n "
                "decays as 2^-l; leaky ReLU needs (1+a²)/2",
       .source = "seed text 000; He et al. 2015 eq. 7-14; THEORY.md §1, §3, §6",
       .default_replications = 1000,
       .quick_replications = 24},
      [](context& ctx) {
        ctx.setting("depth", depth);
        ctx.setting("square_width", std::size_t{256});
        ctx.setting("widening_widths", std::vector<std::size_t>{128, 144, 160, 192, 224, 256, 288,
                                                                320, 384, 448, 512});
        ctx.setting("leaky_slope", leaky_slope);
        ctx.setting("batch", batch);
        ctx.setting("input_variance", input_variance);
        ctx.setting("gradient_variance", gradient_variance);
        ctx.setting("trials_per_chunk", trials_per_chunk);
        const initlab::stream root = ctx.root_stream();
        const std::size_t last = depth - 1;

        // -- He 2/n, width 256: ReLU halves E[y²]; flat forward and backward profiles.
        {
          const auto t = measure<he_net>(ctx, root.child(0));
          ctx.ratio_claim({.id = "relu_halves_second_moment",
                           .statement = "ReLU keeps half of E[y²]: E[h_1²]/E[y_1²] = 1/2 (He net, "
                                        "layer 1)",
                           .formula = "E[relu(y)²] = Var[y]/2",
                           .analytic = relu_keep,
                           .max_rel_half_width = 0.01},
                          h2_at(t, 0), y2_at(t, 0));
          for (std::size_t i = 0; i < depth; ++i)
            forward_claim(ctx, "he", t, i, he_forward[i],
                          "He 2/fan_in with ReLU, width 256: Var[y_l] = 2·q0 at every layer",
                          "Var[y_l] = D·(2/D)·Var[y_{l-1}]/2 = 2·q0");
          for (std::size_t i = 0; i < depth; ++i)
            backward_claim(ctx, "he", t, i, he_backward[i],
                           "He 2/n with ReLU, width 256: Var[∂L/∂x_l] = 2·g at every layer",
                           "Var[∂L/∂x_l] = D̂·(2/D̂)·Var[∂L/∂x_{l+1}]/2 = 2·g");
        }

        // -- LeCun 1/n, width 256: the 2^{-l} profile; "1/n preserves variance" is wrong.
        {
          const auto t = measure<lecun_net>(ctx, root.child(1));
          for (std::size_t i = 0; i < depth; ++i)
            forward_claim(ctx, "lecun", t, i, lecun_forward[i],
                          "LeCun 1/n with ReLU: Var[y_l] = 2^-(l-1)·q0 (halves every layer)",
                          "Var[y_l] = D·(1/D)·Var[y_{l-1}]/2");
          forward_claim(ctx, "lecun_preserves", t, last, lecun_forward[0],
                        "wrong: 1/n preserves the ReLU forward variance (Var[y_10] = Var[y_1]); "
                        "it is 2^-9·Var[y_1]",
                        "Var[y_10] = Var[y_1] (wrong; 2^-9·Var[y_1] is right)", verdict::refuted);
          backward_claim(ctx, "lecun", t, 0, lecun_backward[0],
                         "LeCun 1/n with ReLU: the gradient halves every layer going down, "
                         "Var[∂L/∂x_1] = 2^-9·Var[∂L/∂x_10]",
                         "Var[∂L/∂x_l] = D̂·(1/D̂)·Var[∂L/∂x_{l+1}]/2");
        }

        // -- Widening widths: fan_in keeps the forward pass, fan_out the backward pass.
        {
          const auto t = measure<he_in_net>(ctx, root.child(2));
          for (std::size_t i = 0; i < depth; ++i)
            forward_claim(ctx, "he_fan_in", t, i, he_in_forward[i],
                          "He 2/fan_in, widths 128→512: Var[y_l] = 2·q0 at every layer",
                          "Var[y_l] = D_l·(2/D_l)·Var[y_{l-1}]/2");
          backward_claim(ctx, "he_fan_in", t, 0, he_in_backward[0],
                         "He 2/fan_in, widths 128→512: the gradient grows by D̂_l/D_l per layer "
                         "going down (Var[∂L/∂x_1] = 8·g)",
                         "Var[∂L/∂x_l] = D̂_l·(2/D_l)·Var[∂L/∂x_{l+1}]/2");
          backward_claim(ctx, "he_fan_in_preserves", t, 0, he_in_backward[last],
                         "wrong: He 2/fan_in preserves the gradient variance of a widening "
                         "stack (Var[∂L/∂x_1] = Var[∂L/∂x_10])",
                         "Var[∂L/∂x_1] = Var[∂L/∂x_10] (wrong for D̂_l ≠ D_l)", verdict::refuted);
        }
        {
          const auto t = measure<he_out_net>(ctx, root.child(3));
          for (std::size_t i = 0; i < depth; ++i)
            backward_claim(ctx, "he_fan_out", t, i, he_out_backward[i],
                           "He 2/fan_out, widths 128→512: Var[∂L/∂x_l] = 2·g at every layer",
                           "Var[∂L/∂x_l] = D̂_l·(2/D̂_l)·Var[∂L/∂x_{l+1}]/2");
          forward_claim(ctx, "he_fan_out", t, last, he_out_forward[last],
                        "He 2/fan_out, widths 128→512: the forward variance shrinks by D_l/D̂_l "
                        "per layer (Var[y_10] = q0/2)",
                        "Var[y_l] = D_l·(2/D̂_l)·Var[y_{l-1}]/2");
          forward_claim(ctx, "he_fan_out_preserves", t, last, he_out_forward[0],
                        "wrong: He 2/fan_out preserves the forward variance of a widening stack "
                        "(Var[y_10] = Var[y_1])",
                        "Var[y_10] = Var[y_1] (wrong for D̂_l ≠ D_l)", verdict::refuted);
        }

        // -- Leaky ReLU, slope a: 2/((1+a²)n) keeps the variances; He's 2/n does not.
        {
          const auto t = measure<leaky_net>(ctx, root.child(4));
          ctx.ratio_claim({.id = "leaky_relu_keeps_second_moment",
                           .statement = "leaky ReLU (a = 0.5) keeps (1+a²)/2 of E[y²]: "
                                        "E[h_1²]/E[y_1²] (layer 1)",
                           .formula = "E[φ(y)²] = (1+a²)·Var[y]/2",
                           .analytic = leaky_keep,
                           .max_rel_half_width = 0.01},
                          h2_at(t, 0), y2_at(t, 0));
          for (std::size_t i = 0; i < depth; ++i)
            forward_claim(ctx, "leaky", t, i, leaky_forward[i],
                          "leaky ReLU (a = 0.5), σ_w² = 2/((1+a²)·fan_in): Var[y_l] constant",
                          "Var[y_l] = D·(2/((1+a²)D))·(1+a²)·Var[y_{l-1}]/2");
          backward_claim(ctx, "leaky", t, 0, leaky_backward[0],
                         "leaky ReLU (a = 0.5), σ_w² = 2/((1+a²)·n): Var[∂L/∂x_1] = "
                         "Var[∂L/∂x_10]",
                         "Var[∂L/∂x_l] = D̂·(2/((1+a²)D̂))·(1+a²)·Var[∂L/∂x_{l+1}]/2");
        }
        {
          const auto t = measure<leaky_he_net>(ctx, root.child(5));
          forward_claim(ctx, "leaky_he", t, last, leaky_he_forward[last],
                        "leaky ReLU (a = 0.5) with He 2/n: Var[y_l] grows by (1+a²) per layer",
                        "Var[y_10] = (1+a²)^9·Var[y_1]");
          forward_claim(ctx, "leaky_he_preserves", t, last, leaky_he_forward[0],
                        "wrong: He 2/n (ignoring the slope) preserves the leaky ReLU forward "
                        "variance (Var[y_10] = Var[y_1]); it grows by (1+a²)^9 ≈ 7.45",
                        "Var[y_10] = Var[y_1] (wrong; (1+a²)^9·Var[y_1] is right)",
                        verdict::refuted);
        }
      });
}
