#pragma once
/// One Monte Carlo trial of a sampled network (fresh parameters, fresh inputs, a forward pass and
/// the back-propagation a study asks for), and many of them in parallel with results that do not
/// depend on the thread count.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/detail/kernels.hpp>
#include <initlab/engine.hpp>
#include <initlab/parallel.hpp>
#include <initlab/random.hpp>
#include <initlab/sampler.hpp>
#include <span>
#include <stdexcept>
#include <vector>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// How a trial seeds back-propagation.
enum class gradient_seed : std::uint8_t {
  none,           ///< forward pass only
  gaussian,       ///< ∂L/∂y_N i.i.d. N(0, g), independent of the network: Var[∂L/∂y_N] = g
  squared_error,  ///< L = mean over the batch of ½‖out_N − t‖², targets t i.i.d.
                  ///< N(0, target_variance)
};

/// Settings of one trial (`run_trial`, `simulate`).
struct trial_config {
  std::size_t batch = 1;                         ///< B: inputs per network (independent)
  double input_variance = 1.0;                   ///< q0: inputs i.i.d. N(0, q0)
  gradient_seed seed = gradient_seed::gaussian;  ///< how ∂L/∂y_N is produced
  double gradient_variance = 1.0;                ///< g for `gradient_seed::gaussian`
  double target_variance = 1.0;  ///< variance of the targets for `gradient_seed::squared_error`
};

/// Statistics of one trial: one value per quantity, so a study turns each trial into one sample.
struct trial_statistics {
  double mean_x2 = 0.0;               ///< mean of x² over the input features and the batch
  double loss = 0.0;                  ///< L for `gradient_seed::squared_error`, else 0
  std::vector<layer_moments> layers;  ///< index l = layer l (0-based)
};

/// A trial's inputs: input_width() × batch values i.i.d. N(0, q0) from
/// `s.child(stream_key::inputs)` (what `run_trial` feeds the network).
[[nodiscard]] inline std::vector<double> draw_inputs(const sampled_network& net, std::size_t batch,
                                                     double q0, const stream& s) {
  std::vector<double> x(net.input_width() * batch);
  fill_normal(s.child(stream_key::inputs), std::span<double>(x), 0.0, std::sqrt(q0));
  return x;
}

/// A trial's squared-error targets: output_width() × batch values i.i.d. N(0, variance) from
/// `s.child(stream_key::targets)`.
[[nodiscard]] inline std::vector<double> draw_targets(const sampled_network& net,
                                                      std::size_t batch, double variance,
                                                      const stream& s) {
  std::vector<double> t(net.output_width() * batch);
  fill_normal(s.child(stream_key::targets), std::span<double>(t), 0.0, std::sqrt(variance));
  return t;
}

/// One trial on `net`: parameters from `s` (`sampled_network::sample`), inputs x i.i.d.
/// N(0, q0) from `s.child(stream_key::inputs)`, a forward pass, then the backward pass that
/// `config.seed` asks for; returns the statistics of every layer. Depends only on (net's layers,
/// config, s).
[[nodiscard]] inline trial_statistics run_trial(sampled_network& net, const trial_config& config,
                                                const stream& s) {
  if (config.batch == 0) throw std::invalid_argument("initlab::run_trial: batch must be >= 1");
  if (!(config.input_variance >= 0.0) || !(config.gradient_variance >= 0.0) ||
      !(config.target_variance >= 0.0))
    throw std::invalid_argument("initlab::run_trial: variances must be >= 0");
  net.sample(s);
  std::vector<double> buf = draw_inputs(net, config.batch, config.input_variance, s);
  net.forward(buf, config.batch);

  trial_statistics out;
  const std::span<const double> x = net.input();
  out.mean_x2 = detail::sum_squares(x.data(), x.size()) / static_cast<double>(x.size());
  buf.resize(net.output_width() * config.batch);
  switch (config.seed) {
    case gradient_seed::none:
      break;
    case gradient_seed::gaussian:
      fill_normal(s.child(stream_key::gradient), std::span<double>(buf), 0.0,
                  std::sqrt(config.gradient_variance));
      net.backward(buf);
      break;
    case gradient_seed::squared_error:
      out.loss =
          net.backward_squared_error(draw_targets(net, config.batch, config.target_variance, s));
      break;
  }
  out.layers.resize(net.depth());
  for (std::size_t l = 0; l < net.depth(); ++l)
    out.layers[l] = net.moments(l);
  return out;
}

/// Trials per work chunk in `simulate`: a fixed number, so chunking never depends on threads
/// (and results never depend on chunking: each trial owns its stream).
inline constexpr std::size_t simulate_chunk = 8;

/// Runs `trials` independent trials of `net` (trial t on stream `base.child(t)`) on `threads`
/// threads, in fixed chunks with one copy of the network per chunk; results in trial order,
/// identical for any thread count. `progress(done)` as in `run_trials`.
template <class Progress = detail::no_progress>
[[nodiscard]] std::vector<trial_statistics> simulate(const sampled_network& net,
                                                     const trial_config& config,
                                                     std::size_t trials, std::size_t threads,
                                                     const stream& base, Progress&& progress = {}) {
  const std::size_t chunks = (trials + simulate_chunk - 1) / simulate_chunk;
  std::vector<std::vector<trial_statistics>> parts = run_trials(
      chunks, threads,
      [&](std::size_t c) {
        sampled_network copy(net);
        std::vector<trial_statistics> part;
        const std::size_t first = c * simulate_chunk;
        const std::size_t last = first + simulate_chunk < trials ? first + simulate_chunk : trials;
        part.reserve(last - first);
        for (std::size_t t = first; t < last; ++t)
          part.push_back(run_trial(copy, config, base.child(t)));
        return part;
      },
      [&](std::size_t done) { progress(done * simulate_chunk < trials ? done * simulate_chunk : trials); });
  std::vector<trial_statistics> all;
  all.reserve(trials);
  for (auto& part : parts)
    for (auto& t : part)
      all.push_back(std::move(t));
  return all;
}

}  // namespace initlab

INITLAB_FP_STRICT_END
