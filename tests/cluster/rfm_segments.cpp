// cluster: RFM scores by learned quintiles, the segment map, profiles, on CDNOW when
// CLM_DATA_DIR is set and on a simulated population.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "clm/cluster/rfm_segments.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/io/archive.hpp"
#include "support/estimator_checks.hpp"
#include "support/fixtures.hpp"

using clm::vector;

namespace {
clm::table rfm_table(const vector<double>& r, const vector<double>& f, const vector<double>& m) {
  clm::table t;
  t.add_numeric("recency", r);
  t.add_numeric("frequency", f);
  t.add_numeric("monetary", m);
  return t;
}
}  // namespace

TEST_CASE("the RFM map: every segment reachable, first matching rule wins") {
  using s = clm::rfm_segments<>;
  CHECK(s::segment_of(5, 5, 5) == "Champions");
  CHECK(s::segment_of(1, 5, 5) == "Can't lose");
  CHECK(s::segment_of(1, 1, 1) == "Lost");
  CHECK(s::segment_of(5, 1, 1) == "New");
  CHECK(s::segment_of(3, 1, 1) == "Promising");
  CHECK(s::segment_of(3, 3, 3) == "Loyal");
  CHECK(s::segment_of(2, 2, 2) == "Need attention");
  CHECK(s::segment_of(4, 2, 2) == "Potential loyalist");
  CHECK(s::segment_of(1, 3, 3) == "At risk");
  CHECK(s::segment_of(2, 1, 1) == "About to sleep");
  CHECK(s::segment_of(1, 2, 1) == "Hibernating");
  CHECK(s::segment_of(3, 1, 5) == "Other");
  std::set<std::string> seen;
  for (int r = 1; r <= 5; ++r) {
    for (int f = 1; f <= 5; ++f) {
      for (int m = 1; m <= 5; ++m) seen.insert(s::segment_of(r, f, m));
    }
  }
  CHECK(seen.size() == 12);
}

TEST_CASE("scores: quintiles learned at fit, recent buyers score high on R, given edges honoured") {
  vector<double> r = xt::arange<double>(100), f = xt::arange<double>(100), m = xt::arange<double>(100);
  const auto t = rfm_table(r, f, m);
  clm::rfm_segments<> seg;
  const auto scores = seg.fit_transform(t);
  // Edges at 19.8, 39.6, 59.4, 79.2: twenty rows per score.
  std::map<double, int> per_score;
  for (std::size_t i = 0; i < 100; ++i) ++per_score[scores(i, 1)];
  CHECK(per_score.size() == 5);
  for (const auto& [score, count] : per_score) CHECK(count == 20);
  CHECK(scores(0, 0) == 5.0);   // smallest recency: most recent
  CHECK(scores(99, 0) == 1.0);
  CHECK(scores(99, 2) == 5.0);
  clm::rfm_segments<> fixed({.frequency_edges = {0, 1, 2, 3}});
  fixed.fit(t);
  CHECK(fixed.edges()[1] == std::vector<double>{0, 1, 2, 3});
  CHECK(fixed.transform(t)(2, 1) == 3.0);  // frequency 2: edges 0 and 1 below
  const auto loaded = clm::load_bytes<clm::rfm_segments<>>(clm::save_bytes(seg));
  CHECK(loaded.transform(t) == scores);
  CHECK_THROWS_AS(clm::rfm_segments<>({.monetary_edges = {3, 2, 1, 0}}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::rfm_segments<>().transform(t), clm::not_fitted);
  auto with_nan = rfm_table(vector<double>{1, NAN}, vector<double>{1, 2}, vector<double>{1, 2});
  CHECK_THROWS_AS(clm::rfm_segments<>().fit(with_nan), clm::numeric_error);
}

TEST_CASE("segments and profiles of a simulated population") {
  const auto pop = clm::synthetic::make_population({.n_customers = 3000, .seed = 9, .n_items = 20});
  const auto s = clm::summarize(pop.transactions, {.calibration_end = pop.calibration_end,
                                                   .observation_end = pop.observation_end});
  clm::rfm_segments<> seg;
  seg.fit(s);
  const auto names = seg.segments(s);
  const auto features = clm::rfm_features(s);
  const auto prof = clm::profile(names, features, {"frequency", "recency"});
  double share = 0.0, customers = 0.0;
  for (std::size_t g = 0; g < prof.rows(); ++g) {
    share += prof.numeric("share")(g);
    customers += prof.numeric("customers")(g);
  }
  CHECK(share == doctest::Approx(1.0));
  CHECK(customers == 3000.0);
  // Champions buy more often and more recently than the Lost.
  std::map<std::string, std::size_t> row;
  const auto& level = prof.categorical("segment");
  for (std::size_t g = 0; g < prof.rows(); ++g) row[*level.value(g)] = g;
  REQUIRE(row.count("Champions") == 1);
  REQUIRE(row.count("Lost") == 1);
  CHECK(prof.numeric("mean_frequency")(row["Champions"]) > prof.numeric("mean_frequency")(row["Lost"]));
  CHECK(prof.numeric("mean_recency")(row["Champions"]) < prof.numeric("mean_recency")(row["Lost"]));
  CHECK_THROWS_AS(clm::profile({"a"}, features, {}), clm::shape_error);
}

namespace {
clm::testing::check_data<double, clm::table> rfm_tables() {
  const auto features = [](std::uint64_t seed, std::size_t n) {
    const auto pop = clm::synthetic::make_population({.n_customers = n, .seed = seed, .n_items = 20});
    return clm::rfm_features(clm::summarize(pop.transactions, {.calibration_end = pop.calibration_end}))
        .select({"recency", "frequency", "monetary"});
  };
  const auto a = features(1, 300), b = features(2, 120);
  return {a, vector<double>(xt::zeros<double>({a.rows()})), b, vector<double>(xt::zeros<double>({b.rows()})), false};
}
}  // namespace

static_assert(clm::transformer<clm::rfm_segments<>, clm::table>);

TEST_CASE("rfm_segments satisfies the estimator contract") {
  clm::testing::check_estimator<clm::rfm_segments<>>(rfm_tables);
}
