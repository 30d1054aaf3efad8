// Layers and networks: fans, width checks, and the forward/backward recursions of THEORY.md §1
// on the cases the seed texts derive. Only static_asserts: compiling is passing.
#include <array>
#include <initlab/network.hpp>
#include <initlab/stability.hpp>
#include <type_traits>

namespace {

using initlab::dense;
using initlab::network;
using initlab::within_rel;
constexpr double tol = 1e-14;  // relative; the recursions are a handful of roundings deep

// ----------------------------------------------------------------------------- layer descriptors
using d1 = dense<300, 100, initlab::xavier_normal, initlab::tanh>;
static_assert(d1::fan_in == 300 && d1::fan_out == 100);
static_assert(d1::in_width == 300 && d1::out_width == 100);
static_assert(std::is_same_v<d1::init_type, initlab::xavier_normal>);
static_assert(std::is_same_v<d1::activation_type, initlab::tanh>);
static_assert(d1::weight_variance() == 2.0 / 400.0);
static_assert(d1::law() == initlab::xavier_normal::law(300, 100));
static_assert(initlab::layer_kind<d1>);
static_assert(!initlab::layer_kind<int>);

// conv fans (THEORY.md §4): fan_in = C_in·k², fan_out = C_out·k²; widths are channels.
using c1 = initlab::conv2d<3, 16, 3, 5, initlab::he_normal, initlab::relu>;
static_assert(c1::fan_in == 3 * 3 * 5 && c1::fan_out == 16 * 3 * 5);
static_assert(c1::in_width == 3 && c1::out_width == 16);
static_assert(c1::weight_variance() == 2.0 / 45.0);
static_assert(initlab::conv2d<8, 8, 1, 1, initlab::lecun_normal, initlab::identity>::fan_in == 8);

// -------------------------------------------------------------------------- network structure
using he_relu = network<dense<100, 300, initlab::he_normal, initlab::relu>,
                        dense<300, 50, initlab::he_normal, initlab::relu>,
                        dense<50, 200, initlab::he_normal, initlab::relu>,
                        dense<200, 10, initlab::he_normal, initlab::relu>>;
static_assert(he_relu::depth == 4);
static_assert(std::is_same_v<he_relu::layer<1>, dense<300, 50, initlab::he_normal, initlab::relu>>);
static_assert(he_relu::input_width == 100 && he_relu::output_width == 10);
static_assert(initlab::network_type<he_relu> && !initlab::network_type<d1>);

// Width check helpers (the compile-fail test shows the asserting form names the layer).
static_assert(initlab::widths_match<dense<4, 8, initlab::zeros, initlab::relu>,
                                    dense<8, 2, initlab::zeros, initlab::relu>>());
static_assert(!initlab::widths_match<dense<4, 8, initlab::zeros, initlab::relu>,
                                     dense<7, 2, initlab::zeros, initlab::relu>>());
static_assert(!initlab::widths_match<c1, c1>());  // 16 channels out, 3 in
static_assert(initlab::layer_widths_match<3, 5, 5>::value);

// ------------------------------------------------ He + ReLU: forward constant after the first
// layer Var[y_1] = D·(2/D)·q0 = 2q0 (the input is not activated), then Var[y_l] =
// D·(2/D)·Var[y_{l-1}]/2.
constexpr auto he_fwd = initlab::forward_variances<he_relu>(3.0);
static_assert(within_rel(he_fwd[0], 6.0, tol) && within_rel(he_fwd[1], 6.0, tol) &&
              within_rel(he_fwd[2], 6.0, tol) && within_rel(he_fwd[3], 6.0, tol));
static_assert(initlab::preserves_forward_variance<he_relu>(tol));
static_assert(within_rel(initlab::activation_second_moments<he_relu>(3.0)[3], 3.0, tol));
// fan_in init does not preserve the gradient when widths differ: Var[∂L/∂x_l] = D̂_l/D_l · ...
// Layer 4: 10·(2/200)·g = 0.1g; each ReLU below halves Var[∂L/∂y], each layer multiplies by 2D̂/D.
constexpr auto he_bwd = initlab::backward_variances<he_relu>(1.0);
static_assert(within_rel(he_bwd[3], 10.0 / 200.0 * 2.0, tol));
static_assert(within_rel(he_bwd[2], 200.0 / 50.0 * 2.0 * 0.5 * he_bwd[3], tol));
static_assert(within_rel(he_bwd[0], 300.0 / 100.0 * 2.0 * 0.5 * he_bwd[1], tol));
static_assert(!initlab::preserves_backward_variance<he_relu>(0.5));

// ------------------------------------------- He fan_out + ReLU: backward constant (He eq. 14)
using he_out = network<dense<100, 300, initlab::he_normal_fan_out, initlab::relu>,
                       dense<300, 50, initlab::he_normal_fan_out, initlab::relu>,
                       dense<50, 200, initlab::he_normal_fan_out, initlab::relu>,
                       dense<200, 10, initlab::he_normal_fan_out, initlab::relu>>;
constexpr auto out_bwd = initlab::backward_variances<he_out>(0.5);
static_assert(within_rel(out_bwd[0], 1.0, tol) && within_rel(out_bwd[1], 1.0, tol) &&
              within_rel(out_bwd[2], 1.0, tol) && within_rel(out_bwd[3], 1.0, tol));
static_assert(initlab::preserves_backward_variance<he_out>(tol));
static_assert(!initlab::preserves_forward_variance<he_out>(0.5));
static_assert(within_rel(initlab::backward_gain<he_out>(), 1.0, tol));

// ----------------------------------------- 1/n with ReLU halves the variance per layer (2^-l)
using lecun_relu = network<dense<64, 64, initlab::lecun_normal, initlab::relu>,
                           dense<64, 64, initlab::lecun_normal, initlab::relu>,
                           dense<64, 64, initlab::lecun_normal, initlab::relu>,
                           dense<64, 64, initlab::lecun_normal, initlab::relu>>;
static_assert(within_rel(initlab::forward_gain<lecun_relu>(), 0.125, tol));
static_assert(within_rel(initlab::backward_gain<lecun_relu>(), 0.125, tol));

// ---------------------------- leaky ReLU: kaiming gain² = 2/(1+a²) preserves both (He eq. 15)
using leaky = initlab::leaky_relu<0.2>;
using kaiming_leaky = network<dense<32, 32, initlab::kaiming_normal<leaky>, leaky>,
                              dense<32, 32, initlab::kaiming_normal<leaky>, leaky>,
                              dense<32, 32, initlab::kaiming_normal<leaky>, leaky>>;
static_assert(initlab::preserves_forward_variance<kaiming_leaky>(tol));
static_assert(initlab::preserves_backward_variance<kaiming_leaky>(tol));

// --------------------------------- LeCun, fan-out, Xavier with linear units (seed text 001)
// Forward ratio per layer D·σ² (identity: E[h²] = Var[y]); backward ratio D̂·σ².
using lecun_lin = network<dense<100, 400, initlab::lecun_normal, initlab::identity>,
                          dense<400, 100, initlab::lecun_normal, initlab::identity>>;
static_assert(initlab::preserves_forward_variance<lecun_lin>(tol));
static_assert(within_rel(initlab::backward_variances<lecun_lin>(1.0)[1], 100.0 / 400.0, tol));
static_assert(within_rel(initlab::backward_variances<lecun_lin>(1.0)[0], 0.25 * 400.0 / 100.0,
                         tol));
using fanout_lin = network<dense<100, 400, initlab::fan_out_normal, initlab::identity>,
                           dense<400, 100, initlab::fan_out_normal, initlab::identity>>;
static_assert(initlab::preserves_backward_variance<fanout_lin>(tol));
static_assert(within_rel(initlab::forward_variances<fanout_lin>(1.0)[0], 100.0 / 400.0, tol));
using xavier_lin = network<dense<100, 300, initlab::xavier_normal, initlab::identity>>;
static_assert(within_rel(initlab::forward_variances<xavier_lin>(1.0)[0], 2.0 * 100 / 400.0, tol));
static_assert(within_rel(initlab::backward_variances<xavier_lin>(1.0)[0], 2.0 * 300 / 400.0, tol));
// φ = α·x with σ² = 1/(D·α²) preserves the forward variance (seed text 001).
using alpha = initlab::linear<0.5>;
using alpha_init = initlab::variance_scaling<4.0, initlab::fan::in, initlab::dist::normal>;
using alpha_net = network<dense<50, 50, alpha_init, alpha>, dense<50, 50, alpha_init, alpha>,
                          dense<50, 50, alpha_init, alpha>>;
static_assert(initlab::preserves_forward_variance<alpha_net>(tol));

// ----------------- small random values (σ = 0.01): the signal shrinks by D·σ² per layer (seed 000)
using small = network<dense<500, 500, initlab::random_normal<0.01>, initlab::identity>,
                      dense<500, 500, initlab::random_normal<0.01>, initlab::identity>,
                      dense<500, 500, initlab::random_normal<0.01>, initlab::identity>>;
static_assert(within_rel(initlab::forward_gain<small>(), 0.05 * 0.05, 1e-13));
static_assert(!initlab::preserves_forward_variance<small>(0.5));

// -------------------------------------------- zeros: the profile vanishes, which is not
// "preserved"
using zero_net =
    network<dense<8, 8, initlab::zeros, initlab::tanh>, dense<8, 8, initlab::zeros, initlab::tanh>>;
static_assert(initlab::forward_variances<zero_net>(1.0) == std::array<double, 2>{0.0, 0.0});
static_assert(initlab::backward_variances<zero_net>(1.0) == std::array<double, 2>{0.0, 0.0});
static_assert(!initlab::preserves_forward_variance<zero_net>(1.0));

// -------------------- conv stack: He fans make the conv forward profile constant as for dense
using conv_net = network<initlab::conv2d<3, 32, 3, 3, initlab::he_normal, initlab::relu>,
                         initlab::conv2d<32, 64, 3, 3, initlab::he_normal, initlab::relu>,
                         initlab::conv2d<64, 64, 5, 5, initlab::he_normal, initlab::relu>>;
static_assert(initlab::preserves_forward_variance<conv_net>(tol));
static_assert(within_rel(initlab::forward_variances<conv_net>(0.5)[2], 1.0, tol));

// ------------- tanh: not homogeneous, so q0 matters backward (the two-argument overload is used)
using tanh_net = network<dense<64, 64, initlab::xavier_normal, initlab::tanh>,
                         dense<64, 64, initlab::xavier_normal, initlab::tanh>>;
static_assert(initlab::backward_variances<tanh_net>(1.0) ==
              initlab::backward_variances<tanh_net>(1.0, 1.0));
static_assert(initlab::backward_variances<tanh_net>(1.0, 4.0)[0] <
              initlab::backward_variances<tanh_net>(1.0, 1.0)[0]);
// Var[∂L/∂x_2] does not depend on the activations at all; the first layer's does, through φ'.
static_assert(initlab::backward_variances<tanh_net>(1.0, 4.0)[1] ==
              initlab::backward_variances<tanh_net>(1.0, 1.0)[1]);
// tanh squashes: E[tanh²] < q, so the forward variance decays with 1/D weights.
static_assert(initlab::forward_gain<tanh_net>() < 1.0);

// ------------------------------------------------------------------------- stability helpers
static_assert(within_rel(1.0 + 1e-3, 1.0, 1.01e-3) && !within_rel(1.0 + 1e-3, 1.0, 0.99e-3));
static_assert(within_rel(0.0, 0.0, 0.0) && !within_rel(1e-300, 0.0, 1.0));
static_assert(initlab::spread(std::array<double, 3>{2.0, 1.0, 4.0}) == 4.0);
static_assert(initlab::is_flat(std::array<double, 2>{1.0, 1.01}, 0.0101) &&
              !initlab::is_flat(std::array<double, 2>{1.0, 1.01}, 0.0099));
static_assert(!initlab::is_flat(std::array<double, 2>{0.0, 0.0}, 1.0));

}  // namespace

// ------------------------------------------------------------------------------ layer algebra
namespace algebra {
using initlab::he_normal;
using initlab::relu;
using initlab::serial;
// An activation is a layer: serial<dense, relu> has the maps of dense<…, relu> (two layers
// instead of one, the same moments at the output and the same gradient at the input).
using fused = network<dense<256, 256, he_normal, relu>, dense<256, 256, he_normal, relu>>;
using split = serial<dense<256, 256, he_normal>, relu, dense<256, 256, he_normal>, relu>;
static_assert(split::depth == 4 && fused::depth == 2);
static_assert(split::forward(initlab::input_signal(1.0)) == fused::forward(initlab::input_signal(1.0)));
static_assert(split::backward(initlab::input_signal(1.0), 1.0) ==
              fused::backward(initlab::input_signal(1.0), 1.0));
static_assert(initlab::activation_second_moments<split>(1.0)[3] ==
              initlab::activation_second_moments<fused>(1.0)[1]);
// Nested serials flatten; repeat<N, L...> is N copies.
static_assert(std::is_same_v<serial<serial<dense<4, 4, he_normal>, relu>, dense<4, 2, he_normal>>,
                             serial<dense<4, 4, he_normal>, relu, dense<4, 2, he_normal>>>);
static_assert(std::is_same_v<network<initlab::repeat<3, dense<8, 8, he_normal, relu>>>,
                             network<dense<8, 8, he_normal, relu>, dense<8, 8, he_normal, relu>,
                                     dense<8, 8, he_normal, relu>>>);
static_assert(network<initlab::repeat<100, dense<8, 8, he_normal>, relu>>::depth == 200);
// Width-preserving layers pass widths on: the check sees through the activation.
static_assert(initlab::widths_match<dense<4, 8, he_normal>, relu, dense<8, 2, he_normal>>());
static_assert(!initlab::widths_match<dense<4, 8, he_normal>, relu, dense<7, 2, he_normal>>());
// A bias adds its second moment σ_b² to Var[y] (and to the cross moment of two inputs).
using biased = network<dense<64, 64, initlab::lecun_normal, initlab::identity,
                             initlab::random_normal<0.5>>>;
static_assert(within_rel(initlab::forward_variances<biased>(2.0)[0], 2.0 + 0.25, tol));
static_assert(within_rel(biased::forward(initlab::input_signal(2.0)).cross, 0.25, tol));
// A constant bias shifts the mean: E[y] = C, E[y²] = D·σ²·q + C².
using shifted = network<dense<64, 64, initlab::lecun_normal, initlab::identity,
                              initlab::constant<0.5>>>;
static_assert(shifted::forward(initlab::input_signal(1.0)).mean == 0.5);
static_assert(within_rel(initlab::forward_variances<shifted>(1.0)[0], 1.25, tol));
// ReLU outputs are not centred: E[relu(y)] = √(q/(2π)), and two inputs' outputs correlate
// through that mean (E[h_b h_b'] = mean² when y_b, y_b' are independent).
constexpr initlab::signal after_relu =
    network<dense<64, 64, he_normal, relu>>::forward(initlab::input_signal(1.0));
static_assert(within_rel(after_relu.mean * after_relu.mean, 2.0 / (2.0 * 3.141592653589793), tol));
static_assert(within_rel(after_relu.cross, after_relu.mean * after_relu.mean, tol));
}  // namespace algebra
