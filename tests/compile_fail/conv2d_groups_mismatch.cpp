// expect-error: initlab::conv2d: groups must divide both CIn and COut
// 4 groups cannot split 6 input channels.
#include <initlab/conv2d.hpp>

using bad = initlab::conv2d<6, 8, 3, 3, initlab::he_normal, initlab::relu,
                            initlab::conv_options{1, initlab::padding::same_zero, 4}>;
static_assert(bad::out_width == 8);
