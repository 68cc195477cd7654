#pragma once
// Precompiled header for the test executables only (never for users).
#include <doctest/doctest.h>

#include "clm/core/types.hpp"
#include "clm/core/error.hpp"
#include "clm/core/validate.hpp"
