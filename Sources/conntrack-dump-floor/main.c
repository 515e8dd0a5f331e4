// The benchmark's floor: dumps the conntrack table with the request the exporter
// sends and the same receive buffer, and only counts the entries. Anything the
// exporter spends beyond this is its own cost. Read-only.
//
// Usage: conntrack-dump-floor [ROUNDS] [tcp]. With `tcp`, each round is the exporter's
// filtered read: one dump per address family that the kernel filters to TCP entries.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include "cconntrack.h"

#define BUFFER_SIZE (64 * 1024)  // as the exporter's CCT_BUFFER_SIZE

static int count_entry(const struct nlmsghdr *nlh, void *data) {
    (void)nlh;
    (*(long *)data)++;
    return MNL_CB_OK;
}

static double seconds(struct timespec from, struct timespec to) {
    return (double)(to.tv_sec - from.tv_sec) + (double)(to.tv_nsec - from.tv_nsec) / 1e9;
}

// Sends the exporter's dump request and counts the entries of the reply.
static long dump(struct mnl_socket *nl, char *buffer, uint8_t family, int tcp_only, unsigned seq) {
    size_t length = cct_dump_request(buffer, BUFFER_SIZE, family, tcp_only, seq);
    if (mnl_socket_sendto(nl, buffer, length) < 0) {
        perror("send");
        exit(1);
    }
    unsigned portid = mnl_socket_get_portid(nl);
    long entries = 0;
    int ret;
    do {
        ssize_t n = mnl_socket_recvfrom(nl, buffer, BUFFER_SIZE);
        if (n < 0) {
            if (errno == EINTR) { ret = MNL_CB_OK; continue; }
            perror("recv");
            exit(1);
        }
        ret = mnl_cb_run(buffer, (size_t)n, seq, portid, count_entry, &entries);
    } while (ret > MNL_CB_STOP);
    if (ret < 0) {
        perror("dump");
        exit(1);
    }
    return entries;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    int tcp_only = argc > 2 && strcmp(argv[2], "tcp") == 0;
    static char buffer[BUFFER_SIZE];
    struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
    if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        perror("netlink socket");
        return 1;
    }
    unsigned seq = 0;
    for (int round = 0; round < rounds; round++) {
        struct timespec start, end, cpu_start, cpu_end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_start);
        long entries = 0;
        if (tcp_only) {
            entries += dump(nl, buffer, CCT_AF_INET, 1, ++seq);
            entries += dump(nl, buffer, CCT_AF_INET6, 1, ++seq);
        } else {
            entries = dump(nl, buffer, 0, 0, ++seq);
        }
        clock_gettime(CLOCK_MONOTONIC, &end);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_end);
        // Entries, wall seconds, and CPU seconds (user + system: the kernel builds the dump
        // in this process's recvmsg calls).
        printf("%ld %.6f %.6f\n", entries, seconds(start, end), seconds(cpu_start, cpu_end));
    }
    mnl_socket_close(nl);
    return 0;
}
