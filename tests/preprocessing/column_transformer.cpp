// preprocessing/column_transformer: a raw table to one matrix with names; the Telco table
// against scikit-learn's ColumnTransformer.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "clm/data/csv.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/pipeline/pipeline.hpp"
#include "clm/preprocessing/column_transformer.hpp"
#include "clm/preprocessing/one_hot_encoder.hpp"
#include "clm/preprocessing/simple_imputer.hpp"
#include "clm/preprocessing/standard_scaler.hpp"
#include "support/estimator_checks.hpp"
#include "support/fixtures.hpp"

namespace {

auto make_prep(std::vector<std::string> numeric, std::vector<std::string> categorical) {
  return clm::make_column_transformer(
      {.numeric = std::move(numeric), .categorical = std::move(categorical)},
      clm::make_pipeline(clm::simple_imputer<>({.strategy = clm::impute_strategy::median}), clm::standard_scaler<>()),
      clm::one_hot_encoder<>({.unknown = clm::unknown_category::ignore}));
}
using prep_type = decltype(make_prep({}, {}));

clm::testing::check_data<double, clm::table> customer_tables() {
  const auto a = clm::synthetic::customers<double>({.n_customers = 300, .seed = 1, .missing_rate = 0.05});
  const auto b = clm::synthetic::customers<double>({.n_customers = 100, .seed = 2, .missing_rate = 0.05});
  const std::vector<std::string> used{"tenure_months", "avg_order_value", "discount_share", "region", "channel"};
  return {a.attributes.select(used), a.churned, b.attributes.select(used), b.churned, true};
}

}  // namespace

static_assert(clm::transformer<prep_type, clm::table>);

TEST_CASE("column_transformer satisfies the estimator contract") {
  clm::testing::check_estimator<prep_type>(
      customer_tables, make_prep({"tenure_months", "avg_order_value", "discount_share"}, {"region", "channel"}));
}

TEST_CASE("column_transformer: numeric block then categorical block, names, equal to the steps by hand") {
  const auto d = clm::synthetic::customers<double>({.n_customers = 500, .seed = 3, .missing_rate = 0.1});
  auto prep = make_prep({"tenure_months", "support_tickets"}, {"channel"});
  const auto Z = prep.fit_transform(d.attributes);
  REQUIRE(Z.shape()[1] == 2 + 4);  // web, app, store and missing
  CHECK(prep.feature_names_out() ==
        clm::feature_names{"tenure_months", "support_tickets", "channel_app", "channel_store", "channel_web", "channel_nan"});
  auto num = clm::make_pipeline(clm::simple_imputer<>({.strategy = clm::impute_strategy::median}), clm::standard_scaler<>());
  const auto A = num.fit_transform(d.attributes.to_matrix({"tenure_months", "support_tickets"}));
  clm::one_hot_encoder<> enc;
  const auto B = enc.fit_transform(d.attributes.select({"channel"}));
  for (std::size_t i = 0; i < Z.shape()[0]; ++i) {
    REQUIRE(Z(i, 0) == A(i, 0));
    REQUIRE(Z(i, 1) == A(i, 1));
    for (std::size_t j = 0; j < 4; ++j) REQUIRE(Z(i, 2 + j) == B(i, j));
  }
}

TEST_CASE("column_transformer: bad columns and params are named") {
  const auto d = clm::synthetic::customers<double>({.n_customers = 50});
  CHECK_THROWS_WITH_AS(make_prep({"region"}, {}).fit(d.attributes), doctest::Contains("'region' is categorical"),
                       clm::invalid_argument);
  CHECK_THROWS_WITH_AS(make_prep({"nope"}, {}).fit(d.attributes), doctest::Contains("no column 'nope'"),
                       clm::invalid_argument);
  CHECK_THROWS_AS(make_prep({}, {}), clm::invalid_argument);
  CHECK_THROWS_AS(make_prep({"a"}, {"a"}), clm::invalid_argument);
  auto prep = make_prep({"tenure_months"}, {"region"});
  prep.fit(d.attributes);
  CHECK_THROWS_WITH_AS(prep.transform(d.attributes.drop({"region"})), doctest::Contains("'region'"),
                       clm::invalid_argument);
}

TEST_CASE("Telco: column_transformer gives scikit-learn's 45 columns") {
  const auto dir = clm::testing::data_dir();
  if (!dir) {
    MESSAGE("skipped: CLM_DATA_DIR is not set (the Telco table lives in ../shared/data)");
    return;
  }
  clm::table t = clm::read_csv(*dir / "telco" / "WA_Fn-UseC_-Telco-Customer-Churn.csv")
                     .drop({"customerID", "Churn"});
  std::ifstream ref(clm::testing::fixture_dir() / "telco_column_transformer.txt");
  std::size_t rows = 0, cols = 0;
  std::string categorical_line;
  ref >> rows >> cols >> categorical_line;
  ref.ignore(1);  // the line end
  std::vector<std::string> categorical;
  std::stringstream cs(categorical_line);
  for (std::string c; std::getline(cs, c, ',');) categorical.push_back(c);
  auto prep = make_prep({"SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"}, categorical);
  const auto Z = prep.fit_transform(t);
  REQUIRE(Z.shape()[0] == rows);
  REQUIRE(Z.shape()[1] == cols);
  CHECK(cols == 45);
  const auto names = prep.feature_names_out();
  for (std::size_t j = 0; j < cols; ++j) {
    // name \t sum \t sum of squares \t projection (names contain blanks)
    std::string line, name;
    std::getline(ref, line);
    std::stringstream ls(line);
    std::getline(ls, name, '\t');
    double sum = 0, sumsq = 0, proj = 0;
    ls >> sum >> sumsq >> proj;
    INFO("column ", j, " ", name);
    CHECK(names[j] == name);
    double s = 0, ss = 0, p = 0;
    for (std::size_t i = 0; i < rows; ++i) {
      s += Z(i, j);
      ss += Z(i, j) * Z(i, j);
      p += std::cos(static_cast<double>(i) * 0.37) * Z(i, j);
    }
    CHECK(std::abs(s - sum) <= 1e-9 * std::max(1.0, std::abs(sum)));
    CHECK(std::abs(ss - sumsq) <= 1e-9 * std::max(1.0, std::abs(sumsq)));
    CHECK(std::abs(p - proj) <= 1e-9 * std::max(1.0, std::abs(proj)));
  }
}

namespace {
auto make_blocks(clm::remainder r) {
  return clm::make_column_transformer(
      {.remainder = r}, clm::numeric_columns({"tenure_months"}, clm::standard_scaler<>()),
      clm::numeric_columns({"avg_order_value", "discount_share"},
                           clm::make_pipeline(clm::simple_imputer<>({.strategy = clm::impute_strategy::median}),
                                              clm::standard_scaler<>())),
      clm::categorical_columns({"channel"}, clm::one_hot_encoder<>({.unknown = clm::unknown_category::ignore})));
}
using blocks_type = decltype(make_blocks(clm::remainder::drop));

clm::testing::check_data<double, clm::table> block_tables() {
  const auto a = clm::synthetic::customers<double>({.n_customers = 300, .seed = 1, .missing_rate = 0.05});
  const auto b = clm::synthetic::customers<double>({.n_customers = 100, .seed = 2, .missing_rate = 0.05});
  const std::vector<std::string> used{"tenure_months", "avg_order_value", "discount_share", "channel", "support_tickets"};
  clm::table ta = a.attributes.select(used), tb = b.attributes.select(used);
  // tenure_months and support_tickets without missing values (no imputer sees them; the
  // second one is passed through, after the blocks).
  for (auto* t : {&ta, &tb}) {
    for (const char* c : {"tenure_months", "support_tickets"}) {
      auto v = t->numeric(c);
      for (auto& x : v) x = std::isnan(x) ? 1.0 : x;
      *t = t->drop({c});
      t->add_numeric(c, v);
    }
  }
  return {ta, a.churned, tb, b.churned, true};
}
}  // namespace

static_assert(clm::transformer<blocks_type, clm::table>);

TEST_CASE("column_transformer over blocks satisfies the estimator contract, both remainders") {
  clm::testing::check_estimator<blocks_type>(block_tables, make_blocks(clm::remainder::drop));
  clm::testing::check_estimator<blocks_type>(block_tables, make_blocks(clm::remainder::passthrough));
}

TEST_CASE("column_transformer over blocks: each block as its step alone, in order, then the passthrough columns") {
  const auto d = block_tables();
  const clm::table& t = d.X;
  auto prep = make_blocks(clm::remainder::passthrough);
  const auto Z = prep.fit_transform(t);
  const std::size_t n = t.rows();
  const auto A = clm::standard_scaler<>().fit_transform(t.to_matrix({"tenure_months"}));
  const auto B = clm::make_pipeline(clm::simple_imputer<>({.strategy = clm::impute_strategy::median}),
                                    clm::standard_scaler<>())
                     .fit_transform(t.to_matrix({"avg_order_value", "discount_share"}));
  const auto C = clm::one_hot_encoder<>().fit_transform(t.select({"channel"}));
  const auto R = t.to_matrix({"support_tickets"});
  REQUIRE(Z.shape()[1] == 1 + 2 + C.shape()[1] + 1);
  for (std::size_t i = 0; i < n; ++i) {
    REQUIRE(Z(i, 0) == A(i, 0));
    REQUIRE(Z(i, 1) == B(i, 0));
    REQUIRE(Z(i, 2) == B(i, 1));
    for (std::size_t j = 0; j < C.shape()[1]; ++j) REQUIRE(Z(i, 3 + j) == C(i, j));
    REQUIRE(Z(i, 3 + C.shape()[1]) == R(i, 0));
  }
  const auto names = prep.feature_names_out();
  CHECK(names.front() == "tenure_months");
  CHECK(names.back() == "support_tickets");
  CHECK(prep.passthrough_columns() == std::vector<std::string>{"support_tickets"});
  // remainder = drop leaves support_tickets out.
  auto dropped = make_blocks(clm::remainder::drop);
  CHECK(dropped.fit_transform(t).shape()[1] == Z.shape()[1] - 1);
  // Saved and loaded: the same output.
  const auto back = clm::load_bytes<blocks_type>(clm::save_bytes(prep));
  CHECK(back.transform(t) == Z);
}

TEST_CASE("column_transformer over blocks: bad blocks and remainders are named") {
  const auto d = block_tables();
  // A column in two blocks, an empty block.
  CHECK_THROWS_WITH_AS(clm::make_column_transformer({}, clm::numeric_columns({"a"}, clm::standard_scaler<>()),
                                                    clm::numeric_columns({"a"}, clm::standard_scaler<>())),
                       doctest::Contains("each column in one block only"), clm::invalid_argument);
  CHECK_THROWS_AS(clm::make_column_transformer({}, clm::numeric_columns({}, clm::standard_scaler<>())),
                  clm::invalid_argument);
  // Passthrough of a categorical remainder column, and a categorical column in a numeric block.
  auto pass = clm::make_column_transformer({.remainder = clm::remainder::passthrough},
                                           clm::numeric_columns({"tenure_months"}, clm::standard_scaler<>()));
  CHECK_THROWS_WITH_AS(pass.fit(d.X), doctest::Contains("remainder column 'channel' is categorical"),
                       clm::invalid_argument);
  auto wrong = clm::make_column_transformer({}, clm::numeric_columns({"channel"}, clm::standard_scaler<>()));
  CHECK_THROWS_WITH_AS(wrong.fit(d.X), doctest::Contains("'channel' is categorical"), clm::invalid_argument);
}
