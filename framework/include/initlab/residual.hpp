#pragma once
/// `residual<Branch, Alpha>`: out = x + α·f(x), f = Branch (any layer kind, an activation type or
/// a `serial`); its maps, its run-time pass, and Fixup's branch scale.
///
/// Maps (THEORY.md §8), with f's own maps q_f = E[f²], m_f = E[f], c_f = E[f_b f_b']:
///     E[out²]          = q + 2α·E[x·f] + α²·q_f
///     E[out]           = m + α·m_f                                   (exact)
///     E[out_b out_b']  = c + 2α·E[x_b·f_b'] + α²·c_f
///     E[(∂L/∂x)²]      = g + 2α·E[g·Jᵀg] + α²·E[(Jᵀg)²],  J = ∂f/∂x
/// The cross terms are not known to the branch's maps. Forward, E[x·f] and E[x_b·f_b'] are taken
/// as m·m_f (x independent of f). That is exact when the branch ends in an affine layer
/// f = W·h + b with zero-mean W and W, b independent of x (dense/conv2d with identity activation,
/// any bias: E[x·f] = E[x]·E[b] = m·m_f; 0 without bias, the case of THEORY.md §8 and of every
/// He/Fixup/SkipInit block); otherwise it is an approximation, and a poor one for a branch ending
/// in an activation (x + relu(x): E[x·relu(x)] = q/2, not m·m_f = 0).
/// Backward, 2α·E[g·Jᵀg] is dropped: it vanishes in expectation when the branch's last weights
/// are zero-mean and independent of g (gradient independence, THEORY.md §1), so the backward map
/// is g + α²·Branch::backward(in, g), under the same assumptions as the branch's own map.

#include <cstddef>
#include <initlab/activation_layer.hpp>
#include <initlab/layer.hpp>
#include <initlab/math.hpp>
#include <initlab/random.hpp>
#include <initlab/serial.hpp>
#include <initlab/signal.hpp>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace initlab {

namespace detail {
/// "{c, h, w}" for error messages.
inline std::string residual_shape_text(shape s) {
  // Appends, not a chain of operator+: GCC 12 at -O3 warns falsely (-Wrestrict) on the chain.
  std::string t = "{";
  t += std::to_string(s.channels);
  t += ", ";
  t += std::to_string(s.height);
  t += ", ";
  t += std::to_string(s.width);
  t += "}";
  return t;
}
}  // namespace detail

/// Run-time out = x + α·f(x) around a branch pass. The branch keeps its own state; the residual
/// keeps f(x), the branch's incoming gradient α·dout and its input gradient.
class residual_pass final : public layer_pass {
 public:
  residual_pass(std::unique_ptr<layer_pass> branch, double alpha)
      : branch_(std::move(branch)), alpha_(alpha) {
    if (!branch_) throw std::invalid_argument("initlab::residual: null branch");
  }
  residual_pass(const residual_pass& o)
      : branch_(o.branch_->clone()),
        alpha_(o.alpha_),
        shape_(o.shape_),
        n_(o.n_),
        f_(o.f_),
        df_(o.df_),
        dfx_(o.dfx_) {}
  residual_pass& operator=(const residual_pass&) = delete;

  [[nodiscard]] std::unique_ptr<layer_pass> clone() const override {
    return std::make_unique<residual_pass>(*this);
  }
  [[nodiscard]] std::string_view name() const noexcept override { return "residual"; }
  shape bind(shape input) override {
    shape out{};
    try {
      out = branch_->bind(input);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("initlab::residual: branch: ") + e.what());
    }
    // x + α·f needs f of x's shape; a branch that resizes needs a projection on the skip.
    if (!(out == input))
      throw std::invalid_argument(
          "initlab::residual: the branch maps " + detail::residual_shape_text(input) + " to " +
          detail::residual_shape_text(out) + "; the skip connection needs the same shape");
    shape_ = input;
    return input;
  }
  /// The branch draws from the residual's own streams, unchanged: the skip has no parameters, so
  /// residual<B> at position l draws exactly the bits B would draw there.
  void sample(const stream& weights, const stream& biases) override {
    branch_->sample(weights, biases);
  }
  void forward(const double* x, double* out, std::size_t batch) override {
    n_ = shape_.size() * batch;
    f_.resize(n_);
    branch_->forward(x, f_.data(), batch);
    for (std::size_t i = 0; i < n_; ++i)
      out[i] = x[i] + alpha_ * f_[i];
  }
  /// dx = dout + J_fᵀ(α·dout): the branch is handed ∂L/∂f = α·dout (not dout) so that its
  /// weight gradients are those of L; for α a power of two this equals dout + α·J_fᵀdout bit
  /// for bit (back-propagation is linear, and scaling by 2^k is exact barring under/overflow).
  void backward(const double* dout, double* dx) override {
    df_.resize(n_);
    dfx_.resize(n_);
    for (std::size_t i = 0; i < n_; ++i)
      df_[i] = alpha_ * dout[i];
    branch_->backward(df_.data(), dfx_.data());
    for (std::size_t i = 0; i < n_; ++i)
      dx[i] = dout[i] + dfx_[i];
  }
  void compute_gradients() override { branch_->compute_gradients(); }
  void sgd_step(double learning_rate) override { branch_->sgd_step(learning_rate); }

  /// The branch pass (its parameters and gradients; a serial branch's parts via serial_pass).
  [[nodiscard]] layer_pass& branch() noexcept { return *branch_; }
  [[nodiscard]] const layer_pass& branch() const noexcept { return *branch_; }
  /// α.
  [[nodiscard]] double alpha() const noexcept { return alpha_; }
  /// f(x) of the last forward pass (input.size() × batch).
  [[nodiscard]] const double* branch_output() const noexcept { return f_.data(); }

 private:
  std::unique_ptr<layer_pass> branch_;
  double alpha_;
  shape shape_{};
  std::size_t n_ = 0;
  std::vector<double> f_, df_, dfx_;
};

/// Residual block out = x + α·Branch(x); Branch is a layer kind, an activation type or a serial.
template <class Branch, double Alpha = 1.0>
struct residual {
  using branch_type = as_layer<Branch>;  ///< the branch as a layer kind
  static_assert(layer_kind<branch_type>,
                "initlab::residual: Branch must be a layer kind (initlab::dense, initlab::conv2d, "
                "...), an activation type, or an initlab::serial<...> of them");
  static_assert(math::is_finite(Alpha), "initlab::residual: Alpha must be finite");
  static_assert(branch_type::out_width == 0 || branch_type::out_width == branch_type::in_width,
                "initlab::residual: the branch must preserve the width (Branch::in_width == "
                "Branch::out_width, or out_width 0) so that x + alpha*f(x) is defined");

  static constexpr double alpha = Alpha;                            ///< α
  static constexpr std::size_t in_width = branch_type::in_width;    ///< the branch's
  static constexpr std::size_t out_width = branch_type::out_width;  ///< = in_width (or 0)

  /// Moments of x + α·f (E[x·f] ≈ m·m_f: exact for a branch ending in zero-mean weights).
  [[nodiscard]] static constexpr signal forward(signal in) noexcept {
    const signal f = branch_type::forward(in);
    const double xf = in.mean * f.mean;  // independence: E[x·f] = E[x_b·f_b'] ≈ m·m_f
    signal out{};
    out.q = in.q + 2.0 * Alpha * xf + Alpha * Alpha * f.q;
    out.mean = in.mean + Alpha * f.mean;
    out.cross = in.cross + Alpha * Alpha * f.cross + 2.0 * Alpha * xf;
    return out;
  }
  /// E[(∂L/∂x)²] = g + α²·Branch::backward(in, g) (cross term dropped: gradient independence).
  [[nodiscard]] static constexpr double backward(signal in, double g) noexcept {
    return g + Alpha * Alpha * branch_type::backward(in, g);
  }
  /// The run-time pass: residual_pass around the branch's pass.
  [[nodiscard]] static std::unique_ptr<layer_pass> make_pass() {
    return std::make_unique<residual_pass>(branch_type::make_pass(), Alpha);
  }
};

/// Fixup's scale of the weight layers inside each branch, L^(−1/(2m−2)) for L residual blocks of
/// m ≥ 2 weight layers (Zhang, Dauphin, Ma, "Fixup Initialization", ICLR 2019, §3 rule 2; the
/// branch's last layer starts at 0 there); throws std::invalid_argument for L = 0 or m < 2.
[[nodiscard]] constexpr double fixup_scale(std::size_t blocks, std::size_t layers_per_branch) {
  if (blocks == 0 || layers_per_branch < 2)
    throw std::invalid_argument(
        "initlab::fixup_scale: needs blocks >= 1 and layers_per_branch >= 2 (m = 1 makes the "
        "exponent -1/(2m-2) infinite)");
  const double exponent = -1.0 / static_cast<double>(2 * layers_per_branch - 2);
  return math::exp(exponent * math::log(static_cast<double>(blocks)));
}

}  // namespace initlab
