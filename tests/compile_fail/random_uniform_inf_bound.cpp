// expect-error: initlab::random_uniform: Bound must be finite and non-negative
#include <initlab/init.hpp>
#include <limits>

static_assert(initlab::random_uniform<std::numeric_limits<double>::infinity()>::variance(1, 1) >
              0.0);
