#pragma once
/// The probability law of one weight entry, as a small literal value: what an initializer
/// promises (its variance) and what a sampler draws from, in one place.

#include <cstdint>

namespace initlab {

/// Family of the law of a weight entry.
enum class law_kind : std::uint8_t {
  constant,          ///< every entry equals `scale` (zeros: scale = 0)
  normal,            ///< N(0, scale²)
  uniform,           ///< U[-scale, +scale]
  truncated_normal,  ///< N(0, scale²) conditioned on |w| < truncation·scale
};

/// A zero-centred (or constant) law for weight entries; `scale` means stddev, bound or value.
struct weight_law {
  law_kind kind = law_kind::constant;
  double scale = 0.0;

  /// Truncation point of `truncated_normal`, in units of the parent normal's σ (Keras, JAX).
  static constexpr double truncation = 2.0;

  friend constexpr bool operator==(const weight_law&, const weight_law&) = default;
};

}  // namespace initlab
