// User x item interactions from triples parsed out of any bytes (lines "user,item,value"),
// then a small recommender fitted and asked for recommendations.
#include <clm/data/interactions.hpp>
#include <clm/recommend/knn.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t a = data[0];
  std::vector<std::string> users, items;
  std::vector<double> values;
  std::string field[3];
  int f = 0;
  for (std::size_t k = 1; k < size; ++k) {
    const char c = static_cast<char>(data[k]);
    if (c == ',' && f < 2) {
      ++f;
    } else if (c == '\n') {
      users.push_back(field[0]), items.push_back(field[1]);
      values.push_back(std::strtod(field[2].c_str(), nullptr));
      field[0].clear(), field[1].clear(), field[2].clear();
      f = 0;
    } else {
      field[f] += c;
    }
  }
  try {
    const auto data_set = clm::interactions::from_triples(
        users, items, (a & 1) ? std::vector<double>{} : values,
        {.duplicates = (a & 2) ? clm::duplicate_policy::reject : clm::duplicate_policy::sum,
         .kind = (a & 1) ? clm::feedback::implicit_counts : clm::feedback::explicit_ratings});
    (void)data_set.transpose();
    if (data_set.n_users() > 0 && data_set.n_users() < 200) {
      clm::item_knn<> m({.k = 5, .rule = static_cast<clm::knn_rule>((a >> 2) & 3)});
      m.fit(data_set);
      (void)m.recommend(std::size_t{0}, 3);
      (void)m.predict(std::size_t{0}, std::size_t{0});
    }
  } catch (const clm::error&) {
  }
  return 0;
}
