#include "internal.h"

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

static int collect_attribute(const struct nlattr *attr, void *data) {
    const struct nlattr **table = data;
    uint16_t type = mnl_attr_get_type(attr);
    // Every table here has CTA_MAX + 1 slots, more than any nested attribute set needs.
    if (type <= CTA_MAX) table[type] = attr;
    return MNL_CB_OK;
}

static int parse_nested(const struct nlattr *nest, const struct nlattr **table) {
    memset(table, 0, (CTA_MAX + 1) * sizeof(*table));
    return mnl_attr_parse_nested(nest, collect_attribute, table);
}

static int copy_address(const struct nlattr *attr, uint8_t *out, size_t length) {
    if (attr == NULL) return 0;
    if (mnl_attr_get_payload_len(attr) < length) return -1;
    memcpy(out, mnl_attr_get_payload(attr), length);
    return 0;
}

static int read_u8(const struct nlattr *attr, uint8_t *out) {
    if (attr == NULL) return 0;
    if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0) return -1;
    *out = mnl_attr_get_u8(attr);
    return 0;
}

static int read_port(const struct nlattr *attr, uint16_t *out) {
    if (attr == NULL) return 0;
    if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0) return -1;
    *out = ntohs(mnl_attr_get_u16(attr));
    return 0;
}

static int read_u64(const struct nlattr *attr, uint64_t *out) {
    if (attr == NULL) return 0;
    if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0) return -1;
    *out = be64toh(mnl_attr_get_u64(attr));
    return 0;
}

static int parse_tuple(const struct nlattr *nest, cct_tuple *tuple, uint8_t *l4proto) {
    const struct nlattr *attrs[CTA_MAX + 1];
    const struct nlattr *inner[CTA_MAX + 1];
    if (parse_nested(nest, attrs) < 0) return -1;

    if (attrs[CTA_TUPLE_IP] != NULL) {
        if (parse_nested(attrs[CTA_TUPLE_IP], inner) < 0) return -1;
        if (inner[CTA_IP_V4_SRC] != NULL || inner[CTA_IP_V4_DST] != NULL) {
            if (copy_address(inner[CTA_IP_V4_SRC], tuple->src, 4) < 0) return -1;
            if (copy_address(inner[CTA_IP_V4_DST], tuple->dst, 4) < 0) return -1;
        } else {
            if (copy_address(inner[CTA_IP_V6_SRC], tuple->src, 16) < 0) return -1;
            if (copy_address(inner[CTA_IP_V6_DST], tuple->dst, 16) < 0) return -1;
        }
    }
    if (attrs[CTA_TUPLE_PROTO] != NULL) {
        if (parse_nested(attrs[CTA_TUPLE_PROTO], inner) < 0) return -1;
        if (read_u8(inner[CTA_PROTO_NUM], l4proto) < 0) return -1;
        if (read_port(inner[CTA_PROTO_SRC_PORT], &tuple->src_port) < 0) return -1;
        if (read_port(inner[CTA_PROTO_DST_PORT], &tuple->dst_port) < 0) return -1;
    }
    return 0;
}

static int parse_tcp_state(const struct nlattr *protoinfo, cct_entry *e) {
    const struct nlattr *info[CTA_MAX + 1];
    const struct nlattr *tcp[CTA_MAX + 1];
    if (parse_nested(protoinfo, info) < 0) return -1;
    if (info[CTA_PROTOINFO_TCP] == NULL) return 0;
    if (parse_nested(info[CTA_PROTOINFO_TCP], tcp) < 0) return -1;
    return read_u8(tcp[CTA_PROTOINFO_TCP_STATE], &e->tcp_state);
}

static int parse_timestamps(const struct nlattr *nest, cct_entry *e) {
    const struct nlattr *ts[CTA_MAX + 1];
    if (parse_nested(nest, ts) < 0) return -1;
    if (read_u64(ts[CTA_TIMESTAMP_START], &e->start_ns) < 0) return -1;
    return read_u64(ts[CTA_TIMESTAMP_STOP], &e->stop_ns);
}

int cct_parse_entry(const struct nlmsghdr *nlh, void *data) {
    const struct cct_parse_state *state = data;
    const struct nlattr *table[CTA_MAX + 1] = {0};
    const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
    uint8_t reply_proto = 0;
    cct_entry e;

    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*nfg)) goto malformed;
    memset(&e, 0, sizeof(e));
    e.family = nfg->nfgen_family;
    e.tcp_state = CCT_TCP_STATE_NONE;
    e.netlink_message = nlh;
    if (state->events) {
        e.message = (nlh->nlmsg_type & 0xff) == IPCTNL_MSG_CT_DELETE ? CCT_MESSAGE_DESTROY : CCT_MESSAGE_NEW;
    }

    if (mnl_attr_parse(nlh, sizeof(*nfg), collect_attribute, table) < 0) goto malformed;
    if (table[CTA_TUPLE_ORIG] == NULL || parse_tuple(table[CTA_TUPLE_ORIG], &e.original, &e.l4proto) < 0) goto malformed;
    if (table[CTA_STATUS] != NULL) {
        if (mnl_attr_validate(table[CTA_STATUS], MNL_TYPE_U32) < 0) goto malformed;
        e.status = ntohl(mnl_attr_get_u32(table[CTA_STATUS]));
    }
    if (table[CTA_PROTOINFO] != NULL && parse_tcp_state(table[CTA_PROTOINFO], &e) < 0) goto malformed;
    if (state->events) {
        if (table[CTA_TUPLE_REPLY] != NULL && parse_tuple(table[CTA_TUPLE_REPLY], &e.reply, &reply_proto) < 0) goto malformed;
        if (table[CTA_TIMESTAMP] != NULL && parse_timestamps(table[CTA_TIMESTAMP], &e) < 0) goto malformed;
    }

    state->callback(&e, state->context);
    return MNL_CB_OK;

malformed:
    errno = EBADMSG;
    return MNL_CB_ERROR;
}

int cct_parse_messages(const void *buffer, size_t length, int events, cct_entry_callback callback, void *context) {
    struct cct_parse_state state = { callback, context, events };
    return cct_run_callbacks(buffer, length, 0, 0, cct_parse_entry, &state);
}

int cct_dump(cct_socket *s, uint8_t family, cct_entry_callback callback, void *context) {
    struct cct_parse_state state = { callback, context, 0 };
    return cct_request(s, IPCTNL_MSG_CT_GET, NLM_F_DUMP, family, cct_parse_entry, &state);
}
