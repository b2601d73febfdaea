// Dataset: labelled images as plain data, NHWC float32 in one contiguous
// buffer. Loaders (IDX, CIFAR-10, synthetic) produce it; splits, transforms
// and the batch loader consume it. Copyable, no hidden state.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ops/core/status.h"

namespace nas::train {

// Which published part of a dataset to load.
enum class DataSplit { kTrain, kTest };

struct Dataset {
  std::string name;  // "fashion_mnist/train", shown in messages
  int64_t height = 0;
  int64_t width = 0;
  int64_t channels = 0;
  int num_classes = 0;
  std::vector<float> images;    // size() * image_numel() floats, NHWC
  std::vector<int32_t> labels;  // one per image, in [0, num_classes)

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
  int64_t image_numel() const { return height * width * channels; }
  // REQUIRES: 0 <= i < size().
  const float* image(int64_t i) const { return images.data() + i * image_numel(); }
  float* image(int64_t i) { return images.data() + i * image_numel(); }

  // Checks that the buffers agree with the dimensions and every label is in
  // range; the message names the dataset.
  Status validate() const;
};

// The images and labels at `indices`, in that order (a gather; same
// dimensions and classes). REQUIRES: every index in [0, data.size()).
Dataset select(const Dataset& data, std::span<const int64_t> indices);

}  // namespace nas::train
