// distributed: the categorical encoders learn the categories of all ranks' rows — a level
// seen on one rank only, a missing value on one rank only — the same on every rank.
#include <doctest/doctest.h>

#include <numeric>

#include "clm/data/synthetic.hpp"
#include "clm/preprocessing/one_hot_encoder.hpp"
#include "clm/preprocessing/ordinal_encoder.hpp"
#include "support.hpp"

using clm_test::shard;
using clm_test::world;

namespace {
/// The customers table sorted by region, so each region sits on few ranks, with missing
/// values (the synthetic missing rate) only in some rows.
clm::table sorted_attributes() {
  const auto c = clm::synthetic::customers<double>({.n_customers = 2000, .seed = 5, .missing_rate = 0.01});
  const auto& region = c.attributes.categorical("region");
  std::vector<std::size_t> order(c.attributes.rows());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return region.codes[a] < region.codes[b]; });
  return c.attributes.take(order);
}
clm::table my_rows(const clm::table& t) {
  const auto [b, e] = shard(t.rows(), world().rank(), world().size());
  std::vector<std::size_t> rows(e - b);
  std::iota(rows.begin(), rows.end(), b);
  return t.take(rows);
}
}  // namespace

TEST_CASE("one_hot_encoder and ordinal_encoder across ranks: the categories of all rows") {
  const auto t = sorted_attributes();
  const auto mine = my_rows(t);
  for (const auto drop : {clm::drop_category::none, clm::drop_category::first}) {
    const clm::one_hot_encoder<> one = clm::one_hot_encoder<>({.drop = drop}).fit(t);
    clm::one_hot_encoder<> a({.drop = drop});
    a.fit(world(), mine);
    CHECK(a.categories() == one.categories());
    CHECK(a.feature_names_out() == one.feature_names_out());
    CHECK(a.transform(mine) == one.transform(mine));
  }
  const clm::ordinal_encoder<> one = clm::ordinal_encoder<>().fit(t);
  clm::ordinal_encoder<> a;
  a.fit(world(), mine);
  CHECK(a.categories() == one.categories());
  const auto p = a.transform(mine), q = one.transform(mine);
  CHECK(p.shape() == q.shape());
  for (std::size_t v = 0; v < p.size(); ++v) {
    CHECK((p.data()[v] == q.data()[v] || (std::isnan(p.data()[v]) && std::isnan(q.data()[v]))));
  }
}

TEST_CASE("encoders across ranks: different columns, a numeric column on one rank, no rows anywhere") {
  const auto t = sorted_attributes();
  const auto mine = my_rows(t);
  if (world().size() > 1) {
    clm::one_hot_encoder<> a({.columns = world().rank() == 0 ? std::vector<std::string>{"region"}
                                                             : std::vector<std::string>{"channel"}});
    CHECK_THROWS_WITH_AS(a.fit(world(), mine), doctest::Contains("differs across ranks"), clm::distributed_error);
    CHECK_THROWS_AS(clm::one_hot_encoder<>({.drop = world().rank() == 0 ? clm::drop_category::first : clm::drop_category::none})
                        .fit(world(), mine),
                    clm::distributed_error);
  }
  const int last = world().size() - 1;
  CHECK_THROWS_WITH_AS(clm::one_hot_encoder<>({.columns = {world().rank() == last ? "tenure_months" : "region"}})
                           .fit(world(), mine),
                       doctest::Contains(("rank " + std::to_string(last)).c_str()), clm::distributed_error);
  CHECK_THROWS_AS(clm::ordinal_encoder<>().fit(world(), t.take({})), clm::shape_error);
}
