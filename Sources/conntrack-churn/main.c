// Loopback connection churn for the benchmark: THREADS threads connect to a local
// listener and close, in a loop, for SECONDS seconds; prints connections per second, then
// the number of connections made.
// Run it inside a test namespace only.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static atomic_long connections;
static atomic_int running = 1;
static struct sockaddr_in target;

static void *accept_loop(void *arg) {
    int listener = *(int *)arg;
    while (atomic_load(&running)) {
        int fd = accept(listener, NULL, NULL);
        if (fd >= 0) close(fd);
    }
    return NULL;
}

static void *connect_loop(void *arg) {
    (void)arg;
    while (atomic_load(&running)) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) continue;
        if (connect(fd, (struct sockaddr *)&target, sizeof(target)) == 0) atomic_fetch_add(&connections, 1);
        close(fd);
    }
    return NULL;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 5;
    int threads = argc > 2 ? atoi(argv[2]) : 2;
    int port = argc > 3 ? atoi(argv[3]) : 7999;

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&target, 0, sizeof(target));
    target.sin_family = AF_INET;
    target.sin_port = htons((uint16_t)port);
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&target, sizeof(target)) < 0 || listen(listener, 4096) < 0) {
        perror("listen");
        return 1;
    }
    struct timeval timeout = { 0, 200000 };
    setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));

    pthread_t acceptor, workers[64];
    if (threads > 64) threads = 64;
    pthread_create(&acceptor, NULL, accept_loop, &listener);
    for (int i = 0; i < threads; i++) pthread_create(&workers[i], NULL, connect_loop, NULL);
    struct timespec pause = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
    nanosleep(&pause, NULL);
    atomic_store(&running, 0);
    for (int i = 0; i < threads; i++) pthread_join(workers[i], NULL);
    pthread_join(acceptor, NULL);
    printf("%.0f %ld\n", (double)atomic_load(&connections) / seconds, atomic_load(&connections));
    return 0;
}
