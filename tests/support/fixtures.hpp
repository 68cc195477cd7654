#pragma once
// Test-side helpers: reference fixtures from tests/reference/ and the shared data folder.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

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

/// The folder named by CLM_DATA_DIR, or nothing (tests that need it then skip, saying so).
inline std::optional<std::filesystem::path> data_dir() {
  const char* d = std::getenv("CLM_DATA_DIR");
  if (d == nullptr || *d == '\0') return std::nullopt;
  return std::filesystem::path(d);
}

}  // namespace clm::testing
