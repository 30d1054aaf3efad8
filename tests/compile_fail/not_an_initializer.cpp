// expect-error: initlab::dense: Init must be an initializer
// An activation passed where the initializer belongs (arguments swapped).
#include <initlab/dense.hpp>

static_assert(initlab::dense<4, 4, initlab::relu, initlab::he_normal>::fan_in == 4);
