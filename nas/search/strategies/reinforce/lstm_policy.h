// The autoregressive controller of NASNet (Zoph et al. 2018) and ENAS (Pham
// et al. 2018): an LSTM reads a learned start token, then the embedding of
// each decision it has just taken, and a per-decision linear head turns its
// hidden state into the next decision's scores:
//
//   x_0 = start,  x_t = embed_{t-1}[a_{t-1}]          (embedding op, [C, H] table)
//   h_t, c_t = lstm_cell(x_t, h_{t-1}, c_{t-1})       (ops::LstmCell, h_0 = c_0 = 0)
//   z_t = h_t W_t^T + b_t                             (linear op, [C_t, H])
//   a_t ~ softmax(DecisionHead transform of z_t)
//
// Gradients come from the ops' own backward passes (LstmCell::step_backward
// accumulating over the unrolled decisions, linear, embedding, softmax
// cross-entropy), i.e. backpropagation through the whole sampled sequence.
// Parameters, in params() order: "start" [1, H], "lstm.w_ih" [H, 4H],
// "lstm.w_hh" [H, 4H], "lstm.bias" [4H], then per decision t "head<t>.weight"
// [C_t, H], "head<t>.bias" [C_t], and for every decision but the last
// "embed<t>" [C_t, H]; all uniform in [-kInitRange, kInitRange] from the seed.
#pragma once

#include <memory>

#include "nas/search/strategies/reinforce/policy.h"

namespace nas::search::reinforce {

// REQUIRES: hidden >= 1, temperature > 0, tanh_constant >= 0, a space with >= 1 decision.
std::unique_ptr<Policy> make_lstm_policy(const std::vector<space::Decision>& decisions, int hidden,
                                         double temperature, double tanh_constant,
                                         uint64_t init_seed);

}  // namespace nas::search::reinforce
