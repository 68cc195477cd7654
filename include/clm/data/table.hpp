#pragma once
// clm::table — a column store of typed columns, the shape in which customer tables and
// transaction logs enter the library.
//
// - numeric columns: vector<double>, NaN for missing;
// - categorical columns: int32 codes, -1 for missing, plus their levels (strings) in order
//   of first appearance.
// Every column has the same number of rows. Errors name the column.
//
// Two tables compare equal when they have the same column names, types and values row by
// row (NaN equals NaN; categorical values compare as strings, whatever the level order).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#endif

namespace clm {

enum class column_type : std::uint8_t { numeric, categorical };

inline const char* to_string(column_type t) noexcept {
  return t == column_type::numeric ? "numeric" : "categorical";
}

struct categorical_column {
  std::vector<std::int32_t> codes;  ///< per row; -1 = missing
  std::vector<std::string> levels;  ///< code -> value

  std::size_t size() const noexcept { return codes.size(); }
  bool is_missing(std::size_t i) const { return code_at(i, "is_missing") < 0; }

  /// The value of row i, or nullptr when missing (unchecked: i < size()).
  const std::string* value(std::size_t i) const {
    const std::int32_t c = codes[i];
    return c < 0 ? nullptr : &levels[static_cast<std::size_t>(c)];
  }
  /// The value of row i. Throws shape_error when i is out of range and invalid_argument
  /// when the value is missing.
  const std::string& at(std::size_t i) const {
    const std::int32_t c = code_at(i, "at");
    if (c < 0) throw invalid_argument("categorical_column.at: row " + std::to_string(i) + " is missing");
    return levels[static_cast<std::size_t>(c)];
  }
  /// The value of row i, or `fallback` when it is missing (checked like at()).
  std::string value_or(std::size_t i, std::string_view fallback) const {
    const std::int32_t c = code_at(i, "value_or");
    return c < 0 ? std::string(fallback) : levels[static_cast<std::size_t>(c)];
  }

 private:
  std::int32_t code_at(std::size_t i, const char* what) const {
    if (i >= codes.size()) {
      throw shape_error(std::string("categorical_column.") + what + ": row " + std::to_string(i) +
                        " is out of range (the column has " + std::to_string(codes.size()) + " rows)");
    }
    const std::int32_t c = codes[i];
    if (c >= static_cast<std::int32_t>(levels.size())) {
      throw invalid_argument(std::string("categorical_column.") + what + ": row " + std::to_string(i) + " has code " +
                             std::to_string(c) + ", but the column has " + std::to_string(levels.size()) + " levels");
    }
    return c;
  }
};

namespace detail {

/// "(columns: a, b, c)", or "(columns: none)": how errors list what a table or file has.
inline std::string column_list(const std::vector<std::string>& names) {
  std::string all;
  for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
  return "(columns: " + (all.empty() ? std::string("none") : all) + ")";
}

/// Builds one categorical column: value -> code in order of first appearance.
/// Open addressing over one character arena: no allocation per distinct value.
/// A fast 64-bit hash of a short text (ids, category values), for clm's own hash tables.
inline std::uint64_t text_hash(std::string_view v) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ v.size();
  std::size_t i = 0;
  for (; i + 8 <= v.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, v.data() + i, 8);
    h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
  }
  for (; i < v.size(); ++i) h = (h ^ static_cast<unsigned char>(v[i])) * 0x100000001b3ULL;
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}

/// A hash index from a text key to its position in a sequence of keys it does not own
/// (`key(k)` gives the k-th): open addressing over 32-bit positions, at most 16 bytes a key
/// (an unordered_map<std::string, std::size_t> node costs about 70 and copies the key).
/// Keys are appended with insert or all at once with build; positions never move.
/// The keys of an id_index over a vector of strings: its k-th element.
struct string_at {
  const std::vector<std::string>* ids;
  std::string_view operator()(std::size_t k) const { return (*ids)[k]; }
};

class id_index {
 public:
  /// Indexes key(0) .. key(n - 1); false when a key repeats.
  template <class Key>
  bool build(std::size_t n, Key key) {
    slots_.clear();
    size_ = 0;
    reserve(n, key);
    for (std::size_t k = 0; k < n; ++k) {
      if (!insert(k, key)) return false;
    }
    return true;
  }
  /// Room for n keys without growing (the table is kept at most half full).
  template <class Key>
  void reserve(std::size_t n, Key key) {
    if (n >= std::numeric_limits<std::uint32_t>::max() / 2) {
      throw invalid_argument("id_index: " + std::to_string(n) + " keys exceed the 2^31 it holds");
    }
    std::size_t want = 16;
    while (want < 2 * n) want *= 2;
    if (want <= slots_.size()) return;
    std::vector<std::uint32_t> old(want, 0);
    old.swap(slots_);
    for (const std::uint32_t s : old) {
      if (s != 0) slots_[slot(key(s - 1), key)] = s;
    }
  }
  /// Adds key(k) at position k; false (nothing added) when it is already present.
  template <class Key>
  bool insert(std::size_t k, Key key) {
    reserve(size_ + 1, key);
    const std::size_t at = slot(key(k), key);
    if (slots_[at] != 0) return false;
    slots_[at] = static_cast<std::uint32_t>(k + 1);
    ++size_;
    return true;
  }
  template <class Key>
  std::optional<std::size_t> find(std::string_view id, Key key) const {
    if (slots_.empty()) return std::nullopt;
    const std::uint32_t s = slots_[slot(id, key)];
    if (s == 0) return std::nullopt;
    return static_cast<std::size_t>(s - 1);
  }

 private:
  // The slot holding id, or the empty slot where it would go.
  template <class Key>
  std::size_t slot(std::string_view id, Key key) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(text_hash(id)) & mask;; i = (i + 1) & mask) {
      const std::uint32_t s = slots_[i];
      if (s == 0 || key(s - 1) == id) return i;
    }
  }
  std::vector<std::uint32_t> slots_;
  std::size_t size_ = 0;
};

class level_builder {
 public:
  std::int32_t code(std::string_view v) { return code(v, text_hash(v)); }
  /// The same with v's hash already computed (hash(v), as a prefetching caller has it).
  std::int32_t code(std::string_view v, std::uint64_t h) {
    // Consecutive rows often repeat a value (a customer's orders): check the last one first.
    if (last_ >= 0 && level(static_cast<std::size_t>(last_)) == v) return last_;
    last_ = lookup(v, h);
    return last_;
  }

  std::size_t count() const noexcept { return offsets_.size(); }
  /// The text of level c (c < count()).
  std::string_view at(std::size_t c) const noexcept { return level(c); }

  /// Three stages of prefetching for a batch of values, each run over the whole batch
  /// before the next, so each finds the previous one's line in cache: the probe slot of a
  /// value's hash, the offset of the level the slot holds (when its tag matches), and the
  /// first bytes of that level's text, which code() compares.
  static std::uint64_t hash(std::string_view v) noexcept { return text_hash(v); }
  void prefetch_slot(std::uint64_t h) const noexcept {
#if defined(__GNUC__) || defined(__clang__)
    if (!slots_.empty()) __builtin_prefetch(&slots_[static_cast<std::size_t>(h) & (slots_.size() - 1)]);
#else
    (void)h;
#endif
  }
  void prefetch_offset(std::uint64_t h) const noexcept {
#if defined(__GNUC__) || defined(__clang__)
    if (const slot* s = home(h)) __builtin_prefetch(&offsets_[static_cast<std::size_t>(s->code)]);
#else
    (void)h;
#endif
  }
  void prefetch_text(std::uint64_t h) const noexcept {
#if defined(__GNUC__) || defined(__clang__)
    if (const slot* s = home(h)) __builtin_prefetch(arena_.data() + offsets_[static_cast<std::size_t>(s->code)]);
#else
    (void)h;
#endif
  }

  std::vector<std::string> take_levels() {
    std::vector<std::string> out;
    out.reserve(count());
    for (std::size_t c = 0; c < count(); ++c) out.emplace_back(level(c));
    *this = level_builder();
    return out;
  }

 private:
  std::int32_t lookup(std::string_view v, std::uint64_t h) {
    if ((count() + 1) * 2 > slots_.size()) grow();
    // The slot stores the hash's low 32 bits: its home position (the low bits) and, above
    // them, a check that spares most mismatches a visit to the arena.
    const auto tag = static_cast<std::uint32_t>(h);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = tag & mask;; i = (i + 1) & mask) {
      slot& s = slots_[i];
      if (s.code < 0) {
        if (count() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
          throw shape_error("categorical column: more than 2^31 - 1 distinct values");
        }
        s = {tag, static_cast<std::int32_t>(count())};
        offsets_.push_back(arena_.size());
        arena_.append(v);
        return s.code;
      }
      if (s.tag == tag && level(static_cast<std::size_t>(s.code)) == v) return s.code;
    }
  }

  struct slot {
    std::uint32_t tag = 0;   // low half of the hash: the home slot and a check for mismatches
    std::int32_t code = -1;  // -1: empty
  };

  /// The home slot of hash h when it holds a level with h's tag, else null.
  const slot* home(std::uint64_t h) const noexcept {
    if (slots_.empty()) return nullptr;
    const slot& s = slots_[static_cast<std::size_t>(h) & (slots_.size() - 1)];
    return s.code >= 0 && s.tag == static_cast<std::uint32_t>(h) ? &s : nullptr;
  }

  std::string_view level(std::size_t c) const noexcept {
    const std::size_t b = offsets_[c];
    const std::size_t e = c + 1 < offsets_.size() ? offsets_[c + 1] : arena_.size();
    return std::string_view(arena_).substr(b, e - b);
  }
  /// Doubles the table, moving the entries in the order of their old slots: each one's new
  /// home (its tag's next bit decides between two) is near its old one, so both tables are
  /// read and written almost in sequence instead of at random.
  void grow() {
    slot_buffer bigger(slots_.empty() ? 64 : slots_.size() * 2);
    const std::size_t mask = bigger.size() - 1;
    for (std::size_t k = 0; k < slots_.size(); ++k) {
      const slot s = slots_[k];
      if (s.code < 0) continue;
      std::size_t i = s.tag & mask;
      while (bigger[i].code >= 0) i = (i + 1) & mask;
      bigger[i] = s;
    }
    slots_.swap(bigger);
  }

  /// The probe table: large ones ask for transparent huge pages, which cuts the TLB
  /// misses that dominate lookups in a table of millions of values.
  class slot_buffer {
   public:
    slot_buffer() = default;
    explicit slot_buffer(std::size_t n) : n_(n) {
      constexpr std::size_t huge = std::size_t{2} << 20;
      const std::size_t bytes = n * sizeof(slot);
      if (bytes >= huge) {
        p_ = static_cast<slot*>(std::aligned_alloc(huge, (bytes + huge - 1) / huge * huge));
#if defined(MADV_HUGEPAGE)
        if (p_ != nullptr) ::madvise(p_, bytes, MADV_HUGEPAGE);
#endif
      } else {
        p_ = static_cast<slot*>(std::malloc(bytes));
      }
      if (p_ == nullptr) throw std::bad_alloc();
      std::uninitialized_fill_n(p_, n, slot{});
    }
    slot_buffer(slot_buffer&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
    slot_buffer& operator=(slot_buffer&& o) noexcept {
      std::swap(p_, o.p_);
      std::swap(n_, o.n_);
      return *this;
    }
    slot_buffer(const slot_buffer& o) : slot_buffer(o.n_) { std::copy(o.p_, o.p_ + o.n_, p_); }
    slot_buffer& operator=(const slot_buffer& o) { return *this = slot_buffer(o); }
    ~slot_buffer() { std::free(p_); }
    std::size_t size() const noexcept { return n_; }
    bool empty() const noexcept { return n_ == 0; }
    slot& operator[](std::size_t i) noexcept { return p_[i]; }
    const slot& operator[](std::size_t i) const noexcept { return p_[i]; }
    void swap(slot_buffer& o) noexcept {
      std::swap(p_, o.p_);
      std::swap(n_, o.n_);
    }

   private:
    slot* p_ = nullptr;
    std::size_t n_ = 0;
  };

  slot_buffer slots_;
  std::vector<std::size_t> offsets_;
  std::string arena_;
  std::int32_t last_ = -1;
};

}  // namespace detail

class table {
 public:
  table() = default;

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return columns_.size(); }
  std::vector<std::string> names() const;
  bool has(std::string_view name) const { return find(name) != npos; }
  column_type type(std::string_view name) const { return at(name).type; }

  /// The numeric column `name`. Throws invalid_argument when absent or categorical.
  const vector<double>& numeric(std::string_view name) const;
  /// The categorical column `name`. Throws invalid_argument when absent or numeric.
  const categorical_column& categorical(std::string_view name) const;

  /// Appends a column (the first one sets the row count). Throws invalid_argument on a
  /// duplicate name, shape_error on a different length, invalid_argument on a code out of
  /// range.
  table& add_numeric(std::string name, vector<double> values);
  /// Room for n columns in all (a reader that knows its column count calls it once).
  void reserve_columns(std::size_t n);
  table& add_categorical(std::string name, categorical_column column);

  /// Columns by name, in the order given.
  table select(const std::vector<std::string>& names) const;
  /// All columns but the named ones (each must exist).
  table drop(const std::vector<std::string>& names) const;
  /// Rows by index, in the order given (repeats allowed). Throws shape_error when an
  /// index is out of range.
  table take(const std::vector<std::size_t>& rows) const;
  /// Rows where mask is true. Throws shape_error unless mask has one entry per row.
  table filter(const std::vector<bool>& mask) const;
  /// The first occurrence of every distinct row (over `subset`, or all columns), as pandas'
  /// drop_duplicates(keep="first"): NaN equals NaN, missing equals missing.
  table drop_duplicates(const std::vector<std::string>& subset = {}) const;
  /// Indices of the rows drop_duplicates keeps.
  std::vector<std::size_t> unique_rows(const std::vector<std::string>& subset = {}) const;

  /// The named numeric columns as a rows x names.size() matrix.
  matrix<double> to_matrix(const std::vector<std::string>& names) const;

  /// For a table read from a file: the 1-based line where each row starts (empty otherwise).
  const std::vector<std::uint64_t>& source_lines() const noexcept { return lines_; }
  void set_source_lines(std::vector<std::uint64_t> lines);

  friend bool operator==(const table& a, const table& b);

 private:
  struct column {
    std::string name;
    column_type type = column_type::numeric;
    vector<double> num;
    categorical_column cat;
  };
  struct column_key {  // the keys of index_: column k's name
    const std::vector<column>* columns;
    std::string_view operator()(std::size_t k) const { return (*columns)[k].name; }
  };
  column_key column_name() const { return {&columns_}; }
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  std::size_t find(std::string_view name) const { return index_.find(name, column_name()).value_or(npos); }
  const column& at(std::string_view name) const;
  void check_new(const std::string& name, std::size_t n) const;
  [[noreturn]] void missing_column(std::string_view name) const;
  static bool cell_equal(const column& a, std::size_t i, const column& b, std::size_t j);
  table take_unchecked(const std::vector<std::size_t>& rows) const;

  std::vector<column> columns_;
  detail::id_index index_;  // column name -> position in columns_
  std::size_t rows_ = 0;
  std::vector<std::uint64_t> lines_;
};

// ---------------------------------------------------------------------------------------

inline std::vector<std::string> table::names() const {
  std::vector<std::string> out;
  out.reserve(columns_.size());
  for (const auto& c : columns_) out.push_back(c.name);
  return out;
}

inline void table::missing_column(std::string_view name) const {
  std::vector<std::string> all;
  for (const auto& c : columns_) all.push_back(c.name);
  throw invalid_argument("table: no column '" + std::string(name) + "' " + detail::column_list(all));
}

inline const table::column& table::at(std::string_view name) const {
  const std::size_t i = find(name);
  if (i == npos) missing_column(name);
  return columns_[i];
}

inline const vector<double>& table::numeric(std::string_view name) const {
  const column& c = at(name);
  if (c.type != column_type::numeric) {
    throw invalid_argument("table: column '" + std::string(name) +
                           "' is categorical, expected numeric");
  }
  return c.num;
}

inline const categorical_column& table::categorical(std::string_view name) const {
  const column& c = at(name);
  if (c.type != column_type::categorical) {
    throw invalid_argument("table: column '" + std::string(name) +
                           "' is numeric, expected categorical");
  }
  return c.cat;
}

inline void table::check_new(const std::string& name, std::size_t n) const {
  if (find(name) != npos) throw invalid_argument("table: a column named '" + name + "' already exists");
  if (!columns_.empty() && n != rows_) {
    throw shape_error("table: column '" + name + "' has " + std::to_string(n) +
                      " rows, expected " + std::to_string(rows_) + " as the other columns");
  }
}

inline void table::reserve_columns(std::size_t n) {
  columns_.reserve(n);
  index_.reserve(n, column_name());
}

inline table& table::add_numeric(std::string name, vector<double> values) {
  check_new(name, values.size());
  rows_ = values.size();
  columns_.push_back(column{std::move(name), column_type::numeric, std::move(values), {}});
  index_.insert(columns_.size() - 1, column_name());
  return *this;
}

inline table& table::add_categorical(std::string name, categorical_column col) {
  check_new(name, col.codes.size());
  const auto n_levels = static_cast<std::int64_t>(col.levels.size());
  for (std::size_t i = 0; i < col.codes.size(); ++i) {
    if (col.codes[i] < -1 || col.codes[i] >= n_levels) {
      throw invalid_argument("table: column '" + name + "' row " + std::to_string(i) +
                             " has code " + std::to_string(col.codes[i]) + ", expected -1 to " +
                             std::to_string(n_levels - 1));
    }
  }
  rows_ = col.codes.size();
  columns_.push_back(column{std::move(name), column_type::categorical, {}, std::move(col)});
  index_.insert(columns_.size() - 1, column_name());
  return *this;
}

inline void table::set_source_lines(std::vector<std::uint64_t> lines) {
  if (!lines.empty() && lines.size() != rows_) {
    throw shape_error("table: " + std::to_string(lines.size()) + " source lines for " +
                      std::to_string(rows_) + " rows");
  }
  lines_ = std::move(lines);
}

inline table table::select(const std::vector<std::string>& names) const {
  table out;
  for (const auto& n : names) {
    const column& c = at(n);
    if (c.type == column_type::numeric) out.add_numeric(c.name, c.num);
    else out.add_categorical(c.name, c.cat);
  }
  out.rows_ = rows_;
  out.lines_ = lines_;
  return out;
}

inline table table::drop(const std::vector<std::string>& names) const {
  for (const auto& n : names) (void)at(n);
  std::vector<std::string> keep;
  for (const auto& c : columns_) {
    if (std::find(names.begin(), names.end(), c.name) == names.end()) keep.push_back(c.name);
  }
  return select(keep);
}

inline table table::take_unchecked(const std::vector<std::size_t>& rows) const {
  table out;
  const std::size_t n = rows.size();
  for (const auto& c : columns_) {
    if (c.type == column_type::numeric) {
      vector<double> v = vector<double>::from_shape({n});
      for (std::size_t i = 0; i < n; ++i) v(i) = c.num(rows[i]);
      out.add_numeric(c.name, std::move(v));
    } else {
      categorical_column cc;
      cc.levels = c.cat.levels;
      cc.codes.resize(n);
      for (std::size_t i = 0; i < n; ++i) cc.codes[i] = c.cat.codes[rows[i]];
      out.add_categorical(c.name, std::move(cc));
    }
  }
  out.rows_ = n;
  if (!lines_.empty()) {
    out.lines_.resize(n);
    for (std::size_t i = 0; i < n; ++i) out.lines_[i] = lines_[rows[i]];
  }
  return out;
}

inline table table::take(const std::vector<std::size_t>& rows) const {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] >= rows_) {
      throw shape_error("table.take: row index " + std::to_string(rows[i]) + " at position " +
                        std::to_string(i) + " is out of range (table has " +
                        std::to_string(rows_) + " rows)");
    }
  }
  return take_unchecked(rows);
}

inline table table::filter(const std::vector<bool>& mask) const {
  if (mask.size() != rows_) {
    throw shape_error("table.filter: mask has " + std::to_string(mask.size()) +
                      " entries, expected one per row (" + std::to_string(rows_) + ")");
  }
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (mask[i]) rows.push_back(i);
  }
  return take_unchecked(rows);
}

inline bool table::cell_equal(const column& a, std::size_t i, const column& b, std::size_t j) {
  if (a.type == column_type::numeric) {
    const double x = a.num(i), y = b.num(j);
    return x == y || (std::isnan(x) && std::isnan(y));
  }
  const std::string* x = a.cat.value(i);
  const std::string* y = b.cat.value(j);
  return (x == nullptr || y == nullptr) ? x == y : *x == *y;
}

inline std::vector<std::size_t> table::unique_rows(const std::vector<std::string>& subset) const {
  std::vector<const column*> cols;
  if (subset.empty()) {
    for (const auto& c : columns_) cols.push_back(&c);
  } else {
    for (const auto& n : subset) cols.push_back(&at(n));
  }
  // Hash each row (NaN hashed as one value, -0.0 as 0.0), then confirm equality.
  std::vector<std::uint64_t> h(rows_, 0x9e3779b97f4a7c15ULL);
  for (const column* c : cols) {
    for (std::size_t i = 0; i < rows_; ++i) {
      std::uint64_t v;
      if (c->type == column_type::numeric) {
        double x = c->num(i);
        if (std::isnan(x)) x = std::numeric_limits<double>::quiet_NaN();
        if (x == 0.0) x = 0.0;
        std::memcpy(&v, &x, sizeof v);
      } else {
        v = static_cast<std::uint64_t>(static_cast<std::int64_t>(c->cat.codes[i]));
      }
      std::uint64_t z = h[i] ^ (v + 0x9e3779b97f4a7c15ULL + (h[i] << 6) + (h[i] >> 2));
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      h[i] = z ^ (z >> 27);
    }
  }
  std::unordered_multimap<std::uint64_t, std::size_t> seen;
  seen.reserve(rows_);
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < rows_; ++i) {
    bool dup = false;
    auto [lo, hi] = seen.equal_range(h[i]);
    for (auto it = lo; it != hi && !dup; ++it) {
      bool same = true;
      for (const column* c : cols) {
        // Within one column, equal codes mean equal values.
        if (!cell_equal(*c, i, *c, it->second)) {
          same = false;
          break;
        }
      }
      dup = same;
    }
    if (!dup) {
      seen.emplace(h[i], i);
      keep.push_back(i);
    }
  }
  return keep;
}

inline table table::drop_duplicates(const std::vector<std::string>& subset) const {
  return take_unchecked(unique_rows(subset));
}

inline matrix<double> table::to_matrix(const std::vector<std::string>& names) const {
  std::vector<const vector<double>*> cols;
  for (const auto& n : names) cols.push_back(&numeric(n));
  const std::size_t d = cols.size();
  matrix<double> X = matrix<double>::from_shape({rows_, d});
  double* x = X.data();
  for (std::size_t j = 0; j < d; ++j) {
    const double* c = cols[j]->data();
    for (std::size_t i = 0; i < rows_; ++i) x[i * d + j] = c[i];
  }
  return X;
}

inline bool operator==(const table& a, const table& b) {
  if (a.rows_ != b.rows_ || a.columns_.size() != b.columns_.size()) return false;
  for (std::size_t j = 0; j < a.columns_.size(); ++j) {
    const auto& x = a.columns_[j];
    const auto& y = b.columns_[j];
    if (x.name != y.name || x.type != y.type) return false;
    for (std::size_t i = 0; i < a.rows_; ++i) {
      if (!table::cell_equal(x, i, y, i)) return false;
    }
  }
  return true;
}

}  // namespace clm
