/// SIGINT / SIGTERM: the first one asks the run to stop at its next trial (study.hpp
/// interruption_point; the harness then exits 128 + signal without writing a report, so no
/// temporary file is left and an earlier report stays intact); a second one ends the process at
/// once with the signal's default action.
#include <signal.h>

#include <atomic>

#include "internal.hpp"
#include "study.hpp"

namespace initlab::study::detail {

std::atomic<int> pending_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal flag must be lock-free");

namespace {
extern "C" void on_stop_signal(int sig) {
  int none = 0;
  if (!pending_signal.compare_exchange_strong(none, sig)) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    ::sigaction(sig, &dfl, nullptr);
    ::raise(sig);
  }
}
}  // namespace

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

void throw_interrupted() {
  throw interrupted(pending_signal.load());
}

}  // namespace initlab::study::detail
