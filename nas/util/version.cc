#include "nas/util/version.h"
namespace nas {
const char* version_string() { return "0.1.0"; }
}  // namespace nas
