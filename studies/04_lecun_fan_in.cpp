/// Study 04: LeCun's fan-in rule σ_w² = 1/D keeps the forward variance across unequal widths.
///
/// Checks seed text 001 with α = 1 (LeCun et al. 1998 §4.6; THEORY.md §1–2): for y = W x,
/// Var[y] = D·σ_w²·E[x²] is kept by 1/D for ANY D̂, Var[∂L/∂x] = D̂·σ_w²·Var[∂L/∂y] is scaled by
/// D̂/D. "LeCun preserves the backward variance" is expected REFUTED (by 4 single, 2 chain;
/// studies 05 and 06 address the backward side).
/// Networks (identity: exact at any width), parts 0–3: 512→128, 128→512, 512→128 lecun_uniform,
/// chain 256→64→512→128; 240 trials of fresh weights, B = 32 inputs x ~ N(0, 1), ∂L/∂y_N ~ N(0, 1).
/// Honest intervals: independent trials, ratios of means (delta method), Bonferroni 1%; pilot
/// spreads of 2–3% (single layers: 2/(D·D̂) from the weights, 2/(D̂·B) from the batch) and 5%
/// (chain) keep half-widths below 1% (chain 5%). Measured values: results/04_lecun_fan_in.json.
#include <initlab/initlab.hpp>

#include "network_trials.hpp"

namespace {

using namespace initlab;
using namespace initlab::study;

constexpr double q0 = 1.0, g = 1.0;  // E[x²] of the input; Var[∂L/∂y_N] of the seeded gradient
const trial_config config = gaussian_backprop(32, q0, g);  // B = 32 inputs per trial
template <std::size_t D, std::size_t Dh, class Init = lecun_normal>
using linear_layer = dense<D, Dh, Init, identity>;
using narrowing = network<linear_layer<512, 128>>;
using widening = network<linear_layer<128, 512>>;
using narrowing_uniform = network<linear_layer<512, 128, lecun_uniform>>;
using chain = network<linear_layer<256, 64>, linear_layer<64, 512>, linear_layer<512, 128>>;

/// Var[y_l]/E[x²] and Var[∂L/∂x_l]/Var[∂L/∂y_N] of layer l (0-based), THEORY.md §1 (constexpr);
/// the wrong rule ∏ D·σ_w² (fan_in for fan_out). Checked: LeCun keeps the forward variance at
/// every layer, scales the gradient by D̂/D per layer; the wrong rule predicts 1, off by 4, 4, 2.
template <class Net>
constexpr auto profile_of = profile<Net>(q0, g);
template <class Net>
constexpr auto forward_ratio = [](std::size_t l) { return profile_of<Net>.forward[l] / q0; };
template <class Net>
constexpr auto backward_ratio = [](std::size_t l) { return profile_of<Net>.backward[l] / g; };
template <class... L>
constexpr double wrong_backward_ratio(basic_serial<L...>) {
  return (1.0 * ... * (L::fan_in * L::weight_variance()));
}
constexpr auto exact = [](double value, double ref) { return within_rel(value, ref, 1e-15); };
static_assert(exact(forward_ratio<narrowing>(0), 1.0) && exact(forward_ratio<widening>(0), 1.0) &&
              exact(forward_ratio<narrowing_uniform>(0), 1.0) &&
              exact(forward_ratio<chain>(0), 1.0) && preserves_forward_variance<chain>(1e-15) &&
              exact(backward_ratio<narrowing>(0), 128.0 / 512.0) &&
              exact(backward_ratio<widening>(0), 512.0 / 128.0) &&
              exact(backward_ratio<chain>(0), (64.0 / 256.0) * (512.0 / 64.0) * (128.0 / 512.0)) &&
              !preserves_backward_variance<chain>(0.5) &&
              exact(wrong_backward_ratio(narrowing{}), 1.0) &&
              exact(wrong_backward_ratio(chain{}), 1.0) &&
              wrong_backward_ratio(narrowing{}) / backward_ratio<narrowing>(0) == 4.0 &&
              backward_ratio<widening>(0) / wrong_backward_ratio(widening{}) == 4.0 &&
              wrong_backward_ratio(chain{}) / backward_ratio<chain>(0) == 2.0);

/// The single layer Net (normal law): forward preserved, gradient scaled by D̂/D, the wrong rule.
template <class Net>
void single_layer_claims(context& ctx, std::uint64_t part) {
  const auto t = network_trials<Net>(ctx, part, config, ctx.replications());
  const std::string d = std::to_string(Net::input_width), dh = std::to_string(Net::output_width);
  const std::string tag = d + "_" + dh, dims = " (D = " + d + ", D̂ = " + dh;
  forward_claim(ctx, t, 0,
                holds("forward_" + tag, "LeCun σ_w² = 1/D keeps Var[y] = E[x²]" + dims + ")",
                      "Var[y]/E[x²] = D·σ_w² = 1", forward_ratio<Net>(0), single_layer_precision));
  backward_claim(ctx, t, 0,
                 holds("backward_" + tag,
                       "with LeCun σ_w² = 1/D the gradient variance is scaled by D̂/D" + dims + ")",
                       "Var[∂L/∂x]/Var[∂L/∂y] = D̂·σ_w² = D̂/D", backward_ratio<Net>(0),
                       single_layer_precision));
  backward_claim(
      ctx, t, 0,
      wrong("backward_preserved_" + tag,
            "WRONG (expected refuted): LeCun also preserves the gradient variance, as if "
            "the backward pass summed over D" +
                dims + "; true ratio D̂/D)",
            "Var[∂L/∂x]/Var[∂L/∂y] = D·σ_w² = 1 (fan_in in place of fan_out)",
            wrong_backward_ratio(Net{})));
}

void body(context& ctx) {
  ctx.setting("batch", config.batch);
  ctx.setting("input_variance", q0);
  ctx.setting("output_gradient_variance", g);
  ctx.setting("activation", std::string("identity"));
  ctx.setting("networks",
              std::vector<std::string>{"512->128 lecun_normal", "128->512 lecun_normal",
                                       "512->128 lecun_uniform", "256->64->512->128 lecun_normal"});
  single_layer_claims<narrowing>(ctx, 0);
  single_layer_claims<widening>(ctx, 1);
  const auto u = network_trials<narrowing_uniform>(ctx, 2, config, ctx.replications());
  forward_claim(ctx, u, 0,
                holds("forward_512_128_uniform",
                      "LeCun uniform U[±√(3/D)] (variance 1/D) keeps Var[y] = E[x²] "
                      "(D = 512, D̂ = 128)",
                      "Var[y]/E[x²] = D·a²/3 = 1", forward_ratio<narrowing_uniform>(0),
                      single_layer_precision));
  backward_claim(ctx, u, 0,
                 holds("backward_512_128_uniform",
                       "LeCun uniform scales the gradient variance by D̂/D (D = 512, D̂ = 128)",
                       "Var[∂L/∂x]/Var[∂L/∂y] = D̂/D", backward_ratio<narrowing_uniform>(0),
                       single_layer_precision));
  const auto t = network_trials<chain>(ctx, 3, config, ctx.replications());
  constexpr const char* widths[] = {"256", "64", "512", "128"};
  for (std::size_t l = 0; l < chain::depth; ++l)
    forward_claim(
        ctx, t, l,
        holds("chain_forward_layer_" + std::to_string(l + 1),
              "256→64→512→128 with LeCun at every layer: Var[y_" + std::to_string(l + 1) +
                  "] = E[x²] (" + widths[l] + "→" + widths[l + 1] + ")",
              "Var[y_l]/E[x²] = ∏_{k ≤ l} D_k·σ_k² = 1", forward_ratio<chain>(l), deep_precision));
  for (std::size_t l = 0; l < chain::depth; ++l)
    backward_claim(
        ctx, t, l,
        holds("chain_backward_layer_" + std::to_string(l + 1),
              "256→64→512→128 with LeCun: the gradient w.r.t. the input of layer " +
                  std::to_string(l + 1) + " has variance ∏_{k ≥ l} D̂_k/D_k times Var[∂L/∂y_N]",
              "Var[∂L/∂x_l]/Var[∂L/∂y_N] = ∏_{k ≥ l} D̂_k/D_k", backward_ratio<chain>(l),
              deep_precision));
  backward_claim(
      ctx, t, 0,
      wrong("chain_backward_preserved_layer_1",
            "WRONG (expected refuted): LeCun preserves the gradient variance through "
            "256→64→512→128 (true ratio ∏ D̂_k/D_k = 1/2)",
            "Var[∂L/∂x_1]/Var[∂L/∂y_N] = ∏_k D_k·σ_k² = 1", wrong_backward_ratio(chain{})));
}

}  // namespace

int main(int argc, char** argv) {
  return run(
      argc, argv,
      {"04", "lecun_fan_in",
       "LeCun fan-in 1/D keeps the forward variance across unequal widths, not the backward one",
       "seed text 001 (alpha = 1); LeCun et al. 1998 Efficient BackProp sec. 4.6; "
       "THEORY.md sec. 1-2",
       240, 12},
      body);
}
