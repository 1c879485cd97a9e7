/* rsipc_mq_open / rsipc_mq_unlink / rsipc_mq_close / rsipc_mq_getattr /
 * rsipc_mq_setattr: names, oflags, attributes and descriptors, against a
 * model of which queues exist.
 * Input: operations, each [op u8][name][oflag][mode u16][attr][which u8]:
 *   name   built by fuzz_take_name (always "/rsipc-fz-<pid>-..." after 0 to
 *          3 extra slashes), sometimes without its leading '/', or "" / "/";
 *          a queue's identity is the part after the first '/', so the
 *          harness only ever reaches its own queues;
 *   oflag  a combination of the access modes (O_ACCMODE too), O_CREAT,
 *          O_EXCL, O_NONBLOCK, or sometimes any int;
 *   attr   NULL, small valid sizes, or edges (0, -1, huge, overflowing).
 * Holds: no leading '/' -> EINVAL; nothing after it -> ENOENT; a further
 * '/' -> EACCES; past NAME_MAX -> ENAMETOOLONG; O_ACCMODE -> EINVAL (nothing
 * created); no queue and no O_CREAT -> ENOENT; O_CREAT|O_EXCL on one ->
 * EEXIST; bad attributes -> EINVAL (EMFILE/ENOMEM for a queue larger than
 * RLIMIT_MSGQUEUE allows); otherwise a close-on-exec descriptor whose
 * attributes are the ones asked (the defaults without attr), O_NONBLOCK as
 * asked, no message queued if new. mq_unlink and mq_close as libc;
 * getattr/setattr on anything that is not an open queue -> EBADF, a
 * setattr flag other than O_NONBLOCK -> EINVAL. Every queue is closed and
 * removed at the end of the input. */
#include <mqueue.h>

#include "fuzz.h"

#define MAX_OPS 24
#define MAX_NAMES 32
#define MAX_OPEN 8

/* Queue names (the part after the first '/') that exist, and every valid
 * name this input used (all unlinked at the end). */
static char exists[MAX_NAMES][320];
static int nexists;
static char used[MAX_NAMES][600];
static int nused;
static mqd_t opened[MAX_OPEN];
static int nopen;
static long msg_default, msgsize_default;

static long read_long(const char *path) {
    FILE *f = fopen(path, "re");
    long v = -1;
    FUZZ_ASSERT(f != NULL && fscanf(f, "%ld", &v) == 1, "cannot read %s", path);
    fclose(f);
    return v;
}

static int find_exists(const char *kname) {
    for (int i = 0; i < nexists; i++)
        if (strcmp(exists[i], kname) == 0) return i;
    return -1;
}

/* The errors of the name alone (0 if it is fine), into `s`. */
static void name_errors(const char *name, struct fuzz_errs *s) {
    if (name[0] != '/') {
        fuzz_errs_add(s, EINVAL);
        return;
    }
    const char *k = name + 1;
    if (*k == '\0') fuzz_errs_add(s, ENOENT);
    if (strchr(k, '/') || strcmp(k, ".") == 0 || strcmp(k, "..") == 0) fuzz_errs_add(s, EACCES);
    if (strlen(k) > NAME_MAX) fuzz_errs_add(s, ENAMETOOLONG);
}

static int take_oflag(struct fuzz_in *in, int *documented) {
    static const int acc[] = {O_RDONLY, O_WRONLY, O_RDWR, O_ACCMODE};
    uint8_t sel = take_u8(in);
    if (sel >= 240) {
        *documented = 0;
        return take_int(in);
    }
    *documented = 1;
    int f = acc[sel & 3];
    if (sel & 4) f |= O_CREAT;
    if (sel & 8) f |= O_EXCL;
    if (sel & 16) f |= O_NONBLOCK;
    return f;
}

/* attr: NULL (returns 0), or fills `a`; `*small` when both sizes are in
 * the range every user may ask for. */
static int take_attr(struct fuzz_in *in, struct mq_attr *a, int *small) {
    static const long edges[] = {0, -1, 1, 2, 10, 8192, 8193, 65536, 65537, 1L << 24, LONG_MAX, LONG_MIN, LONG_MAX / 2};
    uint8_t sel = take_u8(in);
    memset(a, 0, sizeof *a);
    *small = 0;
    if (sel < 64) return 0;
    if (sel < 160) {
        a->mq_maxmsg = 1 + take_u8(in) % 10;
        a->mq_msgsize = 1 + take_u16(in) % 1024;
        *small = 1;
    } else {
        a->mq_maxmsg = edges[take_u8(in) % (sizeof edges / sizeof edges[0])];
        a->mq_msgsize = edges[take_u8(in) % (sizeof edges / sizeof edges[0])];
        *small = a->mq_maxmsg > 0 && a->mq_maxmsg <= 10 && a->mq_msgsize > 0 && a->mq_msgsize <= 8192;
    }
    a->mq_flags = take_u8(in) & 1 ? O_NONBLOCK : 0; /* ignored by mq_open */
    a->mq_curmsgs = take_u8(in);                    /* ignored by mq_open */
    return 1;
}

static void remember_used(const char *name) {
    for (int i = 0; i < nused; i++)
        if (strcmp(used[i], name) == 0) return;
    if (nused < MAX_NAMES) snprintf(used[nused++], sizeof used[0], "%s", name);
}

/* Whether the queue `name` (valid) exists, asked of glibc. */
static int probe_exists(const char *name) {
    mqd_t q = mq_open(name, O_RDONLY | O_NONBLOCK);
    if (q != (mqd_t)-1) {
        mq_close(q);
        return 1;
    }
    FUZZ_ASSERT(errno == ENOENT, "probing %s: errno %d", name, errno);
    return 0;
}

/* After a call with flags outside the contract, the model learns from the
 * system whether the queue exists now: the kernel creates the queue before
 * it opens it, so an open that then fails (O_DIRECT, ...) leaves it there,
 * with glibc's mq_open as with rsipc's. */
static void resync(const char *name) {
    const char *k = name + 1;
    int i = find_exists(k);
    if (probe_exists(name)) {
        if (i < 0 && nexists < MAX_NAMES) snprintf(exists[nexists++], sizeof exists[0], "%s", k);
    } else if (i >= 0) {
        memmove(exists[i], exists[nexists - 1], sizeof exists[0]);
        nexists--;
    }
}

static void op_open(const char *name, int oflag, int documented, mode_t mode, const struct mq_attr *attr,
                    int small) {
    struct fuzz_errs want = {.n = 0};
    int must_fail = 0;
    name_errors(name, &want);
    must_fail = want.n > 0;
    const char *k = name[0] == '/' ? name + 1 : name;
    int there = want.n == 0 && find_exists(k) >= 0;
    int create = (oflag & O_CREAT) != 0;
    if (documented) {
        if ((oflag & O_ACCMODE) == O_ACCMODE) fuzz_errs_add(&want, EINVAL), must_fail = 1;
        if (!there && !create) fuzz_errs_add(&want, ENOENT), must_fail = 1;
        if (there && create && (oflag & O_EXCL)) fuzz_errs_add(&want, EEXIST), must_fail = 1;
        if (!there && create && attr && !small) fuzz_errs_add(&want, EINVAL);
        /* The queue bytes of every queue of this user (other processes'
         * too) count against RLIMIT_MSGQUEUE: creating may always run out. */
        if (!there && create) {
            fuzz_errs_add(&want, EMFILE);
            fuzz_errs_add(&want, ENOMEM);
            fuzz_errs_add(&want, ENOSPC);
        }
    } else {
        static const int e[] = {EINVAL, ENOENT, EEXIST, EACCES, EMFILE, ENOMEM, ENOSPC};
        for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) fuzz_errs_add(&want, e[i]);
    }
    if (want.n == 0 || !must_fail) remember_used(name);
    errno = 0;
    mqd_t q = create ? rsipc_mq_open(name, oflag, mode, attr) : rsipc_mq_open(name, oflag);
    if (q == (mqd_t)-1) {
        FUZZ_ASSERT(want.n > 0, "mq_open(%s, %#x) failed", name, oflag);
        fuzz_expect_failure_of("mq_open", q, -1, want.e, want.n);
        if (!documented && !must_fail) resync(name);
        return;
    }
    FUZZ_ASSERT(!must_fail, "mq_open(%s, %#x) succeeded", name, oflag);
    FUZZ_ASSERT(fcntl(q, F_GETFD) & FD_CLOEXEC, "queue descriptor without FD_CLOEXEC");
    if (!there && create && nexists < MAX_NAMES) snprintf(exists[nexists++], sizeof exists[0], "%s", k);
    if (!documented) {
        /* Flags outside the contract (O_PATH makes a descriptor that is no
         * queue, as with glibc): only the descriptor and the name count. */
        FUZZ_ASSERT(rsipc_mq_close(q) == 0, "mq_close");
        return;
    }
    struct mq_attr got;
    FUZZ_ASSERT(rsipc_mq_getattr(q, &got) == 0, "getattr of a new descriptor");
    FUZZ_ASSERT(!!(got.mq_flags & O_NONBLOCK) == !!(oflag & O_NONBLOCK), "O_NONBLOCK not as asked");
    if (!there) {
        FUZZ_ASSERT(got.mq_curmsgs == 0, "a new queue holds messages");
        if (attr)
            FUZZ_ASSERT(got.mq_maxmsg == attr->mq_maxmsg && got.mq_msgsize == attr->mq_msgsize,
                        "created with %ld x %ld, got %ld x %ld", attr->mq_maxmsg, attr->mq_msgsize, got.mq_maxmsg,
                        got.mq_msgsize);
        else
            FUZZ_ASSERT(got.mq_maxmsg == msg_default && got.mq_msgsize == msgsize_default, "not the defaults");
    }
    if (nopen < MAX_OPEN) {
        opened[nopen++] = q;
    } else {
        FUZZ_ASSERT(rsipc_mq_close(q) == 0, "mq_close");
    }
}

static void op_unlink(const char *name) {
    struct fuzz_errs want = {.n = 0};
    name_errors(name, &want);
    int i = want.n == 0 ? find_exists(name + 1) : -1;
    if (want.n == 0 && i < 0) fuzz_errs_add(&want, ENOENT);
    errno = 0;
    int r = rsipc_mq_unlink(name);
    if (want.n > 0) {
        fuzz_expect_failure_of("mq_unlink", r, -1, want.e, want.n);
        return;
    }
    FUZZ_ASSERT(r == 0, "mq_unlink(%s) of an existing queue failed", name);
    memmove(exists[i], exists[nexists - 1], sizeof exists[0]);
    nexists--;
}

/* A descriptor that is not an open queue, or -1 when `which` picks an open one. */
static int bogus_fd(uint8_t which, int *kind) {
    static const int numbers[] = {-1, INT_MIN, INT_MAX, FUZZ_CLOSED_FD, 0};
    *kind = which % 6;
    if (*kind < 4) return numbers[*kind];
    return -1;
}

static void op_descriptor(uint8_t which, const struct mq_attr *newattr, int use_null) {
    int kind;
    int fd = bogus_fd(which, &kind);
    int is_queue = 0;
    int pipefd[2] = {-1, -1};
    if (kind == 4) {
        FUZZ_ASSERT(pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) == 0, "pipe2");
        fd = pipefd[0];
    } else if (kind == 5 && nopen > 0) {
        fd = opened[(which >> 3) % nopen];
        is_queue = 1;
    } else if (kind == 5) {
        fd = -1;
    }
    struct mq_attr before, after, old;
    errno = 0;
    switch ((which >> 6) & 3) {
    case 0: {
        int r = rsipc_mq_getattr(fd, use_null ? NULL : &before);
        /* The descriptor first (EBADF), as the kernel looks at it. */
        if (!is_queue) fuzz_expect_failure("mq_getattr", r, -1, EBADF);
        else if (use_null) fuzz_expect_failure("mq_getattr", r, -1, EFAULT);
        else FUZZ_ASSERT(r == 0, "mq_getattr of an open queue");
        break;
    }
    case 1: {
        if (is_queue) FUZZ_ASSERT(rsipc_mq_getattr(fd, &before) == 0, "getattr");
        int r = rsipc_mq_setattr(fd, use_null ? NULL : newattr, &old);
        struct fuzz_errs want = {.n = 0};
        if (use_null) fuzz_errs_add(&want, EFAULT);
        if (!use_null && (newattr->mq_flags & ~(long)O_NONBLOCK)) fuzz_errs_add(&want, EINVAL);
        if (!is_queue) fuzz_errs_add(&want, EBADF);
        if (want.n) {
            fuzz_expect_failure_of("mq_setattr", r, -1, want.e, want.n);
            break;
        }
        FUZZ_ASSERT(r == 0, "mq_setattr of an open queue");
        FUZZ_ASSERT(old.mq_flags == before.mq_flags && old.mq_maxmsg == before.mq_maxmsg, "oldattr");
        FUZZ_ASSERT(rsipc_mq_getattr(fd, &after) == 0 && after.mq_flags == newattr->mq_flags &&
                        after.mq_maxmsg == before.mq_maxmsg && after.mq_msgsize == before.mq_msgsize,
                    "setattr changed more than O_NONBLOCK");
        break;
    }
    default: {
        int r = rsipc_mq_close(fd);
        if (!is_queue && kind != 4) {
            fuzz_expect_failure("mq_close", r, -1, EBADF);
        } else {
            /* mq_close closes any descriptor, as close(2). */
            FUZZ_ASSERT(r == 0, "mq_close of an open descriptor");
            if (kind == 4) pipefd[0] = -1;
            for (int i = 0; i < nopen; i++)
                if (opened[i] == fd) opened[i] = opened[--nopen];
        }
        break;
    }
    }
    if (pipefd[0] >= 0) close(pipefd[0]);
    if (pipefd[1] >= 0) close(pipefd[1]);
}

static void remove_objects(void) {
    while (nopen > 0) mq_close(opened[--nopen]);
    for (int i = 0; i < nused; i++) mq_unlink(used[i]);
    nused = nexists = 0;
}

static void fuzz_one(struct fuzz_in *in) {
    static char buf[700];
    if (msg_default == 0) {
        msg_default = read_long("/proc/sys/fs/mqueue/msg_default");
        msgsize_default = read_long("/proc/sys/fs/mqueue/msgsize_default");
    }
    fuzz_cleanup = remove_objects;
    for (int op = 0; op < MAX_OPS && in->n > 0; op++) {
        uint8_t what = take_u8(in);
        const char *name;
        switch (what >> 5) {
        case 0: name = ""; break;
        case 1: name = "/"; break;
        case 2: name = fuzz_take_name(in, buf, sizeof buf) + 1; break; /* no leading '/' */
        default: name = fuzz_take_name(in, buf, sizeof buf); break;
        }
        int documented;
        int oflag = take_oflag(in, &documented);
        mode_t mode = take_u16(in) & 0777;
        struct mq_attr attr;
        int small;
        int with_attr = take_attr(in, &attr, &small);
        uint8_t which = take_u8(in);
        switch (what % 4) {
        case 0:
        case 1: op_open(name, oflag, documented, mode, with_attr ? &attr : NULL, small); break;
        case 2: op_unlink(name); break;
        default: op_descriptor(which, &attr, !with_attr && (which & 32)); break;
        }
    }
    remove_objects();
}
