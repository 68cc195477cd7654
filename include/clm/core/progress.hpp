#pragma once
// Progress reports from long library calls.
//
//   clm::progress            {task, done, total}: `done` of `total` units of the named task
//   clm::progress_callback   std::function<void(const clm::progress&)>; an empty one costs nothing
//
// Calls that take one (compute_similarities and the kNN recommenders' fit, implicit_als's fit,
// recommend_all) report about 100 times per task and always once at the end (done == total).
// In parallel calls the callback runs on a worker thread, but never on two at once. An
// exception thrown by the callback stops the call and is rethrown (a way to cancel).

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string_view>

namespace clm {

struct progress {
  std::string_view task;
  std::size_t done = 0, total = 0;
};

using progress_callback = std::function<void(const progress&)>;

namespace detail {

/// Counts finished units (from any thread) and calls the callback every ~1 % of the total.
class progress_counter {
 public:
  progress_counter(const progress_callback& cb, std::string_view task, std::size_t total)
      : cb_(cb ? &cb : nullptr), task_(task), total_(total), step_(total / 100 + 1) {}

  void add(std::size_t units) {
    if (cb_ == nullptr) return;
    const std::size_t before = done_.fetch_add(units);
    const std::size_t after = before + units;
    if (after / step_ != before / step_ || after >= total_) {
      const std::lock_guard<std::mutex> lock(m_);
      const std::size_t now = done_.load();
      if (now > reported_) {
        reported_ = now;
        (*cb_)({task_, std::min(now, total_), total_});
      }
    }
  }

 private:
  const progress_callback* cb_;
  std::string_view task_;
  std::size_t total_, step_;
  std::atomic<std::size_t> done_{0};
  std::mutex m_;
  std::size_t reported_ = 0;
};

}  // namespace detail
}  // namespace clm
