#pragma once
// clm::mlp_classifier<T> and clm::mlp_regressor<T>: fully connected networks trained by
// mini-batch gradient descent, with Keras' defaults where the two libraries differ.
//
//   params   hidden (layer sizes), activation (relu, tanh, sigmoid, leaky_relu with slope
//            0.01), dropout (inverted, on every hidden layer, off at predict), l2 (added to
//            the loss as l2 * sum of squared weights, biases excluded, as Keras' l2
//            regulariser), optimizer (adam: learning_rate, beta1, beta2, epsilon; sgd:
//            learning_rate, momentum), epochs, batch_size, shuffle, seed, class weights
//            (classifier: balanced, or weight_class0 / weight_class1), validation_fraction (the last rows, as Keras'
//            validation_split) with early_stopping (patience, best weights restored), init
//            (glorot_uniform as Keras' default, he_uniform)
//   fit(X, y)            classifier: y in {0, 1}, binary cross-entropy on the logit,
//                        log(1 + e^-|z|) + max(z, 0) - z y (stable for any z); regressor:
//                        mean squared error
//   predict_proba(X), decision_function(X) (logit), predict(X) (class at p >= 0.5, or the
//                        regressor's value)
//   on_epoch(f)          f(const mlp_epoch&) after each epoch: epoch, train loss, validation
//                        loss and metric (accuracy or MSE); not saved with the model
//   report()             the loss curves, epochs run, whether and when it stopped early
//
// Forward and backward passes are GEMMs through BLAS on preallocated contiguous buffers;
// each layer's weights (in x out, row-major) and biases sit in one parameter block. Same
// seed and BLAS thread count: identical weights.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "clm/core/blas.hpp"
#include "clm/core/error.hpp"
#include "clm/core/random.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/distributed/communicator.hpp"

namespace clm {

enum class activation : std::uint8_t { relu, tanh, sigmoid, leaky_relu };
enum class mlp_optimizer : std::uint8_t { adam, sgd };
enum class mlp_init : std::uint8_t { glorot_uniform, he_uniform };

struct mlp_params {
  std::vector<std::size_t> hidden{64, 32};
  clm::activation activation = activation::relu;
  double dropout = 0.0;
  double l2 = 0.0;
  mlp_optimizer optimizer = mlp_optimizer::adam;
  double learning_rate = 1e-3;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7;  ///< adam (Keras' defaults)
  double momentum = 0.0;                              ///< sgd
  std::size_t epochs = 10;
  std::size_t batch_size = 32;
  bool shuffle = true;
  std::uint64_t seed = 0;
  bool balanced_class_weight = false;  ///< classifier: weight classes by n / (2 n_class)
  double weight_class0 = 1.0, weight_class1 = 1.0;  ///< classifier: given class weights
                                                    ///< (Keras' class_weight), unless balanced
  double validation_fraction = 0.0;
  bool early_stopping = false;
  std::size_t patience = 5;
  mlp_init init = mlp_init::glorot_uniform;

  void validate() const {
    const char* o = "mlp";
    for (const auto h : hidden) require_param(h >= 1, o, "hidden", h, "layer sizes >= 1");
    require_param(static_cast<int>(activation) <= 3, o, "activation", static_cast<int>(activation),
                  "relu, tanh, sigmoid or leaky_relu");
    require_param(dropout >= 0.0 && dropout < 1.0, o, "dropout", dropout, "in [0, 1)");
    require_param(l2 >= 0.0 && std::isfinite(l2), o, "l2", l2, "finite and >= 0");
    require_param(static_cast<int>(optimizer) <= 1, o, "optimizer", static_cast<int>(optimizer), "adam or sgd");
    require_param(learning_rate > 0.0 && std::isfinite(learning_rate), o, "learning_rate", learning_rate,
                  "finite and > 0");
    require_param(beta1 >= 0.0 && beta1 < 1.0 && beta2 >= 0.0 && beta2 < 1.0, o, "beta1/beta2",
                  std::to_string(beta1) + "/" + std::to_string(beta2), "in [0, 1)");
    require_param(epsilon > 0.0, o, "epsilon", epsilon, "> 0");
    require_param(momentum >= 0.0 && momentum < 1.0, o, "momentum", momentum, "in [0, 1)");
    require_param(epochs >= 1, o, "epochs", epochs, ">= 1");
    require_param(batch_size >= 1, o, "batch_size", batch_size, ">= 1");
    require_param(validation_fraction >= 0.0 && validation_fraction < 1.0, o, "validation_fraction",
                  validation_fraction, "in [0, 1)");
    require_param(!early_stopping || validation_fraction > 0.0, o, "early_stopping", "true",
                  "used with validation_fraction > 0");
    require_param(patience >= 1, o, "patience", patience, ">= 1");
    require_param(weight_class0 > 0.0 && std::isfinite(weight_class0) && weight_class1 > 0.0 &&
                      std::isfinite(weight_class1),
                  o, "weight_class0/weight_class1", std::to_string(weight_class0) + "/" + std::to_string(weight_class1),
                  "finite and > 0");
    require_param(static_cast<int>(init) <= 1, o, "init", static_cast<int>(init), "glorot_uniform or he_uniform");
  }
  friend bool operator==(const mlp_params&, const mlp_params&) = default;
};

/// What on_epoch receives.
struct mlp_epoch {
  std::size_t epoch = 0;  ///< 1-based
  double train_loss = 0.0;
  double validation_loss = std::numeric_limits<double>::quiet_NaN();
  double validation_metric = std::numeric_limits<double>::quiet_NaN();  ///< accuracy or MSE
};

struct mlp_report {
  std::vector<double> train_loss, validation_loss;
  std::size_t epochs_run = 0;
  bool stopped_early = false;
  std::size_t best_epoch = 0;  ///< with early stopping: the epoch whose weights were kept

  template <class A>
  void serialize(A& ar) {
    ar(train_loss, validation_loss, epochs_run, stopped_early, best_epoch);
  }
};

namespace detail {

/// The network and its training, shared by the classifier and the regressor.
template <class Derived, class T, bool Classifier>
class mlp_base {
 public:
  using value_type = T;
  using params_type = mlp_params;
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return model_kind_name<T>(Derived::name); }

  mlp_base() = default;
  explicit mlp_base(const params_type& p) : params_(p) { params_.validate(); }

  const params_type& params() const noexcept { return params_; }
  bool fitted() const noexcept { return state_.has_value(); }

  /// Called after every epoch of fit (progress bars, logs); not saved with the model.
  Derived& on_epoch(std::function<void(const mlp_epoch&)> f) {
    callback_ = std::move(f);
    return static_cast<Derived&>(*this);
  }

  const mlp_report& report() const { return get().report; }
  std::size_t n_features_in() const { return get().sizes.front(); }

  template <class EX, class EY>
  Derived& fit(const EX& X_in, const EY& y_in) {
    local_communicator one;
    return fit(one, X_in, y_in);
  }

  /// Synchronous data-parallel training on the rows held across the ranks of `comm`
  /// (clm/distributed/communicator.hpp), each rank its own in rank order (possibly none):
  /// every rank draws the one-process shuffle of all rows, computes the gradient of its rows
  /// of each batch, and the gradients are summed over the ranks (in rank order) before the
  /// same update on every rank, as Horovod. Every rank ends with the same network, the
  /// one-process fit's up to the rounding of the split sums. The validation rows are the last
  /// validation_fraction of all rows. Dropout is refused across ranks (its masks are drawn
  /// per row from one generator). Any rank's error is every rank's distributed_error.
  template <communicator C, class EX, class EY>
  Derived& fit(C& comm, const EX& X_in, const EY& y_in) {
    state_.reset();
    constexpr bool one_process = std::is_same_v<std::remove_cv_t<C>, local_communicator>;
    const std::string owner = std::string(Derived::name) + ".fit";
    const auto& p = params_;
    matrix<T> X_value;
    vector<T> y_value;
    const matrix<T>* X_ptr = nullptr;
    const vector<T>* y_ptr = nullptr;
    std::size_t ones = 0;  // classifier: the labels 1
    distributed::run_agreed(comm, owner, [&] {
      decltype(auto) X = evaluate<T, 2>(X_in, owner + ": X");
      decltype(auto) y = evaluate<T, 1>(y_in, owner + ": y");
      if constexpr (one_process) check_nonempty(X, owner + ": X");
      check_finite(X, owner + ": X");
      check_same_rows(X, y, "X", "y");
      check_finite(y, owner + ": y");
      if constexpr (Classifier) {
        ones = count_binary_labels(y, owner + ": y");
        if constexpr (one_process) check_both_classes(y.size(), ones, owner + ": y");
      }
      if (!one_process && p.dropout > 0.0) {
        throw invalid_argument(owner + ": dropout " + to_text(p.dropout) +
                               " across ranks; expected 0 (dropout masks are drawn per row from one generator)");
      }
      if constexpr (std::is_lvalue_reference_v<decltype(X)>) {
        X_ptr = &X;
      } else {
        X_value = std::move(X);
        X_ptr = &X_value;
      }
      if constexpr (std::is_lvalue_reference_v<decltype(y)>) {
        y_ptr = &y;
      } else {
        y_value = std::move(y);
        y_ptr = &y_value;
      }
    });
    const matrix<T>& X = *X_ptr;
    const vector<T>& y = *y_ptr;
    const std::size_t n_local = X.shape()[0], d = X.shape()[1];
    std::size_t first = 0, n = n_local;  // this rank's rows are [first, first + n_local) of n
    if constexpr (!one_process) {
      distributed::fingerprint settings(p.activation, p.dropout, p.l2, p.optimizer, p.learning_rate, p.beta1, p.beta2,
                                        p.epsilon, p.momentum, p.epochs, p.batch_size, p.shuffle, p.seed,
                                        p.balanced_class_weight, p.weight_class0, p.weight_class1,
                                        p.validation_fraction, p.early_stopping, p.patience, p.init, d);
      for (const auto h : p.hidden) settings.add(h);
      distributed::same_everywhere(comm, owner + ": the parameters and the column count", settings.value());
      const auto counts = distributed::allgather_value(comm, static_cast<std::uint64_t>(n_local));
      n = 0;
      for (std::size_t r = 0; r < counts.size(); ++r) {
        if (static_cast<int>(r) == comm.rank()) first = n;
        n += static_cast<std::size_t>(counts[r]);
      }
      if (n == 0) throw shape_error(owner + ": X has no rows on any rank");
      if constexpr (Classifier) {
        std::int64_t all_ones = static_cast<std::int64_t>(ones);
        comm.allreduce_sum(std::span<std::int64_t>(&all_ones, 1));
        check_both_classes(n, static_cast<std::size_t>(all_ones), owner + ": y on all ranks");
      }
    }
    const auto n_val = static_cast<std::size_t>(std::floor(p.validation_fraction * static_cast<double>(n)));
    const std::size_t n_train = n - n_val;
    if (n_train == 0) throw invalid_argument(owner + ": validation_fraction leaves no training rows");
    // This rank's training rows and validation rows, by local index.
    const std::size_t train_end = std::clamp(n_train, first, first + n_local) - first;

    state st;
    st.sizes.push_back(d);
    for (const auto h : p.hidden) st.sizes.push_back(h);
    st.sizes.push_back(1);
    check_layer_sizes(st.sizes, p.batch_size, owner);
    random_engine g(p.seed);
    init_weights(st, g);

    // Sample weights: balanced classes, as scikit-learn's and Keras' class_weight.
    std::vector<T> w(n_local, T(1));
    if constexpr (Classifier) {
      for (std::size_t i = 0; i < n_local; ++i) w[i] = static_cast<T>(y(i) == T(1) ? p.weight_class1 : p.weight_class0);
      if (p.balanced_class_weight) {
        double pos = 0.0;
        for (std::size_t i = 0; i < train_end; ++i) pos += static_cast<double>(y(i));
        comm.allreduce_sum(std::span<double>(&pos, 1));
        const double neg = static_cast<double>(n_train) - pos;
        for (std::size_t i = 0; i < n_local; ++i) {
          w[i] = static_cast<T>(static_cast<double>(n_train) / (2.0 * (y(i) == T(1) ? std::max(pos, 1.0) : std::max(neg, 1.0))));
        }
      }
    }

    const std::size_t P = st.weights.size();
    std::vector<T> grad(P), m1(P, T(0)), m2(P, T(0));
    workspace ws;
    std::vector<std::size_t> order(n_train), mine;  // mine: this rank's rows of a batch, local
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::vector<T> best = st.weights;
    double best_val = std::numeric_limits<double>::infinity();
    std::size_t since_best = 0, step = 0;
    matrix<T> Xb;
    std::vector<T> yb, wb;
    for (std::size_t epoch = 1; epoch <= p.epochs; ++epoch) {
      if (p.shuffle) clm::shuffle(order.begin(), order.end(), g);
      double loss_sum = 0.0;
      for (std::size_t b0 = 0; b0 < n_train; b0 += p.batch_size) {
        const std::size_t m = std::min(p.batch_size, n_train - b0);
        if constexpr (one_process) {
          gather(X, y, w, order, b0, m, Xb, yb, wb);
          loss_sum += static_cast<double>(m) * batch_gradient(st, ws, Xb, yb, wb, true, g, grad);
        } else {
          mine.clear();
          for (std::size_t k = b0; k < b0 + m; ++k) {
            if (order[k] >= first && order[k] < first + n_local) mine.push_back(order[k] - first);
          }
          // The gradient of this rank's rows, scaled by the whole batch; the penalty once,
          // after the sum. The loss travels as the last element.
          double loss = 0.0;
          if (mine.empty()) {
            std::fill(grad.begin(), grad.end(), T(0));
          } else {
            gather(X, y, w, mine, 0, mine.size(), Xb, yb, wb);
            loss = batch_gradient(st, ws, Xb, yb, wb, true, g, grad, m, false);
          }
          grad.push_back(static_cast<T>(loss));
          comm.allreduce_sum(std::span<T>(grad));
          loss = static_cast<double>(grad.back());
          grad.pop_back();
          loss_sum += static_cast<double>(m) * (loss + add_penalty(st, grad));
        }
        update(st.weights, grad, m1, m2, ++step);
      }
      st.report.train_loss.push_back(loss_sum / static_cast<double>(n_train));
      mlp_epoch e{epoch, st.report.train_loss.back()};
      if (n_val > 0) {
        std::array<double, 2> sums = train_end < n_local ? evaluate_rows(st, X, y, train_end, n_local)
                                                          : std::array<double, 2>{0.0, 0.0};
        comm.allreduce_sum(std::span<double>(sums));
        e.validation_loss = sums[0] / static_cast<double>(n_val);
        e.validation_metric = sums[1] / static_cast<double>(n_val);
        st.report.validation_loss.push_back(e.validation_loss);
      }
      st.report.epochs_run = epoch;
      if (callback_) callback_(e);
      if (p.early_stopping) {
        if (e.validation_loss < best_val) {
          best_val = e.validation_loss;
          best = st.weights;
          st.report.best_epoch = epoch;
          since_best = 0;
        } else if (++since_best >= p.patience) {
          st.report.stopped_early = true;
          break;
        }
      }
      if (!std::isfinite(st.report.train_loss.back())) {
        throw numeric_error(owner + ": the training loss became " + to_text(st.report.train_loss.back()) +
                            " at epoch " + std::to_string(epoch) + " (lower the learning rate)");
      }
    }
    if (p.early_stopping) st.weights = best;
    state_ = std::move(st);
    return static_cast<Derived&>(*this);
  }

  /// The network's output before the final sigmoid (classifier) or its value (regressor).
  template <class E>
  vector<T> decision_function(const E& X_in) const {
    const auto& st = get();
    std::string what = Derived::name;  // "<name>.predict: X", built in place (g++ 12 warns
    what += ".predict: X";            // falsely on a temporary string + literal here)
    decltype(auto) X = evaluate<T, 2>(X_in, what);
    check_columns(X, st.sizes.front(), what);
    check_finite(X, what);
    // Blocks of rows small enough for the activations to stay in cache.
    constexpr std::size_t chunk = 4096;
    const std::size_t n = X.shape()[0], d = X.shape()[1];
    workspace ws;
    random_engine unused(0);
    vector<T> out = vector<T>::from_shape({n});
    for (std::size_t r0 = 0; r0 < n; r0 += chunk) {
      const std::size_t m = std::min(chunk, n - r0);
      forward(st, ws, X.data() + r0 * d, m, false, unused);
      std::copy(ws.a.back().begin(), ws.a.back().begin() + static_cast<std::ptrdiff_t>(m), out.begin() + static_cast<std::ptrdiff_t>(r0));
    }
    return out;
  }

  /// Flat parameters: per layer the in x out weights then the out biases.
  const std::vector<T>& weights() const { return get().weights; }

  template <class A>
  void serialize(A& ar) {
    auto& p = params_;
    ar(p.hidden, p.activation, p.dropout, p.l2, p.optimizer, p.learning_rate, p.beta1, p.beta2, p.epsilon, p.momentum,
       p.epochs, p.batch_size, p.shuffle, p.seed, p.balanced_class_weight, p.weight_class0, p.weight_class1,
       p.validation_fraction, p.early_stopping, p.patience, p.init, state_);
    if constexpr (A::loading) {
      p.validate();
      if (state_) {
        const auto& sizes = state_->sizes;
        ar.check(sizes.size() == p.hidden.size() + 2, "mlp: layer count differs from the params");
        ar.check(sizes.front() >= 1 && sizes.back() == 1 &&
                     std::equal(p.hidden.begin(), p.hidden.end(), sizes.begin() + 1),
                 "mlp: layer sizes differ from the params");
        try {
          check_layer_sizes(sizes, p.batch_size, "mlp");  // bounds every product below
        } catch (const invalid_argument& e) {
          ar.check(false, e.what());
        }
        std::size_t P = 0;
        for (std::size_t l = 0; l + 1 < sizes.size(); ++l) P += (sizes[l] + 1) * sizes[l + 1];
        ar.check(P == state_->weights.size(), "mlp: parameter count differs from the layer sizes");
      }
    }
  }

 protected:
  /// Weights and a batch's activations must be allocatable: refuses (before anything is
  /// allocated) layer sizes of 0 or whose products overflow or exceed 2^31 values per
  /// matrix. Used by fit and on every loaded model.
  static void check_layer_sizes(const std::vector<std::size_t>& sizes, std::size_t batch_size,
                                const std::string& owner) {
    constexpr std::size_t max_values = std::size_t{1} << 31;
    for (std::size_t k = 0; k + 1 < sizes.size(); ++k) {
      const std::size_t a = sizes[k], b = sizes[k + 1];
      if (a == 0 || b == 0 || a > max_values / b || b > max_values / std::max<std::size_t>(batch_size, 1)) {
        throw invalid_argument(owner + ": layers of " + std::to_string(a) + " and " + std::to_string(b) +
                               " units (batch " + std::to_string(batch_size) + ") need more than 2^31 values per "
                               "matrix or are empty; expected 1 to 2^31 values per matrix");
      }
    }
  }

  struct state {
    std::vector<std::size_t> sizes;  // input, hidden..., 1
    std::vector<T> weights;
    mlp_report report;
    template <class A>
    void serialize(A& ar) {
      ar(sizes, weights, report);
      for (auto v : weights) ar.check(std::isfinite(v), "mlp: a weight is not finite");
    }
  };

  /// Per layer: pre-activations z and activations a (rows x width), dropout masks and the
  /// gradient buffer; sized for the largest batch seen, reused.
  struct workspace {
    std::vector<std::vector<T>> z, a, mask, delta;
    std::size_t rows = 0;
  };

  const state& get() const {
    check_fitted(state_.has_value(), Derived::name);
    return *state_;
  }

  static std::size_t offset(const state& st, std::size_t layer) {
    std::size_t o = 0;
    for (std::size_t l = 0; l < layer; ++l) o += (st.sizes[l] + 1) * st.sizes[l + 1];
    return o;
  }

 private:
  void init_weights(state& st, random_engine& g) const {
    std::size_t P = 0;
    for (std::size_t l = 0; l + 1 < st.sizes.size(); ++l) P += (st.sizes[l] + 1) * st.sizes[l + 1];
    st.weights.assign(P, T(0));
    std::size_t o = 0;
    for (std::size_t l = 0; l + 1 < st.sizes.size(); ++l) {
      const double in = static_cast<double>(st.sizes[l]), out = static_cast<double>(st.sizes[l + 1]);
      const double limit = params_.init == mlp_init::glorot_uniform ? std::sqrt(6.0 / (in + out)) : std::sqrt(6.0 / in);
      const std::size_t count = st.sizes[l] * st.sizes[l + 1];
      for (std::size_t k = 0; k < count; ++k) st.weights[o + k] = static_cast<T>(uniform(g, -limit, limit));
      o += count + st.sizes[l + 1];  // biases start at 0
    }
  }

  template <class MX, class VY>
  static void gather(const MX& X, const VY& y, const std::vector<T>& w, const std::vector<std::size_t>& order,
                     std::size_t b0, std::size_t m, matrix<T>& Xb, std::vector<T>& yb, std::vector<T>& wb) {
    const std::size_t d = X.shape()[1];
    if (Xb.shape()[0] != m || Xb.dimension() != 2 || Xb.shape()[1] != d) Xb = matrix<T>::from_shape({m, d});
    yb.resize(m);
    wb.resize(m);
    for (std::size_t i = 0; i < m; ++i) {
      const std::size_t r = order[b0 + i];
      std::copy(X.data() + r * d, X.data() + (r + 1) * d, Xb.data() + i * d);
      yb[i] = y(r);
      wb[i] = w[r];
    }
  }

  T act(T z) const {
    switch (params_.activation) {
      case activation::relu: return z > T(0) ? z : T(0);
      case activation::tanh: return std::tanh(z);
      case activation::sigmoid: return T(1) / (T(1) + std::exp(-z));
      case activation::leaky_relu: return z > T(0) ? z : T(0.01) * z;
    }
    return z;
  }
  /// a = act(z) over a buffer, the switch outside the loop so each case vectorises.
  void apply_activation(const T* z, T* a, std::size_t count) const {
    switch (params_.activation) {
      case activation::relu:
        for (std::size_t k = 0; k < count; ++k) a[k] = z[k] > T(0) ? z[k] : T(0);
        return;
      case activation::leaky_relu:
        for (std::size_t k = 0; k < count; ++k) a[k] = z[k] > T(0) ? z[k] : T(0.01) * z[k];
        return;
      default:
        for (std::size_t k = 0; k < count; ++k) a[k] = act(z[k]);
    }
  }

  /// The activation's derivative from z and a = act(z).
  T act_grad(T z, T a) const {
    switch (params_.activation) {
      case activation::relu: return z > T(0) ? T(1) : T(0);
      case activation::tanh: return T(1) - a * a;
      case activation::sigmoid: return a * (T(1) - a);
      case activation::leaky_relu: return z > T(0) ? T(1) : T(0.01);
    }
    return T(1);
  }

 protected:
  /// Forward pass of `rows` rows; with `train`, inverted dropout on the hidden layers.
  /// ws.a.back() holds the outputs (logits or values).
  void forward(const state& st, workspace& ws, const T* X, std::size_t rows, bool train, random_engine& g) const {
    const std::size_t L = st.sizes.size() - 1;
    if (ws.z.size() != L || ws.rows < rows || (train && ws.delta.size() != L)) {
      ws.z.resize(L);
      ws.a.resize(L);
      if (train) {
        ws.mask.resize(L);
        ws.delta.resize(L);
      }
      for (std::size_t l = 0; l < L; ++l) {
        ws.z[l].resize(rows * st.sizes[l + 1]);
        ws.a[l].resize(rows * st.sizes[l + 1]);
        if (train) {  // the backward pass's buffers
          ws.mask[l].resize(rows * st.sizes[l + 1]);
          ws.delta[l].resize(rows * st.sizes[l + 1]);
        }
      }
      ws.rows = std::max(ws.rows, rows);
    }
    const T keep = T(1) - static_cast<T>(params_.dropout);
    const T* in = X;
    std::size_t o = 0;
    for (std::size_t l = 0; l < L; ++l) {
      const std::size_t ni = st.sizes[l], no = st.sizes[l + 1];
      const T* W = st.weights.data() + o;
      const T* bias = W + ni * no;
      T* z = ws.z[l].data();
      for (std::size_t i = 0; i < rows; ++i) std::copy(bias, bias + no, z + i * no);
      blas::gemm(blas::op::none, blas::op::none, rows, no, ni, T(1), in, ni, W, no, T(1), z, no);
      T* a = ws.a[l].data();
      if (l + 1 == L) {
        std::copy(z, z + rows * no, a);  // output: logits / values
      } else {
        apply_activation(z, a, rows * no);
        if (train && params_.dropout > 0.0) {
          T* mk = ws.mask[l].data();
          for (std::size_t k = 0; k < rows * no; ++k) {
            mk[k] = uniform01(g) < static_cast<double>(keep) ? T(1) / keep : T(0);
            a[k] *= mk[k];
          }
        }
      }
      in = a;
      o += (ni + 1) * no;
    }
  }

  /// One row's loss for output z and target t: binary cross-entropy on the logit,
  /// max(z, 0) - z t + log(1 + e^-|z|), or the squared error.
  static double row_loss(double z, double t) {
    if constexpr (Classifier) {
      return std::max(z, 0.0) - z * t + std::log1p(std::exp(-std::abs(z)));
    } else {
      return (z - t) * (z - t);
    }
  }

  /// Mean weighted loss of a batch; with `train`, its gradient (plus the l2 term) in grad.
  /// `batch`: the rows the mean is over (0: Xb's; a rank's share of a batch passes the whole
  /// batch's); `penalty`: whether the l2 term is added (a rank's share leaves it to
  /// add_penalty after the sum).
  double batch_gradient(const state& st, workspace& ws, const matrix<T>& Xb, const std::vector<T>& yb,
                        const std::vector<T>& wb, bool train, random_engine& g, std::vector<T>& grad,
                        std::size_t batch = 0, bool penalty = true) const {
    const std::size_t m = Xb.shape()[0], L = st.sizes.size() - 1;
    const double divisor = static_cast<double>(batch == 0 ? m : batch);
    forward(st, ws, Xb.data(), m, train, g);
    const T* out = ws.a.back().data();
    T* dz = ws.delta.back().data();
    double loss = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
      const double z = static_cast<double>(out[i]), t = static_cast<double>(yb[i]), wi = static_cast<double>(wb[i]);
      loss += wi * row_loss(z, t);
      if constexpr (Classifier) {
        const double s = z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
        dz[i] = static_cast<T>(wi * (s - t) / divisor);
      } else {
        dz[i] = static_cast<T>(2.0 * wi * (z - t) / divisor);
      }
    }
    loss /= divisor;
    double l2 = 0.0;
    if (penalty && params_.l2 > 0.0) {
      std::size_t o = 0;
      for (std::size_t l = 0; l < L; ++l) {
        const std::size_t count = st.sizes[l] * st.sizes[l + 1];
        for (std::size_t k = 0; k < count; ++k) l2 += static_cast<double>(st.weights[o + k]) * static_cast<double>(st.weights[o + k]);
        o += count + st.sizes[l + 1];
      }
      loss += params_.l2 * l2;
    }
    if (!train) return loss;
    // Backward: dW = a_prev' dz, db = column sums of dz, dz_prev = (dz W') * act'(z_prev) * mask.
    for (std::size_t l = L; l-- > 0;) {
      const std::size_t ni = st.sizes[l], no = st.sizes[l + 1], o = offset(st, l);
      const T* a_prev = l == 0 ? Xb.data() : ws.a[l - 1].data();
      const T* d = ws.delta[l].data();
      T* gW = grad.data() + o;
      T* gb = gW + ni * no;
      blas::gemm(blas::op::transpose, blas::op::none, ni, no, m, T(1), a_prev, ni, d, no, T(0), gW, no);
      std::fill(gb, gb + no, T(0));
      for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < no; ++j) gb[j] += d[i * no + j];
      }
      if (penalty && params_.l2 > 0.0) {
        const T* W = st.weights.data() + o;
        const T c = static_cast<T>(2.0 * params_.l2);
        for (std::size_t k = 0; k < ni * no; ++k) gW[k] += c * W[k];
      }
      if (l == 0) break;
      T* dprev = ws.delta[l - 1].data();
      blas::gemm(blas::op::none, blas::op::transpose, m, ni, no, T(1), d, no, st.weights.data() + o, no, T(0), dprev, ni);
      const T* zp = ws.z[l - 1].data();
      const bool dropped = params_.dropout > 0.0;
      const T* mk = ws.mask[l - 1].data();
      for (std::size_t k = 0; k < m * ni; ++k) {
        dprev[k] *= act_grad(zp[k], act(zp[k])) * (dropped ? mk[k] : T(1));
      }
    }
    return loss;
  }

  /// The l2 term added to a summed gradient (as batch_gradient adds it); returns its loss.
  double add_penalty(const state& st, std::vector<T>& grad) const {
    if (!(params_.l2 > 0.0)) return 0.0;
    const std::size_t L = st.sizes.size() - 1;
    const T c = static_cast<T>(2.0 * params_.l2);
    double l2 = 0.0;
    for (std::size_t l = 0; l < L; ++l) {
      const std::size_t o = offset(st, l), count = st.sizes[l] * st.sizes[l + 1];
      for (std::size_t k = 0; k < count; ++k) {
        l2 += static_cast<double>(st.weights[o + k]) * static_cast<double>(st.weights[o + k]);
        grad[o + k] += c * st.weights[o + k];
      }
    }
    return params_.l2 * l2;
  }

 private:
  void update(std::vector<T>& W, const std::vector<T>& grad, std::vector<T>& m1, std::vector<T>& m2,
              std::size_t step) const {
    const auto& p = params_;
    if (p.optimizer == mlp_optimizer::adam) {
      const double lr = p.learning_rate * std::sqrt(1.0 - std::pow(p.beta2, static_cast<double>(step))) /
                        (1.0 - std::pow(p.beta1, static_cast<double>(step)));
      const T b1 = static_cast<T>(p.beta1), b2 = static_cast<T>(p.beta2), eps = static_cast<T>(p.epsilon);
      const T lrt = static_cast<T>(lr);
      for (std::size_t k = 0; k < W.size(); ++k) {
        m1[k] = b1 * m1[k] + (T(1) - b1) * grad[k];
        m2[k] = b2 * m2[k] + (T(1) - b2) * grad[k] * grad[k];
        W[k] -= lrt * m1[k] / (std::sqrt(m2[k]) + eps);
      }
    } else {
      const T mom = static_cast<T>(p.momentum), lr = static_cast<T>(p.learning_rate);
      for (std::size_t k = 0; k < W.size(); ++k) {
        m1[k] = mom * m1[k] - lr * grad[k];
        W[k] += m1[k];
      }
    }
  }

  /// Sums of the loss and of the metric (correct labels, or squared errors) over rows
  /// [from, to), without dropout or weights.
  template <class MX, class VY>
  std::array<double, 2> evaluate_rows(const state& st, const MX& X, const VY& y, std::size_t from,
                                      std::size_t to) const {
    const std::size_t d = X.shape()[1], m = to - from;
    workspace ws;
    random_engine unused(0);
    forward(st, ws, X.data() + from * d, m, false, unused);
    const T* out = ws.a.back().data();
    double loss = 0.0, metric = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
      const double z = static_cast<double>(out[i]), t = static_cast<double>(y(from + i));
      loss += row_loss(z, t);
      if constexpr (Classifier) {
        metric += ((z >= 0.0) == (t == 1.0)) ? 1.0 : 0.0;
      } else {
        metric += (z - t) * (z - t);
      }
    }
    return {loss, metric};
  }

  params_type params_{};
  std::optional<state> state_;
  std::function<void(const mlp_epoch&)> callback_;

  template <class, class>
  friend struct mlp_gradient_access;
};

/// Test access to one batch's loss and gradient at the fitted weights.
template <class M, class T>
struct mlp_gradient_access {
  static double loss_and_gradient(const M& model, const matrix<T>& X, const std::vector<T>& y,
                                  const std::vector<T>& w, std::vector<T>& grad, const std::vector<T>* weights = nullptr) {
    auto st = model.get();
    if (weights != nullptr) st.weights = *weights;
    grad.assign(st.weights.size(), T(0));
    typename M::workspace ws;
    random_engine g(0);
    return model.batch_gradient(st, ws, X, y, w, true, g, grad);
  }
};

}  // namespace detail

template <class T = double>
class mlp_classifier : public detail::mlp_base<mlp_classifier<T>, T, true> {
  using base = detail::mlp_base<mlp_classifier<T>, T, true>;

 public:
  static constexpr const char* name = "mlp_classifier";
  using base::base;

  /// P(y = 1).
  template <class E>
  vector<T> predict_proba(const E& X) const {
    vector<T> z = this->decision_function(X);
    for (auto& v : z) v = v >= T(0) ? T(1) / (T(1) + std::exp(-v)) : std::exp(v) / (T(1) + std::exp(v));
    return z;
  }

  /// 1 where P(y = 1) >= 0.5 (the logit >= 0), else 0.
  template <class E>
  vector<T> predict(const E& X) const {
    vector<T> z = this->decision_function(X);
    for (auto& v : z) v = v >= T(0) ? T(1) : T(0);
    return z;
  }
};

template <class T = double>
class mlp_regressor : public detail::mlp_base<mlp_regressor<T>, T, false> {
  using base = detail::mlp_base<mlp_regressor<T>, T, false>;

 public:
  static constexpr const char* name = "mlp_regressor";
  using base::base;

  template <class E>
  vector<T> predict(const E& X) const {
    return this->decision_function(X);
  }
};

}  // namespace clm
