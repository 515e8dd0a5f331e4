// Shared between the C files of this module; not part of its interface.
#ifndef CCONNTRACK_INTERNAL_H
#define CCONNTRACK_INTERNAL_H

#include "cconntrack.h"

#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

// A dump fills one buffer of up to ~32 KiB per recvmsg; a larger buffer never truncates.
#define CCT_BUFFER_SIZE (64 * 1024)

// Buffers a dump's receiving thread may fill ahead of the parsing one, and how many
// the parser waits for before it wakes (fewer at the end of a dump). Batches of 8, not
// 4: 2% less scrape CPU at 250,000 entries, for 512 KiB more buffers.
#define CCT_PIPELINE_DEPTH 16
#define CCT_PIPELINE_BATCH 8

struct cct_socket {
    struct mnl_socket *nl;
    uint32_t portid;
    uint32_t seq;
    unsigned groups;
    char buffer[CCT_BUFFER_SIZE];
    char *pipeline[CCT_PIPELINE_DEPTH];  // allocated by the first pipelined dump
    uint64_t rejected;                   // messages dropped: not sent by the kernel
};

/// Whether a datagram's sender, as recvmsg filled it in (`length` bytes), is the kernel (port id 0).
static inline int cct_sent_by_kernel(const struct sockaddr_nl *sender, socklen_t length) {
    return length == sizeof(*sender) && sender->nl_pid == 0;
}

/// Receives one datagram into `buffer` like recv(2), blocking unless `flags` say otherwise,
/// and drops (and counts) those not sent by the kernel (port id 0): any process of the
/// namespace may send to a netlink socket's port id. Returns the length, or -1 and errno.
ssize_t cct_receive_from_kernel(cct_socket *s, void *buffer, size_t size, int flags);

/// Sends one request of `type` (IPCTNL_MSG_*) with `flags` for `family` and runs
/// `callback` over every reply until the kernel ends it (DONE, or the ACK that
/// NLM_F_ACK asks for). 0 or -1 and errno; a failure reconnects the socket.
int cct_request(cct_socket *s, uint8_t type, uint16_t flags, uint8_t family, mnl_cb_t callback, void *data);

/// Opens (or reopens) the socket's netlink connection, joining `s->groups`.
int cct_connect(cct_socket *s);

/// Receives the replies to the request just sent like `cct_receive`, but on a second
/// thread while this one runs `callback`, so parsing overlaps the kernel filling the next
/// buffers. Same results as `cct_receive`.
int cct_receive_pipelined(cct_socket *s, mnl_cb_t callback, void *data);

/// Sends a request of `type` with `flags` for `family`. 0 or -1 and errno.
int cct_send_request(cct_socket *s, uint8_t type, uint16_t flags, uint8_t family);

/// Sends the `length` bytes of request already built in `s->buffer`. 0 or -1 and errno.
int cct_send(cct_socket *s, size_t length);

/// Writes a request header (nlmsghdr + nfgenmsg) at `buffer`; returns its length.
size_t cct_put_request(void *buffer, uint8_t type, uint16_t flags, uint8_t family, uint32_t seq);

/// Receives the replies to the request just sent and runs `callback` over them, on
/// this thread. 0 or -1 and errno.
int cct_receive(cct_socket *s, mnl_cb_t callback, void *data);

/// Closes the netlink connection after a failed exchange, whose remaining replies would
/// break the next one, and opens a fresh one. Returns -1 with errno preserved.
int cct_fail_and_reconnect(cct_socket *s);

/// State for parse_entry callbacks.
struct cct_parse_state {
    cct_entry_callback callback;
    void *context;
    int events;   // parse reply tuples and timestamps, and tell NEW from DESTROY
};

// Attaches the event socket's filter to `fd`: TCP only, and UPDATE only where the state moves
// an entry to another count. 0 or -1 and errno.
int cct_attach_event_filter(int fd);

/// An mnl callback parsing one conntrack message into a cct_entry.
int cct_parse_entry(const struct nlmsghdr *nlh, void *data);

/// Runs `callback` over a buffer of messages, failing with EBADMSG on a truncated one.
/// Returns 1 when the kernel ended the exchange, 0 when more messages follow, -1 and errno.
int cct_run_callbacks(const void *buffer, size_t length, uint32_t seq, uint32_t portid, mnl_cb_t callback, void *data);

#endif
