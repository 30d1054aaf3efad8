#pragma once
/// SHA-256 digests (FIPS 180-4) of byte buffers, through OpenSSL's libcrypto (EVP interface), so
/// a report can name the exact data files it was computed from. Needs OpenSSL::Crypto (the
/// initlab CMake target links it).

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initlab/detail/fp_strict.hpp>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// The 32 bytes of a SHA-256 digest.
using sha256_digest = std::array<std::uint8_t, 32>;

/// SHA-256 of `bytes` (OpenSSL EVP_sha256). Throws std::runtime_error if libcrypto fails.
[[nodiscard]] inline sha256_digest sha256(std::span<const std::uint8_t> bytes) {
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
  sha256_digest d{};
  unsigned int n = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), d.data(), &n) != 1 || n != d.size())
    throw std::runtime_error("initlab::sha256: OpenSSL libcrypto failed");
  return d;
}

/// Lower-case hexadecimal text of a digest (64 characters), as sha256sum prints it.
[[nodiscard]] inline std::string to_hex(const sha256_digest& d) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * d.size());
  for (const std::uint8_t b : d) {
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 0xF]);
  }
  return s;
}

}  // namespace initlab

INITLAB_FP_STRICT_END
