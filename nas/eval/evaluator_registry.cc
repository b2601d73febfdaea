// make_evaluator: the evaluator registry. One line per alternative of
// config::EvaluatorConfig; the catalog (evaluator_catalog.cc) lists the same
// names for `nas list` and experiment validation.
#include <type_traits>
#include <variant>

#include "nas/eval/evaluator.h"
#include "nas/eval/tabular_evaluator.h"
#include "nas/eval/train_evaluator.h"

namespace nas::eval {

Result<std::unique_ptr<Evaluator>> make_evaluator(const EvaluatorContext& context) {
  NAS_CHECK(context.experiment != nullptr && context.space != nullptr);
  return std::visit(
      [&](const auto& config) -> Result<std::unique_ptr<Evaluator>> {
        using C = std::decay_t<decltype(config)>;
        if constexpr (std::is_same_v<C, config::TrainConfig>) {
          return make_train_evaluator(config, context);
        } else {
          static_assert(std::is_same_v<C, config::TabularConfig>, "an evaluator without a factory");
          return make_tabular_evaluator(config, *context.space);
        }
      },
      context.experiment->evaluator.config);
}

}  // namespace nas::eval
