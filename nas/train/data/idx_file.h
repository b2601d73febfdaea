// IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed:
// a big-endian magic 0x0000TTNN (TT = 0x08 for unsigned bytes, NN = number
// of dimensions), NN big-endian uint32 dimensions, then the data.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "ops/core/status.h"

namespace nas::train {

inline constexpr uint32_t kIdxMagicLabels = 0x00000801;  // uint8, 1 dimension
inline constexpr uint32_t kIdxMagicImages = 0x00000803;  // uint8, 3 dimensions

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  // product(dims) bytes, row-major
};

// Reads an unsigned-byte IDX file (gzip or plain, detected from the content).
// Fails, naming the file, when it is missing or unreadable, its magic is not
// `expected_magic` ("bad magic 0x00000801, expected 0x00000803"), or its data
// is shorter or longer than its dimensions say.
Result<IdxArray> read_idx_file(const std::filesystem::path& path, uint32_t expected_magic);

}  // namespace nas::train
