// expect-error: initlab::variance_scaling: Scale must be positive and finite
#include <initlab/init.hpp>

using bad = initlab::variance_scaling<-2.0, initlab::fan::in, initlab::dist::normal>;
static_assert(bad::variance(4, 4) < 0.0);
