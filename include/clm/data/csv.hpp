#pragma once
// clm::read_csv / clm::write_csv — CSV files to and from clm::table.
//
// Reading follows RFC 4180: quoted fields, doubled quotes, delimiters and newlines inside
// quotes; LF, CRLF or CR line ends; a UTF-8 byte-order mark is skipped; blank lines are
// skipped. `whitespace = true` splits on runs of blanks (spaces and tabs) and ignores
// leading and trailing blanks, as the CDNOW files need. Lines of only blanks are blank.
//
// Types: a column is numeric when every non-missing value parses as a number
// (std::from_chars, exact and locale-free; surrounding blanks and a leading '+' allowed;
// "inf" and "nan" accepted), else categorical. `types` forces a column's type.
// Missing: unquoted fields equal to one of `na_values`, or blank, are missing.
// Quoting marks text: a quoted field is never missing and, while `quoted_is_text` is true
// (the default), makes an inferred column categorical. This is what lets write_csv's output
// read back identically (a categorical "007" or "" stays text). Files that quote every
// field, numbers included, should set `quoted_is_text = false` or force the numeric types.
//
// Errors: a missing or empty file, a row with a different number of fields than the
// header, an unterminated quote, text after a closing quote, text in a forced-numeric
// column: clm::parse_error with the file, line, column and what was expected.
//
// Memory: the file is memory-mapped (POSIX) or read into memory once; the table adds 8 bytes per numeric field,
// 4 per categorical field plus its distinct values, and 8 per row for source lines.
// The column header names must be distinct; an empty header name becomes "Unnamed: j".

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <istream>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/parallel.hpp"
#include "clm/data/table.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif
#define CLM_HAS_MMAP 1
#else
#define CLM_HAS_MMAP 0
#endif

namespace clm {

/// Turns a field's text into a number; returns false when the text is not valid.
struct csv_converter {
  std::function<bool(std::string_view, double&)> parse;
  std::string expected;  ///< what a valid field looks like, for error messages
};

struct csv_options {
  char delimiter = ',';        ///< field separator (ignored when whitespace is true)
  bool whitespace = false;     ///< split on runs of spaces/tabs instead of `delimiter`
  bool header = true;          ///< first record names the columns; else c0, c1, ...
  char quote = '"';
  std::vector<std::string> na_values = {"", "NA", "NaN", "null"};  ///< plus blank fields
  std::map<std::string, column_type> types;  ///< forced column types, by name
  bool quoted_is_text = true;  ///< a quoted field makes an inferred column categorical
  /// In a numeric column (forced), text is missing (NaN) instead of an error; the number of
  /// such fields is reported through `bad_numbers` when given.
  bool bad_numbers_as_missing = false;
  std::size_t* bad_numbers = nullptr;
  /// Columns parsed by a function into numbers (e.g. dates into seconds), by name. Such a
  /// column is numeric; a field the function refuses is an error naming `expected`.
  std::map<std::string, csv_converter> converters;
  /// Threads for files of 4 MB or more (0: one per hardware thread), each reading a chunk
  /// that starts after a line feed: the same table as one thread. Converters are then
  /// called from several threads at once. A line feed inside a quoted field that splits a
  /// chunk makes the file be read again on one thread.
  std::size_t n_jobs = 1;
  /// For read_csv_text of a piece of a file: the file line of the piece's first line after
  /// the header (0: none), so that errors and the table's source lines count the file's lines.
  std::uint64_t first_record_line = 0;
};

/// Reads a CSV file into a table. Throws clm::parse_error.
table read_csv(const std::filesystem::path& path, const csv_options& options = {});
/// Reads CSV text from a stream; `name` is used in error messages.
table read_csv(std::istream& in, const csv_options& options = {}, const std::string& name = "<stream>");
/// Parses CSV text held in memory.
table read_csv_text(std::string_view text, const csv_options& options = {},
                    const std::string& name = "<text>");

/// Writes a table as CSV (comma-separated, header, LF). Numbers are written in the
/// shortest form that reads back to the same double; missing values as empty fields;
/// categorical values quoted. read_csv with default options reads the file back to an
/// equal table. Throws clm::error when the file cannot be written.
void write_csv(const table& t, const std::filesystem::path& path);
void write_csv(const table& t, std::ostream& out);

// ---------------------------------------------------------------------------------------

namespace detail {

inline bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

inline std::string_view trim_blanks(std::string_view s) noexcept {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// Parses the whole of `s` (blanks around it allowed) as a double.
inline bool parse_double(std::string_view s, double& out) noexcept {
  s = trim_blanks(s);
  if (s.empty()) return false;
  if (s.front() == '+') {
    s.remove_prefix(1);
    if (s.empty() || s.front() == '-' || s.front() == '+') return false;
  }
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  if (ec == std::errc::result_out_of_range) {
    // Overflow is +-inf, underflow 0, as strtod does.
    double v = 0.0;
    if (std::sscanf(std::string(s).c_str(), "%lf", &v) == 1) {
      out = v;
      return p == end;
    }
    return false;
  }
  return ec == std::errc() && p == end;
}

/// Lines of text holding something other than spaces and tabs (LF, CRLF and lone CR end a
/// line). Blank lines are skipped and every record starts on a line of its own, so the
/// number of records is at most this.
inline std::size_t nonblank_lines(std::string_view text) noexcept {
  std::size_t n = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    // One line, [p, e): up to the next LF or CR, found with memchr (a CRLF's LF then ends an
    // empty line, which counts nothing).
    const auto left = static_cast<std::size_t>(end - p);
    const char* e = static_cast<const char*>(std::memchr(p, '\n', left));
    if (e == nullptr) e = end;
    if (const char* cr = static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(e - p)))) e = cr;
    const char* q = p;
    while (q < e && (*q == ' ' || *q == '\t')) ++q;
    n += q < e;
    if (e == end) break;
    p = e + 1;
  }
  return n;
}

struct csv_field {
  std::string_view text;
  bool quoted = false;
  std::size_t column = 0;  ///< 1-based character column where the field starts
};

/// Splits CSV text into records of fields, tracking lines.
class csv_tokenizer {
 public:
  /// `whole_file`: the text starts a file, so a UTF-8 byte-order mark there is skipped (a
  /// chunk of a file starts at a record instead).
  csv_tokenizer(std::string_view text, const csv_options& o, const std::string& name, bool whole_file = true)
      : s_(text), o_(o), name_(name) {
    if (whole_file && s_.size() >= 3 && s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  /// Reads the next non-blank record into `fields`; false at the end of input.
  /// `line` receives the 1-based line where the record starts.
  /// Fields of earlier records stay valid until release() (the text of quoted fields with
  /// doubled quotes lives in the tokenizer).
  bool next(std::vector<csv_field>& fields, std::uint64_t& line) {
    fields.clear();
    // Skip blank lines (empty or only spaces and tabs).
    for (;;) {
      if (pos_ >= s_.size()) return false;
      std::size_t p = pos_;
      while (p < s_.size() && is_blank(s_[p])) ++p;
      if (p < s_.size() && (s_[p] == '\n' || s_[p] == '\r')) {
        pos_ = p;
        consume_newline();
        continue;
      }
      if (p >= s_.size()) {
        pos_ = p;
        return false;
      }
      if (o_.whitespace) pos_ = p;  // leading blanks separate nothing
      break;
    }
    line = line_;
    for (;;) {
      csv_field f;
      f.column = pos_ - line_start_ + 1;
      if (pos_ < s_.size() && s_[pos_] == o_.quote) {
        read_quoted(f);
      } else {
        read_plain(f);
      }
      fields.push_back(f);
      // After a field: a separator, a line end, or the end of input.
      if (pos_ >= s_.size()) return true;
      const char c = s_[pos_];
      if (c == '\n' || c == '\r') {
        consume_newline();
        return true;
      }
      if (o_.whitespace) {
        while (pos_ < s_.size() && is_blank(s_[pos_])) ++pos_;
        if (pos_ >= s_.size()) return true;
        if (s_[pos_] == '\n' || s_[pos_] == '\r') {
          consume_newline();
          return true;
        }
      } else {
        ++pos_;  // the delimiter
      }
    }
  }

  std::uint64_t line() const noexcept { return line_; }
  /// Numbers the next line `l` (a piece of a file: its lines counted as the file's).
  void set_line(std::uint64_t l) noexcept { line_ = l; }
  /// The offset in the text where the next record (or blank line) starts.
  std::size_t position() const noexcept { return pos_; }

  /// Frees the unescaped text of the records read so far.
  void release() { unescaped_.clear(); }

 private:
  void consume_newline() {
    if (s_[pos_] == '\r' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
    line_start_ = pos_;
  }

  void read_plain(csv_field& f) {
    const std::size_t start = pos_;
    const char* p = s_.data() + pos_;
    const char* end = s_.data() + s_.size();
    if (o_.whitespace) {
      while (p < end && !is_blank(*p) && *p != '\n' && *p != '\r') ++p;
    } else {
      const char d = o_.delimiter;
      while (p < end && *p != d && *p != '\n' && *p != '\r') ++p;
    }
    pos_ = static_cast<std::size_t>(p - s_.data());
    f.text = s_.substr(start, pos_ - start);
  }

  void read_quoted(csv_field& f) {
    const std::uint64_t open_line = line_;
    const std::size_t open_col = pos_ - line_start_ + 1;
    ++pos_;  // opening quote
    const std::size_t start = pos_;
    bool escaped = false;
    for (;;) {
      const std::size_t q = s_.find(o_.quote, pos_);
      // Count newlines inside the quoted text for line tracking.
      const std::size_t stop = q == std::string_view::npos ? s_.size() : q;
      for (std::size_t i = pos_; i < stop; ++i) {
        if (s_[i] == '\n' || (s_[i] == '\r' && (i + 1 >= s_.size() || s_[i + 1] != '\n'))) {
          ++line_;
          line_start_ = i + 1;
        }
      }
      if (q == std::string_view::npos) {
        throw parse_error(name_, open_line, open_col,
                          "unterminated quoted field: expected a closing quote before the end of the file");
      }
      if (q + 1 < s_.size() && s_[q + 1] == o_.quote) {  // doubled quote
        escaped = true;
        pos_ = q + 2;
        continue;
      }
      pos_ = q + 1;
      break;
    }
    std::string_view raw = s_.substr(start, pos_ - 1 - start);
    if (escaped) {
      std::string& u = unescaped_.emplace_back();
      u.reserve(raw.size());
      for (std::size_t i = 0; i < raw.size(); ++i) {
        u.push_back(raw[i]);
        if (raw[i] == o_.quote) ++i;  // skip the second quote of a pair
      }
      raw = u;
    }
    f.text = raw;
    f.quoted = true;
    if (pos_ < s_.size()) {
      const char c = s_[pos_];
      const bool ok = c == '\n' || c == '\r' || (o_.whitespace ? is_blank(c) : c == o_.delimiter);
      if (!ok) {
        throw parse_error(name_, line_, pos_ - line_start_ + 1,
                          std::string("expected a delimiter or a line end after the closing quote, got '") +
                              c + "'");
      }
    }
  }

  std::string_view s_;
  const csv_options& o_;
  const std::string& name_;
  std::size_t pos_ = 0;
  std::uint64_t line_ = 1;
  std::size_t line_start_ = 0;
  std::deque<std::string> unescaped_;
};

/// How the columns of one file are read, shared by every chunk of it.
struct csv_layout {
  const csv_options& o;
  const std::string& name;
  const std::vector<std::string>& names;
  std::vector<char> forced;  ///< type given by csv_options::types or a converter
  std::vector<char> text;    ///< forced to text
  std::vector<const csv_converter*> conv;
};

/// The columns of a run of records: a whole file or one chunk of it. Numeric columns are
/// sized once for 2 bytes a field (a one-character value and its delimiter), so a real
/// file never reallocates them and a numeric column holds at most 4 times the bytes of its
/// text; rows of empty fields beyond that grow them by doubling. Pages past the real row
/// count are never touched.
class csv_columns {
 public:
  enum class state : std::uint8_t { numeric, categorical };

  /// `max_rows`: the text's non-blank lines (no more records than that); `bytes`: its size.
  csv_columns(const csv_layout& layout, std::size_t max_rows, std::size_t bytes)
      : L_(&layout), d_(layout.names.size()), max_rows_(max_rows),
        capacity_(std::min(max_rows, bytes / (2 * std::max<std::size_t>(d_, 1)) + 1)) {
    st.assign(d_, state::numeric);
    num.resize(d_);
    codes.resize(d_);
    levels.resize(d_);
    switched_at.assign(d_, 0);
    hashed_.assign(d_, 0);
    for (std::size_t j = 0; j < d_; ++j) {
      if (layout.text[j]) {
        st[j] = state::categorical;
        codes[j].reserve(capacity_);
      } else {
        num[j] = empty_vector<double>(capacity_);
      }
    }
    lines.reserve(capacity_);
  }

  /// Reads every record `tok` has left, after `first` (a record already read, on line
  /// `first_line`) when given. Records are processed in batches: the dictionary slots of a
  /// batch's text values are prefetched first, so the lookups of a column of millions of
  /// distinct values (dates, order ids) overlap their cache misses instead of waiting for
  /// each in turn (32 records, fewer for wide files: a batch holds at most 8192 fields).
  void read(csv_tokenizer& tok, std::vector<csv_field>* first, std::uint64_t first_line) {
    const std::size_t batch_rows = std::clamp<std::size_t>(8192 / std::max<std::size_t>(d_, 1), 1, 32);
    std::vector<csv_field> fields, batch;
    batch.reserve(batch_rows * d_);
    std::vector<std::uint64_t> batch_lines;
    batch_lines.reserve(batch_rows);
    hashes_.resize(batch_rows * d_);
    const auto flush = [&] {
      const std::size_t m = batch_lines.size();
      for (std::size_t j = 0; j < d_; ++j) {
        hashed_[j] = st[j] == state::categorical && levels[j];
        if (!hashed_[j]) continue;
        // Three stages (level_builder::prefetch_slot): slot, level offset, level text.
        auto& lb = *levels[j];
        for (std::size_t r = 0; r < m; ++r) {
          hashes_[r * d_ + j] = level_builder::hash(batch[r * d_ + j].text);
          lb.prefetch_slot(hashes_[r * d_ + j]);
        }
        for (std::size_t r = 0; r < m; ++r) lb.prefetch_offset(hashes_[r * d_ + j]);
        for (std::size_t r = 0; r < m; ++r) lb.prefetch_text(hashes_[r * d_ + j]);
      }
      for (std::size_t r = 0; r < m; ++r) {
        process(std::span<const csv_field>(batch.data() + r * d_, d_), batch_lines[r], hashes_.data() + r * d_);
      }
      batch.clear();
      batch_lines.clear();
      tok.release();
    };
    if (first != nullptr) process(*first, first_line, nullptr);
    std::uint64_t line = 0;
    while (tok.next(fields, line)) {
      if (fields.size() != d_) {  // a ragged record: its error comes in file order
        flush();
        process(fields, line, nullptr);
      }
      batch.insert(batch.end(), fields.begin(), fields.end());
      batch_lines.push_back(line);
      if (batch_lines.size() == batch_rows) flush();
    }
    flush();
  }

  /// Makes column j text from its first row on (a chunk that read only numbers in a column
  /// another chunk found text in); recode then reads those rows again.
  void make_text(std::size_t j) {
    if (st[j] == state::categorical) return;
    st[j] = state::categorical;
    switched_at[j] = rows;
    num[j] = vector<double>();
    codes[j].assign(rows, -1);
  }

  /// Codes as text the first upto[j] rows of each column j, reading `text` (this part's
  /// records, after a header record when `header`) again.
  void recode(std::string_view text, bool header, bool whole_file, const std::vector<std::size_t>& upto) {
    const std::size_t last = *std::max_element(upto.begin(), upto.end());
    csv_tokenizer again(text, L_->o, L_->name, whole_file);
    std::vector<csv_field> fields;
    std::uint64_t line = 0;
    if (header) again.next(fields, line);
    for (std::size_t r = 0; r < last && again.next(fields, line); ++r) {
      again.release();
      for (std::size_t j = 0; j < d_; ++j) {
        if (r < upto[j]) codes[j][r] = is_na(fields[j]) ? -1 : level_of(j).code(fields[j].text);
      }
    }
  }

  level_builder& level_of(std::size_t j) {
    // A dictionary only for the columns that are text (a wide file of numbers pays one
    // pointer a column for them, not a dictionary).
    if (!levels[j]) levels[j] = std::make_unique<level_builder>();
    return *levels[j];
  }

  std::size_t rows = 0;
  std::vector<state> st;
  std::vector<vector<double>> num;
  std::vector<std::vector<std::int32_t>> codes;
  std::vector<std::unique_ptr<level_builder>> levels;
  std::vector<std::size_t> switched_at;  ///< row where an inferred column became text
  std::vector<std::uint64_t> lines;      ///< each row's line, from 1 at the text's start
  std::size_t bad_numbers = 0;

 private:
  bool is_na(const csv_field& f) const {
    if (f.quoted) return false;
    const std::string_view t = trim_blanks(f.text);
    if (t.empty()) return true;
    for (const auto& na : L_->o.na_values) {
      if (t == na) return true;
    }
    return false;
  }

  void grow() {
    capacity_ = std::max(rows + 1, std::min(max_rows_, capacity_ * 2));
    for (std::size_t j = 0; j < d_; ++j) {
      if (st[j] != state::numeric) continue;
      vector<double> v = empty_vector<double>(capacity_);
      std::copy(num[j].data(), num[j].data() + rows, v.data());
      num[j] = std::move(v);
    }
  }

  void process(std::span<const csv_field> fs, std::uint64_t at_line, const std::uint64_t* h) {
    const csv_options& o = L_->o;
    if (fs.size() != d_) {
      const std::size_t col = fs.size() > d_ ? fs[d_].column : (fs.empty() ? 0 : fs.back().column);
      throw parse_error(L_->name, at_line, col,
                        "expected " + std::to_string(d_) + " fields as in the header, got " + std::to_string(fs.size()));
    }
    if (rows == capacity_) grow();
    for (std::size_t j = 0; j < d_; ++j) {
      const csv_field& f = fs[j];
      if (st[j] == state::numeric) {
        double* out = num[j].data() + rows;
        if (is_na(f)) {
          *out = std::numeric_limits<double>::quiet_NaN();
          continue;
        }
        const csv_converter* conv = L_->conv[j];
        if (conv != nullptr) {
          if (conv->parse(f.text, *out)) continue;
        } else if (!(f.quoted && o.quoted_is_text && !L_->forced[j]) && parse_double(f.text, *out)) {
          continue;
        }
        if (L_->forced[j]) {
          if (o.bad_numbers_as_missing) {
            ++bad_numbers;
            *out = std::numeric_limits<double>::quiet_NaN();
            continue;
          }
          throw parse_error(L_->name, at_line, f.column,
                            "expected " + (conv ? conv->expected : std::string("a number")) + " in column '" +
                                L_->names[j] + "', got '" + std::string(f.text) + "'");
        }
        st[j] = state::categorical;  // inferred: from now on text
        switched_at[j] = rows;
        num[j] = vector<double>();
        codes[j].reserve(capacity_);
        codes[j].assign(rows, -1);  // earlier rows are filled by recode
      }
      codes[j].push_back(is_na(f)                    ? -1
                         : h != nullptr && hashed_[j] ? level_of(j).code(f.text, h[j])
                                                      : level_of(j).code(f.text));
    }
    lines.push_back(at_line);
    ++rows;
  }

  const csv_layout* L_;
  std::size_t d_, max_rows_, capacity_;
  // A batch's hashes of its text values (row r, column j at r * d + j), for the columns
  // hashed_[j] says flush prefetched; process then codes them without hashing again.
  std::vector<std::uint64_t> hashes_;
  std::vector<char> hashed_;
};

/// The table of parts read in file order (part k's lines shifted by line_offset[k]):
/// numeric columns concatenated, a text column coded against one dictionary whose levels
/// are in order of first appearance in the file; columns on `jobs` threads.
inline table assemble_csv(std::vector<csv_columns>& parts, std::vector<std::string>& names,
                          const std::vector<std::uint64_t>& line_offset, const csv_options& o, std::size_t jobs) {
  using state = csv_columns::state;
  const std::size_t d = names.size();
  std::size_t n = 0, bad_numbers = 0;
  for (const auto& p : parts) {
    n += p.rows;
    bad_numbers += p.bad_numbers;
  }
  const auto numbers_of = [&](std::size_t j) {  // numeric in the first part: numeric in every part
    auto& first = parts[0].num[j];
    if (parts.size() == 1 && first.size() == n) return std::move(first);
    vector<double> v = vector<double>::from_shape({n});
    std::size_t at = 0;
    for (auto& p : parts) {
      std::copy(p.num[j].data(), p.num[j].data() + p.rows, v.data() + at);
      at += p.rows;
      p.num[j] = vector<double>();
    }
    return v;
  };
  // The first part's dictionary is the start when its codes are in order of first
  // appearance (none read again); every other part's codes are renumbered through the
  // dictionary on their first appearance.
  const auto text_of = [&](std::size_t j) {
    categorical_column c;
    level_builder dict;
    std::size_t k0 = 0;
    if (parts[0].switched_at[j] == 0) {
      if (parts[0].levels[j]) dict = std::move(*parts[0].levels[j]);
      c.codes = std::move(parts[0].codes[j]);
      k0 = 1;
    }
    c.codes.reserve(n);
    for (std::size_t k = k0; k < parts.size(); ++k) {
      auto& p = parts[k];
      const level_builder* local = p.levels[j].get();
      std::vector<std::int32_t> remap(local ? local->count() : 0, -1);
      for (const std::int32_t code : p.codes[j]) {
        if (code < 0) {
          c.codes.push_back(-1);
          continue;
        }
        auto& m = remap[static_cast<std::size_t>(code)];
        if (m < 0) m = dict.code(local->at(static_cast<std::size_t>(code)));
        c.codes.push_back(m);
      }
      p.codes[j] = {};
      p.levels[j].reset();
    }
    c.levels = dict.take_levels();
    return c;
  };
  const auto numeric = [&](std::size_t j) { return parts[0].st[j] == state::numeric; };
  table t;
  t.reserve_columns(d);
  if (jobs <= 1) {  // straight into the table: a file of a million columns holds nothing more a column
    for (std::size_t j = 0; j < d; ++j) {
      if (numeric(j)) t.add_numeric(std::move(names[j]), numbers_of(j));
      else t.add_categorical(std::move(names[j]), text_of(j));
    }
  } else {
    std::vector<vector<double>> numbers(d);
    std::vector<categorical_column> texts(d);
    parallel_for(d, jobs, [&](std::size_t j) {
      if (numeric(j)) numbers[j] = numbers_of(j);
      else texts[j] = text_of(j);
    });
    for (std::size_t j = 0; j < d; ++j) {
      if (numeric(j)) t.add_numeric(std::move(names[j]), std::move(numbers[j]));
      else t.add_categorical(std::move(names[j]), std::move(texts[j]));
    }
  }
  std::vector<std::uint64_t> lines;
  if (parts.size() == 1 && line_offset[0] == 0) {
    lines = std::move(parts[0].lines);
  } else {
    lines.reserve(n);
    for (std::size_t k = 0; k < parts.size(); ++k) {
      for (const auto l : parts[k].lines) lines.push_back(l + line_offset[k]);
    }
  }
  t.set_source_lines(std::move(lines));
  if (o.bad_numbers != nullptr) *o.bad_numbers = bad_numbers;
  return t;
}

/// Below this many bytes of records a file is read on one thread.
inline constexpr std::size_t csv_parallel_min_bytes = std::size_t{4} << 20;

/// Reads the records of text[begin, end) (starting on line `first_line`) in `jobs` chunks,
/// each starting after a line feed, on as many threads. Empty when a chunk fails: a line
/// feed inside a quoted field split a record, or the text has an error, which the caller's
/// sequential read reports where it is.
inline std::optional<table> read_csv_chunks(const csv_layout& L, std::string_view text, std::size_t begin,
                                            std::uint64_t first_line, std::size_t jobs) {
  const std::size_t d = L.names.size();
  std::vector<std::size_t> bounds{begin};
  const std::size_t span = text.size() - begin;
  for (std::size_t k = 1; k < jobs; ++k) {
    const std::size_t from = std::max(bounds.back(), begin + span / jobs * k);
    if (from >= text.size()) break;
    const void* lf = std::memchr(text.data() + from, '\n', text.size() - from);
    if (lf == nullptr) break;
    bounds.push_back(static_cast<std::size_t>(static_cast<const char*>(lf) - text.data()) + 1);
  }
  if (bounds.back() < text.size()) bounds.push_back(text.size());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  const std::size_t chunks = bounds.size() - 1;
  if (chunks < 2) return std::nullopt;
  const auto chunk = [&](std::size_t k) { return text.substr(bounds[k], bounds[k + 1] - bounds[k]); };

  std::vector<std::optional<csv_columns>> read(chunks);
  std::vector<std::uint64_t> line_ends(chunks, 0);
  try {
    parallel_for(chunks, chunks, [&](std::size_t k) {
      const std::string_view c = chunk(k);
      csv_tokenizer tok(c, L.o, L.name, false);
      read[k].emplace(L, nonblank_lines(c), c.size());
      read[k]->read(tok, nullptr, 0);
      line_ends[k] = tok.line() - 1;
    });
  } catch (const error&) {
    return std::nullopt;
  }
  // A column is text when any chunk found text in it: the chunks that read it as numbers,
  // or switched it later, read those rows again as text.
  std::vector<char> text_column(d, 0);
  for (std::size_t j = 0; j < d; ++j) {
    for (const auto& p : read) text_column[j] |= p->st[j] == csv_columns::state::categorical;
  }
  parallel_for(chunks, chunks, [&](std::size_t k) {
    auto& p = *read[k];
    std::vector<std::size_t> upto(d, 0);
    bool again = false;
    for (std::size_t j = 0; j < d; ++j) {
      if (!text_column[j] || L.forced[j]) continue;
      p.make_text(j);
      upto[j] = p.switched_at[j];
      again |= upto[j] > 0;
    }
    if (again) p.recode(chunk(k), false, false, upto);
  });
  std::vector<csv_columns> parts;
  parts.reserve(chunks);
  std::vector<std::uint64_t> offset(chunks);
  std::uint64_t line = first_line;
  for (std::size_t k = 0; k < chunks; ++k) {
    offset[k] = line - 1;
    line += line_ends[k];
    parts.push_back(std::move(*read[k]));
  }
  std::vector<std::string> names = L.names;
  return assemble_csv(parts, names, offset, L.o, jobs);
}

}  // namespace detail

inline table read_csv_text(std::string_view text, const csv_options& o, const std::string& name) {
  using detail::csv_field;
  if (!o.whitespace && (o.delimiter == '\n' || o.delimiter == '\r' || o.delimiter == o.quote)) {
    throw invalid_argument("csv_options: delimiter must not be a line end or the quote character");
  }
  detail::csv_tokenizer tok(text, o, name);
  std::vector<csv_field> fields;
  std::uint64_t line = 0;

  // Header.
  std::vector<std::string> names;
  std::uint64_t first_line = 0;
  bool have_first = false;
  if (!tok.next(fields, line)) {
    throw parse_error(name, 1, 0, o.header ? "empty file: expected a header line"
                                           : "empty file: expected at least one record");
  }
  names.reserve(fields.size());
  if (o.header) {
    detail::id_index seen;  // linear in the column count
    const detail::string_at key{&names};
    seen.reserve(fields.size(), key);
    for (std::size_t j = 0; j < fields.size(); ++j) {
      std::string n(fields[j].text);
      if (n.empty()) n = "Unnamed: " + std::to_string(j);
      names.push_back(std::move(n));
      if (!seen.insert(j, key)) {
        throw parse_error(name, line, fields[j].column,
                          "duplicate column name '" + names.back() + "' in the header: expected distinct names");
      }
    }
  } else {
    // The first record is data: `fields` keeps it until it is processed below.
    for (std::size_t j = 0; j < fields.size(); ++j) names.push_back("c" + std::to_string(j));
    first_line = line;
    have_first = true;
  }
  if (o.first_record_line > 0) {
    if (o.header) {
      tok.set_line(o.first_record_line);
    } else {
      tok.set_line(o.first_record_line + (tok.line() - first_line));
      first_line = o.first_record_line;
    }
  }
  const std::size_t d = names.size();
  // A named column the file lacks: the file's columns, and a hint when the whole header
  // came out as one column (a wrong delimiter).
  const auto no_column = [&](const char* what, const std::string& col) {
    const bool one = !o.whitespace && names.size() == 1;
    return invalid_argument(std::string(what) + ": no column '" + col + "' in " + name + " " +
                            detail::column_list(names) +
                            (one ? "; one column read: is the delimiter '" + std::string(1, o.delimiter) + "' right?" : ""));
  };
  for (const auto& [col, type] : o.types) {
    if (std::find(names.begin(), names.end(), col) == names.end()) throw no_column("csv_options.types", col);
    (void)type;
  }
  for (const auto& [col, conv] : o.converters) {
    if (std::find(names.begin(), names.end(), col) == names.end()) throw no_column("csv_options.converters", col);
    if (!conv.parse) throw invalid_argument("csv_options.converters: column '" + col + "' has no parse function");
  }

  detail::csv_layout layout{o, name, names, std::vector<char>(d, 0), std::vector<char>(d, 0),
                            std::vector<const csv_converter*>(d, nullptr)};
  for (std::size_t j = 0; j < d; ++j) {
    if (auto it = o.types.find(names[j]); it != o.types.end()) {
      layout.forced[j] = 1;
      layout.text[j] = it->second == column_type::categorical;
    }
    if (auto it = o.converters.find(names[j]); it != o.converters.end()) {
      layout.forced[j] = 1;
      layout.text[j] = 0;
      layout.conv[j] = &it->second;
    }
  }

  // Large inputs in chunks on several threads: a chunk starts after a line feed. A chunk
  // that fails to read (a line feed inside a quoted field splits a record, or a real error)
  // sends the whole text to the sequential reader below, which reads it or reports the
  // error where it is.
  const std::size_t data_begin = o.header ? tok.position() : (text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0);
  const std::uint64_t data_line = o.header ? tok.line() : 1;
  const std::size_t jobs = resolve_jobs(o.n_jobs);
  if (jobs > 1 && text.size() - data_begin >= detail::csv_parallel_min_bytes) {
    if (auto t = detail::read_csv_chunks(layout, text, data_begin, data_line, jobs)) return std::move(*t);
  }

  detail::csv_columns part(layout, detail::nonblank_lines(text), text.size());
  part.read(tok, have_first ? &fields : nullptr, first_line);
  // Columns that turned to text after their first row: their earlier rows were numbers or
  // missing, now read again as text.
  std::vector<std::size_t> upto(d, 0);
  bool again = false;
  for (std::size_t j = 0; j < d; ++j) {
    if (part.st[j] == detail::csv_columns::state::categorical && !layout.forced[j] && part.switched_at[j] > 0) {
      upto[j] = part.switched_at[j];
      again = true;
    }
  }
  if (again) part.recode(text, o.header, true, upto);
  std::vector<detail::csv_columns> parts;
  parts.push_back(std::move(part));
  return detail::assemble_csv(parts, names, {0}, o, 1);
}

inline table read_csv(std::istream& in, const csv_options& o, const std::string& name) {
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw parse_error(name, 0, 0, "read error");
  return read_csv_text(text, o, name);
}

namespace detail {

/// A read-only view of a whole file: memory-mapped where the platform allows (no copy, no
/// zero-fill), else read into a string.
class file_view {
 public:
  explicit file_view(const std::filesystem::path& path) : name_(path.string()) {
#if CLM_HAS_MMAP
    const int fd = ::open(name_.c_str(), O_RDONLY);
    if (fd < 0) fail();
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ,
                       MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p != MAP_FAILED) {
        map_ = p;
        size_ = static_cast<std::size_t>(st.st_size);
        ::close(fd);
        return;
      }
    }
    ::close(fd);
#endif
    std::FILE* f = std::fopen(name_.c_str(), "rb");
    if (f == nullptr) fail();
    char buf[1 << 16];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) text_.append(buf, got);
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) throw parse_error(name_, 0, 0, "read error");
  }
  file_view(const file_view&) = delete;
  file_view& operator=(const file_view&) = delete;
  ~file_view() {
#if CLM_HAS_MMAP
    if (map_ != nullptr) ::munmap(map_, size_);
#endif
  }
  std::string_view text() const noexcept {
    return map_ != nullptr ? std::string_view(static_cast<const char*>(map_), size_) : std::string_view(text_);
  }

 private:
  [[noreturn]] void fail() const {
    throw parse_error(name_, 0, 0, "cannot open the file: expected a readable CSV file");
  }
  std::string name_;
  void* map_ = nullptr;
  std::size_t size_ = 0;
  std::string text_;
};

}  // namespace detail

inline table read_csv(const std::filesystem::path& path, const csv_options& o) {
  const detail::file_view file(path);
  return read_csv_text(file.text(), o, path.string());
}

namespace detail {

inline void write_csv_text(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace detail

inline void write_csv(const table& t, std::ostream& out) {
  const auto names = t.names();
  std::string buf;
  for (std::size_t j = 0; j < names.size(); ++j) {
    if (j) buf.push_back(',');
    const bool plain = !names[j].empty() &&
                       names[j].find_first_of(",\"\r\n") == std::string::npos &&
                       detail::trim_blanks(names[j]).size() == names[j].size();
    if (plain) buf += names[j];
    else detail::write_csv_text(buf, names[j]);
  }
  buf.push_back('\n');
  std::vector<const vector<double>*> num(names.size(), nullptr);
  std::vector<const categorical_column*> cat(names.size(), nullptr);
  for (std::size_t j = 0; j < names.size(); ++j) {
    if (t.type(names[j]) == column_type::numeric) num[j] = &t.numeric(names[j]);
    else cat[j] = &t.categorical(names[j]);
  }
  char tmp[64];
  for (std::size_t i = 0; i < t.rows(); ++i) {
    for (std::size_t j = 0; j < names.size(); ++j) {
      if (j) buf.push_back(',');
      if (num[j] != nullptr) {
        const double v = (*num[j])(i);
        if (std::isnan(v)) {
          if (names.size() == 1) buf += "NA";  // an empty line would be skipped as blank
          continue;
        }
        auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
        buf.append(tmp, r.ptr);
      } else if (const std::string* s = cat[j]->value(i)) {
        detail::write_csv_text(buf, *s);
      } else if (names.size() == 1) {
        buf += "NA";
      }
    }
    buf.push_back('\n');
    if (buf.size() > (1 << 20)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  if (!out) throw error("write_csv: writing failed");
}

inline void write_csv(const table& t, const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw error("write_csv: cannot open '" + path.string() + "' for writing");
  write_csv(t, out);
}

}  // namespace clm
