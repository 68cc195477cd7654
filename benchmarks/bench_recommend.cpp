// Recommendation hot paths on the shared rating sets (benchmarks/datasets.hpp; peers on the
// same files in benchmarks/peers/peers.py):
//  - item-item cosine (zero-filled) over `ratings50k` (50k users x 5k items, 1M ratings):
//    the dense 5k x 5k matrix (peer: scikit-learn's cosine_similarity on the scipy matrix)
//    and the top-20 lists alone (top_k storage; peer: the same plus argpartition);
//  - EASE (l2 500, binary) on `ratings50k` (peer: numpy, X'X in scipy and np.linalg.inv);
//    floor: the n^3 flops of inverting the 5k x 5k Gram matrix at the DGEMM rate;
//  - implicit ALS (64 factors, 3 CG steps, alpha 1) on `ratings50k`, 5 iterations (peer:
//    the same conjugate-gradient sweeps written with numpy and scipy.sparse);
//  - item kNN KNNBasic-style (msd, k 40) fit + 20k predictions on `ratings100k` (943 users x
//    1682 items, MovieLens-100k's shape), one thread (peer: Surprise's KNNBasic algorithm
//    written with numpy, Surprise itself is not on Debian);
//  - recommend_all(10) for 100k users x 20k items (2M interactions) from item kNN with top-k
//    neighbour storage (40 per item); counters: the fit's seconds, the process's peak resident
//    memory before the fit (the data) and after recommend_all (run this benchmark alone,
//    --benchmark_filter=recommend_all, for the model's own share).
#include "datasets.hpp"
#include "floor.hpp"

#include <sys/resource.h>

#include <chrono>
#include <string>
#include <vector>

#include <clm/recommend/als.hpp>
#include <clm/recommend/ease.hpp>
#include <clm/recommend/factorization.hpp>
#include <clm/recommend/knn.hpp>

namespace {

clm::interactions to_interactions(const clm_bench::ratings& r, clm::feedback kind) {
  return clm::interactions::from_triples(clm_bench::ids("u", r.user), clm_bench::ids("i", r.item),
                                         std::vector<double>(r.value.begin(), r.value.end()), {.kind = kind});
}

const clm::interactions& cf_50k() {
  static const auto d = to_interactions(clm_bench::ratings50k(), clm::feedback::explicit_ratings);
  return d;
}

const clm::interactions& cf_50k_implicit() {
  static const auto d = to_interactions(clm_bench::ratings50k(), clm::feedback::implicit_counts);
  return d;
}

/// Sum over users of count^2: the multiply-adds of the item-item SpGEMM.
double spgemm_multiply_adds(const clm::interactions& d) {
  const auto& m = d.matrix();
  double s = 0.0;
  for (std::size_t u = 0; u < m.rows; ++u) {
    const double c = static_cast<double>(m.indptr[u + 1] - m.indptr[u]);
    s += c * c;
  }
  return s;
}

void item_cosine_dense_50kx5k_1M(benchmark::State& state) {
  const auto& w = cf_50k();
  const auto RT = w.matrix().transpose();
  const auto jobs = static_cast<std::size_t>(state.range(0));
  const clm::similarity_options o{.kind = clm::similarity_kind::cosine, .mode = clm::similarity_mode::zero_filled,
                                  .storage = clm::similarity_storage::dense, .neighbours = 20};
  for (auto _ : state) {
    auto S = clm::compute_similarities(RT, o, nullptr, false, jobs);
    benchmark::DoNotOptimize(S);
  }
  state.counters["nnz"] = static_cast<double>(w.nnz());
  state.counters["spgemm_multiply_adds"] = spgemm_multiply_adds(w);
  clm_bench::set_floor(state, {.bytes = static_cast<double>(RT.rows * RT.rows * sizeof(double))});
}
BENCHMARK(item_cosine_dense_50kx5k_1M)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void item_cosine_top20_50kx5k_1M(benchmark::State& state) {
  const auto& w = cf_50k();
  const auto RT = w.matrix().transpose();
  const auto jobs = static_cast<std::size_t>(state.range(0));
  const clm::similarity_options o{.kind = clm::similarity_kind::cosine, .mode = clm::similarity_mode::zero_filled,
                                  .storage = clm::similarity_storage::top_k, .neighbours = 20};
  for (auto _ : state) {
    auto S = clm::compute_similarities(RT, o, nullptr, false, jobs);
    benchmark::DoNotOptimize(S);
  }
}
BENCHMARK(item_cosine_top20_50kx5k_1M)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void ease_fit_50kx5k_1M(benchmark::State& state) {
  const auto& w = cf_50k();
  for (auto _ : state) {
    clm::ease<> m({.l2 = 500.0});
    m.fit(w);
    benchmark::DoNotOptimize(m);
  }
  const double items = static_cast<double>(w.n_items());
  clm_bench::set_floor(state, {.dgemm_flop = items * items * items});
}
BENCHMARK(ease_fit_50kx5k_1M)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

void als_fit_50kx5k_1M_5_iterations(benchmark::State& state) {
  const auto& w = cf_50k_implicit();
  const clm::als_params p{.factors = 64, .regularization = 0.01, .alpha = 1.0, .iterations = 5, .cg_steps = 3, .seed = 1};
  for (auto _ : state) {
    clm::implicit_als<> m(p);
    m.fit(w);
    benchmark::DoNotOptimize(m);
  }
  // Per sweep side: Y'Y (rows f^2), then cg_steps + 1 products (C_u - I) and Y'Y with p
  // (2 f^2 per row, 4 f per stored rating).
  const double f = static_cast<double>(p.factors), nnz = static_cast<double>(w.nnz());
  const double rows = static_cast<double>(w.n_users() + w.n_items());
  const double per_iteration = rows * f * f + static_cast<double>(p.cg_steps + 1) * (2.0 * f * f * rows + 2.0 * 4.0 * f * nnz);
  clm_bench::set_floor(state, {.dgemm_flop = static_cast<double>(p.iterations) * per_iteration});
}
BENCHMARK(als_fit_50kx5k_1M_5_iterations)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void item_knn_basic_fit_predict_100k(benchmark::State& state) {
  static const auto& q = clm_bench::ratings100k();
  static const auto data = to_interactions(q.train, clm::feedback::explicit_ratings);
  const auto users = clm_bench::ids("u", q.user), items = clm_bench::ids("i", q.item);
  clm::vector<double> last;
  for (auto _ : state) {
    clm::item_knn<> m;  // KNNBasic defaults: msd, k 40, min_k 1
    m.fit(data);
    auto p = m.predict(users, items);
    benchmark::DoNotOptimize(p);
    last = std::move(p);
  }
  state.counters["ratings"] = static_cast<double>(data.nnz());
  // The predictions, for the peer to check that it computes the same thing.
  if (!clm_bench::have({"ratings100k_clm_predictions"})) {
    clm_bench::save("ratings100k_clm_predictions", last);
  }
}
BENCHMARK(item_knn_basic_fit_predict_100k)->Unit(benchmark::kMillisecond)->UseRealTime();

// Surprise's SVD (100 factors, 20 epochs) and SVDpp (20 factors, 20 epochs) defaults on the
// ml-100k-sized ratings: one fit each. (Surprise itself is not packaged for Debian; its
// published ml-100k timings come from another machine, so no ratio is taken here.)
void funk_svd_fit_100k(benchmark::State& state) {
  static const auto& q = clm_bench::ratings100k();
  static const auto data = to_interactions(q.train, clm::feedback::explicit_ratings);
  for (auto _ : state) {
    clm::funk_svd<> m;
    m.fit(data);
    benchmark::DoNotOptimize(m.item_factors().data());
  }
  state.counters["ratings"] = static_cast<double>(data.nnz());
  state.counters["rating_updates/s"] =
      benchmark::Counter(20.0 * static_cast<double>(data.nnz()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(funk_svd_fit_100k)->Unit(benchmark::kMillisecond)->UseRealTime();

void svdpp_fit_100k(benchmark::State& state) {
  static const auto& q = clm_bench::ratings100k();
  static const auto data = to_interactions(q.train, clm::feedback::explicit_ratings);
  for (auto _ : state) {
    clm::svdpp<> m;
    m.fit(data);
    benchmark::DoNotOptimize(m.item_factors().data());
  }
  state.counters["ratings"] = static_cast<double>(data.nnz());
}
BENCHMARK(svdpp_fit_100k)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void recommend_all_100k_users_20k_items(benchmark::State& state) {
  static const auto data = [] {
    const auto r = clm_bench::draw_ratings(100'000, 20'000, 2'000'000, 7);
    return clm::interactions::from_triples(clm_bench::ids("u", r.user), clm_bench::ids("i", r.item), {},
                                           {.kind = clm::feedback::implicit_counts});
  }();
  const auto jobs = static_cast<std::size_t>(state.range(0));
  const auto peak_mib = [] {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_maxrss) / 1024.0;
  };
  const double before = peak_mib();
  const auto t0 = std::chrono::steady_clock::now();
  clm::item_knn<> m({.k = 40,
                     .similarity = {.kind = clm::similarity_kind::cosine, .mode = clm::similarity_mode::zero_filled,
                                    .storage = clm::similarity_storage::top_k, .neighbours = 40},
                     .n_jobs = jobs});
  m.fit(data);
  state.counters["fit_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (auto _ : state) {
    auto top = m.recommend_all(10);
    benchmark::DoNotOptimize(top);
  }
  state.counters["peak_rss_before_fit_MiB"] = before;  // the string triples and the interactions
  state.counters["peak_rss_MiB"] = peak_mib();
  state.counters["users_per_s"] = benchmark::Counter(static_cast<double>(data.n_users()) * static_cast<double>(state.iterations()),
                                                     benchmark::Counter::kIsRate);
}
BENCHMARK(recommend_all_100k_users_20k_items)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
