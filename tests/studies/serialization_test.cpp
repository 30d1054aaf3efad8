/// Byte serialization of trial results (studies/harness/serialization.hpp): every shape comes
/// back bit for bit, and a short input is refused.
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <initlab/trial.hpp>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "serialization.hpp"

namespace {

using namespace initlab::study::serialization;

enum class colour : std::uint8_t { red = 3, green = 7 };

struct inner {
  double a = 0.0;
  std::vector<double> v;
};

struct outer {
  int n = 0;
  inner in;
  std::array<float, 3> f{};
  std::optional<std::string> name;
  std::vector<bool> flags;
  colour c = colour::red;
  std::pair<double, std::vector<inner>> pairs;
  std::tuple<std::uint64_t, bool> t{};
};

/// A type with private state: serializable through its own codec.
class hidden {
 public:
  hidden() = default;
  explicit hidden(double x) : x_(x) {}
  [[nodiscard]] double x() const { return x_; }
  void set(double x) { x_ = x; }

 private:
  double x_ = 0.0;
};

template <class T>
T round_trip(const T& v) {
  writer w;
  write(w, v);
  const std::string bytes = w.take();
  reader r(bytes);
  T back{};
  read(r, back);
  REQUIRE(r.done());
  return back;
}

}  // namespace

template <>
struct initlab::study::serialization::codec<hidden> {
  static void write(writer& w, const hidden& h) { serialization::write(w, h.x()); }
  static void read(reader& r, hidden& h) {
    double x = 0.0;
    serialization::read(r, x);
    h.set(x);
  }
};

TEST_CASE("aggregates, containers and enums come back bit for bit") {
  outer o;
  o.n = -5;
  o.in = {0.1, {1.0, -0.0, std::numeric_limits<double>::denorm_min()}};
  o.f = {1.5f, -2.25f, 3.0f};
  o.name = "β-tests";
  o.flags = {true, false, true};
  o.c = colour::green;
  o.pairs = {std::nextafter(1.0, 2.0), {inner{2.0, {}}, inner{3.0, {4.0}}}};
  o.t = {std::numeric_limits<std::uint64_t>::max(), true};
  const outer b = round_trip(o);
  CHECK(b.n == o.n);
  CHECK(b.in.a == o.in.a);
  CHECK(b.in.v == o.in.v);
  CHECK(std::signbit(b.in.v[1]));
  CHECK(b.f == o.f);
  CHECK(b.name == o.name);
  CHECK(b.flags == o.flags);
  CHECK(b.c == o.c);
  CHECK(b.pairs.first == o.pairs.first);
  REQUIRE(b.pairs.second.size() == 2);
  CHECK(b.pairs.second[1].v == std::vector<double>{4.0});
  CHECK(b.t == o.t);
  CHECK_FALSE(round_trip(std::optional<int>{}).has_value());
}

TEST_CASE("the engine's trial statistics round-trip") {
  initlab::trial_statistics s;
  s.mean_x2 = 1.25;
  s.loss = 0.5;
  s.layers.resize(3);
  s.layers[2].mean_dx2 = 7.0;
  s.layers[1].mean_y2 = 1e-300;
  const auto b = round_trip(std::pair{s, 2.0});
  CHECK(b.first.mean_x2 == 1.25);
  CHECK(b.first.layers.size() == 3);
  CHECK(b.first.layers[2].mean_dx2 == 7.0);
  CHECK(b.first.layers[1].mean_y2 == 1e-300);
  CHECK(b.second == 2.0);
}

TEST_CASE("a codec specialization serializes a class with private state") {
  CHECK(round_trip(std::vector<hidden>{hidden(1.0), hidden(-3.5)})[1].x() == -3.5);
}

TEST_CASE("a truncated input is refused, never half-read") {
  writer w;
  write(w, std::vector<double>{1.0, 2.0, 3.0});
  const std::string bytes = w.take();
  reader r(std::string_view(bytes).substr(0, bytes.size() - 1));
  std::vector<double> v;
  CHECK_THROWS_AS(read(r, v), std::runtime_error);
  reader huge(std::string_view(bytes).substr(0, 8));  // a length with no elements behind it
  CHECK_THROWS_AS(read(huge, v), std::runtime_error);
}
