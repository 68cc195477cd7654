// A user's program: fit a scaler on generated customers, save it, load it, check that the
// loaded model transforms identically, and multiply through BLAS (checks the link line).
#include <clm/clm.hpp>

#include <cstdio>
#include <filesystem>

int main() {
  const auto data = clm::synthetic::customers<double>({.n_customers = 200, .seed = 7});
  clm::standard_scaler<> scaler;
  const clm::matrix<double> Z = scaler.fit_transform(data.X);
  const auto path = std::filesystem::temp_directory_path() / "clm_consumer_scaler.clm";
  clm::save(scaler, path);
  const auto loaded = clm::load<clm::standard_scaler<>>(path);
  std::filesystem::remove(path);
  const clm::matrix<double> Z2 = loaded.transform(data.X);
  if (!(Z == Z2)) return 1;

  const double a[4] = {1, 2, 3, 4}, b[2] = {1, 1};
  double y[2] = {0, 0};
  clm::blas::gemv(clm::blas::op::none, 2, 2, 1.0, a, 2, b, 0.0, y);
  if (y[0] != 3.0 || y[1] != 7.0) return 2;

  std::printf("clm consumer ok: clm %s, xtensor %d.%d.%d, %zu customers, %zu features\n",
              CLM_VERSION_STRING, XTENSOR_VERSION_MAJOR, XTENSOR_VERSION_MINOR,
              XTENSOR_VERSION_PATCH, Z.shape()[0], Z.shape()[1]);
  return 0;
}
