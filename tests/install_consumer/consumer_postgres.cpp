// A user's program with the postgres component: compiles against libpq through clm::postgres
// and reports the library's version (no server needed).
#include <clm/io/postgres.hpp>

#include <cstdio>

int main() {
  if (clm::quote_identifier("a\"b") != "\"a\"\"b\"") return 1;
  std::printf("clm postgres consumer ok: libpq %d\n", PQlibVersion());
  return 0;
}
