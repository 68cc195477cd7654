// Compiled (syntax only) by the other compiler as a CTest step: the whole library must
// build under both g++ and clang++.
#include <clm/clm.hpp>

int main() { return 0; }
