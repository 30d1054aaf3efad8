#pragma once
/// `dense<D, D̂, Init, Act, Bias>`: y = W·x (+ b), h = Act(y), W of shape D̂ × D; its maps and its
/// run-time pass.
///
/// Maps (THEORY.md §1; He et al. 2015 eq. 7–14; Glorot & Bengio 2010 §4.2), for zero-mean
/// weights of variance σ² and a bias of second moment E[b²] = σ_b² + m_b²:
///     E[y²] = D·σ²·E[x²] + E[b²],   E[y] = m_b,   E[y_b y_b'] = D·σ²·E[x_b x_b'] + E[b²]
///     E[(∂L/∂x)²] = D̂·σ²·E[(∂L/∂y)²]
/// The forward map is exact at any width (the weights are independent of x); the backward map
/// assumes W independent of ∂L/∂y (gradient independence, THEORY.md §1).

#include <cstddef>
#include <initlab/activation.hpp>
#include <initlab/activation_layer.hpp>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/detail/kernels.hpp>
#include <initlab/finite_width.hpp>
#include <initlab/init.hpp>
#include <initlab/layer.hpp>
#include <initlab/parameter_sampler.hpp>
#include <initlab/pass_ptr.hpp>
#include <initlab/signal.hpp>
#include <initlab/weight_law.hpp>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Run-time y = W·x (+ b) on a batch: W (fan_out × fan_in, row-major) drawn from `law`, b from
/// `bias` (none if empty). Every output is summed in ascending input order (detail/kernels.hpp).
class dense_pass final : public cloneable_pass<dense_pass> {
 public:
  dense_pass(std::size_t fan_in, std::size_t fan_out, weight_law law,
             std::optional<weight_law> bias = std::nullopt)
      : fan_in_(fan_in), fan_out_(fan_out), law_(law), bias_law_(bias) {
    if (fan_in == 0 || fan_out == 0) throw std::invalid_argument("initlab::dense: zero width");
    w_.assign(fan_in * fan_out, 0.0);
    b_.assign(bias ? fan_out : 0, 0.0);
  }
  /// A copy with the same parameters; it keeps no pointer into the original's batch.
  dense_pass(const dense_pass& o)
      : fan_in_(o.fan_in_), fan_out_(o.fan_out_), law_(o.law_), bias_law_(o.bias_law_),
        w_(o.w_), b_(o.b_) {}
  dense_pass& operator=(const dense_pass&) = delete;
  [[nodiscard]] std::string_view name() const noexcept override { return "dense"; }
  shape bind(shape input) override {
    if (input.size() != fan_in_)
      throw std::invalid_argument("initlab::dense: takes " + std::to_string(fan_in_) +
                                  " inputs, gets " + std::to_string(input.size()));
    return {fan_out_, 1, 1};
  }
  void sample(const stream& weights, const stream& biases,
              const parameter_sampler& sampler) override {
    sampler.fill(weights, std::span<double>(w_), law_);
    if (bias_law_) sampler.fill(biases, std::span<double>(b_), *bias_law_);
  }
  void forward(const double* x, double* y, std::size_t batch) override {
    x_ = x;
    batch_ = batch;
    if (batch % detail::wide_batch == 0) {
      detail::ordered_product({w_.data(), fan_in_, 1, x, batch, y, batch, fan_out_, fan_in_, batch});
    } else {
      // Narrow batch: lanes run over output units, which needs W's columns contiguous. Same
      // per-output order (ascending j), so the same bits as the direct path.
      detail::transpose(w_.data(), fan_out_, fan_in_, scratch_);
      detail::ordered_product(
          {scratch_.data(), 1, fan_out_, x, batch, y, batch, fan_out_, fan_in_, batch});
    }
    if (!b_.empty()) {
      for (std::size_t i = 0; i < fan_out_; ++i)
        for (std::size_t b = 0; b < batch; ++b)
          y[i * batch + b] = y[i * batch + b] + b_[i];
    }
  }
  void backward(const double* dy, double* dx) override {
    dy_ = dy;
    // dx(j, b) = Σ_i W(i, j)·dy(i, b), i ascending: a(r = j, k = i) = w[i·D + j].
    detail::ordered_product({w_.data(), 1, fan_in_, dy, batch_, dx, batch_, fan_in_, fan_out_, batch_});
  }
  [[nodiscard]] std::span<double> weights() noexcept override { return w_; }
  [[nodiscard]] std::span<double> biases() noexcept override { return b_; }
  /// ∂L/∂W = (1/B)·Σ_b dy_b·x_bᵀ, ∂L/∂b = (1/B)·Σ_b dy_b, sums over b ascending.
  void compute_gradients() override {
    if (dy_ == nullptr)
      throw std::logic_error("initlab::dense: compute_gradients needs a backward pass first");
    const double n = static_cast<double>(batch_);
    // Transpose x to B × D so the product runs over independent outputs (i, j).
    detail::transpose(x_, fan_in_, batch_, scratch_);
    dw_.resize(w_.size());
    detail::ordered_product(
        {dy_, batch_, 1, scratch_.data(), fan_in_, dw_.data(), fan_in_, fan_out_, batch_, fan_in_});
    for (double& g : dw_)
      g = g / n;
    db_.resize(b_.size());
    for (std::size_t i = 0; i < b_.size(); ++i)
      db_[i] = detail::sum(dy_ + i * batch_, batch_) / n;
  }
  [[nodiscard]] std::span<const double> weight_gradients() const noexcept override { return dw_; }
  [[nodiscard]] std::span<const double> bias_gradients() const noexcept override { return db_; }
  void sgd_step(double learning_rate) override {
    if (dw_.size() != w_.size())
      throw std::logic_error("initlab::dense: sgd_step needs compute_gradients first");
    for (std::size_t k = 0; k < w_.size(); ++k) {
      const double step = learning_rate * dw_[k];
      w_[k] = w_[k] - step;
    }
    for (std::size_t k = 0; k < b_.size(); ++k) {
      const double step = learning_rate * db_[k];
      b_[k] = b_[k] - step;
    }
    dw_.clear();
    db_.clear();
    dy_ = nullptr;
  }

 private:
  std::size_t fan_in_, fan_out_;
  weight_law law_;
  std::optional<weight_law> bias_law_;
  std::vector<double> w_, b_, dw_, db_, scratch_;
  const double* x_ = nullptr;
  const double* dy_ = nullptr;
  std::size_t batch_ = 0;
};

namespace detail {

/// E[b²] and E[b] of a bias initializer for a layer's fans (0 for no_bias).
template <class Bias>
struct bias_moments {
  static constexpr bool present = !std::is_same_v<Bias, no_bias>;
  static_assert(!present || initializer<Bias>,
                "initlab: Bias must be initlab::no_bias or an initializer (zeros, constant<C>, "
                "random_normal<S>, ...)");
  [[nodiscard]] static constexpr double second_moment(std::size_t fan_in, std::size_t fan_out) {
    if constexpr (present) return initlab::second_moment(Bias::law(fan_in, fan_out));
    return 0.0;
  }
  [[nodiscard]] static constexpr double mean(std::size_t fan_in, std::size_t fan_out) {
    if constexpr (present) return initlab::mean(Bias::law(fan_in, fan_out));
    return 0.0;
  }
  [[nodiscard]] static std::optional<weight_law> law(std::size_t fan_in, std::size_t fan_out) {
    if constexpr (present) return Bias::law(fan_in, fan_out);
    return std::nullopt;
  }
};

/// Moments of y = W·x + b for zero-mean weights of variance Init::variance and a bias `Bias`
/// (dense, and conv2d at interior pixels): E[y²] = fan_in·σ²·E[x²] + E[b²], E[y] = E[b],
/// E[y_b y_b'] = fan_in·σ²·E[x_b x_b'] + E[b²].
template <class Init, class Bias>
[[nodiscard]] constexpr signal affine_signal(std::size_t fan_in, std::size_t fan_out,
                                             signal in) noexcept {
  static_assert(Init::zero_mean,
                "initlab: the variance recursions (THEORY.md section 1) assume zero-mean "
                "weights; initlab::constant<C> with C != 0 is not zero-mean");
  const double w = Init::variance(fan_in, fan_out);
  signal y{static_cast<double>(fan_in) * w * in.q, 0.0, static_cast<double>(fan_in) * w * in.cross};
  if constexpr (bias_moments<Bias>::present) {
    const double b2 = bias_moments<Bias>::second_moment(fan_in, fan_out);
    y.q = y.q + b2;
    y.cross = y.cross + b2;
    y.mean = bias_moments<Bias>::mean(fan_in, fan_out);
  }
  return y;
}

}  // namespace detail

/// Fully connected layer y = W·x (+ b), W of shape FanOut × FanIn, then h = Act(y).
template <std::size_t FanIn, std::size_t FanOut, class Init, class Act = identity,
          class Bias = no_bias>
struct dense {
  static_assert(FanIn > 0, "initlab::dense: FanIn (the input width D) must be positive");
  static_assert(FanOut > 0, "initlab::dense: FanOut (the output width D-hat) must be positive");
  static_assert(initializer<Init>,
                "initlab::dense: Init must be an initializer (variance, law, name, zero_mean)");
  static_assert(activation<Act>,
                "initlab::dense: Act must be an activation (second_moment, "
                "derivative_second_moment, mean, value, derivative)");

  static constexpr std::size_t fan_in = FanIn;      ///< D: inputs summed into each output
  static constexpr std::size_t fan_out = FanOut;    ///< D̂: outputs each input feeds
  static constexpr std::size_t in_width = FanIn;    ///< units expected from the previous layer
  static constexpr std::size_t out_width = FanOut;  ///< units handed to the next layer
  using init_type = Init;                           ///< the initializer of W
  using activation_type = Act;                      ///< φ applied to y
  using bias_type = Bias;                           ///< the initializer of b, or no_bias

  /// The law of one entry of W.
  [[nodiscard]] static constexpr weight_law law() noexcept { return Init::law(fan_in, fan_out); }
  /// σ² = Var[W_ij] as the initializer defines it for these fans.
  [[nodiscard]] static constexpr double weight_variance() noexcept {
    return Init::variance(fan_in, fan_out);
  }
  /// E[b²] = σ_b² + m_b² (0 without a bias).
  [[nodiscard]] static constexpr double bias_second_moment() noexcept {
    return detail::bias_moments<Bias>::second_moment(fan_in, fan_out);
  }

  /// Moments of y = W·x + b.
  [[nodiscard]] static constexpr signal pre_activation(signal in) noexcept {
    return detail::affine_signal<Init, Bias>(fan_in, fan_out, in);
  }
  /// Moments of h = Act(y).
  [[nodiscard]] static constexpr signal forward(signal in) noexcept {
    return activation_forward<Act>(pre_activation(in));
  }
  /// E[(∂L/∂y)²] from E[(∂L/∂h)²].
  [[nodiscard]] static constexpr double pre_activation_gradient(signal in, double g) noexcept {
    return activation_backward<Act>(pre_activation(in), g);
  }
  /// E[(∂L/∂x)²] = D̂·σ²·E[(∂L/∂y)²].
  [[nodiscard]] static constexpr double backward_from_pre_activation(signal, double g) noexcept {
    return static_cast<double>(fan_out) * weight_variance() * g;
  }
  /// E[(∂L/∂x)²] from E[(∂L/∂h)²].
  [[nodiscard]] static constexpr double backward(signal in, double g) noexcept {
    return backward_from_pre_activation(in, pre_activation_gradient(in, g));
  }
  /// Finite width (finite_width.hpp): E[y²] and the moments of the output length ‖h‖²/D̂ of one
  /// input from those of its input length ‖x‖²/D, to second order in 1/D (exact for identity,
  /// ReLU, leaky ReLU). Derived without bias.
  [[nodiscard]] static constexpr finite_width::layer_lengths length(length_moments in)
  requires(!detail::bias_moments<Bias>::present)
  {
    return finite_width::activated_length<Act>(static_cast<double>(fan_in) * weight_variance(),
                                               fan_out, in);
  }
  /// The run-time pass: dense_pass inside activated_pass<Act>.
  [[nodiscard]] static pass_ptr<layer_pass> make_pass() {
    return make_pass_ptr<activated_pass<Act>>(make_pass_ptr<dense_pass>(
        fan_in, fan_out, law(), detail::bias_moments<Bias>::law(fan_in, fan_out)));
  }
};

}  // namespace initlab

INITLAB_FP_STRICT_END
