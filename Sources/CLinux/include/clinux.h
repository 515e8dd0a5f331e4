// Linux system calls that Swift's Glibc module does not import (they need _GNU_SOURCE
// or live in headers it leaves out). Each returns what the call returns and leaves errno.
#ifndef CLINUX_H
#define CLINUX_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/// eventfd(2) with EFD_CLOEXEC | EFD_NONBLOCK.
int clinux_eventfd(void);
/// signalfd(2) for a new descriptor with SFD_CLOEXEC | SFD_NONBLOCK.
int clinux_signalfd(const sigset_t *mask);
/// accept4(2) with SOCK_CLOEXEC | SOCK_NONBLOCK; the peer's address goes to `peer`
/// (`*length` bytes at most, updated).
int clinux_accept(int fd, void *peer, unsigned int *length);
/// poll(2)'s POLLRDHUP (a _GNU_SOURCE name): the peer shut its sending side (FIN).
#define CLINUX_POLLRDHUP 0x2000
/// Forbids core dumps and ptrace by other users (prctl PR_SET_DUMPABLE 0): a core would hold
/// the TLS key and credentials. 0 or -1 and errno.
int clinux_forbid_core_dumps(void);
/// Reads one signalfd_siginfo; returns the signal number, 0 if none is pending.
int clinux_signalfd_read(int fd);
/// Makes CAP_NET_ADMIN effective when it is permitted but not effective: the state a
/// binary with the file capability cap_net_admin+p starts in (the container image's).
/// 0 when it is effective afterwards or was never permitted; -1 and errno otherwise.
int clinux_raise_net_admin(void);
/// Leaves the process with CAP_NET_ADMIN alone: drops every other capability from the
/// bounding set (when CAP_SETPCAP allows it), switches to `uid`/`gid` with no
/// supplementary groups when `switch_user` is set, then keeps only CAP_NET_ADMIN
/// permitted and effective, none inheritable or ambient. -1 and errno on failure.
int clinux_keep_only_net_admin(int switch_user, unsigned int uid, unsigned int gid);
/// Makes malloc serve allocations of `bytes` or more with their own mappings and trim the
/// heap past twice that, fixed: glibc otherwise raises both after the first large free,
/// and a scrape's or the event counters' freed memory then stays resident. 0 or -1.
int clinux_return_large_allocations(size_t bytes);
/// Gives the heap's free memory back to the kernel (malloc_trim(0), every arena). Returns
/// 1 when some was released.
int clinux_release_free_memory(void);
/// Names the calling thread (prctl PR_SET_NAME; at most 15 bytes are kept).
int clinux_set_thread_name(const char *name);
/// A non-blocking rtnetlink socket that receives a message whenever an IPv4 or
/// IPv6 interface address is added or removed.
int clinux_address_monitor_open(void);
/// Asks the CPU to start loading the cache line at `address` for writing, without waiting.
static inline void clinux_prefetch_for_write(const void *address) { __builtin_prefetch(address, 1); }

#endif
