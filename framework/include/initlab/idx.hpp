#pragma once
/// IDX files (the format of MNIST and Fashion-MNIST; LeCun, Cortes, Burges, "The MNIST database"),
/// gzip-compressed, read and checked: a 4-byte magic number (0, 0, type 0x08 = unsigned byte,
/// rank), `rank` big-endian 32-bit dimensions, then exactly their product of bytes. zlib
/// (RFC 1952 gzip, CRC-32 and length checked by inflate) decompresses; a digest of the file as
/// stored (SHA-256, sha256.hpp) names it in reports. Every defect (a missing or unreadable file,
/// a truncated or corrupt gzip stream, trailing bytes, a wrong magic number, rank or length) is a
/// one-line `initlab::data_error` naming the file.

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/sha256.hpp>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// A defect of a data file or data directory: one line, naming the file.
struct data_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// IDX element type code of unsigned bytes (the only type MNIST-like sets use).
inline constexpr std::uint8_t idx_unsigned_byte = 0x08;

/// An IDX array of unsigned bytes, row-major, and the file it came from.
struct idx_array {
  std::filesystem::path path;        ///< the file as given
  std::uintmax_t file_bytes = 0;     ///< size of the (compressed) file
  sha256_digest sha256{};            ///< SHA-256 of the (compressed) file
  std::vector<std::size_t> dims;     ///< dimensions, outermost first
  std::vector<std::uint8_t> values;  ///< product(dims) bytes
};

/// The IDX magic number of an unsigned-byte array of `rank` dimensions (0x00000801 for labels,
/// 0x00000803 for images).
[[nodiscard]] constexpr std::uint32_t idx_magic(std::size_t rank) noexcept {
  return (std::uint32_t{idx_unsigned_byte} << 8) | static_cast<std::uint32_t>(rank);
}

namespace detail {

/// 'path', for messages. Appended piecewise: GCC 12 warns falsely (-Wrestrict, PR 105651) on
/// "'" + s + "'".
inline std::string quoted_path(const std::filesystem::path& p) {
  std::string q("'");
  q.append(p.string());
  q.push_back('\'');
  return q;
}

/// The whole file as bytes; data_error if it is missing, not a regular file or unreadable.
[[nodiscard]] inline std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    throw data_error(quoted_path(path) + ": no such file");
  if (!std::filesystem::is_regular_file(status))
    throw data_error(quoted_path(path) + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw data_error(quoted_path(path) + ": cannot open for reading");
  std::vector<std::uint8_t> bytes;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    bytes.insert(bytes.end(), buf, buf + in.gcount());
  }
  if (in.bad()) throw data_error(quoted_path(path) + ": read error");
  return bytes;
}

}  // namespace detail

/// Decompresses one gzip member (RFC 1952) with zlib; `what` names the source in errors. Throws
/// data_error for a non-gzip input, a corrupt or truncated stream (CRC-32 and length are checked
/// by zlib), or bytes after the member.
[[nodiscard]] inline std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> in,
                                                      const std::string& what) {
  if (in.size() < 2 || in[0] != 0x1f || in[1] != 0x8b)
    throw data_error(what + ": not a gzip file (no 1f 8b signature)");
  z_stream z{};
  constexpr int gzip_only = 16 + MAX_WBITS;  // windowBits + 16: a gzip wrapper, not zlib/raw
  if (inflateInit2(&z, gzip_only) != Z_OK) throw data_error(what + ": zlib inflateInit2 failed");
  struct end_inflate {  // inflateEnd on every way out, exceptions included
    z_stream* z;
    ~end_inflate() { inflateEnd(z); }
  } guard{&z};
  std::vector<std::uint8_t> out(in.size() * 4 + 1024);
  std::size_t consumed = 0, produced = 0;
  int rc = Z_OK;
  constexpr std::size_t max_chunk = std::numeric_limits<uInt>::max() / 2;
  while (rc != Z_STREAM_END) {
    if (produced == out.size()) out.resize(out.size() * 2);
    const std::size_t in_left = in.size() - consumed, out_left = out.size() - produced;
    // zlib's API is not const-correct: next_in is only read.
    z.next_in = const_cast<Bytef*>(in.data() + consumed);  // NOLINT
    z.avail_in = static_cast<uInt>(in_left < max_chunk ? in_left : max_chunk);
    z.next_out = out.data() + produced;
    z.avail_out = static_cast<uInt>(out_left < max_chunk ? out_left : max_chunk);
    const uInt in_before = z.avail_in, out_before = z.avail_out;
    rc = inflate(&z, Z_NO_FLUSH);
    consumed += in_before - z.avail_in;
    produced += out_before - z.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && consumed == in.size())
      throw data_error(what + ": truncated gzip stream (unexpected end of file)");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      throw data_error(what + ": corrupt gzip stream (" +
                       (z.msg != nullptr ? std::string(z.msg) : "error " + std::to_string(rc)) +
                       ")");
  }
  if (consumed != in.size())
    throw data_error(what + ": " + std::to_string(in.size() - consumed) +
                     " unexpected bytes after the gzip stream");
  out.resize(produced);
  return out;
}

/// Parses an unsigned-byte IDX array of the given rank from decompressed bytes; `what` names the
/// source in errors. Throws data_error for a wrong magic number (type or rank), a zero or
/// overflowing dimension, or a length other than the product of the dimensions.
[[nodiscard]] inline idx_array parse_idx(std::span<const std::uint8_t> bytes, std::size_t rank,
                                         const std::string& what) {
  auto be32 = [&](std::size_t at) {
    return (std::uint32_t{bytes[at]} << 24) | (std::uint32_t{bytes[at + 1]} << 16) |
           (std::uint32_t{bytes[at + 2]} << 8) | std::uint32_t{bytes[at + 3]};
  };
  const std::size_t header = 4 + 4 * rank;
  if (bytes.size() < 4) throw data_error(what + ": too short for an IDX header");
  const std::uint32_t magic = be32(0);
  if (magic != idx_magic(rank)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "wrong IDX magic number 0x%08x (expected 0x%08x)",
                  static_cast<unsigned>(magic), static_cast<unsigned>(idx_magic(rank)));
    throw data_error(what + ": " + buf);
  }
  if (bytes.size() < header) throw data_error(what + ": truncated IDX header");
  idx_array a;
  std::size_t count = 1;
  for (std::size_t d = 0; d < rank; ++d) {
    const std::size_t n = be32(4 + 4 * d);
    if (n == 0) throw data_error(what + ": IDX dimension " + std::to_string(d) + " is 0");
    if (count > std::numeric_limits<std::size_t>::max() / n)
      throw data_error(what + ": IDX dimensions overflow");
    count *= n;
    a.dims.push_back(n);
  }
  if (bytes.size() - header != count)
    throw data_error(what + ": IDX data has " + std::to_string(bytes.size() - header) +
                     " bytes, the header promises " + std::to_string(count));
  a.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return a;
}

/// Reads a gzip-compressed unsigned-byte IDX file of the given rank: digest of the file, zlib
/// decompression, header and length checks (all data_error, naming the file).
[[nodiscard]] inline idx_array read_idx_gz(const std::filesystem::path& path, std::size_t rank) {
  const std::vector<std::uint8_t> raw = detail::read_file_bytes(path);
  const std::string what = detail::quoted_path(path);
  idx_array a = parse_idx(gunzip(raw, what), rank, what);
  a.path = path;
  a.file_bytes = raw.size();
  a.sha256 = sha256(raw);
  return a;
}

}  // namespace initlab

INITLAB_FP_STRICT_END
