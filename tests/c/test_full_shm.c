/* A full /dev/shm is an error at creation, never a SIGBUS later: channels,
 * named semaphores and rsipc_shm_map_reserve reserve their memory when they
 * are made (tmpfs's ftruncate reserves nothing: a page it cannot supply
 * when first touched is a SIGBUS).
 *
 * The test runs in a forked child with a private mount namespace, where a
 * 1 MiB tmpfs is mounted on /dev/shm (the real /dev/shm is never touched:
 * nothing is mounted unless making every mount private succeeded). Each
 * case runs in a process of its own, so a signal is seen and counted, not
 * fatal to the rest. Skipped, with the reason, where mount namespaces are
 * not permitted (needs root, or unprivileged user namespaces). */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define SHM "/dev/shm"
#define TMPFS_SIZE ((size_t)1 << 20)

static char names[8][64];

/* A pid-unique name for slot `i`. */
static const char *nm(int i, const char *tag) {
    snprintf(names[i], sizeof names[i], "/rsipc-full-%d-%s", (int)getpid(), tag);
    return names[i];
}

/* Entries in /dev/shm (the test's own tmpfs) other than "." and "..". */
static int entries(void) {
    DIR *d = opendir(SHM);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static size_t free_bytes(void) {
    struct statfs fs;
    if (statfs(SHM, &fs) != 0) return 0;
    return (size_t)fs.f_bavail * (size_t)fs.f_bsize;
}

/* Writes a filler file /dev/shm/filler-N until only `leave` bytes are free
 * (0: until the file system is full). */
static void fill(int n, size_t leave) {
    char path[64];
    snprintf(path, sizeof path, SHM "/filler-%d", n);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return;
    static char block[4096];
    memset(block, 'f', sizeof block);
    while (free_bytes() > leave) {
        size_t want = free_bytes() - leave;
        if (want > sizeof block) want = sizeof block;
        if (write(fd, block, want) <= 0) break;
    }
    close(fd);
}

static void unfill(void) {
    char path[64];
    for (int n = 0; n < 4; n++) {
        snprintf(path, sizeof path, SHM "/filler-%d", n);
        unlink(path);
    }
}

/* ---- the cases (each in a process of its own) ------------------------- */

/* A channel larger than the free space: ENOSPC, and no object left. */
static void case_channel_too_large(void) {
    errno = 0;
    rsipc_chan_t *ch = rsipc_chan_create(nm(0, "big"), 64 * 1024, 32, 0600); /* ~2 MiB */
    CHECK(ch == NULL && errno == ENOSPC);
    CHECK(strstr(rsipc_last_error(), "chan_create(") == rsipc_last_error());
    CHECK(entries() == 0);
}

/* /dev/shm already full: a small channel is ENOSPC too, and leaves nothing. */
static void case_channel_on_a_full_file_system(void) {
    fill(0, 0);
    int before = entries();
    errno = 0;
    rsipc_chan_t *ch = rsipc_chan_create(nm(0, "small"), 64, 4, 0600);
    CHECK(ch == NULL && errno == ENOSPC);
    CHECK(entries() == before);
    unfill();
}

/* A channel that fits, then /dev/shm filled to the last byte: every slot
 * can be filled with a max_msg message, and read back, with no signal. */
static void case_channel_that_fits_fills_completely(void) {
    const size_t max_msg = 4096, capacity = 48; /* about 200 KiB */
    fill(0, 300 * 1024);
    rsipc_chan_t *ch = rsipc_chan_create(nm(0, "fits"), max_msg, capacity, 0600);
    CHECK(ch != NULL);
    if (!ch) return;
    fill(1, 0);
    CHECK(free_bytes() < 4096);
    static unsigned char msg[4096], buf[4096];
    int sent = 0, back = 0;
    for (size_t i = 0; i < capacity; i++) {
        memset(msg, (int)i, sizeof msg);
        if (rsipc_chan_send(ch, msg, sizeof msg, 0) == 0) sent++;
    }
    CHECK(rsipc_chan_send(ch, msg, 1, 0) == -1 && errno == EAGAIN);
    for (size_t i = 0; i < capacity; i++) {
        memset(msg, (int)i, sizeof msg);
        if (rsipc_chan_recv(ch, buf, sizeof buf, 0) == (ssize_t)max_msg && memcmp(buf, msg, max_msg) == 0) back++;
    }
    CHECK(sent == (int)capacity && back == (int)capacity);
    rsipc_chan_close(ch);
    CHECK(rsipc_chan_unlink(names[0]) == 0);
    unfill();
    CHECK(entries() == 0);
}

/* Named semaphores on a full /dev/shm: ENOSPC from rsipc and from glibc
 * alike, nothing left; with room, one is made and works. */
static void case_named_semaphore(void) {
    fill(0, 0);
    int before = entries();
    errno = 0;
    sem_t *r = rsipc_sem_open(nm(0, "sem"), O_CREAT | O_EXCL, 0600, 1);
    int rsipc_errno = errno;
    errno = 0;
    sem_t *g = sem_open(nm(1, "gsem"), O_CREAT | O_EXCL, 0600, 1);
    int glibc_errno = errno;
    CHECK(r == SEM_FAILED && rsipc_errno == ENOSPC);
    CHECK(g == SEM_FAILED && glibc_errno == rsipc_errno);
    CHECK(strstr(rsipc_last_error(), "sem_open(") == rsipc_last_error());
    CHECK(entries() == before);
    unfill();
    fill(0, 8192);
    r = rsipc_sem_open(names[0], O_CREAT | O_EXCL, 0600, 1);
    CHECK(r != SEM_FAILED);
    if (r != SEM_FAILED) {
        fill(1, 0);
        CHECK(rsipc_sem_wait(r) == 0 && rsipc_sem_post(r) == 0 && rsipc_sem_post(r) == 0);
        int v = -1;
        CHECK(rsipc_sem_getvalue(r, &v) == 0 && v == 2);
        CHECK(rsipc_sem_close(r) == 0);
        CHECK(rsipc_sem_unlink(names[0]) == 0);
    }
    unfill();
    CHECK(entries() == 0);
}

/* rsipc_shm_map_reserve: too large is ENOSPC and leaves nothing; one that
 * fits can be written to its last byte after /dev/shm filled up. */
static void case_shm_map_reserve(void) {
    errno = 0;
    void *p = rsipc_shm_map_reserve(nm(0, "shm"), 2 * TMPFS_SIZE, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(p == MAP_FAILED && errno == ENOSPC);
    CHECK(strstr(rsipc_last_error(), "shm_map_reserve(") == rsipc_last_error());
    CHECK(entries() == 0);
    fill(0, 0);
    int before = entries();
    errno = 0;
    p = rsipc_shm_map_reserve(names[0], 8192, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(p == MAP_FAILED && errno == ENOSPC);
    CHECK(entries() == before);
    unfill();
    const size_t len = 256 * 1024;
    fill(0, len + 64 * 1024);
    p = rsipc_shm_map_reserve(names[0], len, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        fill(1, 0);
        CHECK(free_bytes() < 4096);
        memset(p, 0x5a, len); /* every page: a SIGBUS here if not reserved */
        CHECK(((unsigned char *)p)[len - 1] == 0x5a);
        CHECK(rsipc_munmap(p, len) == 0);
        CHECK(rsipc_shm_unlink(names[0]) == 0);
    }
    unfill();
    CHECK(entries() == 0);
}

/* ---- driver ------------------------------------------------------------ */

struct tally {
    int cases, failed, signals;
};

static void run_case(struct tally *t, const char *what, void (*fn)(void)) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        check_failures = 0;
        fn();
        fflush(stdout);
        _exit(check_failures == 0 ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    t->cases++;
    if (WIFSIGNALED(status)) {
        t->signals++;
        t->failed++;
        printf("  %s: killed by signal %d\n", what, WTERMSIG(status));
    } else if (WEXITSTATUS(status) != 0) {
        t->failed++;
        printf("  %s: FAILED\n", what);
    } else {
        printf("  %s: ok\n", what);
    }
    unfill();
}

/* Writes `text` to the file at `path` (a /proc control file). */
static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* One line of a user namespace's id map: `id` inside is `id` outside. */
static int write_id_map(const char *path, unsigned id) {
    char line[64];
    snprintf(line, sizeof line, "%u %u 1\n", id, id);
    return write_file(path, line);
}

/* In the namespace child: a private tmpfs of 1 MiB on /dev/shm. Exits 77
 * (skip) when that cannot be arranged safely. */
static int private_small_dev_shm(void) {
    if (unshare(CLONE_NEWNS) != 0) {
        int first = errno;
        uid_t uid = geteuid();
        gid_t gid = getegid();
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
            printf("SKIP: unshare(CLONE_NEWNS) failed (%s) and no user namespace either (%s): needs root "
                   "or unprivileged user namespaces\n",
                   strerror(first), strerror(errno));
            return 77;
        }
        /* Map this user to itself: without a mapping, files it creates
         * have no owner the kernel can store (EOVERFLOW). */
        if (write_file("/proc/self/setgroups", "deny") != 0 || write_id_map("/proc/self/uid_map", uid) != 0 ||
            write_id_map("/proc/self/gid_map", gid) != 0) {
            printf("SKIP: cannot map the user into the new user namespace (%s)\n", strerror(errno));
            return 77;
        }
    }
    /* Only with every mount private can a mount here stay here. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        printf("SKIP: cannot make the mounts of the new namespace private (%s)\n", strerror(errno));
        return 77;
    }
    if (mount("tmpfs", SHM, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=1777") != 0) {
        printf("SKIP: cannot mount a small tmpfs on " SHM " in a private namespace (%s)\n", strerror(errno));
        return 77;
    }
    struct statfs fs;
    if (statfs(SHM, &fs) != 0 || (size_t)fs.f_blocks * (size_t)fs.f_bsize != TMPFS_SIZE || entries() != 0) {
        printf("the private " SHM " is not the 1 MiB tmpfs just mounted\n");
        return 2;
    }
    return 0;
}

int main(void) {
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        int setup = private_small_dev_shm();
        if (setup) {
            fflush(stdout);
            _exit(setup);
        }
        struct tally t = {0, 0, 0};
        run_case(&t, "channel larger than the free space", case_channel_too_large);
        run_case(&t, "channel on a full /dev/shm", case_channel_on_a_full_file_system);
        run_case(&t, "channel that fits, filled completely", case_channel_that_fits_fills_completely);
        run_case(&t, "named semaphore", case_named_semaphore);
        run_case(&t, "rsipc_shm_map_reserve", case_shm_map_reserve);
        printf("full-/dev/shm cases: %d, %d failed, %d signals\n", t.cases, t.failed, t.signals);
        fflush(stdout);
        _exit(t.failed == 0 ? 0 : 1);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) return 77;
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return check_summary("test_full_shm");
}
