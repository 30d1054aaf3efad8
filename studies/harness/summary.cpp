/// study_summary REPORT.json...: one line per study report (study, claims as expected,
/// verdict, wall time), for scripts/run-studies. Exit 0 iff every report exists, parses and
/// has verdict "pass".
#include <cstdio>
#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: study_summary REPORT.json...\n");
    return 2;
  }
  std::printf("%-28s %9s  %-7s %9s\n", "study", "claims", "verdict", "time (s)");
  int failures = 0;
  double total_time = 0.0;
  for (int i = 1; i < argc; ++i) {
    std::string study = argv[i];
    try {
      std::ifstream in(argv[i]);
      if (!in) throw std::runtime_error("no report");
      const nlohmann::json r = nlohmann::json::parse(in);
      study = r.at("study").at("id").get<std::string>() + "_" +
              r.at("study").at("slug").get<std::string>();
      const auto& claims = r.at("claims");
      std::size_t ok = 0;
      for (const auto& c : claims)
        if (c.value("as_expected", c.at("verdict") == c.at("expected"))) ++ok;
      const std::string verdict = r.at("verdict").get<std::string>();
      const double t = r.at("provenance").value("wall_time_s", 0.0);
      total_time += t;
      if (verdict != "pass") ++failures;
      const std::string counts = std::to_string(ok) + "/" + std::to_string(claims.size());
      std::printf("%-28s %9s  %-7s %9.1f\n", study.c_str(), counts.c_str(), verdict.c_str(), t);
    } catch (const std::exception& e) {
      ++failures;
      std::printf("%-28s %9s  %-7s %9s   (%s)\n", study.c_str(), "-", "ERROR", "-", e.what());
    }
  }
  std::printf("%d report(s), %d not passing, %.1f s in total\n", argc - 1, failures, total_time);
  return failures == 0 ? 0 : 1;
}
