// Hostile traffic for the tests and the soak: a port scan, or connections from very many
// source addresses, each connection opened and reset at once. Run it inside a test
// namespace only, with routes that make the sources local (see the tests).
//   conntrack-flood ports SOURCE DESTINATION FIRST LAST
//       one connection from SOURCE (IPv4) to each port FIRST..LAST of DESTINATION; closed
//       ports answer with a reset
//   conntrack-flood sources PREFIX COUNT DESTINATION PORT
//       COUNT connections, each from a random address of the IPv6 PREFIX/64, to a listener
//       this tool runs on [DESTINATION]:PORT
// Prints the connections attempted and the seconds they took.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

// Connects `fd` (bound already) to `target`, waiting at most 1 s, then resets the connection.
static void connect_and_reset(int fd, const struct sockaddr *target, socklen_t length) {
    int one = 1;
    struct linger reset = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
    if (connect(fd, target, length) < 0 && errno == EINPROGRESS) {
        struct pollfd wait = { fd, POLLOUT, 0 };
        poll(&wait, 1, 1000);
    }
    close(fd);
}

static int ports(const char *source, const char *destination, int first, int last) {
    struct sockaddr_in from = { .sin_family = AF_INET }, to = { .sin_family = AF_INET };
    if (inet_pton(AF_INET, source, &from.sin_addr) != 1 || inet_pton(AF_INET, destination, &to.sin_addr) != 1) return -1;
    for (int port = first; port <= last; port++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fd < 0) return -1;
        int one = 1;
        setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0) { close(fd); return -1; }
        to.sin_port = htons((uint16_t)port);
        connect_and_reset(fd, (struct sockaddr *)&to, sizeof(to));
    }
    return last - first + 1;
}

static void *accept_loop(void *argument) {
    int listener = *(int *)argument;
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd >= 0) close(fd);
    }
    return NULL;
}

static int sources(const char *prefix, long count, const char *destination, int port) {
    struct sockaddr_in6 from = { .sin6_family = AF_INET6 }, to = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
    if (inet_pton(AF_INET6, prefix, &from.sin6_addr) != 1 || inet_pton(AF_INET6, destination, &to.sin6_addr) != 1) return -1;
    int listener = socket(AF_INET6, SOCK_STREAM, 0), one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (listener < 0 || bind(listener, (struct sockaddr *)&to, sizeof(to)) < 0 || listen(listener, 4096) < 0) return -1;
    pthread_t acceptor;
    pthread_create(&acceptor, NULL, accept_loop, &listener);
    for (long i = 0; i < count; i++) {
        if (getrandom(&from.sin6_addr.s6_addr[8], 8, 0) != 8) return -1;
        int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fd < 0) return -1;
        setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0) { close(fd); return -1; }
        connect_and_reset(fd, (struct sockaddr *)&to, sizeof(to));
    }
    return (int)count;
}

int main(int argc, char **argv) {
    double start = now();
    int made = -1;
    if (argc == 6 && strcmp(argv[1], "ports") == 0) {
        made = ports(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
    } else if (argc == 6 && strcmp(argv[1], "sources") == 0) {
        made = sources(argv[2], atol(argv[3]), argv[4], atoi(argv[5]));
    } else {
        fprintf(stderr, "usage: conntrack-flood ports SOURCE DESTINATION FIRST LAST\n"
                        "       conntrack-flood sources PREFIX COUNT DESTINATION PORT\n");
        return 2;
    }
    if (made < 0) {
        perror("conntrack-flood");
        return 1;
    }
    printf("%d %.2f\n", made, now() - start);
    return 0;
}
