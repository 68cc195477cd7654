// optim: L-BFGS, Newton, Adam and SGD on functions with known minima.
#include <doctest/doctest.h>

#include <cmath>

#include "clm/optim/first_order.hpp"
#include "clm/optim/lbfgs.hpp"
#include "clm/optim/newton.hpp"

using clm::vector;

namespace {

// Rosenbrock in n dimensions: minimum 0 at (1, ..., 1).
struct rosenbrock {
  std::size_t evaluations = 0;
  double evaluate_with_gradient(const vector<double>& x, vector<double>& g) {
    ++evaluations;
    const std::size_t n = x.size();
    double f = 0.0;
    g.fill(0.0);
    for (std::size_t i = 0; i + 1 < n; ++i) {
      const double a = x(i + 1) - x(i) * x(i), b = 1.0 - x(i);
      f += 100.0 * a * a + b * b;
      g(i) += -400.0 * a * x(i) - 2.0 * b;
      g(i + 1) += 200.0 * a;
    }
    return f;
  }
  void hessian(const vector<double>& x, clm::matrix<double>& H) {
    const std::size_t n = x.size();
    H = xt::zeros<double>({n, n});
    for (std::size_t i = 0; i + 1 < n; ++i) {
      H(i, i) += 1200.0 * x(i) * x(i) - 400.0 * x(i + 1) + 2.0;
      H(i, i + 1) += -400.0 * x(i);
      H(i + 1, i) += -400.0 * x(i);
      H(i + 1, i + 1) += 200.0;
    }
  }
};

// An ill-conditioned quadratic 0.5 sum_i c_i (x_i - i)^2 with c_i from 1 to 1e4.
struct quadratic {
  double evaluate_with_gradient(const vector<double>& x, vector<double>& g) {
    double f = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double c = std::pow(10.0, 4.0 * static_cast<double>(i) / static_cast<double>(x.size() - 1));
      const double r = x(i) - static_cast<double>(i);
      f += 0.5 * c * r * r;
      g(i) = c * r;
    }
    return f;
  }
  void hessian(const vector<double>& x, clm::matrix<double>& H) {
    const std::size_t n = x.size();
    H = xt::zeros<double>({n, n});
    for (std::size_t i = 0; i < n; ++i) H(i, i) = std::pow(10.0, 4.0 * static_cast<double>(i) / static_cast<double>(n - 1));
  }
  // As a sum of n terms, for the mini-batch optimisers.
  std::size_t num_functions() const { return 10; }
  double evaluate_with_gradient(const vector<double>& x, vector<double>& g, std::size_t, std::size_t) {
    return evaluate_with_gradient(x, g);
  }
};

// (x - 1)^4 whose value carries noise of 1e-9 (a value computed less precisely than its
// gradient), with the exact gradient and Hessian: within ~0.01 of the minimum no step can
// show a decrease any more, while the gradient there is still ~1e-6.
struct noisy_value {
  double evaluate_with_gradient(const vector<double>& x, vector<double>& g) {
    const double r = x(0) - 1.0;
    g(0) = 4.0 * r * r * r;
    return r * r * r * r + 1e-9 * std::sin(1e7 * x(0));
  }
  void hessian(const vector<double>& x, clm::matrix<double>& H) {
    const double r = x(0) - 1.0;
    H = clm::matrix<double>{{12.0 * r * r}};
  }
};

// (x - 1)^4 + 1 known only to 1e-6: near the minimum every value is exactly 1, and the
// gradient has to carry the search the rest of the way.
struct flat_value {
  double evaluate_with_gradient(const vector<double>& x, vector<double>& g) {
    const double r = x(0) - 1.0;
    g(0) = 4.0 * r * r * r;
    return 1.0 + std::round(r * r * r * r * 1e6) / 1e6;
  }
  void hessian(const vector<double>& x, clm::matrix<double>& H) {
    const double r = x(0) - 1.0;
    H = clm::matrix<double>{{12.0 * r * r}};
  }
};

static_assert(clm::differentiable_objective<rosenbrock, double>);
static_assert(clm::twice_differentiable_objective<rosenbrock, double>);
static_assert(!clm::batch_objective<rosenbrock, double>);
static_assert(clm::batch_objective<quadratic, double>);

}  // namespace

TEST_CASE("lbfgs finds the Rosenbrock minimum from the classic start") {
  for (std::size_t n : {2u, 10u}) {
    rosenbrock f;
    vector<double> x = xt::zeros<double>({n});
    for (std::size_t i = 0; i < n; i += 2) x(i) = -1.2;
    for (std::size_t i = 1; i < n; i += 2) x(i) = 1.0;
    const auto r = clm::lbfgs<double>(f, x, {.max_iterations = 500, .gtol = 1e-10, .ftol = 0.0});
    INFO(r.stopped_because);
    CHECK(r.converged);
    for (std::size_t i = 0; i < n; ++i) CHECK(x(i) == doctest::Approx(1.0).epsilon(1e-8));
    CHECK(r.final_value < 1e-15);
    CHECK(r.evaluations == f.evaluations);
  }
}

TEST_CASE("lbfgs on an ill-conditioned quadratic - the report says why it stopped") {
  quadratic f;
  vector<double> x = xt::zeros<double>({20});
  const auto r = clm::lbfgs<double>(f, x, {.max_iterations = 1000, .gtol = 1e-10, .ftol = 0.0});
  CHECK(r.converged);
  for (std::size_t i = 0; i < 20; ++i) CHECK(x(i) == doctest::Approx(static_cast<double>(i)).epsilon(1e-9));
  vector<double> y = xt::zeros<double>({20});
  const auto short_run = clm::lbfgs<double>(f, y, {.max_iterations = 2, .gtol = 1e-12, .ftol = 0.0});
  CHECK_FALSE(short_run.converged);
  CHECK(short_run.reason == clm::stop_reason::iteration_limit);
  CHECK(short_run.stopped_because == "max_iterations reached");
  CHECK(r.reason == clm::stop_reason::gradient_tolerance);
  CHECK_THROWS_AS(clm::lbfgs<double>(f, y, {.c1 = 0.95, .c2 = 0.9}), clm::invalid_argument);
}

TEST_CASE("lbfgs_memory: a run that starts from another run's curvature pairs needs fewer iterations") {
  quadratic f;
  // A loose first run, then the tight run from its end point: with the first run's pairs
  // it takes fewer iterations than from the same point without them, to the same minimum.
  vector<double> x = xt::zeros<double>({20});
  clm::lbfgs_memory<double> memory;
  clm::lbfgs<double>(f, x, {.max_iterations = 1000, .gtol = 1e-2, .ftol = 0.0}, &memory);
  REQUIRE_FALSE(memory.s.empty());
  CHECK(memory.s.size() <= 10);
  vector<double> a = x, b = x;
  const auto with = clm::lbfgs<double>(f, a, {.max_iterations = 1000, .gtol = 1e-10, .ftol = 0.0}, &memory);
  const auto without = clm::lbfgs<double>(f, b, {.max_iterations = 1000, .gtol = 1e-10, .ftol = 0.0});
  MESSAGE("from the pairs: ", with.iterations, " iterations; without: ", without.iterations);
  CHECK(with.converged);
  CHECK(with.iterations < without.iterations);
  for (std::size_t i = 0; i < 20; ++i) CHECK(a(i) == doctest::Approx(static_cast<double>(i)).epsilon(1e-9));
  // Pairs of another size are not used.
  clm::lbfgs_memory<double> other;
  other.s = {xt::ones<double>({3})};
  other.y = other.s;
  other.rho = {1.0};
  vector<double> c = xt::zeros<double>({20});
  CHECK(clm::lbfgs<double>(f, c, {.max_iterations = 1000, .gtol = 1e-10, .ftol = 0.0}, &other).converged);
  CHECK(other.s.at(0).size() == 20);  // replaced by this run's pairs
}

TEST_CASE("a stalled line search is not convergence, even near a stationary point") {
  // Value noise hides the decrease while the gradient is ~1e-6: far above gtol. Both solvers
  // must say they stalled, not that they converged.
  noisy_value f;
  vector<double> x{3.0};
  const auto r = clm::lbfgs<double>(f, x, {.max_iterations = 200, .gtol = 1e-10, .ftol = 0.0});
  INFO(r.stopped_because);
  CHECK_FALSE(r.converged);
  CHECK(r.reason == clm::stop_reason::line_search_stalled);
  CHECK(r.stopped_because.find("stalled") != std::string::npos);
  CHECK(std::abs(x(0) - 1.0) < 0.1);  // it did get close
  CHECK(r.gradient_norm > 1e-10);
  vector<double> z{3.0};
  const auto s = clm::newton<double>(f, z, {.max_iterations = 200, .gtol = 1e-10, .ftol = 0.0});
  INFO(s.stopped_because);
  CHECK_FALSE(s.converged);
  CHECK(s.reason == clm::stop_reason::line_search_stalled);
}

TEST_CASE("where the value cannot resolve a decrease, the gradient carries the search to gtol") {
  // Hager & Zhang's approximate Wolfe conditions (lbfgs) and a shrinking gradient (newton).
  flat_value f;
  vector<double> x{3.0};
  const auto r = clm::lbfgs<double>(f, x, {.max_iterations = 500, .gtol = 1e-10, .ftol = 0.0});
  INFO(r.stopped_because);
  CHECK(r.converged);
  CHECK(r.reason == clm::stop_reason::gradient_tolerance);
  CHECK(std::abs(x(0) - 1.0) < 1e-3);
  vector<double> z{3.0};
  const auto s = clm::newton<double>(f, z, {.max_iterations = 500, .gtol = 1e-10, .ftol = 0.0});
  INFO(s.stopped_because);
  CHECK(s.reason == clm::stop_reason::gradient_tolerance);
}

TEST_CASE("newton: one step on a quadratic, few on Rosenbrock (damped where the Hessian is indefinite)") {
  quadratic q;
  vector<double> x = xt::zeros<double>({8});
  const auto r = clm::newton<double>(q, x, {.gtol = 1e-9});
  CHECK(r.converged);
  CHECK(r.iterations <= 2);
  for (std::size_t i = 0; i < 8; ++i) CHECK(x(i) == doctest::Approx(static_cast<double>(i)).epsilon(1e-12));
  rosenbrock f;
  vector<double> z{-1.2, 1.0};
  const auto s = clm::newton<double>(f, z, {.max_iterations = 100, .gtol = 1e-10});
  CHECK(s.converged);
  CHECK(z(0) == doctest::Approx(1.0).epsilon(1e-8));
  CHECK(z(1) == doctest::Approx(1.0).epsilon(1e-8));
}

TEST_CASE("adam and sgd with momentum descend a quadratic") {
  quadratic f;
  vector<double> x = xt::zeros<double>({4});
  clm::adam<double> opt(4, {.learning_rate = 0.05});
  const auto r = clm::minimize_batches<double>(f, x, opt, 300, 2, 1);
  CHECK(r.iterations == 300);
  for (std::size_t i = 0; i < 4; ++i) CHECK(std::abs(x(i) - static_cast<double>(i)) < 1e-2);
  vector<double> y = xt::zeros<double>({4});
  clm::sgd<double> s(4, {.learning_rate = 1e-5, .momentum = 0.9});
  clm::minimize_batches<double>(f, y, s, 2000, 5, 1);
  CHECK(std::abs(y(3) - 3.0) < 1e-2);  // the stiffest coordinate converges first
  CHECK_THROWS_AS(clm::adam<double>(2, {.beta1 = 1.0}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::sgd<double>(2, {.momentum = -0.1}), clm::invalid_argument);
}
