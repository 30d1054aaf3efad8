// A downstream user of the installed package: static_asserts a network's forward and backward
// variance profiles, then checks at run time that the same calls give the same numbers.
#include <cstdio>
#include <initlab/initlab.hpp>

namespace {

// 3 ReLU layers with He (fan_in) initialization and unequal widths.
using he_forward = initlab::network<initlab::dense<16, 64, initlab::he_normal, initlab::relu>,
                                    initlab::dense<64, 32, initlab::he_normal, initlab::relu>,
                                    initlab::dense<32, 8, initlab::he_normal, initlab::relu>>;
// The same shapes with He fan_out: the backward variance is the one preserved.
using he_backward =
    initlab::network<initlab::dense<16, 64, initlab::he_normal_fan_out, initlab::relu>,
                     initlab::dense<64, 32, initlab::he_normal_fan_out, initlab::relu>,
                     initlab::dense<32, 8, initlab::he_normal_fan_out, initlab::relu>>;

static_assert(initlab::preserves_forward_variance<he_forward>(1e-12));
static_assert(initlab::preserves_backward_variance<he_backward>(1e-12));
// fan_in init does not preserve the backward variance when widths differ: D̂/D per layer.
static_assert(!initlab::preserves_backward_variance<he_forward>(0.01));
static_assert(initlab::forward_variances<he_forward>(1.0)[2] == 2.0);
static_assert(initlab::backward_variances<he_backward>(1.0)[0] == 2.0);

}  // namespace

int main() {
  volatile double q0 = 1.0;  // a run-time value: the same functions, evaluated at run time
  const auto forward = initlab::forward_variances<he_forward>(q0);
  const auto backward = initlab::backward_variances<he_backward>(q0);
  int failures = 0;
  for (std::size_t l = 0; l < he_forward::depth; ++l) {
    std::printf("layer %zu: Var[y] = %.17g, Var[dL/dx] = %.17g\n", l + 1, forward[l], backward[l]);
    if (forward[l] != 2.0 || backward[l] != 2.0) ++failures;
  }
  if (failures != 0) {
    std::printf("initlab consumer: %d layer(s) differ from 2\n", failures);
    return 1;
  }
  std::printf("initlab consumer: ok\n");
  return 0;
}
