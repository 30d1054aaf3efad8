#pragma once
/// `pass_ptr<T>`: the sole owner of a heap-allocated run-time pass (layer.hpp), a move-only
/// pointer with std::unique_ptr<T>'s semantics (delete on destruction, `release`, `reset`,
/// conversion from a pass_ptr of a derived type). It exists for compile time only: in C++20,
/// libstdc++'s <memory> brings <ostream> (for unique_ptr's operator<<) into every TU that
/// includes it, about a third of the core umbrella's include cost (bench/README.md, "Compile
/// time"), while the core needs nothing of <memory> but an owner.

#include <cstddef>
#include <type_traits>
#include <utility>

namespace initlab {

template <class T>
class pass_ptr {
 public:
  using element_type = T;

  constexpr pass_ptr() noexcept = default;
  constexpr pass_ptr(std::nullptr_t) noexcept {}  // NOLINT: converts like unique_ptr's
  /// Takes ownership of `owned` (from `new`, or null).
  explicit pass_ptr(T* owned) noexcept : owned_(owned) {}
  pass_ptr(pass_ptr&& other) noexcept : owned_(other.release()) {}
  /// From a pass_ptr of a derived type; deleting through T* needs T's virtual destructor.
  // clang-format off
  template <class U>
    requires(!std::is_same_v<U, T> && std::is_convertible_v<U*, T*>)
  pass_ptr(pass_ptr<U>&& other) noexcept  // NOLINT: converts like unique_ptr's
      : owned_(other.release()) {
    static_assert(std::has_virtual_destructor_v<T>,
                  "pass_ptr<Base> from pass_ptr<Derived> needs a virtual destructor in Base");
  }
  // clang-format on
  pass_ptr& operator=(pass_ptr&& other) noexcept {
    reset(other.release());
    return *this;
  }
  pass_ptr(const pass_ptr&) = delete;
  pass_ptr& operator=(const pass_ptr&) = delete;
  ~pass_ptr() { reset(); }

  [[nodiscard]] T* get() const noexcept { return owned_; }
  T& operator*() const noexcept { return *owned_; }
  T* operator->() const noexcept { return owned_; }
  explicit operator bool() const noexcept { return owned_ != nullptr; }

  /// Gives up ownership without deleting.
  [[nodiscard]] T* release() noexcept { return std::exchange(owned_, nullptr); }
  /// Deletes the owned pass (if any) and owns `owned` instead.
  void reset(T* owned = nullptr) noexcept {
    static_assert(sizeof(T) > 0, "pass_ptr cannot delete an incomplete type");
    delete std::exchange(owned_, owned);
  }

 private:
  T* owned_ = nullptr;
};

/// `std::make_unique` for passes: `make_pass_ptr<dense_pass>(fan_in, fan_out, law)`.
template <class T, class... Args>
[[nodiscard]] pass_ptr<T> make_pass_ptr(Args&&... args) {
  return pass_ptr<T>(new T(std::forward<Args>(args)...));
}

}  // namespace initlab
