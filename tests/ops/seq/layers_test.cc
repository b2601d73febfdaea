// layer_norm, embedding, patch_embedding, positional encodings; the residual
// add (ops/layers' "add") on [B, S, D].
#include <gtest/gtest.h>

#include <cmath>

#include "tests/ops/seq/seq_check.h"

namespace nas::ops {
namespace {

using testing::Vec;

TEST(LayerNorm, MatchesReferenceAndFiniteDifferences) {
  for (int64_t D : {8, 37}) {  // 37: the vector body and the scalar tail
    const int64_t rows = 6;
    OpAttrs a;
    testing::check_op("layer_norm", a, {Shape{2, 3, D}},
                      [=](const std::vector<Vec>& in, const std::vector<Vec>& p) {
                        Vec y(rows * D);
                        for (int64_t r = 0; r < rows; ++r) {
                          double mu = 0, var = 0;
                          for (int64_t c = 0; c < D; ++c) mu += in[0][r * D + c] / D;
                          for (int64_t c = 0; c < D; ++c)
                            var += (in[0][r * D + c] - mu) * (in[0][r * D + c] - mu) / D;
                          for (int64_t c = 0; c < D; ++c)
                            y[r * D + c] = (in[0][r * D + c] - mu) / std::sqrt(var + 1e-5) * p[0][c] +
                                           p[1][c];
                        }
                        return y;
                      });
  }
}

TEST(Embedding, GathersRowsAndScattersGradients) {
  const int64_t B = 2, S = 5, V = 7, D = 6;
  OpAttrs a;
  a.vocab = V;
  a.out_channels = D;
  testing::CheckOptions opt;
  opt.input_differentiable = {false};
  // Repeated ids (so gradients sum) and one out-of-range id (zero row).
  opt.fill_input = [](int, std::vector<float>& v) {
    const float ids[] = {0, 3, 3, 6, 2, 1, 3, 9, 5, 0};
    for (size_t i = 0; i < v.size(); ++i) v[i] = ids[i % 10];
  };
  testing::check_op("embedding", a, {Shape{B, S}},
                    [=](const std::vector<Vec>& in, const std::vector<Vec>& p) {
                      Vec y(B * S * D, 0.0);
                      for (int64_t t = 0; t < B * S; ++t) {
                        const int64_t id = static_cast<int64_t>(in[0][t]);
                        if (id < 0 || id >= V) continue;
                        for (int64_t c = 0; c < D; ++c) y[t * D + c] = p[0][id * D + c];
                      }
                      return y;
                    },
                    opt);
}

TEST(PatchEmbedding, IsAStridedConvolution) {
  for (int stride : {4, 3}) {  // ViT (stride = kernel) and overlapping patches
    const int64_t B = 2, H = 8, W = 12, C = 3, D = 5;
    const int k = 4;
    OpAttrs a;
    a.kernel = k;
    a.stride = stride;
    a.out_channels = D;
    a.bias = true;
    const int64_t ho = (H - k) / stride + 1, wo = (W - k) / stride + 1;
    testing::check_op("patch_embedding", a, {Shape{B, H, W, C}},
                      [=](const std::vector<Vec>& in, const std::vector<Vec>& p) {
                        Vec y(B * ho * wo * D, 0.0);
                        for (int64_t b = 0; b < B; ++b)
                          for (int64_t oy = 0; oy < ho; ++oy)
                            for (int64_t ox = 0; ox < wo; ++ox)
                              for (int64_t d = 0; d < D; ++d) {
                                double acc = p[1][d];
                                for (int ky = 0; ky < k; ++ky)
                                  for (int kx = 0; kx < k; ++kx)
                                    for (int64_t c = 0; c < C; ++c)
                                      acc += in[0][((b * H + oy * stride + ky) * W + ox * stride + kx) * C + c] *
                                             p[0][((ky * k + kx) * C + c) * D + d];
                                y[((b * ho + oy) * wo + ox) * D + d] = acc;
                              }
                        return y;
                      });
  }
}

TEST(PositionalEncoding, SinusoidalAndLearned) {
  const int64_t B = 2, S = 6, D = 8;
  OpAttrs a;
  testing::check_op("positional_encoding_sinusoidal", a, {Shape{B, S, D}},
                    [=](const std::vector<Vec>& in, const std::vector<Vec>&) {
                      Vec y = in[0];
                      for (int64_t b = 0; b < B; ++b)
                        for (int64_t s = 0; s < S; ++s)
                          for (int64_t i = 0; i < D / 2; ++i) {
                            const double ang = s / std::pow(10000.0, 2.0 * i / D);
                            y[(b * S + s) * D + 2 * i] += std::sin(ang);
                            y[(b * S + s) * D + 2 * i + 1] += std::cos(ang);
                          }
                      return y;
                    });
  testing::check_op("positional_encoding_learned", a, {Shape{B, S, D}},
                    [=](const std::vector<Vec>& in, const std::vector<Vec>& p) {
                      Vec y = in[0];
                      for (int64_t i = 0; i < B * S * D; ++i) y[i] += p[0][i % (S * D)];
                      return y;
                    });
}

// The transformer residual is ops/layers' "add"; the sequence ops rely on it
// taking two [B, S, D] inputs.
TEST(ResidualAdd, LayersAddCoversSequenceShapes) {
  OpAttrs a;
  testing::check_op("add", a, {Shape{2, 3, 4}, Shape{2, 3, 4}},
                    [](const std::vector<Vec>& in, const std::vector<Vec>&) {
                      Vec y = in[0];
                      for (size_t i = 0; i < y.size(); ++i) y[i] += in[1][i];
                      return y;
                    });
}

}  // namespace
}  // namespace nas::ops
