#pragma once
/// Deterministic parallel-for over trials: fixed chunks, results in index order.

#include <algorithm>
#include <atomic>
#include <concepts>
#include <cstddef>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>
#include <initlab/detail/fp_strict.hpp>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

namespace detail {

/// Trials per chunk: a function of n only, never of the thread count, so the work units
/// (and anything a caller might derive from them) are the same for every --threads.
[[nodiscard]] constexpr std::size_t trial_chunk_size(std::size_t n) noexcept {
  constexpr std::size_t target_chunks = 256;  // enough for load balance on many cores
  return std::max<std::size_t>(1, (n + target_chunks - 1) / target_chunks);
}

/// Runs body(first, last) over every chunk of [0, n) on `threads` workers; calls
/// on_progress(done) after each chunk (from a worker thread, possibly concurrently).
/// The exception thrown for the lowest trial index among those observed is rethrown.
template <class Body, class Progress>
void for_each_chunk(std::size_t n, std::size_t threads, Body& body, Progress& on_progress) {
  if (threads == 0) throw std::invalid_argument("initlab::run_trials: threads must be >= 1");
  const std::size_t chunk = trial_chunk_size(n);
  const std::size_t chunks = n == 0 ? 0 : (n + chunk - 1) / chunk;
  std::atomic<std::size_t> next_chunk{0};
  std::atomic<std::size_t> done{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr error;
  std::size_t error_index = std::numeric_limits<std::size_t>::max();

  auto worker = [&] {
    for (;;) {
      if (failed.load(std::memory_order_relaxed)) return;
      const std::size_t c = next_chunk.fetch_add(1, std::memory_order_relaxed);
      if (c >= chunks) return;
      const std::size_t first = c * chunk;
      const std::size_t last = std::min(n, first + chunk);
      try {
        body(first, last);
      } catch (...) {
        const std::lock_guard lock(error_mutex);
        if (first < error_index) {
          error_index = first;
          error = std::current_exception();
        }
        failed.store(true, std::memory_order_relaxed);
        return;
      }
      on_progress(done.fetch_add(last - first, std::memory_order_relaxed) + (last - first));
    }
  };

  const std::size_t workers = std::min(threads, chunks);
  if (workers <= 1) {
    worker();  // no thread for a single worker: same chunks, same order
  } else {
    std::vector<std::jthread> pool;
    pool.reserve(workers - 1);
    for (std::size_t w = 1; w < workers; ++w)
      pool.emplace_back(worker);
    worker();
    pool.clear();  // joins
  }
  if (error) std::rethrow_exception(error);
}

/// No-op progress callback.
struct no_progress {
  void operator()(std::size_t) const noexcept {}
};

}  // namespace detail

/// Calls f(i) for every trial index i in [0, n) on `threads` workers (>= 1) and returns the
/// results in index order (or nothing if f returns void). Trials are dealt out in fixed
/// chunks; as long as f(i) depends only on i (streams keyed by the trial index, never by
/// the thread), the result is the same for every thread count. on_progress(done) is called
/// after each chunk with the number of trials finished so far (from worker threads,
/// concurrently: it must be thread-safe). An exception from f propagates to the caller
/// after all workers stopped (the one of the lowest trial index among those thrown).
template <class F, class Progress = detail::no_progress>
requires std::invocable<F&, std::size_t>
auto run_trials(std::size_t n, std::size_t threads, F&& f, Progress&& on_progress = {}) {
  using result = std::invoke_result_t<F&, std::size_t>;
  if constexpr (std::is_void_v<result>) {
    auto body = [&](std::size_t first, std::size_t last) {
      for (std::size_t i = first; i < last; ++i)
        f(i);
    };
    detail::for_each_chunk(n, threads, body, on_progress);
  } else if constexpr (std::is_default_constructible_v<result> &&
                       std::is_move_assignable_v<result> && !std::is_same_v<result, bool>) {
    // (vector<bool> packs bits: concurrent writes to neighbours would race, so bool takes
    // the optional path below.)
    std::vector<result> out(n);
    auto body = [&](std::size_t first, std::size_t last) {
      for (std::size_t i = first; i < last; ++i)
        out[i] = f(i);
    };
    detail::for_each_chunk(n, threads, body, on_progress);
    return out;
  } else {
    std::vector<std::optional<result>> slots(n);
    auto body = [&](std::size_t first, std::size_t last) {
      for (std::size_t i = first; i < last; ++i)
        slots[i].emplace(f(i));
    };
    detail::for_each_chunk(n, threads, body, on_progress);
    std::vector<result> out;
    out.reserve(n);
    for (auto& s : slots)
      out.push_back(std::move(*s));
    return out;
  }
}

/// Number of hardware threads (at least 1): the default --threads of a study.
[[nodiscard]] inline std::size_t hardware_threads() noexcept {
  const unsigned h = std::thread::hardware_concurrency();
  return h == 0 ? 1 : h;
}

}  // namespace initlab

INITLAB_FP_STRICT_END
