#include <clm/clm.hpp>

#include <cstdio>

int main() {
  const auto data = clm::synthetic::customers<double>({.n_customers = 100, .seed = 1});
  clm::standard_scaler<> scaler;
  const auto Z = scaler.fit_transform(data.X);
  // A least-squares fit goes through BLAS (syrk) and LAPACK (Cholesky): it checks the link.
  clm::linear_regression<> ols;
  ols.fit(Z, data.churn_probability);
  std::printf("clm %s: scaled %zu x %zu, OLS on %zu coefficients\n", CLM_VERSION_STRING,
              Z.shape()[0], Z.shape()[1], ols.coef().size());
  return Z.shape()[0] == 100 && ols.coef().size() == Z.shape()[1] ? 0 : 1;
}
