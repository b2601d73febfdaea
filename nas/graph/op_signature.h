// The signature of an op configuration: what determines a node's latency on
// a device (op name, every attribute that differs from its default, input
// shapes). Two nodes with the same signature run the same kernel on the same
// shapes, so one latency-table entry serves both.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "ops/core/op_registry.h"
#include "ops/core/shape.h"

namespace nas::graph {

// "conv2d|in=[1,32,32,16]|out_channels=32|kernel=3|stride=2|activation=relu";
// attributes are listed in a fixed order and only when not at their default,
// so the text is stable as OpAttrs grows. Contains no ',' (CSV-safe without
// quoting) and no newline.
std::string op_signature(const std::string& op, const ops::OpAttrs& attrs,
                         std::span<const ops::Shape> inputs);

// FNV-1a of the signature text: equal signatures, equal hashes; stable across
// runs and platforms.
uint64_t signature_hash(const std::string& signature);

}  // namespace nas::graph
