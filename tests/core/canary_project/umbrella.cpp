// Compiled (syntax only) by the other compiler as a CTest step: the whole library must
// build under both g++ and clang++. The class templates below are instantiated, so their
// member declarations (constraints included) are checked too, not only the headers' text.
#include <clm/clm.hpp>

template class clm::detail::beta_geometric_nbd<double, false>;  // bg_nbd
template class clm::detail::beta_geometric_nbd<double, true>;   // mbg_nbd
template class clm::pareto_nbd<double>;
template class clm::gamma_gamma<double>;
template class clm::funk_svd<double>;
template class clm::svdpp<double>;
template class clm::baseline_only<double>;
template class clm::logistic_regression<double>;
template class clm::kmeans<double>;

template <class M>
concept scalar_alive = requires(const M& m) { m.probability_alive(1.0, 1.0, 2.0); };
static_assert(scalar_alive<clm::pareto_nbd<>> && !scalar_alive<clm::gamma_gamma<>>);

int main() { return 0; }
