// The benchmark data sets, written once as .npy files and read by both sides: the clm
// benchmarks load them from here and benchmarks/peers/peers.py loads the same files with
// numpy, so every ratio in `scripts/dev bench` compares the same bytes.
//
// Folder: $CLM_BENCH_DATA (scripts/dev bench sets build/bench/data), else
// $TMPDIR/clm-bench (or /tmp/clm-bench). A data set is generated with clm's seeded
// generator when one of its files is missing; delete the folder to regenerate.
//
//   linear_{X,y_reg,y_cls}      1e6 x 50 N(0, 1); y_reg = 0.5 + X beta + N(0, 1),
//                               y_cls ~ Bernoulli(sigmoid(0.5 + X beta)), beta ~ N(0, 0.5)
//   kmeans_X                    1e6 x 8 around 8 overlapping N(0, 1) centres
//   mlp_{X,y}                   1e5 x 40, y ~ Bernoulli(sigmoid(X w)), w_j = 0.5 or -0.2
//   roc_{y,s}                   1e7: y ~ Bernoulli(0.3), s = 0.8 y + N(0, 1)
//   onehot_codes                1e5 x 3 int32 codes of 10, 100 and 1000 categories
//   ratings50k_{user,item,value}  1M ratings of 50k users x 5k items (popularity
//                               1 / (rank + 50), user activity lognormal(0, 1), values 1..5)
//   ratings100k_{user,item,value,query_user,query_item}  100k ratings of 943 x 1682
//                               (MovieLens-100k's shape) and 20k (user, item) queries
//   tx10m_{customer,day,amount}  10M purchases of 1M customers on days 0..364 of 2024
//   cdnow100_{frequency,recency,T}  the CDNOW_master x 100 summary (bench_lifetime)
//   transactions_1m.csv         a simulated order log of 1M customers (116 MB)
#pragma once

#include <clm/core/random.hpp>
#include <clm/core/types.hpp>
#include <clm/data/synthetic.hpp>

#include <clm/core/xt.hpp>
#if CLM_XTENSOR_NEW_LAYOUT
#include <xtensor/io/xnpy.hpp>
#else
#include <xtensor/xnpy.hpp>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace clm_bench {

inline std::filesystem::path data_dir() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d;
    if (const char* e = std::getenv("CLM_BENCH_DATA"); e && *e) {
      d = e;
    } else {
      const char* t = std::getenv("TMPDIR");
      d = std::filesystem::path(t && *t ? t : "/tmp") / "clm-bench";
    }
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

inline std::filesystem::path file(const std::string& name) { return data_dir() / (name + ".npy"); }

inline bool have(std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (!std::filesystem::exists(file(n))) return false;
  }
  return true;
}

/// Writes through a temporary name, so an interrupted run leaves no partial file.
template <class E>
void save(const std::string& name, const E& e) {
  const auto tmp = data_dir() / (name + ".npy.tmp");
  xt::dump_npy(tmp.string(), e);
  std::filesystem::rename(tmp, file(name));
}

template <class T, std::size_t N>
xt::xtensor<T, N> load(const std::string& name) {
  return xt::load_npy<T>(file(name).string());
}

/// An n x d matrix of N(0, 1) draws from `seed` (the small in-process inputs).
inline clm::matrix<double> gaussian(std::size_t n, std::size_t d, std::uint64_t seed) {
  clm::random_engine g(seed);
  auto X = clm::detail::empty_matrix<double>(n, d);
  for (auto& v : X) v = clm::normal(g);
  return X;
}

/// The first n rows of a shared matrix (n is a benchmark's size argument): the data set
/// itself when n covers it, else a copy kept in `store`. Throws when n exceeds it.
template <class T, std::size_t N>
const xt::xtensor<T, N>& first_rows(const xt::xtensor<T, N>& X, std::size_t n, xt::xtensor<T, N>& store) {
  if (n > X.shape()[0]) throw std::invalid_argument("clm_bench: the data set has fewer rows than the size asked");
  if (n == X.shape()[0]) return X;
  if constexpr (N == 1) {
    store = xt::view(X, xt::range(0, n));
  } else {
    store = xt::view(X, xt::range(0, n), xt::all());
  }
  return store;
}

/// The regression / classification problem of the linear models and scalers.
struct linear_data {
  clm::matrix<double> X;
  clm::vector<double> y_reg, y_cls;
};

inline const linear_data& linear() {
  static const linear_data d = [] {
    if (!have({"linear_X", "linear_y_reg", "linear_y_cls"})) {
      const std::size_t n = 1'000'000, p = 50;
      clm::random_engine g(42);
      auto X = clm::detail::empty_matrix<double>(n, p);
      for (auto& v : X) v = clm::normal(g);
      std::vector<double> beta(p);
      for (auto& b : beta) b = clm::normal(g, 0.0, 0.5);
      auto yr = clm::detail::empty_vector<double>(n), yc = clm::detail::empty_vector<double>(n);
      for (std::size_t i = 0; i < n; ++i) {
        double z = 0.5;
        for (std::size_t j = 0; j < p; ++j) z += X(i, j) * beta[j];
        yr(i) = z + clm::normal(g);
        yc(i) = clm::bernoulli(g, 1.0 / (1.0 + std::exp(-z))) ? 1.0 : 0.0;
      }
      save("linear_X", X);
      save("linear_y_reg", yr);
      save("linear_y_cls", yc);
    }
    return linear_data{load<double, 2>("linear_X"), load<double, 1>("linear_y_reg"), load<double, 1>("linear_y_cls")};
  }();
  return d;
}

inline const clm::matrix<double>& kmeans_X() {
  static const clm::matrix<double> X = [] {
    if (!have({"kmeans_X"})) {
      clm::random_engine g(3);
      const std::size_t n = 1'000'000, p = 8, k = 8;
      std::vector<double> centers(k * p);
      for (auto& c : centers) c = clm::normal(g);  // overlapping: every iteration runs
      auto m = clm::detail::empty_matrix<double>(n, p);
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t c = clm::uniform_index(g, k);
        for (std::size_t j = 0; j < p; ++j) m(i, j) = centers[c * p + j] + clm::normal(g);
      }
      save("kmeans_X", m);
    }
    return load<double, 2>("kmeans_X");
  }();
  return X;
}

struct mlp_data {
  clm::matrix<double> X;
  clm::vector<double> y;
};

inline const mlp_data& mlp() {
  static const mlp_data d = [] {
    if (!have({"mlp_X", "mlp_y"})) {
      clm::random_engine g(11);
      const std::size_t n = 100'000, p = 40;
      auto X = clm::detail::empty_matrix<double>(n, p);
      auto y = clm::detail::empty_vector<double>(n);
      for (std::size_t i = 0; i < n; ++i) {
        double z = 0.0;
        for (std::size_t j = 0; j < p; ++j) {
          X(i, j) = clm::normal(g);
          z += (j % 3 == 0 ? 0.5 : -0.2) * X(i, j);
        }
        y(i) = clm::bernoulli(g, 1.0 / (1.0 + std::exp(-z))) ? 1.0 : 0.0;
      }
      save("mlp_X", X);
      save("mlp_y", y);
    }
    return mlp_data{load<double, 2>("mlp_X"), load<double, 1>("mlp_y")};
  }();
  return d;
}

struct scores {
  clm::vector<double> y, s;
};

inline const scores& roc() {
  static const scores d = [] {
    if (!have({"roc_y", "roc_s"})) {
      const std::size_t n = 10'000'000;
      clm::random_engine g(7);
      auto y = clm::detail::empty_vector<double>(n), s = clm::detail::empty_vector<double>(n);
      for (std::size_t i = 0; i < n; ++i) {
        y(i) = clm::bernoulli(g, 0.3) ? 1.0 : 0.0;
        s(i) = 0.8 * y(i) + clm::normal(g);
      }
      save("roc_y", y);
      save("roc_s", s);
    }
    return scores{load<double, 1>("roc_y"), load<double, 1>("roc_s")};
  }();
  return d;
}

inline const xt::xtensor<std::int32_t, 2>& onehot_codes() {
  static const xt::xtensor<std::int32_t, 2> codes = [] {
    if (!have({"onehot_codes"})) {
      const std::size_t n = 100'000;
      const std::size_t levels[3] = {10, 100, 1000};
      clm::random_engine g(3);
      xt::xtensor<std::int32_t, 2> c = xt::xtensor<std::int32_t, 2>::from_shape({n, 3});
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < 3; ++j) c(i, j) = static_cast<std::int32_t>(clm::uniform_index(g, levels[j]));
      }
      save("onehot_codes", c);
    }
    return load<std::int32_t, 2>("onehot_codes");
  }();
  return codes;
}

struct ratings {
  xt::xtensor<std::int32_t, 1> user, item;
  clm::vector<double> value;
};

/// nnz distinct (user, item) pairs: items drawn with probability ~ 1 / (rank + 50) (ranks
/// shuffled), users lognormal(0, 1) active; 1.25 nnz draws, duplicates merged, the excess
/// dropped at random; ratings uniform on 1..5.
inline ratings draw_ratings(std::size_t n_users, std::size_t n_items, std::size_t nnz, std::uint64_t seed) {
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
    const auto at = std::lower_bound(c.begin(), c.end(), clm::uniform01(g)) - c.begin();
    return std::min<std::size_t>(static_cast<std::size_t>(at), c.size() - 1);
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
  r.user = xt::xtensor<std::int32_t, 1>::from_shape({keys.size()});
  r.item = r.user;
  r.value = clm::detail::empty_vector<double>(keys.size());
  for (std::size_t k = 0; k < keys.size(); ++k) {
    r.user(k) = static_cast<std::int32_t>(keys[k] / n_items);
    r.item(k) = static_cast<std::int32_t>(keys[k] % n_items);
    r.value(k) = static_cast<double>(1 + clm::uniform_index(g, 5));
  }
  return r;
}

inline ratings saved_ratings(const std::string& name, std::size_t n_users, std::size_t n_items, std::size_t nnz,
                             std::uint64_t seed) {
  const auto u = name + "_user", i = name + "_item", v = name + "_value";
  if (!have({u.c_str(), i.c_str(), v.c_str()})) {
    const auto r = draw_ratings(n_users, n_items, nnz, seed);
    save(u, r.user);
    save(i, r.item);
    save(v, r.value);
  }
  return ratings{load<std::int32_t, 1>(u), load<std::int32_t, 1>(i), load<double, 1>(v)};
}

/// 1M ratings of 50k users x 5k items: item-item similarity, EASE and ALS.
inline const ratings& ratings50k() {
  static const ratings r = saved_ratings("ratings50k", 50'000, 5'000, 1'000'000, 4);
  return r;
}

struct rating_queries {
  ratings train;
  xt::xtensor<std::int32_t, 1> user, item;
};

/// 100k ratings of 943 users x 1682 items and 20k uniformly drawn (user, item) queries.
inline const rating_queries& ratings100k() {
  static const rating_queries q = [] {
    rating_queries out{saved_ratings("ratings100k", 943, 1682, 100'000, 5), {}, {}};
    if (!have({"ratings100k_query_user", "ratings100k_query_item"})) {
      clm::random_engine g(6);
      xt::xtensor<std::int32_t, 1> u = xt::xtensor<std::int32_t, 1>::from_shape({20'000}), i = u;
      for (std::size_t k = 0; k < u.size(); ++k) {
        u(k) = static_cast<std::int32_t>(clm::uniform_index(g, 943));
        i(k) = static_cast<std::int32_t>(clm::uniform_index(g, 1682));
      }
      save("ratings100k_query_user", u);
      save("ratings100k_query_item", i);
    }
    out.user = load<std::int32_t, 1>("ratings100k_query_user");
    out.item = load<std::int32_t, 1>("ratings100k_query_item");
    return out;
  }();
  return q;
}

/// Ids "u<k>" / "i<k>" for the string-keyed interactions API.
inline std::vector<std::string> ids(const char* prefix, const xt::xtensor<std::int32_t, 1>& k) {
  std::vector<std::string> out;
  out.reserve(k.size());
  for (const auto v : k) out.push_back(prefix + std::to_string(v));
  return out;
}

struct purchases {
  xt::xtensor<std::int32_t, 1> customer, day;
  clm::vector<double> amount;
};

/// 10M purchases of 1M customers, uniformly on days 0..364 of 2024, Gamma(6.25, 3) amounts.
inline const purchases& tx10m() {
  static const purchases p = [] {
    if (!have({"tx10m_customer", "tx10m_day", "tx10m_amount"})) {
      const std::size_t customers = 1'000'000, n = 10'000'000;
      clm::random_engine g(7);
      xt::xtensor<std::int32_t, 1> c = xt::xtensor<std::int32_t, 1>::from_shape({n}), d = c;
      auto a = clm::detail::empty_vector<double>(n);
      for (std::size_t i = 0; i < n; ++i) {
        c(i) = static_cast<std::int32_t>(clm::uniform_index(g, customers));
        d(i) = static_cast<std::int32_t>(clm::uniform_index(g, 365));
        a(i) = clm::gamma(g, 6.25, 3.0);
      }
      save("tx10m_customer", c);
      save("tx10m_day", d);
      save("tx10m_amount", a);
    }
    return purchases{load<std::int32_t, 1>("tx10m_customer"), load<std::int32_t, 1>("tx10m_day"),
                     load<double, 1>("tx10m_amount")};
  }();
  return p;
}

/// The simulated order log of 1M customers as CSV (customer_id, date, amount, item).
inline const std::filesystem::path& transactions_csv() {
  static const std::filesystem::path path = [] {
    const auto p = data_dir() / "transactions_1m.csv";
    if (!std::filesystem::exists(p)) {
      const auto pop = clm::synthetic::make_population({.n_customers = 1'000'000, .seed = 1, .rating_probability = 0.0});
      const auto tmp = data_dir() / "transactions_1m.csv.tmp";
      clm::synthetic::write_transactions(pop.transactions, tmp);
      std::filesystem::rename(tmp, p);
    }
    return p;
  }();
  return path;
}

}  // namespace clm_bench
