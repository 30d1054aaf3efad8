#pragma once
/// A labelled data set in memory: samples of byte-valued features (image pixels 0..255) with
/// class labels, and the feature-major batches the engine takes (layer.hpp `shape`), pixels
/// scaled to [0, 1] by /255.

#include <array>
#include <cstddef>
#include <cstdint>
#include <initlab/detail/fp_strict.hpp>
#include <span>
#include <stdexcept>
#include <vector>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Samples (sample-major, `features` bytes each) with labels < `classes`.
struct labelled_images {
  std::size_t count = 0;             ///< number of samples
  std::size_t features = 0;          ///< bytes per sample (pixels of an image)
  std::size_t classes = 0;           ///< K: every label is < K
  std::vector<std::uint8_t> pixels;  ///< count × features
  std::vector<std::uint8_t> labels;  ///< count labels

  /// The features of sample i.
  [[nodiscard]] std::span<const std::uint8_t> sample(std::size_t i) const {
    return std::span<const std::uint8_t>(pixels).subspan(i * features, features);
  }
  /// How many samples carry each label.
  [[nodiscard]] std::vector<std::size_t> class_counts() const {
    std::vector<std::size_t> c(classes, 0);
    for (const std::uint8_t y : labels)
      ++c.at(y);
    return c;
  }
  /// The first n samples (a fixed subset).
  [[nodiscard]] labelled_images head(std::size_t n) const {
    if (n > count) throw std::invalid_argument("initlab::labelled_images::head: n > count");
    return {
        n, features, classes,
        std::vector<std::uint8_t>(pixels.begin(),
                                  pixels.begin() + static_cast<std::ptrdiff_t>(n * features)),
        std::vector<std::uint8_t>(labels.begin(), labels.begin() + static_cast<std::ptrdiff_t>(n))};
  }
  /// The first `per_class` samples of every class, in index order (a fixed balanced subset);
  /// throws std::invalid_argument if a class has fewer.
  [[nodiscard]] labelled_images balanced_head(std::size_t per_class) const {
    labelled_images out{0, features, classes, {}, {}};
    std::vector<std::size_t> taken(classes, 0);
    for (std::size_t i = 0; i < count && out.count < per_class * classes; ++i) {
      const std::uint8_t y = labels[i];
      if (taken.at(y) == per_class) continue;
      ++taken[y];
      const auto first = pixels.begin() + static_cast<std::ptrdiff_t>(i * features);
      out.pixels.insert(out.pixels.end(), first, first + static_cast<std::ptrdiff_t>(features));
      out.labels.push_back(y);
      ++out.count;
    }
    if (out.count != per_class * classes)
      throw std::invalid_argument("initlab::labelled_images::balanced_head: a class is too small");
    return out;
  }
};

/// A pixel byte as a network input: v/255 (correctly rounded, so the same bits everywhere).
inline constexpr std::array<double, 256> pixel_scale = [] {
  std::array<double, 256> t{};
  for (std::size_t v = 0; v < t.size(); ++v)
    t[v] = static_cast<double>(v) / 255.0;
  return t;
}();

/// The samples `indices` of `data` as one feature-major batch: x[f·B + b] = pixel f of sample
/// indices[b], scaled by /255; their labels in `y`.
inline void gather_batch(const labelled_images& data, std::span<const std::uint32_t> indices,
                         std::vector<double>& x, std::vector<std::uint8_t>& y) {
  const std::size_t batch = indices.size();
  x.resize(data.features * batch);
  y.resize(batch);
  for (std::size_t b = 0; b < batch; ++b) {
    const std::size_t i = indices[b];
    if (i >= data.count) throw std::out_of_range("initlab::gather_batch: sample index");
    const std::uint8_t* p = data.pixels.data() + i * data.features;
    for (std::size_t f = 0; f < data.features; ++f)
      x[f * batch + b] = pixel_scale[p[f]];
    y[b] = data.labels[i];
  }
}

}  // namespace initlab

INITLAB_FP_STRICT_END
