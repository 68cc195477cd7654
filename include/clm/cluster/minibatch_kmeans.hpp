#pragma once
// clm::minibatch_kmeans<T>: k-means by mini-batches (Sculley 2010; scikit-learn's
// MiniBatchKMeans), for data that does not fit in memory or arrives in pieces.
//
//   partial_fit(X)   one step on X as a batch (the first call initialises the centres from
//                    X by k-means++, so it needs at least k rows): each centre moves to the
//                    running mean of every row ever assigned to it,
//                    c <- c + (sum of its batch rows - b c) / n_c, n_c its count so far
//   fit(X)           starts afresh: centres by k-means++ on a seeded sample of
//                    min(n, 3 x batch_size) rows, then epochs over seeded shuffles of X in
//                    batches of batch_size, stopping after max_iter epochs or when the
//                    exponentially weighted batch inertia has not improved for
//                    max_no_improvement batches; then labels and inertia over all of X
//   predict, transform, centers(), labels() / inertia() (fit only), n_steps()

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "clm/cluster/kmeans.hpp"

namespace clm {

struct minibatch_kmeans_params {
  std::size_t k = 8;
  std::size_t batch_size = 1024;
  std::size_t max_iter = 100;  ///< epochs over the data in fit
  std::size_t max_no_improvement = 10;
  std::uint64_t seed = 0;
  std::size_t n_jobs = 1;

  void validate() const {
    require_param(k >= 1, "minibatch_kmeans", "k", k, ">= 1");
    require_param(batch_size >= 1, "minibatch_kmeans", "batch_size", batch_size, ">= 1");
    require_param(max_iter >= 1, "minibatch_kmeans", "max_iter", max_iter, ">= 1");
    require_param(max_no_improvement >= 1, "minibatch_kmeans", "max_no_improvement", max_no_improvement, ">= 1");
  }
  friend bool operator==(const minibatch_kmeans_params&, const minibatch_kmeans_params&) = default;
};

namespace detail {
template <class T>
struct minibatch_kmeans_state {
  std::size_t n_features_in = 0;
  matrix<T> centers;
  std::vector<double> counts;  // rows assigned to each centre so far
  cluster_labels labels;       // after fit
  double inertia = std::numeric_limits<double>::quiet_NaN();
  std::size_t n_steps = 0;

  template <class A>
  void serialize(A& ar) {
    ar(n_features_in, centers, counts);
    ar.check(centers.dimension() == 2 && centers.shape()[1] == n_features_in && counts.size() == centers.shape()[0] &&
                 n_features_in > 0,
             "minibatch_kmeans: inconsistent centres");
    serialize_labels<T>(ar, labels, centers.shape()[0], "minibatch_kmeans");
    ar(inertia, n_steps);
    for (auto c : centers) ar.check(std::isfinite(c), "minibatch_kmeans: a centre is not finite");
  }
};
}  // namespace detail

template <class T = double>
class minibatch_kmeans
    : public detail::transformer_base<minibatch_kmeans<T>, minibatch_kmeans_params, detail::minibatch_kmeans_state<T>, T> {
  using base =
      detail::transformer_base<minibatch_kmeans<T>, minibatch_kmeans_params, detail::minibatch_kmeans_state<T>, T>;

 public:
  static constexpr const char* name = "minibatch_kmeans";
  /// 2: integer labels.
  static constexpr std::uint32_t serial_version = 2;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }
  using base::base;

  template <class E>
  minibatch_kmeans& fit(const E& X_in) {
    this->state_.reset();
    const auto& p = this->params_;
    decltype(auto) Xt = base::input(X_in, "fit", /*allow_nan=*/false);
    detail::check_squares(Xt, name, "fit");
    decltype(auto) X = evaluate<double, 2>(Xt);
    const std::size_t n = X.shape()[0], d = X.shape()[1];
    require_rows(n, "fit");
    random_engine g(p.seed);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    clm::shuffle(order.begin(), order.end(), g);
    const std::size_t init_n = std::max(p.k, std::min(n, 3 * p.batch_size));
    start(detail::kmeans_plus_plus(rows_of(X, order, 0, init_n), p.k, g), d);
    double ewa = std::numeric_limits<double>::quiet_NaN(), best = std::numeric_limits<double>::infinity();
    std::size_t since_best = 0;
    bool stop = false;
    for (std::size_t epoch = 0; epoch < p.max_iter && !stop; ++epoch) {
      clm::shuffle(order.begin(), order.end(), g);
      for (std::size_t b = 0; b < n && !stop; b += p.batch_size) {
        const std::size_t m = std::min(p.batch_size, n - b);
        const double batch_inertia = step(rows_of(X, order, b, m)) / static_cast<double>(m);
        const double alpha = std::min(1.0, 2.0 * static_cast<double>(m) / static_cast<double>(n + 1));
        ewa = std::isnan(ewa) ? batch_inertia : ewa * (1.0 - alpha) + batch_inertia * alpha;
        if (ewa < best) {
          best = ewa;
          since_best = 0;
        } else if (++since_best >= p.max_no_improvement) {
          stop = true;
        }
      }
    }
    auto& s = *this->state_;
    s.labels = detail::nearest_centres(Xt, s.centers, p.n_jobs);
    s.inertia = clm::inertia(X, s.labels, s.centers);
    return *this;
  }

  /// One mini-batch step on X (initialising from X on the first call).
  template <class E>
  minibatch_kmeans& partial_fit(const E& X_in) {
    if (!this->state_) {
      decltype(auto) Xt = base::input(X_in, "partial_fit", /*allow_nan=*/false);
      detail::check_squares(Xt, name, "partial_fit");
      decltype(auto) X = evaluate<double, 2>(Xt);
      require_rows(X.shape()[0], "partial_fit");
      random_engine g(this->params_.seed);
      start(detail::kmeans_plus_plus(X, this->params_.k, g), X.shape()[1]);
      step(X);
    } else {
      decltype(auto) Xt = this->fitted_input(X_in, "partial_fit", /*allow_nan=*/false);
      detail::check_squares(Xt, name, "partial_fit");
      step(evaluate<double, 2>(Xt));
    }
    return *this;
  }

  template <class E>
  cluster_labels predict(const E& X_in) const {
    decltype(auto) Xt = this->fitted_input(X_in, "predict", /*allow_nan=*/false);
    detail::check_squares(Xt, name, "predict");
    return detail::nearest_centres(Xt, this->get().centers, this->params_.n_jobs);
  }

  template <class E>
  matrix<T> transform(const E& X_in) const {
    decltype(auto) Xt = this->fitted_input(X_in, "transform", /*allow_nan=*/false);
    detail::check_squares(Xt, name, "transform");
    return detail::centre_distances(Xt, this->get().centers);
  }

  const matrix<T>& centers() const { return this->get().centers; }
  /// Labels and inertia of the rows given to fit (empty / NaN after partial_fit alone).
  const cluster_labels& labels() const { return this->get().labels; }
  double inertia() const { return this->get().inertia; }
  std::size_t n_steps() const { return this->get().n_steps; }

  template <class A>
  void serialize(A& ar) {
    auto& p = this->params_;
    ar(p.k, p.batch_size, p.max_iter, p.max_no_improvement, p.seed, p.n_jobs, this->state_);
    if constexpr (A::loading) {
      p.validate();
      if (this->state_) ar.check(this->state_->centers.shape()[0] == p.k, "minibatch_kmeans: centre count differs from k");
    }
  }

 private:
  void require_rows(std::size_t n, const char* method) const {
    if (n < this->params_.k) {
      throw invalid_argument(std::string("minibatch_kmeans.") + method + ": expected at least k = " +
                             std::to_string(this->params_.k) + " rows, got " + std::to_string(n));
    }
  }

  static matrix<double> rows_of(const matrix<double>& X, const std::vector<std::size_t>& order, std::size_t from,
                                std::size_t m) {
    const std::size_t d = X.shape()[1];
    matrix<double> out = matrix<double>::from_shape({m, d});
    for (std::size_t i = 0; i < m; ++i) {
      std::copy(X.data() + order[from + i] * d, X.data() + (order[from + i] + 1) * d, out.data() + i * d);
    }
    return out;
  }

  void start(const std::vector<double>& C, std::size_t d) {
    detail::minibatch_kmeans_state<T> s;
    s.n_features_in = d;
    s.centers = matrix<T>::from_shape({this->params_.k, d});
    for (std::size_t v = 0; v < C.size(); ++v) s.centers.data()[v] = static_cast<T>(C[v]);
    s.counts.assign(this->params_.k, 0.0);
    this->state_ = std::move(s);
  }

  /// Moves the centres towards the batch; returns the batch's inertia before the move.
  double step(const matrix<double>& B) {
    auto& s = *this->state_;
    const std::size_t k = this->params_.k, d = B.shape()[1];
    std::vector<double> C(s.centers.begin(), s.centers.end()), norms(B.shape()[0]);
    for (std::size_t i = 0; i < B.shape()[0]; ++i) {
      double v = 0.0;
      for (std::size_t j = 0; j < d; ++j) v += B(i, j) * B(i, j);
      norms[i] = v;
    }
    detail::kmeans_pass pass;
    detail::kmeans_assign(B, norms, C, k, true, this->params_.n_jobs, pass);
    for (std::size_t c = 0; c < k; ++c) {
      if (pass.counts[c] == 0.0) continue;
      s.counts[c] += pass.counts[c];
      for (std::size_t j = 0; j < d; ++j) {
        const double cur = C[c * d + j];
        s.centers(c, j) = static_cast<T>(cur + (pass.sums[c * d + j] - pass.counts[c] * cur) / s.counts[c]);
      }
    }
    ++s.n_steps;
    double total = 0.0;
    for (const double v : pass.dist2) total += v;
    return total;
  }
};

}  // namespace clm
