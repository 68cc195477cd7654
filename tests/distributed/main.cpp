// The distributed suite's main: MPI for the whole run; the program fails when any rank's
// tests failed. Run by CTest under mpirun with 1, 2, 3 and 4 ranks.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "clm/distributed/mpi.hpp"

int main(int argc, char** argv) {
  clm::mpi_session mpi(argc, argv);
  doctest::Context context(argc, argv);
  int failed = context.run() != 0 ? 1 : 0;
  int any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return any;
}
