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
#include <initlab/detail/fp_strict.hpp>
#include <initlab/layer.hpp>
#include <initlab/math.hpp>
#include <initlab/pass_ptr.hpp>
#include <initlab/random.hpp>
#include <initlab/real_param.hpp>
#include <initlab/serial.hpp>
#include <initlab/signal.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

INITLAB_FP_STRICT_BEGIN

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
/// x^n by repeated multiplication (n small: block counts).
[[nodiscard]] constexpr double residual_power(double x, std::size_t n) noexcept {
  double r = 1.0;
  for (std::size_t i = 0; i < n; ++i)
    r *= x;
  return r;
}
}  // namespace detail

/// Run-time out = x + α·f(x) around a branch pass. The branch keeps its own state; the residual
/// keeps f(x), the branch's incoming gradient α·dout and its input gradient.
class residual_pass final : public layer_pass {
 public:
  residual_pass(pass_ptr<layer_pass> branch, double alpha)
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

  [[nodiscard]] pass_ptr<layer_pass> clone() const override {
    return make_pass_ptr<residual_pass>(*this);
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
  void sample(const stream& weights, const stream& biases,
              const parameter_sampler& sampler) override {
    branch_->sample(weights, biases, sampler);
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
  pass_ptr<layer_pass> branch_;
  double alpha_;
  shape shape_{};
  std::size_t n_ = 0;
  std::vector<double> f_, df_, dfx_;
};

/// Residual block out = x + α·Branch(x); Branch is a layer kind, an activation type or a serial.
template <class Branch, real_param Alpha = 1.0>
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
  [[nodiscard]] static pass_ptr<layer_pass> make_pass() {
    return make_pass_ptr<residual_pass>(branch_type::make_pass(), Alpha);
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

/// First-order finite-width corrections of the ReLU residual stream x_{l+1} = x_l + W_l·relu(x_l),
/// W_l of D × D i.i.d. N(0, c/D) entries (c = α²·D·σ_w²: He with α = 1 is c = 2), no bias, inputs
/// i.i.d. N(0, q0), and of its gradient under a seed ∂L/∂x_N independent of the network. The maps
/// give E[x_l²] = g^l·q0 and E[(∂L/∂x_l)²] = g^(N−l)·E[(∂L/∂x_N)²], g = 1 + c/2, as D → ∞.
///
/// Why they depart at width D: given x_l every f_i = (W·relu(x_l))_i is N(0, S_l) with S_l =
/// (c/D)·Σ_j relu(x_lj)² the same for all i, and S_l contains unit i's own (c/D)·relu(x_li)²:
/// positive units get more noise, so the stream is skewed to the right and E[relu(x)²] ≠
/// E[x²]/2. Exactly (the weights are independent of x_l),
///     E[x_{l+1}²] = g·E[x_l²] + c·A_l,     A_l = E[relu(x_l)²] − E[x_l²]/2 = E[x_l·|x_l|]/2.
/// The gradient is the transposed Jacobian applied to the seed, so E[(∂L/∂x_l)²] = E[(∂L/∂x_N)²]·
/// E[‖J δ‖²]/D for the tangent δ_{k+1} = δ_k + W_k·(1{x_k > 0} ⊙ δ_k) started at δ_l ~ N(0, I)
/// (the forward-mode form of back-propagation): E[δ_{k+1}²] = g·E[δ_k²] + c·B_k, B_k =
/// E[sgn(x_k)·δ_k²]/2, and the same mechanism couples sgn(x_k) with δ_k² (the gradient
/// independence assumption drops exactly this).
///
/// First order in 1/D (cavity expansion: unit i's own share of the branch covariances (S, the
/// tangent's variance V and the covariance C of f and the tangent's branch), each propagated to
/// the other units' later covariances with ∂X_k/∂X_m = c/2, so block m's share reaches block k with
/// weight ω_{k−m}, Σ_{k=m}^{L−1} ω_{k−m} = g^(L−1−m); then Price's theorem, ΔE[F] = ½·Σ_k
/// E[tr(δΣ_k·∇²F)], on the Gaussian infinite-width paths X (variance Q_m = q0·g^m) and δ
/// (independent of X, variance T_m = g^(m−l)); s² = Q_L − Q_m):
///     A_L/Q_L = a_L/D,      a_L = (c/(2g))·Σ_{j=1}^{L} K(1/√(g^j − 1)),
///     K(t) = (atan t + t/(1 + t²))/π   (= E[z²·1{z>0}·(2Φ(t·z) − 1)], z ~ N(0, 1)),
///     B_L/T_L = b_L/D,      b_L = (c/2)·Σ_{m<L} g^(L−1−m)·[e_S + 1{m ≥ l}·(e_C + e_V)],
///     e_S = −s·Q_m^{3/2}/(π·Q_L²),  e_C = 2·(T_m/T_L)·s·√Q_m/(π·Q_L),
///     e_V = (T_m/T_L)·atan(√Q_m/s)/π,
///     E[x_l²] = g^l·q0·(1 + κ_l/D + O(1/D²)),            κ_l = (c/g)·Σ_{k<l} a_k,
///     E[(∂L/∂x_l)²] = g^(N−l)·E[(∂L/∂x_N)²]·(1 + γ_{l,N}/D + O(1/D²)),
///     γ_{l,N} = (c/g)·Σ_{k=l}^{N−1} b_k   (b_k for the tangent started at block l).
/// For He (c = 2): a_l → 0.734, κ_16 ≈ 9.23; the top block's gradient is low (γ_{N−1,N} =
/// (c/g)·D·(P(x_{N−1} > 0) − 1/2) < 0: the skewed stream is positive less than half the time),
/// deeper gradients are high, and γ_{0,N} = κ_N (the tangent started at the input has the input's
/// law). The O(1/D²) remainders are not derived; tests/runtime/residual_test.cpp checks the
/// integrals by quadrature and the values by Monte Carlo at D = 32, studies/11_residual.cpp at
/// D = 32 … 256.
struct relu_stream_width_correction {
  /// a_l: D·(E[relu(x_l)²]/E[x_l²] − 1/2) as D → ∞, the stream's asymmetry after l blocks.
  [[nodiscard]] static constexpr double asymmetry(std::size_t blocks, double c) noexcept {
    const double g = 1.0 + c / 2.0;
    double sum = 0.0, gj = 1.0;
    for (std::size_t j = 1; j <= blocks; ++j) {
      gj *= g;
      const double t = 1.0 / math::sqrt(gj - 1.0);
      sum += (math::atan(t) + t / (1.0 + t * t)) * math::inv_pi;
    }
    return c / (2.0 * g) * sum;
  }
  /// κ_l: D·(E[x_l²]/(g^l·q0) − 1) as D → ∞ (0 for l = 0 and l = 1).
  [[nodiscard]] static constexpr double second_moment(std::size_t blocks, double c) noexcept {
    const double g = 1.0 + c / 2.0;
    double sum = 0.0;
    for (std::size_t k = 0; k < blocks; ++k)
      sum += asymmetry(k, c);
    return c / g * sum;
  }
  /// E[x_l²]/(g^l·q0) to first order at width D: 1 + κ_l/D.
  [[nodiscard]] static constexpr double second_moment_factor(std::size_t blocks, double c,
                                                             std::size_t width) noexcept {
    return 1.0 + second_moment(blocks, c) / static_cast<double>(width);
  }
  /// b_k for the tangent started at block `first`: D·E[sgn(x_k)·δ_k²]/(2·E[δ_k²]) as D → ∞.
  [[nodiscard]] static constexpr double tangent_asymmetry(std::size_t first, std::size_t k,
                                                          double c) noexcept {
    const double g = 1.0 + c / 2.0;
    const double qk = detail::residual_power(g, k);
    double sum = 0.0;
    for (std::size_t m = 0; m < k; ++m) {
      const double qm = detail::residual_power(g, m);
      const double s = math::sqrt(qk - qm);
      double term = -s * qm * math::sqrt(qm) * math::inv_pi / (qk * qk);
      if (m >= first) {
        const double t_ratio = 1.0 / detail::residual_power(g, k - m);  // T_m/T_k
        term += 2.0 * t_ratio * s * math::sqrt(qm) * math::inv_pi / qk +
                t_ratio * math::atan(math::sqrt(qm) / s) * math::inv_pi;
      }
      sum += detail::residual_power(g, k - 1 - m) * term;
    }
    return c / 2.0 * sum;
  }
  /// γ_{l,N}: D·(E[(∂L/∂x_l)²]/(g^(N−l)·E[(∂L/∂x_N)²]) − 1) as D → ∞, for the gradient at the
  /// input of block l + 1 (0-based `first` = l, 0 = the network's input) of an N-block stream.
  [[nodiscard]] static constexpr double gradient(std::size_t first, std::size_t blocks,
                                                 double c) noexcept {
    const double g = 1.0 + c / 2.0;
    double sum = 0.0;
    for (std::size_t k = first; k < blocks; ++k)
      sum += tangent_asymmetry(first, k, c);
    return c / g * sum;
  }
  /// E[(∂L/∂x_l)²]/(g^(N−l)·E[(∂L/∂x_N)²]) to first order at width D: 1 + γ_{l,N}/D.
  [[nodiscard]] static constexpr double gradient_factor(std::size_t first, std::size_t blocks,
                                                        double c, std::size_t width) noexcept {
    return 1.0 + gradient(first, blocks, c) / static_cast<double>(width);
  }
};

}  // namespace initlab

INITLAB_FP_STRICT_END
