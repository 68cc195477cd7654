#pragma once
// Ratings fixtures (tests/reference/*_train.txt: user, item, rating rows) as interactions,
// read in the order the reference script wrote them, ids "u<n>" and "i<n>".

#include <string>
#include <vector>

#include "clm/data/interactions.hpp"
#include "support/fixtures.hpp"

namespace clm::testing {

inline std::string rating_id(char prefix, double v) { return prefix + std::to_string(static_cast<long>(v)); }

inline interactions ratings_fixture(const std::string& name, duplicate_policy duplicates = duplicate_policy::sum) {
  const auto T = read_matrix_fixture(name);
  std::vector<std::string> u, i;
  std::vector<double> r;
  for (std::size_t k = 0; k < T.shape()[0]; ++k) {
    u.push_back(rating_id('u', T(k, 0)));
    i.push_back(rating_id('i', T(k, 1)));
    r.push_back(T(k, 2));
  }
  return interactions::from_triples(u, i, r, {.duplicates = duplicates});
}

}  // namespace clm::testing
