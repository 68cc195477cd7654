#include <clm/clm.hpp>

#include <cstdio>

int main() {
  const auto data = clm::synthetic::customers<double>({.n_customers = 100, .seed = 1});
  clm::standard_scaler<> scaler;
  const auto Z = scaler.fit_transform(data.X);
  std::printf("clm %s: scaled %zu x %zu\n", CLM_VERSION_STRING, Z.shape()[0], Z.shape()[1]);
  return Z.shape()[0] == 100 ? 0 : 1;
}
