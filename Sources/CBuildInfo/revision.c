#include "cbuildinfo.h"

// CBI_REVISION is defined by Package.swift from the git checkout it builds.
const char *cbi_revision(void) {
    return CBI_REVISION;
}
