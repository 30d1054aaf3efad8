// expect-error: initlab::linear: Alpha must be finite
// A NaN scale would poison every variance of the network profile silently.
#include <initlab/activation.hpp>
#include <limits>

constexpr double q = initlab::linear<std::numeric_limits<double>::quiet_NaN()>::second_moment(1.0);
