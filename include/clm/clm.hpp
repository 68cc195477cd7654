#pragma once
// clm — customer lifecycle modelling. The umbrella header: every module.

#include "clm/version.hpp"

#include "clm/core/concepts.hpp"
#include "clm/core/error.hpp"
#include "clm/core/random.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/core/xt.hpp"
#include "clm/core/blas.hpp"

#include "clm/data/csv.hpp"
#include "clm/data/dates.hpp"
#include "clm/data/interactions.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/data/table.hpp"
#include "clm/data/transactions.hpp"

#include "clm/preprocessing/standard_scaler.hpp"

#include "clm/io/archive.hpp"
