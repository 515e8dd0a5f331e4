#define _GNU_SOURCE  // sched_getaffinity
#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

// Almost all of a dump's time is the kernel filling buffers inside recvmsg. A receiving
// thread keeps it doing so while the calling thread parses the buffers already filled,
// so a scrape takes about as long as the kernel's part alone. The parser sleeps until a
// batch of buffers is ready: a wake-up per buffer would cost more CPU than it hides.

struct pipeline {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    cct_socket *s;
    ssize_t lengths[CCT_PIPELINE_DEPTH];
    int errors[CCT_PIPELINE_DEPTH];
    unsigned filled;     // buffers handed to the parser, ever
    unsigned parsed;     // buffers the parser gave back, ever
    int finished;        // the receiver handed over its last buffer
    int abandoned;       // the parser failed: drain the rest of the exchange, hand nothing more
    uint64_t receiver_cpu_ns;  // the receiver's CPU time, set as it ends
};

// The receiving threads' CPU time of this thread's dumps: most of a dump's cost, which the
// kernel spends in the receiver's recvmsg calls.
static __thread uint64_t helper_cpu_ns;

uint64_t cct_dump_helper_cpu_ns(void) { return helper_cpu_ns; }

static uint64_t thread_cpu_ns(void) {
    struct timespec t;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0) return 0;
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

// Whether a buffer holds the message that ends the exchange (DONE, or an error or ACK).
static int ends_exchange(const char *buffer, ssize_t length) {
    int remaining = (int)length;
    for (const struct nlmsghdr *nlh = (const void *)buffer; mnl_nlmsg_ok(nlh, remaining);
         nlh = mnl_nlmsg_next(nlh, &remaining)) {
        if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR) return 1;
    }
    return 0;
}

static void *receive_loop(void *argument) {
    struct pipeline *p = argument;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (p->filled - p->parsed == CCT_PIPELINE_DEPTH && !p->abandoned) pthread_cond_wait(&p->changed, &p->lock);
        int abandoned = p->abandoned;
        unsigned slot = p->filled % CCT_PIPELINE_DEPTH;
        pthread_mutex_unlock(&p->lock);

        // Once abandoned, the parser reads nothing: the scratch buffer takes the rest.
        char *buffer = abandoned ? p->s->buffer : p->s->pipeline[slot];
        ssize_t n = cct_receive_from_kernel(p->s, buffer, CCT_BUFFER_SIZE, 0);
        if (n < 0 && errno == EINTR) continue;
        int error = n < 0 ? errno : 0;
        int last = n <= 0 || ends_exchange(buffer, n);
        if (!abandoned) {
            pthread_mutex_lock(&p->lock);
            p->lengths[slot] = n;
            p->errors[slot] = n == 0 ? ECONNRESET : error;
            p->filled++;
            p->finished = last;
            if (p->filled - p->parsed >= CCT_PIPELINE_BATCH || last) pthread_cond_broadcast(&p->changed);
            pthread_mutex_unlock(&p->lock);
        }
        if (last) {
            p->receiver_cpu_ns = thread_cpu_ns();  // read by the parser after pthread_join
            return NULL;
        }
    }
}

static int allocate_buffers(cct_socket *s) {
    for (int i = 0; i < CCT_PIPELINE_DEPTH; i++) {
        if (s->pipeline[i] == NULL && (s->pipeline[i] = malloc(CCT_BUFFER_SIZE)) == NULL) return -1;
    }
    return 0;
}

// A second thread only helps when it can run beside this one.
static int may_run_on_two_cpus(void) {
    cpu_set_t cpus;
    return sched_getaffinity(0, sizeof(cpus), &cpus) != 0 || CPU_COUNT(&cpus) > 1;
}

int cct_receive_pipelined(cct_socket *s, mnl_cb_t callback, void *data) {
    if (!may_run_on_two_cpus() || allocate_buffers(s) < 0) return cct_receive(s, callback, data);

    struct pipeline p = { .s = s };
    pthread_t receiver;
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.changed, NULL);
    if (pthread_create(&receiver, NULL, receive_loop, &p) != 0) {
        // No thread to be had: receive on this one instead.
        pthread_mutex_destroy(&p.lock);
        pthread_cond_destroy(&p.changed);
        return cct_receive(s, callback, data);
    }

    int result = 0, error = 0, stop = 0;
    while (!stop) {
        pthread_mutex_lock(&p.lock);
        while (p.filled - p.parsed < CCT_PIPELINE_BATCH && !p.finished) pthread_cond_wait(&p.changed, &p.lock);
        unsigned ready = p.filled - p.parsed;
        pthread_mutex_unlock(&p.lock);
        if (ready == 0) {
            // The receiver saw the exchange end in a buffer the parser did not: never spin.
            error = EPROTO;
            result = -1;
            break;
        }

        unsigned used = 0;
        while (used < ready && !stop) {
            unsigned slot = (p.parsed + used++) % CCT_PIPELINE_DEPTH;
            ssize_t n = p.lengths[slot];
            int ret = n > 0 ? cct_run_callbacks(s->pipeline[slot], (size_t)n, s->seq, s->portid, callback, data) : -1;
            if (n <= 0) errno = p.errors[slot];
            if (ret < 0) error = errno;
            if (ret != 0) {
                result = ret < 0 ? -1 : 0;
                stop = 1;
            }
        }

        pthread_mutex_lock(&p.lock);
        p.parsed += used;
        if (result < 0) p.abandoned = 1;
        pthread_cond_broadcast(&p.changed);
        pthread_mutex_unlock(&p.lock);
    }
    pthread_join(receiver, NULL);
    helper_cpu_ns += p.receiver_cpu_ns;
    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.changed);
    if (result < 0) {
        errno = error;
        return cct_fail_and_reconnect(s);
    }
    return 0;
}
