// expect-error: initlab::conv2d: CIn \(input channels\) must be positive
#include <initlab/conv2d.hpp>

static_assert(initlab::conv2d<0, 8, 3, 3, initlab::he_normal, initlab::relu>::out_width == 8);
