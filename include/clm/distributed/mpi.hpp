#pragma once
// clm::mpi_communicator — the communicator (clm/distributed/communicator.hpp) of a group of
// MPI processes, and clm::mpi_session, which initialises and finalises MPI for a program.
// This is the only clm header that includes <mpi.h>; link clm::mpi
// (find_package(clm COMPONENTS mpi)), which brings MPI::MPI_CXX.
//
//   int main(int argc, char** argv) {
//     clm::mpi_session mpi(argc, argv);
//     clm::mpi_communicator comm;                 // a duplicate of MPI_COMM_WORLD
//     auto log = clm::distributed::shuffle_by_customer(read_my_shard(comm.rank()), comm);
//     clm::logistic_regression<> m;
//     m.fit(comm, X_local, y_local);               // the same model on every rank
//   }
//
// - The communicator works on its own duplicate of the MPI communicator it is given, so
//   clm's messages never mix with the program's, and sets MPI_ERRORS_RETURN on it: a failed
//   MPI call is a distributed_error with MPI's reason, not an abort.
// - allreduce_sum gathers every rank's partial (MPI_Allgather) and adds them in rank order
//   on every rank: the same bits on every rank and in every run with the same partition,
//   which MPI_Allreduce does not promise. Its cost is size() times the vector's bytes per
//   rank, fine for the statistics fits reduce (gradients, Gram matrices, centroid sums).
// - Messages above 2^31 - 1 elements are sent in pieces (MPI counts are int).

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/distributed/communicator.hpp"

namespace clm {

namespace detail {
inline void mpi_check(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = 0;
  throw distributed_error(std::string(call) + " failed: " + (len > 0 ? std::string(text, static_cast<std::size_t>(len)) : "error " + std::to_string(rc)));
}
template <class T>
MPI_Datatype mpi_type();
template <>
inline MPI_Datatype mpi_type<double>() { return MPI_DOUBLE; }
template <>
inline MPI_Datatype mpi_type<float>() { return MPI_FLOAT; }
template <>
inline MPI_Datatype mpi_type<std::int64_t>() { return MPI_INT64_T; }
}  // namespace detail

/// MPI_Init_thread (MPI_THREAD_FUNNELED: clm calls MPI from the thread that created the
/// communicator) at construction, MPI_Finalize at destruction, unless MPI was already
/// initialised by the program.
class mpi_session {
 public:
  mpi_session(int& argc, char**& argv) {
    int done = 0;
    detail::mpi_check(MPI_Initialized(&done), "MPI_Initialized");
    if (done) return;
    int provided = 0;
    detail::mpi_check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    owner_ = true;
  }
  mpi_session(const mpi_session&) = delete;
  mpi_session& operator=(const mpi_session&) = delete;
  ~mpi_session() {
    int finalized = 0;
    if (owner_ && MPI_Finalized(&finalized) == MPI_SUCCESS && !finalized) MPI_Finalize();
  }

 private:
  bool owner_ = false;
};

class mpi_communicator {
 public:
  /// Works on a duplicate of `comm` (MPI must be initialised).
  explicit mpi_communicator(MPI_Comm comm = MPI_COMM_WORLD) {
    int done = 0;
    detail::mpi_check(MPI_Initialized(&done), "MPI_Initialized");
    if (!done) throw distributed_error("mpi_communicator: MPI is not initialised (create a clm::mpi_session first)");
    detail::mpi_check(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
    detail::mpi_check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
    detail::mpi_check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    detail::mpi_check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  }
  mpi_communicator(const mpi_communicator&) = delete;
  mpi_communicator& operator=(const mpi_communicator&) = delete;
  mpi_communicator(mpi_communicator&& o) noexcept
      : comm_(std::exchange(o.comm_, MPI_COMM_NULL)), rank_(o.rank_), size_(o.size_) {}
  ~mpi_communicator() {
    int finalized = 0;
    if (comm_ != MPI_COMM_NULL && MPI_Finalized(&finalized) == MPI_SUCCESS && !finalized) MPI_Comm_free(&comm_);
  }

  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  MPI_Comm native() const noexcept { return comm_; }

  void allreduce_sum(std::span<double> v) { sum_in_rank_order(v); }
  void allreduce_sum(std::span<float> v) { sum_in_rank_order(v); }
  void allreduce_sum(std::span<std::int64_t> v) { sum_in_rank_order(v); }

  void broadcast(std::vector<char>& bytes, int root) {
    std::uint64_t n = bytes.size();
    detail::mpi_check(MPI_Bcast(&n, 1, MPI_UINT64_T, root, comm_), "MPI_Bcast");
    bytes.resize(static_cast<std::size_t>(n));
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
      const int m = static_cast<int>(std::min(piece, bytes.size() - at));
      detail::mpi_check(MPI_Bcast(bytes.data() + at, m, MPI_CHAR, root, comm_), "MPI_Bcast");
    }
  }

  std::vector<std::vector<char>> allgatherv(std::span<const char> mine) {
    std::uint64_t n = mine.size();
    std::vector<std::uint64_t> sizes(static_cast<std::size_t>(size_));
    detail::mpi_check(MPI_Allgather(&n, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, comm_), "MPI_Allgather");
    std::vector<std::vector<char>> out(sizes.size());
    for (std::size_t r = 0; r < sizes.size(); ++r) out[r].resize(static_cast<std::size_t>(sizes[r]));
    // In rounds of at most `piece` bytes from each rank.
    const std::uint64_t most = *std::max_element(sizes.begin(), sizes.end());
    std::vector<int> counts(sizes.size()), displs(sizes.size());
    std::vector<char> round;
    for (std::uint64_t at = 0; at < most || at == 0; at += piece) {
      std::size_t total = 0;
      for (std::size_t r = 0; r < sizes.size(); ++r) {
        const std::uint64_t left = sizes[r] > at ? sizes[r] - at : 0;
        counts[r] = static_cast<int>(std::min<std::uint64_t>(left, piece));
        displs[r] = static_cast<int>(total);
        total += static_cast<std::size_t>(counts[r]);
      }
      round.resize(total);
      const std::uint64_t my_left = n > at ? n - at : 0;
      const int mine_now = static_cast<int>(std::min<std::uint64_t>(my_left, piece));
      detail::mpi_check(MPI_Allgatherv(mine.data() + std::min<std::uint64_t>(at, n), mine_now, MPI_CHAR, round.data(),
                                       counts.data(), displs.data(), MPI_CHAR, comm_),
                        "MPI_Allgatherv");
      for (std::size_t r = 0; r < sizes.size(); ++r) {
        std::copy(round.begin() + displs[r], round.begin() + displs[r] + counts[r],
                  out[r].begin() + static_cast<std::ptrdiff_t>(at));
      }
      if (most == 0) break;
    }
    return out;
  }

  std::vector<char> alltoallv(std::span<const char> bytes, const std::vector<std::size_t>& counts) {
    if (counts.size() != static_cast<std::size_t>(size_)) {
      throw invalid_argument("mpi_communicator.alltoallv: expected " + std::to_string(size_) + " counts, got " +
                             std::to_string(counts.size()));
    }
    std::size_t sum = 0;
    for (auto c : counts) sum += c;
    if (sum != bytes.size()) {
      throw invalid_argument("mpi_communicator.alltoallv: the counts add to " + std::to_string(sum) + ", expected the " +
                             std::to_string(bytes.size()) + " bytes given");
    }
    std::vector<std::uint64_t> send(counts.begin(), counts.end()), recv(counts.size());
    detail::mpi_check(MPI_Alltoall(send.data(), 1, MPI_UINT64_T, recv.data(), 1, MPI_UINT64_T, comm_), "MPI_Alltoall");
    for (std::size_t r = 0; r < counts.size(); ++r) {
      if (send[r] > INT_MAX || recv[r] > INT_MAX) {
        throw distributed_error("mpi_communicator.alltoallv: more than 2^31 - 1 bytes between two ranks in one exchange; "
                                "exchange in smaller parts");
      }
    }
    std::vector<int> sc(counts.size()), sd(counts.size()), rc(counts.size()), rd(counts.size());
    std::size_t s_at = 0, r_at = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      sc[r] = static_cast<int>(send[r]);
      rc[r] = static_cast<int>(recv[r]);
      if (s_at > INT_MAX || r_at > INT_MAX) {
        throw distributed_error("mpi_communicator.alltoallv: more than 2^31 - 1 bytes in one exchange; exchange in smaller parts");
      }
      sd[r] = static_cast<int>(s_at);
      rd[r] = static_cast<int>(r_at);
      s_at += send[r];
      r_at += recv[r];
    }
    std::vector<char> out(r_at);
    detail::mpi_check(MPI_Alltoallv(bytes.data(), sc.data(), sd.data(), MPI_CHAR, out.data(), rc.data(), rd.data(),
                                    MPI_CHAR, comm_),
                      "MPI_Alltoallv");
    return out;
  }

  void barrier() { detail::mpi_check(MPI_Barrier(comm_), "MPI_Barrier"); }

 private:
  static constexpr std::size_t piece = std::size_t{1} << 30;

  template <class T>
  void sum_in_rank_order(std::span<T> v) {
    if (size_ == 1 || v.empty()) return;
    const std::size_t n = v.size(), step = piece / sizeof(T);
    std::vector<T> all(std::min(n, step) * static_cast<std::size_t>(size_));
    for (std::size_t at = 0; at < n; at += step) {
      const std::size_t m = std::min(step, n - at);
      detail::mpi_check(MPI_Allgather(v.data() + at, static_cast<int>(m), detail::mpi_type<T>(), all.data(),
                                      static_cast<int>(m), detail::mpi_type<T>(), comm_),
                        "MPI_Allgather");
      for (std::size_t i = 0; i < m; ++i) {
        T s = all[i];
        for (std::size_t r = 1; r < static_cast<std::size_t>(size_); ++r) s += all[r * m + i];
        v[at + i] = s;
      }
    }
  }

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
};

static_assert(communicator<mpi_communicator>);

}  // namespace clm
