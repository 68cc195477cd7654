// Writes the seeds of fuzz_load into the folder argv[1]: for every model type, its index byte
// followed by a saved fitted model, and one followed by a saved unfitted model.
#include "models.hpp"

#include <cstdio>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: make_model_seeds DIR\n");
    return 2;
  }
  for (std::size_t i = 0; i < fuzz::n_models; ++i) {
    fuzz::with_model_type(i, [&]<class E>() {
      const char index = static_cast<char>(i);
      std::ofstream(std::string(argv[1]) + "/fitted_" + std::to_string(i)) << index << clm::save_bytes(fuzz::example<E>());
      std::ofstream(std::string(argv[1]) + "/unfitted_" + std::to_string(i)) << index << clm::save_bytes(E{});
    });
  }
  return 0;
}
