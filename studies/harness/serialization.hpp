#pragma once
/// Byte serialization of trial results, so that trials computed on other MPI ranks, or read back
/// from a checkpoint, reach the study exactly as computed here (every bit of every double).
///
/// Supported without any code in the study: arithmetic types and enums; std::string; std::vector,
/// std::array, std::pair, std::tuple, std::optional of supported types; and aggregates (plain
/// structs without base classes or C arrays, up to 24 members) of supported types, member by
/// member. Any other type (a class with private state, pointers, spans) fails to compile with a
/// static_assert until it specializes `initlab::study::serialization::codec<T>`:
/// ```cpp
/// template <> struct initlab::study::serialization::codec<my_result> {
///   static void write(writer& w, const my_result& v);  // serialization::write(w, member)...
///   static void read(reader& r, my_result& v);         // serialization::read(r, member)...
/// };
/// ```
/// Values are read into default-constructed objects (a result type is default-constructible).
/// Bytes are the host's representation: ranks of one run are one binary on one architecture.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace initlab::study::serialization {

/// Appends values to a byte string.
class writer {
 public:
  void raw(const void* p, std::size_t n) {
    if (n == 0) return;  // p may be null (an empty vector's data())
    bytes_.append(static_cast<const char*>(p), n);
  }
  [[nodiscard]] std::string take() noexcept { return std::move(bytes_); }

 private:
  std::string bytes_;
};

/// Reads values back from a byte string; throws std::runtime_error on a short or corrupt input.
class reader {
 public:
  explicit reader(std::string_view bytes) noexcept : in_(bytes) {}
  void raw(void* p, std::size_t n) {
    if (n > in_.size() - pos_) throw std::runtime_error("serialized trial results are truncated");
    if (n == 0) return;  // p may be null (an empty vector's data()): memcpy must not see it
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }
  [[nodiscard]] bool done() const noexcept { return pos_ == in_.size(); }
  [[nodiscard]] std::size_t remaining() const noexcept { return in_.size() - pos_; }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

/// The customization point: specialize for a type the built-in cases do not cover.
template <class T>
struct codec;

namespace detail {

template <class T>
concept has_codec = requires(writer& w, reader& r, const T& c, T& v) {
  codec<T>::write(w, c);
  codec<T>::read(r, v);
};

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T>
struct is_std_array : std::false_type {};
template <class T, std::size_t N>
struct is_std_array<std::array<T, N>> : std::true_type {};
template <class T>
struct is_pair_or_tuple : std::false_type {};
template <class A, class B>
struct is_pair_or_tuple<std::pair<A, B>> : std::true_type {};
template <class... A>
struct is_pair_or_tuple<std::tuple<A...>> : std::true_type {};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

/// Converts to any member type: counts an aggregate's members by brace initialization.
struct any_member {
  template <class U>
  operator U() const;  // never defined: unevaluated contexts only
};

template <class T, class... A>
consteval std::size_t member_count() {
  if constexpr (requires { T{A{}..., any_member{}}; })
    return member_count<T, A..., any_member>();
  else
    return sizeof...(A);
}

template <class T>
concept plain_aggregate = std::is_class_v<T> && std::is_aggregate_v<T> && !std::is_union_v<T>;

/// Calls f(member) for each member of the aggregate v, in declaration order.
template <class T, class F>
void for_each_member(T& v, F&& f) {
  constexpr std::size_t n = member_count<std::remove_const_t<T>>();
  // clang-format off
  if constexpr (n == 1) {
    auto& [a0] = v;
    f(a0);
  } else if constexpr (n == 2) {
    auto& [a0, a1] = v;
    f(a0); f(a1);
  } else if constexpr (n == 3) {
    auto& [a0, a1, a2] = v;
    f(a0); f(a1); f(a2);
  } else if constexpr (n == 4) {
    auto& [a0, a1, a2, a3] = v;
    f(a0); f(a1); f(a2); f(a3);
  } else if constexpr (n == 5) {
    auto& [a0, a1, a2, a3, a4] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4);
  } else if constexpr (n == 6) {
    auto& [a0, a1, a2, a3, a4, a5] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5);
  } else if constexpr (n == 7) {
    auto& [a0, a1, a2, a3, a4, a5, a6] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6);
  } else if constexpr (n == 8) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7);
  } else if constexpr (n == 9) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8);
  } else if constexpr (n == 10) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9);
  } else if constexpr (n == 11) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10);
  } else if constexpr (n == 12) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10); f(a11);
  } else if constexpr (n == 13) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10); f(a11);
    f(a12);
  } else if constexpr (n == 14) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10); f(a11);
    f(a12); f(a13);
  } else if constexpr (n == 15) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10); f(a11);
    f(a12); f(a13); f(a14);
  } else if constexpr (n == 16) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10); f(a11);
    f(a12); f(a13); f(a14); f(a15);
  } else if constexpr (n == 17) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10); f(a11);
    f(a12); f(a13); f(a14); f(a15); f(a16);
  } else if constexpr (n == 18) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10); f(a11);
    f(a12); f(a13); f(a14); f(a15); f(a16); f(a17);
  } else if constexpr (n == 19) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18]
    = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10); f(a11);
    f(a12); f(a13); f(a14); f(a15); f(a16); f(a17); f(a18);
  } else if constexpr (n == 20) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18,
    a19] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10); f(a11);
    f(a12); f(a13); f(a14); f(a15); f(a16); f(a17); f(a18); f(a19);
  } else if constexpr (n == 21) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18,
    a19, a20] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10); f(a11);
    f(a12); f(a13); f(a14); f(a15); f(a16); f(a17); f(a18); f(a19); f(a20);
  } else if constexpr (n == 22) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18,
    a19, a20, a21] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10); f(a11);
    f(a12); f(a13); f(a14); f(a15); f(a16); f(a17); f(a18); f(a19); f(a20); f(a21);
  } else if constexpr (n == 23) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18,
    a19, a20, a21, a22] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10); f(a11);
    f(a12); f(a13); f(a14); f(a15); f(a16); f(a17); f(a18); f(a19); f(a20); f(a21); f(a22);
  } else if constexpr (n == 24) {
    auto& [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18,
    a19, a20, a21, a22, a23] = v;
    f(a0); f(a1); f(a2); f(a3); f(a4); f(a5); f(a6); f(a7); f(a8); f(a9); f(a10); f(a11);
    f(a12); f(a13); f(a14); f(a15); f(a16); f(a17); f(a18); f(a19); f(a20); f(a21); f(a22);
    f(a23);
  } else {
    static_assert(n <= 24, "an aggregate with more than 24 members needs a codec<T>");
  }
  // clang-format on
}

}  // namespace detail

/// Writes v (see the file comment for the supported types).
template <class T>
void write(writer& w, const T& v);
/// Reads into v what `write` wrote for a value of type T.
template <class T>
void read(reader& r, T& v);

template <class T>
void write(writer& w, const T& v) {
  if constexpr (detail::has_codec<T>) {
    codec<T>::write(w, v);
  } else if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
    w.raw(&v, sizeof v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    const std::uint64_t n = v.size();
    w.raw(&n, sizeof n);
    w.raw(v.data(), v.size());
  } else if constexpr (detail::is_vector<T>::value) {
    const std::uint64_t n = v.size();
    w.raw(&n, sizeof n);
    if constexpr (std::is_arithmetic_v<typename T::value_type> &&
                  !std::is_same_v<typename T::value_type, bool>)
      w.raw(v.data(), v.size() * sizeof(typename T::value_type));
    else
      for (const auto& x : v)
        write(w, static_cast<const typename T::value_type&>(x));
  } else if constexpr (detail::is_std_array<T>::value) {
    for (const auto& x : v)
      write(w, x);
  } else if constexpr (detail::is_pair_or_tuple<T>::value) {
    std::apply([&](const auto&... x) { (write(w, x), ...); }, v);
  } else if constexpr (detail::is_optional<T>::value) {
    const bool has = v.has_value();
    w.raw(&has, sizeof has);
    if (has) write(w, *v);
  } else if constexpr (detail::plain_aggregate<T>) {
    detail::for_each_member(v, [&](const auto& m) { write(w, m); });
  } else {
    static_assert(sizeof(T) == 0,
                  "initlab::study::serialization: this trial result type is not serializable; "
                  "specialize serialization::codec<T> (studies/harness/serialization.hpp)");
  }
}

template <class T>
void read(reader& r, T& v) {
  if constexpr (detail::has_codec<T>) {
    codec<T>::read(r, v);
  } else if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
    r.raw(&v, sizeof v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    std::uint64_t n = 0;
    r.raw(&n, sizeof n);
    if (n > r.remaining()) throw std::runtime_error("serialized trial results are truncated");
    v.resize(static_cast<std::size_t>(n));
    r.raw(v.data(), v.size());
  } else if constexpr (detail::is_vector<T>::value) {
    using E = typename T::value_type;
    std::uint64_t n = 0;
    r.raw(&n, sizeof n);
    if (n > r.remaining()) throw std::runtime_error("serialized trial results are truncated");
    v.clear();
    if constexpr (std::is_arithmetic_v<E> && !std::is_same_v<E, bool>) {
      v.resize(static_cast<std::size_t>(n));
      r.raw(v.data(), v.size() * sizeof(E));
    } else {
      v.reserve(static_cast<std::size_t>(n));
      for (std::uint64_t i = 0; i < n; ++i) {
        E x{};
        read(r, x);
        v.push_back(std::move(x));
      }
    }
  } else if constexpr (detail::is_std_array<T>::value) {
    for (auto& x : v)
      read(r, x);
  } else if constexpr (detail::is_pair_or_tuple<T>::value) {
    std::apply([&](auto&... x) { (read(r, x), ...); }, v);
  } else if constexpr (detail::is_optional<T>::value) {
    bool has = false;
    r.raw(&has, sizeof has);
    v.reset();
    if (has) read(r, v.emplace());
  } else if constexpr (detail::plain_aggregate<T>) {
    detail::for_each_member(v, [&](auto& m) { read(r, m); });
  } else {
    static_assert(sizeof(T) == 0,
                  "initlab::study::serialization: this trial result type is not serializable; "
                  "specialize serialization::codec<T> (studies/harness/serialization.hpp)");
  }
}

/// A key of the type T for checkpoints (a checkpoint is read back by the same build).
template <class T>
[[nodiscard]] std::uint64_t type_key() noexcept {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a over the implementation's type name
  for (const char* p = typeid(T).name(); *p != '\0'; ++p)
    h = (h ^ static_cast<unsigned char>(*p)) * 1099511628211ULL;
  return h;
}

}  // namespace initlab::study::serialization
