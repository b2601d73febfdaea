#include "nas/search/strategies/reinforce/lstm_policy.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "nas/search/strategies/reinforce/decision_head.h"
#include "ops/core/status.h"
#include "ops/layers/linear.h"
#include "ops/seq/embedding.h"
#include "ops/seq/lstm.h"

namespace nas::search::reinforce {
namespace {

using ops::Shape;
using ops::Tensor;

class LstmPolicy final : public Policy {
 public:
  LstmPolicy(const std::vector<space::Decision>& decisions, int hidden, double temperature,
             double tanh_constant, uint64_t init_seed)
      : hidden_(hidden), cell_(hidden, hidden) {
    NAS_CHECK(hidden >= 1 && !decisions.empty());
    const int64_t H = hidden;
    for (const auto& d : decisions) {
      NAS_CHECK(!d.choices.empty());
      heads_.emplace_back(static_cast<int64_t>(d.choices.size()), temperature, tanh_constant);
    }
    const int64_t D = static_cast<int64_t>(heads_.size());
    add("start", Shape{1, H});
    const auto cell_specs = cell_.param_specs();
    for (const auto& spec : cell_specs) add("lstm." + spec.name, spec.shape);
    for (int64_t t = 0; t < D; ++t) {
      const int64_t C = heads_[t].choices();
      add("head" + std::to_string(t) + ".weight", Shape{C, H});
      add("head" + std::to_string(t) + ".bias", Shape{C});
    }
    for (int64_t t = 0; t + 1 < D; ++t)
      add("embed" + std::to_string(t), Shape{heads_[t].choices(), H});
    cell_values_ = {value(1), value(2), value(3)};
    // One stream over every element in params() order.
    train::Rng rng(init_seed);
    for (const auto& p : group_.params) {
      float* v = p.value.data();
      for (int64_t i = 0; i < p.value.numel(); ++i)
        v[i] = (2.0f * rng.uniform_float() - 1.0f) * kInitRange;
    }
  }

  space::Genotype sample(train::Rng& rng) override {
    Work& w = work(1);
    std::vector<std::vector<int>> labels(heads_.size(), std::vector<int>(1));
    forward(w, nullptr, &rng, labels);
    space::Genotype g(heads_.size());
    for (size_t t = 0; t < heads_.size(); ++t) g[t] = labels[t][0];
    return g;
  }

  LossStats loss(std::span<const space::Genotype> genotypes, std::span<const double> advantages,
                 double entropy_weight, bool gradients) override {
    NAS_CHECK(!genotypes.empty() && advantages.size() == genotypes.size());
    const int64_t B = static_cast<int64_t>(genotypes.size());
    const size_t D = heads_.size();
    std::vector<std::vector<int>> labels(D, std::vector<int>(B));
    for (int64_t r = 0; r < B; ++r) {
      NAS_CHECK(genotypes[r].size() == D);
      for (size_t t = 0; t < D; ++t) labels[t][r] = genotypes[r][t];
    }
    Work& w = work(B);
    forward(w, &labels, nullptr, labels);
    const double scale = 1.0 / static_cast<double>(B);
    HeadTerms sum;
    for (size_t t = 0; t < D; ++t) {
      const HeadTerms h =
          gradients ? heads_[t].loss(w.z[t], labels[t], advantages, entropy_weight, scale, w.dz[t])
                    : heads_[t].loss_only(w.z[t], labels[t], advantages);
      sum += h;
    }
    if (gradients) backward(w);
    return sum.averaged(entropy_weight, scale);
  }

  const train::ParamGroup& params() const override { return group_; }

 private:
  // Ops and activations for one batch size (the ops are created for fixed shapes).
  struct Work {
    int64_t batch = 0;
    std::vector<std::unique_ptr<ops::Op>> head_ops, embed_ops;
    std::vector<Tensor> x, h, c, gates;  // x, gates: [B,H], [B,4H] per step; h, c: D+1 states
    std::vector<Tensor> z, dz, ids;      // [B,C_t], [B,C_t], [B,1] per decision
    Tensor dh_head, dh_sum, dh_prev, dc_a, dc_b, dx;
  };

  void add(std::string name, const Shape& shape) {
    // The group's tensors own the storage (Tensor copies share it).
    group_.params.push_back({std::move(name), Tensor::zeros(shape), Tensor::zeros(shape), true});
  }
  const Tensor& value(size_t i) const { return group_.params[i].value; }
  const Tensor& grad(size_t i) const { return group_.params[i].grad; }
  size_t head_index(size_t t) const { return 4 + 2 * t; }
  size_t embed_index(size_t t) const { return 4 + 2 * heads_.size() + t; }

  Work& work(int64_t B) {
    auto it = works_.find(B);
    if (it != works_.end()) return it->second;
    const int64_t H = hidden_;
    const size_t D = heads_.size();
    Work w;
    w.batch = B;
    for (size_t t = 0; t < D; ++t) {
      ops::OpAttrs linear;
      linear.out_channels = heads_[t].choices();
      linear.bias = true;
      const Shape hs[] = {Shape{B, H}};
      auto head = ops::create_linear(linear, hs);
      NAS_CHECK(head.is_ok());
      w.head_ops.push_back(std::move(head.value()));
      if (t + 1 < D) {
        ops::OpAttrs emb;
        emb.vocab = heads_[t].choices();
        emb.out_channels = H;
        const Shape ids[] = {Shape{B, 1}};
        auto op = ops::Embedding::create(emb, ids);
        NAS_CHECK(op.is_ok());
        w.embed_ops.push_back(std::move(op.value()));
      }
      w.x.push_back(Tensor::empty(Shape{B, H}));
      w.gates.push_back(Tensor::empty(Shape{B, 4 * H}));
      w.z.push_back(Tensor::empty(Shape{B, heads_[t].choices()}));
      w.dz.push_back(Tensor::empty(Shape{B, heads_[t].choices()}));
      w.ids.push_back(Tensor::empty(Shape{B, 1}));
    }
    for (size_t t = 0; t <= D; ++t) {
      w.h.push_back(Tensor::empty(Shape{B, H}));
      w.c.push_back(Tensor::empty(Shape{B, H}));
    }
    w.h[0].fill(0.0f);
    w.c[0].fill(0.0f);
    for (Tensor* t : {&w.dh_head, &w.dh_sum, &w.dh_prev, &w.dc_a, &w.dc_b, &w.dx})
      *t = Tensor::empty(Shape{B, H});
    return works_.emplace(B, std::move(w)).first->second;
  }

  std::span<const Tensor> cell_params() const { return cell_values_; }

  // Runs the controller over w.batch rows. Labels come from `given` (teacher
  // forcing) or, when rng is set, are drawn row by row into `labels`.
  void forward(Work& w, const std::vector<std::vector<int>>* given, train::Rng* rng,
               std::vector<std::vector<int>>& labels) {
    const int64_t B = w.batch, H = hidden_;
    const size_t D = heads_.size();
    for (int64_t r = 0; r < B; ++r)
      std::copy(value(0).data(), value(0).data() + H, w.x[0].data() + r * H);
    const ops::OpContext ctx;
    std::vector<float> u;
    for (size_t t = 0; t < D; ++t) {
      cell_.step(cell_params(), w.x[t], w.h[t], w.c[t], w.h[t + 1], w.c[t + 1], w.gates[t]);
      const Tensor head_in[] = {w.h[t + 1]};
      const Tensor head_params[] = {value(head_index(t)), value(head_index(t) + 1)};
      Tensor head_out[] = {w.z[t]};
      w.head_ops[t]->forward(ctx, head_in, head_params, head_out);
      const int64_t C = heads_[t].choices();
      for (int64_t r = 0; r < B; ++r) {
        int a;
        if (rng != nullptr) {
          u.resize(C);
          heads_[t].transform(w.z[t].data() + r * C, 1, u.data());
          a = heads_[t].sample(u.data(), *rng);
          labels[t][r] = a;
        } else {
          a = (*given)[t][r];
        }
        w.ids[t].data()[r] = static_cast<float>(a);
      }
      if (t + 1 < D) {
        const Tensor emb_in[] = {w.ids[t]};
        const Tensor emb_params[] = {value(embed_index(t))};
        Tensor emb_out[] = {w.x[t + 1].reshaped(Shape{B, 1, H})};
        w.embed_ops[t]->forward(ctx, emb_in, emb_params, emb_out);
      }
    }
  }

  // Backpropagation through the unrolled controller from w.dz (filled by the
  // heads). Every gradient is overwritten.
  void backward(Work& w) {
    const int64_t B = w.batch, H = hidden_;
    const size_t D = heads_.size();
    for (size_t i = 1; i <= 3; ++i) grad(i).fill(0.0f);  // the cell accumulates over steps
    const Tensor cell_grads[] = {grad(1), grad(2), grad(3)};
    const ops::OpContext ctx;
    Tensor dc_next, dc_prev = w.dc_a;  // dc_next empty: nothing flows into c_D
    for (size_t t = D; t-- > 0;) {
      const Tensor head_in[] = {w.h[t + 1]};
      const Tensor head_params[] = {value(head_index(t)), value(head_index(t) + 1)};
      const Tensor head_out[] = {w.z[t]};
      const Tensor head_dout[] = {w.dz[t]};
      Tensor head_din[] = {w.dh_head};
      Tensor head_dparams[] = {grad(head_index(t)), grad(head_index(t) + 1)};
      w.head_ops[t]->backward(ctx, head_in, head_params, head_out, head_dout, head_din,
                              head_dparams);
      // dh_t = from the head + from step t + 1 (w.dh_prev of the last iteration).
      float* dh = w.dh_sum.data();
      for (int64_t i = 0; i < B * H; ++i)
        dh[i] = w.dh_head.data()[i] + (t + 1 < D ? w.dh_prev.data()[i] : 0.0f);
      const bool first = t == 0;
      cell_.step_backward(cell_params(), w.x[t], w.h[t], w.c[t], w.gates[t], w.c[t + 1], w.dh_sum,
                          dc_next, w.dx, first ? Tensor() : w.dh_prev, first ? Tensor() : dc_prev,
                          cell_grads);
      if (first) {
        float* ds = grad(0).data();
        std::fill(ds, ds + H, 0.0f);
        for (int64_t r = 0; r < B; ++r)
          for (int64_t j = 0; j < H; ++j) ds[j] += w.dx.data()[r * H + j];
      } else {
        const Tensor emb_in[] = {w.ids[t - 1]};
        const Tensor emb_params[] = {value(embed_index(t - 1))};
        const Tensor emb_out[] = {w.x[t].reshaped(Shape{B, 1, H})};
        const Tensor emb_dout[] = {w.dx.reshaped(Shape{B, 1, H})};
        Tensor emb_din[] = {Tensor()};
        Tensor emb_dparams[] = {grad(embed_index(t - 1))};
        w.embed_ops[t - 1]->backward(ctx, emb_in, emb_params, emb_out, emb_dout, emb_din,
                                     emb_dparams);
      }
      dc_next = dc_prev;
      dc_prev = dc_prev.data() == w.dc_a.data() ? w.dc_b : w.dc_a;
    }
  }

  int64_t hidden_;
  ops::LstmCell cell_;
  std::vector<DecisionHead> heads_;
  train::ParamGroup group_{"controller", {}};
  std::vector<Tensor> cell_values_;
  std::map<int64_t, Work> works_;
};

}  // namespace

std::unique_ptr<Policy> make_lstm_policy(const std::vector<space::Decision>& decisions, int hidden,
                                         double temperature, double tanh_constant,
                                         uint64_t init_seed) {
  return std::make_unique<LstmPolicy>(decisions, hidden, temperature, tanh_constant, init_seed);
}

}  // namespace nas::search::reinforce
