#pragma once
/// What a layer kind is. A layer kind is one literal type in one header (dense.hpp, conv2d.hpp,
/// batch_norm.hpp, …) that carries, side by side,
///
///  (a) its **analytic map**, usable in constant expressions:
///        static constexpr signal forward(signal in);          // moments of the output
///        static constexpr double backward(signal in, double g); // E[(∂L/∂in)²] from E[(∂L/∂out)²]
///      and, if it ends in an activation (dense, conv2d), its pre-activation y:
///        static constexpr signal pre_activation(signal in);
///        static constexpr double pre_activation_gradient(signal in, double g_out); // at y
///        static constexpr double backward_from_pre_activation(signal in, double g_y);
///  (b) its **run-time pass** on a batch, used by the Monte Carlo engine:
///        static pass_ptr<layer_pass> make_pass();
///  and its widths: `in_width` (0: any, width-preserving), `out_width` (0: same as its input).
///
/// `serial` composes layer kinds, `profile` (network.hpp) runs their maps, `sampled_network`
/// (engine.hpp) runs their passes; none of them knows a formula. An activation type (relu, a
/// user's type) is a layer too: `as_layer<A>` is its `activation_layer<A>` (activation_layer.hpp).

#include <concepts>
#include <cstddef>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/parameter_sampler.hpp>
#include <initlab/pass_ptr.hpp>
#include <initlab/random.hpp>
#include <initlab/signal.hpp>
#include <span>
#include <string_view>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Shape of one sample: channels × height × width (a dense layer's units: width × 1 × 1). A batch
/// of B samples is stored feature-major: feature f = (c·height + i)·width + j, sample b, at f·B + b.
struct shape {
  std::size_t channels = 0;  ///< units, or image channels
  std::size_t height = 1;    ///< image rows
  std::size_t width = 1;     ///< image columns
  /// Features per sample.
  [[nodiscard]] constexpr std::size_t size() const noexcept { return channels * height * width; }
  friend constexpr bool operator==(const shape&, const shape&) = default;
};

/// The run-time pass of one layer on a batch: what the engine calls. Stateful (it keeps what its
/// backward pass needs); `clone` gives an independent copy for another worker.
///
/// Contract with the engine: `bind` once, then `forward` (x stays valid and unchanged until the
/// next forward: a pass may keep the pointer), then `backward` (dout likewise until the next
/// backward), then `compute_gradients` and `sgd_step`. Every sum runs in a fixed order, and
/// random numbers come only from the streams given to `sample`, so the bits are the same for any
/// thread count, build type and CPU.
class layer_pass {
 public:
  virtual ~layer_pass() = default;
  /// An independent copy (same parameters, own buffers).
  [[nodiscard]] virtual pass_ptr<layer_pass> clone() const = 0;
  /// Report name of the kind ("dense", "batch_norm", …).
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  /// Fixes the input shape and returns the output shape; throws std::invalid_argument (naming
  /// the layer) if this kind cannot take `input`.
  virtual shape bind(shape input) = 0;
  /// Draws the parameters with `sampler`: weights from `weights`, biases from `biases` (this
  /// layer's own streams; a composite layer gives its k-th part `weights.child(k)`,
  /// `biases.child(k)` and the same sampler).
  virtual void sample(const stream& weights, const stream& biases,
                      const parameter_sampler& sampler) {
    (void)weights;
    (void)biases;
    (void)sampler;
  }
  /// out = f(x) for a batch: x is input.size() × batch, out is output.size() × batch.
  virtual void forward(const double* x, double* out, std::size_t batch) = 0;
  /// dx = ∂L/∂x from dout = ∂L/∂out (per sample), through the state of the last forward.
  virtual void backward(const double* dout, double* dx) = 0;

  /// The pre-activation y of a layer with an activation inside (output.size() × batch), or null.
  [[nodiscard]] virtual const double* pre_activation() const noexcept { return nullptr; }
  /// ∂L/∂y of the last backward pass, or null (no activation inside).
  [[nodiscard]] virtual const double* pre_activation_gradient() const noexcept { return nullptr; }
  /// Back-propagation that starts at the pre-activation: dy = ∂L/∂y given. Default: backward.
  virtual void backward_from_pre_activation(const double* dy, double* dx) { backward(dy, dx); }

  /// Weights W (row-major, writable), or empty for a layer without them.
  [[nodiscard]] virtual std::span<double> weights() noexcept { return {}; }
  /// Bias vector b, or empty.
  [[nodiscard]] virtual std::span<double> biases() noexcept { return {}; }
  /// ∂L/∂W and ∂L/∂b as means over the batch, from the last forward and backward passes.
  virtual void compute_gradients() {}
  /// ∂L/∂W from compute_gradients (same layout as weights()).
  [[nodiscard]] virtual std::span<const double> weight_gradients() const noexcept { return {}; }
  /// ∂L/∂b from compute_gradients.
  [[nodiscard]] virtual std::span<const double> bias_gradients() const noexcept { return {}; }
  /// One SGD step on every parameter: p ← p − lr·∂L/∂p (after compute_gradients).
  virtual void sgd_step(double learning_rate) { (void)learning_rate; }
};

/// `clone()` for a copyable pass: `struct my_pass : cloneable_pass<my_pass> { … };`.
template <class Derived>
class cloneable_pass : public layer_pass {
 public:
  [[nodiscard]] pass_ptr<layer_pass> clone() const override {
    return make_pass_ptr<Derived>(static_cast<const Derived&>(*this));
  }
};

/// A layer kind: the analytic map and the run-time pass described at the top of this header.
template <class L>
concept layer_kind = requires(signal s, double g) {
  { L::in_width } -> std::convertible_to<std::size_t>;
  { L::out_width } -> std::convertible_to<std::size_t>;
  { L::forward(s) } -> std::same_as<signal>;
  { L::backward(s, g) } -> std::same_as<double>;
  { L::make_pass() } -> std::same_as<pass_ptr<layer_pass>>;
};

/// A layer kind whose output is an activation of a pre-activation y it exposes (dense, conv2d):
/// profiles report Var[y] for it, and a gradient seed at the network's end enters at y.
template <class L>
concept activated_layer = layer_kind<L> && requires(signal s, double g) {
  { L::pre_activation(s) } -> std::same_as<signal>;
  { L::pre_activation_gradient(s, g) } -> std::same_as<double>;
  { L::backward_from_pre_activation(s, g) } -> std::same_as<double>;
};

}  // namespace initlab

INITLAB_FP_STRICT_END
