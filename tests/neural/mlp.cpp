// neural: the MLP's gradients against finite differences, toy problems it must learn,
// the estimator contract, determinism, early stopping, and the Telco churn protocol.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "clm/core/random.hpp"
#include "clm/metrics/classification.hpp"
#include "clm/metrics/regression.hpp"
#include "clm/model_selection/split.hpp"
#include "clm/neural/mlp.hpp"
#include "support/data.hpp"
#include "support/estimator_checks.hpp"
#include "support/fixtures.hpp"
#include "support/telco.hpp"

using clm::matrix;
using clm::vector;

static_assert(clm::classifier<clm::mlp_classifier<>>);
static_assert(clm::regressor<clm::mlp_regressor<>>);
static_assert(clm::classifier<clm::mlp_classifier<float>>);

namespace {

template <class M>
double max_gradient_error(const clm::mlp_params& p) {
  clm::random_engine g(1);
  const std::size_t n = 12, d = 3;
  matrix<double> X = matrix<double>::from_shape({n, d});
  for (auto& v : X) v = clm::normal(g);
  vector<double> y = vector<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) y(i) = i % 2 == 0 ? 1.0 : 0.0;
  M model(p);
  model.fit(X, y);  // any weights will do; these are a trained network's
  std::vector<double> yy(y.begin(), y.end()), w(n, 1.0), grad, scratch;
  using access = clm::detail::mlp_gradient_access<M, double>;
  access::loss_and_gradient(model, X, yy, w, grad);
  std::vector<double> W = model.weights();
  double worst = 0.0;
  for (std::size_t k = 0; k < W.size(); ++k) {
    const double h = 1e-6 * std::max(1.0, std::abs(W[k]));
    std::vector<double> up = W, down = W;
    up[k] += h;
    down[k] -= h;
    const double numeric = (access::loss_and_gradient(model, X, yy, w, scratch, &up) -
                            access::loss_and_gradient(model, X, yy, w, scratch, &down)) / (2 * h);
    worst = std::max(worst, std::abs(numeric - grad[k]) / std::max(1e-3, std::abs(numeric) + std::abs(grad[k])));
  }
  return worst;
}

clm::testing::check_data<double> classification_data() { return clm::testing::customer_data<double>(false); }

}  // namespace

TEST_CASE("analytic gradients match finite differences for every activation and loss") {
  for (const auto a : {clm::activation::relu, clm::activation::tanh, clm::activation::sigmoid, clm::activation::leaky_relu}) {
    INFO("activation ", static_cast<int>(a));
    const clm::mlp_params p{.hidden = {5, 4}, .activation = a, .l2 = 0.01, .epochs = 3, .batch_size = 4, .seed = 2};
    CHECK(max_gradient_error<clm::mlp_classifier<>>(p) < 1e-6);
    CHECK(max_gradient_error<clm::mlp_regressor<>>(p) < 1e-6);
  }
}

TEST_CASE("learns XOR, a noisy spiral and a smooth function") {
  const matrix<double> X{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  const vector<double> y{0, 1, 1, 0};
  clm::mlp_classifier<> xr({.hidden = {8}, .activation = clm::activation::tanh, .learning_rate = 0.05,
                            .epochs = 400, .batch_size = 4, .seed = 3});
  xr.fit(X, y);
  CHECK(xr.predict(X) == y);

  clm::random_engine g(4);
  const std::size_t n = 600;
  matrix<double> S = matrix<double>::from_shape({n, 2});
  vector<double> label = vector<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    const double c = static_cast<double>(i % 2), t = clm::uniform(g, 0.25, 3.0);
    const double angle = t * 2.0 + c * std::numbers::pi;
    S(i, 0) = t * std::cos(angle) + clm::normal(g, 0, 0.05);
    S(i, 1) = t * std::sin(angle) + clm::normal(g, 0, 0.05);
    label(i) = c;
  }
  clm::mlp_classifier<> spiral({.hidden = {32, 32}, .learning_rate = 0.01, .epochs = 300, .batch_size = 32, .seed = 5});
  spiral.fit(S, label);
  CHECK(clm::accuracy(label, spiral.predict(S)) > 0.95);

  matrix<double> R = matrix<double>::from_shape({400, 1});
  vector<double> target = vector<double>::from_shape({400});
  for (std::size_t i = 0; i < 400; ++i) {
    R(i, 0) = -3.0 + 6.0 * static_cast<double>(i) / 399.0;
    target(i) = std::sin(R(i, 0));
  }
  clm::mlp_regressor<> reg({.hidden = {32, 32}, .activation = clm::activation::tanh, .learning_rate = 0.01,
                            .epochs = 300, .batch_size = 16, .seed = 6});
  reg.fit(R, target);
  CHECK(clm::mse(target, reg.predict(R)) < 1e-3);
}

TEST_CASE("the MLPs satisfy the estimator contract") {
  clm::testing::check_estimator<clm::mlp_classifier<>>(classification_data,
                                                       clm::mlp_classifier<>({.hidden = {8}, .epochs = 3, .seed = 1}));
  clm::testing::check_estimator<clm::mlp_regressor<>>(clm::testing::customer_regression_data<double>,
                                                      clm::mlp_regressor<>({.hidden = {8}, .epochs = 3, .seed = 1}));
}

TEST_CASE("same seed, same weights - dropout only in training - early stopping keeps the best epoch") {
  const auto d = classification_data();
  const clm::mlp_params p{.hidden = {16, 8}, .dropout = 0.5, .epochs = 4, .seed = 9};
  clm::mlp_classifier<> a(p), b(p);
  a.fit(d.X, d.y);
  b.fit(d.X, d.y);
  CHECK(a.weights() == b.weights());
  CHECK(a.predict_proba(d.X) == a.predict_proba(d.X));  // no dropout at predict

  std::vector<clm::mlp_epoch> seen;
  clm::mlp_classifier<> es({.hidden = {16}, .learning_rate = 0.05, .epochs = 200, .seed = 1,
                            .validation_fraction = 0.3, .early_stopping = true, .patience = 3});
  es.on_epoch([&](const clm::mlp_epoch& e) { seen.push_back(e); });
  es.fit(d.X, d.y);
  const auto& r = es.report();
  CHECK(r.stopped_early);
  CHECK(seen.size() == r.epochs_run);
  CHECK(r.epochs_run == r.best_epoch + 3);
  CHECK(seen.back().validation_metric >= 0.0);
  for (std::size_t e = 0; e < r.epochs_run; ++e) CHECK(r.validation_loss[r.best_epoch - 1] <= r.validation_loss[e]);

  // Weighting the positive class up raises the predicted probabilities.
  clm::mlp_classifier<> plain({.hidden = {8}, .epochs = 5, .seed = 4}),
      heavy({.hidden = {8}, .epochs = 5, .seed = 4, .weight_class1 = 5.0}),
      balanced({.hidden = {8}, .epochs = 5, .seed = 4, .balanced_class_weight = true});
  plain.fit(d.X, d.y);
  heavy.fit(d.X, d.y);
  balanced.fit(d.X, d.y);
  CHECK(xt::mean(heavy.predict_proba(d.X))() > xt::mean(plain.predict_proba(d.X))());
  CHECK(balanced.weights() != plain.weights());
  CHECK_THROWS_AS(clm::mlp_classifier<>({.weight_class0 = 0.0}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::mlp_classifier<>({.dropout = 1.0}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::mlp_classifier<>({.early_stopping = true}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::mlp_classifier<>({.hidden = {0}}), clm::invalid_argument);
  clm::mlp_classifier<> bad({.epochs = 1});
  CHECK_THROWS_AS(bad.fit(d.X, vector<double>(xt::zeros<double>({d.y.size()}))), clm::invalid_argument);  // one class
}

TEST_CASE("Telco churn: the seed's deep model lands in the published band across seeds 0-9") {
  const auto d = clm::testing::telco();
  if (!d) {
    MESSAGE("skipped: CLM_DATA_DIR is not set (the Telco table lives in ../shared/data)");
    return;
  }
  auto prep = clm::testing::telco_preprocessing(d->categorical);
  const auto X_train = prep.fit_transform(d->features.take(d->train));
  const auto X_test = prep.transform(d->features.take(d->test));
  const auto y_train = clm::take_rows(d->y, d->train), y_test = clm::take_rows(d->y, d->test);
  double auc_sum = 0.0, acc_sum = 0.0;
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    clm::mlp_classifier<> m({.hidden = {64, 32}, .dropout = 0.5, .epochs = 10, .batch_size = 32, .seed = seed});
    m.fit(X_train, y_train);
    auc_sum += clm::roc_auc(y_test, m.predict_proba(X_test));
    acc_sum += clm::accuracy(y_test, m.predict(X_test));
  }
  MESSAGE("Telco MLP over seeds 0-9: mean AUC ", auc_sum / 10, ", mean accuracy ", acc_sum / 10);
  CHECK(std::abs(auc_sum / 10 - 0.840) <= 0.01);
  CHECK(std::abs(acc_sum / 10 - 0.795) <= 0.01);
}
