// reliability: resource bounds. Reading a CSV and loading a model allocate at most a stated
// multiple of their input's size, and a model file that claims an absurd size is refused
// before anything that size is allocated. Heap use is measured by replacing the global
// operator new / delete of this test executable (not under ASan or TSan, which own the
// allocator: there the bounds are not measured and the tests say so).
#include <doctest/doctest.h>
#include <malloc.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

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

// The hostile CSV shapes: line ends without records, one very long line, very many columns.
// read_csv's bound is 4 times its input plus a fixed cost per column (a table column, its
// name and the reader's state for it), which dominates only when fields are one or two
// bytes wide.
constexpr long long csv_bytes_per_column = 512;

long long csv_bound(const std::string& text, std::size_t columns) {
  return 4 * static_cast<long long>(text.size()) + csv_bytes_per_column * static_cast<long long>(columns);
}

TEST_CASE("read_csv: a short header followed by megabytes of blank lines stays within its bound") {
  CLM_REQUIRE_HEAP_COUNTING();
  for (const std::size_t columns : {std::size_t{2}, std::size_t{500}}) {
    std::string text;
    for (std::size_t j = 0; j < columns; ++j) text += (j ? ",c" : "c") + std::to_string(j);
    text += "\n1";
    text += std::string(columns - 1, ',');
    text += '\n';
    text += std::string(columns == 2 ? (std::size_t{20} << 20) : (std::size_t{4} << 20), '\n');
    clm::table t;
    const long long used = peak_of([&] { t = clm::read_csv_text(text); });
    MESSAGE(columns, " columns + ", text.size(), " bytes of line ends: peak heap ", used, " bytes (",
            static_cast<double>(used) / static_cast<double>(text.size()), "x)");
    CHECK(t.rows() == 1);
    CHECK(used <= csv_bound(text, columns));
  }
}

TEST_CASE("read_csv: one very long line without a header stays within its bound") {
  CLM_REQUIRE_HEAP_COUNTING();
  for (const std::size_t field : {std::size_t{1}, std::size_t{7}}) {  // "1," and "123456,"
    std::string text;
    const std::string value = field == 1 ? "1" : "123456";
    while (text.size() < (std::size_t{2} << 20)) text += value + ",";
    text.back() = '\n';
    const std::size_t columns = text.size() / (value.size() + 1);
    clm::table t;
    const long long used = peak_of([&] { t = clm::read_csv_text(text, {.header = false}); });
    MESSAGE(columns, " columns on one line of ", text.size(), " bytes: peak heap ", used, " bytes (",
            static_cast<double>(used) / static_cast<double>(text.size()), "x, ",
            static_cast<double>(used) / static_cast<double>(columns), " bytes a column)");
    CHECK(t.cols() == columns);
    CHECK(used <= csv_bound(text, columns));
  }
}

TEST_CASE("read_csv: 100,000 named columns read in well under a second") {
  std::string text;
  for (std::size_t j = 0; j < 100000; ++j) text += (j ? ",column_" : "column_") + std::to_string(j);
  text += '\n';
  for (std::size_t j = 0; j < 100000; ++j) text += (j ? ",1" : "1");
  text += '\n';
  const auto start = std::chrono::steady_clock::now();
  const clm::table t = clm::read_csv_text(text);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("100,000 columns (", text.size(), " bytes): ", seconds, " s");
  CHECK(t.cols() == 100000);
  CHECK(t.has("column_99999"));
  // Timed in optimised builds without a sanitizer only (0.09 s measured; quadratic header
  // checks took 15-35 s).
#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  CHECK(seconds < 0.5);
#endif
  // A repeated name among them is still found, and named.
  std::string dup = text;
  dup.replace(dup.find("column_99999"), 12, "column_00007");
  dup.replace(dup.find("column_7,"), 9, "column_00007,");
  CHECK_THROWS_WITH_AS(clm::read_csv_text(dup), doctest::Contains("duplicate column name 'column_00007'"),
                       clm::parse_error);
}

TEST_CASE("loading: a file of millions of empty ids is refused within the loading bound") {
  CLM_REQUIRE_HEAP_COUNTING();
  // most_popular fitted on 2 users, then its user id list replaced by 4 Mi empty ids (the
  // checksum and lengths recomputed): the ids disagree with the matrix's 2 rows.
  clm::most_popular<> m;
  m.fit(clm::interactions::from_triples({"a", "b"}, {"x", "y"}));
  const std::string file = clm::save_bytes(m);
  const auto info = clm::inspect_bytes(file);
  std::string payload = file.substr(info.payload_offset, info.payload_size);
  const std::string ids = std::string("\x02\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0a\x01\0\0\0\0\0\0\0b", 26);
  const std::size_t at = payload.find(ids);
  REQUIRE(at != std::string::npos);
  const std::uint64_t n = std::uint64_t{4} << 20;
  std::string many(reinterpret_cast<const char*>(&n), 8);
  many += std::string(8 * n, '\0');
  payload.replace(at, ids.size(), many);
  const std::string hostile = clm::detail::model_file(clm::most_popular<>::model_kind(),
                                                      clm::most_popular<>::serial_version, payload);
  bool refused = false;
  const long long used = peak_of([&] {
    try {
      (void)clm::load_bytes<clm::most_popular<>>(hostile);
    } catch (const clm::format_error&) {
      refused = true;
    }
  });
  CHECK(refused);
  MESSAGE("4 Mi empty ids: peak heap ", used, " bytes for a file of ", hostile.size(), " bytes (",
          static_cast<double>(used) / static_cast<double>(hostile.size()), "x)");
  CHECK(used <= 4 * static_cast<long long>(hostile.size()));
}

TEST_CASE("loading a most_popular model of 500,000 users allocates at most 3 times the file") {
  CLM_REQUIRE_HEAP_COUNTING();
  std::vector<std::string> users, items;
  for (std::size_t u = 0; u < 500000; ++u) {
    users.push_back("customer" + std::to_string(u));
    items.push_back("sku" + std::to_string((u * 7919) % 1000));
  }
  clm::most_popular<> m;
  m.fit(clm::interactions::from_triples(users, items));
  const std::string bytes = clm::save_bytes(m);
  const long long used = peak_of([&] { (void)clm::load_bytes<clm::most_popular<>>(bytes); });
  MESSAGE("load most_popular (500,000 users): peak heap ", used, " bytes for a file of ", bytes.size(), " bytes (",
          static_cast<double>(used) / static_cast<double>(bytes.size()), "x)");
  CHECK(used <= 3 * static_cast<long long>(bytes.size()));
}
