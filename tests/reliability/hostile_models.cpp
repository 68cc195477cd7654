// Model files whose payload was edited and whose length and checksum were recomputed: every
// such file either loads into a model that is safe to use or is refused with
// clm::format_error. Each case below crashed (SIGSEGV) or misbehaved before the loaded
// state was checked against the params and the training data. Also: z-score predictions
// that were NaN, and the OpenBLAS thread count under concurrent parallel fits.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "clm/clm.hpp"

namespace {

using clm::interactions;

// The payload of a model file (after magic, versions, kind, serial version and length).
std::string payload_of(const std::string& file) {
  const auto info = clm::inspect_bytes(file);
  return file.substr(info.payload_offset, info.payload_size);
}

// A well-formed file of model kind M around `payload`: header, length and checksum right.
template <class M>
std::string wrap(const std::string& payload) {
  return clm::detail::model_file(M::model_kind(), M::serial_version, payload);
}

// A recommender's params and state, decoded from its file, to edit and encode again.
template <class M, class State>
struct unpacked {
  typename M::params_type params;
  std::optional<State> state;

  explicit unpacked(const M& m) {
    const std::string p = payload_of(clm::save_bytes(m));
    clm::input_archive in(p, M::serial_version);
    in(params, state);
  }
  template <class Kind = M>
  std::string file() const {
    clm::output_archive out(M::serial_version);
    out(params, state);
    return wrap<Kind>(out.bytes());
  }
};

interactions ratings(std::size_t users, std::size_t items, bool all_equal = false, double scale = 1.0) {
  std::vector<std::string> u, i;
  std::vector<double> r;
  for (std::size_t a = 0; a < users; ++a) {
    for (std::size_t b = 0; b < items; ++b) {
      if ((a * 7 + b * 3) % 5 == 0) continue;
      u.push_back("u" + std::to_string(a));
      i.push_back("i" + std::to_string(b));
      r.push_back(all_equal ? 3.0 * scale : scale * static_cast<double>(1 + (a * 3 + b * 5) % 5));
    }
  }
  return interactions::from_triples(u, i, r);
}

using knn_state = clm::detail::knn_state;

}  // namespace

TEST_CASE("hostile model files: an item_knn file relabelled as user_knn is refused") {
  clm::item_knn<> knn({.k = 10});
  knn.fit(ratings(300, 60));
  const unpacked<clm::item_knn<>, knn_state> u(knn);
  const std::string relabelled = u.file<clm::user_knn<>>();
  CHECK_THROWS_AS(clm::load_bytes<clm::user_knn<>>(relabelled), clm::format_error);
  // The unedited file still loads and serves.
  const auto same = clm::load_bytes<clm::item_knn<>>(u.file());
  CHECK(same.recommend(0, 5).size() == 5);
}

TEST_CASE("hostile model files: a similarity table that does not cover the items is refused") {
  clm::item_knn<> big({.k = 10});
  big.fit(ratings(50, 60));
  clm::item_knn<> small({.k = 10});
  small.fit(ratings(50, 1));
  unpacked<clm::item_knn<>, knn_state> u(big);
  u.state->sim = unpacked<clm::item_knn<>, knn_state>(small).state->sim;  // covers 1 item
  CHECK_THROWS_WITH_AS(clm::load_bytes<clm::item_knn<>>(u.file()), doctest::Contains("covers 1 rows"),
                       clm::format_error);
}

TEST_CASE("hostile model files: a rule whose arrays the file lacks is refused") {
  clm::user_knn<> knn({.k = 10, .rule = clm::knn_rule::basic});
  knn.fit(ratings(40, 30));
  unpacked<clm::user_knn<>, knn_state> u(knn);
  for (const auto rule : {clm::knn_rule::with_zscore, clm::knn_rule::with_means, clm::knn_rule::with_baseline}) {
    u.params.rule = rule;
    CHECK_THROWS_AS(clm::load_bytes<clm::user_knn<>>(u.file()), clm::format_error);
  }
}

TEST_CASE("hostile model files: implicit_als factors narrower than params.factors are refused") {
  clm::implicit_als<> als({.factors = 2, .iterations = 2});
  als.fit(ratings(30, 20));
  unpacked<clm::implicit_als<>, clm::detail::als_state> u(als);
  u.params.factors = 4096;
  CHECK_THROWS_WITH_AS(clm::load_bytes<clm::implicit_als<>>(u.file()), doctest::Contains("params.factors is 4096"),
                       clm::format_error);
  u.params.factors = 2;
  u.state->Y(0, 0) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(clm::load_bytes<clm::implicit_als<>>(u.file()), clm::format_error);
}

TEST_CASE("hostile model files: MLP layer sizes whose parameter count wraps are refused") {
  const auto data = clm::synthetic::customers<double>({.n_customers = 200, .seed = 3});
  clm::mlp_classifier<> mlp({.hidden = {3, 3, 3}, .epochs = 2});
  mlp.fit(data.X, data.churned);
  const std::size_t d = data.X.shape()[1];
  std::string p = payload_of(clm::save_bytes(mlp));
  const auto u64 = [](std::uint64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); };
  // params.hidden: count 3, then 3, 3, 3.
  const std::string hidden = u64(3) + u64(3) + u64(3) + u64(3);
  // state sizes: count 5, then d, 3, 3, 3, 1, then the weights' count.
  const std::uint64_t n_weights = (d + 1) * 3 + 4 * 3 + 4 * 3 + 4 * 1;
  const std::string sizes = u64(5) + u64(d) + u64(3) + u64(3) + u64(3) + u64(1) + u64(n_weights);
  const std::size_t h = p.find(hidden), s = p.find(sizes);
  REQUIRE(h == 0);
  REQUIRE(s != std::string::npos);
  const std::uint64_t huge = std::uint64_t{1} << 63;
  // Sizes {d, 2^63, 2^63, 2^63, 1}: the parameter count (d + 1 = 7: 7 2^63 + ... ) wraps.
  std::string edited = p.substr(0, s) + u64(5) + u64(d) + u64(huge) + u64(huge) + u64(huge) + u64(1) + u64(1) +
                       p.substr(s + sizes.size(), 8) + p.substr(s + sizes.size() + 8 * n_weights);
  edited.replace(0, hidden.size(), u64(3) + u64(huge) + u64(huge) + u64(huge));
  CHECK_THROWS_AS(clm::load_bytes<clm::mlp_classifier<>>(wrap<clm::mlp_classifier<>>(edited)), clm::format_error);
  // The unedited payload, re-wrapped, loads and predicts as the original.
  const auto same = clm::load_bytes<clm::mlp_classifier<>>(wrap<clm::mlp_classifier<>>(p));
  CHECK(same.predict_proba(data.X)(0) == mlp.predict_proba(data.X)(0));
}

TEST_CASE("hostile model files: row counts of 2^64 - 1 and empty arrays of 2^63 rows are refused") {
  clm::csr_matrix<double> m;
  m.rows = std::numeric_limits<std::size_t>::max();
  m.cols = 1;
  m.indptr.clear();
  clm::output_archive out(1);
  out(m);
  clm::input_archive in(out.bytes(), 1);
  clm::csr_matrix<double> back;
  CHECK_THROWS_AS(in(back), clm::format_error);
  CHECK_THROWS_AS(m.validate(), clm::invalid_argument);

  // An empty matrix with one dimension of 2^63 (xtensor's strides overflow on it).
  for (const auto& [rows, cols] : {std::pair{std::uint64_t{1} << 63, std::uint64_t{0}},
                                   std::pair{std::uint64_t{0}, std::uint64_t{1} << 63}}) {
    clm::output_archive shape(1);
    shape(rows, cols);
    clm::input_archive read(shape.bytes(), 1);
    clm::matrix<double> x;
    CHECK_THROWS_WITH_AS(read(x), doctest::Contains("at most 2^48"), clm::format_error);
  }
}

template <class M>
void check_zscore_finite(const interactions& data, bool equal, double scale) {
  M knn({.k = 5, .rule = clm::knn_rule::with_zscore});
  knn.fit(data);
  std::size_t not_finite = 0, n = 0;
  for (std::size_t a = 0; a < 12; ++a) {
    for (std::size_t b = 0; b < 13; ++b, ++n) {
      const double e = knn.predict("u" + std::to_string(a), "i" + std::to_string(b));
      if (!std::isfinite(e)) ++not_finite;
      if (equal) CHECK(e == doctest::Approx(3.0 * scale));
    }
  }
  CHECK(not_finite == 0);
  CHECK(n == 156);
}

TEST_CASE("knn with_zscore: equal ratings and ratings of +-1e300 give finite estimates") {
  for (const auto& [equal, scale] : {std::pair{true, 1.0}, std::pair{false, 1e300}, std::pair{true, -1e300}}) {
    const auto data = ratings(12, 13, equal, scale);
    check_zscore_finite<clm::user_knn<>>(data, equal, scale);
    check_zscore_finite<clm::item_knn<>>(data, equal, scale);
  }
}

TEST_CASE("concurrent parallel fits leave OpenBLAS's thread count as they found it") {
  if (openblas_get_num_threads == nullptr || openblas_set_num_threads == nullptr) return;  // not OpenBLAS
  const int before = openblas_get_num_threads();
  openblas_set_num_threads(2);
  const auto data = clm::synthetic::customers<double>({.n_customers = 3000, .seed = 5});
  for (int round = 0; round < 20; ++round) {
    std::vector<std::thread> fits;
    for (int t = 0; t < 2; ++t) {
      fits.emplace_back([&, t] {
        clm::kmeans<> km({.k = 4, .n_init = 2, .seed = static_cast<std::uint64_t>(t), .n_jobs = 2});
        km.fit(data.X);
      });
    }
    for (auto& f : fits) f.join();
    REQUIRE(openblas_get_num_threads() == 2);
  }
  openblas_set_num_threads(before);
}
