# Overlay port for clm, a header-only library. It packages the source tree it lives in
# (ports/clm/../..), so a checkout of clm is its own registry:
#   vcpkg install clm --overlay-ports=<clm checkout>/ports
set(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../..")
if(NOT EXISTS "${SOURCE_PATH}/include/clm/clm.hpp")
  message(FATAL_ERROR "clm overlay port: expected the clm sources at ${SOURCE_PATH}")
endif()

set(VCPKG_BUILD_TYPE release)  # header-only: one configuration is enough

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
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
