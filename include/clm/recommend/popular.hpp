#pragma once
// clm::most_popular<T>: recommends the items most users have (ties: the lower index), less
// those the user already has. The baseline a personalised recommender has to beat, and the
// fallback every recommender uses for users it does not know.
//   predict(u, i)   the number of users who have item i (0 for an unknown item)

#include <string>

#include "clm/recommend/detail/base.hpp"

namespace clm {

struct most_popular_params {
  std::size_t n_jobs = 1;  ///< threads for recommend_all

  void validate() const {}
  template <class A>
  void serialize(A& ar) {
    ar(n_jobs);
  }
  friend bool operator==(const most_popular_params&, const most_popular_params&) = default;
};

namespace detail {
struct most_popular_state {
  recommender_data train;
  template <class A>
  void serialize(A& ar) {
    ar(train);
  }
};
}  // namespace detail

template <class T = double>
class most_popular : public detail::recommender_base<most_popular<T>, most_popular_params, detail::most_popular_state, T> {
  using base = detail::recommender_base<most_popular<T>, most_popular_params, detail::most_popular_state, T>;

 public:
  static constexpr const char* name = "most_popular";
  using base::base;

  most_popular& fit(const interactions& data) {
    detail::most_popular_state st;
    st.train = this->begin_fit(data);
    this->state_ = std::move(st);
    return *this;
  }

  T predict(std::size_t, std::size_t i) const {
    const auto& pop = this->get().train.popularity;
    return static_cast<T>(i < pop.size() ? pop[i] : 0.0);
  }

  void score_user(std::size_t, detail::score_buffer& s) const { score_history(nullptr, nullptr, 0, s); }
  void score_history(const std::int32_t*, const double*, std::size_t, detail::score_buffer& s) const {
    const auto& pop = this->get().train.popularity;
    s.all = true;
    std::copy(pop.begin(), pop.end(), s.score.begin());
  }
};

}  // namespace clm
