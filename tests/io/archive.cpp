// io/archive: the model file format. Round trips, and every kind of bad file -> format_error.
#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "clm/data/synthetic.hpp"
#include "clm/cluster/kmeans.hpp"
#include "clm/io/archive.hpp"
#include "clm/lifetime/bg_nbd.hpp"
#include "clm/linear/logistic_regression.hpp"
#include "clm/preprocessing/standard_scaler.hpp"

using clm::matrix;
using clm::vector;

namespace {

enum class colour : std::uint8_t { red = 1, green = 2 };

// A model exercising every field type the archive supports.
struct everything {
  static std::string model_kind() { return "everything"; }
  static constexpr std::uint32_t serial_version = 2;

  bool flag = true;
  std::int32_t i = -7;
  std::uint64_t u = 1ULL << 60;
  float f = 1.25f;
  double d = -0.1;
  colour c = colour::green;
  std::string name = "churn model \xE2\x9C\x93";
  std::vector<double> values{1.0, -2.5, 1e-300};
  std::vector<std::string> names{"a", "", "ccc"};
  std::array<std::uint64_t, 4> state{1, 2, 3, 4};
  std::optional<matrix<double>> weights = matrix<double>{{1, 2, 3}, {4, 5, 6}};
  std::optional<vector<float>> absent;
  std::uint32_t loaded_version = 0;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(flag, i, u, f, d, c, name, values, names, state, weights, absent);
    loaded_version = ar.version();
    ar.check(values.size() < 100, "too many values");
  }
};

bool operator==(const everything& a, const everything& b) {
  return a.flag == b.flag && a.i == b.i && a.u == b.u && a.f == b.f && a.d == b.d && a.c == b.c &&
         a.name == b.name && a.values == b.values && a.names == b.names && a.state == b.state &&
         a.weights.has_value() == b.weights.has_value() && (!a.weights || *a.weights == *b.weights) &&
         a.absent.has_value() == b.absent.has_value();
}

struct other_kind : everything {
  static std::string model_kind() { return "other_kind"; }
};

struct newer : everything {
  static constexpr std::uint32_t serial_version = 3;
};

clm::standard_scaler<> fitted_scaler() {
  const auto data = clm::synthetic::customers<double>({.n_customers = 50, .seed = 3});
  clm::standard_scaler<> s;
  s.fit(data.X);
  return s;
}

}  // namespace

TEST_CASE("every field type round-trips exactly") {
  everything m;
  m.values.push_back(-0.0);
  const std::string bytes = clm::save_bytes(m);
  const everything back = clm::load_bytes<everything>(bytes);
  CHECK(back == m);
  CHECK(back.loaded_version == everything::serial_version);
  CHECK(clm::save_bytes(back) == bytes);
}

TEST_CASE("the header says what the file is") {
  const std::string bytes = clm::save_bytes(everything{});
  CHECK(bytes.substr(0, 4) == "\x89" "CLM");
  const clm::archive_info info = clm::inspect_bytes(bytes);
  CHECK(info.format_version == clm::archive_format_version);
  CHECK(info.library_version[0] == CLM_VERSION_MAJOR);
  CHECK(info.library_version[1] == CLM_VERSION_MINOR);
  CHECK(info.kind == "everything");
  CHECK(info.serial_version == 2);
  CHECK(info.payload_offset + info.payload_size + 8 == bytes.size());
}

namespace {
struct one {
  static std::string model_kind() { return "one"; }
  static constexpr std::uint32_t serial_version = 1;
  std::uint32_t v = 0x01020304;
  template <class A>
  void serialize(A& ar) {
    ar(v);
  }
};
}  // namespace

TEST_CASE("payload integers are little-endian regardless of the host") {
  const std::string bytes = clm::save_bytes(one{});
  const auto info = clm::inspect_bytes(bytes);
  REQUIRE(info.payload_size == 4);
  CHECK(bytes.substr(info.payload_offset, 4) == std::string("\x04\x03\x02\x01", 4));
}

TEST_CASE("another model kind, a newer serial version, a newer format: format_error") {
  const std::string bytes = clm::save_bytes(everything{});
  CHECK_THROWS_WITH_AS(clm::load_bytes<other_kind>(bytes),
                       doctest::Contains("expected a 'other_kind'"), clm::format_error);
  const std::string newer_bytes = clm::save_bytes(newer{});
  CHECK_THROWS_WITH_AS(clm::load_bytes<everything>(newer_bytes), doctest::Contains("newer"),
                       clm::format_error);
  CHECK(clm::load_bytes<newer>(bytes).loaded_version == 2);  // older versions stay loadable

  // Rewrite the format version to 2 and fix the checksum: refused as newer.
  std::string future = bytes;
  future[8] = 2;
  const std::uint64_t sum = clm::detail::fnv1a64(future.data(), future.size() - 8);
  for (int k = 0; k < 8; ++k) future[future.size() - 8 + k] = static_cast<char>((sum >> (8 * k)) & 0xFF);
  CHECK_THROWS_WITH_AS(clm::load_bytes<everything>(future), doctest::Contains("format version 2"),
                       clm::format_error);
}

TEST_CASE("truncating a saved model at every byte offset gives format_error") {
  const std::string bytes = clm::save_bytes(fitted_scaler());
  for (std::size_t len = 0; len < bytes.size(); ++len) {
    CHECK_THROWS_AS(clm::load_bytes<clm::standard_scaler<>>(std::string_view(bytes).substr(0, len)),
                    clm::format_error);
  }
}

TEST_CASE("flipping any byte of a saved model gives format_error") {
  const std::string bytes = clm::save_bytes(fitted_scaler());
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    for (unsigned char mask : {0x01, 0x80, 0xFF}) {
      std::string bad = bytes;
      bad[at] = static_cast<char>(bad[at] ^ mask);
      CHECK_THROWS_AS(clm::load_bytes<clm::standard_scaler<>>(bad), clm::format_error);
    }
  }
}

namespace {
// A payload written by hand with a valid header and checksum, to reach the payload checks.
template <class M>
std::string with_payload(const std::string& payload) {
  clm::output_archive file(M::serial_version);
  file.write_raw(clm::detail::archive_magic.data(), 8);
  const std::string kind = M::model_kind();
  file(clm::archive_format_version, std::uint16_t{0}, std::uint16_t{1}, std::uint16_t{0},
       static_cast<std::uint32_t>(kind.size()));
  file.write_raw(kind.data(), kind.size());
  file(static_cast<std::uint32_t>(M::serial_version), static_cast<std::uint64_t>(payload.size()));
  file.write_raw(payload.data(), payload.size());
  file(clm::detail::fnv1a64(file.bytes().data(), file.bytes().size()));
  return file.take();
}
}  // namespace

TEST_CASE("hostile lengths with a valid checksum: format_error, no huge allocation") {
  using scaler = clm::standard_scaler<>;
  clm::output_archive p(1);
  // with_mean, with_std, state present, 3 features, then a mean vector claiming 2^40 elements.
  p(true, true, true, std::uint64_t{3}, std::uint64_t{1} << 40);
  CHECK_THROWS_WITH_AS(clm::load_bytes<scaler>(with_payload<scaler>(p.bytes())),
                       doctest::Contains("exceeds"), clm::format_error);

  // A boolean that is neither 0 nor 1.
  clm::output_archive q(1);
  q(std::uint8_t{7});
  CHECK_THROWS_AS(clm::load_bytes<scaler>(with_payload<scaler>(q.bytes())), clm::format_error);

  // Consistent lengths but a negative scale: rejected by the model's own check.
  clm::output_archive r(1);
  r(true, true, true, std::uint64_t{1}, vector<double>{0.0}, vector<double>{1.0}, vector<double>{-1.0},
    std::vector<std::uint64_t>{3});
  CHECK_THROWS_WITH_AS(clm::load_bytes<scaler>(with_payload<scaler>(r.bytes())),
                       doctest::Contains("scale"), clm::format_error);

  // Statistics of different lengths.
  clm::output_archive s(1);
  s(true, true, true, std::uint64_t{2}, vector<double>{0.0, 1.0}, vector<double>{1.0}, vector<double>{1.0},
    std::vector<std::uint64_t>{3});
  CHECK_THROWS_AS(clm::load_bytes<scaler>(with_payload<scaler>(s.bytes())), clm::format_error);

  // Trailing bytes after the model.
  clm::output_archive t(1);
  t(true, true, false, std::uint8_t{0});
  CHECK_THROWS_WITH_AS(clm::load_bytes<scaler>(with_payload<scaler>(t.bytes())),
                       doctest::Contains("unread"), clm::format_error);

  // The smallest valid payload (params only, not fitted) loads: the checks above are not
  // rejecting everything.
  const scaler u = clm::load_bytes<scaler>(with_payload<scaler>(std::string("\x01\x00\x00", 3)));
  CHECK_FALSE(u.fitted());
  CHECK_FALSE(u.params().with_std);
}

TEST_CASE("files: save writes atomically, load names the path, a missing file is format_error") {
  const auto dir = std::filesystem::temp_directory_path() / "clm_archive_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "scaler.clm";
  const auto s = fitted_scaler();
  clm::save(s, path);
  const auto temporaries = [&] {
    std::size_t k = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) k += e.path().extension() == ".tmp";
    return k;
  };
  CHECK(temporaries() == 0);
  // Several threads saving to one path at once: each save succeeds, no temporary is left,
  // and the file is a whole model.
  {
    std::vector<std::thread> writers;
    std::atomic<int> failures{0};
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&] {
        for (int k = 0; k < 20; ++k) {
          try {
            clm::save(s, path);
          } catch (const clm::error&) {
            ++failures;
          }
        }
      });
    }
    for (auto& t : writers) t.join();
    CHECK(failures == 0);
    CHECK(temporaries() == 0);
    CHECK(clm::load<clm::standard_scaler<>>(path).mean() == s.mean());
  }
  const auto back = clm::load<clm::standard_scaler<>>(path);
  CHECK(back.mean() == s.mean());
  CHECK_THROWS_WITH_AS(clm::load<clm::standard_scaler<>>(dir / "missing.clm"),
                       doctest::Contains("missing.clm"), clm::format_error);
  {
    std::ofstream out(dir / "text.clm");
    out << "not a model";
  }
  CHECK_THROWS_AS(clm::load<clm::standard_scaler<>>(dir / "text.clm"), clm::format_error);
  CHECK_THROWS_AS(clm::save(s, dir / "no_such_dir" / "x.clm"), clm::error);
  std::filesystem::remove_all(dir);
}

TEST_CASE("model files from serial version 1 (no stop reason, no excluded count) still load") {
  // logistic_regression v1: params, then the state with a report of six fields.
  clm::output_archive p(1);
  p(1.0, true, clm::logistic_solver::lbfgs, 1e-4, std::size_t{100}, clm::class_weighting::none, 1.0, 1.0, 0.5);
  p(true, clm::vector<double>{0.5, -1.5}, 0.25);
  p(std::size_t{12}, std::size_t{15}, true, 0.3, 1e-6, std::string("gradient norm below gtol"));
  const auto m = clm::load_bytes<clm::logistic_regression<>>(clm::detail::model_file(
      clm::logistic_regression<>::model_kind(), 1, p.bytes()));
  CHECK(m.coef()(1) == -1.5);
  CHECK(m.report().converged);
  CHECK(m.report().reason == clm::stop_reason::unrecorded);
  // bg_nbd v1: params, then the state without n_excluded or the reason.
  clm::output_archive q(1);
  q(0.0, std::size_t{200}, 1e-6, false);
  q(true, std::array<double, 4>{0.243, 4.414, 0.793, 2.426}, std::array<double, 4>{0.01, 0.3, 0.2, 0.7}, -9582.4, 2357.0);
  q(std::size_t{30}, std::size_t{40}, true, 4.06, 1e-7, std::string("gradient norm below gtol"), clm::time_unit::week);
  const auto bg = clm::load_bytes<clm::bg_nbd<>>(clm::detail::model_file(clm::bg_nbd<>::model_kind(), 1, q.bytes()));
  CHECK(bg.parameters().b == 2.426);
  CHECK(bg.n_customers() == 2357.0);
  CHECK(bg.n_excluded() == 0.0);
  CHECK(bg.report().reason == clm::stop_reason::unrecorded);
  // A current file whose 'converged' disagrees with its reason is refused.
  clm::output_archive r(clm::logistic_regression<>::serial_version);
  r(1.0, true, clm::logistic_solver::lbfgs, 1e-4, std::size_t{100}, clm::class_weighting::none, 1.0, 1.0, 0.5);
  r(true, clm::vector<double>{0.5}, 0.25);
  r(std::size_t{12}, std::size_t{15}, true, 0.3, 1e-6, std::string("stalled"), clm::stop_reason::line_search_stalled);
  CHECK_THROWS_WITH_AS(clm::load_bytes<clm::logistic_regression<>>(clm::detail::model_file(
                           clm::logistic_regression<>::model_kind(), 2, r.bytes())),
                       doctest::Contains("disagrees with the stop reason"), clm::format_error);
}

TEST_CASE("kmeans files of serial version 1 (flat initial centres, labels as values) still load") {
  clm::output_archive p(1);
  p(std::size_t{2}, clm::kmeans_init::given, std::vector<double>{0, 0, 5, 5}, std::size_t{1}, std::size_t{300}, 1e-4,
    std::uint64_t{0}, std::size_t{1});
  p(true, std::size_t{2}, clm::matrix<double>{{0.5, 0.5}, {5.0, 5.5}}, clm::vector<double>{0, 1, 1}, 1.25, std::size_t{2});
  const auto km = clm::load_bytes<clm::kmeans<>>(clm::detail::model_file(clm::kmeans<>::model_kind(), 1, p.bytes()));
  CHECK(km.params().init_centers == clm::matrix<double>{{0, 0}, {5, 5}});
  CHECK(km.labels() == clm::cluster_labels{0, 1, 1});
  CHECK(km.predict(clm::matrix<double>{{4.0, 6.0}})(0) == 1);
  // A label naming no centre is refused in either version.
  clm::output_archive q(1);
  q(std::size_t{2}, clm::kmeans_init::kmeans_plus_plus, std::vector<double>{}, std::size_t{1}, std::size_t{300}, 1e-4,
    std::uint64_t{0}, std::size_t{1});
  q(true, std::size_t{2}, clm::matrix<double>{{0.5, 0.5}, {5.0, 5.5}}, clm::vector<double>{0, 2, 1}, 1.25, std::size_t{2});
  CHECK_THROWS_AS(clm::load_bytes<clm::kmeans<>>(clm::detail::model_file(clm::kmeans<>::model_kind(), 1, q.bytes())),
                  clm::format_error);
}
