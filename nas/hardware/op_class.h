// Which efficiency class of a hardware profile an op runs in: a table from
// op registry name to OpClass, refined by attributes (a 1x1 conv2d is
// pointwise, a grouped one depthwise). Also the YAML names of the classes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nas/hardware/hardware_profile.h"
#include "ops/core/op_registry.h"

namespace nas::hardware {

// The class of op `op` with `attrs`: conv2d with groups != 1 -> kDepthwise,
// conv2d with kernel 1 -> kPointwise, otherwise the table entry; kOther for
// a name the table does not list.
OpClass op_class(std::string_view op, const ops::OpAttrs& attrs);
// The same from the refining attributes alone (the cost model's hot path).
OpClass op_class(std::string_view op, int kernel, int groups);

// True when the table lists `op` (a test checks it lists every registry op).
bool op_class_listed(std::string_view op);

// True for the standalone activation ops (relu, hswish, ...): the fusion
// token "activation" matches them.
bool is_activation_op(std::string_view op);

// "conv", "depthwise", ... (the keys of a profile's `efficiency:` map).
const char* op_class_name(OpClass c);
std::optional<OpClass> op_class_from_name(std::string_view name);
std::vector<std::string> op_class_names();

}  // namespace nas::hardware
