#pragma once
/// `initlab::real_param`: a double as a template argument, on every compiler.
///
/// The descriptors take real-valued parameters as template arguments (`linear<0.5>`,
/// `random_normal<0.01>`, `batch_norm<1e-5>`, `residual<B, 0.25>`). C++20 allows `double` there,
/// but Clang 16 does not implement it ("non-type template argument of type 'double' is not yet
/// supported"), so the parameters are declared `real_param`: a structural class that holds the
/// double's bit pattern. A double converts to it implicitly, so users still write `linear<0.5>`,
/// and it converts back to the same double, bit for bit, so every map computes exactly what it
/// computed with a `double` parameter. Two arguments name the same type iff their bits are equal (as for
/// `double` parameters: 0.0 and -0.0 differ). A generic parameter of a user's template is
/// written `template <initlab::real_param A>` as well.

#include <bit>
#include <cstdint>

namespace initlab {

/// A double stored as its IEEE-754 bit pattern (a structural type: usable as a template
/// parameter where `double` is not).
struct real_param {
  std::uint64_t bits;  ///< the bit pattern of the value (public: structural types need it)
  /// The value v, exactly.
  constexpr real_param(double v) noexcept  // NOLINT(google-explicit-constructor): implicit
      : bits(std::bit_cast<std::uint64_t>(v)) {}
  /// The value, exactly.
  [[nodiscard]] constexpr double value() const noexcept { return std::bit_cast<double>(bits); }
  /// The value, exactly (so a `real_param` parameter reads like a `double` one).
  constexpr operator double() const noexcept { return value(); }  // NOLINT: implicit
};

}  // namespace initlab
