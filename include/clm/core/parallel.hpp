#pragma once
// Running independent tasks on several threads without oversubscribing BLAS.
//
//   parallel_for(n, n_jobs, f)   calls f(0) .. f(n - 1), on min(n_jobs, n) threads
//                                (n_jobs 0: one per hardware thread; 1: in the caller, in
//                                order). The first exception a task throws is rethrown
//                                once all threads have stopped; tasks not yet started are
//                                skipped.
//   blas_single_thread           a scope in which OpenBLAS runs each call on its caller's
//                                thread only (openblas_set_num_threads(1)), restoring the
//                                previous count at its end. parallel_for with more than one
//                                thread holds one, so k tasks use k cores, not k x cores.
//                                The setting is process-wide, so scopes held at once by
//                                several threads share it: the first to open saves the
//                                count and sets 1, the last to close restores it (a
//                                process-wide count under a mutex). With a BLAS other than
//                                OpenBLAS it does nothing (set its own thread variable,
//                                e.g. MKL_NUM_THREADS=1).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

extern "C" {
// Weak: resolved when OpenBLAS is linked, null otherwise.
int openblas_get_num_threads(void) __attribute__((weak));
void openblas_set_num_threads(int) __attribute__((weak));
}

namespace clm {

namespace detail {
/// The open blas_single_thread scopes of the process and the count they replaced.
struct blas_thread_scopes {
  std::mutex mutex;
  std::size_t open = 0;
  int saved = 0;
};
inline blas_thread_scopes& blas_scopes() {
  static blas_thread_scopes s;
  return s;
}
}  // namespace detail

class blas_single_thread {
 public:
  blas_single_thread() {
    if (openblas_get_num_threads == nullptr || openblas_set_num_threads == nullptr) return;
    auto& s = detail::blas_scopes();
    const std::lock_guard<std::mutex> lock(s.mutex);
    if (s.open++ == 0) {
      s.saved = openblas_get_num_threads();
      openblas_set_num_threads(1);
    }
    active_ = true;
  }
  ~blas_single_thread() {
    if (!active_) return;
    auto& s = detail::blas_scopes();
    const std::lock_guard<std::mutex> lock(s.mutex);
    if (--s.open == 0 && s.saved > 0) openblas_set_num_threads(s.saved);
  }
  blas_single_thread(const blas_single_thread&) = delete;
  blas_single_thread& operator=(const blas_single_thread&) = delete;

 private:
  bool active_ = false;
};

/// The number of threads parallel_for uses for n_jobs (0: the hardware's).
inline std::size_t resolve_jobs(std::size_t n_jobs) {
  if (n_jobs != 0) return n_jobs;
  return std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

template <class F>
void parallel_for(std::size_t n, std::size_t n_jobs, F&& f) {
  const std::size_t threads = std::min(resolve_jobs(n_jobs), n);
  if (threads <= 1) {
    for (std::size_t i = 0; i < n; ++i) f(i);
    return;
  }
  blas_single_thread guard;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n || failed.load()) return;
      try {
        f(i);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed.store(true);
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (std::size_t t = 0; t + 1 < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace clm
