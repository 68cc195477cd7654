// Recommendation hot paths, on ratings drawn like ../shared/bench/peers.py's make_ratings
// (item popularity ~ 1 / (rank + 50), user activity lognormal(0, 1), ratings 1..5, 1.25 x nnz
// draws with duplicates merged and the excess dropped):
//  - item-item cosine (zero-filled) over 50k users x 5k items, 1M ratings: the dense 5k x 5k
//    matrix (the peer is scikit-learn's cosine_similarity on the scipy matrix,
//    benchmarks/peers/recommend_peers.py), and the top-20 lists alone (top_k storage);
//  - item kNN KNNBasic-style (msd, k 40) fit + 20k predictions on 100k ratings of 943 users x
//    1682 items (MovieLens-100k's shape), one thread;
//  - recommend_all(10) for 100k users x 20k items (2M interactions) from item kNN with top-k
//    neighbour storage (40 per item); counters: the fit's seconds, the process's peak resident
//    memory before the fit (the data) and after recommend_all (run this benchmark alone,
//    --benchmark_filter=recommend_all, for the model's own share).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include <clm/core/random.hpp>
#include <clm/recommend/knn.hpp>

namespace {

struct ratings {
  std::vector<std::string> users, items;
  std::vector<double> values;
  double multiply_adds = 0.0;  // sum over users of count^2 (the item-item SpGEMM's work)
};

ratings make_ratings(std::size_t n_users, std::size_t n_items, std::size_t nnz, std::uint64_t seed) {
  clm::random_engine g(seed);
  std::vector<double> item_p(n_items), user_p(n_users);
  for (std::size_t j = 0; j < n_items; ++j) item_p[j] = 1.0 / (static_cast<double>(j) + 50.0);
  clm::shuffle(item_p.begin(), item_p.end(), g);
  for (auto& p : user_p) p = std::exp(clm::normal(g));
  const auto cumulative = [](std::vector<double> p) {
    std::partial_sum(p.begin(), p.end(), p.begin());
    for (auto& v : p) v /= p.back();
    return p;
  };
  const auto ci = cumulative(item_p), cu = cumulative(user_p);
  const auto draw = [&](const std::vector<double>& c) {
    return std::min<std::size_t>(static_cast<std::size_t>(std::lower_bound(c.begin(), c.end(), clm::uniform01(g)) - c.begin()),
                                 c.size() - 1);
  };
  std::vector<std::uint64_t> keys(nnz + nnz / 4);
  for (auto& k : keys) k = draw(cu) * n_items + draw(ci);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (keys.size() > nnz) {
    clm::shuffle(keys.begin(), keys.end(), g);
    keys.resize(nnz);
    std::sort(keys.begin(), keys.end());
  }
  ratings r;
  std::vector<double> count(n_users, 0.0);
  for (const auto k : keys) {
    r.users.push_back("u" + std::to_string(k / n_items));
    r.items.push_back("i" + std::to_string(k % n_items));
    r.values.push_back(static_cast<double>(1 + clm::uniform_index(g, 5)));
    count[k / n_items] += 1.0;
  }
  for (const double c : count) r.multiply_adds += c * c;
  return r;
}

struct workload {
  ratings raw;
  clm::interactions data;
};

const workload& cf_50k() {
  static const workload w = [] {
    workload x{make_ratings(50'000, 5'000, 1'000'000, 4), {}};
    x.data = clm::interactions::from_triples(x.raw.users, x.raw.items, x.raw.values);
    return x;
  }();
  return w;
}

void item_cosine_dense_50kx5k_1M(benchmark::State& state) {
  const auto& w = cf_50k();
  const auto RT = w.data.matrix().transpose();
  const auto jobs = static_cast<std::size_t>(state.range(0));
  const clm::similarity_options o{.kind = clm::similarity_kind::cosine, .mode = clm::similarity_mode::zero_filled,
                                  .storage = clm::similarity_storage::dense, .neighbours = 20};
  for (auto _ : state) {
    auto S = clm::compute_similarities(RT, o, nullptr, false, jobs);
    benchmark::DoNotOptimize(S);
  }
  state.counters["nnz"] = static_cast<double>(w.data.nnz());
  state.counters["spgemm_multiply_adds"] = w.raw.multiply_adds;
}
BENCHMARK(item_cosine_dense_50kx5k_1M)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void item_cosine_top20_50kx5k_1M(benchmark::State& state) {
  const auto& w = cf_50k();
  const auto RT = w.data.matrix().transpose();
  const auto jobs = static_cast<std::size_t>(state.range(0));
  const clm::similarity_options o{.kind = clm::similarity_kind::cosine, .mode = clm::similarity_mode::zero_filled,
                                  .storage = clm::similarity_storage::top_k, .neighbours = 20};
  for (auto _ : state) {
    auto S = clm::compute_similarities(RT, o, nullptr, false, jobs);
    benchmark::DoNotOptimize(S);
  }
}
BENCHMARK(item_cosine_top20_50kx5k_1M)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void item_knn_basic_fit_predict_100k(benchmark::State& state) {
  static const workload w = [] {
    workload x{make_ratings(943, 1682, 100'000, 5), {}};
    x.data = clm::interactions::from_triples(x.raw.users, x.raw.items, x.raw.values);
    return x;
  }();
  // 20k (user, item) pairs, known users and items.
  std::vector<std::string> users, items;
  clm::random_engine g(6);
  for (std::size_t k = 0; k < 20'000; ++k) {
    users.push_back(w.data.user_ids()[clm::uniform_index(g, w.data.n_users())]);
    items.push_back(w.data.item_ids()[clm::uniform_index(g, w.data.n_items())]);
  }
  for (auto _ : state) {
    clm::item_knn<> m;  // KNNBasic defaults: msd, k 40, min_k 1
    m.fit(w.data);
    auto p = m.predict(users, items);
    benchmark::DoNotOptimize(p);
  }
  state.counters["ratings"] = static_cast<double>(w.data.nnz());
}
BENCHMARK(item_knn_basic_fit_predict_100k)->Unit(benchmark::kMillisecond)->UseRealTime();

void recommend_all_100k_users_20k_items(benchmark::State& state) {
  static const workload w = [] {
    workload x{make_ratings(100'000, 20'000, 2'000'000, 7), {}};
    x.data = clm::interactions::from_triples(x.raw.users, x.raw.items, {}, {.kind = clm::feedback::implicit_counts});
    return x;
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
  m.fit(w.data);
  state.counters["fit_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (auto _ : state) {
    auto top = m.recommend_all(10);
    benchmark::DoNotOptimize(top);
  }
  state.counters["peak_rss_before_fit_MiB"] = before;  // the string triples and the interactions
  state.counters["peak_rss_MiB"] = peak_mib();
  state.counters["users_per_s"] = benchmark::Counter(static_cast<double>(w.data.n_users()) * static_cast<double>(state.iterations()),
                                                     benchmark::Counter::kIsRate);
}
BENCHMARK(recommend_all_100k_users_20k_items)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
