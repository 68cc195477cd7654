// Lifetime models on CDNOW_master replicated 100 times (2.36 M customers, 6.97 M purchases)
// in memory: summarize + BG/NBD fit, the step that takes lifetimes 38 s + 523 s. Needs
// CLM_DATA_DIR (the shared data folder); skipped without it. The summary is saved as the
// shared data set cdnow100_{frequency,recency,T}, on which benchmarks/peers/peers.py fits
// the BG/NBD model the way lifetimes does (scipy's Nelder-Mead on the whole arrays).
// Also: fitting each model on the compressed summary alone, and per-customer predictions
// (conditional expected purchases over 39 weeks and P(alive)) for 1 M customers.
#include "datasets.hpp"

#include <benchmark/benchmark.h>

#include <clm/data/synthetic.hpp>
#include <clm/data/transactions.hpp>
#include <clm/lifetime/bg_nbd.hpp>
#include <clm/core/random.hpp>
#include <clm/lifetime/gamma_gamma.hpp>
#include <clm/lifetime/pareto_nbd.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace {

const clm::summary_options periods{.calibration_end = clm::parse_date("1997-09-30")};

/// CDNOW_master with every customer copied `copies` times under new ids.
const clm::transaction_log* replicated(std::size_t copies) {
  static std::optional<clm::transaction_log> log;
  if (!log) {
    const char* dir = std::getenv("CLM_DATA_DIR");
    if (dir == nullptr) return nullptr;
    const auto one = clm::read_transactions(std::filesystem::path(dir) / "cdnow" / "CDNOW_master.txt",
                                            {.customer = "customer_id", .date = "date", .amount = "dollar_value"},
                                            {.whitespace = true});
    clm::transaction_log out;
    const std::size_t n = one.customer_ids.size();
    for (std::size_t c = 0; c < copies; ++c) {
      for (std::size_t i = 0; i < n; ++i) out.customer_ids.push_back(one.customer_ids[i] + "_" + std::to_string(c));
      for (std::size_t k = 0; k < one.customer.size(); ++k) {
        out.customer.push_back(one.customer[k] + static_cast<std::int32_t>(c * n));
        out.time.push_back(one.time[k]);
        out.amount.push_back(one.amount[k]);
      }
    }
    log = std::move(out);
  }
  return &*log;
}

const clm::customer_summary* summary() {
  static std::optional<clm::customer_summary> s;
  if (!s) {
    const auto* log = replicated(100);
    if (log == nullptr) return nullptr;
    s = clm::summarize(*log, periods);
    if (!clm_bench::have({"cdnow100_frequency", "cdnow100_recency", "cdnow100_T"})) {
      clm_bench::save("cdnow100_frequency", s->frequency);
      clm_bench::save("cdnow100_recency", s->recency);
      clm_bench::save("cdnow100_T", s->T);
    }
  }
  return &*s;
}

void summarize_and_fit_bg_nbd_2_36M(benchmark::State& state) {
  const auto* log = replicated(100);
  if (log == nullptr) {
    state.SkipWithError("CLM_DATA_DIR is not set");
    return;
  }
  for (auto _ : state) {
    const auto s = clm::summarize(*log, periods);
    clm::bg_nbd<> m;
    m.fit(s);
    benchmark::DoNotOptimize(m.parameters());
  }
  state.counters["customers"] = 2357000;
}
BENCHMARK(summarize_and_fit_bg_nbd_2_36M)->Unit(benchmark::kMillisecond)->Iterations(3);

template <class Model>
void fit_only(benchmark::State& state) {
  const auto* s = summary();
  if (s == nullptr) {
    state.SkipWithError("CLM_DATA_DIR is not set");
    return;
  }
  for (auto _ : state) {
    Model m({.exclude_nonpositive = true});  // CDNOW_master has $0.00 orders
    m.fit(*s);
    benchmark::DoNotOptimize(m.log_likelihood());
  }
}
BENCHMARK(fit_only<clm::bg_nbd<>>)->Name("fit_bg_nbd_2_36M")->Unit(benchmark::kMillisecond);
BENCHMARK(fit_only<clm::pareto_nbd<>>)->Name("fit_pareto_nbd_2_36M")->Unit(benchmark::kMillisecond);
BENCHMARK(fit_only<clm::gamma_gamma<>>)->Name("fit_gamma_gamma_2_36M")->Unit(benchmark::kMillisecond);

// Gamma-Gamma on 1e6 repeat customers whose (x, mean spend) pairs are all distinct (mean
// spends drawn from the model: x Gamma(p, nu) transactions, nu ~ Gamma(q, v)), so nothing
// merges: the cost of the likelihood itself.
void fit_gamma_gamma_1M_distinct(benchmark::State& state) {
  static const clm::customer_summary s = [] {
    clm::random_engine g(9);
    const std::size_t n = 1'000'000;
    clm::customer_summary out;
    out.frequency = clm::vector<double>::from_shape({n});
    out.recency = xt::zeros<double>({n});
    out.T = xt::zeros<double>({n});
    out.monetary_value = clm::vector<double>::from_shape({n});
    out.weight = xt::ones<double>({n});
    for (std::size_t i = 0; i < n; ++i) {
      const double x = static_cast<double>(1 + clm::uniform_index(g, 20));
      const double nu = clm::gamma(g, 3.74, 1.0 / 15.44);  // CDNOW's q, v
      double z = 0.0;
      for (int k = 0; k < static_cast<int>(x); ++k) z += clm::gamma(g, 6.25, 1.0 / nu);
      out.frequency(i) = x;
      out.recency(i) = 1.0;
      out.T(i) = 2.0;
      out.monetary_value(i) = z / x;
    }
    return out;
  }();
  for (auto _ : state) {
    clm::gamma_gamma<> m;
    m.fit(s);
    benchmark::DoNotOptimize(m.log_likelihood());
  }
  state.counters["customers"] = 1e6;
}
BENCHMARK(fit_gamma_gamma_1M_distinct)->Unit(benchmark::kMillisecond)->Iterations(2);

// Pareto/NBD on 1e6 customers drawn from the model itself (clm::synthetic::pareto_nbd_histories:
// CDNOW's published parameters, 39 to 78 weeks observed, continuous times), so every
// (x, t_x, T) is distinct and nothing merges: the cost of the likelihood's terms themselves.
void fit_pareto_nbd_1M_distinct(benchmark::State& state) {
  static const clm::customer_summary s = clm::synthetic::pareto_nbd_histories({.n_customers = 1'000'000, .seed = 11});
  for (auto _ : state) {
    clm::pareto_nbd<> m;
    m.fit(s);
    benchmark::DoNotOptimize(m.log_likelihood());
    state.counters["evaluations"] = static_cast<double>(m.report().evaluations);
    state.counters["iterations"] = static_cast<double>(m.report().iterations);
  }
  state.counters["customers"] = 1e6;
}
BENCHMARK(fit_pareto_nbd_1M_distinct)->Unit(benchmark::kMillisecond)->Iterations(1);

clm::customer_summary first_rows(const clm::customer_summary& s, std::size_t n) {
  clm::customer_summary out;
  out.frequency = xt::view(s.frequency, xt::range(0, n));
  out.recency = xt::view(s.recency, xt::range(0, n));
  out.T = xt::view(s.T, xt::range(0, n));
  out.unit = s.unit;
  return out;
}

void predict_bg_nbd_1M(benchmark::State& state) {
  const auto* s = summary();
  if (s == nullptr) {
    state.SkipWithError("CLM_DATA_DIR is not set");
    return;
  }
  const auto one_million = first_rows(*s, 1'000'000);
  clm::bg_nbd<> m;
  m.set_parameters({.r = 0.243, .alpha = 4.414, .a = 0.793, .b = 2.426});
  for (auto _ : state) {
    benchmark::DoNotOptimize(m.conditional_expected_purchases(39.0, one_million));
    benchmark::DoNotOptimize(m.probability_alive(one_million));
  }
  state.SetItemsProcessed(state.iterations() * 1'000'000);
}
BENCHMARK(predict_bg_nbd_1M)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
