// CandidateRecord: one line of a run's journal (history.jsonl) — a candidate
// with every metric on every profile, its status and timings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::search {

enum class CandidateStatus {
  kOk,       // evaluated; may still violate a constraint (see feasible)
  kFailed,   // the evaluator or the cost model failed; `error` says why
  kSkipped,  // not evaluated: its cost metrics already break a constraint
             // (or it does not fit a device); `error` says which. Infeasible.
};

struct CandidateRecord {
  int64_t id = 0;            // 0-based, in order of asking
  space::Genotype genotype;
  std::string arch;          // the space's canonical string
  CandidateStatus status = CandidateStatus::kOk;
  std::string error;         // why it failed or was skipped; empty when ok
  bool feasible = true;      // every constraint holds (false when failed)
  // "accuracy", "loss", "train_time_s", "params", "macs", and per profile
  // "latency_ms@raspberry_pi4", "energy_mj@raspberry_pi4",
  // "peak_memory_bytes@raspberry_pi4", "lut_coverage@host".
  std::map<std::string, double> metrics;
  double eval_seconds = 0;   // evaluator wall time
  double cost_seconds = 0;   // cost models wall time
};

// "ok", "failed", "skipped".
const char* status_name(CandidateStatus status);

// "latency_ms@raspberry_pi4" for a per-hardware metric, the bare name otherwise.
std::string metric_key(const std::string& metric, const std::string& hardware);

// One JSON object, no newline inside.
std::string to_json_line(const CandidateRecord& record);
// The record of one journal line; the error says what is malformed.
Result<CandidateRecord> from_json_line(const std::string& line);

}  // namespace nas::search
