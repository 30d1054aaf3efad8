/// Study 03: the α² scaling of a linear activation, Var[y] = D·α²·σ_w²·σ_x².
///
/// Checks seed text 001 (THEORY.md §2; LeCun et al. 1998 §4.6 for α = 1): with φ(x) = αx,
/// y = W φ(x) has Var[y] = D·α²·σ_w²·σ_x² and Var[∂L/∂x] = D̂·α²·σ_w²·Var[∂L/∂y], both kept by
/// σ_w² = 1/(D·α²) (LeCun's 1/D at α = 1); the α-blind "1/D preserves it" is expected REFUTED.
/// Networks: a feeder linear<α> layer, then the tested identity layer (back-propagation really
/// multiplies by α), for α × D ∈ {0.5, 1, 2} × {64, 256, 1024} with 1/(Dα²) and {0.5, 2} ×
/// {64, 256} with 1/D; eight layers of width 256, φ = 2x. Per trial fresh weights, B inputs and
/// ∂L/∂y_N ~ N(0, 1); ratios of means, layer N over layer 1 of a trial (cancelling the feeder's
/// scale), exact at any width. Pilot spreads 3.3% (D = 64: a floor ≈ 3/D² from the weights), 1.3%,
/// 1.2% give 2R, R, R trials (R = 160): half-widths below 1% (deep 5%) at Bonferroni confidence;
/// D = 1024 would reach the width with R/2, but not Hall's skewness condition (verdict.hpp).
/// Measured values: results/03_linear_alpha_scaling.json.
#include <initlab/initlab.hpp>

#include "network_trials.hpp"

namespace {

using namespace initlab;
using namespace initlab::study;

constexpr double q0 = 1.0, g = 1.0;  // E[x²] of the input; Var[∂L/∂y_N] of the seeded gradient
constexpr std::size_t deep_batch = 32, deep_width = 256;  // the eight-layer part
/// Inputs per trial at width D: fewer where sampling the D² weights dominates (any B is exact).
constexpr std::size_t batch_for(std::size_t d) {
  return d <= 64 ? 256 : d <= 256 ? 32 : 16;
}
/// Trials at width D from R (--replications): 2R at 64, R/2 (at least 2) at 1024 (see above).
constexpr std::size_t trials_for(std::size_t d, std::size_t r) {
  return d <= 64 ? (r > SIZE_MAX / 2 ? SIZE_MAX : 2 * r) : r;
}

/// σ_w² = 1/(D·α²): variance_scaling with Scale = 1/α² = 1/E[φ'²] of φ = αx.
template <initlab::real_param Alpha>
using alpha_preserving =
    variance_scaling<1.0 / linear<Alpha>::derivative_second_moment(1.0), fan::in, dist::normal>;
/// A feeder layer producing x (σ_x² = q0), φ = Act, then the layer under test; eight layers: the
/// feeder, six hidden layers with Init and φ = Act, the output layer.
template <class Act, std::size_t D, class Init>
using fed_layer = network<dense<D, D, lecun_normal, Act>, dense<D, D, Init, identity>>;
template <class Act, class Init, std::size_t D = deep_width>
using deep_stack = network<dense<D, D, lecun_normal, Act>, repeat<6, dense<D, D, Init, Act>>,
                           dense<D, D, Init, identity>>;
using deep_preserving = deep_stack<linear<2.0>, alpha_preserving<2.0>>;
using deep_lecun = deep_stack<linear<2.0>, lecun_normal>;

/// Var[y_N]/Var[y_1] is `forward_gain`; Var[∂L/∂y_1]/Var[∂L/∂y_N] (down to the feeder's
/// pre-activation) from the profile, THEORY.md §1; the α-blind prediction has φ = identity.
/// Checked: 1/(Dα²) preserves both ways, α = 1 is LeCun, 1/D gives α² per layer (α^{2·7} after
/// seven layers) where the α-blind derivation predicts 1.
template <class Net>
constexpr double backward_ratio = profile<Net>(q0, g).backward_pre_activation[0] /
                                  profile<Net>(q0, g).backward_pre_activation[Net::depth - 1];
template <std::size_t D>
constexpr double alpha_blind_ratio = forward_gain<fed_layer<identity, D, lecun_normal>>(q0);
constexpr double alpha_blind_deep_ratio = forward_gain<deep_stack<identity, lecun_normal>>(q0);
constexpr auto exact = [](double value, double ref) { return within_rel(value, ref, 1e-15); };
template <initlab::real_param Alpha, std::size_t... D>
constexpr bool preserved =
    (... && (exact(forward_gain<fed_layer<linear<Alpha>, D, alpha_preserving<Alpha>>>(q0), 1.0) &&
             exact(backward_ratio<fed_layer<linear<Alpha>, D, alpha_preserving<Alpha>>>, 1.0)));
static_assert(preserved<0.5, 64, 256, 1024> && preserved<1.0, 64, 256, 1024> &&
              preserved<2.0, 64, 256, 1024> && preserves_forward_variance<deep_preserving>(1e-15) &&
              exact(backward_ratio<deep_preserving>, 1.0) &&
              alpha_preserving<1.0>::variance(256, 256) == lecun_normal::variance(256, 256) &&
              forward_gain<fed_layer<linear<0.5>, 64, lecun_normal>>(q0) ==
                  linear<0.5>::second_moment(1.0) &&
              forward_gain<fed_layer<linear<2.0>, 1024, lecun_normal>>(q0) ==
                  linear<2.0>::second_moment(1.0) &&
              forward_gain<deep_lecun>(q0) == 16384.0 && alpha_blind_ratio<256> == 1.0 &&
              alpha_blind_deep_ratio == 1.0);

/// Ratio claims mean(Var[y_N]) / mean(Var[y_1]) and mean(Var[∂L/∂y_1]) / mean(Var[∂L/∂y_N]).
void gain_claim(context& ctx, const std::vector<trial_statistics>& t, claim_spec spec) {
  ctx.ratio_claim(std::move(spec), forward_moment(t, t.at(0).layers.size() - 1),
                  forward_moment(t, 0));
}
void backward_gain_claim(context& ctx, const std::vector<trial_statistics>& t, claim_spec spec) {
  ctx.ratio_claim(std::move(spec), output_gradient_moment(t, 0), output_gradient_moment(t));
}

/// The claims on the layer of width D fed with φ = αx (`alpha` as printed): preserved both ways
/// with 1/(Dα²); with 1/D (Lecun) the α² law and the wrong claim.
template <initlab::real_param Alpha, bool Lecun, std::size_t D>
void fed_layer_claims(context& ctx, std::uint64_t part, const std::string& alpha) {
  using net =
      fed_layer<linear<Alpha>, D, std::conditional_t<Lecun, lecun_normal, alpha_preserving<Alpha>>>;
  const auto t = network_trials<net>(ctx, part, gaussian_backprop(batch_for(D), q0, g),
                                     trials_for(D, ctx.replications()));
  const std::string tag = "a" + alpha + "_D" + std::to_string(D);
  const std::string where = " (α = " + alpha + ", D = " + std::to_string(D) + ")";
  if constexpr (Lecun) {
    gain_claim(
        ctx, t,
        holds("lecun_alpha_squared_" + tag,
              "with σ_w² = 1/D a layer fed with φ(x) = αx has Var[y] = α²·σ_x²" + where,
              "Var[y]/σ_x² = D·α²·σ_w² = α²", forward_gain<net>(q0), single_layer_precision));
    gain_claim(ctx, t,
               wrong("lecun_preserves_" + tag,
                     "WRONG (expected refuted): σ_w² = 1/D preserves the variance whatever α "
                     "(it ignores φ; the truth is α²)" +
                         where,
                     "Var[y]/σ_x² = D·σ_w² = 1 (α omitted)", alpha_blind_ratio<D>));
  } else {
    gain_claim(ctx, t,
               holds("forward_" + tag,
                     "σ_w² = 1/(Dα²) on a layer fed with φ(x) = αx keeps Var[y] = σ_x²" + where,
                     "Var[y]/σ_x² = D·α²·σ_w² = 1", forward_gain<net>(q0), single_layer_precision));
    backward_gain_claim(
        ctx, t,
        holds("backward_" + tag,
              "σ_w² = 1/(Dα²) keeps Var[∂L/∂x] = Var[∂L/∂y] through W and φ (D = D̂)" + where,
              "Var[∂L/∂x]/Var[∂L/∂y] = D̂·α²·σ_w² = 1", backward_ratio<net>,
              single_layer_precision));
  }
}
template <initlab::real_param Alpha, bool Lecun, std::size_t... D>
void fed_layers(context& ctx, std::uint64_t& part, const std::string& alpha) {
  (fed_layer_claims<Alpha, Lecun, D>(ctx, part++, alpha), ...);
}

void body(context& ctx) {
  const std::size_t r = ctx.replications();
  ctx.setting("input_variance", q0);
  ctx.setting("output_gradient_variance", g);
  ctx.setting("alphas", std::vector<double>{0.5, 1.0, 2.0});
  ctx.setting("widths", std::vector<std::size_t>{64, 256, 1024});
  ctx.setting("batch", std::vector<std::size_t>{batch_for(64), batch_for(256), batch_for(1024)});
  ctx.setting("trials",
              std::vector<std::size_t>{trials_for(64, r), trials_for(256, r), trials_for(1024, r)});
  ctx.setting("deep_batch", deep_batch);
  ctx.setting("deep_trials", r);
  ctx.setting("deep_width", deep_width);
  ctx.setting("deep_layers", deep_preserving::depth);
  ctx.setting("deep_alpha", 2.0);
  std::uint64_t part = 0;  // σ_w² = 1/(Dα²): parts 0–8; σ_w² = 1/D with α ≠ 1: parts 9–12
  fed_layers<0.5, false, 64, 256, 1024>(ctx, part, "0.5");
  fed_layers<1.0, false, 64, 256, 1024>(ctx, part, "1");
  fed_layers<2.0, false, 64, 256, 1024>(ctx, part, "2");
  fed_layers<0.5, true, 64, 256>(ctx, part, "0.5");
  fed_layers<2.0, true, 64, 256>(ctx, part, "2");
  // Eight layers, α = 2: parts 13 (1/(4D)) and 14 (1/D).
  const auto p = network_trials<deep_preserving>(ctx, 13, gaussian_backprop(deep_batch, q0, g), r);
  gain_claim(ctx, p,
             holds("deep8_forward_a2_D256",
                   "eight layers of width 256, φ = 2x, σ_w² = 1/(4D): Var[y_8] = Var[y_1]",
                   "Var[y_8]/Var[y_1] = ∏_{l=2..8} D·α²·σ_l² = 1",
                   forward_gain<deep_preserving>(q0), deep_precision));
  backward_gain_claim(ctx, p,
                      holds("deep8_backward_a2_D256",
                            "eight layers of width 256, φ = 2x, σ_w² = 1/(4D): Var[∂L/∂y_1] = "
                            "Var[∂L/∂y_8]",
                            "Var[∂L/∂y_1]/Var[∂L/∂y_8] = ∏_{l=2..8} D̂·α²·σ_l² = 1",
                            backward_ratio<deep_preserving>, deep_precision));
  const auto b = network_trials<deep_lecun>(ctx, 14, gaussian_backprop(deep_batch, q0, g), r);
  gain_claim(ctx, b,
             holds("deep8_lecun_alpha_squared_a2_D256",
                   "eight layers of width 256, φ = 2x, σ_w² = 1/D: the variance grows by α² = 4 "
                   "per layer, 4⁷ in all",
                   "Var[y_8]/Var[y_1] = (D·α²·σ_w²)⁷ = α¹⁴", forward_gain<deep_lecun>(q0),
                   deep_precision));
  gain_claim(ctx, b,
             wrong("deep8_lecun_preserves_a2_D256",
                   "WRONG (expected refuted): σ_w² = 1/D keeps the variance through eight layers "
                   "with φ = 2x (truth: 4⁷)",
                   "Var[y_8]/Var[y_1] = (D·σ_w²)⁷ = 1 (α omitted)", alpha_blind_deep_ratio));
}

}  // namespace

int main(int argc, char** argv) {
  return run(
      argc, argv,
      {"03", "linear_alpha_scaling",
       "Linear activation alpha*x: Var[y] = D alpha^2 sigma_w^2 sigma_x^2, "
       "preserved by sigma_w^2 = 1/(D alpha^2)",
       "seed text 001; LeCun et al. 1998 Efficient BackProp sec. 4.6; THEORY.md sec. 2", 160, 12},
      body);
}
