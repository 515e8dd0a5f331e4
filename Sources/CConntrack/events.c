#define _GNU_SOURCE  // recvmmsg
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

static int set_buffer(int fd, int bytes) {
    // SO_RCVBUFFORCE passes net.core.rmem_max but needs CAP_NET_ADMIN; fall back to the capped one.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) == 0) return 0;
    return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

cct_socket *cct_events_open(int buffer_bytes, int with_updates) {
    cct_socket *s = calloc(1, sizeof(*s));
    if (s == NULL) return NULL;
    // UPDATE only when asked: it adds about five messages per TCP connection, built in the packet
    // path, of which the filter passes about three.
    s->groups = NF_NETLINK_CONNTRACK_NEW | NF_NETLINK_CONNTRACK_DESTROY | (with_updates ? NF_NETLINK_CONNTRACK_UPDATE : 0);
    if (cct_connect(s) < 0) goto failed;
    int fd = mnl_socket_get_fd(s->nl);
    if (set_buffer(fd, buffer_bytes) < 0 || cct_attach_event_filter(fd) < 0) goto failed;
    return s;

failed: {
        int saved = errno;
        cct_socket_close(s);
        errno = saved;
        return NULL;
    }
}

int cct_events_set_updates(cct_socket *s, int on) {
    int group = NFNLGRP_CONNTRACK_UPDATE;
    return setsockopt(mnl_socket_get_fd(s->nl), SOL_NETLINK, on ? NETLINK_ADD_MEMBERSHIP : NETLINK_DROP_MEMBERSHIP,
                      &group, sizeof(group));
}

int cct_events_buffer_size(cct_socket *s) {
    int bytes = 0;
    socklen_t length = sizeof(bytes);
    getsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_RCVBUF, &bytes, &length);
    return bytes;
}

int cct_events_set_buffer_size(cct_socket *s, int buffer_bytes) {
    return set_buffer(mnl_socket_get_fd(s->nl), buffer_bytes);
}

// Bounded so one call never holds the caller for long under a flood.
#define CCT_EVENTS_PER_RECEIVE 1024
// Events taken per recvmmsg: one system call for many small messages, where a recv each
// cost the listener about a tenth of its time in syscall entry and exit alone. Each gets a
// slot of the socket's buffer; an event message (a few hundred bytes) fits many times over.
#define CCT_EVENTS_PER_CALL 16
#define CCT_EVENT_SLOT (CCT_BUFFER_SIZE / CCT_EVENTS_PER_CALL)

int cct_events_receive(cct_socket *s, cct_entry_callback callback, void *context) {
    struct cct_parse_state state = { callback, context, 1 };
    struct mmsghdr messages[CCT_EVENTS_PER_CALL];
    struct iovec slots[CCT_EVENTS_PER_CALL];
    struct sockaddr_nl senders[CCT_EVENTS_PER_CALL];
    int count = 0;
    while (count < CCT_EVENTS_PER_RECEIVE) {
        for (int i = 0; i < CCT_EVENTS_PER_CALL; i++) {
            slots[i] = (struct iovec){ s->buffer + i * CCT_EVENT_SLOT, CCT_EVENT_SLOT };
            messages[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &senders[i], .msg_namelen = sizeof(senders[i]),
                                                         .msg_iov = &slots[i], .msg_iovlen = 1 } };
        }
        int received = recvmmsg(mnl_socket_get_fd(s->nl), messages, CCT_EVENTS_PER_CALL, MSG_DONTWAIT, NULL);
        if (received < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) return count;
            return -1;  // ENOBUFS among them; an error after some messages comes with the next call
        }
        int truncated = 0;
        for (int i = 0; i < received; i++) {
            const struct msghdr *message = &messages[i].msg_hdr;
            // Any process of the namespace may send to the socket's port id: only the kernel's count.
            if (!cct_sent_by_kernel(&senders[i], message->msg_namelen)) {
                __atomic_fetch_add(&s->rejected, 1, __ATOMIC_RELAXED);
                continue;
            }
            if (message->msg_flags & MSG_TRUNC) {
                truncated = 1;
                continue;
            }
            if (cct_run_callbacks(slots[i].iov_base, messages[i].msg_len, 0, 0, cct_parse_entry, &state) < 0) return -1;
        }
        // Cut short, an event is lost: said as the kernel says a loss, so a kept table is rebuilt.
        if (truncated) {
            errno = ENOBUFS;
            return -1;
        }
        if (received == 0) return count;
        count += received;
    }
    return count;
}

int cct_format_event(const void *netlink_message, char *buffer, size_t size) {
    const struct nlmsghdr *nlh = netlink_message;
    struct nf_conntrack *ct = nfct_new();
    if (ct == NULL) return -1;
    int ret = -1;
    if (nfct_nlmsg_parse(nlh, ct) >= 0) {
        unsigned type = (nlh->nlmsg_type & 0xff) == IPCTNL_MSG_CT_DELETE ? NFCT_T_DESTROY : NFCT_T_NEW;
        ret = nfct_snprintf(buffer, size, ct, type, NFCT_O_DEFAULT, 0);
    }
    int saved = errno;
    nfct_destroy(ct);
    errno = saved;
    return ret;
}
