// Creates conntrack entries. Only the test fill tool links this, and only inside a
// test's own network namespace: the exporter never writes the kernel's table.
#ifndef CCONNTRACK_WRITER_H
#define CCONNTRACK_WRITER_H

#include <cconntrack.h>

typedef struct cct_writer cct_writer;

/// Opens a libnetfilter_conntrack handle. NULL and errno on failure.
cct_writer *cct_writer_open(void);
void cct_writer_close(cct_writer *writer);

/// Creates `entry` (original direction; the reply tuple is its inverse) with the
/// IPS_* `status` bits and a timeout in seconds. 0, or -1 and errno (EEXIST for a
/// tuple already in the table).
int cct_writer_create(cct_writer *writer, const cct_entry *entry, uint32_t status, uint32_t timeout);

#endif
