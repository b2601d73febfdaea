#include "nas/eval/model_folder.h"

#include "nas/graph/safetensors.h"
#include "nas/util/atomic_file.h"
#include "nas/util/atomic_folder.h"

namespace nas::eval {
namespace {

std::map<std::string, ops::Tensor> tensors_of(const train::Trainer& trainer) {
  std::map<std::string, ops::Tensor> tensors;
  for (auto& [name, t] : trainer.named_tensors()) tensors.emplace(name, t);
  return tensors;
}

}  // namespace

Status save_model_folder(const std::filesystem::path& dir, bool replace,
                         const std::string& arch_yaml, const std::string& metrics_json,
                         const train::Trainer& trainer,
                         const std::map<std::string, std::string>& metadata) {
  const auto tensors = tensors_of(trainer);
  return create_folder_atomically(dir, replace, [&](const std::filesystem::path& tmp) {
    if (Status s = write_file_atomic(tmp / kArchFile, arch_yaml); !s) return s;
    if (Status s = write_file_atomic(tmp / kMetricsFile, metrics_json); !s) return s;
    return graph::save_safetensors(tmp / kWeightsFile, tensors, metadata);
  });
}

Status load_weights(const std::filesystem::path& file, train::Trainer& trainer) {
  auto loaded = graph::load_safetensors(file);
  if (!loaded) return loaded.status();
  return graph::copy_into(loaded.value(), tensors_of(trainer));
}

}  // namespace nas::eval
