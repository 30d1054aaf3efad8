#pragma once
/// Study harness: command line, claims with Bonferroni-controlled intervals, report, progress.
///
/// A study binary is one call to `initlab::study::run`:
/// ```cpp
/// int main(int argc, char** argv) {
///   return initlab::study::run(argc, argv,
///       {.id = "08", .slug = "he_relu", .title = "He initialization keeps ReLU variances",
///        .source = "seed text 000; He et al. 2015 eq. 10",
///        .default_replications = 4000, .quick_replications = 200},
///       [](initlab::study::context& ctx) {
///         const auto width = ctx.setting("width", std::size_t{256});   // recorded in "settings"
///         const auto root = ctx.root_stream();                          // stream(seed).child(id)
///         // one value per trial, computed in parallel (fixed chunks), returned in index order
///         const std::vector<double> q = ctx.trials(ctx.replications(), [&](std::size_t t) {
///           return measure(root.child(0).child(t), width);
///         });
///         ctx.claim({.id = "forward_q", .statement = "...", .formula = "2/n * n/2 = 1",
///                    .analytic = 1.0}, q);                               // mean of the trials
///       });
/// }
/// ```
/// The harness parses `--seed --threads --replications --quick --out --help --version`
/// (DESIGN.md §4), checks the output location before computing, evaluates every claim at
/// confidence 1 − 0.01/m (Bonferroni over the study's m claims), prints the table, writes the
/// report atomically, and returns the exit status: 0 all verdicts as expected, 1 some not,
/// 2 bad usage or I/O error.
///
/// Beyond one machine (DESIGN.md §5): built with MPI, the same binary runs under `mpirun -n R`.
/// Every rank runs the study body; `trials` partitions the trial indices across the ranks (and
/// across threads within a rank), and every rank receives every result in index order (the
/// results are serialized, serialization.hpp), so the body continues identically everywhere;
/// rank 0 alone evaluates, prints and writes. Long runs: SIGINT/SIGTERM stop at the next trial
/// (exit 130/143, no report written); `--checkpoint FILE` keeps the results of the completed
/// trials, `--resume FILE` continues from them to the same report.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <initlab/parallel.hpp>
#include <initlab/random.hpp>
#include <initlab/statistics.hpp>
#include <nlohmann/json.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "serialization.hpp"
#include "verdict.hpp"

namespace initlab::study {

namespace detail {
/// The signal (SIGINT, SIGTERM) that asked the run to stop, 0 if none (set by a handler).
extern std::atomic<int> pending_signal;
/// Throws the harness's `interrupted` exception (study.cpp).
[[noreturn]] void throw_interrupted();
/// Called before every trial: stops the run soon after a signal.
inline void interruption_point() {
  if (pending_signal.load(std::memory_order_relaxed) != 0) throw_interrupted();
}
}  // namespace detail

/// A study's own command-line option `--<name> VALUE`, beside the common ones of DESIGN.md §4
/// (e.g. study 12's `--data DIR`). Given at most once; read with `context::option`.
struct option_spec {
  std::string name;           ///< without the dashes, e.g. "data"
  std::string value_name;     ///< shown in --help, e.g. "DIR"
  std::string help;           ///< one line for --help
  std::string default_value;  ///< the value when the option is absent
};

/// Identity and default sizes of a study; `id` is two digits, the binary is `<id>_<slug>`.
struct info {
  std::string id;                           ///< "08"
  std::string slug;                         ///< "he_relu"
  std::string title;                        ///< one line
  std::string source;                       ///< which text / equation it checks
  std::size_t default_replications = 1000;  ///< trials per claim at default settings
  std::size_t quick_replications = 100;     ///< trials per claim with --quick
  std::uint64_t default_seed = 1;           ///< seed when --seed is not given
  std::vector<option_spec> options{};       ///< the study's own options
};

/// Which statistic of the per-trial values a claim compares with its analytic value.
enum class statistic {
  mean,      ///< mean over trials; Student-t interval (any finite-variance data, CLT)
  variance,  ///< variance across trials; chi-squared interval (valid for Gaussian trial values)
  exact,     ///< a deterministic identity: every trial must equal `analytic` exactly; the
             ///< reported interval is the range [min, max] of the trials, at confidence 1
  proportion,  ///< the fraction of trials whose value is 1 (each 0 or 1); Clopper–Pearson
               ///< interval, exact for any number of trials (no CLT, no skewness condition)
};

/// What a claim states; the estimate and its interval come from the per-trial values.
struct claim_spec {
  std::string id;         ///< short, unique within the study, e.g. "forward_q_layer_3"
  std::string statement;  ///< one sentence a reader can check
  std::string formula;    ///< the analytic formula, e.g. "Var[y] = D·α²·σ_w²·σ_x²"
  double analytic = 0.0;  ///< constexpr value from the core
  verdict expected =
      verdict::confirmed;   ///< refuted for a derivation known to be wrong
  statistic kind = statistic::mean;  ///< mean (default), variance, exact identity, proportion
  /// Precision target at default settings (0 = none): a claim inside an interval wider than
  /// this (or too skewed for it, verdict.hpp) at default settings is `imprecise`, not confirmed.
  double max_rel_half_width = 0.0;
  /// Why this claim may not reach its target within the study's budget (empty: it must). For a
  /// claim expected confirmed, an `imprecise` verdict with a stated reason is reported as such,
  /// with the reason, and does not fail the study; without one it does. A claim expected refuted
  /// must be refuted (the reason is still reported); the opposite verdict always fails.
  std::string unresolved_because{};
  /// Nonempty (e.g. "infinite-width"): `analytic` is the value of a limit, not of the quantity
  /// measured, so the claim is expected refuted wherever the gap is resolvable (the finite-size
  /// value is a claim of its own). With `limit_gap` (the library's derived relative gap,
  /// truth/analytic − 1) not refuting it is as expected only when |limit_gap| < 1.5·resolution,
  /// so the claim fails if a derived, resolvable gap does not show. Without a derived gap (0) the
  /// claim measures the gap: either verdict is as expected, and its interval says how well,
  /// unless `resolved_at_default`.
  std::string limit{};
  double limit_gap = 0.0;  ///< derived relative gap to the limit (0: not derived)
  /// For a limit claim without a derived gap: the default budget is designed to resolve the gap,
  /// so at default settings it must be refuted (at reduced settings either verdict is expected).
  bool resolved_at_default = false;
};

/// A limit claim's gap counts as resolvable from this multiple of its resolution.
inline constexpr double limit_resolvable = 1.5;

/// A claim expected to hold: analytic value from the core, precision target at default settings.
[[nodiscard]] inline claim_spec holds(std::string id, std::string statement, std::string formula,
                                      double analytic, double target = 0.0,
                                      statistic kind = statistic::mean) {
  return {.id = std::move(id), .statement = std::move(statement), .formula = std::move(formula),
          .analytic = analytic, .expected = verdict::confirmed, .kind = kind,
          .max_rel_half_width = target};
}

/// A derivation known to be wrong, stated as a claim expected to be refuted.
[[nodiscard]] inline claim_spec wrong(std::string id, std::string statement, std::string formula,
                                      double analytic, statistic kind = statistic::mean) {
  return {.id = std::move(id), .statement = std::move(statement), .formula = std::move(formula),
          .analytic = analytic, .expected = verdict::refuted, .kind = kind,
          .max_rel_half_width = 0.0};
}

/// The value of a limit (`limit`, e.g. "infinite-width") stated at a finite size: expected
/// refuted where the gap is resolvable (claim_spec::limit; `gap` the derived relative gap).
[[nodiscard]] inline claim_spec limit_value(std::string id, std::string statement,
                                            std::string formula, double analytic,
                                            std::string limit, double gap = 0.0) {
  return {.id = std::move(id), .statement = std::move(statement), .formula = std::move(formula),
          .analytic = analytic, .expected = verdict::refuted, .kind = statistic::mean,
          .max_rel_half_width = 0.0, .unresolved_because = {}, .limit = std::move(limit),
          .limit_gap = gap};
}

/// The run-time handle a study body receives: settings, streams, parallel trials, claims.
class context {
 public:
  /// Seed from --seed (or info::default_seed).
  [[nodiscard]] std::uint64_t seed() const noexcept;
  /// Trials per claim: --replications, else quick or default count of `info`.
  [[nodiscard]] std::size_t replications() const noexcept;
  /// Worker threads (--threads, default all cores); never changes a result.
  [[nodiscard]] std::size_t threads() const noexcept;
  /// True with --quick.
  [[nodiscard]] bool quick() const noexcept;
  /// The value of the study's own option `--<name>` (info::options), or its default; throws
  /// std::logic_error for a name the study did not declare.
  [[nodiscard]] const std::string& option(std::string_view name) const;
  /// `initlab::stream(seed()).child(numeric id)`: derive claim / trial streams from it.
  [[nodiscard]] initlab::stream root_stream() const noexcept {
    return initlab::stream(seed()).child(study_number());
  }
  /// The study id as a number ("08" → 8): the first child index of every stream.
  [[nodiscard]] std::uint64_t study_number() const noexcept;

  /// Records a study parameter under settings[name] and returns it (integers, floating
  /// point, bool, strings, and vectors of those).
  template <class T>
  T setting(std::string_view name, T value) {
    auto& all = settings();
    const std::string key(name);
    if (all.contains(key)) throw std::logic_error("setting '" + key + "' is recorded twice");
    all[key] = value;
    return value;
  }

  /// Calls f(i) for i in [0, n) on threads() workers (of every MPI rank), with a progress bar on
  /// a terminal; results in index order, bit-identical for any thread and rank count. f(i) must
  /// depend on i only (streams keyed by i) and return a serializable value
  /// (serialization.hpp); a void f runs every trial on every rank (its effects stay in each
  /// rank's memory).
  template <class F>
  auto trials(std::size_t n, F&& f) {
    using result = std::invoke_result_t<F&, std::size_t>;
    begin_progress(n);
    if constexpr (std::is_void_v<result>) {
      auto tick = [this](std::size_t done) { progress(done); };
      std::exception_ptr error;
      try {
        initlab::run_trials(
            n, threads(),
            [&](std::size_t i) {
              detail::interruption_point();
              f(i);
            },
            tick);
      } catch (...) {
        error = std::current_exception();
      }
      (void)exchange({}, error);  // every rank learns of an error or a signal on any rank
      end_progress();
    } else {
      static_assert(std::is_default_constructible_v<result>,
                    "a trial result is read back into a default-constructed value");
      const batch_plan plan = begin_batch(n, serialization::type_key<result>());
      std::vector<result> out;
      out.reserve(n);
      if (plan.restored > 0) {
        serialization::reader r(plan.restored_bytes);
        for (std::size_t i = 0; i < plan.restored; ++i)
          serialization::read(r, out.emplace_back());
      }
      for (std::size_t first = plan.restored; first < n;) {
        const std::size_t last = n - first > plan.segment ? first + plan.segment : n;
        const auto [lo, hi] = share(first, last);
        std::vector<result> mine;
        std::exception_ptr error;
        try {
          mine = initlab::run_trials(
              hi - lo, threads(),
              [&](std::size_t i) {
                detail::interruption_point();
                return f(lo + i);
              },
              [this, first](std::size_t done) { progress(first + done); });
        } catch (...) {
          error = std::current_exception();
        }
        if (!plan.serialized) {
          if (error) std::rethrow_exception(error);
          for (auto& v : mine)
            out.push_back(std::move(v));
        } else {
          serialization::writer w;
          if (!error)
            for (const auto& v : mine)
              serialization::write(w, v);
          const std::string all = exchange(w.take(), error);  // every rank's, in rank order
          if (plan.distributed) {
            serialization::reader r(all);
            for (std::size_t i = first; i < last; ++i)
              serialization::read(r, out.emplace_back());
            if (!r.done()) throw std::logic_error("trial results of another rank do not match");
          } else {
            for (auto& v : mine)
              out.push_back(std::move(v));
          }
          end_segment(all, last);
        }
        first = last;
      }
      end_progress();
      return out;
    }
  }

  /// Adds a claim whose statistic (spec.kind) is estimated from one value per trial.
  void claim(claim_spec spec, std::span<const double> per_trial);
  /// Adds a claim on the ratio mean(numerator) / mean(denominator) of paired per-trial
  /// values (delta-method standard error, Student-t quantile).
  void ratio_claim(claim_spec spec, std::span<const double> numerator,
                   std::span<const double> denominator);

  context(const context&) = delete;
  context& operator=(const context&) = delete;
  ~context();

  struct state;  ///< implementation detail (studies/harness/*.cpp)
  explicit context(state& s) noexcept : state_(&s) {}

 private:
  nlohmann::ordered_json& settings();
  /// How one `trials` call runs: results restored from a checkpoint, the segment length (the
  /// trials between two exchanges / checkpoints), and whether results travel as bytes.
  struct batch_plan {
    std::size_t restored = 0;    ///< trials [0, restored) come from the checkpoint
    std::string restored_bytes;  ///< their serialized results
    std::size_t segment = 1;     ///< trials per segment
    bool distributed = false;    ///< more than one rank: results come from every rank
    bool serialized = false;     ///< distributed or checkpointing
  };
  batch_plan begin_batch(std::size_t n, std::uint64_t type_key);
  /// This rank's part [lo, hi) of the trials [first, last) (contiguous, in rank order).
  [[nodiscard]] std::pair<std::size_t, std::size_t> share(std::size_t first,
                                                          std::size_t last) const noexcept;
  /// Every rank's `mine`, concatenated in rank order; an error on any rank (the lowest rank's)
  /// is thrown on every rank.
  std::string exchange(std::string mine, const std::exception_ptr& error);
  /// Records the segment's results (`all`, trials up to `done`) for the checkpoint.
  void end_segment(std::string_view all, std::size_t done);
  void begin_progress(std::size_t total);
  void progress(std::size_t done);
  void end_progress();
  state* state_;
};

/// Runs a study: parse, check output, call body, evaluate claims, print, write. Returns the
/// process exit status (0, 1 or 2). Never throws.
int run(int argc, char** argv, const info& study, const std::function<void(context&)>& body);

}  // namespace initlab::study
