// Writes the raw 64-bit words of an initlab stream to stdout, for a test battery
// (`stream_words | dieharder -g 200 …`, scripts/dieharder).
//
//   stream_words [--seed S] [--rounds R]
//
// With the default R = 7 the words are stream(S)'s words 0, 1, 2, … (little-endian), drawn by
// the bulk AVX-512 / AVX2 path when the CPU has it (bit-identical to `stream::word`, tested in
// sampler_test). --rounds R < 7 writes ARS-R instead (the same counters and key, R AES rounds):
// the battery's negative control, which must fail for a small R.
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initlab/sampler.hpp>
#include <string>
#include <vector>

namespace {

/// Words 2·b0 … 2·(b0 + nblocks) − 1 of `s` into `out`: the AVX-512 path's ARS blocks when
/// the CPU has it (nblocks a multiple of 16), else stream::block.
void stream_words(const initlab::stream& s, std::uint64_t* out, std::uint64_t b0,
                  std::size_t nblocks);

#if INITLAB_SAMPLER_X86
INITLAB_TARGET_AVX512 void words_avx512(const initlab::stream& s, std::uint64_t* out,
                                        std::uint64_t b0, std::size_t nblocks) {
  namespace v = initlab::detail::avx512;
  const v::round_keys keys = v::make_round_keys(s.data_key());
  for (std::size_t i = 0; i < nblocks; i += 16) {
    __m512i w[4];  // register j = the words of blocks b0 + i + 4j … +3, in order
    v::ars(keys, b0 + i, w);
    for (std::size_t j = 0; j < 4; ++j)
      _mm512_storeu_si512(out + 2 * i + 8 * j, w[j]);
  }
}
#endif

void stream_words(const initlab::stream& s, std::uint64_t* out, std::uint64_t b0,
                  std::size_t nblocks) {
#if INITLAB_SAMPLER_X86
  if (initlab::detail::sampler_path_supported(initlab::detail::sampler_path::avx512))
    return words_avx512(s, out, b0, nblocks);
#endif
  for (std::size_t i = 0; i < nblocks; ++i) {
    out[2 * i] = s.word(2 * (b0 + i));
    out[2 * i + 1] = s.word(2 * (b0 + i) + 1);
  }
}

int usage(const char* message) {
  std::fprintf(stderr, "stream_words: %s (usage: stream_words [--seed S] [--rounds 1..7])\n",
               message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe ends the run through fwrite, with status 0
  std::uint64_t seed = 20261203;
  int rounds = initlab::detail::ars_rounds;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return usage(("missing value after " + flag).c_str());
    char* end = nullptr;
    const unsigned long long value = std::strtoull(argv[++i], &end, 10);
    if (end == argv[i] || *end != '\0') return usage(("not a number: " + flag).c_str());
    if (flag == "--seed") {
      seed = value;
    } else if (flag == "--rounds" && value >= 1 && value <= 7) {
      rounds = static_cast<int>(value);
    } else {
      return usage(("bad option " + flag).c_str());
    }
  }
  const initlab::stream s(seed);
  constexpr std::size_t blocks = 1u << 16;
  std::vector<std::uint64_t> words(2 * blocks);
  for (std::uint64_t b0 = 0;; b0 += blocks) {
    if (rounds == initlab::detail::ars_rounds) {
      stream_words(s, words.data(), b0, blocks);
      if (b0 == 0)  // the fast path must write the stream's own words
        for (std::size_t n = 0; n < words.size(); ++n)
          if (words[n] != s.word(n)) {
            std::fprintf(stderr, "stream_words: word %zu differs from stream::word\n", n);
            return 1;
          }
    } else {
      for (std::size_t i = 0; i < blocks; ++i) {
        const auto y = initlab::detail::ars_with_rounds({static_cast<std::uint32_t>(b0 + i),
                                    static_cast<std::uint32_t>((b0 + i) >> 32), 0u, 0u},
                                   s.data_key(), rounds);
        words[2 * i] = std::uint64_t{y[0]} | std::uint64_t{y[1]} << 32;
        words[2 * i + 1] = std::uint64_t{y[2]} | std::uint64_t{y[3]} << 32;
      }
    }
    if (std::fwrite(words.data(), sizeof(std::uint64_t), words.size(), stdout) != words.size())
      return 0;  // the battery closed the pipe: done
  }
}
