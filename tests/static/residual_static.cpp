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
