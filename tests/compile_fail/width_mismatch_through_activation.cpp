// expect-error: initlab::network: layer widths do not match
// expect-error: layer_widths_match<2, 7, 8>
// The activation between the dense layers preserves width: layer 2 still sees 8 units.
#include <initlab/network.hpp>

using net = initlab::network<initlab::dense<4, 8, initlab::he_normal>, initlab::relu,
                             initlab::dense<7, 3, initlab::he_normal>>;
static_assert(net::depth == 3);
