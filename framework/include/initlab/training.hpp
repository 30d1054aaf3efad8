#pragma once
/// Training a sampled network (engine.hpp) on a labelled data set (dataset.hpp): minibatch SGD
/// with optional momentum on the softmax cross-entropy (softmax_cross_entropy.hpp), batches in a
/// fixed order drawn from a stream (never from threads or time), and evaluation on a whole split.
///
/// Update (PyTorch's SGD convention, dampening 0): v ← μ·v + g, p ← p − η·v for every weight and
/// bias, g = ∂L/∂p the batch-mean gradient; μ = 0 is plain SGD (the engine's own sgd_step, the
/// same bits). Order: epoch e visits the samples in the permutation `shuffled_order(n,
/// s.child(e))` (Fisher–Yates with unbiased draws from the stream's words), in consecutive batches
/// of B, the last partial batch dropped (a run that stops early draws only the prefix it needs).
/// Every sum runs in a fixed order, so a run's bits depend only on (network, data, settings,
/// stream).

#include <cstddef>
#include <cstdint>
#include <initlab/dataset.hpp>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/detail/kernels.hpp>
#include <initlab/engine.hpp>
#include <initlab/random.hpp>
#include <initlab/softmax_cross_entropy.hpp>
#include <limits>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Settings of minibatch SGD.
struct sgd_settings {
  double learning_rate = 0.1;  ///< η
  double momentum = 0.0;       ///< μ ∈ [0, 1): 0 is plain SGD
  std::size_t batch = 64;      ///< B: samples per step
};

/// A uniform integer in [0, n) from the stream's words, starting at word `next` (advanced past
/// the words used): a word w is accepted when w ≥ 2^64 mod n and gives w mod n (OpenBSD's
/// arc4random_uniform rejection), so there is no modulo bias.
[[nodiscard]] inline std::uint64_t uniform_index(const stream& s, std::uint64_t& next,
                                                 std::uint64_t n) {
  if (n == 0) throw std::invalid_argument("initlab::uniform_index: n = 0");
  const std::uint64_t reject_below = (0 - n) % n;  // 2^64 mod n
  for (;;) {
    const std::uint64_t w = s.word(next++);
    if (w >= reject_below) return w % n;
  }
}

/// The first `prefix` entries (all n by default) of a permutation of 0..n−1 drawn from `s`:
/// Fisher–Yates in ascending order, position i swapped with a uniform j in [i, n) (draws from the
/// stream's words in sequence), stopped after `prefix` positions. Entry i is final once position
/// i is drawn, so a prefix is exactly the beginning of the whole permutation: a run of k batches
/// visits the same samples as the first k batches of a longer one. The visiting order of one
/// epoch.
[[nodiscard]] inline std::vector<std::uint32_t> shuffled_order(
    std::size_t n, const stream& s, std::size_t prefix = std::numeric_limits<std::size_t>::max()) {
  if (n > std::numeric_limits<std::uint32_t>::max())
    throw std::invalid_argument("initlab::shuffled_order: too many samples");
  if (prefix > n) prefix = n;
  std::vector<std::uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i)
    order[i] = static_cast<std::uint32_t>(i);
  std::uint64_t next = 0;
  for (std::size_t i = 0; i < prefix && i + 1 < n; ++i)
    std::swap(order[i], order[i + uniform_index(s, next, n - i)]);
  order.resize(prefix);
  return order;
}

/// Minibatch SGD with momentum on a sampled network; keeps the velocities between steps.
class sgd_optimizer {
 public:
  explicit sgd_optimizer(sgd_settings settings) : settings_(settings) {
    if (!(settings.learning_rate > 0.0) || !(settings.momentum >= 0.0) ||
        !(settings.momentum < 1.0) || settings.batch == 0)
      throw std::invalid_argument(
          "initlab::sgd_optimizer: need learning_rate > 0, momentum in "
          "[0, 1) and batch >= 1");
  }
  [[nodiscard]] const sgd_settings& settings() const noexcept { return settings_; }

  /// One update of every parameter from `net.compute_weight_gradients()`.
  void step(sampled_network& net) {
    if (settings_.momentum == 0.0) {
      net.sgd_step(settings_.learning_rate);
      return;
    }
    if (velocity_w_.empty()) {
      velocity_w_.resize(net.depth());
      velocity_b_.resize(net.depth());
    }
    for (std::size_t l = 0; l < net.depth(); ++l) {
      update(net.weights(l), net.weight_gradients(l), velocity_w_[l]);
      update(net.bias(l), net.bias_gradients(l), velocity_b_[l]);
    }
  }

 private:
  void update(std::span<double> p, std::span<const double> g, std::vector<double>& v) const {
    if (p.size() != g.size())
      throw std::logic_error("initlab::sgd_optimizer: no gradients for a layer's parameters");
    v.resize(p.size(), 0.0);
    for (std::size_t k = 0; k < p.size(); ++k) {
      const double mv = settings_.momentum * v[k];
      v[k] = mv + g[k];
      const double step = settings_.learning_rate * v[k];
      p[k] = p[k] - step;
    }
  }

  sgd_settings settings_;
  std::vector<std::vector<double>> velocity_w_, velocity_b_;
};

/// Buffers of one batch (reused between steps).
struct batch_buffers {
  std::vector<double> x;
  std::vector<std::uint8_t> y;
};

/// One SGD step on the samples `indices` of `data`: forward, softmax cross-entropy backward,
/// weight gradients, update. Returns the batch's mean loss before the step (per-sample losses
/// to `sample_losses` if it is not empty).
inline double train_batch(sampled_network& net, const labelled_images& data,
                          std::span<const std::uint32_t> indices, sgd_optimizer& opt,
                          batch_buffers& buf, std::span<double> sample_losses = {}) {
  gather_batch(data, indices, buf.x, buf.y);
  net.forward(buf.x, indices.size());
  const double loss = net.backward_cross_entropy(buf.y, sample_losses);
  net.compute_weight_gradients();
  opt.step(net);
  return loss;
}

/// Loss and accuracy of a network on a whole split.
struct evaluation {
  double loss = 0.0;        ///< mean softmax cross-entropy over the samples
  double accuracy = 0.0;    ///< correct / count
  std::size_t correct = 0;  ///< samples whose predicted_class is their label
  std::size_t count = 0;    ///< samples evaluated
};

/// Evaluates `net` on every sample of `data` in index order, forward passes of `batch` samples
/// (the last one shorter); the loss is summed in a fixed order (detail::sum).
[[nodiscard]] inline evaluation evaluate(sampled_network& net, const labelled_images& data,
                                         std::size_t batch = 500) {
  if (batch == 0 || data.count == 0)
    throw std::invalid_argument("initlab::evaluate: empty batch or data");
  evaluation e;
  std::vector<double> losses(data.count);
  std::vector<std::uint32_t> idx;
  batch_buffers buf;
  for (std::size_t first = 0; first < data.count; first += batch) {
    const std::size_t n = first + batch <= data.count ? batch : data.count - first;
    idx.resize(n);
    for (std::size_t b = 0; b < n; ++b)
      idx[b] = static_cast<std::uint32_t>(first + b);
    gather_batch(data, idx, buf.x, buf.y);
    net.forward(buf.x, n);
    e.correct += softmax_cross_entropy(net.activations(net.depth() - 1), net.output_width(), n,
                                       buf.y, std::span<double>(losses).subspan(first, n));
  }
  e.count = data.count;
  e.loss = detail::sum(losses.data(), losses.size()) / static_cast<double>(data.count);
  e.accuracy = static_cast<double>(e.correct) / static_cast<double>(data.count);
  return e;
}

}  // namespace initlab

INITLAB_FP_STRICT_END
