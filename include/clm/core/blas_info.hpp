#pragma once
// Which BLAS the program runs, and whether its kernels fit the CPU.
//
//   clm::blas::info()               the library (OpenBLAS or not), OpenBLAS's core name,
//                                   build configuration, thread count and threading model,
//                                   the CPU model and whether it has AVX2 / AVX-512
//   clm::blas::suggested_coretype   the OPENBLAS_CORETYPE to set when OpenBLAS runs kernels
//                                   older than the CPU (empty when they fit)
//   clm::blas::kernel_advice()      one line saying so with the variable to set, or empty
//   clm::blas::warn_once(stream)    prints that line once per process
//
// The trap: a distribution's OpenBLAS (DYNAMIC_ARCH) picks its kernels from the CPU model
// it knows. On a CPU newer than the library (Debian 12's 0.3.21 on a 5th-generation Xeon,
// family 6 model 207) it falls back to its SSE3 "Prescott" kernels without a word: DGEMM
// runs 5-7 times slower. OPENBLAS_CORETYPE=SkylakeX (AVX-512) or Haswell (AVX2), set
// before the program starts, restores them. OpenBLAS's query functions are declared weak:
// with another BLAS linked they are absent and info() says so.

#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

#include "clm/core/blas.hpp"

extern "C" {
// Weak: resolved when OpenBLAS is linked, null otherwise.
char* openblas_get_corename(void) __attribute__((weak));
char* openblas_get_config(void) __attribute__((weak));
int openblas_get_parallel(void) __attribute__((weak));
int openblas_get_num_threads(void) __attribute__((weak));
}

namespace clm::blas {

struct backend_info {
  std::string library;   ///< "OpenBLAS", or "not OpenBLAS" when its query functions are absent
  std::string core;      ///< OpenBLAS's kernel family (e.g. "SkylakeX", "Haswell", "Prescott")
  std::string config;    ///< OpenBLAS's build configuration line
  int threads = 0;       ///< OpenBLAS's thread count (0: unknown)
  std::string threading; ///< "sequential", "pthreads" or "OpenMP"
  std::string cpu;       ///< the CPU model name (Linux /proc/cpuinfo), or "unknown"
  bool avx2 = false, avx512 = false;
  std::string suggested_coretype;  ///< set when the kernels are older than the CPU
};

/// The OPENBLAS_CORETYPE that gives a CPU with AVX2 / AVX-512 kernels of its generation
/// when OpenBLAS runs `core`; empty when `core` already uses AVX2 (or the CPU has none).
inline std::string suggested_coretype(std::string_view core, bool avx2, bool avx512) {
  if (!avx2 || core.empty()) return {};
  // OpenBLAS's x86-64 kernel families with AVX2 (or AVX-512) code.
  for (const std::string_view modern : {"Haswell", "SkylakeX", "Cooperlake", "SapphireRapids", "Zen", "Excavator"}) {
    if (core == modern) return {};
  }
  return avx512 ? "SkylakeX" : "Haswell";
}

namespace detail {
inline std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}
}  // namespace detail

inline backend_info info() {
  // A strong reference to a CBLAS routine keeps the BLAS library linked (under --as-needed
  // a program that only asked these questions would otherwise drop it, and the weak
  // OpenBLAS queries would read as absent).
  static void (*volatile keep_linked)(int, int, int, int, int, int, double, const double*, int, const double*, int,
                                      double, double*, int) = &detail::abi::clm_cblas_dgemm;
  (void)keep_linked;
  backend_info b;
  b.cpu = detail::cpu_model_name();
#if defined(__x86_64__) || defined(__i386__)
  b.avx2 = __builtin_cpu_supports("avx2") != 0;
  b.avx512 = __builtin_cpu_supports("avx512f") != 0;
#endif
  if (openblas_get_corename == nullptr) {
    b.library = "not OpenBLAS";
    return b;
  }
  b.library = "OpenBLAS";
  b.core = openblas_get_corename();
  if (openblas_get_config != nullptr) b.config = openblas_get_config();
  if (openblas_get_num_threads != nullptr) b.threads = openblas_get_num_threads();
  if (openblas_get_parallel != nullptr) {
    const int p = openblas_get_parallel();
    b.threading = p == 0 ? "sequential" : p == 1 ? "pthreads" : "OpenMP";
  }
  b.suggested_coretype = suggested_coretype(b.core, b.avx2, b.avx512);
  return b;
}

/// One line: the kernels in use, and, when they are older than the CPU, what to set.
inline std::string describe(const backend_info& b) {
  std::string s = b.library;
  if (b.library == "OpenBLAS") s += " " + b.core + " kernels, " + std::to_string(b.threads) + " threads (" + b.threading + ")";
  s += "; CPU " + b.cpu + (b.avx512 ? " (AVX-512)" : b.avx2 ? " (AVX2)" : "");
  return s;
}

/// Empty when the kernels fit the CPU; else the warning with the variable to set.
inline std::string kernel_advice(const backend_info& b) {
  if (b.suggested_coretype.empty()) return {};
  return "OpenBLAS runs its " + b.core + " kernels on a CPU with " + (b.avx512 ? "AVX-512" : "AVX2") + " (" + b.cpu +
         "), several times slower than the CPU allows (DGEMM 5-7x on a 5th-generation Xeon, which OpenBLAS 0.3.21 "
         "does not recognise). Set OPENBLAS_CORETYPE=" +
         b.suggested_coretype + " in the environment before the program starts.";
}

/// Prints kernel_advice() once per process (nothing when the kernels fit).
inline void warn_once(std::FILE* to = stderr) {
  static const bool done = [to] {
    const std::string a = kernel_advice(info());
    if (!a.empty()) std::fprintf(to, "clm: %s\n", a.c_str());
    return true;
  }();
  (void)done;
}

}  // namespace clm::blas
