// data/csv: RFC 4180 reading, type inference, missing values, every named bad input, and
// write_csv -> read_csv round trips.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "clm/data/csv.hpp"

using clm::column_type;
using clm::csv_options;
using clm::read_csv_text;

namespace {
std::string error_of(const std::string& text, const csv_options& o = {}) {
  try {
    read_csv_text(text, o, "f.csv");
  } catch (const clm::parse_error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("numbers and text: types are inferred per column") {
  const auto t = read_csv_text("id,amount,city\n1,9.5,Paris\n2,-1e3,Lyon\n3,+4,Nice\n");
  CHECK(t.rows() == 3);
  CHECK(t.names() == std::vector<std::string>{"id", "amount", "city"});
  CHECK(t.type("id") == column_type::numeric);
  CHECK(t.type("amount") == column_type::numeric);
  CHECK(t.type("city") == column_type::categorical);
  CHECK(t.numeric("amount")(1) == -1000.0);
  CHECK(t.numeric("amount")(2) == 4.0);
  const auto& city = t.categorical("city");
  CHECK(city.levels == std::vector<std::string>{"Paris", "Lyon", "Nice"});
  CHECK(city.codes == std::vector<std::int32_t>{0, 1, 2});
  CHECK(t.source_lines() == std::vector<std::uint64_t>{2, 3, 4});
}

TEST_CASE("numbers parse exactly (from_chars): shortest round-trip text gives the same double") {
  const auto t = read_csv_text("x\n0.1\n2.2250738585072014e-308\n1.7976931348623157e308\n5e-324\n1e400\n");
  const auto& x = t.numeric("x");
  CHECK(x(0) == 0.1);
  CHECK(x(1) == 2.2250738585072014e-308);
  CHECK(x(2) == 1.7976931348623157e308);
  CHECK(x(3) == 5e-324);
  CHECK(std::isinf(x(4)));
}

TEST_CASE("a column turning to text late is read entirely as text, levels in order of appearance") {
  const auto t = read_csv_text("code,v\n007,1\n12,2\nA1,3\n12,4\n,5\n");
  REQUIRE(t.type("code") == column_type::categorical);
  const auto& c = t.categorical("code");
  CHECK(c.levels == std::vector<std::string>{"007", "12", "A1"});
  CHECK(c.codes == std::vector<std::int32_t>{0, 1, 2, 1, -1});
}

TEST_CASE("RFC 4180: quotes, doubled quotes, delimiters and newlines inside quotes, CRLF, BOM") {
  const std::string text =
      "\xEF\xBB\xBF" "name,note,n\r\n"
      "\"Smith, J\",\"said \"\"hi\"\"\",1\r\n"
      "\"multi\nline\",plain,2\r\n"
      "x,\"\",3\r\n";
  const auto t = read_csv_text(text);
  REQUIRE(t.rows() == 3);
  CHECK(t.names()[0] == "name");  // the BOM is not part of the first name
  const auto& name = t.categorical("name");
  CHECK(*name.value(0) == "Smith, J");
  CHECK(*name.value(1) == "multi\nline");
  const auto& note = t.categorical("note");
  CHECK(*note.value(0) == "said \"hi\"");
  REQUIRE(note.value(2) != nullptr);  // a quoted empty field is text, not missing
  CHECK(note.value(2)->empty());
  CHECK(t.source_lines() == std::vector<std::uint64_t>{2, 3, 5});
}

TEST_CASE("missing values: na_values and blanks - quoted values are never missing") {
  const auto t = read_csv_text("a,b\n1,x\nNA,NA\n  ,null\nNaN,\"NA\"\n");
  const auto& a = t.numeric("a");
  CHECK(a(0) == 1.0);
  CHECK(std::isnan(a(1)));
  CHECK(std::isnan(a(2)));
  CHECK(std::isnan(a(3)));
  const auto& b = t.categorical("b");
  CHECK(b.codes[1] == -1);
  CHECK(b.codes[2] == -1);
  CHECK(*b.value(3) == "NA");
  csv_options custom;
  custom.na_values = {"?"};
  const auto u = read_csv_text("a\n?\nNA\n", custom);
  CHECK(u.type("a") == column_type::categorical);  // "NA" is text now
  CHECK(u.categorical("a").codes[0] == -1);
}

TEST_CASE("delimiters: semicolon, tab, and whitespace runs (CDNOW layout)") {
  CHECK(read_csv_text("a;b\n1;2\n", {.delimiter = ';'}).numeric("b")(0) == 2.0);
  CHECK(read_csv_text("a\tb\n1\t2\n", {.delimiter = '\t'}).numeric("b")(0) == 2.0);
  const auto t = read_csv_text(" 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n\r\n",
                               {.whitespace = true, .header = false});
  REQUIRE(t.rows() == 2);
  CHECK(t.names() == std::vector<std::string>{"c0", "c1", "c2", "c3", "c4"});
  CHECK(t.numeric("c4")(1) == 29.73);
  CHECK(t.numeric("c2")(0) == 19970101.0);
}

TEST_CASE("forced types: ids as text keep their zeros - text in a forced-numeric column is an error") {
  csv_options o;
  o.types = {{"id", column_type::categorical}, {"v", column_type::numeric}};
  const auto t = read_csv_text("id,v\n007,1\n010,2\n", o);
  CHECK(*t.categorical("id").value(0) == "007");
  CHECK(error_of("id,v\n007,1\n010,abc\n", o) ==
        "f.csv:3:5: expected a number in column 'v', got 'abc'");
  std::size_t bad = 0;
  o.bad_numbers_as_missing = true;
  o.bad_numbers = &bad;
  const auto u = read_csv_text("id,v\n007,1\n010,abc\n", o);
  CHECK(std::isnan(u.numeric("v")(1)));
  CHECK(bad == 1);
  CHECK_THROWS_AS(read_csv_text("a\n1\n", {.types = {{"nope", column_type::numeric}}}),
                  clm::invalid_argument);
}

TEST_CASE("bad input: each named case is a parse_error with file, line, column, expectation") {
  CHECK(error_of("a,b\n1,2\n3,4,5\n") == "f.csv:3:5: expected 2 fields as in the header, got 3");
  CHECK(error_of("a,b\n1,2\n3\n") == "f.csv:3:1: expected 2 fields as in the header, got 1");
  CHECK(error_of("a,b\n1,\"open\n2,3\n") ==
        "f.csv:2:3: unterminated quoted field: expected a closing quote before the end of the file");
  CHECK(error_of("a,b\n\"x\"y,2\n") ==
        "f.csv:2:4: expected a delimiter or a line end after the closing quote, got 'y'");
  CHECK(error_of("") == "f.csv:1: empty file: expected a header line");
  CHECK(error_of("\n\r\n  \n") == "f.csv:1: empty file: expected a header line");
  CHECK(error_of("a,a\n1,2\n") == "f.csv:1:3: duplicate column name 'a' in the header: expected distinct names");
  CHECK_THROWS_AS(clm::read_csv(std::filesystem::path("/nonexistent/x.csv")), clm::parse_error);
  CHECK_THROWS_WITH(clm::read_csv(std::filesystem::path("/nonexistent/x.csv")),
                    doctest::Contains("/nonexistent/x.csv"));
}

TEST_CASE("a header-only file gives a table with named columns and no rows") {
  const auto t = read_csv_text("a,b\n");
  CHECK(t.rows() == 0);
  CHECK(t.cols() == 2);
}

TEST_CASE("write_csv output reads back to an equal table") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  clm::table t;
  clm::vector<double> v{0.1, nan, -3e-300, 1e300, 42.0};
  t.add_numeric("value", v);
  t.add_categorical("code", {{0, 1, -1, 2, 3}, {"007", "", "NA", "a,\"b\"\nc"}});
  t.add_numeric("n with space", clm::vector<double>{1, 2, 3, 4, 5});
  std::ostringstream out;
  clm::write_csv(t, out);
  const auto back = read_csv_text(out.str());
  CHECK(back == t);
  CHECK(back.categorical("code").levels == t.categorical("code").levels);

  // One column of missing values: no blank lines that would be skipped.
  clm::table one;
  one.add_numeric("x", clm::vector<double>{nan, 1.0, nan});
  std::ostringstream o2;
  clm::write_csv(one, o2);
  CHECK(read_csv_text(o2.str()) == one);

  const auto path = std::filesystem::temp_directory_path() / "clm_csv_roundtrip.csv";
  clm::write_csv(t, path);
  CHECK(clm::read_csv(path) == t);
  std::filesystem::remove(path);
}

TEST_CASE("streams and files read the same") {
  const std::string text = "a,b\n1,x\n2,y\n";
  std::istringstream in(text);
  const auto from_stream = clm::read_csv(in);
  const auto path = std::filesystem::temp_directory_path() / "clm_csv_stream.csv";
  {
    std::ofstream f(path);
    f << text;
  }
  CHECK(clm::read_csv(path) == from_stream);
  std::filesystem::remove(path);
}

TEST_CASE("the row bound counts the lines that hold something, whatever their line ends") {
  using clm::detail::nonblank_lines;
  CHECK(nonblank_lines("") == 0);
  CHECK(nonblank_lines("\n\n \t\r\n\r") == 0);
  CHECK(nonblank_lines("a") == 1);
  CHECK(nonblank_lines("a\n\n  \r\nb\rc\r\n \t\n") == 3);        // LF, CRLF and lone CR
  CHECK(nonblank_lines("x,y\r\n1,2\r\n\r\n3,4") == 3);
  CHECK(nonblank_lines(std::string(1000, '\n') + " z ") == 1);
  // Every record starts on a line it counts: a quoted field across lines counts more, not less.
  CHECK(nonblank_lines("a,\"x\n\ny\"\nb,c\n") == 3);
  const auto t = clm::read_csv_text("a,b\r1,x\r\r2,y\r");  // lone CR line ends
  CHECK(t.rows() == 2);
}
