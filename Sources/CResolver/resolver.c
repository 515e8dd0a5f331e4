#include "cresolver.h"

#include <ares.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netdb.h>
#include <netinet/in.h>

struct cres_resolver {
    ares_channel channel;
};

static int status_of(int code) {
    switch (code) {
    case ARES_SUCCESS: return CRES_FOUND;
    case ARES_ENOTFOUND: case ARES_ENODATA: case ARES_ENONAME: return CRES_NOT_FOUND;
    case ARES_ESERVFAIL: case ARES_EREFUSED: case ARES_ECONNREFUSED: return CRES_SERVER_FAILURE;
    case ARES_ETIMEOUT: return CRES_TIMEOUT;
    case ARES_EBADRESP: case ARES_EBADNAME: case ARES_EFORMERR: return CRES_BAD_ANSWER;
    default: return CRES_OTHER;
    }
}

cres_resolver *cres_open(int timeout_ms, int tries, int *error) {
    static int initialized = 0;
    if (!initialized) {
        int code = ares_library_init(ARES_LIB_INIT_ALL);
        if (code != ARES_SUCCESS) { *error = code; return NULL; }
        initialized = 1;
    }
    cres_resolver *resolver = calloc(1, sizeof(*resolver));
    if (resolver == NULL) { *error = ARES_ENOMEM; return NULL; }
    struct ares_options options;
    memset(&options, 0, sizeof(options));
    options.timeout = timeout_ms;
    options.tries = tries;
    // DNS only: the point is the names the network gives addresses, not this machine's hosts file.
    options.lookups = "b";
    int code = ares_init_options(&resolver->channel, &options, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
    if (code != ARES_SUCCESS) {
        free(resolver);
        *error = code;
        return NULL;
    }
    return resolver;
}

void cres_close(cres_resolver *resolver) {
    if (resolver == NULL) return;
    ares_destroy(resolver->channel);
    free(resolver);
}

struct name_request {
    cres_name_callback callback;
    void *context;
    uint8_t address[16];
    int family;
};

// A PTR query rather than ares_gethostbyaddr, which reports every failure (a timeout, a
// server failure) as ARES_ENOTFOUND once it has no other lookup method to try.
static void name_done(void *argument, int status, int timeouts, unsigned char *answer, int length) {
    (void)timeouts;
    struct name_request *request = argument;
    struct hostent *host = NULL;
    if (status == ARES_SUCCESS) {
        status = ares_parse_ptr_reply(answer, length, request->address, request->family == AF_INET6 ? 16 : 4,
                                      request->family, &host);
    }
    int result = status_of(status);
    const char *name = result == CRES_FOUND && host != NULL ? host->h_name : NULL;
    if (result == CRES_FOUND && name == NULL) result = CRES_NOT_FOUND;
    request->callback(request->context, result, name);
    if (host != NULL) ares_free_hostent(host);
    free(request);
}

void cres_lookup_name(cres_resolver *resolver, const uint8_t *address, int family, cres_name_callback callback,
                      void *context) {
    struct name_request *request = malloc(sizeof(*request));
    if (request == NULL) { callback(context, CRES_OTHER, NULL); return; }
    request->callback = callback;
    request->context = context;
    request->family = family;
    memcpy(request->address, address, family == AF_INET6 ? 16 : 4);
    // The reverse zone's name: 7.0.18.198.in-addr.arpa, or the 32 nibbles of an IPv6 address, last first.
    char name[80];
    int used = 0;
    if (family == AF_INET6) {
        static const char digits[] = "0123456789abcdef";
        for (int i = 15; i >= 0; i--) {
            name[used++] = digits[address[i] & 0xf];
            name[used++] = '.';
            name[used++] = digits[address[i] >> 4];
            name[used++] = '.';
        }
        memcpy(name + used, "ip6.arpa", sizeof("ip6.arpa"));
    } else {
        snprintf(name, sizeof(name), "%u.%u.%u.%u.in-addr.arpa", address[3], address[2], address[1], address[0]);
    }
    ares_query(resolver->channel, name, 1 /* IN */, 12 /* PTR */, name_done, request);
}

struct addresses_request {
    cres_addresses_callback callback;
    void *context;
};

static void addresses_done(void *argument, int status, int timeouts, struct ares_addrinfo *result) {
    (void)timeouts;
    struct addresses_request *request = argument;
    int code = status_of(status);
    int count = 0, ttl = -1;
    uint8_t *addresses = NULL;
    int *families = NULL;
    if (code == CRES_FOUND && result != NULL) {
        for (struct ares_addrinfo_node *node = result->nodes; node != NULL; node = node->ai_next) count++;
        addresses = calloc(count ? count : 1, 16);
        families = calloc(count ? count : 1, sizeof(int));
        count = 0;
        for (struct ares_addrinfo_node *node = result->nodes; addresses && families && node != NULL; node = node->ai_next) {
            if (node->ai_family == AF_INET) {
                memcpy(addresses + 16 * count, &((struct sockaddr_in *)node->ai_addr)->sin_addr, 4);
            } else if (node->ai_family == AF_INET6) {
                memcpy(addresses + 16 * count, &((struct sockaddr_in6 *)node->ai_addr)->sin6_addr, 16);
            } else {
                continue;
            }
            families[count++] = node->ai_family;
            if (ttl < 0 || node->ai_ttl < ttl) ttl = node->ai_ttl;
        }
    }
    request->callback(request->context, code, addresses, families, count, ttl);
    free(addresses);
    free(families);
    if (result != NULL) ares_freeaddrinfo(result);
    free(request);
}

void cres_lookup_addresses(cres_resolver *resolver, const char *name, cres_addresses_callback callback, void *context) {
    struct addresses_request *request = malloc(sizeof(*request));
    if (request == NULL) { callback(context, CRES_OTHER, NULL, NULL, 0, -1); return; }
    request->callback = callback;
    request->context = context;
    struct ares_addrinfo_hints hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_flags = ARES_AI_NOSORT;
    // Asked as an absolute name (a trailing dot): a PTR name must be confirmed by its own
    // records, never by NAME.<search domain> from resolv.conf.
    char absolute[256];  // a DNS name is at most 253 characters, its trailing dot and NUL
    int written = snprintf(absolute, sizeof(absolute), "%s.", name);
    if (written < 2 || (size_t)written >= sizeof(absolute)) {
        free(request);
        callback(context, CRES_BAD_ANSWER, NULL, NULL, 0, -1);
        return;
    }
    ares_getaddrinfo(resolver->channel, absolute, NULL, &hints, addresses_done, request);
}

int cres_poll_fds(cres_resolver *resolver, struct pollfd *fds, int capacity, int *timeout_ms) {
    ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
    int bits = ares_getsock(resolver->channel, sockets, ARES_GETSOCK_MAXNUM);
    int count = 0;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM && count < capacity; i++) {
        short events = 0;
        if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
        if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
        if (events == 0) continue;
        fds[count].fd = sockets[i];
        fds[count].events = events;
        fds[count].revents = 0;
        count++;
    }
    struct timeval wait, *next = ares_timeout(resolver->channel, NULL, &wait);
    *timeout_ms = next == NULL ? -1 : (int)(next->tv_sec * 1000 + next->tv_usec / 1000) + 1;
    return count;
}

void cres_process(cres_resolver *resolver, const struct pollfd *fds, int count) {
    int any = 0;
    for (int i = 0; i < count; i++) {
        if (fds[i].revents == 0) continue;
        any = 1;
        ares_socket_t read = fds[i].revents & (POLLIN | POLLERR | POLLHUP) ? fds[i].fd : ARES_SOCKET_BAD;
        ares_socket_t write = fds[i].revents & POLLOUT ? fds[i].fd : ARES_SOCKET_BAD;
        ares_process_fd(resolver->channel, read, write);
    }
    // Nothing ready: let c-ares handle its timeouts.
    if (!any) ares_process_fd(resolver->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

const char *cres_version(void) {
    return ares_version(NULL);
}
