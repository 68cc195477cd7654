#pragma once
// clm::ordinal_encoder — each categorical table column to one column of category indices
// (0, 1, ... in sorted category order), as scikit-learn's OrdinalEncoder.
//
// A missing value encodes as NaN (scikit-learn's encoded_missing_value default). A value
// not seen at fit is an error naming the column, row and value, or, with
// unknown = use_value, encodes as `unknown_value` (e.g. -1 or NaN).
// Input: a clm::table; the columns are `columns`, or every categorical column at fit.

#include <cmath>
#include <cstdint>
#include <optional>
#include <limits>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/data/table.hpp"
#include "clm/preprocessing/detail/categories.hpp"

namespace clm {

enum class unknown_ordinal : std::uint8_t { error, use_value };

struct ordinal_encoder_params {
  std::vector<std::string> columns;  ///< empty: every categorical column at fit
  unknown_ordinal unknown = unknown_ordinal::error;
  double unknown_value = -1.0;

  void validate() const {
    require_param(static_cast<int>(unknown) <= 1, "ordinal_encoder", "unknown", static_cast<int>(unknown),
                  "error or use_value");
  }
  friend bool operator==(const ordinal_encoder_params& a, const ordinal_encoder_params& b) {
    return a.columns == b.columns && a.unknown == b.unknown &&
           (a.unknown_value == b.unknown_value || (std::isnan(a.unknown_value) && std::isnan(b.unknown_value)));
  }
};

template <class T = double>
class ordinal_encoder {
 public:
  using value_type = T;
  using params_type = ordinal_encoder_params;
  static constexpr const char* name = "ordinal_encoder";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }

  ordinal_encoder() = default;
  explicit ordinal_encoder(const params_type& p) : params_(p) { params_.validate(); }

  const params_type& params() const noexcept { return params_; }
  bool fitted() const noexcept { return state_.has_value(); }

  ordinal_encoder& fit(const table& t) {
    local_communicator one;
    return fit(one, t);
  }

  /// The fit of the rows held across the ranks of `comm` (clm/distributed/communicator.hpp):
  /// the categories of all ranks' rows, the same on every rank (see learn_categories).
  template <communicator C>
  ordinal_encoder& fit(C& comm, const table& t) {
    auto cats = detail::learn_categories(comm, t, params_.columns, name,
                                         distributed::fingerprint(params_.unknown, params_.unknown_value).value());
    for (auto& c : cats) c.missing = false;  // missing encodes as NaN, not as a category
    state_ = std::move(cats);
    return *this;
  }

  matrix<T> transform(const table& t) const {
    const auto& cats = get();
    const std::size_t n = t.rows(), d = cats.size();
    matrix<T> out = detail::empty_matrix<T>(n, d);
    for (std::size_t c = 0; c < d; ++c) {
      const auto idx = detail::category_indices(t, cats[c], name);
      const auto& codes = t.categorical(cats[c].column).codes;
      for (std::size_t i = 0; i < n; ++i) {
        T v;
        if (codes[i] < 0) {
          v = std::numeric_limits<T>::quiet_NaN();
        } else if (idx[i] >= 0) {
          v = static_cast<T>(idx[i]);
        } else if (params_.unknown == unknown_ordinal::use_value) {
          v = static_cast<T>(params_.unknown_value);
        } else {
          throw invalid_argument("ordinal_encoder.transform: column '" + cats[c].column + "', row " +
                                 std::to_string(i) + ": " + detail::describe_value(t, cats[c].column, i) +
                                 " was not seen at fit; expected one of the fitted categories "
                                 "(or unknown = use_value)");
        }
        out(i, c) = v;
      }
    }
    return out;
  }

  matrix<T> fit_transform(const table& t) { return fit(t).transform(t); }

  std::vector<std::vector<std::string>> categories() const {
    std::vector<std::vector<std::string>> out;
    for (const auto& c : get()) out.push_back(c.values);
    return out;
  }
  feature_names feature_names_out() const {
    feature_names out;
    for (const auto& c : get()) out.push_back(c.column);
    return out;
  }

  template <class A>
  void serialize(A& ar) {
    ar(params_.columns, params_.unknown, params_.unknown_value, state_);
    if constexpr (A::loading) {
      params_.validate();
      if (state_) ar.check(!state_->empty(), "ordinal_encoder: no columns");
    }
  }

 private:
  const std::vector<detail::column_categories>& get() const {
    check_fitted(state_.has_value(), name);
    return *state_;
  }

  params_type params_{};
  std::optional<std::vector<detail::column_categories>> state_;
};

}  // namespace clm
