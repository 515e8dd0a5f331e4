#include "cconntrack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

// A dump fills one buffer of up to ~32 KiB per recvmsg; a larger buffer never truncates.
#define CCT_DUMP_BUFFER_SIZE (64 * 1024)

struct cct_socket {
    struct mnl_socket *nl;
    uint32_t portid;
    uint32_t seq;
    char buffer[CCT_DUMP_BUFFER_SIZE];
};

static int connect_netlink(cct_socket *s) {
    s->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
    if (s->nl == NULL) return -1;
    if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
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
    if (connect_netlink(s) < 0) {
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
    free(s);
}

// A dump that failed half-way leaves its remaining messages queued on the socket, where
// they would break the next dump: start the next one on a fresh socket instead.
static int fail_and_reconnect(cct_socket *s) {
    int saved = errno;
    mnl_socket_close(s->nl);
    s->nl = NULL;
    connect_netlink(s);
    errno = saved;
    return -1;
}

struct parse_state {
    cct_entry_callback callback;
    void *context;
};

static int collect_attribute(const struct nlattr *attr, void *data) {
    const struct nlattr **table = data;
    uint16_t type = mnl_attr_get_type(attr);
    // Every attribute this parser reads has a type below CTA_MAX + 1; the table is that large.
    if (type <= CTA_MAX) table[type] = attr;
    return MNL_CB_OK;
}

static int parse_nested(const struct nlattr *nest, const struct nlattr **table, size_t size) {
    memset(table, 0, size * sizeof(*table));
    return mnl_attr_parse_nested(nest, collect_attribute, table);
}

static int copy_address(const struct nlattr *attr, uint8_t *out, size_t length) {
    if (attr == NULL) return 0;
    if (mnl_attr_get_payload_len(attr) < length) return -1;
    memcpy(out, mnl_attr_get_payload(attr), length);
    return 0;
}

static int parse_tuple(const struct nlattr *nest, cct_entry *e) {
    const struct nlattr *tuple[CTA_MAX + 1];
    const struct nlattr *inner[CTA_MAX + 1];
    if (parse_nested(nest, tuple, CTA_MAX + 1) < 0) return -1;

    if (tuple[CTA_TUPLE_IP] != NULL) {
        if (parse_nested(tuple[CTA_TUPLE_IP], inner, CTA_MAX + 1) < 0) return -1;
        if (inner[CTA_IP_V4_SRC] != NULL || inner[CTA_IP_V4_DST] != NULL) {
            if (copy_address(inner[CTA_IP_V4_SRC], e->src, 4) < 0) return -1;
            if (copy_address(inner[CTA_IP_V4_DST], e->dst, 4) < 0) return -1;
        } else {
            if (copy_address(inner[CTA_IP_V6_SRC], e->src, 16) < 0) return -1;
            if (copy_address(inner[CTA_IP_V6_DST], e->dst, 16) < 0) return -1;
        }
    }
    if (tuple[CTA_TUPLE_PROTO] != NULL) {
        if (parse_nested(tuple[CTA_TUPLE_PROTO], inner, CTA_MAX + 1) < 0) return -1;
        if (inner[CTA_PROTO_NUM] != NULL) {
            if (mnl_attr_validate(inner[CTA_PROTO_NUM], MNL_TYPE_U8) < 0) return -1;
            e->l4proto = mnl_attr_get_u8(inner[CTA_PROTO_NUM]);
        }
        if (inner[CTA_PROTO_SRC_PORT] != NULL) {
            if (mnl_attr_validate(inner[CTA_PROTO_SRC_PORT], MNL_TYPE_U16) < 0) return -1;
            e->src_port = ntohs(mnl_attr_get_u16(inner[CTA_PROTO_SRC_PORT]));
        }
        if (inner[CTA_PROTO_DST_PORT] != NULL) {
            if (mnl_attr_validate(inner[CTA_PROTO_DST_PORT], MNL_TYPE_U16) < 0) return -1;
            e->dst_port = ntohs(mnl_attr_get_u16(inner[CTA_PROTO_DST_PORT]));
        }
    }
    return 0;
}

static int parse_tcp_state(const struct nlattr *protoinfo, cct_entry *e) {
    const struct nlattr *info[CTA_MAX + 1];
    const struct nlattr *tcp[CTA_MAX + 1];
    if (parse_nested(protoinfo, info, CTA_MAX + 1) < 0) return -1;
    if (info[CTA_PROTOINFO_TCP] == NULL) return 0;
    if (parse_nested(info[CTA_PROTOINFO_TCP], tcp, CTA_MAX + 1) < 0) return -1;
    if (tcp[CTA_PROTOINFO_TCP_STATE] != NULL) {
        if (mnl_attr_validate(tcp[CTA_PROTOINFO_TCP_STATE], MNL_TYPE_U8) < 0) return -1;
        e->tcp_state = mnl_attr_get_u8(tcp[CTA_PROTOINFO_TCP_STATE]);
    }
    return 0;
}

static int parse_entry(const struct nlmsghdr *nlh, void *data) {
    const struct parse_state *state = data;
    const struct nlattr *table[CTA_MAX + 1] = {0};
    const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
    cct_entry e;

    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*nfg)) goto malformed;
    memset(&e, 0, sizeof(e));
    e.family = nfg->nfgen_family;
    e.tcp_state = CCT_TCP_STATE_NONE;

    if (mnl_attr_parse(nlh, sizeof(*nfg), collect_attribute, table) < 0) goto malformed;
    if (table[CTA_TUPLE_ORIG] == NULL || parse_tuple(table[CTA_TUPLE_ORIG], &e) < 0) goto malformed;
    if (table[CTA_STATUS] != NULL) {
        if (mnl_attr_validate(table[CTA_STATUS], MNL_TYPE_U32) < 0) goto malformed;
        e.status = ntohl(mnl_attr_get_u32(table[CTA_STATUS]));
    }
    if (table[CTA_PROTOINFO] != NULL && parse_tcp_state(table[CTA_PROTOINFO], &e) < 0) goto malformed;

    state->callback(&e, state->context);
    return MNL_CB_OK;

malformed:
    errno = EBADMSG;
    return MNL_CB_ERROR;
}

static int run_callbacks(const void *buffer, size_t length, uint32_t seq, uint32_t portid,
                         struct parse_state *state) {
    // libmnl stops quietly at a truncated message; a reader must not.
    int remaining = (int)length;
    for (const struct nlmsghdr *nlh = buffer; mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {}
    if (remaining != 0) {
        errno = EBADMSG;
        return -1;
    }
    int ret = mnl_cb_run(buffer, length, seq, portid, parse_entry, state);
    if (ret == MNL_CB_ERROR) return -1;
    return ret == MNL_CB_STOP ? 1 : 0;
}

int cct_parse_messages(const void *buffer, size_t length, cct_entry_callback callback, void *context) {
    struct parse_state state = { callback, context };
    return run_callbacks(buffer, length, 0, 0, &state);
}

int cct_dump(cct_socket *s, uint8_t family, cct_entry_callback callback, void *context) {
    struct parse_state state = { callback, context };
    if (s->nl == NULL && connect_netlink(s) < 0) return -1;
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(s->buffer);
    nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = ++s->seq;
    struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
    nfg->nfgen_family = family;
    nfg->version = NFNETLINK_V0;
    nfg->res_id = 0;

    if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0) return -1;
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(s->nl, s->buffer, sizeof(s->buffer));
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_and_reconnect(s);
        }
        int ret = run_callbacks(s->buffer, (size_t)n, s->seq, s->portid, &state);
        if (ret < 0) return fail_and_reconnect(s);
        if (ret > 0) return 0;
    }
}
