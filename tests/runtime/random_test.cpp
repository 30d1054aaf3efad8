// Philox4x32-10 known answers, agreement with Random123, and the stream key derivation (the
// ARS-7 data blocks are checked in ars_test.cpp).
#include <Random123/philox.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <initlab/random.hpp>
#include <random>
#include <set>
#include <string>

namespace {

using initlab::philox4x32_10;
using initlab::philox_block;
using initlab::philox_key;
using initlab::stream;

/// Random123's reference implementation of the same bijection.
philox_block reference(const philox_block& ctr, const philox_key& key) {
  r123::Philox4x32_R<10>::ctr_type c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
  r123::Philox4x32_R<10>::key_type k = {{key[0], key[1]}};
  const auto y = r123::Philox4x32_R<10>()(c, k);
  return {y.v[0], y.v[1], y.v[2], y.v[3]};
}

// Random123 1.14 tests/kat_vectors, the three "philox4x32 10" lines (ctr[4] key[2] → out[4]).
constexpr philox_block kat_zero_out{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
constexpr philox_block kat_ones_out{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu};
constexpr philox_block kat_pi_ctr{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u};
constexpr philox_key kat_pi_key{0xa4093822u, 0x299f31d0u};
constexpr philox_block kat_pi_out{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u};

// The generator is usable in constant expressions, and gives the published answers there.
static_assert(philox4x32_10({0, 0, 0, 0}, {0, 0}) == kat_zero_out);
static_assert(philox4x32_10(kat_pi_ctr, kat_pi_key) == kat_pi_out);

}  // namespace

TEST_CASE("Philox4x32-10 matches the Random123 known-answer vectors", "[random]") {
  CHECK(philox4x32_10({0, 0, 0, 0}, {0, 0}) == kat_zero_out);
  CHECK(philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                      {0xffffffffu, 0xffffffffu}) == kat_ones_out);
  CHECK(philox4x32_10(kat_pi_ctr, kat_pi_key) == kat_pi_out);
  // The reference implementation agrees with the published vectors too (guards the harness).
  CHECK(reference(kat_pi_ctr, kat_pi_key) == kat_pi_out);
}

TEST_CASE("Philox4x32-10 equals Random123's philox4x32 on random keys and counters", "[random]") {
  std::mt19937_64 gen(20240611);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t a = gen(), b = gen(), c = gen();
    const philox_block ctr{static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(a >> 32),
                           static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32)};
    const philox_key key{static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(c >> 32)};
    REQUIRE(philox4x32_10(ctr, key) == reference(ctr, key));
  }
}

TEST_CASE("child keys follow the documented derivation", "[random]") {
  const stream parent = stream(7).child(3);
  for (std::uint64_t i : {0ull, 1ull, 42ull, 0xffffffffull, 0xdeadbeef00000001ull}) {
    const philox_block y = reference(
        {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32), 0u, 0x6368696cu},
        parent.key());
    CHECK(parent.child(i).key() == philox_key{y[0], y[1]});
  }
  // The provenance string names the same tag and layout.
  CHECK(std::string(initlab::stream_scheme).find("0x6368696c") != std::string::npos);
  CHECK(std::string(initlab::random_engine).find("Philox4x32-10") != std::string::npos);
}

TEST_CASE("child streams are deterministic and distinct", "[random]") {
  const stream root(2024);
  static_assert(stream(2024).child(5) == stream(2024).child(5));
  CHECK(root.child(5) == stream(2024).child(5));
  CHECK(root.child(5).child(9) == stream(2024).child(5).child(9));

  // 100 000 siblings, their parent, and the same indices under another parent: all distinct.
  std::set<std::uint64_t> keys;
  const auto key64 = [](const stream& s) {
    return std::uint64_t{s.key()[0]} | std::uint64_t{s.key()[1]} << 32;
  };
  keys.insert(key64(root));
  constexpr std::uint64_t siblings = 100000;
  for (std::uint64_t i = 0; i < siblings; ++i) {
    keys.insert(key64(root.child(i)));
    keys.insert(key64(stream(2025).child(i)));
  }
  CHECK(keys.size() == 2 * siblings + 1);

  // The path matters, not only the multiset of indices: (1, 2) differs from (2, 1).
  CHECK(root.child(1).child(2) != root.child(2).child(1));
  // Neighbouring seeds give unrelated first blocks (no shared words).
  CHECK(stream(1).block(0) != stream(2).block(0));
  // A child's data is not its parent's data at any small offset.
  for (std::uint64_t b = 0; b < 64; ++b)
    CHECK(root.child(0).block(0) != root.block(b));
}
