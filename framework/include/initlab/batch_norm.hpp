#pragma once
/// `batch_norm<Eps>`: per-feature normalization over the batch with γ = 1, β = 0 (Ioffe &
/// Szegedy 2015; THEORY.md §7); its maps and its run-time pass. Width-preserving.
///
/// A feature is a unit for a dense shape and a channel for an image (shape with height or width
/// > 1), normalised over the batch AND the pixels, as PyTorch's BatchNorm2d. With the n values
/// x_k of a feature (n = batch·height·width), biased statistics μ = (1/n)Σx, σ² = (1/n)Σ(x − μ)²
/// and s = √(σ² + ε):   ŷ = (x − μ)/s,   ∂L/∂x = (g − mean(g) − ŷ·mean(g ⊙ ŷ))/s,  g = ∂L/∂ŷ.
///
/// Maps, with v = batch_variance(in) = q − cross (the within-batch variance of a unit):
///     forward:   E[ŷ²] = v/(v + ε),  E[ŷ] = 0,  E[ŷ_b ŷ_b'] = 0
///     backward:  E[(∂L/∂x)²] = g/(v + ε)
/// Limits: infinite batch (B → ∞: the batch statistics are then the unit's per-network moments),
/// and for backward also gradient independence (g independent of ŷ). Exact at any batch: the mean
/// 0, and E[ŷ²] = 1 when ε = 0; E[ŷ_b ŷ_b'] = −E[ŷ²]/(B − 1) for a dense shape (Σ_b ŷ_b = 0), so
/// the cross moment 0 is the B → ∞ value. For images the pixels of one input count as part of the
/// batch, and v is still q − cross (the per-channel mean over batch and pixels tends to the
/// channel's per-network mean, whose square is the cross moment of two different inputs).
/// `finite_batch_backward_factor` gives the exact finite-n backward at a given batch.
///
/// Degenerate features. With ε = 0 a feature that is constant over its n values has σ² + ε = 0:
/// the pass defines ŷ = 0 and ∂L/∂x = 0 there (a dead feature, the ε → 0⁺ limit of ŷ), and the
/// maps return 0 (forward and backward) for v ≤ 0 likewise; with ε > 0, v ≤ 0 gives 0 and g/ε. A
/// batch where n = 1 with ε = 0 (every feature constant) is a configuration error: the pass
/// throws std::invalid_argument.
///
/// Summation order (the same bits on every CPU and thread count): feature c's n values are stored
/// contiguously at x[c·n + k], k = p·B + b (pixel p = i·width + j major, sample b minor; shape in
/// layer.hpp), and every sum over them is detail::ordered_sum (kernels.hpp) over k: 8 partial
/// sums over k ≡ j (mod 8) ascending, combined ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)), then the tail
/// ascending. μ = Σx / n; σ² = Σ(x − μ)² / n (second pass, with that rounded μ); s = sqrt(σ² + ε)
/// (initlab::math::sqrt, correctly rounded); ŷ = (x − μ)/s. Backward: m_g = Σg / n,
/// m_gy = Σ(g·ŷ) / n, dx = ((g − m_g) − ŷ·m_gy)/s. No FMA (the project builds with
/// -ffp-contract=off).

#include <cstddef>
#include <initlab/activation.hpp>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/detail/kernels.hpp>
#include <initlab/layer.hpp>
#include <initlab/math.hpp>
#include <initlab/pass_ptr.hpp>
#include <initlab/real_param.hpp>
#include <initlab/signal.hpp>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

namespace detail {

/// Σ a[i]·b[i] in the fixed order of `ordered_sum` (kernels.hpp).
[[nodiscard]] inline double ordered_dot(const double* a, const double* b, std::size_t n) noexcept {
  double s[reduction_lanes] = {};
  const std::size_t full = n - n % reduction_lanes;
  for (std::size_t i = 0; i < full; i += reduction_lanes)
    for (std::size_t j = 0; j < reduction_lanes; ++j)
      s[j] = s[j] + a[i + j] * b[i + j];
  double total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (std::size_t i = full; i < n; ++i)
    total = total + a[i] * b[i];
  return total;
}

/// Statistics of one normalised group of values.
struct group_statistics {
  double mean = 0.0;      ///< μ
  double variance = 0.0;  ///< biased σ² (without ε)
  double scale = 0.0;     ///< s = √(σ² + ε); 0 marks a dead group (ŷ = 0, dx = 0)
};

/// y = (x − μ)/√(σ² + ε) over n contiguous values, in the order stated in batch_norm.hpp.
[[nodiscard]] inline group_statistics normalize_group(const double* x, std::size_t n, double eps,
                                                      double* y) noexcept {
  const double count = static_cast<double>(n);
  const double mu = sum(x, n) / count;
  // Two passes: Σ(x − μ)² does not cancel the way Σx² − nμ² does when |μ| ≫ σ.
  const double var = ordered_sum(x, n,
                                 [mu](double v) {
                                   const double d = v - mu;
                                   return d * d;
                                 }) /
                     count;
  const double s = math::sqrt(var + eps);
  if (s == 0.0) {
    for (std::size_t i = 0; i < n; ++i)
      y[i] = 0.0;
  } else {
    for (std::size_t i = 0; i < n; ++i)
      y[i] = (x[i] - mu) / s;  // a division, not ·(1/s): one rounding
  }
  return {mu, var, s};
}

/// dx = ((g − mean(g)) − y·mean(g ⊙ y))/s over n contiguous values (dead group: dx = 0).
inline void normalize_group_backward(const double* g, const double* y, std::size_t n, double s,
                                     double* dx) noexcept {
  if (s == 0.0) {
    for (std::size_t i = 0; i < n; ++i)
      dx[i] = 0.0;
    return;
  }
  const double count = static_cast<double>(n);
  const double mg = sum(g, n) / count;
  const double mgy = ordered_dot(g, y, n) / count;
  for (std::size_t i = 0; i < n; ++i)
    dx[i] = ((g[i] - mg) - y[i] * mgy) / s;
}

/// v/(v + ε) for a variance v (v < 0 from rounding counts as 0; v + ε = 0 is a dead unit: 0).
[[nodiscard]] constexpr double normalized_second_moment(double v, double eps) noexcept {
  const double var = v < 0.0 ? 0.0 : v;
  const double d = var + eps;
  return d == 0.0 ? 0.0 : var / d;
}

/// g/(v + ε) (v < 0 counts as 0; v + ε = 0 is a dead unit, whose gradient is 0).
[[nodiscard]] constexpr double normalized_gradient(double v, double eps, double g) noexcept {
  const double d = (v < 0.0 ? 0.0 : v) + eps;
  return d == 0.0 ? 0.0 : g / d;
}

/// E[‖∂L/∂x‖²/n | x]·(σ² + ε)/g for one group of n values with r = σ²/(σ² + ε), when E[g gᵀ] =
/// g·I independently of x: ∂L/∂x = P g/s with P = I − 11ᵀ/n − ŷŷᵀ/n, and ŷ ⊥ 1, ‖ŷ‖² = n·r,
/// so tr(PᵀP) = n − 1 − r(2 − r); for ε = 0 (r = 1) P is the projection off span{1, ŷ}: n − 2.
[[nodiscard]] constexpr double normalization_backward_factor(std::size_t n, double r) noexcept {
  if (n == 0) return 0.0;
  const double count = static_cast<double>(n);
  const double f = (count - 1.0 - r * (2.0 - r)) / count;
  return f < 0.0 ? 0.0 : f;
}

/// Throws std::invalid_argument unless eps is finite and ≥ 0.
inline void check_eps(double eps, const char* layer) {
  if (!(eps >= 0.0) || !math::is_finite(eps))
    throw std::invalid_argument(std::string(layer) + ": Eps must be finite and non-negative");
}

}  // namespace detail

/// Run-time batch normalization (γ = 1, β = 0, biased batch statistics), in the order stated at
/// the top of this header. No parameters: sample, compute_gradients and sgd_step do nothing.
class batch_norm_pass final : public cloneable_pass<batch_norm_pass> {
 public:
  /// A pass with ε = eps (finite, ≥ 0; else std::invalid_argument).
  explicit batch_norm_pass(double eps) : eps_(eps) {
    detail::check_eps(eps, "initlab::batch_norm");
  }
  [[nodiscard]] std::string_view name() const noexcept override { return "batch_norm"; }
  shape bind(shape input) override {
    if (input.size() == 0)
      throw std::invalid_argument("initlab::batch_norm: input has no features");
    shape_ = input;
    return input;
  }
  /// ŷ per feature; throws std::invalid_argument when ε = 0 and a feature has one value.
  void forward(const double* x, double* out, std::size_t batch) override {
    const std::size_t n = batch * shape_.height * shape_.width;
    if (n == 1 && eps_ == 0.0)
      throw std::invalid_argument(
          "initlab::batch_norm: a batch of 1 (one value per feature) with Eps = 0 normalises "
          "0/0; use Eps > 0 or a larger batch");
    group_ = n;
    stats_.resize(shape_.channels);
    y_.resize(group_ * shape_.channels);
    if (group_ == 0) return;
    for (std::size_t c = 0; c < shape_.channels; ++c)
      stats_[c] = detail::normalize_group(x + c * group_, group_, eps_, y_.data() + c * group_);
    for (std::size_t i = 0; i < y_.size(); ++i)
      out[i] = y_[i];
  }
  void backward(const double* dout, double* dx) override {
    for (std::size_t c = 0; c < stats_.size() && group_ > 0; ++c)
      detail::normalize_group_backward(dout + c * group_, y_.data() + c * group_, group_,
                                       stats_[c].scale, dx + c * group_);
  }
  /// ε of this pass.
  [[nodiscard]] double eps() const noexcept { return eps_; }
  /// Values per feature in the last forward pass: n = batch·height·width.
  [[nodiscard]] std::size_t values_per_feature() const noexcept { return group_; }
  /// μ, σ² (biased, without ε) and s = √(σ² + ε) of feature c in the last forward pass.
  [[nodiscard]] const detail::group_statistics& statistics(std::size_t c) const {
    return stats_.at(c);
  }

 private:
  double eps_;
  shape shape_{};
  std::size_t group_ = 0;
  std::vector<detail::group_statistics> stats_;
  std::vector<double> y_;  // ŷ of the last forward: the caller's output buffer may not outlive it
};

/// Batch normalization over the batch (and pixels), γ = 1, β = 0: the layer kind.
template <real_param Eps = 1e-5>
struct batch_norm {
  static_assert(Eps >= 0.0 && math::is_finite(Eps),
                "initlab::batch_norm: Eps must be finite and non-negative");
  static constexpr double eps = Eps;           ///< ε added to the batch variance
  static constexpr std::size_t in_width = 0;   ///< any
  static constexpr std::size_t out_width = 0;  ///< same as its input

  /// Moments of ŷ as B → ∞: E[ŷ²] = v/(v + ε) with v = q − cross, mean 0, cross 0.
  [[nodiscard]] static constexpr signal forward(signal in) noexcept {
    return {detail::normalized_second_moment(batch_variance(in), Eps), 0.0, 0.0};
  }
  /// E[(∂L/∂x)²] = g/(v + ε): leading order as B → ∞, gradient independence.
  [[nodiscard]] static constexpr double backward(signal in, double g) noexcept {
    return detail::normalized_gradient(batch_variance(in), Eps, g);
  }
  /// Exact finite-n factor f with E[‖∂L/∂x‖²/n | x] = f·g/(σ² + ε) for one feature of n values
  /// (n = B·pixels) of biased variance σ², when E[g gᵀ] = g·I independently of x (zero-mean,
  /// uncorrelated gradients of equal second moment): f = (n − 1 − r(2 − r))/n, r = σ²/(σ² + ε);
  /// 0 for a dead feature. Averaged over i.i.d. Gaussian batches with ε = 0, E[1/σ²] =
  /// n/((n − 3)·v) turns this into E[(∂L/∂x)²] = (n − 2)/(n − 3)·g/v (n > 3): above g/v.
  [[nodiscard]] static constexpr double finite_batch_backward_factor(std::size_t n,
                                                                     double variance) noexcept {
    const double v = variance < 0.0 ? 0.0 : variance;
    const double d = v + Eps;
    if (d == 0.0) return 0.0;
    return detail::normalization_backward_factor(n, v / d);
  }
  /// The same factor for ε = 0 (or σ² ≫ ε): 1 − 2/n (0 for n ≤ 2: two values give ŷ = ±1, dx = 0).
  [[nodiscard]] static constexpr double finite_batch_backward_factor(std::size_t n) noexcept {
    return detail::normalization_backward_factor(n, 1.0);
  }
  /// The run-time pass.
  [[nodiscard]] static pass_ptr<layer_pass> make_pass() {
    return make_pass_ptr<batch_norm_pass>(Eps);
  }
};

/// The finite-batch fixed point of dense → batch_norm<0> → ReLU stacks (Yang et al. 2019, who
/// compute the same rate numerically; THEORY.md §7), at infinite width, under gradient
/// independence, for i.i.d. inputs. Derivation (any weight variance c = D·σ²):
///  * Forward. Given the layer below, a unit's B pre-activations are N(0, K) with K = α·I + β·11ᵀ
///    (permutation symmetric: true for i.i.d. inputs, kept by every layer), so P·y (P = I − 11ᵀ/B)
///    is isotropic in the (B−1)-dimensional space ⊥ 1: ŷ = √B·P y/‖P y‖ is UNIFORM on the sphere
///    of radius √B in 1^⊥, whatever α, β (hence whatever c), and its direction is independent of
///    σ² = ‖P y‖²/B = α·χ²_{B−1}/B. Its coordinates have E[ŷ_b²] = 1, E[ŷ_b ŷ_b'] = ρ = −1/(B−1).
///  * Moments of homogeneous functions. The law of ŷ is that of √B·v/‖v‖, v ~ N(0, P), with the
///    radius independent of the direction; so for f positively homogeneous of degree 0 or 2,
///    E[f(ŷ)] equals E[f] under the GAUSSIAN of the same covariance (degree 2: E‖ŷ‖² = E‖v‖²·
///    B/(B−1) matches). Hence E[relu(ŷ_b)relu(ŷ_b')] = the arc-cosine kernel at ρ
///    (relu::cross_moment(1, ρ)), P(ŷ_b > 0, ŷ_b' > 0) = 1/4 + asin(ρ)/(2π) (Sheppard), and
///    E[relu(ŷ_b)²] = 1/2.
///  * Backward. With δ = ∂L/∂h of a unit (B values) of covariance Π, independent of the forward
///    pass: ∂L/∂y = P_ŷ·(D δ)/σ, D = diag(1[ŷ > 0]), P_ŷ = P − ŷŷᵀ/B (the projection off span{1,
///    ŷ}); the dense layer below multiplies the covariance by c. E[1/σ²] = B/(α(B − 3)) with
///    α = c·a, a = 1/2 − E[relu(ŷ_b)relu(ŷ_b')] (the h-kernel's diagonal minus off-diagonal), so
///    Π ↦ B/(a(B − 3))·E[P_ŷ D Π D P_ŷ]: c cancels. This map sends span{I, 11ᵀ} to multiples of P
///    (zero row sums, permutation symmetric) and P to μ·P with
///    μ(B − 1) = E tr(D P D P_ŷ) = B/2 − 3/2 + (E[k²] + E[S₁²])/B², k = #{ŷ_b > 0}, S₁ = Σ relu(ŷ_b),
///    E[k²] = B/2 + B(B−1)·P(ŷ_1 > 0, ŷ_2 > 0), E[S₁²] = B/2 + B(B−1)·E[relu(ŷ_1)relu(ŷ_2)].
///    From the second block down the gradient's covariance is ∝ P, and its second moment grows per
///    block by λ(B) = B·μ/(a·(B − 3)) exactly (B ≥ 4; E[1/χ²_{B−1}] is infinite for B ≤ 3).
///    As B → ∞: a → (π − 1)/(2π), μ → 1/2, λ → π/(π − 1); λ(B) − π/(π − 1) = O(1/B).
/// Finite width adds O(B/width) corrections (the batch Gram of a finite layer is not permutation
/// symmetric): study 10 measures them.
namespace detail {
/// ρ = −1/(B − 1): the correlation of two coordinates of a vector uniform on the sphere ⊥ 1.
[[nodiscard]] constexpr double centred_sphere_correlation(std::size_t batch) noexcept {
  return -1.0 / (static_cast<double>(batch) - 1.0);
}
/// P(u > 0, u' > 0) for centred jointly Gaussian u, u' of correlation ρ: 1/4 + asin(ρ)/(2π)
/// (Sheppard 1899).
[[nodiscard]] constexpr double positive_orthant(double rho) noexcept {
  return 0.25 + 0.5 * math::inv_pi * math::asin(rho);
}
}  // namespace detail

/// E[relu(ŷ_b)·relu(ŷ_b')], b ≠ b', for ŷ uniform on the sphere of radius √B ⊥ 1 (the BN output
/// of a dense → batch_norm<0> → ReLU stack at infinite width, any layer): the arc-cosine kernel at
/// ρ = −1/(B − 1) (derivation above). B ≥ 2.
[[nodiscard]] constexpr double bn_relu_output_cross(std::size_t batch) noexcept {
  return relu::cross_moment(1.0, detail::centred_sphere_correlation(batch));
}

/// E[(1/B)·Σ_b (h_b − h̄)²] for h = relu(ŷ) of one unit: ((B − 1)/B)·(1/2 − bn_relu_output_cross),
/// exact at any width for the first block (i.i.d. inputs), the infinite-width value deeper; → (π −
/// 1)/(2π) as B → ∞. B ≥ 2.
[[nodiscard]] constexpr double bn_relu_batch_variance(std::size_t batch) noexcept {
  const double b = static_cast<double>(batch);
  return (b - 1.0) / b * (relu::second_moment(1.0) - bn_relu_output_cross(batch));
}

/// λ(B): the per-block growth of the gradient's second moment in dense → batch_norm<0> → ReLU
/// stacks, below the top block, at infinite width under gradient independence, for any weight
/// variance (derivation above); +∞ for B ≤ 3. λ(B) → π/(π − 1) as B → ∞.
[[nodiscard]] constexpr double bn_relu_gradient_growth(std::size_t batch) noexcept {
  if (batch <= 3) return std::numeric_limits<double>::infinity();
  const double b = static_cast<double>(batch);
  const double rho = detail::centred_sphere_correlation(batch);
  const double cross = bn_relu_output_cross(batch);
  const double a = relu::second_moment(1.0) - cross;
  const double pairs = b * (b - 1.0);
  const double k2 = 0.5 * b + pairs * detail::positive_orthant(rho);  // E[k²]
  const double s2 = 0.5 * b + pairs * cross;                          // E[S₁²]
  const double mu = (0.5 * b - 1.5 + (k2 + s2) / (b * b)) / (b - 1.0);
  return b * mu / (a * (b - 3.0));
}

/// E[ŷ²] of batch_norm<ε> for a feature of n values that, given the layer's parameters, are
/// i.i.d. N(0, s²) (a dense layer on i.i.d. inputs: s² = q0·‖w_j‖²), where s² varies across
/// features with mean v and relative variance kappa = Var[s²]/v² (2/D for Gaussian weight rows of
/// fan-in D): the finite-batch, finite-width correction of `forward`'s v/(v + ε). The batch
/// variance is X = s²·χ²_{n−1}/n, E[X] = v(n − 1)/n =: v_n, so with r = v_n/(v_n + ε) and
/// δ = X/v_n − 1 (E[δ²] = kappa + 2/(n − 1) + 2·kappa/(n − 1)), the second-order expansion of
/// E[X/(X + ε)] = 1 − ε·E[1/(X + ε)] is r − r²(1 − r)·E[δ²]; the next terms are
/// r³(1 − r)·E[δ³] and r⁴(1 − r)·E[δ⁴]/… (E[δ³] ≈ 8/(n − 1)² + 4·kappa², E[δ⁴] ≈ 3·E[δ²]²):
/// O(1/n²), e.g. ~1e-4 relative at n = D = 256. n ≥ 2; ε = 0 gives 1 exactly.
[[nodiscard]] constexpr double bn_finite_batch_second_moment(std::size_t n, double v, double eps,
                                                             double kappa) noexcept {
  const double count = static_cast<double>(n);
  const double vn = v * (count - 1.0) / count;
  if (vn + eps == 0.0) return 0.0;
  const double r = vn / (vn + eps);
  const double d2 = kappa + 2.0 / (count - 1.0) + 2.0 * kappa / (count - 1.0);
  return r - r * r * (1.0 - r) * d2;
}

}  // namespace initlab

INITLAB_FP_STRICT_END
