#pragma once
/// avx512 path of the bulk samplers (placeholder: forwards to the scalar path until written).

#include <initlab/detail/sampler_scalar.hpp>

namespace initlab::detail {

/// Fills blocks [b0, b0 + nblocks) into out[0 .. 2·nblocks) (temporarily the scalar code).
template <class T, class Params>
void fill_blocks_avx512(const stream& s, T* out, std::uint64_t b0, std::size_t nblocks,
                        const Params& p) noexcept {
  fill_blocks_scalar(s, out, b0, nblocks, p);
}

}  // namespace initlab::detail
