/* Running test code as an unprivileged user (privdrop.h). */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

long long privdrop_capset(const char *which) {
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

int privdrop_drop(void) {
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

int privdrop_run(int (*fn)(void *), void *arg) {
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
