/* privdrop.h really drops privileges: the child runs as 65534:65534 with no
 * supplementary groups and no capabilities, cannot become root again, is
 * refused a 0600 file of root's (EACCES) while it may read a 0644 one, and
 * can still read its own /proc/self/fd (the bad-input matrix needs it). */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "check.h"
#include "privdrop.h"

static char private_file[64];
static char public_file[64];

static int make_file(char *path, size_t size, const char *tag, mode_t mode) {
    snprintf(path, size, "/tmp/rsipc-privdrop-%ld-%s-XXXXXX", (long)getpid(), tag);
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    int ok = fchmod(fd, mode) == 0 && write(fd, "x", 1) == 1;
    close(fd);
    return ok ? 0 : -1;
}

/* Each check in the child sets one bit of the exit status. */
static int as_nobody(void *unused) {
    (void)unused;
    int failed = 0;
    if (getuid() != PRIVDROP_UID || geteuid() != PRIVDROP_UID) failed |= 1;
    if (getgid() != PRIVDROP_GID || getegid() != PRIVDROP_GID || getgroups(0, NULL) != 0) failed |= 2;
    if (privdrop_capset("CapEff") != 0) failed |= 4;
    if (setuid(0) == 0 || errno != EPERM) failed |= 8;
    errno = 0;
    int fd = open(private_file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 || errno != EACCES) failed |= 16;
    if (fd >= 0) close(fd);
    fd = open(public_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) failed |= 32;
    else close(fd);
    DIR *d = opendir("/proc/self/fd");
    if (!d) failed |= 64;
    else closedir(d);
    return failed;
}

static int return_42(void *unused) {
    (void)unused;
    return 42;
}

int main(void) {
    if (geteuid() != 0) {
        printf("test_privdrop: skipped, not running as root (nothing to drop)\n");
        CHECK(privdrop_run(return_42, NULL) == PRIVDROP_UNAVAILABLE);
        return check_summary("test_privdrop") == 0 ? 77 : 1;
    }
    CHECK(make_file(private_file, sizeof private_file, "private", 0600) == 0);
    CHECK(make_file(public_file, sizeof public_file, "public", 0644) == 0);

    int failed = privdrop_run(as_nobody, NULL);
    CHECK(failed == 0);
    if (failed != 0) fprintf(stderr, "as_nobody: failed checks bitmask %#x\n", (unsigned)failed);
    /* The callback's value comes back unchanged. */
    CHECK(privdrop_run(return_42, NULL) == 42);
    /* The parent keeps its privileges. */
    CHECK(geteuid() == 0);

    CHECK(unlink(private_file) == 0);
    CHECK(unlink(public_file) == 0);
    return check_summary("test_privdrop");
}
