// The benchmark's floor: dumps the conntrack table with the request the exporter
// sends and the same receive buffer, and only counts the entries. Anything the
// exporter spends beyond this is its own cost. Read-only.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#define BUFFER_SIZE (64 * 1024)  // as the exporter's CCT_BUFFER_SIZE

static int count_entry(const struct nlmsghdr *nlh, void *data) {
    (void)nlh;
    (*(long *)data)++;
    return MNL_CB_OK;
}

static double seconds(struct timespec from, struct timespec to) {
    return (double)(to.tv_sec - from.tv_sec) + (double)(to.tv_nsec - from.tv_nsec) / 1e9;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    static char buffer[BUFFER_SIZE];
    struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
    if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        perror("netlink socket");
        return 1;
    }
    unsigned portid = mnl_socket_get_portid(nl);
    for (int round = 0; round < rounds; round++) {
        struct timespec start, end, cpu_start, cpu_end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_start);
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buffer);
        nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        nlh->nlmsg_seq = (unsigned)round + 1;
        struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
        nfg->nfgen_family = AF_UNSPEC;
        nfg->version = NFNETLINK_V0;
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
            perror("send");
            return 1;
        }
        long entries = 0;
        int ret;
        do {
            ssize_t n = mnl_socket_recvfrom(nl, buffer, sizeof(buffer));
            if (n < 0) {
                if (errno == EINTR) { ret = MNL_CB_OK; continue; }
                perror("recv");
                return 1;
            }
            ret = mnl_cb_run(buffer, (size_t)n, (unsigned)round + 1, portid, count_entry, &entries);
        } while (ret > MNL_CB_STOP);
        if (ret < 0) {
            perror("dump");
            return 1;
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
