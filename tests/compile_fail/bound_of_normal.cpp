// expect-error: bound
// expect-error: constraints not satisfied|no matching function
// Only uniform initializers have a bound; asking a normal one is a compile error.
#include <initlab/init.hpp>

static_assert(initlab::xavier_normal::bound(4, 4) > 0.0);
