// model_selection: splits against scikit-learn 1.2's index sets, and their properties
// (disjoint, covering, stratified, reproducible, groups never straddling).
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "clm/model_selection/split.hpp"
#include "support/fixtures.hpp"

using clm::fold;
using clm::vector;
using idx = std::vector<std::size_t>;

namespace {
/// The folds written under `name` in splits.txt, and the groups line.
std::vector<fold> reference_folds(const std::string& name, std::vector<long>* groups = nullptr) {
  std::ifstream in(clm::testing::fixture_dir() / "splits.txt");
  REQUIRE(in);
  std::vector<fold> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("groups ", 0) == 0) {
      std::istringstream s(line.substr(7));
      if (groups != nullptr) {
        for (long g; s >> g;) groups->push_back(g);
      }
      continue;
    }
    const auto colon = line.find(": ");
    if (line.substr(0, colon) != name) continue;
    const auto bar = line.find('|');
    std::istringstream a(line.substr(colon + 2, bar - colon - 2)), b(line.substr(bar + 1));
    fold f;
    for (std::size_t x; a >> x;) f.train.push_back(x);
    for (std::size_t x; b >> x;) f.test.push_back(x);
    out.push_back(f);
  }
  REQUIRE_FALSE(out.empty());
  return out;
}

/// Disjoint sorted sides covering 0..n-1 in each fold; tests cover each row once over all.
void check_partition(const std::vector<fold>& folds, std::size_t n, bool tests_cover = true) {
  std::vector<int> tested(n, 0);
  for (const auto& f : folds) {
    CHECK(std::is_sorted(f.train.begin(), f.train.end()));
    CHECK(std::is_sorted(f.test.begin(), f.test.end()));
    idx both;
    std::set_intersection(f.train.begin(), f.train.end(), f.test.begin(), f.test.end(), std::back_inserter(both));
    CHECK(both.empty());
    if (tests_cover) CHECK(f.train.size() + f.test.size() == n);
    for (const std::size_t i : f.test) ++tested[i];
  }
  if (tests_cover) CHECK(std::count(tested.begin(), tested.end(), 1) == static_cast<long>(n));
}
}  // namespace

TEST_CASE("k_fold, time_series_split and group_k_fold give scikit-learn 1.2's index sets") {
  CHECK(clm::k_fold{.n_splits = 5}.split(23) == reference_folds("kfold 5"));
  CHECK(clm::time_series_split{.n_splits = 4, .max_train_size = 6, .gap = 2}.split(23) ==
        reference_folds("time_series 4 max_train 6 gap 2"));
  CHECK(clm::time_series_split{.n_splits = 3, .test_size = 4}.split(23) == reference_folds("time_series 3 test_size 4"));
  std::vector<long> groups;
  const auto ref = reference_folds("group_kfold 3", &groups);
  CHECK(clm::group_k_fold{.n_splits = 3}.split(groups) == ref);
}

TEST_CASE("shuffled k-fold: a partition, reproducible per seed, different across seeds") {
  const clm::k_fold cv{.n_splits = 4, .shuffle = true, .seed = 7};
  const auto a = cv.split(103);
  check_partition(a, 103);
  for (const auto& f : a) CHECK((f.test.size() == 26 || f.test.size() == 25));
  CHECK(a == cv.split(103));
  CHECK(a != clm::k_fold{.n_splits = 4, .shuffle = true, .seed = 8}.split(103));
}

TEST_CASE("stratified k-fold keeps each class's share in every fold") {
  vector<double> y = vector<double>::from_shape({101});
  for (std::size_t i = 0; i < 101; ++i) y(i) = (i % 7 == 0) ? 1.0 : (i % 3 == 0 ? 2.0 : 0.0);
  std::map<double, std::size_t> total;
  for (const double v : y) ++total[v];
  for (const bool shuffle : {false, true}) {
    const auto folds = clm::stratified_k_fold{.n_splits = 5, .shuffle = shuffle, .seed = 3}.split(y);
    check_partition(folds, 101);
    for (const auto& f : folds) {
      std::map<double, std::size_t> count;
      for (const std::size_t i : f.test) ++count[y(i)];
      for (const auto& [label, n] : total) {
        CHECK(count[label] >= n / 5);
        CHECK(count[label] <= (n + 4) / 5);
      }
      CHECK((f.test.size() == 20 || f.test.size() == 21));
    }
  }
}

TEST_CASE("group k-fold: a customer's rows are never on both sides") {
  std::vector<std::string> customer;
  for (std::size_t i = 0; i < 200; ++i) customer.push_back("c" + std::to_string((i * 7919) % 37));
  const auto folds = clm::group_k_fold{.n_splits = 4}.split(customer);
  check_partition(folds, 200);
  for (const auto& f : folds) {
    std::set<std::string> in_test;
    for (const std::size_t i : f.test) in_test.insert(customer[i]);
    for (const std::size_t i : f.train) CHECK(in_test.count(customer[i]) == 0);
  }
}

TEST_CASE("train_test_split: sizes as scikit-learn rounds them, stratified shares, seeded") {
  const auto s = clm::train_test_split(10, {.test_fraction = 0.25, .seed = 1});
  CHECK(s.test.size() == 3);  // ceil(2.5)
  CHECK(s.train.size() == 7);
  check_partition({s}, 10, false);
  CHECK(s == clm::train_test_split(10, {.test_fraction = 0.25, .seed = 1}));
  CHECK(clm::train_test_split(10, {.test_fraction = 0.25, .shuffle = false}).test == idx{0, 1, 2});

  vector<double> y = vector<double>::from_shape({1000});
  for (std::size_t i = 0; i < 1000; ++i) y(i) = i % 10 < 3 ? 1.0 : 0.0;  // 30 % positives
  const auto st = clm::train_test_split(y, {.test_fraction = 0.2, .seed = 5, .stratify = true});
  CHECK(st.test.size() == 200);
  std::size_t pos = 0;
  for (const std::size_t i : st.test) pos += y(i) == 1.0;
  CHECK(pos == 60);
  CHECK(st.train.size() + st.test.size() == 1000);
}

TEST_CASE("bad split requests are named errors") {
  CHECK_THROWS_AS(clm::k_fold{.n_splits = 1}.split(10), clm::invalid_argument);
  CHECK_THROWS_AS(clm::k_fold{.n_splits = 11}.split(10), clm::invalid_argument);
  CHECK_THROWS_AS(clm::group_k_fold{.n_splits = 3}.split(std::vector<int>{1, 1, 2, 2}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::time_series_split{.n_splits = 5}.split(5), clm::invalid_argument);
  CHECK_THROWS_AS(clm::train_test_split(10, {.test_fraction = 1.0}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::train_test_split(1, {.test_fraction = 0.5}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::train_test_split(10, {.stratify = true}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::stratified_k_fold{}.split(vector<double>{0, 1, NAN, 1, 0, 1}), clm::numeric_error);
}
