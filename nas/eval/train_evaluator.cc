#include "nas/eval/train_evaluator.h"

#include <cmath>
#include <exception>
#include <new>

#include "nas/eval/experiment_data.h"
#include "nas/graph/architecture_builder.h"
#include "nas/train/data/resize.h"

namespace nas::eval {
namespace {

EvalResult failed(std::string why) {
  EvalResult r;
  r.ok = false;
  r.error = std::move(why);
  return r;
}

std::string shape_text(int64_t h, int64_t w, int64_t c) {
  // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) on "[" + std::string.
  std::string s(1, '[');
  s += std::to_string(h);
  s += ", ";
  s += std::to_string(w);
  s += ", ";
  s += std::to_string(c);
  s += ']';
  return s;
}

}  // namespace

std::shared_ptr<const train::DataSplits> TrainEvaluator::data_at(int64_t height, int64_t width) {
  if (data_->train.height == height && data_->train.width == width) return data_;
  std::lock_guard<std::mutex> lock(resized_mutex_);
  auto& slot = resized_[{height, width}];
  if (!slot) {
    auto resized = std::make_shared<train::DataSplits>();
    resized->train = train::resize_dataset(data_->train, height, width);
    resized->valid = train::resize_dataset(data_->valid, height, width);
    slot = std::move(resized);
  }
  return slot;
}

EvalResult TrainEvaluator::evaluate(const EvalRequest& request) {
  NAS_CHECK(request.architecture != nullptr);
  const config::Architecture& arch = *request.architecture;
  if (arch.channels != data_->train.channels)
    return failed("input " + shape_text(arch.height, arch.width, arch.channels) +
                  " does not match the dataset's " +
                  shape_text(data_->train.height, data_->train.width, data_->train.channels));
  try {
    const auto data = data_at(arch.height, arch.width);
    TrainRecipe recipe = recipe_;
    recipe.seed = request.seed;
    auto model = train_architecture(arch, data->train, recipe);
    if (!model) return failed(model.status().message());
    auto valid = model.value().trainer->evaluate(data->valid);
    if (!valid) return failed(valid.status().message());
    if (!std::isfinite(valid.value().loss))
      return failed("validation loss is " + std::to_string(valid.value().loss));
    EvalResult r;
    r.metrics["accuracy"] = valid.value().accuracy;
    r.metrics["loss"] = valid.value().loss;
    r.metrics["train_time_s"] = model.value().train_seconds;
    return r;
  } catch (const std::bad_alloc&) {
    return failed("out of memory while training");
  } catch (const std::exception& e) {
    return failed(std::string("training raised: ") + e.what());
  }
}

Result<std::unique_ptr<Evaluator>> make_train_evaluator(const config::TrainConfig& config,
                                                        const EvaluatorContext& context) {
  const config::Experiment& experiment = *context.experiment;
  const uint64_t seed = static_cast<uint64_t>(experiment.seed.value);
  auto options = search_data_options(experiment.dataset, seed);
  if (!options) return options.status();
  const config::Location where = experiment.dataset.name.where;
  auto prepared = train::prepare_data(options.value());
  if (!prepared)
    return Status::error(config::Diagnostic{where, prepared.status().message()}.str());
  auto data = std::make_shared<train::DataSplits>(std::move(prepared.value().splits));
  data->test = train::Dataset{};  // not used by a search
  if (data->valid.size() == 0)
    return Status::error(config::Diagnostic{where, "the validation split is empty"}.str());

  // Every candidate of a space has the same input channels and classes:
  // check one now rather than failing every candidate.
  const space::Space& space = *context.space;
  const space::Genotype first(space.decisions().size(), 0);
  const auto fail = [&](const std::string& why) {
    return Status::error(config::Diagnostic{where, why}.str());
  };
  if (auto arch = space.decode(first)) {
    const config::Architecture& a = arch.value();
    if (a.channels != data->train.channels)
      return fail("space " + space.name() + " takes " + shape_text(a.height, a.width, a.channels) +
                  " inputs but dataset " + experiment.dataset.name.value + " has " +
                  shape_text(data->train.height, data->train.width, data->train.channels) +
                  " images");
    if (auto spec = graph::build_network_spec(a, 1)) {
      const ops::Shape& out = spec.value().shape(spec.value().outputs()[0]);
      const int64_t classes = out.rank() == 0 ? 0 : out[out.rank() - 1];
      if (classes != data->train.num_classes)
        return fail("space " + space.name() + " outputs " + std::to_string(classes) +
                    " classes but dataset " + experiment.dataset.name.value + " has " +
                    std::to_string(data->train.num_classes));
    }
  }
  return std::unique_ptr<Evaluator>(
      std::make_unique<TrainEvaluator>(std::move(data), recipe_from_config(config, seed)));
}

}  // namespace nas::eval
