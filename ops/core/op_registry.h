// The op registry: the names YAML spaces use, mapped to factories. Every op
// family registers itself in one explicit list (ops/core/op_registry.cc).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ops/core/op.h"
#include "ops/core/status.h"

namespace nas::ops {

enum class Activation { kNone, kRelu, kRelu6, kHswish, kSwish, kSigmoid, kTanh, kGelu };

// Typed attributes for creating any op; each op reads the fields it needs and
// ignores the rest. Defaults are the usual ones.
struct OpAttrs {
  int64_t out_channels = 0;  // conv / linear output width (0: same as input)
  int kernel = 1;            // square kernel size (conv, pool)
  int stride = 1;
  int padding = -1;  // -1: "same" = dilation*(kernel-1)/2
  int dilation = 1;
  int groups = 1;    // conv groups; -1: depthwise (groups = channels)
  bool bias = false;
  float eps = 1e-5f;       // normalisation epsilon
  float momentum = 0.1f;   // BatchNorm running-average momentum
  float probability = 0.0f;       // dropout
  float label_smoothing = 0.0f;   // softmax cross-entropy
  int se_reduction = 4;           // squeeze-and-excitation bottleneck ratio
  int shuffle_groups = 2;         // channel shuffle
  std::vector<int64_t> split_sizes;  // split along channels
  std::vector<int64_t> shape;        // reshape: the target shape of one sample (batch kept)
  Activation activation = Activation::kNone;  // fused or standalone activation
  // Sequence ops (attention, recurrent, embeddings) use these.
  int heads = 1;
  int window = 0;          // sliding-window attention half width
  bool causal = false;
  int64_t vocab = 0;
  int64_t hidden = 0;
};

using OpFactory =
    std::function<Result<std::unique_ptr<Op>>(const OpAttrs&, std::span<const Shape> inputs)>;

struct OpInfo {
  std::string name;
  std::string summary;  // one line, shown by `nas list ops`
  OpFactory create;
};

class OpRegistry {
 public:
  // REQUIRES: name not yet registered (a bug otherwise).
  void add(OpInfo info);
  // nullptr when unknown.
  const OpInfo* find(const std::string& name) const;
  std::vector<std::string> names() const;
  // Creates an op; the error names the op and the offending shapes, or lists
  // the valid names when `name` is unknown.
  Result<std::unique_ptr<Op>> create(const std::string& name, const OpAttrs& attrs,
                                     std::span<const Shape> inputs) const;

 private:
  std::map<std::string, OpInfo> ops_;
};

// The process-wide registry, filled on first use from the family list.
const OpRegistry& op_registry();

}  // namespace nas::ops
