// A thin C layer over c-ares (the system's libc-ares) for reverse DNS with forward
// confirmation. Every function is prefixed `cres_`. A resolver is used from one thread only:
// start lookups, then poll the descriptors cres_poll_fds gives and call cres_process; the
// callbacks run inside cres_process. Nothing here parses DNS messages: c-ares does.
#ifndef CRESOLVER_H
#define CRESOLVER_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

/// How a lookup ended.
enum cres_status {
    CRES_FOUND = 0,
    /// The name or address has no record (NXDOMAIN, or no data of that type).
    CRES_NOT_FOUND = 1,
    /// The server failed or refused (SERVFAIL, REFUSED, no server reachable).
    CRES_SERVER_FAILURE = 2,
    CRES_TIMEOUT = 3,
    /// The answer was malformed or held a name c-ares would not return.
    CRES_BAD_ANSWER = 4,
    CRES_OTHER = 5,
};

typedef struct cres_resolver cres_resolver;

/// Called with the PTR name of an address (NULL unless CRES_FOUND).
typedef void (*cres_name_callback)(void *context, int status, const char *name);
/// Called with the addresses a name has (4 or 16 bytes each, `count` of them) and the smallest
/// TTL among them in seconds (-1 when none was given).
typedef void (*cres_addresses_callback)(void *context, int status, const uint8_t *addresses, const int *families,
                                        int count, int ttl);

/// Makes a resolver from /etc/resolv.conf (as `ip netns exec` shows it), waiting `timeout_ms`
/// per try, `tries` tries. NULL on failure, with the c-ares status in `*error`.
cres_resolver *cres_open(int timeout_ms, int tries, int *error);
void cres_close(cres_resolver *resolver);

/// Starts the reverse lookup of `address` (family AF_INET or AF_INET6, 4 or 16 bytes): a PTR query.
void cres_lookup_name(cres_resolver *resolver, const uint8_t *address, int family, cres_name_callback callback,
                      void *context);
/// Starts the forward lookup (A and AAAA) of `name`, as an absolute name: the channel uses no
/// search domain.
void cres_lookup_addresses(cres_resolver *resolver, const char *name, cres_addresses_callback callback, void *context);

/// Fills `fds` (room for `capacity`) with what to poll; returns how many, and in `*timeout_ms`
/// how long to wait at most (-1: nothing pending).
int cres_poll_fds(cres_resolver *resolver, struct pollfd *fds, int capacity, int *timeout_ms);
/// Handles what poll found in `fds` (and timeouts); runs the callbacks of lookups that ended.
void cres_process(cres_resolver *resolver, const struct pollfd *fds, int count);

/// The c-ares version string.
const char *cres_version(void);

#endif
