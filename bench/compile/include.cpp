// Compile-time benchmark TU (bench/compile/run): the cost of including one umbrella header.
#ifndef INITLAB_HEADER
#define INITLAB_HEADER <initlab/core.hpp>
#endif
#include INITLAB_HEADER

int main() { return 0; }
