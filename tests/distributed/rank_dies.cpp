// A rank that dies in the middle of a distributed fit (its input gone, the process killed)
// must not leave the others waiting: rank 1 leaves at once while the others enter the
// logistic fit's first collective; Open MPI then ends the whole job. Run by
// tests/distributed/rank_dies.sh, which asserts a failed job within a time limit.
#include <cstdio>
#include <cstdlib>

#include "clm/data/synthetic.hpp"
#include "clm/distributed/mpi.hpp"
#include "clm/linear/logistic_regression.hpp"

int main(int argc, char** argv) {
  clm::mpi_session mpi(argc, argv);
  clm::mpi_communicator world;
  const auto c = clm::synthetic::customers<double>({.n_customers = 2000, .seed = 3});
  if (world.rank() == 1) {
    std::fprintf(stderr, "rank 1: leaving without a word\n");
    std::_Exit(3);
  }
  clm::logistic_regression<>().fit(world, c.X, c.churned);
  std::fprintf(stderr, "rank %d: the fit returned, which it must not\n", world.rank());
  return 0;
}
