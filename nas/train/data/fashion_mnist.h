// Fashion-MNIST (28x28x1, 10 classes) from the IDX gzip files that Debian's
// dataset-fashion-mnist package installs.
#pragma once

#include <filesystem>

#include "nas/train/data/dataset.h"

namespace nas::train {

inline constexpr char kFashionMnistDefaultDir[] = "/usr/share/datasets/fashion-mnist";

// Loads the 60000-image train or 10000-image test set from `folder`
// (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-...), pixels
// scaled to [0, 1]. A missing folder or file fails with a message naming it
// and the Debian package to install; a corrupt file fails naming the file.
Result<Dataset> load_fashion_mnist(DataSplit split,
                                   const std::filesystem::path& folder = kFashionMnistDefaultDir);

}  // namespace nas::train
