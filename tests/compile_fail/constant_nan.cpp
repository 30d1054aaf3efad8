// expect-error: initlab::constant: the value C must be finite
#include <initlab/init.hpp>
#include <limits>

static_assert(initlab::constant<std::numeric_limits<double>::quiet_NaN()>::variance(1, 1) == 0.0);
