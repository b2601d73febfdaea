// A trained model on disk: DIR/{arch.yaml, weights.safetensors, metrics.json},
// written by `nas train --out` and `nas extract`, published whole (a hidden
// sibling folder renamed into place) so a crash leaves the old folder or none.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "nas/train/trainer.h"
#include "ops/core/status.h"

namespace nas::eval {

inline constexpr const char* kArchFile = "arch.yaml";
inline constexpr const char* kWeightsFile = "weights.safetensors";
inline constexpr const char* kMetricsFile = "metrics.json";

// Writes the three files into `dir`. An existing `dir` is an error unless
// `replace` (then it is replaced only once the new folder is complete).
// `metadata` goes into the safetensors header. Failure leaves nothing behind.
Status save_model_folder(const std::filesystem::path& dir, bool replace,
                         const std::string& arch_yaml, const std::string& metrics_json,
                         const train::Trainer& trainer,
                         const std::map<std::string, std::string>& metadata);

// Copies the weights and BatchNorm statistics of a safetensors file into
// `trainer`'s network (same architecture). Fails, naming the file, on a
// missing, extra or differently shaped tensor.
Status load_weights(const std::filesystem::path& file, train::Trainer& trainer);

}  // namespace nas::eval
