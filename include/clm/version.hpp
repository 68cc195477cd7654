#pragma once
// clm version. CMake reads these three lines; keep their form.
#define CLM_VERSION_MAJOR 0
#define CLM_VERSION_MINOR 1
#define CLM_VERSION_PATCH 0

#define CLM_VERSION_STRING "0.1.0"

namespace clm {
inline constexpr int version_major = CLM_VERSION_MAJOR;
inline constexpr int version_minor = CLM_VERSION_MINOR;
inline constexpr int version_patch = CLM_VERSION_PATCH;
}  // namespace clm
