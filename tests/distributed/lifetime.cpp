// distributed: the lifetime models on customers split unevenly across the ranks (none on
// rank 1 from 3 ranks on) equal the one-process fit on all customers bit for bit: every sum
// is exact before its one rounding, so parameters, standard errors, log-likelihood and the
// iteration count are the one process's.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "clm/data/synthetic.hpp"
#include "clm/lifetime/bg_nbd.hpp"
#include "clm/lifetime/gamma_gamma.hpp"
#include "clm/lifetime/pareto_nbd.hpp"
#include "support.hpp"

using clm_test::shard;
using clm_test::world;

namespace {
/// This rank's rows of a summary: the shard's rows taken in a scrambled order, plus (from
/// 2 ranks on) the first ten rows again on every rank, so identical histories sit on several
/// ranks; `all` receives the union in one process.
clm::customer_summary my_rows(const clm::customer_summary& s, clm::customer_summary& all) {
  const auto [b, e] = shard(s.size(), world().rank(), world().size());
  std::vector<std::size_t> mine, every;
  for (std::size_t i = b; i < e; ++i) mine.push_back(b + (i - b) * 7919 % (e - b));
  for (std::size_t i = 0; i < s.size(); ++i) every.push_back(i);
  if (world().size() > 1) {
    for (std::size_t i = 0; i < 10; ++i) mine.push_back(i);
    for (int r = 0; r < world().size(); ++r) {
      for (std::size_t i = 0; i < 10; ++i) every.push_back(i);
    }
  }
  all = s.take(every);
  return s.take(mine);
}

std::vector<double> values(const clm::bg_nbd_parameters& p) { return {p.r, p.alpha, p.a, p.b}; }
std::vector<double> values(const clm::pareto_nbd_parameters& p) { return {p.r, p.alpha, p.s, p.beta}; }
std::vector<double> values(const clm::gamma_gamma_parameters& p) { return {p.p, p.q, p.v}; }

double gap(const std::vector<double>& a, const std::vector<double>& b) {
  double g = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) g = std::max(g, std::abs(a[k] - b[k]) / std::abs(b[k]));
  return g;
}

template <class Model>
void same_as_one_process(const char* what, const clm::customer_summary& s, clm::lifetime_params p = {}) {
  clm::customer_summary all;
  const auto mine = my_rows(s, all);
  const Model one = Model(p).fit(all);
  Model a(p), b(p);
  a.fit(world(), mine);
  b.fit(world(), mine);
  const double g = gap(values(a.parameters()), values(one.parameters()));
  if (world().rank() == 0) {
    MESSAGE(std::string(what), ", ", world().size(), " ranks, ", all.size(), " customers: parameters within ", g, ", ",
            a.report().iterations, " iterations (one process ", one.report().iterations, ")");
  }
  CHECK(g == 0.0);
  CHECK(a.report().iterations == one.report().iterations);
  CHECK(values(a.standard_errors()) == values(one.standard_errors()));
  CHECK(a.log_likelihood() == one.log_likelihood());
  CHECK(a.n_customers() == one.n_customers());
  CHECK(values(a.parameters()) == values(b.parameters()));
  CHECK(clm_test::same_on_every_rank(values(a.parameters())));
}
}  // namespace

TEST_CASE("bg_nbd, mbg_nbd, pareto_nbd and gamma_gamma across ranks: the one-process fit") {
  const auto pop = clm::synthetic::make_population({.n_customers = 3000, .seed = 21});
  const auto s = clm::summarize(pop.transactions);
  same_as_one_process<clm::bg_nbd<>>("bg_nbd", s);
  same_as_one_process<clm::mbg_nbd<>>("mbg_nbd", s);
  same_as_one_process<clm::pareto_nbd<>>("pareto_nbd", s);
  same_as_one_process<clm::gamma_gamma<>>("gamma_gamma", s);
  same_as_one_process<clm::bg_nbd<>>("bg_nbd, penalizer 0.01", s, {.penalizer = 0.01});
}

TEST_CASE("bg_nbd across ranks on 50,000 distinct histories: the warm start's subset is the one process's") {
  const auto s = clm::synthetic::pareto_nbd_histories({.n_customers = 50'000, .seed = 6});
  same_as_one_process<clm::bg_nbd<>>("bg_nbd (warm start)", s);
}

TEST_CASE("lifetime fits across ranks: bad rows, units and settings that differ, no customers anywhere") {
  const auto s = clm::synthetic::pareto_nbd_histories({.n_customers = 600, .seed = 2});
  clm::customer_summary all;
  auto mine = my_rows(s, all);
  const int last = world().size() - 1;
  {
    auto bad = mine;
    if (world().rank() == last) bad.recency(0) = bad.T(0) + 1.0;
    CHECK_THROWS_WITH_AS(clm::bg_nbd<>().fit(world(), bad), doctest::Contains(("rank " + std::to_string(last)).c_str()),
                         clm::distributed_error);
  }
  if (world().size() > 1) {
    auto other = mine;
    if (world().rank() == 0) other.unit = clm::time_unit::day;
    CHECK_THROWS_WITH_AS(clm::pareto_nbd<>().fit(world(), other), doctest::Contains("differs across ranks"),
                         clm::distributed_error);
    CHECK_THROWS_AS(clm::bg_nbd<>({.penalizer = 0.1 * world().rank()}).fit(world(), mine), clm::distributed_error);
  }
  const auto none = s.take({});
  CHECK_THROWS_AS(clm::bg_nbd<>().fit(world(), none), clm::shape_error);
  // gamma_gamma: a rank without repeat customers is fine while another has some.
  const auto pop = clm::synthetic::make_population({.n_customers = 400, .seed = 3});
  auto spend = clm::summarize(pop.transactions);
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < spend.size(); ++i) {
    if (world().rank() == 0 ? spend.frequency(i) > 0.0 : spend.frequency(i) == 0.0) keep.push_back(i);
  }
  clm::gamma_gamma<> g;
  g.fit(world(), spend.take(keep));
  CHECK(g.fitted());
}
