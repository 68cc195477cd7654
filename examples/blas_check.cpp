// blas_check: which BLAS kernels this program runs, and whether they fit the CPU.
// Prints OpenBLAS's core, threads and the CPU; when OpenBLAS fell back to kernels older than
// the CPU, the OPENBLAS_CORETYPE to set (exit code 3), so scripts can act on it.
#include <clm/core/blas_info.hpp>

#include <cstdio>

int main() {
  const auto b = clm::blas::info();
  std::printf("%s\n", clm::blas::describe(b).c_str());
  if (!b.config.empty()) std::printf("build: %s\n", b.config.c_str());
  if (!b.avx2) std::printf("the CPU has no AVX2: nothing faster to select\n");
  const auto advice = clm::blas::kernel_advice(b);
  if (advice.empty()) return 0;
  std::printf("%s\nsuggested: OPENBLAS_CORETYPE=%s\n", advice.c_str(), b.suggested_coretype.c_str());
  return 3;
}
