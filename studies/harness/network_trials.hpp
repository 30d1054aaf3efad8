#pragma once
/// What the network studies share: the precision targets of DESIGN.md §4, independent trials
/// of a compile-time network through the engine, and per-trial columns for claims.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initlab/network.hpp>
#include <initlab/trial.hpp>
#include <span>
#include <type_traits>
#include <utility>
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

/// Runs `measure(net, stream_of(t))` for t in [0, n) on fresh copies of `Net`'s sampled network
/// (`measure` samples it: `net.sample(s)` or `run_trial(net, config, s)`), in fixed chunks that
/// reuse one copy (buffers never change a result); results in trial order, independent of the
/// thread count.
template <network_type Net, class StreamOf, class Measure>
[[nodiscard]] auto network_trials_with(context& ctx, std::size_t n, StreamOf stream_of,
                                       Measure measure) {
  using result = std::invoke_result_t<Measure&, sampled_network&, const stream&>;
  const sampled_network prototype = sampled_network::of<Net>();
  const std::size_t chunks = (n + simulate_chunk - 1) / simulate_chunk;
  const auto parts = ctx.trials(chunks, [&](std::size_t c) {
    sampled_network net(prototype);
    std::vector<result> part;
    for (std::size_t t = c * simulate_chunk; t < n && t < (c + 1) * simulate_chunk; ++t) {
      detail::interruption_point();  // a signal stops the run within one trial, not one chunk
      part.push_back(measure(net, stream_of(t)));
    }
    return part;
  });
  std::vector<result> all;
  all.reserve(n);
  for (const auto& p : parts)
    all.insert(all.end(), p.begin(), p.end());
  return all;
}

/// Runs `n` independent trials of the network `Net`, trial t on stream
/// `ctx.root_stream().child(part).child(t)`: fresh parameters, one forward pass on a batch of
/// inputs and back-propagation as `config` says (`run_trial`).
template <network_type Net>
[[nodiscard]] std::vector<trial_statistics> network_trials(context& ctx, std::uint64_t part,
                                                           const trial_config& config,
                                                           std::size_t n) {
  const stream base = ctx.root_stream().child(part);
  return network_trials_with<Net>(
      ctx, n, [&](std::size_t t) { return base.child(t); },
      [&](sampled_network& net, const stream& s) { return run_trial(net, config, s); });
}

/// Trials that also keep, per trial, the mean of w² and of w⁴ over the first layer's weights
/// (trial_statistics keeps no weights).
struct weighted_trials {
  std::vector<trial_statistics> stats;
  std::vector<double> w2, w4;  ///< per trial: mean w², mean w⁴ over W_1
};

/// `network_trials` on the streams `base.child(t)`, with the first layer's weight moments.
template <network_type Net>
[[nodiscard]] weighted_trials network_trials_with_weights(context& ctx, const stream& base,
                                                          const trial_config& config,
                                                          std::size_t n) {
  struct one {
    trial_statistics stats;
    double w2 = 0.0, w4 = 0.0;
  };
  auto trials = network_trials_with<Net>(
      ctx, n, [&](std::size_t t) { return base.child(t); },
      [&](sampled_network& net, const stream& s) {
        one v{.stats = run_trial(net, config, s)};
        const std::span<const double> w = net.weights(0);
        for (double x : w) {
          v.w2 += x * x;
          v.w4 += (x * x) * (x * x);
        }
        v.w2 /= static_cast<double>(w.size());
        v.w4 /= static_cast<double>(w.size());
        return v;
      });
  weighted_trials out;
  for (one& v : trials) {
    out.stats.push_back(std::move(v.stats));
    out.w2.push_back(v.w2);
    out.w4.push_back(v.w4);
  }
  return out;
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
/// Per-trial mean of h_l² = φ(y_l)², the activation's output at layer l.
[[nodiscard]] inline std::vector<double> activation_moment(const std::vector<trial_statistics>& t,
                                                           std::size_t l) {
  return column(t, [l](const trial_statistics& s) { return s.layers.at(l).mean_h2; });
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

/// Per-trial Var[y_l]/E[x²]: layer l's forward second moment relative to the input.
[[nodiscard]] inline std::vector<double> forward_relative(const std::vector<trial_statistics>& t,
                                                          std::size_t l) {
  return column(t, [l](const trial_statistics& s) { return s.layers.at(l).mean_y2 / s.mean_x2; });
}
/// Per-trial Var[∂L/∂x_l]/Var[∂L/∂y_N]: the gradient at layer l relative to the output seed.
[[nodiscard]] inline std::vector<double> backward_relative(const std::vector<trial_statistics>& t,
                                                           std::size_t l) {
  return column(t, [l](const trial_statistics& s) {
    return s.layers.at(l).mean_dx2 / s.layers.back().mean_dy2;
  });
}
/// Per-trial forward gain of layer l: Var[y_l]/Var[y_{l−1}] (over E[x²] for l = 0).
[[nodiscard]] inline std::vector<double> forward_gain(const std::vector<trial_statistics>& t,
                                                      std::size_t l) {
  return column(t, [l](const trial_statistics& s) {
    return l == 0 ? s.layers[0].mean_y2 / s.mean_x2
                  : s.layers.at(l).mean_y2 / s.layers[l - 1].mean_y2;
  });
}
/// Per-trial backward gain of layer l: Var[∂L/∂x_l]/Var[∂L/∂x_{l+1}] (over the seed at the top).
[[nodiscard]] inline std::vector<double> backward_gain(const std::vector<trial_statistics>& t,
                                                       std::size_t l) {
  return column(t, [l](const trial_statistics& s) {
    return l + 1 == s.layers.size() ? s.layers.at(l).mean_dx2 / s.layers[l].mean_dy2
                                    : s.layers.at(l).mean_dx2 / s.layers[l + 1].mean_dx2;
  });
}

/// Ratio claim mean(Var[y_l]) / mean(E[x²]) over the trials: the forward profile at layer l.
inline void forward_claim(context& ctx, const std::vector<trial_statistics>& t, std::size_t l,
                          claim_spec spec) {
  ctx.ratio_claim(std::move(spec), forward_moment(t, l), input_second_moment(t));
}
/// Ratio claim mean(Var[∂L/∂x_l]) / mean(Var[∂L/∂y_N]): the backward profile at layer l.
inline void backward_claim(context& ctx, const std::vector<trial_statistics>& t, std::size_t l,
                           claim_spec spec) {
  ctx.ratio_claim(std::move(spec), input_gradient_moment(t, l), output_gradient_moment(t));
}

}  // namespace initlab::study
