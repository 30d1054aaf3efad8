#pragma once
/// Softmax cross-entropy over K classes (THEORY.md §10): for logits z_b of sample b with label
/// y_b, p_b = softmax(z_b), the per-sample loss ℓ_b = log Σ_k exp(z_bk) − z_b,y_b and its gradient
/// ∂ℓ_b/∂z_b = p_b − e_{y_b}. Computed stably (shifted by max_k z_bk) with initlab::math's exp and
/// log, so the bits are the same on every CPU and build. All-zero logits give p = 1/K and
/// ℓ = log K exactly (`uniform_cross_entropy`): the sum of K ones is exactly K.

#include <cstddef>
#include <cstdint>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/math.hpp>
#include <span>
#include <stdexcept>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// The loss of a uniform prediction p = 1/K: log K, the value every sample has at all-zero logits.
[[nodiscard]] constexpr double uniform_cross_entropy(std::size_t classes) noexcept {
  return math::log(static_cast<double>(classes));
}

/// The class a sample's logits predict: the first k with the largest z_k (ties: the lowest k).
[[nodiscard]] inline std::size_t predicted_class(std::span<const double> logits, std::size_t b,
                                                 std::size_t classes, std::size_t batch) {
  std::size_t best = 0;
  for (std::size_t k = 1; k < classes; ++k)
    if (logits[k * batch + b] > logits[best * batch + b]) best = k;
  return best;
}

/// Per-sample softmax cross-entropy of `logits` (classes × batch, feature-major: z_bk at
/// k·batch + b) against `labels` (each < classes): writes ℓ_b to `losses` (batch values) and, if
/// `gradient` is not empty, ∂ℓ_b/∂z_b = p_b − e_{y_b} in the layout of the logits. Returns how
/// many samples the logits classify correctly (`predicted_class`).
inline std::size_t softmax_cross_entropy(std::span<const double> logits, std::size_t classes,
                                         std::size_t batch, std::span<const std::uint8_t> labels,
                                         std::span<double> losses,
                                         std::span<double> gradient = {}) {
  if (classes < 2 || batch == 0 || logits.size() != classes * batch || labels.size() != batch ||
      losses.size() != batch || (!gradient.empty() && gradient.size() != logits.size()))
    throw std::invalid_argument("initlab::softmax_cross_entropy: sizes do not match");
  std::size_t correct = 0;
  for (std::size_t b = 0; b < batch; ++b) {
    const std::size_t y = labels[b];
    if (y >= classes)
      throw std::invalid_argument("initlab::softmax_cross_entropy: label out of range");
    const std::size_t top = predicted_class(logits, b, classes, batch);
    if (top == y) ++correct;
    const double m = logits[top * batch + b];
    double s = 0.0;  // Σ_k exp(z_k − m), k ascending
    for (std::size_t k = 0; k < classes; ++k)
      s = s + math::exp(logits[k * batch + b] - m);
    losses[b] = math::log(s) - (logits[y * batch + b] - m);
    if (!gradient.empty())
      for (std::size_t k = 0; k < classes; ++k) {
        const double p = math::exp(logits[k * batch + b] - m) / s;
        gradient[k * batch + b] = k == y ? p - 1.0 : p;
      }
  }
  return correct;
}

}  // namespace initlab

INITLAB_FP_STRICT_END
