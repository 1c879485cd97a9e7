/* Shared parts of the libFuzzer harnesses (fuzz/<harness>.c; see run.sh).
 *
 * A harness defines `static void fuzz_one(struct fuzz_in *in)`, reads its
 * arguments with the take_* functions, makes rsipc calls and states what
 * must hold with FUZZ_ASSERT / fuzz_expect_failure; a violated expectation
 * aborts, which libFuzzer reports as a crash and saves as a reproducer.
 * This header provides LLVMFuzzerTestOneInput around fuzz_one, which also
 * aborts when an input leaves a descriptor open (every failure path must
 * close what it opened).
 *
 * Descriptors: fuzz_fd() picks one of a fixed set of kinds (-1, INT_MIN, a
 * closed number, a number no process can have, a regular file, a directory,
 * /dev/null, a socket, an O_PATH FIFO, a pipe's read or write end; sockets
 * and pipes non-blocking, so no call can wait). The harness never hands
 * rsipc a descriptor libFuzzer itself uses (0, 1, 2 and its own), so no
 * input can disturb the fuzzer's output.
 *
 * Objects: harnesses that create named or System V objects name them under
 * fuzz_prefix() ("/rsipc-fz-<pid>-", see fuzz_take_name) or use
 * IPC_PRIVATE, remove them at the end of every input, and set
 * fuzz_cleanup to a function that removes them, which a failing
 * FUZZ_ASSERT or a sanitizer report runs before the process dies. Where
 * the expected errno depends on the state, collect the acceptable ones in
 * a struct fuzz_errs and call fuzz_expect_failure_of. */
#ifndef RSIPC_FUZZ_H
#define RSIPC_FUZZ_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rsipc.h"

/* ---- reading the input -------------------------------------------------- */

struct fuzz_in {
    const uint8_t *p;
    size_t n;
};

static inline uint8_t take_u8(struct fuzz_in *in) {
    if (in->n == 0) return 0;
    in->n--;
    return *in->p++;
}

static inline uint16_t take_u16(struct fuzz_in *in) {
    return (uint16_t)(take_u8(in) | take_u8(in) << 8);
}

static inline uint32_t take_u32(struct fuzz_in *in) {
    return (uint32_t)take_u16(in) | (uint32_t)take_u16(in) << 16;
}

static inline uint64_t take_u64(struct fuzz_in *in) {
    return (uint64_t)take_u32(in) | (uint64_t)take_u32(in) << 32;
}

static inline int take_int(struct fuzz_in *in) {
    return (int)take_u32(in);
}

/* An int that is often one of the interesting edges. */
static inline int take_edgy_int(struct fuzz_in *in) {
    static const int edges[] = {0, 1, -1, 2, INT_MIN, INT_MAX, 4096, 65536, 1 << 20, (1 << 20) + 1, 1 << 30};
    uint8_t sel = take_u8(in);
    if (sel < 128) return edges[sel % (sizeof edges / sizeof edges[0])];
    return take_int(in);
}

/* ---- checking ----------------------------------------------------------- */

/* Set by a harness that creates named or System V objects: a failing
 * FUZZ_ASSERT runs it before aborting, so a finding leaves nothing behind. */
static void (*fuzz_cleanup)(void);

static inline void fuzz_run_cleanup(void) {
    void (*cleanup)(void) = fuzz_cleanup;
    fuzz_cleanup = NULL; /* once, even if it fails itself */
    if (cleanup) cleanup();
}

#define FUZZ_ASSERT(cond, ...)                                                               \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: FUZZ_ASSERT(%s) failed: ", __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                                    \
            fprintf(stderr, "\n  errno %d, last error \"%s\"\n", errno, rsipc_last_error()); \
            fuzz_run_cleanup();                                                              \
            abort();                                                                         \
        }                                                                                    \
    } while (0)

/* The message of a failure is "name(args): ENAME: why", ENAME being the
 * errno's name; checks that and returns. */
static inline void fuzz_check_message(const char *name, int err) {
    const char *msg = rsipc_last_error();
    FUZZ_ASSERT(msg != NULL, "rsipc_last_error() is NULL");
    size_t len = strlen(msg);
    size_t n = strlen(name);
    FUZZ_ASSERT(len > 0 && len < 4096, "message length %zu", len);
    FUZZ_ASSERT(strncmp(msg, name, n) == 0 && msg[n] == '(', "message does not start with %s(", name);
    const char *ename = strerrorname_np(err);
    FUZZ_ASSERT(ename != NULL, "errno %d has no name", err);
    char want[64];
    snprintf(want, sizeof want, "): %s: ", ename);
    /* Numbers with two names: rsipc says ENOTSUP where glibc's table says
     * EOPNOTSUPP. */
    char alias[64] = "";
    if (err == ENOTSUP) snprintf(alias, sizeof alias, "): ENOTSUP: ");
    FUZZ_ASSERT(strstr(msg, want) != NULL || (alias[0] && strstr(msg, alias) != NULL), "message lacks \"%s\"", want);
}

/* `ret` must be the failure value, errno one of the `nerr` values in
 * `errs`, and the message well formed. */
static inline void fuzz_expect_failure_of(const char *name, long long ret, long long failval, const int *errs,
                                          int nerr) {
    int err = errno;
    FUZZ_ASSERT(ret == failval, "%s returned %lld, want the failure value %lld", name, ret, failval);
    int ok = 0;
    for (int i = 0; i < nerr; i++) ok |= err == errs[i];
    FUZZ_ASSERT(ok, "%s: errno %d (%s) is not one of the expected", name, err, strerrorname_np(err));
    fuzz_check_message(name, err);
}

#define fuzz_expect_failure(name, ret, failval, ...)                                              \
    do {                                                                                          \
        static const int fuzz_errs_[] = {__VA_ARGS__};                                            \
        fuzz_expect_failure_of(name, (long long)(ret), (long long)(failval), fuzz_errs_,          \
                               (int)(sizeof fuzz_errs_ / sizeof fuzz_errs_[0]));                  \
    } while (0)

/* `ret` must be the failure value and errno one of the `nerr` values
 * collected at run time in `errs` (for expectations that depend on the
 * state), with a well-formed message. */
#define FUZZ_MAX_ERRS 16
struct fuzz_errs {
    int e[FUZZ_MAX_ERRS];
    int n;
};
static inline void fuzz_errs_add(struct fuzz_errs *s, int err) {
    for (int i = 0; i < s->n; i++)
        if (s->e[i] == err) return;
    FUZZ_ASSERT(s->n < FUZZ_MAX_ERRS, "too many expected errnos");
    s->e[s->n++] = err;
}

/* ---- names of objects only this process may touch ------------------------ */

/* "/rsipc-fz-<pid>-": every name a harness builds starts with it (after
 * optional extra leading slashes), so whatever the input, the only POSIX
 * objects it can reach are its own: a '/' further on makes the name
 * invalid, never a path elsewhere. */
static inline const char *fuzz_prefix(void) {
    static char prefix[40];
    if (!prefix[0]) snprintf(prefix, sizeof prefix, "/rsipc-fz-%ld-", (long)getpid());
    return prefix;
}

/* Builds into `buf` (at least 600 bytes) a name from the input:
 * [leading slashes u8][length u16][bytes...] -> up to 3 extra '/', the
 * prefix, then up to 300 input bytes (NUL bytes become 'n'). */
static inline const char *fuzz_take_name(struct fuzz_in *in, char *buf, size_t size) {
    uint8_t slashes = take_u8(in) % 4;
    size_t len = take_u16(in) % 301;
    size_t pos = 0;
    FUZZ_ASSERT(size >= 600, "name buffer too small");
    while (slashes--) buf[pos++] = '/';
    const char *prefix = fuzz_prefix();
    memcpy(buf + pos, prefix, strlen(prefix));
    pos += strlen(prefix);
    for (size_t i = 0; i < len && in->n > 0; i++) {
        uint8_t c = take_u8(in);
        buf[pos++] = c ? (char)c : 'n';
    }
    buf[pos] = '\0';
    return buf;
}

/* Removes every entry of `dir` whose name starts with `start` (the
 * harness's own objects: "/dev/shm" with "rsipc-fz-<pid>-" or
 * "sem.rsipc-fz-<pid>-"). */
static inline void fuzz_remove_entries(const char *dir, const char *start) {
    DIR *d = opendir(dir);
    FUZZ_ASSERT(d != NULL, "cannot open %s", dir);
    struct dirent *de;
    size_t n = strlen(start);
    char path[1024];
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, start, n) != 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (unlink(path) != 0 && errno == EISDIR) rmdir(path);
    }
    closedir(d);
}

/* ---- descriptors -------------------------------------------------------- */

enum fuzz_fd_kind {
    FD_MINUS_ONE,
    FD_INT_MIN,
    FD_INT_MAX,
    FD_CLOSED,     /* a number that was open a moment ago */
    FD_IMPOSSIBLE, /* >= 1 << 20: above any process's descriptor table */
    FD_REGULAR,
    FD_DIRECTORY,
    FD_DEV_NULL,
    FD_SOCKET,
    FD_O_PATH,     /* O_PATH descriptor of a FIFO */
    FD_PIPE_READ,
    FD_PIPE_WRITE,
    FD_KINDS
};

static inline int fuzz_fd_is_pipe(enum fuzz_fd_kind k) {
    return k == FD_PIPE_READ || k == FD_PIPE_WRITE;
}

/* A kind that names an open descriptor. */
static inline int fuzz_fd_is_open(enum fuzz_fd_kind k) {
    return k >= FD_REGULAR;
}

/* What this input opened; fuzz_fds_close() closes it. */
struct fuzz_fds {
    int fd[FD_KINDS];
    int extra; /* the socket's other end */
};

static inline void fuzz_fds_init(struct fuzz_fds *f) {
    for (int i = 0; i < FD_KINDS; i++) f->fd[i] = -1;
    f->extra = -1;
}

static inline void fuzz_fds_close(struct fuzz_fds *f) {
    for (int i = FD_REGULAR; i < FD_KINDS; i++)
        if (f->fd[i] >= 0) close(f->fd[i]);
    if (f->extra >= 0) close(f->extra);
    fuzz_fds_init(f);
}

/* The number used for FD_CLOSED: high enough that no fixture gets it. */
#define FUZZ_CLOSED_FD 900

static inline int fuzz_open_kind(struct fuzz_fds *f, enum fuzz_fd_kind k) {
    if (f->fd[k] >= 0) return f->fd[k];
    int fd = -1;
    switch (k) {
    case FD_REGULAR: fd = memfd_create("rsipc-fuzz", MFD_CLOEXEC); break;
    case FD_DIRECTORY: fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC); break;
    case FD_DEV_NULL: fd = open("/dev/null", O_RDWR | O_CLOEXEC); break;
    case FD_SOCKET: {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) == 0) {
            fd = sv[0];
            f->extra = sv[1];
        }
        break;
    }
    case FD_O_PATH: {
        char path[64];
        snprintf(path, sizeof path, "/tmp/rsipc-fuzz-%ld.fifo", (long)getpid());
        if (mkfifo(path, 0600) == 0 || errno == EEXIST) {
            fd = open(path, O_PATH | O_CLOEXEC);
            unlink(path);
        }
        break;
    }
    case FD_PIPE_READ:
    case FD_PIPE_WRITE: {
        int p[2];
        if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0) {
            f->fd[FD_PIPE_READ] = p[0];
            f->fd[FD_PIPE_WRITE] = p[1];
            fd = f->fd[k];
        }
        break;
    }
    default: break;
    }
    FUZZ_ASSERT(fd >= 0, "cannot open a descriptor of kind %d: %s", (int)k, strerror(errno));
    f->fd[k] = fd;
    return fd;
}

/* One descriptor of the kind the input picks. */
static inline int fuzz_fd(struct fuzz_in *in, struct fuzz_fds *f, enum fuzz_fd_kind *kind) {
    enum fuzz_fd_kind k = (enum fuzz_fd_kind)(take_u8(in) % FD_KINDS);
    *kind = k;
    switch (k) {
    case FD_MINUS_ONE: return -1;
    case FD_INT_MIN: return INT_MIN;
    case FD_INT_MAX: return INT_MAX;
    case FD_CLOSED:
        FUZZ_ASSERT(fcntl(FUZZ_CLOSED_FD, F_GETFD) == -1, "descriptor %d is open", FUZZ_CLOSED_FD);
        return FUZZ_CLOSED_FD;
    case FD_IMPOSSIBLE: return (int)((1u << 20) + (take_u32(in) & 0x3fffffff) % ((unsigned)INT_MAX - (1u << 20)));
    default: return fuzz_open_kind(f, k);
    }
}

/* ---- the entry point ---------------------------------------------------- */

static inline int fuzz_count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    FUZZ_ASSERT(d != NULL, "cannot open /proc/self/fd");
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void fuzz_one(struct fuzz_in *in);

/* A sanitizer report (a crash inside rsipc, an overflow) runs this too,
 * so it also leaves no object behind. */
void __sanitizer_set_death_callback(void (*callback)(void));

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int death_callback_set;
    if (!death_callback_set) {
        __sanitizer_set_death_callback(fuzz_run_cleanup);
        death_callback_set = 1;
    }
    int before = fuzz_count_fds();
    struct fuzz_in in = {data, size};
    fuzz_one(&in);
    int after = fuzz_count_fds();
    FUZZ_ASSERT(after == before, "%d descriptors open after the input, %d before: a descriptor leaked", after, before);
    return 0;
}

#endif
