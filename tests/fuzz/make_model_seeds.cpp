// Writes the seeds of fuzz_load into the folder argv[1]: for every model type, its index byte
// followed by a saved fitted model, and one followed by a saved unfitted model; and, when
// argv[2] is given, those of fuzz_load_payload there: the index byte and the payload alone,
// and each fitted payload behind every other type's index byte.
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
      if (argc > 2) {
        for (const auto& [name, file] : {std::pair{"fitted_", clm::save_bytes(fuzz::example<E>())},
                                         std::pair{"unfitted_", clm::save_bytes(E{})}}) {
          const auto info = clm::inspect_bytes(file);
          const std::string payload = file.substr(info.payload_offset, info.payload_size);
          std::ofstream(std::string(argv[2]) + "/" + name + std::to_string(i)) << index << payload;
          // The fitted payload under every other type's index too: a file relabelled from
          // one model kind to another (item_knn to user_knn, say) is an attack of its own.
          if (std::string(name) == "fitted_") {
            for (std::size_t other = 0; other < fuzz::n_models; ++other) {
              if (other == i) continue;
              std::ofstream(std::string(argv[2]) + "/relabelled_" + std::to_string(i) + "_as_" + std::to_string(other))
                  << static_cast<char>(other) << payload;
            }
          }
        }
      }
    });
  }
  return 0;
}
