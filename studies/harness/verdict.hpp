#pragma once
/// The study policy (DESIGN.md §4): family-wise error, Bonferroni, verdicts. The library's statistics.hpp gives estimates and intervals; what a
/// study concludes from them is decided here.

#include <cstddef>
#include <initlab/statistics.hpp>
#include <limits>
#include <stdexcept>
#include <string_view>

namespace initlab::study {

/// Outcome of a claim.
enum class verdict {
  confirmed,  ///< the analytic value lies in the interval
  refuted,    ///< the analytic value lies outside the interval
};

/// "confirmed" or "refuted".
[[nodiscard]] constexpr std::string_view to_string(verdict v) noexcept {
  return v == verdict::confirmed ? "confirmed" : "refuted";
}

/// Family-wise error rate of every study (DESIGN.md §4): 1%.
inline constexpr double study_family_error = 0.01;

/// Per-claim miss probability under Bonferroni: family_error / claims (claims >= 1).
[[nodiscard]] constexpr double bonferroni_alpha(double family_error, std::size_t claims) {
  if (claims == 0) throw std::invalid_argument("bonferroni_alpha: no claims");
  return family_error / static_cast<double>(claims);
}

/// The interval rule: confirmed iff the analytic value lies in the interval.
[[nodiscard]] constexpr verdict decide(double analytic, const interval& ci) noexcept {
  return ci.contains(analytic) ? verdict::confirmed : verdict::refuted;
}

/// Verdict of an exact identity: confirmed iff every trial gave exactly `analytic`.
[[nodiscard]] constexpr verdict decide_exact(double analytic, const interval& range) noexcept {
  return range.low == analytic && range.high == analytic ? verdict::confirmed : verdict::refuted;
}

/// Half-width of the interval relative to |analytic| (infinity when analytic is 0 and the
/// interval has width; 0 when both are 0).
[[nodiscard]] constexpr double relative_half_width(const estimate& e, double analytic) noexcept {
  const double h = e.ci.half_width();
  const double a = analytic < 0.0 ? -analytic : analytic;
  if (a == 0.0) return h == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return h / a;
}

}  // namespace initlab::study
