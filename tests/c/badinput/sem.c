/* Bad-input rows for POSIX semaphores (format: see badinput.h):
 * rsipc_sem_init, rsipc_sem_destroy, rsipc_sem_post, rsipc_sem_wait,
 * rsipc_sem_trywait, rsipc_sem_timedwait, rsipc_sem_clockwait,
 * rsipc_sem_getvalue, rsipc_sem_open, rsipc_sem_close, rsipc_sem_unlink.
 *
 * The errnos are glibc's (checked beside it): sem_open says EINVAL for any
 * bad name, sem_unlink ENOENT; rsipc adds EFAULT for NULL pointers, EINVAL
 * for a misaligned sem_t, and EINVAL for a file at the name that is not a
 * semaphore (glibc maps it, or fails with ENODEV for a FIFO). */
#include <fcntl.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "badinput.h"

static const struct timespec ts_nsec_neg = {0, -1}, ts_nsec_1e9 = {0, 1000000000}, ts_nsec_max = {0, LONG_MAX},
                             ts_epoch = {0, 0}, ts_sec_neg = {-1, 0}, ts_sec_min = {LONG_MIN, 0};
static int sval;

/* Memory for a sem_t, 8-byte aligned, so that +1 is misaligned. */
static union {
    sem_t sem;
    char bytes[2 * sizeof(sem_t)];
    long long align;
} mem;
#define MISALIGNED ((sem_t *)(mem.bytes + 1))
#define MISALIGNED_4 ((sem_t *)(mem.bytes + 4))

/* ---- fixtures ----------------------------------------------------------- */

/* ctx->ptr: an unnamed semaphore (in this child's memory) of value `v`. */
static int unnamed(struct bi_ctx *ctx, unsigned v) {
    ctx->ptr = &mem.sem;
    return sem_init(&mem.sem, 0, v);
}
static int setup_sem0(struct bi_ctx *ctx) { return unnamed(ctx, 0); }
static int setup_sem1(struct bi_ctx *ctx) { return unnamed(ctx, 1); }
static int setup_sem_max(struct bi_ctx *ctx) { return unnamed(ctx, SEM_VALUE_MAX); }
BI_FIXTURE(fx_sem0, setup_sem0, NULL);
BI_FIXTURE(fx_sem1, setup_sem1, NULL);
BI_FIXTURE(fx_sem_max, setup_sem_max, NULL);

/* Named semaphores: ctx->path is the file /dev/shm/sem.NAME, NAME_OF(ctx)
 * the name "/NAME" (in this child's memory). */
static char sem_name[64];
#define NAME_OF(ctx) ((const char *)(ctx)->user)
static const char *sem_file(struct bi_ctx *ctx, const char *tag) {
    snprintf(sem_name, sizeof sem_name, "/rsipc-bad-%ld-%s", (long)getpid(), tag);
    snprintf(ctx->path, sizeof ctx->path, "/dev/shm/sem.%s", sem_name + 1);
    ctx->user = sem_name;
    return ctx->path;
}

BI_NODE_FIXTURE(fx_sem_missing, sem_file(ctx, "missing"), BI_NOTHING);
BI_NODE_FIXTURE(fx_sem_empty_file, sem_file(ctx, "empty"), BI_FILE);
BI_NODE_FIXTURE(fx_sem_fifo, sem_file(ctx, "fifo"), BI_FIFO);
BI_NODE_FIXTURE(fx_sem_dir, sem_file(ctx, "dir"), BI_DIR);
BI_NODE_FIXTURE(fx_sem_link, sem_file(ctx, "link"), BI_LINK_TO_FILE);
BI_NODE_FIXTURE(fx_sem_dangling, sem_file(ctx, "dangling"), BI_LINK_DANGLING);

/* A named semaphore created by glibc, mode `mode`. */
static int named(struct bi_ctx *ctx, mode_t mode) {
    sem_file(ctx, "named");
    sem_t *s = sem_open(NAME_OF(ctx), O_CREAT | O_EXCL, mode, 1);
    if (s == SEM_FAILED) return -1;
    return sem_close(s);
}
static int setup_named(struct bi_ctx *ctx) { return named(ctx, 0600); }
BI_FIXTURE(fx_named, setup_named, bi_teardown_paths);

/* A root-owned 0600 named semaphore, then privileges dropped. */
static int setup_named_unprivileged(struct bi_ctx *ctx) {
    BI_NEED_ROOT();
    if (named(ctx, 0600) != 0) return -1;
    return bi_setup_unprivileged(ctx);
}
BI_FIXTURE(fx_named_unprivileged, setup_named_unprivileged, bi_teardown_paths);

/* ctx->ptr: a named semaphore rsipc opened and closed again. */
static int setup_named_closed(struct bi_ctx *ctx) {
    sem_file(ctx, "closed");
    sem_t *s = rsipc_sem_open(NAME_OF(ctx), O_CREAT | O_EXCL, 0600, 1);
    if (s == SEM_FAILED) return -1;
    ctx->ptr = s;
    return rsipc_sem_close(s);
}
BI_FIXTURE(fx_named_closed, setup_named_closed, bi_teardown_paths);

/* ctx->ptr: a named semaphore glibc (not rsipc) has open. */
static int setup_named_by_glibc(struct bi_ctx *ctx) {
    sem_file(ctx, "glibc");
    sem_t *s = sem_open(NAME_OF(ctx), O_CREAT | O_EXCL, 0600, 1);
    ctx->ptr = s;
    return s == SEM_FAILED ? -1 : 0;
}
BI_FIXTURE(fx_named_by_glibc, setup_named_by_glibc, bi_teardown_paths);

/* ---- sem_init, sem_destroy ---------------------------------------------- */
BAD_DEPARTS("glibc dereferences the NULL pointer", RET_INT, "sem_init", "sem NULL", EFAULT, rsipc_sem_init(NULL, 0, 1))
BAD_DEPARTS("glibc dereferences the NULL pointer",
            RET_INT, "sem_init", "sem NULL, pshared", EFAULT, rsipc_sem_init(NULL, 1, 0))
BAD_DEPARTS("glibc takes a misaligned pointer as a sem_t",
            RET_INT, "sem_init", "sem misaligned by 1", EINVAL, rsipc_sem_init(MISALIGNED, 0, 1))
BAD_DEPARTS("glibc takes a misaligned pointer as a sem_t",
            RET_INT, "sem_init", "sem misaligned by 4", EINVAL, rsipc_sem_init(MISALIGNED_4, 1, 1))
BAD(RET_INT, "sem_init", "value SEM_VALUE_MAX + 1", EINVAL, rsipc_sem_init(&mem.sem, 0, (unsigned)SEM_VALUE_MAX + 1))
BAD(RET_INT, "sem_init", "value UINT_MAX", EINVAL, rsipc_sem_init(&mem.sem, 1, UINT_MAX))
BAD_DEPARTS("glibc's sem_destroy does not look at the sem_t",
            RET_INT, "sem_destroy", "sem NULL", EFAULT, rsipc_sem_destroy(NULL))
BAD_DEPARTS("glibc's sem_destroy does not look at the sem_t",
            RET_INT, "sem_destroy", "sem misaligned", EINVAL, rsipc_sem_destroy(MISALIGNED))

/* ---- sem_post ----------------------------------------------------------- */
BAD_DEPARTS("glibc dereferences the NULL pointer", RET_INT, "sem_post", "sem NULL", EFAULT, rsipc_sem_post(NULL))
BAD_DEPARTS("glibc takes a misaligned pointer as a sem_t",
            RET_INT, "sem_post", "sem misaligned", EINVAL, rsipc_sem_post(MISALIGNED))
BAD_IN(fx_sem_max, RET_INT, "sem_post", "value already SEM_VALUE_MAX", EOVERFLOW, rsipc_sem_post(ctx->ptr))

/* ---- sem_wait, sem_trywait ---------------------------------------------- */
BAD_DEPARTS("glibc dereferences the NULL pointer", RET_INT, "sem_wait", "sem NULL", EFAULT, rsipc_sem_wait(NULL))
BAD_DEPARTS("glibc waits forever on a misaligned sem_t",
            RET_INT, "sem_wait", "sem misaligned", EINVAL, rsipc_sem_wait(MISALIGNED))
BAD_DEPARTS("glibc dereferences the NULL pointer", RET_INT, "sem_trywait", "sem NULL", EFAULT, rsipc_sem_trywait(NULL))
BAD_DEPARTS("glibc takes a misaligned pointer as a sem_t",
            RET_INT, "sem_trywait", "sem misaligned", EINVAL, rsipc_sem_trywait(MISALIGNED))
BAD_IN(fx_sem0, RET_INT, "sem_trywait", "value 0", EAGAIN, rsipc_sem_trywait(ctx->ptr))

/* ---- sem_timedwait ------------------------------------------------------ */
BAD_DEPARTS("glibc dereferences the NULL pointer",
            RET_INT, "sem_timedwait", "sem NULL", EFAULT, rsipc_sem_timedwait(NULL, &ts_epoch))
BAD_IN_DEPARTS("glibc dereferences the NULL pointer",
               fx_sem0, RET_INT, "sem_timedwait", "abs_timeout NULL", EFAULT, rsipc_sem_timedwait(ctx->ptr, NULL))
BAD_DEPARTS("glibc waits forever on a misaligned sem_t",
            RET_INT, "sem_timedwait", "sem misaligned", EINVAL, rsipc_sem_timedwait(MISALIGNED, &ts_epoch))
BAD_IN(fx_sem1, RET_INT, "sem_timedwait", "tv_nsec -1 (value 1: checked first)", EINVAL,
       rsipc_sem_timedwait(ctx->ptr, &ts_nsec_neg))
BAD_IN(fx_sem1, RET_INT, "sem_timedwait", "tv_nsec 1000000000 (value 1)", EINVAL,
       rsipc_sem_timedwait(ctx->ptr, &ts_nsec_1e9))
BAD_IN(fx_sem0, RET_INT, "sem_timedwait", "tv_nsec LONG_MAX", EINVAL, rsipc_sem_timedwait(ctx->ptr, &ts_nsec_max))
BAD_IN(fx_sem0, RET_INT, "sem_timedwait", "value 0, deadline in the past", ETIMEDOUT,
       rsipc_sem_timedwait(ctx->ptr, &ts_epoch))
BAD_IN(fx_sem0, RET_INT, "sem_timedwait", "value 0, tv_sec -1", ETIMEDOUT, rsipc_sem_timedwait(ctx->ptr, &ts_sec_neg))
BAD_IN(fx_sem0, RET_INT, "sem_timedwait", "value 0, tv_sec LONG_MIN", ETIMEDOUT,
       rsipc_sem_timedwait(ctx->ptr, &ts_sec_min))

/* ---- sem_clockwait ------------------------------------------------------ */
BAD_DEPARTS("glibc dereferences the NULL pointer",
            RET_INT, "sem_clockwait", "sem NULL", EFAULT, rsipc_sem_clockwait(NULL, CLOCK_MONOTONIC, &ts_epoch))
BAD_IN_DEPARTS("glibc dereferences the NULL pointer", fx_sem0, RET_INT, "sem_clockwait", "abs_timeout NULL", EFAULT,
       rsipc_sem_clockwait(ctx->ptr, CLOCK_MONOTONIC, NULL))
BAD_DEPARTS("glibc waits forever on a misaligned sem_t",
            RET_INT, "sem_clockwait", "sem misaligned", EINVAL, rsipc_sem_clockwait(MISALIGNED, CLOCK_REALTIME, &ts_epoch))
BAD_IN(fx_sem1, RET_INT, "sem_clockwait", "CLOCK_BOOTTIME", EINVAL,
       rsipc_sem_clockwait(ctx->ptr, CLOCK_BOOTTIME, &ts_epoch))
BAD_IN(fx_sem1, RET_INT, "sem_clockwait", "CLOCK_PROCESS_CPUTIME_ID", EINVAL,
       rsipc_sem_clockwait(ctx->ptr, CLOCK_PROCESS_CPUTIME_ID, &ts_epoch))
BAD_IN(fx_sem1, RET_INT, "sem_clockwait", "clock -1", EINVAL, rsipc_sem_clockwait(ctx->ptr, -1, &ts_epoch))
BAD_IN(fx_sem1, RET_INT, "sem_clockwait", "clock INT_MAX", EINVAL, rsipc_sem_clockwait(ctx->ptr, INT_MAX, &ts_epoch))
BAD_IN(fx_sem1, RET_INT, "sem_clockwait", "tv_nsec -1 (value 1)", EINVAL,
       rsipc_sem_clockwait(ctx->ptr, CLOCK_MONOTONIC, &ts_nsec_neg))
BAD_IN(fx_sem1, RET_INT, "sem_clockwait", "tv_nsec 1000000000 (value 1)", EINVAL,
       rsipc_sem_clockwait(ctx->ptr, CLOCK_REALTIME, &ts_nsec_1e9))
BAD_IN(fx_sem0, RET_INT, "sem_clockwait", "value 0, CLOCK_MONOTONIC deadline 0", ETIMEDOUT,
       rsipc_sem_clockwait(ctx->ptr, CLOCK_MONOTONIC, &ts_epoch))
BAD_IN(fx_sem0, RET_INT, "sem_clockwait", "value 0, CLOCK_REALTIME tv_sec -1", ETIMEDOUT,
       rsipc_sem_clockwait(ctx->ptr, CLOCK_REALTIME, &ts_sec_neg))

/* ---- sem_getvalue ------------------------------------------------------- */
BAD_DEPARTS("glibc dereferences the NULL pointer",
            RET_INT, "sem_getvalue", "sem NULL", EFAULT, rsipc_sem_getvalue(NULL, &sval))
BAD_IN_DEPARTS("glibc dereferences the NULL pointer",
               fx_sem1, RET_INT, "sem_getvalue", "sval NULL", EFAULT, rsipc_sem_getvalue(ctx->ptr, NULL))
BAD_DEPARTS("glibc takes a misaligned pointer as a sem_t",
            RET_INT, "sem_getvalue", "sem misaligned", EINVAL, rsipc_sem_getvalue(MISALIGNED, &sval))

/* ---- sem_open ----------------------------------------------------------- */
BAD_DEPARTS("glibc dereferences the NULL pointer",
            RET_SEM_FAILED, "sem_open", "name NULL", EFAULT, rsipc_sem_open(NULL, 0))
BAD_DEPARTS("glibc dereferences the NULL pointer",
            RET_SEM_FAILED, "sem_open", "name NULL, O_CREAT", EFAULT, rsipc_sem_open(NULL, O_CREAT, 0600, 1))
BAD(RET_SEM_FAILED, "sem_open", "name empty", EINVAL, rsipc_sem_open("", 0))
BAD(RET_SEM_FAILED, "sem_open", "name \"/\"", EINVAL, rsipc_sem_open("/", O_CREAT, 0600, 1))
BAD(RET_SEM_FAILED, "sem_open", "name with an inner '/'", EINVAL, rsipc_sem_open("/rsipc-bad/x", O_CREAT, 0600, 1))
BAD(RET_SEM_FAILED, "sem_open", "name NAME_MAX + 1 bytes", EINVAL, rsipc_sem_open(bi_long_name(NAME_MAX + 1), 0))
BAD(RET_SEM_FAILED, "sem_open", "name 252 bytes (sem.NAME is longer than NAME_MAX)", ENAMETOOLONG,
    rsipc_sem_open(bi_long_name(252), 0))
BAD(RET_SEM_FAILED, "sem_open", "name 252 bytes, O_CREAT", ENAMETOOLONG,
    rsipc_sem_open(bi_long_name(252), O_CREAT, 0600, 1))
BAD_IN(fx_sem_missing, RET_SEM_FAILED, "sem_open", "no such semaphore", ENOENT, rsipc_sem_open(NAME_OF(ctx), 0))
BAD_IN(fx_sem_missing, RET_SEM_FAILED, "sem_open", "O_CREAT, value SEM_VALUE_MAX + 1", EINVAL,
       rsipc_sem_open(NAME_OF(ctx), O_CREAT, 0600, (unsigned)SEM_VALUE_MAX + 1))
BAD_IN(fx_sem_missing, RET_SEM_FAILED, "sem_open", "O_CREAT|O_EXCL, value UINT_MAX", EINVAL,
       rsipc_sem_open(NAME_OF(ctx), O_CREAT | O_EXCL, 0600, UINT_MAX))
BAD_IN(fx_named, RET_SEM_FAILED, "sem_open", "O_CREAT|O_EXCL on an existing semaphore", EEXIST,
       rsipc_sem_open(NAME_OF(ctx), O_CREAT | O_EXCL, 0600, 1))
BAD_IN(fx_sem_link, RET_SEM_FAILED, "sem_open", "a symbolic link at the name", ELOOP, rsipc_sem_open(NAME_OF(ctx), 0))
BAD_IN(fx_sem_link, RET_SEM_FAILED, "sem_open", "a symbolic link at the name, O_CREAT", ELOOP,
       rsipc_sem_open(NAME_OF(ctx), O_CREAT, 0600, 1))
BAD_IN(fx_sem_dangling, RET_SEM_FAILED, "sem_open", "a dangling symbolic link, O_CREAT", ELOOP,
       rsipc_sem_open(NAME_OF(ctx), O_CREAT, 0600, 1))
BAD_IN(fx_sem_dangling, RET_SEM_FAILED, "sem_open", "a dangling symbolic link, O_CREAT|O_EXCL", EEXIST,
       rsipc_sem_open(NAME_OF(ctx), O_CREAT | O_EXCL, 0600, 1))
BAD_IN(fx_sem_dir, RET_SEM_FAILED, "sem_open", "a directory at the name", EISDIR, rsipc_sem_open(NAME_OF(ctx), 0))
BAD_IN_DEPARTS("documented: glibc fails with ENODEV for a FIFO at the name; rsipc says the file is not a semaphore",
               fx_sem_fifo, RET_SEM_FAILED, "sem_open", "a FIFO at the name (not a semaphore)", EINVAL,
       rsipc_sem_open(NAME_OF(ctx), 0))
BAD_IN_DEPARTS("documented: glibc maps an empty file as a semaphore (SIGBUS on first use)",
               fx_sem_empty_file, RET_SEM_FAILED, "sem_open", "an empty file at the name (would SIGBUS)", EINVAL,
       rsipc_sem_open(NAME_OF(ctx), O_CREAT, 0600, 1))
BAD_IN(fx_named_unprivileged, RET_SEM_FAILED, "sem_open", "unprivileged, root's 0600 semaphore", EACCES,
       rsipc_sem_open(NAME_OF(ctx), 0))
BAD_IN(fx_named_unprivileged, RET_SEM_FAILED, "sem_open", "unprivileged, root's 0600 semaphore, O_CREAT", EACCES,
       rsipc_sem_open(NAME_OF(ctx), O_CREAT, 0666, 1))

/* ---- sem_close ---------------------------------------------------------- */
BAD(RET_INT, "sem_close", "sem NULL", EINVAL, rsipc_sem_close(NULL))
BAD(RET_INT, "sem_close", "sem misaligned", EINVAL, rsipc_sem_close(MISALIGNED))
BAD(RET_INT, "sem_close", "an address that is no semaphore", EINVAL, rsipc_sem_close((sem_t *)(uintptr_t)0x1000))
BAD_IN(fx_sem1, RET_INT, "sem_close", "an unnamed semaphore", EINVAL, rsipc_sem_close(ctx->ptr))
BAD_IN(fx_named_closed, RET_INT, "sem_close", "already closed", EINVAL, rsipc_sem_close(ctx->ptr))
BAD_IN_DEPARTS("documented: rsipc closes only what rsipc_sem_open opened; glibc unmaps any sem_t it is given",
               fx_named_by_glibc, RET_INT, "sem_close", "opened by glibc, not by rsipc", EINVAL, rsipc_sem_close(ctx->ptr))

/* ---- sem_unlink --------------------------------------------------------- */
BAD_DEPARTS("glibc dereferences the NULL pointer", RET_INT, "sem_unlink", "name NULL", EFAULT, rsipc_sem_unlink(NULL))
BAD(RET_INT, "sem_unlink", "name empty", ENOENT, rsipc_sem_unlink(""))
BAD(RET_INT, "sem_unlink", "name \"/\"", ENOENT, rsipc_sem_unlink("/"))
BAD(RET_INT, "sem_unlink", "name with an inner '/'", ENOENT, rsipc_sem_unlink("/rsipc-bad/x"))
BAD(RET_INT, "sem_unlink", "name NAME_MAX + 1 bytes", ENOENT, rsipc_sem_unlink(bi_long_name(NAME_MAX + 1)))
BAD_IN(fx_sem_missing, RET_INT, "sem_unlink", "no such semaphore", ENOENT, rsipc_sem_unlink(NAME_OF(ctx)))
BAD_IN(fx_named_unprivileged, RET_INT, "sem_unlink", "unprivileged, root's semaphore", EACCES,
       rsipc_sem_unlink(NAME_OF(ctx)))

/* ---- sem_open: glibc's order (the name; without O_EXCL an existing
 * semaphore is opened as it is; the value only when creating) ------------- */
SAME_IN(fx_named, RET_SEM_FAILED, "sem_open", "O_CREAT, value SEM_VALUE_MAX + 1, existing semaphore",
        rsipc_sem_open(NAME_OF(ctx), O_CREAT, 0600, (unsigned)SEM_VALUE_MAX + 1))
SAME_IN(fx_named, RET_SEM_FAILED, "sem_open", "O_CREAT|O_EXCL, value UINT_MAX, existing semaphore",
        rsipc_sem_open(NAME_OF(ctx), O_CREAT | O_EXCL, 0600, UINT_MAX))
SAME(RET_SEM_FAILED, "sem_open", "name empty, O_CREAT, value UINT_MAX", rsipc_sem_open("", O_CREAT, 0600, UINT_MAX))
SAME(RET_SEM_FAILED, "sem_open", "name 252 bytes, O_CREAT, value UINT_MAX",
     rsipc_sem_open(bi_long_name(252), O_CREAT, 0600, UINT_MAX))
SAME_IN(fx_sem_link, RET_SEM_FAILED, "sem_open", "a symbolic link at the name, O_CREAT, value UINT_MAX",
        rsipc_sem_open(NAME_OF(ctx), O_CREAT, 0600, UINT_MAX))
SAME_IN(fx_sem_dangling, RET_SEM_FAILED, "sem_open", "a dangling symbolic link, O_CREAT|O_EXCL, value UINT_MAX",
        rsipc_sem_open(NAME_OF(ctx), O_CREAT | O_EXCL, 0600, UINT_MAX))
SAME_IN(fx_named_unprivileged, RET_SEM_FAILED, "sem_open", "unprivileged, root's 0600 semaphore, O_CREAT, value UINT_MAX",
        rsipc_sem_open(NAME_OF(ctx), O_CREAT, 0600, UINT_MAX))

/* ---- sem_init: glibc checks the value before it looks at sem ------------ */
BAD(RET_INT, "sem_init", "sem NULL, value SEM_VALUE_MAX + 1", EINVAL,
    rsipc_sem_init(NULL, 0, (unsigned)SEM_VALUE_MAX + 1))
BAD(RET_INT, "sem_init", "sem misaligned, value UINT_MAX", EINVAL, rsipc_sem_init(MISALIGNED, 1, UINT_MAX))
