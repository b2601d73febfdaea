// Workspace: a reusable scratch arena so that steady-state training and
// inference do not call malloc or touch fresh pages (first-touch page faults
// cost up to 5x on the target VMs).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace nas::ops {

// Bump allocator over retained 64-byte-aligned blocks. Pointers stay valid
// until reset(). After the first step of a fixed-shape loop it allocates
// nothing: reset() merges blocks into one large enough for the peak.
// Not thread-safe: one Workspace per thread or per executor.
class Workspace {
 public:
  Workspace() = default;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  // n floats, 64-byte aligned, uninitialised.
  float* alloc_floats(int64_t n);
  // Releases every allocation made since the last reset (keeps the memory).
  void reset();
  // A position to return to: release() frees what was allocated after mark().
  struct Mark {
    std::size_t block = 0;
    int64_t offset = 0;
    int64_t used = 0;
  };
  Mark mark() const { return {current_, offset_, used_floats_}; }
  void release(const Mark& m);
  // Bytes reserved (for tests and memory reports).
  int64_t capacity_bytes() const;
  // Largest number of bytes in use at once since construction.
  int64_t peak_bytes() const { return peak_bytes_; }

 private:
  struct Block {
    std::shared_ptr<float[]> data;
    int64_t floats = 0;
  };
  std::vector<Block> blocks_;
  std::size_t current_ = 0;  // block being bumped
  int64_t offset_ = 0;       // floats used in blocks_[current_]
  int64_t used_floats_ = 0;  // across blocks, since reset
  int64_t peak_bytes_ = 0;
};

// A per-thread Workspace for kernels that need scratch (packing, im2col).
// Kernels must reset it through a ScratchScope so nested calls are safe.
Workspace& thread_scratch();

// Restores the thread's scratch arena to where it was when constructed.
class ScratchScope {
 public:
  ScratchScope() : ws_(thread_scratch()), mark_(ws_.mark()) {}
  ~ScratchScope() { ws_.release(mark_); }
  ScratchScope(const ScratchScope&) = delete;
  ScratchScope& operator=(const ScratchScope&) = delete;
  float* alloc_floats(int64_t n) { return ws_.alloc_floats(n); }

 private:
  Workspace& ws_;
  Workspace::Mark mark_;
};

}  // namespace nas::ops
