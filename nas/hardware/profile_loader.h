// Reads a device profile YAML (docs/hardware_profiles.md) into a
// HardwareProfile. Every problem of the file (unknown keys with
// did-you-mean, types, ranges, a bad or missing LUT) is reported as
// file:line:col; nullopt when there was any. Never throws.
#pragma once

#include <filesystem>
#include <optional>

#include "nas/config/diagnostics.h"
#include "nas/hardware/hardware_profile.h"

namespace nas::hardware {

std::optional<HardwareProfile> load_hardware_profile(const std::filesystem::path& path,
                                                     config::Diagnostics& diagnostics);

// The YAML text of a profile, in the schema load_hardware_profile reads
// (nas profile writes the measured host profile with it); loading the text
// gives back an equal profile. `profile.source` is where the text will be
// saved: `lut` is written relative to its folder when it lies inside it.
std::string write_hardware_profile(const HardwareProfile& profile);

}  // namespace nas::hardware
