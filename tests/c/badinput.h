/* The bad-input matrix: every exported function called with every kind of
 * bad argument that applies, each call in its own forked child.
 *
 * ADDING A MECHANISM = ADDING ONE FILE: tests/c/badinput/<mechanism>.c
 * (every .c file in that folder is compiled into c_test_badinput; re-run
 * cmake after adding one). It includes "badinput.h" and lists one row per
 * (function, bad argument):
 *
 *     BAD(RET_INT, "pipe2", "flags has O_APPEND", EINVAL, rsipc_pipe2(ctx->fd, O_APPEND))
 *     BAD_IN(fx_closed_fd, RET_INT, "pipe_capacity", "closed fd", EBADF,
 *            rsipc_pipe_capacity(ctx->fd[0]))
 *
 *   kind   what the function returns on failure (and its C type, so a row
 *          with the wrong kind does not compile): RET_INT (int -1),
 *          RET_SSIZE (ssize_t -1), RET_NULL (pointer NULL), RET_MAP_FAILED
 *          (MAP_FAILED, also shmat's (void *)-1), RET_SEM_FAILED (SEM_FAILED),
 *          RET_MQD ((mqd_t)-1), RET_KEY ((key_t)-1)
 *   name   the function without its rsipc_ prefix: rsipc_last_error() must
 *          start with "name("
 *   label  the bad argument, in words (shown in the output)
 *   errno  the documented errno
 *   expr   the call; it may use `ctx` (struct bi_ctx *), which a fixture
 *          prepared
 *
 * A fixture (BAD_IN's first argument) is a `const struct bi_fixture` with a
 * setup run before the call (open a descriptor, create an object and remove
 * it to get a stale id, drop privileges, ...) and an optional teardown run
 * after it (remove what setup created and left in place). The common ones are
 * below (fx_closed_fd, fx_regular_file, fx_fifo, fx_pipe, ...); a mechanism
 * file defines its own with BI_FIXTURE(name, setup, teardown). Objects must
 * get pid-unique names (bi_unique_name) and be removed by the teardown: the
 * leak check runs after the matrix. The teardown finds what to remove in
 * ctx (path, path2, id, id2), never by recomputing a name: the PARENT runs
 * the teardown on the child's ctx (kept in shared memory) once the child
 * has exited, whatever happened there — the call crashed, the setup failed
 * half-way, or the setup dropped privileges (the parent still has them, so
 * a root-owned object made for an EACCES row is removed). So a teardown
 * only removes objects by name or id, skips the fields still unset (-1,
 * ""), and never closes descriptors or touches memory (they die with the
 * child).
 *
 * What each row asserts, in a child of its own (so a crash only fails that
 * row): no signal, the failure value, the errno, a last-error message that
 * starts with "name(", and /proc/self/fd unchanged across the call (no
 * descriptor leaked on the failure path). The program prints one line per
 * row and "bad-input matrix: N cases, M failed".
 *
 * DIFFERENTIAL: every row of a function that has a glibc counterpart (the
 * names rsipc_compat.h maps) is also run through glibc, in a second child
 * with its own fixture, and must give the same failure value and errno.
 * No row lists the glibc call: every tests/c/badinput/<mechanism>.c is
 * compiled a second time with BI_GLIBC_TWIN defined, where
 * badinput_glibc.h (generated from rsipc_compat.h) turns each rsipc_X
 * into glibc's X, and the runner pairs each row with its twin by file,
 * line and label. A row where rsipc deliberately differs from glibc (EFAULT
 * where glibc crashes, a documented departure) says so with the reason:
 *
 *     BAD_DEPARTS("glibc dereferences NULL", RET_INT, "sem_post", "sem NULL", EFAULT,
 *                 rsipc_sem_post(NULL))
 *
 * glibc's run must then differ (crash or other result), or the row fails:
 * a stale mark is caught too. SAME(kind, name, label, expr) / SAME_IN(...)
 * rows have no errno of their own: rsipc must do what glibc does, failing
 * or not (a success compares the value for RET_INT and RET_SSIZE, only
 * "not the failure value" for pointers and handles).
 *
 * Rows register themselves with a constructor, so a mechanism file needs no
 * list anywhere else; rows run sorted by file and line. */
#ifndef RSIPC_TEST_BADINPUT_H
#define RSIPC_TEST_BADINPUT_H

#include <errno.h>
#include <limits.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "rsipc.h"

/* What a fixture prepared for the call. Unused fields stay -1 / NULL / "". */
struct bi_ctx {
    int fd[4];         /* descriptors (fx_pipe: fd[0] read end, fd[1] write end) */
    long id;           /* a System V id, a stale one, ... */
    long id2;          /* a second one */
    void *ptr;         /* a mapping, a sem_t *, ... */
    size_t len;        /* its length */
    char path[256];    /* a file, FIFO or object name the fixture created */
    char path2[256];   /* a second one (a symbolic link's target, a directory, ...) */
    void *user;        /* anything else a mechanism needs */
};

/* Setup returns 0, BI_SKIP when the row cannot run here (it is then counted
 * as skipped, never as passed), or -1 when it failed (the row fails). */
#define BI_SKIP 1
/* A fixture that needs root (to make an object of root's and then be
 * another user) starts with BI_NEED_ROOT(). Its rows are the matrix's root
 * part: c_test_badinput_root runs them ("--root"; skipped, not passed, as
 * another user), and the default run leaves them out. */
#define BI_OTHER_PART 2
int bi_need_root(void);
#define BI_NEED_ROOT()                  \
    do {                                \
        int bi_rc_ = bi_need_root();    \
        if (bi_rc_ != 0) return bi_rc_; \
    } while (0)
struct bi_fixture {
    const char *name;
    int (*setup)(struct bi_ctx *ctx);
    void (*teardown)(struct bi_ctx *ctx);  /* may be NULL */
};
#define BI_FIXTURE(fx, setup_fn, teardown_fn) \
    static const struct bi_fixture fx = {#fx, setup_fn, teardown_fn}

enum bi_kind { RET_INT, RET_SSIZE, RET_NULL, RET_MAP_FAILED, RET_SEM_FAILED, RET_MQD, RET_KEY };

struct bi_row {
    const char *name;   /* function without rsipc_ */
    const char *label;  /* the bad argument */
    enum bi_kind kind;
    int err;
    const char *err_name;
    const struct bi_fixture *fixture;  /* NULL: none */
    intptr_t (*call)(struct bi_ctx *ctx);
    const char *file;
    int line;
    int sentinel;       /* harness self-test row: must be reported as failing */
    const char *departs;/* NULL, or why glibc's result differs on purpose */
    int same;           /* SAME row: no errno of its own, rsipc must match glibc */
};

void bi_register(const struct bi_row *row);
/* The row's glibc twin (the same row compiled with BI_GLIBC_TWIN). */
void bi_register_glibc(const struct bi_row *row);

/* Counts the glibc functions a twin called, so a twin that reached none
 * (a row of an rsipc-only function under a glibc name) is caught. */
extern int bi_glibc_calls;
#define BI_GLIBC_CALL(f) (bi_glibc_calls++, f)

/* The C type each kind returns, so the call is checked by the compiler. */
#define BI_TYPE_RET_INT int
#define BI_TYPE_RET_SSIZE ssize_t
#define BI_TYPE_RET_NULL const void *
#define BI_TYPE_RET_MAP_FAILED void *
#define BI_TYPE_RET_SEM_FAILED sem_t *
#define BI_TYPE_RET_MQD mqd_t
#define BI_TYPE_RET_KEY key_t

#define BI_CAT_(a, b) a##b
#define BI_CAT(a, b) BI_CAT_(a, b)
/* One row (`register_`: bi_register, or bi_register_glibc for a twin). */
#define BI_ROW_AS_(register_, n, sentinel_, fx, kind_, name_, label_, err_, err_name_, departs_, same_, expr_) \
    static intptr_t BI_CAT(bi_call_, n)(struct bi_ctx *ctx) {                               \
        (void)ctx;                                                                          \
        BI_TYPE_##kind_ bi_ret_ = (expr_);                                                  \
        return (intptr_t)bi_ret_;                                                           \
    }                                                                                       \
    static const struct bi_row BI_CAT(bi_row_, n) = {name_, label_, kind_, err_, err_name_, fx, \
                                                    BI_CAT(bi_call_, n), __FILE__, __LINE__, sentinel_, \
                                                    departs_, same_};                        \
    __attribute__((constructor)) static void BI_CAT(bi_register_, n)(void) { register_(&BI_CAT(bi_row_, n)); }

#ifdef BI_GLIBC_TWIN
#define BI_ROW_(...) BI_ROW_AS_(bi_register_glibc, __VA_ARGS__)
#else
#define BI_ROW_(...) BI_ROW_AS_(bi_register, __VA_ARGS__)
#endif

#define BAD(kind, name, label, err, expr) BI_ROW_(__COUNTER__, 0, NULL, kind, name, label, err, #err, NULL, 0, expr)
#define BAD_IN(fixture, kind, name, label, err, expr) \
    BI_ROW_(__COUNTER__, 0, &fixture, kind, name, label, err, #err, NULL, 0, expr)
/* A row where rsipc departs from glibc on purpose; `why` says how. */
#define BAD_DEPARTS(why, kind, name, label, err, expr) \
    BI_ROW_(__COUNTER__, 0, NULL, kind, name, label, err, #err, why, 0, expr)
#define BAD_IN_DEPARTS(why, fixture, kind, name, label, err, expr) \
    BI_ROW_(__COUNTER__, 0, &fixture, kind, name, label, err, #err, why, 0, expr)
/* A differential row: whatever glibc does, rsipc does. */
#define SAME(kind, name, label, expr) BI_ROW_(__COUNTER__, 0, NULL, kind, name, label, 0, "glibc's", NULL, 1, expr)
#define SAME_IN(fixture, kind, name, label, expr) \
    BI_ROW_(__COUNTER__, 0, &fixture, kind, name, label, 0, "glibc's", NULL, 1, expr)
/* Only for the harness's own self-test: a row that must be caught. */
#define BI_SENTINEL(fixture_ptr, kind, name, label, err, expr) \
    BI_ROW_AS_(bi_register, __COUNTER__, 1, fixture_ptr, kind, name, label, err, #err, NULL, 0, expr)
/* A self-test row with a glibc side of its own (`departs_`, `same_` as above). */
#define BI_SENTINEL_VS(fixture_ptr, kind, name, label, err, departs_, same_, expr, glibc_expr)          \
    BI_ROW_AS_(bi_register, __COUNTER__, 1, fixture_ptr, kind, name, label, err, #err, departs_, same_, expr) \
    BI_ROW_AS_(bi_register_glibc, __COUNTER__, 1, fixture_ptr, kind, name, label, err, #err, departs_, same_, \
               glibc_expr)

/* Common fixtures (defined in test_badinput.c). */
extern const struct bi_fixture fx_closed_fd;     /* fd[0]: a descriptor number that was just closed */
extern const struct bi_fixture fx_regular_file;  /* fd[0]: a regular file (read-write, already unlinked) */
extern const struct bi_fixture fx_directory;     /* fd[0]: a directory (O_RDONLY) */
extern const struct bi_fixture fx_dev_null;      /* fd[0]: /dev/null (a character device) */
extern const struct bi_fixture fx_socket;        /* fd[0], fd[1]: a connected AF_UNIX stream pair */
extern const struct bi_fixture fx_fifo;          /* fd[0]: a FIFO opened O_RDWR (already unlinked) */
extern const struct bi_fixture fx_fifo_path;     /* fd[0]: an O_PATH descriptor of a FIFO (unlinked) */
extern const struct bi_fixture fx_pipe;          /* fd[0] read end, fd[1] write end */
extern const struct bi_fixture fx_pipe_nonblock; /* the same, both ends O_NONBLOCK */
extern const struct bi_fixture fx_pipe_full;     /* fd[0], fd[1] non-blocking, the pipe full */
extern const struct bi_fixture fx_pipe_no_reader;/* fd[1]: write end whose read end is closed; SIGPIPE ignored */
extern const struct bi_fixture fx_pipe_8k_queued;/* fd[0], fd[1] with 8192 bytes queued */
extern const struct bi_fixture fx_one_free_fd;   /* RLIMIT_NOFILE lowered so exactly one descriptor is free */
extern const struct bi_fixture fx_unprivileged;  /* dropped to 65534:65534 (privdrop.h) when root */

/* The fixtures' setup functions, to compose a mechanism's own fixture
 * (e.g. bi_setup_unprivileged then bi_setup_pipe). */
int bi_setup_pipe(struct bi_ctx *ctx);
int bi_setup_unprivileged(struct bi_ctx *ctx);

/* "/rsipc-bad-<pid>-<tag>": a name no other process uses (for
 * shm_open/mq_open/sem_open names, or appended to a directory for paths). */
const char *bi_unique_name(struct bi_ctx *ctx, const char *tag);

/* Files at a path, for the rows about what a path names. bi_make_node
 * creates `kind` at `path` (copied to ctx->path; a link's target, a file
 * or FIFO, goes to ctx->path2); bi_teardown_paths removes ctx->path and
 * ctx->path2 (file, FIFO, socket, link or empty directory), so a fixture
 * built on bi_make_node uses it as teardown. bi_tmp_path gives
 * "/tmp/rsipc-bad-<pid>-<tag>" (in ctx->path). */
enum bi_node {
    BI_NOTHING,          /* only the name: nothing is created */
    BI_FILE,             /* an empty regular file, 0600 */
    BI_FILE_4K,          /* a regular file of 4096 zero bytes, 0600 */
    BI_FIFO,             /* a FIFO, 0600 */
    BI_DIR,              /* an empty directory, 0700 */
    BI_SOCKET,           /* a bound UNIX socket */
    BI_LINK_TO_FILE,     /* a symbolic link to the 4096-byte file ctx->path2 */
    BI_LINK_TO_FIFO,     /* a symbolic link to the FIFO ctx->path2 */
    BI_LINK_DANGLING,    /* a symbolic link to nothing */
};
int bi_make_node(struct bi_ctx *ctx, const char *path, enum bi_node kind);
/* A fixture making `kind` at `path_expr` (which may use ctx). */
#define BI_NODE_FIXTURE(fx, path_expr, kind)                      \
    static int bi_setup_##fx(struct bi_ctx *ctx) {                \
        return bi_make_node(ctx, (path_expr), kind);              \
    }                                                             \
    BI_FIXTURE(fx, bi_setup_##fx, bi_teardown_paths)
void bi_teardown_paths(struct bi_ctx *ctx);
const char *bi_tmp_path(struct bi_ctx *ctx, const char *tag);

/* "/" followed by `n` 'x' bytes (n < 4096; a static buffer per call site is
 * not needed: each row runs in its own child), for names just below and
 * above NAME_MAX. */
const char *bi_long_name(size_t n);

/* A path of `n` bytes ("/tmp/xxx...") for PATH_MAX rows. */
const char *bi_long_path(size_t n);

/* In the twin compile every rsipc_X with a glibc counterpart becomes X. */
#ifdef BI_GLIBC_TWIN
#include "badinput_glibc.h"
#endif

#endif
