// The benchmark's event floor: subscribes to NEW and DESTROY conntrack events exactly as
// the exporter does (same groups, same in-kernel TCP filter, same receive buffer), then
// receives every event and discards it. Anything the exporter's listener spends beyond
// this is its own cost. Read-only.
//
// With the argument `updates` it subscribes to UPDATE as well, as the events-mode table does:
// the benchmark measures what that subscription costs the kernel.
//
// Runs until SIGINT or SIGTERM, then prints: events received, overflows (ENOBUFS).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "cconntrack.h"

#define BUFFER_BYTES (16 << 20)  // the exporter's EventListener.initialBufferBytes

static volatile sig_atomic_t stopping;

static void stop(int signal) {
    (void)signal;
    stopping = 1;
}

int main(int argc, char **argv) {
    int updates = argc > 1 && strcmp(argv[1], "updates") == 0;
    cct_socket *socket = cct_events_open(BUFFER_BYTES, updates);
    if (socket == NULL) {
        perror("subscribing to conntrack events");
        return 1;
    }
    // Without SA_RESTART, so the blocking recv returns when asked to stop.
    struct sigaction action = { .sa_handler = stop };
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);

    static char buffer[64 * 1024];
    long events = 0, overflows = 0;
    int fd = cct_socket_fd(socket);
    while (!stopping) {
        ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
        if (n > 0) {
            events++;  // the kernel sends one event per message
        } else if (n < 0 && errno == ENOBUFS) {
            overflows++;
        } else if (n < 0 && errno != EINTR) {
            perror("recv");
            return 1;
        }
    }
    printf("%ld %ld\n", events, overflows);
    cct_socket_close(socket);
    return 0;
}
