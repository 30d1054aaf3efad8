// expect-error: the variance recursions \(THEORY.md section 1\) assume zero-mean weights
// constant<0.5> has mean 0.5: Var[y] = D·σ²·E[h²] does not hold, so the profile is refused.
#include <initlab/network.hpp>

using net = initlab::network<initlab::dense<4, 4, initlab::constant<0.5>, initlab::identity>>;
static_assert(initlab::forward_variances<net>(1.0)[0] >= 0.0);
