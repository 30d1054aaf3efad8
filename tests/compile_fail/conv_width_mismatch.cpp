// expect-error: initlab::network: layer widths do not match
// expect-error: layer_widths_match<1, 32, 16>
// conv2d widths are channels: 16 channels out, 32 expected in.
#include <initlab/network.hpp>

using net = initlab::network<initlab::conv2d<3, 16, 3, 3, initlab::he_normal, initlab::relu>,
                             initlab::conv2d<32, 64, 3, 3, initlab::he_normal, initlab::relu>>;
static_assert(net::depth == 2);
