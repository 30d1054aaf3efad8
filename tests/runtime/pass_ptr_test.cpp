// pass_ptr.hpp: ownership (each owned object deleted exactly once), moves, release/reset, and
// deletion of a derived object through a pass_ptr to its base.
#include <catch2/catch.hpp>
#include <initlab/pass_ptr.hpp>
#include <type_traits>
#include <utility>

namespace {

int alive = 0;  // objects constructed and not yet destroyed

struct base {
  base() { ++alive; }
  base(const base&) = delete;
  virtual ~base() { --alive; }
  [[nodiscard]] virtual int id() const { return 1; }
};

struct derived final : base {
  explicit derived(int v) : value(v) {}
  [[nodiscard]] int id() const override { return value; }
  int value;
};

}  // namespace

using initlab::make_pass_ptr;
using initlab::pass_ptr;

static_assert(!std::is_copy_constructible_v<pass_ptr<base>>);
static_assert(!std::is_copy_assignable_v<pass_ptr<base>>);
static_assert(std::is_nothrow_move_constructible_v<pass_ptr<base>>);
static_assert(std::is_convertible_v<pass_ptr<derived>&&, pass_ptr<base>>);
static_assert(!std::is_convertible_v<pass_ptr<base>&&, pass_ptr<derived>>);

TEST_CASE("pass_ptr owns what it is given and deletes it once", "[pass_ptr]") {
  REQUIRE(alive == 0);
  {
    pass_ptr<base> p = make_pass_ptr<derived>(7);  // derived to base
    CHECK(alive == 1);
    CHECK(p->id() == 7);
    CHECK((*p).id() == 7);
    CHECK(static_cast<bool>(p));
    pass_ptr<base> q = std::move(p);
    CHECK(alive == 1);
    CHECK(!p);  // NOLINT(bugprone-use-after-move): a moved-from pass_ptr is null
    CHECK(q->id() == 7);
    q = make_pass_ptr<derived>(8);  // deletes the first through base's virtual destructor
    CHECK(alive == 1);
    CHECK(q->id() == 8);
    q.reset(new derived(9));
    CHECK(alive == 1);
    base* raw = q.release();
    CHECK(!q);
    CHECK(alive == 1);
    q.reset(raw);
    q = nullptr;
    CHECK(alive == 0);
    q = make_pass_ptr<derived>(10);
  }
  CHECK(alive == 0);  // the destructor deleted the last one
  pass_ptr<base> empty;
  CHECK(empty.get() == nullptr);
  empty.reset();
  CHECK(alive == 0);
}
