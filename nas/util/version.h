#pragma once
namespace nas {
// "nas 0.1.0"-style version string of this build.
const char* version_string();
}  // namespace nas
