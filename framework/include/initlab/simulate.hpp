#pragma once
/// Monte Carlo engine: sample a fully-connected network (from compile-time descriptors or run-time
/// layer specs), run real forward passes and real back-propagation through the same weights on a
/// batch of inputs, take SGD steps, and collect per-layer statistics of each trial.
///
/// Conventions (THEORY.md §1): layer l (0-based here, l = 0 … N−1, THEORY's l+1) has fan_in D_l,
/// fan_out D̂_l, weights W_l (D̂_l × D_l, row-major), optional bias b_l;
///     h_{-1} = x,  y_l = W_l h_{l−1} (+ b_l),  h_l = φ_l(y_l).
/// Backward: ∂L/∂y_l = φ_l'(y_l) ⊙ ∂L/∂h_l,  ∂L/∂x_l = W_lᵀ ∂L/∂y_l (= ∂L/∂h_{l−1}).
/// A batch of B inputs is stored unit-major: element (unit u, sample b) at index u·B + b.
///
/// Determinism: every random number comes from a stream keyed by logical indices (trial → role →
/// layer, see `stream_key`), never by thread; weights are drawn only by `initlab::fill` (the
/// library samplers); every sum runs in a fixed order (detail/kernels.hpp); activations are
/// evaluated only through the activation type's `value`/`derivative`. So a trial's numbers are
/// the same for any thread count, any chunking, Debug or Release, on any x86-64 CPU.

#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initlab/detail/kernels.hpp>
#include <initlab/parallel.hpp>
#include <initlab/random.hpp>
#include <initlab/sampler.hpp>
#include <initlab/weight_law.hpp>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace initlab {

class sampled_network;
struct trial_config;
struct trial_statistics;
[[nodiscard]] inline trial_statistics run_trial(sampled_network&, const trial_config&,
                                                const stream&);

namespace detail {

/// What the engine needs of an activation type: static value φ(x) and derivative φ'(x).
template <class A>
concept simulate_activation = requires(double x) {
  { A::value(x) } -> std::convertible_to<double>;
  { A::derivative(x) } -> std::convertible_to<double>;
};

/// out[i] = φ(in[i]) through the activation's own `value` (initlab::math, same bits everywhere).
template <class A>
void activation_values(const double* in, double* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i)
    out[i] = A::value(in[i]);
}

/// out[i] = φ'(y[i]) · g[i] through the activation's own `derivative`.
template <class A>
void activation_backward(const double* y, const double* g, double* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i)
    out[i] = A::derivative(y[i]) * g[i];
}

/// Report name of an activation type: `A::name` (a string constant, as the library's activations
/// have) or `A::name()`, else "user-defined" (the same fallback as `initlab::activation_name`).
template <class A>
constexpr std::string_view activation_name() noexcept {
  if constexpr (requires {
                  { A::name() } -> std::convertible_to<std::string_view>;
                })
    return A::name();
  else if constexpr (requires {
                       { A::name } -> std::convertible_to<std::string_view>;
                     })
    return A::name;
  else
    return "user-defined";
}

}  // namespace detail

/// An activation chosen at run time: wraps the static `value`/`derivative`/`name` of an activation
/// type, with bulk versions so the per-element calls are inlined.
struct runtime_activation {
  double (*value)(double) = nullptr;                                       ///< φ(x)
  double (*derivative)(double) = nullptr;                                  ///< φ'(x)
  void (*values)(const double*, double*, std::size_t) noexcept = nullptr;  ///< out = φ(in)
  void (*backward)(const double*, const double*, double*,
                   std::size_t) noexcept = nullptr;  ///< out = φ'(y)·g
  std::string_view name{};  ///< `A::name` if the type has one, else "user-defined"

  /// The run-time handle of activation type `A` (anything with static value/derivative).
  template <detail::simulate_activation A>
  [[nodiscard]] static constexpr runtime_activation of() noexcept {
    runtime_activation r;
    r.value = [](double x) -> double { return A::value(x); };
    r.derivative = [](double x) -> double { return A::derivative(x); };
    r.values = &detail::activation_values<A>;
    r.backward = &detail::activation_backward<A>;
    r.name = detail::activation_name<A>();
    return r;
  }
};

/// One fully-connected layer at run time: the same parameters as `dense<D, D̂, Init, Act>`.
struct layer_spec {
  std::size_t fan_in = 0;            ///< D: input width
  std::size_t fan_out = 0;           ///< D̂: output width
  weight_law law{};                  ///< law of each weight entry
  runtime_activation activation{};   ///< φ of this layer
  std::optional<weight_law> bias{};  ///< law of each bias entry; empty: no bias (THEORY.md §1)
};

/// The run-time specs of a compile-time `network<dense<…>…>` (no bias, as the descriptors have).
template <class Net>
[[nodiscard]] std::vector<layer_spec> layer_specs() {
  []<std::size_t... I>(std::index_sequence<I...>) {
    static_assert((!requires { Net::template layer<I>::kernel_height; } && ...),
                  "initlab::layer_specs: the Monte Carlo engine samples dense layers only");
  }
  (std::make_index_sequence<Net::depth>{});
  std::vector<layer_spec> specs;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (specs.push_back(
         layer_spec{Net::template layer<I>::fan_in,
                    Net::template layer<I>::fan_out,
                    Net::template layer<I>::law(),
                    runtime_activation::of<typename Net::template layer<I>::activation_type>(),
                    {}}),
     ...);
  }
  (std::make_index_sequence<Net::depth>{});
  return specs;
}

/// How a trial feeds the network and seeds back-propagation.
enum class gradient_seed : std::uint8_t {
  none,           ///< forward pass only
  gaussian,       ///< ∂L/∂y_N i.i.d. N(0, g), independent of the network: Var[∂L/∂y_N] = g
  squared_error,  ///< L = mean over the batch of ½‖h_N − t‖², targets t i.i.d. N(0,
                  ///< target_variance)
};

/// Settings of one trial (`run_trial`, `simulate`).
struct trial_config {
  std::size_t batch = 1;                         ///< B: inputs per network (isotropic, independent)
  double input_variance = 1.0;                   ///< q0: inputs i.i.d. N(0, q0)
  gradient_seed seed = gradient_seed::gaussian;  ///< how ∂L/∂y_N is produced
  double gradient_variance = 1.0;                ///< g for `gradient_seed::gaussian`
  double target_variance = 1.0;  ///< variance of the targets for `gradient_seed::squared_error`
};

/// Sub-stream roles inside a trial's stream `s`: weights of layer l come from
/// `s.child(stream_key::weights).child(l)`, and so on. Part of the reproducibility contract.
namespace stream_key {
inline constexpr std::uint64_t weights = 0;   ///< .child(l): entries of W_l, row-major
inline constexpr std::uint64_t biases = 1;    ///< .child(l): entries of b_l
inline constexpr std::uint64_t inputs = 2;    ///< x, unit-major
inline constexpr std::uint64_t gradient = 3;  ///< Gaussian ∂L/∂y_N, unit-major
inline constexpr std::uint64_t targets = 4;   ///< squared-error targets, unit-major
}  // namespace stream_key

/// Per-layer statistics of one trial: means over the layer's units and the batch.
struct layer_moments {
  double mean_y = 0.0;    ///< mean of y_l
  double mean_y2 = 0.0;   ///< mean of y_l²   (estimates Var[y_l] for zero-mean weights)
  double mean_h = 0.0;    ///< mean of h_l
  double mean_h2 = 0.0;   ///< mean of h_l²
  double mean_dy2 = 0.0;  ///< mean of (∂L/∂y_l)²  (0 without a backward pass)
  double mean_dx2 = 0.0;  ///< mean of (∂L/∂x_l)²  (over the D_l inputs of layer l)
};

/// Statistics of one trial: one value per quantity, so a study turns each trial into one sample.
struct trial_statistics {
  double mean_x2 = 0.0;               ///< mean of x² over the input units and the batch
  double loss = 0.0;                  ///< L for `gradient_seed::squared_error`, else 0
  std::vector<layer_moments> layers;  ///< index l = layer l (0-based)
};

/// A sampled network with its buffers: weights, biases, forward and backward activations of the
/// last batch, weight gradients. Reusable across trials (buffers never affect results).
class sampled_network {
 public:
  /// Checks the widths chain (fan_in of layer l = fan_out of layer l−1) and allocates weights.
  explicit sampled_network(std::vector<layer_spec> specs) : specs_(std::move(specs)) {
    if (specs_.empty()) throw std::invalid_argument("initlab::sampled_network: no layers");
    for (std::size_t l = 0; l < specs_.size(); ++l) {
      const layer_spec& s = specs_[l];
      if (s.fan_in == 0 || s.fan_out == 0)
        throw std::invalid_argument("initlab::sampled_network: layer " + std::to_string(l) +
                                    " has a zero width");
      if (l > 0 && s.fan_in != specs_[l - 1].fan_out)
        throw std::invalid_argument("initlab::sampled_network: layer " + std::to_string(l) +
                                    " has fan_in " + std::to_string(s.fan_in) +
                                    " but the previous layer has fan_out " +
                                    std::to_string(specs_[l - 1].fan_out));
      if (s.activation.values == nullptr || s.activation.backward == nullptr)
        throw std::invalid_argument("initlab::sampled_network: layer " + std::to_string(l) +
                                    " has no activation");
    }
    layers_.resize(specs_.size());
    for (std::size_t l = 0; l < specs_.size(); ++l) {
      layers_[l].w.assign(specs_[l].fan_in * specs_[l].fan_out, 0.0);
      layers_[l].b.assign(specs_[l].bias ? specs_[l].fan_out : 0, 0.0);
    }
  }

  /// Number of layers N.
  [[nodiscard]] std::size_t depth() const noexcept { return specs_.size(); }
  /// Spec of layer l.
  [[nodiscard]] const layer_spec& spec(std::size_t l) const { return specs_.at(l); }
  /// Batch size of the last forward pass (0 before any).
  [[nodiscard]] std::size_t batch() const noexcept { return batch_; }
  /// Input width D_0.
  [[nodiscard]] std::size_t input_width() const noexcept { return specs_.front().fan_in; }
  /// Output width D̂_{N−1}.
  [[nodiscard]] std::size_t output_width() const noexcept { return specs_.back().fan_out; }

  /// Draws every weight (and bias) with the library samplers: W_l from
  /// `s.child(stream_key::weights).child(l)`, b_l from `s.child(stream_key::biases).child(l)`.
  void sample(const stream& s) {
    const stream ws = s.child(stream_key::weights);
    const stream bs = s.child(stream_key::biases);
    for (std::size_t l = 0; l < specs_.size(); ++l) {
      fill(ws.child(l), std::span<double>(layers_[l].w), specs_[l].law);
      if (specs_[l].bias) fill(bs.child(l), std::span<double>(layers_[l].b), *specs_[l].bias);
    }
  }

  /// W_l, row-major D̂_l × D_l: entry (i, j) at i·D_l + j. Writable (tests, custom inits).
  [[nodiscard]] std::span<double> weights(std::size_t l) { return layers_.at(l).w; }
  [[nodiscard]] std::span<const double> weights(std::size_t l) const { return layers_.at(l).w; }
  /// b_l (empty if the layer has no bias).
  [[nodiscard]] std::span<double> bias(std::size_t l) { return layers_.at(l).b; }
  [[nodiscard]] std::span<const double> bias(std::size_t l) const { return layers_.at(l).b; }

  /// Forward pass on `x` (D_0 × batch, unit-major); keeps x, every y_l and h_l.
  void forward(std::span<const double> x, std::size_t batch) {
    if (batch == 0) throw std::invalid_argument("initlab::sampled_network::forward: batch 0");
    if (x.size() != input_width() * batch)
      throw std::invalid_argument("initlab::sampled_network::forward: input size mismatch");
    resize_batch(batch);
    x_.assign(x.begin(), x.end());
    const double* in = x_.data();
    for (std::size_t l = 0; l < specs_.size(); ++l) {
      layer_buffers& L = layers_[l];
      const layer_spec& s = specs_[l];
      if (batch_ % detail::wide_batch == 0) {
        detail::ordered_product(
            {L.w.data(), s.fan_in, 1, in, batch_, L.y.data(), batch_, s.fan_out, s.fan_in, batch_});
      } else {
        // Narrow batch: lanes run over output units, which needs W's columns contiguous. Same
        // per-output order (ascending j), so same bits as the direct path.
        transpose(L.w.data(), s.fan_out, s.fan_in, transposed_);
        detail::ordered_product({transposed_.data(), 1, s.fan_out, in, batch_, L.y.data(), batch_,
                                 s.fan_out, s.fan_in, batch_});
      }
      if (s.bias) {
        for (std::size_t i = 0; i < s.fan_out; ++i)
          for (std::size_t b = 0; b < batch_; ++b)
            L.y[i * batch_ + b] = L.y[i * batch_ + b] + L.b[i];
      }
      s.activation.values(L.y.data(), L.h.data(), L.y.size());
      in = L.h.data();
    }
    backward_done_ = false;
  }

  /// Back-propagates ∂L/∂y_N = `dy_out` (D̂_{N−1} × batch) through the same weights.
  void backward(std::span<const double> dy_out) {
    require_forward("backward");
    if (dy_out.size() != output_width() * batch_)
      throw std::invalid_argument("initlab::sampled_network::backward: gradient size mismatch");
    layers_.back().dy.assign(dy_out.begin(), dy_out.end());
    propagate_back();
  }

  /// Back-propagates ∂L/∂h_N = `dh_out`: ∂L/∂y_N = φ'(y_N) ⊙ dh_out first.
  void backward_from_output(std::span<const double> dh_out) {
    require_forward("backward_from_output");
    if (dh_out.size() != output_width() * batch_)
      throw std::invalid_argument(
          "initlab::sampled_network::backward_from_output: gradient size mismatch");
    layer_buffers& L = layers_.back();
    specs_.back().activation.backward(L.y.data(), dh_out.data(), L.dy.data(), L.dy.size());
    propagate_back();
  }

  /// Squared-error loss L = (1/B) Σ_b ½‖h_N(x_b) − t_b‖² against `target` (unit-major); runs the
  /// backward pass with the per-sample gradients ∂ℓ_b/∂h_N = h_N − t and returns L.
  double backward_squared_error(std::span<const double> target) {
    require_forward("backward_squared_error");
    if (target.size() != output_width() * batch_)
      throw std::invalid_argument(
          "initlab::sampled_network::backward_squared_error: target size mismatch");
    const std::vector<double>& h = layers_.back().h;
    residual_.resize(h.size());
    for (std::size_t i = 0; i < h.size(); ++i)
      residual_[i] = h[i] - target[i];
    const double loss =
        0.5 * detail::sum_squares(residual_.data(), residual_.size()) / static_cast<double>(batch_);
    backward_from_output(residual_);
    return loss;
  }

  /// x of the last forward pass (D_0 × B).
  [[nodiscard]] std::span<const double> input() const noexcept { return x_; }
  /// y_l of the last forward pass (D̂_l × B).
  [[nodiscard]] std::span<const double> pre_activations(std::size_t l) const {
    return layers_.at(l).y;
  }
  /// h_l of the last forward pass (D̂_l × B).
  [[nodiscard]] std::span<const double> activations(std::size_t l) const { return layers_.at(l).h; }
  /// ∂L/∂y_l of the last backward pass (D̂_l × B), per sample (not divided by B).
  [[nodiscard]] std::span<const double> pre_activation_gradients(std::size_t l) const {
    return layers_.at(l).dy;
  }
  /// ∂L/∂x_l of the last backward pass (D_l × B), per sample.
  [[nodiscard]] std::span<const double> input_gradients(std::size_t l) const {
    return layers_.at(l).dx;
  }

  /// Computes ∂L/∂W_l = (1/B) Σ_b ∂ℓ_b/∂y_l · h_{l−1,b}ᵀ and ∂L/∂b_l = (1/B) Σ_b ∂ℓ_b/∂y_l for
  /// every layer (sums over b in ascending order), from the last forward and backward passes.
  void compute_weight_gradients() {
    if (!backward_done_)
      throw std::logic_error(
          "initlab::sampled_network::compute_weight_gradients: call a backward pass first");
    const double inv_b = static_cast<double>(batch_);
    for (std::size_t l = 0; l < specs_.size(); ++l) {
      layer_buffers& L = layers_[l];
      const layer_spec& s = specs_[l];
      const double* h_prev = l == 0 ? x_.data() : layers_[l - 1].h.data();
      // Transpose h_{l−1} to B × D_l so the product runs over independent outputs (i, j).
      transpose(h_prev, s.fan_in, batch_, transposed_);
      L.dw.resize(L.w.size());
      detail::ordered_product({L.dy.data(), batch_, 1, transposed_.data(), s.fan_in, L.dw.data(),
                               s.fan_in, s.fan_out, batch_, s.fan_in});
      for (double& g : L.dw)
        g = g / inv_b;
      L.db.resize(L.b.size());
      for (std::size_t i = 0; i < L.b.size(); ++i)
        L.db[i] = detail::sum(L.dy.data() + i * batch_, batch_) / inv_b;
    }
    gradients_ready_ = true;
  }

  /// ∂L/∂W_l from `compute_weight_gradients` (row-major like W_l).
  [[nodiscard]] std::span<const double> weight_gradients(std::size_t l) const {
    return layers_.at(l).dw;
  }
  /// ∂L/∂b_l from `compute_weight_gradients`.
  [[nodiscard]] std::span<const double> bias_gradients(std::size_t l) const {
    return layers_.at(l).db;
  }

  /// One SGD step W_l ← W_l − lr·∂L/∂W_l (and biases), from `compute_weight_gradients`.
  void sgd_step(double learning_rate) {
    if (!gradients_ready_)
      throw std::logic_error("initlab::sampled_network::sgd_step: no weight gradients");
    for (layer_buffers& L : layers_) {
      for (std::size_t k = 0; k < L.w.size(); ++k) {
        const double step = learning_rate * L.dw[k];
        L.w[k] = L.w[k] - step;
      }
      for (std::size_t k = 0; k < L.b.size(); ++k) {
        const double step = learning_rate * L.db[k];
        L.b[k] = L.b[k] - step;
      }
    }
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
    const layer_buffers& L = layers_.at(l);
    layer_moments m;
    const double ny = static_cast<double>(L.y.size());
    m.mean_y = detail::sum(L.y.data(), L.y.size()) / ny;
    m.mean_y2 = detail::sum_squares(L.y.data(), L.y.size()) / ny;
    m.mean_h = detail::sum(L.h.data(), L.h.size()) / ny;
    m.mean_h2 = detail::sum_squares(L.h.data(), L.h.size()) / ny;
    if (backward_done_) {
      m.mean_dy2 = detail::sum_squares(L.dy.data(), L.dy.size()) / ny;
      m.mean_dx2 = detail::sum_squares(L.dx.data(), L.dx.size()) / static_cast<double>(L.dx.size());
    }
    return m;
  }

  /// Whether the last forward pass has been followed by a backward pass.
  [[nodiscard]] bool has_backward() const noexcept { return backward_done_; }

 private:
  struct layer_buffers {
    std::vector<double> w, b, y, h, dy, dx, dw, db;
  };

  // out = mᵀ for m (rows × cols, row-major), in cache-sized blocks.
  static void transpose(const double* m, std::size_t rows, std::size_t cols,
                        std::vector<double>& out) {
    out.resize(rows * cols);
    constexpr std::size_t block = 8;  // 8 lines per cache set: no conflict misses at 4 KiB strides
    for (std::size_t r0 = 0; r0 < rows; r0 += block)
      for (std::size_t c0 = 0; c0 < cols; c0 += block) {
        const std::size_t r1 = r0 + block < rows ? r0 + block : rows;
        const std::size_t c1 = c0 + block < cols ? c0 + block : cols;
        for (std::size_t r = r0; r < r1; ++r)
          for (std::size_t c = c0; c < c1; ++c)
            out[c * rows + r] = m[r * cols + c];
      }
  }

  void require_forward(const char* what) const {
    if (batch_ == 0)
      throw std::logic_error(std::string("initlab::sampled_network::") + what +
                             ": run forward first");
  }

  void resize_batch(std::size_t batch) {
    batch_ = batch;
    for (std::size_t l = 0; l < specs_.size(); ++l) {
      layer_buffers& L = layers_[l];
      L.y.resize(specs_[l].fan_out * batch);
      L.h.resize(specs_[l].fan_out * batch);
      L.dy.resize(specs_[l].fan_out * batch);
      L.dx.resize(specs_[l].fan_in * batch);
    }
  }

  // Given ∂L/∂y_N in the last layer's dy: dx_l = W_lᵀ dy_l, dy_{l−1} = φ'(y_{l−1}) ⊙ dx_l.
  void propagate_back() {
    for (std::size_t l = specs_.size(); l-- > 0;) {
      layer_buffers& L = layers_[l];
      const layer_spec& s = specs_[l];
      // dx(j, b) = Σ_i W(i, j) dy(i, b), i ascending: a(r = j, k = i) = w[i·D + j].
      detail::ordered_product({L.w.data(), 1, s.fan_in, L.dy.data(), batch_, L.dx.data(), batch_,
                               s.fan_in, s.fan_out, batch_});
      if (l > 0) {
        layer_buffers& P = layers_[l - 1];
        specs_[l - 1].activation.backward(P.y.data(), L.dx.data(), P.dy.data(), P.dy.size());
      }
    }
    backward_done_ = true;
    gradients_ready_ = false;
  }

  std::vector<layer_spec> specs_;
  std::vector<layer_buffers> layers_;
  std::vector<double> x_, residual_, transposed_, scratch_;
  std::size_t batch_ = 0;
  bool backward_done_ = false;
  bool gradients_ready_ = false;

  friend trial_statistics run_trial(sampled_network&, const trial_config&, const stream&);
};

/// One trial on `net`: weights from `s` (see `sampled_network::sample`), inputs x i.i.d.
/// N(0, q0) from `s.child(stream_key::inputs)`, a forward pass, then the backward pass that
/// `config.seed` asks for; returns the statistics of every layer. Depends only on (specs, config,
/// s).
[[nodiscard]] inline trial_statistics run_trial(sampled_network& net, const trial_config& config,
                                                const stream& s) {
  if (config.batch == 0) throw std::invalid_argument("initlab::run_trial: batch must be >= 1");
  if (!(config.input_variance >= 0.0) || !(config.gradient_variance >= 0.0) ||
      !(config.target_variance >= 0.0))
    throw std::invalid_argument("initlab::run_trial: variances must be >= 0");
  net.sample(s);
  std::vector<double>& buf = net.scratch_;
  buf.resize(net.input_width() * config.batch);
  fill_normal(s.child(stream_key::inputs), std::span<double>(buf), 0.0,
              std::sqrt(config.input_variance));
  net.forward(buf, config.batch);

  trial_statistics out;
  out.mean_x2 =
      detail::sum_squares(net.x_.data(), net.x_.size()) / static_cast<double>(net.x_.size());
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
      fill_normal(s.child(stream_key::targets), std::span<double>(buf), 0.0,
                  std::sqrt(config.target_variance));
      out.loss = net.backward_squared_error(buf);
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

/// Runs `trials` independent trials (trial t uses stream `base.child(t)`) on `threads` threads, in
/// fixed chunks with one reused network per chunk; results in trial order, identical for any
/// thread count.
[[nodiscard]] inline std::vector<trial_statistics> simulate(const std::vector<layer_spec>& specs,
                                                            const trial_config& config,
                                                            std::size_t trials, std::size_t threads,
                                                            const stream& base) {
  const sampled_network check(specs);  // validate once, before any thread starts
  const std::size_t chunks = (trials + simulate_chunk - 1) / simulate_chunk;
  std::vector<std::vector<trial_statistics>> parts =
      run_trials(chunks, threads, [&](std::size_t c) {
        sampled_network net(specs);
        std::vector<trial_statistics> part;
        const std::size_t first = c * simulate_chunk;
        const std::size_t last = first + simulate_chunk < trials ? first + simulate_chunk : trials;
        part.reserve(last - first);
        for (std::size_t t = first; t < last; ++t)
          part.push_back(run_trial(net, config, base.child(t)));
        return part;
      });
  std::vector<trial_statistics> all;
  all.reserve(trials);
  for (auto& part : parts)
    for (auto& t : part)
      all.push_back(std::move(t));
  return all;
}

}  // namespace initlab
