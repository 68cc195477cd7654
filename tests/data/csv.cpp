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

namespace {
/// The same table read the same way: values, levels and codes in the same order, lines.
void check_same_read(const clm::table& a, const clm::table& b) {
  REQUIRE(a == b);
  CHECK(a.source_lines() == b.source_lines());
  for (const auto& name : a.names()) {
    if (a.type(name) != column_type::categorical) continue;
    INFO("column ", name);
    CHECK(a.categorical(name).levels == b.categorical(name).levels);
    CHECK(a.categorical(name).codes == b.categorical(name).codes);
  }
}

struct order_file_style {
  const char* eol = "\n";
  bool bom = false;
  bool header = true;
  char delimiter = ',';
  bool quoted_newlines = false;
};

/// About 5 MB of orders: ids that repeat, amounts with missing values, a column of numbers
/// that turns to text at 80 % of the file (in a later chunk than its first rows), one that
/// turns at row 3, quoted fields with delimiters and doubled quotes, blank lines.
std::string order_file(const order_file_style& s) {
  std::string t = s.bom ? "\xEF\xBB\xBF" : "";
  const char d = s.delimiter;
  if (s.header) t += std::string("customer") + d + "amount" + d + "late" + d + "early" + d + "note" + s.eol;
  const std::size_t n = 170'000;
  for (std::size_t i = 0; i < n; ++i) {
    char buf[160];
    const std::size_t c = (i * 7919) % 40'000;
    const std::string amount = i % 97 == 5 ? "" : (i % 101 == 7 ? "NA" : std::to_string((i * 31) % 100'000 / 100.0));
    const std::string late = i == n * 8 / 10 ? "X" + std::to_string(i % 13) : std::to_string(i % 50);
    const std::string early = i == 3 ? "T" : std::to_string(i % 7);
    std::string note = i % 11 == 0 ? "\"gift, \"\"wrapped\"\"\"" : "plain";
    if (s.quoted_newlines && i % 3 == 0) note = "\"two\nlines, " + std::to_string(i % 5) + "\"";
    std::snprintf(buf, sizeof buf, "C%06zu%c%s%c%s%c%s%c", c, d, amount.c_str(), d, late.c_str(), d, early.c_str(), d);
    t += buf;
    t += note + s.eol;
    if (i % 5000 == 17) t += s.eol;  // a blank line now and then
  }
  return t;
}
}  // namespace

TEST_CASE("n_jobs: a file read in chunks on several threads is the table one thread reads") {
  const order_file_style styles[] = {{},
                                     {.eol = "\r\n"},
                                     {.bom = true},
                                     {.header = false},
                                     {.delimiter = ';'},
                                     {.quoted_newlines = true}};
  for (std::size_t k = 0; k < std::size(styles); ++k) {
    INFO("style ", k);
    const auto& s = styles[k];
    const std::string text = order_file(s);
    REQUIRE(text.size() > clm::detail::csv_parallel_min_bytes);
    csv_options o{.delimiter = s.delimiter, .header = s.header};
    const auto one = read_csv_text(text, o);
    const std::string late = s.header ? "late" : "c2", early = s.header ? "early" : "c3";
    CHECK(one.type(late) == column_type::categorical);
    CHECK(one.type(early) == column_type::categorical);
    for (const std::size_t jobs : {2, 3, 4, 7}) {
      INFO("n_jobs ", jobs);
      o.n_jobs = jobs;
      check_same_read(read_csv_text(text, o), one);
    }
  }
}

TEST_CASE("n_jobs: chunks are read in parallel unless a line feed in quotes splits one") {
  const std::vector<std::string> names = {"customer", "amount", "late", "early", "note"};
  const csv_options o;
  const std::string name = "f.csv";
  clm::detail::csv_layout layout{o, name, names, std::vector<char>(5, 0), std::vector<char>(5, 0),
                                 std::vector<const clm::csv_converter*>(5, nullptr)};
  const std::string plain = order_file({}), quoted = order_file({.quoted_newlines = true});
  const std::size_t header_end = plain.find('\n') + 1;
  const auto chunked = clm::detail::read_csv_chunks(layout, plain, header_end, 2, 2);
  REQUIRE(chunked.has_value());
  check_same_read(*chunked, read_csv_text(plain));
  // Every third record of `quoted` has a line feed inside quotes: the split after a line
  // feed lands inside one, and the chunked read declines.
  CHECK_FALSE(clm::detail::read_csv_chunks(layout, quoted, header_end, 2, 4).has_value());
}

TEST_CASE("n_jobs: errors, bad numbers and converters are those of one thread") {
  std::string text = order_file({});
  const std::size_t at = text.size() * 9 / 10;
  const std::size_t line_start = text.find('\n', at) + 1;
  std::string ragged = text;
  ragged.insert(line_start, "C1,2,3\n");
  const csv_options one{}, four{.n_jobs = 4};
  const std::string expected = error_of(ragged, one);
  CHECK(expected.find("expected 5 fields") != std::string::npos);
  CHECK(error_of(ragged, four) == expected);
  // Text in a forced-numeric column, far into the file.
  csv_options forced{.types = {{"amount", column_type::numeric}}};
  std::string bad = text;
  bad.insert(line_start, "C1,oops,3,4,x\n");
  const std::string bad_expected = error_of(bad, forced);
  CHECK(bad_expected.find("oops") != std::string::npos);
  forced.n_jobs = 3;
  CHECK(error_of(bad, forced) == bad_expected);
  // Counted as missing instead: the same count.
  std::size_t count_one = 0, count_three = 0;
  forced.bad_numbers_as_missing = true;
  forced.n_jobs = 1;
  forced.bad_numbers = &count_one;
  const auto a = read_csv_text(bad, forced);
  forced.n_jobs = 3;
  forced.bad_numbers = &count_three;
  check_same_read(read_csv_text(bad, forced), a);
  CHECK(count_one == 1);
  CHECK(count_three == count_one);
  // A converter, called from several threads.
  csv_options conv{.converters = {{"customer", {[](std::string_view v, double& out) {
                                                  if (v.size() != 7 || v[0] != 'C') return false;
                                                  out = std::stod(std::string(v.substr(1)));
                                                  return true;
                                                },
                                                "C and six digits"}}}};
  const auto c1 = read_csv_text(text, conv);
  CHECK(c1.type("customer") == column_type::numeric);
  conv.n_jobs = 2;
  check_same_read(read_csv_text(text, conv), c1);
}
