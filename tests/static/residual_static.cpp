// residual, flatten and global average pooling as layer kinds: widths, maps (THEORY.md §8) and
// Fixup's scale, all in constant expressions.
#include <initlab/activation.hpp>
#include <initlab/conv2d.hpp>
#include <initlab/dense.hpp>
#include <initlab/init.hpp>
#include <initlab/layer.hpp>
#include <initlab/math.hpp>
#include <initlab/network.hpp>
#include <initlab/pool.hpp>
#include <initlab/residual.hpp>
#include <initlab/serial.hpp>
#include <initlab/stability.hpp>
#include <type_traits>

namespace {

constexpr double tight = 1e-12;  // maps of exact dyadic arithmetic, up to a few roundings

using he_branch = initlab::serial<initlab::relu, initlab::dense<256, 256, initlab::he_normal>>;
using he_block = initlab::residual<he_branch>;
using he_stream = initlab::network<initlab::repeat<4, he_block>>;

// ---- residual: a layer kind, width-preserving ---------------------------------------------------
static_assert(initlab::layer_kind<he_block>);
static_assert(!initlab::activated_layer<he_block>);  // profiles report E[out²] for it
static_assert(he_block::in_width == 256 && he_block::out_width == 256);
static_assert(he_block::alpha == 1.0);
static_assert(std::is_same_v<he_block::branch_type, he_branch>);
static_assert(he_stream::depth == 4);  // residual blocks do not flatten into their parts
static_assert(std::is_same_v<he_stream::layer<3>, he_block>);
static_assert(he_stream::input_width == 256 && he_stream::output_width == 256);
// An activation type is a branch too (width-preserving: any width).
static_assert(initlab::layer_kind<initlab::residual<initlab::relu>>);
static_assert(initlab::residual<initlab::relu>::in_width == 0);
static_assert(initlab::residual<initlab::relu>::out_width == 0);
static_assert(std::is_same_v<initlab::residual<initlab::tanh>::branch_type,
                             initlab::activation_layer<initlab::tanh>>);
// Residuals compose with other layers' width checks.
static_assert(initlab::widths_match<initlab::dense<64, 256, initlab::he_normal>, he_block,
                                    initlab::dense<256, 10, initlab::glorot_normal>>());
static_assert(!initlab::widths_match<initlab::dense<64, 128, initlab::he_normal>, he_block>());

// ---- forward: the He/ReLU stream doubles per block
// ------------------------------------------------
constexpr auto he_forward = initlab::forward_variances<he_stream>(1.0);
static_assert(initlab::within_rel(he_forward[0], 2.0, tight));
static_assert(initlab::within_rel(he_forward[1], 4.0, tight));
static_assert(initlab::within_rel(he_forward[2], 8.0, tight));
static_assert(initlab::within_rel(he_forward[3], 16.0, tight));
// Homogeneous: q0 = 3 gives 3·2^l.
static_assert(initlab::within_rel(initlab::forward_variances<he_stream>(3.0)[3], 48.0, tight));
// The branch ends in zero-mean weights: the stream stays centred, so E[x·f] = 0 exactly.
constexpr auto he_signals = he_stream::signals(initlab::input_signal(1.0));
static_assert(he_signals[1].mean == 0.0 && he_signals[4].mean == 0.0);
// Cross moment after one block: α²·c_f, c_f = 2·E[relu(u)relu(u')] = 2·(1/(2π))·q for c = 0.
static_assert(initlab::within_rel(he_signals[1].cross, initlab::math::inv_pi, tight));
// Two different inputs stay less correlated than one input with itself.
static_assert(he_signals[4].cross < he_signals[4].q);

// α = 0.5: q_out = q + 0.25·q per block.
using half_block = initlab::residual<he_branch, 0.5>;
constexpr auto half_forward =
    initlab::forward_variances<initlab::network<initlab::repeat<4, half_block>>>(1.0);
static_assert(initlab::within_rel(half_forward[0], 1.25, tight));
static_assert(initlab::within_rel(half_forward[1], 1.5625, tight));
static_assert(initlab::within_rel(half_forward[2], 1.953125, tight));
static_assert(initlab::within_rel(half_forward[3], 2.44140625, tight));
// α = 0 is the identity map.
static_assert(initlab::residual<he_branch, 0.0>::forward({2.5, 0.5, 0.25}) ==
              initlab::signal{2.5, 0.5, 0.25});

// ---- backward: g + α²·Branch::backward = 2g per block (He/ReLU)
// --------------------------------------
constexpr auto he_backward = initlab::backward_variances<he_stream>(1.0);
static_assert(initlab::within_rel(he_backward[3], 2.0, tight));
static_assert(initlab::within_rel(he_backward[2], 4.0, tight));
static_assert(initlab::within_rel(he_backward[1], 8.0, tight));
static_assert(initlab::within_rel(he_backward[0], 16.0, tight));
static_assert(initlab::within_rel(half_block::backward(initlab::input_signal(1.0), 1.0), 1.25,
                                  tight));

// ---- the general forward map, with a non-centred branch (mean term of the independence model) ---
// Branch x ↦ relu(x): m_f = E[relu] = √(q/(2π)); mean_out = m + α·m_f; q_out = q + 2α·m·m_f +
// α²·q/2.
constexpr initlab::signal centred{4.0, 0.0, 0.0};
constexpr initlab::signal relu_res = initlab::residual<initlab::relu, 0.5>::forward(centred);
static_assert(initlab::within_rel(relu_res.q, 4.0 + 0.25 * 2.0, tight));
static_assert(initlab::within_rel(relu_res.mean,
                                  0.5 * initlab::math::sqrt(4.0) * initlab::math::inv_sqrt_2pi,
                                  tight));

// ---- nested residuals
// ---------------------------------------------------------------------------------
using nested = initlab::residual<initlab::serial<he_block, he_block>>;
static_assert(initlab::layer_kind<nested> && nested::in_width == 256);
static_assert(initlab::within_rel(nested::forward(initlab::input_signal(1.0)).q, 5.0, tight));

// ---- Fixup: L^(−1/(2m−2))
// ----------------------------------------------------------------------------
static_assert(initlab::within_rel(initlab::fixup_scale(4, 2), 0.5, 1e-14));
static_assert(initlab::within_rel(initlab::fixup_scale(16, 3), 0.5, 1e-14));
static_assert(initlab::within_rel(initlab::fixup_scale(1000, 2), 1.0 / initlab::math::sqrt(1000.0),
                                  1e-14));
static_assert(initlab::fixup_scale(1, 2) == 1.0);
static_assert(initlab::fixup_scale(8, 3) < initlab::fixup_scale(8, 4));  // shallower branch: less

// ---- finite width: relu_stream_width_correction (first order in 1/D)
// ------------------------------------------------------------------
using width_correction = initlab::relu_stream_width_correction;
// No skew before any block; after one block a_1 = (c/(2g))·K(1/√(g−1)), for He (c = 2, g = 2)
// K(1) = (π/4 + 1/2)/π, so a_1 = 1/8 + 1/(4π).
static_assert(width_correction::asymmetry(0, 2.0) == 0.0);
static_assert(initlab::within_rel(width_correction::asymmetry(1, 2.0),
                                  0.125 + 0.25 * initlab::math::inv_pi, 1e-14));
// The stream's second moment is exact through block 1 (its input is Gaussian), then rises:
// κ_2 = (c/g)·a_1.
static_assert(width_correction::second_moment(0, 2.0) == 0.0 &&
              width_correction::second_moment(1, 2.0) == 0.0);
static_assert(initlab::within_rel(width_correction::second_moment(2, 2.0),
                                  width_correction::asymmetry(1, 2.0), 1e-14));
static_assert(width_correction::second_moment(16, 2.0) > width_correction::second_moment(8, 2.0));
// The asymmetry converges (K(t) ~ 2t/π for small t: a geometric tail); κ grows by about a_∞ per
// block.
static_assert(width_correction::asymmetry(40, 2.0) - width_correction::asymmetry(20, 2.0) < 1e-3);
static_assert(initlab::within_rel(width_correction::second_moment_factor(16, 2.0, 256),
                                  1.0 + width_correction::second_moment(16, 2.0) / 256.0, 1e-15));
// Gradient: nothing above the output (γ_{N,N} = 0); the top block's gradient is low (the skewed
// stream is positive less than half the time), deep gradients are high.
static_assert(width_correction::gradient(16, 16, 2.0) == 0.0);
static_assert(width_correction::gradient(15, 16, 2.0) < 0.0);
static_assert(width_correction::gradient(0, 16, 2.0) > width_correction::gradient(8, 16, 2.0));
static_assert(width_correction::gradient(8, 16, 2.0) > 0.0);
// One block above a Gaussian input: no correction either way.
static_assert(width_correction::gradient(0, 1, 2.0) == 0.0);
// Two computations that share no code path beyond K's atan: the tangent started at the input has
// the input's law, and its first-order gap equals the stream's, γ_{0,N} = κ_N, for any c.
static_assert(initlab::within_rel(width_correction::gradient(0, 2, 2.0),
                                  width_correction::second_moment(2, 2.0), 1e-12));
static_assert(initlab::within_rel(width_correction::gradient(0, 5, 2.0),
                                  width_correction::second_moment(5, 2.0), 1e-12));
static_assert(initlab::within_rel(width_correction::gradient(0, 16, 2.0),
                                  width_correction::second_moment(16, 2.0), 1e-12));
static_assert(initlab::within_rel(width_correction::gradient(0, 10, 0.5),
                                  width_correction::second_moment(10, 0.5), 1e-12));
static_assert(initlab::within_rel(width_correction::gradient_factor(0, 16, 2.0, 64),
                                  1.0 + width_correction::gradient(0, 16, 2.0) / 64.0, 1e-15));
// A weaker branch (c = 0.5) skews the stream less.
static_assert(width_correction::asymmetry(8, 0.5) < width_correction::asymmetry(8, 2.0));

// ---- flatten
// ---------------------------------------------------------------------------------------------
using flat = initlab::flatten<8, 4, 4>;
static_assert(initlab::layer_kind<flat>);
static_assert(flat::in_width == 8 && flat::out_width == 128);
static_assert(flat::forward({2.0, 0.5, 0.25}) == initlab::signal{2.0, 0.5, 0.25});
static_assert(flat::backward({2.0, 0.5, 0.25}, 3.0) == 3.0);
// Channels in, units out: a conv trunk, flatten, a dense head.
using conv_head = initlab::network<initlab::conv2d<3, 8, 3, 3, initlab::he_normal, initlab::relu>,
                                   flat, initlab::dense<128, 10, initlab::glorot_normal>>;
static_assert(conv_head::input_width == 3 && conv_head::output_width == 10);
static_assert(initlab::widths_match<flat, initlab::dense<128, 10, initlab::glorot_normal>>());
static_assert(!initlab::widths_match<flat, initlab::dense<8, 10, initlab::glorot_normal>>());
static_assert(!initlab::widths_match<initlab::conv2d<3, 4, 3, 3, initlab::he_normal>, flat>());
// The dense head's forward map sees the conv output's moments unchanged.
constexpr auto conv_profile = initlab::forward_variances<conv_head>(1.0);
static_assert(initlab::within_rel(conv_profile[1], conv_profile[0] / 2.0, tight));  // E[relu²]=q/2

// ---- global average pooling
// ---------------------------------------------------------------------------
static_assert(initlab::layer_kind<initlab::global_avg_pool>);
static_assert(initlab::global_avg_pool::in_width == 0 && initlab::global_avg_pool::out_width == 0);
using gap_head =
    initlab::network<initlab::conv2d<3, 16, 3, 3, initlab::he_normal, initlab::relu>,
                     initlab::global_avg_pool, initlab::dense<16, 10, initlab::glorot_normal>>;
static_assert(gap_head::output_width == 10);
constexpr initlab::signal pix{3.0, 0.5, 1.0};
static_assert(initlab::global_avg_pool::forward_for_pixels(pix, 1) == pix);  // P = 1: identity
static_assert(initlab::global_avg_pool::forward_for_pixels(pix, 4) ==
              initlab::signal{1.5, 0.5, 1.0});
static_assert(initlab::global_avg_pool::forward(pix) == initlab::signal{1.0, 0.5, 1.0});
static_assert(initlab::global_avg_pool::backward_for_pixels(pix, 32.0, 4) == 2.0);
static_assert(initlab::global_avg_pool::backward(pix, 32.0) == 0.0);
static_assert(initlab::layer_kind<initlab::global_avg_pool_of<4, 4>>);
static_assert(initlab::global_avg_pool_of<2, 2>::forward(pix) ==
              initlab::global_avg_pool::forward_for_pixels(pix, 4));
static_assert(initlab::global_avg_pool_of<2, 8>::backward(pix, 512.0) == 2.0);

}  // namespace
