// Weights I/O in the safetensors format (https://github.com/huggingface/safetensors),
// float32 only, so trained subnets open in PyTorch / Hugging Face tools:
//   8 bytes   little-endian uint64 N, the header length
//   N bytes   JSON: {"__metadata__": {string: string}, "<name>": {"dtype": "F32",
//             "shape": [...], "data_offsets": [begin, end]}, ...}, padded with spaces
//             so the data starts 8-byte aligned
//   data      raw little-endian float32, tensors in sorted-name order, contiguous;
//             offsets are relative to the start of this section
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "ops/core/status.h"
#include "ops/core/tensor.h"

namespace nas::graph {

struct SafetensorsFile {
  std::filesystem::path path;                   // where it was loaded from, for messages
  std::map<std::string, ops::Tensor> tensors;   // sorted by name
  std::map<std::string, std::string> metadata;  // "__metadata__"
};

// Writes `tensors` (sorted by name, each as F32 with its shape) and
// `metadata` to path atomically: a temporary file in the same folder, flushed
// and renamed, so a reader sees the old file or the new one. Fails on an
// undefined tensor, a name that is empty or "__metadata__", a name or
// metadata string that is not valid UTF-8, or an I/O error.
Status save_safetensors(const std::filesystem::path& path,
                        const std::map<std::string, ops::Tensor>& tensors,
                        const std::map<std::string, std::string>& metadata = {});

// Reads a whole file into fresh tensors. Fails, naming the file and the
// tensor, on: a file shorter than 8 bytes, a header length past the end of
// the file, header bytes that are not a JSON object, a dtype other than F32
// (unknown ones and known-but-unsupported ones), a malformed shape or
// offsets, offsets past the data section, overlapping or non-contiguous
// offsets, a byte size that does not match the shape, a rank above 6, or
// metadata that is not a string-to-string map.
Result<SafetensorsFile> load_safetensors(const std::filesystem::path& path);

// Copies file.tensors[name] into each targets[name] (views into live storage:
// network weights, optimizer state). Fails, naming the file, on a target the
// file lacks, a shape that differs, or, unless allow_extra, a tensor of the
// file that no target takes. Copies nothing unless every check passes.
Status copy_into(const SafetensorsFile& file, const std::map<std::string, ops::Tensor>& targets,
                 bool allow_extra = false);

}  // namespace nas::graph
