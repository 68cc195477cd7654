// data/table: typed columns, selection, rows, duplicates, errors that name the column.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "clm/data/table.hpp"

namespace {
clm::table sample() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  clm::table t;
  t.add_numeric("amount", clm::vector<double>{10.0, nan, 10.0, 5.0, nan});
  t.add_categorical("city", {{0, 1, 0, -1, 1}, {"Paris", "Lyon"}});
  t.add_numeric("n", clm::vector<double>{1, 2, 1, 3, 2});
  return t;
}
}  // namespace

TEST_CASE("columns by name and type - errors name the column") {
  const auto t = sample();
  CHECK(t.rows() == 5);
  CHECK(t.cols() == 3);
  CHECK(t.has("city"));
  CHECK_FALSE(t.has("City"));
  CHECK(t.type("city") == clm::column_type::categorical);
  CHECK_THROWS_WITH_AS(t.numeric("amout"), "table: no column 'amout' (columns: amount, city, n)",
                       clm::invalid_argument);
  CHECK_THROWS_WITH_AS(t.numeric("city"), "table: column 'city' is categorical, expected numeric",
                       clm::invalid_argument);
  CHECK_THROWS_AS(t.categorical("n"), clm::invalid_argument);
  // Checked access to a categorical value: missing and out-of-range rows are named errors.
  const auto& city = t.categorical("city");
  CHECK(city.at(1) == "Lyon");
  CHECK(city.value_or(3, "unknown") == "unknown");
  CHECK(city.is_missing(3));
  CHECK_FALSE(city.is_missing(0));
  CHECK_THROWS_WITH_AS(city.at(3), "categorical_column.at: row 3 is missing", clm::invalid_argument);
  CHECK_THROWS_WITH_AS(city.at(5), doctest::Contains("row 5 is out of range (the column has 5 rows)"), clm::shape_error);
  CHECK_THROWS_AS(city.value_or(7, ""), clm::shape_error);
}

TEST_CASE("adding columns checks names, lengths and codes") {
  auto t = sample();
  CHECK_THROWS_AS(t.add_numeric("n", clm::vector<double>{1, 2, 3, 4, 5}), clm::invalid_argument);
  CHECK_THROWS_AS(t.add_numeric("m", clm::vector<double>{1, 2}), clm::shape_error);
  CHECK_THROWS_AS(t.add_categorical("c", {{0, 5, 0, 0, 0}, {"a"}}), clm::invalid_argument);
  CHECK_THROWS_AS(t.add_categorical("c", {{0, -2, 0, 0, 0}, {"a"}}), clm::invalid_argument);
}

TEST_CASE("select, drop, take, filter") {
  const auto t = sample();
  const auto s = t.select({"n", "amount"});
  CHECK(s.names() == std::vector<std::string>{"n", "amount"});
  CHECK(t.drop({"amount"}).names() == std::vector<std::string>{"city", "n"});
  CHECK_THROWS_AS(t.drop({"nope"}), clm::invalid_argument);
  const auto r = t.take({3, 0, 0});
  CHECK(r.rows() == 3);
  CHECK(r.numeric("n")(0) == 3.0);
  CHECK(r.categorical("city").codes[0] == -1);
  CHECK(*r.categorical("city").value(2) == "Paris");
  CHECK_THROWS_AS(t.take({5}), clm::shape_error);
  const auto f = t.filter({true, false, false, true, false});
  CHECK(f.rows() == 2);
  CHECK(f.numeric("amount")(1) == 5.0);
  CHECK_THROWS_AS(t.filter({true}), clm::shape_error);
}

TEST_CASE("drop_duplicates keeps first occurrences - NaN equals NaN, missing equals missing") {
  const auto t = sample();
  // rows 0 and 2 are equal (10, Paris, 1); rows 1 and 4 are equal (NaN, Lyon, 2).
  CHECK(t.unique_rows() == std::vector<std::size_t>{0, 1, 3});
  CHECK(t.drop_duplicates().rows() == 3);
  CHECK(t.unique_rows({"city"}) == std::vector<std::size_t>{0, 1, 3});
  CHECK(t.unique_rows({"n", "amount"}) == std::vector<std::size_t>{0, 1, 3});
  clm::table z;
  z.add_numeric("x", clm::vector<double>{0.0, -0.0});
  CHECK(z.unique_rows().size() == 1);
}

TEST_CASE("to_matrix stacks numeric columns row-major") {
  const auto t = sample();
  const auto X = t.to_matrix({"n", "amount"});
  CHECK(X.shape()[0] == 5);
  CHECK(X.shape()[1] == 2);
  CHECK(X(3, 0) == 3.0);
  CHECK(X(3, 1) == 5.0);
  CHECK_THROWS_AS(t.to_matrix({"city"}), clm::invalid_argument);
}

TEST_CASE("equality compares values, not level order") {
  clm::table a, b;
  a.add_categorical("c", {{0, 1}, {"x", "y"}});
  b.add_categorical("c", {{1, 0}, {"y", "x"}});
  CHECK(a == b);
  clm::table c;
  c.add_categorical("c", {{0, 0}, {"x"}});
  CHECK_FALSE(a == c);
}
