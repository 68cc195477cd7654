// data/dates: civil calendar arithmetic and hand-written date parsing.
#include <doctest/doctest.h>

#include "clm/data/dates.hpp"

TEST_CASE("days_from_civil and civil_from_days agree with the calendar") {
  CHECK(clm::days_from_civil(1970, 1, 1) == 0);
  CHECK(clm::days_from_civil(1997, 9, 30) == 10134);
  CHECK(clm::days_from_civil(2000, 3, 1) - clm::days_from_civil(2000, 2, 28) == 2);  // leap
  CHECK(clm::days_from_civil(1900, 3, 1) - clm::days_from_civil(1900, 2, 28) == 1);  // not leap
  CHECK(clm::days_from_civil(1969, 12, 31) == -1);
  for (std::int64_t z = -800000; z <= 800000; z += 997) {
    const auto c = clm::civil_from_days(z);
    REQUIRE(clm::days_from_civil(c.year, c.month, c.day) == z);
  }
}

TEST_CASE("automatic formats: YYYY-MM-DD, YYYY-MM-DD HH:MM:SS, YYYYMMDD") {
  CHECK(clm::parse_date("1997-09-30").seconds == 10134LL * 86400);
  CHECK(clm::parse_date("19970930") == clm::parse_date("1997-09-30"));
  CHECK(clm::parse_date("1997-09-30 14:05:09").seconds == 10134LL * 86400 + 14 * 3600 + 5 * 60 + 9);
  CHECK(clm::parse_date("1997-09-30T14:05:09") == clm::parse_date("1997-09-30 14:05:09"));
  CHECK(clm::parse_date("  2014-03-08 00:00:00 ") == clm::parse_date("2014-03-08"));
  CHECK(clm::parse_date("1969-12-31 23:00:00").day() == -1);
  CHECK(clm::format_date(clm::parse_date("2024-02-29")) == "2024-02-29");
}

TEST_CASE("patterns: %Y %m %d %H %M %S and literals") {
  CHECK(clm::parse_date("30/09/1997", "%d/%m/%Y") == clm::parse_date("1997-09-30"));
  CHECK(clm::parse_date("9/3/1997", "%m/%d/%Y") == clm::parse_date("1997-09-03"));
  CHECK(clm::parse_date("1997 09 30", "%Y %m %d") == clm::parse_date("1997-09-30"));
  CHECK(clm::parse_date("1997.09.30 7h", "%Y.%m.%d %Hh").seconds ==
        clm::parse_date("1997-09-30").seconds + 7 * 3600);
}

TEST_CASE("invalid dates are refused with the text and the expected format") {
  clm::timestamp t;
  for (const char* bad : {"1997-02-30", "1997-13-01", "1997-9-30", "19970230", "1997-09-30 24:00:00",
                          "1997-09-30x", "", "abc", "1900-02-29", "97-09-30"}) {
    INFO(bad);
    CHECK_FALSE(clm::parse_timestamp(bad, "", t));
  }
  CHECK(clm::parse_timestamp("2000-02-29", "", t));
  CHECK_FALSE(clm::parse_timestamp("30/09/1997", "%Y-%m-%d", t));
  CHECK_FALSE(clm::parse_timestamp("30/09", "%d/%m", t));  // no year
  CHECK_FALSE(clm::parse_timestamp("30/09/1997", "%d/%m/%Y %q", t));
  CHECK_THROWS_WITH_AS(clm::parse_date("1997-02-30"),
                       "parse_date: '1997-02-30' is not a valid date in YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or YYYYMMDD",
                       clm::invalid_argument);
  CHECK_THROWS_WITH(clm::parse_date("x", "%d/%m/%Y"), doctest::Contains("'%d/%m/%Y'"));
}
