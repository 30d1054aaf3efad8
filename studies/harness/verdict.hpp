#pragma once
/// The study policy (DESIGN.md §4): family-wise error, Bonferroni, verdicts, precision targets and
/// each claim's resolution. The library's statistics.hpp gives estimates and intervals; what a
/// study concludes from them is decided here.

#include <cstddef>
#include <initlab/statistics.hpp>
#include <limits>
#include <stdexcept>
#include <string_view>

namespace initlab::study {

/// Outcome of a claim.
enum class verdict {
  confirmed,  ///< the analytic value lies in the interval, which meets its precision target
  refuted,    ///< the analytic value lies outside the interval
  imprecise,  ///< inside, but at default settings the interval misses its target or Hall's
              ///< validity condition: not confirmed
};

/// "confirmed", "refuted" or "imprecise".
[[nodiscard]] constexpr std::string_view to_string(verdict v) noexcept {
  return v == verdict::confirmed ? "confirmed" : v == verdict::refuted ? "refuted" : "imprecise";
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

/// Power at which a claim's resolution is defined: it refutes a relative error ≥ its resolution
/// with probability ≥ 0.9.
inline constexpr double resolution_power = 0.9;

/// The smallest relative error |true − analytic|/|analytic| that the claim refutes with
/// probability ≥ 0.9: the estimate then lies about δ·|analytic| from the analytic value with
/// standard error se, and is refuted once that distance exceeds the interval's reach on that side,
/// so δ = (wider side of the interval + z₀.₉·se)/|analytic|. 0 for an exact identity (one
/// deviating trial refutes it); infinity when analytic is 0.
[[nodiscard]] inline double resolution(const estimate& e, double analytic, bool exact) {
  if (exact) return 0.0;
  const double a = analytic < 0.0 ? -analytic : analytic;
  if (a == 0.0) return std::numeric_limits<double>::infinity();
  const double up = e.ci.high - e.value;
  const double down = e.value - e.ci.low;
  const double z = normal_upper_quantile(1.0 - resolution_power);
  return ((up > down ? up : down) + z * e.std_error) / a;
}

/// Validity condition of Hall's interval at a study's small α: the skewness correction
/// |skew|/√n must be small (tests/runtime/coverage_test.cpp measures the coverage at this bound).
/// Above it the interval is not validated: at default settings the claim is `imprecise`.
inline constexpr double max_skew_over_sqrt_n = 0.05;

/// Whether a claim got the verdict it should: its expected one; or `imprecise` for a claim
/// expected confirmed that states why its precision target is out of reach (`states_reason`);
/// or `imprecise` because a limit's gap is unresolved (`unresolved_limit`). A derivation expected
/// wrong must be refuted: an interval too wide or too skewed to refute it is not a finding, with
/// or without a reason. The opposite definite verdict is never as expected.
[[nodiscard]] constexpr bool as_expected(verdict result, verdict expected, bool states_reason,
                                         bool unresolved_limit) noexcept {
  return result == expected || unresolved_limit ||
         (result == verdict::imprecise && expected == verdict::confirmed && states_reason);
}

}  // namespace initlab::study
