// expect-error: initlab::dense: FanOut \(the output width D-hat\) must be positive
#include <initlab/dense.hpp>

static_assert(initlab::dense<4, 0, initlab::fan_out_normal, initlab::identity>::fan_in == 4);
