#include "internal.h"

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

static int collect_stat(const struct nlattr *attr, void *data) {
    const struct nlattr **table = data;
    uint16_t type = mnl_attr_get_type(attr);
    if (type <= CTA_STATS_MAX) table[type] = attr;
    return MNL_CB_OK;
}

static const int cpu_stat_attributes[CCT_CPU_STAT_COUNT] = {
    CTA_STATS_FOUND, CTA_STATS_INVALID, CTA_STATS_INSERT, CTA_STATS_INSERT_FAILED, CTA_STATS_DROP,
    CTA_STATS_EARLY_DROP, CTA_STATS_ERROR, CTA_STATS_SEARCH_RESTART, CTA_STATS_CLASH_RESOLVE,
    CTA_STATS_CHAIN_TOOLONG,
};

struct cpu_state {
    cct_cpu_stats_callback callback;
    void *context;
};

static int parse_cpu_stats(const struct nlmsghdr *nlh, void *data) {
    const struct cpu_state *state = data;
    const struct nlattr *table[CTA_STATS_MAX + 1] = {0};
    const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
    cct_cpu_stats stats;

    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*nfg)) goto malformed;
    if (mnl_attr_parse(nlh, sizeof(*nfg), collect_stat, table) < 0) goto malformed;
    memset(&stats, 0, sizeof(stats));
    stats.cpu = ntohs(nfg->res_id);
    for (int i = 0; i < CCT_CPU_STAT_COUNT; i++) {
        const struct nlattr *attr = table[cpu_stat_attributes[i]];
        if (attr == NULL) continue;  // older kernels lack the newer counters
        if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) goto malformed;
        stats.values[i] = ntohl(mnl_attr_get_u32(attr));
    }
    state->callback(&stats, state->context);
    return MNL_CB_OK;

malformed:
    errno = EBADMSG;
    return MNL_CB_ERROR;
}

int cct_cpu_stats_read(cct_socket *s, cct_cpu_stats_callback callback, void *context) {
    struct cpu_state state = { callback, context };
    return cct_request(s, IPCTNL_MSG_CT_GET_STATS_CPU, NLM_F_DUMP, 0, parse_cpu_stats, &state);
}

struct size_state {
    uint32_t *entries;
    uint32_t *limit;
};

static int parse_table_size(const struct nlmsghdr *nlh, void *data) {
    const struct size_state *state = data;
    const struct nlattr *table[CTA_STATS_GLOBAL_MAX + 1] = {0};
    const struct nlattr *attr;
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nfgenmsg)) goto malformed;
    mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
        uint16_t type = mnl_attr_get_type(attr);
        if (type <= CTA_STATS_GLOBAL_MAX) table[type] = attr;
    }
    if (table[CTA_STATS_GLOBAL_ENTRIES] == NULL ||
        mnl_attr_validate(table[CTA_STATS_GLOBAL_ENTRIES], MNL_TYPE_U32) < 0) goto malformed;
    *state->entries = ntohl(mnl_attr_get_u32(table[CTA_STATS_GLOBAL_ENTRIES]));
    if (table[CTA_STATS_GLOBAL_MAX_ENTRIES] != NULL) {
        if (mnl_attr_validate(table[CTA_STATS_GLOBAL_MAX_ENTRIES], MNL_TYPE_U32) < 0) goto malformed;
        *state->limit = ntohl(mnl_attr_get_u32(table[CTA_STATS_GLOBAL_MAX_ENTRIES]));
    }
    return MNL_CB_OK;

malformed:
    errno = EBADMSG;
    return MNL_CB_ERROR;
}

int cct_table_size_read(cct_socket *s, uint32_t *entries, uint32_t *limit) {
    struct size_state state = { entries, limit };
    *entries = 0;
    *limit = 0;
    // Not a dump: NLM_F_ACK makes the kernel end the exchange with an ACK after the reply.
    return cct_request(s, IPCTNL_MSG_CT_GET_STATS, NLM_F_ACK, 0, parse_table_size, &state);
}
