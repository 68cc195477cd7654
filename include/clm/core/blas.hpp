#pragma once
// The one file that includes BLAS / LAPACK. Only modules that do linear algebra include it.
//
// xtensor-blas declares the CBLAS interface itself (with its own enum types), so the
// system <cblas.h> must not be included next to it; the thin wrappers below call those
// declarations on raw row-major buffers, which is what hot loops use.

#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>

#include "clm/core/error.hpp"
#include "clm/core/xt.hpp"

#if __has_include(<xtensor-blas/xlinalg.hpp>)
#include <xtensor-blas/xlinalg.hpp>
#else
#error "clm: xtensor-blas not found (Debian: apt-get install libxtensor-blas-dev)"
#endif

namespace clm::blas {

enum class op { none, transpose };

namespace detail {
inline CBLAS_TRANSPOSE to_cblas(op o) noexcept {
  return o == op::none ? CblasNoTrans : CblasTrans;
}
// CBLAS takes int sizes: a larger one is an error, not a silent wrap-around.
inline int to_int(std::size_t v) {
  if (v > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw shape_error("BLAS: a dimension of " + std::to_string(v) +
                      " exceeds the largest size BLAS takes (" +
                      std::to_string(std::numeric_limits<int>::max()) + ")");
  }
  return static_cast<int>(v);
}
}  // namespace detail

/// C (m x n) = alpha * op(A) op(B) + beta * C, all row-major.
template <class T>
void gemm(op ta, op tb, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* A,
          std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
  using namespace detail;
  if constexpr (std::is_same_v<T, double>) {
    cblas_dgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), to_int(m), to_int(n), to_int(k),
                alpha, A, to_int(lda), B, to_int(ldb), beta, C, to_int(ldc));
  } else {
    cblas_sgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), to_int(m), to_int(n), to_int(k),
                alpha, A, to_int(lda), B, to_int(ldb), beta, C, to_int(ldc));
  }
}

/// y (m or n) = alpha * op(A) x + beta * y, A m x n row-major.
template <class T>
void gemv(op ta, std::size_t m, std::size_t n, T alpha, const T* A, std::size_t lda, const T* x,
          T beta, T* y) {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
  using namespace detail;
  if constexpr (std::is_same_v<T, double>) {
    cblas_dgemv(CblasRowMajor, to_cblas(ta), to_int(m), to_int(n), alpha, A, to_int(lda), x, 1,
                beta, y, 1);
  } else {
    cblas_sgemv(CblasRowMajor, to_cblas(ta), to_int(m), to_int(n), alpha, A, to_int(lda), x, 1,
                beta, y, 1);
  }
}

/// Upper triangle of C (n x n) = alpha * A'A + beta * C for A (k x n) row-major
/// (trans = op::transpose), or alpha * AA' for A (n x k) (op::none).
template <class T>
void syrk(op trans, std::size_t n, std::size_t k, T alpha, const T* A, std::size_t lda, T beta,
          T* C, std::size_t ldc) {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
  using namespace detail;
  if constexpr (std::is_same_v<T, double>) {
    cblas_dsyrk(CblasRowMajor, CblasUpper, to_cblas(trans), to_int(n), to_int(k), alpha, A,
                to_int(lda), beta, C, to_int(ldc));
  } else {
    cblas_ssyrk(CblasRowMajor, CblasUpper, to_cblas(trans), to_int(n), to_int(k), alpha, A,
                to_int(lda), beta, C, to_int(ldc));
  }
}

/// x . y for short vectors (a row of a model's features, a factor vector), with eight
/// independent partial sums: the compiler keeps them in vector registers, where one running
/// sum would wait for every addition's latency. Cheaper than a BLAS call below a few hundred
/// elements.
template <class T>
T dot(const T* x, const T* y, std::size_t n) noexcept {
  T s[8] = {};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (std::size_t k = 0; k < 8; ++k) s[k] += x[i + k] * y[i + k];
  }
  for (; i < n; ++i) s[0] += x[i] * y[i];
  return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

}  // namespace clm::blas

namespace clm::lapack {

// Cholesky factorisation and solve of a symmetric positive definite n x n matrix held
// row-major with its upper triangle filled (what blas::syrk writes). LAPACK reads the same
// buffer column-major, where that triangle is the lower one.

/// Factorises A in place. Returns 0 on success, > 0 when A is not positive definite.
template <class T>
int potrf(std::size_t n, T* A) {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
  const int N = blas::detail::to_int(n);
  return cxxlapack::potrf<int>('L', N, A, N);
}

/// Solves A x = b in place (b becomes x) with the factor from potrf.
template <class T>
int potrs(std::size_t n, const T* factor, T* b) {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
  const int N = blas::detail::to_int(n);
  return cxxlapack::potrs<int>('L', N, 1, factor, N, b, N);
}

/// Replaces the factor from potrf by the inverse of A, in the same (row-major upper)
/// triangle. Returns 0 on success.
template <class T>
int potri(std::size_t n, T* factor) {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
  const int N = blas::detail::to_int(n);
  return cxxlapack::potri<int>('L', N, factor, N);
}

}  // namespace clm::lapack
