#pragma once
// clm::rfm_segments: R, F and M scores 1-5 and the named segments of the usual RFM map.
//
//   fit(table)          learns quintile edges (numpy's linear quantiles at 20, 40, 60, 80 %)
//                       of the recency, frequency and monetary columns (names in params;
//                       rfm_features() writes them), unless the params give the edges
//   fit(summary)        the same on rfm_features(summary)
//   transform(table)    n x 3 scores (R, F, M): F and M score 1 + the number of edges below
//                       the value; R is reversed (a recent buyer, small recency, scores 5)
//   segments(table)     the segment name of each row
//   segment_of(r, f, m) the map itself
//   profile(names, table, columns)  per segment: customers, share and the mean of each column
//
// The map: rules tried in this order, the first that holds names the customer (specific
// rules first, so every segment is reachable; the segment names and score ranges are those
// of the common RFM table, e.g. the R package rfm's, with Lost split from Hibernating):
//
//   segment             R      F      M      example
//   Champions           4-5    4-5    4-5    (5, 5, 5)
//   Can't lose          1      4-5    4-5    (1, 5, 5)
//   Lost                1      1      1      (1, 1, 1)
//   New                 4-5    1      1      (5, 1, 1)
//   Promising           3-4    1      1      (3, 1, 1)
//   Loyal               2-5    3-5    3-5    (3, 3, 3)
//   Need attention      2-3    2-3    2-3    (2, 2, 2)
//   Potential loyalist  3-5    1-3    1-3    (4, 2, 2)
//   At risk             1-2    2-5    2-5    (1, 3, 3)
//   About to sleep      2-3    1-2    1-2    (2, 1, 1)
//   Hibernating         1-2    1-2    1-2    (1, 2, 1)
//   Other               anything else        (3, 1, 5)
//
// Many tied values (most customers with frequency 0, say) make edges coincide; scores then
// skip values, as with pandas' qcut on duplicate edges. Missing values: numeric_error.

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/data/table.hpp"
#include "clm/data/transactions.hpp"
#include "clm/distributed/communicator.hpp"
#include "clm/distributed/statistics.hpp"
#include "clm/features/rfm.hpp"
#include "clm/preprocessing/detail/columnwise.hpp"

namespace clm {

struct rfm_segments_params {
  std::string recency = "recency", frequency = "frequency", monetary = "monetary";
  /// Given edges (4 ascending values each); empty: learned quintiles.
  std::vector<double> recency_edges, frequency_edges, monetary_edges;

  void validate() const {
    for (const auto* e : {&recency_edges, &frequency_edges, &monetary_edges}) {
      require_param(e->empty() || (e->size() == 4 && std::is_sorted(e->begin(), e->end())), "rfm_segments",
                    "edges", e->size(), "empty or 4 ascending values");
    }
  }
  friend bool operator==(const rfm_segments_params&, const rfm_segments_params&) = default;
};

struct rfm_rule {
  const char* name;
  int r_lo, r_hi, f_lo, f_hi, m_lo, m_hi;
};

inline constexpr std::array<rfm_rule, 11> rfm_map{{{"Champions", 4, 5, 4, 5, 4, 5},
                                                   {"Can't lose", 1, 1, 4, 5, 4, 5},
                                                   {"Lost", 1, 1, 1, 1, 1, 1},
                                                   {"New", 4, 5, 1, 1, 1, 1},
                                                   {"Promising", 3, 4, 1, 1, 1, 1},
                                                   {"Loyal", 2, 5, 3, 5, 3, 5},
                                                   {"Need attention", 2, 3, 2, 3, 2, 3},
                                                   {"Potential loyalist", 3, 5, 1, 3, 1, 3},
                                                   {"At risk", 1, 2, 2, 5, 2, 5},
                                                   {"About to sleep", 2, 3, 1, 2, 1, 2},
                                                   {"Hibernating", 1, 2, 1, 2, 1, 2}}};

template <class T = double>
class rfm_segments {
 public:
  using value_type = T;
  using params_type = rfm_segments_params;
  static constexpr const char* name = "rfm_segments";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }

  rfm_segments() = default;
  explicit rfm_segments(const params_type& p) : params_(p) { params_.validate(); }

  const params_type& params() const noexcept { return params_; }
  bool fitted() const noexcept { return state_.has_value(); }

  rfm_segments& fit(const table& t) {
    local_communicator one;
    return fit(one, t);
  }

  /// The fit on the customers held across the ranks of `comm`, each rank its own (possibly
  /// none): the quintile edges of all customers together, exactly (clm/distributed/
  /// statistics.hpp), so every rank gets the one-process edges bit for bit.
  template <communicator C>
  rfm_segments& fit(C& comm, const table& t) {
    state_.reset();
    constexpr bool one_process = std::is_same_v<C, local_communicator>;
    std::array<vector<double>, 3> cols;
    distributed::run_agreed(comm, "rfm_segments.fit", [&] {
      if (one_process && t.rows() == 0) throw shape_error("rfm_segments.fit: expected a table with rows, got 0");
      cols = columns(t, "fit");
    });
    distributed::same_everywhere(comm, "rfm_segments.fit: the parameters",
                                 distributed::fingerprint(params_.recency, params_.frequency, params_.monetary,
                                                          params_.recency_edges, params_.frequency_edges,
                                                          params_.monetary_edges)
                                     .value());
    if constexpr (!one_process) {
      if (distributed::detail::total_count(comm, t.rows()) == 0) {
        throw shape_error("rfm_segments.fit: expected a table with rows on some rank, got none on any");
      }
    }
    state s;
    const std::array<const std::vector<double>*, 3> given{&params_.recency_edges, &params_.frequency_edges,
                                                          &params_.monetary_edges};
    static constexpr double quintiles[4] = {0.2, 0.4, 0.6, 0.8};
    for (std::size_t k = 0; k < 3; ++k) {
      s.edges[k] = given[k]->empty()
                       ? distributed::quantiles(comm, std::span<const double>(cols[k].data(), cols[k].size()), quintiles)
                       : *given[k];
    }
    state_ = s;
    return *this;
  }

  /// fit on rfm_features of the summary (on each rank its own customers).
  template <communicator C>
  rfm_segments& fit(C& comm, const customer_summary& s) {
    return fit(comm, rfm_features(s));
  }

  rfm_segments& fit(const customer_summary& s) { return fit(rfm_features(s)); }

  /// R, F, M scores (1-5) per row.
  matrix<T> transform(const table& t) const {
    const auto& s = get();
    const auto cols = columns(t, "transform");
    const std::size_t n = t.rows();
    matrix<T> out = matrix<T>::from_shape({n, 3});
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t k = 0; k < 3; ++k) {
        const auto& e = s.edges[k];
        const auto below = static_cast<int>(std::lower_bound(e.begin(), e.end(), cols[k](i)) - e.begin());
        // F, M: 1 + edges strictly below; R: 5 - edges strictly below (recent scores high).
        out(i, k) = static_cast<T>(k == 0 ? 5 - below : 1 + below);
      }
    }
    return out;
  }

  matrix<T> fit_transform(const table& t) { return fit(t).transform(t); }

  std::vector<std::string> segments(const table& t) const {
    const auto scores = transform(t);
    std::vector<std::string> out(t.rows());
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = segment_of(static_cast<int>(scores(i, 0)), static_cast<int>(scores(i, 1)), static_cast<int>(scores(i, 2)));
    }
    return out;
  }
  std::vector<std::string> segments(const customer_summary& s) const { return segments(rfm_features(s)); }

  static std::string segment_of(int r, int f, int m) {
    for (const auto& rule : rfm_map) {
      if (r >= rule.r_lo && r <= rule.r_hi && f >= rule.f_lo && f <= rule.f_hi && m >= rule.m_lo && m <= rule.m_hi) {
        return rule.name;
      }
    }
    return "Other";
  }

  /// The learned (or given) edges: recency, frequency, monetary.
  const std::array<std::vector<double>, 3>& edges() const { return get().edges; }

  feature_names feature_names_out() const { return {"r_score", "f_score", "m_score"}; }

  template <class A>
  void serialize(A& ar) {
    ar(params_.recency, params_.frequency, params_.monetary, params_.recency_edges, params_.frequency_edges,
       params_.monetary_edges, state_);
    if constexpr (A::loading) params_.validate();
  }

 private:
  struct state {
    std::array<std::vector<double>, 3> edges;
    template <class A>
    void serialize(A& ar) {
      ar(edges);
      for (const auto& e : edges) {
        ar.check(e.size() == 4 && std::is_sorted(e.begin(), e.end()), "rfm_segments: edges are not 4 ascending values");
      }
    }
  };

  const state& get() const {
    check_fitted(state_.has_value(), name);
    return *state_;
  }

  std::array<vector<double>, 3> columns(const table& t, const char* method) const {
    std::array<vector<double>, 3> out;
    const std::array<const std::string*, 3> names{&params_.recency, &params_.frequency, &params_.monetary};
    for (std::size_t k = 0; k < 3; ++k) {
      if (t.type(*names[k]) != column_type::numeric) {
        throw invalid_argument(std::string("rfm_segments.") + method + ": column '" + *names[k] +
                               "' is categorical; expected numeric");
      }
      out[k] = t.numeric(*names[k]);
      check_finite(out[k], std::string("rfm_segments.") + method + ": column " + *names[k]);
    }
    return out;
  }

  params_type params_{};
  std::optional<state> state_;
};

/// Per segment (in order of first appearance): customers, share of all rows, and the mean of
/// each named numeric column (NaN values left out of the mean).
inline table profile(const std::vector<std::string>& segment, const table& t, const std::vector<std::string>& columns) {
  if (segment.size() != t.rows()) {
    throw shape_error("profile: " + std::to_string(segment.size()) + " segment names for a table of " +
                      std::to_string(t.rows()) + " rows; expected one per row");
  }
  std::vector<std::string> order;
  std::map<std::string, std::size_t> index;
  for (const auto& s : segment) {
    if (index.try_emplace(s, order.size()).second) order.push_back(s);
  }
  const std::size_t m = order.size();
  std::vector<double> count(m, 0.0);
  for (const auto& s : segment) count[index[s]] += 1.0;
  table out;
  categorical_column names;
  names.levels = order;
  for (std::size_t g = 0; g < m; ++g) names.codes.push_back(static_cast<std::int32_t>(g));
  out.add_categorical("segment", std::move(names));
  vector<double> customers = vector<double>::from_shape({m}), share = vector<double>::from_shape({m});
  for (std::size_t g = 0; g < m; ++g) {
    customers(g) = count[g];
    share(g) = count[g] / static_cast<double>(segment.size());
  }
  out.add_numeric("customers", customers);
  out.add_numeric("share", share);
  for (const auto& c : columns) {
    if (t.type(c) != column_type::numeric) throw invalid_argument("profile: column '" + c + "' is not numeric");
    const auto& v = t.numeric(c);
    std::vector<double> sum(m, 0.0), seen(m, 0.0);
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (std::isnan(v(i))) continue;
      sum[index[segment[i]]] += v(i);
      seen[index[segment[i]]] += 1.0;
    }
    vector<double> mean = vector<double>::from_shape({m});
    for (std::size_t g = 0; g < m; ++g) mean(g) = seen[g] > 0 ? sum[g] / seen[g] : std::nan("");
    out.add_numeric("mean_" + c, mean);
  }
  return out;
}

}  // namespace clm
