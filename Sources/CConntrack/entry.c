#include "internal.h"
#include "attribute.h"

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

// Attributes are walked once each and picked by type: no per-level tables to clear, no
// callback per attribute. This runs for every entry of every dump, so it is the
// exporter's hottest code (see attribute.h).

static int copy_address(const struct nlattr *attr, uint8_t *out) {
    uint16_t length = cct_attr_payload_len(attr);
    if (length != 4 && length != 16) return -1;
    memcpy(out, cct_attr_payload(attr), length);
    return 0;
}

static int read_port(const struct nlattr *attr, uint16_t *out) {
    uint16_t port;
    if (cct_attr_read(attr, &port, sizeof(port)) < 0) return -1;
    *out = ntohs(port);
    return 0;
}

static int read_u32(const struct nlattr *attr, uint32_t *out) {
    uint32_t value;
    if (cct_attr_read(attr, &value, sizeof(value)) < 0) return -1;
    *out = ntohl(value);
    return 0;
}

static int read_u64(const struct nlattr *attr, uint64_t *out) {
    uint64_t value;
    if (cct_attr_read(attr, &value, sizeof(value)) < 0) return -1;
    *out = be64toh(value);
    return 0;
}

static int parse_addresses(const struct nlattr *nest, cct_tuple *tuple) {
    const struct nlattr *attr;
    cct_attr_for_each_nested(attr, nest) {
        switch (cct_attr_type(attr)) {
        case CTA_IP_V4_SRC:
        case CTA_IP_V6_SRC:
            if (copy_address(attr, tuple->src) < 0) return -1;
            break;
        case CTA_IP_V4_DST:
        case CTA_IP_V6_DST:
            if (copy_address(attr, tuple->dst) < 0) return -1;
            break;
        }
    }
    return 0;
}

static int parse_protocol(const struct nlattr *nest, cct_tuple *tuple, uint8_t *l4proto) {
    const struct nlattr *attr;
    cct_attr_for_each_nested(attr, nest) {
        int ret = 0;
        switch (cct_attr_type(attr)) {
        case CTA_PROTO_NUM: ret = cct_attr_read(attr, l4proto, 1); break;
        case CTA_PROTO_SRC_PORT: ret = read_port(attr, &tuple->src_port); break;
        case CTA_PROTO_DST_PORT: ret = read_port(attr, &tuple->dst_port); break;
        }
        if (ret < 0) return -1;
    }
    return 0;
}

static int parse_tuple(const struct nlattr *nest, cct_tuple *tuple, uint8_t *l4proto) {
    const struct nlattr *attr;
    cct_attr_for_each_nested(attr, nest) {
        int ret = 0;
        switch (cct_attr_type(attr)) {
        case CTA_TUPLE_IP: ret = parse_addresses(attr, tuple); break;
        case CTA_TUPLE_PROTO: ret = parse_protocol(attr, tuple, l4proto); break;
        }
        if (ret < 0) return -1;
    }
    return 0;
}

// struct nf_ct_tcp_flags: the flags seen, then the mask (used only when setting them).
static int read_tcp_flags(const struct nlattr *attr, uint8_t *out) {
    struct nf_ct_tcp_flags flags;
    if (cct_attr_read(attr, &flags, sizeof(flags)) < 0) return -1;
    *out = flags.flags;
    return 0;
}

static int parse_tcp_info(const struct nlattr *protoinfo, cct_entry *e) {
    const struct nlattr *info;
    cct_attr_for_each_nested(info, protoinfo) {
        if (cct_attr_type(info) != CTA_PROTOINFO_TCP) continue;
        const struct nlattr *attr;
        cct_attr_for_each_nested(attr, info) {
            int ret = 0;
            switch (cct_attr_type(attr)) {
            case CTA_PROTOINFO_TCP_STATE: ret = cct_attr_read(attr, &e->tcp_state, 1); break;
            case CTA_PROTOINFO_TCP_FLAGS_ORIGINAL: ret = read_tcp_flags(attr, &e->tcp_flags_original); break;
            case CTA_PROTOINFO_TCP_FLAGS_REPLY: ret = read_tcp_flags(attr, &e->tcp_flags_reply); break;
            }
            if (ret < 0) return -1;
        }
    }
    return 0;
}

static int parse_counters(const struct nlattr *nest, uint64_t *packets, uint64_t *bytes) {
    const struct nlattr *attr;
    cct_attr_for_each_nested(attr, nest) {
        int ret = 0;
        switch (cct_attr_type(attr)) {
        case CTA_COUNTERS_PACKETS: ret = read_u64(attr, packets); break;
        case CTA_COUNTERS_BYTES: ret = read_u64(attr, bytes); break;
        }
        if (ret < 0) return -1;
    }
    return 0;
}

static int parse_timestamps(const struct nlattr *nest, cct_entry *e) {
    const struct nlattr *attr;
    cct_attr_for_each_nested(attr, nest) {
        int ret = 0;
        switch (cct_attr_type(attr)) {
        case CTA_TIMESTAMP_START: ret = read_u64(attr, &e->start_ns); break;
        }
        if (ret < 0) return -1;
    }
    return 0;
}

int cct_parse_entry(const struct nlmsghdr *nlh, void *data) {
    const struct cct_parse_state *state = data;
    const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
    const struct nlattr *attr;
    uint8_t reply_proto = 0;
    int has_tuple = 0;
    cct_entry e;

    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*nfg)) goto malformed;
    memset(&e, 0, sizeof(e));
    e.family = nfg->nfgen_family;
    e.tcp_state = CCT_TCP_STATE_NONE;
    e.timeout = CCT_TIMEOUT_NONE;
    e.netlink_message = nlh;
    if (state->events) {
        // The kernel sends NEW and UPDATE as IPCTNL_MSG_CT_NEW; only a NEW carries NLM_F_CREATE.
        if ((nlh->nlmsg_type & 0xff) == IPCTNL_MSG_CT_DELETE) e.message = CCT_MESSAGE_DESTROY;
        else e.message = (nlh->nlmsg_flags & NLM_F_CREATE) ? CCT_MESSAGE_NEW : CCT_MESSAGE_UPDATE;
    }

    cct_attr_for_each(attr, nlh, sizeof(*nfg)) {
        int ret = 0;
        switch (cct_attr_type(attr)) {
        case CTA_TUPLE_ORIG:
            ret = parse_tuple(attr, &e.original, &e.l4proto);
            has_tuple = 1;
            break;
        case CTA_STATUS:
            ret = read_u32(attr, &e.status);
            break;
        case CTA_PROTOINFO:
            ret = parse_tcp_info(attr, &e);
            break;
        case CTA_TUPLE_REPLY:
            if (state->events) ret = parse_tuple(attr, &e.reply, &reply_proto);
            else e.reply_attribute = attr;
            break;
        case CTA_COUNTERS_ORIG:
            ret = parse_counters(attr, &e.packets_original, &e.bytes_original);
            e.has_counters = 1;
            break;
        case CTA_COUNTERS_REPLY:
            ret = parse_counters(attr, &e.packets_reply, &e.bytes_reply);
            e.has_counters = 1;
            break;
        case CTA_ID:
            ret = read_u32(attr, &e.id);
            break;
        case CTA_TIMESTAMP:
            ret = parse_timestamps(attr, &e);
            break;
        case CTA_TIMEOUT:
            ret = read_u32(attr, &e.timeout);
            break;
        }
        if (ret < 0) goto malformed;
    }
    if (!has_tuple) goto malformed;

    state->callback(&e, state->context);
    return MNL_CB_OK;

malformed:
    errno = EBADMSG;
    return MNL_CB_ERROR;
}

int cct_entry_reply(const cct_entry *entry, cct_tuple *reply) {
    uint8_t proto = 0;
    if (entry->reply_attribute == NULL) {
        if (entry->message == CCT_MESSAGE_DUMP) {
            errno = EBADMSG;
            return -1;
        }
        *reply = entry->reply;
        return 0;
    }
    memset(reply, 0, sizeof(*reply));
    if (parse_tuple(entry->reply_attribute, reply, &proto) < 0) {
        errno = EBADMSG;
        return -1;
    }
    return 0;
}

int cct_parse_messages(const void *buffer, size_t length, int events, cct_entry_callback callback, void *context) {
    struct cct_parse_state state = { callback, context, events };
    return cct_run_callbacks(buffer, length, 0, 0, cct_parse_entry, &state);
}

// CTA_FILTER_F_CTA_PROTO_NUM (kernel 5.8+): match the original tuple's protocol number only.
#define CCT_FILTER_PROTO_NUM (1u << 3)

size_t cct_dump_request(void *buffer, size_t size, uint8_t family, int tcp_only, uint32_t seq) {
    if (size < CCT_DUMP_REQUEST_SIZE) return 0;
    size_t length = cct_put_request(buffer, IPCTNL_MSG_CT_GET, NLM_F_DUMP, family, seq);
    if (!tcp_only) return length;
    struct nlmsghdr *nlh = buffer;
    struct nlattr *tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
    struct nlattr *proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
    mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_TCP);
    mnl_attr_nest_end(nlh, proto);
    mnl_attr_nest_end(nlh, tuple);
    struct nlattr *filter = mnl_attr_nest_start(nlh, CTA_FILTER);
    mnl_attr_put_u32(nlh, CTA_FILTER_ORIG_FLAGS, CCT_FILTER_PROTO_NUM);
    mnl_attr_nest_end(nlh, filter);
    return nlh->nlmsg_len;
}

int cct_dump(cct_socket *s, uint8_t family, int tcp_only, cct_entry_callback callback, void *context) {
    struct cct_parse_state state = { callback, context, 0 };
    if (cct_send(s, cct_dump_request(s->buffer, sizeof(s->buffer), family, tcp_only, ++s->seq)) < 0) return -1;
    return cct_receive_pipelined(s, cct_parse_entry, &state);
}
