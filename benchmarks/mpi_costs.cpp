// The measured inputs of docs/scaling.md's cost model, under `mpirun -np 2`:
//   - ping-pong between ranks 0 and 1 (MPI_Send / MPI_Recv) for messages of 8 B to 64 MiB:
//     latency (half the round trip) and bandwidth;
//   - clm::mpi_communicator::allreduce_sum (an allgather, partials added in rank order) of
//     the vectors the distributed fits reduce: 52 doubles (a logistic gradient of 50
//     features, its loss and intercept term), 2,652 (OLS statistics at d = 50) and 1e6;
//   - the distributed fits themselves on this machine, one rank against two (each rank
//     half the rows): logistic regression 2e5 x 50 (lbfgs, the benchmark's settings), OLS
//     1e6 x 50, k-means 1e6 x 8 (k 8, 20 Lloyd iterations from given centres, as
//     bench_cluster), BG/NBD on 1e6 simulated histories (the warm start included),
//     shuffle_by_customer + summarize of a 2e5-customer order log and item_knn (Surprise's
//     cosine, dense 2,000 x 2,000 similarities) on 1e5 users' 40 ratings each, for the
//     strong-scaling efficiency T1 / (2 T2) (item_knn: T1 also of the one-process fit).
// Prints one line per figure ("name value unit"); each is the median of repeated runs.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <cstdio>
#include <vector>

#include <clm/cluster/kmeans.hpp>
#include <clm/core/random.hpp>
#include <clm/data/synthetic.hpp>
#include <clm/distributed/mpi.hpp>
#include <clm/distributed/shuffle.hpp>
#include <clm/lifetime/bg_nbd.hpp>
#include <clm/linear/linear_regression.hpp>
#include <clm/linear/logistic_regression.hpp>
#include <clm/recommend/knn.hpp>

namespace {
double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

template <class F>
double median_seconds(int repeats, F&& f) {
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = now();
    f();
    MPI_Barrier(MPI_COMM_WORLD);
    t.push_back(now() - t0);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

/// Rows [r n / size, (r + 1) n / size) of X.
clm::matrix<double> my_rows(const clm::matrix<double>& X, int rank, int size) {
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  const std::size_t a = n * static_cast<std::size_t>(rank) / static_cast<std::size_t>(size);
  const std::size_t b = n * static_cast<std::size_t>(rank + 1) / static_cast<std::size_t>(size);
  clm::matrix<double> out = clm::matrix<double>::from_shape({b - a, d});
  std::copy(X.data() + a * d, X.data() + b * d, out.data());
  return out;
}
clm::vector<double> my_rows(const clm::vector<double>& y, int rank, int size) {
  const std::size_t n = y.size();
  const std::size_t a = n * static_cast<std::size_t>(rank) / static_cast<std::size_t>(size);
  const std::size_t b = n * static_cast<std::size_t>(rank + 1) / static_cast<std::size_t>(size);
  clm::vector<double> out = clm::vector<double>::from_shape({b - a});
  std::copy(y.data() + a, y.data() + b, out.data());
  return out;
}
}  // namespace

int main(int argc, char** argv) {
  clm::mpi_session mpi(argc, argv);
  clm::mpi_communicator world;
  const int rank = world.rank(), size = world.size();
  const auto say = [&](const char* name, double value, const char* unit) {
    if (rank == 0) std::printf("%s %.6g %s\n", name, value, unit);
  };
  if (size >= 2) {
    for (std::size_t bytes = 8; bytes <= (std::size_t{64} << 20); bytes *= 8) {
      std::vector<char> buf(bytes);
      const int rounds = bytes < (1 << 16) ? 2000 : 20;
      const double t = median_seconds(5, [&] {
        for (int k = 0; k < rounds; ++k) {
          if (rank == 0) {
            MPI_Send(buf.data(), static_cast<int>(bytes), MPI_CHAR, 1, 0, MPI_COMM_WORLD);
            MPI_Recv(buf.data(), static_cast<int>(bytes), MPI_CHAR, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
          } else if (rank == 1) {
            MPI_Recv(buf.data(), static_cast<int>(bytes), MPI_CHAR, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(buf.data(), static_cast<int>(bytes), MPI_CHAR, 0, 0, MPI_COMM_WORLD);
          }
        }
      }) / rounds / 2;
      char name[64];
      std::snprintf(name, sizeof name, "pingpong_%zu_bytes_one_way", bytes);
      say(name, t * 1e6, "us");
      std::snprintf(name, sizeof name, "pingpong_%zu_bytes_bandwidth", bytes);
      say(name, static_cast<double>(bytes) / t / 1e9, "GB/s");
    }
  }
  for (const std::size_t n : {std::size_t{52}, std::size_t{2652}, std::size_t{1000000}}) {
    std::vector<double> v(n, 1.0);
    const int rounds = n < 10000 ? 2000 : 20;
    const double t = median_seconds(5, [&] {
      for (int k = 0; k < rounds; ++k) world.allreduce_sum(std::span<double>(v));
    }) / rounds;
    char name[64];
    std::snprintf(name, sizeof name, "allreduce_sum_%zu_doubles", n);
    say(name, t * 1e6, "us");
  }
  // Strong scaling of two fits: the whole data on every rank, each fitting its share.
  clm::matrix<double> X = clm::matrix<double>::from_shape({1000000, 50});
  clm::vector<double> y_reg = clm::vector<double>::from_shape({1000000}), y_cls = y_reg;
  {
    clm::random_engine gen(7);
    std::normal_distribution<double> g;
    for (auto& x : X) x = g(gen);
    for (std::size_t i = 0; i < y_reg.size(); ++i) {
      double z = 0;
      for (std::size_t j = 0; j < 50; ++j) z += X(i, j) * (static_cast<double>(j % 7) - 3.0) * 0.1;
      y_reg(i) = z + g(gen);
      y_cls(i) = z + g(gen) > 0 ? 1.0 : 0.0;
    }
  }
  const clm::matrix<double> X_log = xt::view(X, xt::range(0, 200000), xt::all());
  const clm::vector<double> y_log = xt::view(y_cls, xt::range(0, 200000));
  const auto X_mine = my_rows(X, rank, size), Xl_mine = my_rows(X_log, rank, size);
  const auto yr_mine = my_rows(y_reg, rank, size), yl_mine = my_rows(y_log, rank, size);
  const double ols = median_seconds(5, [&] { clm::linear_regression<>().fit(world, X_mine, yr_mine); });
  const double logit = median_seconds(5, [&] {
    clm::logistic_regression<>({.C = 1.0, .tol = 1e-6, .max_iter = 1000}).fit(world, Xl_mine, yl_mine);
  });
  char name[64];
  std::snprintf(name, sizeof name, "ols_fit_1e6x50_%d_ranks", size);
  say(name, ols * 1e3, "ms");
  std::snprintf(name, sizeof name, "logistic_fit_2e5x50_%d_ranks", size);
  say(name, logit * 1e3, "ms");

  // k-means: 1e6 x 8 around 8 centres, the first 8 rows as the start.
  clm::matrix<double> K = clm::matrix<double>::from_shape({1000000, 8});
  {
    clm::random_engine gen(3);
    std::normal_distribution<double> g;
    for (std::size_t i = 0; i < K.shape()[0]; ++i) {
      for (std::size_t j = 0; j < 8; ++j) K(i, j) = 3.0 * static_cast<double>((i % 8 + j) % 8) + g(gen);
    }
  }
  const clm::matrix<double> start = xt::view(K, xt::range(0, 8), xt::all());
  const auto K_mine = my_rows(K, rank, size);
  const double km = median_seconds(5, [&] {
    clm::kmeans<>({.k = 8, .init = clm::kmeans_init::given, .init_centers = start, .max_iter = 20, .tol = 0.0})
        .fit(world, K_mine);
  });
  std::snprintf(name, sizeof name, "kmeans_fit_1e6x8_k8_20_iterations_%d_ranks", size);
  say(name, km * 1e3, "ms");

  // BG/NBD: 1e6 customers' histories (continuous times: about as many distinct rows).
  const auto histories = clm::synthetic::pareto_nbd_histories({.n_customers = 1000000, .seed = 5});
  std::vector<std::size_t> share;
  for (std::size_t i = histories.size() * static_cast<std::size_t>(rank) / static_cast<std::size_t>(size);
       i < histories.size() * static_cast<std::size_t>(rank + 1) / static_cast<std::size_t>(size); ++i) {
    share.push_back(i);
  }
  const auto h_mine = histories.take(share);
  const double bg = median_seconds(3, [&] { clm::bg_nbd<>().fit(world, h_mine); });
  std::snprintf(name, sizeof name, "bg_nbd_fit_1e6_customers_%d_ranks", size);
  say(name, bg * 1e3, "ms");

  // Shuffle by customer and summarise: each rank holds a contiguous piece of the log.
  const auto pop = clm::synthetic::make_population({.n_customers = 200000, .seed = 9});
  const auto& log = pop.transactions;
  clm::transaction_log piece;
  piece.customer_ids = log.customer_ids;
  piece.item_ids = log.item_ids;
  for (std::size_t i = log.size() * static_cast<std::size_t>(rank) / static_cast<std::size_t>(size);
       i < log.size() * static_cast<std::size_t>(rank + 1) / static_cast<std::size_t>(size); ++i) {
    piece.customer.push_back(log.customer[i]);
    piece.time.push_back(log.time[i]);
    if (!log.amount.empty()) piece.amount.push_back(log.amount[i]);
    if (log.has_items()) piece.item.push_back(log.item[i]);
  }
  const double sm = median_seconds(5, [&] {
    const auto mine = clm::distributed::shuffle_by_customer(piece, world);
    (void)clm::distributed::summarize(world, mine);
  });
  std::snprintf(name, sizeof name, "shuffle_and_summarize_%zu_rows_%d_ranks", log.size(), size);
  say(name, sm * 1e3, "ms");

  // item_knn: 1e5 users rate 40 distinct items each of 2,000 (popularity ~ 1 / (rank + 10)),
  // 1..5 stars; each rank holds a block of users.
  {
    constexpr std::size_t users = 100000, items = 2000, per_user = 40;
    std::vector<double> weight(items);
    for (std::size_t j = 0; j < items; ++j) weight[j] = 1.0 / (static_cast<double>(j) + 10.0);
    std::discrete_distribution<std::size_t> pick(weight.begin(), weight.end());
    clm::random_engine gen(11);
    std::vector<std::string> u_ids, i_ids;
    std::vector<double> stars;
    const std::size_t u0 = users * static_cast<std::size_t>(rank) / static_cast<std::size_t>(size);
    const std::size_t u1 = users * static_cast<std::size_t>(rank + 1) / static_cast<std::size_t>(size);
    for (std::size_t u = 0; u < users; ++u) {
      std::vector<char> seen(items, 0);
      for (std::size_t k = 0; k < per_user;) {
        const std::size_t j = pick(gen);
        const double r = 1.0 + static_cast<double>(gen() % 5);
        if (seen[j]) continue;
        seen[j] = 1;
        ++k;
        if (u < u0 || u >= u1) continue;
        u_ids.push_back("u" + std::to_string(u));
        i_ids.push_back("i" + std::to_string(j));
        stars.push_back(r);
      }
    }
    const auto ratings = clm::interactions::from_triples(u_ids, i_ids, stars);
    const double knn = median_seconds(3, [&] {
      clm::item_knn<>({.similarity = {.kind = clm::similarity_kind::cosine}}).fit(world, ratings);
    });
    std::snprintf(name, sizeof name, "item_knn_fit_1e5_users_2000_items_%d_ranks", size);
    say(name, knn * 1e3, "ms");
    if (size == 1) {  // the one-process fit, the reference of the efficiency
      const double local = median_seconds(3, [&] {
        clm::item_knn<>({.similarity = {.kind = clm::similarity_kind::cosine}}).fit(ratings);
      });
      say("item_knn_fit_1e5_users_2000_items_one_process", local * 1e3, "ms");
    }
  }
  return 0;
}
