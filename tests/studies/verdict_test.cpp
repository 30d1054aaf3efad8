// The study policy (studies/harness/verdict.hpp): Bonferroni, the interval rule, exact identities.
#include <catch2/catch.hpp>
#include <initlab/statistics.hpp>
#include <stdexcept>
#include <vector>

#include "verdict.hpp"

using initlab::study::verdict;

TEST_CASE("Bonferroni splits the 1% family-wise error over the claims", "[verdict]") {
  CHECK(initlab::study::bonferroni_alpha(0.01, 1) == 0.01);
  CHECK(initlab::study::bonferroni_alpha(0.01, 4) == 0.0025);
  CHECK(initlab::study::study_family_error == 0.01);
  CHECK_THROWS_AS(initlab::study::bonferroni_alpha(0.01, 0), std::invalid_argument);
}

TEST_CASE("a claim is confirmed iff its analytic value lies in the closed interval", "[verdict]") {
  const std::vector<double> x{1.0, 3.0};  // mean 2, se 1, t(1 df, 0.005) = 63.657
  const auto e = initlab::mean_estimate(x, 0.01);
  CHECK(initlab::study::decide(2.0 + 63.0, e.ci) == verdict::confirmed);
  CHECK(initlab::study::decide(2.0 + 64.0, e.ci) == verdict::refuted);
  CHECK(initlab::study::decide(e.ci.low, e.ci) == verdict::confirmed);
  CHECK(initlab::study::relative_half_width(e, 4.0) == Approx(e.ci.half_width() / 4.0));
  CHECK(initlab::study::to_string(verdict::refuted) == "refuted");
  CHECK(initlab::study::to_string(verdict::confirmed) == "confirmed");
}

TEST_CASE("an exact identity is confirmed only when every trial equals the analytic value",
          "[verdict]") {
  std::vector<double> zeros(4000, 0.0);
  CHECK(initlab::study::decide_exact(0.0, initlab::exact_estimate(zeros).ci) == verdict::confirmed);
  // Negative controls: one tiny deviation among 4000 trials refutes, and so does a constant that
  // is not the analytic value.
  zeros[1234] = 1e-300;
  CHECK(initlab::study::decide_exact(0.0, initlab::exact_estimate(zeros).ci) == verdict::refuted);
  const std::vector<double> twos(10, 2.0);
  CHECK(initlab::study::decide_exact(0.0, initlab::exact_estimate(twos).ci) == verdict::refuted);
  CHECK(initlab::study::decide_exact(2.0, initlab::exact_estimate(twos).ci) ==
        verdict::confirmed);
}

TEST_CASE("a claim is as expected on its expected verdict, or imprecise with a stated reason when "
          "a confirmation was expected, never on the opposite verdict", "[verdict]") {
  using initlab::study::as_expected;
  constexpr verdict all[] = {verdict::confirmed, verdict::refuted, verdict::imprecise};
  for (const verdict expected : all)
    for (const verdict result : all) {
      INFO("expected " << initlab::study::to_string(expected) << ", got "
                       << initlab::study::to_string(result));
      // Without a reason only the expected verdict counts.
      CHECK(as_expected(result, expected, false, false) == (result == expected));
      // A stated reason admits imprecise for an expected confirmation, and nothing else.
      CHECK(as_expected(result, expected, true, false) ==
            (result == expected ||
             (result == verdict::imprecise && expected == verdict::confirmed)));
    }
  CHECK(as_expected(verdict::imprecise, verdict::confirmed, true, false));
  // Controls: a derivation expected wrong is not excused by a reason (it must be refuted), and a
  // reason never turns the opposite definite verdict into the expected one.
  CHECK_FALSE(as_expected(verdict::imprecise, verdict::refuted, true, false));
  CHECK_FALSE(as_expected(verdict::confirmed, verdict::refuted, true, false));
  CHECK_FALSE(as_expected(verdict::refuted, verdict::confirmed, true, false));
  // An unresolved limit (set by the harness only with result imprecise) counts as expected.
  CHECK(as_expected(verdict::imprecise, verdict::confirmed, false, true));
  CHECK(as_expected(verdict::imprecise, verdict::refuted, false, true));
}
