#include "nas/train/data/fashion_mnist.h"

#include <string>

#include "nas/train/data/idx_file.h"

namespace nas::train {

Result<Dataset> load_fashion_mnist(DataSplit split, const std::filesystem::path& folder) {
  const std::string prefix = split == DataSplit::kTrain ? "train" : "t10k";
  const std::filesystem::path images_path = folder / (prefix + "-images-idx3-ubyte.gz");
  const std::filesystem::path labels_path = folder / (prefix + "-labels-idx1-ubyte.gz");
  for (const auto& p : {images_path, labels_path}) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec)) {
      return Status::error("failed to load Fashion-MNIST: " + p.string() +
                           " not found; install it with `apt-get install "
                           "dataset-fashion-mnist` or point the dataset folder at a copy of "
                           "the IDX .gz files");
    }
  }
  Result<IdxArray> images = read_idx_file(images_path, kIdxMagicImages);
  if (!images) return images.status();
  Result<IdxArray> labels = read_idx_file(labels_path, kIdxMagicLabels);
  if (!labels) return labels.status();
  const IdxArray& im = images.value();
  const IdxArray& lb = labels.value();
  if (im.dims[0] != lb.dims[0]) {
    return Status::error("failed to load Fashion-MNIST from " + folder.string() + ": " +
                         images_path.filename().string() + " has " + std::to_string(im.dims[0]) +
                         " images but " + labels_path.filename().string() + " has " +
                         std::to_string(lb.dims[0]) + " labels");
  }
  Dataset d;
  d.name = std::string("fashion_mnist/") + (split == DataSplit::kTrain ? "train" : "test");
  d.height = im.dims[1];
  d.width = im.dims[2];
  d.channels = 1;
  d.num_classes = 10;
  d.images.resize(im.data.size());
  for (std::size_t i = 0; i < im.data.size(); ++i) d.images[i] = im.data[i] * (1.0f / 255.0f);
  d.labels.assign(lb.data.begin(), lb.data.end());
  Status s = d.validate();
  if (!s) return Status::error(s.message() + " (in " + labels_path.string() + ")");
  return d;
}

}  // namespace nas::train
