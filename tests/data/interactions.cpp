// data/interactions: CSR structure, id maps, duplicates, transpose.
#include <doctest/doctest.h>

#include "clm/data/csv.hpp"
#include "clm/data/interactions.hpp"

TEST_CASE("from triples: sorted CSR rows, id maps both ways, duplicates summed") {
  const auto x = clm::interactions::from_triples({"u1", "u2", "u1", "u1", "u3"}, {"b", "a", "a", "b", "c"},
                                                 {1.0, 2.0, 3.0, 4.0, 5.0});
  CHECK(x.n_users() == 3);
  CHECK(x.n_items() == 3);
  CHECK(x.nnz() == 4);
  const auto& m = x.matrix();
  CHECK(m.indptr == std::vector<std::size_t>{0, 2, 3, 4});
  // u1's items sorted by index: b (0), a (1); b = 1 + 4 summed.
  CHECK(m.indices == std::vector<std::int32_t>{0, 1, 1, 2});
  CHECK(m.values == std::vector<double>{5.0, 3.0, 2.0, 5.0});
  CHECK(x.user_index("u2") == 1u);
  CHECK(x.item_index("c") == 2u);
  CHECK_FALSE(x.user_index("nobody").has_value());
  CHECK(x.user_ids()[2] == "u3");
  CHECK(m.at(0, 1) == 3.0);
  CHECK(m.at(1, 0) == 0.0);
  CHECK_NOTHROW(m.validate());
}

TEST_CASE("implicit counts, rejected duplicates, bad input") {
  const auto x = clm::interactions::from_triples({"u", "u", "v"}, {"i", "i", "i"}, {},
                                                 {.kind = clm::feedback::implicit_counts});
  CHECK(x.matrix().values == std::vector<double>{2.0, 1.0});
  CHECK(x.kind() == clm::feedback::implicit_counts);
  CHECK_THROWS_WITH_AS(clm::interactions::from_triples({"u", "u"}, {"i", "i"}, {1.0, 2.0},
                                                       {.duplicates = clm::duplicate_policy::reject}),
                       doctest::Contains("user 'u' and item 'i' appear more than once"),
                       clm::invalid_argument);
  CHECK_THROWS_AS(clm::interactions::from_triples({"u"}, {"i", "j"}), clm::shape_error);
  CHECK_THROWS_AS(clm::interactions::from_triples({"u"}, {""}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::interactions::from_triples({"u"}, {"i"}, {std::nan("")}), clm::invalid_argument);
}

TEST_CASE("transpose swaps users and items and keeps every value") {
  const auto x = clm::interactions::from_triples({"u1", "u2", "u1", "u3"}, {"b", "a", "a", "b"},
                                                 {1.0, 2.0, 3.0, 4.0});
  const auto t = x.transpose();
  CHECK(t.n_users() == 2);
  CHECK(t.n_items() == 3);
  CHECK(t.user_ids() == x.item_ids());
  for (std::size_t u = 0; u < x.n_users(); ++u) {
    for (std::size_t i = 0; i < x.n_items(); ++i) CHECK(x.matrix().at(u, i) == t.matrix().at(i, u));
  }
  CHECK_NOTHROW(t.matrix().validate());
  CHECK(t.transpose().matrix() == x.matrix());
}

TEST_CASE("from a table - a missing user is an error naming the row's line") {
  const auto t = clm::read_csv_text("user,item,rating\nu1,a,4\nu2,a,5\nu1,b,3\n",
                                    {.types = {{"user", clm::column_type::categorical}}});
  const auto x = clm::interactions::from_table(t, "user", "item", "rating");
  CHECK(x.nnz() == 3);
  CHECK(x.matrix().at(*x.user_index("u1"), *x.item_index("b")) == 3.0);
  const auto bad = clm::read_csv_text("user,item\nu1,a\n,b\n");
  CHECK_THROWS_WITH_AS(clm::interactions::from_table(bad, "user", "item"), doctest::Contains("line 3"),
                       clm::invalid_argument);
}

TEST_CASE("validate catches inconsistent structure") {
  clm::csr_matrix<double> m;
  m.rows = 1;
  m.cols = 2;
  m.indptr = {0, 2};
  m.indices = {1, 0};
  m.values = {1.0, 2.0};
  CHECK_THROWS_AS(m.validate(), clm::invalid_argument);
  m.indices = {0, 2};
  CHECK_THROWS_AS(m.validate(), clm::invalid_argument);
}

TEST_CASE("interactions.with_item_ids: the same entries over a given item order") {
  const auto d = clm::interactions::from_triples({"u1", "u1", "u2", "u3"}, {"b", "a", "c", "a"}, {1.0, 2.0, 3.0, 4.0});
  const auto r = d.with_item_ids({"z", "c", "a", "b"});
  CHECK(r.n_items() == 4);
  CHECK(r.n_users() == 3);
  CHECK(r.item_ids() == std::vector<std::string>{"z", "c", "a", "b"});
  for (const auto& u : {"u1", "u2", "u3"}) {
    for (const auto& i : {"a", "b", "c"}) {
      const auto du = *d.user_index(u), ru = *r.user_index(u);
      const double want = d.item_index(i) ? d.matrix().at(du, *d.item_index(i)) : 0.0;
      CHECK(r.matrix().at(ru, *r.item_index(i)) == want);
    }
  }
  // Indices stay sorted within each row; the entry order follows its entries.
  for (std::size_t u = 0; u < r.n_users(); ++u) {
    CHECK(std::is_sorted(r.matrix().indices.begin() + static_cast<std::ptrdiff_t>(r.matrix().indptr[u]),
                         r.matrix().indices.begin() + static_cast<std::ptrdiff_t>(r.matrix().indptr[u + 1])));
  }
  CHECK(r.entry_order().size() == d.entry_order().size());
  CHECK_THROWS_WITH_AS(d.with_item_ids({"a", "b"}), doctest::Contains("item 'c'"), clm::invalid_argument);
  CHECK_THROWS_AS(d.with_item_ids({"a", "b", "c", "a"}), clm::invalid_argument);
}
