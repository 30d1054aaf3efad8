// The ARS-7 data blocks of a stream: the software AES round against FIPS-197 and against the
// AES-NI instructions, ARS-7 against Random123's own ars4x32_R, at run time and in constant
// expressions, and the documented counter layout. This file is compiled with -maes (for
// Random123's ars.h and the intrinsics); it checks the CPU before executing any of them.
#include <Random123/ars.h>
#include <immintrin.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <initlab/sampler.hpp>
#include <random>
#include <string>

namespace {

using initlab::ars_key;
using initlab::philox_block;
using initlab::stream;
using initlab::detail::aes_block;

using initlab::detail::cpu_has_aes_ni;

/// A FIPS-197 hex string (byte 0 first) as an AES state of little-endian columns.
aes_block from_hex(const std::string& hex) {
  aes_block out{};
  for (unsigned i = 0; i < 16; ++i)
    out[i / 4] |= static_cast<std::uint32_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16))
                  << (8 * (i % 4));
  return out;
}

/// AES-128 key expansion (FIPS-197 §5.2), written here from the standard, for the cipher test.
std::array<aes_block, 11> expand_key(const aes_block& key) {
  std::array<aes_block, 11> w{};
  w[0] = key;
  std::uint32_t rcon = 1;
  for (unsigned r = 1; r <= 10; ++r) {
    const std::uint32_t t = w[r - 1][3];
    std::uint32_t sub = 0;  // SubWord(RotWord(t)) in little-endian columns
    for (unsigned b = 0; b < 4; ++b)
      sub |= std::uint32_t{initlab::detail::aes_sbox[(t >> (8 * ((b + 1) % 4))) & 0xFFu]}
             << (8 * b);
    w[r][0] = w[r - 1][0] ^ sub ^ rcon;
    for (unsigned c = 1; c < 4; ++c)
      w[r][c] = w[r - 1][c] ^ w[r][c - 1];
    rcon = initlab::detail::gf_double(static_cast<std::uint8_t>(rcon));
  }
  return w;
}

__m128i to_m128(const aes_block& x) {
  return _mm_set_epi32(static_cast<int>(x[3]), static_cast<int>(x[2]), static_cast<int>(x[1]),
                       static_cast<int>(x[0]));
}
aes_block from_m128(__m128i v) {
  aes_block out{};
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out.data()), v);
  return out;
}

/// Random123's ARS-7 (AES-NI) of `ctr` under `key`.
philox_block reference(const philox_block& ctr, const ars_key& key) {
  const ars4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
  const ars4x32_key_t k = {{key[0], key[1], key[2], key[3]}};
  const ars4x32_ctr_t y = ars4x32_R(7, c, k);
  return {y.v[0], y.v[1], y.v[2], y.v[3]};
}

philox_block random_block(std::mt19937_64& gen) {
  const std::uint64_t a = gen(), b = gen();
  return {static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(a >> 32),
          static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32)};
}

// Usable in constant expressions (the values are compared with Random123 below).
constexpr philox_block compile_time_block = stream(0x0123456789abcdefull).block(5);

}  // namespace

TEST_CASE("the AES S-box and round reproduce FIPS-197 Appendix C.1", "[random][ars]") {
  CHECK(initlab::detail::aes_sbox[0x00] == 0x63);  // FIPS-197 Figure 7
  CHECK(initlab::detail::aes_sbox[0x53] == 0xed);  // the worked example of §5.1.1
  // round[1].start, round[1].k_sch → round[2].start
  CHECK(initlab::detail::aes_round(from_hex("00102030405060708090a0b0c0d0e0f0"),
                                   from_hex("d6aa74fdd2af72fadaa678f1d6ab76fe")) ==
        from_hex("89d810e8855ace682d1843d8cb128fe4"));
  // The whole AES-128 cipher: 9 rounds and the last one.
  const auto keys = expand_key(from_hex("000102030405060708090a0b0c0d0e0f"));
  CHECK(keys[1] == from_hex("d6aa74fdd2af72fadaa678f1d6ab76fe"));
  aes_block v = from_hex("00112233445566778899aabbccddeeff");
  for (unsigned c = 0; c < 4; ++c)
    v[c] ^= keys[0][c];
  for (unsigned r = 1; r < 10; ++r)
    v = initlab::detail::aes_round(v, keys[r]);
  CHECK(initlab::detail::aes_last_round(v, keys[10]) ==
        from_hex("69c4e0d86a7b0430d8cdb78070b4c55a"));
  // Negative control: the last round is not an ordinary round.
  CHECK(initlab::detail::aes_round(v, keys[10]) != from_hex("69c4e0d86a7b0430d8cdb78070b4c55a"));
}

TEST_CASE("the software AES round equals aesenc / aesenclast", "[random][ars]") {
  if (!cpu_has_aes_ni()) {
    WARN("this CPU has no AES-NI: the hardware comparison is not run");
    return;
  }
  std::mt19937_64 gen(20261203);
  for (int i = 0; i < 100000; ++i) {
    const aes_block state = random_block(gen), key = random_block(gen);
    REQUIRE(initlab::detail::aes_round(state, key) ==
            from_m128(_mm_aesenc_si128(to_m128(state), to_m128(key))));
    REQUIRE(initlab::detail::aes_last_round(state, key) ==
            from_m128(_mm_aesenclast_si128(to_m128(state), to_m128(key))));
  }
}

TEST_CASE("ARS-7 equals Random123's ars4x32_R<7>", "[random][ars]") {
  if (!cpu_has_aes_ni()) {
    WARN("this CPU has no AES-NI: Random123's ARS cannot run here");
    return;
  }
  std::mt19937_64 gen(7);
  for (int i = 0; i < 100000; ++i) {
    const philox_block ctr = random_block(gen);
    const ars_key key = random_block(gen);
    REQUIRE(initlab::ars4x32_7(ctr, key) == reference(ctr, key));
  }
  // All-zero and all-one inputs, and the compile-time evaluation.
  CHECK(initlab::ars4x32_7({0, 0, 0, 0}, {0, 0, 0, 0}) == reference({0, 0, 0, 0}, {0, 0, 0, 0}));
  const philox_block ones{~0u, ~0u, ~0u, ~0u};
  CHECK(initlab::ars4x32_7(ones, ones) == reference(ones, ones));
  CHECK(compile_time_block == reference({5, 0, 0, 0}, stream(0x0123456789abcdefull).data_key()));
  // Negative control: 6 rounds (a different bijection) would not pass the comparison.
  const ars4x32_ctr_t c = {{1, 2, 3, 4}};
  const ars4x32_key_t k = {{5, 6, 7, 8}};
  const ars4x32_ctr_t six = ars4x32_R(6, c, k);
  CHECK(initlab::ars4x32_7({1, 2, 3, 4}, {5, 6, 7, 8}) !=
        philox_block{six.v[0], six.v[1], six.v[2], six.v[3]});
}

TEST_CASE("stream data follows the documented counter layout", "[random][ars]") {
  const stream s(0x0123456789abcdefull);
  CHECK(s.key() == initlab::philox_key{0x89abcdefu, 0x01234567u});
  CHECK(s.data_key() == ars_key{0x89abcdefu, 0x01234567u, 0u, 0u});
  CHECK(std::string(initlab::random_engine).find("ARS-7") != std::string::npos);
  CHECK(std::string(initlab::stream_scheme).find("ars4x32_7(ctr=(lo32(b),hi32(b),0,0)") !=
        std::string::npos);
  if (!cpu_has_aes_ni()) {
    WARN("this CPU has no AES-NI: Random123's ARS cannot run here");
    return;
  }
  for (std::uint64_t b : {0ull, 1ull, 2ull, 0xffffffffull, 0x100000000ull, 0x7fffffffffffffffull}) {
    const philox_block expected = reference(
        {static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32), 0u, 0u}, s.data_key());
    CHECK(s.block(b) == expected);
    CHECK(s.word(2 * b) == (std::uint64_t{expected[0]} | std::uint64_t{expected[1]} << 32));
    CHECK(s.word(2 * b + 1) == (std::uint64_t{expected[2]} | std::uint64_t{expected[3]} << 32));
  }
}
