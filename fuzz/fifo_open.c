/* rsipc_fifo_open / rsipc_mkfifo / rsipc_mkfifoat: flags, timeouts,
 * modes and what is at the path.
 * Input: operations, each [op u8][path kind u8][flags][timeout][mode u32]
 * [reader u8]. The paths are the harness's own under /tmp
 * ("/tmp/rsipc-fz-<pid>-..."): a FIFO, a regular file, a directory, a
 * symbolic link to the FIFO, a dangling link, nothing.
 * A writer only waits when a reader is there or for at most 5 ms.
 * Holds: fifo_open: O_ACCMODE or a flag outside O_NONBLOCK, O_CLOEXEC,
 * O_APPEND, O_NOCTTY, O_NOFOLLOW -> EINVAL; nothing there -> ENOENT; a link
 * -> ELOOP (never followed); anything but a FIFO -> EINVAL (never opened);
 * a reader or O_RDWR opens at once; a writer without reader -> ENXIO
 * (timeout 0) or ETIMEDOUT; the descriptor has the access mode, O_NONBLOCK,
 * O_APPEND and FD_CLOEXEC asked. mkfifo/mkfifoat: a file type other than
 * a FIFO in the mode -> EINVAL; anything at the path (a dangling link
 * too) -> EEXIST; a bad dirfd with a relative path -> EBADF/ENOTDIR;
 * otherwise a FIFO with the mode less the umask. */
#include "fuzz.h"

#define MAX_OPS 24

enum { P_FIFO, P_FILE, P_DIR, P_LINK, P_DANGLING, P_MISSING, P_KINDS };
static char paths[P_KINDS][96];
static char created[96];

static void make_paths(void) {
    static const char *const tags[P_KINDS] = {"fifo", "file", "dir", "link", "dangling", "missing"};
    for (int i = 0; i < P_KINDS; i++) snprintf(paths[i], sizeof paths[i], "/tmp%s%s", fuzz_prefix(), tags[i]);
    snprintf(created, sizeof created, "/tmp%snew", fuzz_prefix());
    FUZZ_ASSERT(mkfifo(paths[P_FIFO], 0600) == 0, "mkfifo");
    int fd = open(paths[P_FILE], O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    FUZZ_ASSERT(fd >= 0, "file");
    close(fd);
    FUZZ_ASSERT(mkdir(paths[P_DIR], 0700) == 0, "dir");
    FUZZ_ASSERT(symlink(paths[P_FIFO], paths[P_LINK]) == 0, "link");
    FUZZ_ASSERT(symlink(paths[P_MISSING], paths[P_DANGLING]) == 0, "dangling link");
}

static void remove_objects(void) {
    char start[64];
    snprintf(start, sizeof start, "%s", fuzz_prefix() + 1);
    /* The directory first holds what mkfifoat made in it. */
    char inside[128];
    snprintf(inside, sizeof inside, "%s/x", paths[P_DIR]);
    unlink(inside);
    fuzz_remove_entries("/tmp", start);
}

static const int allowed = O_ACCMODE | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_APPEND | O_LARGEFILE;

static int take_flags(struct fuzz_in *in) {
    static const int acc[] = {O_RDONLY, O_WRONLY, O_RDWR, O_ACCMODE};
    static const int extra[] = {O_NONBLOCK, O_CLOEXEC, O_APPEND, O_NOCTTY, O_NOFOLLOW, O_CREAT, O_TRUNC, O_DIRECTORY};
    uint8_t sel = take_u8(in);
    if (sel >= 240) return take_int(in);
    int f = acc[sel & 3];
    uint8_t bits = take_u8(in);
    for (int i = 0; i < 8; i++)
        if (bits & (1 << i) && (i < 5 || sel & 4)) f |= extra[i];
    return f;
}

static void op_open(struct fuzz_in *in, int kind) {
    int flags = take_flags(in);
    static const int edges[] = {0, 1, 2, 5, -1, INT_MIN, INT_MAX};
    int timeout = edges[take_u8(in) % 7];
    int with_reader = take_u8(in) & 1;
    int reader = -1;
    if (with_reader) FUZZ_ASSERT((reader = open(paths[P_FIFO], O_RDONLY | O_NONBLOCK | O_CLOEXEC)) >= 0, "reader");
    int acc = flags & O_ACCMODE;
    int flags_bad = acc == O_ACCMODE || (flags & ~allowed);
    /* Never a long wait: a writer with no reader gets at most 5 ms. */
    if (!flags_bad && kind == P_FIFO && acc == O_WRONLY && !with_reader && (timeout < 0 || timeout > 5)) timeout = 5;
    struct fuzz_errs want = {.n = 0};
    if (flags_bad) fuzz_errs_add(&want, EINVAL);
    switch (kind) {
    case P_MISSING: fuzz_errs_add(&want, ENOENT); break;
    case P_FILE:
    case P_DIR: fuzz_errs_add(&want, EINVAL); break;
    case P_LINK:
    case P_DANGLING: fuzz_errs_add(&want, ELOOP); break;
    default:
        if (!flags_bad && acc == O_WRONLY && !with_reader) {
            fuzz_errs_add(&want, timeout == 0 ? ENXIO : ETIMEDOUT);
            /* libFuzzer's SIGALRM handler (-timeout) may run meanwhile. */
            if (timeout != 0) fuzz_errs_add(&want, EINTR);
        }
        break;
    }
    errno = 0;
    int fd = rsipc_fifo_open(paths[kind], flags, timeout);
    if (reader >= 0) close(reader);
    if (want.n) {
        fuzz_expect_failure_of("fifo_open", fd, -1, want.e, want.n);
        return;
    }
    FUZZ_ASSERT(fd >= 0, "fifo_open(%s, %#x, %d) failed", paths[kind], flags, timeout);
    int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);
    FUZZ_ASSERT((fl & O_ACCMODE) == acc, "access mode %#x, asked %#x", fl & O_ACCMODE, acc);
    FUZZ_ASSERT(!!(fl & O_NONBLOCK) == !!(flags & O_NONBLOCK), "O_NONBLOCK not as asked");
    FUZZ_ASSERT(!!(fl & O_APPEND) == !!(flags & O_APPEND), "O_APPEND not as asked");
    FUZZ_ASSERT(!!(fdfl & FD_CLOEXEC) == !!(flags & O_CLOEXEC), "FD_CLOEXEC not as asked");
    struct stat st;
    FUZZ_ASSERT(fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode), "not a FIFO");
    close(fd);
}

static void op_mkfifo(struct fuzz_in *in, int kind, int at) {
    mode_t mode = take_u32(in);
    const char *path = kind == P_MISSING ? created : paths[kind];
    int dir_kind = take_u8(in) % 5;
    int dirfd = AT_FDCWD, opened = -1;
    const char *arg = path;
    struct fuzz_errs want = {.n = 0};
    /* mknod(2) takes 16 bits of mode: its file type must be a FIFO's (or none). */
    mode_t type = ((mode | S_IFIFO) & 0xffff) & S_IFMT;
    if (type != S_IFIFO) fuzz_errs_add(&want, EINVAL);
    const char *made = path;
    char inside[128];
    if (at) {
        switch (dir_kind) {
        case 0: dirfd = AT_FDCWD; break;
        case 1: dirfd = -1; break; /* ignored for an absolute path */
        case 2:
            dirfd = opened = open(paths[P_DIR], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            arg = "x";
            snprintf(inside, sizeof inside, "%s/x", paths[P_DIR]);
            made = inside;
            break;
        case 3:
            dirfd = -1;
            arg = "x";
            fuzz_errs_add(&want, EBADF);
            break;
        default:
            dirfd = opened = open(paths[P_FILE], O_RDONLY | O_CLOEXEC);
            arg = "x";
            fuzz_errs_add(&want, ENOTDIR);
            break;
        }
    }
    int exists = access(made, F_OK) == 0 || (kind == P_DANGLING && made == path) || (kind == P_LINK && made == path);
    /* The mode is checked before the path is looked up (EINVAL first). */
    if (exists && want.n == 0) fuzz_errs_add(&want, EEXIST);
    errno = 0;
    int r = at ? rsipc_mkfifoat(dirfd, arg, mode) : rsipc_mkfifo(arg, mode);
    const char *name = at ? "mkfifoat" : "mkfifo";
    if (opened >= 0) close(opened);
    if (want.n) {
        fuzz_expect_failure_of(name, r, -1, want.e, want.n);
        if (kind == P_DANGLING) FUZZ_ASSERT(access(paths[P_MISSING], F_OK) != 0, "a dangling link was followed");
        return;
    }
    FUZZ_ASSERT(r == 0, "%s(%s, %#o) failed", name, arg, (unsigned)mode);
    struct stat st;
    mode_t mask = umask(0);
    umask(mask);
    FUZZ_ASSERT(lstat(made, &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == (mode & 0777 & ~mask),
                "%s made mode %#o from %#o", name, (unsigned)st.st_mode, (unsigned)mode);
    FUZZ_ASSERT(unlink(made) == 0, "unlink");
}

static void fuzz_one(struct fuzz_in *in) {
    make_paths();
    fuzz_cleanup = remove_objects;
    for (int op = 0; op < MAX_OPS && in->n > 0; op++) {
        uint8_t what = take_u8(in);
        int kind = take_u8(in) % P_KINDS;
        switch (what % 3) {
        case 0: op_open(in, kind); break;
        case 1: op_mkfifo(in, kind, 0); break;
        default: op_mkfifo(in, kind, 1); break;
        }
    }
    remove_objects();
}
