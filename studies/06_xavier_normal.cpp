/// Study 06: Xavier/Glorot normal, σ_w² = 2/(D+D̂), is a compromise between the forward and the
/// backward pass.
///
/// Derivation checked (seed text 001; Glorot & Bengio 2010 eq. 12; THEORY.md §1–2): for one
/// linear layer y = W x with W_ij ~ N(0, σ_w²), Var[y] = D·σ_w²·E[x²] and
/// Var[∂L/∂x] = D̂·σ_w²·Var[∂L/∂y]. With σ_w² = 2/(D+D̂) the forward ratio Var[y]/E[x²] is
/// 2D/(D+D̂) and the backward ratio Var[∂L/∂x]/Var[∂L/∂y] is 2D̂/(D+D̂): both equal 1 only when
/// D = D̂; otherwise one shrinks and the other grows (they always sum to 2).
///
/// Design: four single dense layers (identity activation, no bias) with (D, D̂) = (64, 256),
/// (256, 64), (96, 160) and the equal-width control (128, 128). A trial samples a fresh W with
/// the library's xavier_normal law, a fresh batch of B = 16 inputs x ~ N(0, 1) and a fresh
/// Gaussian output gradient ∂L/∂y ~ N(0, 1) (engine `run_trial`, real back-propagation through
/// the same W). Per trial and layer: mean of w² over W (the weights' own variance), and the
/// ratios mean(y²)/mean(x²) and mean((∂L/∂x)²)/mean((∂L/∂y)²), each a ratio of per-trial means
/// over trials (delta method). Every analytic value is the constexpr core's
/// (`xavier_normal::variance`, `forward_variances`, `backward_variances`).
///
/// Why the intervals are honest: the trial (fresh W, inputs and gradients) is the unit of
/// replication, so the interval comes from the spread between independent networks, not from the
/// correlated units of one network; the linear recursion is exact at any width (THEORY.md §6), so
/// a confirmed claim has no bias to hide. Trial counts come from a pilot: the per-trial relative
/// spread of the ratios is ≤ 4%, so 1000 trials give a half-width ≤ 0.6% at the Bonferroni
/// confidence (target ≤ 1%). Claims stating that Xavier *preserves* a variance when D ≠ D̂ are
/// expected refuted: they are off by factors 0.4–1.6 (≥ 25%), far outside even a --quick interval.
///
/// Measured (default settings, 1000 trials, seed 1): all 12 confirmed claims hold with relative
/// half-widths 0.12–0.51% (e.g. (64, 256): forward ratio 0.39991 vs 0.4, backward 1.6040 vs 1.6;
/// (128, 128): 1.0004 and 1.0008 vs 1); all six "preserves" claims for D ≠ D̂ are refuted
/// (measured ratios 0.40, 1.60, 0.75, 1.25 against the claimed 1), as expected.
#include <array>
#include <cstddef>
#include <initlab/initlab.hpp>
#include <span>
#include <string>
#include <vector>

#include "study.hpp"

namespace {

using initlab::study::claim_spec;
using initlab::study::context;

constexpr double input_variance = 1.0;     // q0 = E[x²] of the inputs
constexpr double gradient_variance = 1.0;  // g = Var[∂L/∂y] of the output gradient seed
constexpr std::size_t batch = 16;          // inputs per network (one trial = one network)
constexpr double preserved_ratio = 1.0;    // "preserves the variance": output/input ratio is 1

/// One layer shape (D, D̂) with its constexpr analytic values.
template <std::size_t D, std::size_t Dhat>
struct xavier_case {
  using init = initlab::xavier_normal;
  using net = initlab::network<initlab::dense<D, Dhat, init, initlab::identity>>;
  static constexpr std::size_t fan_in = D;
  static constexpr std::size_t fan_out = Dhat;
  /// σ_w² of one entry.
  static constexpr double weight_variance = init::variance(D, Dhat);
  /// Var[y]/E[x²].
  static constexpr double forward_ratio =
      initlab::forward_variances<net>(input_variance)[0] / input_variance;
  /// Var[∂L/∂x]/Var[∂L/∂y].
  static constexpr double backward_ratio =
      initlab::backward_variances<net>(gradient_variance)[0] / gradient_variance;

  // The derivation's facts: the closed forms 2D/(D+D̂) and 2D̂/(D+D̂), the ratios sum to 2 (the
  // compromise), and the variance law the sampler draws from is the one the initializer states.
  static constexpr double width_sum = static_cast<double>(D) + static_cast<double>(Dhat);
  static_assert(initlab::within_rel(weight_variance, 2.0 / width_sum, 1e-15));
  static_assert(initlab::within_rel(forward_ratio, 2.0 * static_cast<double>(D) / width_sum,
                                    1e-15));
  static_assert(initlab::within_rel(backward_ratio, 2.0 * static_cast<double>(Dhat) / width_sum,
                                    1e-15));
  static_assert(initlab::within_rel(forward_ratio + backward_ratio, 2.0, 1e-15));
  static_assert(initlab::within_rel(initlab::variance(net::template layer<0>::law()),
                                    weight_variance, 1e-15));
  // Equal widths preserve both directions; unequal widths preserve neither.
  static_assert((D == Dhat) == (forward_ratio == preserved_ratio));
  static_assert((D == Dhat) == (backward_ratio == preserved_ratio));
};

/// Per-trial values of one layer shape.
struct trial_values {
  double w2 = 0.0;   // mean of w² over W
  double x2 = 0.0;   // mean of x² over inputs and batch
  double y2 = 0.0;   // mean of y²
  double dy2 = 0.0;  // mean of (∂L/∂y)²
  double dx2 = 0.0;  // mean of (∂L/∂x)²
};

/// Mean of w² in index order.
double mean_square(std::span<const double> w) {
  double s = 0.0;
  for (double v : w)
    s += v * v;
  return s / static_cast<double>(w.size());
}

std::vector<double> column(const std::vector<trial_values>& t, double trial_values::*m) {
  std::vector<double> c;
  c.reserve(t.size());
  for (const auto& v : t)
    c.push_back(v.*m);
  return c;
}

std::string shape(std::size_t d, std::size_t dhat) {
  return std::to_string(d) + "_" + std::to_string(dhat);
}

/// Runs the trials of one layer shape (streams root.child(part).child(trial)) and adds its claims.
template <class Case>
void run_case(context& ctx, std::uint64_t part) {
  const initlab::stream base = ctx.root_stream().child(part);
  const auto specs = initlab::sampled_network::of<typename Case::net>();
  const initlab::trial_config config{.batch = batch,
                                     .input_variance = input_variance,
                                     .seed = initlab::gradient_seed::gaussian,
                                     .gradient_variance = gradient_variance};
  const std::vector<trial_values> t = ctx.trials(ctx.replications(), [&](std::size_t trial) {
    initlab::sampled_network net(specs);
    const initlab::trial_statistics s = initlab::run_trial(net, config, base.child(trial));
    return trial_values{mean_square(net.weights(0)), s.mean_x2, s.layers[0].mean_y2,
                        s.layers[0].mean_dy2, s.layers[0].mean_dx2};
  });
  const std::string tag = shape(Case::fan_in, Case::fan_out);
  const std::string dims =
      "D = " + std::to_string(Case::fan_in) + ", D̂ = " + std::to_string(Case::fan_out);
  ctx.claim({.id = "weight_variance_" + tag,
             .statement = "xavier_normal draws W with E[w²] = 2/(D+D̂) (" + dims + ")",
             .formula = "σ_w² = 2/(D+D̂)",
             .analytic = Case::weight_variance,
             .max_rel_half_width = 0.01},
            column(t, &trial_values::w2));
  ctx.ratio_claim({.id = "forward_ratio_" + tag,
                   .statement = "Var[y]/E[x²] = D·σ_w² = 2D/(D+D̂) (" + dims + ")",
                   .formula = "2D/(D+D̂)",
                   .analytic = Case::forward_ratio,
                   .max_rel_half_width = 0.01},
                  column(t, &trial_values::y2), column(t, &trial_values::x2));
  ctx.ratio_claim({.id = "backward_ratio_" + tag,
                   .statement = "Var[∂L/∂x]/Var[∂L/∂y] = D̂·σ_w² = 2D̂/(D+D̂) (" + dims + ")",
                   .formula = "2D̂/(D+D̂)",
                   .analytic = Case::backward_ratio,
                   .max_rel_half_width = 0.01},
                  column(t, &trial_values::dx2), column(t, &trial_values::dy2));
  if constexpr (Case::fan_in != Case::fan_out) {
    ctx.ratio_claim(
        {.id = "forward_preserved_" + tag,
         .statement = "wrong for D ≠ D̂: Xavier keeps the forward variance (ratio 1); it gives "
                      "2D/(D+D̂) (" +
                      dims + ")",
         .formula = "Var[y]/E[x²] = 1 (wrong; 2D/(D+D̂) is right)",
         .analytic = preserved_ratio,
         .expected = initlab::verdict::refuted},
        column(t, &trial_values::y2), column(t, &trial_values::x2));
    ctx.ratio_claim(
        {.id = "backward_preserved_" + tag,
         .statement = "wrong for D ≠ D̂: Xavier keeps the gradient variance (ratio 1); it gives "
                      "2D̂/(D+D̂) (" +
                      dims + ")",
         .formula = "Var[∂L/∂x]/Var[∂L/∂y] = 1 (wrong; 2D̂/(D+D̂) is right)",
         .analytic = preserved_ratio,
         .expected = initlab::verdict::refuted},
        column(t, &trial_values::dx2), column(t, &trial_values::dy2));
  }
}

using case_a = xavier_case<64, 256>;   // widening: forward shrinks, backward grows
using case_b = xavier_case<256, 64>;   // narrowing: the mirror image
using case_c = xavier_case<96, 160>;   // mildly unequal: ratios 0.75 and 1.25
using case_d = xavier_case<128, 128>;  // equal widths: both preserved

static_assert(case_a::forward_ratio < preserved_ratio && case_a::backward_ratio > preserved_ratio);
static_assert(case_b::forward_ratio > preserved_ratio && case_b::backward_ratio < preserved_ratio);
static_assert(case_a::forward_ratio == case_b::backward_ratio);
static_assert(initlab::preserves_forward_variance<case_d::net>(0.0) &&
              case_d::forward_ratio == preserved_ratio &&
              case_d::backward_ratio == preserved_ratio);

}  // namespace

int main(int argc, char** argv) {
  return initlab::study::run(
      argc, argv,
      {.id = "06",
       .slug = "xavier_normal",
       .title = "Xavier normal 2/(D+D̂): forward ratio 2D/(D+D̂), backward ratio 2D̂/(D+D̂)",
       .source = "seed text 001; Glorot & Bengio 2010 eq. 12; THEORY.md §1-2",
       .default_replications = 1000,
       .quick_replications = 40},
      [](context& ctx) {
        ctx.setting("layer_shapes_D_Dhat",
                    std::vector<std::vector<std::size_t>>{{case_a::fan_in, case_a::fan_out},
                                                          {case_b::fan_in, case_b::fan_out},
                                                          {case_c::fan_in, case_c::fan_out},
                                                          {case_d::fan_in, case_d::fan_out}});
        ctx.setting("activation", std::string("identity"));
        ctx.setting("initializer", std::string(initlab::xavier_normal::name));
        ctx.setting("batch", batch);
        ctx.setting("input_variance", input_variance);
        ctx.setting("gradient_variance", gradient_variance);
        run_case<case_a>(ctx, 0);
        run_case<case_b>(ctx, 1);
        run_case<case_c>(ctx, 2);
        run_case<case_d>(ctx, 3);
      });
}
