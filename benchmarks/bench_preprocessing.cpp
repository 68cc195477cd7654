// Preprocessing hot paths on scikit-learn's benchmark shapes (peers: StandardScaler,
// MinMaxScaler and OneHotEncoder on the same files, benchmarks/peers/peers.py):
//   standard_scaler / min_max_scaler fit + transform on the 1e6 x 50 `linear` X (floor: two
//   reads of X (fit, transform) and one write of the output)
//   simple_imputer (mean) fit + transform on 1e6 x 50 with 1 % missing
//   one_hot_encoder fit + transform on the 1e5 x 3 `onehot_codes` (10, 100, 1000
//   categories), dense output (floor: writing it) and CSR output
//   column_transformer (imputer + scaler on 4 numeric, one-hot on 2 categorical columns)
// Each reports bytes of X per second.
#include "datasets.hpp"
#include "floor.hpp"

#include <clm/core/random.hpp>
#include <clm/data/table.hpp>
#include <clm/pipeline/pipeline.hpp>
#include <clm/preprocessing/column_transformer.hpp>
#include <clm/preprocessing/min_max_scaler.hpp>
#include <clm/preprocessing/one_hot_encoder.hpp>
#include <clm/preprocessing/simple_imputer.hpp>
#include <clm/preprocessing/standard_scaler.hpp>

#include <cmath>
#include <string>

namespace {

clm::matrix<double> make_matrix(std::size_t n, std::size_t d, double missing = 0.0) {
  clm::random_engine g(1);
  clm::matrix<double> X = clm::detail::empty_matrix<double>(n, d);
  for (auto& v : X) v = missing > 0.0 && clm::bernoulli(g, missing) ? std::nan("") : clm::normal(g, 3.0, 2.0);
  return X;
}

template <class Scaler>
void scaler_fit_transform(benchmark::State& state) {
  clm::matrix<double> store;
  const auto& X = clm_bench::first_rows(clm_bench::linear().X, static_cast<std::size_t>(state.range(0)), store);
  for (auto _ : state) {
    Scaler s;
    auto Z = s.fit_transform(X);
    benchmark::DoNotOptimize(Z.data());
  }
  const auto bytes = static_cast<double>(X.size() * sizeof(double));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
  clm_bench::set_floor(state, {.bytes = 3.0 * bytes});
}
BENCHMARK(scaler_fit_transform<clm::standard_scaler<>>)
    ->Name("standard_scaler_fit_transform_d50")->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
// The same fit and transform into a matrix made once (no fresh 400 MB result per call,
// so no page faults: the case the bimodal fit_transform times come from).
void standard_scaler_fit_transform_into(benchmark::State& state) {
  clm::matrix<double> store;
  const auto& X = clm_bench::first_rows(clm_bench::linear().X, static_cast<std::size_t>(state.range(0)), store);
  clm::matrix<double> out = clm::detail::empty_matrix<double>(X.shape()[0], X.shape()[1]);
  std::fill(out.begin(), out.end(), 0.0);
  for (auto _ : state) {
    clm::standard_scaler<> s;
    s.fit_transform_into(X, out);
    benchmark::DoNotOptimize(out.data());
  }
  const auto bytes = static_cast<double>(X.size() * sizeof(double));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
  clm_bench::set_floor(state, {.bytes = 3.0 * bytes});
}
BENCHMARK(standard_scaler_fit_transform_into)
    ->Name("standard_scaler_fit_transform_into_d50")->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(scaler_fit_transform<clm::min_max_scaler<>>)
    ->Name("min_max_scaler_fit_transform_d50")->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void simple_imputer_fit_transform(benchmark::State& state) {
  const auto X = make_matrix(1000000, 50, 0.01);
  for (auto _ : state) {
    clm::simple_imputer<> imp;
    auto Z = imp.fit_transform(X);
    benchmark::DoNotOptimize(Z.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * X.size() * sizeof(double)));
}
BENCHMARK(simple_imputer_fit_transform)->Unit(benchmark::kMillisecond)->UseRealTime();

/// The shared codes as a table of categorical columns c10, c100, c1000 (levels "v<code>");
/// past the data set's 1e5 rows the codes repeat.
clm::table categorical_table(std::size_t n) {
  const auto& codes = clm_bench::onehot_codes();
  clm::table t;
  std::size_t j = 0;
  for (std::size_t k : {10u, 100u, 1000u}) {
    clm::categorical_column c;
    for (std::size_t v = 0; v < k; ++v) c.levels.push_back("v" + std::to_string(v));
    c.codes.resize(n);
    for (std::size_t i = 0; i < n; ++i) c.codes[i] = codes(i % codes.shape()[0], j);
    t.add_categorical("c" + std::to_string(k), std::move(c));
    ++j;
  }
  return t;
}

/// Dense output (floor: writing it) or CSR (floor: writing a 4-byte index and an 8-byte
/// value per entry and a row pointer per row).
template <bool Sparse>
void one_hot_encoder_fit_transform(benchmark::State& state) {
  const auto t = categorical_table(static_cast<std::size_t>(state.range(0)));
  double bytes = 0.0;
  for (auto _ : state) {
    clm::one_hot_encoder<> enc;
    if constexpr (Sparse) {
      auto Z = enc.fit_transform_sparse(t);
      bytes = static_cast<double>(Z.nnz() * 12 + (t.rows() + 1) * 8);
      benchmark::DoNotOptimize(Z.indices.data());
    } else {
      auto Z = enc.fit_transform(t);
      bytes = static_cast<double>(Z.size() * sizeof(double));
      benchmark::DoNotOptimize(Z.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * t.rows()));
  clm_bench::set_floor(state, {.bytes = bytes});
}
// Dense: 1e5 rows x 1110 columns (0.9 GB at 1e6 rows).
BENCHMARK(one_hot_encoder_fit_transform<false>)->Name("one_hot_encoder_fit_transform_3_columns")->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(one_hot_encoder_fit_transform<true>)->Name("one_hot_encoder_fit_transform_sparse_3_columns")->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void column_transformer_fit_transform(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  clm::table t;
  clm::random_engine g(5);
  for (int k = 0; k < 4; ++k) {
    clm::vector<double> v = clm::vector<double>::from_shape({n});
    for (auto& x : v) x = clm::bernoulli(g, 0.01) ? std::nan("") : clm::gamma(g, 2.0, 10.0);
    t.add_numeric("n" + std::to_string(k), std::move(v));
  }
  const auto cats = categorical_table(n);
  for (const auto& name : cats.names()) t.add_categorical(name, cats.categorical(name));
  auto make = [] {
    return clm::make_column_transformer(
        {.numeric = {"n0", "n1", "n2", "n3"}, .categorical = {"c10", "c100"}},
        clm::make_pipeline(clm::simple_imputer<>({.strategy = clm::impute_strategy::median}), clm::standard_scaler<>()),
        clm::one_hot_encoder<>());
  };
  for (auto _ : state) {
    auto prep = make();
    auto Z = prep.fit_transform(t);
    benchmark::DoNotOptimize(Z.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(column_transformer_fit_transform)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

void standard_scaler_transform_one_row(benchmark::State& state) {
  const auto X = make_matrix(1000, 50);
  clm::standard_scaler<> s;
  s.fit(X);
  clm::matrix<double> row = clm::matrix<double>::from_shape({1, 50});
  std::copy(X.data(), X.data() + 50, row.data());
  for (auto _ : state) {
    auto z = s.transform(row);
    benchmark::DoNotOptimize(z.data());
  }
}
BENCHMARK(standard_scaler_transform_one_row);

}  // namespace
