#pragma once
/// What the network studies share: the precision targets of DESIGN.md §4, independent trials
/// of a compile-time network through the engine, and per-trial columns for claims.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initlab/trial.hpp>
#include <vector>

#include "study.hpp"

namespace initlab::study {

/// DESIGN.md §4: half-width of a confirmed single-layer claim ≤ 1% of |analytic| at default
/// settings.
inline constexpr double single_layer_precision = 0.01;
/// DESIGN.md §4: the same for deep-network claims, ≤ 5%.
inline constexpr double deep_precision = 0.05;

/// Batches of `batch` inputs i.i.d. N(0, q0), back-propagating an i.i.d. N(0, g) ∂L/∂y_N
/// (Var[∂L/∂y_N] = g, independent of the network): the setting of THEORY.md §1.
[[nodiscard]] inline trial_config gaussian_backprop(std::size_t batch, double q0, double g) {
  return {.batch = batch,
          .input_variance = q0,
          .seed = gradient_seed::gaussian,
          .gradient_variance = g};
}

/// Runs `n` independent trials of the dense network `Net`, trial t on stream
/// `ctx.root_stream().child(part).child(t)`: fresh weights, one forward pass on a batch of inputs
/// and back-propagation as `config` says. Results in trial order, independent of the threads.
template <class Net>
[[nodiscard]] std::vector<trial_statistics> network_trials(context& ctx, std::uint64_t part,
                                                           const trial_config& config,
                                                           std::size_t n) {
  const sampled_network specs = sampled_network::of<Net>();
  const stream base = ctx.root_stream().child(part);
  return ctx.trials(n, [&](std::size_t t) {
    sampled_network net(specs);
    return run_trial(net, config, base.child(t));
  });
}

/// One value per trial: `f(trial)` (a callable or a pointer to a data member), in trial order.
template <class Trial, class F>
[[nodiscard]] std::vector<double> column(const std::vector<Trial>& trials, F f) {
  std::vector<double> c;
  c.reserve(trials.size());
  for (const Trial& t : trials)
    c.push_back(std::invoke(f, t));
  return c;
}

/// Per-trial mean of x² over the input units and the batch.
[[nodiscard]] inline std::vector<double> input_second_moment(
    const std::vector<trial_statistics>& t) {
  return column(t, &trial_statistics::mean_x2);
}
/// Per-trial mean of y_l² (layer l, 0-based): estimates Var[y_l].
[[nodiscard]] inline std::vector<double> forward_moment(const std::vector<trial_statistics>& t,
                                                        std::size_t l) {
  return column(t, [l](const trial_statistics& s) { return s.layers.at(l).mean_y2; });
}
/// Per-trial mean of (∂L/∂x_l)²: estimates Var[∂L/∂x_l].
[[nodiscard]] inline std::vector<double> input_gradient_moment(
    const std::vector<trial_statistics>& t, std::size_t l) {
  return column(t, [l](const trial_statistics& s) { return s.layers.at(l).mean_dx2; });
}
/// Per-trial mean of (∂L/∂y_N)² at the last layer: the seeded output gradient's Var[∂L/∂y_N].
[[nodiscard]] inline std::vector<double> output_gradient_moment(
    const std::vector<trial_statistics>& t) {
  return column(t, [](const trial_statistics& s) { return s.layers.back().mean_dy2; });
}
/// Per-trial mean of (∂L/∂y_l)²: estimates Var[∂L/∂y_l].
[[nodiscard]] inline std::vector<double> output_gradient_moment(
    const std::vector<trial_statistics>& t, std::size_t l) {
  return column(t, [l](const trial_statistics& s) { return s.layers.at(l).mean_dy2; });
}

}  // namespace initlab::study
