// Operations every strategy uses, defined once over a space's decisions.
// All randomness comes from the caller's Rng, so runs are reproducible.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "nas/space/space.h"
#include "nas/train/rng.h"

namespace nas::space {

// Every decision uniformly at random.
Genotype sample_uniform(const Space& space, train::Rng& rng);

// `k` distinct decisions (with at least two choices) each changed to a
// different choice, uniformly. k is capped at the number of such decisions.
Genotype mutate(const Space& space, const Genotype& parent, int k, train::Rng& rng);

// Uniform crossover: each decision from either parent with probability 1/2.
// REQUIRES: both valid for the same space.
Genotype crossover(const Genotype& a, const Genotype& b, train::Rng& rng);

// Calls visit(g) for every genotype in lexicographic order until it returns
// false or `limit` genotypes were visited; returns how many were visited.
int64_t enumerate(const Space& space, int64_t limit, const std::function<bool(const Genotype&)>& visit);

// The number of genotypes (the product of the choice counts), exactly, as a
// decimal string, and its log10.
std::string space_size(const Space& space);
double space_size_log10(const Space& space);

// A 64-bit hash of a genotype (FNV-1a over its indices): equal genotypes,
// equal hashes; stable across runs and platforms.
uint64_t genotype_hash(const Genotype& g);

}  // namespace nas::space
