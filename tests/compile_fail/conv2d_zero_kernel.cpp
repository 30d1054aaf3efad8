// expect-error: initlab::conv2d: the kernel size KH x KW must be positive
#include <initlab/conv2d.hpp>

static_assert(initlab::conv2d<3, 8, 0, 3, initlab::he_normal, initlab::relu>::out_width == 8);
