// segment — customer segments two ways from one order log: the named RFM map (quintile scores)
// and k-means on scaled log RFM features with k chosen by silhouette; a profile of each.
#include <clm/clm.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace {
void print_profile(const clm::table& p) {
  const auto& names = p.categorical("segment");
  std::printf("%-20s %9s %6s %9s %9s %9s\n", "segment", "customers", "share", "recency", "frequency", "monetary");
  for (std::size_t g = 0; g < p.rows(); ++g) {
    std::printf("%-20s %9.0f %5.1f%% %9.1f %9.2f %9.2f\n", names.levels[static_cast<std::size_t>(names.codes[g])].c_str(),
                p.numeric("customers")(g), 100 * p.numeric("share")(g), p.numeric("mean_recency")(g),
                p.numeric("mean_frequency")(g), p.numeric("mean_monetary")(g));
  }
}
}  // namespace

int main() try {
  const auto pop = clm::synthetic::make_population({.n_customers = 10000, .seed = 11});
  const clm::summary_options periods{.calibration_end = pop.calibration_end};
  const clm::table rfm = clm::rfm_features(pop.transactions, periods);
  const std::vector<std::string> columns{"recency", "frequency", "monetary"};

  // 1. The RFM map: R, F and M quintile scores -> Champions, Loyal, At risk, ...
  clm::rfm_segments<> map;
  map.fit(rfm);
  std::printf("RFM map segments\n");
  print_profile(clm::profile(map.segments(rfm), rfm, columns));

  // 2. k-means on log1p + standardised R, F, M; k from 2..6 by the best silhouette.
  auto scale = clm::make_pipeline(clm::simple_imputer<>({.strategy = clm::impute_strategy::median}),
                                  clm::log1p_transform<>(), clm::standard_scaler<>());
  const clm::matrix<double> X = scale.fit_transform(rfm.to_matrix(columns));
  const auto sweep = clm::kmeans_sweep(X, {2, 3, 4, 5, 6}, {.seed = 1});
  std::size_t best = 0;
  for (std::size_t k = 0; k < sweep.k.size(); ++k) {
    std::printf("k = %zu: inertia %.0f, silhouette %.3f\n", sweep.k[k], sweep.inertia[k], sweep.silhouette[k]);
    if (sweep.silhouette[k] > sweep.silhouette[best]) best = k;
  }
  clm::kmeans<> km({.k = sweep.k[best], .n_init = 5, .seed = 1});
  km.fit(X);
  std::vector<std::string> cluster;
  for (const double c : km.predict(X)) cluster.push_back("cluster " + std::to_string(static_cast<int>(c)));
  std::printf("\nk-means, k = %zu\n", sweep.k[best]);
  print_profile(clm::profile(cluster, rfm, columns));
  return 0;
} catch (const clm::error& e) {
  std::fprintf(stderr, "segment: %s\n", e.what());
  return 1;
}
