#pragma once
/// Internals of the study harness shared by its .cpp files (not for study authors).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

/// An error every rank knows about (agreed through MPI): exit 2; only the rank that holds the
/// message (`print`) prints it, so a run shows it once.
struct agreed_error : std::runtime_error {
  agreed_error(const std::string& message, bool print_here)
      : std::runtime_error(message), print(print_here) {}
  bool print;
};

/// The run was stopped by a signal (SIGINT, SIGTERM): exit 128 + signal, no report.
struct interrupted : std::runtime_error {
  explicit interrupted(int signal_number)
      : std::runtime_error("interrupted"), signal(signal_number) {}
  int signal;
};

/// Installs the SIGINT/SIGTERM handlers: the first signal sets pending_signal (the run stops at
/// its next trial); a second one ends the process at once (default action).
void install_signal_handlers();

/// The processes of one run: the MPI ranks when the harness is built with MPI (macro
/// INITLAB_STUDY_MPI), else this process alone. MPI is initialized by `start` and finalized by
/// `stop`; every other call is collective over all ranks unless it says otherwise.
namespace cluster {
void start(int& argc, char**& argv);
void stop();
[[nodiscard]] int rank() noexcept;
[[nodiscard]] int size() noexcept;
/// The MPI library's version text (empty without MPI). Local.
[[nodiscard]] std::string library();
/// Every rank's (status, bytes), in rank order.
struct part {
  int status = 0;
  std::string bytes;
};
[[nodiscard]] std::vector<part> all_gather(int status, std::string bytes);
/// Rank 0's bytes on every rank.
[[nodiscard]] std::string broadcast(std::string bytes);
/// For a failure that was not agreed: true if every rank reports one within `seconds` (then
/// the ranks end together), false if some rank is still running (call `abort`). Called only
/// by failing ranks; never blocks longer than `seconds`.
[[nodiscard]] bool all_failed_within(double seconds);
/// Ends every rank with `status` (MPI_Abort); returns only without MPI.
void abort(int status);
}  // namespace cluster

/// What `--checkpoint` keeps: the run's identity (header) and, per `trials` call in order, its
/// trial count, result type and the serialized results of its first `done` trials.
struct checkpoint_batch {
  std::uint64_t n = 0, type = 0, done = 0;
  std::string bytes;
};
struct checkpoint_data {
  std::string header;  ///< the run's identity as JSON text (study, build, seed, sizes, options)
  std::vector<checkpoint_batch> batches;
};
/// The checkpoint file's bytes: magic, header, batches, SHA-256 of all that.
[[nodiscard]] std::string encode_checkpoint(const checkpoint_data& c);
/// Parses a checkpoint file's bytes; throws io_error naming `file` if they are not one.
[[nodiscard]] checkpoint_data decode_checkpoint(std::string_view bytes,
                                                const std::filesystem::path& file);
/// The whole content of a regular file; throws io_error.
[[nodiscard]] std::string read_whole_file(const std::filesystem::path& file);

}  // namespace initlab::study::detail
