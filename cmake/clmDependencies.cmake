# Finds clm's dependencies. Used by the build tree and, installed beside clmConfig.cmake,
# by consumers of the installed package, so both resolve them the same way.
#
# clm needs xtensor and a BLAS / LAPACK library (it declares the CBLAS and LAPACK routines
# it calls itself: see include/clm/core/blas.hpp); xtensor-blas is not needed.
#
# BLAS/LAPACK: OpenBLAS is preferred. BLA_VENDOR defaults to OpenBLAS only when the
# consumer has not set it (as a variable or in the environment); a consumer's choice wins.
include(CMakeFindDependencyMacro)

# In the build tree a missing dependency is a hard error; from clmConfig.cmake it makes
# find_package(clm) report "not found" with the reason, as find_dependency does.
macro(_clm_find_dependency name)
  if(CLM_BUILDING_CLM)
    find_package(${name} REQUIRED)
  else()
    find_dependency(${name})
  endif()
endmacro()

if(NOT DEFINED BLA_VENDOR AND NOT DEFINED ENV{BLA_VENDOR})
  set(BLA_VENDOR OpenBLAS)
  set(_clm_set_bla_vendor TRUE)
endif()

_clm_find_dependency(xtensor)
_clm_find_dependency(BLAS)
_clm_find_dependency(LAPACK)
set(THREADS_PREFER_PTHREAD_FLAG ON)
_clm_find_dependency(Threads)

if(_clm_set_bla_vendor)
  unset(BLA_VENDOR)
  unset(_clm_set_bla_vendor)
endif()
