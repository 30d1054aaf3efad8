// expect-success
// Control: the same kind of code as the other cases, but correct. If this fails, the harness
// (compiler, flags, include path) is broken and every "expected failure" would be meaningless.
#include <initlab/initlab.hpp>

using net = initlab::network<initlab::dense<4, 8, initlab::he_normal, initlab::relu>,
                             initlab::dense<8, 3, initlab::he_normal, initlab::relu>>;
static_assert(net::depth == 2);
static_assert(initlab::forward_variances<net>(1.0)[1] == 2.0);
static_assert(initlab::variance_scaling<2.0, initlab::fan::in, initlab::dist::normal>::variance(
                  8, 3) == 0.25);

int main() {}
