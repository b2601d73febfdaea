#include "nas/config/experiment_writer.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace nas::config {
namespace {

namespace fs = std::filesystem;

std::string absolute_string(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  return (ec ? p : a.lexically_normal()).string();
}

// The shortest decimal that reads back as the same double ("0.05", not
// "0.050000000000000003").
std::string shortest(double v) {
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

const char* goal_name(Goal g) { return g == Goal::kMaximize ? "maximize" : "minimize"; }

void emit_strategy(YAML::Emitter& out, const StrategyConfig& config) {
  out << YAML::Key << "strategy" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << strategy_name(config);
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, EvolutionConfig>) {
          out << YAML::Key << "population" << YAML::Value << c.population;
          out << YAML::Key << "sample" << YAML::Value << c.sample;
          out << YAML::Key << "mutations" << YAML::Value << c.mutations;
        } else if constexpr (std::is_same_v<T, Nsga2Config>) {
          out << YAML::Key << "population" << YAML::Value << c.population;
          out << YAML::Key << "crossover_prob" << YAML::Value << shortest(c.crossover_prob);
          out << YAML::Key << "mutation_prob" << YAML::Value << shortest(c.mutation_prob);
        } else if constexpr (std::is_same_v<T, ReinforceConfig>) {
          out << YAML::Key << "samples_per_update" << YAML::Value << c.samples_per_update;
          out << YAML::Key << "learning_rate" << YAML::Value << shortest(c.learning_rate);
          out << YAML::Key << "baseline_decay" << YAML::Value << shortest(c.baseline_decay);
          out << YAML::Key << "entropy_weight" << YAML::Value << shortest(c.entropy_weight);
          out << YAML::Key << "temperature" << YAML::Value << shortest(c.temperature);
          out << YAML::Key << "tanh_constant" << YAML::Value << shortest(c.tanh_constant);
          out << YAML::Key << "controller" << YAML::Value
              << (c.controller == ControllerKind::kLstm ? "lstm" : "independent");
          out << YAML::Key << "hidden" << YAML::Value << c.hidden;
        }
      },
      config);
  out << YAML::EndMap;
}

void emit_evaluator(YAML::Emitter& out, const EvaluatorConfig& config) {
  out << YAML::Key << "evaluator" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << evaluator_name(config);
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, TrainConfig>) {
          static const char* const kOptimizers[] = {"sgd", "adam", "adamw"};
          out << YAML::Key << "epochs" << YAML::Value << c.epochs;
          out << YAML::Key << "batch_size" << YAML::Value << c.batch_size;
          out << YAML::Key << "learning_rate" << YAML::Value << shortest(c.learning_rate);
          out << YAML::Key << "optimizer" << YAML::Value << kOptimizers[static_cast<int>(c.optimizer)];
          out << YAML::Key << "momentum" << YAML::Value << shortest(c.momentum);
          out << YAML::Key << "weight_decay" << YAML::Value << shortest(c.weight_decay);
          out << YAML::Key << "label_smoothing" << YAML::Value << shortest(c.label_smoothing);
        } else {
          out << YAML::Key << "table" << YAML::Value << absolute_string(c.table.value);
        }
      },
      config);
  out << YAML::EndMap;
}

// The metric / hardware pair that objectives and constraints share.
template <typename Spec>
void emit_metric(YAML::Emitter& out, const Spec& s) {
  out << YAML::Key << "metric" << YAML::Value << s.metric.value;
  if (s.hardware) out << YAML::Key << "hardware" << YAML::Value << s.hardware->value;
}

void emit_scalarization(YAML::Emitter& out, const ScalarizationSpec& s) {
  static const char* const kKinds[] = {"first_objective", "mnas", "weighted"};
  out << YAML::Key << "scalarization" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "kind" << YAML::Value << kKinds[static_cast<int>(s.kind)];
  if (s.kind == ScalarizationKind::kMnas) {
    emit_metric(out, s);
    out << YAML::Key << "target" << YAML::Value << shortest(s.target);
    out << YAML::Key << "w" << YAML::Value << shortest(s.w);
    out << YAML::Key << "form" << YAML::Value << (s.form == MnasForm::kSoft ? "soft" : "hard");
  } else if (s.kind == ScalarizationKind::kWeighted) {
    out << YAML::Key << "weights" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const double w : s.weights) out << shortest(w);
    out << YAML::EndSeq;
  }
  // An unset penalty stays unset: its default depends on the kind.
  if (s.infeasible_penalty)
    out << YAML::Key << "infeasible_penalty" << YAML::Value << shortest(*s.infeasible_penalty);
  out << YAML::EndMap;
}

}  // namespace

std::string write_resolved_experiment(const Experiment& e, const fs::path& run_folder) {
  YAML::Emitter out;
  out << YAML::Comment("Resolved experiment (defaults filled in, paths absolute), written by nas from " +
                       e.source);
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << e.name.value;
  out << YAML::Key << "seed" << YAML::Value << e.seed.value;
  out << YAML::Key << "space" << YAML::Value << absolute_string(e.space.value);

  out << YAML::Key << "dataset" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << e.dataset.name.value;
  if (e.dataset.train_subset) out << YAML::Key << "train_subset" << YAML::Value << *e.dataset.train_subset;
  if (e.dataset.valid_subset) out << YAML::Key << "valid_subset" << YAML::Value << *e.dataset.valid_subset;
  if (e.dataset.path) out << YAML::Key << "path" << YAML::Value << absolute_string(e.dataset.path->value);
  out << YAML::EndMap;

  out << YAML::Key << "hardware" << YAML::Value << YAML::BeginSeq;
  for (const HardwareSpec& h : e.hardware) {
    if (h.is_host() && (h.machine_state != MachineStateMode::kCheck || h.rechecks())) {
      out << YAML::BeginMap << YAML::Key << "host" << YAML::Value << YAML::Flow << YAML::BeginMap
          << YAML::Key << "machine_state" << YAML::Value << machine_state_mode_name(h.machine_state);
      if (h.recheck_interval_s)
        out << YAML::Key << "recheck_interval" << YAML::Value << std::to_string(*h.recheck_interval_s) + "s";
      if (h.recheck_candidates) out << YAML::Key << "recheck_candidates" << YAML::Value << *h.recheck_candidates;
      out << YAML::EndMap << YAML::EndMap;
    } else {
      out << (h.is_host() ? std::string("host") : absolute_string(h.profile));
    }
  }
  out << YAML::EndSeq;

  out << YAML::Key << "objectives" << YAML::Value << YAML::BeginSeq;
  for (const ObjectiveSpec& o : e.objectives) {
    out << YAML::Flow << YAML::BeginMap;
    emit_metric(out, o);
    out << YAML::Key << "goal" << YAML::Value << goal_name(o.goal) << YAML::EndMap;
  }
  out << YAML::EndSeq;

  out << YAML::Key << "constraints" << YAML::Value << YAML::BeginSeq;
  for (const ConstraintSpec& c : e.constraints) {
    out << YAML::Flow << YAML::BeginMap;
    emit_metric(out, c);
    if (c.min) out << YAML::Key << "min" << YAML::Value << shortest(*c.min);
    if (c.max) out << YAML::Key << "max" << YAML::Value << shortest(*c.max);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;

  emit_strategy(out, e.strategy.config);
  emit_evaluator(out, e.evaluator.config);

  out << YAML::Key << "budget" << YAML::Value << YAML::BeginMap;
  if (e.budget.candidates) out << YAML::Key << "candidates" << YAML::Value << *e.budget.candidates;
  if (e.budget.wall_time_s)
    out << YAML::Key << "wall_time" << YAML::Value << (std::to_string(*e.budget.wall_time_s) + "s");
  out << YAML::Key << "batch" << YAML::Value << e.budget.batch;
  out << YAML::EndMap;

  emit_scalarization(out, e.scalarization);

  out << YAML::Key << "output" << YAML::Value << absolute_string(run_folder);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace nas::config
