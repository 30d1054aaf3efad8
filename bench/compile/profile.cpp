// Compile-time benchmark TU (bench/compile/run): static_asserts the analytic profile of a
// depth-INITLAB_DEPTH stack of dense 256→256 layers with activation INITLAB_ACT (LeCun normal for
// tanh, He normal for ReLU), the whole profile in one constant expression.
#include <initlab/core.hpp>

#ifndef INITLAB_DEPTH
#define INITLAB_DEPTH 10
#endif
#ifndef INITLAB_ACT
#define INITLAB_ACT tanh
#endif

namespace {
using act = initlab::INITLAB_ACT;
using init = std::conditional_t<std::is_same_v<act, initlab::relu>, initlab::he_normal,
                                initlab::lecun_normal>;
using net = initlab::network<initlab::repeat<INITLAB_DEPTH, initlab::dense<256, 256, init, act>>>;
constexpr auto p = initlab::profile<net>(1.0, 1.0);
static_assert(p.forward[INITLAB_DEPTH - 1] > 0.0 && p.backward[0] > 0.0);
}  // namespace

int main() { return p.forward[0] > 0.0 ? 0 : 1; }
