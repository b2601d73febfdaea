#include "nas/search/candidate_evaluation.h"

#include <chrono>
#include <cmath>
#include <sstream>

#include "nas/graph/architecture_builder.h"
#include "nas/space/genotype_ops.h"
#include "nas/train/rng.h"

namespace nas::search {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

// "latency_ms@raspberry_pi4 = 7.2 > max 5" for each violated constraint.
std::string violated_constraints(const Scorer& scorer, const std::map<std::string, double>& m) {
  std::string out;
  for (const Constraint& c : scorer.constraints()) {
    const auto it = m.find(c.key);
    if (it == m.end()) continue;
    const double x = it->second;
    std::string part;
    if (c.max && !(x <= *c.max)) part = c.key + " = " + number(x) + " > max " + number(*c.max);
    else if (c.min && !(x >= *c.min)) part = c.key + " = " + number(x) + " < min " + number(*c.min);
    if (part.empty()) continue;
    out += (out.empty() ? "" : "; ") + part;
  }
  return out;
}

}  // namespace

uint64_t candidate_seed(uint64_t run_seed, const space::Genotype& canonical) {
  return train::mix_seed(run_seed, space::genotype_hash(canonical));
}

CandidateRecord evaluate_candidate(const CandidateContext& ctx, int64_t id,
                                   const space::Genotype& canonical) {
  CandidateRecord r;
  r.id = id;
  r.genotype = canonical;
  r.arch = ctx.space->canonical_string(canonical);
  auto fail = [&](std::string why) {
    r.status = CandidateStatus::kFailed;
    r.feasible = false;
    r.error = std::move(why);
    return r;
  };

  const Clock::time_point t_cost = Clock::now();
  Result<config::Architecture> arch = ctx.space->decode(canonical);
  if (!arch) return fail("decode: " + arch.status().message());
  Result<graph::NetworkSpec> spec = graph::build_network_spec(arch.value(), 1);
  if (!spec) return fail("build network: " + spec.status().message());
  r.metrics["params"] = static_cast<double>(spec->param_count());
  r.metrics["macs"] = static_cast<double>(spec->total_cost().macs);
  std::string device_limits;
  for (const hardware::CostModel* model : ctx.cost_models) {
    const hardware::CostEstimate e = model->estimate(spec.value());
    const std::string& hw = model->name();
    r.metrics[metric_key("latency_ms", hw)] = e.latency_ms;
    // A profile without energy figures (the measured host) reports 0, which
    // means unknown: leave the metric out rather than record free inference.
    if (model->models_energy()) r.metrics[metric_key("energy_mj", hw)] = e.energy_mj;
    r.metrics[metric_key("peak_memory_bytes", hw)] = static_cast<double>(e.peak_memory_bytes);
    r.metrics[metric_key("lut_coverage", hw)] = e.lut_coverage;
    if (!e.feasible)
      device_limits += (device_limits.empty() ? "" : "; ") + hw + ": " + e.infeasible_reason;
  }
  r.cost_seconds = seconds_since(t_cost);

  const std::string broken = violated_constraints(*ctx.scorer, r.metrics);
  if (!broken.empty() || !device_limits.empty()) {
    r.status = CandidateStatus::kSkipped;
    r.feasible = false;
    r.error = "not evaluated: " + (broken.empty() ? device_limits : broken);
    return r;
  }

  eval::EvalRequest request;
  request.candidate_id = id;
  request.genotype = &canonical;
  request.canonical = &r.arch;
  request.architecture = &arch.value();
  request.seed = candidate_seed(ctx.run_seed, canonical);
  const Clock::time_point t_eval = Clock::now();
  eval::EvalResult result = ctx.evaluator->evaluate(request);
  r.eval_seconds = seconds_since(t_eval);
  if (!result.ok) return fail(result.error.empty() ? "evaluator failed" : result.error);
  const auto acc = result.metrics.find("accuracy");
  if (acc == result.metrics.end()) return fail("the evaluator reported no accuracy");
  if (!std::isfinite(acc->second)) return fail("accuracy is " + number(acc->second));
  for (const auto& [k, v] : result.metrics) r.metrics[k] = v;
  r.feasible = ctx.scorer->violation(r.metrics) == 0;
  return r;
}

}  // namespace nas::search
