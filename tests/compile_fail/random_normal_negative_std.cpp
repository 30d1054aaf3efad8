// expect-error: initlab::random_normal: Std must be finite and non-negative
#include <initlab/init.hpp>

static_assert(initlab::random_normal<-0.01>::variance(1, 1) > 0.0);
