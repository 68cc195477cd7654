// metrics: ranking metrics against an independent Python implementation and scikit-learn's
// ndcg_score; clustering metrics against scikit-learn 1.2.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "clm/core/random.hpp"
#include "clm/metrics/clustering.hpp"
#include "clm/metrics/ranking.hpp"
#include "support/fixtures.hpp"

using clm::matrix;
using clm::vector;
using clm::testing::read_matrix_fixture;
using lists = std::vector<std::vector<int>>;

namespace {
void read_ranking_inputs(lists& rec, lists& rel) {
  std::ifstream in(clm::testing::fixture_dir() / "ranking_inputs.txt");
  REQUIRE(in);
  std::string line;
  while (std::getline(in, line)) {
    const auto bar = line.find('|');
    std::istringstream a(line.substr(0, bar)), b(line.substr(bar + 1));
    rec.emplace_back();
    rel.emplace_back();
    for (int x; a >> x;) rec.back().push_back(x);
    for (int x; b >> x;) rel.back().push_back(x);
  }
}
}  // namespace

TEST_CASE("ranking metrics at k match the reference, users without relevant items left out") {
  lists rec, rel;
  read_ranking_inputs(rec, rel);
  REQUIRE(rec.size() == 40);
  CHECK(clm::ranking_counted_users(rel) == 32);  // 8 of the 40 users have no relevant item
  const auto ref = read_matrix_fixture("ranking_metrics.txt");
  CHECK(clm::precision_at_k(rec, rel, 5) == doctest::Approx(ref(0, 0)).epsilon(1e-12));
  CHECK(clm::recall_at_k(rec, rel, 5) == doctest::Approx(ref(0, 1)).epsilon(1e-12));
  CHECK(clm::hit_rate_at_k(rec, rel, 5) == doctest::Approx(ref(0, 2)).epsilon(1e-12));
  CHECK(clm::ndcg_at_k(rec, rel, 5) == doctest::Approx(ref(0, 3)).epsilon(1e-12));
  CHECK(clm::ndcg_at_k(rec, rel, 5) == doctest::Approx(ref(0, 4)).epsilon(1e-12));  // scikit-learn's ndcg_score
  CHECK(clm::map_at_k(rec, rel, 5) == doctest::Approx(ref(0, 5)).epsilon(1e-12));
  CHECK(clm::mrr(rec, rel) == doctest::Approx(ref(0, 6)).epsilon(1e-12));
  CHECK(clm::catalog_coverage(rec, 30, 5) == doctest::Approx(ref(0, 7)).epsilon(1e-12));
}

TEST_CASE("ranking metrics by hand: repeats, short lists, perfect and empty rankings") {
  const lists rec{{3, 1, 3, 2}, {5}};
  const lists rel{{1, 2}, {5, 6}};
  // User 0: hits at ranks 2 and 4 (the repeated 3 is no hit); user 1: a hit at rank 1 of 1.
  CHECK(clm::precision_at_k(rec, rel, 4) == doctest::Approx((2.0 / 4 + 1.0 / 4) / 2));
  CHECK(clm::recall_at_k(rec, rel, 2) == doctest::Approx((0.5 + 0.5) / 2));
  CHECK(clm::hit_rate_at_k(rec, rel, 1) == doctest::Approx(0.5));
  CHECK(clm::mrr(rec, rel) == doctest::Approx((0.5 + 1.0) / 2));
  CHECK(clm::map_at_k(rec, rel, 4) == doctest::Approx(((1.0 / 2 + 2.0 / 4) / 2 + 1.0 / 2) / 2));
  // The two MAP conventions part where a user has more relevant items than k: at k = 1
  // user 1's single hit is a perfect AP@1 (divided by min(1, 2)) but half of |relevant|.
  CHECK(clm::map_at_k(rec, rel, 1) == doctest::Approx((0.0 + 1.0) / 2));
  CHECK(clm::map_at_k_over_relevant(rec, rel, 1) == doctest::Approx((0.0 + 1.0 / 2) / 2));
  CHECK(clm::map_at_k_over_relevant(rec, rel, 4) == doctest::Approx(((1.0 / 2 + 2.0 / 4) / 2 + 1.0 / 2) / 2));
  CHECK(clm::map_at_k_over_relevant(lists{{1, 2, 3}}, lists{{1, 2, 3, 4}}, 3) == doctest::Approx(3.0 / 4));
  CHECK(clm::map_at_k(lists{{1, 2, 3}}, lists{{1, 2, 3, 4}}, 3) == doctest::Approx(1.0));
  CHECK(clm::ndcg_at_k(lists{{1, 2}}, lists{{2, 1}}, 2) == doctest::Approx(1.0));
  CHECK(clm::ndcg_at_k(lists{{7, 8}}, lists{{1}}, 2) == 0.0);
  CHECK(clm::catalog_coverage(rec, 10) == doctest::Approx(0.4));
  CHECK_THROWS_AS(clm::precision_at_k(rec, lists{{1}}, 2), clm::shape_error);
  CHECK_THROWS_AS(clm::recall_at_k(rec, lists{{}, {}}, 2), clm::invalid_argument);
  CHECK_THROWS_AS(clm::precision_at_k(rec, rel, 0), clm::invalid_argument);
  CHECK_THROWS_AS(clm::catalog_coverage(rec, 4), clm::invalid_argument);
}

TEST_CASE("silhouette and Davies-Bouldin match scikit-learn 1.2, labels need not be 0..k-1") {
  const auto in = read_matrix_fixture("metrics_cluster_inputs.txt");
  const std::size_t n = in.shape()[0];
  matrix<double> X = matrix<double>::from_shape({n, 3});
  vector<double> labels = vector<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < 3; ++j) X(i, j) = in(i, j);
    labels(i) = in(i, 3);
  }
  const auto ref = read_matrix_fixture("metrics_clustering.txt");
  CHECK(clm::silhouette(X, labels) == doctest::Approx(ref(0, 0)).epsilon(1e-12));
  CHECK(clm::davies_bouldin(X, labels) == doctest::Approx(ref(0, 1)).epsilon(1e-12));
  // The sampled variant: all rows is the exact value; a seeded half is reproducible and close.
  CHECK(clm::silhouette(X, labels, {.sample_size = n, .seed = 1}) == doctest::Approx(ref(0, 0)).epsilon(1e-12));
  const double half = clm::silhouette(X, labels, {.sample_size = n / 2, .seed = 1});
  CHECK(half == clm::silhouette(X, labels, {.sample_size = n / 2, .seed = 1}));
  CHECK(half != clm::silhouette(X, labels, {.sample_size = n / 2, .seed = 2}));
  CHECK(std::abs(half - ref(0, 0)) < 0.05);
}

TEST_CASE("inertia: squared distances to given centers, or to the cluster means") {
  const matrix<double> X{{0, 0}, {2, 0}, {10, 10}, {10, 12}};
  const vector<double> l{0, 0, 1, 1};
  CHECK(clm::inertia(X, l) == doctest::Approx(1 + 1 + 1 + 1));
  CHECK(clm::inertia(X, l, matrix<double>{{0, 0}, {10, 10}}) == doctest::Approx(4 + 4));
  CHECK_THROWS_AS(clm::inertia(X, vector<double>{0, 0, 2, 1}, matrix<double>{{0, 0}, {10, 10}}),
                  clm::invalid_argument);
  CHECK_THROWS_AS(clm::inertia(X, l, matrix<double>{{0, 0, 0}}), clm::shape_error);
}

TEST_CASE("bad input to the clustering metrics is a named error") {
  const matrix<double> X{{0, 0}, {1, 0}, {5, 5}};
  CHECK_THROWS_AS(clm::silhouette(X, vector<double>{0, 0, 0}), clm::invalid_argument);  // one cluster
  CHECK_THROWS_AS(clm::silhouette(X, vector<double>{0, 1, 2}), clm::invalid_argument);  // n clusters
  CHECK_THROWS_AS(clm::silhouette(X, vector<double>{0, 1}), clm::shape_error);
  CHECK_THROWS_AS(clm::silhouette(X, vector<double>{0, 0.5, 1}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::davies_bouldin(matrix<double>{{0, NAN}, {1, 0}, {2, 2}}, vector<double>{0, 0, 1}),
                  clm::numeric_error);
  CHECK_THROWS_AS(clm::davies_bouldin(X, vector<double>{1, 1, 1}), clm::invalid_argument);
  CHECK(clm::davies_bouldin(matrix<double>{{0, 0}, {0, 0}, {3, 4}, {3, 4}}, vector<double>{0, 0, 1, 1}) == 0.0);
}
