#define _GNU_SOURCE
#include "ctestnamespace.h"

#include <sched.h>

int ctn_enter_network_namespace(int fd) {
    return setns(fd, CLONE_NEWNET);
}
