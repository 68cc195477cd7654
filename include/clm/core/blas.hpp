#pragma once
// The one file that declares BLAS / LAPACK. Only modules that do linear algebra include it.
//
// clm calls the CBLAS interface (row-major level 2 and 3) and four LAPACK routines
// (Cholesky factor, solve and inverse; least squares by SVD) through its own declarations,
// so it needs nothing but a BLAS / LAPACK library to link: no <cblas.h>, no <lapacke.h>, no
// xtensor-blas. The declarations carry assembler labels (GCC and Clang): their C++ names are
// clm's own, so they cannot clash with another header's declaration of the same routine
// (xtensor-blas's FLENS CBLAS enums, OpenBLAS's <cblas.h>, LAPACKE) in the same program.
// The interface is LP64: 32-bit integer sizes, which every distribution's OpenBLAS,
// reference BLAS and MKL's default interface use; an ILP64 BLAS is not supported.

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "clm/core/error.hpp"

#if !defined(__GNUC__) && !defined(__clang__)
#error "clm: the BLAS declarations use assembler labels (GCC or Clang)"
#endif

namespace clm::blas::detail::abi {
// CBLAS's enumerators (the values every CBLAS shares).
inline constexpr int row_major = 101;
inline constexpr int no_trans = 111;
inline constexpr int trans = 112;
inline constexpr int upper = 121;

extern "C" {
void clm_cblas_dgemm(int, int, int, int, int, int, double, const double*, int, const double*,
                     int, double, double*, int) __asm__("cblas_dgemm");
void clm_cblas_sgemm(int, int, int, int, int, int, float, const float*, int, const float*, int,
                     float, float*, int) __asm__("cblas_sgemm");
void clm_cblas_dgemv(int, int, int, int, double, const double*, int, const double*, int, double,
                     double*, int) __asm__("cblas_dgemv");
void clm_cblas_sgemv(int, int, int, int, float, const float*, int, const float*, int, float,
                     float*, int) __asm__("cblas_sgemv");
void clm_cblas_dsyrk(int, int, int, int, int, double, const double*, int, double, double*, int)
    __asm__("cblas_dsyrk");
void clm_cblas_ssyrk(int, int, int, int, int, float, const float*, int, float, float*, int)
    __asm__("cblas_ssyrk");

// LAPACK's Fortran interface: every argument by address, then the hidden lengths of the
// character arguments (gfortran's convention; C implementations ignore them).
void clm_dpotrf(const char*, const int*, double*, const int*, int*, std::size_t)
    __asm__("dpotrf_");
void clm_spotrf(const char*, const int*, float*, const int*, int*, std::size_t)
    __asm__("spotrf_");
void clm_dpotrs(const char*, const int*, const int*, const double*, const int*, double*,
                const int*, int*, std::size_t) __asm__("dpotrs_");
void clm_spotrs(const char*, const int*, const int*, const float*, const int*, float*,
                const int*, int*, std::size_t) __asm__("spotrs_");
void clm_dpotri(const char*, const int*, double*, const int*, int*, std::size_t)
    __asm__("dpotri_");
void clm_spotri(const char*, const int*, float*, const int*, int*, std::size_t)
    __asm__("spotri_");
void clm_dgelsd(const int*, const int*, const int*, double*, const int*, double*, const int*,
                double*, const double*, int*, double*, const int*, int*, int*)
    __asm__("dgelsd_");
}
}  // namespace clm::blas::detail::abi

namespace clm::blas {

enum class op { none, transpose };

namespace detail {
inline int to_cblas(op o) noexcept { return o == op::none ? abi::no_trans : abi::trans; }
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
    abi::clm_cblas_dgemm(abi::row_major, to_cblas(ta), to_cblas(tb), to_int(m), to_int(n), to_int(k),
                alpha, A, to_int(lda), B, to_int(ldb), beta, C, to_int(ldc));
  } else {
    abi::clm_cblas_sgemm(abi::row_major, to_cblas(ta), to_cblas(tb), to_int(m), to_int(n), to_int(k),
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
    abi::clm_cblas_dgemv(abi::row_major, to_cblas(ta), to_int(m), to_int(n), alpha, A, to_int(lda), x, 1,
                beta, y, 1);
  } else {
    abi::clm_cblas_sgemv(abi::row_major, to_cblas(ta), to_int(m), to_int(n), alpha, A, to_int(lda), x, 1,
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
    abi::clm_cblas_dsyrk(abi::row_major, abi::upper, to_cblas(trans), to_int(n), to_int(k), alpha, A,
                to_int(lda), beta, C, to_int(ldc));
  } else {
    abi::clm_cblas_ssyrk(abi::row_major, abi::upper, to_cblas(trans), to_int(n), to_int(k), alpha, A,
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
  int info = 0;
  if constexpr (std::is_same_v<T, double>) {
    blas::detail::abi::clm_dpotrf("L", &N, A, &N, &info, 1);
  } else {
    blas::detail::abi::clm_spotrf("L", &N, A, &N, &info, 1);
  }
  return info;
}

/// Solves A x = b in place (b becomes x) with the factor from potrf.
template <class T>
int potrs(std::size_t n, const T* factor, T* b) {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
  const int N = blas::detail::to_int(n), one = 1;
  int info = 0;
  if constexpr (std::is_same_v<T, double>) {
    blas::detail::abi::clm_dpotrs("L", &N, &one, factor, &N, b, &N, &info, 1);
  } else {
    blas::detail::abi::clm_spotrs("L", &N, &one, factor, &N, b, &N, &info, 1);
  }
  return info;
}

/// Replaces the factor from potrf by the inverse of A, in the same (row-major upper)
/// triangle. Returns 0 on success.
template <class T>
int potri(std::size_t n, T* factor) {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
  const int N = blas::detail::to_int(n);
  int info = 0;
  if constexpr (std::is_same_v<T, double>) {
    blas::detail::abi::clm_dpotri("L", &N, factor, &N, &info, 1);
  } else {
    blas::detail::abi::clm_spotri("L", &N, factor, &N, &info, 1);
  }
  return info;
}

/// The result of gelsd: the minimum-norm least-squares solution and the effective rank.
struct lstsq_result {
  std::vector<double> x;
  std::size_t rank = 0;
};

/// Minimum-norm least squares min ||A x - b|| by SVD (LAPACK dgelsd), A m x n held
/// column-major (leading dimension m; overwritten). Singular values below
/// rcond * the largest are treated as zero; rcond < 0 means machine precision, as
/// numpy.linalg.lstsq's rcond=None. Throws numeric_error when the SVD does not converge.
inline lstsq_result gelsd(std::size_t m, std::size_t n, double* A, const double* b,
                          double rcond = -1.0) {
  using namespace blas::detail;
  const int M = to_int(m), N = to_int(n), one = 1;
  const int ldb = to_int(std::max<std::size_t>({m, n, 1}));
  std::vector<double> B(static_cast<std::size_t>(ldb), 0.0);
  std::copy(b, b + m, B.begin());
  std::vector<double> s(std::max<std::size_t>(std::min(m, n), 1));
  int rank = 0, info = 0, lwork = -1, iwork_size = 0;
  double work_size = 0.0;
  const int lda = std::max(M, 1);
  abi::clm_dgelsd(&M, &N, &one, A, &lda, B.data(), &ldb, s.data(), &rcond, &rank, &work_size,
                  &lwork, &iwork_size, &info);
  if (info != 0) throw numeric_error("lstsq: LAPACK dgelsd workspace query failed (info " + std::to_string(info) + ")");
  lwork = static_cast<int>(work_size) + 1;
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(std::max(iwork_size, 1)));
  abi::clm_dgelsd(&M, &N, &one, A, &lda, B.data(), &ldb, s.data(), &rcond, &rank, work.data(),
                  &lwork, iwork.data(), &info);
  if (info != 0) {
    throw numeric_error("lstsq: the SVD did not converge (LAPACK dgelsd info " + std::to_string(info) + ")");
  }
  B.resize(n);
  return {std::move(B), static_cast<std::size_t>(rank)};
}

}  // namespace clm::lapack
