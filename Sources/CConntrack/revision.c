#include "cconntrack.h"

// CCT_REVISION is defined by Package.swift from the git checkout it builds.
const char *cct_revision(void) {
    return CCT_REVISION;
}
