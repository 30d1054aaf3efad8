/// Study 06: Xavier/Glorot normal σ_w² = 2/(D+D̂) is a compromise between forward and backward
/// (seed text 001; Glorot & Bengio 2010 eq. 12; THEORY.md §1–2). For y = W x, Var[y] =
/// D·σ_w²·E[x²] and Var[∂L/∂x] = D̂·σ_w²·Var[∂L/∂y]: the forward ratio is 2D/(D+D̂), the backward
/// 2D̂/(D+D̂), summing to 2, both 1 only for D = D̂. "Xavier preserves the variance" for D ≠ D̂ is
/// expected refuted (off by factors 0.4–1.6, outside even a --quick interval).
/// Networks: single dense identity layers (D, D̂) = (64, 256), (256, 64), (96, 160) and the
/// control (128, 128), parts 0–3; 1000 trials each of a fresh W, B = 16 inputs x ~ N(0, 1) and
/// ∂L/∂y ~ N(0, 1); per trial mean w² over W and the forward/backward ratios (ratios of means).
/// Honest intervals: the trial (one network) is the unit of replication, and the linear
/// recursion is exact at any width (THEORY.md §6): no bias to hide; pilot spreads ≤ 4% give
/// half-widths ≤ 0.6% at the Bonferroni confidence (target 1%).
/// Measured values: results/06_xavier_normal.json.
#include <cstddef>
#include <cstdint>
#include <initlab/initlab.hpp>
#include <string>
#include <vector>

#include "network_trials.hpp"

namespace {

using namespace initlab;
using namespace initlab::study;

constexpr double q0 = 1.0, g = 1.0;      // E[x²] of the inputs; Var[∂L/∂y] of the seed
constexpr std::size_t batch = 16;        // inputs per network (one trial = one network)
constexpr double preserved_ratio = 1.0;  // "preserves the variance": output/input ratio is 1

/// One layer shape (D, D̂) with its constexpr analytic values.
template <std::size_t D, std::size_t Dhat>
struct xavier_case {
  using net = network<dense<D, Dhat, xavier_normal, identity>>;
  static constexpr std::size_t fan_in = D, fan_out = Dhat;
  static constexpr double weight_variance = xavier_normal::variance(D, Dhat);  ///< σ_w²
  static constexpr double forward_ratio = forward_variances<net>(q0)[0] / q0;
  static constexpr double backward_ratio = backward_variances<net>(g)[0] / g;

  // The derivation's facts: the closed forms 2/(D+D̂), 2D/(D+D̂), 2D̂/(D+D̂), the ratios sum to 2
  // (the compromise), the sampler draws from the variance the initializer states, and equal
  // widths preserve both directions while unequal widths preserve neither.
  static constexpr double width_sum = static_cast<double>(D) + static_cast<double>(Dhat);
  static_assert(within_rel(weight_variance, 2.0 / width_sum, 1e-15) &&
                within_rel(forward_ratio, 2.0 * static_cast<double>(D) / width_sum, 1e-15) &&
                within_rel(backward_ratio, 2.0 * static_cast<double>(Dhat) / width_sum, 1e-15) &&
                within_rel(forward_ratio + backward_ratio, 2.0, 1e-15) &&
                within_rel(variance(net::template layer<0>::law()), weight_variance, 1e-15) &&
                (D == Dhat) == (forward_ratio == preserved_ratio) &&
                (D == Dhat) == (backward_ratio == preserved_ratio));
};

using case_a = xavier_case<64, 256>;   // widening: forward shrinks, backward grows
using case_b = xavier_case<256, 64>;   // narrowing: the mirror image
using case_c = xavier_case<96, 160>;   // mildly unequal: ratios 0.75 and 1.25
using case_d = xavier_case<128, 128>;  // equal widths: both preserved

static_assert(case_a::forward_ratio < preserved_ratio && case_a::backward_ratio > preserved_ratio &&
              case_b::forward_ratio > preserved_ratio && case_b::backward_ratio < preserved_ratio &&
              case_a::forward_ratio == case_b::backward_ratio &&
              preserves_forward_variance<case_d::net>(0.0) &&
              case_d::forward_ratio == preserved_ratio &&
              case_d::backward_ratio == preserved_ratio);

/// The claims of one layer shape (part `part`); ids end in _D_D̂, statements in (D = …, D̂ = …).
template <class Case>
void case_claims(context& ctx, std::uint64_t part) {
  const weighted_trials w = network_trials_with_weights<typename Case::net>(
      ctx, ctx.root_stream().child(part), gaussian_backprop(batch, q0, g), ctx.replications());
  const std::vector<trial_statistics>& t = w.stats;
  const std::string d = std::to_string(Case::fan_in), dh = std::to_string(Case::fan_out);
  const std::string tag = "_" + d + "_" + dh, dims = " (D = " + d + ", D̂ = " + dh + ")";
  ctx.claim(holds("weight_variance" + tag, "xavier_normal draws W with E[w²] = 2/(D+D̂)" + dims,
                  "σ_w² = 2/(D+D̂)", Case::weight_variance, single_layer_precision),
            w.w2);
  forward_claim(ctx, t, 0,
                holds("forward_ratio" + tag, "Var[y]/E[x²] = D·σ_w² = 2D/(D+D̂)" + dims, "2D/(D+D̂)",
                      Case::forward_ratio, single_layer_precision));
  backward_claim(ctx, t, 0,
                 holds("backward_ratio" + tag, "Var[∂L/∂x]/Var[∂L/∂y] = D̂·σ_w² = 2D̂/(D+D̂)" + dims,
                       "2D̂/(D+D̂)", Case::backward_ratio, single_layer_precision));
  if constexpr (Case::fan_in != Case::fan_out) {
    forward_claim(ctx, t, 0,
                  wrong("forward_preserved" + tag,
                        "wrong for D ≠ D̂: Xavier keeps the forward variance (ratio 1); "
                        "it gives 2D/(D+D̂)" +
                            dims,
                        "Var[y]/E[x²] = 1 (wrong; 2D/(D+D̂) is right)", preserved_ratio));
    backward_claim(ctx, t, 0,
                   wrong("backward_preserved" + tag,
                         "wrong for D ≠ D̂: Xavier keeps the gradient variance (ratio 1); "
                         "it gives 2D̂/(D+D̂)" +
                             dims,
                         "Var[∂L/∂x]/Var[∂L/∂y] = 1 (wrong; 2D̂/(D+D̂) is right)", preserved_ratio));
  }
}

void body(context& ctx) {
  ctx.setting("layer_shapes_D_Dhat",
              std::vector<std::vector<std::size_t>>{{case_a::fan_in, case_a::fan_out},
                                                    {case_b::fan_in, case_b::fan_out},
                                                    {case_c::fan_in, case_c::fan_out},
                                                    {case_d::fan_in, case_d::fan_out}});
  ctx.setting("activation", std::string("identity"));
  ctx.setting("initializer", std::string(xavier_normal::name));
  ctx.setting("batch", batch);
  ctx.setting("input_variance", q0);
  ctx.setting("gradient_variance", g);
  case_claims<case_a>(ctx, 0);
  case_claims<case_b>(ctx, 1);
  case_claims<case_c>(ctx, 2);
  case_claims<case_d>(ctx, 3);
}

}  // namespace

int main(int argc, char** argv) {
  return run(argc, argv,
             {.id = "06",
              .slug = "xavier_normal",
              .title = "Xavier normal 2/(D+D̂): forward ratio 2D/(D+D̂), backward ratio 2D̂/(D+D̂)",
              .source = "seed text 001; Glorot & Bengio 2010 eq. 12; THEORY.md §1-2",
              .default_replications = 1000,
              .quick_replications = 40},
             body);
}
