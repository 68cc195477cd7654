// cluster: k-means against scikit-learn 1.2 from the same initial centres, on simulated
// blobs, the estimator contract and degenerate input.
#include <doctest/doctest.h>

#include <cmath>
#include <algorithm>
#include <map>
#include <set>
#include <type_traits>

#include "clm/cluster/kmeans.hpp"
#include "clm/cluster/minibatch_kmeans.hpp"
#include "clm/core/random.hpp"
#include "clm/metrics/clustering.hpp"
#include "support/estimator_checks.hpp"
#include "support/fixtures.hpp"

using clm::matrix;
using clm::vector;
using clm::testing::read_matrix_fixture;

namespace {
/// n points around each of `centers` (sd 1), shuffled, with the true cluster of each row.
struct blobs {
  matrix<double> X;
  vector<double> truth;
};
blobs make_blobs(const matrix<double>& centers, std::size_t per, std::uint64_t seed) {
  clm::random_engine g(seed);
  const std::size_t k = centers.shape()[0], d = centers.shape()[1], n = k * per;
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  clm::shuffle(order.begin(), order.end(), g);
  blobs b{matrix<double>::from_shape({n, d}), vector<double>::from_shape({n})};
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t c = order[r] / per;
    for (std::size_t j = 0; j < d; ++j) b.X(r, j) = centers(c, j) + clm::normal(g);
    b.truth(r) = static_cast<double>(c);
  }
  return b;
}

clm::testing::check_data<double> blob_data() {
  const matrix<double> centers{{0, 0}, {6, 0}, {0, 6}};
  const auto a = make_blobs(centers, 40, 1), b = make_blobs(centers, 20, 2);
  return {a.X, a.truth, b.X, b.truth, false};
}
}  // namespace

static_assert(clm::transformer<clm::kmeans<>>);

TEST_CASE("kmeans from given centres matches scikit-learn 1.2's lloyd KMeans, with an empty cluster relocated") {
  const auto X = read_matrix_fixture("kmeans_X.txt");
  for (const char* name : {"normal", "empty"}) {
    INFO("case ", name);
    const std::string base = std::string("kmeans_") + name;
    clm::kmeans<> km({.k = 4, .init = clm::kmeans_init::given, .init_centers = read_matrix_fixture(base + "_init.txt")});
    km.fit(X);
    clm::testing::check_close(km.centers(), read_matrix_fixture(base + "_centers.txt"), 1e-9);
    CHECK(km.labels() == clm::testing::column(read_matrix_fixture(base + "_labels.txt")));
    const auto stats = read_matrix_fixture(base + "_stats.txt");
    CHECK(km.inertia() == doctest::Approx(stats(0, 0)).epsilon(1e-9));
    CHECK(static_cast<double>(km.n_iter()) == stats(0, 1));
    CHECK(km.inertia() == doctest::Approx(clm::inertia(X, km.labels(), km.centers())).epsilon(1e-12));
    CHECK(km.predict(X) == km.labels());
  }
  static_assert(std::is_same_v<std::decay_t<decltype(clm::kmeans<>().labels())>, clm::vector<std::int32_t>>);
  static_assert(std::is_same_v<decltype(clm::minibatch_kmeans<float>().predict(X)), clm::cluster_labels>);
}

TEST_CASE("kmeans++ finds simulated blobs, seeded and independent of the thread count") {
  const matrix<double> centers{{0, 0, 0}, {8, 0, 0}, {0, 8, 0}, {0, 0, 8}, {8, 8, 8}};
  const auto b = make_blobs(centers, 200, 5);
  clm::kmeans<> km({.k = 5, .seed = 3});
  km.fit(b.X);
  // Each true cluster maps to its own found cluster; at most a stray point in the far tail of
  // a blob (4 standard deviations out) lands elsewhere.
  std::map<double, std::map<double, int>> votes;
  for (std::size_t i = 0; i < b.truth.size(); ++i) ++votes[b.truth(i)][km.labels()(i)];
  std::set<double> majority;
  int strays = 0;
  for (const auto& [truth, count] : votes) {
    const auto top = std::max_element(count.begin(), count.end(),
                                      [](const auto& a, const auto& c) { return a.second < c.second; });
    majority.insert(top->first);
    strays += 200 - top->second;
  }
  CHECK(majority.size() == 5);
  CHECK(strays <= 2);
  clm::kmeans<> parallel({.k = 5, .seed = 3, .n_jobs = 2});
  parallel.fit(b.X);
  CHECK(parallel.centers() == km.centers());
  CHECK(parallel.inertia() == km.inertia());
  clm::kmeans<> random_init({.k = 5, .init = clm::kmeans_init::random, .seed = 3});
  random_init.fit(b.X);
  CHECK(random_init.inertia() <= km.inertia() * 1.5);
  const auto dist = km.transform(b.X);
  CHECK(dist.shape()[1] == 5);
  CHECK(dist(0, static_cast<std::size_t>(km.labels()(0))) == doctest::Approx(std::sqrt(
      clm::inertia(matrix<double>(xt::view(b.X, xt::range(0, 1), xt::all())), vector<double>{static_cast<double>(km.labels()(0))}, km.centers()))));
}

TEST_CASE("kmeans satisfies the estimator contract") {
  clm::testing::check_estimator<clm::kmeans<>>(blob_data, clm::kmeans<>({.k = 3, .seed = 1}));
}

TEST_CASE("degenerate input to kmeans is a named error or a documented result") {
  clm::kmeans<> km({.k = 3});
  CHECK_THROWS_AS(km.fit(matrix<double>{{0, 0}, {1, 1}}), clm::invalid_argument);  // fewer rows than k
  CHECK_THROWS_AS(km.fit(matrix<double>{{0, 0}, {1, NAN}, {2, 2}}), clm::numeric_error);
  CHECK_THROWS_AS(clm::kmeans<>({.k = 0}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::kmeans<>({.k = 2, .init = clm::kmeans_init::given, .init_centers = matrix<double>{{1, 2, 3}}}),
                  clm::invalid_argument);
  clm::kmeans<> given({.k = 2, .init = clm::kmeans_init::given, .init_centers = matrix<double>{{0, 0, 0}, {1, 1, 1}}});
  CHECK_THROWS_AS(given.fit(matrix<double>{{0, 0}, {1, 1}, {2, 2}}), clm::shape_error);  // d = 2, not 3
  // Constant data: every centre on the one point, inertia 0.
  clm::kmeans<> constant({.k = 2});
  constant.fit(matrix<double>{{1, 1}, {1, 1}, {1, 1}});
  CHECK(constant.inertia() == 0.0);
}

TEST_CASE("kmeans_sweep: inertia falls with k, the silhouette peaks at the true k") {
  const matrix<double> centers{{0, 0}, {10, 0}, {0, 10}, {10, 10}};
  const auto b = make_blobs(centers, 60, 8);
  const auto r = clm::kmeans_sweep(b.X, {2, 3, 4, 5, 6}, {.seed = 2});
  REQUIRE(r.k.size() == 5);
  for (std::size_t i = 1; i < r.k.size(); ++i) CHECK(r.inertia[i] < r.inertia[i - 1]);
  const auto best = std::max_element(r.silhouette.begin(), r.silhouette.end()) - r.silhouette.begin();
  CHECK(r.k[static_cast<std::size_t>(best)] == 4);
  CHECK_THROWS_AS(clm::kmeans_sweep(b.X, {1}), clm::invalid_argument);
}

TEST_CASE("minibatch_kmeans: close to Lloyd's inertia, partial_fit over chunks, the estimator contract") {
  const matrix<double> centers{{0, 0, 0}, {8, 0, 0}, {0, 8, 0}, {0, 0, 8}};
  const auto b = make_blobs(centers, 1000, 6);
  clm::kmeans<> full({.k = 4, .seed = 1});
  full.fit(b.X);
  clm::minibatch_kmeans<> mb({.k = 4, .batch_size = 256, .seed = 1});
  mb.fit(b.X);
  CHECK(mb.inertia() <= full.inertia() * 1.02);
  CHECK(mb.inertia() == doctest::Approx(clm::inertia(b.X, mb.labels(), mb.centers())).epsilon(1e-12));
  // Streaming: four chunks, several passes.
  clm::minibatch_kmeans<> stream({.k = 4, .seed = 1});
  for (int pass = 0; pass < 5; ++pass) {
    for (std::size_t c = 0; c < 4; ++c) {
      stream.partial_fit(matrix<double>(xt::view(b.X, xt::range(c * 1000, (c + 1) * 1000), xt::all())));
    }
  }
  CHECK(stream.n_steps() == 20);
  CHECK(clm::inertia(b.X, stream.predict(b.X), stream.centers()) <= full.inertia() * 1.05);
  CHECK_THROWS_AS(clm::minibatch_kmeans<>({.k = 5}).partial_fit(matrix<double>{{0, 0}, {1, 1}}), clm::invalid_argument);
  clm::testing::check_estimator<clm::minibatch_kmeans<>>(blob_data, clm::minibatch_kmeans<>({.k = 3, .batch_size = 16, .seed = 1}));
}
