// The key kernels on small fixed inputs, for the instruction-count regression gate:
// `scripts/dev bench --check` runs each under valgrind --tool=callgrind, counting only the
// instructions inside clm_measured() (the inputs are made before it), and compares the
// counts with benchmarks/callgrind-baseline.json.
//
//   clm_kernels list       the kernel names
//   clm_kernels NAME       runs one kernel once and prints a checksum of its result
//
// The inputs are drawn from clm's seeded generator, every kernel runs on one thread, and the
// gate pins OPENBLAS_NUM_THREADS=1 and OPENBLAS_CORETYPE, so a count changes only when the
// code (or the compiler) does.
#include "datasets.hpp"

#include <clm/cluster/kmeans.hpp>
#include <clm/data/csv.hpp>
#include <clm/data/transactions.hpp>
#include <clm/lifetime/bg_nbd.hpp>
#include <clm/lifetime/pareto_nbd.hpp>
#include <clm/linear/linear_regression.hpp>
#include <clm/linear/logistic_regression.hpp>
#include <clm/metrics/curves.hpp>
#include <clm/neural/mlp.hpp>
#include <clm/preprocessing/one_hot_encoder.hpp>
#include <clm/preprocessing/standard_scaler.hpp>
#include <clm/recommend/als.hpp>
#include <clm/recommend/ease.hpp>
#include <clm/recommend/knn.hpp>

#include <cstdio>
#include <functional>
#include <map>
#include <sstream>
#include <string>

extern "C" __attribute__((noinline)) void clm_measured(const std::function<void()>& work) { work(); }

namespace {

using clm_bench::gaussian;

double checksum = 0.0;

template <class E>
void add(const E& e) {
  for (const auto v : e) checksum += static_cast<double>(v);
}

clm::vector<double> labels(const clm::matrix<double>& X, std::uint64_t seed) {
  clm::random_engine g(seed);
  auto y = clm::detail::empty_vector<double>(X.shape()[0]);
  for (std::size_t i = 0; i < y.size(); ++i) {
    double z = 0.3;
    for (std::size_t j = 0; j < X.shape()[1]; ++j) z += (j % 2 ? 0.4 : -0.3) * X(i, j);
    y(i) = clm::bernoulli(g, 1.0 / (1.0 + std::exp(-z))) ? 1.0 : 0.0;
  }
  return y;
}

clm::interactions small_ratings(std::size_t users, std::size_t items, std::size_t nnz, clm::feedback kind) {
  const auto r = clm_bench::draw_ratings(users, items, nnz, 9);
  return clm::interactions::from_triples(clm_bench::ids("u", r.user), clm_bench::ids("i", r.item),
                                         std::vector<double>(r.value.begin(), r.value.end()), {.kind = kind});
}

clm::transaction_log small_log() {
  return clm::synthetic::make_population({.n_customers = 3000, .seed = 4, .rating_probability = 0.0}).transactions;
}

const std::map<std::string, std::function<void()>>& kernels() {
  static const std::map<std::string, std::function<void()>> k = {
      {"ols_fit_2000x20",
       [] {
         const auto X = gaussian(2000, 20, 1);
         const clm::vector<double> y = xt::sum(X, {1});
         clm_measured([&] { add(clm::linear_regression<>().fit(X, y).coef()); });
       }},
      {"logistic_fit_2000x10",
       [] {
         const auto X = gaussian(2000, 10, 2);
         const auto y = labels(X, 3);
         // tol is on the summed objective: 2000 rows x 1e-8 per row.
         clm_measured([&] { add(clm::logistic_regression<>({.tol = 2e-5}).fit(X, y).coef()); });
       }},
      {"logistic_fit_20000x10_subsample_start",
       [] {
         const auto X = gaussian(20000, 10, 4);
         const auto y = labels(X, 5);
         // 20000 rows: the fit starts on every 16th row (1250 of them).
         clm_measured([&] { add(clm::logistic_regression<>({.tol = 2e-4}).fit(X, y).coef()); });
       }},
      {"logistic_predict_proba_100000x10",
       [] {
         const auto X = gaussian(100000, 10, 12);
         const auto y = labels(X, 13);
         const clm::matrix<double> head = xt::view(X, xt::range(0, 2000), xt::all());
         const clm::vector<double> yh = xt::view(y, xt::range(0, 2000));
         clm::logistic_regression<> m;
         m.fit(head, yh);
         clm_measured([&] { add(m.predict_proba(X)); });
       }},
      {"standard_scaler_transform_into_10000x20_in_place",
       [] {
         auto X = gaussian(10000, 20, 14);
         clm::standard_scaler<> s;
         s.fit(X);
         clm_measured([&] {
           s.transform_into(X, X);
           add(X);
         });
       }},
      {"standard_scaler_fit_transform_10000x20",
       [] {
         const auto X = gaussian(10000, 20, 4);
         clm_measured([&] { add(clm::standard_scaler<>().fit_transform(X)); });
       }},
      {"one_hot_encoder_fit_transform_5000x3",
       [] {
         clm::random_engine g(5);
         clm::table t;
         for (std::size_t k : {5u, 20u, 50u}) {
           clm::categorical_column c;
           for (std::size_t v = 0; v < k; ++v) c.levels.push_back("v" + std::to_string(v));
           c.codes.resize(5000);
           for (auto& code : c.codes) code = static_cast<std::int32_t>(clm::uniform_index(g, k));
           t.add_categorical("c" + std::to_string(k), std::move(c));
         }
         clm_measured([&] { add(clm::one_hot_encoder<>().fit_transform(t)); });
       }},
      {"roc_auc_1e5",
       [] {
         const auto X = gaussian(100000, 1, 6);
         const clm::vector<double> s = xt::view(X, xt::all(), 0);
         const auto y = labels(X, 7);
         clm_measured([&] { checksum += clm::roc_auc(y, s); });
       }},
      {"item_cosine_dense_2000x500",
       [] {
         const auto R = small_ratings(2000, 500, 20000, clm::feedback::explicit_ratings).matrix().transpose();
         const clm::similarity_options o{.kind = clm::similarity_kind::cosine,
                                         .mode = clm::similarity_mode::zero_filled,
                                         .storage = clm::similarity_storage::dense};
         clm_measured([&] { checksum += static_cast<double>(clm::compute_similarities(R, o, nullptr, false, 1).size()); });
       }},
      {"item_knn_fit_predict_300x400",
       [] {
         const auto data = small_ratings(300, 400, 10000, clm::feedback::explicit_ratings);
         std::vector<std::string> users, items;
         for (std::size_t k = 0; k < 1000; ++k) {
           users.push_back(data.user_ids()[(k * 7) % data.n_users()]);
           items.push_back(data.item_ids()[(k * 13) % data.n_items()]);
         }
         clm_measured([&] {
           clm::item_knn<> m;
           m.fit(data);
           for (const double p : m.predict(users, items)) checksum += p;
         });
       }},
      {"ease_fit_2000x300",
       [] {
         const auto data = small_ratings(2000, 300, 20000, clm::feedback::implicit_counts);
         clm_measured([&] { checksum += static_cast<double>(clm::ease<>().fit(data).recommend(data.user_ids()[0], 5).size()); });
       }},
      {"als_fit_2000x500_2_iterations",
       [] {
         const auto data = small_ratings(2000, 500, 20000, clm::feedback::implicit_counts);
         clm_measured([&] { add(clm::implicit_als<>({.factors = 16, .iterations = 2, .seed = 1}).fit(data).item_factors()); });
       }},
      {"mlp_epoch_2000x20_batch32",
       [] {
         const auto X = gaussian(2000, 20, 8);
         const auto y = labels(X, 9);
         clm_measured([&] {
           add(clm::mlp_classifier<>({.hidden = {32, 16}, .epochs = 1, .batch_size = 32, .seed = 1}).fit(X, y).predict_proba(X));
         });
       }},
      {"kmeans_fit_20000x8_k8_10_iterations",
       [] {
         const auto X = gaussian(20000, 8, 10);
         const clm::matrix<double> init = xt::view(X, xt::range(0, 8), xt::all());
         clm_measured([&] {
           add(clm::kmeans<>({.k = 8, .init = clm::kmeans_init::given, .init_centers = init, .max_iter = 10, .tol = 0.0})
                   .fit(X)
                   .centers());
         });
       }},
      {"bg_nbd_fit_3000",
       [] {
         const auto s = clm::summarize(small_log());
         clm_measured([&] { checksum += clm::bg_nbd<>().fit(s).log_likelihood(); });
       }},
      {"pareto_nbd_fit_3000",
       [] {
         const auto s = clm::summarize(small_log());
         clm_measured([&] { checksum += clm::pareto_nbd<>({.penalizer = 1e-3}).fit(s).log_likelihood(); });
       }},
      {"summarize_3000_customers",
       [] {
         const auto log = small_log();
         clm_measured([&] { add(clm::summarize(log).frequency); });
       }},
      {"read_csv_20000_rows",
       [] {
         std::string text = "customer_id,date,amount,channel\n";
         clm::random_engine g(11);
         for (int i = 0; i < 20000; ++i) {
           text += "C" + std::to_string(clm::uniform_index(g, 5000)) + ",2024-0" + std::to_string(1 + i % 9) + "-1" +
                   std::to_string(i % 10) + "," + std::to_string(clm::gamma(g, 2.0, 10.0)) + "," +
                   (i % 3 ? "web" : "store") + "\n";
         }
         clm_measured([&] {
           std::istringstream in(text);
           checksum += static_cast<double>(clm::read_csv(in).rows());
         });
       }},
  };
  return k;
}

}  // namespace

// The survival and explanation kernels, in a translation unit of their own
// (kernels_decide.cpp) so that the code generated for the kernels above stays the same.
const std::map<std::string, std::function<void()>>& decide_kernels();
double decide_checksum();

int main(int argc, char** argv) {
  const std::string name = argc > 1 ? argv[1] : "list";
  if (name == "list") {
    for (const auto& [k, _] : kernels()) std::printf("%s\n", k.c_str());
    for (const auto& [k, _] : decide_kernels()) std::printf("%s\n", k.c_str());
    return 0;
  }
  auto it = kernels().find(name);
  if (it == kernels().end()) it = decide_kernels().find(name);
  if (it == decide_kernels().end()) {
    std::fprintf(stderr, "clm_kernels: unknown kernel '%s' (clm_kernels list names them)\n", name.c_str());
    return 2;
  }
  it->second();
  std::printf("%s checksum %.17g\n", name.c_str(), checksum + decide_checksum());
  return 0;
}
