// expect-error: initlab::variance_scaling: Scale must be positive and finite
#include <initlab/init.hpp>
#include <limits>

using bad = initlab::variance_scaling<std::numeric_limits<double>::quiet_NaN(), initlab::fan::in,
                                      initlab::dist::normal>;
static_assert(bad::scale != 0.0);
