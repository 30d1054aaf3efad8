/// Study 01 — zero / constant initialization keeps hidden units identical; random init does not.
///
/// Checks seed text 000 (THEORY.md §2: "all-zero (or any constant) weights make every hidden unit
/// receive the same gradient, so they stay identical"), exactly, for bias-free networks with
/// identity output and L = mean_b ½‖h_N − t‖² (∂L/∂W_l = mean_b ∂ℓ_b/∂y_l·h_{l−1}ᵀ): zeros with
/// φ(0) = 0 (tanh, ReLU) give zero gradients; zero-init sigmoid (φ(0) = ½) has ∂L/∂W_N =
/// −φ(0)·mean_b(t)·1ᵀ, reaches layer l at step N − l + 1 and, like a constant c ≠ 0, keeps the
/// units of a layer identical; LeCun-normal units differ from the start. Networks: 16 → 32 → 32 →
/// 64 (tanh/ReLU/sigmoid hidden), B = 16, x, t ~ N(0, 1), K = 4 SGD steps (lr 0.1); 4000 trials,
/// each a fresh network, inputs, targets. Deterministic facts are `exact` claims on per-trial
/// v_t ≥ 0 (max |gradient| or |unit difference|; equal units give equal bits): confirmed iff all
/// v_t = 0, ONE non-zero trial refutes. Means (1% targets): sigmoid's output gradient, W_1's
/// spread. Measured values: results/01_zero_init_symmetry.json.
#include <algorithm>
#include <cmath>
#include <initlab/initlab.hpp>
#include <numeric>

#include "network_trials.hpp"

namespace {

using namespace initlab;
using namespace initlab::study;

constexpr std::size_t d_in = 16, d_hidden = 32, d_out = 64;  // d_out sets the output precision
constexpr std::size_t batch = 16, steps = 4;                 // B inputs, K SGD steps per network
constexpr double learning_rate = 0.1, target_variance = 1.0, input_variance = 1.0;  // σ_t², q0
constexpr double constant_value = 0.05;                                             // c
template <class Init, class Act>
using net3 = network<dense<d_in, d_hidden, Init, Act>, dense<d_hidden, d_hidden, Init, Act>,
                     dense<d_hidden, d_out, Init, identity>>;
using const_init = constant<constant_value>;
constexpr std::size_t depth = net3<zeros, relu>::depth;  // N = 3
// Analytic values (constexpr core): an all-zero W; φ(0) (0 for tanh and ReLU, φ'(0) = 1 and 0; ½
// for sigmoid); E[(∂L/∂W_N)²] of zero-init sigmoid at step 1; a constant init's unit spread (0).
constexpr double zero_weight = zeros::law(d_in, d_hidden).scale;
constexpr double tanh_rest = initlab::tanh::value(zero_weight),
                 relu_rest = relu::value(zero_weight), sigmoid_rest = sigmoid::value(zero_weight);
constexpr double sigmoid_output_gradient_ms =
    sigmoid_rest * sigmoid_rest * target_variance / static_cast<double>(batch);
constexpr double constant_spread = const_init::variance(d_in, d_hidden);
constexpr double random_first_layer_variance = lecun_normal::variance(d_in, d_hidden);
static_assert(steps >= depth && zero_weight == 0.0 && zeros::variance(d_in, d_hidden) == 0.0 &&
              tanh_rest == 0.0 && initlab::tanh::derivative(0.0) == 1.0 && relu_rest == 0.0 &&
              relu::derivative(0.0) == 0.0 && sigmoid_rest == 0.5 && constant_spread == 0.0 &&
              !const_init::zero_mean && random_first_layer_variance == 1.0 / d_in);

/// How far the hidden units are from identical in the weights (or their gradients): the max of
/// |row i − row 0| of W_l into a hidden layer and of |column k − column 0| of W_l out of one.
double asymmetry(sampled_network& net, bool gradients) {
  double m = 0.0;
  for (std::size_t l = 0; l < depth; ++l) {
    const std::span<const double> w = gradients ? net.weight_gradients(l) : net.weights(l);
    const std::size_t cols = net.shape_at(l).size();
    for (std::size_t e = 0; e < w.size(); ++e) {  // entry e = (row e / cols, column e % cols)
      if (l + 1 < depth) m = std::max(m, std::abs(w[e] - w[e % cols]));
      if (l > 0) m = std::max(m, std::abs(w[e] - w[e - e % cols]));
    }
  }
  return m;
}

/// What one network yields over K SGD steps; max |∂L/∂W_l| is over entries, layers 1-based.
struct run_record {
  double max_gradient = 0.0, front_gradient = 0.0;    ///< over all (l, step); over step ≤ N − l
  double first_w1 = 0.0, last_w1 = 0.0;               ///< max |∂L/∂W_1| at step 1 and at step K
  double output_gradient_ms = 0.0;                    ///< mean of (∂L/∂W_N)² at step 1
  double max_asymmetry = 0.0, final_asymmetry = 0.0;  ///< weights and gradients, all steps; at K
  double initial_unit_variance = 0.0;                 ///< across-unit variance of W_1 at init
};

/// Trains a fresh Net per trial (on root.child(part).child(t)) by K full-batch SGD steps.
template <class Net>
std::vector<run_record> train_trials(context& ctx, std::uint64_t part) {
  const stream base = ctx.root_stream().child(part);
  return network_trials_with<Net>(
      ctx, ctx.replications(), [&](std::size_t t) { return base.child(t); },
      [](sampled_network& net, const stream& s) {
        net.sample(s);
        const auto x = draw_inputs(net, batch, input_variance, s);
        const auto t = draw_targets(net, batch, target_variance, s);
        run_record r{.max_asymmetry = asymmetry(net, false)};
        const auto w = net.weights(0);  // unbiased variance across units of each column of W_1
        for (std::size_t k = 0; k < d_in; ++k) {
          double sum = 0.0, ss = 0.0;
          for (std::size_t j = 0; j < d_hidden; ++j)
            sum += w[j * d_in + k];
          const double mean = sum / static_cast<double>(d_hidden);
          for (std::size_t j = 0; j < d_hidden; ++j)
            ss += (w[j * d_in + k] - mean) * (w[j * d_in + k] - mean);
          r.initial_unit_variance += ss / static_cast<double>(d_hidden - 1);
        }
        r.initial_unit_variance /= static_cast<double>(d_in);
        for (std::size_t step = 0; step < steps; ++step) {
          net.forward(x, batch);
          (void)net.backward_squared_error(t);
          net.compute_weight_gradients();
          for (std::size_t l = 0; l < depth; ++l) {
            double m = 0.0;
            for (const double v : net.weight_gradients(l))
              m = std::max(m, std::abs(v));
            r.max_gradient = std::max(r.max_gradient, m);
            if (step + 1 + l < depth) r.front_gradient = std::max(r.front_gradient, m);
            if (l == 0) (step == 0 ? r.first_w1 : r.last_w1) = m;  // last_w1: at step K in the end
          }
          const auto top = net.weight_gradients(depth - 1);
          if (step == 0)
            r.output_gradient_ms = std::inner_product(top.begin(), top.end(), top.begin(), 0.0) /
                                   static_cast<double>(top.size());
          r.max_asymmetry = std::max(r.max_asymmetry, asymmetry(net, true));
          net.sgd_step(learning_rate);
          r.max_asymmetry = std::max(r.max_asymmetry, asymmetry(net, false));
        }
        r.final_asymmetry = asymmetry(net, false);
        return r;
      });
}

void body(context& ctx) {
  ctx.setting("widths", std::vector<std::size_t>{d_in, d_hidden, d_hidden, d_out});
  ctx.setting("batch", batch);
  ctx.setting("sgd_steps", steps);
  ctx.setting("learning_rate", learning_rate);
  ctx.setting("input_variance", input_variance);
  ctx.setting("target_variance", target_variance);
  ctx.setting("constant_value", constant_value);
  ctx.setting("random_init", std::string(lecun_normal::name));
  const auto zero_tanh = train_trials<net3<zeros, initlab::tanh>>(ctx, 0);
  const auto zero_relu = train_trials<net3<zeros, relu>>(ctx, 1);
  const auto zero_sigmoid = train_trials<net3<zeros, sigmoid>>(ctx, 2);
  const auto const_tanh = train_trials<net3<const_init, initlab::tanh>>(ctx, 3);
  const auto const_relu = train_trials<net3<const_init, relu>>(ctx, 4);
  const auto random_tanh = train_trials<net3<lecun_normal, initlab::tanh>>(ctx, 5);
  constexpr statistic exact = statistic::exact;  // v_t = 0 in every trial (see the header)
  const std::string symmetric = "max_j |W_l[j,:] - W_l[0,:]|, |W_{l+1}[:,j] - W_{l+1}[:,0]| = 0";
  ctx.claim(holds("zero_tanh_no_gradient",
                  "All-zero weights with tanh (phi(0) = 0): every weight gradient, of every layer "
                  "including the output, is exactly 0 at each of the K SGD steps (per trial: max "
                  "|dL/dW_l| over layers and steps)",
                  "dL/dW_l = mean_b dy_l h_{l-1}^T, h_{l-1} = phi(0) = 0 (l >= 2); dy_1 = phi'(0) "
                  "W_2^T dy_2 = 0",
                  tanh_rest, 0.0, exact),
            column(zero_tanh, &run_record::max_gradient));
  ctx.claim(holds("zero_relu_no_gradient",
                  "All-zero weights with ReLU (phi(0) = 0, phi'(0) = 0): every weight gradient is "
                  "exactly 0 at each of the K SGD steps, the same as tanh (phi'(0) does not matter "
                  "when all W are 0)",
                  "as for tanh: h_l = phi(0) = 0 and W_{l+1} = 0", relu_rest, 0.0, exact),
            column(zero_relu, &run_record::max_gradient));
  ctx.claim(
      holds("zero_sigmoid_gradient_front",
            "All-zero weights with sigmoid (phi(0) = 1/2): the gradient of layer l is "
            "exactly 0 at SGD steps 1..N-l (it needs W_{l+1}..W_N non-zero first); per "
            "trial: max |dL/dW_l| over those (layer, step) pairs",
            "dy_{l} = phi'(y_l) W_{l+1}^T dy_{l+1} = 0 while W_{l+1} = 0", zero_weight, 0.0, exact),
      column(zero_sigmoid, &run_record::front_gradient));
  ctx.claim(holds("zero_sigmoid_output_gradient",
                  "All-zero weights with sigmoid: the output layer sees h = phi(0) = 1/2 and gets "
                  "dL/dW_N = -phi(0) mean_b(t) 1^T at step 1, whose mean square over entries is "
                  "phi(0)^2 sigma_t^2 / B",
                  "E[(dL/dW_N)^2] = phi(0)^2 sigma_t^2 / B", sigmoid_output_gradient_ms,
                  single_layer_precision),
            column(zero_sigmoid, &run_record::output_gradient_ms));
  ctx.claim(wrong("zero_sigmoid_never_learns_first_layer",
                  "(wrong) zero-init sigmoid never trains its first layer; in fact dL/dW_1 is "
                  "non-zero from step N (here 3) on; per trial: max |dL/dW_1| at the last step K "
                  "= 4",
                  "dL/dW_1 = 0 at step K >= N (wrong)", zero_weight, exact),
            column(zero_sigmoid, &run_record::last_w1));
  ctx.claim(holds("zero_sigmoid_units_identical",
                  "All-zero weights with sigmoid: the hidden units of each layer stay exactly "
                  "identical (equal incoming rows, equal outgoing columns of W and of dL/dW) "
                  "through K SGD steps",
                  symmetric, zeros::variance(d_in, d_hidden), 0.0, exact),
            column(zero_sigmoid, &run_record::max_asymmetry));
  ctx.claim(holds("constant_tanh_units_identical",
                  "Constant weights c = 0.05 with tanh: the hidden units of each layer receive "
                  "identical gradients and stay exactly identical through K SGD steps",
                  symmetric, constant_spread, 0.0, exact),
            column(const_tanh, &run_record::max_asymmetry));
  ctx.claim(holds("constant_relu_units_identical",
                  "Constant weights c = 0.05 with ReLU: the hidden units stay exactly identical "
                  "through K SGD steps",
                  symmetric, constant_spread, 0.0, exact),
            column(const_relu, &run_record::max_asymmetry));
  ctx.claim(wrong("constant_tanh_no_gradient",
                  "(wrong) constant init c != 0 gives no gradient like zero init; in fact dL/dW_1 "
                  "is non-zero (only identical across units); per trial: max |dL/dW_1| at step 1",
                  "dL/dW_1 = 0 (wrong for c != 0)", constant_spread, exact),
            column(const_tanh, &run_record::first_w1));
  ctx.claim(wrong("random_units_stay_identical",
                  "(wrong for random init) LeCun-normal tanh units are identical after K SGD "
                  "steps; per trial: max |difference| between units",
                  "max_j |W_l[j,:] - W_l[0,:]| = 0 (wrong)", constant_spread, exact),
            column(random_tanh, &run_record::final_asymmetry));
  ctx.claim(holds("random_first_layer_unit_variance",
                  "Random init breaks the symmetry from the start: the variance across the hidden "
                  "units of a first-layer weight column is the initializer's sigma^2 = 1/D (LeCun "
                  "normal)",
                  "E[s^2 across units of W_1[:,k]] = sigma^2 = 1/D", random_first_layer_variance,
                  single_layer_precision),
            column(random_tanh, &run_record::initial_unit_variance));
}

}  // namespace

int main(int argc, char** argv) {
  return run(
      argc, argv,
      {"01", "zero_init_symmetry",
       "Zero/constant init keeps hidden units identical under SGD; random init does not",
       "seed text 000 (THEORY.md section 2): constant weights give identical gradients", 4000, 24},
      body);
}
