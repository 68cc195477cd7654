#pragma once
// clm — customer lifecycle modelling. The umbrella header: every module.

#include "clm/version.hpp"

#include "clm/core/concepts.hpp"
#include "clm/core/error.hpp"
#include "clm/core/parallel.hpp"
#include "clm/core/random.hpp"
#include "clm/core/sort.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/core/xt.hpp"
#include "clm/core/blas.hpp"
#include "clm/core/special.hpp"

#include "clm/cluster/kmeans.hpp"
#include "clm/data/csv.hpp"
#include "clm/data/dates.hpp"
#include "clm/data/interactions.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/data/table.hpp"
#include "clm/data/transactions.hpp"

#include "clm/preprocessing/clipper.hpp"
#include "clm/preprocessing/column_transformer.hpp"
#include "clm/preprocessing/log1p_transform.hpp"
#include "clm/preprocessing/min_max_scaler.hpp"
#include "clm/preprocessing/one_hot_encoder.hpp"
#include "clm/preprocessing/ordinal_encoder.hpp"
#include "clm/preprocessing/robust_scaler.hpp"
#include "clm/preprocessing/simple_imputer.hpp"
#include "clm/preprocessing/standard_scaler.hpp"

#include "clm/features/polynomial_features.hpp"
#include "clm/features/rfm.hpp"
#include "clm/features/select_k_best.hpp"
#include "clm/features/variance_threshold.hpp"

#include "clm/optim/first_order.hpp"
#include "clm/optim/lbfgs.hpp"
#include "clm/optim/newton.hpp"
#include "clm/optim/objective.hpp"

#include "clm/linear/linear_regression.hpp"
#include "clm/linear/logistic_regression.hpp"

#include "clm/lifetime/bg_nbd.hpp"
#include "clm/lifetime/clv.hpp"
#include "clm/lifetime/gamma_gamma.hpp"
#include "clm/lifetime/pareto_nbd.hpp"
#include "clm/metrics/classification.hpp"
#include "clm/metrics/clustering.hpp"
#include "clm/metrics/curves.hpp"
#include "clm/metrics/ranking.hpp"
#include "clm/metrics/regression.hpp"
#include "clm/model_selection/cross_validate.hpp"
#include "clm/model_selection/grid_search.hpp"
#include "clm/model_selection/split.hpp"

#include "clm/pipeline/pipeline.hpp"

#include "clm/io/archive.hpp"
