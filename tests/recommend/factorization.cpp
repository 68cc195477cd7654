// recommend/factorization: baseline_only, funk_svd and svdpp against a plain-Python
// re-implementation of Surprise's training loops (tests/reference/surprise_mf.py) from the
// same starting factors, the recommender contract, and on ratings with a known low-rank truth.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "clm/core/random.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/io/archive.hpp"
#include "clm/metrics/regression.hpp"
#include "clm/recommend/factorization.hpp"
#include "support/fixtures.hpp"
#include "support/ratings.hpp"
#include "support/recommender_checks.hpp"

using clm::matrix;
using clm::testing::read_matrix_fixture;

namespace {

using clm::testing::rating_id;

clm::interactions mf_train() { return clm::testing::ratings_fixture("mf_train.txt", clm::duplicate_policy::reject); }

/// Rows [begin, begin + n) of m, columns [c0, m's width).
matrix<double> block(const matrix<double>& m, std::size_t begin, std::size_t n, std::size_t c0 = 0) {
  return xt::view(m, xt::range(begin, begin + n), xt::range(c0, m.shape()[1]));
}

double max_diff(const matrix<double>& a, const matrix<double>& b) {
  REQUIRE(a.shape() == b.shape());
  double d = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) d = std::max(d, std::abs(a.data()[k] - b.data()[k]));
  return d;
}

double max_diff(const std::vector<double>& a, const matrix<double>& column) {
  REQUIRE(a.size() == column.shape()[0]);
  double d = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) d = std::max(d, std::abs(a[k] - column(k, 0)));
  return d;
}

struct reference {
  clm::interactions data = mf_train();
  std::size_t users = data.n_users(), items = data.n_items(), f = 6;
  matrix<double> start = read_matrix_fixture("mf_start.txt");
  clm::mf_start from{block(start, 0, users), block(start, users, items), block(start, users + items, items)};
  matrix<double> test = read_matrix_fixture("mf_test.txt");
  matrix<double> predictions = read_matrix_fixture("mf_predictions.txt");

  template <class M>
  void check_predictions(const M& m, std::size_t column) const {
    double worst = 0.0;
    for (std::size_t k = 0; k < test.shape()[0]; ++k) {
      const double got = m.predict(rating_id('u', test(k, 0)), rating_id('i', test(k, 1)));
      worst = std::max(worst, std::abs(got - predictions(k, column)));
    }
    CHECK(worst < 1e-10);
  }
};

clm::interactions low_rank_ratings(std::size_t users, std::size_t items, std::uint64_t seed) {
  clm::random_engine g(seed);
  matrix<double> P = matrix<double>::from_shape({users, 3}), Q = matrix<double>::from_shape({items, 3});
  for (auto& v : P) v = clm::normal(g);
  for (auto& v : Q) v = clm::normal(g);
  std::vector<std::string> u, i;
  std::vector<double> r;
  for (std::size_t a = 0; a < users; ++a) {
    for (std::size_t b = 0; b < items; ++b) {
      if (clm::uniform01(g) > 0.3) continue;
      double dot = 0.0;
      for (std::size_t c = 0; c < 3; ++c) dot += P(a, c) * Q(b, c);
      u.push_back("u" + std::to_string(a));
      i.push_back("i" + std::to_string(b));
      r.push_back(std::clamp(std::round(3.0 + 0.9 * dot + 0.3 * clm::normal(g)), 1.0, 5.0));
    }
  }
  return clm::interactions::from_triples(u, i, r);
}

}  // namespace

static_assert(clm::recommender<clm::funk_svd<>>);
static_assert(clm::recommender<clm::svdpp<float>>);
static_assert(clm::recommender<clm::baseline_only<>>);

TEST_CASE("funk_svd follows Surprise's SVD loop: biases and factors to 1e-10 from the same start") {
  const reference ref;
  clm::mf_params p{.factors = ref.f, .epochs = 15};
  clm::funk_svd<> m(p);
  m.fit(ref.data, ref.from);
  const auto R = read_matrix_fixture("mf_svd.txt");
  CHECK(max_diff(m.user_biases(), block(R, 0, ref.users)) < 1e-10);
  CHECK(max_diff(m.item_biases(), block(R, ref.users, ref.items)) < 1e-10);
  CHECK(max_diff(m.user_factors(), block(R, 0, ref.users, 1)) < 1e-10);
  CHECK(max_diff(m.item_factors(), block(R, ref.users, ref.items, 1)) < 1e-10);
  MESSAGE("funk_svd against the reference loop: factors within ",
          std::max(max_diff(m.user_factors(), block(R, 0, ref.users, 1)),
                   max_diff(m.item_factors(), block(R, ref.users, ref.items, 1))));
  ref.check_predictions(m, 0);
  // Unbiased: no mean, no biases; an unknown id is impossible, as in Surprise.
  p.biased = false;
  clm::funk_svd<> u(p);
  u.fit(ref.data, ref.from);
  const auto U = read_matrix_fixture("mf_svd_unbiased.txt");
  CHECK(max_diff(u.user_factors(), block(U, 0, ref.users)) < 1e-10);
  CHECK(max_diff(u.item_factors(), block(U, ref.users, ref.items)) < 1e-10);
  CHECK(u.predict_details("nobody", "i0").was_impossible);
  CHECK_FALSE(m.predict_details("nobody", "i0").was_impossible);
  CHECK(m.predict_details("nobody", "i0").fallback);
}

TEST_CASE("svdpp follows Surprise's SVDpp loop: biases, factors and implicit factors to 1e-10") {
  const reference ref;
  auto p = clm::svdpp_defaults();
  p.factors = ref.f;
  p.epochs = 15;
  clm::svdpp<> m(p);
  m.fit(ref.data, ref.from);
  const auto R = read_matrix_fixture("mf_svdpp.txt");
  CHECK(max_diff(m.user_biases(), block(R, 0, ref.users)) < 1e-10);
  CHECK(max_diff(m.item_biases(), block(R, ref.users, ref.items)) < 1e-10);
  CHECK(max_diff(m.user_factors(), block(R, 0, ref.users, 1)) < 1e-10);
  CHECK(max_diff(m.item_factors(), block(R, ref.users, ref.items, 1)) < 1e-10);
  CHECK(max_diff(m.implicit_factors(), block(R, ref.users + ref.items, ref.items, 1)) < 1e-10);
  MESSAGE("svdpp against the reference loop: factors within ",
          std::max({max_diff(m.user_factors(), block(R, 0, ref.users, 1)),
                    max_diff(m.item_factors(), block(R, ref.users, ref.items, 1)),
                    max_diff(m.implicit_factors(), block(R, ref.users + ref.items, ref.items, 1))}));
  ref.check_predictions(m, 1);
  CHECK(clm::svdpp<>().params().factors == 20);  // Surprise's SVDpp defaults
  CHECK(clm::svdpp<>().params().lr_all == 0.007);
}

TEST_CASE("baseline_only predicts as Surprise's BaselineOnly (ALS baselines), clipped") {
  const reference ref;
  clm::baseline_only<> m;
  m.fit(ref.data);
  ref.check_predictions(m, 2);
  CHECK_FALSE(m.predict_details("nobody", "nothing").was_impossible);
  CHECK(m.predict_details("nobody", "nothing").estimate == doctest::Approx(m.baseline().global_mean));
}

TEST_CASE("rating models keep the recommender contract") {
  const auto a = low_rank_ratings(200, 80, 1), b = low_rank_ratings(120, 60, 2);
  clm::testing::check_recommender<clm::baseline_only<>>(a, b);
  clm::testing::check_recommender<clm::funk_svd<>>(a, b, clm::funk_svd<>({.factors = 8, .epochs = 10}));
  auto pp = clm::svdpp_defaults();
  pp.epochs = 5;
  clm::testing::check_recommender<clm::svdpp<>>(a, b, clm::svdpp<>(pp));
}

TEST_CASE("on low-rank ratings the factor models beat the baselines on held-out RMSE") {
  const auto all = low_rank_ratings(400, 150, 7);
  // Hold out every fifth rating of each user.
  const auto& R = all.matrix();
  std::vector<std::string> tu, ti, hu, hi;
  std::vector<double> tr, hr;
  for (std::size_t u = 0; u < R.rows; ++u) {
    for (std::size_t q = R.row_begin(u); q < R.row_end(u); ++q) {
      const bool hold = (q - R.row_begin(u)) % 5 == 4;
      (hold ? hu : tu).push_back(all.user_ids()[u]);
      (hold ? hi : ti).push_back(all.item_ids()[static_cast<std::size_t>(R.indices[q])]);
      (hold ? hr : tr).push_back(R.values[q]);
    }
  }
  const auto train = clm::interactions::from_triples(tu, ti, tr);
  const clm::vector<double> truth = xt::adapt(hr, std::vector<std::size_t>{hr.size()});
  const double base = clm::rmse(truth, clm::baseline_only<>().fit(train).predict(hu, hi));
  const double svd = clm::rmse(truth, clm::funk_svd<>({.factors = 10, .epochs = 40, .seed = 3}).fit(train).predict(hu, hi));
  auto pp = clm::svdpp_defaults();
  pp.epochs = 30;
  pp.seed = 3;
  const double plus = clm::rmse(truth, clm::svdpp<>(pp).fit(train).predict(hu, hi));
  MESSAGE("held-out RMSE: baseline_only ", base, ", funk_svd ", svd, ", svdpp ", plus);
  CHECK(svd < 0.95 * base);
  CHECK(plus < 0.95 * base);
}

TEST_CASE("rating models: bad params, starts and files are named errors") {
  const reference ref;
  CHECK_THROWS_AS(clm::funk_svd<>({.factors = 0}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::funk_svd<>({.lr_all = -1.0}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::funk_svd<>({.reg_qi = NAN}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::baseline_only<>({.rating_min = 5.0, .rating_max = 1.0}), clm::invalid_argument);
  clm::mf_start wrong = ref.from;
  wrong.user = block(ref.start, 0, ref.users - 1);
  CHECK_THROWS_WITH_AS(clm::funk_svd<>({.factors = ref.f}).fit(ref.data, wrong), doctest::Contains("start.user is"),
                       clm::shape_error);
  CHECK_THROWS_AS(clm::funk_svd<>({.factors = ref.f + 1}).fit(ref.data, ref.from), clm::shape_error);
  // Huge learning rates diverge: a named error, not NaN predictions.
  CHECK_THROWS_AS(clm::funk_svd<>({.factors = ref.f, .epochs = 50, .lr_all = 50.0}).fit(ref.data), clm::numeric_error);
  // Saved and loaded: the same predictions.
  clm::svdpp<> m(clm::svdpp_defaults());
  m.fit(ref.data);
  const auto back = clm::load_bytes<clm::svdpp<>>(clm::save_bytes(m));
  CHECK(back.predict("u1", "i2") == m.predict("u1", "i2"));
}
