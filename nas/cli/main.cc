#include <cstdio>
#include "nas/util/version.h"
int main() { std::printf("nas %s\n", nas::version_string()); }
