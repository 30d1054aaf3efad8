/// Study 05: the fan-out rule σ_w² = 1/D̂ preserves the gradient variance, not the forward one.
///
/// Derivation checked: THEORY.md §1–2 (seed text 001: "preserving the gradient instead needs
/// 1/D̂"; Glorot & Bengio 2010 eq. 10–12; He et al. 2015 eq. 11–14). For y = W x with W_ij i.i.d.
/// zero-mean of variance σ_w², D inputs and D̂ outputs,
///     backward  Var[∂L/∂x] = D̂·σ_w²·Var[∂L/∂y] → σ_w² = 1/D̂ gives Var[∂L/∂x] = Var[∂L/∂y];
///     forward   Var[y] = D·σ_w²·E[x²]           → with σ_w² = 1/D̂ the signal is scaled by D/D̂.
/// The mirror image of study 04. The claim "the fan-out rule also preserves the forward variance"
/// (Var[y] = D̂·σ_w²·E[x²], fan_out where fan_in belongs) is stated and expected to be REFUTED;
/// the gap is a factor 4 for single layers and 2 at the end of the chain.
///
/// Design: identity activation (positively homogeneous: the recursion is exact at any width, no
/// finite-width bias). Networks, all `fan_out_normal` unless stated:
///   part 0  dense<512, 128>                       (narrowing: forward ratio 4)
///   part 1  dense<128, 512>                       (widening:  forward ratio 1/4)
///   part 2  dense<512, 128, fan_out_uniform>      (U[±√(3/D̂)] has the same variance)
///   part 3  chain 256 → 64 → 512 → 128 (3 layers): backward flat at every layer; forward
///           Var[y_l]/E[x²] = ∏_{k ≤ l} D_k/D̂_k = 4, 1/2, 2.
/// Each trial samples fresh weights, a batch of B i.i.d. N(0, q0) inputs and an independent
/// Gaussian output gradient ∂L/∂y_N ~ N(0, g), runs a real forward pass and real back-propagation
/// through the same weights (initlab::run_trial), and yields one value per quantity: the mean of
/// y² (or (∂L/∂x)²) over units and batch. Each claim is a ratio of means over trials
/// (numerator: layer quantity; denominator: the same trial's measured E[x²] or Var[∂L/∂y_N]).
///
/// Why the interval is honest: trials are independent (fresh weights and inputs from their own
/// stream), the ratio's standard error is the delta-method one from the spread across trials and
/// the confidence is Bonferroni-corrected over all claims (1% family-wise). A pilot run gave a
/// per-trial relative spread of about 2–3% for single layers and 5% for the chain (B = 32),
/// so 240 trials keep every confirmed single-layer
/// half-width below the 1% target (max_rel_half_width = 0.01; 0.05 for the 3-layer chain).
///
/// MEASURED (default settings, seed 1, results/05_fan_out_backward.json): backward ratios
/// 0.9984 (512→128), 1.0020 (128→512), 1.0012 (uniform law) and 1.000/1.000/1.001 along the
/// chain; forward ratios 3.998 and 0.2498 (analytic 4 and 1/4), 4.000 (uniform), 4.009/0.5013/
/// 2.005 along the chain (analytic 4, 1/2, 2). Single-layer half-widths 0.26–0.51%, chain
/// ≤ 1.09%. "Fan-out preserves the forward variance" is refuted by factors 4, 4 and 2.
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
using initlab::fan_out_normal;
using initlab::fan_out_uniform;
using initlab::identity;
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

using narrowing = network<dense<512, 128, fan_out_normal, identity>>;
using widening = network<dense<128, 512, fan_out_normal, identity>>;
using narrowing_uniform = network<dense<512, 128, fan_out_uniform, identity>>;
using chain =
    network<dense<256, 64, fan_out_normal, identity>, dense<64, 512, fan_out_normal, identity>,
            dense<512, 128, fan_out_normal, identity>>;

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
/// The wrong forward rule "fan-out preserves the signal": Var[y]/E[x²] = D̂·σ_w² per layer
/// (fan_out used where the derivation has fan_in), multiplied over the layers 1..l.
template <class Net, std::size_t... I>
constexpr double wrong_forward_ratio_impl(std::size_t l, std::index_sequence<I...>) {
  double r = 1.0;
  ((I <= l ? (r = r * static_cast<double>(Net::template layer<I>::fan_out) *
                  Net::template layer<I>::weight_variance())
           : r),
   ...);
  return r;
}
template <class Net>
constexpr double wrong_forward_ratio(std::size_t l) {
  return wrong_forward_ratio_impl<Net>(l, std::make_index_sequence<Net::depth>{});
}

// The facts the derivation states, checked at compile time.
static_assert(initlab::within_rel(backward_ratio<narrowing>(0), 1.0, 1e-15));
static_assert(initlab::within_rel(backward_ratio<widening>(0), 1.0, 1e-15));
static_assert(initlab::within_rel(backward_ratio<narrowing_uniform>(0), 1.0, 1e-15));
static_assert(initlab::preserves_backward_variance<chain>(1e-15));
static_assert(initlab::within_rel(backward_ratio<chain>(0), 1.0, 1e-15));
static_assert(initlab::within_rel(forward_ratio<narrowing>(0), 512.0 / 128.0, 1e-15));
static_assert(initlab::within_rel(forward_ratio<widening>(0), 128.0 / 512.0, 1e-15));
static_assert(initlab::within_rel(forward_ratio<chain>(2),
                                  (256.0 / 64.0) * (64.0 / 512.0) * (512.0 / 128.0), 1e-15));
static_assert(!initlab::preserves_forward_variance<chain>(0.5));
// The wrong rule predicts 1 everywhere, and is off by the stated factors.
static_assert(initlab::within_rel(wrong_forward_ratio<narrowing>(0), 1.0, 1e-15));
static_assert(initlab::within_rel(wrong_forward_ratio<chain>(2), 1.0, 1e-15));
static_assert(forward_ratio<narrowing>(0) / wrong_forward_ratio<narrowing>(0) == 4.0);
static_assert(wrong_forward_ratio<widening>(0) / forward_ratio<widening>(0) == 4.0);
static_assert(forward_ratio<chain>(2) / wrong_forward_ratio<chain>(2) == 2.0);

}  // namespace

int main(int argc, char** argv) {
  return initlab::study::run(
      argc, argv,
      {.id = "05",
       .slug = "fan_out_backward",
       .title = "Fan-out 1/D-hat keeps the gradient variance across unequal widths, not the "
                "forward one",
       .source = "seed text 001 (gradient preservation needs 1/D-hat); Glorot & Bengio 2010 "
                 "eq. 10-12; He et al. 2015 eq. 11-14; THEORY.md sec. 1-2",
       .default_replications = 240,
       .quick_replications = 12},
      [](initlab::study::context& ctx) {
        const std::size_t batch = ctx.setting("batch", std::size_t{32});
        ctx.setting("input_variance", q0);
        ctx.setting("output_gradient_variance", g);
        ctx.setting("activation", std::string("identity"));
        ctx.setting("networks",
                    std::vector<std::string>{"512->128 fan_out_normal", "128->512 fan_out_normal",
                                             "512->128 fan_out_uniform",
                                             "256->64->512->128 fan_out_normal"});
        const std::size_t n = ctx.replications();

        // ---- single layers, normal law
        struct single {
          const char* tag;
          std::uint64_t part;
          double forward, backward, wrong_forward;
          std::size_t fan_in, fan_out;
        };
        const single singles[] = {
            {"512_128", 0, forward_ratio<narrowing>(0), backward_ratio<narrowing>(0),
             wrong_forward_ratio<narrowing>(0), 512, 128},
            {"128_512", 1, forward_ratio<widening>(0), backward_ratio<widening>(0),
             wrong_forward_ratio<widening>(0), 128, 512},
        };
        for (const single& s : singles) {
          const auto t =
              s.part == 0
                  ? network_trials<narrowing>(ctx, s.part, gaussian_backprop(batch, q0, g), n)
                  : network_trials<widening>(ctx, s.part, gaussian_backprop(batch, q0, g), n);
          const std::string dims =
              "D = " + std::to_string(s.fan_in) + ", D̂ = " + std::to_string(s.fan_out);
          ctx.ratio_claim(
              {.id = std::string("backward_") + s.tag,
               .statement = "fan-out σ_w² = 1/D̂ keeps Var[∂L/∂x] = Var[∂L/∂y] (" + dims + ")",
               .formula = "Var[∂L/∂x]/Var[∂L/∂y] = D̂·σ_w² = 1",
               .analytic = s.backward,
               .max_rel_half_width = single_layer_precision},
              input_gradient_moment(t, 0), output_gradient_moment(t));
          ctx.ratio_claim(
              {.id = std::string("forward_") + s.tag,
               .statement =
                   "with fan-out σ_w² = 1/D̂ the forward variance is scaled by D/D̂ (" + dims + ")",
               .formula = "Var[y]/E[x²] = D·σ_w² = D/D̂",
               .analytic = s.forward,
               .max_rel_half_width = single_layer_precision},
              forward_moment(t, 0), input_second_moment(t));
          ctx.ratio_claim(
              {.id = std::string("forward_preserved_") + s.tag,
               .statement = "WRONG (expected refuted): fan-out also preserves the forward "
                            "variance, as if the forward pass summed over D̂ (" +
                            dims + "; true ratio D/D̂)",
               .formula = "Var[y]/E[x²] = D̂·σ_w² = 1 (fan_out in place of fan_in)",
               .analytic = s.wrong_forward,
               .expected = initlab::verdict::refuted},
              forward_moment(t, 0), input_second_moment(t));
        }

        // ---- single layer, uniform law with the same variance
        {
          const auto t =
              network_trials<narrowing_uniform>(ctx, 2, gaussian_backprop(batch, q0, g), n);
          ctx.ratio_claim({.id = "backward_512_128_uniform",
                           .statement = "fan-out uniform U[±√(3/D̂)] (variance 1/D̂) keeps "
                                        "Var[∂L/∂x] = Var[∂L/∂y] (D = 512, D̂ = 128)",
                           .formula = "Var[∂L/∂x]/Var[∂L/∂y] = D̂·a²/3 = 1",
                           .analytic = backward_ratio<narrowing_uniform>(0),
                           .max_rel_half_width = single_layer_precision},
                          input_gradient_moment(t, 0), output_gradient_moment(t));
          ctx.ratio_claim({.id = "forward_512_128_uniform",
                           .statement = "fan-out uniform scales the forward variance by D/D̂ "
                                        "(D = 512, D̂ = 128)",
                           .formula = "Var[y]/E[x²] = D/D̂",
                           .analytic = forward_ratio<narrowing_uniform>(0),
                           .max_rel_half_width = single_layer_precision},
                          forward_moment(t, 0), input_second_moment(t));
        }

        // ---- a chain of unequal widths
        {
          const auto t = network_trials<chain>(ctx, 3, gaussian_backprop(batch, q0, g), n);
          constexpr std::size_t widths[] = {256, 64, 512, 128};
          for (std::size_t l = 0; l < chain::depth; ++l) {
            const std::string layer = std::to_string(l + 1);
            ctx.ratio_claim({.id = "chain_backward_layer_" + layer,
                             .statement = "256→64→512→128 with fan-out at every layer: Var[∂L/∂x_" +
                                          layer + "] = Var[∂L/∂y_N] (" + std::to_string(widths[l]) +
                                          "→" + std::to_string(widths[l + 1]) + ")",
                             .formula = "Var[∂L/∂x_l]/Var[∂L/∂y_N] = ∏_{k ≥ l} D̂_k·σ_k² = 1",
                             .analytic = backward_ratio<chain>(l),
                             .max_rel_half_width = deep_precision},
                            input_gradient_moment(t, l), output_gradient_moment(t));
          }
          for (std::size_t l = 0; l < chain::depth; ++l) {
            const std::string layer = std::to_string(l + 1);
            ctx.ratio_claim({.id = "chain_forward_layer_" + layer,
                             .statement = "256→64→512→128 with fan-out: Var[y_" + layer +
                                          "] is ∏_{k ≤ l} D_k/D̂_k times E[x²]",
                             .formula = "Var[y_l]/E[x²] = ∏_{k ≤ l} D_k/D̂_k",
                             .analytic = forward_ratio<chain>(l),
                             .max_rel_half_width = deep_precision},
                            forward_moment(t, l), input_second_moment(t));
          }
          ctx.ratio_claim(
              {.id = "chain_forward_preserved_layer_3",
               .statement = "WRONG (expected refuted): fan-out preserves the forward variance "
                            "through 256→64→512→128 (true ratio ∏ D_k/D̂_k = 2)",
               .formula = "Var[y_3]/E[x²] = ∏_k D̂_k·σ_k² = 1",
               .analytic = wrong_forward_ratio<chain>(2),
               .expected = initlab::verdict::refuted},
              forward_moment(t, 2), input_second_moment(t));
        }
      });
}
