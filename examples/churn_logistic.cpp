// churn_logistic — the classic churn model on a customer table: a column transformer (impute,
// scale, one-hot) and logistic regression in one pipeline, 5-fold cross-validated, saved,
// loaded, and used to score one customer.
#include <clm/clm.hpp>

#include <cstdio>
#include <filesystem>

int main() try {
  // Customer attributes with a churn label (clm::synthetic; read_csv for your own table).
  const auto data = clm::synthetic::customers<double>({.n_customers = 8000, .seed = 9, .missing_rate = 0.02});
  const clm::table& customers = data.attributes;
  auto model = clm::make_pipeline(
      clm::make_column_transformer({.numeric = data.names,
                                    .categorical = {"region", "channel"}},
                                   clm::make_pipeline(clm::simple_imputer<>({.strategy = clm::impute_strategy::median}),
                                                      clm::standard_scaler<>()),
                                   clm::one_hot_encoder<>({.unknown = clm::unknown_category::ignore})),
      clm::logistic_regression<>({.C = 1.0}));

  const auto cv = clm::cross_validate(model, customers, data.churned, clm::stratified_k_fold{.n_splits = 5, .shuffle = true, .seed = 1}, "roc_auc");
  std::printf("5-fold ROC AUC: %.3f (+/- %.3f)\n", cv.mean("roc_auc"), cv.std("roc_auc"));

  model.fit(customers, data.churned);
  const auto path = std::filesystem::temp_directory_path() / "churn_logistic.clm";
  clm::save(model, path);
  const auto served = clm::load<decltype(model)>(path);
  const auto one = customers.take({0});
  std::printf("customer 0: churn risk %.3f (label %g)\n", served.predict_proba(one)(0), data.churned(0));
  const auto names = served.step<0>().feature_names_out();
  const auto& coef = served.step<1>().coef();
  for (std::size_t j = 0; j < names.size(); ++j) std::printf("  %-26s %+.3f\n", names[j].c_str(), coef(j));
  std::filesystem::remove(path);
  return 0;
} catch (const clm::error& e) {
  std::fprintf(stderr, "churn_logistic: %s\n", e.what());
  return 1;
}
