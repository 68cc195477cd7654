// recommend — top-N product recommendations from a purchase log: item kNN and EASE against
// the most-popular baseline on the purchases after a cut-off date, then serving one known
// customer, one new customer from a basket, and "similar items".
#include <clm/clm.hpp>

#include <cstdio>
#include <string>
#include <vector>

int main() try {
  // Purchases with known tastes; before the calibration end for training, after it for testing.
  const auto pop = clm::synthetic::make_population({.n_customers = 5000, .seed = 3, .r = 2.0, .alpha = 2.0, .n_items = 300,
                                                    .taste = 3.0});
  const auto& log = pop.transactions;
  std::vector<std::string> users, items;
  for (std::size_t k = 0; k < log.size(); ++k) {
    if (log.time[k] < pop.calibration_end) {
      users.push_back(log.customer_ids[static_cast<std::size_t>(log.customer[k])]);
      items.push_back(log.item_ids[static_cast<std::size_t>(log.item[k])]);
    }
  }
  const auto bought = clm::interactions::from_triples(users, items, {}, {.kind = clm::feedback::implicit_counts});
  std::vector<std::vector<std::size_t>> later(bought.n_users());  // new items bought after the cut-off
  for (std::size_t k = 0; k < log.size(); ++k) {
    const auto u = bought.user_index(log.customer_ids[static_cast<std::size_t>(log.customer[k])]);
    const auto i = bought.item_index(log.item_ids[static_cast<std::size_t>(log.item[k])]);
    if (!(log.time[k] < pop.calibration_end) && u && i && bought.matrix().at(*u, *i) == 0.0) later[*u].push_back(*i);
  }
  const auto score = [&](const char* name, const auto& model) {
    const auto top = model.recommend_all(10);  // every customer, without what they already have
    std::vector<std::vector<std::size_t>> rec(bought.n_users());
    for (std::size_t u = 0; u < rec.size(); ++u) {
      for (std::size_t k = 0; k < 10; ++k) rec[u].push_back(static_cast<std::size_t>(top.items(u, k)));
    }
    std::printf("%-13s precision@10 %.3f  NDCG@10 %.3f\n", name, clm::precision_at_k(rec, later, 10),
                clm::ndcg_at_k(rec, later, 10));
  };
  clm::most_popular<> popular;
  popular.fit(bought);
  clm::item_knn<> knn({.k = 100, .similarity = {.kind = clm::similarity_kind::cosine,
                                                .mode = clm::similarity_mode::zero_filled}});
  knn.fit(bought);
  clm::ease<> ease({.l2 = 100.0});
  ease.fit(bought);
  score("most popular", popular);
  score("item kNN", knn);
  score("EASE", ease);

  // Serving: a known customer, a new customer's basket, items like a given one.
  const std::string customer = bought.user_ids().front();
  std::printf("\nfor %s:", customer.c_str());
  for (const auto& r : ease.recommend(customer, 5)) std::printf(" %s", ease.item_id(r.item).c_str());
  std::printf("\nfor a new basket {%s, %s}:", bought.item_ids()[0].c_str(), bought.item_ids()[1].c_str());
  for (const auto& r : knn.recommend_for_items(std::vector<std::string>{bought.item_ids()[0], bought.item_ids()[1]}, 5)) {
    std::printf(" %s", knn.item_id(r.item).c_str());
  }
  std::printf("\nlike %s:", bought.item_ids()[0].c_str());
  for (const auto& r : knn.similar_items(0, 5)) std::printf(" %s (%.2f)", knn.item_id(r.item).c_str(), r.score);
  std::printf("\n");
  clm::save(ease, "recommend_ease.clm");  // serve it elsewhere with clm::load<clm::ease<>>
  return 0;
} catch (const clm::error& e) {
  std::fprintf(stderr, "recommend: %s\n", e.what());
  return 1;
}
