#pragma once
// clm::simple_imputer — replace missing values (NaN) per column, as scikit-learn's
// SimpleImputer: by the column's mean, median or most frequent value (ties: the smallest),
// or by a constant.
//
// A column with no value at fit cannot be imputed from data: `empty_columns` says whether
// that is an error (the default; scikit-learn would drop it with a warning) or the column
// is dropped from the output (feature_names_out says which remain). Never a silent NaN.
// With strategy constant, every column is kept.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "clm/distributed/communicator.hpp"
#include "clm/distributed/statistics.hpp"
#include "clm/preprocessing/detail/columnwise.hpp"

namespace clm {

enum class impute_strategy : std::uint8_t { mean, median, most_frequent, constant };
enum class empty_column_policy : std::uint8_t { error, drop };

struct simple_imputer_params {
  impute_strategy strategy = impute_strategy::mean;
  double fill_value = 0.0;  ///< for strategy constant
  empty_column_policy empty_columns = empty_column_policy::error;

  void validate() const {
    require_param(static_cast<int>(strategy) <= 3, "simple_imputer", "strategy", static_cast<int>(strategy),
                  "mean, median, most_frequent or constant");
    require_param(static_cast<int>(empty_columns) <= 1, "simple_imputer", "empty_columns",
                  static_cast<int>(empty_columns), "error or drop");
    require_param(std::isfinite(fill_value), "simple_imputer", "fill_value", fill_value, "finite");
  }
  friend bool operator==(const simple_imputer_params&, const simple_imputer_params&) = default;
};

namespace detail {
template <class T>
struct imputer_state {
  std::size_t n_features_in = 0;
  vector<T> statistics;              ///< per input column; NaN for a dropped column
  std::vector<std::uint64_t> kept;   ///< input columns present in the output
  template <class A>
  void serialize(A& ar) {
    ar(n_features_in, statistics, kept);
    ar.check(n_features_in > 0 && statistics.size() == n_features_in && kept.size() <= n_features_in,
             "simple_imputer: statistics of different lengths");
    ar.check(kept_valid(kept, n_features_in), "simple_imputer: kept columns out of range or not increasing");
    for (auto j : kept) {
      ar.check(std::isfinite(statistics(static_cast<std::size_t>(j))), "simple_imputer: a kept column without a statistic");
    }
  }
};
}  // namespace detail

template <class T = double>
class simple_imputer
    : public detail::transformer_base<simple_imputer<T>, simple_imputer_params, detail::imputer_state<T>, T> {
  using base = detail::transformer_base<simple_imputer<T>, simple_imputer_params, detail::imputer_state<T>, T>;

 public:
  static constexpr const char* name = "simple_imputer";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }
  using base::base;

  template <class E>
  simple_imputer& fit(const E& X_in) {
    local_communicator one;
    return fit(one, X_in);
  }

  /// The fit on the rows held across the ranks of `comm`, each rank its own (possibly none):
  /// the statistics of all rows together - means from column sums added over the ranks in
  /// rank order, medians and most frequent values exact (clm/distributed/statistics.hpp).
  template <communicator C, class E>
  simple_imputer& fit(C& comm, const E& X_in) {
    constexpr bool one_process = std::is_same_v<C, local_communicator>;
    const std::string what = base::subject("fit");
    matrix<T> X_value;
    const matrix<T>* X_ptr = nullptr;
    distributed::run_agreed(comm, what, [&] {
      decltype(auto) Xe = evaluate<T, 2>(X_in, what);
      if constexpr (one_process) check_nonempty(Xe, what);
      base::report_values(Xe, "fit", true);
      if constexpr (std::is_lvalue_reference_v<decltype(Xe)>) {
        X_ptr = &Xe;
      } else {
        X_value = std::move(Xe);
        X_ptr = &X_value;
      }
    });
    const matrix<T>& X = *X_ptr;
    const std::size_t d = X.shape()[1];
    const auto& p = this->params_;
    if constexpr (!one_process) {
      distributed::same_everywhere(comm, what + ": the parameters and the column count",
                                   distributed::fingerprint(p.strategy, p.fill_value, p.empty_columns, d).value());
      if (distributed::detail::total_count(comm, X.shape()[0]) == 0) {
        throw shape_error(what + ": X has no rows on any rank");
      }
    }
    detail::imputer_state<T> s;
    s.n_features_in = d;
    s.statistics = vector<T>::from_shape({d});
    std::vector<double> sum;
    std::vector<std::uint64_t> count;
    if (p.strategy == impute_strategy::mean) {
      detail::column_sums(X, sum, count);
      detail::reduce_column_sums(comm, sum, count);
    }
    for (std::size_t j = 0; j < d; ++j) {
      double stat = std::numeric_limits<double>::quiet_NaN();
      if (p.strategy == impute_strategy::constant) {
        stat = p.fill_value;
      } else if (p.strategy == impute_strategy::mean) {
        if (count[j] > 0) stat = sum[j] / static_cast<double>(count[j]);
      } else {
        const std::vector<double> v = detail::column_values(X, j);
        stat = p.strategy == impute_strategy::median ? distributed::median(comm, v) : distributed::mode(comm, v);
      }
      if (std::isnan(stat)) {
        if (p.empty_columns == empty_column_policy::error) {
          throw invalid_argument("simple_imputer.fit: column " + std::to_string(j) +
                                 " has no value to learn from (all missing); expected at least one, "
                                 "or empty_columns = drop");
        }
      } else {
        s.kept.push_back(j);
      }
      s.statistics(j) = static_cast<T>(stat);
    }
    if (s.kept.empty()) throw invalid_argument("simple_imputer.fit: every column is all missing");
    this->state_ = std::move(s);
    return *this;
  }

  template <class E>
  matrix<T> transform(const E& X_in) const {
    decltype(auto) X = this->fitted_input(X_in, "transform");
    const auto& s = this->get();
    const std::size_t n = X.shape()[0], d = X.shape()[1], k = s.kept.size();
    matrix<T> out = detail::empty_matrix<T>(n, k);
    for (std::size_t i = 0; i < n; ++i) {
      const T* x = X.data() + i * d;
      T* y = out.data() + i * k;
      for (std::size_t c = 0; c < k; ++c) {
        const auto j = static_cast<std::size_t>(s.kept[c]);
        y[c] = std::isnan(x[j]) ? s.statistics(j) : x[j];
      }
    }
    return out;
  }

  /// Per input column, the value that replaces a missing one (NaN for a dropped column).
  const vector<T>& statistics() const { return this->get().statistics; }
  feature_names feature_names_out(const feature_names& input = {}) const {
    return detail::kept_names(input, this->n_features_in(), this->get().kept, name);
  }

  template <class A>
  void serialize(A& ar) {
    auto& p = this->params_;
    ar(p.strategy, p.fill_value, p.empty_columns, this->state_);
    if constexpr (A::loading) p.validate();
  }
};

}  // namespace clm
