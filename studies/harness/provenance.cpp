/// Provenance of a report: build configuration, library versions, RNG scheme, machine.
#include <sys/utsname.h>

#include <CLI/Version.hpp>
#include <boost/version.hpp>
#include <fstream>
#include <initlab/random.hpp>
#include <initlab/sampler.hpp>
#include <string>

#include "initlab_build_config.hpp"
#include "initlab_git_info.hpp"
#include "internal.hpp"
#include "project.hpp"

namespace initlab::study::detail {
namespace {

std::string os_name() {
  struct utsname u {};
  if (::uname(&u) != 0) return "unknown";
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon == std::string::npos) break;
      const auto start = line.find_first_not_of(" \t", colon + 1);
      return start == std::string::npos ? "unknown" : line.substr(start);
    }
  }
  return "unknown";
}

std::string boost_version() {
  return std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) +
         "." + std::to_string(BOOST_VERSION % 100);
}

std::string nlohmann_version() {
  return std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
         std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
         std::to_string(NLOHMANN_JSON_VERSION_PATCH);
}

}  // namespace

nlohmann::ordered_json build_provenance() {
  nlohmann::ordered_json p;
  p["initlab_version"] = INITLAB_BUILD_VERSION;
  p["git_commit"] = INITLAB_GIT_COMMIT;
  if (INITLAB_GIT_DIRTY < 0)
    p["git_dirty"] = nullptr;  // unknown: no git, or built from a tarball
  else
    p["git_dirty"] = INITLAB_GIT_DIRTY == 1;
  // The project whose study this is: initlab's own studies name initlab; a user's study built
  // with initlab_add_study() names the user's project and its commit (project.hpp).
  const project_identity project = study_project();
  nlohmann::ordered_json named;
  named["name"] = project.name;
  named["version"] = project.version;
  named["git_commit"] = project.git_commit;
  if (project.git_dirty < 0)
    named["git_dirty"] = nullptr;
  else
    named["git_dirty"] = project.git_dirty == 1;
  p["project"] = std::move(named);
  p["compiler"] = INITLAB_BUILD_COMPILER;
  p["compiler_banner"] = __VERSION__;
  p["cxx_flags"] = INITLAB_BUILD_CXX_FLAGS;
  p["build_type"] = INITLAB_BUILD_TYPE;
  p["boost_version"] = boost_version();
  p["nlohmann_json_version"] = nlohmann_version();
  p["cli11_version"] = CLI11_VERSION;
  p["rng_engine"] = initlab::random_engine;
  p["stream_scheme"] = initlab::stream_scheme;
  p["sampler_scheme"] = initlab::sampler_scheme;
  p["os"] = os_name();
  p["cpu"] = cpu_model();
  return p;
}

}  // namespace initlab::study::detail
