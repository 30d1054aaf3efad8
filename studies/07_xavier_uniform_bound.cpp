/// Study 07: the Xavier uniform bound. U[±√(6/(D+D̂))] has variance 2/(D+D̂); the bound printed in
/// seed text 001, √6/(D+D̂), does not (its variance is 2/(D+D̂)², too small by a factor D+D̂).
///
/// Derivation checked (seed text 001; Glorot & Bengio 2010 eq. 16; THEORY.md §4): U[−a, a] has
/// variance a²/3 and fourth moment a⁴/5, so a = √(6/(D+D̂)) gives the Xavier variance 2/(D+D̂)
/// (PyTorch `xavier_uniform_`, Keras `GlorotUniform`), and with it the forward ratio
/// Var[y]/E[x²] = 2D/(D+D̂) and backward ratio Var[∂L/∂x]/Var[∂L/∂y] = 2D̂/(D+D̂) of study 06.
/// The printed a = √6/(D+D̂) gives a²/3 = 2/(D+D̂)², and the forward ratio 2D/(D+D̂)².
///
/// Design: three single dense layers (identity activation, no bias), (D, D̂) = (64, 256),
/// (256, 64) and (128, 128). For each, two samplers: the library's `xavier_uniform` (correct
/// bound) and `random_uniform<√6/(D+D̂)>` (the printed bound). A trial samples a fresh W, a batch
/// of B = 16 inputs x ~ N(0, 1) and an output gradient ∂L/∂y ~ N(0, 1), and runs real forward
/// and backward passes (engine `run_trial`). Per trial: mean w² and mean w⁴ over the entries of
/// W, and the ratios mean(y²)/mean(x²), mean((∂L/∂x)²)/mean((∂L/∂y)²) (ratios of per-trial means
/// over trials, delta method). Analytic values from the constexpr core (`xavier_uniform::bound`,
/// `::variance`, `random_uniform::variance`, `forward_variances`, `backward_variances`); the
/// fourth moment is bound⁴/5 from the core's bound (the core has no fourth-moment function).
///
/// Why the intervals are honest: trials (fresh W, inputs, gradients) are the unit of replication;
/// the linear recursion and the uniform moments are exact at any width, so a confirmed claim has
/// no bias to hide. Pilot: per-trial relative spread ≤ 1% for the weight moments (D·D̂ ≥ 16384
/// entries) and ≤ 2.5% for the ratios, so 1000 trials give half-widths ≤ 0.6% (target ≤ 1%).
/// The claims that the printed bound gives 2/(D+D̂) (its variance, or the forward/backward ratio
/// Xavier promises) are expected refuted: they are wrong by the factor D+D̂ ≥ 256.
///
/// Measured (default settings, 1000 trials, seed 1): the correct bound is confirmed for all three
/// shapes (variance, a⁴/5, forward and backward ratios; half-widths 0.08–0.54%), e.g. E[w²] =
/// 0.0062507 vs 2/320 = 0.00625. The printed bound's variance is 1.9532e-05 vs 2/320² = 1.9531e-05
/// (confirmed) and 0.0031× the claimed 2/(D+D̂) (refuted, as expected; 0.0039× for (128, 128)).
#include <cstddef>
#include <cstdint>
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

/// One layer shape (D, D̂): the correct and the printed uniform bound, with analytic values.
template <std::size_t D, std::size_t Dhat>
struct bound_case {
  static constexpr std::size_t fan_in = D;
  static constexpr std::size_t fan_out = Dhat;
  static constexpr double width_sum = static_cast<double>(D) + static_cast<double>(Dhat);

  using correct_init = initlab::xavier_uniform;
  /// The bound as printed in seed text 001: √6/(D+D̂) (the square root misplaced).
  static constexpr double printed_bound = initlab::math::sqrt(6.0) / width_sum;
  using printed_init = initlab::random_uniform<printed_bound>;

  using correct_net = initlab::network<initlab::dense<D, Dhat, correct_init, initlab::identity>>;
  using printed_net = initlab::network<initlab::dense<D, Dhat, printed_init, initlab::identity>>;

  static constexpr double correct_bound = correct_init::bound(D, Dhat);
  static constexpr double correct_variance = correct_init::variance(D, Dhat);
  /// E[w⁴] of U[−a, a] = a⁴/5 (THEORY.md §4).
  static constexpr double correct_fourth_moment =
      correct_bound * correct_bound * correct_bound * correct_bound / 5.0;
  static constexpr double correct_forward =
      initlab::forward_variances<correct_net>(input_variance)[0] / input_variance;
  static constexpr double correct_backward =
      initlab::backward_variances<correct_net>(gradient_variance)[0] / gradient_variance;

  static constexpr double printed_variance = printed_init::variance(D, Dhat);
  static constexpr double printed_forward =
      initlab::forward_variances<printed_net>(input_variance)[0] / input_variance;
  static constexpr double printed_backward =
      initlab::backward_variances<printed_net>(gradient_variance)[0] / gradient_variance;

  // The derivation's facts. Correct bound: a = √(6/(D+D̂)), a²/3 = 2/(D+D̂), and the sampler's
  // law has that variance.
  static_assert(initlab::within_rel(correct_bound, initlab::math::sqrt(6.0 / width_sum), 1e-15));
  static_assert(initlab::within_rel(correct_bound * correct_bound / 3.0, correct_variance, 1e-15));
  static_assert(initlab::within_rel(correct_variance, 2.0 / width_sum, 1e-15));
  static_assert(initlab::within_rel(initlab::variance(correct_net::template layer<0>::law()),
                                    correct_variance, 1e-15));
  static_assert(initlab::within_rel(correct_forward, 2.0 * static_cast<double>(D) / width_sum,
                                    1e-15));
  static_assert(initlab::within_rel(correct_backward, 2.0 * static_cast<double>(Dhat) / width_sum,
                                    1e-15));
  // Printed bound: variance 2/(D+D̂)², i.e. the Xavier variance divided by D+D̂.
  static_assert(initlab::within_rel(printed_variance, 2.0 / (width_sum * width_sum), 1e-15));
  static_assert(initlab::within_rel(printed_variance * width_sum, correct_variance, 1e-15));
  static_assert(initlab::within_rel(printed_forward * width_sum, correct_forward, 1e-15));
  static_assert(initlab::within_rel(printed_backward * width_sum, correct_backward, 1e-15));
};

/// Per-trial values of one sampled layer.
struct trial_values {
  double w2 = 0.0;   // mean of w² over W
  double w4 = 0.0;   // mean of w⁴ over W
  double x2 = 0.0;   // mean of x²
  double y2 = 0.0;   // mean of y²
  double dy2 = 0.0;  // mean of (∂L/∂y)²
  double dx2 = 0.0;  // mean of (∂L/∂x)²
};

std::vector<double> column(const std::vector<trial_values>& t, double trial_values::*m) {
  std::vector<double> c;
  c.reserve(t.size());
  for (const auto& v : t)
    c.push_back(v.*m);
  return c;
}

/// Trials of one network; trial t uses stream base.child(t).
template <class Net>
std::vector<trial_values> measure(context& ctx, const initlab::stream& base) {
  const auto specs = initlab::sampled_network::of<Net>();
  const initlab::trial_config config{.batch = batch,
                                     .input_variance = input_variance,
                                     .seed = initlab::gradient_seed::gaussian,
                                     .gradient_variance = gradient_variance};
  return ctx.trials(ctx.replications(), [&](std::size_t trial) {
    initlab::sampled_network net(specs);
    const initlab::trial_statistics s = initlab::run_trial(net, config, base.child(trial));
    trial_values v{.x2 = s.mean_x2,
                   .y2 = s.layers[0].mean_y2,
                   .dy2 = s.layers[0].mean_dy2,
                   .dx2 = s.layers[0].mean_dx2};
    double s2 = 0.0;
    double s4 = 0.0;
    const std::span<const double> w = net.weights(0);
    for (double x : w) {
      const double x2 = x * x;
      s2 += x2;
      s4 += x2 * x2;
    }
    v.w2 = s2 / static_cast<double>(w.size());
    v.w4 = s4 / static_cast<double>(w.size());
    return v;
  });
}

/// Runs one layer shape: stream root.child(part).child(0 correct / 1 printed).child(trial).
template <class Case>
void run_case(context& ctx, std::uint64_t part) {
  const initlab::stream base = ctx.root_stream().child(part);
  const std::vector<trial_values> c = measure<typename Case::correct_net>(ctx, base.child(0));
  const std::vector<trial_values> p = measure<typename Case::printed_net>(ctx, base.child(1));
  const std::string tag = std::to_string(Case::fan_in) + "_" + std::to_string(Case::fan_out);
  const std::string dims =
      " (D = " + std::to_string(Case::fan_in) + ", D̂ = " + std::to_string(Case::fan_out) + ")";
  using initlab::verdict;

  ctx.claim({.id = "correct_bound_variance_" + tag,
             .statement = "U[±√(6/(D+D̂))] (xavier_uniform) has variance 2/(D+D̂)" + dims,
             .formula = "a²/3 = 2/(D+D̂), a = √(6/(D+D̂))",
             .analytic = Case::correct_variance,
             .max_rel_half_width = 0.01},
            column(c, &trial_values::w2));
  ctx.claim({.id = "correct_bound_fourth_moment_" + tag,
             .statement = "U[±√(6/(D+D̂))] has fourth moment a⁴/5" + dims,
             .formula = "E[w⁴] = a⁴/5 = 36/(5(D+D̂)²)",
             .analytic = Case::correct_fourth_moment,
             .max_rel_half_width = 0.01},
            column(c, &trial_values::w4));
  ctx.ratio_claim({.id = "correct_bound_forward_ratio_" + tag,
                   .statement = "with U[±√(6/(D+D̂))], Var[y]/E[x²] = 2D/(D+D̂)" + dims,
                   .formula = "D·2/(D+D̂)",
                   .analytic = Case::correct_forward,
                   .max_rel_half_width = 0.01},
                  column(c, &trial_values::y2), column(c, &trial_values::x2));
  ctx.ratio_claim({.id = "correct_bound_backward_ratio_" + tag,
                   .statement = "with U[±√(6/(D+D̂))], Var[∂L/∂x]/Var[∂L/∂y] = 2D̂/(D+D̂)" + dims,
                   .formula = "D̂·2/(D+D̂)",
                   .analytic = Case::correct_backward,
                   .max_rel_half_width = 0.01},
                  column(c, &trial_values::dx2), column(c, &trial_values::dy2));

  ctx.claim({.id = "printed_bound_gives_xavier_variance_" + tag,
             .statement = "wrong: the printed bound U[±√6/(D+D̂)] has the Xavier variance "
                          "2/(D+D̂); its variance is 2/(D+D̂)²" +
                          dims,
             .formula = "(√6/(D+D̂))²/3 = 2/(D+D̂) (wrong)",
             .analytic = Case::correct_variance,
             .expected = verdict::refuted},
            column(p, &trial_values::w2));
  ctx.claim({.id = "printed_bound_variance_" + tag,
             .statement = "the printed bound U[±√6/(D+D̂)] has variance 2/(D+D̂)², a factor D+D̂ "
                          "below Xavier's" +
                          dims,
             .formula = "(√6/(D+D̂))²/3 = 2/(D+D̂)²",
             .analytic = Case::printed_variance,
             .max_rel_half_width = 0.01},
            column(p, &trial_values::w2));
  ctx.ratio_claim({.id = "printed_bound_gives_xavier_forward_" + tag,
                   .statement = "wrong: with the printed bound, Var[y]/E[x²] = 2D/(D+D̂) as Xavier "
                                "promises; it is 2D/(D+D̂)²" +
                                dims,
                   .formula = "D·(√6/(D+D̂))²/3 = 2D/(D+D̂) (wrong)",
                   .analytic = Case::correct_forward,
                   .expected = verdict::refuted},
                  column(p, &trial_values::y2), column(p, &trial_values::x2));
  ctx.ratio_claim({.id = "printed_bound_forward_ratio_" + tag,
                   .statement = "with the printed bound, Var[y]/E[x²] = 2D/(D+D̂)²" + dims,
                   .formula = "D·2/(D+D̂)²",
                   .analytic = Case::printed_forward,
                   .max_rel_half_width = 0.01},
                  column(p, &trial_values::y2), column(p, &trial_values::x2));
  ctx.ratio_claim({.id = "printed_bound_backward_ratio_" + tag,
                   .statement = "with the printed bound, Var[∂L/∂x]/Var[∂L/∂y] = 2D̂/(D+D̂)²" + dims,
                   .formula = "D̂·2/(D+D̂)²",
                   .analytic = Case::printed_backward,
                   .max_rel_half_width = 0.01},
                  column(p, &trial_values::dx2), column(p, &trial_values::dy2));
}

using case_a = bound_case<64, 256>;
using case_b = bound_case<256, 64>;
using case_c = bound_case<128, 128>;

}  // namespace

int main(int argc, char** argv) {
  return initlab::study::run(
      argc, argv,
      {.id = "07",
       .slug = "xavier_uniform_bound",
       .title =
           "Xavier uniform: U[±√(6/(D+D̂))] has variance 2/(D+D̂); the printed √6/(D+D̂) does not",
       .source = "seed text 001 (printed bound); Glorot & Bengio 2010 eq. 16; THEORY.md §4",
       .default_replications = 1000,
       .quick_replications = 40},
      [](context& ctx) {
        ctx.setting("layer_shapes_D_Dhat",
                    std::vector<std::vector<std::size_t>>{{case_a::fan_in, case_a::fan_out},
                                                          {case_b::fan_in, case_b::fan_out},
                                                          {case_c::fan_in, case_c::fan_out}});
        ctx.setting("activation", std::string("identity"));
        ctx.setting("correct_initializer", std::string(initlab::xavier_uniform::name));
        ctx.setting("printed_initializer",
                    std::string(case_a::printed_init::name) + "<sqrt(6)/(D+D̂)>");
        ctx.setting("batch", batch);
        ctx.setting("input_variance", input_variance);
        ctx.setting("gradient_variance", gradient_variance);
        run_case<case_a>(ctx, 0);
        run_case<case_b>(ctx, 1);
        run_case<case_c>(ctx, 2);
      });
}
