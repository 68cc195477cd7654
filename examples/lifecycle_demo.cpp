// lifecycle_demo — what `scripts/dev demo` runs: the most complete end-to-end path the
// library has today, on a clm::synthetic population generated in-process (no file needed).
//
//   order log -> customer summary (calibration / holdout) -> RFM features joined with the
//   customer attributes -> column_transformer + logistic regression pipeline, trained to
//   predict "no purchase in the holdout period", its penalty tuned by cross-validated grid
//   search -> AUC, accuracy, lift in the top decile
//   -> save, reload, score a customer
//
// Usage: lifecycle_demo [--customers N] [--seed S]
#include <clm/clm.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <tuple>
#include <string>
#include <vector>

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) try {
  clm::synthetic::population_params params{.n_customers = 20000, .seed = 42};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--customers") params.n_customers = std::strtoull(argv[i + 1], nullptr, 10);
    else if (arg == "--seed") params.seed = std::strtoull(argv[i + 1], nullptr, 10);
    else throw clm::invalid_argument("unknown option '" + arg + "' (expected --customers or --seed)");
  }
  std::printf("clm %s lifecycle demo (no file given: a simulated population)\n\n", CLM_VERSION_STRING);

  auto t0 = std::chrono::steady_clock::now();
  const auto pop = clm::synthetic::make_population(params);
  std::printf("1. simulated %zu customers, %zu orders (BG/NBD purchases, Gamma-Gamma spend) in %.2f s\n",
              params.n_customers, pop.transactions.size(), seconds_since(t0));

  t0 = std::chrono::steady_clock::now();
  const clm::summary_options periods{.calibration_end = pop.calibration_end, .observation_end = pop.observation_end};
  const auto summary = clm::summarize(pop.transactions, periods);
  clm::table features = clm::rfm_features(pop.transactions, periods);
  // Every simulated customer bought in calibration, so summary rows follow customer codes
  // as the attribute table does: join column by column.
  for (const auto& name : {"tenure_months", "support_tickets", "discount_share"}) {
    features.add_numeric(name, pop.customers.numeric(name));
  }
  for (const auto& name : {"region", "channel"}) features.add_categorical(name, pop.customers.categorical(name));
  clm::vector<double> churned = clm::vector<double>::from_shape({summary.size()});
  for (std::size_t i = 0; i < summary.size(); ++i) churned(i) = summary.holdout_frequency(i) == 0.0 ? 1.0 : 0.0;
  std::printf("2. summarised to %zu customers x %zu features in %.3f s; %.1f %% made no purchase in the\n"
              "   %.0f-week holdout (the churn label)\n",
              features.rows(), features.cols(), seconds_since(t0), 100.0 * xt::mean(churned)(),
              summary.holdout_duration);

  // Stratified 80/20 split.
  const auto split = clm::train_test_split(churned, {.test_fraction = 0.2, .seed = params.seed, .stratify = true});
  const auto& train = split.train;
  const auto& test = split.test;

  t0 = std::chrono::steady_clock::now();
  auto model = clm::make_pipeline(
      clm::make_column_transformer(
          {.numeric = {"recency", "frequency", "monetary", "tenure", "inter_purchase_time", "total_spend",
                       "tenure_months", "support_tickets", "discount_share"},
           .categorical = {"region", "channel"}},
          clm::make_pipeline(clm::simple_imputer<>({.strategy = clm::impute_strategy::median}),
                             clm::log1p_transform<>(), clm::standard_scaler<>()),
          clm::one_hot_encoder<>({.unknown = clm::unknown_category::ignore})),
      clm::logistic_regression<>({.C = 1.0, .max_iter = 500}));
  // Tune the penalty by 5-fold cross-validated AUC on the training customers, then refit.
  const auto X_train = features.take(train);
  const auto y_train = clm::take_rows(churned, train);
  const auto search = clm::grid_search(model, X_train, y_train,
                                       clm::grid<1>(&clm::logistic_regression_params::C, {0.01, 0.1, 1.0, 10.0}), 5,
                                       "roc_auc", {.n_jobs = 0});
  model = search.best_model;
  const auto& fit_report = model.step<1>().report();
  std::printf("3. churn model (impute, log1p, scale, one-hot, logistic regression) tuned and fitted on %zu\n"
              "   customers in %.3f s: C = %g by 5-fold cross-validated AUC %.3f (+/- %.3f); %zu L-BFGS\n"
              "   iterations, %s\n",
              train.size(), seconds_since(t0), std::get<1>(search.best_params).C, search.best_score,
              search.std_score[search.best_index], fit_report.iterations, fit_report.stopped_because.c_str());

  const auto X_test = features.take(test);
  const auto y_test = clm::take_rows(churned, test);
  const auto risk = model.predict_proba(X_test);
  std::printf("4. held-out customers (%zu): ROC AUC %.3f, accuracy %.3f, lift in the top decile %.2fx\n\n",
              test.size(), clm::roc_auc(y_test, risk), clm::accuracy(y_test, model.predict(X_test)),
              clm::lift_at(y_test, risk, 0.1));

  const auto names = model.step<0>().feature_names_out();
  const auto& coef = model.step<1>().coef();
  std::printf("   %-28s %10s\n", "feature (scaled)", "coefficient");
  for (std::size_t j = 0; j < names.size(); ++j) std::printf("   %-28s %+10.3f\n", names[j].c_str(), coef(j));

  // Persist the whole fitted pipeline and score one customer with the reloaded copy, as a
  // service would.
  const auto path = std::filesystem::temp_directory_path() / "clm_demo_churn.clm";
  clm::save(model, path);
  const auto served = clm::load<decltype(model)>(path);
  const auto one = features.take({test.front()});
  std::printf("\n5. saved the pipeline (%ju bytes) and reloaded it: customer %s has churn risk %.3f\n",
              static_cast<std::uintmax_t>(std::filesystem::file_size(path)),
              summary.ids[test.front()].c_str(), served.predict_proba(one)(0));
  std::filesystem::remove(path);
  return 0;
} catch (const clm::error& e) {
  std::fprintf(stderr, "lifecycle_demo: %s\n", e.what());
  return 1;
}
