// clm::load_bytes for every saveable type (the first byte picks it) on any bytes, and the
// outputs of whatever loads. Seeds: a saved model of each type (make_model_seeds).
#include "models.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  fuzz::with_model_type(data[0] % fuzz::n_models, [&]<class E>() {
    try {
      const E m = clm::load_bytes<E>(bytes);
      fuzz::exercise(m);
      (void)clm::load_bytes<E>(clm::save_bytes(m));  // what loads saves and loads again
    } catch (const clm::error&) {
    }
  });
  return 0;
}
