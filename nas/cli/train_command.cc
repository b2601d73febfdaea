#include "nas/cli/train_command.h"

#include "nas/cli/epoch_printer.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nas/config/architecture.h"
#include "nas/eval/model_folder.h"
#include "nas/eval/train_recipe.h"
#include "nas/graph/architecture_builder.h"
#include "nas/train/data/data_pipeline.h"
#include "nas/train/trainer.h"
#include "nas/util/log.h"
#include "nas/util/progress.h"
#include "nas/util/suggest.h"
#include "ops/core/parallel.h"

namespace nas::cli {
namespace {

namespace fs = std::filesystem;

struct Choice {
  const char* name;
  int value;
};

// Maps a flag's text to an enum value, or prints the valid names.
template <typename Enum, size_t N>
bool pick(const char* flag, const std::string& text, const Choice (&choices)[N], Enum* out) {
  std::vector<std::string> names;
  for (const Choice& c : choices) {
    if (text == c.name) {
      *out = static_cast<Enum>(c.value);
      return true;
    }
    names.push_back(c.name);
  }
  std::cerr << "nas train: error: --" << flag << " '" << text << "' is not one of "
            << join_names(names) << "\n";
  return false;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int TrainCommand::run(const std::vector<std::string>& args) {
  std::string arch_path, dataset = "fashion_mnist", data_dir, out_dir, optimizer = "sgd",
                         schedule = "onecycle";
  int epochs = 3, threads = 0;
  int64_t batch = 128, train_subset = 0, test_subset = 0;
  double lr = 0.1, momentum = 0.9, weight_decay = 5e-4, label_smoothing = 0.0, clip = 0.0;
  uint64_t seed = 0;
  po::options_description options("Options");
  options.add_options()
      ("arch", po::value(&arch_path)->required(), "the architecture YAML (docs/architecture.md)")
      ("dataset", po::value(&dataset), "fashion_mnist | cifar10 | synthetic (default fashion_mnist)")
      ("data-dir", po::value(&data_dir), "dataset folder (default: the Debian package's for fashion_mnist)")
      ("epochs", po::value(&epochs), "epochs (default 3)")
      ("batch-size", po::value(&batch), "batch size (default 128)")
      ("lr", po::value(&lr), "peak learning rate (default 0.1)")
      ("optimizer", po::value(&optimizer), "sgd (Nesterov momentum) | adam | adamw (default sgd)")
      ("momentum", po::value(&momentum), "SGD momentum / Adam beta1 (default 0.9)")
      ("weight-decay", po::value(&weight_decay), "weight decay (default 5e-4)")
      ("schedule", po::value(&schedule), "onecycle | cosine | step | constant (default onecycle)")
      ("label-smoothing", po::value(&label_smoothing), "label smoothing (default 0)")
      ("clip-grad-norm", po::value(&clip), "clip the global gradient norm (default 0: off)")
      ("augment", "random crop (padding 2) and horizontal flip")
      ("train-subset", po::value(&train_subset), "train on the first N of a seeded permutation (0: all)")
      ("test-subset", po::value(&test_subset), "test on N images (0: all)")
      ("seed", po::value(&seed), "seed: initial weights, batch order (default 0)")
      ("threads", po::value(&threads), "threads (default: all cores)")
      ("out", po::value(&out_dir), "save arch.yaml, weights.safetensors, metrics.json here")
      ("force", "replace an existing --out folder");
  po::positional_options_description positional;
  positional.add("arch", 1);
  int code = kExitOk;
  auto vm = parse_args(*this, args, options, positional, "ARCH.yaml [--dataset D] [--epochs N] [--out DIR]", &code);
  if (!vm) return code;

  eval::TrainRecipe recipe;  // the settings shared with the train evaluator and nas extract
  if (!pick("optimizer", optimizer, {{"sgd", int(train::OptimizerKind::kSgd)}, {"adam", int(train::OptimizerKind::kAdam)}, {"adamw", int(train::OptimizerKind::kAdamW)}}, &recipe.optimizer) ||
      !pick("schedule", schedule, {{"onecycle", int(train::LrScheduleKind::kOneCycle)}, {"cosine", int(train::LrScheduleKind::kCosine)}, {"step", int(train::LrScheduleKind::kStep)}, {"constant", int(train::LrScheduleKind::kConstant)}}, &recipe.schedule))
    return kExitUsage;
  auto bad = [](const std::string& m) {
    std::cerr << "nas train: error: " << m << "\n";
    return kExitUsage;
  };
  if (epochs < 1) return bad("--epochs must be >= 1, got " + std::to_string(epochs));
  if (batch < 1) return bad("--batch-size must be >= 1, got " + std::to_string(batch));
  if (!(lr > 0)) return bad("--lr must be > 0");
  if (momentum < 0 || momentum >= 1) return bad("--momentum must be in [0, 1)");
  if (weight_decay < 0) return bad("--weight-decay must be >= 0");
  if (label_smoothing < 0 || label_smoothing > 1) return bad("--label-smoothing must be in [0, 1]");
  if (threads < 0) return bad("--threads must be >= 1");
  if (train_subset < 0 || test_subset < 0) return bad("subset sizes must be >= 0");
  if (!out_dir.empty() && fs::exists(out_dir) && !vm->count("force"))
    return bad("output folder " + out_dir + " exists (use --force to replace it)");
  auto kind = train::dataset_kind_from_name(dataset);
  if (!kind) return bad("--dataset: " + kind.status().message());
  if (threads > 0) ops::set_num_threads(threads);

  config::Diagnostics diagnostics;
  auto arch = config::load_architecture(arch_path, ops::op_registry().names(), diagnostics);
  if (!arch) {
    std::cerr << diagnostics.str() << "\n";
    return kExitUsage;
  }
  // Check the shapes once, before loading any data.
  if (auto probe = graph::build_network_spec(*arch, 1); !probe) {
    std::cerr << probe.status().message() << "\n";
    return kExitUsage;
  }

  train::DataPipelineOptions dp;
  dp.kind = kind.value();
  dp.folder = data_dir;
  dp.split.train_subset = train_subset;
  dp.split.test_subset = test_subset;
  dp.split.seed = seed;
  auto data = train::prepare_data(dp);
  if (!data) return bad(data.status().message());
  const train::Dataset& train_set = data.value().splits.train;
  const train::Dataset& test_set = data.value().splits.test;
  if (train_set.height != arch->height || train_set.width != arch->width ||
      train_set.channels != arch->channels)
    return bad(arch_path + ": input [" + std::to_string(arch->height) + ", " +
               std::to_string(arch->width) + ", " + std::to_string(arch->channels) +
               "] does not match " + train_set.name + " images [" + std::to_string(train_set.height) +
               ", " + std::to_string(train_set.width) + ", " + std::to_string(train_set.channels) + "]");

  recipe.epochs = epochs;
  recipe.batch_size = batch;
  recipe.learning_rate = lr;
  recipe.momentum = momentum;
  recipe.weight_decay = weight_decay;
  recipe.label_smoothing = label_smoothing;
  recipe.clip_grad_norm = clip;
  recipe.augment = vm->count("augment") > 0;
  recipe.seed = seed;
  const train::TrainOptions to = eval::to_train_options(recipe, train_set.size());

  const config::Architecture& a = *arch;
  auto trainer = train::Trainer::create(
      [&a](int64_t b) { return graph::build_network_spec(a, b); }, to, train_set.size(),
      train_set.num_classes);
  if (!trainer) return bad(trainer.status().message());
  const auto& spec = trainer.value()->network().spec();
  log_info("training " + a.name.value + " (" + std::to_string(spec.param_count() - 0) +
           " parameters) on " + std::to_string(train_set.size()) + " " + dataset + " images, " +
           std::to_string(ops::num_threads()) + " threads");

  EpochPrinter printer(epochs, std::max<int64_t>(1, train_set.size() / std::min(batch, train_set.size())));
  auto history = trainer.value()->fit(train_set, &printer);
  if (!history) {
    std::cerr << "nas train: " << history.status().message() << "\n";
    return kExitFailure;
  }
  auto test = trainer.value()->evaluate(test_set);
  if (!test) return bad(test.status().message());
  char line[200];
  std::snprintf(line, sizeof line, "test: loss %.4f  accuracy %.2f%%  (%lld images, %.1f s)",
                test.value().loss, 100 * test.value().accuracy,
                static_cast<long long>(test.value().examples), test.value().seconds);
  std::cout << line << std::endl;

  if (out_dir.empty()) return kExitOk;
  nlohmann::json metrics = {
      {"architecture", a.name.value},
      {"dataset", dataset},
      {"test_accuracy", test.value().accuracy},
      {"test_loss", test.value().loss},
      {"epochs", nlohmann::json::array()},
      {"params", spec.param_count()},
      {"threads", ops::num_threads()},
      {"seed", seed}};
  for (const auto& e : history.value())
    metrics["epochs"].push_back({{"epoch", e.epoch}, {"loss", e.loss}, {"train_accuracy", e.accuracy},
                                 {"images_per_s", e.images_per_s}, {"seconds", e.seconds}});
  const std::string arch_text = read_file(arch_path);
  Status s = eval::save_model_folder(out_dir, vm->count("force") > 0, arch_text,
                                     metrics.dump(2) + "\n", *trainer.value(),
                                     {{"architecture", a.name.value}, {"format", "nas"}});
  if (!s) {
    std::cerr << "nas train: error: " << s.message() << "\n";
    return kExitFailure;
  }
  std::cout << "saved " << out_dir << "/{arch.yaml, weights.safetensors, metrics.json}\n";
  return kExitOk;
}

}  // namespace nas::cli
