/// Study 05: the fan-out rule σ_w² = 1/D̂ preserves the gradient variance, not the forward one.
///
/// Checks seed text 001 ("preserving the gradient instead needs 1/D̂"; Glorot & Bengio 2010
/// eq. 10–12; He et al. 2015 eq. 11–14; THEORY.md §1–2): for y = W x, Var[∂L/∂x] =
/// D̂·σ_w²·Var[∂L/∂y] is kept by 1/D̂, Var[y] = D·σ_w²·E[x²] is scaled by D/D̂. "Fan-out also
/// preserves the forward variance" is expected REFUTED (by 4 single, 2 chain: study 04 mirrored).
/// Networks (identity: exact at any width), parts 0–3: 512→128, 128→512, 512→128 fan_out_uniform,
/// chain 256→64→512→128; 240 trials of fresh weights, B = 32 inputs x ~ N(0, 1), ∂L/∂y_N ~ N(0, 1).
/// Honest intervals: independent trials, ratios of means (delta method), Bonferroni 1%; pilot
/// spreads of 2–3% (single layers) and 5% (chain) keep half-widths below 1% (chain 5%).
/// Measured values: results/05_fan_out_backward.json.
#include <initlab/initlab.hpp>

#include "network_trials.hpp"

namespace {

using namespace initlab;
using namespace initlab::study;

constexpr double q0 = 1.0, g = 1.0;  // E[x²] of the input; Var[∂L/∂y_N] of the seeded gradient
const trial_config config = gaussian_backprop(32, q0, g);  // B = 32 inputs per trial
template <std::size_t D, std::size_t Dh, class Init = fan_out_normal>
using linear_layer = dense<D, Dh, Init, identity>;
using narrowing = network<linear_layer<512, 128>>;
using widening = network<linear_layer<128, 512>>;
using narrowing_uniform = network<linear_layer<512, 128, fan_out_uniform>>;
using chain = network<linear_layer<256, 64>, linear_layer<64, 512>, linear_layer<512, 128>>;

/// Var[y_l]/E[x²] and Var[∂L/∂x_l]/Var[∂L/∂y_N] of layer l (0-based), THEORY.md §1 (constexpr);
/// the wrong rule ∏ D̂·σ_w² (fan_out for fan_in). Checked: fan-out keeps the gradient variance at
/// every layer, scales the signal by D/D̂ per layer; the wrong rule predicts 1, off by 4, 4 and 2.
template <class Net>
constexpr auto profile_of = profile<Net>(q0, g);
template <class Net>
constexpr auto forward_ratio = [](std::size_t l) { return profile_of<Net>.forward[l] / q0; };
template <class Net>
constexpr auto backward_ratio = [](std::size_t l) { return profile_of<Net>.backward[l] / g; };
template <class... L>
constexpr double wrong_forward_ratio(basic_serial<L...>) {
  return (1.0 * ... * (L::fan_out * L::weight_variance()));
}
constexpr auto exact = [](double value, double ref) { return within_rel(value, ref, 1e-15); };
static_assert(exact(backward_ratio<narrowing>(0), 1.0) && exact(backward_ratio<widening>(0), 1.0) &&
              exact(backward_ratio<narrowing_uniform>(0), 1.0) &&
              exact(backward_ratio<chain>(0), 1.0) && preserves_backward_variance<chain>(1e-15) &&
              exact(forward_ratio<narrowing>(0), 512.0 / 128.0) &&
              exact(forward_ratio<widening>(0), 128.0 / 512.0) &&
              exact(forward_ratio<chain>(2), (256.0 / 64.0) * (64.0 / 512.0) * (512.0 / 128.0)) &&
              !preserves_forward_variance<chain>(0.5) &&
              exact(wrong_forward_ratio(narrowing{}), 1.0) &&
              exact(wrong_forward_ratio(chain{}), 1.0) &&
              forward_ratio<narrowing>(0) / wrong_forward_ratio(narrowing{}) == 4.0 &&
              wrong_forward_ratio(widening{}) / forward_ratio<widening>(0) == 4.0 &&
              forward_ratio<chain>(2) / wrong_forward_ratio(chain{}) == 2.0);

/// The single layer Net (normal law): gradient preserved, signal scaled by D/D̂, the wrong rule.
template <class Net>
void single_layer_claims(context& ctx, std::uint64_t part) {
  const auto t = network_trials<Net>(ctx, part, config, ctx.replications());
  const std::string d = std::to_string(Net::input_width), dh = std::to_string(Net::output_width);
  const std::string tag = d + "_" + dh, dims = " (D = " + d + ", D̂ = " + dh;
  backward_claim(
      ctx, t, 0,
      holds("backward_" + tag, "fan-out σ_w² = 1/D̂ keeps Var[∂L/∂x] = Var[∂L/∂y]" + dims + ")",
            "Var[∂L/∂x]/Var[∂L/∂y] = D̂·σ_w² = 1", backward_ratio<Net>(0), single_layer_precision));
  forward_claim(
      ctx, t, 0,
      holds("forward_" + tag,
            "with fan-out σ_w² = 1/D̂ the forward variance is scaled by D/D̂" + dims + ")",
            "Var[y]/E[x²] = D·σ_w² = D/D̂", forward_ratio<Net>(0), single_layer_precision));
  forward_claim(
      ctx, t, 0,
      wrong("forward_preserved_" + tag,
            "WRONG (expected refuted): fan-out also preserves the forward variance, as if the "
            "forward pass summed over D̂" +
                dims + "; true ratio D/D̂)",
            "Var[y]/E[x²] = D̂·σ_w² = 1 (fan_out in place of fan_in)", wrong_forward_ratio(Net{})));
}

void body(context& ctx) {
  ctx.setting("batch", config.batch);
  ctx.setting("input_variance", q0);
  ctx.setting("output_gradient_variance", g);
  ctx.setting("activation", std::string("identity"));
  ctx.setting("networks", std::vector<std::string>{
                              "512->128 fan_out_normal", "128->512 fan_out_normal",
                              "512->128 fan_out_uniform", "256->64->512->128 fan_out_normal"});
  single_layer_claims<narrowing>(ctx, 0);
  single_layer_claims<widening>(ctx, 1);
  const auto u = network_trials<narrowing_uniform>(ctx, 2, config, ctx.replications());
  backward_claim(ctx, u, 0,
                 holds("backward_512_128_uniform",
                       "fan-out uniform U[±√(3/D̂)] (variance 1/D̂) keeps Var[∂L/∂x] = Var[∂L/∂y] "
                       "(D = 512, D̂ = 128)",
                       "Var[∂L/∂x]/Var[∂L/∂y] = D̂·a²/3 = 1", backward_ratio<narrowing_uniform>(0),
                       single_layer_precision));
  forward_claim(
      ctx, u, 0,
      holds("forward_512_128_uniform",
            "fan-out uniform scales the forward variance by D/D̂ (D = 512, D̂ = 128)",
            "Var[y]/E[x²] = D/D̂", forward_ratio<narrowing_uniform>(0), single_layer_precision));
  const auto t = network_trials<chain>(ctx, 3, config, ctx.replications());
  constexpr const char* widths[] = {"256", "64", "512", "128"};
  for (std::size_t l = 0; l < chain::depth; ++l)
    backward_claim(
        ctx, t, l,
        holds("chain_backward_layer_" + std::to_string(l + 1),
              "256→64→512→128 with fan-out at every layer: Var[∂L/∂x_" + std::to_string(l + 1) +
                  "] = Var[∂L/∂y_N] (" + widths[l] + "→" + widths[l + 1] + ")",
              "Var[∂L/∂x_l]/Var[∂L/∂y_N] = ∏_{k ≥ l} D̂_k·σ_k² = 1", backward_ratio<chain>(l),
              deep_precision));
  for (std::size_t l = 0; l < chain::depth; ++l)
    forward_claim(
        ctx, t, l,
        holds("chain_forward_layer_" + std::to_string(l + 1),
              "256→64→512→128 with fan-out: Var[y_" + std::to_string(l + 1) +
                  "] is ∏_{k ≤ l} D_k/D̂_k times E[x²]",
              "Var[y_l]/E[x²] = ∏_{k ≤ l} D_k/D̂_k", forward_ratio<chain>(l), deep_precision));
  forward_claim(ctx, t, 2,
                wrong("chain_forward_preserved_layer_3",
                      "WRONG (expected refuted): fan-out preserves the forward variance through "
                      "256→64→512→128 (true ratio ∏ D_k/D̂_k = 2)",
                      "Var[y_3]/E[x²] = ∏_k D̂_k·σ_k² = 1", wrong_forward_ratio(chain{})));
}

}  // namespace

int main(int argc, char** argv) {
  return run(
      argc, argv,
      {"05", "fan_out_backward",
       "Fan-out 1/D-hat keeps the gradient variance across unequal widths, not the forward one",
       "seed text 001 (gradient preservation needs 1/D-hat); Glorot & Bengio 2010 eq. 10-12; "
       "He et al. 2015 eq. 11-14; THEORY.md sec. 1-2",
       240, 12},
      body);
}
