// preprocessing: one_hot_encoder and ordinal_encoder on table columns.
#include <doctest/doctest.h>

#include <cmath>

#include "clm/data/csv.hpp"
#include "clm/preprocessing/one_hot_encoder.hpp"
#include "clm/preprocessing/ordinal_encoder.hpp"
#include "support/estimator_checks.hpp"
#include "support/fixtures.hpp"

using clm::testing::check_close;
using clm::testing::read_matrix_fixture;

namespace {
clm::table fixture_table(const char* name) {
  return clm::read_csv(clm::testing::fixture_dir() / name);
}

clm::testing::check_data<double, clm::table> table_data() {
  const auto a = fixture_table("categorical.csv");
  const auto b = a.take({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});
  return {a, {}, b, {}, true};
}
}  // namespace

static_assert(clm::transformer<clm::one_hot_encoder<>, clm::table>);
static_assert(clm::transformer<clm::ordinal_encoder<>, clm::table>);

TEST_CASE("encoders satisfy the estimator contract (table input)") {
  clm::testing::check_estimator<clm::one_hot_encoder<>>(table_data);
  clm::testing::check_estimator<clm::one_hot_encoder<>>(
      table_data, clm::one_hot_encoder<>({.unknown = clm::unknown_category::ignore, .drop = clm::drop_category::first}));
  clm::testing::check_estimator<clm::one_hot_encoder<float>>([] {
    const auto d = table_data();
    return clm::testing::check_data<float, clm::table>{d.X, {}, d.X_other, {}, true};
  });
  // Missing values encode as NaN, so the ordinal check runs on the columns without them.
  clm::testing::check_estimator<clm::ordinal_encoder<>>([] {
    const auto d = table_data();
    return clm::testing::check_data<double, clm::table>{d.X.select({"city", "plan"}), {},
                                                        d.X_other.select({"city", "plan"}), {}, true};
  });
}

TEST_CASE("one_hot_encoder matches scikit-learn: sorted categories, missing last, drop variants, names") {
  const auto t = fixture_table("categorical.csv");
  const auto t_new = fixture_table("categorical_new.csv");
  struct variant {
    clm::drop_category drop;
    const char* tag;
  };
  for (const auto& v : {variant{clm::drop_category::none, "none"}, variant{clm::drop_category::first, "first"},
                        variant{clm::drop_category::if_binary, "if_binary"}}) {
    INFO(v.tag);
    clm::one_hot_encoder<> enc({.drop = v.drop});
    enc.fit(t);
    check_close(enc.transform(t_new), read_matrix_fixture(std::string("one_hot_") + v.tag + ".txt"), 0.0);
    CHECK(enc.feature_names_out() ==
          clm::testing::read_lines_fixture(std::string("one_hot_") + v.tag + "_names.txt"));
  }
}

TEST_CASE("one_hot_encoder.transform_sparse stores exactly the ones of the dense encoding, in CSR order") {
  const auto t = fixture_table("categorical.csv");
  const auto t_new = fixture_table("categorical_new.csv");
  for (const auto drop : {clm::drop_category::none, clm::drop_category::first, clm::drop_category::if_binary}) {
    INFO(static_cast<int>(drop));
    clm::one_hot_encoder<> enc({.unknown = clm::unknown_category::ignore, .drop = drop});
    enc.fit(t);
    for (const auto* input : {&t, &t_new}) {
      const auto dense = enc.transform(*input);
      const auto sparse = enc.transform_sparse(*input);
      REQUIRE_NOTHROW(sparse.validate());  // row pointers, strictly increasing in-range columns
      REQUIRE(sparse.rows == dense.shape()[0]);
      REQUIRE(sparse.cols == dense.shape()[1]);
      std::size_t ones = 0;
      for (std::size_t i = 0; i < sparse.rows; ++i) {
        for (std::size_t j = 0; j < sparse.cols; ++j) {
          CHECK(sparse.at(i, j) == dense(i, j));
          ones += dense(i, j) == 1.0;
        }
      }
      CHECK(sparse.nnz() == ones);
      for (const double v : sparse.values) CHECK(v == 1.0);
    }
  }
  // The fixture through fit_transform_sparse, against scikit-learn's dense output.
  const auto expected = read_matrix_fixture("one_hot_none.txt");
  clm::one_hot_encoder<float> enc;
  enc.fit(t);
  const auto sparse = enc.transform_sparse(t_new);
  for (std::size_t i = 0; i < sparse.rows; ++i) {
    for (std::size_t j = 0; j < sparse.cols; ++j) CHECK(sparse.at(i, j) == static_cast<float>(expected(i, j)));
  }
  CHECK(clm::one_hot_encoder<>().fit_transform_sparse(t) == clm::one_hot_encoder<>().fit(t).transform_sparse(t));
  // An unknown category is the same error as in the dense transform.
  clm::one_hot_encoder<> strict;
  strict.fit(clm::read_csv_text("city\nParis\nLyon\n"));
  CHECK_THROWS_WITH_AS(strict.transform_sparse(clm::read_csv_text("city\nLyon\nRome\n")),
                       doctest::Contains("column 'city', row 1: 'Rome' was not seen at fit"), clm::invalid_argument);
  // No rows: an empty matrix of the fitted width.
  const auto none = enc.transform_sparse(t.take({}));
  CHECK(none.rows == 0);
  CHECK(none.nnz() == 0);
  CHECK(none.indptr.size() == 1);
}

TEST_CASE("one_hot_encoder: unknown categories are an error naming column, row and value, or all zeros") {
  const auto t = clm::read_csv_text("city\nParis\nLyon\n");
  const auto u = clm::read_csv_text("city\nLyon\nRome\n");
  clm::one_hot_encoder<> strict;
  strict.fit(t);
  CHECK_THROWS_WITH_AS(strict.transform(u), doctest::Contains("column 'city', row 1: 'Rome' was not seen at fit"),
                       clm::invalid_argument);
  clm::one_hot_encoder<> lenient({.unknown = clm::unknown_category::ignore});
  lenient.fit(t);
  const auto Z = lenient.transform(u);
  CHECK(Z == clm::matrix<double>{{1.0, 0.0}, {0.0, 0.0}});
  // A missing value not seen at fit is unknown too.
  CHECK_THROWS_WITH_AS(strict.transform(clm::read_csv_text("city\nNA\n", {.types = {{"city", clm::column_type::categorical}}})), doctest::Contains("a missing value"),
                       clm::invalid_argument);
  // Numeric columns are refused with a hint.
  CHECK_THROWS_WITH_AS(clm::one_hot_encoder<>({.columns = {"n"}}).fit(clm::read_csv_text("n\n1\n")),
                       doctest::Contains("expected a categorical column"), clm::invalid_argument);
  CHECK_THROWS_AS(clm::one_hot_encoder<>().fit(clm::read_csv_text("n\n1\n")), clm::invalid_argument);
}

TEST_CASE("ordinal_encoder matches scikit-learn - unknown values: error or the given code") {
  const auto t = fixture_table("categorical.csv");
  const auto t_new = fixture_table("categorical_new.csv");
  clm::ordinal_encoder<> enc;
  check_close(enc.fit(t).transform(t_new), read_matrix_fixture("ordinal.txt"), 0.0);
  CHECK(enc.feature_names_out() == clm::feature_names{"city", "plan", "channel"});
  const auto u = clm::read_csv_text("city,plan,channel\nRome,pro,web\n");
  CHECK_THROWS_AS(enc.transform(u), clm::invalid_argument);
  clm::ordinal_encoder<> lenient({.unknown = clm::unknown_ordinal::use_value, .unknown_value = -1});
  CHECK(lenient.fit(t).transform(u)(0, 0) == -1.0);
}
