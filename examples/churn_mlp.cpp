// churn_mlp — the classic deep churn model in C++:
//   Dense(64, relu) -> Dropout(0.5) -> Dense(32, relu) -> Dropout(0.5) -> Dense(1, sigmoid),
//   Adam, binary cross-entropy, 10 epochs, batch 32, stratified 80/20 split with seed 42.
//
// Usage: churn_mlp [--data WA_Fn-UseC_-Telco-Customer-Churn.csv]
// Without --data it trains on a simulated customer table (clm::synthetic).
#include <clm/clm.hpp>

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) try {
  clm::table customers;
  clm::vector<double> churned;
  if (argc == 3 && std::string(argv[1]) == "--data") {
    customers = clm::read_csv(argv[2]);
    const auto& answer = customers.categorical("Churn");
    churned = clm::vector<double>::from_shape({customers.rows()});
    for (std::size_t i = 0; i < customers.rows(); ++i) churned(i) = answer.at(i) == "Yes" ? 1.0 : 0.0;
    customers = customers.drop({"customerID", "Churn"});
  } else if (argc == 1) {
    auto simulated = clm::synthetic::customers<double>({.n_customers = 7000, .seed = 42});
    customers = simulated.attributes.drop({"customer_id"});
    churned = simulated.churned;
  } else {
    throw clm::invalid_argument("usage: churn_mlp [--data telco.csv]");
  }

  // Numeric columns imputed and scaled, categorical ones one-hot encoded.
  std::vector<std::string> numeric, categorical;
  for (const auto& name : customers.names()) {
    (customers.type(name) == clm::column_type::numeric ? numeric : categorical).push_back(name);
  }
  auto model = clm::make_pipeline(
      clm::make_column_transformer({.numeric = numeric, .categorical = categorical},
                                   clm::make_pipeline(clm::simple_imputer<>(), clm::standard_scaler<>()),
                                   clm::one_hot_encoder<>({.unknown = clm::unknown_category::ignore})),
      clm::mlp_classifier<>({.hidden = {64, 32}, .dropout = 0.5, .epochs = 10, .batch_size = 32, .seed = 42}));

  const auto split = clm::train_test_split(churned, {.test_fraction = 0.2, .seed = 42, .stratify = true});
  model.step<1>().on_epoch([](const clm::mlp_epoch& e) { std::printf("epoch %2zu  loss %.4f\n", e.epoch, e.train_loss); });
  model.fit(customers.take(split.train), clm::take_rows(churned, split.train));

  const auto X_test = customers.take(split.test);
  const auto y_test = clm::take_rows(churned, split.test);
  std::printf("test accuracy %.3f, ROC AUC %.3f\n", clm::accuracy(y_test, model.predict(X_test)),
              clm::roc_auc(y_test, model.predict_proba(X_test)));
  std::printf("churn probability of a new customer (the first test row): %.3f\n",
              model.predict_proba(customers.take({split.test.front()}))(0));
  return 0;
} catch (const clm::error& e) {
  std::fprintf(stderr, "churn_mlp: %s\n", e.what());
  return 1;
}
