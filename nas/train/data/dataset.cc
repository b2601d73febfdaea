#include "nas/train/data/dataset.h"

#include <algorithm>

namespace nas::train {

Status Dataset::validate() const {
  const std::string what = "failed to use dataset " + name + ": ";
  if (height <= 0 || width <= 0 || channels <= 0)
    return Status::error(what + "image dimensions must be positive, got " + std::to_string(height) +
                         "x" + std::to_string(width) + "x" + std::to_string(channels));
  if (num_classes <= 0)
    return Status::error(what + "num_classes must be positive, got " + std::to_string(num_classes));
  if (static_cast<int64_t>(images.size()) != size() * image_numel())
    return Status::error(what + "expected " + std::to_string(size() * image_numel()) +
                         " floats for " + std::to_string(size()) + " images, got " +
                         std::to_string(images.size()));
  for (int64_t i = 0; i < size(); ++i) {
    if (labels[i] < 0 || labels[i] >= num_classes)
      return Status::error(what + "label " + std::to_string(labels[i]) + " of image " +
                           std::to_string(i) + " is outside [0, " + std::to_string(num_classes) +
                           ")");
  }
  return Status::ok();
}

Dataset select(const Dataset& data, std::span<const int64_t> indices) {
  Dataset out;
  out.name = data.name;
  out.height = data.height;
  out.width = data.width;
  out.channels = data.channels;
  out.num_classes = data.num_classes;
  const int64_t per = data.image_numel();
  out.images.resize(indices.size() * per);
  out.labels.resize(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const int64_t i = indices[k];
    NAS_CHECK(i >= 0 && i < data.size());
    std::copy_n(data.image(i), per, out.images.data() + k * per);
    out.labels[k] = data.labels[i];
  }
  return out;
}

}  // namespace nas::train
