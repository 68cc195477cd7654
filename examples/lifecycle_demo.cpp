// lifecycle_demo — what `scripts/dev demo` runs: the most complete end-to-end path the
// library has today, on clm::synthetic customers generated in-process (no file needed).
//
//   generate customers -> train/test split -> standard_scaler (fit on train only)
//   -> save and load the fitted scaler -> score the test customers
//
// Usage: lifecycle_demo [--customers N] [--seed S]
#include <clm/clm.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

namespace {

clm::matrix<double> take_rows(const clm::matrix<double>& X, const std::vector<std::size_t>& rows) {
  const std::size_t d = X.shape()[1];
  clm::matrix<double> out = clm::matrix<double>::from_shape({rows.size(), d});
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::copy(X.data() + rows[i] * d, X.data() + (rows[i] + 1) * d, out.data() + i * d);
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) try {
  clm::synthetic::customer_params params{.n_customers = 20000, .seed = 42};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--customers") params.n_customers = std::strtoull(argv[i + 1], nullptr, 10);
    else if (arg == "--seed") params.seed = std::strtoull(argv[i + 1], nullptr, 10);
    else throw clm::invalid_argument("unknown option '" + arg + "' (expected --customers or --seed)");
  }

  auto t0 = std::chrono::steady_clock::now();
  const auto data = clm::synthetic::customers<double>(params);
  std::printf("clm %s lifecycle demo\n", CLM_VERSION_STRING);
  std::printf("data: %zu synthetic customers (seed %llu), generated in %.3f s; true churn rate %.3f\n",
              data.X.shape()[0], static_cast<unsigned long long>(params.seed), seconds_since(t0),
              xt::mean(data.churned)());

  // 80/20 split, seeded.
  std::vector<std::size_t> order(data.X.shape()[0]);
  std::iota(order.begin(), order.end(), std::size_t{0});
  clm::random_engine rng(params.seed);
  clm::shuffle(order.begin(), order.end(), rng);
  const std::size_t n_train = order.size() * 4 / 5;
  const std::vector<std::size_t> train(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_train));
  const std::vector<std::size_t> test(order.begin() + static_cast<std::ptrdiff_t>(n_train), order.end());
  const auto X_train = take_rows(data.X, train);
  const auto X_test = take_rows(data.X, test);
  std::printf("split: %zu train / %zu test customers\n", train.size(), test.size());

  // Preprocessing learned on the training customers only.
  t0 = std::chrono::steady_clock::now();
  clm::standard_scaler<> scaler;
  scaler.fit(X_train);
  std::printf("standard_scaler fitted in %.4f s\n\n", seconds_since(t0));
  std::printf("  %-24s %12s %12s %14s\n", "feature", "mean", "scale", "true churn coef");
  const auto names = scaler.feature_names_out(data.names);
  for (std::size_t j = 0; j < names.size(); ++j) {
    std::printf("  %-24s %12.4f %12.4f %14.4f\n", names[j].c_str(), scaler.mean()(j),
                scaler.scale()(j), data.true_coef(j));
  }

  // Persist the fitted preprocessing and reload it, as a scoring service would.
  const auto path = std::filesystem::temp_directory_path() / "clm_demo_scaler.clm";
  clm::save(scaler, path);
  const auto served = clm::load<clm::standard_scaler<>>(path);
  const auto Z_test = served.transform(X_test);
  std::printf("\nsaved and reloaded the scaler (%s, %ju bytes); test features scaled: %zu x %zu\n",
              path.c_str(), static_cast<std::uintmax_t>(std::filesystem::file_size(path)),
              Z_test.shape()[0], Z_test.shape()[1]);
  std::filesystem::remove(path);

  const clm::vector<double> test_mean = xt::mean(Z_test, {0});
  std::printf("test-set means after train-fitted scaling (near 0, not exactly): ");
  for (std::size_t j = 0; j < test_mean.size(); ++j) std::printf("%+.3f ", test_mean(j));
  std::printf("\n");
  return 0;
} catch (const clm::error& e) {
  std::fprintf(stderr, "lifecycle_demo: %s\n", e.what());
  return 1;
}
