#include "nas/train/data/cifar10.h"

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace nas::train {

Result<Dataset> load_cifar10(DataSplit split, const std::filesystem::path& folder) {
  std::vector<std::string> names;
  if (split == DataSplit::kTrain) {
    for (int i = 1; i <= 5; ++i) names.push_back("data_batch_" + std::to_string(i) + ".bin");
  } else {
    names.push_back("test_batch.bin");
  }
  Dataset d;
  d.name = std::string("cifar10/") + (split == DataSplit::kTrain ? "train" : "test");
  d.height = 32;
  d.width = 32;
  d.channels = 3;
  d.num_classes = 10;
  constexpr int64_t kPlane = 32 * 32;
  for (const std::string& name : names) {
    const std::filesystem::path path = folder / name;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return Status::error("failed to load CIFAR-10: " + path.string() +
                           " not found; the folder must hold the binary version "
                           "(data_batch_1.bin .. data_batch_5.bin, test_batch.bin)");
    }
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof())
      return Status::error("failed to read CIFAR-10 file " + path.string());
    const int64_t size = static_cast<int64_t>(bytes.size());
    if (size == 0 || size % kCifar10RecordBytes != 0) {
      return Status::error("failed to read CIFAR-10 file " + path.string() + ": size " +
                           std::to_string(size) + " bytes is not a positive multiple of the " +
                           std::to_string(kCifar10RecordBytes) + "-byte record");
    }
    const int64_t records = size / kCifar10RecordBytes;
    const int64_t base = d.size();
    d.labels.resize(base + records);
    d.images.resize((base + records) * d.image_numel());
    for (int64_t r = 0; r < records; ++r) {
      const uint8_t* rec = bytes.data() + r * kCifar10RecordBytes;
      if (rec[0] > 9) {
        return Status::error("failed to read CIFAR-10 file " + path.string() + ": record " +
                             std::to_string(r) + " has label " + std::to_string(rec[0]) +
                             ", expected 0..9");
      }
      d.labels[base + r] = rec[0];
      float* img = d.image(base + r);
      const uint8_t* px = rec + 1;
      // Planar CHW to interleaved HWC.
      for (int64_t p = 0; p < kPlane; ++p) {
        for (int64_t c = 0; c < 3; ++c) img[p * 3 + c] = px[c * kPlane + p] * (1.0f / 255.0f);
      }
    }
  }
  return d;
}

}  // namespace nas::train
