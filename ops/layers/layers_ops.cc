// The layer op family's registration: every non-convolution CNN op, by the
// name YAML spaces use.
#include <functional>
#include <string>

#include "ops/core/op_registry.h"
#include "ops/layers/activation.h"
#include "ops/layers/batch_norm.h"
#include "ops/layers/channel_shuffle.h"
#include "ops/layers/concat_split.h"
#include "ops/layers/dropout.h"
#include "ops/layers/elementwise.h"
#include "ops/layers/global_avg_pool.h"
#include "ops/layers/linear.h"
#include "ops/layers/pool.h"
#include "ops/layers/softmax_cross_entropy.h"
#include "ops/layers/squeeze_excitation.h"

namespace nas::ops {

void register_layers_ops(OpRegistry& registry) {
  registry.add({"max_pool", "2-D max pooling (kernel, stride, padding)", create_max_pool});
  registry.add(
      {"avg_pool", "2-D average pooling, padding excluded from the divisor", create_avg_pool});
  registry.add(
      {"global_avg_pool", "mean over H and W: [N,H,W,C] -> [N,1,1,C]", create_global_avg_pool});
  registry.add(
      {"batch_norm", "per-channel batch normalisation with running statistics", BatchNorm::create});
  registry.add({"linear", "fully connected layer (out_channels, bias)", create_linear});
  registry.add({"add", "elementwise sum, second input may broadcast over H, W", create_add});
  registry.add({"mul", "elementwise product, second input may broadcast over H, W", create_mul});
  registry.add({"concat", "concatenation along channels", create_concat});
  registry.add({"split", "split along channels (split_sizes)", create_split});
  registry.add(
      {"channel_shuffle", "ShuffleNet channel shuffle (shuffle_groups)", create_channel_shuffle});
  registry.add({"squeeze_excitation", "squeeze-and-excitation, sigmoid gate (se_reduction)",
                [](const OpAttrs& a, std::span<const Shape> in) {
                  return create_squeeze_excitation(ActivationKind::kSigmoid, a, in);
                }});
  registry.add({"squeeze_excitation_hsigmoid",
                "squeeze-and-excitation, hsigmoid gate (MobileNetV3; se_reduction)",
                [](const OpAttrs& a, std::span<const Shape> in) {
                  return create_squeeze_excitation(ActivationKind::kHsigmoid, a, in);
                }});
  registry.add({"softmax_cross_entropy", "mean softmax cross-entropy loss (label_smoothing)",
                create_softmax_cross_entropy});
  registry.add({"dropout", "inverted dropout (probability), deterministic mask", create_dropout});
  for (ActivationKind kind :
       {ActivationKind::kRelu, ActivationKind::kRelu6, ActivationKind::kHsigmoid,
        ActivationKind::kHswish, ActivationKind::kSwish, ActivationKind::kSigmoid,
        ActivationKind::kTanh, ActivationKind::kGelu}) {
    registry.add({activation_name(kind), std::string("activation: ") + activation_name(kind),
                  [kind](const OpAttrs& a, std::span<const Shape> in) {
                    return create_activation(kind, a, in);
                  }});
  }
}

}  // namespace nas::ops
