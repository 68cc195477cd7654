// serve — the embedding use case: load a saved churn pipeline once, then score customers read
// from standard input, one CSV line per customer, as a service would.
//
//   serve [MODEL]   (default: churn_serve.clm in the temp folder; trained and saved first
//                    when it does not exist yet)
//   input lines:    tenure_months,orders_per_month,avg_order_value,days_since_last_order,
//                   support_tickets,discount_share,region,channel
//   output lines:   the churn risk, or "error: ..." for a line that cannot be scored
#include <clm/clm.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

namespace {
auto make_model(const clm::feature_names& numeric) {
  return clm::make_pipeline(
      clm::make_column_transformer({.numeric = numeric, .categorical = {"region", "channel"}},
                                   clm::make_pipeline(clm::simple_imputer<>(), clm::standard_scaler<>()),
                                   clm::one_hot_encoder<>({.unknown = clm::unknown_category::ignore})),
      clm::logistic_regression<>());
}
}  // namespace

int main(int argc, char** argv) try {
  const auto data = clm::synthetic::customers<double>({.n_customers = 5000, .seed = 4});
  using model_type = decltype(make_model(data.names));
  const std::filesystem::path path = argc > 1 ? argv[1] : std::filesystem::temp_directory_path() / "churn_serve.clm";
  if (!std::filesystem::exists(path)) {  // the training side, normally another program
    auto model = make_model(data.names);
    model.fit(data.attributes, data.churned);
    clm::save(model, path);
  }
  const auto model = clm::load<model_type>(path);  // the serving side: load once
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    try {
      const std::string header = "tenure_months,orders_per_month,avg_order_value,days_since_last_order,"
                                 "support_tickets,discount_share,region,channel\n";
      const clm::table row = clm::read_csv_text(header + line, {.types = {{"region", clm::column_type::categorical},
                                                                          {"channel", clm::column_type::categorical}}});
      std::printf("%.4f\n", model.predict_proba(row)(0));
    } catch (const clm::error& e) {
      std::printf("error: %s\n", e.what());
    }
  }
  return 0;
} catch (const clm::error& e) {
  std::fprintf(stderr, "serve: %s\n", e.what());
  return 1;
}
