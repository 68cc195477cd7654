// clm::postgres from the package: libpq is linked and answers (no server is needed: a
// connection to a socket folder that does not exist is a clm::database_error).
#include <clm/io/postgres.hpp>

#include <cstdio>

int main() {
  try {
    clm::postgres_connection db("host=/nonexistent/clm-test-package dbname=x connect_timeout=1");
  } catch (const clm::database_error& e) {
    std::printf("clm::postgres: libpq linked, an unreachable server is a database_error\n");
    return 0;
  }
  return 1;
}
