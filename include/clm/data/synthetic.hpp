#pragma once
// clm::synthetic — a seeded simulator of an e-commerce population whose truth is known,
// for tests, examples and benchmarks. The same seed gives the same data on every machine
// (clm::random_engine and its written-out distributions; no <random> distribution).
//
// customers(): a customer attribute table with a churn label drawn from a known logistic
// model, so a churn classifier can be checked against the coefficients that made the data.
//
//   numeric feature         distribution
//   tenure_months           Gamma(shape 2, scale 12)
//   orders_per_month        Gamma(shape 2, scale 0.5)
//   avg_order_value         Gamma(shape 4, scale 15)
//   days_since_last_order   Exponential(rate orders_per_month / 30)
//   support_tickets         Poisson(0.6)
//   discount_share          Beta(2, 5)
//   categorical feature     levels (probabilities)
//   region                  north, south, east, west (0.4, 0.3, 0.2, 0.1)
//   channel                 web, app, store (0.5, 0.35, 0.15)
//
//   P(churned = 1) = sigmoid(churn_intercept + churn_coef . numeric
//                            + region_effect[region] + channel_effect[channel])
//
// population(): a whole population's order log, following the stories of the models the
// library fits, with parameters given in population_params:
//   - customers arrive (first purchase) uniformly over `acquisition_weeks` from `start`;
//   - purchases: BG/NBD (Fader, Hardie & Lee 2005). Each customer has a purchase rate
//     lambda ~ Gamma(r, scale 1/alpha) per week and a dropout probability p ~ Beta(a, b);
//     repeat purchases follow a Poisson process with rate lambda, and after each repeat
//     purchase the customer drops out with probability p. Simulated until observation end;
//   - spend: Gamma-Gamma. Each customer has nu ~ Gamma(q, scale 1/v); each purchase's amount
//     is Gamma(p, scale 1/nu);
//   - items: users and items have latent factors (N(0, 1/k) and N(0, 1) per dimension) and
//     items a popularity weight exp(N(0, 1)). A purchase draws `candidates` items by
//     popularity and picks one of them with probability proportional to
//     exp(taste * user . item): purchases carry real signal for collaborative filtering;
//   - ratings: with probability rating_probability a purchase is rated
//     clamp(round(3 + 1.2 s + N(0, 0.5)), 1, 5), s = user . item (first rating of a pair kept);
//   - the attribute table of customers() for the same customer ids;
//   - optional dirt for the cleaning steps: duplicated log rows, outlier amounts (x 100),
//     and missing attribute values.
// Timestamps have second resolution; calibration_end = start + calibration_weeks exactly.
//
// pareto_nbd_histories(): customers' (frequency, recency, T) drawn from the Pareto/NBD
// model itself (Schmittlein, Morrison & Colombo 1987): per customer a purchase rate
// lambda ~ Gamma(r, scale 1/alpha) and a death rate mu ~ Gamma(s, scale 1/beta) per week, an
// exponential lifetime with rate mu, Poisson repeat purchases at rate lambda while alive,
// observed for T ~ Uniform(T_min, T_max) weeks after the first purchase, and for
// holdout_weeks more (holdout_frequency: the purchases in (T, T + holdout_weeks]). Times are
// continuous, so every history is distinct (nothing merges when a fit compresses them).
//
// churn_times(): time to churn from a known proportional-hazards model, with censoring, for
// the survival models. Covariates x ~ N(0, 1) per column (the last column 0/1 with
// probability 1/2 when `binary_last`), hazard h(t | x) = h0(t) exp(x . coef) with a Weibull
// baseline H0(t) = (t / scale)^shape, so the churn time is
// scale (E / exp(x . coef))^(1 / shape), E ~ Exponential(1). Each customer is observed until
// a censoring time ~ Exponential(censoring_rate) (0: none) or the end of follow_up,
// whichever is first. With `resolution` > 0 durations are rounded up to its multiples
// (whole months, say), which makes ties.
//
// retention_experiment(): a randomised retention offer with a known effect per customer.
// Features x ~ N(0, 1) (n_features >= 2). Each customer is one of four types, drawn with
// probabilities softmax(s) of the scores
//   persuadable  type_strength * x0        stays with p_persuadable.treated if offered,
//                                          .control if not (the offer helps)
//   do_not_disturb  -type_strength * x0    the reverse (the offer hurts)
//   sure_thing   type_strength * x1        stays with p_sure either way
//   lost_cause   -type_strength * x1       stays with p_lost either way
// (the other features are noise). Treatment ~ Bernoulli(treated_share), outcome retained ~
// Bernoulli(its type's rate under its arm). true_uplift is E[retained | x, offered] -
// E[retained | x, not offered] over the type probabilities given x (the best any model of
// x can know); retain_control the same without the offer (1 - it is the churn risk a churn
// model would score). value ~ Gamma(2, value_scale): each customer's worth if retained.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/random.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/data/dates.hpp"
#include "clm/data/table.hpp"
#include "clm/data/transactions.hpp"

namespace clm::synthetic {

struct customer_params {
  std::size_t n_customers = 1000;
  std::uint64_t seed = 0;
  double missing_rate = 0.0;  ///< share of attribute cells made missing (NaN / -1)

  void validate() const {
    require_param(n_customers > 0, "synthetic::customers", "n_customers", n_customers, "> 0");
    require_param(missing_rate >= 0.0 && missing_rate < 1.0, "synthetic::customers", "missing_rate",
                  missing_rate, "in [0, 1)");
  }
};

template <class T = double>
struct customer_data {
  matrix<T> X;                  ///< n_customers x 6 numeric features, columns as `names`
  vector<T> churned;            ///< 0/1 label
  vector<T> churn_probability;  ///< the true P(churned = 1) of each customer
  feature_names names;          ///< the numeric columns of X
  vector<T> true_coef;          ///< logistic coefficients per column of X
  T true_intercept{};
  table attributes;             ///< id, the numeric features, region, channel (with missing values
                                ///< when missing_rate > 0; X and the label use the clean values)
};

/// The churn model's true parameters (see the table above).
inline constexpr double churn_intercept = -0.5;
inline constexpr double churn_coef[6] = {-0.04, -0.9, 0.004, 0.03, 0.45, 1.5};
inline constexpr const char* regions[4] = {"north", "south", "east", "west"};
inline constexpr double region_share[4] = {0.4, 0.3, 0.2, 0.1};
inline constexpr double region_effect[4] = {0.0, 0.3, -0.2, 0.6};
inline constexpr const char* channels[3] = {"web", "app", "store"};
inline constexpr double channel_share[3] = {0.5, 0.35, 0.15};
inline constexpr double channel_effect[3] = {0.0, -0.4, 0.5};

namespace detail {

template <std::size_t N>
std::size_t pick(random_engine& g, const double (&share)[N]) {
  double u = uniform01(g);
  for (std::size_t k = 0; k + 1 < N; ++k) {
    if (u < share[k]) return k;
    u -= share[k];
  }
  return N - 1;
}

inline std::string customer_id(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "C%07zu", i + 1);
  return buf;
}

inline std::string item_id(std::size_t j) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "I%05zu", j + 1);
  return buf;
}

/// Vose's alias table: O(1) draws from a discrete distribution.
class alias_table {
 public:
  explicit alias_table(const std::vector<double>& w) : prob_(w.size()), alias_(w.size()) {
    const std::size_t n = w.size();
    const double total = std::accumulate(w.begin(), w.end(), 0.0);
    std::vector<double> scaled(n);
    std::vector<std::size_t> small, large;
    for (std::size_t i = 0; i < n; ++i) {
      scaled[i] = w[i] * static_cast<double>(n) / total;
      (scaled[i] < 1.0 ? small : large).push_back(i);
    }
    while (!small.empty() && !large.empty()) {
      const std::size_t s = small.back(), l = large.back();
      small.pop_back();
      prob_[s] = scaled[s];
      alias_[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1.0;
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    for (auto i : large) prob_[i] = 1.0;
    for (auto i : small) prob_[i] = 1.0;
  }
  std::size_t draw(random_engine& g) const {
    const std::size_t i = static_cast<std::size_t>(uniform_index(g, prob_.size()));
    return uniform01(g) < prob_[i] ? i : alias_[i];
  }

 private:
  std::vector<double> prob_;
  std::vector<std::size_t> alias_;
};

}  // namespace detail

template <class T = double>
customer_data<T> customers(const customer_params& params = {}) {
  params.validate();
  const std::size_t n = params.n_customers;
  constexpr std::size_t d = 6;
  customer_data<T> out;
  out.names = {"tenure_months",         "orders_per_month", "avg_order_value",
               "days_since_last_order", "support_tickets",  "discount_share"};
  out.X = matrix<T>::from_shape({n, d});
  out.churned = vector<T>::from_shape({n});
  out.churn_probability = vector<T>::from_shape({n});
  out.true_coef = vector<T>::from_shape({d});
  for (std::size_t j = 0; j < d; ++j) out.true_coef(j) = static_cast<T>(churn_coef[j]);
  out.true_intercept = static_cast<T>(churn_intercept);

  categorical_column ids, region, channel;
  ids.codes.resize(n);
  ids.levels.resize(n);
  region.codes.resize(n);
  channel.codes.resize(n);
  for (auto* r : regions) region.levels.emplace_back(r);
  for (auto* c : channels) channel.levels.emplace_back(c);

  random_engine g(params.seed);
  T* x = out.X.data();
  for (std::size_t i = 0; i < n; ++i) {
    double f[d];
    f[0] = gamma(g, 2.0, 12.0);
    f[1] = gamma(g, 2.0, 0.5);
    f[2] = gamma(g, 4.0, 15.0);
    f[3] = exponential(g, f[1] / 30.0);
    f[4] = static_cast<double>(poisson(g, 0.6));
    f[5] = beta(g, 2.0, 5.0);
    const std::size_t r = detail::pick(g, region_share);
    const std::size_t c = detail::pick(g, channel_share);
    double logit = churn_intercept + region_effect[r] + channel_effect[c];
    for (std::size_t j = 0; j < d; ++j) {
      x[i * d + j] = static_cast<T>(f[j]);
      logit += churn_coef[j] * static_cast<double>(static_cast<T>(f[j]));
    }
    const double p = 1.0 / (1.0 + std::exp(-logit));
    out.churn_probability(i) = static_cast<T>(p);
    out.churned(i) = bernoulli(g, p) ? T(1) : T(0);
    ids.codes[i] = static_cast<std::int32_t>(i);
    ids.levels[i] = detail::customer_id(i);
    region.codes[i] = static_cast<std::int32_t>(r);
    channel.codes[i] = static_cast<std::int32_t>(c);
  }

  // The attribute table, with missing cells drawn from a separate stream so that the
  // clean values do not depend on missing_rate.
  random_engine dirt(params.seed ^ 0x6d697373696e67ULL);
  out.attributes.add_categorical("customer_id", std::move(ids));
  for (std::size_t j = 0; j < d; ++j) {
    vector<double> col = vector<double>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) {
      col(i) = params.missing_rate > 0.0 && bernoulli(dirt, params.missing_rate)
                   ? std::numeric_limits<double>::quiet_NaN()
                   : static_cast<double>(x[i * d + j]);
    }
    out.attributes.add_numeric(out.names[j], std::move(col));
  }
  for (auto* col : {&region, &channel}) {
    if (params.missing_rate > 0.0) {
      for (auto& c : col->codes) {
        if (bernoulli(dirt, params.missing_rate)) c = -1;
      }
    }
  }
  out.attributes.add_categorical("region", std::move(region));
  out.attributes.add_categorical("channel", std::move(channel));
  return out;
}

struct population_params {
  std::size_t n_customers = 10000;
  std::uint64_t seed = 0;
  // BG/NBD purchase process, rates per week (defaults: the CDNOW estimates)
  double r = 0.243, alpha = 4.414, a = 0.793, b = 2.426;
  // Gamma-Gamma spend (defaults: the CDNOW estimates)
  double p = 6.25, q = 3.74, v = 15.44;
  timestamp start{days_from_civil(2024, 1, 1) * 86400};
  double acquisition_weeks = 12.0;
  double calibration_weeks = 39.0;
  double holdout_weeks = 39.0;
  // items and ratings
  std::size_t n_items = 500;
  std::size_t n_factors = 8;
  std::size_t candidates = 20;
  double taste = 2.0;
  double rating_probability = 0.3;
  // dirt
  double duplicate_rate = 0.0;  ///< share of log rows written twice
  double outlier_rate = 0.0;    ///< share of amounts multiplied by 100
  double missing_rate = 0.0;    ///< share of attribute cells missing

  void validate() const {
    const char* o = "synthetic::population";
    require_param(n_customers > 0, o, "n_customers", n_customers, "> 0");
    for (auto [name, value] : {std::pair{"r", r}, {"alpha", alpha}, {"a", a}, {"b", b},
                               {"p", p}, {"q", q}, {"v", v}}) {
      require_param(value > 0.0 && std::isfinite(value), o, name, value, "positive and finite");
    }
    require_param(acquisition_weeks >= 0.0 && acquisition_weeks <= calibration_weeks, o,
                  "acquisition_weeks", acquisition_weeks, "in [0, calibration_weeks]");
    require_param(calibration_weeks > 0.0, o, "calibration_weeks", calibration_weeks, "> 0");
    require_param(holdout_weeks >= 0.0, o, "holdout_weeks", holdout_weeks, ">= 0");
    require_param(n_items > 0, o, "n_items", n_items, "> 0");
    require_param(n_factors > 0, o, "n_factors", n_factors, "> 0");
    require_param(candidates > 0, o, "candidates", candidates, "> 0");
    require_param(rating_probability >= 0.0 && rating_probability <= 1.0, o, "rating_probability",
                  rating_probability, "in [0, 1]");
    for (auto [name, value] : {std::pair{"duplicate_rate", duplicate_rate},
                               {"outlier_rate", outlier_rate}, {"missing_rate", missing_rate}}) {
      require_param(value >= 0.0 && value < 1.0, o, name, value, "in [0, 1)");
    }
  }
};

struct population {
  transaction_log transactions;  ///< every purchase to observation_end, grouped by customer
  table customers;               ///< attributes of the same customers (see customers())
  vector<double> churned;        ///< the attribute table's churn label (logistic truth)
  timestamp calibration_end, observation_end;

  // Truth per customer (index = customer code in `transactions`).
  vector<double> lambda;           ///< purchase rate per week
  vector<double> dropout;          ///< BG/NBD p
  vector<double> nu;               ///< Gamma-Gamma spend rate
  vector<double> first_purchase;   ///< weeks after start
  std::vector<bool> alive_at_calibration_end;
  matrix<double> user_factors;     ///< n_customers x n_factors
  matrix<double> item_factors;     ///< n_items x n_factors
  vector<double> item_popularity;  ///< popularity weights (sum 1)

  // Ratings (explicit feedback) as triples.
  std::vector<std::string> rating_user, rating_item;
  std::vector<double> rating;

  std::size_t duplicated_rows = 0, outlier_rows = 0;
};

inline population make_population(const population_params& params = {}) {
  params.validate();
  const std::size_t n = params.n_customers, n_items = params.n_items, k = params.n_factors;
  population pop;
  random_engine g(params.seed);
  random_engine dirt(params.seed ^ 0x6469727479ULL);
  constexpr double week = 7.0 * 86400.0;
  pop.calibration_end = {params.start.seconds +
                         static_cast<std::int64_t>(std::llround(params.calibration_weeks * week))};
  const double horizon = params.calibration_weeks + params.holdout_weeks;
  pop.observation_end = {params.start.seconds + static_cast<std::int64_t>(std::llround(horizon * week))};

  // Items.
  pop.item_factors = matrix<double>::from_shape({n_items, k});
  for (auto& x : pop.item_factors) x = normal(g);
  std::vector<double> pop_w(n_items);
  for (auto& w : pop_w) w = std::exp(normal(g));
  const double total_w = std::accumulate(pop_w.begin(), pop_w.end(), 0.0);
  pop.item_popularity = vector<double>::from_shape({n_items});
  for (std::size_t j = 0; j < n_items; ++j) pop.item_popularity(j) = pop_w[j] / total_w;
  const detail::alias_table by_popularity(pop_w);
  pop.transactions.item_ids.resize(n_items);
  for (std::size_t j = 0; j < n_items; ++j) pop.transactions.item_ids[j] = detail::item_id(j);

  pop.lambda = vector<double>::from_shape({n});
  pop.dropout = vector<double>::from_shape({n});
  pop.nu = vector<double>::from_shape({n});
  pop.first_purchase = vector<double>::from_shape({n});
  pop.alive_at_calibration_end.assign(n, false);
  pop.user_factors = matrix<double>::from_shape({n, k});
  auto& log = pop.transactions;
  log.customer_ids.resize(n);

  const double inv_sqrt_k = 1.0 / std::sqrt(static_cast<double>(k));
  std::vector<double> score(params.candidates);
  std::vector<std::size_t> cand(params.candidates);
  std::vector<std::int32_t> rated;
  for (std::size_t i = 0; i < n; ++i) {
    log.customer_ids[i] = detail::customer_id(i);
    const double lam = gamma(g, params.r, 1.0 / params.alpha);
    const double drop = beta(g, params.a, params.b);
    const double nu = gamma(g, params.q, 1.0 / params.v);
    const double t0 = uniform(g, 0.0, params.acquisition_weeks);
    double* u = pop.user_factors.data() + i * k;
    for (std::size_t f = 0; f < k; ++f) u[f] = normal(g) * inv_sqrt_k;
    pop.lambda(i) = lam;
    pop.dropout(i) = drop;
    pop.nu(i) = nu;
    pop.first_purchase(i) = t0;
    rated.clear();

    const auto buy = [&](double t_weeks) {
      // Item: popularity candidates, then latent taste.
      double best = -1e300;
      for (std::size_t c = 0; c < params.candidates; ++c) {
        cand[c] = by_popularity.draw(g);
        const double* v = pop.item_factors.data() + cand[c] * k;
        double s = 0.0;
        for (std::size_t f = 0; f < k; ++f) s += u[f] * v[f];
        score[c] = params.taste * s;
        best = std::max(best, score[c]);
      }
      double z = 0.0;
      for (auto& s : score) z += (s = std::exp(s - best));
      double pick = uniform01(g) * z;
      std::size_t chosen = cand.back();
      for (std::size_t c = 0; c < params.candidates; ++c) {
        if ((pick -= score[c]) < 0.0) {
          chosen = cand[c];
          break;
        }
      }
      double amount = gamma(g, params.p, 1.0 / nu);
      if (params.outlier_rate > 0.0 && bernoulli(dirt, params.outlier_rate)) {
        amount *= 100.0;
        ++pop.outlier_rows;
      }
      const timestamp when{params.start.seconds + static_cast<std::int64_t>(std::floor(t_weeks * week))};
      const int copies = params.duplicate_rate > 0.0 && bernoulli(dirt, params.duplicate_rate) ? 2 : 1;
      pop.duplicated_rows += static_cast<std::size_t>(copies - 1);
      for (int c = 0; c < copies; ++c) {
        log.customer.push_back(static_cast<std::int32_t>(i));
        log.time.push_back(when);
        log.amount.push_back(amount);
        log.item.push_back(static_cast<std::int32_t>(chosen));
      }
      // Rating.
      if (bernoulli(g, params.rating_probability)) {
        const auto item = static_cast<std::int32_t>(chosen);
        const double* v = pop.item_factors.data() + chosen * k;
        double s = 0.0;
        for (std::size_t f = 0; f < k; ++f) s += u[f] * v[f];
        const double noisy = std::round(3.0 + 1.2 * s + normal(g, 0.0, 0.5));
        if (std::find(rated.begin(), rated.end(), item) == rated.end()) {
          rated.push_back(item);
          pop.rating_user.push_back(log.customer_ids[i]);
          pop.rating_item.push_back(log.item_ids[chosen]);
          pop.rating.push_back(std::clamp(noisy, 1.0, 5.0));
        }
      }
    };

    buy(t0);  // first purchase
    double t = t0;
    double dropped_at = horizon + 1.0;  // never, within the horizon
    for (;;) {
      t += exponential(g, lam);
      if (t >= horizon) break;
      buy(t);
      if (bernoulli(g, drop)) {  // after each repeat purchase
        dropped_at = t;
        break;
      }
    }
    pop.alive_at_calibration_end[i] = dropped_at > params.calibration_weeks;
  }

  auto attrs = customers<double>({.n_customers = n, .seed = params.seed ^ 0x617474727300ULL,
                                  .missing_rate = params.missing_rate});
  // Same ids as the log.
  pop.customers = std::move(attrs.attributes);
  pop.churned = std::move(attrs.churned);
  return pop;
}

/// Writes a transaction log as CSV: customer_id,date,amount[,item] with dates as
/// "YYYY-MM-DD HH:MM:SS" (or "YYYY-MM-DD" when dates_only). Reads back with
/// read_transactions({.customer = "customer_id", .date = "date", .amount = "amount"}).
void write_transactions(const transaction_log& log, const std::filesystem::path& path, bool dates_only = false);

inline void write_transactions(const transaction_log& log, const std::filesystem::path& path, bool dates_only) {
  std::FILE* f = std::fopen(path.string().c_str(), "wb");
  if (f == nullptr) throw error("write_transactions: cannot open '" + path.string() + "' for writing");
  const bool items = log.has_items() && log.item.size() == log.size();
  const bool amounts = log.has_amount();  // an empty log keeps its amount column
  std::string buf = std::string("customer_id,date") + (amounts ? ",amount" : "") + (items ? ",item" : "") + "\n";
  char tmp[64];
  for (std::size_t i = 0; i < log.size(); ++i) {
    buf += log.customer_ids[static_cast<std::size_t>(log.customer[i])];
    buf += ',';
    const timestamp t = log.time[i];
    const civil_date c = civil_from_days(t.day());
    const std::int64_t sec = t.seconds - t.day() * 86400;
    const int len = dates_only
                        ? std::snprintf(tmp, sizeof tmp, "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month, c.day)
                        : std::snprintf(tmp, sizeof tmp, "%04lld-%02u-%02u %02lld:%02lld:%02lld",
                                        static_cast<long long>(c.year), c.month, c.day,
                                        static_cast<long long>(sec / 3600), static_cast<long long>(sec / 60 % 60),
                                        static_cast<long long>(sec % 60));
    buf.append(tmp, static_cast<std::size_t>(len));
    if (amounts) {
      buf += ',';
      const int m = std::snprintf(tmp, sizeof tmp, "%.2f", log.amount[i]);
      buf.append(tmp, static_cast<std::size_t>(m));
    }
    if (items) {
      buf += ',';
      const auto code = log.item[i];
      if (code >= 0) buf += log.item_ids[static_cast<std::size_t>(code)];
    }
    buf += '\n';
    if (buf.size() > (1u << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw error("write_transactions: writing '" + path.string() + "' failed");
}

struct pareto_nbd_params {
  std::size_t n_customers = 10'000;
  double r = 0.55, alpha = 10.58, s = 0.61, beta = 11.67;  ///< CDNOW's published fit
  double T_min = 39.0, T_max = 78.0;                     ///< weeks observed
  double holdout_weeks = 0.0;                             ///< weeks observed after T (0: no holdout)
  std::uint64_t seed = 1;
};

inline customer_summary pareto_nbd_histories(const pareto_nbd_params& p = {}) {
  const char* o = "synthetic::pareto_nbd_histories";
  for (const auto& [name, v] : {std::pair{"r", p.r}, {"alpha", p.alpha}, {"s", p.s}, {"beta", p.beta}}) {
    require_param(v > 0.0 && std::isfinite(v), o, name, v, "finite and > 0");
  }
  require_param(p.T_min > 0.0 && p.T_max >= p.T_min && std::isfinite(p.T_max), o, "T_min/T_max",
                std::to_string(p.T_min) + "/" + std::to_string(p.T_max), "0 < T_min <= T_max, finite");
  require_param(p.holdout_weeks >= 0.0 && std::isfinite(p.holdout_weeks), o, "holdout_weeks", p.holdout_weeks,
                "finite and >= 0");
  random_engine g(p.seed);
  const std::size_t n = p.n_customers;
  customer_summary out;
  out.frequency = vector<double>::from_shape({n});
  out.recency = vector<double>::from_shape({n});
  out.T = vector<double>::from_shape({n});
  out.weight = xt::ones<double>({n});
  out.unit = time_unit::week;
  const bool holdout = p.holdout_weeks > 0.0;
  if (holdout) {
    out.holdout_frequency = vector<double>::from_shape({n});
    out.holdout_duration = p.holdout_weeks;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double lambda = gamma(g, p.r, 1.0 / p.alpha), mu = gamma(g, p.s, 1.0 / p.beta);
    const double age = uniform(g, p.T_min, p.T_max);
    const double end = std::min(age + p.holdout_weeks, -std::log1p(-uniform01(g)) / mu);
    double t = 0.0, last = 0.0, x = 0.0, later = 0.0;
    while ((t += -std::log1p(-uniform01(g)) / lambda) <= end) {
      if (t <= age) {
        last = t;
        x += 1.0;
      } else {
        later += 1.0;
      }
    }
    out.frequency(i) = x;
    out.recency(i) = last;
    out.T(i) = age;
    if (holdout) out.holdout_frequency(i) = later;
  }
  return out;
}

struct churn_time_params {
  std::size_t n_customers = 2000;
  std::vector<double> coef = {0.5, -0.7, 0.3, 0.0, 0.8};  ///< one covariate per entry
  bool binary_last = true;     ///< the last covariate is 0/1 (a treatment or a plan type)
  double shape = 1.3;          ///< Weibull baseline shape (> 1: a rising hazard)
  double scale = 24.0;         ///< Weibull baseline scale (months)
  double censoring_rate = 0.02;  ///< random censoring per month (0: none)
  double follow_up = 36.0;     ///< administrative end of observation
  double resolution = 0.0;     ///< > 0: durations rounded up to multiples of it (ties)
  std::uint64_t seed = 1;
};

template <class T = double>
struct churn_time_data {
  matrix<T> X;
  vector<T> durations;   ///< observed time: churn or censoring
  vector<T> events;      ///< 1: churned at `durations`, 0: censored
  vector<T> churn_time;  ///< the true (uncensored) churn time
  vector<T> true_coef;
};

template <class T = double>
churn_time_data<T> churn_times(const churn_time_params& p = {}) {
  const char* o = "synthetic::churn_times";
  require_param(p.n_customers > 0, o, "n_customers", p.n_customers, "> 0");
  require_param(!p.coef.empty(), o, "coef", p.coef.size(), "at least one coefficient");
  require_param(p.shape > 0.0 && std::isfinite(p.shape), o, "shape", p.shape, "finite and > 0");
  require_param(p.scale > 0.0 && std::isfinite(p.scale), o, "scale", p.scale, "finite and > 0");
  require_param(p.censoring_rate >= 0.0 && std::isfinite(p.censoring_rate), o, "censoring_rate", p.censoring_rate,
                "finite and >= 0");
  require_param(p.follow_up > 0.0, o, "follow_up", p.follow_up, "> 0");
  require_param(p.resolution >= 0.0 && std::isfinite(p.resolution), o, "resolution", p.resolution, "finite and >= 0");
  random_engine g(p.seed);
  const std::size_t n = p.n_customers, d = p.coef.size();
  churn_time_data<T> out;
  out.X = matrix<T>::from_shape({n, d});
  out.durations = vector<T>::from_shape({n});
  out.events = vector<T>::from_shape({n});
  out.churn_time = vector<T>::from_shape({n});
  out.true_coef = vector<T>::from_shape({d});
  for (std::size_t j = 0; j < d; ++j) out.true_coef(j) = static_cast<T>(p.coef[j]);
  for (std::size_t i = 0; i < n; ++i) {
    double eta = 0.0;
    for (std::size_t j = 0; j < d; ++j) {
      const double x = (p.binary_last && j + 1 == d) ? (uniform01(g) < 0.5 ? 1.0 : 0.0) : normal(g);
      out.X(i, j) = static_cast<T>(x);
      eta += p.coef[j] * x;
    }
    const double e = -std::log1p(-uniform01(g));
    const double time = p.scale * std::pow(e / std::exp(eta), 1.0 / p.shape);
    double end = p.follow_up;
    if (p.censoring_rate > 0.0) end = std::min(end, exponential(g, p.censoring_rate));
    double observed = std::min(time, end);
    if (p.resolution > 0.0) observed = std::max(1.0, std::ceil(observed / p.resolution)) * p.resolution;
    out.churn_time(i) = static_cast<T>(time);
    out.durations(i) = static_cast<T>(observed);
    out.events(i) = static_cast<T>(time <= end ? 1 : 0);
  }
  return out;
}

struct retention_experiment_params {
  std::size_t n_customers = 20000;
  std::size_t n_features = 5;
  double treated_share = 0.5;
  double type_strength = 1.5;
  double persuadable_control = 0.3, persuadable_treated = 0.75;
  double sure_thing = 0.9, lost_cause = 0.1;
  double value_scale = 100.0;
  std::uint64_t seed = 1;
};

enum class customer_type : std::uint8_t { persuadable, do_not_disturb, sure_thing, lost_cause };

template <class T = double>
struct retention_experiment_data {
  matrix<T> X;
  vector<T> treatment;       ///< 1: offered
  vector<T> retained;        ///< the outcome: 1 stayed
  vector<T> true_uplift;     ///< E[retained | x, offer] - E[retained | x, no offer]
  vector<T> retain_control;  ///< E[retained | x, no offer]
  vector<T> value;           ///< worth of keeping the customer
  std::vector<customer_type> type;
};

template <class T = double>
retention_experiment_data<T> retention_experiment(const retention_experiment_params& p = {}) {
  const char* o = "synthetic::retention_experiment";
  require_param(p.n_customers > 0, o, "n_customers", p.n_customers, "> 0");
  require_param(p.n_features >= 2, o, "n_features", p.n_features, ">= 2");
  require_param(p.treated_share > 0.0 && p.treated_share < 1.0, o, "treated_share", p.treated_share, "in (0, 1)");
  for (const auto& [name, v] : {std::pair{"persuadable_control", p.persuadable_control},
                                {"persuadable_treated", p.persuadable_treated}, {"sure_thing", p.sure_thing},
                                {"lost_cause", p.lost_cause}}) {
    require_param(v >= 0.0 && v <= 1.0, o, name, v, "a probability in [0, 1]");
  }
  require_param(p.value_scale > 0.0 && std::isfinite(p.value_scale), o, "value_scale", p.value_scale, "finite and > 0");
  random_engine g(p.seed);
  const std::size_t n = p.n_customers, d = p.n_features;
  retention_experiment_data<T> out;
  out.X = matrix<T>::from_shape({n, d});
  out.treatment = vector<T>::from_shape({n});
  out.retained = vector<T>::from_shape({n});
  out.true_uplift = vector<T>::from_shape({n});
  out.retain_control = vector<T>::from_shape({n});
  out.value = vector<T>::from_shape({n});
  out.type.resize(n);
  // Retention rate of each type without and with the offer.
  const double control[4] = {p.persuadable_control, p.persuadable_treated, p.sure_thing, p.lost_cause};
  const double treated[4] = {p.persuadable_treated, p.persuadable_control, p.sure_thing, p.lost_cause};
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < d; ++j) out.X(i, j) = static_cast<T>(normal(g));
    const double x0 = static_cast<double>(out.X(i, 0)), x1 = static_cast<double>(out.X(i, 1));
    const double s[4] = {p.type_strength * x0, -p.type_strength * x0, p.type_strength * x1, -p.type_strength * x1};
    const double top = std::max(std::max(s[0], s[1]), std::max(s[2], s[3]));
    double w[4], total = 0;
    for (int k = 0; k < 4; ++k) total += (w[k] = std::exp(s[k] - top));
    double uplift = 0, base = 0;
    for (int k = 0; k < 4; ++k) {
      w[k] /= total;
      uplift += w[k] * (treated[k] - control[k]);
      base += w[k] * control[k];
    }
    double u = uniform01(g);
    std::size_t type = 3;
    for (std::size_t k = 0; k < 3; ++k) {
      if (u < w[k]) {
        type = k;
        break;
      }
      u -= w[k];
    }
    const bool offered = uniform01(g) < p.treated_share;
    const double rate = offered ? treated[type] : control[type];
    out.type[i] = static_cast<customer_type>(type);
    out.treatment(i) = static_cast<T>(offered ? 1 : 0);
    out.retained(i) = static_cast<T>(uniform01(g) < rate ? 1 : 0);
    out.true_uplift(i) = static_cast<T>(uplift);
    out.retain_control(i) = static_cast<T>(base);
    out.value(i) = static_cast<T>(gamma(g, 2.0, p.value_scale));
  }
  return out;
}

}  // namespace clm::synthetic
