// expect-error: initlab::network: every template argument must be a layer descriptor
#include <initlab/network.hpp>

using net = initlab::network<initlab::dense<4, 4, initlab::he_normal, initlab::relu>, int>;
static_assert(net::depth == 2);
