/// The processes of one run (internal.hpp `cluster`): OpenMPI when the harness is built with
/// MPI (INITLAB_STUDY_MPI, CMake's FindMPI), else a single process.
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "internal.hpp"

#ifdef INITLAB_STUDY_MPI
#include <mpi.h>
#endif

namespace initlab::study::detail::cluster {

#ifdef INITLAB_STUDY_MPI

namespace {
int the_rank = 0;
int the_size = 1;
bool started = false;
MPI_Comm failure_comm = MPI_COMM_NULL;  // a duplicate of MPI_COMM_WORLD for failure agreement

void check(int code, const char* what) {
  if (code != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}
}  // namespace

/// Whether an MPI launcher (mpirun, mpiexec, srun) started this process. Without one the run is
/// a single process and MPI is not initialized at all (no launcher start-up cost, and nothing
/// of MPI's own in a plain run, e.g. under the sanitizers).
static bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

void start(int& argc, char**& argv) {
  if (!launched_by_mpi()) return;
  // MPI is called from the main thread only; worker threads compute trials.
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  started = true;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  check(MPI_Comm_rank(MPI_COMM_WORLD, &the_rank), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &the_size), "MPI_Comm_size");
  check(MPI_Comm_dup(MPI_COMM_WORLD, &failure_comm), "MPI_Comm_dup");
}

void stop() {
  if (!started) return;
  if (failure_comm != MPI_COMM_NULL) MPI_Comm_free(&failure_comm);
  MPI_Finalize();
  started = false;
}

int rank() noexcept {
  return the_rank;
}
int size() noexcept {
  return the_size;
}

std::string library() {
  // Allowed before MPI_Init (MPI 3.0 §8.1.1): an MPI build records its library even when alone.
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  if (MPI_Get_library_version(text, &length) != MPI_SUCCESS) return "unknown";
  std::string s(text, static_cast<std::size_t>(length));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0' || s.back() == ' '))
    s.pop_back();
  const auto comma = s.find(',');  // "Open MPI v4.1.4, package: ..., ident: ..., repo rev: ..."
  return comma == std::string::npos ? s : s.substr(0, comma);
}

std::vector<part> all_gather(int status, std::string bytes) {
  if (the_size == 1) return {part{status, std::move(bytes)}};
  if (bytes.size() > static_cast<std::size_t>(INT_MAX))
    throw std::runtime_error("MPI: one rank's trial results exceed 2 GiB in one exchange");
  const int n = the_size;
  std::vector<long long> heads(2 * static_cast<std::size_t>(n));
  const long long mine[2] = {status, static_cast<long long>(bytes.size())};
  check(MPI_Allgather(mine, 2, MPI_LONG_LONG, heads.data(), 2, MPI_LONG_LONG, MPI_COMM_WORLD),
        "MPI_Allgather");
  std::vector<int> counts(static_cast<std::size_t>(n)), offsets(static_cast<std::size_t>(n));
  long long total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    counts[r] = static_cast<int>(heads[2 * r + 1]);
    offsets[r] = static_cast<int>(total);
    total += counts[r];
  }
  if (total > INT_MAX)
    throw std::runtime_error("MPI: the trial results of one exchange exceed 2 GiB");
  std::string all(static_cast<std::size_t>(total), '\0');
  check(MPI_Allgatherv(bytes.data(), static_cast<int>(bytes.size()), MPI_CHAR, all.data(),
                       counts.data(), offsets.data(), MPI_CHAR, MPI_COMM_WORLD),
        "MPI_Allgatherv");
  std::vector<part> out(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) {
    const auto i = static_cast<std::size_t>(r);
    out[i].status = static_cast<int>(heads[2 * i]);
    out[i].bytes = all.substr(static_cast<std::size_t>(offsets[i]),
                              static_cast<std::size_t>(counts[i]));
  }
  return out;
}

std::string broadcast(std::string bytes) {
  if (the_size == 1) return bytes;
  long long length = static_cast<long long>(bytes.size());
  check(MPI_Bcast(&length, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast");
  if (length > INT_MAX) throw std::runtime_error("MPI: a broadcast exceeds 2 GiB");
  bytes.resize(static_cast<std::size_t>(length));
  check(MPI_Bcast(bytes.data(), static_cast<int>(length), MPI_CHAR, 0, MPI_COMM_WORLD),
        "MPI_Bcast");
  return bytes;
}

bool all_failed_within(double seconds) {
  if (the_size == 1) return true;
  MPI_Request request = MPI_REQUEST_NULL;
  if (MPI_Ibarrier(failure_comm, &request) != MPI_SUCCESS) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (;;) {
    int done = 0;
    if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return false;
    if (done != 0) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void abort(int status) {
  if (started && the_size > 1) MPI_Abort(MPI_COMM_WORLD, status);
}

#else  // one process

void start(int&, char**&) {}
void stop() {}
int rank() noexcept {
  return 0;
}
int size() noexcept {
  return 1;
}
std::string library() {
  return {};
}
std::vector<part> all_gather(int status, std::string bytes) {
  return {part{status, std::move(bytes)}};
}
std::string broadcast(std::string bytes) {
  return bytes;
}
bool all_failed_within(double) {
  return true;
}
void abort(int) {}

#endif

}  // namespace initlab::study::detail::cluster
