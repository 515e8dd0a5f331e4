// A thin C layer over libmnl and libnetfilter_conntrack for the Swift exporter.
// Every function is prefixed `cct_`. Functions that can fail return -1 (or NULL)
// and leave the reason in errno, so Swift turns errno into one typed error.
// Nothing here creates, changes or deletes a conntrack entry.
#ifndef CCONNTRACK_H
#define CCONNTRACK_H

#include <stddef.h>
#include <stdint.h>

/// Address family values as the kernel sends them (AF_INET, AF_INET6).
enum { CCT_AF_INET = 2, CCT_AF_INET6 = 10 };
/// Layer-4 protocol numbers the exporter cares about.
enum { CCT_PROTO_TCP = 6, CCT_PROTO_UDP = 17 };
/// `tcp_state` when the message carried no TCP state.
enum { CCT_TCP_STATE_NONE = 0xff };
/// `timeout` when the message carried no CTA_TIMEOUT.
enum { CCT_TIMEOUT_NONE = 0xffffffffu };
/// IP_CT_TCP_FLAG_* bits: this direction sent the first FIN; it has data not yet acknowledged.
enum { CCT_TCP_FLAG_CLOSE_INIT = 0x04, CCT_TCP_FLAG_DATA_UNACKNOWLEDGED = 0x10 };
/// What kind of message an entry came from.
/// UPDATE: a state (or status) change of an existing entry; it carries the new state only.
enum { CCT_MESSAGE_DUMP = 0, CCT_MESSAGE_NEW = 1, CCT_MESSAGE_DESTROY = 2, CCT_MESSAGE_UPDATE = 3 };

/// One direction of a connection. Addresses in network byte order (IPv4 in the
/// first four bytes, the rest zero), ports in host order.
typedef struct cct_tuple {
    uint8_t src[16];
    uint8_t dst[16];
    uint16_t src_port;
    uint16_t dst_port;
} cct_tuple;

/// One conntrack entry, reduced to what the exporter reads.
typedef struct cct_entry {
    uint8_t family;
    uint8_t l4proto;
    uint8_t tcp_state;   // TCP_CONNTRACK_* or CCT_TCP_STATE_NONE
    uint8_t message;     // CCT_MESSAGE_*
    uint32_t status;     // IPS_* bits
    cct_tuple original;
    /// Only filled for events (dumps skip it to stay cheap).
    cct_tuple reply;
    /// CTA_TIMESTAMP_START in nanoseconds of the real-time clock, 0 when absent
    /// (nf_conntrack_timestamp off). The stop time is not read: it is when the entry was
    /// deleted, after the kernel's linger, never when the connection closed.
    uint64_t start_ns;
    /// CTA_TIMEOUT: seconds until the entry expires, CCT_TIMEOUT_NONE when absent (a DESTROY
    /// event carries it only when the entry was removed before it expired).
    uint32_t timeout;
    /// IP_CT_TCP_FLAG_* bits the kernel has seen in each direction
    /// (CTA_PROTOINFO_TCP_FLAGS_ORIGINAL / _REPLY), 0 when absent.
    uint8_t tcp_flags_original;
    uint8_t tcp_flags_reply;
    /// CTA_COUNTERS_ORIG / _REPLY (net.netfilter.nf_conntrack_acct on when the entry was
    /// created): packets and bytes of each direction, headers included.
    uint64_t packets_original;
    uint64_t bytes_original;
    uint64_t packets_reply;
    uint64_t bytes_reply;
    /// 1 when the message carried counters, 0 otherwise (accounting off, or switched on
    /// after the entry was created).
    uint8_t has_counters;
    /// CTA_ID: the same in every dump and event of one entry's life; 0 when absent.
    uint32_t id;
    /// The netlink message the entry came from, valid during the callback only.
    const void *netlink_message;
    /// A dump message's CTA_TUPLE_REPLY, left unparsed (most entries never need it): read
    /// it with cct_entry_reply. Valid during the callback only; NULL in events (see `reply`).
    const void *reply_attribute;
} cct_entry;

/// The reply tuple of `entry`: parsed from a dump's attribute, or the event's own. 0, or -1
/// when the message had none or it was malformed (errno EBADMSG).
int cct_entry_reply(const cct_entry *entry, cct_tuple *reply);

/// Called once per parsed entry; `context` is the caller's.
typedef void (*cct_entry_callback)(const cct_entry *entry, void *context);

/// A netlink socket for the conntrack subsystem (opaque).
typedef struct cct_socket cct_socket;

/// Opens a NETLINK_NETFILTER socket for requests. NULL and errno on failure.
cct_socket *cct_socket_open(void);
void cct_socket_close(cct_socket *socket);

/// Dumps the table of `family` (0 = every family) and calls `callback` for
/// every entry. 0 on success, -1 and errno on failure (EPERM without
/// CAP_NET_ADMIN). After a failure the next call starts on a fresh socket.
/// With `tcp_only` the request carries CTA_FILTER so the kernel sends TCP entries
/// only: `family` must then be CCT_AF_INET or CCT_AF_INET6 (the kernel refuses a
/// filter for every family), and kernels before 5.8 ignore the filter (other
/// protocols come back) or refuse it.
int cct_dump(cct_socket *socket, uint8_t family, int tcp_only, cct_entry_callback callback, void *context);
/// A dump receives on a thread of its own while the calling thread parses, and the kernel
/// does most of a dump's work in that receiver: the CPU nanoseconds the receivers of the
/// calling thread's dumps used, summed over the thread's life. Added to the thread's own
/// CPU time, it is what the thread's dumps cost.
uint64_t cct_dump_helper_cpu_ns(void);

/// The room a dump request needs.
enum { CCT_DUMP_REQUEST_SIZE = 128 };
/// Writes the dump request `cct_dump` sends into `buffer` (at least
/// CCT_DUMP_REQUEST_SIZE bytes); returns its length, 0 when `size` is too small.
/// For the benchmark's floor, which must send the same request.
size_t cct_dump_request(void *buffer, size_t size, uint8_t family, int tcp_only, uint32_t seq);

/// Parses a buffer of netlink messages as a dump (`events` 0) or the event socket
/// (`events` 1) receives it; tests feed recorded messages. Returns 0 when the
/// buffer ended, 1 when a DONE message ended a dump, -1 and errno on a malformed
/// or error message.
int cct_parse_messages(const void *buffer, size_t length, int events, cct_entry_callback callback, void *context);

/// Per-CPU statistics in the order of enum ctattr_stats_cpu: found, invalid,
/// insert, insert_failed, drop, early_drop, error, search_restart,
/// clash_resolve, chaintoolong. 32-bit values that wrap.
enum { CCT_CPU_STAT_COUNT = 10 };
typedef struct cct_cpu_stats {
    uint16_t cpu;
    uint32_t values[CCT_CPU_STAT_COUNT];
} cct_cpu_stats;
typedef void (*cct_cpu_stats_callback)(const cct_cpu_stats *stats, void *context);

/// Reads every CPU's statistics (IPCTNL_MSG_CT_GET_STATS_CPU). 0 or -1 and errno.
int cct_cpu_stats_read(cct_socket *socket, cct_cpu_stats_callback callback, void *context);
/// Reads the entry count and the table's limit (IPCTNL_MSG_CT_GET_STATS). 0 or -1 and errno.
int cct_table_size_read(cct_socket *socket, uint32_t *entries, uint32_t *limit);

/// Opens a socket subscribed to NEW and DESTROY events (and UPDATE with `with_updates`)
/// with an in-kernel filter that drops all but TCP, and a receive buffer of `buffer_bytes`
/// (forced past rmem_max when the process has CAP_NET_ADMIN). NULL and errno on failure.
/// The filter also drops the UPDATE events that move no count: those without a TCP state
/// (a mark, a status bit), those into CLOSE_WAIT or LAST_ACK, which the kernel reaches only
/// from FIN_WAIT, CLOSE_WAIT or LAST_ACK (half-closed, whoever closed first marked at
/// FIN_WAIT), and those into SYN_RECV of an entry not assured (a handshake's, after SYN_SENT).
/// A table kept from events therefore counts SYN_RECV as SYN_SENT, CLOSE_WAIT and LAST_ACK
/// as FIN_WAIT.
cct_socket *cct_events_open(int buffer_bytes, int with_updates);
/// Joins (`on` non-zero) or leaves the UPDATE events' group on an open event socket, so a
/// table kept from events can start and stop without a new socket. 0 or -1 and errno.
int cct_events_set_updates(cct_socket *socket, int on);
/// The receive buffer the kernel granted, in bytes (it doubles what was asked).
int cct_events_buffer_size(cct_socket *socket);
/// Asks for a new receive buffer size. 0 or -1 and errno.
int cct_events_set_buffer_size(cct_socket *socket, int buffer_bytes);
/// The socket's descriptor, for poll(2).
int cct_socket_fd(cct_socket *socket);
/// Receives what is queued (without blocking) and calls `callback` per event.
/// Returns the number of messages read (0: nothing queued), or -1 and errno:
/// ENOBUFS when events were lost because the buffer overflowed.
int cct_events_receive(cct_socket *socket, cct_entry_callback callback, void *context);

/// Messages the socket dropped since it was opened because they did not come from the
/// kernel (another process sent them to its port id).
uint64_t cct_socket_rejected(cct_socket *socket);

/// Formats the entry of a NEW or DESTROY message as conntrack -E prints it,
/// e.g. "[NEW] tcp 6 120 SYN_SENT src=... dst=...". Returns the length written
/// (truncated to `size`), or -1 and errno.
int cct_format_event(const void *netlink_message, char *buffer, size_t size);

#endif
