// distributed: k-means on uneven shards (one empty from 3 ranks on) equals the one-process
// fit on all rows in rank order: the same draws for the start, the same iterations, the
// centres to rounding; each rank's labels are its rows' one-process labels.
#include <doctest/doctest.h>

#include <cmath>

#include "clm/cluster/kmeans.hpp"
#include "clm/core/random.hpp"
#include "support.hpp"

using clm_test::rows;
using clm_test::same_on_every_rank;
using clm_test::shard;
using clm_test::world;

namespace {
/// n rows around `centres` well-separated centres in d columns, plus noise.
clm::matrix<double> blobs(std::size_t n, std::size_t d, std::size_t centres, std::uint64_t seed) {
  clm::random_engine g(seed);
  clm::matrix<double> X = clm::matrix<double>::from_shape({n, d});
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = clm::uniform_index(g, centres);
    for (std::size_t j = 0; j < d; ++j) X(i, j) = 4.0 * static_cast<double>((c + j) % centres) + clm::normal(g);
  }
  return X;
}

double centre_gap(const clm::matrix<double>& a, const clm::matrix<double>& b) {
  double gap = 0.0;
  for (std::size_t v = 0; v < a.size(); ++v) {
    gap = std::max(gap, std::abs(a.data()[v] - b.data()[v]) / std::max(1.0, std::abs(b.data()[v])));
  }
  return gap;
}
}  // namespace

TEST_CASE("kmeans across ranks: k-means++, random starts and given centres give the one-process fit") {
  const auto X = blobs(3000, 5, 6, 3);
  const auto mine = shard(X.shape()[0], world().rank(), world().size());
  const auto X_mine = rows(X, mine);
  clm::matrix<double> given = clm::matrix<double>::from_shape({6, 5});
  for (std::size_t c = 0; c < 6; ++c) {
    for (std::size_t j = 0; j < 5; ++j) given(c, j) = X(c * 7, j);
  }
  const clm::kmeans_params configs[] = {
      {.k = 6, .seed = 1},
      {.k = 6, .init = clm::kmeans_init::random, .n_init = 3, .seed = 9},
      {.k = 6, .init = clm::kmeans_init::given, .init_centers = given, .tol = 0.0},
      {.k = 11, .seed = 4, .n_jobs = 2}};  // more clusters than blobs
  for (std::size_t k = 0; k < std::size(configs); ++k) {
    INFO("configuration ", k);
    const clm::kmeans<> one = clm::kmeans<>(configs[k]).fit(X);
    clm::kmeans<> a(configs[k]), b(configs[k]);
    a.fit(world(), X_mine);
    b.fit(world(), X_mine);
    const double gap = centre_gap(a.centers(), one.centers());
    if (world().rank() == 0) {
      MESSAGE(world().size(), " ranks, configuration ", k, ": centres within ", gap, ", ", a.n_iter(),
              " iterations (one process ", one.n_iter(), ")");
    }
    CHECK(gap <= 1e-10);
    CHECK(a.n_iter() == one.n_iter());
    CHECK(std::abs(a.inertia() - one.inertia()) <= 1e-10 * one.inertia());
    CHECK(a.labels() == rows(one.labels(), mine));
    CHECK(a.centers() == b.centers());  // rerun: the same bits
    CHECK(same_on_every_rank(a.centers()));
  }
}

TEST_CASE("kmeans across ranks: an empty cluster takes the farthest row of any rank") {
  // A start with one centre far from every row: its cluster is empty after the first
  // assignment and takes the row farthest from its centre, whichever rank holds it.
  const auto X = blobs(900, 3, 3, 5);
  const auto mine = shard(X.shape()[0], world().rank(), world().size());
  clm::matrix<double> given = {{0.0, 4.0, 8.0}, {4.0, 8.0, 0.0}, {1e3, 1e3, 1e3}, {8.0, 0.0, 4.0}};
  const clm::kmeans_params p{.k = 4, .init = clm::kmeans_init::given, .init_centers = given};
  const clm::kmeans<> one = clm::kmeans<>(p).fit(X);
  clm::kmeans<> a(p);
  a.fit(world(), rows(X, mine));
  CHECK(centre_gap(a.centers(), one.centers()) <= 1e-10);
  CHECK(a.n_iter() == one.n_iter());
  CHECK(a.labels() == rows(one.labels(), mine));
  CHECK(one.centers()(2, 0) < 100.0);  // the far centre moved onto the data
}

TEST_CASE("kmeans<float> across ranks and the local communicator's bit-identical fit") {
  const auto X = blobs(1200, 4, 4, 8);
  const clm::matrix<float> Xf = xt::cast<float>(X);
  const auto mine = shard(X.shape()[0], world().rank(), world().size());
  const clm::kmeans<float> one = clm::kmeans<float>({.k = 4, .seed = 2}).fit(Xf);
  clm::kmeans<float> a({.k = 4, .seed = 2});
  a.fit(world(), rows(Xf, mine));
  CHECK(a.centers() == one.centers());  // float centres: the rounding of the sums is below float's
  clm::local_communicator local;
  const clm::kmeans<> p = clm::kmeans<>({.k = 5, .seed = 3}).fit(X);
  const clm::kmeans<> q = clm::kmeans<>({.k = 5, .seed = 3}).fit(local, X);
  CHECK(p.centers() == q.centers());
  CHECK(p.labels() == q.labels());
  CHECK(p.inertia() == q.inertia());
}

TEST_CASE("kmeans across ranks: bad input on one rank, too few rows, parameters that differ") {
  const auto X = blobs(400, 3, 3, 1);
  const auto mine = shard(X.shape()[0], world().rank(), world().size());
  clm::matrix<double> X_mine = rows(X, mine);
  const int last = world().size() - 1;
  if (world().rank() == last) X_mine(0, 1) = std::nan("");
  CHECK_THROWS_WITH_AS(clm::kmeans<>({.k = 3}).fit(world(), X_mine),
                       doctest::Contains(("rank " + std::to_string(last)).c_str()), clm::distributed_error);
  // k larger than the rows of all ranks together.
  const auto few = rows(X, shard(5, world().rank(), world().size()));
  CHECK_THROWS_WITH_AS(clm::kmeans<>({.k = 6}).fit(world(), few), doctest::Contains("at least k = 6 rows, got 5"),
                       clm::invalid_argument);
  if (world().size() > 1) {
    CHECK_THROWS_WITH_AS(clm::kmeans<>({.k = 3, .seed = static_cast<std::uint64_t>(world().rank())}).fit(world(), rows(X, mine)),
                         doctest::Contains("differs across ranks"), clm::distributed_error);
  }
}
