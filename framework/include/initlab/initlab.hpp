#pragma once
/// Umbrella header: includes the whole header-only library, nothing else.

#include <initlab/weight_law.hpp>
