// conv2d's analytic maps (THEORY.md §9): fans with groups, the stride in the backward gain, the
// zero-padding border helpers, and a conv stack with a dense head inside a network. Only
// static_asserts: compiling is passing.
#include <initlab/conv2d.hpp>
#include <initlab/network.hpp>
#include <initlab/stability.hpp>

namespace {

using initlab::conv2d;
using initlab::conv_options;
using initlab::padding;
using initlab::within_rel;
constexpr double tol = 1e-15;  // relative: a few roundings
constexpr initlab::signal unit = initlab::input_signal(1.0);

// ----------------------------------------------------------------------------------- defaults
using plain = conv2d<3, 16, 3, 5, initlab::he_normal, initlab::relu>;
static_assert(plain::stride == 1 && plain::groups == 1 && plain::padding == padding::same_zero);
static_assert(plain::fan_in == 3 * 3 * 5 && plain::fan_out == 16 * 3 * 5);
static_assert(initlab::layer_kind<plain> && initlab::activated_layer<plain>);

// ------------------------------------------------------------------------------- groups: fans
// Weights COut × (CIn/g) × KH × KW: fan_in = (CIn/g)·KH·KW, and per group fan_out = (COut/g)·KH·KW
// (not PyTorch's COut·KH·KW, pytorch#23854).
using grouped =
    conv2d<16, 32, 3, 5, initlab::he_normal, initlab::relu, conv_options{1, padding::same_zero, 4}>;
static_assert(grouped::fan_in == 4 * 15 && grouped::fan_out == 8 * 15);
static_assert(grouped::fan_out != grouped::out_channels * 3 * 5);
static_assert(grouped::in_width == 16 && grouped::out_width == 32);
static_assert(grouped::weight_variance() == 2.0 / 60.0);
static_assert(grouped::law() == initlab::he_normal::law(60, 120));
using grouped_xavier = conv2d<16, 32, 3, 5, initlab::xavier_normal, initlab::identity,
                              conv_options{1, padding::same_zero, 4}>;
static_assert(grouped_xavier::weight_variance() == 2.0 / (60.0 + 120.0));
// Depthwise (g = CIn = COut): one input channel per output, fan_in = fan_out = KH·KW.
using depthwise = conv2d<8, 8, 3, 3, initlab::lecun_normal, initlab::identity,
                         conv_options{1, padding::same_circular, 8}>;
static_assert(depthwise::fan_in == 9 && depthwise::fan_out == 9);
static_assert(within_rel(depthwise::pre_activation(unit).q, 1.0, tol));

// ------------------------------------------------------------------ stride: the backward gain
template <std::size_t S>
using strided = conv2d<16, 32, 3, 3, initlab::he_normal, initlab::identity,
                       conv_options{S, padding::same_circular, 1}>;
// Forward moments do not depend on the stride; the backward gain is divided by s² exactly.
static_assert(strided<2>::pre_activation(unit) == strided<1>::pre_activation(unit));
static_assert(strided<2>::backward_from_pre_activation(unit, 1.0) ==
              strided<1>::backward_from_pre_activation(unit, 1.0) / 4.0);
static_assert(strided<2>::backward_from_pre_activation(unit, 0.75) ==
              strided<1>::backward_from_pre_activation(unit, 0.75) / 4.0);
static_assert(within_rel(strided<1>::backward_from_pre_activation(unit, 1.0), 4.0, tol));
static_assert(within_rel(strided<2>::backward_from_pre_activation(unit, 1.0), 1.0, tol));
static_assert(within_rel(strided<3>::backward_from_pre_activation(unit, 1.0), 4.0 / 9.0, tol));

// --------------------------------------------------------- zero padding: the border helpers
// σ = 0.5 keeps every product exact: interior 9·0.25 = 2.25, edge 6·0.25, corner 4·0.25.
using border = conv2d<1, 4, 3, 3, initlab::random_normal<0.5>, initlab::identity>;
static_assert(border::border_forward_second_moment(8, 8, 3, 4, unit) == 2.25);
static_assert(border::border_forward_second_moment(8, 8, 3, 4, unit) ==
              border::pre_activation(unit).q);
static_assert(border::border_forward_second_moment(8, 8, 0, 0, unit) * 9.0 ==
              border::border_forward_second_moment(8, 8, 3, 4, unit) * 4.0);   // corner: 4/9
static_assert(border::border_forward_second_moment(8, 8, 7, 7, unit) == 1.0);  // other corner
static_assert(border::border_forward_second_moment(8, 8, 0, 3, unit) == 1.5);  // edge: 6/9
static_assert(border::border_forward_second_moment(8, 8, 5, 7, unit) == 1.5);
// He weights: a corner of a 3 × 3 kernel sees 4/9 of the interior's second moment, any q.
using he3 = conv2d<8, 16, 3, 3, initlab::he_normal, initlab::relu>;
constexpr initlab::signal q2 = initlab::input_signal(2.0);
static_assert(he3::border_forward_second_moment(6, 5, 1, 1, q2) == he3::pre_activation(q2).q);
static_assert(within_rel(he3::border_forward_second_moment(6, 5, 0, 0, q2),
                         4.0 / 9.0 * he3::pre_activation(q2).q, tol));
static_assert(within_rel(he3::border_forward_second_moment(6, 5, 5, 4, q2),
                         4.0 / 9.0 * he3::pre_activation(q2).q, tol));
// A bias is added at every pixel, border or not.
using biased = conv2d<1, 4, 3, 3, initlab::random_normal<0.5>, initlab::identity, conv_options{},
                      initlab::constant<0.5>>;
static_assert(biased::border_forward_second_moment(8, 8, 0, 0, unit) == 1.0 + 0.25);
static_assert(biased::border_forward_second_moment(8, 8, 4, 4, unit) == 2.25 + 0.25);
// Circular and valid padding have no border: every pixel is an interior one.
using torus = conv2d<1, 4, 3, 3, initlab::random_normal<0.5>, initlab::identity,
                     conv_options{1, padding::same_circular, 1}>;
static_assert(torus::border_forward_second_moment(8, 8, 0, 0, unit) == 2.25);
static_assert(torus::zero_padding_tap_fraction(8, 8) == 1.0);
using no_pad = conv2d<1, 4, 3, 3, initlab::random_normal<0.5>, initlab::identity,
                      conv_options{2, padding::valid, 1}>;
static_assert(no_pad::border_forward_second_moment(9, 9, 0, 0, unit) == 2.25);
static_assert(no_pad::zero_padding_tap_fraction(9, 9) == 1.0);
// Image average: rows of an 8-row image see 2, 3, 3, 3, 3, 3, 3, 2 taps: (22/24)² overall.
static_assert(border::zero_padding_tap_fraction(8, 8) == 484.0 / 576.0);
static_assert(border::zero_padding_tap_fraction(8, 5) == (22.0 * 13.0) / (8.0 * 5.0 * 9.0));
static_assert(
    conv2d<1, 1, 1, 1, initlab::lecun_normal, initlab::identity>::zero_padding_tap_fraction(3, 3) ==
    1.0);
// Stride 2, 3 × 4 kernel on 7 × 9: rows see (2, 3, 3, 2) taps, columns (3, 4, 4, 4, 2).
using wide = conv2d<1, 4, 3, 4, initlab::random_normal<0.5>, initlab::identity,
                    conv_options{2, padding::same_zero, 1}>;
static_assert(wide::border_forward_second_moment(7, 9, 0, 0, unit) == 6 * 0.25);
static_assert(wide::border_forward_second_moment(7, 9, 1, 2, unit) == 12 * 0.25);
static_assert(wide::border_forward_second_moment(7, 9, 3, 4, unit) == 4 * 0.25);
static_assert(wide::zero_padding_tap_fraction(7, 9) == (10.0 * 17.0) / (4.0 * 5.0 * 12.0));
// Shape arithmetic behind them: ⌈n/s⌉ for 'same', ⌊(n − k)/s⌋ + 1 for valid.
static_assert(initlab::detail::conv_output_extent(7, 3, 2, padding::same_zero) == 4);
static_assert(initlab::detail::conv_output_extent(7, 3, 2, padding::valid) == 3);
static_assert(initlab::detail::conv_output_extent(2, 3, 1, padding::valid) == 0);
static_assert(initlab::detail::conv_tap(0, 0, 5, 3, 1, padding::same_circular) == 4);  // wraps
static_assert(initlab::detail::conv_tap(0, 0, 5, 3, 1, padding::same_zero) ==
              initlab::detail::conv_no_tap);

// ------------------------------------------------- a conv stack with a dense head, by widths
// conv2d widths are channels, so the width check lets a dense head take COut units (at run time
// the head then needs a 1 × 1 image, or a pooling layer in between).
using net = initlab::network<
    conv2d<3, 16, 3, 3, initlab::he_normal, initlab::relu>,
    conv2d<16, 32, 3, 3, initlab::he_normal, initlab::relu, conv_options{2, padding::same_zero, 1}>,
    initlab::dense<32, 10, initlab::xavier_normal>>;
static_assert(net::depth == 3 && net::input_width == 3 && net::output_width == 10);
static_assert(initlab::widths_match<conv2d<3, 16, 3, 3, initlab::he_normal, initlab::relu>,
                                    initlab::dense<16, 10, initlab::xavier_normal>>());
static_assert(!initlab::widths_match<conv2d<3, 16, 3, 3, initlab::he_normal, initlab::relu>,
                                     initlab::dense<144, 10, initlab::xavier_normal>>());
// He keeps Var[y] = 2·q0 through the convs; the head sees E[h²] = q0 from 32 inputs.
constexpr auto fwd = initlab::forward_variances<net>(1.0);
static_assert(within_rel(fwd[0], 2.0, tol) && within_rel(fwd[1], 2.0, tol));
static_assert(within_rel(fwd[2], 32.0 * (2.0 / 42.0), tol));
// Backward: the stride-2 conv's gain is fan_out·σ²/4 = 288·(2/144)/4 = 1, times ReLU's 1/2.
constexpr auto bwd = initlab::backward_variances<net>(1.0);
static_assert(within_rel(bwd[2], 10.0 * (2.0 / 42.0), tol));
static_assert(within_rel(bwd[1], 0.5 * bwd[2], tol));
static_assert(within_rel(bwd[0], (16.0 * 9.0) * (2.0 / 27.0) * 0.5 * bwd[1], tol));

}  // namespace
