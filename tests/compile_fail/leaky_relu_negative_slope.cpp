// expect-error: initlab::leaky_relu: Slope must be finite and >= 0
// The check lives in activation.hpp; it must also fire when the activation is used in a layer.
#include <initlab/dense.hpp>

static_assert(initlab::dense<4, 4, initlab::he_normal, initlab::leaky_relu<-0.1>>::fan_in == 4);
