// batch_norm and layer_norm maps (THEORY.md §7): the normalised second moment, the ε departure,
// the guards, independence of the weight scale in dense → BN stacks, and the gradient growth
// π/(π − 1) per dense → BN → ReLU block of Yang et al. (2019). Only static_asserts: compiling
// is passing.
#include <initlab/activation.hpp>
#include <initlab/activation_layer.hpp>
#include <initlab/batch_norm.hpp>
#include <initlab/dense.hpp>
#include <initlab/init.hpp>
#include <initlab/layer.hpp>
#include <initlab/layer_norm.hpp>
#include <initlab/math.hpp>
#include <initlab/serial.hpp>
#include <initlab/signal.hpp>
#include <limits>

namespace {

using initlab::batch_norm;
using initlab::dense;
using initlab::input_signal;
using initlab::layer_norm;
using initlab::network;
using initlab::signal;

// |a − b| ≤ tol·|b| (local, so this file needs no profile header).
constexpr bool near(double a, double b, double tol) {
  const double d = a - b;
  const double m = b < 0.0 ? -b : b;
  return (d < 0.0 ? -d : d) <= tol * m;
}
constexpr double tol = 1e-14;  // a few roundings deep

// ------------------------------------------------------------------------------ layer kinds
static_assert(initlab::layer_kind<batch_norm<>> && initlab::layer_kind<layer_norm<>>);
static_assert(!initlab::activated_layer<batch_norm<>> && !initlab::activated_layer<layer_norm<>>);
static_assert(batch_norm<>::eps == 1e-5 && layer_norm<>::eps == 1e-5);
static_assert(batch_norm<>::in_width == 0 && batch_norm<>::out_width == 0);
static_assert(layer_norm<>::in_width == 0 && layer_norm<>::out_width == 0);

// Width-preserving: a network through BN / LN keeps the widths of its dense layers.
using widths = network<dense<10, 20, initlab::he_normal, initlab::relu>, batch_norm<>,
                       dense<20, 5, initlab::lecun_normal>, layer_norm<>>;
static_assert(widths::depth == 4 && widths::input_width == 10 && widths::output_width == 5);
static_assert(initlab::widths_match<dense<10, 20, initlab::he_normal>, batch_norm<>,
                                    dense<20, 5, initlab::he_normal>>());
static_assert(!initlab::widths_match<dense<10, 20, initlab::he_normal>, batch_norm<>,
                                     dense<21, 5, initlab::he_normal>>());

// -------------------------------------------------------------------------- batch_norm map
// v = q − cross: with ε = 0 the output second moment is 1 whatever v > 0 is.
static_assert(batch_norm<0.0>::forward(signal{2.0, 0.0, 0.0}).q == 1.0);
static_assert(batch_norm<0.0>::forward(signal{2.0, 0.0, 0.0}) == signal{1.0, 0.0, 0.0});
static_assert(batch_norm<0.0>::forward(signal{2.0, 1.0, 1.5}) == signal{1.0, 0.0, 0.0});
static_assert(batch_norm<0.0>::forward(signal{1e-300, 0.0, 0.0}).q == 1.0);
// ε > 0: v/(v + ε), the departure at small scales.
static_assert(batch_norm<1e-5>::forward(signal{2e-5, 0.0, 1e-5}).q == 0.5);
static_assert(near(batch_norm<1e-5>::forward(signal{1e-6, 0.0, 0.0}).q, 1.0 / 11.0, tol));
static_assert(near(batch_norm<1e-5>::forward(signal{1.0, 0.0, 0.0}).q, 1.0 / (1.0 + 1e-5), tol));
// Backward: g/(v + ε).
static_assert(batch_norm<0.0>::backward(signal{2.0, 0.0, 0.0}, 1.0) == 0.5);
static_assert(batch_norm<0.0>::backward(signal{2.0, 1.0, 1.5}, 3.0) == 6.0);
static_assert(near(batch_norm<1e-5>::backward(signal{2e-5, 0.0, 1e-5}, 1.0), 5e4, tol));
// Guards: a unit constant over the batch (v = 0) is dead with ε = 0 (0, not 0/0), and with
// ε > 0 gives 0 forward and g/ε backward; v < 0 from rounding counts as 0.
static_assert(batch_norm<0.0>::forward(signal{1.0, 1.0, 1.0}).q == 0.0);
static_assert(batch_norm<0.0>::backward(signal{1.0, 1.0, 1.0}, 1.0) == 0.0);
static_assert(batch_norm<0.0>::forward(signal{1.0, 0.0, 1.0 + 1e-15}).q == 0.0);
static_assert(batch_norm<1e-5>::forward(signal{1.0, 1.0, 1.0}).q == 0.0);
static_assert(near(batch_norm<1e-5>::backward(signal{1.0, 1.0, 1.0}, 2.0), 2e5, tol));

// The exact finite-n backward factor (n − 1 − r(2 − r))/n; ε = 0: 1 − 2/n.
static_assert(batch_norm<0.0>::finite_batch_backward_factor(8) == 0.75);
static_assert(batch_norm<0.0>::finite_batch_backward_factor(2) == 0.0);
static_assert(batch_norm<0.0>::finite_batch_backward_factor(1) == 0.0);
static_assert(batch_norm<0.0>::finite_batch_backward_factor(100, 3.0) == 0.98);
static_assert(batch_norm<1.0>::finite_batch_backward_factor(4, 1.0) == 0.5625);  // r = 1/2
static_assert(batch_norm<1.0>::finite_batch_backward_factor(1, 0.0) == 0.0);     // B = 1
static_assert(batch_norm<0.0>::finite_batch_backward_factor(8, 0.0) == 0.0);     // dead

// ------------------------------------------- dense → BN: independent of the weight scale
template <class Init>
using dense_bn = network<dense<64, 64, Init>, batch_norm<0.0>>;
static_assert(dense_bn<initlab::random_normal<0.01>>::forward(input_signal(1.0)).q == 1.0);
static_assert(dense_bn<initlab::random_normal<1.0>>::forward(input_signal(1.0)).q == 1.0);
static_assert(dense_bn<initlab::random_normal<100.0>>::forward(input_signal(3.0)).q == 1.0);
static_assert(dense_bn<initlab::he_normal>::forward(input_signal(1.0)) == signal{1.0, 0.0, 0.0});
// Backward through the stack: D̂σ²·g/(Dσ²q0) = g/q0, whatever σ (scale invariance: the
// gradient w.r.t. the input does not see the weight scale either).
static_assert(near(dense_bn<initlab::random_normal<0.01>>::backward(input_signal(1.0), 1.0), 1.0,
                   tol));
static_assert(near(dense_bn<initlab::random_normal<100.0>>::backward(input_signal(2.0), 1.0), 0.5,
                   tol));
// With a ReLU before BN the cross moment is the square of ReLU's mean, and still q_out = 1.
using relu_dense_bn = network<dense<64, 64, initlab::he_normal, initlab::relu>,
                              dense<64, 64, initlab::random_normal<0.01>>, batch_norm<0.0>>;
static_assert(relu_dense_bn::forward(input_signal(1.0)).q == 1.0);
// ε > 0: tiny weights leave v = 64·σ²·q0 comparable to ε, so q_out = v/(v + ε) < 1.
template <class Init>
using dense_bn_eps = network<dense<64, 64, Init>, batch_norm<1e-5>>;
constexpr double tiny_q = dense_bn_eps<initlab::random_normal<0.001>>::forward(input_signal(1.0)).q;
static_assert(near(tiny_q, 64e-6 / (64e-6 + 1e-5), tol) && tiny_q < 0.87);
static_assert(near(dense_bn_eps<initlab::random_normal<1.0>>::forward(input_signal(1.0)).q,
                   64.0 / (64.0 + 1e-5), tol));

// Gradient explosion at initialization (Yang et al. 2019; THEORY.md §7): in the stationary state
// of dense → BN → ReLU, after ReLU q = 1/2 and cross = 1/(2π), so the within-batch variance of a
// unit is (π − 1)/(2π) while its second moment is 1/2: each block multiplies E[g²] by π/(π − 1),
// for any weight variance.
template <class Init>
using block = initlab::serial<dense<64, 64, Init>, batch_norm<0.0>, initlab::relu>;
constexpr signal relu_state =
    initlab::activation_layer<initlab::relu>::forward(signal{1.0, 0.0, 0.0});
static_assert(near(relu_state.cross, 1.0 / (2.0 * initlab::math::pi), tol));
static_assert(near(block<initlab::he_normal>::backward(relu_state, 1.0),
                   initlab::math::pi / (initlab::math::pi - 1.0), tol));
static_assert(near(block<initlab::random_normal<0.01>>::backward(relu_state, 1.0),
                   initlab::math::pi / (initlab::math::pi - 1.0), tol));
static_assert(block<initlab::xavier_normal>::forward(relu_state) == relu_state);  // stationary

// -------------------------------------------------------------------------- layer_norm map
// u = q − mean²; cross → (cross − mean²)/(u + ε).
static_assert(layer_norm<0.0>::forward(signal{2.0, 1.0, 1.5}) == signal{1.0, 0.0, 0.5});
static_assert(layer_norm<0.0>::forward(signal{2.0, 0.0, 0.0}) == signal{1.0, 0.0, 0.0});
static_assert(layer_norm<1.0>::forward(signal{2.0, 1.0, 1.5}) == signal{0.5, 0.0, 0.25});
static_assert(layer_norm<0.0>::backward(signal{2.0, 1.0, 1.5}, 3.0) == 3.0);
static_assert(layer_norm<1.0>::backward(signal{2.0, 1.0, 1.5}, 3.0) == 1.5);
// A unit whose value is its mean (u = 0) is dead with ε = 0.
static_assert(layer_norm<0.0>::forward(signal{4.0, 2.0, 4.0}) == signal{0.0, 0.0, 0.0});
static_assert(layer_norm<0.0>::backward(signal{4.0, 2.0, 4.0}, 1.0) == 0.0);
static_assert(layer_norm<0.0>::finite_width_backward_factor(10) == 0.8);
static_assert(layer_norm<1.0>::finite_width_backward_factor(4, 1.0) == 0.5625);
// Independent of the weight scale too; after a ReLU the mean, not the cross moment, is removed.
template <class Init>
using relu_ln = network<dense<64, 64, Init, initlab::relu>, layer_norm<0.0>>;
static_assert(relu_ln<initlab::random_normal<0.01>>::forward(input_signal(1.0)).q == 1.0);
// ReLU's cross at c = 0 is mean²: nothing is left after centring.
static_assert(relu_ln<initlab::he_normal>::forward(input_signal(1.0)).cross == 0.0);

}  // namespace

namespace {
// ------------------------------------- finite-batch fixed point of dense → BN → ReLU stacks
// ŷ is uniform on the sphere ⊥ 1: two coordinates correlate by −1/(B − 1); B = 2 gives ŷ = ±1,
// so relu(ŷ_1)·relu(ŷ_2) = 0 and h = (1, 0): batch variance 1/4.
static_assert(initlab::bn_relu_output_cross(2) == 0.0);
static_assert(near(initlab::bn_relu_batch_variance(2), 0.25, tol));
// B → ∞: the map's (π − 1)/(2π) and π/(π − 1).
static_assert(near(initlab::bn_relu_batch_variance(1u << 26),
                   initlab::batch_variance(relu_state), 1e-7));
static_assert(near(initlab::bn_relu_gradient_growth(1u << 26),
                   initlab::math::pi / (initlab::math::pi - 1.0), 1e-7));
// B ≤ 3: E[1/χ²_{B−1}] diverges.
static_assert(initlab::bn_relu_gradient_growth(3) == std::numeric_limits<double>::infinity());
// Above the limit, decreasing in B, and O(1/B): B·(λ(B) − λ∞) settles.
constexpr double lam_inf = initlab::math::pi / (initlab::math::pi - 1.0);
static_assert(initlab::bn_relu_gradient_growth(8) > initlab::bn_relu_gradient_growth(16) &&
              initlab::bn_relu_gradient_growth(16) > initlab::bn_relu_gradient_growth(64) &&
              initlab::bn_relu_gradient_growth(64) > lam_inf);
static_assert(near(4096.0 * (initlab::bn_relu_gradient_growth(4096) - lam_inf),
                   8192.0 * (initlab::bn_relu_gradient_growth(8192) - lam_inf), 1e-3));
}  // namespace
