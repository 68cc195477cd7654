#pragma once
// Matrix and vector aliases: samples x features, row-major.

#include <cstddef>
#include <cstdint>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "clm/core/xt.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace clm {

template <class T = double>
using matrix = xt::xtensor<T, 2, xt::layout_type::row_major>;

template <class T = double>
using vector = xt::xtensor<T, 1, xt::layout_type::row_major>;

using index_vector = std::vector<std::size_t>;

/// Names of output features, one per matrix column.
using feature_names = std::vector<std::string>;

}  // namespace clm

namespace clm::detail {

/// Short tag of a floating type, used in model kinds ("standard_scaler<f64>").
template <class T>
constexpr const char* type_tag() noexcept {
  if constexpr (std::is_same_v<T, double>) {
    return "f64";
  } else if constexpr (std::is_same_v<T, float>) {
    return "f32";
  } else {
    static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>,
                  "clm estimators are defined for float and double");
    return "";
  }
}

/// A model kind for the archive: "name<f64>". Built by append, not operator+, which
/// g++ 12 warns about falsely (-Wstringop-overflow) when inlined.
template <class T>
std::string model_kind_name(const char* name) {
  std::string kind(name);
  kind.append("<").append(type_tag<T>()).append(">");
  return kind;
}

/// Asks the kernel to back a large buffer with transparent huge pages before it is first
/// touched (numpy does the same for arrays of 4 MiB and more). First-touch page faults
/// then cost a fraction of their 4 KiB price. A hint only: nothing changes where the
/// platform has no such thing.
inline void advise_huge_pages(void* p, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::size_t huge = std::size_t{2} << 20;
  if (bytes < 2 * huge) return;
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + huge - 1) & ~(huge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(huge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

/// An uninitialised rows x cols matrix, huge-page backed when large.
template <class T>
matrix<T> empty_matrix(std::size_t rows, std::size_t cols) {
  matrix<T> m = matrix<T>::from_shape({rows, cols});
  advise_huge_pages(m.data(), m.size() * sizeof(T));
  return m;
}

/// An uninitialised vector, huge-page backed when large.
template <class T>
vector<T> empty_vector(std::size_t n) {
  vector<T> v = vector<T>::from_shape({n});
  advise_huge_pages(v.data(), v.size() * sizeof(T));
  return v;
}

}  // namespace clm::detail
