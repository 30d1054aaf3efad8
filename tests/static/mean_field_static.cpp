// Mean field (THEORY.md §5): length map, fixed point, χ₁, phase, depth scale.
// Only static_asserts: compiling is passing.
#include <initlab/mean_field.hpp>
#include <initlab/stability.hpp>
#include <limits>

namespace {

namespace mf = initlab::mean_field;
using initlab::within_rel;

// ------------------------------------------------------------ ReLU: χ₁ = σ_w²/2 at every q
static_assert(mf::chi1_at<initlab::relu>({1.0, 0.0}, 1.0) == 0.5);
static_assert(mf::chi1_at<initlab::relu>({3.0, 0.7}, 0.2) == 1.5);
static_assert(mf::chi1<initlab::relu>({1.0, 0.0}) == 0.5);  // q* = 0: the q → 0⁺ limit
static_assert(mf::chi1<initlab::relu>({3.0, 0.0}) == 1.5);  // q* = +inf: still σ_w²/2
// He (σ_w² = 2) is the critical point; below ordered, above chaotic.
static_assert(mf::analyze<initlab::relu>({2.0, 0.0}).phase == mf::phase::critical);
static_assert(mf::analyze<initlab::relu>({1.9, 0.0}).phase == mf::phase::ordered);
static_assert(mf::analyze<initlab::relu>({2.1, 0.0}).phase == mf::phase::chaotic);
// Length map of ReLU without bias: q → σ_w² q/2, so q* = 0 (σ_w² < 2), every q (σ_w² = 2), +inf.
static_assert(mf::length_map<initlab::relu>({2.0, 0.0}, 3.0) == 3.0);
static_assert(mf::fixed_point<initlab::relu>({1.0, 0.0}) == 0.0);
static_assert(mf::fixed_point<initlab::relu>({2.0, 0.0}, 5.0) == 5.0);
static_assert(mf::fixed_point<initlab::relu>({3.0, 0.0}) ==
              std::numeric_limits<double>::infinity());
static_assert(mf::fixed_point<initlab::relu>({2.001, 0.0}) ==
              std::numeric_limits<double>::infinity());
// With bias and σ_w² < 2: q* = σ_b²/(1 − σ_w²/2).
static_assert(within_rel(mf::fixed_point<initlab::relu>({1.0, 0.3}), 0.6, 1e-14));
static_assert(within_rel(mf::length_after<initlab::relu>({1.0, 0.3}, 1.0, 2), 0.25 + 0.15 + 0.3,
                         1e-15));
// Depth scale ξ = −1/log χ₁: χ₁ = 1/2 gives 1/ln 2.
static_assert(within_rel(mf::analyze<initlab::relu>({1.0, 0.0}).depth_scale, 1.4426950408889634,
                         1e-15));
static_assert(mf::depth_scale(1.0) == std::numeric_limits<double>::infinity());
static_assert(mf::depth_scale(1.5) < 0.0);

// ----------------------------------------------------------------- tanh, critical line sanity
// σ_w² = 1, σ_b² = 0: q* = 0 exactly (approached only as 1/(2l)) and χ₁ = tanh'(0)² = 1.
constexpr auto tanh_critical = mf::analyze<initlab::tanh>({1.0, 0.0});
static_assert(tanh_critical.q_star == 0.0);
static_assert(within_rel(tanh_critical.chi1, 1.0, 1e-15));
static_assert(tanh_critical.phase == mf::phase::critical);
// σ_w² < 1, σ_b² = 0: q* = 0 and χ₁ = σ_w² (ordered).
constexpr auto tanh_ordered = mf::analyze<initlab::tanh>({0.8, 0.0});
static_assert(tanh_ordered.q_star == 0.0 && within_rel(tanh_ordered.chi1, 0.8, 1e-15));
static_assert(tanh_ordered.phase == mf::phase::ordered);
// σ_w² > 1, σ_b² = 0: a positive fixed point, and the network is chaotic.
constexpr auto tanh_chaotic = mf::analyze<initlab::tanh>({1.5, 0.0});
static_assert(tanh_chaotic.q_star > 0.1);
static_assert(within_rel(mf::length_map<initlab::tanh>({1.5, 0.0}, tanh_chaotic.q_star),
                         tanh_chaotic.q_star, 1e-14));
static_assert(tanh_chaotic.phase == mf::phase::chaotic);
// With a bias at σ_w² = 1 the fixed point moves off 0 and the network becomes ordered.
constexpr auto tanh_biased = mf::analyze<initlab::tanh>({1.0, 0.05});
static_assert(within_rel(mf::length_map<initlab::tanh>({1.0, 0.05}, tanh_biased.q_star),
                         tanh_biased.q_star, 1e-14));
static_assert(tanh_biased.phase == mf::phase::ordered);
// The fixed point does not depend on where the iteration starts (single stable fixed point).
static_assert(within_rel(mf::fixed_point<initlab::tanh>({1.0, 0.05}, 10.0), tanh_biased.q_star,
                         1e-13));

// ---------------------------------------------------- SELU: q = 1 is the self-normalizing point
// E_1[φ²] = 1 (Klambauer et al.), so with σ_w² = 1 (LeCun) q* = 1 and χ₁ = E_1[φ'²] ≈ 1.07157.
constexpr auto selu_lecun = mf::analyze<initlab::selu>({1.0, 0.0});
static_assert(within_rel(selu_lecun.q_star, 1.0, 1e-12));
static_assert(within_rel(selu_lecun.chi1, 1.07157, 1e-5));
static_assert(selu_lecun.phase == mf::phase::chaotic);

static_assert(mf::to_string(mf::phase::critical)[0] == 'c');

}  // namespace

// The same analysis from a layer descriptor (bias included): He/ReLU is critical, a bias keeps
// tanh off its q* = 0 fixed point.
static_assert(initlab::mean_field::analyze<initlab::dense<256, 256, initlab::he_normal, initlab::relu>>()
                  .phase == initlab::mean_field::phase::critical);
static_assert(initlab::mean_field::parameters_of<
                  initlab::dense<64, 64, initlab::lecun_normal, initlab::tanh,
                                 initlab::random_normal<0.1>>>()
                  .bias_variance == 0.1 * 0.1);
static_assert(initlab::mean_field::analyze<initlab::dense<64, 64, initlab::lecun_normal,
                                                          initlab::tanh,
                                                          initlab::random_normal<0.3>>>()
                  .q_star > 0.0);
