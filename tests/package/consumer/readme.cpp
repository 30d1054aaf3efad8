// The README's example, verbatim, as a downstream user compiles it (with the consumer's own
// flags): compiling is passing.
#include <initlab/initlab.hpp>

namespace readme {

using net = initlab::network<
    initlab::dense<784, 256, initlab::he_normal, initlab::relu>,
    initlab::dense<256, 256, initlab::he_normal, initlab::relu>,
    initlab::dense<256, 10, initlab::lecun_normal, initlab::identity>>;

constexpr auto q = initlab::forward_variances<net>(1.0);   // Var[y_l], input E[x²] = 1
static_assert(initlab::within_rel(q[2], 1.0, 1e-15));      // logits have unit variance
static_assert(!initlab::preserves_forward_variance<net>(0.01));  // Var[y_1] = 2, Var[y_3] = 1

using relu_stack = initlab::network<initlab::dense<256, 256, initlab::he_normal, initlab::relu>,
                                    initlab::dense<256, 256, initlab::he_normal, initlab::relu>,
                                    initlab::dense<256, 256, initlab::he_normal, initlab::relu>>;
static_assert(initlab::preserves_forward_variance<relu_stack>(0.01));   // flat within 1%
static_assert(initlab::preserves_backward_variance<initlab::network<
    initlab::dense<256, 256, initlab::he_normal_fan_out, initlab::relu>,
    initlab::dense<256, 256, initlab::he_normal_fan_out, initlab::relu>>>(0.01));
static_assert(initlab::mean_field::analyze<initlab::relu>({.weight_variance = 2.0}).phase ==
              initlab::mean_field::phase::critical);                      // He = edge of chaos

}  // namespace readme
