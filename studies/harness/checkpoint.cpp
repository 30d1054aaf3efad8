/// The checkpoint file of `--checkpoint` / `--resume`: the run's identity and the serialized
/// results of its completed trials, with a SHA-256 of the content (a truncated or foreign file
/// is refused, never half-used).
///
/// Layout (integers little-endian as the host writes them, 64-bit):
///   "initlab-checkpoint/1\n", header length, header (JSON text), batch count,
///   per batch: n, type key, done, byte count, bytes; then the SHA-256 of all preceding bytes.
#include <fstream>
#include <initlab/sha256.hpp>
#include <iterator>
#include <string>

#include "internal.hpp"
#include "serialization.hpp"

namespace initlab::study::detail {
namespace {

constexpr std::string_view magic = "initlab-checkpoint/1\n";

std::string digest_of(std::string_view bytes) {
  const auto d = initlab::sha256(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace

std::string encode_checkpoint(const checkpoint_data& c) {
  serialization::writer w;
  w.raw(magic.data(), magic.size());
  serialization::write(w, c.header);
  serialization::write(w, static_cast<std::uint64_t>(c.batches.size()));
  for (const checkpoint_batch& b : c.batches) {
    serialization::write(w, b.n);
    serialization::write(w, b.type);
    serialization::write(w, b.done);
    serialization::write(w, b.bytes);
  }
  std::string bytes = w.take();
  bytes += digest_of(bytes);
  return bytes;
}

checkpoint_data decode_checkpoint(std::string_view bytes, const std::filesystem::path& file) {
  const std::string not_one = "--resume '" + file.string() + "' is not a checkpoint of initlab";
  if (bytes.size() < magic.size() + 32 || bytes.substr(0, magic.size()) != magic)
    throw io_error(not_one);
  const std::string_view content = bytes.substr(0, bytes.size() - 32);
  if (digest_of(content) != bytes.substr(bytes.size() - 32))
    throw io_error("--resume '" + file.string() + "' is damaged (checksum mismatch)");
  checkpoint_data c;
  try {
    serialization::reader r(content.substr(magic.size()));
    serialization::read(r, c.header);
    std::uint64_t count = 0;
    serialization::read(r, count);
    for (std::uint64_t i = 0; i < count; ++i) {
      checkpoint_batch b;
      serialization::read(r, b.n);
      serialization::read(r, b.type);
      serialization::read(r, b.done);
      serialization::read(r, b.bytes);
      if (b.done > b.n) throw std::runtime_error("bad batch");
      c.batches.push_back(std::move(b));
    }
    if (!r.done()) throw std::runtime_error("trailing bytes");
  } catch (const std::runtime_error&) {
    throw io_error(not_one);
  }
  return c;
}

std::string read_whole_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw io_error("--resume '" + file.string() + "' is not a readable file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw io_error("cannot open --resume '" + file.string() + "'");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw io_error("cannot read --resume '" + file.string() + "'");
  return s;
}

}  // namespace initlab::study::detail
