#pragma once
// First-order steppers for mini-batch training: clm::adam (Kingma & Ba 2015, with bias
// correction) and clm::sgd (with classical or Nesterov momentum). They hold their moment
// state and apply one update to a parameter block from its gradient; the caller (an MLP
// trainer, a batch objective loop) decides the batches. minimize_batches() runs epochs of
// shuffled mini-batches over a batch_objective.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstddef>
#include <string>
#include <vector>

#include "clm/core/random.hpp"
#include "clm/core/validate.hpp"
#include "clm/optim/objective.hpp"

namespace clm {

struct adam_params {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-7;  ///< Keras' default (PyTorch uses 1e-8)

  void validate() const {
    require_param(learning_rate > 0.0, "adam", "learning_rate", learning_rate, "> 0");
    require_param(beta1 >= 0.0 && beta1 < 1.0, "adam", "beta1", beta1, "in [0, 1)");
    require_param(beta2 >= 0.0 && beta2 < 1.0, "adam", "beta2", beta2, "in [0, 1)");
    require_param(epsilon > 0.0, "adam", "epsilon", epsilon, "> 0");
  }
  friend bool operator==(const adam_params&, const adam_params&) = default;
};

template <class T = double>
class adam {
 public:
  explicit adam(std::size_t n, const adam_params& p = {}) : p_(p), m_(n, T(0)), v_(n, T(0)) { p_.validate(); }

  /// w -= lr * m_hat / (sqrt(v_hat) + eps) for one step with gradient g.
  void step(T* w, const T* g) {
    ++t_;
    const T b1 = static_cast<T>(p_.beta1), b2 = static_cast<T>(p_.beta2);
    const T c1 = T(1) - static_cast<T>(std::pow(p_.beta1, static_cast<double>(t_)));
    const T c2 = T(1) - static_cast<T>(std::pow(p_.beta2, static_cast<double>(t_)));
    const T lr = static_cast<T>(p_.learning_rate) * std::sqrt(c2) / c1;
    const T eps = static_cast<T>(p_.epsilon) * std::sqrt(c2);
    for (std::size_t i = 0; i < m_.size(); ++i) {
      m_[i] = b1 * m_[i] + (T(1) - b1) * g[i];
      v_[i] = b2 * v_[i] + (T(1) - b2) * g[i] * g[i];
      w[i] -= lr * m_[i] / (std::sqrt(v_[i]) + eps);
    }
  }
  std::size_t steps() const noexcept { return t_; }

 private:
  adam_params p_;
  std::vector<T> m_, v_;
  std::size_t t_ = 0;
};

struct sgd_params {
  double learning_rate = 0.01;
  double momentum = 0.0;
  bool nesterov = false;

  void validate() const {
    require_param(learning_rate > 0.0, "sgd", "learning_rate", learning_rate, "> 0");
    require_param(momentum >= 0.0 && momentum < 1.0, "sgd", "momentum", momentum, "in [0, 1)");
  }
  friend bool operator==(const sgd_params&, const sgd_params&) = default;
};

template <class T = double>
class sgd {
 public:
  explicit sgd(std::size_t n, const sgd_params& p = {}) : p_(p), velocity_(n, T(0)) { p_.validate(); }

  void step(T* w, const T* g) {
    const T lr = static_cast<T>(p_.learning_rate), mu = static_cast<T>(p_.momentum);
    for (std::size_t i = 0; i < velocity_.size(); ++i) {
      velocity_[i] = mu * velocity_[i] - lr * g[i];
      w[i] += p_.nesterov ? mu * velocity_[i] - lr * g[i] : velocity_[i];
    }
  }

 private:
  sgd_params p_;
  std::vector<T> velocity_;
};

/// Epochs of shuffled mini-batches over a batch objective with the given stepper (adam or
/// sgd). Returns the report of the last epoch (final_value: the mean batch value).
template <class T, class Stepper, batch_objective<T> F>
optimize_report minimize_batches(F& f, vector<T>& w, Stepper& stepper, std::size_t epochs, std::size_t batch_size,
                                 std::uint64_t seed) {
  require_param(batch_size >= 1, "minimize_batches", "batch_size", batch_size, ">= 1");
  const std::size_t n = f.num_functions();
  random_engine g(seed);
  vector<T> grad = vector<T>::from_shape({w.size()});
  optimize_report r;
  for (std::size_t e = 0; e < epochs; ++e) {
    // Batches are contiguous runs of the objective's terms; the run starts are shuffled.
    std::vector<std::size_t> starts;
    for (std::size_t b = 0; b < n; b += batch_size) starts.push_back(b);
    shuffle(starts.begin(), starts.end(), g);
    double total = 0.0;
    for (auto b : starts) {
      const std::size_t count = std::min(batch_size, n - b);
      total += static_cast<double>(f.evaluate_with_gradient(w, grad, b, count));
      stepper.step(w.data(), grad.data());
      ++r.evaluations;
    }
    r.final_value = total / static_cast<double>(starts.size());
    r.iterations = e + 1;
  }
  const double mean_loss = r.final_value;  // kept in double, not rounded through T
  detail::finish_report(r, stop_reason::epochs_completed, T(0), grad, "ran the requested epochs");
  r.final_value = mean_loss;
  return r;
}

}  // namespace clm
