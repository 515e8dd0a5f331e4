// libFuzzer target: netlink buffers as a dump or the event socket would receive them,
// through the same parser the exporter runs on every entry.
#include <stddef.h>
#include <stdint.h>
#include "cconntrack.h"

static void ignore(const cct_entry *entry, void *context) {
    (void)entry;
    (void)context;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cct_parse_messages(data, size, 0, ignore, NULL);
    cct_parse_messages(data, size, 1, ignore, NULL);
    return 0;
}
