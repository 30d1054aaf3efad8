// Initializers: variances, uniform bounds, laws, the truncated-normal constant, gains.
// Only static_asserts: compiling is passing. Expected values are the formulas of THEORY.md §4
// written out independently of init.hpp's code path (e.g. bound² against 3·variance, not
// against the same sqrt call).
#include <initlab/init.hpp>
#include <initlab/stability.hpp>
#include <initlab/weight_law.hpp>

namespace {

using initlab::within_rel;
constexpr double ulp_tol = 1e-15;  // relative: a few ulps of a double near 1

// ------------------------------------------------------------------- variances (D = 300, D̂ = 100)
constexpr std::size_t d = 300;
constexpr std::size_t dh = 100;

static_assert(initlab::lecun_normal::variance(d, dh) == 1.0 / 300.0);
static_assert(initlab::lecun_uniform::variance(d, dh) == 1.0 / 300.0);
static_assert(initlab::fan_out_normal::variance(d, dh) == 1.0 / 100.0);
static_assert(initlab::xavier_normal::variance(d, dh) == 2.0 / 400.0);
static_assert(initlab::xavier_uniform::variance(d, dh) == 2.0 / 400.0);
static_assert(initlab::he_normal::variance(d, dh) == 2.0 / 300.0);
static_assert(initlab::he_uniform::variance(d, dh) == 2.0 / 300.0);
static_assert(initlab::he_normal_fan_out::variance(d, dh) == 2.0 / 100.0);
static_assert(initlab::pytorch_linear_default::variance(d, dh) == (1.0 / 3.0) / 300.0);
// Glorot is Xavier.
static_assert(std::is_same_v<initlab::glorot_normal, initlab::xavier_normal>);
static_assert(std::is_same_v<initlab::glorot_uniform, initlab::xavier_uniform>);
// Fan modes: avg is the arithmetic mean of the fans.
static_assert(initlab::fan::avg::of(3, 4) == 3.5);
static_assert(initlab::variance_scaling<3.0, initlab::fan::avg, initlab::dist::normal>::variance(
                  3, 4) == 3.0 / 3.5);

// ---------------------------------------------------------------- uniform bounds: b² = 3·variance
template <class I>
constexpr bool bound_matches_variance(std::size_t fi, std::size_t fo) {
  const double b = I::bound(fi, fo);
  return within_rel(b * b, 3.0 * I::variance(fi, fo), ulp_tol) &&
         within_rel(initlab::variance(I::law(fi, fo)), I::variance(fi, fo), ulp_tol);
}
static_assert(bound_matches_variance<initlab::lecun_uniform>(d, dh));
static_assert(bound_matches_variance<initlab::xavier_uniform>(d, dh));
static_assert(bound_matches_variance<initlab::he_uniform>(d, dh));
static_assert(bound_matches_variance<initlab::he_uniform_fan_out>(7, 13));
static_assert(bound_matches_variance<initlab::fan_out_uniform>(7, 13));
static_assert(bound_matches_variance<initlab::random_uniform<0.05>>(7, 13));
// Xavier uniform bound √(6/(D+D̂)) (Glorot & Bengio eq. 16): bound² = 6/(D+D̂).
static_assert(within_rel(initlab::xavier_uniform::bound(d, dh) *
                             initlab::xavier_uniform::bound(d, dh),
                         6.0 / 400.0, ulp_tol));
// He uniform bound √(6/D); PyTorch default Linear bound 1/√D.
static_assert(within_rel(initlab::he_uniform::bound(d, dh) * initlab::he_uniform::bound(d, dh),
                         6.0 / 300.0, ulp_tol));
static_assert(within_rel(initlab::pytorch_linear_default::bound(d, dh) *
                             initlab::pytorch_linear_default::bound(d, dh),
                         1.0 / 300.0, ulp_tol));
// The bound printed in seed text 001, √6/(D+D̂), has variance 2/(D+D̂)²: too small by D+D̂.
constexpr double printed_bound = 2.449489742783178 / 400.0;  // √6/(D+D̂)
static_assert(within_rel(printed_bound * printed_bound / 3.0 * 400.0,
                         initlab::xavier_uniform::variance(d, dh), 1e-14));
// The law's kind and scale.
static_assert(initlab::xavier_uniform::law(d, dh) ==
              initlab::weight_law{initlab::law_kind::uniform,
                                  initlab::xavier_uniform::bound(d, dh)});
static_assert(initlab::he_normal::law(d, dh).kind == initlab::law_kind::normal);
static_assert(within_rel(initlab::he_normal::law(d, dh).scale *
                             initlab::he_normal::law(d, dh).scale,
                         2.0 / 300.0, ulp_tol));

// ------------------------------------------------------------------------ truncated normal (±2σ)
// √(1 − 4φ(2)/(2Φ(2)−1)), computed in weight_law.hpp; the Keras/JAX constant is
// 0.87962566103423978.
static_assert(within_rel(initlab::truncated_normal_unit_stddev, 0.87962566103423978, 1e-15));
static_assert(initlab::truncated_normal_stddev(2.0) == initlab::truncated_normal_unit_stddev);
// Truncation removes spread: the constant is below 1 and grows towards 1 with the cut.
static_assert(initlab::truncated_normal_stddev(1.0) < initlab::truncated_normal_stddev(2.0));
static_assert(initlab::truncated_normal_stddev(3.0) < 1.0);
// The parent σ is rescaled so the truncated law has exactly the requested variance.
static_assert(initlab::he_truncated_normal::law(d, dh).kind == initlab::law_kind::truncated_normal);
static_assert(within_rel(initlab::variance(initlab::he_truncated_normal::law(d, dh)), 2.0 / 300.0,
                         ulp_tol));
static_assert(within_rel(initlab::variance(initlab::lecun_truncated_normal::law(d, dh)),
                         1.0 / 300.0, ulp_tol));
static_assert(initlab::he_truncated_normal::law(d, dh).scale >
              initlab::he_normal::law(d, dh).scale);

// ------------------------------------------------------------------- zeros, constant, random_*
static_assert(initlab::zeros::variance(d, dh) == 0.0);
static_assert(initlab::zeros::law(d, dh) == initlab::weight_law{initlab::law_kind::constant, 0.0});
static_assert(initlab::constant<0.25>::variance(d, dh) == 0.0);
static_assert(initlab::second_moment(initlab::constant<0.25>::law(d, dh)) == 0.0625);
static_assert(initlab::mean(initlab::constant<-0.5>::law(d, dh)) == -0.5);
static_assert(!initlab::constant<0.25>::zero_mean && initlab::constant<0.0>::zero_mean);
static_assert(initlab::random_normal<0.01>::variance(d, dh) == 0.01 * 0.01);
static_assert(initlab::random_normal<0.01>::law(d, dh) ==
              initlab::weight_law{initlab::law_kind::normal, 0.01});
static_assert(initlab::random_uniform<0.5>::variance(d, dh) == 0.25 / 3.0);
static_assert(initlab::variance(initlab::weight_law{initlab::law_kind::uniform, 3.0}) == 3.0);

// ------------------------------------------------------------------------------ names, concept
static_assert(initlab::initializer<initlab::he_normal>);
static_assert(initlab::initializer<initlab::zeros>);
static_assert(initlab::initializer<initlab::random_uniform<0.1>>);
static_assert(!initlab::initializer<initlab::relu>);
static_assert(initlab::he_normal::name[0] == 'h' && initlab::he_normal::name[2] == '_');
static_assert(initlab::xavier_uniform::name[0] == 'x');

// ------------------------------------------------------------------------------------ gains
static_assert(initlab::gain_squared<initlab::relu>() == 2.0);
static_assert(initlab::gain_squared<initlab::tanh>() == 25.0 / 9.0);
static_assert(initlab::gain_squared<initlab::leaky_relu<0.5>>() == 2.0 / 1.25);
static_assert(within_rel(initlab::gain<initlab::relu>(), 1.4142135623730951, ulp_tol));
static_assert(initlab::gain<initlab::selu>() == 0.75);
static_assert(initlab::gain<initlab::identity>() == 1.0);
// kaiming_normal<relu> is He normal; kaiming with leaky ReLU preserves (1+a²)/2 (He eq. 15).
static_assert(initlab::kaiming_normal<initlab::relu>::variance(d, dh) ==
              initlab::he_normal::variance(d, dh));
static_assert(initlab::kaiming_uniform<initlab::relu, initlab::fan::out>::variance(d, dh) ==
              initlab::he_uniform_fan_out::variance(d, dh));
// The variance-preserving gain at q = 1: ReLU √2 and α·x 1/α (exact derivations); tanh and
// SELU differ from PyTorch's heuristic 5/3 and 3/4.
static_assert(within_rel(initlab::variance_preserving_gain<initlab::relu>(), 1.4142135623730951,
                         ulp_tol));
static_assert(within_rel(initlab::variance_preserving_gain<initlab::linear<0.5>>(3.0), 2.0,
                         ulp_tol));
static_assert(within_rel(initlab::variance_preserving_gain<initlab::selu>(), 1.0, 1e-12));
static_assert(initlab::variance_preserving_gain<initlab::tanh>() > 1.55 &&
              initlab::variance_preserving_gain<initlab::tanh>() < 1.62);
static_assert(!within_rel(initlab::variance_preserving_gain<initlab::tanh>(),
                          initlab::gain<initlab::tanh>(), 0.01));

}  // namespace
