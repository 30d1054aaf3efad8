/// Study 02 — small random weights (σ = 0.01) shrink the signal by D·σ² per layer.
///
/// Checks seed text 000 (THEORY.md §2: "small random values (e.g. σ = 0.01) shrink the signal by
/// D·σ² per layer, so deep layers barely update") with THEORY.md §1 (He et al. 2015 eq. 7–14):
/// per layer D·σ²·E_q[φ²]/q forward and D̂·σ²·E_q[φ'²] backward, i.e. 0.0256 (linear), half that
/// (ReLU), ≈ 0.0256 (tanh: 5% off at layer 1 → 2; constexpr quadrature values, finite-width bias
/// < 1e-4); E[(∂L/∂W_1)²] = q0·Var[∂L/∂y_1]/B shrinks like (D·σ²)^(L−1).
/// Networks: {linear, tanh, ReLU} × L ∈ {2, 4, 8} layers of width 256, B = 16 inputs x ~ N(0, 1),
/// real back-propagation of mean_b ½‖h_N − t‖², t ~ N(0, 1); 400 independent trials (fresh
/// network, inputs, targets), ratios of means (delta method; 1% per layer, 5% deep); cross terms
/// between batch samples (< 7e-4) are far below the intervals.
/// Measured values: results/02_small_random_vanishing.json.
#include <array>
#include <initlab/initlab.hpp>
#include <numeric>

#include "network_trials.hpp"

namespace {

using namespace initlab;
using namespace initlab::study;

constexpr std::size_t width = 256, batch = 16, deep = 8;  // D = D̂; B per network; L of the stack
constexpr double sigma = 0.01;                            // the seed text's "small random values"
constexpr double input_variance = 1.0, target_variance = 1.0;  // q0, σ_t²
constexpr std::array<std::size_t, 3> depths{2, 4, deep};       // depths of the gradient claims
constexpr trial_config config{.batch = batch,
                              .input_variance = input_variance,
                              .seed = gradient_seed::squared_error,
                              .target_variance = target_variance};
/// D·σ², the per-layer factor; L layers of width 256: L − 1 hidden with φ = Act, identity output.
using small_init = random_normal<sigma>;
constexpr double layer_factor = static_cast<double>(width) * small_init::variance(width, width);
template <class Act, std::size_t L>
using stack = network<repeat<L - 1, dense<width, width, small_init, Act>>,
                      dense<width, width, small_init, identity>>;

/// The analytic profile of stack<Act, L> (constexpr core), Var[∂L/∂y_N] = σ_t² + E[h_N²] (t
/// independent of h_N), and E[(∂L/∂W_1)²] = E[((1/B) Σ_b ∂ℓ_b/∂y_1 x_b)²] = q0·Var[∂L/∂y_1]/B.
template <class Act, std::size_t L>
struct prediction {
  static constexpr double output_gradient =
      target_variance + activation_second_moments<stack<Act, L>>(input_variance)[L - 1];
  static constexpr auto profile = initlab::profile<stack<Act, L>>(input_variance, output_gradient);
  static constexpr const auto &forward = profile.forward, &backward = profile.backward;
  static constexpr double first_weight_gradient =
      input_variance * profile.backward_pre_activation[0] / static_cast<double>(batch);
};

// Per-layer factors of L = 8: D·σ² (linear), D·σ²/2 (ReLU), about D·σ² (tanh, 5% off at layer
// 1 → 2); the first-layer gradient vanishes with depth.
template <class Act>
constexpr bool ratios_within(double factor, double rel_tol) {
  using p = prediction<Act, deep>;
  for (std::size_t l = 0; l + 1 < deep; ++l)
    if (!within_rel(p::forward[l + 1] / p::forward[l], factor, rel_tol) ||
        !within_rel(p::backward[l] / p::backward[l + 1], factor, rel_tol))
      return false;
  return true;
}
static_assert(ratios_within<identity>(layer_factor, 1e-14) &&
              ratios_within<relu>(layer_factor / 2.0, 1e-14) &&
              ratios_within<initlab::tanh>(layer_factor, 0.06) &&
              !ratios_within<initlab::tanh>(layer_factor, 0.04) &&
              prediction<identity, deep>::first_weight_gradient <
                  1e-9 * prediction<identity, 2>::first_weight_gradient);

/// One activation's trials: L = 8 statistics; per L = 2, 4, 8 E[(∂L/∂W_1)²] and its analytic value.
struct activation_trials {
  std::vector<trial_statistics> deep;
  std::array<std::vector<double>, depths.size()> grad_w1;
  std::array<double, depths.size()> grad_w1_analytic;
};

/// The trials of stack<Act, depths[d]>, trial t on root.child(a).child(t).child(d).
template <class Act, std::size_t d>
void run_stack(context& ctx, std::uint64_t a, activation_trials& out) {
  const stream base = ctx.root_stream().child(a);
  const auto trials = network_trials_with<stack<Act, depths[d]>>(
      ctx, ctx.replications(), [&](std::size_t t) { return base.child(t).child(d); },
      [](sampled_network& net, const stream& s) {
        trial_statistics stats = run_trial(net, config, s);
        net.compute_weight_gradients();
        const auto w = net.weight_gradients(0);
        const double sum_sq = std::inner_product(w.begin(), w.end(), w.begin(), 0.0);
        return std::pair{std::move(stats), sum_sq / static_cast<double>(w.size())};
      });
  out.grad_w1[d] = column(trials, [](const auto& trial) { return trial.second; });
  out.grad_w1_analytic[d] = prediction<Act, depths[d]>::first_weight_gradient;
  if constexpr (depths[d] == deep)
    for (const auto& trial : trials)
      out.deep.push_back(trial.first);
}

/// Runs the three stacks of one activation; states the per-layer and end-to-end claims of L = 8.
template <class Act>
activation_trials activation_claims(context& ctx, std::uint64_t a, const std::string& name) {
  activation_trials out;
  run_stack<Act, 0>(ctx, a, out);
  run_stack<Act, 1>(ctx, a, out);
  run_stack<Act, 2>(ctx, a, out);
  using p8 = prediction<Act, deep>;
  constexpr bool is_relu = std::is_same_v<Act, relu>, is_tanh = std::is_same_v<Act, initlab::tanh>;
  const auto& t = out.deep;
  // Per-layer ratio targets: 1% where the layer's input is isotropic across the batch; 5% (deep)
  // behind the first ReLU layer: its inputs are correlated (ReLU cosine map), ~10% noise a trial.
  constexpr double deep_layer_target = is_relu ? deep_precision : single_layer_precision;
  const char* forward_factor =
      is_relu   ? "D sigma^2 / 2"
      : is_tanh ? "D sigma^2 E_q[tanh^2]/q (constexpr quadrature; infinite-width value, the O(q/D) "
                  "finite-width bias < 1e-4 is below the interval)"
                : "D sigma^2";
  const char* backward_factor = is_relu   ? "D-hat sigma^2 / 2"
                                : is_tanh ? "D-hat sigma^2 E_q[sech^4]"
                                          : "D-hat sigma^2";
  forward_claim(
      ctx, t, 0,
      holds(name + "_forward_ratio_1",
            name + ", L = 8, width 256, sigma = 0.01: Var[y_1]/E[x^2] = D sigma^2 (the "
                   "input is not activated)",
            "Var[y_1]/q0 = D sigma^2", p8::forward[0] / input_variance, single_layer_precision));
  for (std::size_t l = 1; l < deep; ++l)
    ctx.ratio_claim(holds(name + "_forward_ratio_" + std::to_string(l + 1),
                          name + ", L = 8: Var[y_" + std::to_string(l + 1) + "]/Var[y_" +
                              std::to_string(l) + "] = " + forward_factor,
                          "Var[y_{l+1}]/Var[y_l] = D sigma^2 E_q[phi^2]/q",
                          p8::forward[l] / p8::forward[l - 1], deep_layer_target),
                    forward_moment(t, l), forward_moment(t, l - 1));
  backward_claim(ctx, t, deep - 1,
                 holds(name + "_backward_ratio_" + std::to_string(deep),
                       name + ", L = 8: Var[dL/dx_8]/Var[dL/dy_8] = D-hat sigma^2 (real "
                              "back-propagation through the same weights)",
                       "Var[dL/dx_N]/Var[dL/dy_N] = D-hat sigma^2",
                       p8::backward[deep - 1] / p8::output_gradient, single_layer_precision));
  for (std::size_t l = deep - 1; l-- > 0;)
    ctx.ratio_claim(holds(name + "_backward_ratio_" + std::to_string(l + 1),
                          name + ", L = 8: Var[dL/dx_" + std::to_string(l + 1) + "]/Var[dL/dx_" +
                              std::to_string(l + 2) + "] = " + backward_factor,
                          "Var[dL/dx_l]/Var[dL/dx_{l+1}] = D-hat sigma^2 E_q[phi'^2]",
                          p8::backward[l] / p8::backward[l + 1], deep_layer_target),
                    input_gradient_moment(t, l), input_gradient_moment(t, l + 1));
  // Not Var[y_8] of ReLU: its correlated batch gives ~25% noise a trial (5% needs ~500 trials).
  if constexpr (!is_relu)
    ctx.claim(
        holds(name + "_forward_variance_8",
              name + ", L = 8: Var[y_8] = q0 times the product of the 8 forward factors "
                     "(about (D sigma^2)^8 q0)",
              "Var[y_8] = forward_variances<net>(q0)[7]", p8::forward[deep - 1], deep_precision),
        forward_moment(t, deep - 1));
  ctx.claim(holds(name + "_backward_variance_1",
                  name + ", L = 8: Var[dL/dx_1] = Var[dL/dy_8] times the product of the 8 "
                         "backward factors",
                  "Var[dL/dx_1] = backward_variances<net>(g, q0)[0], g = sigma_t^2 + E[h_8^2]",
                  p8::backward[0], deep_precision),
            input_gradient_moment(t, 0));
  return out;
}

void body(context& ctx) {
  ctx.setting("width", width);
  ctx.setting("sigma", sigma);
  ctx.setting("batch", batch);
  ctx.setting("input_variance", input_variance);
  ctx.setting("target_variance", target_variance);
  ctx.setting("depths", std::vector<std::size_t>(depths.begin(), depths.end()));
  const auto names = ctx.setting("activations", std::vector<std::string>{"linear", "tanh", "relu"});
  const std::array<activation_trials, 3> all{activation_claims<identity>(ctx, 0, names[0]),
                                             activation_claims<initlab::tanh>(ctx, 1, names[1]),
                                             activation_claims<relu>(ctx, 2, names[2])};
  for (std::size_t a = 0; a < all.size(); ++a)
    for (std::size_t d = 0; d < depths.size(); ++d)
      ctx.claim(
          holds(names[a] + "_first_layer_gradient_L" + std::to_string(depths[d]),
                names[a] + ", L = " + std::to_string(depths[d]) +
                    ": the mean square of the first-layer weight gradient is q0 "
                    "Var[dL/dy_1]/B, shrinking with depth as the product of the per-layer "
                    "backward factors",
                "E[(dL/dW_1)^2] = q0 Var[dL/dy_1] / B", all[a].grad_w1_analytic[d], deep_precision),
          all[a].grad_w1[d]);
  // Expected refuted, each by a large factor.
  ctx.ratio_claim(wrong("relu_forward_ratio_without_half",
                        "(wrong) ReLU layers shrink Var[y] by D sigma^2 like linear ones; ReLU "
                        "keeps only half of E[y^2] (He eq. 10), so the factor is D sigma^2/2",
                        "Var[y_2]/Var[y_1] = D sigma^2 (wrong for ReLU)", layer_factor),
                  forward_moment(all[2].deep, 1), forward_moment(all[2].deep, 0));
  ctx.ratio_claim(wrong("linear_variance_preserved",
                        "(wrong) sigma = 0.01 is harmless: Var[y_{l+1}] = Var[y_l]; in fact it "
                        "shrinks by D sigma^2 = 0.0256 per layer",
                        "Var[y_2]/Var[y_1] = 1 (wrong)", 1.0),
                  forward_moment(all[0].deep, 1), forward_moment(all[0].deep, 0));
  ctx.claim(wrong("linear_first_layer_gradient_depth_independent",
                  "(wrong) the first-layer gradient of an L = 8 stack is as large as that of an "
                  "L = 2 stack; it is (D sigma^2)^6 times smaller",
                  "E[(dL/dW_1)^2] at L = 8 = its L = 2 value (wrong)",
                  prediction<identity, depths[0]>::first_weight_gradient),
            all[0].grad_w1.back());
}

}  // namespace

int main(int argc, char** argv) {
  return run(argc, argv,
             {"02", "small_random_vanishing",
              "Small random init (sigma = 0.01) shrinks variances by D sigma^2 per layer",
              "seed text 000 (THEORY.md section 2); He et al. 2015 eq. 7-14", 400, 8},
             body);
}
