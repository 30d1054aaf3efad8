// expect-error: initlab::network: layer widths do not match
// expect-error: layer_widths_match<2, 7, 8>
// expect-error: (comparison reduces to '\(7 == 8\)'|requirement '7UL == 8UL')
// Layer 2 (0-based) reads 7 units but layer 1 writes 8: the diagnostic must name position 2.
#include <initlab/network.hpp>

using net = initlab::network<initlab::dense<4, 8, initlab::he_normal, initlab::relu>,
                             initlab::dense<8, 8, initlab::he_normal, initlab::relu>,
                             initlab::dense<7, 3, initlab::he_normal, initlab::relu>>;
static_assert(net::depth == 3);
