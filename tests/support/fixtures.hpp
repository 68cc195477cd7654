#pragma once
// Test-side helpers: reference fixtures from tests/reference/ and the shared data folder.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "clm/core/types.hpp"

namespace clm::testing {

/// tests/reference/, where fixture files live.
inline std::filesystem::path fixture_dir() { return CLM_FIXTURE_DIR; }

/// A matrix fixture: first line "rows cols", then rows of numbers in decimal text that
/// round-trips (17 significant digits); "nan" for NaN.
inline matrix<double> read_matrix_fixture(const std::string& name) {
  std::ifstream in(fixture_dir() / name);
  if (!in) throw std::runtime_error("missing fixture " + name + " (run tests/reference/make_fixtures.py)");
  std::size_t n = 0, d = 0;
  in >> n >> d;
  matrix<double> m = matrix<double>::from_shape({n, d});
  std::string tok;
  for (std::size_t i = 0; i < n * d; ++i) {
    if (!(in >> tok)) throw std::runtime_error("fixture " + name + " is short");
    m.data()[i] = std::strtod(tok.c_str(), nullptr);
  }
  return m;
}

/// Column j of a matrix fixture as a vector (labels, targets, weights).
inline vector<double> column(const matrix<double>& m, std::size_t j = 0) {
  vector<double> v = vector<double>::from_shape({m.shape()[0]});
  for (std::size_t i = 0; i < v.size(); ++i) v(i) = m(i, j);
  return v;
}

/// Lines of a text fixture (e.g. feature names).
inline std::vector<std::string> read_lines_fixture(const std::string& name) {
  std::ifstream in(fixture_dir() / name);
  if (!in) throw std::runtime_error("missing fixture " + name + " (run tests/reference/make_fixtures.py)");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

/// |a - b| <= tol * max(1, |b|) everywhere, NaN exactly where the other is NaN.
template <class M1, class M2>
void check_close(const M1& a, const M2& b, double tol) {
  REQUIRE(a.dimension() == b.dimension());
  for (std::size_t k = 0; k < a.dimension(); ++k) REQUIRE(a.shape()[k] == b.shape()[k]);
  std::size_t bad = 0;
  auto ib = b.begin();
  for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
    const double x = static_cast<double>(*ia), y = static_cast<double>(*ib);
    if (std::isnan(x) || std::isnan(y)) {
      bad += std::isnan(x) != std::isnan(y);
    } else if (std::abs(x - y) > tol * std::max(1.0, std::abs(y))) {
      ++bad;
    }
  }
  CHECK_MESSAGE(bad == 0, bad, " of ", a.size(), " values differ by more than ", tol);
}

/// The folder named by CLM_DATA_DIR, or nothing (tests that need it then skip, saying so).
inline std::optional<std::filesystem::path> data_dir() {
  const char* d = std::getenv("CLM_DATA_DIR");
  if (d == nullptr || *d == '\0') return std::nullopt;
  return std::filesystem::path(d);
}

}  // namespace clm::testing
