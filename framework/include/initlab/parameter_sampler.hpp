#pragma once
/// How a run-time pass draws its parameters. Core names only this interface, so the analytic
/// headers do not carry the sampler's code (Philox, the ziggurat, its AVX paths, threads): a
/// translation unit that only static_asserts a network stays cheap to compile. The Monte Carlo
/// engine passes initlab's bulk sampler (`bulk_sampler`, sampler.hpp); a test may pass its own.

#include <initlab/detail/fp_strict.hpp>
#include <initlab/random.hpp>
#include <initlab/weight_law.hpp>
#include <span>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Fills parameter buffers: `out[k]` is element k of stream `s` under `law`.
class parameter_sampler {
 public:
  virtual void fill(const stream& s, std::span<double> out, const weight_law& law) const = 0;

 protected:
  parameter_sampler() = default;
  parameter_sampler(const parameter_sampler&) = default;
  parameter_sampler& operator=(const parameter_sampler&) = default;
  ~parameter_sampler() = default;
};

}  // namespace initlab

INITLAB_FP_STRICT_END
