#include "nas/search/candidate_record.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace nas::search {

std::string metric_key(const std::string& metric, const std::string& hardware) {
  return hardware.empty() ? metric : metric + "@" + hardware;
}

const char* status_name(CandidateStatus status) {
  switch (status) {
    case CandidateStatus::kOk: return "ok";
    case CandidateStatus::kFailed: return "failed";
    case CandidateStatus::kSkipped: return "skipped";
  }
  return "?";
}

std::string to_json_line(const CandidateRecord& r) {
  nlohmann::ordered_json j;
  j["id"] = r.id;
  j["genotype"] = r.genotype;
  j["arch"] = r.arch;
  j["status"] = status_name(r.status);
  if (!r.error.empty()) j["error"] = r.error;
  j["feasible"] = r.feasible;
  nlohmann::ordered_json m = nlohmann::ordered_json::object();
  // JSON has no NaN or inf; a non-finite metric is written as null and read
  // back as NaN, so the line stays valid JSON.
  for (const auto& [k, v] : r.metrics) m[k] = std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr;
  j["metrics"] = m;
  j["eval_seconds"] = r.eval_seconds;
  j["cost_seconds"] = r.cost_seconds;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<CandidateRecord> from_json_line(const std::string& line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::error("not a JSON object");
  CandidateRecord r;
  auto need = [&](const char* key, auto check) -> bool { return j.contains(key) && check(j[key]); };
  if (!need("id", [](const nlohmann::json& v) { return v.is_number_integer(); }))
    return Status::error("missing or non-integer 'id'");
  r.id = j["id"].get<int64_t>();
  if (!need("genotype", [](const nlohmann::json& v) { return v.is_array(); }))
    return Status::error("missing or non-array 'genotype'");
  for (const auto& g : j["genotype"]) {
    if (!g.is_number_integer()) return Status::error("'genotype' holds a non-integer");
    r.genotype.push_back(g.get<int>());
  }
  if (!need("arch", [](const nlohmann::json& v) { return v.is_string(); }))
    return Status::error("missing or non-string 'arch'");
  r.arch = j["arch"].get<std::string>();
  if (!need("status", [](const nlohmann::json& v) { return v.is_string(); }))
    return Status::error("missing or non-string 'status'");
  const std::string status = j["status"].get<std::string>();
  if (status == "ok") r.status = CandidateStatus::kOk;
  else if (status == "failed") r.status = CandidateStatus::kFailed;
  else if (status == "skipped") r.status = CandidateStatus::kSkipped;
  else return Status::error("'status' is '" + status + "' (expected ok, failed or skipped)");
  if (j.contains("error")) {
    if (!j["error"].is_string()) return Status::error("non-string 'error'");
    r.error = j["error"].get<std::string>();
  }
  if (!need("feasible", [](const nlohmann::json& v) { return v.is_boolean(); }))
    return Status::error("missing or non-boolean 'feasible'");
  r.feasible = j["feasible"].get<bool>();
  if (!need("metrics", [](const nlohmann::json& v) { return v.is_object(); }))
    return Status::error("missing or non-object 'metrics'");
  for (const auto& [k, v] : j["metrics"].items()) {
    if (v.is_null()) r.metrics[k] = std::nan("");
    else if (v.is_number()) r.metrics[k] = v.get<double>();
    else return Status::error("metric '" + k + "' is not a number");
  }
  for (const char* key : {"eval_seconds", "cost_seconds"}) {
    if (!need(key, [](const nlohmann::json& v) { return v.is_number(); }))
      return Status::error(std::string("missing or non-numeric '") + key + "'");
  }
  r.eval_seconds = j["eval_seconds"].get<double>();
  r.cost_seconds = j["cost_seconds"].get<double>();
  return r;
}

}  // namespace nas::search
