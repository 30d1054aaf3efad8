// run_trials: every index once, results in index order, the same for every thread count,
// exceptions propagate, progress reaches n.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstring>
#include <initlab/parallel.hpp>
#include <initlab/random.hpp>
#include <initlab/sampler.hpp>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

/// Per-trial value keyed by the trial index only (as studies do): a sum of normal draws.
double keyed_value(std::size_t trial) {
  std::vector<double> x(37);
  initlab::fill_normal(initlab::stream(99).child(trial), x, 0.0, 1.0);
  double s = 0.0;
  for (double v : x)
    s += v * v;
  return s;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("run_trials returns f(i) in index order for any n and thread count", "[parallel]") {
  for (std::size_t n : {0u, 1u, 7u, 255u, 256u, 257u, 1000u, 4099u}) {
    for (std::size_t threads : {1u, 2u, 3u, 8u, 300u}) {
      const auto out = initlab::run_trials(n, threads, [](std::size_t i) { return 3 * i + 1; });
      REQUIRE(out.size() == n);
      for (std::size_t i = 0; i < n; ++i)
        REQUIRE(out[i] == 3 * i + 1);
    }
  }
}

TEST_CASE("run_trials results are bit-identical across thread counts", "[parallel]") {
  const std::size_t n = 2000;
  const auto one = initlab::run_trials(n, 1, keyed_value);
  for (std::size_t threads : {2u, 3u, 8u}) {
    const auto many = initlab::run_trials(n, threads, keyed_value);
    CHECK(same_bits(one, many));
  }
  // and the values are the ones computed serially without run_trials
  for (std::size_t i = 0; i < n; i += 97)
    CHECK(one[i] == keyed_value(i));
}

TEST_CASE("run_trials calls a void f exactly once per index", "[parallel]") {
  const std::size_t n = 3001;
  std::vector<std::atomic<int>> calls(n);
  initlab::run_trials(n, 4, [&](std::size_t i) { calls[i].fetch_add(1); });
  for (std::size_t i = 0; i < n; ++i)
    REQUIRE(calls[i].load() == 1);
}

TEST_CASE("run_trials handles bool and non-default-constructible results", "[parallel]") {
  const auto odd = initlab::run_trials(1000, 3, [](std::size_t i) { return i % 2 == 1; });
  for (std::size_t i = 0; i < odd.size(); ++i)
    REQUIRE(odd[i] == (i % 2 == 1));
  struct boxed {
    explicit boxed(std::size_t v) : value(v) {}
    std::size_t value;
  };
  const auto b = initlab::run_trials(500, 2, [](std::size_t i) { return boxed(i * 2); });
  for (std::size_t i = 0; i < b.size(); ++i)
    REQUIRE(b[i].value == i * 2);
}

TEST_CASE("run_trials propagates exceptions", "[parallel]") {
  auto throwing = [](std::size_t i) -> int {
    if (i == 10 || i == 900) throw std::runtime_error("trial " + std::to_string(i));
    return static_cast<int>(i);
  };
  // One worker runs the chunks in order and stops at the first failure: trial 10.
  CHECK_THROWS_WITH(initlab::run_trials(1000, 1, throwing), "trial 10");
  // Several workers: one of the throwing trials' exceptions, never a crash or a result.
  for (int rep = 0; rep < 20; ++rep) {
    try {
      (void)initlab::run_trials(1000, 4, throwing);
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      CHECK((what == "trial 10" || what == "trial 900"));
    }
  }
  CHECK_THROWS_AS(initlab::run_trials(10, 0, [](std::size_t i) { return i; }),
                  std::invalid_argument);
}

TEST_CASE("run_trials reports progress up to n, one call per chunk", "[parallel]") {
  const std::size_t n = 1000;
  std::mutex m;
  std::size_t calls = 0, largest = 0;
  (void)initlab::run_trials(
      n, 3, [](std::size_t i) { return i; },
      [&](std::size_t done) {
        const std::lock_guard lock(m);
        ++calls;
        if (done > largest) largest = done;
      });
  CHECK(largest == n);
  const std::size_t chunk = initlab::detail::trial_chunk_size(n);
  CHECK(calls == (n + chunk - 1) / chunk);
}

TEST_CASE("chunk size depends on n only", "[parallel]") {
  CHECK(initlab::detail::trial_chunk_size(0) == 1);
  CHECK(initlab::detail::trial_chunk_size(256) == 1);
  CHECK(initlab::detail::trial_chunk_size(257) == 2);
  CHECK(initlab::detail::trial_chunk_size(4000) == 16);
  CHECK(initlab::hardware_threads() >= 1);
}
