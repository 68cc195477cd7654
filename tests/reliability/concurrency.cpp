// reliability: concurrent serving, and parallel reads and fits. A fitted model's const methods (predict, predict_proba,
// transform, recommend, probability_alive, ...) are called on one shared object from 8
// threads at once; every result must equal the single-thread one bit for bit. `scripts/dev
// tsan` runs this file under ThreadSanitizer.
#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "clm/clm.hpp"

namespace {

/// Calls `serve` (which returns the outputs as doubles) once alone, then `rounds` times on
/// each of 8 threads at once; counts results that differ from the first.
void hammer(const std::string& name, const std::function<std::vector<double>()>& serve, int rounds = 20) {
  INFO("model: ", name);
  const std::vector<double> expected = serve();
  REQUIRE(!expected.empty());
  std::atomic<int> mismatches{0}, failures{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 8; ++t) {
    pool.emplace_back([&] {
      for (int r = 0; r < rounds; ++r) {
        try {
          if (serve() != expected) ++mismatches;
        } catch (...) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  CHECK(mismatches == 0);
  CHECK(failures == 0);
}

template <class V>
std::vector<double> flat(const V& v) {
  return std::vector<double>(v.begin(), v.end());
}

}  // namespace

TEST_CASE("fitted models serve from 8 threads at once with the single-thread results") {
  const auto customers = clm::synthetic::customers<double>({.n_customers = 600, .seed = 3});
  const auto& X = customers.X;
  const auto& y = customers.churned;

  clm::logistic_regression<> logistic;
  logistic.fit(X, y);
  hammer("logistic_regression", [&] { return flat(logistic.predict_proba(X)); });

  clm::mlp_classifier<> mlp({.hidden = {16, 8}, .epochs = 3});
  mlp.fit(X, y);
  hammer("mlp_classifier", [&] { return flat(mlp.predict_proba(X)); });

  clm::linear_regression<> ols;
  ols.fit(X, customers.churn_probability);
  hammer("linear_regression", [&] { return flat(ols.predict(X)); });

  clm::kmeans<> km({.k = 4});
  km.fit(X);
  hammer("kmeans", [&] { return flat(km.transform(X)); });

  auto pipeline = clm::make_pipeline(
      clm::make_column_transformer({.numeric = customers.names, .categorical = {"region", "channel"}},
                                   clm::make_pipeline(clm::simple_imputer<>(), clm::standard_scaler<>()),
                                   clm::one_hot_encoder<>()),
      clm::logistic_regression<>());
  pipeline.fit(customers.attributes, y);
  hammer("pipeline(column_transformer, logistic_regression)",
         [&] { return flat(pipeline.predict_proba(customers.attributes)); });

  const auto pop = clm::synthetic::make_population({.n_customers = 2000, .seed = 4, .n_items = 60});
  const auto summary = clm::summarize(pop.transactions, {.calibration_end = pop.calibration_end});
  clm::bg_nbd<> bg;
  bg.fit(summary);
  hammer("bg_nbd", [&] {
    auto out = flat(bg.probability_alive(summary));
    const auto e = bg.conditional_expected_purchases(10.0, summary);
    out.insert(out.end(), e.begin(), e.end());
    return out;
  });
  clm::pareto_nbd<> pareto;
  pareto.fit(summary.compressed());
  hammer("pareto_nbd", [&] { return flat(pareto.probability_alive(summary)); });
  clm::gamma_gamma<> gg;
  gg.fit(summary);
  hammer("gamma_gamma + clv", [&] { return flat(clm::clv(bg, gg, summary)); });
  clm::rfm_segments<> rfm;
  rfm.fit(summary);
  hammer("rfm_segments", [&] { return flat(rfm.transform(clm::rfm_features(summary))); });

  const auto ratings = clm::interactions::from_triples(pop.rating_user, pop.rating_item, pop.rating);
  const auto serve_recommender = [&](const auto& m) {
    std::vector<double> out;
    for (std::size_t u = 0; u < ratings.n_users(); u += 5) {
      for (const auto& r : m.recommend(u, 5)) out.push_back(static_cast<double>(r.item)), out.push_back(r.score);
      out.push_back(static_cast<double>(m.predict(u, u % ratings.n_items())));
    }
    for (const auto& r : m.recommend("unknown customer", 3)) out.push_back(static_cast<double>(r.item));
    return out;
  };
  clm::item_knn<> iknn({.rule = clm::knn_rule::with_baseline});
  iknn.fit(ratings);
  hammer("item_knn", [&] { return serve_recommender(iknn); });
  clm::user_knn<> uknn({.rule = clm::knn_rule::with_zscore});
  uknn.fit(ratings);
  hammer("user_knn", [&] {
    auto out = serve_recommender(uknn);
    for (const auto& r : uknn.recommend_for_items(std::vector<std::size_t>{0, 1, 2}, 5)) out.push_back(r.score);
    return out;
  });
  clm::ease<> ease({.l2 = 50.0});
  ease.fit(ratings);
  hammer("ease", [&] { return serve_recommender(ease); });
  clm::implicit_als<> als({.factors = 8, .iterations = 4});
  als.fit(ratings);
  hammer("implicit_als", [&] {
    auto out = serve_recommender(als);
    for (const auto& r : als.recommend_for_items(std::vector<std::size_t>{0, 1, 2}, 5)) out.push_back(r.score);
    return out;
  });
}

TEST_CASE("parallel fits and batch predictions give the same results with 1 and 2 threads") {
  const auto pop = clm::synthetic::make_population({.n_customers = 1500, .seed = 8, .n_items = 80});
  const auto ratings = clm::interactions::from_triples(pop.rating_user, pop.rating_item, pop.rating);
  const auto one = clm::item_knn<>({.n_jobs = 1}).fit(ratings).recommend_all(5);
  const auto two = clm::item_knn<>({.n_jobs = 2}).fit(ratings).recommend_all(5);
  CHECK(one.items == two.items);
  const auto X = clm::synthetic::customers<double>({.n_customers = 5000, .seed = 2}).X;
  const auto a = clm::kmeans<>({.k = 5, .n_jobs = 1}).fit(X).transform(X);
  const auto b = clm::kmeans<>({.k = 5, .n_jobs = 2}).fit(X).transform(X);
  CHECK(a == b);
}

TEST_CASE("read_csv in chunks on 3 threads gives the one-thread table, text columns merged") {
  // 4.9 MB: above the size read in chunks. A column of repeated ids, one of numbers, one
  // that is numbers until the last rows (text found by a later chunk only).
  std::string text = "id,amount,code\n";
  const std::size_t n = 300'000;
  for (std::size_t i = 0; i < n; ++i) {
    text += "C" + std::to_string((i * 7919) % 30'000) + "," + std::to_string(i % 1000) + ".25," +
            (i + 10 == n ? std::string("X") : std::to_string(i % 77)) + "\n";
  }
  REQUIRE(text.size() >= clm::detail::csv_parallel_min_bytes);
  const auto one = clm::read_csv_text(text);
  const auto three = clm::read_csv_text(text, {.n_jobs = 3});
  CHECK(three == one);
  CHECK(three.categorical("id").levels == one.categorical("id").levels);
  CHECK(three.categorical("code").codes == one.categorical("code").codes);
  CHECK(three.source_lines() == one.source_lines());
}
