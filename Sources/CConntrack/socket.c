#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

int cct_connect(cct_socket *s) {
    s->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
    if (s->nl == NULL) return -1;
    if (mnl_socket_bind(s->nl, s->groups, MNL_SOCKET_AUTOPID) < 0) {
        int saved = errno;
        mnl_socket_close(s->nl);
        s->nl = NULL;
        errno = saved;
        return -1;
    }
    s->portid = mnl_socket_get_portid(s->nl);
    return 0;
}

cct_socket *cct_socket_open(void) {
    cct_socket *s = calloc(1, sizeof(*s));
    if (s == NULL) return NULL;
    if (cct_connect(s) < 0) {
        int saved = errno;
        free(s);
        errno = saved;
        return NULL;
    }
    s->seq = (uint32_t)time(NULL);
    return s;
}

void cct_socket_close(cct_socket *s) {
    if (s == NULL) return;
    if (s->nl != NULL) mnl_socket_close(s->nl);
    for (int i = 0; i < CCT_PIPELINE_DEPTH; i++) free(s->pipeline[i]);
    free(s);
}

int cct_socket_fd(cct_socket *s) {
    return mnl_socket_get_fd(s->nl);
}

uint64_t cct_socket_rejected(cct_socket *s) {
    return __atomic_load_n(&s->rejected, __ATOMIC_RELAXED);
}

ssize_t cct_receive_from_kernel(cct_socket *s, void *buffer, size_t size, int flags) {
    for (;;) {
        struct sockaddr_nl sender;
        socklen_t length = sizeof(sender);
        ssize_t n = recvfrom(mnl_socket_get_fd(s->nl), buffer, size, flags, (struct sockaddr *)&sender, &length);
        if (n < 0 || cct_sent_by_kernel(&sender, length)) return n;
        __atomic_fetch_add(&s->rejected, 1, __ATOMIC_RELAXED);
    }
}

int cct_fail_and_reconnect(cct_socket *s) {
    int saved = errno;
    mnl_socket_close(s->nl);
    s->nl = NULL;
    cct_connect(s);
    errno = saved;
    return -1;
}

int cct_run_callbacks(const void *buffer, size_t length, uint32_t seq, uint32_t portid, mnl_cb_t callback, void *data) {
    // libmnl stops quietly at a truncated message, and its length check casts nlmsg_len to
    // int, so a length above INT_MAX passes and walks out of the buffer. Check every
    // header here, in size_t, before libmnl reads any.
    for (size_t offset = 0; offset < length;) {
        const struct nlmsghdr *nlh = (const struct nlmsghdr *)((const char *)buffer + offset);
        if (length - offset < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > length - offset) {
            errno = EBADMSG;
            return -1;
        }
        offset += NLMSG_ALIGN(nlh->nlmsg_len) < length - offset ? NLMSG_ALIGN(nlh->nlmsg_len) : length - offset;
    }
    int ret = mnl_cb_run(buffer, length, seq, portid, callback, data);
    if (ret == MNL_CB_ERROR) return -1;
    return ret == MNL_CB_STOP ? 1 : 0;
}

size_t cct_put_request(void *buffer, uint8_t type, uint16_t flags, uint8_t family, uint32_t seq) {
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buffer);
    nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
    nlh->nlmsg_seq = seq;
    struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
    nfg->nfgen_family = family;
    nfg->version = NFNETLINK_V0;
    nfg->res_id = 0;
    return nlh->nlmsg_len;
}

int cct_send(cct_socket *s, size_t length) {
    if (s->nl == NULL && cct_connect(s) < 0) return -1;
    if (mnl_socket_sendto(s->nl, s->buffer, length) < 0) return cct_fail_and_reconnect(s);
    return 0;
}

int cct_send_request(cct_socket *s, uint8_t type, uint16_t flags, uint8_t family) {
    return cct_send(s, cct_put_request(s->buffer, type, flags, family, ++s->seq));
}

int cct_request(cct_socket *s, uint8_t type, uint16_t flags, uint8_t family, mnl_cb_t callback, void *data) {
    if (cct_send_request(s, type, flags, family) < 0) return -1;
    return cct_receive(s, callback, data);
}

int cct_receive(cct_socket *s, mnl_cb_t callback, void *data) {
    for (;;) {
        ssize_t n = cct_receive_from_kernel(s, s->buffer, sizeof(s->buffer), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return cct_fail_and_reconnect(s);
        }
        int ret = cct_run_callbacks(s->buffer, (size_t)n, s->seq, s->portid, callback, data);
        if (ret < 0) return cct_fail_and_reconnect(s);
        if (ret > 0) return 0;
    }
}
