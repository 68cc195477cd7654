// xtensor-blas and clm in one translation unit: both compile, link and agree.
#include <xtensor-blas/xlinalg.hpp>

#include <clm/clm.hpp>

#include <cmath>
#include <cstdio>

int main() {
  const clm::matrix<double> A{{4.0, 2.0}, {2.0, 3.0}};
  const clm::vector<double> b{2.0, 1.0};
  const clm::vector<double> x_xt = xt::linalg::solve(A, b);
  clm::matrix<double> F = A;
  clm::vector<double> x_clm = b;
  if (clm::lapack::potrf(2, F.data()) != 0 || clm::lapack::potrs(2, F.data(), x_clm.data()) != 0) {
    std::puts("clm: potrf/potrs failed");
    return 1;
  }
  const clm::matrix<double> AA = xt::linalg::dot(A, A);
  clm::matrix<double> C = xt::zeros<double>({2, 2});
  clm::blas::gemm(clm::blas::op::none, clm::blas::op::none, 2, 2, 2, 1.0, A.data(), 2, A.data(), 2,
                  0.0, C.data(), 2);
  double diff = 0.0;
  for (std::size_t i = 0; i < 2; ++i) {
    diff = std::max(diff, std::abs(x_xt(i) - x_clm(i)));
    for (std::size_t j = 0; j < 2; ++j) diff = std::max(diff, std::abs(AA(i, j) - C(i, j)));
  }
  if (diff > 1e-14) {
    std::printf("xtensor-blas and clm disagree by %g\n", diff);
    return 1;
  }
  std::puts("clm and xtensor-blas coexist");
  return 0;
}
