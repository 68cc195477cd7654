#pragma once
// The one file that names xtensor's header paths.
//
// xtensor 0.24/0.25 (Debian 12) keeps its headers flat (<xtensor/xtensor.hpp>);
// xtensor 0.26+ (vcpkg, Conan) moves them into folders (<xtensor/containers/xtensor.hpp>).
// Every clm header includes xtensor through this file only.
//
// Only functions exercised by tests/core/xtensor_canary.cpp may be used by the library:
// Debian's xtensor 0.24.3 miscompiles some functions under g++ 12 in C++20 mode
// (xt::pad, xt::tile and every assignment through xt::strided_view give zeros), and the
// canary is where such a thing is caught.

#if __has_include(<xtensor/containers/xtensor.hpp>)
#include <xtensor/containers/xarray.hpp>
#include <xtensor/containers/xtensor.hpp>
#include <xtensor/core/xmath.hpp>
#include <xtensor/core/xnoalias.hpp>
#include <xtensor/core/xvectorize.hpp>
#include <xtensor/generators/xbuilder.hpp>
#include <xtensor/views/xview.hpp>
#include <xtensor/containers/xadapt.hpp>
#define CLM_XTENSOR_NEW_LAYOUT 1
#else
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>
#define CLM_XTENSOR_NEW_LAYOUT 0
#endif
