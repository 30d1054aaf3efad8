#pragma once
/// The AES round function (FIPS-197) in portable, constant-expression C++: the software twin of
/// the AES-NI instructions `aesenc` / `aesenclast`, so that the ARS generator (random.hpp) gives
/// the same bits at compile time, in the scalar path and in the AES-NI / VAES paths.
///
/// A 128-bit state is four 32-bit columns, column c = bytes 4c … 4c+3 of the little-endian
/// 128-bit value (byte r of a column is row r), which is the byte order of an `__m128i`.
/// The S-box is computed, not typed: the multiplicative inverse in GF(2⁸) followed by the affine
/// map of FIPS-197 §5.1.1; tests check the whole cipher against FIPS-197 Appendix C.1
/// and the round against the hardware instruction.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace initlab::detail {

/// An AES state or round key: four little-endian 32-bit columns.
using aes_block = std::array<std::uint32_t, 4>;

/// Multiplication by x in GF(2⁸) modulo x⁸ + x⁴ + x³ + x + 1.
[[nodiscard]] constexpr std::uint8_t gf_double(std::uint8_t a) noexcept {
  return static_cast<std::uint8_t>((a << 1) ^ ((a & 0x80u) ? 0x1Bu : 0u));
}

/// The AES S-box: affine map of the GF(2⁸) inverse (0 maps to 0 before the map). Inverses come
/// from the powers of the generator 3 (x⁻¹ = 3^(255 − log₃ x)), a few thousand operations, so
/// the table costs a translation unit almost nothing to evaluate.
[[nodiscard]] constexpr std::array<std::uint8_t, 256> make_aes_sbox() noexcept {
  std::array<std::uint8_t, 255> power{};  // power[k] = 3^k
  std::array<std::uint8_t, 256> log{};    // log[3^k] = k
  std::uint8_t x = 1;
  for (unsigned k = 0; k < 255; ++k) {
    power[k] = x;
    log[x] = static_cast<std::uint8_t>(k);
    x = static_cast<std::uint8_t>(x ^ gf_double(x));  // ·3 = ·(x + 1)
  }
  std::array<std::uint8_t, 256> s{};
  for (unsigned v = 0; v < 256; ++v) {
    const std::uint8_t b = v == 0 ? 0 : power[(255u - log[v]) % 255u];
    s[v] = static_cast<std::uint8_t>(b ^ std::rotl(b, 1) ^ std::rotl(b, 2) ^ std::rotl(b, 3) ^
                                     std::rotl(b, 4) ^ 0x63u);
  }
  return s;
}

inline constexpr std::array<std::uint8_t, 256> aes_sbox = make_aes_sbox();

/// SubBytes and MixColumns of one byte in row r: table r holds the column (2·S, S, S, 3·S),
/// little-endian, rotated left by 8r bits (the classic four "T-tables", 4 KiB).
[[nodiscard]] constexpr std::array<std::array<std::uint32_t, 256>, 4> make_aes_tables() noexcept {
  std::array<std::array<std::uint32_t, 256>, 4> t{};
  for (unsigned x = 0; x < 256; ++x) {
    const std::uint8_t s = aes_sbox[x];
    const std::uint8_t s2 = gf_double(s);
    const auto s3 = static_cast<std::uint8_t>(s2 ^ s);
    const std::uint32_t row0 = std::uint32_t{s2} | std::uint32_t{s} << 8 | std::uint32_t{s} << 16 |
                               std::uint32_t{s3} << 24;
    for (int r = 0; r < 4; ++r)
      t[static_cast<std::size_t>(r)][x] = std::rotl(row0, 8 * r);
  }
  return t;
}

inline constexpr std::array<std::array<std::uint32_t, 256>, 4> aes_tables = make_aes_tables();

/// Byte `row` of column `column` of `state`.
[[nodiscard]] constexpr unsigned aes_byte(const aes_block& state, unsigned column,
                                          unsigned row) noexcept {
  return (state[column & 3u] >> (8u * row)) & 0xFFu;
}

/// Output column c of a full round before AddRoundKey: row r comes from column c + r (ShiftRows).
[[nodiscard]] constexpr std::uint32_t aes_mixed_column(const aes_block& state,
                                                       unsigned c) noexcept {
  return aes_tables[0][aes_byte(state, c, 0)] ^ aes_tables[1][aes_byte(state, c + 1, 1)] ^
         aes_tables[2][aes_byte(state, c + 2, 2)] ^ aes_tables[3][aes_byte(state, c + 3, 3)];
}

/// One AES encryption round, = `_mm_aesenc_si128(state, key)`: ShiftRows, SubBytes,
/// MixColumns, AddRoundKey (columns written out: GCC -O2 does not unroll a loop over them).
[[nodiscard]] constexpr aes_block aes_round(const aes_block& state, const aes_block& key) noexcept {
  return {aes_mixed_column(state, 0) ^ key[0], aes_mixed_column(state, 1) ^ key[1],
          aes_mixed_column(state, 2) ^ key[2], aes_mixed_column(state, 3) ^ key[3]};
}

/// Output column c of the last round before AddRoundKey: ShiftRows and SubBytes only.
[[nodiscard]] constexpr std::uint32_t aes_substituted_column(const aes_block& state,
                                                             unsigned c) noexcept {
  return std::uint32_t{aes_sbox[aes_byte(state, c, 0)]} |
         std::uint32_t{aes_sbox[aes_byte(state, c + 1, 1)]} << 8 |
         std::uint32_t{aes_sbox[aes_byte(state, c + 2, 2)]} << 16 |
         std::uint32_t{aes_sbox[aes_byte(state, c + 3, 3)]} << 24;
}

/// The last AES round, = `_mm_aesenclast_si128(state, key)`: as aes_round without MixColumns.
[[nodiscard]] constexpr aes_block aes_last_round(const aes_block& state,
                                                 const aes_block& key) noexcept {
  return {aes_substituted_column(state, 0) ^ key[0], aes_substituted_column(state, 1) ^ key[1],
          aes_substituted_column(state, 2) ^ key[2], aes_substituted_column(state, 3) ^ key[3]};
}

}  // namespace initlab::detail
