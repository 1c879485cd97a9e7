/* Bad-input rows for System V keys and shared memory (format: see
 * badinput.h): rsipc_ftok, rsipc_shmget, rsipc_shmat, rsipc_shmdt,
 * rsipc_shmctl. The errnos are the kernel's (glibc passes them through);
 * rsipc adds EFAULT for a NULL buffer. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "badinput.h"

#define PAGE ((size_t)sysconf(_SC_PAGESIZE))
#define KERNEL_ADDR ((void *)0xffff800000000000ull)

static struct shmid_ds ds;

/* ---- fixtures ----------------------------------------------------------- */

static void teardown_segment(struct bi_ctx *ctx) {
    if (ctx->id >= 0) shmctl((int)ctx->id, IPC_RMID, NULL);
}

/* A new segment with a key of its own: id in ctx->id, key in ctx->id2. */
static int keyed_segment(struct bi_ctx *ctx, int mode) {
    for (int i = 0; i < 64; i++) {
        key_t key = (key_t)(0x52b00000 | (((unsigned)getpid() * 64u + (unsigned)i) & 0xfffff));
        int id = shmget(key, 4096, IPC_CREAT | IPC_EXCL | mode);
        if (id >= 0) {
            ctx->id = id;
            ctx->id2 = key;
            return 0;
        }
        if (errno != EEXIST) return -1;
    }
    return -1;
}

static int setup_segment(struct bi_ctx *ctx) {
    ctx->id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    return ctx->id < 0 ? -1 : 0;
}
BI_FIXTURE(fx_segment, setup_segment, teardown_segment);

/* ctx->id: the id of a segment that was removed. */
static int setup_removed_segment(struct bi_ctx *ctx) {
    int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    if (id < 0 || shmctl(id, IPC_RMID, NULL) != 0) return -1;
    ctx->id2 = id;  /* kept out of ctx->id: the teardown must not remove a reused id */
    return 0;
}
BI_FIXTURE(fx_removed_segment, setup_removed_segment, NULL);
#define STALE_ID ((int)ctx->id2)

static int setup_keyed_segment(struct bi_ctx *ctx) { return keyed_segment(ctx, 0600); }
BI_FIXTURE(fx_keyed_segment, setup_keyed_segment, teardown_segment);

/* ctx->id2: a key whose segment was removed. */
static int setup_removed_key(struct bi_ctx *ctx) {
    if (keyed_segment(ctx, 0600) != 0) return -1;
    if (shmctl((int)ctx->id, IPC_RMID, NULL) != 0) return -1;
    ctx->id = -1;
    return 0;
}
BI_FIXTURE(fx_removed_key, setup_removed_key, teardown_segment);

/* A root-owned keyed segment of `mode`, then privileges dropped. */
static int unprivileged_segment(struct bi_ctx *ctx, int mode) {
    BI_NEED_ROOT();
    if (keyed_segment(ctx, mode) != 0) return -1;
    return bi_setup_unprivileged(ctx);
}
static int setup_private_unprivileged(struct bi_ctx *ctx) { return unprivileged_segment(ctx, 0600); }
static int setup_readonly_unprivileged(struct bi_ctx *ctx) { return unprivileged_segment(ctx, 0444); }
BI_FIXTURE(fx_private_segment_unprivileged, setup_private_unprivileged, teardown_segment);
BI_FIXTURE(fx_readonly_segment_unprivileged, setup_readonly_unprivileged, teardown_segment);

/* ctx->id: a segment; ctx->id2: its index in the kernel's table. */
static int find_index(struct bi_ctx *ctx) {
    struct shm_info info;
    int top = shmctl(0, SHM_INFO, (struct shmid_ds *)&info);
    for (int i = 0; i <= top; i++) {
        if (shmctl(i, SHM_STAT_ANY, &ds) == ctx->id) {
            ctx->id2 = i;
            return 0;
        }
    }
    return -1;
}
static int setup_indexed_segment(struct bi_ctx *ctx) {
    if (setup_segment(ctx) != 0) return -1;
    return find_index(ctx);
}
BI_FIXTURE(fx_indexed_segment, setup_indexed_segment, teardown_segment);
static int setup_indexed_unprivileged(struct bi_ctx *ctx) {
    BI_NEED_ROOT();
    if (keyed_segment(ctx, 0600) != 0 || find_index(ctx) != 0) return -1;
    return bi_setup_unprivileged(ctx);
}
BI_FIXTURE(fx_indexed_segment_unprivileged, setup_indexed_unprivileged, teardown_segment);

/* ctx->id: a segment; ctx->ptr: two pages of anonymous memory. */
static int setup_segment_and_mapping(struct bi_ctx *ctx) {
    if (setup_segment(ctx) != 0) return -1;
    ctx->ptr = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return ctx->ptr == MAP_FAILED ? -1 : 0;
}
BI_FIXTURE(fx_segment_and_mapping, setup_segment_and_mapping, teardown_segment);

/* ctx->ptr: where a segment was attached, and detached again. */
static int setup_detached(struct bi_ctx *ctx) {
    if (setup_segment(ctx) != 0) return -1;
    ctx->ptr = shmat((int)ctx->id, NULL, 0);
    if (ctx->ptr == (void *)-1) return -1;
    return shmdt(ctx->ptr);
}
BI_FIXTURE(fx_detached, setup_detached, teardown_segment);

/* Paths for ftok. */
BI_NODE_FIXTURE(fx_ftok_missing, bi_tmp_path(ctx, "ftok-missing"), BI_NOTHING);
static int setup_link_loop(struct bi_ctx *ctx) {
    bi_tmp_path(ctx, "ftok-loop");
    return symlink(ctx->path, ctx->path);
}
BI_FIXTURE(fx_link_loop, setup_link_loop, bi_teardown_paths);
static int setup_ftok_below_file(struct bi_ctx *ctx) {
    snprintf(ctx->path2, sizeof ctx->path2, "/tmp/rsipc-bad-%ld-ftok-file", (long)getpid());
    int fd = open(ctx->path2, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    close(fd);
    snprintf(ctx->path, sizeof ctx->path, "%.200s/x", ctx->path2);
    return 0;
}
BI_FIXTURE(fx_ftok_below_file, setup_ftok_below_file, bi_teardown_paths);
/* ctx->path: a file inside the root-only directory ctx->path2; unprivileged. */
static int setup_ftok_hidden(struct bi_ctx *ctx) {
    BI_NEED_ROOT();
    snprintf(ctx->path2, sizeof ctx->path2, "/tmp/rsipc-bad-%ld-ftok-dir", (long)getpid());
    if (mkdir(ctx->path2, 0700) != 0) return -1;
    snprintf(ctx->path, sizeof ctx->path, "%.200s/file", ctx->path2);
    int fd = open(ctx->path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    close(fd);
    return bi_setup_unprivileged(ctx);
}
BI_FIXTURE(fx_ftok_hidden, setup_ftok_hidden, bi_teardown_paths);

/* ---- ftok --------------------------------------------------------------- */
BAD(RET_KEY, "ftok", "path NULL", EFAULT, rsipc_ftok(NULL, 1))
BAD(RET_KEY, "ftok", "path empty", ENOENT, rsipc_ftok("", 1))
BAD_IN(fx_ftok_missing, RET_KEY, "ftok", "no such file", ENOENT, rsipc_ftok(ctx->path, 'A'))
BAD_IN(fx_ftok_below_file, RET_KEY, "ftok", "a path component is a regular file", ENOTDIR, rsipc_ftok(ctx->path, 1))
BAD(RET_KEY, "ftok", "last component NAME_MAX + 1 bytes", ENAMETOOLONG, rsipc_ftok(bi_long_name(NAME_MAX + 1), 1))
BAD(RET_KEY, "ftok", "path PATH_MAX bytes", ENAMETOOLONG, rsipc_ftok(bi_long_path(PATH_MAX), 1))
BAD_IN(fx_link_loop, RET_KEY, "ftok", "a symbolic link to itself", ELOOP, rsipc_ftok(ctx->path, 1))
BAD_IN(fx_ftok_hidden, RET_KEY, "ftok", "unprivileged, file in a root-only directory", EACCES,
       rsipc_ftok(ctx->path, 1))

/* ---- shmget ------------------------------------------------------------- */
BAD(RET_INT, "shmget", "IPC_PRIVATE, size 0", EINVAL, rsipc_shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600))
BAD(RET_INT, "shmget", "IPC_PRIVATE, size SIZE_MAX (above SHMMAX)", EINVAL,
    rsipc_shmget(IPC_PRIVATE, SIZE_MAX, IPC_CREAT | 0600))
BAD(RET_INT, "shmget", "IPC_PRIVATE, size SIZE_MAX - 4095 (above SHMMAX)", EINVAL,
    rsipc_shmget(IPC_PRIVATE, SIZE_MAX - 4095, 0600))
BAD_IN(fx_removed_key, RET_INT, "shmget", "removed key, no IPC_CREAT", ENOENT,
       rsipc_shmget((key_t)ctx->id2, 4096, 0600))
BAD_IN(fx_keyed_segment, RET_INT, "shmget", "existing key, IPC_CREAT|IPC_EXCL", EEXIST,
       rsipc_shmget((key_t)ctx->id2, 4096, IPC_CREAT | IPC_EXCL | 0600))
BAD_IN(fx_keyed_segment, RET_INT, "shmget", "existing key, larger size", EINVAL,
       rsipc_shmget((key_t)ctx->id2, 8192, 0600))
BAD_IN(fx_keyed_segment, RET_INT, "shmget", "existing key, size SIZE_MAX", EINVAL,
       rsipc_shmget((key_t)ctx->id2, SIZE_MAX, IPC_CREAT | 0600))
BAD_IN(fx_private_segment_unprivileged, RET_INT, "shmget", "unprivileged, root's 0600 segment", EACCES,
       rsipc_shmget((key_t)ctx->id2, 0, 0400))
BAD_IN(fx_readonly_segment_unprivileged, RET_INT, "shmget", "unprivileged, root's 0444 segment, asking 0600",
       EACCES, rsipc_shmget((key_t)ctx->id2, 0, 0600))

/* ---- shmat -------------------------------------------------------------- */
BAD(RET_MAP_FAILED, "shmat", "shmid -1", EINVAL, rsipc_shmat(-1, NULL, 0))
BAD(RET_MAP_FAILED, "shmat", "shmid INT_MIN", EINVAL, rsipc_shmat(INT_MIN, NULL, SHM_RDONLY))
BAD(RET_MAP_FAILED, "shmat", "shmid INT_MAX", EINVAL, rsipc_shmat(INT_MAX, NULL, 0))
BAD_IN(fx_removed_segment, RET_MAP_FAILED, "shmat", "removed segment", EINVAL, rsipc_shmat(STALE_ID, NULL, 0))
BAD_IN(fx_segment, RET_MAP_FAILED, "shmat", "shmaddr unaligned, no SHM_RND", EINVAL,
       rsipc_shmat((int)ctx->id, (void *)(uintptr_t)(PAGE * 4096 + 1), 0))
BAD_IN(fx_segment, RET_MAP_FAILED, "shmat", "SHM_REMAP without shmaddr", EINVAL,
       rsipc_shmat((int)ctx->id, NULL, SHM_REMAP))
BAD_IN(fx_segment_and_mapping, RET_MAP_FAILED, "shmat", "shmaddr over an existing mapping, no SHM_REMAP", EINVAL,
       rsipc_shmat((int)ctx->id, ctx->ptr, 0))
BAD_IN(fx_segment, RET_MAP_FAILED, "shmat", "shmaddr in kernel space (no room there)", ENOMEM,
       rsipc_shmat((int)ctx->id, KERNEL_ADDR, 0))
BAD_IN(fx_private_segment_unprivileged, RET_MAP_FAILED, "shmat", "unprivileged, root's 0600 segment, read-only",
       EACCES, rsipc_shmat((int)ctx->id, NULL, SHM_RDONLY))
BAD_IN(fx_readonly_segment_unprivileged, RET_MAP_FAILED, "shmat", "unprivileged, root's 0444 segment, read-write",
       EACCES, rsipc_shmat((int)ctx->id, NULL, 0))
BAD_IN(fx_readonly_segment_unprivileged, RET_MAP_FAILED, "shmat", "unprivileged, root's 0444 segment, SHM_EXEC",
       EACCES, rsipc_shmat((int)ctx->id, NULL, SHM_RDONLY | SHM_EXEC))

/* ---- shmdt -------------------------------------------------------------- */
BAD(RET_INT, "shmdt", "shmaddr NULL", EINVAL, rsipc_shmdt(NULL))
BAD(RET_INT, "shmdt", "shmaddr 1 (unaligned)", EINVAL, rsipc_shmdt((void *)1))
BAD(RET_INT, "shmdt", "shmaddr in kernel space", EINVAL, rsipc_shmdt(KERNEL_ADDR))
BAD_IN(fx_segment_and_mapping, RET_INT, "shmdt", "an anonymous mapping, not a segment", EINVAL, rsipc_shmdt(ctx->ptr))
BAD_IN(fx_detached, RET_INT, "shmdt", "already detached", EINVAL, rsipc_shmdt(ctx->ptr))

/* ---- shmctl ------------------------------------------------------------- */
BAD_IN(fx_segment, RET_INT, "shmctl", "cmd 99 (unknown)", EINVAL, rsipc_shmctl((int)ctx->id, 99, &ds))
BAD_IN(fx_segment, RET_INT, "shmctl", "cmd -1", EINVAL, rsipc_shmctl((int)ctx->id, -1, &ds))
BAD_IN(fx_segment, RET_INT, "shmctl", "cmd IPC_64 alone (a flag, not a command)", EINVAL,
       rsipc_shmctl((int)ctx->id, 0x100, &ds))
BAD(RET_INT, "shmctl", "IPC_STAT, shmid -1", EINVAL, rsipc_shmctl(-1, IPC_STAT, &ds))
BAD(RET_INT, "shmctl", "IPC_STAT, shmid INT_MAX", EINVAL, rsipc_shmctl(INT_MAX, IPC_STAT, &ds))
BAD_IN(fx_removed_segment, RET_INT, "shmctl", "IPC_STAT, removed segment", EINVAL,
       rsipc_shmctl(STALE_ID, IPC_STAT, &ds))
BAD_IN(fx_removed_segment, RET_INT, "shmctl", "IPC_STAT, removed segment, buf NULL", EINVAL,
       rsipc_shmctl(STALE_ID, IPC_STAT, NULL))
BAD_IN(fx_removed_segment, RET_INT, "shmctl", "IPC_RMID, removed segment", EINVAL,
       rsipc_shmctl(STALE_ID, IPC_RMID, NULL))
BAD(RET_INT, "shmctl", "IPC_RMID, shmid -1", EINVAL, rsipc_shmctl(-1, IPC_RMID, NULL))
BAD_IN(fx_removed_segment, RET_INT, "shmctl", "IPC_SET, removed segment", EINVAL,
       rsipc_shmctl(STALE_ID, IPC_SET, &ds))
BAD_IN(fx_removed_segment, RET_INT, "shmctl", "SHM_LOCK, removed segment", EINVAL,
       rsipc_shmctl(STALE_ID, SHM_LOCK, NULL))
BAD_IN(fx_segment, RET_INT, "shmctl", "IPC_STAT, buf NULL", EFAULT, rsipc_shmctl((int)ctx->id, IPC_STAT, NULL))
BAD_IN(fx_segment, RET_INT, "shmctl", "IPC_SET, buf NULL", EFAULT, rsipc_shmctl((int)ctx->id, IPC_SET, NULL))
BAD(RET_INT, "shmctl", "IPC_INFO, buf NULL", EFAULT, rsipc_shmctl(0, IPC_INFO, NULL))
BAD(RET_INT, "shmctl", "SHM_INFO, buf NULL", EFAULT, rsipc_shmctl(0, SHM_INFO, NULL))
BAD_IN(fx_indexed_segment, RET_INT, "shmctl", "SHM_STAT, buf NULL", EFAULT,
       rsipc_shmctl((int)ctx->id2, SHM_STAT, NULL))
BAD_IN(fx_indexed_segment, RET_INT, "shmctl", "SHM_STAT_ANY, buf NULL", EFAULT,
       rsipc_shmctl((int)ctx->id2, SHM_STAT_ANY, NULL))
BAD(RET_INT, "shmctl", "SHM_STAT, index -1", EINVAL, rsipc_shmctl(-1, SHM_STAT, &ds))
BAD(RET_INT, "shmctl", "SHM_STAT, index INT_MAX", EINVAL, rsipc_shmctl(INT_MAX, SHM_STAT, &ds))
BAD(RET_INT, "shmctl", "SHM_STAT_ANY, index INT_MAX", EINVAL, rsipc_shmctl(INT_MAX, SHM_STAT_ANY, &ds))
BAD_IN(fx_private_segment_unprivileged, RET_INT, "shmctl", "unprivileged, IPC_STAT of root's 0600 segment", EACCES,
       rsipc_shmctl((int)ctx->id, IPC_STAT, &ds))
BAD_IN(fx_indexed_segment_unprivileged, RET_INT, "shmctl", "unprivileged, SHM_STAT of root's 0600 segment", EACCES,
       rsipc_shmctl((int)ctx->id2, SHM_STAT, &ds))
BAD_IN(fx_private_segment_unprivileged, RET_INT, "shmctl", "unprivileged, IPC_RMID of root's segment", EPERM,
       rsipc_shmctl((int)ctx->id, IPC_RMID, NULL))
BAD_IN(fx_readonly_segment_unprivileged, RET_INT, "shmctl", "unprivileged, IPC_SET of root's segment", EPERM,
       rsipc_shmctl((int)ctx->id, IPC_SET, &ds))
BAD_IN(fx_private_segment_unprivileged, RET_INT, "shmctl", "unprivileged, SHM_LOCK of root's segment", EPERM,
       rsipc_shmctl((int)ctx->id, SHM_LOCK, NULL))
BAD_IN(fx_private_segment_unprivileged, RET_INT, "shmctl", "unprivileged, SHM_UNLOCK of root's segment", EPERM,
       rsipc_shmctl((int)ctx->id, SHM_UNLOCK, NULL))
