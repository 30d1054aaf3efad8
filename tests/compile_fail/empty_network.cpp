// expect-error: initlab::network: a network needs at least one layer
#include <initlab/network.hpp>

static_assert(initlab::network<>::depth == 0);
