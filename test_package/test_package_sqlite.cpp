// clm::sqlite from the package: a table written to an in-memory database reads back.
#include <clm/io/sqlite.hpp>

#include <cstdio>

int main() {
  clm::table t;
  t.add_numeric("score", clm::vector<double>{0.25, 0.5});
  t.add_categorical("customer_id", {{0, 1}, {"C1", "C2"}});
  clm::sqlite_connection db(":memory:");
  clm::write_sql(db, "scores", t);
  const clm::table back = clm::read_sql(db, "select customer_id, score from scores");
  std::printf("clm::sqlite: %zu rows written and read back\n", back.rows());
  return back.rows() == 2 && back.numeric("score")(1) == 0.5 ? 0 : 1;
}
