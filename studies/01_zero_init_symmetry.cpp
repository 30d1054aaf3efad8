/// Study 01 — zero / constant initialization keeps hidden units identical; random init does not.
///
/// Checks seed text 000 (THEORY.md §2): "all-zero (or any constant) weights make every hidden unit
/// receive the same gradient, so they stay identical". Worked out exactly for the networks below
/// (no biases, THEORY.md §1; identity output; L = mean over the batch of ½‖h_N − t‖²):
///   ∂L/∂W_l = (1/B) Σ_b ∂ℓ_b/∂y_l · h_{l−1}ᵀ,   ∂ℓ/∂y_{l−1} = φ'(y_{l−1}) ⊙ W_lᵀ ∂ℓ/∂y_l.
/// * All-zero weights, φ(0) = 0 (tanh, ReLU): every y_l = 0 and every hidden h_l = φ(0) = 0, so
///   ∂L/∂W_l = 0 for l ≥ 2 (it is proportional to h_{l−1}) — the OUTPUT layer included — and
///   ∂L/∂W_1 = 0 because ∂ℓ/∂y_1 ∝ W_2ᵀ = 0. Every weight gradient is exactly zero, SGD never
///   moves: the network sits at a stationary point. φ'(0) plays no role here (tanh φ'(0) = 1 and
///   ReLU φ'(0) = 0 behave the same); it would matter only if a layer above were non-zero.
/// * All-zero weights, φ(0) ≠ 0 (sigmoid, φ(0) = ½): the output layer sees h_{N−1} = φ(0)·1, so
///   ∂L/∂W_N = −φ(0)·mean_b(t)·1ᵀ ≠ 0 with E[(∂L/∂W_N)²] = φ(0)²·σ_t²/B exactly (h_N = 0); the
///   gradient reaches layer l only at SGD step N − l + 1 (it is exactly zero before), and every
///   update keeps the units of a hidden layer identical (equal rows of W_l, equal columns of
///   W_{l+1}).
/// * Constant weights c ≠ 0 (tanh, ReLU): gradients are non-zero but identical across the units of
///   each hidden layer, so the units stay identical under SGD (the symmetry is never broken).
/// * Random weights (LeCun normal): the units differ from the start — the across-unit variance of
///   the first-layer weights is the initializer's σ² = 1/D — and stay different under SGD.
///
/// Design: 16 → 32 → 32 → 64 (tanh/ReLU/sigmoid hidden layers, identity output), batch B = 16 of
/// inputs x ~ N(0, 1), targets t ~ N(0, 1), K = 4 full-batch SGD steps (lr 0.1) per network, every
/// trial a fresh network, inputs and targets. Deterministic facts (exact zeros, exact equality of
/// units; the kernels sum every output in the same order, so equal units give equal bits) are
/// "exact" claims: per trial v_t ≥ 0 is a maximum |gradient| or |difference between units|, and
/// the claim is v_t = 0 in every trial. It must be refuted as soon as ONE trial is non-zero (a
/// mean could not do that: one non-zero x among n trials gives x/n ± t·x/n, which contains 0), so
/// exact claims use the harness's `exact` statistic: the reported range is [min_t v_t, max_t v_t]
/// and the claim is confirmed iff that range is [0, 0]. Statistical claims: the output gradient of
/// zero-init sigmoid (1% target) and the across-unit variance of W_1 (1%). Exact claims expected to
/// be refuted (every trial is strictly positive, so the interval's lower end is far above 0 even
/// with --quick): "constant init gives no gradient", "zero-init sigmoid never trains its first
/// layer", "random units stay identical".
///
/// Measured (seed 1, 4000 trials): all seven exact claims hold in every trial (interval [0, 0]);
/// E[(∂L/∂W_N)²] = 0.015679 ± 0.93% vs φ(0)²σ_t²/B = 0.015625; across-unit Var[W_1] = 0.062540
/// ± 0.34% vs 1/16; the three wrong claims are refuted (every trial strictly positive).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initlab/initlab.hpp>
#include <span>
#include <utility>
#include <vector>

#include "study.hpp"

namespace {

constexpr std::size_t d_in = 16;      // D_0: input width
constexpr std::size_t d_hidden = 32;  // width of both hidden layers
constexpr std::size_t d_out = 64;     // output width (sets the precision of the output claim)
constexpr std::size_t batch = 16;     // B: inputs per network
constexpr std::size_t steps = 4;      // K: SGD steps per network
constexpr double learning_rate = 0.1;
constexpr double target_variance = 1.0;  // σ_t²
constexpr double input_variance = 1.0;   // q0
constexpr double constant_value = 0.05;  // c of constant<c>

template <class Init, class Act>
using net3 = initlab::network<initlab::dense<d_in, d_hidden, Init, Act>,
                              initlab::dense<d_hidden, d_hidden, Init, Act>,
                              initlab::dense<d_hidden, d_out, Init, initlab::identity>>;

using const_init = initlab::constant<constant_value>;
using zero_tanh = net3<initlab::zeros, initlab::tanh>;
using zero_relu = net3<initlab::zeros, initlab::relu>;
using zero_sigmoid = net3<initlab::zeros, initlab::sigmoid>;
using const_tanh = net3<const_init, initlab::tanh>;
using const_relu = net3<const_init, initlab::relu>;
using random_tanh = net3<initlab::lecun_normal, initlab::tanh>;
constexpr std::size_t depth = zero_tanh::depth;  // N = 3
static_assert(steps >= depth, "the first layer of zero-init sigmoid must get its gradient");

// ----- analytic values, all from the constexpr core
/// Every entry of an all-zero W: the law's value.
constexpr double zero_weight = initlab::zeros::law(d_in, d_hidden).scale;
static_assert(zero_weight == 0.0 && initlab::zeros::variance(d_in, d_hidden) == 0.0);
/// φ(0): the hidden activation of every unit when all weights are zero.
constexpr double tanh_rest = initlab::tanh::value(zero_weight);
constexpr double relu_rest = initlab::relu::value(zero_weight);
constexpr double sigmoid_rest = initlab::sigmoid::value(zero_weight);
static_assert(tanh_rest == 0.0 && initlab::tanh::derivative(0.0) == 1.0,
              "tanh: phi(0) = 0, phi'(0) = 1");
static_assert(relu_rest == 0.0 && initlab::relu::derivative(0.0) == 0.0,
              "ReLU: phi(0) = 0, phi'(0) = 0 by convention");
static_assert(sigmoid_rest == 0.5, "sigmoid: phi(0) = 1/2, so zero init still feeds the output");
/// E[(∂L/∂W_N)²] at step 1 of zero-init sigmoid: entries −φ(0)·mean_b t_i, variance σ_t²/B.
constexpr double sigmoid_output_gradient_ms =
    sigmoid_rest * sigmoid_rest * target_variance / static_cast<double>(batch);
/// Spread across units of a constant init: none (its variance is 0, and SGD keeps it 0).
constexpr double constant_spread = const_init::variance(d_in, d_hidden);
static_assert(constant_spread == 0.0 && !const_tanh::layer<0>::init_type::zero_mean);
/// σ² of LeCun normal for the first layer: 1/D_0.
constexpr double random_first_layer_variance = initlab::lecun_normal::variance(d_in, d_hidden);
static_assert(random_first_layer_variance == 1.0 / static_cast<double>(d_in));

/// max_k |v_k| (0 for an empty span).
double max_abs(std::span<const double> v) {
  double m = 0.0;
  for (double x : v)
    m = std::max(m, x < 0.0 ? -x : x);
  return m;
}

/// How far the units of hidden layer l (0-based, l < N−1) are from identical, as seen in the pair
/// (A_l, A_{l+1}) of row-major matrices (weights or their gradients): max over units j and
/// entries of |row j − row 0| of A_l (incoming) and |column j − column 0| of A_{l+1} (outgoing).
double asymmetry(std::span<const double> in, std::size_t fan_in, std::span<const double> out,
                 std::size_t fan_out_next, std::size_t units) {
  double m = 0.0;
  for (std::size_t j = 1; j < units; ++j)
    for (std::size_t k = 0; k < fan_in; ++k) {
      const double d = in[j * fan_in + k] - in[k];
      m = std::max(m, d < 0.0 ? -d : d);
    }
  for (std::size_t i = 0; i < fan_out_next; ++i)
    for (std::size_t j = 1; j < units; ++j) {
      const double d = out[i * units + j] - out[i * units];
      m = std::max(m, d < 0.0 ? -d : d);
    }
  return m;
}

/// Unbiased variance across the units (rows) of W_1, per input column, averaged over columns.
double across_unit_variance(std::span<const double> w, std::size_t units, std::size_t fan_in) {
  double total = 0.0;
  for (std::size_t k = 0; k < fan_in; ++k) {
    double sum = 0.0;
    for (std::size_t j = 0; j < units; ++j)
      sum += w[j * fan_in + k];
    const double mean = sum / static_cast<double>(units);
    double ss = 0.0;
    for (std::size_t j = 0; j < units; ++j) {
      const double d = w[j * fan_in + k] - mean;
      ss += d * d;
    }
    total += ss / static_cast<double>(units - 1);
  }
  return total / static_cast<double>(fan_in);
}

/// What one network of one trial yields, over K SGD steps.
struct run_record {
  /// max |∂L/∂W_l| at step s (1-based s = index + 1), layer l (0-based).
  double max_grad[steps][depth] = {};
  double mean_sq_output_grad_step1 = 0.0;  ///< mean of (∂L/∂W_N)² at step 1
  double max_asymmetry = 0.0;          ///< over steps and hidden layers, of weights and gradients
  double final_asymmetry = 0.0;        ///< of the weights after the K steps
  double initial_unit_variance = 0.0;  ///< across-unit variance of W_1 at init
};

/// Samples `net` (a `Net`, its buffers reused across trials: they never affect results) from `s`
/// (weights, inputs, targets by the engine's stream keys) and takes K full-batch SGD steps on the
/// squared-error loss, recording gradients and unit symmetry.
run_record train(initlab::sampled_network& net, const initlab::stream& s) {
  net.sample(s);
  std::vector<double> x(d_in * batch), t(d_out * batch);
  initlab::fill_normal(s.child(initlab::stream_key::inputs), x, 0.0, std::sqrt(input_variance));
  initlab::fill_normal(s.child(initlab::stream_key::targets), t, 0.0, std::sqrt(target_variance));
  run_record r;
  r.initial_unit_variance = across_unit_variance(net.weights(0), d_hidden, d_in);
  auto weight_asymmetry = [&] {
    double m = 0.0;
    for (std::size_t l = 0; l + 1 < depth; ++l)
      m = std::max(m, asymmetry(net.weights(l), net.shape_at(l).size(), net.weights(l + 1),
                                net.shape_at(l + 2).size(), net.shape_at(l + 1).size()));
    return m;
  };
  r.max_asymmetry = weight_asymmetry();
  for (std::size_t step = 0; step < steps; ++step) {
    net.forward(x, batch);
    (void)net.backward_squared_error(t);
    net.compute_weight_gradients();
    for (std::size_t l = 0; l < depth; ++l)
      r.max_grad[step][l] = max_abs(net.weight_gradients(l));
    for (std::size_t l = 0; l + 1 < depth; ++l)
      r.max_asymmetry =
          std::max(r.max_asymmetry, asymmetry(net.weight_gradients(l), net.shape_at(l).size(),
                                              net.weight_gradients(l + 1), net.shape_at(l + 2).size(),
                                              net.shape_at(l + 1).size()));
    if (step == 0) {
      const auto g = net.weight_gradients(depth - 1);
      double ss = 0.0;
      for (double v : g)
        ss += v * v;
      r.mean_sq_output_grad_step1 = ss / static_cast<double>(g.size());
    }
    net.sgd_step(learning_rate);
    r.max_asymmetry = std::max(r.max_asymmetry, weight_asymmetry());
  }
  r.final_asymmetry = weight_asymmetry();
  return r;
}

/// Parts of the study: one network type each, with its own sub-stream root.child(part).
/// Trials per chunk of work (see main).
constexpr std::size_t chunk = 16;

enum part : std::uint64_t {
  p_zero_tanh,
  p_zero_relu,
  p_zero_sigmoid,
  p_const_tanh,
  p_const_relu,
  p_random_tanh,
  part_count
};

}  // namespace

int main(int argc, char** argv) {
  return initlab::study::run(
      argc, argv,
      {.id = "01",
       .slug = "zero_init_symmetry",
       .title = "Zero/constant init keeps hidden units identical under SGD; random init does not",
       .source = "seed text 000 (THEORY.md section 2): constant weights give identical gradients",
       .default_replications = 4000,
       .quick_replications = 24},
      [](initlab::study::context& ctx) {
        ctx.setting("widths", std::vector<std::size_t>{d_in, d_hidden, d_hidden, d_out});
        ctx.setting("batch", batch);
        ctx.setting("sgd_steps", steps);
        ctx.setting("learning_rate", learning_rate);
        ctx.setting("input_variance", input_variance);
        ctx.setting("target_variance", target_variance);
        ctx.setting("constant_value", constant_value);
        ctx.setting("random_init", std::string(initlab::lecun_normal::name));
        const initlab::stream root = ctx.root_stream();

        struct trial_record {
          run_record r[part_count];
        };
        // Trials run in fixed chunks (never derived from the thread count) that reuse one network
        // per part; each trial owns its streams root.child(part).child(trial).
        const std::size_t n = ctx.replications();
        const auto chunks = ctx.trials((n + chunk - 1) / chunk, [&](std::size_t c) {
          std::vector<initlab::sampled_network> nets;
          nets.push_back(initlab::sampled_network::of<zero_tanh>());
          nets.push_back(initlab::sampled_network::of<zero_relu>());
          nets.push_back(initlab::sampled_network::of<zero_sigmoid>());
          nets.push_back(initlab::sampled_network::of<const_tanh>());
          nets.push_back(initlab::sampled_network::of<const_relu>());
          nets.push_back(initlab::sampled_network::of<random_tanh>());
          std::vector<trial_record> out;
          for (std::size_t trial = c * chunk; trial < n && trial < (c + 1) * chunk; ++trial) {
            trial_record t;
            for (std::uint64_t p = 0; p < part_count; ++p)
              t.r[p] = train(nets[p], root.child(p).child(trial));
            out.push_back(t);
          }
          return out;
        });
        std::vector<trial_record> rec;
        rec.reserve(n);
        for (const auto& part_records : chunks)
          rec.insert(rec.end(), part_records.begin(), part_records.end());
        auto column = [&](auto f) {
          std::vector<double> c;
          c.reserve(rec.size());
          for (const trial_record& t : rec)
            c.push_back(f(t));
          return c;
        };
        // max |∂L/∂W_l| over every layer and every step.
        auto all_gradients = [](const run_record& r) {
          double m = 0.0;
          for (const auto& step : r.max_grad)
            for (double g : step)
              m = std::max(m, g);
          return m;
        };

        // An exact claim (see the header): v_t = 0 in every trial.
        auto exact_claim = [&](initlab::study::claim_spec spec, std::vector<double> v) {
          spec.kind = initlab::study::statistic::exact;
          ctx.claim(std::move(spec), v);
        };

        exact_claim(
            {.id = "zero_tanh_no_gradient",
             .statement = "All-zero weights with tanh (phi(0) = 0): every weight gradient, "
                          "of every layer including the output, is exactly 0 at each of "
                          "the K SGD steps (per trial: max |dL/dW_l| over layers and steps)",
             .formula = "dL/dW_l = mean_b dy_l h_{l-1}^T, h_{l-1} = phi(0) = 0 (l >= 2); "
                        "dy_1 = phi'(0) W_2^T dy_2 = 0",
             .analytic = tanh_rest},
            column([&](const trial_record& t) { return all_gradients(t.r[p_zero_tanh]); }));
        exact_claim({.id = "zero_relu_no_gradient",
                     .statement = "All-zero weights with ReLU (phi(0) = 0, phi'(0) = 0): every "
                                  "weight gradient is exactly 0 at each of the K SGD steps, the "
                                  "same as tanh (phi'(0) does not matter when all W are 0)",
                     .formula = "as for tanh: h_l = phi(0) = 0 and W_{l+1} = 0",
                     .analytic = relu_rest},
                    column([&](const trial_record& t) { return all_gradients(t.r[p_zero_relu]); }));
        exact_claim(
            {.id = "zero_sigmoid_gradient_front",
             .statement = "All-zero weights with sigmoid (phi(0) = 1/2): the gradient of layer l "
                          "is exactly 0 at SGD steps 1..N-l (it needs W_{l+1}..W_N non-zero "
                          "first); per trial: max |dL/dW_l| over those (layer, step) pairs",
             .formula = "dy_{l} = phi'(y_l) W_{l+1}^T dy_{l+1} = 0 while W_{l+1} = 0",
             .analytic = zero_weight},
            column([&](const trial_record& t) {
              double m = 0.0;
              for (std::size_t l = 0; l < depth; ++l)            // 0-based layer l is THEORY's l+1
                for (std::size_t s = 0; s + 1 + l < depth; ++s)  // steps 1..N-(l+1)
                  m = std::max(m, t.r[p_zero_sigmoid].max_grad[s][l]);
              return m;
            }));
        ctx.claim({.id = "zero_sigmoid_output_gradient",
                   .statement = "All-zero weights with sigmoid: the output layer sees h = phi(0) "
                                "= 1/2 and gets dL/dW_N = -phi(0) mean_b(t) 1^T at step 1, whose "
                                "mean square over entries is phi(0)^2 sigma_t^2 / B",
                   .formula = "E[(dL/dW_N)^2] = phi(0)^2 sigma_t^2 / B",
                   .analytic = sigmoid_output_gradient_ms,
                   .max_rel_half_width = 0.01},
                  column([&](const trial_record& t) {
                    return t.r[p_zero_sigmoid].mean_sq_output_grad_step1;
                  }));
        exact_claim({.id = "zero_sigmoid_never_learns_first_layer",
                     .statement = "(wrong) zero-init sigmoid never trains its first layer; in fact "
                                  "dL/dW_1 is non-zero from step N (here 3) on; per trial: max "
                                  "|dL/dW_1| at the last step K = 4",
                     .formula = "dL/dW_1 = 0 at step K >= N (wrong)",
                     .analytic = zero_weight,
                     .expected = initlab::verdict::refuted},
                    column([&](const trial_record& t) {
                      return t.r[p_zero_sigmoid].max_grad[steps - 1][0];
                    }));
        exact_claim(
            {.id = "zero_sigmoid_units_identical",
             .statement = "All-zero weights with sigmoid: the hidden units of each layer "
                          "stay exactly identical (equal incoming rows, equal outgoing "
                          "columns of W and of dL/dW) through K SGD steps",
             .formula = "max_j |W_l[j,:] - W_l[0,:]|, |W_{l+1}[:,j] - W_{l+1}[:,0]| = 0",
             .analytic = initlab::zeros::variance(d_in, d_hidden)},
            column([&](const trial_record& t) { return t.r[p_zero_sigmoid].max_asymmetry; }));
        exact_claim({.id = "constant_tanh_units_identical",
                     .statement = "Constant weights c = 0.05 with tanh: the hidden units of each "
                                  "layer receive identical gradients and stay exactly identical "
                                  "through K SGD steps",
                     .formula = "max_j |W_l[j,:] - W_l[0,:]|, |W_{l+1}[:,j] - W_{l+1}[:,0]| = 0",
                     .analytic = constant_spread},
                    column([&](const trial_record& t) { return t.r[p_const_tanh].max_asymmetry; }));
        exact_claim({.id = "constant_relu_units_identical",
                     .statement = "Constant weights c = 0.05 with ReLU: the hidden units stay "
                                  "exactly identical through K SGD steps",
                     .formula = "max_j |W_l[j,:] - W_l[0,:]|, |W_{l+1}[:,j] - W_{l+1}[:,0]| = 0",
                     .analytic = constant_spread},
                    column([&](const trial_record& t) { return t.r[p_const_relu].max_asymmetry; }));
        exact_claim(
            {.id = "constant_tanh_no_gradient",
             .statement = "(wrong) constant init c != 0 gives no gradient like zero init; "
                          "in fact dL/dW_1 is non-zero (only identical across units); per "
                          "trial: max |dL/dW_1| at step 1",
             .formula = "dL/dW_1 = 0 (wrong for c != 0)",
             .analytic = constant_spread,
             .expected = initlab::verdict::refuted},
            column([&](const trial_record& t) { return t.r[p_const_tanh].max_grad[0][0]; }));
        exact_claim(
            {.id = "random_units_stay_identical",
             .statement = "(wrong for random init) LeCun-normal tanh units are identical "
                          "after K SGD steps; per trial: max |difference| between units",
             .formula = "max_j |W_l[j,:] - W_l[0,:]| = 0 (wrong)",
             .analytic = constant_spread,
             .expected = initlab::verdict::refuted},
            column([&](const trial_record& t) { return t.r[p_random_tanh].final_asymmetry; }));
        ctx.claim({.id = "random_first_layer_unit_variance",
                   .statement = "Random init breaks the symmetry from the start: the variance "
                                "across the hidden units of a first-layer weight column is the "
                                "initializer's sigma^2 = 1/D (LeCun normal)",
                   .formula = "E[s^2 across units of W_1[:,k]] = sigma^2 = 1/D",
                   .analytic = random_first_layer_variance,
                   .max_rel_half_width = 0.01},
                  column([&](const trial_record& t) {
                    return t.r[p_random_tanh].initial_unit_variance;
                  }));
      });
}
