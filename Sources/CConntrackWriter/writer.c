#include "cconntrack_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

// Creating entries is for the test fill tool only: the exporter never writes the table.
struct cct_writer {
    struct nfct_handle *handle;
};

cct_writer *cct_writer_open(void) {
    cct_writer *w = calloc(1, sizeof(*w));
    if (w == NULL) return NULL;
    w->handle = nfct_open(CONNTRACK, 0);
    if (w->handle == NULL) {
        int saved = errno;
        cct_writer_close(w);
        errno = saved;
        return NULL;
    }
    return w;
}

void cct_writer_close(cct_writer *w) {
    if (w == NULL) return;
    if (w->handle != NULL) nfct_close(w->handle);
    free(w);
}

int cct_writer_create(cct_writer *w, const cct_entry *e, uint32_t status, uint32_t timeout) {
    struct nf_conntrack *ct = nfct_new();
    if (ct == NULL) return -1;
    nfct_set_attr_u8(ct, ATTR_L3PROTO, e->family);
    if (e->family == CCT_AF_INET) {
        nfct_set_attr(ct, ATTR_IPV4_SRC, e->original.src);
        nfct_set_attr(ct, ATTR_IPV4_DST, e->original.dst);
    } else {
        nfct_set_attr(ct, ATTR_IPV6_SRC, e->original.src);
        nfct_set_attr(ct, ATTR_IPV6_DST, e->original.dst);
    }
    nfct_set_attr_u8(ct, ATTR_L4PROTO, e->l4proto);
    nfct_set_attr_u16(ct, ATTR_PORT_SRC, htons(e->original.src_port));
    nfct_set_attr_u16(ct, ATTR_PORT_DST, htons(e->original.dst_port));
    if (e->l4proto == CCT_PROTO_TCP) nfct_set_attr_u8(ct, ATTR_TCP_STATE, e->tcp_state);
    nfct_setobjopt(ct, NFCT_SOPT_SETUP_REPLY);
    nfct_set_attr_u32(ct, ATTR_TIMEOUT, timeout);
    if (status != 0) nfct_set_attr_u32(ct, ATTR_STATUS, status);
    int ret = nfct_query(w->handle, NFCT_Q_CREATE, ct);
    int saved = errno;
    nfct_destroy(ct);
    errno = saved;
    return ret;
}
