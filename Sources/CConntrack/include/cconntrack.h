// A thin C layer over libmnl and libnetfilter_conntrack for the Swift exporter.
// Every function is prefixed `cct_`. Functions that can fail return -1 (or NULL)
// and leave the reason in errno, so Swift turns errno into one typed error.
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

/// One conntrack entry, reduced to what the exporter reads. Addresses are in
/// network byte order (IPv4 in the first four bytes), ports in host order,
/// all of the original direction.
typedef struct cct_entry {
    uint8_t family;
    uint8_t l4proto;
    uint8_t tcp_state;   // TCP_CONNTRACK_* or CCT_TCP_STATE_NONE
    uint8_t padding;
    uint32_t status;     // IPS_* bits
    uint16_t src_port;
    uint16_t dst_port;
    uint8_t src[16];
    uint8_t dst[16];
} cct_entry;

/// Called once per parsed entry; `context` is the caller's.
typedef void (*cct_entry_callback)(const cct_entry *entry, void *context);

/// A netlink socket for reading the conntrack table (opaque).
typedef struct cct_socket cct_socket;

/// Opens a NETLINK_NETFILTER socket. NULL and errno on failure.
cct_socket *cct_socket_open(void);
void cct_socket_close(cct_socket *socket);

/// Dumps the table of `family` (0 = every family) and calls `callback` for
/// every entry. 0 on success, -1 and errno on failure (EPERM without
/// CAP_NET_ADMIN).
int cct_dump(cct_socket *socket, uint8_t family, cct_entry_callback callback, void *context);

/// Parses a buffer of netlink messages as `cct_dump` receives it (used by tests
/// with recorded messages). Returns 0 when the buffer ended, 1 when a DONE
/// message ended the dump, -1 and errno on a malformed or error message.
int cct_parse_messages(const void *buffer, size_t length, cct_entry_callback callback, void *context);

/// The git revision this binary was built from, or "unknown".
const char *cct_revision(void);

#endif
