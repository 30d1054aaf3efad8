/// Internal probe of the study harness (not a numbered study): real claims on Gaussian and
/// uniform draws from initlab's samplers, used by the bad-input and reproducibility tests.
/// Built twice: as harness_probe_study, and with INITLAB_PROBE_WRONG_ANALYTIC as
/// harness_probe_wrong, whose first claim states σ²/2 instead of σ² (a negative control that
/// must be refuted, so that binary exits 1).
#include <cstddef>
#include <cstdlib>
#include <initlab/random.hpp>
#include <initlab/sampler.hpp>
#include <span>
#include <vector>

#include "study.hpp"

namespace {

constexpr double sigma = 0.5;               // standard deviation of the Gaussian draws
constexpr std::size_t draws = 64;           // draws per trial
constexpr double variance = sigma * sigma;  // Var[z] of z ~ N(0, σ²)
#ifdef INITLAB_PROBE_WRONG_ANALYTIC
constexpr double stated_variance = variance / 2.0;  // deliberately wrong
#else
constexpr double stated_variance = variance;
#endif
static_assert(variance == 0.25);

/// The first claim's analytic value; the build harness_probe_offset multiplies it by
/// 1 + $INITLAB_PROBE_OFFSET (a negative control placed at a multiple of the claim's resolution).
double first_analytic() {
#ifdef INITLAB_PROBE_OFFSET_FROM_ENV
  if (const char* offset = std::getenv("INITLAB_PROBE_OFFSET"))
    return stated_variance * (1.0 + std::strtod(offset, nullptr));
#endif
  return stated_variance;
}

/// Unbiased sample variance of the (zero-mean) draws, summed in index order.
double sample_variance(std::span<const double> x) {
  double sum = 0.0;
  for (double v : x)
    sum += v;
  const double mean = sum / static_cast<double>(x.size());
  double ss = 0.0;
  for (double v : x)
    ss += (v - mean) * (v - mean);
  return ss / static_cast<double>(x.size() - 1);
}

double mean_square(std::span<const double> x) {
  double s = 0.0;
  for (double v : x)
    s += v * v;
  return s / static_cast<double>(x.size());
}

double mean_of(std::span<const double> x) {
  double s = 0.0;
  for (double v : x)
    s += v;
  return s / static_cast<double>(x.size());
}

}  // namespace

int main(int argc, char** argv) {
  return initlab::study::run(
      argc, argv,
      {.id = "00",
       .slug = "harness_probe",
       .title = "Harness probe: moments of Gaussian and uniform draws",
       .source = "tests/studies/harness_probe_study.cpp (not a seed-text derivation)",
       .default_replications = 2000,
       .quick_replications = 200},
      [](initlab::study::context& ctx) {
        const double s = ctx.setting("sigma", sigma);
        const std::size_t k = ctx.setting("draws_per_trial", draws);
        const initlab::stream root = ctx.root_stream();
        struct trial_values {
          double sample_var = 0, mean = 0, wide = 0, narrow = 0, uniform_sq = 0;
        };
        const auto t = ctx.trials(ctx.replications(), [&](std::size_t trial) {
          std::vector<double> z(k);
          trial_values v;
          initlab::fill_normal(root.child(0).child(trial), z, 0.0, s);
          v.sample_var = sample_variance(z);
          v.mean = mean_of(z);
          initlab::fill_normal(root.child(1).child(trial), z, 0.0, 2.0 * s);
          v.wide = mean_square(z);
          initlab::fill_normal(root.child(2).child(trial), z, 0.0, s);
          v.narrow = mean_square(z);
          initlab::fill_uniform(root.child(3).child(trial), z, -1.0, 1.0);
          v.uniform_sq = mean_square(z);
          return v;
        });
        auto column = [&](double trial_values::*m) {
          std::vector<double> c;
          for (const auto& v : t)
            c.push_back(v.*m);
          return c;
        };
        ctx.claim({.id = "sample_variance",
                   .statement = "the sample variance of N(0, σ²) draws is unbiased for σ²",
                   .formula = "E[s²] = σ²",
                   .analytic = first_analytic()},
                  column(&trial_values::sample_var));
        ctx.claim({.id = "variance_of_mean",
                   .statement = "the mean of k draws has variance σ²/k",
                   .formula = "Var[mean] = σ²/k",
                   .analytic = variance / static_cast<double>(draws),
                   .kind = initlab::study::statistic::variance},
                  column(&trial_values::mean));
        ctx.ratio_claim({.id = "second_moment_ratio",
                         .statement = "doubling σ multiplies E[z²] by 4",
                         .formula = "E[(2σz)²]/E[(σz)²] = 4",
                         .analytic = 4.0},
                        column(&trial_values::wide), column(&trial_values::narrow));
        ctx.claim({.id = "uniform_wrong_variance",
                   .statement = "U[-1, 1] has variance 1/2 (false: it is 1/3)",
                   .formula = "b²/2 (wrong; b²/3 is right)",
                   .analytic = 0.5,
                   .expected = initlab::study::verdict::refuted},
                  column(&trial_values::uniform_sq));
      });
}
