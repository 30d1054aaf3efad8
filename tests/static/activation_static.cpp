// Activation moments in constant expressions: compiling is passing. Expected values are the
// closed forms of THEORY.md §3 written out here, or 30-digit mpmath evaluations.
#include <initlab/activation.hpp>

namespace {

/// |a − b| <= tol·|b|.
constexpr bool near(double a, double b, double tol) {
  const double d = a - b;
  const double m = b < 0.0 ? -b : b;
  return (d < 0.0 ? -d : d) <= tol * m;
}

using initlab::activation;
using initlab::activation_function;

// Every built-in activation models the concepts; a type with only value/derivative does not.
static_assert(activation<initlab::identity> && activation<initlab::linear<2.0>> &&
              activation<initlab::relu> && activation<initlab::leaky_relu<0.01>> &&
              activation<initlab::tanh> && activation<initlab::sigmoid> &&
              activation<initlab::erf> && activation<initlab::gelu> && activation<initlab::selu>);
struct bare {
  static constexpr double value(double x) { return x; }
  static constexpr double derivative(double) { return 1.0; }
};
static_assert(activation_function<bare> && !activation<bare>);
static_assert(!activation_function<int>);

// SELU's self-normalizing fixed point (Klambauer et al. 2017): E[φ²](1) = 1, E[φ'²](1) ≈ 1.07157.
static_assert(near(initlab::selu::second_moment(1.0), 1.0, 1e-13));
static_assert(near(initlab::selu::derivative_second_moment(1.0), 1.07157, 5e-6));
static_assert(near(initlab::selu::derivative_second_moment(1.0), 1.07157499245579925752, 1e-13));

// Positively homogeneous activations (THEORY.md §3).
static_assert(near(initlab::relu::second_moment(3.0), 1.5, 1e-15));
static_assert(initlab::relu::derivative_second_moment(3.0) == 0.5);
static_assert(near(initlab::relu::mean(2.0 * 3.14159265358979323846), 1.0, 1e-15));  // √(q/2π)
static_assert(near(initlab::leaky_relu<0.1>::derivative_second_moment(1.0), 0.505, 1e-15));
static_assert(near(initlab::leaky_relu<0.1>::second_moment(4.0), 2.02, 1e-15));
static_assert(near(initlab::linear<0.5>::second_moment(8.0), 2.0, 1e-15));
static_assert(initlab::linear<-3.0>::derivative_second_moment(1.0) == 9.0);
static_assert(initlab::identity::second_moment(5.0) == 5.0);

// Symmetry: odd activations have mean 0; the logistic function has mean 1/2.
static_assert(initlab::tanh::mean(2.0) == 0.0 && initlab::erf::mean(2.0) == 0.0);
static_assert(initlab::sigmoid::mean(2.0) == 0.5);

// tanh by quadrature, checked at compile time (this also bounds the compile-time cost):
// mpmath: E[tanh²(z)] = 0.394294490397841174416, E[sech⁴(10 z)] = 0.0531067877481158341007.
static_assert(near(initlab::tanh::second_moment(1.0), 0.394294490397841174416, 1e-12));
static_assert(near(initlab::tanh::derivative_second_moment(100.0), 0.0531067877481158341007,
                   1e-12));
// Small q: E[tanh²(√q z)] = q − 2q² + (17/3)q³ − (62/3)q⁴ + O(q⁵) (Taylor series of tanh²
// term by term with E[z^2k] = (2k−1)!!); the O(q⁵) remainder is ~1e-10 relative at q = 1e-3.
static_assert(near(initlab::tanh::second_moment(1e-3),
                   1e-3 - 2e-6 + 17.0 / 3.0 * 1e-9 - 62.0 / 3.0 * 1e-12, 1e-9));

// erf: at q → ∞, E[erf²] → 1 and E[erf'²] ~ (4/π)/√(4q); at q = 1/4: (2/π)·asin(1/3).
static_assert(near(initlab::erf::second_moment(0.25), 0.216346895938785459658, 1e-13));

// GELU: the small-q limit E[φ²] = q/4 + O(q²), E[φ'²] → 1/4.
static_assert(near(initlab::gelu::derivative_second_moment(1e-9), 0.25, 1e-8));
static_assert(near(initlab::gelu::second_moment(1e-9), 0.25e-9, 1e-8));

// Values and derivatives: conventions at the kink.
static_assert(initlab::relu::derivative(0.0) == 0.0 && initlab::relu::value(-1.0) == 0.0);
static_assert(initlab::leaky_relu<0.2>::value(-1.0) == -0.2);
static_assert(initlab::sigmoid::value(0.0) == 0.5 && initlab::tanh::derivative(0.0) == 1.0);

}  // namespace
