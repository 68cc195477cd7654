// Model persistence: save_bytes / load_bytes of a fitted scaler (the checksum and the
// bounds checks are on this path).
#include <benchmark/benchmark.h>

#include "floor.hpp"

#include <clm/data/synthetic.hpp>
#include <clm/io/archive.hpp>
#include <clm/preprocessing/standard_scaler.hpp>

namespace {

clm::standard_scaler<> fitted(std::size_t d) {
  clm::random_engine g(2);
  clm::matrix<double> X = clm::matrix<double>::from_shape({100, d});
  for (auto& v : X) v = clm::normal(g);
  clm::standard_scaler<> s;
  s.fit(X);
  return s;
}

void archive_save(benchmark::State& state) {
  const auto s = fitted(static_cast<std::size_t>(state.range(0)));
  std::size_t size = 0;
  for (auto _ : state) {
    auto bytes = clm::save_bytes(s);
    size = bytes.size();
    benchmark::DoNotOptimize(bytes.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}
BENCHMARK(archive_save)->Arg(50)->Arg(100000);

void archive_load(benchmark::State& state) {
  const auto bytes = clm::save_bytes(fitted(static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) {
    auto s = clm::load_bytes<clm::standard_scaler<>>(bytes);
    benchmark::DoNotOptimize(&s);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(archive_load)->Arg(50)->Arg(100000);

}  // namespace
