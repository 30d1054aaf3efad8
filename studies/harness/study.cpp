/// The study driver: command line, claims, verdicts, table, report.
#include "study.hpp"

#include <unistd.h>

#include <csignal>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <exception>
#include <initlab/sha256.hpp>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <new>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "initlab_build_config.hpp"
#include "initlab_git_info.hpp"
#include "internal.hpp"

namespace initlab::study {

namespace {

/// A claim as declared by the study; evaluated once all claims are known (Bonferroni).
struct pending_claim {
  claim_spec spec;
  std::vector<double> values;       // per-trial values (numerator for a ratio)
  std::vector<double> denominator;  // per-trial denominators of a ratio claim
  bool ratio = false;
};

/// One claim after evaluation.
struct evaluated_claim {
  const pending_claim* claim;
  initlab::estimate est;
  verdict result;
  double rel_half_width;
  double resolution = 0.0;  // smallest relative error refuted with probability ≥ 0.9
  std::string note;         // why a claim inside its interval is not confirmed
  bool unresolved_limit = false;  // a limit claim confirmed at reduced settings
};


/// A usage error: one line on stderr, exit 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Strict decimal unsigned 64-bit parse: digits only (no sign, space, prefix), no overflow.
/// (CLI11 2.1 converts with strtoull, which accepts "-1" as 2^64-1 and saturates on overflow.)
std::uint64_t parse_unsigned(const std::string& flag, const std::string& text) {
  if (text.empty()) throw usage_error(flag + ": empty value, expected an unsigned integer");
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw usage_error(flag + ": '" + text + "' is not an unsigned decimal integer");
  std::uint64_t v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec == std::errc::result_out_of_range)
    throw usage_error(flag + ": '" + text + "' is out of range (at most " +
                      std::to_string(std::numeric_limits<std::uint64_t>::max()) + ")");
  if (r.ec != std::errc{} || r.ptr != text.data() + text.size())
    throw usage_error(flag + ": '" + text + "' is not an unsigned decimal integer");
  return v;
}

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  while (!s.empty() && s.back() == ' ')
    s.pop_back();
  return s;
}

std::string version_text(const std::string& name) {
  return name + " (initlab " INITLAB_BUILD_VERSION ", git " INITLAB_GIT_COMMIT ", " +
         std::string(INITLAB_BUILD_TYPE) + ")";
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string fmt_number(double x, int digits = 6) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, x);
  return buf;
}

}  // namespace

/// Everything a run knows; the context is a handle to it.
struct context::state {
  info study;
  std::string name;  // NN_slug
  std::uint64_t seed = 0;
  std::size_t replications = 0;
  std::size_t threads = 1;
  bool quick = false;
  std::map<std::string, std::string, std::less<>> options;  // info::options, parsed
  bool default_size = true;  // neither --quick nor --replications: precision targets apply
  std::uint64_t number = 0;
  nlohmann::ordered_json settings = nlohmann::ordered_json::object();
  std::vector<pending_claim> claims;
  // progress bar (only when stderr is a terminal)
  bool tty = false;
  std::mutex progress_mutex;
  std::size_t progress_total = 0;
  int progress_shown = -1;
  std::size_t progress_phase = 0;
  std::chrono::steady_clock::time_point progress_start{};
  // beyond one machine, long runs
  int rank = 0;                     // this process's MPI rank (0 without MPI)
  std::size_t ranks = 1;            // MPI ranks of the run
  std::string checkpoint;           // --checkpoint FILE (or --resume FILE), empty: none
  std::string resume;               // --resume FILE, empty: a fresh run
  std::uint64_t checkpoint_interval = 60;  // seconds between two checkpoint writes
  detail::checkpoint_data restored;  // what --resume read (every rank)
  detail::checkpoint_data record;    // what --checkpoint writes (rank 0)
  std::size_t batches = 0;           // trials calls so far
  std::chrono::steady_clock::time_point last_checkpoint = std::chrono::steady_clock::now();
};

std::uint64_t context::seed() const noexcept {
  return state_->seed;
}
std::size_t context::replications() const noexcept {
  return state_->replications;
}
std::size_t context::threads() const noexcept {
  return state_->threads;
}
bool context::quick() const noexcept {
  return state_->quick;
}
const std::string& context::option(std::string_view name) const {
  const auto it = state_->options.find(name);
  if (it == state_->options.end())
    throw std::logic_error("option '--" + std::string(name) + "' is not declared in the study's info");
  return it->second;
}
std::uint64_t context::study_number() const noexcept {
  return state_->number;
}
nlohmann::ordered_json& context::settings() {
  return state_->settings;
}
context::~context() = default;

void context::claim(claim_spec spec, std::span<const double> per_trial) {
  pending_claim c;
  c.spec = std::move(spec);
  c.values.assign(per_trial.begin(), per_trial.end());
  state_->claims.push_back(std::move(c));
}

void context::ratio_claim(claim_spec spec, std::span<const double> numerator,
                          std::span<const double> denominator) {
  if (numerator.size() != denominator.size())
    throw std::invalid_argument("ratio claim '" + spec.id +
                                "': numerator and denominator differ in length");
  pending_claim c;
  c.spec = std::move(spec);
  c.values.assign(numerator.begin(), numerator.end());
  c.denominator.assign(denominator.begin(), denominator.end());
  c.ratio = true;
  state_->claims.push_back(std::move(c));
}

context::batch_plan context::begin_batch(std::size_t n, std::uint64_t type_key) {
  state& s = *state_;
  const std::size_t k = s.batches++;
  const bool checkpointing = !s.checkpoint.empty();
  batch_plan plan;
  plan.distributed = s.ranks > 1;
  plan.serialized = plan.distributed || checkpointing;
  // With checkpoints a call runs in 16 segments (a checkpoint may follow each); else in one.
  plan.segment = std::max<std::size_t>(1, checkpointing ? (n + 15) / 16 : n);
  if (k < s.restored.batches.size()) {
    detail::checkpoint_batch& b = s.restored.batches[k];
    if (b.n != n || b.type != type_key)
      throw detail::io_error("--resume '" + s.resume + "' does not match this run: trial batch " +
                             std::to_string(k + 1) + " has " + std::to_string(b.n) +
                             " trials of another type there, here " + std::to_string(n));
    plan.restored = static_cast<std::size_t>(b.done);
    plan.restored_bytes = std::move(b.bytes);
    b.bytes.clear();
  }
  if (checkpointing && s.rank == 0)
    s.record.batches.push_back({.n = n, .type = type_key, .done = plan.restored,
                                .bytes = plan.restored_bytes});
  return plan;
}

std::pair<std::size_t, std::size_t> context::share(std::size_t first,
                                                    std::size_t last) const noexcept {
  const std::size_t n = last - first, r = static_cast<std::size_t>(state_->rank);
  const std::size_t ranks = state_->ranks;
  return {first + n * r / ranks, first + n * (r + 1) / ranks};
}

namespace {
std::string program_name;  // argv[0]'s file name, for messages

const char* signal_name(int sig) {
  return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

/// The one line a failure prints ("NAME: error: ..."), as `run` formats it.
std::string error_line(const std::exception_ptr& e);

/// Writes the checkpoint (rank 0).
void write_checkpoint(context::state& s) {
  detail::write_atomically(s.checkpoint, detail::encode_checkpoint(s.record));
  s.last_checkpoint = std::chrono::steady_clock::now();
}
}  // namespace

namespace {
/// context::exchange on a run's state (also used before the study body has a context).
std::string exchange_on(context::state& s, std::string mine, const std::exception_ptr& error) {
  if (s.ranks == 1) {
    if (error) std::rethrow_exception(error);
    return mine;
  }
  int status = 0;
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const detail::interrupted& e) {
      status = 100 + e.signal;
    } catch (...) {
      status = 1;
      mine = error_line(std::current_exception());
    }
  }
  std::vector<detail::cluster::part> parts = detail::cluster::all_gather(status, std::move(mine));
  for (const auto& p : parts) {
    if (p.status >= 100) throw detail::interrupted(p.status - 100);
    if (p.status != 0) throw detail::agreed_error(p.bytes, s.rank == 0);
  }
  std::string all;
  for (const auto& p : parts)
    all += p.bytes;
  return all;
}
}  // namespace

std::string context::exchange(std::string mine, const std::exception_ptr& error) {
  return exchange_on(*state_, std::move(mine), error);
}

void context::end_segment(std::string_view all, std::size_t done) {
  state& s = *state_;
  if (s.checkpoint.empty() || s.rank != 0) return;
  detail::checkpoint_batch& b = s.record.batches.back();
  b.bytes.append(all);
  b.done = done;
  const double since =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - s.last_checkpoint).count();
  if (since >= static_cast<double>(s.checkpoint_interval)) write_checkpoint(s);
}

void context::begin_progress(std::size_t total) {
  if (!state_->tty) return;
  const std::lock_guard lock(state_->progress_mutex);
  state_->progress_total = total;
  state_->progress_shown = -1;
  ++state_->progress_phase;
  state_->progress_start = std::chrono::steady_clock::now();
}

void context::progress(std::size_t done) {
  if (!state_->tty) return;
  const std::lock_guard lock(state_->progress_mutex);
  const std::size_t total = state_->progress_total;
  const int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
  if (percent <= state_->progress_shown) return;
  state_->progress_shown = percent;
  constexpr int width = 30;
  const int filled = percent * width / 100;
  // ETA of this batch of trials from its rate so far (terminal only; never in a report).
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                       state_->progress_start).count();
  const long eta = done == 0 ? -1
                             : static_cast<long>(elapsed * static_cast<double>(total - done) /
                                                     static_cast<double>(done) + 0.5);
  char eta_text[32] = "ETA --:--";
  if (eta >= 0) std::snprintf(eta_text, sizeof eta_text, "ETA %ld:%02ld", eta / 60, eta % 60);
  std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%  batch %zu: %zu/%zu trials, %s\033[K",
               state_->name.c_str(), filled, "##############################", width - filled, "",
               percent, state_->progress_phase, done, total, eta_text);
  std::fflush(stderr);
}

void context::end_progress() {
  if (!state_->tty) return;
  std::fputs("\r\033[2K", stderr);
  std::fflush(stderr);
}

namespace {

std::string statistic_name(const pending_claim& c) {
  if (c.ratio) return "ratio_of_means";
  switch (c.spec.kind) {
    case statistic::variance:
      return "variance";
    case statistic::exact:
      return "exact";
    case statistic::proportion:
      return "proportion";
    case statistic::mean:
      break;
  }
  return "mean";
}

void require_finite(const std::string& id, std::span<const double> v) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!(v[i] - v[i] == 0.0))
      throw std::runtime_error("claim '" + id + "': trial " + std::to_string(i) +
                               " gave a non-finite value");
}

/// At default settings a claim inside an interval that misses its precision target, or Hall's
/// validity condition (verdict.hpp), is `imprecise`: not confirmed.
void apply_precision_policy(evaluated_claim& c, bool default_size) {
  if (!default_size || c.result != verdict::confirmed) return;
  const claim_spec& spec = c.claim->spec;
  const double n = static_cast<double>(c.est.trials);
  const double skew_term = (c.est.skewness < 0.0 ? -c.est.skewness : c.est.skewness) / std::sqrt(n);
  if (spec.max_rel_half_width > 0.0 && !(c.rel_half_width <= spec.max_rel_half_width)) {
    c.note = "relative half-width " + fmt_number(100.0 * c.rel_half_width, 3) +
             "% exceeds the target " + fmt_number(100.0 * spec.max_rel_half_width, 3) + "%";
  } else if (skew_term > max_skew_over_sqrt_n) {
    c.note = "skewness/sqrt(trials) = " + fmt_number(skew_term, 3) + " exceeds " +
             fmt_number(max_skew_over_sqrt_n, 3) + ": too few trials for a validated interval";
  } else {
    return;
  }
  c.result = verdict::imprecise;
  if (!spec.unresolved_because.empty()) c.note += "; " + spec.unresolved_because;
}

/// A limit claim (claim_spec::limit) is expected refuted. Not refuting it (confirmed, or
/// imprecise) is as expected only where the gap is not resolvable: a derived gap below 1.5× the
/// resolution, or no derived gap (the claim then measures the gap; its interval says how well),
/// or, for a gap the default budget is designed to resolve, reduced settings.
void apply_limit_policy(evaluated_claim& c, bool default_size) {
  const claim_spec& spec = c.claim->spec;
  if (spec.limit.empty() || c.result == verdict::refuted) return;
  const double gap = spec.limit_gap < 0.0 ? -spec.limit_gap : spec.limit_gap;
  std::string why;
  if (spec.limit_gap == 0.0 && spec.resolved_at_default) {
    if (default_size) return;
    why = "the gap to the " + spec.limit +
          " value is not resolved at reduced settings (expected refuted at default settings)";
  } else if (spec.limit_gap == 0.0) {
    why = "the gap to the " + spec.limit +
          " value is not derived: this claim measures it and does not resolve it";
  } else if (gap < limit_resolvable * c.resolution) {
    why = "the derived gap to the " + spec.limit + " value, " + fmt_number(100.0 * gap, 3) +
          "%, is below " + fmt_number(limit_resolvable, 2) + "x the resolution";
  } else {
    return;
  }
  // Not refuted is not confirmed: the limit's gap is merely unresolved here.
  c.unresolved_limit = true;
  c.result = verdict::imprecise;
  c.note = c.note.empty() ? why : c.note + "; " + why;
}

/// Whether a claim got the verdict it should (the rule: verdict.hpp).
bool as_expected(const evaluated_claim& c) {
  const claim_spec& spec = c.claim->spec;
  return study::as_expected(c.result, spec.expected, !spec.unresolved_because.empty(),
                            c.unresolved_limit);
}

std::vector<evaluated_claim> evaluate(const std::vector<pending_claim>& claims,
                                      bool default_size) {
  if (claims.empty()) throw std::logic_error("the study declared no claims");
  const double alpha = bonferroni_alpha(study_family_error, claims.size());
  std::vector<evaluated_claim> out;
  std::vector<std::string> ids;
  for (const pending_claim& c : claims) {
    const std::string& id = c.spec.id;
    if (id.empty()) throw std::logic_error("a claim has an empty id");
    if (std::find(ids.begin(), ids.end(), id) != ids.end())
      throw std::logic_error("claim id '" + id + "' is used twice");
    ids.push_back(id);
    if (!(c.spec.analytic - c.spec.analytic == 0.0))
      throw std::logic_error("claim '" + id + "': analytic value is not finite");
    const bool exact = !c.ratio && c.spec.kind == statistic::exact;
    if (c.values.size() < (exact ? 1u : 2u))
      throw std::logic_error("claim '" + id + "': needs at least 2 trials, got " +
                             std::to_string(c.values.size()));
    require_finite(id, c.values);
    initlab::estimate e;
    if (exact) {
      e = initlab::exact_estimate(c.values);
      out.push_back({&c, e, decide_exact(c.spec.analytic, e.ci),
                     relative_half_width(e, c.spec.analytic), 0.0, {}});
      continue;
    }
    if (c.ratio) {
      require_finite(id, c.denominator);
      e = initlab::ratio_estimate(c.values, c.denominator, alpha);
    } else if (c.spec.kind == statistic::variance) {
      e = initlab::variance_estimate(c.values, alpha);
    } else if (c.spec.kind == statistic::proportion) {
      try {  // proportion_estimate checks that every value is 0 or 1; name the claim
        e = initlab::proportion_estimate(c.values, alpha);
      } catch (const std::invalid_argument& bad) {
        throw std::logic_error("claim '" + id + "': " + bad.what());
      }
    } else {
      e = initlab::mean_estimate(c.values, alpha);
    }
    out.push_back({&c, e, decide(c.spec.analytic, e.ci), relative_half_width(e, c.spec.analytic),
                   resolution(e, c.spec.analytic, false), {}});
    apply_precision_policy(out.back(), default_size);
    apply_limit_policy(out.back(), default_size);
  }
  return out;
}

nlohmann::ordered_json finite_or_null(double x) {
  if (x - x == 0.0) return x;
  return nullptr;
}

void print_table(const context::state& s, const std::vector<evaluated_claim>& claims,
                 double confidence, std::size_t expected_count, const std::string& out) {
  std::size_t w = 5;
  for (const auto& c : claims)
    w = std::max(w, c.claim->spec.id.size());
  w = std::min<std::size_t>(w, 40);
  std::ostringstream o;
  o << s.name << ": " << s.study.title << "\n";
  o << "seed " << s.seed << ", " << s.replications << " replications" << (s.quick ? " (quick)" : "")
    << ", " << s.threads << " threads; each interval at confidence " << fmt_number(confidence)
    << " (Bonferroni, 1% family-wise over " << claims.size() << " claims)\n\n";
  char line[1024];
  std::snprintf(line, sizeof line, "%-*s %12s %12s  %-27s %8s %8s  %s\n", static_cast<int>(w),
                "claim", "analytic", "estimate", "confidence interval", "rel.hw", "resol.",
                "verdict (expected)");
  o << line;
  for (const auto& c : claims) {
    const auto& spec = c.claim->spec;
    const std::string ci = "[" + fmt_number(c.est.ci.low) + ", " + fmt_number(c.est.ci.high) + "]";
    std::string rel = c.rel_half_width - c.rel_half_width == 0.0
                          ? fmt_number(100.0 * c.rel_half_width, 3) + "%"
                          : std::string("-");
    const bool ok = as_expected(c);
    std::string verdict_text = std::string(to_string(c.result));
    if (!ok)
      verdict_text += " (expected " + std::string(to_string(spec.expected)) + ") MISMATCH";
    else if (spec.expected == verdict::refuted)
      verdict_text += " (expected)";
    const std::string res = c.resolution - c.resolution == 0.0
                                ? fmt_number(100.0 * c.resolution, 3) + "%"
                                : std::string("-");
    if (!c.note.empty()) verdict_text += " [" + c.note + "]";
    std::snprintf(line, sizeof line, "%-*s %12s %12s  %-27s %8s %8s  %s\n", static_cast<int>(w),
                  spec.id.c_str(), fmt_number(spec.analytic).c_str(),
                  fmt_number(c.est.value).c_str(), ci.c_str(), rel.c_str(), res.c_str(),
                  verdict_text.c_str());
    o << line;
  }
  o << "\nverdict: " << (expected_count == claims.size() ? "pass" : "FAIL") << " (" << expected_count
    << "/" << claims.size() << " claims as expected); report: " << out << "\n";
  std::cout << o.str() << std::flush;
}

int finish(context::state& s, const info& study, const std::string& out, int argc, char** argv,
           std::chrono::steady_clock::time_point start);

int run_checked(int argc, char** argv, const info& study,
                const std::function<void(context&)>& body) {
  const auto start = std::chrono::steady_clock::now();
  if (study.id.size() != 2 || !std::isdigit(static_cast<unsigned char>(study.id[0])) ||
      !std::isdigit(static_cast<unsigned char>(study.id[1])))
    throw std::logic_error("study id '" + study.id + "' is not two digits");
  if (study.default_replications < 2 || study.quick_replications < 2)
    throw std::logic_error("study replication counts must be at least 2");

  context::state s;
  s.study = study;
  s.name = study.id + "_" + study.slug;
  s.number = static_cast<std::uint64_t>((study.id[0] - '0') * 10 + (study.id[1] - '0'));
  s.rank = detail::cluster::rank();
  s.ranks = static_cast<std::size_t>(detail::cluster::size());

  // ----------------------------------------------------------------- command line
  CLI::App app{study.title, s.name};
  app.set_version_flag("--version", version_text(s.name), "Print the version and exit");
  std::string seed_text, threads_text, replications_text;
  std::string out = "results/" + s.name + ".json";
  bool quick = false;
  app.add_option(
         "--seed", seed_text,
         "Random seed, unsigned 64-bit (default " + std::to_string(study.default_seed) + ")")
      ->type_name("N");
  app.add_option("--threads", threads_text,
                 "Worker threads, >= 1 (default: all cores); never changes the report")
      ->type_name("N");
  app.add_option("--replications", replications_text,
                 "Independent trials per claim, >= 2 (default " +
                     std::to_string(study.default_replications) + ", --quick " +
                     std::to_string(study.quick_replications) + ")")
      ->type_name("N");
  app.add_flag("--quick", quick, "Small trial counts, for tests (seconds)");
  app.add_option("--out", out, "Report file (default results/" + s.name + ".json)")
      ->type_name("FILE");
  std::string checkpoint_text, resume_text, interval_text;
  app.add_option("--checkpoint", checkpoint_text,
                 "Keep the completed trials in FILE (written atomically, every "
                 "--checkpoint-interval seconds and when interrupted)")
      ->type_name("FILE");
  app.add_option("--resume", resume_text,
                 "Continue the run kept in FILE by --checkpoint (and keep checkpointing there); "
                 "the report equals an uninterrupted run's")
      ->type_name("FILE");
  app.add_option("--checkpoint-interval", interval_text,
                 "Seconds between two checkpoint writes (default 60; 0: after every segment)")
      ->type_name("SECONDS");
  for (const option_spec& o : study.options) {
    if (o.name.empty() || s.options.contains(o.name) || app.get_option_no_throw("--" + o.name))
      throw std::logic_error("study option '--" + o.name + "' is empty or declared twice");
    std::string& value = s.options[o.name] = o.default_value;
    app.add_option("--" + o.name, value, o.help + " (default " + o.default_value + ")")
        ->type_name(o.value_name)
        ->multi_option_policy(CLI::MultiOptionPolicy::Throw);
  }
  // A value given twice is ambiguous: refuse it (a repeated --quick is harmless).
  for (const char* flag : {"--seed", "--threads", "--replications", "--out", "--checkpoint",
                           "--resume", "--checkpoint-interval"})
    app.get_option(flag)->multi_option_policy(CLI::MultiOptionPolicy::Throw);
  // Every rank parses the same command line; an error anywhere is agreed before computing.
  std::exception_ptr setup_error;
  std::string resume_bytes;
  try {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    if (s.rank == 0)
      std::cout << app.help()
                << "Exit status: 0 every claim got its expected verdict, 1 some did not, 2 bad "
                   "usage or I/O error, 130/143 interrupted by SIGINT/SIGTERM.\n";
    return 0;
  } catch (const CLI::CallForVersion& e) {
    if (s.rank == 0) std::cout << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    throw usage_error(one_line(e.what()));
  }
  // count(), not emptiness: an explicitly empty value ("--seed ''") is bad input.
  s.seed = app.count("--seed") == 0 ? study.default_seed : parse_unsigned("--seed", seed_text);
  if (app.count("--threads") != 0) {
    const std::uint64_t t = parse_unsigned("--threads", threads_text);
    if (t == 0) throw usage_error("--threads: must be at least 1");
    if (t > std::numeric_limits<std::size_t>::max()) throw usage_error("--threads: too large");
    s.threads = static_cast<std::size_t>(t);
  } else {
    s.threads = initlab::hardware_threads();
  }
  s.quick = quick;
  s.replications = quick ? study.quick_replications : study.default_replications;
  if (app.count("--replications") != 0) {
    const std::uint64_t r = parse_unsigned("--replications", replications_text);
    if (r < 2)
      throw usage_error("--replications: must be at least 2 (an interval needs two trials)");
    s.replications = static_cast<std::size_t>(r);
  }
  s.default_size = !quick && app.count("--replications") == 0;
  s.tty = s.rank == 0 && ::isatty(STDERR_FILENO) == 1;
  s.settings["seed"] = s.seed;
  s.settings["replications"] = s.replications;
  s.settings["quick"] = s.quick;
  if (app.count("--checkpoint") != 0 && checkpoint_text.empty())
    throw usage_error("--checkpoint: empty file name");
  if (app.count("--resume") != 0 && resume_text.empty())
    throw usage_error("--resume: empty file name");
  if (app.count("--checkpoint-interval") != 0)
    s.checkpoint_interval = parse_unsigned("--checkpoint-interval", interval_text);
  s.resume = resume_text;
  s.checkpoint = checkpoint_text.empty() ? resume_text : checkpoint_text;

  // The output locations are checked before the (possibly long) computation, by rank 0, which
  // alone writes; so is the checkpoint to resume from.
  if (s.rank == 0) {
    detail::check_output_location(out);
    if (!s.checkpoint.empty()) {
      if (std::filesystem::path(s.checkpoint) == std::filesystem::path(out))
        throw usage_error("--checkpoint and --out name the same file");
      detail::check_output_location(s.checkpoint);
    }
    if (!s.resume.empty()) {
      resume_bytes = detail::read_whole_file(s.resume);
      (void)detail::decode_checkpoint(resume_bytes, s.resume);
    }
  }
  } catch (...) {
    setup_error = std::current_exception();
  }
  (void)exchange_on(s, {}, setup_error);

  // The run's identity: a checkpoint is resumed only by the same study, build and sizes.
  nlohmann::ordered_json identity;
  identity["study"] = s.name;
  identity["initlab_version"] = INITLAB_BUILD_VERSION;
  identity["git_commit"] = INITLAB_GIT_COMMIT;
  identity["git_dirty"] = INITLAB_GIT_DIRTY;
  identity["seed"] = s.seed;
  identity["replications"] = s.replications;
  identity["quick"] = s.quick;
  identity["options"] = s.options;
  s.record.header = identity.dump();
  if (!s.resume.empty()) {
    resume_bytes = detail::cluster::broadcast(std::move(resume_bytes));
    s.restored = detail::decode_checkpoint(resume_bytes, s.resume);
    resume_bytes.clear();
    if (s.restored.header != s.record.header)
      throw detail::io_error("--resume '" + s.resume + "' was written by another run: " +
                             s.restored.header + " (this run: " + s.record.header + ")");
  }

  // ----------------------------------------------------------------- the study
  context ctx(s);
  try {
    body(ctx);
  } catch (const detail::interrupted&) {
    if (s.rank == 0 && !s.checkpoint.empty()) {
      try {
        write_checkpoint(s);
      } catch (const std::exception& e) {
        std::cerr << program_name << ": error: " << e.what() << "\n";
        throw;
      }
      std::size_t kept = 0;
      for (const auto& b : s.record.batches)
        kept += static_cast<std::size_t>(b.done);
      std::cerr << program_name << ": " << kept << " completed trial results kept in "
                << s.checkpoint << "; continue with --resume " << s.checkpoint << "\n";
    }
    throw;
  }
  if (s.rank != 0) {  // rank 0 evaluates and writes; its exit status is every rank's
    const std::string status = detail::cluster::broadcast({});
    return status.empty() ? 2 : static_cast<unsigned char>(status[0]);
  }
  int status = 2;
  try {
    status = finish(s, study, out, argc, argv, start);
  } catch (const detail::interrupted& e) {
    if (s.ranks == 1) throw;
    std::cerr << program_name << ": interrupted by " << signal_name(e.signal)
              << "; no report written\n";
    status = 128 + e.signal;
  } catch (...) {
    if (s.ranks == 1) throw;
    std::cerr << error_line(std::current_exception()) << "\n";
    status = 2;
  }
  if (s.ranks > 1) (void)detail::cluster::broadcast(std::string(1, static_cast<char>(status)));
  return status;
}

/// Rank 0 after the study body: evaluates the claims, prints the table, writes the report.
int finish(context::state& s, const info& study, const std::string& out, int argc, char** argv,
           std::chrono::steady_clock::time_point start) {
  const std::vector<evaluated_claim> claims = evaluate(s.claims, s.default_size);

  // ----------------------------------------------------------------- the report
  nlohmann::ordered_json report;
  report["schema"] = "initlab.report/1";
  report["study"] = {
      {"id", study.id}, {"slug", study.slug}, {"title", study.title}, {"source", study.source}};
  report["settings"] = s.settings;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  std::size_t expected_count = 0;
  for (const auto& c : claims) {
    const auto& spec = c.claim->spec;
    nlohmann::ordered_json j;
    j["id"] = spec.id;
    j["statement"] = spec.statement;
    j["formula"] = spec.formula;
    j["statistic"] = statistic_name(*c.claim);
    j["analytic"] = spec.analytic;
    j["estimate"] = finite_or_null(c.est.value);
    j["std_error"] = finite_or_null(c.est.std_error);
    j["ci_low"] = finite_or_null(c.est.ci.low);
    j["ci_high"] = finite_or_null(c.est.ci.high);
    j["confidence"] = c.est.confidence;
    j["trials"] = c.est.trials;
    j["rel_half_width"] = finite_or_null(c.rel_half_width);
    j["target"] = spec.max_rel_half_width;
    j["resolution"] = finite_or_null(c.resolution);
    j["skewness"] = c.est.skewness;
    j["verdict"] = std::string(to_string(c.result));
    j["expected"] = std::string(to_string(spec.expected));
    if (!spec.limit.empty()) {
      j["limit"] = spec.limit;
      if (spec.limit_gap != 0.0) j["limit_gap"] = spec.limit_gap;
    }
    j["as_expected"] = as_expected(c);
    if (!c.note.empty()) j["note"] = c.note;
    list.push_back(std::move(j));
    if (as_expected(c)) ++expected_count;
    // A limit left unresolved is a finding in the report, not a warning.
    if (!c.note.empty() && !c.unresolved_limit)
      std::cerr << s.name << ": warning: claim '" << spec.id << "': " << c.note << "\n";
  }
  const bool pass = expected_count == claims.size();
  report["claims"] = std::move(list);
  report["verdict"] = pass ? "pass" : "fail";
  // content_sha256: the SHA-256 of the report without its provenance, serialized as written
  // (the report file with its last member, provenance, cut out: `{...body...\n}\n`).
  const std::string body_text = report.dump(2) + "\n";
  nlohmann::ordered_json prov = detail::build_provenance();
  prov["content_sha256"] = initlab::to_hex(initlab::sha256(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(body_text.data()), body_text.size())));
  prov["threads"] = s.threads;
  prov["ranks"] = s.ranks;
  const std::string mpi = detail::cluster::library();
  if (mpi.empty())
    prov["mpi_library"] = nullptr;  // built without MPI
  else
    prov["mpi_library"] = mpi;
  if (!s.resume.empty()) prov["resumed_from"] = s.resume;
  std::vector<std::string> args(argv, argv + argc);
  prov["arguments"] = args;
  prov["date"] = utc_now();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  prov["wall_time_s"] = static_cast<double>(static_cast<long long>(wall * 1000.0 + 0.5)) / 1000.0;
  report["provenance"] = std::move(prov);

  // Statistical claims share one confidence (exact identities report 1).
  const double confidence =
      1.0 - bonferroni_alpha(study_family_error, claims.size());
  print_table(s, claims, confidence, expected_count, out);
  detail::interruption_point();  // a signal before the write: no report, the earlier one stays
  detail::write_atomically(out, report.dump(2) + "\n");
  return pass ? 0 : 1;
}

}  // namespace

namespace {
std::string error_line(const std::exception_ptr& e) {
  const std::string prefix = program_name + ": error: ";
  try {
    std::rethrow_exception(e);
  } catch (const detail::agreed_error& x) {
    return x.what();
  } catch (const usage_error& x) {
    return prefix + x.what() + " (see --help)";
  } catch (const detail::io_error& x) {
    return prefix + x.what();
  } catch (const std::bad_alloc&) {
    return prefix + "out of memory (try fewer --replications)";
  } catch (const std::exception& x) {
    return prefix + one_line(x.what());
  } catch (...) {
    return prefix + "unknown exception";
  }
}
}  // namespace

int run(int argc, char** argv, const info& study, const std::function<void(context&)>& body) {
  program_name = (argc > 0 && argv[0] != nullptr)
                     ? std::filesystem::path(argv[0]).filename().string()
                     : study.id + "_" + study.slug;
  try {
    detail::cluster::start(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << program_name << ": error: " << e.what() << "\n";
    return 2;
  }
  detail::install_signal_handlers();
  int status = 2;
  try {
    status = run_checked(argc, argv, study, body);
  } catch (const detail::interrupted& e) {
    // From a trial or rank 0's last check: agreed by every rank (exchange / final status).
    if (detail::cluster::rank() == 0)
      std::cerr << program_name << ": interrupted by " << signal_name(e.signal)
                << "; no report written\n";
    status = 128 + e.signal;
  } catch (const detail::agreed_error& e) {
    if (e.print) std::cerr << e.what() << "\n";
  } catch (...) {
    // A failure on this rank that the other ranks may not share: if they all failed too, rank 0
    // speaks for them; else this rank reports and MPI ends the run (no rank waits forever).
    const std::string line = error_line(std::current_exception());
    if (detail::cluster::size() == 1 || detail::cluster::all_failed_within(2.0)) {
      if (detail::cluster::rank() == 0) std::cerr << line << "\n";
    } else {
      std::cerr << line << "\n" << std::flush;
      detail::cluster::abort(2);
    }
  }
  detail::cluster::stop();
  return status;
}

}  // namespace initlab::study
