// expect-error: initlab::dense: FanIn \(the input width D\) must be positive
#include <initlab/dense.hpp>

static_assert(initlab::dense<0, 4, initlab::lecun_normal, initlab::identity>::fan_out == 4);
