#pragma once
// Dates and times without time zones: clm::timestamp counts seconds since 1970-01-01
// 00:00:00 in the proleptic Gregorian calendar. Parsing is written out by hand (libstdc++ 12
// has no std::chrono::parse) and is exact and locale-free.
//
// Formats: "" (automatic) accepts YYYY-MM-DD, YYYY-MM-DD HH:MM:SS (or a 'T' between date and
// time) and YYYYMMDD; a pattern uses %Y (4-digit year), %m, %d, %H, %M, %S (1 or 2 digits),
// %% for a percent sign, and matches every other character literally, e.g. "%d/%m/%Y".

#include <compare>
#include <cstdio>
#include <cstdint>
#include <string>
#include <string_view>

#include "clm/core/error.hpp"

namespace clm {

struct timestamp {
  std::int64_t seconds = 0;

  /// The day number (days since 1970-01-01), rounding down.
  std::int64_t day() const noexcept {
    return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  }
  friend auto operator<=>(const timestamp&, const timestamp&) = default;
};

/// Days since 1970-01-01 of a civil date (any valid Gregorian date).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// Year, month, day of a day number.
struct civil_date {
  std::int64_t year;
  unsigned month, day;
};
constexpr civil_date civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

namespace detail {

constexpr bool leap_year(std::int64_t y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/// Reads between min_digits and max_digits decimal digits at s[pos].
constexpr bool read_digits(std::string_view s, std::size_t& pos, int min_digits, int max_digits,
                           int& out) noexcept {
  int v = 0, n = 0;
  while (n < max_digits && pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    v = v * 10 + (s[pos] - '0');
    ++pos;
    ++n;
  }
  out = v;
  return n >= min_digits;
}

constexpr bool make_timestamp(int y, int mo, int d, int h, int mi, int sec, timestamp& out) noexcept {
  if (mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, static_cast<unsigned>(mo)) ||
      h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) {
    return false;
  }
  out.seconds = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                h * 3600 + mi * 60 + sec;
  return true;
}

}  // namespace detail

/// Parses `text` (surrounding blanks ignored) with `format` ("" = automatic, see above).
/// Returns false when it does not match or names an impossible date.
constexpr bool parse_timestamp(std::string_view text, std::string_view format, timestamp& out) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  std::size_t pos = 0;
  if (format.empty()) {
    if (text.size() == 8) {  // YYYYMMDD
      if (!detail::read_digits(text, pos, 4, 4, y) || !detail::read_digits(text, pos, 2, 2, mo) ||
          !detail::read_digits(text, pos, 2, 2, d)) {
        return false;
      }
      return detail::make_timestamp(y, mo, d, 0, 0, 0, out);
    }
    if (!detail::read_digits(text, pos, 4, 4, y) || pos >= text.size() || text[pos++] != '-' ||
        !detail::read_digits(text, pos, 2, 2, mo) || pos >= text.size() || text[pos++] != '-' ||
        !detail::read_digits(text, pos, 2, 2, d)) {
      return false;
    }
    if (pos < text.size()) {
      if (text[pos] != ' ' && text[pos] != 'T') return false;
      ++pos;
      if (!detail::read_digits(text, pos, 2, 2, h) || pos >= text.size() || text[pos++] != ':' ||
          !detail::read_digits(text, pos, 2, 2, mi) || pos >= text.size() || text[pos++] != ':' ||
          !detail::read_digits(text, pos, 2, 2, sec)) {
        return false;
      }
    }
    return pos == text.size() && detail::make_timestamp(y, mo, d, h, mi, sec, out);
  }
  bool has_y = false, has_m = false, has_d = false;
  for (std::size_t f = 0; f < format.size(); ++f) {
    if (format[f] == '%' && f + 1 < format.size()) {
      const char spec = format[++f];
      bool ok = true;
      switch (spec) {
        case 'Y': ok = detail::read_digits(text, pos, 4, 4, y); has_y = true; break;
        case 'm': ok = detail::read_digits(text, pos, 1, 2, mo); has_m = true; break;
        case 'd': ok = detail::read_digits(text, pos, 1, 2, d); has_d = true; break;
        case 'H': ok = detail::read_digits(text, pos, 1, 2, h); break;
        case 'M': ok = detail::read_digits(text, pos, 1, 2, mi); break;
        case 'S': ok = detail::read_digits(text, pos, 1, 2, sec); break;
        case '%': ok = pos < text.size() && text[pos++] == '%'; break;
        default: return false;
      }
      if (!ok) return false;
    } else {
      if (pos >= text.size() || text[pos] != format[f]) return false;
      ++pos;
    }
  }
  return has_y && has_m && has_d && pos == text.size() &&
         detail::make_timestamp(y, mo, d, h, mi, sec, out);
}

/// Parses a date or date-time; throws clm::invalid_argument naming the text and the format.
inline timestamp parse_date(std::string_view text, std::string_view format = "") {
  timestamp t;
  if (!parse_timestamp(text, format, t)) {
    throw invalid_argument("parse_date: '" + std::string(text) + "' is not a valid date in " +
                           (format.empty() ? std::string("YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or YYYYMMDD")
                                           : "the format '" + std::string(format) + "'"));
  }
  return t;
}

/// "YYYY-MM-DD" of a timestamp's day.
inline std::string format_date(timestamp t) {
  const civil_date c = civil_from_days(t.day());
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month, c.day);
  return buf;
}

/// "YYYY-MM-DD HH:MM:SS" of a timestamp (parse_date reads it back).
inline std::string format_timestamp(timestamp t) {
  const civil_date c = civil_from_days(t.day());
  const std::int64_t in_day = t.seconds - t.day() * 86400;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld", static_cast<long long>(c.year), c.month, c.day,
                static_cast<long long>(in_day / 3600), static_cast<long long>(in_day / 60 % 60),
                static_cast<long long>(in_day % 60));
  return buf;
}

}  // namespace clm
