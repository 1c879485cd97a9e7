/* Bad-input rows for memory mapping (format: see badinput.h): rsipc_mmap,
 * rsipc_munmap, rsipc_msync, rsipc_map_file, rsipc_map_anonymous_shared.
 *
 * The errnos are the kernel's for mmap/munmap/msync (rsipc checks first,
 * with the same errno, what the raw call would get wrong or crash on), and
 * the documented ones for the convenience functions. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "badinput.h"

#define PAGE ((size_t)sysconf(_SC_PAGESIZE))
/* An address far above any user address space (x86-64 and aarch64). */
#define KERNEL_ADDR ((void *)0xffff800000000000ull)
/* The highest page-aligned address: any length from it wraps around. */
#define TOP_PAGE ((void *)(UINTPTR_MAX & ~(uintptr_t)(PAGE - 1)))

/* ---- fixtures ----------------------------------------------------------- */

/* fd[0]: a 2-page regular file opened with `flags` (already unlinked). */
static int file_opened(struct bi_ctx *ctx, int flags) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/rsipc-bad-%ld-mapfile", (long)getpid());
    int fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    int ok = ftruncate(fd, (off_t)(2 * PAGE)) == 0;
    close(fd);
    ctx->fd[0] = ok ? open(path, flags | O_CLOEXEC) : -1;
    unlink(path);
    return ctx->fd[0] < 0 ? -1 : 0;
}
static int setup_file_rdwr(struct bi_ctx *ctx) { return file_opened(ctx, O_RDWR); }
static int setup_file_rdonly(struct bi_ctx *ctx) { return file_opened(ctx, O_RDONLY); }
static int setup_file_wronly(struct bi_ctx *ctx) { return file_opened(ctx, O_WRONLY); }
BI_FIXTURE(fx_file_rdwr, setup_file_rdwr, NULL);
BI_FIXTURE(fx_file_rdonly, setup_file_rdonly, NULL);
BI_FIXTURE(fx_file_wronly, setup_file_wronly, NULL);

/* ptr, len: two pages of anonymous memory. */
static int setup_anon(struct bi_ctx *ctx) {
    ctx->len = 2 * PAGE;
    ctx->ptr = mmap(NULL, ctx->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return ctx->ptr == MAP_FAILED ? -1 : 0;
}
BI_FIXTURE(fx_anon, setup_anon, NULL);

/* ptr, len: two pages, the second one unmapped again. They are placed low
 * in the address space, where nothing else gets mapped meanwhile (the
 * kernel fills holes top-down from mmap_base, and under AddressSanitizer
 * the allocator maps memory of its own between the setup and the call). */
static int setup_anon_hole(struct bi_ctx *ctx) {
    ctx->len = 2 * PAGE;
    for (uintptr_t a = 0x10000000; a < 0x40000000; a += 0x1000000) {
        ctx->ptr = mmap((void *)a, ctx->len, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (ctx->ptr != MAP_FAILED) return munmap((char *)ctx->ptr + PAGE, PAGE);
    }
    return -1;
}
BI_FIXTURE(fx_anon_hole, setup_anon_hole, NULL);

/* ptr, len: one locked page of a shared file mapping. */
static int setup_locked(struct bi_ctx *ctx) {
    if (file_opened(ctx, O_RDWR) != 0) return -1;
    ctx->len = PAGE;
    ctx->ptr = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ctx->fd[0], 0);
    if (ctx->ptr == MAP_FAILED) return -1;
    /* The system call itself: AddressSanitizer's mlock() does nothing. */
    if (syscall(SYS_mlock, ctx->ptr, PAGE) != 0) return errno == EPERM || errno == ENOMEM ? BI_SKIP : -1;
    return 0;
}
BI_FIXTURE(fx_locked, setup_locked, NULL);

/* Paths for map_file. */
BI_NODE_FIXTURE(fx_map_missing, bi_tmp_path(ctx, "map-missing"), BI_NOTHING);
BI_NODE_FIXTURE(fx_map_empty, bi_tmp_path(ctx, "map-empty"), BI_FILE);
BI_NODE_FIXTURE(fx_map_4k, bi_tmp_path(ctx, "map-4k"), BI_FILE_4K);
BI_NODE_FIXTURE(fx_map_fifo, bi_tmp_path(ctx, "map-fifo"), BI_FIFO);
BI_NODE_FIXTURE(fx_map_dir, bi_tmp_path(ctx, "map-dir"), BI_DIR);
BI_NODE_FIXTURE(fx_map_socket, bi_tmp_path(ctx, "map-sock"), BI_SOCKET);
BI_NODE_FIXTURE(fx_map_link, bi_tmp_path(ctx, "map-link"), BI_LINK_TO_FILE);

/* A root-owned 0600 file of 4096 bytes, then privileges dropped. */
static int setup_map_private_unprivileged(struct bi_ctx *ctx) {
    BI_NEED_ROOT();
    if (bi_make_node(ctx, bi_tmp_path(ctx, "map-private"), BI_FILE_4K) != 0) return -1;
    return bi_setup_unprivileged(ctx);
}
BI_FIXTURE(fx_map_private_unprivileged, setup_map_private_unprivileged, bi_teardown_paths);

static size_t len_0 = 0, len_page = 4096, len_8k = 8192, len_max = SIZE_MAX;

/* ---- mmap: length ------------------------------------------------------- */
BAD(RET_MAP_FAILED, "mmap", "len 0, anonymous", EINVAL,
    rsipc_mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
BAD_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "len 0, file", EINVAL,
       rsipc_mmap(NULL, 0, PROT_READ, MAP_SHARED, ctx->fd[0], 0))
BAD(RET_MAP_FAILED, "mmap", "len SIZE_MAX (overflows when rounded to pages)", ENOMEM,
    rsipc_mmap(NULL, SIZE_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "len SIZE_MAX - page + 2 (overflows when rounded)", ENOMEM,
    rsipc_mmap(NULL, SIZE_MAX - PAGE + 2, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "len 2^62 (larger than the address space)", ENOMEM,
    rsipc_mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0))
BAD_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "len SIZE_MAX, file", ENOMEM,
       rsipc_mmap(NULL, SIZE_MAX, PROT_READ, MAP_SHARED, ctx->fd[0], 0))

/* ---- mmap: offset ------------------------------------------------------- */
BAD_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "off 1 (unaligned)", EINVAL,
       rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ctx->fd[0], 1))
BAD_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "off page - 1 (unaligned)", EINVAL,
       rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ctx->fd[0], (off_t)PAGE - 1))
BAD(RET_MAP_FAILED, "mmap", "off 1 (unaligned), anonymous", EINVAL,
    rsipc_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1))
BAD_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "off -page (negative)", EOVERFLOW,
       rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ctx->fd[0], -(off_t)PAGE))
BAD_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "off INT64_MIN", EOVERFLOW,
       rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ctx->fd[0], INT64_MIN))
BAD_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "off + len past the largest file offset", EOVERFLOW,
       rsipc_mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, ctx->fd[0], INT64_MAX & ~(off_t)(PAGE - 1)))

/* ---- mmap: flags -------------------------------------------------------- */
BAD(RET_MAP_FAILED, "mmap", "no mapping type (MAP_ANONYMOUS alone)", EINVAL,
    rsipc_mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "flags 0 (a file mapping: fd -1 comes first)", EBADF,
    rsipc_mmap(NULL, PAGE, PROT_READ, 0, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "mapping type 0x4 (unknown)", EINVAL,
    rsipc_mmap(NULL, PAGE, PROT_READ, 0x4 | MAP_ANONYMOUS, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "mapping type 0xf (unknown)", EINVAL,
    rsipc_mmap(NULL, PAGE, PROT_READ, 0xf | MAP_ANONYMOUS, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "flags -1", EINVAL, rsipc_mmap(NULL, PAGE, PROT_READ, -1, -1, 0))
BAD_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "MAP_DROPPABLE (anonymous memory only) on a file", EINVAL,
       rsipc_mmap(NULL, PAGE, PROT_READ, 0x08, ctx->fd[0], 0))
BAD_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "MAP_SHARED_VALIDATE with MAP_SYNC on a non-DAX file", EOPNOTSUPP,
       rsipc_mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC, ctx->fd[0], 0))
BAD(RET_MAP_FAILED, "mmap", "MAP_FIXED at an unaligned address", EINVAL,
    rsipc_mmap((void *)(uintptr_t)(PAGE * 4096 + 1), PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "MAP_FIXED_NOREPLACE at an unaligned address", EINVAL,
    rsipc_mmap((void *)(uintptr_t)(PAGE * 4096 + 1), PAGE, PROT_READ,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0))
BAD_IN(fx_anon, RET_MAP_FAILED, "mmap", "MAP_FIXED_NOREPLACE over an existing mapping", EEXIST,
       rsipc_mmap(ctx->ptr, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "MAP_FIXED in kernel space", ENOMEM,
    rsipc_mmap(KERNEL_ADDR, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0))

/* ---- mmap: descriptor --------------------------------------------------- */
BAD(RET_MAP_FAILED, "mmap", "fd -1 without MAP_ANONYMOUS", EBADF, rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "fd INT_MAX", EBADF, rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, INT_MAX, 0))
BAD(RET_MAP_FAILED, "mmap", "fd INT_MIN", EBADF, rsipc_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, INT_MIN, 0))
BAD_IN(fx_closed_fd, RET_MAP_FAILED, "mmap", "closed fd", EBADF,
       rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ctx->fd[0], 0))
BAD_IN(fx_fifo_path, RET_MAP_FAILED, "mmap", "O_PATH descriptor", EBADF,
       rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ctx->fd[0], 0))
BAD_IN(fx_pipe, RET_MAP_FAILED, "mmap", "a pipe", ENODEV, rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ctx->fd[0], 0))
BAD_IN(fx_fifo, RET_MAP_FAILED, "mmap", "a FIFO", ENODEV, rsipc_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, ctx->fd[0], 0))
BAD_IN(fx_socket, RET_MAP_FAILED, "mmap", "a socket", ENODEV,
       rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ctx->fd[0], 0))
BAD_IN(fx_directory, RET_MAP_FAILED, "mmap", "a directory", ENODEV,
       rsipc_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, ctx->fd[0], 0))
BAD_IN(fx_file_wronly, RET_MAP_FAILED, "mmap", "write-only file", EACCES,
       rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ctx->fd[0], 0))
BAD_IN(fx_file_wronly, RET_MAP_FAILED, "mmap", "write-only file, MAP_PRIVATE", EACCES,
       rsipc_mmap(NULL, PAGE, PROT_WRITE, MAP_PRIVATE, ctx->fd[0], 0))
BAD_IN(fx_file_rdonly, RET_MAP_FAILED, "mmap", "read-only file, writable MAP_SHARED", EACCES,
       rsipc_mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ctx->fd[0], 0))

/* ---- mmap: the kernel's order of checks --------------------------------
 * An unaligned offset first; then, for a file mapping, the descriptor
 * (EBADF before the length, the mapping type, the offset range or
 * MAP_FIXED's address); then the length (0: EINVAL, overflowing when
 * rounded: ENOMEM), the address space (ENOMEM), the file's offset range
 * (EOVERFLOW), the mapping type (EINVAL). */
BAD_IN(fx_closed_fd, RET_MAP_FAILED, "mmap", "len 0, closed fd", EBADF,
       rsipc_mmap(NULL, 0, PROT_READ | PROT_WRITE, MAP_SHARED, ctx->fd[0], 0))
BAD(RET_MAP_FAILED, "mmap", "len 0, fd -1", EBADF, rsipc_mmap(NULL, 0, PROT_READ, MAP_PRIVATE, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "no mapping type, fd -1", EBADF, rsipc_mmap(NULL, PAGE, PROT_READ, 0x4, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "len SIZE_MAX, fd -1", EBADF, rsipc_mmap(NULL, SIZE_MAX, PROT_READ, MAP_SHARED, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "off -page, fd -1", EBADF, rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, -1, -(off_t)PAGE))
BAD(RET_MAP_FAILED, "mmap", "off INT64_MIN, fd -1", EBADF, rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, -1, INT64_MIN))
BAD(RET_MAP_FAILED, "mmap", "off + len past the largest file offset, fd -1", EBADF,
    rsipc_mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, -1, INT64_MAX & ~(off_t)(PAGE - 1)))
BAD(RET_MAP_FAILED, "mmap", "len 0, no mapping type, off -page, fd -1", EBADF,
    rsipc_mmap(NULL, 0, PROT_READ, 0, -1, -(off_t)PAGE))
BAD(RET_MAP_FAILED, "mmap", "MAP_FIXED at an unaligned address, fd -1", EBADF,
    rsipc_mmap((void *)(uintptr_t)(PAGE * 4096 + 1), PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "MAP_FIXED in kernel space, fd -1", EBADF,
    rsipc_mmap(KERNEL_ADDR, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, -1, 0))
BAD_IN(fx_closed_fd, RET_MAP_FAILED, "mmap", "len SIZE_MAX, no mapping type, closed fd", EBADF,
       rsipc_mmap(NULL, SIZE_MAX, PROT_READ, 0, ctx->fd[0], 0))
BAD(RET_MAP_FAILED, "mmap", "off 1 (unaligned) before fd -1", EINVAL, rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, -1, 1))
BAD_IN(fx_closed_fd, RET_MAP_FAILED, "mmap", "off 1 (unaligned), len 0, no mapping type, closed fd", EINVAL,
       rsipc_mmap(NULL, 0, PROT_READ, 0, ctx->fd[0], 1))
BAD(RET_MAP_FAILED, "mmap", "len SIZE_MAX, off 1 (unaligned), anonymous", EINVAL,
    rsipc_mmap(NULL, SIZE_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1))
BAD_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "MAP_HUGETLB on a regular file, len 0", EINVAL,
       rsipc_mmap(NULL, 0, PROT_READ, MAP_SHARED | MAP_HUGETLB, ctx->fd[0], 0))
BAD_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "len 0, no mapping type, off -page, file", EINVAL,
       rsipc_mmap(NULL, 0, PROT_READ, 0, ctx->fd[0], -(off_t)PAGE))
BAD_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "len SIZE_MAX, off -page, file", ENOMEM,
       rsipc_mmap(NULL, SIZE_MAX, PROT_READ, MAP_SHARED, ctx->fd[0], -(off_t)PAGE))
BAD_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "len SIZE_MAX, no mapping type, file", ENOMEM,
       rsipc_mmap(NULL, SIZE_MAX, PROT_READ, 0, ctx->fd[0], 0))
SAME_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "len 2^62, off -page, file",
        rsipc_mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_SHARED, ctx->fd[0], -(off_t)PAGE))
SAME_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "off -page, no mapping type, file",
        rsipc_mmap(NULL, PAGE, PROT_READ, 0, ctx->fd[0], -(off_t)PAGE))
SAME_IN(fx_file_rdwr, RET_MAP_FAILED, "mmap", "MAP_FIXED in kernel space, off -page, file",
        rsipc_mmap(KERNEL_ADDR, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, ctx->fd[0], -(off_t)PAGE))
SAME_IN(fx_file_rdonly, RET_MAP_FAILED, "mmap", "read-only file, writable MAP_SHARED, no room at a kernel address",
        rsipc_mmap(KERNEL_ADDR, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, ctx->fd[0], 0))
BAD(RET_MAP_FAILED, "mmap", "len 0, no mapping type, anonymous", EINVAL, rsipc_mmap(NULL, 0, PROT_READ, MAP_ANONYMOUS, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "len SIZE_MAX, no mapping type, anonymous", ENOMEM,
    rsipc_mmap(NULL, SIZE_MAX, PROT_READ, MAP_ANONYMOUS, -1, 0))
BAD(RET_MAP_FAILED, "mmap", "MAP_FIXED at an unaligned address, len SIZE_MAX, anonymous", ENOMEM,
    rsipc_mmap((void *)(uintptr_t)(PAGE * 4096 + 1), SIZE_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0))
SAME(RET_MAP_FAILED, "mmap", "off -page, no mapping type, anonymous",
     rsipc_mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, -(off_t)PAGE))
SAME(RET_MAP_FAILED, "mmap", "MAP_FIXED in kernel space, no mapping type, anonymous",
     rsipc_mmap(KERNEL_ADDR, PAGE, PROT_READ, MAP_ANONYMOUS | MAP_FIXED, -1, 0))
SAME(RET_MAP_FAILED, "mmap", "MAP_SHARED_VALIDATE, anonymous",
     rsipc_mmap(NULL, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0))
SAME(RET_MAP_FAILED, "mmap", "MAP_DROPPABLE, anonymous",
     rsipc_mmap(NULL, PAGE, PROT_READ | PROT_WRITE, 0x08 | MAP_ANONYMOUS, -1, 0))
SAME(RET_MAP_FAILED, "mmap", "MAP_HUGETLB with an unknown huge page size, anonymous",
     rsipc_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (13 << MAP_HUGE_SHIFT), -1, 0))
SAME(RET_MAP_FAILED, "mmap", "MAP_HUGETLB with an unknown huge page size, len 0, anonymous",
     rsipc_mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (13 << MAP_HUGE_SHIFT), -1, 0))

/* ---- msync: the kernel's order (flags, address, both modes, then the
 * range) --------------------------------------------------------------- */
BAD(RET_INT, "msync", "flags unknown bit 8, addr unaligned", EINVAL, rsipc_msync((void *)1, PAGE, MS_SYNC | 8))
BAD(RET_INT, "msync", "addr unaligned, MS_ASYNC|MS_SYNC", EINVAL, rsipc_msync((void *)1, PAGE, MS_ASYNC | MS_SYNC))
BAD(RET_INT, "msync", "MS_ASYNC|MS_SYNC, range wraps", EINVAL, rsipc_msync(TOP_PAGE, 2 * PAGE, MS_ASYNC | MS_SYNC))
BAD(RET_INT, "msync", "len SIZE_MAX - page + 1 at 2 pages (wraps)", ENOMEM,
    rsipc_msync((void *)(2 * PAGE), SIZE_MAX - PAGE + 1, MS_SYNC))

/* ---- munmap ------------------------------------------------------------- */
BAD(RET_INT, "munmap", "len 0", EINVAL, rsipc_munmap(NULL, 0))
BAD_IN(fx_anon, RET_INT, "munmap", "len 0 on a mapping", EINVAL, rsipc_munmap(ctx->ptr, 0))
BAD_IN(fx_anon, RET_INT, "munmap", "addr unaligned", EINVAL, rsipc_munmap((char *)ctx->ptr + 1, PAGE))
BAD(RET_INT, "munmap", "addr 1", EINVAL, rsipc_munmap((void *)1, PAGE))
BAD(RET_INT, "munmap", "range wraps around the address space", EINVAL, rsipc_munmap(TOP_PAGE, 2 * PAGE))
BAD(RET_INT, "munmap", "len SIZE_MAX", EINVAL, rsipc_munmap(NULL, SIZE_MAX))
BAD(RET_INT, "munmap", "kernel-space range", EINVAL, rsipc_munmap(KERNEL_ADDR, PAGE))

/* ---- msync -------------------------------------------------------------- */
BAD_IN(fx_anon, RET_INT, "msync", "flags MS_ASYNC|MS_SYNC", EINVAL, rsipc_msync(ctx->ptr, PAGE, MS_ASYNC | MS_SYNC))
BAD_IN(fx_anon, RET_INT, "msync", "flags unknown bit 8", EINVAL, rsipc_msync(ctx->ptr, PAGE, MS_SYNC | 8))
BAD_IN(fx_anon, RET_INT, "msync", "flags -1", EINVAL, rsipc_msync(ctx->ptr, PAGE, -1))
BAD_IN(fx_anon, RET_INT, "msync", "flags INT_MIN", EINVAL, rsipc_msync(ctx->ptr, PAGE, INT_MIN))
BAD_IN(fx_anon, RET_INT, "msync", "addr unaligned", EINVAL, rsipc_msync((char *)ctx->ptr + 1, PAGE, MS_SYNC))
BAD(RET_INT, "msync", "nothing mapped at NULL", ENOMEM, rsipc_msync(NULL, PAGE, MS_SYNC))
BAD_IN(fx_anon_hole, RET_INT, "msync", "range runs into an unmapped page", ENOMEM,
       rsipc_msync(ctx->ptr, ctx->len, MS_ASYNC))
BAD(RET_INT, "msync", "range wraps around the address space", ENOMEM, rsipc_msync(TOP_PAGE, 2 * PAGE, MS_SYNC))
BAD_DEPARTS("documented: sizes never wrap; the kernel rounds SIZE_MAX to 0 pages and succeeds",
            RET_INT, "msync", "len SIZE_MAX", ENOMEM, rsipc_msync(NULL, SIZE_MAX, MS_SYNC))
BAD_IN(fx_locked, RET_INT, "msync", "MS_INVALIDATE on locked pages", EBUSY,
       rsipc_msync(ctx->ptr, ctx->len, MS_INVALIDATE))

/* ---- map_file ----------------------------------------------------------- */
BAD(RET_MAP_FAILED, "map_file", "path NULL", EFAULT, rsipc_map_file(NULL, O_RDONLY, 0, &len_0))
BAD_IN(fx_map_4k, RET_MAP_FAILED, "map_file", "len NULL", EFAULT, rsipc_map_file(ctx->path, O_RDONLY, 0, NULL))
BAD(RET_MAP_FAILED, "map_file", "path empty", ENOENT, rsipc_map_file("", O_RDONLY, 0, &len_0))
BAD_IN(fx_map_missing, RET_MAP_FAILED, "map_file", "no file, no O_CREAT", ENOENT,
       rsipc_map_file(ctx->path, O_RDWR, 0600, &len_page))
BAD(RET_MAP_FAILED, "map_file", "O_CREAT in a missing directory", ENOENT,
    rsipc_map_file("/nonexistent/rsipc-bad/file", O_RDWR | O_CREAT, 0600, &len_page))
BAD_IN(fx_map_4k, RET_MAP_FAILED, "map_file", "oflag O_WRONLY", EINVAL, rsipc_map_file(ctx->path, O_WRONLY, 0, &len_0))
BAD_IN(fx_map_missing, RET_MAP_FAILED, "map_file", "oflag O_WRONLY|O_CREAT (nothing created)", EINVAL,
       rsipc_map_file(ctx->path, O_WRONLY | O_CREAT, 0600, &len_page))
BAD_IN(fx_map_4k, RET_MAP_FAILED, "map_file", "oflag O_ACCMODE", EINVAL,
       rsipc_map_file(ctx->path, O_ACCMODE, 0, &len_0))
BAD_IN(fx_map_4k, RET_MAP_FAILED, "map_file", "oflag O_APPEND", EINVAL,
       rsipc_map_file(ctx->path, O_RDWR | O_APPEND, 0, &len_0))
BAD_IN(fx_map_4k, RET_MAP_FAILED, "map_file", "oflag O_DIRECTORY", EINVAL,
       rsipc_map_file(ctx->path, O_RDONLY | O_DIRECTORY, 0, &len_0))
BAD_IN(fx_map_4k, RET_MAP_FAILED, "map_file", "oflag O_PATH", EINVAL, rsipc_map_file(ctx->path, O_PATH, 0, &len_0))
BAD_IN(fx_map_4k, RET_MAP_FAILED, "map_file", "oflag -1", EINVAL, rsipc_map_file(ctx->path, -1, 0, &len_0))
BAD_IN(fx_map_empty, RET_MAP_FAILED, "map_file", "empty file, *len 0", EINVAL,
       rsipc_map_file(ctx->path, O_RDWR, 0, &len_0))
BAD_IN(fx_map_missing, RET_MAP_FAILED, "map_file", "O_CREAT|O_EXCL with *len 0", EINVAL,
       rsipc_map_file(ctx->path, O_RDWR | O_CREAT | O_EXCL, 0600, &len_0))
BAD_IN(fx_map_4k, RET_MAP_FAILED, "map_file", "O_CREAT|O_EXCL on an existing file", EEXIST,
       rsipc_map_file(ctx->path, O_RDWR | O_CREAT | O_EXCL, 0600, &len_page))
BAD_IN(fx_map_4k, RET_MAP_FAILED, "map_file", "read-only, file smaller than *len", EINVAL,
       rsipc_map_file(ctx->path, O_RDONLY, 0, &len_8k))
BAD_IN(fx_map_4k, RET_MAP_FAILED, "map_file", "*len SIZE_MAX", ENOMEM,
       rsipc_map_file(ctx->path, O_RDWR, 0, &len_max))
BAD_IN(fx_map_fifo, RET_MAP_FAILED, "map_file", "a FIFO, read-only (no wait for a writer)", EINVAL,
       rsipc_map_file(ctx->path, O_RDONLY, 0, &len_0))
BAD_IN(fx_map_fifo, RET_MAP_FAILED, "map_file", "a FIFO, read-write", EINVAL,
       rsipc_map_file(ctx->path, O_RDWR, 0, &len_page))
BAD_IN(fx_map_dir, RET_MAP_FAILED, "map_file", "a directory, read-only", EINVAL,
       rsipc_map_file(ctx->path, O_RDONLY, 0, &len_0))
BAD_IN(fx_map_socket, RET_MAP_FAILED, "map_file", "a UNIX socket", EINVAL,
       rsipc_map_file(ctx->path, O_RDONLY, 0, &len_0))
BAD(RET_MAP_FAILED, "map_file", "a character device (/dev/null)", EINVAL,
    rsipc_map_file("/dev/null", O_RDONLY, 0, &len_0))
BAD(RET_MAP_FAILED, "map_file", "a character device (/dev/zero), read-write", EINVAL,
    rsipc_map_file("/dev/zero", O_RDWR, 0, &len_page))
BAD_IN(fx_map_link, RET_MAP_FAILED, "map_file", "a symbolic link with O_NOFOLLOW", ELOOP,
       rsipc_map_file(ctx->path, O_RDONLY | O_NOFOLLOW, 0, &len_0))
BAD(RET_MAP_FAILED, "map_file", "last component NAME_MAX + 1 bytes", ENAMETOOLONG,
    rsipc_map_file(bi_long_name(NAME_MAX + 1), O_RDONLY, 0, &len_0))
BAD(RET_MAP_FAILED, "map_file", "path PATH_MAX bytes", ENAMETOOLONG,
    rsipc_map_file(bi_long_path(PATH_MAX), O_RDONLY, 0, &len_0))
BAD_IN(fx_map_private_unprivileged, RET_MAP_FAILED, "map_file", "unprivileged, root's 0600 file, read-only", EACCES,
       rsipc_map_file(ctx->path, O_RDONLY, 0, &len_0))
BAD_IN(fx_map_private_unprivileged, RET_MAP_FAILED, "map_file", "unprivileged, root's 0600 file, read-write", EACCES,
       rsipc_map_file(ctx->path, O_RDWR, 0, &len_page))

/* ---- map_anonymous_shared ----------------------------------------------- */
BAD(RET_MAP_FAILED, "map_anonymous_shared", "len 0", EINVAL, rsipc_map_anonymous_shared(0))
BAD(RET_MAP_FAILED, "map_anonymous_shared", "len SIZE_MAX", ENOMEM, rsipc_map_anonymous_shared(SIZE_MAX))
BAD(RET_MAP_FAILED, "map_anonymous_shared", "len SIZE_MAX - page + 2", ENOMEM,
    rsipc_map_anonymous_shared(SIZE_MAX - PAGE + 2))
BAD(RET_MAP_FAILED, "map_anonymous_shared", "len 2^62 (larger than the address space)", ENOMEM,
    rsipc_map_anonymous_shared((size_t)1 << 62))
