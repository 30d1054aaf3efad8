/// The study driver: command line, claims, verdicts, table, report.
#include "study.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <exception>
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

/// Whether a claim got the verdict it should: its expected one, `imprecise` for a claim that
/// states why its target is out of reach, or an unresolved limit at reduced settings.
bool as_expected(const evaluated_claim& c) {
  const claim_spec& spec = c.claim->spec;
  return c.result == spec.expected || c.unresolved_limit ||
         (c.result == verdict::imprecise && spec.expected == verdict::confirmed &&
          !spec.unresolved_because.empty());
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
  for (const option_spec& o : study.options) {
    if (o.name.empty() || s.options.contains(o.name) || app.get_option_no_throw("--" + o.name))
      throw std::logic_error("study option '--" + o.name + "' is empty or declared twice");
    std::string& value = s.options[o.name] = o.default_value;
    app.add_option("--" + o.name, value, o.help + " (default " + o.default_value + ")")
        ->type_name(o.value_name)
        ->multi_option_policy(CLI::MultiOptionPolicy::Throw);
  }
  // A value given twice is ambiguous: refuse it (a repeated --quick is harmless).
  for (const char* flag : {"--seed", "--threads", "--replications", "--out"})
    app.get_option(flag)->multi_option_policy(CLI::MultiOptionPolicy::Throw);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help()
              << "Exit status: 0 every claim got its expected verdict, 1 some "
                 "did not, 2 bad usage or I/O error.\n";
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
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
  s.tty = ::isatty(STDERR_FILENO) == 1;
  s.settings["seed"] = s.seed;
  s.settings["replications"] = s.replications;
  s.settings["quick"] = s.quick;

  // The output location is checked before the (possibly long) computation.
  detail::check_output_location(out);

  // ----------------------------------------------------------------- the study
  context ctx(s);
  body(ctx);
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
  nlohmann::ordered_json prov = detail::build_provenance();
  prov["threads"] = s.threads;
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
  detail::write_atomically(out, report.dump(2) + "\n");
  return pass ? 0 : 1;
}

}  // namespace

int run(int argc, char** argv, const info& study, const std::function<void(context&)>& body) {
  const std::string name = (argc > 0 && argv[0] != nullptr)
                               ? std::filesystem::path(argv[0]).filename().string()
                               : study.id + "_" + study.slug;
  try {
    return run_checked(argc, argv, study, body);
  } catch (const usage_error& e) {
    std::cerr << name << ": error: " << e.what() << " (see --help)\n";
  } catch (const detail::io_error& e) {
    std::cerr << name << ": error: " << e.what() << "\n";
  } catch (const std::bad_alloc&) {
    std::cerr << name << ": error: out of memory (try fewer --replications)\n";
  } catch (const std::exception& e) {
    std::cerr << name << ": error: " << one_line(e.what()) << "\n";
  } catch (...) {
    std::cerr << name << ": error: unknown exception\n";
  }
  return 2;
}

}  // namespace initlab::study
