# Overlay port for clm, a header-only library.
#
# Pinned (what users install): `scripts/dev vcpkg-port DIR` writes this port with a pin.cmake
# naming a git URL and commit; vcpkg fetches that commit, and because pin.cmake is one of
# the port's files, vcpkg's binary cache (keyed on them) sees every new commit as a new
# package:  vcpkg install clm --overlay-ports=DIR
#
# Unpinned (developing clm): without pin.cmake it packages the source tree it lives in
# (ports/clm/../..). vcpkg's cache cannot see changes to that tree; it serves the first
# build's headers until the version changes, so use the pinned port for anything else.
if(EXISTS "${CMAKE_CURRENT_LIST_DIR}/pin.cmake")
  include("${CMAKE_CURRENT_LIST_DIR}/pin.cmake")  # CLM_GIT_URL, CLM_GIT_REF
  vcpkg_from_git(OUT_SOURCE_PATH SOURCE_PATH URL "${CLM_GIT_URL}" REF "${CLM_GIT_REF}")
else()
  set(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../..")
endif()
if(NOT EXISTS "${SOURCE_PATH}/include/clm/clm.hpp")
  message(FATAL_ERROR "clm overlay port: expected the clm sources at ${SOURCE_PATH}")
endif()

set(VCPKG_BUILD_TYPE release)  # header-only: one configuration is enough

# Features sqlite and postgres: the components clm::sqlite and clm::postgres.
vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES
    sqlite CLM_WITH_SQLITE
    postgres CLM_WITH_POSTGRES
)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    ${FEATURE_OPTIONS}
    -DCLM_BUILD_TESTS=OFF
    -DCLM_BUILD_EXAMPLES=OFF
    -DCLM_BUILD_BENCHMARKS=OFF
    -DCLM_INSTALL=ON
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH share/cmake/clm)

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/lib" "${CURRENT_PACKAGES_DIR}/debug"
                    "${CURRENT_PACKAGES_DIR}/share/doc")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
