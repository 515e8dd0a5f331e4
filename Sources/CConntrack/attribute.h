// The entry parser's attribute walk, inline. libmnl's iterator and accessors are library
// calls, about a hundred per entry, which cost more than the rest of the parse; these
// make the same checks (an attribute must fit in what encloses it, a value must fit in
// its attribute) with the uapi's NLA_* layout. Messages are still split and checked by
// libmnl's mnl_cb_run; everything else keeps using libmnl.
#ifndef CCONNTRACK_ATTRIBUTE_H
#define CCONNTRACK_ATTRIBUTE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/netlink.h>

static inline const void *cct_attr_payload(const struct nlattr *attr) {
    return (const char *)attr + NLA_HDRLEN;
}

static inline uint16_t cct_attr_payload_len(const struct nlattr *attr) {
    return (uint16_t)(attr->nla_len - NLA_HDRLEN);
}

static inline uint16_t cct_attr_type(const struct nlattr *attr) {
    return attr->nla_type & NLA_TYPE_MASK;
}

/// Whether `attr` is whole within the `remaining` bytes that start at it.
static inline int cct_attr_ok(const struct nlattr *attr, ptrdiff_t remaining) {
    return remaining >= (ptrdiff_t)sizeof(*attr) && attr->nla_len >= sizeof(*attr) && attr->nla_len <= remaining;
}

static inline const struct nlattr *cct_attr_next(const struct nlattr *attr) {
    return (const struct nlattr *)((const char *)attr + NLA_ALIGN(attr->nla_len));
}

/// Copies the value of `attr` into `out`; -1 unless it holds exactly `size` bytes
/// (as mnl_attr_validate requires of fixed-size types).
static inline int cct_attr_read(const struct nlattr *attr, void *out, size_t size) {
    if (cct_attr_payload_len(attr) != size) return -1;
    memcpy(out, cct_attr_payload(attr), size);
    return 0;
}

/// Every attribute nested in `nest`.
#define cct_attr_for_each_nested(attr, nest)                                                               \
    for ((attr) = cct_attr_payload(nest);                                                                  \
         cct_attr_ok((attr), (const char *)cct_attr_payload(nest) + cct_attr_payload_len(nest) - (const char *)(attr)); \
         (attr) = cct_attr_next(attr))

/// Every attribute of message `nlh` after its `header` bytes of family header.
#define cct_attr_for_each(attr, nlh, header)                                                               \
    for ((attr) = (const struct nlattr *)((const char *)(nlh) + NLMSG_HDRLEN + NLMSG_ALIGN(header));      \
         cct_attr_ok((attr), (const char *)(nlh) + (nlh)->nlmsg_len - (const char *)(attr));              \
         (attr) = cct_attr_next(attr))

#endif
