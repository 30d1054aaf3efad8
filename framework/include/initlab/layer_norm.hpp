#pragma once
/// `layer_norm<Eps>`: per-sample normalization over all the features of that sample (every unit,
/// or every channel and pixel of an image, as PyTorch's LayerNorm over (C, H, W)) with γ = 1,
/// β = 0 (Ba, Kiros, Hinton 2016); its maps and its run-time pass. Width-preserving.
///
/// With the F features x_f of one sample, μ = (1/F)Σx, σ² = (1/F)Σ(x − μ)², s = √(σ² + ε):
///     x̂ = (x − μ)/s,   ∂L/∂x = (g − mean(g) − x̂·mean(g ⊙ x̂))/s,   g = ∂L/∂x̂
/// (the batch-norm algebra of THEORY.md §7 with the roles of samples and features swapped).
///
/// Maps, with u = unit_variance(in) = q − mean² (the variance across the units of one sample):
///     forward:   E[x̂²] = u/(u + ε),  E[x̂] = 0,  E[x̂_b x̂_b'] = (cross − mean²)/(u + ε)
///     backward:  E[(∂L/∂x)²] = g/(u + ε)
/// Limits: infinite width (a sample's mean and variance over its units tend to mean and u, the
/// same for every input), and for backward also gradient independence. Then x̂_b = (x_b −
/// mean)/√(u + ε) for each input b, so E[x̂_b x̂_b'] = E[(x_b − mean)(x_b' − mean)]/(u + ε) =
/// (cross − mean²)/(u + ε). Exact at any width: the mean 0, and E[x̂²] = 1 when ε = 0.
/// `finite_width_backward_factor` gives the exact finite-F backward for one sample.
///
/// Degenerate samples: with ε = 0 a sample whose features are all equal has σ² + ε = 0; the pass
/// defines x̂ = 0 and ∂L/∂x = 0 (dead), the maps return 0 for u ≤ 0 likewise. One feature per
/// sample with ε = 0 (always 0/0) is rejected by bind with std::invalid_argument.
///
/// Summation order: sample b's features are x[f·B + b] (layer.hpp); the pass transposes the batch
/// to sample-major (detail::transpose) and sums over f with detail::ordered_sum — the order and
/// formulas of batch_norm.hpp with k = f: μ = Σx / F, σ² = Σ(x − μ)² / F, s = sqrt(σ² + ε),
/// x̂ = (x − μ)/s; m_g = Σg / F, m_gy = Σ(g·x̂) / F, dx = ((g − m_g) − x̂·m_gy)/s.

#include <cstddef>
#include <initlab/batch_norm.hpp>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/detail/kernels.hpp>
#include <initlab/layer.hpp>
#include <initlab/math.hpp>
#include <initlab/pass_ptr.hpp>
#include <initlab/real_param.hpp>
#include <initlab/signal.hpp>
#include <stdexcept>
#include <string_view>
#include <vector>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Run-time layer normalization (γ = 1, β = 0), in the order stated at the top of this header.
/// No parameters: sample, compute_gradients and sgd_step do nothing.
class layer_norm_pass final : public cloneable_pass<layer_norm_pass> {
 public:
  /// A pass with ε = eps (finite, ≥ 0; else std::invalid_argument).
  explicit layer_norm_pass(double eps) : eps_(eps) {
    detail::check_eps(eps, "initlab::layer_norm");
  }
  [[nodiscard]] std::string_view name() const noexcept override { return "layer_norm"; }
  shape bind(shape input) override {
    if (input.size() == 0)
      throw std::invalid_argument("initlab::layer_norm: input has no features");
    if (input.size() == 1 && eps_ == 0.0)
      throw std::invalid_argument(
          "initlab::layer_norm: one feature per sample with Eps = 0 normalises 0/0; use Eps > 0");
    shape_ = input;
    return input;
  }
  void forward(const double* x, double* out, std::size_t batch) override {
    const std::size_t f = shape_.size();
    batch_ = batch;
    stats_.resize(batch);
    if (batch == 0) return;
    detail::transpose(x, f, batch, xt_);  // B × F: one sample's features contiguous
    y_.resize(f * batch);
    for (std::size_t b = 0; b < batch; ++b)
      stats_[b] = detail::normalize_group(xt_.data() + b * f, f, eps_, y_.data() + b * f);
    detail::transpose(y_.data(), batch, f, xt_);
    for (std::size_t i = 0; i < xt_.size(); ++i)
      out[i] = xt_[i];
  }
  void backward(const double* dout, double* dx) override {
    const std::size_t f = shape_.size();
    if (batch_ == 0) return;
    detail::transpose(dout, f, batch_, gt_);
    dxt_.resize(f * batch_);
    for (std::size_t b = 0; b < batch_; ++b)
      detail::normalize_group_backward(gt_.data() + b * f, y_.data() + b * f, f, stats_[b].scale,
                                       dxt_.data() + b * f);
    detail::transpose(dxt_.data(), batch_, f, gt_);
    for (std::size_t i = 0; i < gt_.size(); ++i)
      dx[i] = gt_[i];
  }
  /// ε of this pass.
  [[nodiscard]] double eps() const noexcept { return eps_; }
  /// μ, σ² (biased, without ε) and s = √(σ² + ε) of sample b in the last forward pass.
  [[nodiscard]] const detail::group_statistics& statistics(std::size_t b) const {
    return stats_.at(b);
  }

 private:
  double eps_;
  shape shape_{};
  std::size_t batch_ = 0;
  std::vector<detail::group_statistics> stats_;
  std::vector<double> y_;              // x̂ of the last forward, sample-major (B × F)
  std::vector<double> xt_, gt_, dxt_;  // transposes
};

/// Layer normalization over the features of each sample, γ = 1, β = 0: the layer kind.
template <real_param Eps = 1e-5>
struct layer_norm {
  static_assert(Eps >= 0.0 && math::is_finite(Eps),
                "initlab::layer_norm: Eps must be finite and non-negative");
  static constexpr double eps = Eps;           ///< ε added to each sample's variance
  static constexpr std::size_t in_width = 0;   ///< any
  static constexpr std::size_t out_width = 0;  ///< same as its input

  /// Moments of x̂ at infinite width: E[x̂²] = u/(u + ε) with u = q − mean², mean 0, cross
  /// (cross − mean²)/(u + ε).
  [[nodiscard]] static constexpr signal forward(signal in) noexcept {
    const double u = unit_variance(in);
    const double d = (u < 0.0 ? 0.0 : u) + Eps;
    const double c = d == 0.0 ? 0.0 : (in.cross - in.mean * in.mean) / d;
    return {detail::normalized_second_moment(u, Eps), 0.0, c};
  }
  /// E[(∂L/∂x)²] = g/(u + ε): leading order at infinite width, gradient independence.
  [[nodiscard]] static constexpr double backward(signal in, double g) noexcept {
    return detail::normalized_gradient(unit_variance(in), Eps, g);
  }
  /// Exact factor f with E[‖∂L/∂x‖²/F | x] = f·g/(σ² + ε) for one sample of F features of
  /// biased variance σ², when E[g gᵀ] = g·I independently of x: f = (F − 1 − r(2 − r))/F with
  /// r = σ²/(σ² + ε) (batch_norm.hpp, `finite_batch_backward_factor`); 0 for a dead sample.
  [[nodiscard]] static constexpr double finite_width_backward_factor(std::size_t features,
                                                                     double variance) noexcept {
    const double v = variance < 0.0 ? 0.0 : variance;
    const double d = v + Eps;
    if (d == 0.0) return 0.0;
    return detail::normalization_backward_factor(features, v / d);
  }
  /// The same factor for ε = 0 (or σ² ≫ ε): 1 − 2/F.
  [[nodiscard]] static constexpr double finite_width_backward_factor(
      std::size_t features) noexcept {
    return detail::normalization_backward_factor(features, 1.0);
  }
  /// The run-time pass.
  [[nodiscard]] static pass_ptr<layer_pass> make_pass() {
    return make_pass_ptr<layer_norm_pass>(Eps);
  }
};

}  // namespace initlab

INITLAB_FP_STRICT_END
