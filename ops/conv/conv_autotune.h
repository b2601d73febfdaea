// The conv autotuner's memory, like cudnn.benchmark: per (input shape,
// out_c, kernel, stride, pad, dilation, groups, pass, thread count, ISA) the
// fastest algorithm, measured once on the first call and kept in memory and
// in a text file so later processes reuse the choice.
//
// File format (one entry a line, '#' lines are comments):
//   n h w c out_c kernel_h kernel_w stride pad dilation groups pass threads isa algo ms
// e.g. "64 14 14 64 64 3 3 1 1 1 1 fwd 2 avx512 winograd 2.113". pass is
// fwd|bwd_data|bwd_weights, algo a conv_algo_name(). A file with any line
// that does not parse is ignored as a whole, with one warning on stderr.
//
// Choosing by timing can pick different algorithms on different runs (the
// VM is noisy), and algorithms round differently, so results can change in
// the last bits between processes; once the choice is in the cache file,
// later runs reuse it and are bit-reproducible. Thread-safe.
#pragma once

#include <optional>
#include <string>

#include "ops/conv/conv_params.h"

namespace nas::ops {

// Default: $XDG_CACHE_HOME/nas/conv_algos.txt, else ~/.cache/nas/conv_algos.txt,
// else "" (no file).
std::string default_conv_autotune_path();
// Sets the cache file ("" keeps choices in memory only); the file is read on
// the next lookup. Entries already in memory stay.
void set_conv_autotune_path(const std::string& path);
std::string conv_autotune_path();
// Forgets every in-memory choice (tests); the file is read again on next use.
void clear_conv_autotune_memory();

// The key of p (without the per-call algo field) for this thread count and ISA.
std::string conv_autotune_key(const ConvParams& p, ConvPass pass);
std::optional<ConvAlgo> conv_autotune_lookup(const ConvParams& p, ConvPass pass);
// Remembers the choice and rewrites the cache file (atomically; a write
// failure is reported once on stderr and otherwise ignored).
void conv_autotune_store(const ConvParams& p, ConvPass pass, ConvAlgo algo, double ms);

}  // namespace nas::ops
