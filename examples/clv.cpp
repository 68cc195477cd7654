// clv — customer lifetime value from an order log: BG/NBD for purchases, Gamma-Gamma for spend,
// checked against the holdout period, then each customer's CLV over 12 months.
#include <clm/clm.hpp>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

int main() try {
  const auto pop = clm::synthetic::make_population({.n_customers = 20000, .seed = 5});
  const auto summary = clm::summarize(pop.transactions, {.calibration_end = pop.calibration_end,
                                                         .observation_end = pop.observation_end});
  clm::bg_nbd<> purchases;
  purchases.fit(summary.compressed());  // identical histories merged: the same fit, faster
  clm::gamma_gamma<> spend;
  spend.fit(summary);
  const auto p = purchases.parameters();
  const auto g = spend.parameters();
  std::printf("BG/NBD r %.3f alpha %.3f a %.3f b %.3f (simulated with 0.243, 4.414, 0.793, 2.426)\n", p.r, p.alpha, p.a,
              p.b);
  std::printf("Gamma-Gamma p %.2f q %.2f v %.2f (simulated with 6.25, 3.74, 15.44)\n", g.p, g.q, g.v);

  // Validation: predicted vs actual purchases in the holdout period.
  const auto predicted = purchases.conditional_expected_purchases(summary.holdout_duration, summary);
  std::printf("holdout purchases: predicted %.0f, actual %.0f\n", xt::sum(predicted)(), xt::sum(summary.holdout_frequency)());

  const auto alive = purchases.probability_alive(summary);
  const auto value = clm::clv(purchases, spend, summary, {.months = 12, .monthly_discount_rate = 0.01});
  std::vector<std::size_t> order(summary.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::partial_sort(order.begin(), order.begin() + 10, order.end(), [&](auto a, auto b) { return value(a) > value(b); });
  std::printf("\n%-10s %9s %8s %9s %9s\n", "customer", "frequency", "P(alive)", "spend", "CLV 12m");
  for (std::size_t k = 0; k < 10; ++k) {
    const std::size_t i = order[k];
    std::printf("%-10s %9.0f %8.3f %9.2f %9.2f\n", summary.ids[i].c_str(), summary.frequency(i), alive(i),
                summary.monetary_value(i), value(i));
  }
  std::printf("total 12-month CLV of %zu customers: %.0f\n", summary.size(), xt::sum(value)());
  return 0;
} catch (const clm::error& e) {
  std::fprintf(stderr, "clv: %s\n", e.what());
  return 1;
}
