/* Running test code as an unprivileged user, for the permission tests
 * (EACCES on a 0600 object of another user, for every object kind).
 *
 *   int r = privdrop_run(fn, arg);   fn(arg) runs in a forked child as
 *                                    uid/gid 65534 (nobody/nogroup), no
 *                                    supplementary groups, no capabilities;
 *                                    r is fn's return value (0..255), or
 *                                    PRIVDROP_UNAVAILABLE when the test does
 *                                    not run as root (nothing to drop: skip),
 *                                    or PRIVDROP_FAILED if the child could not
 *                                    drop or did not exit normally.
 *   privdrop_drop()                  the same drop in the calling process (for
 *                                    code that is already in a forked child,
 *                                    such as a bad-input matrix row); returns
 *                                    0, or -1 with a message on stderr.
 *
 * Why each step: setgroups(0) first (it needs privilege), then setgid while
 * still root, then setuid, which clears the effective, permitted and ambient
 * capabilities. The credential change makes the process non-dumpable, which
 * hands /proc/self/ to root; PR_SET_DUMPABLE gives it back so the tests can
 * still read /proc/self/fd and /proc/self/status. The drop is verified, never
 * assumed: every id, the group list, the capability sets, and that
 * setuid(0) now fails.
 *
 * Header-only (static functions): include it from any test. */
#ifndef RSIPC_TEST_PRIVDROP_H
#define RSIPC_TEST_PRIVDROP_H

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PRIVDROP_UID 65534
#define PRIVDROP_GID 65534
#define PRIVDROP_UNAVAILABLE 254
#define PRIVDROP_FAILED 255

/* Reads the hex capability set `which` ("CapEff", "CapPrm", ...) of this
 * process from /proc/self/status; -1 if it cannot be read. */
static inline long long privdrop_capset(const char *which) {
    FILE *f = fopen("/proc/self/status", "re");
    if (!f) return -1;
    char line[256];
    long long value = -1;
    size_t n = strlen(which);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, which, n) == 0 && line[n] == ':') {
            value = strtoll(line + n + 1, NULL, 16);
            break;
        }
    }
    fclose(f);
    return value;
}

static inline int privdrop_drop(void) {
    if (setgroups(0, NULL) != 0 || setgid(PRIVDROP_GID) != 0 || setuid(PRIVDROP_UID) != 0) {
        fprintf(stderr, "privdrop: cannot drop to %d:%d: %s\n", PRIVDROP_UID, PRIVDROP_GID, strerror(errno));
        return -1;
    }
    if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) {
        fprintf(stderr, "privdrop: PR_SET_DUMPABLE: %s\n", strerror(errno));
        return -1;
    }
    uid_t r, e, s;
    gid_t gr, ge, gs;
    if (getresuid(&r, &e, &s) != 0 || getresgid(&gr, &ge, &gs) != 0 || r != PRIVDROP_UID || e != PRIVDROP_UID ||
        s != PRIVDROP_UID || gr != PRIVDROP_GID || ge != PRIVDROP_GID || gs != PRIVDROP_GID || getgroups(0, NULL) != 0) {
        fprintf(stderr, "privdrop: ids after the drop are not all %d:%d\n", PRIVDROP_UID, PRIVDROP_GID);
        return -1;
    }
    if (privdrop_capset("CapEff") != 0 || privdrop_capset("CapPrm") != 0 || privdrop_capset("CapAmb") != 0) {
        fprintf(stderr, "privdrop: capabilities remain after the drop\n");
        return -1;
    }
    if (setuid(0) == 0) {
        fprintf(stderr, "privdrop: setuid(0) succeeded after the drop\n");
        return -1;
    }
    return 0;
}

static inline int privdrop_run(int (*fn)(void *), void *arg) {
    if (geteuid() != 0) return PRIVDROP_UNAVAILABLE;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return PRIVDROP_FAILED;
    if (pid == 0) {
        if (privdrop_drop() != 0) _exit(PRIVDROP_FAILED);
        int rc = fn(arg);
        fflush(NULL);
        _exit(rc & 0xff);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return PRIVDROP_FAILED;
    }
    if (!WIFEXITED(status)) {
        fprintf(stderr, "privdrop: child ended with status %#x\n", (unsigned)status);
        return PRIVDROP_FAILED;
    }
    return WEXITSTATUS(status);
}

#endif
