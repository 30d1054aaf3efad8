#pragma once
/// An activation as a layer: `activation_layer<A>` (what `serial` makes of an activation type A),
/// the activation's part of the maps of dense and conv layers, and its run-time passes.
///
/// Maps (THEORY.md §1, §3), for a pre-activation y whose units are Gaussian:
///     E[φ(y)²] = E_q[φ²], E[φ(y)] = E_q[φ], E[(∂L/∂y)²] = E_q[φ'²]·E[(∂L/∂φ)²]
/// exact for Gaussian y, which holds at infinite width (for ReLU-like φ the second moments are
/// exact at any width: THEORY.md §6); the backward map assumes the gradient independent of y
/// (the gradient-independence assumption of THEORY.md §1, measured by the studies). The cross
/// moment E[φ(y_b)φ(y_b')] of two inputs is the activation's closed-form kernel where it has one
/// (`A::cross_moment(q, c)`: identity, linear, ReLU, leaky ReLU, erf), else a 2-D Gauss–Hermite
/// rule. A non-centred y (a constant bias) is integrated by quadrature around its mean.

#include <cstddef>
#include <initlab/activation.hpp>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/layer.hpp>
#include <initlab/math.hpp>
#include <initlab/pass_ptr.hpp>
#include <initlab/quadrature.hpp>
#include <initlab/signal.hpp>
#include <string_view>
#include <utility>
#include <vector>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

namespace detail {

/// Gauss–Hermite points per dimension of the fallback cross-moment rule (576 evaluations: cheap
/// enough for constant expressions; smooth activations at q ≲ 4 to ~1e-7 relative). A variable
/// template of the activation so that gauss_hermite_rule<24> is a dependent name, built only
/// where an activation without a closed-form kernel is used (a non-dependent one was built in
/// every translation unit: ~0.1 s of Clang's include time).
template <class A>
inline constexpr std::size_t cross_rule_points = 24;

/// E_q[φ²]; at q = 0 the pre-activation is exactly 0, so the moment is φ(0)².
template <class A>
[[nodiscard]] constexpr double second_moment_at(double q) noexcept {
  if (q > 0.0) return A::second_moment(q);
  const double v = A::value(0.0);
  return v * v;
}

/// E_q[φ'²]; at q = 0 it is φ'(0)², the derivative a real backward pass uses there.
template <class A>
[[nodiscard]] constexpr double derivative_second_moment_at(double q) noexcept {
  if (q > 0.0) return A::derivative_second_moment(q);
  const double d = A::derivative(0.0);
  return d * d;
}

/// E_q[φ]; φ(0) at q = 0.
template <class A>
[[nodiscard]] constexpr double mean_at(double q) noexcept {
  return q > 0.0 ? A::mean(q) : A::value(0.0);
}

/// E[φ(u)φ(u')] for (u, u') centred bivariate normal, variances q, covariance c (|c| < q).
template <class A>
[[nodiscard]] constexpr double cross_moment_at(double q, double c) noexcept {
  if (c == 0.0) {
    const double m = mean_at<A>(q);
    return m * m;
  }
  if constexpr (requires { A::cross_moment(q, c); }) {
    return A::cross_moment(q, c);
  } else {
    const double rho = c / q;
    const double s = math::sqrt(q);
    const double t = math::sqrt(q * (1.0 - rho * rho));
    constexpr const auto& rule = gauss_hermite_rule<cross_rule_points<A>>;
    return rule.apply([&](double z1) {
      const double a = A::value(s * z1);
      return a * rule.apply(
                     [&](double z2) { return static_cast<double>(A::value(rho * s * z1 + t * z2)); });
    });
  }
}

/// E[f(m + √v·z)] for a non-centred Gaussian pre-activation.
template <class F>
[[nodiscard]] constexpr double shifted_expectation(F f, double m, double v) {
  return gaussian_expectation([&](double x) { return f(m + x); }, v);
}

}  // namespace detail

/// The activation's forward map: moments of φ(y) for a Gaussian pre-activation y.
template <activation A>
[[nodiscard]] constexpr signal activation_forward(const signal& y) noexcept {
  if constexpr (requires { A::forward_signal(y); }) return A::forward_signal(y);
  if (y.mean == 0.0) {
    const double q = detail::second_moment_at<A>(y.q);
    const double m = detail::mean_at<A>(y.q);
    return {q, m, detail::cross_moment_at<A>(y.q, y.cross)};
  }
  // Non-centred y (constant bias): u = m + √v z; the cross term is approximated by mean², exact
  // when the inputs' within-network covariance y.cross − m² is zero.
  const double v = unit_variance(y);
  const double q = detail::shifted_expectation(
      [](double x) {
        const double a = A::value(x);
        return a * a;
      },
      y.mean, v);
  const double m =
      detail::shifted_expectation([](double x) { return static_cast<double>(A::value(x)); },
                                  y.mean, v);
  return {q, m, m * m};
}

/// The activation's backward map: E[(∂L/∂y)²] = E[φ'(y)²]·E[(∂L/∂φ)²] (gradient independence).
template <activation A>
[[nodiscard]] constexpr double activation_backward(const signal& y, double g) noexcept {
  if (y.mean == 0.0) return detail::derivative_second_moment_at<A>(y.q) * g;
  const double d2 = detail::shifted_expectation(
      [](double x) {
        const double d = A::derivative(x);
        return d * d;
      },
      y.mean, unit_variance(y));
  return d2 * g;
}

/// Run-time φ on a batch: out = φ(x), dx = φ'(x)·dout, through the type's own value/derivative
/// (initlab::math: the same bits on every CPU).
template <activation_function A>
class activation_pass final : public cloneable_pass<activation_pass<A>> {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return activation_name<A>(); }
  shape bind(shape input) override {
    shape_ = input;
    return input;
  }
  void forward(const double* x, double* out, std::size_t batch) override {
    x_ = x;
    n_ = shape_.size() * batch;
    for (std::size_t i = 0; i < n_; ++i)
      out[i] = A::value(x[i]);
  }
  void backward(const double* dout, double* dx) override {
    for (std::size_t i = 0; i < n_; ++i)
      dx[i] = A::derivative(x_[i]) * dout[i];
  }

 private:
  shape shape_{};
  const double* x_ = nullptr;
  std::size_t n_ = 0;
};

/// A layer whose output is φ(y) of an inner linear pass's y (dense, conv2d): keeps y and ∂L/∂y.
template <activation_function A>
class activated_pass final : public layer_pass {
 public:
  explicit activated_pass(pass_ptr<layer_pass> linear) : linear_(std::move(linear)) {}
  activated_pass(const activated_pass& o)
      : linear_(o.linear_->clone()), out_(o.out_), y_(o.y_), dy_(o.dy_) {}
  activated_pass& operator=(const activated_pass&) = delete;

  [[nodiscard]] pass_ptr<layer_pass> clone() const override {
    return make_pass_ptr<activated_pass>(*this);
  }
  [[nodiscard]] std::string_view name() const noexcept override { return linear_->name(); }
  shape bind(shape input) override {
    out_ = linear_->bind(input);
    return out_;
  }
  void sample(const stream& weights, const stream& biases,
              const parameter_sampler& sampler) override {
    linear_->sample(weights, biases, sampler);
  }
  void forward(const double* x, double* out, std::size_t batch) override {
    y_.resize(out_.size() * batch);
    dy_.resize(y_.size());
    linear_->forward(x, y_.data(), batch);
    for (std::size_t i = 0; i < y_.size(); ++i)
      out[i] = A::value(y_[i]);
  }
  void backward(const double* dout, double* dx) override {
    for (std::size_t i = 0; i < y_.size(); ++i)
      dy_[i] = A::derivative(y_[i]) * dout[i];
    linear_->backward(dy_.data(), dx);
  }
  void backward_from_pre_activation(const double* dy, double* dx) override {
    dy_.assign(dy, dy + y_.size());
    linear_->backward(dy_.data(), dx);
  }
  [[nodiscard]] const double* pre_activation() const noexcept override { return y_.data(); }
  [[nodiscard]] const double* pre_activation_gradient() const noexcept override {
    return dy_.data();
  }
  [[nodiscard]] std::span<double> weights() noexcept override { return linear_->weights(); }
  [[nodiscard]] std::span<double> biases() noexcept override { return linear_->biases(); }
  void compute_gradients() override { linear_->compute_gradients(); }
  [[nodiscard]] std::span<const double> weight_gradients() const noexcept override {
    return std::as_const(*linear_).weight_gradients();
  }
  [[nodiscard]] std::span<const double> bias_gradients() const noexcept override {
    return std::as_const(*linear_).bias_gradients();
  }
  void sgd_step(double learning_rate) override { linear_->sgd_step(learning_rate); }

 private:
  pass_ptr<layer_pass> linear_;
  shape out_{};
  std::vector<double> y_, dy_;
};

/// An activation type used as a layer on its own: width-preserving, maps of the activation.
template <activation A>
struct activation_layer {
  using activation_type = A;                ///< φ
  static constexpr std::size_t in_width = 0;   ///< any
  static constexpr std::size_t out_width = 0;  ///< same as its input
  /// Moments of φ(x).
  [[nodiscard]] static constexpr signal forward(signal in) noexcept {
    return activation_forward<A>(in);
  }
  /// E[(∂L/∂x)²] = E[φ'²]·E[(∂L/∂φ)²].
  [[nodiscard]] static constexpr double backward(signal in, double g) noexcept {
    return activation_backward<A>(in, g);
  }
  /// The run-time pass.
  [[nodiscard]] static pass_ptr<layer_pass> make_pass() {
    return make_pass_ptr<activation_pass<A>>();
  }
};

namespace detail {
template <class L>
struct as_layer_t {
  using type = L;
};
template <class L>
requires(activation<L> && !layer_kind<L>)
struct as_layer_t<L> {
  using type = activation_layer<L>;
};
}  // namespace detail

/// The layer kind of a `serial` element: an activation type becomes activation_layer<A>.
template <class L>
using as_layer = typename detail::as_layer_t<L>::type;

}  // namespace initlab

INITLAB_FP_STRICT_END
