// What the build knows about itself, for conntrack_exporter_build_info.
#ifndef CBUILDINFO_H
#define CBUILDINFO_H

/// The git revision this binary was built from, or "unknown".
const char *cbi_revision(void);

#endif
