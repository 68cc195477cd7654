#pragma once
// clm::one_hot_encoder — one 0/1 column per category of each categorical table column, as
// scikit-learn's OneHotEncoder: transform gives a dense matrix (sparse_output=False),
// transform_sparse the same encoding as a csr_matrix (scikit-learn's default), which stores
// one entry per row and encoded column instead of the whole width.
//
// - Categories are learned at fit: the values that occur, sorted; a missing value seen at
//   fit is a category of its own, placed last (named "<column>_nan", as scikit-learn).
// - unknown = error (default): a value not seen at fit is clm::invalid_argument naming the
//   column, row and value; unknown = ignore: its columns are all zero.
// - drop = none | first (drop each column's first category) | if_binary (only for columns
//   with exactly two categories). A dropped category encodes as all zeros.
// - Output names: "<column>_<category>".
// Input: a clm::table; the columns are the given `columns`, or every categorical column of
// the fit table, in table order. Other columns are ignored.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/data/csr_matrix.hpp"
#include "clm/data/table.hpp"
#include "clm/preprocessing/detail/categories.hpp"

namespace clm {

enum class unknown_category : std::uint8_t { error, ignore };
enum class drop_category : std::uint8_t { none, first, if_binary };

struct one_hot_encoder_params {
  std::vector<std::string> columns;  ///< empty: every categorical column at fit
  unknown_category unknown = unknown_category::error;
  drop_category drop = drop_category::none;

  void validate() const {
    require_param(static_cast<int>(unknown) <= 1, "one_hot_encoder", "unknown", static_cast<int>(unknown),
                  "error or ignore");
    require_param(static_cast<int>(drop) <= 2, "one_hot_encoder", "drop", static_cast<int>(drop),
                  "none, first or if_binary");
  }
  friend bool operator==(const one_hot_encoder_params&, const one_hot_encoder_params&) = default;
};

template <class T = double>
class one_hot_encoder {
 public:
  using value_type = T;
  using params_type = one_hot_encoder_params;
  static constexpr const char* name = "one_hot_encoder";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }

  one_hot_encoder() = default;
  explicit one_hot_encoder(const params_type& p) : params_(p) { params_.validate(); }

  const params_type& params() const noexcept { return params_; }
  bool fitted() const noexcept { return state_.has_value(); }

  one_hot_encoder& fit(const table& t) {
    local_communicator one;
    return fit(one, t);
  }

  /// The fit of the rows held across the ranks of `comm` (clm/distributed/communicator.hpp):
  /// the categories of all ranks' rows, the same on every rank (see learn_categories).
  template <communicator C>
  one_hot_encoder& fit(C& comm, const table& t) {
    state s;
    s.categories = detail::learn_categories(comm, t, params_.columns, name,
                                            distributed::fingerprint(params_.unknown, params_.drop).value());
    for (const auto& cat : s.categories) {
      const bool drop = params_.drop == drop_category::first ||
                        (params_.drop == drop_category::if_binary && cat.size() == 2);
      s.dropped.push_back(drop ? 0 : -1);
    }
    state_ = std::move(s);
    return *this;
  }

  matrix<T> transform(const table& t) const {
    const auto e = encode(t);
    const std::size_t n = t.rows();
    matrix<T> out = detail::empty_matrix<T>(n, e.width);  // huge-page backed when large
    std::fill(out.begin(), out.end(), T(0));
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t c = 0; c < e.columns; ++c) {
        if (const auto j = e.cells[i * e.columns + c]; j >= 0) out(i, static_cast<std::size_t>(j)) = T(1);
      }
    }
    return out;
  }

  /// The encoding of transform as compressed sparse rows (column indices increasing in
  /// each row, every stored value 1).
  csr_matrix<T> transform_sparse(const table& t) const {
    const auto e = encode(t);
    const std::size_t n = t.rows();
    csr_matrix<T> out;
    out.rows = n;
    out.cols = e.width;
    out.indptr.resize(n + 1);
    out.indices.reserve(e.cells.size());
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t c = 0; c < e.columns; ++c) {
        if (const auto j = e.cells[i * e.columns + c]; j >= 0) out.indices.push_back(j);
      }
      out.indptr[i + 1] = out.indices.size();
    }
    out.values.assign(out.indices.size(), T(1));
    return out;
  }

  matrix<T> fit_transform(const table& t) { return fit(t).transform(t); }
  csr_matrix<T> fit_transform_sparse(const table& t) { return fit(t).transform_sparse(t); }

  /// Per input column, its categories (missing, when a category, is not listed here; see
  /// feature_names_out).
  std::vector<std::vector<std::string>> categories() const {
    std::vector<std::vector<std::string>> out;
    for (const auto& c : get().categories) out.push_back(c.values);
    return out;
  }
  std::vector<std::string> columns() const {
    std::vector<std::string> out;
    for (const auto& c : get().categories) out.push_back(c.column);
    return out;
  }

  feature_names feature_names_out() const {
    const state& s = get();
    feature_names out;
    for (std::size_t c = 0; c < s.categories.size(); ++c) {
      const auto& cat = s.categories[c];
      for (std::size_t k = 0; k < cat.size(); ++k) {
        if (static_cast<std::int64_t>(k) == s.dropped[c]) continue;
        out.push_back(cat.column + "_" + (k < cat.values.size() ? cat.values[k] : std::string("nan")));
      }
    }
    return out;
  }

  template <class A>
  void serialize(A& ar) {
    ar(params_.columns, params_.unknown, params_.drop, state_);
    if constexpr (A::loading) params_.validate();
  }

 private:
  struct state {
    std::vector<detail::column_categories> categories;
    std::vector<std::int64_t> dropped;  ///< per column: the dropped category, or -1
    template <class A>
    void serialize(A& ar) {
      ar(categories, dropped);
      ar.check(!categories.empty() && dropped.size() == categories.size(), "one_hot_encoder: inconsistent state");
      for (std::size_t c = 0; c < categories.size(); ++c) {
        ar.check(dropped[c] >= -1 && dropped[c] < static_cast<std::int64_t>(categories[c].size()),
                 "one_hot_encoder: dropped category out of range");
      }
    }
  };

  const state& get() const {
    check_fitted(state_.has_value(), name);
    return *state_;
  }
  struct encoding {
    std::size_t width = 0;            ///< output columns
    std::size_t columns = 0;          ///< encoded input columns
    std::vector<std::int32_t> cells;  ///< row-major n x columns: the output column, or -1
  };

  /// Each row's output column per input column (-1: an ignored unknown or a dropped
  /// category); throws on an unknown category when unknown = error.
  encoding encode(const table& t) const {
    const state& s = get();
    const std::size_t n = t.rows(), m = s.categories.size();
    encoding e;
    e.columns = m;
    e.cells.resize(n * m);
    for (std::size_t c = 0; c < m; ++c) {
      const auto& cat = s.categories[c];
      const auto idx = detail::category_indices(t, cat, name);
      const std::int64_t dropped = s.dropped[c];
      for (std::size_t i = 0; i < n; ++i) {
        std::int64_t k = idx[i];
        if (k < 0 && params_.unknown == unknown_category::error) {
          throw invalid_argument("one_hot_encoder.transform: column '" + cat.column + "', row " + std::to_string(i) +
                                 ": " + detail::describe_value(t, cat.column, i) +
                                 " was not seen at fit; expected one of the fitted categories (or unknown = ignore)");
        }
        if (k < 0 || k == dropped) {
          e.cells[i * m + c] = -1;
          continue;
        }
        if (dropped >= 0 && k > dropped) --k;
        e.cells[i * m + c] = static_cast<std::int32_t>(e.width + static_cast<std::size_t>(k));
      }
      e.width += out_width(c);
    }
    return e;
  }

  std::size_t out_width(std::size_t c) const {
    return state_->categories[c].size() - (state_->dropped[c] >= 0 ? 1 : 0);
  }

  params_type params_{};
  std::optional<state> state_;
};

}  // namespace clm
