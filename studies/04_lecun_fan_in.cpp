/// Study 04: LeCun's fan-in rule σ_w² = 1/D across unequal widths.
///
/// Derivation checked: seed text 001 with α = 1 (LeCun et al. 1998, "Efficient BackProp" §4.6;
/// THEORY.md §1–2). For y = W x with W_ij i.i.d. zero-mean of variance σ_w² and D inputs,
///     forward   Var[y] = D·σ_w²·E[x²]          → σ_w² = 1/D gives Var[y] = E[x²] for ANY D̂;
///     backward  Var[∂L/∂x] = D̂·σ_w²·Var[∂L/∂y] → with σ_w² = 1/D the gradient is scaled by D̂/D.
/// So LeCun preserves the forward variance but NOT the backward one when D ≠ D̂ (that is what the
/// fan-out rule of study 05 and Xavier's compromise of study 06 are for). The claim "LeCun
/// preserves the backward variance" (Var[∂L/∂x] = D·σ_w²·Var[∂L/∂y], fan_in where fan_out belongs)
/// is stated and expected to be REFUTED; the gap is a factor 4 for single layers and 2 for the
/// chain.
///
/// Design: identity activation (positively homogeneous, so the recursion is exact at any width and
/// no finite-width bias enters). Networks, all `lecun_normal` unless stated:
///   part 0  dense<512, 128>                      (narrowing: backward ratio 1/4)
///   part 1  dense<128, 512>                      (widening:  backward ratio 4)
///   part 2  dense<512, 128, lecun_uniform>       (the uniform law U[±√(3/D)] has the same
///   variance) part 3  chain 256 → 64 → 512 → 128 (3 layers): forward flat at every layer; backward
///           Var[∂L/∂x_l]/Var[∂L/∂y_N] = ∏_{k ≥ l} D̂_k/D_k = 2 at layer 2, 1/2 at layer 1.
/// Each trial samples fresh weights, a batch of B i.i.d. N(0, q0) inputs and an independent
/// Gaussian output gradient ∂L/∂y_N ~ N(0, g), runs a real forward pass and real back-propagation
/// through the same weights (initlab::run_trial), and yields one value per quantity: the mean of
/// y² (or (∂L/∂x)²) over units and batch. Each claim is a ratio of means over trials
/// (numerator: layer quantity; denominator: the same trial's measured E[x²] or Var[∂L/∂y_N]),
/// so the per-trial input and gradient noise partly cancels.
///
/// Why the interval is honest: trials are independent (fresh weights and inputs from their own
/// stream), the ratio's standard error is the delta-method one from the spread across trials and
/// the confidence is Bonferroni-corrected over all claims (1% family-wise). A pilot run gave a
/// per-trial relative spread of about 2–3% for single layers and 5% for the chain (terms
/// 2/(D·D̂) from the weights and 2/(D̂·B) from the batch of B = 32), so 240 trials put every
/// confirmed single-layer half-width well below the 1% target (max_rel_half_width = 0.01; 0.05 for
/// the 3-layer chain).
///
/// MEASURED (default settings, seed 1, results/04_lecun_fan_in.json): forward ratios 1.0003
/// (512→128), 1.0001 (128→512), 1.0005 (uniform law) and 1.001/1.002/1.001 along the chain;
/// backward ratios 0.2502 and 4.002 (analytic 1/4 and 4), 0.2500 (uniform), 0.4998/1.997/0.2502
/// along the chain (analytic 1/2, 2, 1/4). Single-layer half-widths 0.24–0.50%, chain ≤ 1.04%.
/// "LeCun preserves the backward variance" is refuted by factors 4, 4 and 2.
/// (Figures from the sampler of this commit; a change of the samplers' streams changes the
/// digits, not the verdicts.)
#include <cstddef>
#include <cstdint>
#include <initlab/initlab.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "network_trials.hpp"
#include "study.hpp"

namespace {

using initlab::dense;
using initlab::identity;
using initlab::lecun_normal;
using initlab::lecun_uniform;
using initlab::network;
using initlab::study::deep_precision;
using initlab::study::forward_moment;
using initlab::study::gaussian_backprop;
using initlab::study::input_gradient_moment;
using initlab::study::input_second_moment;
using initlab::study::network_trials;
using initlab::study::output_gradient_moment;
using initlab::study::single_layer_precision;

constexpr double q0 = 1.0;  ///< E[x²] of the network input
constexpr double g = 1.0;   ///< Var[∂L/∂y_N], the seeded output gradient

using narrowing = network<dense<512, 128, lecun_normal, identity>>;
using widening = network<dense<128, 512, lecun_normal, identity>>;
using narrowing_uniform = network<dense<512, 128, lecun_uniform, identity>>;
using chain =
    network<dense<256, 64, lecun_normal, identity>, dense<64, 512, lecun_normal, identity>,
            dense<512, 128, lecun_normal, identity>>;

/// Analytic profile of a network (THEORY.md §1 recursions, constexpr).
template <class Net>
constexpr auto profile_of = initlab::profile<Net>(q0, g);

/// Var[y_l]/E[x²] for layer l (0-based).
template <class Net>
constexpr double forward_ratio(std::size_t l) {
  return profile_of<Net>.forward[l] / q0;
}
/// Var[∂L/∂x_l]/Var[∂L/∂y_N] for layer l (0-based).
template <class Net>
constexpr double backward_ratio(std::size_t l) {
  return profile_of<Net>.backward[l] / g;
}
/// The wrong backward rule "LeCun preserves the gradient": Var[∂L/∂x]/Var[∂L/∂y] = D·σ_w² per
/// layer (fan_in used where the derivation has fan_out), multiplied over the layers from l to N.
template <class Net, std::size_t... I>
constexpr double wrong_backward_ratio_impl(std::size_t l, std::index_sequence<I...>) {
  double r = 1.0;
  ((I >= l ? (r = r * static_cast<double>(Net::template layer<I>::fan_in) *
                  Net::template layer<I>::weight_variance())
           : r),
   ...);
  return r;
}
template <class Net>
constexpr double wrong_backward_ratio(std::size_t l) {
  return wrong_backward_ratio_impl<Net>(l, std::make_index_sequence<Net::depth>{});
}

// The facts the derivation states, checked at compile time.
static_assert(initlab::within_rel(forward_ratio<narrowing>(0), 1.0, 1e-15));
static_assert(initlab::within_rel(forward_ratio<widening>(0), 1.0, 1e-15));
static_assert(initlab::within_rel(forward_ratio<narrowing_uniform>(0), 1.0, 1e-15));
static_assert(initlab::preserves_forward_variance<chain>(1e-15));
static_assert(initlab::within_rel(forward_ratio<chain>(0), 1.0, 1e-15));
static_assert(initlab::within_rel(backward_ratio<narrowing>(0), 128.0 / 512.0, 1e-15));
static_assert(initlab::within_rel(backward_ratio<widening>(0), 512.0 / 128.0, 1e-15));
static_assert(initlab::within_rel(backward_ratio<chain>(0),
                                  (64.0 / 256.0) * (512.0 / 64.0) * (128.0 / 512.0), 1e-15));
static_assert(!initlab::preserves_backward_variance<chain>(0.5));
// The wrong rule predicts 1 everywhere, and is off by the stated factors.
static_assert(initlab::within_rel(wrong_backward_ratio<narrowing>(0), 1.0, 1e-15));
static_assert(initlab::within_rel(wrong_backward_ratio<chain>(0), 1.0, 1e-15));
static_assert(wrong_backward_ratio<narrowing>(0) / backward_ratio<narrowing>(0) == 4.0);
static_assert(backward_ratio<widening>(0) / wrong_backward_ratio<widening>(0) == 4.0);
static_assert(wrong_backward_ratio<chain>(0) / backward_ratio<chain>(0) == 2.0);

}  // namespace

int main(int argc, char** argv) {
  return initlab::study::run(
      argc, argv,
      {.id = "04",
       .slug = "lecun_fan_in",
       .title = "LeCun fan-in 1/D keeps the forward variance across unequal widths, not the "
                "backward one",
       .source = "seed text 001 (alpha = 1); LeCun et al. 1998 Efficient BackProp sec. 4.6; "
                 "THEORY.md sec. 1-2",
       .default_replications = 240,
       .quick_replications = 12},
      [](initlab::study::context& ctx) {
        const std::size_t batch = ctx.setting("batch", std::size_t{32});
        ctx.setting("input_variance", q0);
        ctx.setting("output_gradient_variance", g);
        ctx.setting("activation", std::string("identity"));
        ctx.setting("networks", std::vector<std::string>{
                                    "512->128 lecun_normal", "128->512 lecun_normal",
                                    "512->128 lecun_uniform", "256->64->512->128 lecun_normal"});
        const std::size_t n = ctx.replications();

        // ---- single layers, normal law
        struct single {
          const char* tag;
          std::uint64_t part;
          double forward, backward, wrong_backward;
          std::size_t fan_in, fan_out;
        };
        const single singles[] = {
            {"512_128", 0, forward_ratio<narrowing>(0), backward_ratio<narrowing>(0),
             wrong_backward_ratio<narrowing>(0), 512, 128},
            {"128_512", 1, forward_ratio<widening>(0), backward_ratio<widening>(0),
             wrong_backward_ratio<widening>(0), 128, 512},
        };
        for (const single& s : singles) {
          const auto t =
              s.part == 0
                  ? network_trials<narrowing>(ctx, s.part, gaussian_backprop(batch, q0, g), n)
                  : network_trials<widening>(ctx, s.part, gaussian_backprop(batch, q0, g), n);
          const std::string dims =
              "D = " + std::to_string(s.fan_in) + ", D̂ = " + std::to_string(s.fan_out);
          ctx.ratio_claim({.id = std::string("forward_") + s.tag,
                           .statement = "LeCun σ_w² = 1/D keeps Var[y] = E[x²] (" + dims + ")",
                           .formula = "Var[y]/E[x²] = D·σ_w² = 1",
                           .analytic = s.forward,
                           .max_rel_half_width = single_layer_precision},
                          forward_moment(t, 0), input_second_moment(t));
          ctx.ratio_claim(
              {.id = std::string("backward_") + s.tag,
               .statement =
                   "with LeCun σ_w² = 1/D the gradient variance is scaled by D̂/D (" + dims + ")",
               .formula = "Var[∂L/∂x]/Var[∂L/∂y] = D̂·σ_w² = D̂/D",
               .analytic = s.backward,
               .max_rel_half_width = single_layer_precision},
              input_gradient_moment(t, 0), output_gradient_moment(t));
          ctx.ratio_claim(
              {.id = std::string("backward_preserved_") + s.tag,
               .statement = "WRONG (expected refuted): LeCun also preserves the gradient "
                            "variance, as if the backward pass summed over D (" +
                            dims + "; true ratio D̂/D)",
               .formula = "Var[∂L/∂x]/Var[∂L/∂y] = D·σ_w² = 1 (fan_in in place of fan_out)",
               .analytic = s.wrong_backward,
               .expected = initlab::verdict::refuted},
              input_gradient_moment(t, 0), output_gradient_moment(t));
        }

        // ---- single layer, uniform law with the same variance
        {
          const auto t =
              network_trials<narrowing_uniform>(ctx, 2, gaussian_backprop(batch, q0, g), n);
          ctx.ratio_claim({.id = "forward_512_128_uniform",
                           .statement = "LeCun uniform U[±√(3/D)] (variance 1/D) keeps Var[y] = "
                                        "E[x²] (D = 512, D̂ = 128)",
                           .formula = "Var[y]/E[x²] = D·a²/3 = 1",
                           .analytic = forward_ratio<narrowing_uniform>(0),
                           .max_rel_half_width = single_layer_precision},
                          forward_moment(t, 0), input_second_moment(t));
          ctx.ratio_claim({.id = "backward_512_128_uniform",
                           .statement = "LeCun uniform scales the gradient variance by D̂/D "
                                        "(D = 512, D̂ = 128)",
                           .formula = "Var[∂L/∂x]/Var[∂L/∂y] = D̂/D",
                           .analytic = backward_ratio<narrowing_uniform>(0),
                           .max_rel_half_width = single_layer_precision},
                          input_gradient_moment(t, 0), output_gradient_moment(t));
        }

        // ---- a chain of unequal widths
        {
          const auto t = network_trials<chain>(ctx, 3, gaussian_backprop(batch, q0, g), n);
          constexpr std::size_t widths[] = {256, 64, 512, 128};
          for (std::size_t l = 0; l < chain::depth; ++l) {
            const std::string layer = std::to_string(l + 1);
            ctx.ratio_claim({.id = "chain_forward_layer_" + layer,
                             .statement = "256→64→512→128 with LeCun at every layer: Var[y_" +
                                          layer + "] = E[x²] (" + std::to_string(widths[l]) + "→" +
                                          std::to_string(widths[l + 1]) + ")",
                             .formula = "Var[y_l]/E[x²] = ∏_{k ≤ l} D_k·σ_k² = 1",
                             .analytic = forward_ratio<chain>(l),
                             .max_rel_half_width = deep_precision},
                            forward_moment(t, l), input_second_moment(t));
          }
          for (std::size_t l = 0; l < chain::depth; ++l) {
            const std::string layer = std::to_string(l + 1);
            ctx.ratio_claim(
                {.id = "chain_backward_layer_" + layer,
                 .statement = "256→64→512→128 with LeCun: the gradient w.r.t. the input of layer " +
                              layer + " has variance ∏_{k ≥ l} D̂_k/D_k times Var[∂L/∂y_N]",
                 .formula = "Var[∂L/∂x_l]/Var[∂L/∂y_N] = ∏_{k ≥ l} D̂_k/D_k",
                 .analytic = backward_ratio<chain>(l),
                 .max_rel_half_width = deep_precision},
                input_gradient_moment(t, l), output_gradient_moment(t));
          }
          ctx.ratio_claim(
              {.id = "chain_backward_preserved_layer_1",
               .statement = "WRONG (expected refuted): LeCun preserves the gradient variance "
                            "through 256→64→512→128 (true ratio ∏ D̂_k/D_k = 1/2)",
               .formula = "Var[∂L/∂x_1]/Var[∂L/∂y_N] = ∏_k D_k·σ_k² = 1",
               .analytic = wrong_backward_ratio<chain>(0),
               .expected = initlab::verdict::refuted},
              input_gradient_moment(t, 0), output_gradient_moment(t));
        }
      });
}
