// The layer algebra as a downstream user sees it (DESIGN.md §3.1 names only): values that follow
// from THEORY.md, as static_asserts. Compiling is passing; the consumer's main() runs the same
// maps at run time.
#include <initlab/initlab.hpp>

namespace algebra {

using namespace initlab;
constexpr double tol = 1e-13;

// serial<dense<…>, relu> equals dense<…, relu> in every map.
using fused = network<dense<256, 256, he_normal, relu>>;
using split = serial<dense<256, 256, he_normal>, relu>;
static_assert(within_rel(forward_variances<split>(1.0)[1], forward_variances<fused>(1.0)[0] / 2.0,
                         tol));
static_assert(split::forward(input_signal(1.0)) == fused::forward(input_signal(1.0)));
static_assert(split::backward(input_signal(1.0), 1.0) == fused::backward(input_signal(1.0), 1.0));

// An unnormalized He/ReLU residual stream doubles per block (THEORY.md §8).
using block = residual<serial<relu, dense<256, 256, he_normal>>>;
using stream4 = network<repeat<4, block>>;
static_assert(within_rel(forward_variances<stream4>(1.0)[0], 2.0, tol) &&
              within_rel(forward_variances<stream4>(1.0)[3], 16.0, tol));

// Batch norm outputs have unit variance whatever the weight scale (ε = 0).
using tiny_bn = network<dense<128, 128, random_normal<0.01>>, batch_norm<0.0>>;
using huge_bn = network<dense<128, 128, random_normal<10.0>>, batch_norm<0.0>>;
static_assert(within_rel(forward_variances<tiny_bn>(1.0)[1], 1.0, tol) &&
              within_rel(forward_variances<huge_bn>(1.0)[1], 1.0, tol));
// Layer norm likewise, per sample.
static_assert(within_rel(forward_variances<network<dense<128, 128, random_normal<0.01>>,
                                                   layer_norm<0.0>>>(1.0)[1],
                         1.0, tol));

// A bias adds σ_b² to Var[y].
static_assert(within_rel(forward_variances<network<dense<64, 64, lecun_normal, identity,
                                                         random_normal<0.5>>>>(1.0)[0],
                         1.25, tol));

// A stride-2 conv's backward gain is its stride-1 gain divided by 4; grouped fans per group.
using conv_s1 = network<conv2d<16, 16, 3, 3, he_normal, identity>>;
using conv_s2 = network<conv2d<16, 16, 3, 3, he_normal, identity, conv_options{.stride = 2}>>;
static_assert(within_rel(backward_variances<conv_s2>(1.0)[0],
                         backward_variances<conv_s1>(1.0)[0] / 4.0, tol));
using grouped = conv2d<16, 32, 3, 3, he_normal, relu, conv_options{.groups = 4}>;
static_assert(grouped::fan_in == 4 * 9 && grouped::fan_out == 8 * 9);

// A conv stack feeds a dense head through global average pooling or flatten.
using conv_net = network<conv2d<3, 8, 3, 3, he_normal, relu,
                                conv_options{.padding = padding::same_circular}>,
                         global_avg_pool, dense<8, 10, lecun_normal>>;
static_assert(conv_net::depth == 3 && conv_net::output_width == 10);
static_assert(network<conv2d<3, 8, 3, 3, he_normal, relu>, flatten<8, 4, 4>,
                      dense<128, 10, lecun_normal>>::output_width == 10);

}  // namespace algebra
