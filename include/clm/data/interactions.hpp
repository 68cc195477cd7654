#pragma once
// Sparse user x item data for recommendation.
//
// clm::interactions: a csr_matrix of users x items with the string <->
// index maps of both kept beside it. Built from (user, item, value) triples or from a
// table; duplicate (user, item) pairs are summed or rejected, as the user chooses. Explicit
// data keeps the given values (ratings); implicit data counts events (value = number of
// occurrences, or the sum of the given weights).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/data/csr_matrix.hpp"
#include "clm/data/table.hpp"

namespace clm {

enum class duplicate_policy : std::uint8_t { sum, reject };
enum class feedback : std::uint8_t { explicit_ratings, implicit_counts };

struct interactions_options {
  duplicate_policy duplicates = duplicate_policy::sum;
  feedback kind = feedback::explicit_ratings;
};

class interactions {
 public:
  interactions() = default;

  /// From parallel arrays. `values` may be empty for implicit data (each event counts 1).
  /// Throws shape_error (lengths differ), invalid_argument (a duplicate pair when
  /// duplicates are rejected, a non-finite value, an empty id).
  static interactions from_triples(const std::vector<std::string>& users,
                                   const std::vector<std::string>& items,
                                   const std::vector<double>& values = {},
                                   const interactions_options& opts = {});

  /// From table columns; `value_column` may be empty for implicit counts. Rows with a
  /// missing user or item are an error.
  static interactions from_table(const table& t, const std::string& user_column,
                                 const std::string& item_column, const std::string& value_column = "",
                                 const interactions_options& opts = {});

  const csr_matrix<double>& matrix() const noexcept { return m_; }
  std::size_t n_users() const noexcept { return users_.size(); }
  std::size_t n_items() const noexcept { return items_.size(); }
  std::size_t nnz() const noexcept { return m_.nnz(); }
  feedback kind() const noexcept { return kind_; }
  /// Per stored entry (aligned with matrix().values): the position in the input (triple or
  /// table row) where the (user, item) pair first appeared. The data's own order, which
  /// the models use to break ties (as Surprise does), independent of how ids are numbered.
  const std::vector<std::uint64_t>& entry_order() const noexcept { return order_; }

  const std::vector<std::string>& user_ids() const noexcept { return users_; }
  const std::vector<std::string>& item_ids() const noexcept { return items_; }
  std::optional<std::size_t> user_index(std::string_view id) const { return user_index_.find(id, key(users_)); }
  std::optional<std::size_t> item_index(std::string_view id) const { return item_index_.find(id, key(items_)); }

  /// Items x users: the same data seen from the items' side.
  interactions transpose() const;

  /// The same data over the item ids given, in that order (every item of this data among
  /// them; others have no entries): how several processes' data agree on item indexes.
  /// Throws invalid_argument when an item is missing or an id repeats.
  interactions with_item_ids(std::vector<std::string> items) const;

  /// Saved with the models trained on it (ids, matrix and, from the owner's serial version
  /// 2 on, the entry order; the index maps are rebuilt). Older files get the storage order.
  template <class A>
  void serialize(A& ar) {
    if constexpr (A::loading) {
      // The matrix fixes how many ids follow: a file claiming another count is refused
      // before they are allocated.
      ar(m_);
      ar.expect_count(m_.rows, "interactions: user ids");
      ar(users_);
      ar.expect_count(m_.cols, "interactions: item ids");
      ar(items_, kind_);
      ar.check(kind_ == feedback::explicit_ratings || kind_ == feedback::implicit_counts,
               "interactions: unknown feedback kind");
      ar.check(index_ids(), "interactions: repeated user or item ids");
      if (ar.version() >= 2) {
        ar.expect_count(m_.nnz(), "interactions: entry order");
        ar(order_);
      } else {
        order_.resize(m_.nnz());
        for (std::size_t k = 0; k < order_.size(); ++k) order_[k] = k;
      }
    } else {
      ar(m_, users_, items_, kind_);
      if (ar.version() >= 2) ar(order_);
    }
  }

 private:
  static detail::string_at key(const std::vector<std::string>& ids) { return {&ids}; }
  // Builds both id indexes; false when an id repeats.
  bool index_ids() {
    return user_index_.build(users_.size(), key(users_)) && item_index_.build(items_.size(), key(items_));
  }
  static interactions build(std::vector<std::string> users, std::vector<std::string> items,
                            const std::vector<std::int32_t>& u, const std::vector<std::int32_t>& i,
                            const std::vector<double>& values, const interactions_options& opts);

  csr_matrix<double> m_;
  std::vector<std::string> users_, items_;
  detail::id_index user_index_, item_index_;  // into users_, items_
  feedback kind_ = feedback::explicit_ratings;
  std::vector<std::uint64_t> order_;  // per entry: input position of the pair's first appearance
};

// ---------------------------------------------------------------------------------------

inline interactions interactions::build(std::vector<std::string> users, std::vector<std::string> items,
                                        const std::vector<std::int32_t>& u,
                                        const std::vector<std::int32_t>& it,
                                        const std::vector<double>& values,
                                        const interactions_options& opts) {
  const std::size_t n = u.size();
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (!std::isfinite(values[k])) {
      throw invalid_argument("interactions: value " + std::to_string(k) + " is not finite");
    }
  }
  interactions r;
  r.kind_ = opts.kind;
  r.users_ = std::move(users);
  r.items_ = std::move(items);
  if (!r.index_ids()) throw invalid_argument("interactions: repeated user or item ids");

  // Counting sort by user, then sort each row by item and merge duplicates.
  csr_matrix<double>& m = r.m_;
  m.rows = r.users_.size();
  m.cols = r.items_.size();
  std::vector<std::size_t> start(m.rows + 1, 0);
  for (std::size_t k = 0; k < n; ++k) ++start[static_cast<std::size_t>(u[k]) + 1];
  for (std::size_t k = 0; k < m.rows; ++k) start[k + 1] += start[k];
  struct cell {
    std::int32_t item;
    double value;
    std::uint64_t position;
  };
  std::vector<cell> cells(n);
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t k = 0; k < n; ++k) {
      cells[fill[static_cast<std::size_t>(u[k])]++] = {it[k], values.empty() ? 1.0 : values[k], k};
    }
  }
  m.indptr.assign(m.rows + 1, 0);
  m.indices.reserve(n);
  m.values.reserve(n);
  r.order_.reserve(n);
  for (std::size_t row = 0; row < m.rows; ++row) {
    const auto b = cells.begin() + static_cast<std::ptrdiff_t>(start[row]);
    const auto e = cells.begin() + static_cast<std::ptrdiff_t>(start[row + 1]);
    // Stable: a repeated pair keeps its first appearance first.
    std::stable_sort(b, e, [](const cell& x, const cell& y) { return x.item < y.item; });
    for (auto c = b; c != e; ++c) {
      if (!m.indices.empty() && m.indices.size() > m.indptr[row] && m.indices.back() == c->item) {
        if (opts.duplicates == duplicate_policy::reject) {
          throw invalid_argument("interactions: user '" + r.users_[row] + "' and item '" +
                                 r.items_[static_cast<std::size_t>(c->item)] +
                                 "' appear more than once (duplicates are rejected)");
        }
        m.values.back() += c->value;
      } else {
        m.indices.push_back(c->item);
        m.values.push_back(c->value);
        r.order_.push_back(c->position);
      }
    }
    m.indptr[row + 1] = m.indices.size();
  }
  return r;
}

inline interactions interactions::with_item_ids(std::vector<std::string> items) const {
  interactions r;
  r.kind_ = kind_;
  r.users_ = users_;
  r.items_ = std::move(items);
  if (!r.index_ids()) throw invalid_argument("interactions.with_item_ids: an item id repeats");
  std::vector<std::int32_t> to(items_.size());
  for (std::size_t j = 0; j < items_.size(); ++j) {
    const auto k = r.item_index(items_[j]);
    if (!k) throw invalid_argument("interactions.with_item_ids: item '" + items_[j] + "' is not among the ids given");
    to[j] = static_cast<std::int32_t>(*k);
  }
  r.m_.rows = m_.rows;
  r.m_.cols = r.items_.size();
  r.m_.indptr = m_.indptr;
  r.m_.indices.resize(m_.nnz());
  r.m_.values.resize(m_.nnz());
  r.order_.resize(m_.nnz());
  std::vector<std::size_t> perm;
  for (std::size_t row = 0; row < m_.rows; ++row) {  // each row's entries by their new index
    const std::size_t b = m_.indptr[row], e = m_.indptr[row + 1];
    perm.resize(e - b);
    std::iota(perm.begin(), perm.end(), b);
    std::sort(perm.begin(), perm.end(), [&](std::size_t x, std::size_t y) {
      return to[static_cast<std::size_t>(m_.indices[x])] < to[static_cast<std::size_t>(m_.indices[y])];
    });
    for (std::size_t k = 0; k < perm.size(); ++k) {
      r.m_.indices[b + k] = to[static_cast<std::size_t>(m_.indices[perm[k]])];
      r.m_.values[b + k] = m_.values[perm[k]];
      r.order_[b + k] = order_[perm[k]];
    }
  }
  return r;
}

inline interactions interactions::from_triples(const std::vector<std::string>& users,
                                               const std::vector<std::string>& items,
                                               const std::vector<double>& values,
                                               const interactions_options& opts) {
  if (users.size() != items.size() || (!values.empty() && values.size() != users.size())) {
    throw shape_error("interactions: " + std::to_string(users.size()) + " users, " +
                      std::to_string(items.size()) + " items and " + std::to_string(values.size()) +
                      " values; expected as many of each (values may be empty)");
  }
  detail::level_builder ub, ib;
  std::vector<std::int32_t> u(users.size()), it(items.size());
  for (std::size_t k = 0; k < users.size(); ++k) {
    if (users[k].empty() || items[k].empty()) {
      throw invalid_argument("interactions: triple " + std::to_string(k) + " has an empty user or item id");
    }
    u[k] = ub.code(users[k]);
    it[k] = ib.code(items[k]);
  }
  return build(ub.take_levels(), ib.take_levels(), u, it, values, opts);
}

inline interactions interactions::from_table(const table& t, const std::string& user_column,
                                             const std::string& item_column,
                                             const std::string& value_column,
                                             const interactions_options& opts) {
  const categorical_column& uc = t.categorical(user_column);
  const categorical_column& ic = t.categorical(item_column);
  std::vector<double> values;
  if (!value_column.empty()) {
    const auto& v = t.numeric(value_column);
    values.assign(v.begin(), v.end());
  }
  const auto& lines = t.source_lines();
  for (std::size_t k = 0; k < t.rows(); ++k) {
    if (uc.codes[k] < 0 || ic.codes[k] < 0) {
      throw invalid_argument("interactions: row " + std::to_string(k) +
                             (lines.empty() ? std::string() : " (line " + std::to_string(lines[k]) + ")") +
                             " has a missing user or item");
    }
  }
  return build(uc.levels, ic.levels, uc.codes, ic.codes, values, opts);
}

inline interactions interactions::transpose() const {
  interactions r;
  r.m_ = m_.transpose();
  r.order_ = m_.transpose_aligned(order_);
  r.users_ = items_;
  r.items_ = users_;
  r.user_index_ = item_index_;
  r.item_index_ = user_index_;
  r.kind_ = kind_;
  return r;
}

}  // namespace clm
