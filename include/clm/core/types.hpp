#pragma once
// Matrix and vector aliases: samples x features, row-major.

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "clm/core/xt.hpp"

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

}  // namespace clm::detail
