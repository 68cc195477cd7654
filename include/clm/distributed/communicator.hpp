#pragma once
// clm::communicator — what a fit needs from a group of processes that each hold part of the
// data — and clm::local_communicator, the group of one process (no dependency).
// clm/distributed/mpi.hpp has clm::mpi_communicator, a group of MPI processes.
//
// A distributable fit computes statistics of its local rows, reduces them through the
// communicator and runs the same solve on every rank, so every rank ends with the same
// model. The fit without a communicator is the same code with local_communicator.
//
// Operations (collective: every rank of the group calls them, in the same order):
//   rank(), size()
//   allreduce_sum(std::span<double | float | std::int64_t> v)
//       in place; each rank's partial is gathered and the partials are added in rank
//       order, never in the order messages arrive, so for a given partition a rerun gives
//       bit-identical results.
//   broadcast(std::vector<char>& bytes, int root)         root's bytes to every rank
//   allgatherv(std::span<const char> mine)                 every rank's bytes, by rank
//   alltoallv(std::span<const char> bytes, counts)         counts[r] consecutive bytes to
//       rank r; returns what every rank sent to this one, concatenated in rank order
//   barrier()
//
// Errors. A fit that fails on one rank must fail on every rank: the others would otherwise
// wait for it in the next collective forever. distributed::agree(comm, problem) is the
// checkpoint: each rank states its problem (empty: none); when any rank has one, every
// rank throws distributed_error naming the first such rank and its message.
// distributed::same_everywhere(comm, what, value) checks that every rank holds the same
// value (parameters, column counts, category sets): a distributed_error otherwise.

#include <concepts>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "clm/core/error.hpp"

namespace clm {

template <class C>
concept communicator = requires(C& c, std::span<double> d, std::span<float> f, std::span<std::int64_t> i,
                                std::vector<char>& bytes, std::span<const char> mine,
                                const std::vector<std::size_t>& counts) {
  { c.rank() } -> std::convertible_to<int>;
  { c.size() } -> std::convertible_to<int>;
  c.allreduce_sum(d);
  c.allreduce_sum(f);
  c.allreduce_sum(i);
  c.broadcast(bytes, 0);
  { c.allgatherv(mine) } -> std::same_as<std::vector<std::vector<char>>>;
  { c.alltoallv(mine, counts) } -> std::same_as<std::vector<char>>;
  c.barrier();
};

/// The group of one process: every operation is the identity.
class local_communicator {
 public:
  int rank() const noexcept { return 0; }
  int size() const noexcept { return 1; }
  template <class T>
  void allreduce_sum(std::span<T>) const noexcept {}
  void broadcast(std::vector<char>&, int) const noexcept {}
  std::vector<std::vector<char>> allgatherv(std::span<const char> mine) const {
    return {std::vector<char>(mine.begin(), mine.end())};
  }
  std::vector<char> alltoallv(std::span<const char> bytes, const std::vector<std::size_t>& counts) const {
    if (counts.size() != 1 || counts[0] != bytes.size()) {
      throw invalid_argument("local_communicator.alltoallv: expected one count equal to the " +
                             std::to_string(bytes.size()) + " bytes");
    }
    return std::vector<char>(bytes.begin(), bytes.end());
  }
  void barrier() const noexcept {}
};

static_assert(communicator<local_communicator>);

namespace distributed {

namespace detail {
/// Bytes for messages: values and length-prefixed texts.
template <class T>
void put(std::vector<char>& out, const T& v) {
  const std::size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &v, sizeof(T));
}
inline void put_text(std::vector<char>& out, std::string_view s) {
  put(out, static_cast<std::uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}
/// Reads what put and put_text wrote, checking every length against the bytes left.
class reader {
 public:
  reader(std::span<const char> b, const char* what) : b_(b), what_(what) {}
  bool done() const noexcept { return at_ == b_.size(); }
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, b_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return v;
  }
  void skip(std::size_t n) {
    need(n);
    at_ += n;
  }
  std::string_view text() {
    const auto n = get<std::uint32_t>();
    need(n);
    std::string_view s(b_.data() + at_, n);
    at_ += n;
    return s;
  }

 private:
  void need(std::size_t n) const {
    if (b_.size() - at_ < n) throw distributed_error(std::string(what_) + ": a message ended inside a record");
  }
  std::span<const char> b_;
  const char* what_;
  std::size_t at_ = 0;
};
}  // namespace detail


/// Every rank's copy of a trivially copyable value, by rank.
template <class T, communicator C>
  requires std::is_trivially_copyable_v<T>
std::vector<T> allgather_value(C& comm, const T& value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  const auto all = comm.allgatherv(std::span<const char>(bytes, sizeof(T)));
  std::vector<T> out(all.size());
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all[r].size() != sizeof(T)) throw distributed_error("allgather_value: rank " + std::to_string(r) + " sent another type");
    std::memcpy(&out[r], all[r].data(), sizeof(T));
  }
  return out;
}

/// Where each rank's share of a whole starts when the ranks' shares are laid out in rank
/// order: size + 1 offsets, rank r holding [offsets[r], offsets[r + 1]); `count` is this
/// rank's share.
template <communicator C>
std::vector<std::size_t> rank_offsets(C& comm, std::size_t count) {
  std::vector<std::size_t> offsets{0};
  for (const auto n : allgather_value(comm, static_cast<std::uint64_t>(count))) {
    offsets.push_back(offsets.back() + static_cast<std::size_t>(n));
  }
  return offsets;
}

/// Every rank's doubles, by rank.
template <communicator C>
std::vector<std::vector<double>> allgather_doubles(C& comm, std::span<const double> mine) {
  const auto all = comm.allgatherv(
      std::span<const char>(reinterpret_cast<const char*>(mine.data()), mine.size() * sizeof(double)));
  std::vector<std::vector<double>> out(all.size());
  for (std::size_t r = 0; r < all.size(); ++r) {
    out[r].resize(all[r].size() / sizeof(double));
    if (!out[r].empty()) std::memcpy(out[r].data(), all[r].data(), out[r].size() * sizeof(double));
  }
  return out;
}

/// The checkpoint of a fit: `problem` is this rank's error (empty: none). When any rank has
/// one, every rank throws distributed_error "<what>: rank r: <problem>" for the first such
/// rank (and says how many failed).
template <communicator C>
void agree(C& comm, const std::string& what, const std::string& problem) {
  std::int64_t failed = problem.empty() ? 0 : 1;
  comm.allreduce_sum(std::span<std::int64_t>(&failed, 1));
  if (failed == 0) return;
  const auto all = comm.allgatherv(std::span<const char>(problem.data(), problem.size()));
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all[r].empty()) continue;
    throw distributed_error(what + ": rank " + std::to_string(r) + " of " + std::to_string(all.size()) +
                            " failed" + (failed > 1 ? " (and " + std::to_string(failed - 1) + " more)" : "") + ": " +
                            std::string(all[r].begin(), all[r].end()));
  }
}

/// Runs f() on this rank; any exception it throws becomes this rank's problem, and agree()
/// then makes every rank throw. Returns normally on every rank only when f() did on every
/// rank. With local_communicator f()'s own exception comes out unchanged.
template <communicator C, class F>
void run_agreed(C& comm, const std::string& what, F&& f) {
  if constexpr (std::is_same_v<std::remove_cv_t<C>, local_communicator>) {
    (void)comm;
    (void)what;
    f();
    return;
  }
  std::string problem;
  try {
    f();
  } catch (const std::exception& e) {
    problem = e.what();
    if (problem.empty()) problem = "an exception without a message";
  }
  agree(comm, what, problem);
}

/// Throws distributed_error on every rank unless every rank holds the same value of `what`
/// (a hash of the parameters, a column count, ...), naming the first rank that differs
/// from rank 0 and both values.
template <communicator C>
void same_everywhere(C& comm, const std::string& what, std::uint64_t value) {
  const auto all = allgather_value(comm, value);
  for (std::size_t r = 1; r < all.size(); ++r) {
    if (all[r] != all[0]) {
      throw distributed_error(what + " differs across ranks: rank 0 has " + std::to_string(all[0]) + ", rank " +
                              std::to_string(r) + " has " + std::to_string(all[r]) +
                              "; every rank must call the fit with the same settings and columns");
    }
  }
}

/// FNV-1a over the object bytes of arithmetic and enum values (texts and vectors of them
/// with their lengths): a fingerprint of a fit's parameters for same_everywhere.
class fingerprint {
 public:
  template <class... V>
  explicit fingerprint(const V&... values) {
    (add(values), ...);
  }
  template <class V>
    requires std::is_arithmetic_v<V> || std::is_enum_v<V>
  fingerprint& add(const V& v) {
    unsigned char b[sizeof(V)];
    std::memcpy(b, &v, sizeof(V));
    for (unsigned char c : b) h_ = (h_ ^ c) * 1099511628211ULL;
    return *this;
  }
  fingerprint& add(const std::string& s) {
    add(s.size());
    for (unsigned char c : s) h_ = (h_ ^ c) * 1099511628211ULL;
    return *this;
  }
  template <class V>
  fingerprint& add(const std::vector<V>& v) {
    add(v.size());
    for (const auto& x : v) add(x);
    return *this;
  }
  std::uint64_t value() const noexcept { return h_; }

 private:
  std::uint64_t h_ = 1469598103934665603ULL;
};

}  // namespace distributed
}  // namespace clm
