/* Small helpers shared by the pipe examples. */
#ifndef PIPE_EXAMPLES_COMMON_H
#define PIPE_EXAMPLES_COMMON_H

#include <time.h>

#include "../example.h"

/* Waits (at most 10 s) until process `pid` sleeps in a kernel function whose
 * name (as /proc/PID/wchan gives it) contains `where` or `alt`: how the
 * examples show that a call really blocks, without guessing with sleep().
 * Kernels name the pipe waits differently ("pipe_write", "anon_pipe_write",
 * "pipe_wait_writable"), hence the two patterns. */
static inline int wait_until_blocked_in(pid_t pid, const char *where, const char *alt) {
    char path[64], buf[128];
    snprintf(path, sizeof path, "/proc/%d/wchan", (int)pid);
    for (int i = 0; i < 10000; i++) {
        FILE *f = fopen(path, "re");
        if (!f) return -1;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        if (strstr(buf, where) || strstr(buf, alt)) return 0;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return -1;
}

#endif
