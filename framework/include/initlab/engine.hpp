#pragma once
/// The Monte Carlo engine: a sampled instance of any network of layer kinds (layer.hpp), with
/// real forward passes, real back-propagation through the same weights, weight gradients, SGD
/// steps and per-layer statistics. The engine only composes the layers' run-time passes; every
/// formula and kernel belongs to a layer kind.
///
/// Conventions (THEORY.md §1): layer l (0-based) maps its input x_l to out_l (= h_l); a layer
/// with an activation inside (dense, conv2d) also exposes its pre-activation y_l. A batch is
/// stored feature-major with the batch innermost (layer.hpp `shape`).
///
/// Determinism: layer l draws its parameters from `s.child(stream_key::weights).child(l)` and
/// `s.child(stream_key::biases).child(l)`; every pass sums in a fixed order; so a trial's bits are
/// the same for any thread count, Debug or Release, on any x86-64 CPU.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/detail/kernels.hpp>
#include <initlab/layer.hpp>
#include <initlab/pass_ptr.hpp>
#include <initlab/random.hpp>
#include <initlab/sampler.hpp>
#include <initlab/serial.hpp>
#include <initlab/softmax_cross_entropy.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Sub-stream roles inside a trial's stream `s`: parameters of layer l come from
/// `s.child(stream_key::weights).child(l)`, and so on. Part of the reproducibility contract.
namespace stream_key {
inline constexpr std::uint64_t weights = 0;   ///< .child(l): weights of layer l
inline constexpr std::uint64_t biases = 1;    ///< .child(l): biases of layer l
inline constexpr std::uint64_t inputs = 2;    ///< x, feature-major
inline constexpr std::uint64_t gradient = 3;  ///< Gaussian ∂L/∂y_N, feature-major
inline constexpr std::uint64_t targets = 4;   ///< squared-error targets, feature-major
}  // namespace stream_key

/// Per-layer statistics of one forward (and backward) pass: means over units and the batch.
struct layer_moments {
  double mean_y = 0.0;    ///< mean of y_l (the output, for a layer without activation)
  double mean_y2 = 0.0;   ///< mean of y_l²   (estimates Var[y_l] for zero-mean weights)
  double mean_h = 0.0;    ///< mean of out_l
  double mean_h2 = 0.0;   ///< mean of out_l²
  double mean_dy2 = 0.0;  ///< mean of (∂L/∂y_l)²  (0 without a backward pass)
  double mean_dx2 = 0.0;  ///< mean of (∂L/∂x_l)²  (over the inputs of layer l)
};

/// A sampled network: its layers' passes with their parameters and the buffers of the last
/// batch. Copying clones every pass (one copy per worker thread).
class sampled_network {
 public:
  /// A network of run-time passes taking samples of shape `input`; checks every shape.
  sampled_network(shape input, std::vector<pass_ptr<layer_pass>> layers)
      : layers_(std::move(layers)) {
    if (layers_.empty()) throw std::invalid_argument("initlab::sampled_network: no layers");
    if (input.size() == 0) throw std::invalid_argument("initlab::sampled_network: empty input");
    shapes_.push_back(input);
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      if (!layers_[l]) throw std::invalid_argument("initlab::sampled_network: null layer");
      try {
        shapes_.push_back(layers_[l]->bind(shapes_.back()));
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("initlab::sampled_network: layer " + std::to_string(l) +
                                    ": " + e.what());
      }
    }
    out_.resize(layers_.size());
    dx_.resize(layers_.size());
  }

  /// The sampled form of a compile-time network (input shape: input_width units by default;
  /// give {channels, height, width} for a convolutional network).
  template <network_type Net>
  [[nodiscard]] static sampled_network of(shape input = {Net::input_width, 1, 1}) {
    return sampled_network(input, Net::make_passes());
  }

  sampled_network(const sampled_network& o)
      : shapes_(o.shapes_), out_(o.out_.size()), dx_(o.dx_.size()) {
    layers_.reserve(o.layers_.size());
    for (const auto& p : o.layers_)
      layers_.push_back(p->clone());
  }
  sampled_network(sampled_network&&) noexcept = default;
  sampled_network& operator=(const sampled_network&) = delete;
  sampled_network& operator=(sampled_network&&) noexcept = default;
  ~sampled_network() = default;

  /// Number of top-level layers N.
  [[nodiscard]] std::size_t depth() const noexcept { return layers_.size(); }
  /// Layer l's pass.
  [[nodiscard]] layer_pass& layer(std::size_t l) { return *layers_.at(l); }
  /// Shape entering layer l (l = depth(): the output shape).
  [[nodiscard]] shape shape_at(std::size_t l) const { return shapes_.at(l); }
  /// Batch size of the last forward pass (0 before any).
  [[nodiscard]] std::size_t batch() const noexcept { return batch_; }
  /// Features per input sample.
  [[nodiscard]] std::size_t input_width() const noexcept { return shapes_.front().size(); }
  /// Features per output sample.
  [[nodiscard]] std::size_t output_width() const noexcept { return shapes_.back().size(); }

  /// Draws every parameter with initlab's bulk sampler: layer l from
  /// `s.child(stream_key::weights).child(l)` and `s.child(stream_key::biases).child(l)`.
  void sample(const stream& s) { sample(s, bulk_sampler{}); }
  /// The same streams, drawn with `sampler`.
  void sample(const stream& s, const parameter_sampler& sampler) {
    const stream ws = s.child(stream_key::weights);
    const stream bs = s.child(stream_key::biases);
    for (std::size_t l = 0; l < layers_.size(); ++l)
      layers_[l]->sample(ws.child(l), bs.child(l), sampler);
  }

  /// Weights of layer l (writable; empty for a layer without them).
  [[nodiscard]] std::span<double> weights(std::size_t l) { return layer(l).weights(); }
  /// Biases of layer l (empty if none).
  [[nodiscard]] std::span<double> bias(std::size_t l) { return layer(l).biases(); }

  /// Forward pass on `x` (input_width() × batch, feature-major); keeps every layer's output.
  void forward(std::span<const double> x, std::size_t batch) {
    if (batch == 0) throw std::invalid_argument("initlab::sampled_network::forward: batch 0");
    if (x.size() != input_width() * batch)
      throw std::invalid_argument("initlab::sampled_network::forward: input size mismatch");
    batch_ = batch;
    x_.assign(x.begin(), x.end());
    const double* in = x_.data();
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      out_[l].resize(shapes_[l + 1].size() * batch);
      layers_[l]->forward(in, out_[l].data(), batch);
      in = out_[l].data();
    }
    backward_done_ = false;
    gradients_ready_ = false;
  }

  /// Back-propagates ∂L/∂y_N = `dy_out` given at the last layer's pre-activation (its output if
  /// it has no activation inside).
  void backward(std::span<const double> dy_out) {
    require_forward("backward");
    if (dy_out.size() != output_width() * batch_)
      throw std::invalid_argument("initlab::sampled_network::backward: gradient size mismatch");
    top_.assign(dy_out.begin(), dy_out.end());
    propagate_back(true);
  }

  /// Back-propagates ∂L/∂out_N = `dh_out` (through the last layer's activation, if any).
  void backward_from_output(std::span<const double> dh_out) {
    require_forward("backward_from_output");
    if (dh_out.size() != output_width() * batch_)
      throw std::invalid_argument(
          "initlab::sampled_network::backward_from_output: gradient size mismatch");
    top_.assign(dh_out.begin(), dh_out.end());
    propagate_back(false);
  }

  /// Squared-error loss L = (1/B) Σ_b ½‖out_N(x_b) − t_b‖² against `target`; runs the backward
  /// pass with the per-sample gradients ∂ℓ_b/∂out_N = out_N − t and returns L.
  double backward_squared_error(std::span<const double> target) {
    require_forward("backward_squared_error");
    if (target.size() != output_width() * batch_)
      throw std::invalid_argument(
          "initlab::sampled_network::backward_squared_error: target size mismatch");
    const std::vector<double>& h = out_.back();
    residual_.resize(h.size());
    for (std::size_t i = 0; i < h.size(); ++i)
      residual_[i] = h[i] - target[i];
    const double loss =
        0.5 * detail::sum_squares(residual_.data(), residual_.size()) / static_cast<double>(batch_);
    backward_from_output(residual_);
    return loss;
  }

  /// Softmax cross-entropy L = (1/B) Σ_b ℓ_b of the network's outputs (the logits, classes =
  /// output_width()) against `labels` (softmax_cross_entropy.hpp); runs the backward pass with the
  /// per-sample gradients ∂ℓ_b/∂out_N = p_b − e_{y_b} and returns L (summed in the fixed order of
  /// detail::sum). Each ℓ_b goes to `sample_losses` when it is not empty (batch values).
  double backward_cross_entropy(std::span<const std::uint8_t> labels,
                                std::span<double> sample_losses = {}) {
    require_forward("backward_cross_entropy");
    if (labels.size() != batch_ || (!sample_losses.empty() && sample_losses.size() != batch_))
      throw std::invalid_argument(
          "initlab::sampled_network::backward_cross_entropy: label count mismatch");
    residual_.resize(out_.back().size());
    losses_.resize(batch_);
    (void)softmax_cross_entropy(out_.back(), output_width(), batch_, labels, losses_, residual_);
    if (!sample_losses.empty()) std::copy(losses_.begin(), losses_.end(), sample_losses.begin());
    const double loss = detail::sum(losses_.data(), losses_.size()) / static_cast<double>(batch_);
    backward_from_output(residual_);
    return loss;
  }

  /// x of the last forward pass.
  [[nodiscard]] std::span<const double> input() const noexcept { return x_; }
  /// y_l of the last forward pass (out_l for a layer without activation).
  [[nodiscard]] std::span<const double> pre_activations(std::size_t l) const {
    const double* y = layers_.at(l)->pre_activation();
    return y ? std::span<const double>(y, out_.at(l).size()) : std::span<const double>(out_[l]);
  }
  /// out_l of the last forward pass.
  [[nodiscard]] std::span<const double> activations(std::size_t l) const { return out_.at(l); }
  /// ∂L/∂y_l of the last backward pass, per sample (∂L/∂out_l without activation).
  [[nodiscard]] std::span<const double> pre_activation_gradients(std::size_t l) const {
    const double* dy = layers_.at(l)->pre_activation_gradient();
    if (dy) return {dy, out_.at(l).size()};
    return l + 1 < layers_.size() ? std::span<const double>(dx_[l + 1])
                                  : std::span<const double>(top_);
  }
  /// ∂L/∂x_l of the last backward pass, per sample.
  [[nodiscard]] std::span<const double> input_gradients(std::size_t l) const { return dx_.at(l); }

  /// ∂L/∂W_l and ∂L/∂b_l (means over the batch) of every layer, from the last passes.
  void compute_weight_gradients() {
    if (!backward_done_)
      throw std::logic_error(
          "initlab::sampled_network::compute_weight_gradients: call a backward pass first");
    for (auto& p : layers_)
      p->compute_gradients();
    gradients_ready_ = true;
  }
  /// ∂L/∂W_l from `compute_weight_gradients` (laid out like W_l).
  [[nodiscard]] std::span<const double> weight_gradients(std::size_t l) const {
    return std::as_const(*layers_.at(l)).weight_gradients();
  }
  /// ∂L/∂b_l from `compute_weight_gradients`.
  [[nodiscard]] std::span<const double> bias_gradients(std::size_t l) const {
    return std::as_const(*layers_.at(l)).bias_gradients();
  }

  /// One SGD step on every parameter, from `compute_weight_gradients`.
  void sgd_step(double learning_rate) {
    if (!gradients_ready_)
      throw std::logic_error("initlab::sampled_network::sgd_step: no weight gradients");
    for (auto& p : layers_)
      p->sgd_step(learning_rate);
    gradients_ready_ = false;
    backward_done_ = false;
  }

  /// Forward, squared-error backward, gradients and one SGD step; returns the loss before it.
  double train_step(std::span<const double> x, std::size_t batch, std::span<const double> target,
                    double learning_rate) {
    forward(x, batch);
    const double loss = backward_squared_error(target);
    compute_weight_gradients();
    sgd_step(learning_rate);
    return loss;
  }

  /// Means over units and batch of layer l's forward (and, if run, backward) quantities.
  [[nodiscard]] layer_moments moments(std::size_t l) const {
    const std::span<const double> y = pre_activations(l);
    const std::vector<double>& h = out_.at(l);
    layer_moments m;
    const double ny = static_cast<double>(y.size());
    m.mean_y = detail::sum(y.data(), y.size()) / ny;
    m.mean_y2 = detail::sum_squares(y.data(), y.size()) / ny;
    m.mean_h = detail::sum(h.data(), h.size()) / ny;
    m.mean_h2 = detail::sum_squares(h.data(), h.size()) / ny;
    if (backward_done_) {
      const std::span<const double> dy = pre_activation_gradients(l);
      m.mean_dy2 = detail::sum_squares(dy.data(), dy.size()) / ny;
      m.mean_dx2 =
          detail::sum_squares(dx_[l].data(), dx_[l].size()) / static_cast<double>(dx_[l].size());
    }
    return m;
  }

  /// Whether the last forward pass has been followed by a backward pass.
  [[nodiscard]] bool has_backward() const noexcept { return backward_done_; }

 private:
  void require_forward(const char* what) const {
    if (batch_ == 0)
      throw std::logic_error(std::string("initlab::sampled_network::") + what +
                             ": run forward first");
  }

  // top_ holds the gradient at the last layer (pre-activation or output); then layer by layer.
  void propagate_back(bool at_pre_activation) {
    for (std::size_t l = layers_.size(); l-- > 0;) {
      dx_[l].resize(shapes_[l].size() * batch_);
      const bool top = l + 1 == layers_.size();
      const double* g = top ? top_.data() : dx_[l + 1].data();
      if (top && at_pre_activation)
        layers_[l]->backward_from_pre_activation(g, dx_[l].data());
      else
        layers_[l]->backward(g, dx_[l].data());
    }
    backward_done_ = true;
    gradients_ready_ = false;
  }

  std::vector<pass_ptr<layer_pass>> layers_;
  std::vector<shape> shapes_;
  std::vector<std::vector<double>> out_, dx_;
  std::vector<double> x_, top_, residual_, losses_;
  std::size_t batch_ = 0;
  bool backward_done_ = false;
  bool gradients_ready_ = false;
};

}  // namespace initlab

INITLAB_FP_STRICT_END
