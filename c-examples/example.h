/* Small helpers shared by the ported examples: DIE() prints what failed
 * with rsipc's explanation and exits non-zero; wait_ok() reaps a child. */
#ifndef RSIPC_EXAMPLE_H
#define RSIPC_EXAMPLE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rsipc.h"

/* Prints what failed, with rsipc's explanation, and exits non-zero. */
#define DIE(what)                                                               \
    do {                                                                        \
        fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, what,    \
                rsipc_last_error()[0] ? rsipc_last_error() : strerror(errno));  \
        exit(1);                                                                \
    } while (0)

/* Waits for `pid` and returns 0 if it exited with status 0. */
static inline int wait_ok(pid_t pid) {
    int status;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

#endif
