// A user's program with the sqlite component: a table written into an in-memory database
// and read back equal (checks that clm::sqlite brings SQLite's headers and library).
#include <clm/io/sqlite.hpp>

#include <cstdio>

int main() {
  clm::sqlite_connection db(":memory:");
  clm::table t;
  t.add_categorical("customer_id", {{0, 1}, {"a", "b"}});
  t.add_numeric("clv", clm::vector<double>{1.5, 2.5});
  clm::write_sql(db, "scores", t);
  if (!(clm::read_sql(db, "select * from scores") == t)) return 1;
  std::printf("clm sqlite consumer ok: SQLite %s\n", sqlite3_libversion());
  return 0;
}
