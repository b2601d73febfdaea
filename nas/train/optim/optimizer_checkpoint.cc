#include "nas/train/optim/optimizer_checkpoint.h"

#include <charconv>
#include <string>

#include "nas/graph/safetensors.h"

namespace nas::train {

Status save_optimizer_state(const std::filesystem::path& path, const Optimizer& opt) {
  return graph::save_safetensors(
      path, opt.state(), {{"step", std::to_string(opt.step_count())}, {"group", opt.group().name}});
}

Status load_optimizer_state(const std::filesystem::path& path, Optimizer& opt) {
  Result<graph::SafetensorsFile> file = graph::load_safetensors(path);
  if (!file) return file.status();
  const std::string what = "failed to restore optimizer state from " + path.string() + ": ";
  auto it = file->metadata.find("step");
  if (it == file->metadata.end()) return Status::error(what + "no \"step\" in the metadata");
  const std::string& text = it->second;
  int64_t step = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), step);
  if (ec != std::errc() || end != text.data() + text.size() || step < 0)
    return Status::error(what + "\"step\" is \"" + text + "\", expected a non-negative integer");
  if (Status s = graph::copy_into(file.value(), opt.state()); !s) return s;
  opt.set_step_count(step);
  return Status::ok();
}

}  // namespace nas::train
