#pragma once
// clm::ease<T>: Embarrassingly Shallow Autoencoder (Steck 2019, "Embarrassingly shallow
// autoencoders for sparse data"), a linear item-item model for top-N on purchase data.
//
//   P = (X'X + l2 I)^-1,  B = I - P diag(1 / diag P)   (so B_jj = 0, B_ij = -P_ij / P_jj)
//   score(u, j) = sum_i x_ui B_ij
//
// X is the users x items matrix, binarised unless params.binary is false. X'X comes from the
// sparse pair kernel (work: sum over users of count^2), the inverse from LAPACK's Cholesky
// (potrf, potri). Memory is two items x items double matrices while fitting and one after:
// 20 000 items take 3.2 GB, so EASE is for catalogues up to a few ten thousand items.
//   predict(u, i)          score(u, i) (0 for an unknown user or item)
//   similar_items(j, n)    the items with the largest B_jb (what j contributes to them)
// Fitting fails with numeric_error when X'X + l2 I is not positive definite (l2 <= 0 on
// degenerate data).

#include <span>
#include <string>
#include <vector>

#include "clm/core/blas.hpp"
#include "clm/distributed/communicator.hpp"
#include "clm/recommend/detail/base.hpp"
#include "clm/recommend/similarity.hpp"

namespace clm {

struct ease_params {
  double l2 = 500.0;
  bool binary = true;     ///< every interaction counts 1 (else its value)
  std::size_t n_jobs = 1;  ///< threads for X'X and recommend_all

  void validate() const { require_param(std::isfinite(l2) && l2 >= 0.0, "ease", "l2", l2, "finite and >= 0"); }
  template <class A>
  void serialize(A& ar) {
    ar(l2, binary, n_jobs);
  }
  friend bool operator==(const ease_params&, const ease_params&) = default;
};

namespace detail {
struct ease_state {
  detail::recommender_data train;
  std::vector<double> B;  // items x items, row-major

  template <class A>
  void serialize(A& ar) {
    ar(train, B);
    const std::size_t m = train.data.n_items();
    ar.check(m != 0 && B.size() / m == m && B.size() % m == 0, "ease: weights do not match the item count");
    for (const double v : B) ar.check(std::isfinite(v), "ease: a weight is not finite");
  }
};
}  // namespace detail

template <class T = double>
class ease : public detail::recommender_base<ease<T>, ease_params, detail::ease_state, T> {
  using base = detail::recommender_base<ease<T>, ease_params, detail::ease_state, T>;

 public:
  static constexpr const char* name = "ease";
  using base::base;

  ease& fit(const interactions& data) {
    local_communicator one;
    return fit(one, data);
  }

  /// The fit of the users held across the ranks of `comm` (clm/distributed/communicator.hpp),
  /// each user's interactions on one rank (after distributed shuffles by user): the ranks'
  /// item ids are united in rank order of first appearance (the one-process order when rank
  /// r holds the r-th piece of the data), X'X and the item popularity are summed over the
  /// ranks, and every rank solves for the same B; each rank keeps its own users' data to
  /// recommend for them. Binary X'X is a sum of whole numbers, so B is the one-process B
  /// bit for bit. items^2 doubles travel once.
  template <communicator C>
  ease& fit(C& comm, const interactions& data) {
    constexpr bool one_process = std::is_same_v<std::remove_cv_t<C>, local_communicator>;
    detail::ease_state st;
    if constexpr (one_process) {
      st.train = this->begin_fit(data);
    } else {
      this->state_.reset();
      distributed::same_everywhere(comm, "ease.fit: the parameters",
                                   distributed::fingerprint(this->params_.l2, this->params_.binary).value());
      st.train = detail::united_item_data(comm, data, "ease");
    }
    csr_matrix<double> XT = st.train.by_item;
    if (this->params_.binary) std::fill(XT.values.begin(), XT.values.end(), 1.0);
    const std::size_t m = XT.rows;
    std::vector<double> P = detail::sparse_gram(XT, this->params_.n_jobs);
    comm.allreduce_sum(std::span<double>(P));
    for (std::size_t j = 0; j < m; ++j) P[j * m + j] += this->params_.l2;
    if (lapack::potrf(m, P.data()) != 0 || lapack::potri(m, P.data()) != 0) {
      throw numeric_error("ease.fit: X'X + l2 I is not positive definite (l2 = " + detail::to_text(this->params_.l2) +
                          "); use l2 > 0");
    }
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t j = i + 1; j < m; ++j) P[j * m + i] = P[i * m + j];
    }
    st.B.resize(m * m);
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t j = 0; j < m; ++j) st.B[i * m + j] = i == j ? 0.0 : -P[i * m + j] / P[j * m + j];
    }
    this->state_ = std::move(st);
    return *this;
  }

  T predict(std::size_t u, std::size_t i) const {
    const auto& st = this->get();
    const auto& R = st.train.data.matrix();
    if (u >= R.rows || i >= R.cols) return T(0);
    double s = 0.0;
    for (std::size_t q = R.row_begin(u); q < R.row_end(u); ++q) {
      s += weight(R.values[q]) * st.B[static_cast<std::size_t>(R.indices[q]) * R.cols + i];
    }
    return static_cast<T>(s);
  }

  /// The item-item weights B (items x items, row-major).
  const std::vector<double>& weights() const { return this->get().B; }

  std::vector<scored_item> similar_items(std::size_t j, std::size_t n) const {
    this->check_item(j, "similar_items");
    const auto& st = this->get();
    const std::size_t m = this->n_items();
    std::vector<std::pair<double, std::int32_t>> cand;
    detail::select_from_row(st.B.data() + j * m, m, j, n, cand);
    std::vector<scored_item> out;
    for (const auto& [v, b] : cand) out.push_back({static_cast<std::size_t>(b), v});
    return out;
  }

  void score_user(std::size_t u, detail::score_buffer& s) const {
    const auto& R = this->get().train.data.matrix();
    score_history(R.indices.data() + R.indptr[u], R.values.data() + R.indptr[u], R.indptr[u + 1] - R.indptr[u], s);
  }
  void score_history(const std::int32_t* items, const double* values, std::size_t n, detail::score_buffer& s) const {
    const auto& st = this->get();
    const std::size_t m = this->n_items();
    s.all = true;
    for (std::size_t q = 0; q < n; ++q) {
      const double w = weight(values[q]);
      const double* b = st.B.data() + static_cast<std::size_t>(items[q]) * m;
      for (std::size_t j = 0; j < m; ++j) s.score[j] += w * b[j];
    }
  }

 private:
  double weight(double v) const { return this->params_.binary ? 1.0 : v; }
};

}  // namespace clm
