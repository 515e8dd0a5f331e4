#define _GNU_SOURCE
#include "clinux.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <grp.h>

int clinux_eventfd(void) {
    return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

int clinux_signalfd(const sigset_t *mask) {
    return signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

int clinux_accept(int fd, void *peer, unsigned int *length) {
    socklen_t size = *length;
    int client = accept4(fd, peer, &size, SOCK_CLOEXEC | SOCK_NONBLOCK);
    *length = size;
    return client;
}

int clinux_forbid_core_dumps(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int clinux_signalfd_read(int fd) {
    struct signalfd_siginfo info;
    return read(fd, &info, sizeof(info)) == (ssize_t)sizeof(info) ? (int)info.ssi_signo : 0;
}

int clinux_address_monitor_open(void) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (fd < 0) return -1;
    struct sockaddr_nl address = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR };
    if (bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int clinux_raise_net_admin(void) {
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) < 0) return -1;
    uint32_t bit = 1u << CAP_NET_ADMIN;  // CAP_NET_ADMIN is 12: in the first word
    if (!(data[0].permitted & bit) || (data[0].effective & bit)) return 0;
    data[0].effective |= bit;
    return (int)syscall(SYS_capset, &header, data);
}

int clinux_keep_only_net_admin(int switch_user, unsigned int uid, unsigned int gid) {
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) < 0) return -1;
    if (data[0].effective & (1u << CAP_SETPCAP)) {
        // Up to the kernel's last capability: PR_CAPBSET_DROP fails with EINVAL past it.
        for (int cap = 0; cap < 64; cap++) {
            if (cap == CAP_NET_ADMIN) continue;
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
                if (errno == EINVAL) break;
                return -1;
            }
        }
    }
    if (switch_user) {
        // Permitted capabilities survive setuid only with keep-caps; effective ones are cleared.
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return -1;
        if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) return -1;
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return -1;
    }
    uint32_t keep = data[0].permitted & (1u << CAP_NET_ADMIN);
    struct __user_cap_data_struct only[2] = { { .effective = keep, .permitted = keep, .inheritable = 0 }, { 0, 0, 0 } };
    if (syscall(SYS_capset, &header, only) < 0) return -1;
    return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

int clinux_set_thread_name(const char *name) {
    return prctl(PR_SET_NAME, name, 0, 0, 0);
}

int clinux_release_free_memory(void) {
    return malloc_trim(0);
}

int clinux_return_large_allocations(size_t bytes) {
    if (bytes > INT_MAX / 2) return -1;
    return mallopt(M_MMAP_THRESHOLD, (int)bytes) == 1 && mallopt(M_TRIM_THRESHOLD, (int)bytes * 2) == 1 ? 0 : -1;
}
