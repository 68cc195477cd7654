// pipeline: transformer chains modelling the concept of their last step.
#include <doctest/doctest.h>

#include "clm/data/synthetic.hpp"
#include "clm/features/polynomial_features.hpp"
#include "clm/io/archive.hpp"
#include "clm/pipeline/pipeline.hpp"
#include "clm/preprocessing/log1p_transform.hpp"
#include "clm/preprocessing/simple_imputer.hpp"
#include "clm/preprocessing/standard_scaler.hpp"
#include "support/estimator_checks.hpp"

namespace {
using chain = clm::pipeline<clm::simple_imputer<>, clm::standard_scaler<>, clm::polynomial_features<>>;

clm::testing::check_data<double> customer_data() {
  const auto a = clm::synthetic::customers<double>({.n_customers = 200, .seed = 1});
  const auto b = clm::synthetic::customers<double>({.n_customers = 80, .seed = 2});
  return {a.X, a.churned, b.X, b.churned, true};
}
}  // namespace

static_assert(clm::transformer<chain>);

TEST_CASE("a transformer pipeline satisfies the estimator contract") {
  clm::testing::check_estimator<chain>(customer_data);
}

TEST_CASE("a pipeline's output equals running its steps by hand - names pass through") {
  const auto d = clm::synthetic::customers<double>({.n_customers = 300, .seed = 5, .missing_rate = 0.1});
  const auto X = d.attributes.to_matrix(d.names);
  auto p = clm::make_pipeline(clm::simple_imputer<>({.strategy = clm::impute_strategy::median}),
                              clm::standard_scaler<>({.with_mean = false}));
  const auto Z = p.fit_transform(X);
  clm::simple_imputer<> a({.strategy = clm::impute_strategy::median});
  clm::standard_scaler<> b({.with_mean = false});
  CHECK(Z == b.fit_transform(a.fit_transform(X)));
  CHECK(p.step<1>().scale() == b.scale());
  CHECK(std::get<1>(p.params()).with_mean == false);
  CHECK(clm::pipeline<clm::simple_imputer<>, clm::standard_scaler<>>::model_kind() ==
        "pipeline(simple_imputer<f64>,standard_scaler<f64>)");
  auto q = clm::make_pipeline(clm::standard_scaler<>(), clm::polynomial_features<>({.degree = 2, .include_bias = false}));
  q.fit(d.X);
  CHECK(q.feature_names_out().size() == 6 + 21);
  CHECK(q.feature_names_out()[6] == "x0^2");
}

TEST_CASE("a saved pipeline keeps each step's own fields: a signed log1p step stays signed") {
  // A step whose fields depend on its serial version (log1p_transform 2 stores signed_values)
  // inside a pipeline of another serial version.
  auto p = clm::make_pipeline(clm::log1p_transform<>({.signed_values = true}), clm::standard_scaler<>());
  const clm::matrix<double> X = {{-3.0, 1.0}, {2.0, -0.5}, {0.5, 4.0}};
  p.fit(X);
  const auto back = clm::load_bytes<decltype(p)>(clm::save_bytes(p));
  CHECK(std::get<0>(back.params()).signed_values);
  const auto a = p.transform(X), b = back.transform(X);
  CHECK(a == b);
  // A file of serial version 1 (every step under the pipeline's version) still loads.
  clm::output_archive old(1);
  p.serialize(old);
  const auto v1 = clm::load_bytes<decltype(p)>(clm::detail::model_file(decltype(p)::model_kind(), 1, old.bytes()));
  CHECK(!std::get<0>(v1.params()).signed_values);  // what version 1 could store
  // A nested step claiming a serial version newer than the library's is refused.
  clm::output_archive newer(2);
  newer(std::uint32_t{99});
  p.serialize(newer);
  CHECK_THROWS_WITH_AS(clm::load_bytes<decltype(p)>(clm::detail::model_file(decltype(p)::model_kind(), 2,
                                                                            newer.bytes())),
                       doctest::Contains("serial version"), clm::format_error);
}
