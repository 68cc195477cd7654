#pragma once
// The IBM Telco churn table under the protocol the churn-model tests share: labels from
// "Churn", customerID dropped, a stratified 80/20 split with seed 42 (each class's rows
// shuffled, round(0.2 n) of them to the test side), and the preprocessing every model gets
// (median-imputed, standardised numeric columns; one-hot categorical ones).

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "clm/core/random.hpp"
#include "clm/data/csv.hpp"
#include "clm/pipeline/pipeline.hpp"
#include "clm/preprocessing/column_transformer.hpp"
#include "clm/preprocessing/one_hot_encoder.hpp"
#include "clm/preprocessing/simple_imputer.hpp"
#include "clm/preprocessing/standard_scaler.hpp"
#include "support/fixtures.hpp"

namespace clm::testing {

struct telco_data {
  table features;
  vector<double> y;
  std::vector<std::string> categorical;
  std::vector<std::size_t> train, test;
};

/// The table from CLM_DATA_DIR, or nothing when it is unset.
inline std::optional<telco_data> telco() {
  const auto dir = data_dir();
  if (!dir) return std::nullopt;
  const table t = read_csv(*dir / "telco" / "WA_Fn-UseC_-Telco-Customer-Churn.csv");
  telco_data d;
  const auto& churn = t.categorical("Churn");
  d.y = vector<double>::from_shape({t.rows()});
  for (std::size_t i = 0; i < t.rows(); ++i) d.y(i) = churn.at(i) == "Yes" ? 1.0 : 0.0;
  std::vector<std::size_t> pos, neg;
  for (std::size_t i = 0; i < t.rows(); ++i) (d.y(i) == 1.0 ? pos : neg).push_back(i);
  random_engine g(42);
  for (auto* cls : {&pos, &neg}) {
    shuffle(cls->begin(), cls->end(), g);
    const auto n_test = static_cast<std::size_t>(std::llround(0.2 * static_cast<double>(cls->size())));
    d.test.insert(d.test.end(), cls->begin(), cls->begin() + static_cast<std::ptrdiff_t>(n_test));
    d.train.insert(d.train.end(), cls->begin() + static_cast<std::ptrdiff_t>(n_test), cls->end());
  }
  d.features = t.drop({"customerID", "Churn"});
  for (const auto& n : d.features.names()) {
    if (d.features.type(n) == column_type::categorical) d.categorical.push_back(n);
  }
  return d;
}

/// The shared preprocessing of the Telco features.
inline auto telco_preprocessing(const std::vector<std::string>& categorical) {
  return make_column_transformer(
      {.numeric = {"SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"}, .categorical = categorical},
      make_pipeline(simple_imputer<>({.strategy = impute_strategy::median}), standard_scaler<>()),
      one_hot_encoder<>({.unknown = unknown_category::ignore}));
}

}  // namespace clm::testing
