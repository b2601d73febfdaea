#pragma once

#include <string>
#include <vector>

namespace nas {

// Levenshtein distance between a and b.
int edit_distance(const std::string& a, const std::string& b);

// The candidate closest to `word` when it is a plausible typo (distance at
// most max(1, word.size()/3)); empty otherwise.
std::string closest_name(const std::string& word, const std::vector<std::string>& candidates);

// "a, b, c"
std::string join_names(const std::vector<std::string>& names);

}  // namespace nas
