// How each fit's cost grows: time and peak memory at three or more sizes, and the empirical
// growth exponents (the least-squares slope of log cost on log size), the curve a user
// plans by.
//
//   clm_scaling [--sizes 10000,100000,1000000] [--json FILE]
//
// Each (fit, size) runs in its own child process: the data are made first, then the peak
// resident set is reset (/proc/self/clear_refs) and the fit runs once; "peak MiB" is the
// growth of the resident set over the data during the fit (OpenBLAS buffers included).
#include "datasets.hpp"

#include <clm/cluster/kmeans.hpp>
#include <clm/core/blas.hpp>
#include <clm/data/transactions.hpp>
#include <clm/lifetime/bg_nbd.hpp>
#include <clm/lifetime/gamma_gamma.hpp>
#include <clm/lifetime/pareto_nbd.hpp>
#include <clm/linear/linear_regression.hpp>
#include <clm/linear/logistic_regression.hpp>
#include <clm/neural/mlp.hpp>
#include <clm/preprocessing/standard_scaler.hpp>
#include <clm/recommend/als.hpp>
#include <clm/recommend/ease.hpp>
#include <clm/recommend/knn.hpp>

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace {

template <class E>
void benchmark_sink(const E& e) {
  volatile double v = e.size() ? e.data()[0] : 0.0;
  (void)v;
}

double status_mib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::strtod(line.c_str() + key.size(), nullptr) / 1024.0;
  }
  return std::nan("");
}

struct measurement {
  double seconds = 0.0, peak_mib = 0.0;
};

/// Made data, then `fit` timed with the peak resident set reset just before it.
template <class Make, class Fit>
measurement measure(Make make, Fit fit) {
  auto data = make();
  malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
  const double before = status_mib("VmRSS");
  const auto t0 = std::chrono::steady_clock::now();
  fit(data);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {seconds, std::max(0.0, status_mib("VmHWM") - before)};
}

struct supervised {
  clm::matrix<double> X;
  clm::vector<double> y;
};

supervised problem(std::size_t n, std::size_t d) {
  supervised p{clm_bench::gaussian(n, d, n + d), clm::detail::empty_vector<double>(n)};
  clm::random_engine g(7);
  for (std::size_t i = 0; i < n; ++i) {
    double z = 0.2;
    for (std::size_t j = 0; j < d; ++j) z += (j % 3 == 0 ? 0.5 : -0.2) * p.X(i, j);
    p.y(i) = clm::bernoulli(g, 1.0 / (1.0 + std::exp(-z))) ? 1.0 : 0.0;
  }
  return p;
}

clm::interactions ratings(std::size_t nnz, clm::feedback kind) {
  const auto r = clm_bench::draw_ratings(std::max<std::size_t>(nnz / 20, 10), 2000, nnz, 3);
  return clm::interactions::from_triples(clm_bench::ids("u", r.user), clm_bench::ids("i", r.item),
                                         std::vector<double>(r.value.begin(), r.value.end()), {.kind = kind});
}

clm::transaction_log population_log(std::size_t customers) {
  return clm::synthetic::make_population({.n_customers = customers, .seed = 5, .rating_probability = 0.0}).transactions;
}

struct fit_case {
  const char* name;
  const char* rows;  // what n counts
  std::function<measurement(std::size_t)> run;
};

std::vector<fit_case> cases() {
  return {
      {"ols_fit (d 50)", "rows",
       [](std::size_t n) {
         return measure([&] { return problem(n, 50); }, [](const supervised& p) { clm::linear_regression<>().fit(p.X, p.y); });
       }},
      {"logistic_fit (d 20, lbfgs)", "rows",
       [](std::size_t n) {
         return measure([&] { return problem(n, 20); },
                        [](const supervised& p) { clm::logistic_regression<>({.tol = 1e-6}).fit(p.X, p.y); });
       }},
      {"standard_scaler fit_transform (d 50)", "rows",
       [](std::size_t n) {
         return measure([&] { return clm_bench::gaussian(n, 50, n + 50); },
                        [](const clm::matrix<double>& X) { benchmark_sink(clm::standard_scaler<>().fit_transform(X)); });
       }},
      {"kmeans fit (d 8, k 8, max_iter 10)", "rows",
       [](std::size_t n) {
         return measure([&] { return clm_bench::gaussian(n, 8, n + 8); },
                        [](const clm::matrix<double>& X) {
                          const clm::matrix<double> init = xt::view(X, xt::range(0, 8), xt::all());
                          clm::kmeans<>({.k = 8, .init = clm::kmeans_init::given, .init_centers = init, .max_iter = 10,
                                         .tol = 0.0})
                              .fit(X);
                        });
       }},
      {"mlp_classifier epoch (d 40, 64-32, batch 256)", "rows",
       [](std::size_t n) {
         return measure([&] { return problem(n, 40); },
                        [](const supervised& p) {
                          clm::mlp_classifier<>({.hidden = {64, 32}, .epochs = 1, .batch_size = 256, .seed = 1}).fit(p.X, p.y);
                        });
       }},
      {"summarize + bg_nbd fit", "customers",
       [](std::size_t n) {
         return measure([&] { return population_log(n); },
             [](const clm::transaction_log& log) { clm::bg_nbd<>().fit(clm::summarize(log)); });
       }},
      {"summarize + pareto_nbd fit", "customers",
       [](std::size_t n) {
         return measure([&] { return population_log(n); },
             [](const clm::transaction_log& log) { clm::pareto_nbd<>().fit(clm::summarize(log)); });
       }},
      {"gamma_gamma fit", "customers",
       [](std::size_t n) {
         return measure([&] { return clm::summarize(population_log(n)); },
             [](const clm::customer_summary& s) { clm::gamma_gamma<>().fit(s); });
       }},
      {"ease fit (2000 items)", "ratings",
       [](std::size_t n) {
         return measure([&] { return ratings(n, clm::feedback::implicit_counts); },
                        [](const clm::interactions& d) { clm::ease<>().fit(d); });
       }},
      {"item_knn fit (msd, 2000 items)", "ratings",
       [](std::size_t n) {
         return measure([&] { return ratings(n, clm::feedback::explicit_ratings); },
                        [](const clm::interactions& d) { clm::item_knn<>().fit(d); });
       }},
      {"implicit_als fit (32 factors, 3 iterations)", "ratings",
       [](std::size_t n) {
         return measure([&] { return ratings(n, clm::feedback::implicit_counts); },
                        [](const clm::interactions& d) { clm::implicit_als<>({.factors = 32, .iterations = 3}).fit(d); });
       }},
  };
}

/// Runs one case in a child process; returns its measurement through a pipe.
measurement in_child(const fit_case& c, std::size_t n) {
  int fd[2];
  if (pipe(fd) != 0) throw std::runtime_error("clm_scaling: pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    // OpenBLAS sets up its buffers on the first call: done here, outside every measurement.
    const std::vector<double> a(64 * 64, 1.0);
    std::vector<double> b(64 * 64);
    clm::blas::gemm(clm::blas::op::none, clm::blas::op::none, 64, 64, 64, 1.0, a.data(), 64, a.data(), 64, 0.0,
                    b.data(), 64);
    const auto m = c.run(n);
    if (write(fd[1], &m, sizeof m) != static_cast<ssize_t>(sizeof m)) _exit(1);
    _exit(0);
  }
  close(fd[1]);
  measurement m{std::nan(""), std::nan("")};
  if (read(fd[0], &m, sizeof m) != static_cast<ssize_t>(sizeof m)) m = {std::nan(""), std::nan("")};
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return m;
}

/// Least-squares slope of log(y) on log(x).
double exponent(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    mx += std::log(x[i]);
    my += std::log(std::max(y[i], 1e-9));
  }
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(x.size());
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double dx = std::log(x[i]) - mx;
    sxy += dx * (std::log(std::max(y[i], 1e-9)) - my);
    sxx += dx * dx;
  }
  return sxy / sxx;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes = {10'000, 100'000, 1'000'000};
  std::string json_path;
  for (int a = 1; a < argc; ++a) {
    if (std::strcmp(argv[a], "--sizes") == 0 && a + 1 < argc) {
      sizes.clear();
      std::stringstream in(argv[++a]);
      std::string tok;
      while (std::getline(in, tok, ',')) sizes.push_back(static_cast<std::size_t>(std::stod(tok)));
    } else if (std::strcmp(argv[a], "--json") == 0 && a + 1 < argc) {
      json_path = argv[++a];
    } else {
      std::fprintf(stderr, "usage: clm_scaling [--sizes 10000,100000,1000000] [--json FILE]\n");
      return 2;
    }
  }
  if (sizes.size() < 2) {
    std::fprintf(stderr, "clm_scaling: at least two sizes are needed for an exponent, got %zu\n", sizes.size());
    return 2;
  }
  std::ostringstream json;
  json << "{\"sizes\": [";
  for (std::size_t i = 0; i < sizes.size(); ++i) json << (i ? ", " : "") << sizes[i];
  json << "], \"fits\": [";
  std::printf("%-46s %-9s", "fit", "n counts");
  for (const auto n : sizes) std::printf(" | n=%-8zu s, MiB     ", n);
  std::printf(" | time exp | mem exp\n");
  bool first = true;
  for (const auto& c : cases()) {
    std::vector<double> x, t, m;
    for (const auto n : sizes) {
      const auto r = in_child(c, n);
      x.push_back(static_cast<double>(n));
      t.push_back(r.seconds);
      m.push_back(r.peak_mib);
    }
    std::printf("%-46s %-9s", c.name, c.rows);
    for (std::size_t i = 0; i < sizes.size(); ++i) std::printf(" | %9.4f %9.1f  ", t[i], m[i]);
    const double te = exponent(x, t), me = exponent(x, m);
    std::printf(" | %8.2f | %7.2f\n", te, me);
    std::fflush(stdout);
    json << (first ? "" : ",") << "\n {\"fit\": \"" << c.name << "\", \"n_counts\": \"" << c.rows << "\", \"seconds\": [";
    for (std::size_t i = 0; i < t.size(); ++i) json << (i ? ", " : "") << t[i];
    json << "], \"peak_mib\": [";
    for (std::size_t i = 0; i < m.size(); ++i) json << (i ? ", " : "") << m[i];
    json << "], \"time_exponent\": " << te << ", \"memory_exponent\": " << me << "}";
    first = false;
  }
  json << "\n]}\n";
  if (!json_path.empty()) std::ofstream(json_path) << json.str();
  return 0;
}
