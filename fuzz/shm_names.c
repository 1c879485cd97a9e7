/* rsipc_shm_open / rsipc_shm_unlink / rsipc_shm_map: names, oflags, modes
 * and lengths, against the state of /dev/shm.
 * Input: operations, each [op u8][name][oflag][mode u16][len]:
 *   name   one of the fixed invalid names ("", "/", "//", "/.", "/..") or a
 *          name built by fuzz_take_name (always under "/rsipc-fz-<pid>-",
 *          so only the harness's own objects can be reached);
 *   oflag  usually a combination of O_RDONLY/O_WRONLY/O_RDWR/O_ACCMODE,
 *          O_CREAT, O_EXCL, O_TRUNC, O_NONBLOCK; sometimes any int;
 *   len    an edge (0, 1, pages, overflowing sizes) or a u32.
 * Holds (for the documented flags; any int only gets "a descriptor, or
 * -1 with an errno of open(2)"):
 *   a bad name -> EINVAL, past NAME_MAX -> ENAMETOOLONG (shm_unlink: ENOENT
 *   for a bad name, as glibc); no object and no O_CREAT -> ENOENT;
 *   O_CREAT|O_EXCL on one -> EEXIST; otherwise a close-on-exec descriptor
 *   of a regular file, O_NONBLOCK as asked. shm_map: O_WRONLY/O_ACCMODE or
 *   len 0 -> EINVAL, an overflowing len -> ENOMEM, a read-only object
 *   shorter than len -> EINVAL (never a mapping past the end); otherwise a
 *   mapping of len bytes whose first and last bytes can be read (and
 *   written when O_RDWR), the object at least len bytes long. Every object
 *   is removed at the end of the input. */
#include "fuzz.h"

#define MAX_OPS 24

static const char *const fixed_names[] = {"", "/", "//", "/.", "/.."};

static int name_error(const char *name) {
    while (*name == '/') name++;
    size_t n = strlen(name);
    if (n == 0 || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return EINVAL;
    if (n > NAME_MAX) return ENAMETOOLONG;
    return 0;
}

/* The /dev/shm path of a valid name. */
static void path_of(const char *name, char *path, size_t size) {
    while (*name == '/') name++;
    snprintf(path, size, "/dev/shm/%s", name);
}

static int take_oflag(struct fuzz_in *in, int *documented) {
    static const int acc[] = {O_RDONLY, O_RDWR, O_WRONLY, O_ACCMODE};
    uint8_t sel = take_u8(in);
    if (sel >= 240) {
        *documented = 0;
        return take_int(in);
    }
    *documented = 1;
    int f = acc[sel & 3];
    if (sel & 4) f |= O_CREAT;
    if (sel & 8) f |= O_EXCL;
    if (sel & 16) f |= O_TRUNC;
    if (sel & 32) f |= O_NONBLOCK;
    return f;
}

static size_t take_len(struct fuzz_in *in) {
    static const size_t edges[] = {0, 1, 4095, 4096, 4097, 65536, 1 << 20, SIZE_MAX, SIZE_MAX - 4094,
                                   (size_t)1 << 40};
    uint8_t sel = take_u8(in);
    if (sel < 160) return edges[sel % (sizeof edges / sizeof edges[0])];
    return take_u32(in) % (4u << 20);
}

/* open(2)'s errors for flags nobody documented for shm_open. */
static void add_open_errors(struct fuzz_errs *s) {
    static const int e[] = {EINVAL, ENOENT, EEXIST, EACCES, ELOOP,  ENOTDIR, EISDIR,
                            EPERM,  EFBIG,  EBADF,  ENXIO,  EAGAIN, EOPNOTSUPP};
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) fuzz_errs_add(s, e[i]);
}

static void check_fd(int fd, int oflag) {
    struct stat st;
    FUZZ_ASSERT(fstat(fd, &st) == 0 && S_ISREG(st.st_mode), "not a regular file");
    FUZZ_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC, "descriptor without FD_CLOEXEC");
    if (oflag & O_PATH) return;
    FUZZ_ASSERT(!!(fcntl(fd, F_GETFL) & O_NONBLOCK) == !!(oflag & O_NONBLOCK), "O_NONBLOCK not as asked");
}

static void op_open(const char *name, int oflag, int documented, mode_t mode, int exists) {
    struct fuzz_errs want = {.n = 0};
    errno = 0;
    int fd = rsipc_shm_open(name, oflag, mode);
    int nerr = name_error(name);
    if (nerr) {
        fuzz_errs_add(&want, nerr);
    } else if (documented) {
        if (!exists && !(oflag & O_CREAT)) fuzz_errs_add(&want, ENOENT);
        if (exists && (oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) fuzz_errs_add(&want, EEXIST);
    } else {
        add_open_errors(&want);
    }
    if (fd >= 0) {
        FUZZ_ASSERT(nerr == 0 && (!documented || want.n == 0), "shm_open(%s, %#x) succeeded", name, oflag);
        check_fd(fd, oflag);
        close(fd);
        return;
    }
    FUZZ_ASSERT(want.n > 0, "shm_open(%s, %#x) failed (errno %d)", name, oflag, errno);
    fuzz_expect_failure_of("shm_open", fd, -1, want.e, want.n);
}

static void op_unlink(const char *name, int exists) {
    errno = 0;
    int r = rsipc_shm_unlink(name);
    int nerr = name_error(name);
    if (nerr) {
        int want = nerr == ENAMETOOLONG ? ENAMETOOLONG : ENOENT;
        fuzz_expect_failure_of("shm_unlink", r, -1, &want, 1);
    } else if (!exists) {
        fuzz_expect_failure("shm_unlink", r, -1, ENOENT);
    } else {
        FUZZ_ASSERT(r == 0, "shm_unlink(%s) of an existing object failed", name);
    }
}

static void op_map(const char *name, size_t len, int oflag, int documented, mode_t mode, int exists,
                   off_t size) {
    struct fuzz_errs want = {.n = 0};
    int must_fail = 0;
    int acc = oflag & O_ACCMODE;
    errno = 0;
    unsigned char *p = rsipc_shm_map(name, len, oflag, mode);
    /* Each applicable error is acceptable: the checks may come in any order. */
#define MUST(err) (fuzz_errs_add(&want, err), must_fail = 1)
    if (acc == O_WRONLY || acc == O_ACCMODE) MUST(EINVAL);
    if (len == 0) MUST(EINVAL);
    if (len > SIZE_MAX - 4096 || len > (size_t)PTRDIFF_MAX) MUST(ENOMEM);
    int nerr = name_error(name);
    if (nerr) MUST(nerr);
    if (!nerr && documented) {
        if (!exists && !(oflag & O_CREAT)) MUST(ENOENT);
        if (exists && (oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) MUST(EEXIST);
        off_t now = exists && !(oflag & O_TRUNC) ? size : 0;
        if (acc == O_RDONLY && (uint64_t)now < len) MUST(EINVAL);
    }
#undef MUST
    /* A huge (sparse) object may not fit in the address space. */
    if (len > (1u << 30)) fuzz_errs_add(&want, ENOMEM);
    if (!documented) {
        add_open_errors(&want);
        fuzz_errs_add(&want, ENOMEM);
    }
    if (p == MAP_FAILED) {
        FUZZ_ASSERT(want.n > 0, "shm_map(%s, %zu, %#x) failed (errno %d)", name, len, oflag, errno);
        fuzz_expect_failure_of("shm_map", (long long)(intptr_t)p, (long long)(intptr_t)MAP_FAILED, want.e, want.n);
        return;
    }
    FUZZ_ASSERT(!must_fail, "shm_map(%s, %zu, %#x) succeeded", name, len, oflag);
    char path[700];
    path_of(name, path, sizeof path);
    struct stat st;
    FUZZ_ASSERT(stat(path, &st) == 0 && (uint64_t)st.st_size >= len, "the object is shorter than the mapping");
    volatile unsigned char first = p[0], last = p[len - 1];
    (void)first;
    (void)last;
    if (acc == O_RDWR) {
        p[0] = 1;
        p[len - 1] = 2;
    }
    FUZZ_ASSERT(rsipc_munmap(p, len) == 0, "munmap");
}

static void remove_objects(void) {
    fuzz_remove_entries("/dev/shm", fuzz_prefix() + 1);
}

static void fuzz_one(struct fuzz_in *in) {
    static char buf[700];
    fuzz_cleanup = remove_objects;
    char path[700];
    for (int op = 0; op < MAX_OPS && in->n > 0; op++) {
        uint8_t what = take_u8(in);
        const char *name;
        if ((what >> 4) < 3) {
            name = fixed_names[(what >> 4) % 5];
        } else {
            name = fuzz_take_name(in, buf, sizeof buf);
        }
        int documented;
        int oflag = take_oflag(in, &documented);
        mode_t mode = take_u16(in) & 07777;
        size_t len = take_len(in);
        int exists = 0;
        off_t size = 0;
        if (name_error(name) == 0) {
            struct stat st;
            path_of(name, path, sizeof path);
            exists = lstat(path, &st) == 0;
            size = exists ? st.st_size : 0;
        }
        switch (what % 3) {
        case 0: op_open(name, oflag, documented, mode, exists); break;
        case 1: op_unlink(name, exists); break;
        default: op_map(name, len, oflag, documented, mode, exists, size); break;
        }
    }
    remove_objects();
}
