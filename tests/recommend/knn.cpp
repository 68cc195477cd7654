// recommend: similarities and kNN rating prediction against Surprise's formulas
// (tests/reference/surprise_knn.py), the similarity kinds against brute force, and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "clm/core/random.hpp"
#include "clm/io/archive.hpp"
#include "clm/recommend/knn.hpp"
#include "clm/recommend/similarity.hpp"
#include "support/fixtures.hpp"
#include "support/ratings.hpp"

using clm::similarity_kind;
using clm::similarity_mode;
using clm::testing::read_lines_fixture;
using clm::testing::read_matrix_fixture;

namespace {

using clm::testing::rating_id;

/// The reference trainset, read in the order the script wrote it (inner ids = first appearance).
clm::interactions reference_train() { return clm::testing::ratings_fixture("knn_train.txt"); }

similarity_kind kind_named(const std::string& s) {
  if (s == "cosine") return similarity_kind::cosine;
  if (s == "msd") return similarity_kind::msd;
  if (s == "pearson") return similarity_kind::pearson;
  return similarity_kind::pearson_baseline;
}

clm::knn_rule rule_named(const std::string& s) {
  if (s == "basic") return clm::knn_rule::basic;
  if (s == "means") return clm::knn_rule::with_means;
  if (s == "zscore") return clm::knn_rule::with_zscore;
  return clm::knn_rule::with_baseline;
}

/// A random sparse matrix: rows x cols, each cell stored with probability `density`, values
/// 1..5.
clm::csr_matrix<double> random_csr(std::size_t rows, std::size_t cols, double density, std::uint64_t seed) {
  clm::random_engine g(seed);
  clm::csr_matrix<double> m;
  m.rows = rows;
  m.cols = cols;
  for (std::size_t a = 0; a < rows; ++a) {
    for (std::size_t j = 0; j < cols; ++j) {
      if (clm::uniform01(g) < density) {
        m.indices.push_back(static_cast<std::int32_t>(j));
        m.values.push_back(static_cast<double>(1 + clm::uniform_index(g, 5)));
      }
    }
    m.indptr.push_back(m.indices.size());
  }
  return m;
}

/// Brute-force similarity from the dense rows (0 = missing).
double brute(const clm::csr_matrix<double>& M, std::size_t a, std::size_t b, similarity_kind kind, similarity_mode mode) {
  std::vector<double> x(M.cols, 0.0), y(M.cols, 0.0), colmean(M.cols, 0.0), colcnt(M.cols, 0.0);
  for (std::size_t q = M.row_begin(a); q < M.row_end(a); ++q) x[static_cast<std::size_t>(M.indices[q])] = M.values[q];
  for (std::size_t q = M.row_begin(b); q < M.row_end(b); ++q) y[static_cast<std::size_t>(M.indices[q])] = M.values[q];
  for (std::size_t q = 0; q < M.nnz(); ++q) {
    colmean[static_cast<std::size_t>(M.indices[q])] += M.values[q];
    colcnt[static_cast<std::size_t>(M.indices[q])] += 1.0;
  }
  double na = 0, nb = 0, common = 0, sa = 0, sb = 0;
  for (std::size_t j = 0; j < M.cols; ++j) {
    na += x[j] != 0, nb += y[j] != 0, common += x[j] != 0 && y[j] != 0;
    sa += x[j], sb += y[j];
  }
  if (kind == similarity_kind::jaccard) return common == 0 ? 0.0 : common / (na + nb - common);
  std::vector<double> u = x, v = y;
  for (std::size_t j = 0; j < M.cols; ++j) {
    if (kind == similarity_kind::adjusted_cosine) {
      if (x[j] != 0) u[j] -= colmean[j] / colcnt[j];
      if (y[j] != 0) v[j] -= colmean[j] / colcnt[j];
    }
    if (kind == similarity_kind::pearson && mode == similarity_mode::zero_filled) {
      if (x[j] != 0) u[j] -= sa / na;
      if (y[j] != 0) v[j] -= sb / nb;
    }
  }
  // u and v are 0 where nothing is stored. Co-rated: sums over the common columns only.
  double p = 0, uu = 0, vv = 0;
  for (std::size_t j = 0; j < M.cols; ++j) {
    const bool both = x[j] != 0 && y[j] != 0;
    if (mode == similarity_mode::zero_filled || both) p += u[j] * v[j], uu += u[j] * u[j], vv += v[j] * v[j];
  }
  if (common == 0 || uu * vv == 0) return 0.0;
  return p / std::sqrt(uu * vv);
}

}  // namespace

TEST_CASE("baselines and item similarities equal Surprise's formulas") {
  const auto data = reference_train();
  const auto b = clm::fit_baselines(data.matrix(), data.matrix().transpose(), {});
  const auto ref = read_matrix_fixture("knn_baselines.txt");
  REQUIRE(ref.shape()[0] == 1 + data.n_users() + data.n_items());
  CHECK(std::abs(b.global_mean - ref(0, 0)) < 1e-12);
  double worst = 0.0;
  for (std::size_t u = 0; u < data.n_users(); ++u) worst = std::max(worst, std::abs(b.user[u] - ref(1 + u, 0)));
  for (std::size_t i = 0; i < data.n_items(); ++i) worst = std::max(worst, std::abs(b.item[i] - ref(1 + data.n_users() + i, 0)));
  CHECK(worst < 1e-12);

  for (const char* name : {"cosine", "msd", "pearson", "pearson_baseline"}) {
    INFO("similarity ", name);
    const auto S = clm::item_similarities(data, {.kind = kind_named(name), .storage = clm::similarity_storage::dense});
    const auto R = read_matrix_fixture(std::string("knn_item_sim_") + name + ".txt");
    REQUIRE(R.shape()[0] == S.size());
    double err = 0.0;
    for (std::size_t a = 0; a < S.size(); ++a) {
      for (std::size_t c = 0; c < S.size(); ++c) err = std::max(err, std::abs(S(a, c) - R(a, c)));
    }
    CHECK(err < 1e-12);
  }
}

TEST_CASE("user_knn and item_knn predict as Surprise's KNNBasic, KNNWithMeans, KNNWithZScore and KNNBaseline") {
  const auto data = reference_train();
  const auto test = read_matrix_fixture("knn_test.txt");
  const auto expected = read_matrix_fixture("knn_predictions.txt");
  const auto configs = read_lines_fixture("knn_configs.txt");
  REQUIRE(expected.shape()[1] == configs.size());
  REQUIRE(configs.size() == 64);
  std::vector<std::string> users, items;
  for (std::size_t k = 0; k < test.shape()[0]; ++k) {
    users.push_back(rating_id('u', test(k, 0)));
    items.push_back(rating_id('i', test(k, 1)));
  }
  for (std::size_t c = 0; c < configs.size(); ++c) {
    std::istringstream in(configs[c]);
    std::string side, sim, rule;
    std::size_t k = 0, min_k = 0;
    in >> side >> sim >> rule >> k >> min_k;
    INFO("configuration: ", configs[c]);
    const clm::knn_params p{.k = k, .min_k = min_k, .rule = rule_named(rule), .similarity = {.kind = kind_named(sim)}};
    clm::vector<double> got;
    if (side == "user") {
      got = clm::user_knn<>(p).fit(data).predict(users, items);
    } else {
      got = clm::item_knn<>(p).fit(data).predict(users, items);
    }
    double err = 0.0;
    for (std::size_t t = 0; t < got.size(); ++t) err = std::max(err, std::abs(got(t) - expected(t, c)));
    CHECK(err < 1e-9);
  }
}

TEST_CASE("top-k similarity storage gives the dense predictions when the neighbour lists hold the k best raters") {
  const auto data = reference_train();
  const auto test = read_matrix_fixture("knn_test.txt");
  std::vector<std::string> users, items;
  for (std::size_t k = 0; k < test.shape()[0]; ++k) users.push_back(rating_id('u', test(k, 0))), items.push_back(rating_id('i', test(k, 1)));
  for (const auto kind : {similarity_kind::msd, similarity_kind::pearson}) {
    clm::knn_params dense{.k = 5, .rule = clm::knn_rule::with_means, .similarity = {.kind = kind, .storage = clm::similarity_storage::dense}};
    clm::knn_params sparse = dense;
    sparse.similarity.storage = clm::similarity_storage::top_k;
    sparse.similarity.neighbours = 60;  // more than there are users: every positive similarity
    const auto a = clm::user_knn<>(dense).fit(data).predict(users, items);
    const auto b = clm::user_knn<>(sparse).fit(data).predict(users, items);
    CHECK(a == b);
    // Short lists change some predictions, and never produce a non-finite one.
    sparse.similarity.neighbours = 3;
    const auto c = clm::user_knn<>(sparse).fit(data).predict(users, items);
    for (const double v : c) CHECK(std::isfinite(v));
  }
}

TEST_CASE("prediction details: unknown users and items fall back and are flagged, estimates are clipped") {
  const auto data = reference_train();
  clm::user_knn<> basic({.k = 5, .min_k = 2});
  basic.fit(data);
  const double mu = clm::mean_value(data.matrix());
  const auto unknown = basic.predict_details("nobody", "i0");
  CHECK(unknown.was_impossible);
  CHECK(unknown.fallback);
  CHECK(unknown.estimate == doctest::Approx(mu).epsilon(1e-15));
  CHECK(basic.predict_details(std::size_t{0}, std::size_t{999}).was_impossible);
  clm::item_knn<> baseline({.rule = clm::knn_rule::with_baseline});
  baseline.fit(data);
  const auto& b = baseline.baseline();
  const auto u0 = *data.user_index("u0");
  CHECK(baseline.predict_details("u0", "no item").estimate == doctest::Approx(b.global_mean + b.user[u0]).epsilon(1e-15));
  // Surprise's KNNBaseline never flags; clm's fallback flag says the baseline stood in.
  CHECK_FALSE(baseline.predict_details("u0", "no item").was_impossible);
  CHECK(baseline.predict_details("u0", "no item").fallback);
  // with_means flags unknown ids but not too few neighbours; basic flags both.
  clm::user_knn<> means({.k = 5, .min_k = 1000, .rule = clm::knn_rule::with_means});
  means.fit(data);
  const auto few = means.predict_details("u0", "i0");
  CHECK(few.fallback);
  CHECK_FALSE(few.was_impossible);
  CHECK(means.predict_details("nobody", "i0").was_impossible);
  clm::user_knn<> strict({.k = 5, .min_k = 1000});
  strict.fit(data);
  CHECK(strict.predict_details("u0", "i0").was_impossible);
  // A scale narrower than the data clips every estimate into it.
  clm::item_knn<> clipped({.rating_min = 2.5, .rating_max = 3.5});
  clipped.fit(data);
  const auto& R = data.matrix();
  for (std::size_t u = 0; u < R.rows; ++u) {
    for (std::size_t i = 0; i < R.cols; i += 3) {
      const double v = clipped.predict(u, i);
      CHECK((v >= 2.5 && v <= 3.5));
    }
  }
  CHECK_THROWS_AS(clm::item_knn<>({.rating_min = 4.0, .rating_max = 3.0}), clm::invalid_argument);
  CHECK_THROWS_AS((void)basic.predict(std::vector<std::string>{"u0"}, std::vector<std::string>{}), clm::shape_error);
}

TEST_CASE("similarity kinds and modes equal brute force on a random sparse matrix") {
  const auto M = random_csr(40, 25, 0.3, 11);
  struct option {
    similarity_kind kind;
    similarity_mode mode;
  };
  const option options[] = {{similarity_kind::cosine, similarity_mode::co_rated},
                            {similarity_kind::cosine, similarity_mode::zero_filled},
                            {similarity_kind::pearson, similarity_mode::zero_filled},
                            {similarity_kind::adjusted_cosine, similarity_mode::co_rated},
                            {similarity_kind::adjusted_cosine, similarity_mode::zero_filled},
                            {similarity_kind::jaccard, similarity_mode::co_rated}};
  for (const auto& o : options) {
    INFO(clm::similarity_name(o.kind), " mode ", static_cast<int>(o.mode));
    const auto S = clm::compute_similarities(M, {.kind = o.kind, .mode = o.mode, .storage = clm::similarity_storage::dense});
    double err = 0.0;
    for (std::size_t a = 0; a < M.rows; ++a) {
      for (std::size_t c = 0; c < M.rows; ++c) {
        if (a != c) err = std::max(err, std::abs(S(a, c) - brute(M, a, c, o.kind, o.mode)));
      }
    }
    CHECK(err < 1e-12);
    // The neighbour lists are the dense rows' best positive entries, ties by index, and two
    // threads give the same result.
    const auto T = clm::compute_similarities(M, {.kind = o.kind, .mode = o.mode, .storage = clm::similarity_storage::top_k,
                                                 .neighbours = 7}, nullptr, true, 2);
    CHECK_FALSE(T.dense());
    for (std::size_t a = 0; a < M.rows; ++a) {
      std::vector<std::pair<double, std::int32_t>> best;
      for (std::size_t c = 0; c < M.rows; ++c) {
        if (c != a && S(a, c) > 0) best.emplace_back(S(a, c), static_cast<std::int32_t>(c));
      }
      clm::detail::select_neighbours(best, 7);
      const auto l = T.neighbours(a);
      REQUIRE(l.size == best.size());
      for (std::size_t q = 0; q < l.size; ++q) {
        CHECK(l.index[q] == best[q].second);
        CHECK(l.similarity[q] == best[q].first);
      }
    }
  }
}

TEST_CASE("co-rated similarities follow Surprise's edge cases: one common rating, min_support, the diagonal") {
  // Rows 0 and 1 share only column 0: co-rated cosine 1, zero-filled less.
  const auto data = clm::interactions::from_triples({"a", "a", "b", "b", "c"}, {"x", "y", "x", "z", "z"}, {4, 1, 2, 5, 3});
  const auto co = clm::user_similarities(data, {.kind = similarity_kind::cosine, .storage = clm::similarity_storage::dense});
  CHECK(co(0, 1) == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(co(0, 0) == 1.0);
  CHECK(co(0, 2) == 0.0);  // nothing in common
  const auto zf = clm::user_similarities(data, {.kind = similarity_kind::cosine, .mode = similarity_mode::zero_filled});
  CHECK(zf(0, 1) == doctest::Approx(8.0 / std::sqrt(17.0 * 29.0)).epsilon(1e-14));
  const auto support = clm::user_similarities(data, {.kind = similarity_kind::cosine, .min_support = 2});
  CHECK(support(0, 1) == 0.0);
  // pearson_baseline with one common rating is shrunk to 0 ((n - 1) / (n - 1 + 100)).
  const auto pb = clm::user_similarities(data, {.kind = similarity_kind::pearson_baseline});
  CHECK(pb(0, 1) == 0.0);
}

TEST_CASE("similarity options and inputs that cannot work are refused with the reason") {
  const auto data = reference_train();
  CHECK_THROWS_AS(clm::item_similarities(data, {.kind = similarity_kind::msd, .mode = similarity_mode::zero_filled}),
                  clm::invalid_argument);
  CHECK_THROWS_AS(clm::item_similarities(data, {.kind = similarity_kind::pearson_baseline, .mode = similarity_mode::zero_filled}),
                  clm::invalid_argument);
  CHECK_THROWS_AS(clm::item_similarities(data, {.shrinkage = -1.0}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::item_similarities(data, {.neighbours = 0}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::item_similarities(clm::interactions{}), clm::shape_error);
  CHECK_THROWS_AS(clm::compute_similarities(data.matrix(), {.kind = similarity_kind::pearson_baseline}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::user_knn<>({.k = 0}), clm::invalid_argument);
  try {
    clm::user_knn<>({.k = 0});
  } catch (const clm::invalid_argument& e) {
    CHECK(std::string(e.what()).find("'k'") != std::string::npos);
  }
}

TEST_CASE("equal similarities follow the order of the ratings in the data, not id numbering (Surprise's order)") {
  // sim(T, A) = sim(T, B) = 1 (one common rating each). x rated B, then A: Surprise's
  // heapq.nlargest keeps B first, so with k = 1 r(x, T) = r(x, B) = 5.
  const std::vector<std::string> u{"y", "y", "z", "z", "x", "x"}, i{"T", "A", "T", "B", "B", "A"};
  const std::vector<double> r{3, 3, 2, 4, 5, 1};
  const clm::knn_params p{.k = 1, .similarity = {.kind = similarity_kind::cosine, .storage = clm::similarity_storage::dense}};
  const auto data = clm::interactions::from_triples(u, i, r);
  CHECK(clm::item_knn<>(p).fit(data).predict("x", "T") == 5.0);
  // The same ratings with the ids first seen in another order (each user's ratings in the
  // same order): the same prediction.
  const std::vector<std::string> u2{"x", "x", "z", "z", "y", "y"}, i2{"B", "A", "T", "B", "T", "A"};
  const std::vector<double> r2{5, 1, 2, 4, 3, 3};
  const auto data2 = clm::interactions::from_triples(u2, i2, r2);
  CHECK(clm::item_knn<>(p).fit(data2).predict("x", "T") == 5.0);
  // x rating A first turns it round.
  const std::vector<std::string> u3{"y", "y", "z", "z", "x", "x"}, i3{"T", "A", "T", "B", "A", "B"};
  const std::vector<double> r3{3, 3, 2, 4, 1, 5};
  CHECK(clm::item_knn<>(p).fit(clm::interactions::from_triples(u3, i3, r3)).predict("x", "T") == 1.0);
  // Top-k storage breaks the tie the same way, and the order survives a save.
  auto top_k = p;
  top_k.similarity.storage = clm::similarity_storage::top_k;
  CHECK(clm::item_knn<>(top_k).fit(data).predict("x", "T") == 5.0);
  const auto saved = clm::save_bytes(clm::item_knn<>(p).fit(data));
  CHECK(clm::load_bytes<clm::item_knn<>>(saved).predict("x", "T") == 5.0);
  // user_knn: T's raters y (3) and z (2) tie for user x (one common item each); y rated T
  // first though z's id was seen first.
  const std::vector<std::string> uu{"z", "y", "z", "y", "x", "x"}, ii{"B", "T", "T", "A", "A", "B"};
  const std::vector<double> ru{5, 3, 2, 4, 4, 5};
  const auto du = clm::interactions::from_triples(uu, ii, ru);
  CHECK(clm::user_knn<>(p).fit(du).predict("x", "T") == 3.0);
}

TEST_CASE("entry order: the input position of each pair's first appearance, through transposes") {
  const std::vector<std::string> u{"b", "a", "b", "a", "b"}, i{"q", "p", "p", "q", "q"};
  const auto d = clm::interactions::from_triples(u, i, {1, 2, 3, 4, 5});
  // Rows b (0), a (1); items q (0), p (1). b: q (positions 0 and 4 summed), p (2); a: q (3), p (1).
  CHECK(d.entry_order() == std::vector<std::uint64_t>{0, 2, 3, 1});
  CHECK(d.matrix().values == std::vector<double>{6, 3, 4, 2});
  const auto t = d.transpose();  // q: b (0), a (3); p: b (2), a (1)
  CHECK(t.entry_order() == std::vector<std::uint64_t>{0, 3, 2, 1});
}
