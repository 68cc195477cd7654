// Structure-aware model loading: the first byte picks a saveable type, the rest is its
// payload. The header, payload length and checksum are written around the payload before
// clm::load_bytes sees it, so every mutation reaches the model's own decoding and the
// checks of its loaded state (fuzz_load's random edits nearly all fail the checksum).
// Whatever loads is exercised (predict, transform, recommend) and saved and loaded again.
// Seeds: the payload of a fitted and an unfitted model of each type (make_model_seeds);
// libFuzzer's cross-over also hands one type's payload to another (an item_knn payload
// loaded as a user_knn, say).
#include "models.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view payload(reinterpret_cast<const char*>(data + 1), size - 1);
  fuzz::with_model_type(data[0] % fuzz::n_models, [&]<class E>() {
    try {
      const std::string file = clm::detail::model_file(E::model_kind(), E::serial_version, payload);
      const E m = clm::load_bytes<E>(file);
      fuzz::exercise(m);
      (void)clm::load_bytes<E>(clm::save_bytes(m));
    } catch (const clm::error&) {
    }
  });
  return 0;
}
