# cmake -DPORT_DIR=<port> -DWORK=<dir> [-DFEATURES=a;b] [-DCMAKE_PREFIX_PATH=...] -P vcpkg_emulation.cmake
# Runs a vcpkg port's portfile.cmake as vcpkg would, with the few vcpkg helpers it calls
# written out here: configure and install with the port's options into a packages folder,
# move the CMake config to share/<port> and fix its relative paths (as
# vcpkg_cmake_config_fixup does), install usage and copyright. vcpkg itself (its
# registries, binary cache, triplets, dependency builds) is not run: the dependencies come
# from the system.
set(PORT clm)
set(CURRENT_PACKAGES_DIR "${WORK}/packages/${PORT}")
set(CURRENT_BUILDTREES_DIR "${WORK}/buildtrees/${PORT}")
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}" "${CURRENT_BUILDTREES_DIR}")
file(MAKE_DIRECTORY "${CURRENT_PACKAGES_DIR}" "${CURRENT_BUILDTREES_DIR}")
set(VCPKG_TARGET_IS_LINUX ON)

function(vcpkg_from_git)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "OUT_SOURCE_PATH;URL;REF;HEAD_REF" "")
  set(dir "${CURRENT_BUILDTREES_DIR}/src")
  execute_process(COMMAND git clone -q "${arg_URL}" "${dir}" COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND git -C "${dir}" checkout -q "${arg_REF}" COMMAND_ERROR_IS_FATAL ANY)
  set(${arg_OUT_SOURCE_PATH} "${dir}" PARENT_SCOPE)
endfunction()

# FEATURES (this script's variable) names the features asked for, as vcpkg's
# `vcpkg install clm[sqlite,postgres]`; each FEATURES pair of the port gives -DOPTION=ON|OFF.
function(vcpkg_check_features)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "OUT_FEATURE_OPTIONS" "FEATURES")
  set(out "")
  while(arg_FEATURES)
    list(POP_FRONT arg_FEATURES feature option)
    list(FIND FEATURES "${feature}" asked)  # script mode: no IN_LIST (policy CMP0057)
    if(asked GREATER -1)
      list(APPEND out "-D${option}=ON")
    else()
      list(APPEND out "-D${option}=OFF")
    endif()
  endwhile()
  set(${arg_OUT_FEATURE_OPTIONS} "${out}" PARENT_SCOPE)
endfunction()

function(vcpkg_cmake_configure)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "SOURCE_PATH" "OPTIONS")
  set(extra "")
  if(CMAKE_PREFIX_PATH)
    list(JOIN CMAKE_PREFIX_PATH "\\;" _pp)
    set(extra "-DCMAKE_PREFIX_PATH=${_pp}")
  endif()
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -S "${arg_SOURCE_PATH}" -B "${CURRENT_BUILDTREES_DIR}/rel"
            -DCMAKE_BUILD_TYPE=Release "-DCMAKE_INSTALL_PREFIX=${CURRENT_PACKAGES_DIR}" ${arg_OPTIONS} ${extra}
    OUTPUT_FILE "${CURRENT_BUILDTREES_DIR}/config.log" ERROR_FILE "${CURRENT_BUILDTREES_DIR}/config.err"
    RESULT_VARIABLE rc)
  if(rc)
    file(READ "${CURRENT_BUILDTREES_DIR}/config.err" err)
    message(FATAL_ERROR "vcpkg_cmake_configure failed:\n${err}")
  endif()
endfunction()

function(vcpkg_cmake_install)
  execute_process(COMMAND "${CMAKE_COMMAND}" --install "${CURRENT_BUILDTREES_DIR}/rel"
                  OUTPUT_QUIET COMMAND_ERROR_IS_FATAL ANY)
endfunction()

function(vcpkg_cmake_config_fixup)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "CONFIG_PATH" "")
  set(from "${CURRENT_PACKAGES_DIR}/${arg_CONFIG_PATH}")
  set(to "${CURRENT_PACKAGES_DIR}/share/${PORT}")
  if(NOT EXISTS "${from}")
    message(FATAL_ERROR "vcpkg_cmake_config_fixup: ${arg_CONFIG_PATH} does not exist")
  endif()
  file(GLOB files "${from}/*")
  file(MAKE_DIRECTORY "${to}")
  # share/cmake/clm -> share/clm: one level less between the config and the prefix.
  string(REPLACE "/" ";" parts "${arg_CONFIG_PATH}")
  list(LENGTH parts old_depth)
  foreach(f IN LISTS files)
    get_filename_component(name "${f}" NAME)
    file(READ "${f}" text)
    string(REPEAT "../" ${old_depth} old_up)
    string(REPLACE "${old_up}" "../../" text "${text}")
    string(REGEX REPLACE "(get_filename_component\\(_IMPORT_PREFIX \"\\\${_IMPORT_PREFIX}\" PATH\\)\n)+"
           "get_filename_component(_IMPORT_PREFIX \"\${_IMPORT_PREFIX}\" PATH)\nget_filename_component(_IMPORT_PREFIX \"\${_IMPORT_PREFIX}\" PATH)\n"
           text "${text}")
    file(WRITE "${to}/${name}" "${text}")
  endforeach()
  file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/share/cmake")
endfunction()

function(vcpkg_install_copyright)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "FILE_LIST")
  file(INSTALL ${arg_FILE_LIST} DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
  file(RENAME "${CURRENT_PACKAGES_DIR}/share/${PORT}/LICENSE" "${CURRENT_PACKAGES_DIR}/share/${PORT}/copyright")
endfunction()

include("${PORT_DIR}/portfile.cmake")
message(STATUS "vcpkg emulation: ${PORT} installed into ${CURRENT_PACKAGES_DIR}")
