// expect-error: initlab::leaky_relu: Slope must be finite and >= 0
// An infinite slope would make every moment infinite; the activation itself rejects it.
#include <initlab/activation.hpp>
#include <limits>

constexpr double q = initlab::leaky_relu<std::numeric_limits<double>::infinity()>::second_moment(1.0);
