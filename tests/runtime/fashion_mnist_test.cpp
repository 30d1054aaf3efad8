// The data reader (idx.hpp, fashion_mnist.hpp, sha256.hpp): good and bad gzipped IDX inputs, built
// in a temporary directory with zlib; the installed Fashion-MNIST set when it is present.
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initlab/fashion_mnist.hpp>
#include <initlab/idx.hpp>
#include <initlab/sha256.hpp>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using bytes = std::vector<std::uint8_t>;

namespace {

/// A fresh temporary directory, removed at the end of the test.
struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "initlab-idx-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

bytes gzip(const bytes& in) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  bytes out(deflateBound(&z, in.size()) + 64);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

void write(const fs::path& p, const bytes& b) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  REQUIRE(f.good());
}

void put32(bytes& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    b.push_back(static_cast<std::uint8_t>(v >> s));
}

/// An uncompressed unsigned-byte IDX array with the given dimensions and values i mod 256.
bytes idx(std::vector<std::uint32_t> dims, std::uint32_t magic = 0) {
  bytes b;
  put32(b, magic != 0 ? magic : initlab::idx_magic(dims.size()));
  std::size_t n = 1;
  for (const std::uint32_t d : dims) {
    put32(b, d);
    n *= d;
  }
  for (std::size_t i = 0; i < n; ++i)
    b.push_back(static_cast<std::uint8_t>(i % 7));
  return b;
}

std::string error_of(const fs::path& p, std::size_t rank) {
  try {
    (void)initlab::read_idx_gz(p, rank);
  } catch (const initlab::data_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("sha256 matches FIPS 180-4 test vectors") {
  const std::string abc = "abc";
  CHECK(initlab::to_hex(initlab::sha256({reinterpret_cast<const std::uint8_t*>(abc.data()), 3})) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(initlab::to_hex(initlab::sha256({})) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("read_idx_gz reads a good file and records its digest") {
  temp_dir d;
  const bytes raw = gzip(idx({3, 2, 2}));
  write(d.path / "a.gz", raw);
  const initlab::idx_array a = initlab::read_idx_gz(d.path / "a.gz", 3);
  CHECK(a.dims == std::vector<std::size_t>{3, 2, 2});
  REQUIRE(a.values.size() == 12);
  CHECK(a.values[8] == 1);
  CHECK(a.file_bytes == raw.size());
  CHECK(a.sha256 == initlab::sha256(raw));
}

TEST_CASE("read_idx_gz rejects every defect with one line naming the file") {
  temp_dir d;
  const fs::path p = d.path / "bad.gz";
  const bytes good = gzip(idx({4, 3}));
  auto expect = [&](const bytes& content, std::size_t rank, const std::string& part) {
    write(p, content);
    const std::string e = error_of(p, rank);
    INFO(e);
    CHECK(e.find(part) != std::string::npos);
    CHECK(e.find(p.string()) != std::string::npos);
    CHECK(e.find('\n') == std::string::npos);
  };
  SECTION("missing") {
    CHECK(error_of(d.path / "none.gz", 2).find("no such file") != std::string::npos);
  }
  SECTION("a directory") {
    CHECK(error_of(d.path, 2).find("not a regular file") != std::string::npos);
  }
  SECTION("empty") {
    expect({}, 2, "not a gzip file");
  }
  SECTION("not gzip") {
    expect(idx({4, 3}), 2, "not a gzip file");
  }
  SECTION("truncated") {
    expect(bytes(good.begin(), good.begin() + static_cast<long>(good.size() / 2)), 2, "truncated");
  }
  SECTION("truncated trailer") {
    expect(bytes(good.begin(), good.end() - 3), 2, "truncated");
  }
  SECTION("corrupt CRC") {
    bytes b = good;
    b[b.size() - 6] ^= 0x40;  // inside the CRC-32 of the trailer
    expect(b, 2, "corrupt");
  }
  SECTION("corrupt data") {
    bytes b = good;
    b[12] ^= 0xff;
    write(p, b);
    CHECK(!error_of(p, 2).empty());
  }
  SECTION("trailing bytes") {
    bytes b = good;
    b.push_back(0);
    expect(b, 2, "unexpected bytes after");
  }
  SECTION("wrong magic (type)") {
    expect(gzip(idx({4, 3}, 0x00000d02)), 2, "wrong IDX magic");
  }
  SECTION("wrong magic (rank)") {
    expect(gzip(idx({4, 3})), 3, "wrong IDX magic");
  }
  SECTION("short data") {
    bytes b = idx({4, 3});
    b.pop_back();
    expect(gzip(b), 2, "promises 12");
  }
  SECTION("long data") {
    bytes b = idx({4, 3});
    b.push_back(1);
    expect(gzip(b), 2, "promises 12");
  }
  SECTION("zero dimension") {
    expect(gzip(idx({0, 3})), 2, "is 0");
  }
  SECTION("truncated header") {
    bytes b = idx({4, 3});
    b.resize(6);
    expect(gzip(b), 2, "truncated IDX header");
  }
}

TEST_CASE("load_fashion_mnist rejects a directory without the set") {
  temp_dir d;
  auto message = [](const fs::path& dir) {
    try {
      (void)initlab::load_fashion_mnist(dir);
    } catch (const initlab::data_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(message(d.path / "missing").find("not a directory") != std::string::npos);
  CHECK(message(d.path).find("train-images-idx3-ubyte.gz is missing") != std::string::npos);
  // Right format, wrong sizes: 2 images of 28 x 28.
  write(d.path / initlab::fashion_mnist_files[0], gzip(idx({2, 28, 28})));
  write(d.path / initlab::fashion_mnist_files[1], gzip(idx({2})));
  write(d.path / initlab::fashion_mnist_files[2], gzip(idx({2, 28, 28})));
  write(d.path / initlab::fashion_mnist_files[3], gzip(idx({2})));
  CHECK(message(d.path).find("expected 60000 of 28x28") != std::string::npos);
}

TEST_CASE("the installed Fashion-MNIST set loads and checks") {
  if (!fs::exists(initlab::fashion_mnist_default_dir)) {
    WARN("dataset-fashion-mnist is not installed; skipped");
    return;
  }
  const initlab::fashion_mnist set = initlab::load_fashion_mnist();
  CHECK(set.train.count == 60000);
  CHECK(set.test.count == 10000);
  CHECK(set.train.pixels.size() == 60000u * 784u);
  for (const std::size_t c : set.test.class_counts())
    CHECK(c == 1000);
  for (const initlab::data_file& f : set.files) {
    CHECK(f.sha256.size() == 64);
    CHECK(f.bytes > 0);
  }
}
