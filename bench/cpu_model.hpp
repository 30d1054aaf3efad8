#pragma once
/// The CPU's model name for a benchmark run's context: ratios against peers depend on the
/// microarchitecture (gathers, AES units), so a committed run says which one it came from.

#include <fstream>
#include <string>

namespace initlab_bench {

/// "model name" from /proc/cpuinfo, or "unknown" where there is none.
inline std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "unknown";
}

}  // namespace initlab_bench
