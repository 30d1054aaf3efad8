// expect-error: initlab::network: every template argument must be a layer descriptor
// A type that is neither a layer kind nor an activation, inside a nested serial.
#include <initlab/network.hpp>

using net = initlab::network<initlab::serial<initlab::dense<4, 4, initlab::he_normal>, double>>;
static_assert(net::depth == 2);
