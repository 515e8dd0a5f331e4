// The event socket's classic BPF filter (see cct_events_open in cconntrack.h).
#include "internal.h"

#include <errno.h>
#include <stddef.h>
#include <linux/filter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define CCT_FILTER_MAX 64
// Where a message's attributes start: after the netlink and nfnetlink headers.
#define CCT_ATTRIBUTES_OFFSET (NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg)))
// The byte of a 16-bit header field that holds its low (high) 8 bits: the fields are in host order.
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CCT_LOW_BYTE(offset) (offset)
#define CCT_HIGH_BYTE(offset) ((offset) + 1)
#else
#define CCT_LOW_BYTE(offset) ((offset) + 1)
#define CCT_HIGH_BYTE(offset) (offset)
#endif

// A classic BPF program whose jumps go to the next instruction or to one of two verdicts at
// its end, patched in when it is finished.
enum cct_target { CCT_NEXT, CCT_ACCEPT, CCT_REJECT };
struct cct_filter {
    struct sock_filter code[CCT_FILTER_MAX];
    uint8_t targets[CCT_FILTER_MAX][2];  // where a jump goes when true, when false
    unsigned length;
};

static void emit(struct cct_filter *f, uint16_t code, uint32_t k, enum cct_target if_true, enum cct_target if_false) {
    if (f->length == CCT_FILTER_MAX) return;  // finish() refuses the program
    f->code[f->length] = (struct sock_filter)BPF_STMT(code, k);
    f->targets[f->length][0] = if_true;
    f->targets[f->length][1] = if_false;
    f->length++;
}

// A = the payload of the attribute at `path` (a top-level attribute, then one nested in each):
// its first byte (`size` BPF_B) or 32 bits (BPF_W, in network order, as attributes carry them).
// A message without it is rejected.
static void load_attribute(struct cct_filter *f, const uint16_t *path, int depth, uint16_t size) {
    emit(f, BPF_LD | BPF_IMM, CCT_ATTRIBUTES_OFFSET, CCT_NEXT, CCT_NEXT);
    for (int level = 0; level < depth; level++) {
        // The kernel's lookup: A = the offset of attribute X in the message from A, or in the nest at A; 0 if none.
        emit(f, BPF_LDX | BPF_IMM, path[level], CCT_NEXT, CCT_NEXT);
        emit(f, BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + (level > 0 ? SKF_AD_NLATTR_NEST : SKF_AD_NLATTR), CCT_NEXT, CCT_NEXT);
        emit(f, BPF_JMP | BPF_JEQ | BPF_K, 0, CCT_REJECT, CCT_NEXT);
    }
    emit(f, BPF_MISC | BPF_TAX, 0, CCT_NEXT, CCT_NEXT);
    emit(f, BPF_LD | size | BPF_IND, NLA_HDRLEN, CCT_NEXT, CCT_NEXT);
}

static int finish(struct cct_filter *f) {
    if (f->length > CCT_FILTER_MAX - 2) {
        errno = EOVERFLOW;
        return -1;
    }
    unsigned accept = f->length, reject = f->length + 1;
    emit(f, BPF_RET | BPF_K, 0xffffffff, CCT_NEXT, CCT_NEXT);
    emit(f, BPF_RET | BPF_K, 0, CCT_NEXT, CCT_NEXT);
    for (unsigned pc = 0; pc < accept; pc++) {
        uint8_t *jumps[2] = { &f->code[pc].jt, &f->code[pc].jf };
        for (int i = 0; i < 2; i++) {
            unsigned target = f->targets[pc][i] == CCT_ACCEPT ? accept : f->targets[pc][i] == CCT_REJECT ? reject : pc + 1;
            *jumps[i] = (uint8_t)(target - pc - 1);
        }
    }
    return 0;
}

// The socket's filter, run by the kernel before it queues a message: TCP only, and of UPDATE
// messages only those whose TCP state moves the entry to another count (see cconntrack.h).
// nfct_filter cannot say this: its rules apply to NEW, UPDATE and DESTROY alike.
int cct_attach_event_filter(int fd) {
    struct cct_filter f = { .length = 0 };
    load_attribute(&f, (const uint16_t[]){ CTA_TUPLE_ORIG, CTA_TUPLE_PROTO, CTA_PROTO_NUM }, 3, BPF_B);
    emit(&f, BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, CCT_NEXT, CCT_REJECT);
    // DESTROY (type DELETE) and NEW (flag CREATE) pass; UPDATE goes on.
    emit(&f, BPF_LD | BPF_B | BPF_ABS, CCT_LOW_BYTE(offsetof(struct nlmsghdr, nlmsg_type)), CCT_NEXT, CCT_NEXT);
    emit(&f, BPF_JMP | BPF_JEQ | BPF_K, IPCTNL_MSG_CT_NEW, CCT_NEXT, CCT_ACCEPT);
    emit(&f, BPF_LD | BPF_B | BPF_ABS, CCT_HIGH_BYTE(offsetof(struct nlmsghdr, nlmsg_flags)), CCT_NEXT, CCT_NEXT);
    emit(&f, BPF_JMP | BPF_JSET | BPF_K, NLM_F_CREATE >> 8, CCT_ACCEPT, CCT_NEXT);
    // An UPDATE without a TCP state (a mark, a status bit) moves no count.
    load_attribute(&f, (const uint16_t[]){ CTA_PROTOINFO, CTA_PROTOINFO_TCP, CTA_PROTOINFO_TCP_STATE }, 3, BPF_B);
    // CLOSE_WAIT and LAST_ACK follow only FIN_WAIT, CLOSE_WAIT or LAST_ACK: half-closed still,
    // by the side FIN_WAIT marked.
    emit(&f, BPF_JMP | BPF_JEQ | BPF_K, TCP_CONNTRACK_CLOSE_WAIT, CCT_REJECT, CCT_NEXT);
    emit(&f, BPF_JMP | BPF_JEQ | BPF_K, TCP_CONNTRACK_LAST_ACK, CCT_REJECT, CCT_NEXT);
    emit(&f, BPF_JMP | BPF_JEQ | BPF_K, TCP_CONNTRACK_SYN_RECV, CCT_NEXT, CCT_ACCEPT);
    // SYN_RECV follows SYN_SENT in a handshake, but also any state when the kernel resyncs an
    // entry to a new handshake on its tuple (a SYN it ignored, then the SYN/ACK): passed when the
    // entry was assured, as an entry that was established is.
    load_attribute(&f, (const uint16_t[]){ CTA_STATUS }, 1, BPF_W);
    emit(&f, BPF_JMP | BPF_JSET | BPF_K, IPS_ASSURED, CCT_ACCEPT, CCT_REJECT);
    if (finish(&f) < 0) return -1;
    struct sock_fprog program = { .len = (unsigned short)f.length, .filter = f.code };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program));
}
