#pragma once
/// Internals of the study harness shared by its .cpp files (not for study authors).

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace initlab::study::detail {

/// An I/O failure with a one-line message for the user (exit status 2).
struct io_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Checks, before any computation, that `path` can receive a report: its directory exists
/// and accepts a new file, and `path` is absent or a regular file. Throws io_error.
void check_output_location(const std::filesystem::path& path);

/// Writes `content` to `path` atomically: a temporary file in the same directory, every
/// write and close checked, fsync, rename into place. On failure the temporary file is
/// removed, an earlier `path` is left untouched, and io_error is thrown.
void write_atomically(const std::filesystem::path& path, std::string_view content);

/// Name pattern of the temporary files (tests look for leftovers): ".<name>.tmp.XXXXXX".
[[nodiscard]] std::string temporary_prefix(const std::filesystem::path& path);

/// Everything about the build and the machine that a report records under "provenance",
/// except the run's own figures (threads, wall time, arguments), which study.cpp adds.
[[nodiscard]] nlohmann::ordered_json build_provenance();

}  // namespace initlab::study::detail
