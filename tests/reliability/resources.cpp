// reliability: resource bounds. Reading a CSV and loading a model allocate at most a stated
// multiple of their input's size, and a model file that claims an absurd size is refused
// before anything that size is allocated. Heap use is measured by replacing the global
// operator new / delete of this test executable (not under ASan or TSan, which own the
// allocator: there the bounds are not measured and the tests say so).
#include <doctest/doctest.h>
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "clm/clm.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CLM_COUNT_HEAP 0
#else
#define CLM_COUNT_HEAP 1
#endif

namespace {
std::atomic<long long> live{0}, peak{0};
#if CLM_COUNT_HEAP
void note(void* p) {
  const long long now = live += static_cast<long long>(malloc_usable_size(p));
  long long seen = peak.load();
  while (now > seen && !peak.compare_exchange_weak(seen, now)) {
  }
}
void* allocate(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  note(p);
  return p;
}
void* allocate_aligned(std::size_t n, std::align_val_t a) {
  const auto al = static_cast<std::size_t>(a);
  void* p = std::aligned_alloc(al, (std::max<std::size_t>(n, 1) + al - 1) / al * al);
  if (p == nullptr) throw std::bad_alloc();
  note(p);
  return p;
}
void release(void* p) noexcept {
  if (p == nullptr) return;
  live -= static_cast<long long>(malloc_usable_size(p));
  std::free(p);
}
#endif

/// The most heap the call allocates beyond what was live before it.
template <class F>
long long peak_of(F&& f) {
  const long long before = live.load();
  peak = before;
  f();
  return peak.load() - before;
}
}  // namespace

#if CLM_COUNT_HEAP
void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void* operator new(std::size_t n, std::align_val_t a) { return allocate_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate_aligned(n, a); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }
#endif

/// Skips a test whose heap cannot be measured in this build.
#define CLM_REQUIRE_HEAP_COUNTING()                                                  \
  if (!CLM_COUNT_HEAP) {                                                           \
    MESSAGE("skipped: heap use is not measured under a sanitizer's allocator");     \
    return;                                                                        \
  }

TEST_CASE("read_csv allocates at most 4 times the size of its input") {
  CLM_REQUIRE_HEAP_COUNTING();
  std::string text = "customer_id,date,amount,channel\n";
  clm::random_engine g(1);
  while (text.size() < (std::size_t{4} << 20)) {
    text += "C" + std::to_string(clm::uniform_index(g, 100000)) + ",2024-0" + std::to_string(1 + clm::uniform_index(g, 9)) +
            "-1" + std::to_string(clm::uniform_index(g, 10)) + "," + std::to_string(clm::uniform01(g) * 100.0) +
            (clm::uniform01(g) < 0.5 ? ",web\n" : ",store\n");
  }
  const long long used = peak_of([&] { (void)clm::read_csv_text(text); });
  MESSAGE("read_csv: peak heap ", used, " bytes for ", text.size(), " bytes of CSV (", static_cast<double>(used) / static_cast<double>(text.size()), "x)");
  CHECK(used <= 4 * static_cast<long long>(text.size()));
}

TEST_CASE("loading a model allocates at most 3 times the size of the file") {
  CLM_REQUIRE_HEAP_COUNTING();
  const auto pop = clm::synthetic::make_population({.n_customers = 3000, .seed = 2, .n_items = 200});
  const auto ratings = clm::interactions::from_triples(pop.rating_user, pop.rating_item, pop.rating);
  clm::item_knn<> knn;
  knn.fit(ratings);
  const std::string bytes = clm::save_bytes(knn);
  const long long used = peak_of([&] { (void)clm::load_bytes<clm::item_knn<>>(bytes); });
  MESSAGE("load item_knn: peak heap ", used, " bytes for a file of ", bytes.size(), " bytes (", static_cast<double>(used) / static_cast<double>(bytes.size()), "x)");
  CHECK(used <= 3 * static_cast<long long>(bytes.size()));
}

TEST_CASE("a model file that claims 2^40 values is refused without allocating them") {
  // A valid file whose payload is edited to claim a 2^40-element vector, checksum recomputed:
  // only the length check can stop it.
  clm::linear_regression<> m;
  const auto c = clm::synthetic::customers<double>({.n_customers = 50, .seed = 1});
  m.fit(c.X, c.churn_probability);
  std::string bytes = clm::save_bytes(m);
  const auto info = clm::inspect_bytes(bytes);
  REQUIRE(info.kind == clm::linear_regression<>::model_kind());
  // Every 8-byte little-endian field holding 6 (the coefficient vector's length, and any other
  // field that happens to): set each in turn to 2^40 and fix the checksum. The length must be
  // refused; no attempt may allocate more than a small multiple of the file.
  std::size_t refused = 0, tried = 0;
  for (std::size_t at = 0; at + 16 <= bytes.size(); ++at) {
    std::uint64_t v = 0;
    for (int b = 0; b < 8; ++b) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[at + b])) << (8 * b);
    if (v != 6) continue;
    std::string hostile = bytes;
    const std::uint64_t big = std::uint64_t{1} << 40;
    for (int b = 0; b < 8; ++b) hostile[at + b] = static_cast<char>((big >> (8 * b)) & 0xff);
    const std::uint64_t sum = clm::detail::fnv1a64(hostile.data(), hostile.size() - 8);
    for (int b = 0; b < 8; ++b) hostile[hostile.size() - 8 + b] = static_cast<char>((sum >> (8 * b)) & 0xff);
    ++tried;
    const long long used = peak_of([&] {
      try {
        (void)clm::load_bytes<clm::linear_regression<>>(hostile);
      } catch (const clm::format_error&) {
        ++refused;
      }
    });
    if (CLM_COUNT_HEAP) CHECK(used <= 16 * static_cast<long long>(bytes.size()));
  }
  CHECK(tried >= 1);
  CHECK(refused >= 1);
}
