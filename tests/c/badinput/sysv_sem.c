/* Bad-input rows for System V semaphores (format: see badinput.h):
 * rsipc_semget, rsipc_semop, rsipc_semtimedop, rsipc_semctl. The errnos
 * are the kernel's (glibc passes them through); rsipc adds EFAULT for a
 * NULL buffer or array. */
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>
#include <unistd.h>

#include "badinput.h"

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
    struct seminfo *__buf;
};

static struct semid_ds ds;
static struct seminfo info;
static unsigned short values[4] = {1, 1, 1, 1}, too_large[4] = {1, 32768, 1, 1};
static struct sembuf op_take = {0, -1, IPC_NOWAIT}, op_take_wait = {0, -1, 0}, op_give = {0, 1, 0},
                     op_member_4 = {4, 1, 0}, op_member_max = {USHRT_MAX, 1, 0}, two_ops[2] = {{0, 1, 0}, {1, 1, 0}};
static const struct timespec ts_nsec_neg = {0, -1}, ts_nsec_1e9 = {0, 1000000000}, ts_sec_neg = {-1, 0},
                             ts_zero = {0, 0}, ts_1ms = {0, 1000000};

/* ---- fixtures ----------------------------------------------------------- */

static void teardown_set(struct bi_ctx *ctx) {
    if (ctx->id >= 0) semctl((int)ctx->id, 0, IPC_RMID);
}

static int keyed_set(struct bi_ctx *ctx, int mode) {
    for (int i = 0; i < 64; i++) {
        key_t key = (key_t)(0x52d00000 | (((unsigned)getpid() * 64u + (unsigned)i) & 0xfffff));
        int id = semget(key, 2, IPC_CREAT | IPC_EXCL | mode);
        if (id >= 0) {
            ctx->id = id;
            ctx->id2 = key;
            return 0;
        }
        if (errno != EEXIST) return -1;
    }
    return -1;
}

/* A private set of 2 semaphores, both 0. */
static int setup_set(struct bi_ctx *ctx) {
    ctx->id = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    return ctx->id < 0 ? -1 : 0;
}
BI_FIXTURE(fx_set, setup_set, teardown_set);

/* The same, semaphore 0 at SEMVMX (32767). */
static int setup_set_at_max(struct bi_ctx *ctx) {
    if (setup_set(ctx) != 0) return -1;
    return semctl((int)ctx->id, 0, SETVAL, (union semun){.val = 32767});
}
BI_FIXTURE(fx_set_at_max, setup_set_at_max, teardown_set);

static int setup_removed_set(struct bi_ctx *ctx) {
    int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    if (id < 0 || semctl(id, 0, IPC_RMID) != 0) return -1;
    ctx->id2 = id;
    return 0;
}
BI_FIXTURE(fx_removed_set, setup_removed_set, NULL);
#define STALE_ID ((int)ctx->id2)

static int setup_keyed_set(struct bi_ctx *ctx) { return keyed_set(ctx, 0600); }
BI_FIXTURE(fx_keyed_set, setup_keyed_set, teardown_set);

static int setup_removed_key(struct bi_ctx *ctx) {
    if (keyed_set(ctx, 0600) != 0 || semctl((int)ctx->id, 0, IPC_RMID) != 0) return -1;
    ctx->id = -1;
    return 0;
}
BI_FIXTURE(fx_removed_key, setup_removed_key, teardown_set);

/* ctx->user: SEMOPM + 1 operations (all "add 0 to semaphore 0"); ctx->len:
 * SEMOPM. */
static int setup_set_and_too_many_ops(struct bi_ctx *ctx) {
    FILE *f = fopen("/proc/sys/kernel/sem", "re");
    long msl, mns, opm;
    if (!f) return -1;
    int ok = fscanf(f, "%ld %ld %ld", &msl, &mns, &opm) == 3;
    fclose(f);
    if (!ok || opm <= 0 || opm > 1 << 20) return -1;
    ctx->len = (size_t)opm;
    struct sembuf *ops = calloc((size_t)opm + 1, sizeof *ops);
    if (!ops) return -1;
    ctx->user = ops;
    return setup_set(ctx);
}
BI_FIXTURE(fx_set_and_too_many_ops, setup_set_and_too_many_ops, teardown_set);

/* A root-owned keyed set of `mode`, then privileges dropped. */
static int unprivileged_set(struct bi_ctx *ctx, int mode) {
    BI_NEED_ROOT();
    if (keyed_set(ctx, mode) != 0) return -1;
    return bi_setup_unprivileged(ctx);
}
static int setup_private_unprivileged(struct bi_ctx *ctx) { return unprivileged_set(ctx, 0600); }
static int setup_readonly_unprivileged(struct bi_ctx *ctx) { return unprivileged_set(ctx, 0444); }
static int setup_writeonly_unprivileged(struct bi_ctx *ctx) { return unprivileged_set(ctx, 0222); }
BI_FIXTURE(fx_private_set_unprivileged, setup_private_unprivileged, teardown_set);
BI_FIXTURE(fx_readonly_set_unprivileged, setup_readonly_unprivileged, teardown_set);
BI_FIXTURE(fx_writeonly_set_unprivileged, setup_writeonly_unprivileged, teardown_set);

/* ctx->id: a set; ctx->id2: its index in the kernel's table. */
static int setup_indexed_set(struct bi_ctx *ctx) {
    if (setup_set(ctx) != 0) return -1;
    int top = semctl(0, 0, SEM_INFO, (union semun){.__buf = &info});
    for (int i = 0; i <= top; i++) {
        if (semctl(i, 0, SEM_STAT_ANY, (union semun){.buf = &ds}) == ctx->id) {
            ctx->id2 = i;
            return 0;
        }
    }
    return -1;
}
BI_FIXTURE(fx_indexed_set, setup_indexed_set, teardown_set);

/* ---- semget ------------------------------------------------------------- */
BAD(RET_INT, "semget", "IPC_PRIVATE, nsems 0", EINVAL, rsipc_semget(IPC_PRIVATE, 0, IPC_CREAT | 0600))
BAD(RET_INT, "semget", "IPC_PRIVATE, nsems -1", EINVAL, rsipc_semget(IPC_PRIVATE, -1, IPC_CREAT | 0600))
BAD(RET_INT, "semget", "IPC_PRIVATE, nsems INT_MIN", EINVAL, rsipc_semget(IPC_PRIVATE, INT_MIN, 0600))
BAD(RET_INT, "semget", "IPC_PRIVATE, nsems INT_MAX (above SEMMSL)", EINVAL,
    rsipc_semget(IPC_PRIVATE, INT_MAX, IPC_CREAT | 0600))
BAD_IN(fx_removed_key, RET_INT, "semget", "removed key, no IPC_CREAT", ENOENT, rsipc_semget((key_t)ctx->id2, 1, 0600))
BAD_IN(fx_keyed_set, RET_INT, "semget", "existing key, IPC_CREAT|IPC_EXCL", EEXIST,
       rsipc_semget((key_t)ctx->id2, 2, IPC_CREAT | IPC_EXCL | 0600))
BAD_IN(fx_keyed_set, RET_INT, "semget", "existing key, more semaphores than the set has", EINVAL,
       rsipc_semget((key_t)ctx->id2, 3, 0600))
BAD_IN(fx_keyed_set, RET_INT, "semget", "existing key, nsems -1", EINVAL, rsipc_semget((key_t)ctx->id2, -1, 0600))
BAD_IN(fx_private_set_unprivileged, RET_INT, "semget", "unprivileged, root's 0600 set", EACCES,
       rsipc_semget((key_t)ctx->id2, 0, 0400))
BAD_IN(fx_readonly_set_unprivileged, RET_INT, "semget", "unprivileged, root's 0444 set, asking 0600", EACCES,
       rsipc_semget((key_t)ctx->id2, 0, 0600))

/* ---- semop -------------------------------------------------------------- */
BAD_IN(fx_set, RET_INT, "semop", "sops NULL", EFAULT, rsipc_semop((int)ctx->id, NULL, 1))
BAD_IN(fx_set, RET_INT, "semop", "nsops 0", EINVAL, rsipc_semop((int)ctx->id, &op_give, 0))
BAD_IN(fx_set, RET_INT, "semop", "sops NULL, nsops 0", EINVAL, rsipc_semop((int)ctx->id, NULL, 0))
BAD(RET_INT, "semop", "semid -1", EINVAL, rsipc_semop(-1, &op_give, 1))
BAD(RET_INT, "semop", "semid INT_MAX", EINVAL, rsipc_semop(INT_MAX, &op_give, 1))
BAD_IN(fx_removed_set, RET_INT, "semop", "removed set", EINVAL, rsipc_semop(STALE_ID, &op_take_wait, 1))
BAD_IN(fx_set_and_too_many_ops, RET_INT, "semop", "nsops SEMOPM + 1", E2BIG,
       rsipc_semop((int)ctx->id, ctx->user, ctx->len + 1))
BAD_IN(fx_set, RET_INT, "semop", "nsops SIZE_MAX", E2BIG, rsipc_semop((int)ctx->id, &op_give, SIZE_MAX))
BAD_IN(fx_set, RET_INT, "semop", "nsops SIZE_MAX / 2", E2BIG, rsipc_semop((int)ctx->id, two_ops, SIZE_MAX / 2))
BAD_IN(fx_set, RET_INT, "semop", "sem_num 4 of a 2-semaphore set", EFBIG, rsipc_semop((int)ctx->id, &op_member_4, 1))
BAD_IN(fx_set, RET_INT, "semop", "sem_num USHRT_MAX", EFBIG, rsipc_semop((int)ctx->id, &op_member_max, 1))
BAD_IN(fx_set, RET_INT, "semop", "value 0, IPC_NOWAIT", EAGAIN, rsipc_semop((int)ctx->id, &op_take, 1))
BAD_IN(fx_set_at_max, RET_INT, "semop", "add 1 to SEMVMX", ERANGE, rsipc_semop((int)ctx->id, &op_give, 1))
BAD_IN(fx_private_set_unprivileged, RET_INT, "semop", "unprivileged, root's 0600 set", EACCES,
       rsipc_semop((int)ctx->id, &op_give, 1))
BAD_IN(fx_readonly_set_unprivileged, RET_INT, "semop", "unprivileged, root's 0444 set, alter", EACCES,
       rsipc_semop((int)ctx->id, &op_give, 1))

/* ---- semtimedop --------------------------------------------------------- */
BAD_IN(fx_set, RET_INT, "semtimedop", "sops NULL", EFAULT, rsipc_semtimedop((int)ctx->id, NULL, 1, &ts_zero))
BAD_IN(fx_set, RET_INT, "semtimedop", "nsops 0", EINVAL, rsipc_semtimedop((int)ctx->id, &op_give, 0, &ts_zero))
BAD_IN(fx_set, RET_INT, "semtimedop", "tv_nsec -1", EINVAL, rsipc_semtimedop((int)ctx->id, &op_give, 1, &ts_nsec_neg))
BAD_IN(fx_set, RET_INT, "semtimedop", "tv_nsec 1000000000", EINVAL,
       rsipc_semtimedop((int)ctx->id, &op_give, 1, &ts_nsec_1e9))
BAD_IN(fx_set, RET_INT, "semtimedop", "tv_sec -1", EINVAL, rsipc_semtimedop((int)ctx->id, &op_give, 1, &ts_sec_neg))
BAD_IN(fx_set, RET_INT, "semtimedop", "would block, timeout 0", EAGAIN,
       rsipc_semtimedop((int)ctx->id, &op_take_wait, 1, &ts_zero))
BAD_IN(fx_set, RET_INT, "semtimedop", "would block, timeout 1 ms", EAGAIN,
       rsipc_semtimedop((int)ctx->id, &op_take_wait, 1, &ts_1ms))
BAD(RET_INT, "semtimedop", "semid -1", EINVAL, rsipc_semtimedop(-1, &op_give, 1, &ts_zero))
BAD_IN(fx_removed_set, RET_INT, "semtimedop", "removed set", EINVAL,
       rsipc_semtimedop(STALE_ID, &op_take_wait, 1, NULL))
BAD_IN(fx_set, RET_INT, "semtimedop", "sem_num 4 of a 2-semaphore set", EFBIG,
       rsipc_semtimedop((int)ctx->id, &op_member_4, 1, NULL))

/* ---- semctl: commands and ids ------------------------------------------- */
BAD_IN(fx_set, RET_INT, "semctl", "cmd 99 (unknown)", EINVAL, rsipc_semctl((int)ctx->id, 0, 99))
BAD_IN(fx_set, RET_INT, "semctl", "cmd -1", EINVAL, rsipc_semctl((int)ctx->id, 0, -1))
BAD(RET_INT, "semctl", "GETVAL, semid -1", EINVAL, rsipc_semctl(-1, 0, GETVAL))
BAD(RET_INT, "semctl", "GETVAL, semid INT_MAX", EINVAL, rsipc_semctl(INT_MAX, 0, GETVAL))
BAD_IN(fx_removed_set, RET_INT, "semctl", "GETVAL, removed set", EINVAL, rsipc_semctl(STALE_ID, 0, GETVAL))
BAD_IN(fx_removed_set, RET_INT, "semctl", "IPC_RMID, removed set", EINVAL, rsipc_semctl(STALE_ID, 0, IPC_RMID))
BAD_IN(fx_removed_set, RET_INT, "semctl", "IPC_STAT, removed set", EINVAL,
       rsipc_semctl(STALE_ID, 0, IPC_STAT, (union semun){.buf = &ds}))
BAD_IN(fx_removed_set, RET_INT, "semctl", "SETVAL, removed set", EINVAL,
       rsipc_semctl(STALE_ID, 0, SETVAL, (union semun){.val = 1}))
BAD_IN(fx_removed_set, RET_INT, "semctl", "GETALL, removed set", EINVAL,
       rsipc_semctl(STALE_ID, 0, GETALL, (union semun){.array = values}))

/* ---- semctl: members and values ----------------------------------------- */
BAD_IN(fx_set, RET_INT, "semctl", "GETVAL, semnum 2 of 2", EINVAL, rsipc_semctl((int)ctx->id, 2, GETVAL))
BAD_IN(fx_set, RET_INT, "semctl", "GETVAL, semnum -1", EINVAL, rsipc_semctl((int)ctx->id, -1, GETVAL))
BAD_IN(fx_set, RET_INT, "semctl", "GETPID, semnum INT_MAX", EINVAL, rsipc_semctl((int)ctx->id, INT_MAX, GETPID))
BAD_IN(fx_set, RET_INT, "semctl", "GETNCNT, semnum 2", EINVAL, rsipc_semctl((int)ctx->id, 2, GETNCNT))
BAD_IN(fx_set, RET_INT, "semctl", "GETZCNT, semnum -1", EINVAL, rsipc_semctl((int)ctx->id, -1, GETZCNT))
BAD_IN(fx_set, RET_INT, "semctl", "SETVAL, semnum 2", EINVAL,
       rsipc_semctl((int)ctx->id, 2, SETVAL, (union semun){.val = 1}))
BAD_IN(fx_set, RET_INT, "semctl", "SETVAL 32768 (above SEMVMX)", ERANGE,
       rsipc_semctl((int)ctx->id, 0, SETVAL, (union semun){.val = 32768}))
BAD_IN(fx_set, RET_INT, "semctl", "SETVAL -1", ERANGE, rsipc_semctl((int)ctx->id, 0, SETVAL, (union semun){.val = -1}))
BAD_IN(fx_set, RET_INT, "semctl", "SETVAL INT_MIN", ERANGE,
       rsipc_semctl((int)ctx->id, 0, SETVAL, (union semun){.val = INT_MIN}))
BAD_IN(fx_set, RET_INT, "semctl", "SETALL with a value 32768", ERANGE,
       rsipc_semctl((int)ctx->id, 0, SETALL, (union semun){.array = too_large}))

/* ---- semctl: NULL buffers ----------------------------------------------- */
BAD_IN(fx_set, RET_INT, "semctl", "IPC_STAT, buf NULL", EFAULT,
       rsipc_semctl((int)ctx->id, 0, IPC_STAT, (union semun){.buf = NULL}))
BAD_IN(fx_set, RET_INT, "semctl", "IPC_SET, buf NULL", EFAULT,
       rsipc_semctl((int)ctx->id, 0, IPC_SET, (union semun){.buf = NULL}))
BAD_IN(fx_set, RET_INT, "semctl", "GETALL, array NULL", EFAULT,
       rsipc_semctl((int)ctx->id, 0, GETALL, (union semun){.array = NULL}))
BAD_IN(fx_set, RET_INT, "semctl", "SETALL, array NULL", EFAULT,
       rsipc_semctl((int)ctx->id, 0, SETALL, (union semun){.array = NULL}))
BAD(RET_INT, "semctl", "IPC_INFO, __buf NULL", EFAULT, rsipc_semctl(0, 0, IPC_INFO, (union semun){.__buf = NULL}))
BAD(RET_INT, "semctl", "SEM_INFO, __buf NULL", EFAULT, rsipc_semctl(0, 0, SEM_INFO, (union semun){.__buf = NULL}))
BAD_IN(fx_indexed_set, RET_INT, "semctl", "SEM_STAT, buf NULL", EFAULT,
       rsipc_semctl((int)ctx->id2, 0, SEM_STAT, (union semun){.buf = NULL}))
BAD_IN(fx_indexed_set, RET_INT, "semctl", "SEM_STAT_ANY, buf NULL", EFAULT,
       rsipc_semctl((int)ctx->id2, 0, SEM_STAT_ANY, (union semun){.buf = NULL}))
BAD(RET_INT, "semctl", "SEM_STAT, index -1", EINVAL, rsipc_semctl(-1, 0, SEM_STAT, (union semun){.buf = &ds}))
BAD(RET_INT, "semctl", "SEM_STAT, index INT_MAX", EINVAL, rsipc_semctl(INT_MAX, 0, SEM_STAT, (union semun){.buf = &ds}))

/* ---- semctl: permissions ------------------------------------------------ */
BAD_IN(fx_private_set_unprivileged, RET_INT, "semctl", "unprivileged, GETVAL of root's 0600 set", EACCES,
       rsipc_semctl((int)ctx->id, 0, GETVAL))
BAD_IN(fx_private_set_unprivileged, RET_INT, "semctl", "unprivileged, IPC_STAT of root's 0600 set", EACCES,
       rsipc_semctl((int)ctx->id, 0, IPC_STAT, (union semun){.buf = &ds}))
BAD_IN(fx_private_set_unprivileged, RET_INT, "semctl", "unprivileged, GETALL of root's 0600 set", EACCES,
       rsipc_semctl((int)ctx->id, 0, GETALL, (union semun){.array = values}))
BAD_IN(fx_readonly_set_unprivileged, RET_INT, "semctl", "unprivileged, SETVAL on root's 0444 set", EACCES,
       rsipc_semctl((int)ctx->id, 0, SETVAL, (union semun){.val = 1}))
BAD_IN(fx_readonly_set_unprivileged, RET_INT, "semctl", "unprivileged, SETALL on root's 0444 set", EACCES,
       rsipc_semctl((int)ctx->id, 0, SETALL, (union semun){.array = values}))
BAD_IN(fx_private_set_unprivileged, RET_INT, "semctl", "unprivileged, IPC_RMID of root's set", EPERM,
       rsipc_semctl((int)ctx->id, 0, IPC_RMID))
BAD_IN(fx_readonly_set_unprivileged, RET_INT, "semctl", "unprivileged, IPC_SET of root's set", EPERM,
       rsipc_semctl((int)ctx->id, 0, IPC_SET, (union semun){.buf = &ds}))

/* ---- semctl: the kernel's order (the id and the permission come before
 * the buffer, except for IPC_SET, which reads its buffer first) ---------- */
BAD_IN(fx_removed_set, RET_INT, "semctl", "IPC_STAT, removed set, buf NULL", EINVAL,
       rsipc_semctl(STALE_ID, 0, IPC_STAT, (union semun){.buf = NULL}))
BAD(RET_INT, "semctl", "IPC_STAT, semid INT_MAX, buf NULL", EINVAL,
    rsipc_semctl(INT_MAX, 0, IPC_STAT, (union semun){.buf = NULL}))
BAD(RET_INT, "semctl", "IPC_STAT, semid -1, buf NULL", EINVAL, rsipc_semctl(-1, 0, IPC_STAT, (union semun){.buf = NULL}))
BAD(RET_INT, "semctl", "SEM_STAT, index INT_MAX, buf NULL", EINVAL,
    rsipc_semctl(INT_MAX, 0, SEM_STAT, (union semun){.buf = NULL}))
BAD(RET_INT, "semctl", "SEM_STAT_ANY, index INT_MAX, buf NULL", EINVAL,
    rsipc_semctl(INT_MAX, 0, SEM_STAT_ANY, (union semun){.buf = NULL}))
BAD_IN(fx_removed_set, RET_INT, "semctl", "GETALL, removed set, array NULL", EINVAL,
       rsipc_semctl(STALE_ID, 0, GETALL, (union semun){.array = NULL}))
BAD_IN(fx_removed_set, RET_INT, "semctl", "SETALL, removed set, array NULL", EINVAL,
       rsipc_semctl(STALE_ID, 0, SETALL, (union semun){.array = NULL}))
BAD_IN(fx_removed_set, RET_INT, "semctl", "IPC_SET, removed set, buf NULL (read first)", EFAULT,
       rsipc_semctl(STALE_ID, 0, IPC_SET, (union semun){.buf = NULL}))
BAD(RET_INT, "semctl", "IPC_INFO, semid -1, __buf NULL", EINVAL,
    rsipc_semctl(-1, 0, IPC_INFO, (union semun){.__buf = NULL}))
BAD(RET_INT, "semctl", "SEM_INFO, semid -1", EINVAL, rsipc_semctl(-1, 0, SEM_INFO, (union semun){.__buf = &info}))
BAD(RET_INT, "semctl", "cmd 99, semid -1", EINVAL, rsipc_semctl(-1, 0, 99))
BAD_IN(fx_private_set_unprivileged, RET_INT, "semctl", "unprivileged, IPC_STAT of root's 0600 set, buf NULL", EACCES,
       rsipc_semctl((int)ctx->id, 0, IPC_STAT, (union semun){.buf = NULL}))
BAD_IN(fx_private_set_unprivileged, RET_INT, "semctl", "unprivileged, GETALL of root's 0600 set, array NULL", EACCES,
       rsipc_semctl((int)ctx->id, 0, GETALL, (union semun){.array = NULL}))
BAD_IN(fx_readonly_set_unprivileged, RET_INT, "semctl", "unprivileged, SETALL on root's 0444 set, array NULL", EACCES,
       rsipc_semctl((int)ctx->id, 0, SETALL, (union semun){.array = NULL}))
/* SETALL needs write permission only: rsipc must not ask for more. */
SAME_IN(fx_writeonly_set_unprivileged, RET_INT, "semctl", "unprivileged, SETALL on root's 0222 set",
        rsipc_semctl((int)ctx->id, 0, SETALL, (union semun){.array = values}))
BAD_IN(fx_writeonly_set_unprivileged, RET_INT, "semctl", "unprivileged, GETALL of root's 0222 set", EACCES,
       rsipc_semctl((int)ctx->id, 0, GETALL, (union semun){.array = values}))

/* ---- semop, semtimedop: the kernel's order (too many operations, none,
 * reading them, the id, the timeout); nsops is an unsigned int there ----- */
BAD_IN(fx_set_and_too_many_ops, RET_INT, "semop", "sops NULL, SEMOPM + 1 operations", E2BIG,
       rsipc_semop((int)ctx->id, NULL, ctx->len + 1))
BAD_IN(fx_set_and_too_many_ops, RET_INT, "semtimedop", "SEMOPM + 1 operations, tv_nsec -1", E2BIG,
       rsipc_semtimedop((int)ctx->id, ctx->user, ctx->len + 1, &ts_nsec_neg))
BAD_IN(fx_set, RET_INT, "semtimedop", "sops NULL, tv_nsec -1", EFAULT,
       rsipc_semtimedop((int)ctx->id, NULL, 1, &ts_nsec_neg))
BAD_IN(fx_set, RET_INT, "semtimedop", "nsops 0, tv_sec -1", EINVAL,
       rsipc_semtimedop((int)ctx->id, &op_give, 0, &ts_sec_neg))
BAD(RET_INT, "semtimedop", "semid -1, tv_nsec 1e9", EINVAL, rsipc_semtimedop(-1, &op_give, 1, &ts_nsec_1e9))
SAME_IN(fx_set, RET_INT, "semop", "nsops 2^32 (0 as the kernel reads it)", rsipc_semop((int)ctx->id, &op_give, (size_t)1 << 32))
SAME_IN(fx_set, RET_INT, "semop", "nsops 2^32 + 1 (1 as the kernel reads it)",
        rsipc_semop((int)ctx->id, &op_give, ((size_t)1 << 32) + 1))
SAME_IN(fx_set, RET_INT, "semop", "sops NULL, nsops SIZE_MAX", rsipc_semop((int)ctx->id, NULL, SIZE_MAX))
SAME_IN(fx_set, RET_INT, "semop", "sops NULL, nsops 2^32", rsipc_semop((int)ctx->id, NULL, (size_t)1 << 32))
