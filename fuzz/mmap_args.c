/* rsipc_mmap / rsipc_munmap / rsipc_msync side by side with glibc's
 * mmap/munmap/msync: any prot, flags, offset and length on a small file
 * and on every other kind of descriptor; both must succeed or fail alike.
 * Input: operations, each [op u8][addr u8 + u32][len][prot u32][flags]
 * [fd kind][off].
 * Safety: MAP_FIXED and munmap only ever address a PROT_NONE reservation
 * of the harness (restored after each call) or addresses no mapping can
 * have (unaligned, past the user address space, wrapping around);
 * MAP_POPULATE and MAP_LOCKED only come with lengths up to 1 MiB.
 * Holds: glibc's call and rsipc's call agree on success; when both fail,
 * on errno — except when the arguments have several faults at once, where
 * each may report a different one, but both errnos must be among those
 * faults'; a failure leaves errno, the message, and no descriptor. One
 * difference is the contract's: an msync length that wraps when rounded to
 * pages is ENOMEM, where the kernel wraps it to 0 and says 0. A
 * successful mapping is unmapped at once (with rsipc_munmap). */
#include "fuzz.h"

#define MAX_OPS 16
#define RES_LEN ((size_t)4 << 20)
#define KERNEL_ADDR ((uintptr_t)0xffff800000000000ull)

static unsigned char *res;
static size_t page;
static int file_fd = -1;

static void restore_reservation(void) {
    FUZZ_ASSERT(mmap(res, RES_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == res,
                "restore the reservation");
}

static size_t take_len(struct fuzz_in *in) {
    uint8_t sel = take_u8(in);
    const size_t edges[] = {0, 1, page - 1, page, page + 1, 2 * page, RES_LEN, RES_LEN + 1, SIZE_MAX,
                            SIZE_MAX - page + 2, SIZE_MAX - page + 1, (size_t)1 << 47, (size_t)1 << 62,
                            (size_t)PTRDIFF_MAX, (size_t)PTRDIFF_MAX + 1};
    if (sel < 160) return edges[sel % (sizeof edges / sizeof edges[0])];
    return take_u32(in) % (2 * RES_LEN);
}

static off_t take_off(struct fuzz_in *in) {
    uint8_t sel = take_u8(in);
    const off_t edges[] = {0, 1, (off_t)page, 2 * (off_t)page, -(off_t)page, -1, INT64_MIN,
                           INT64_MAX & ~(off_t)(page - 1), (INT64_MAX & ~(off_t)(page - 1)) - (off_t)page, (off_t)1 << 40};
    if (sel < 160) return edges[sel % (sizeof edges / sizeof edges[0])];
    return (off_t)(int64_t)take_u64(in);
}

/* An address: NULL, inside the reservation (aligned or not), or one no
 * mapping can have. `*fixable`: MAP_FIXED may go there (inside the
 * reservation with room for `len`). */
static uintptr_t take_addr(struct fuzz_in *in, size_t len, int *fixable) {
    uint8_t sel = take_u8(in);
    uint32_t x = take_u32(in);
    *fixable = 0;
    switch (sel % 5) {
    case 0: return 0;
    case 1:
    case 2: {
        uintptr_t a = (uintptr_t)res + x % RES_LEN;
        if (sel % 5 == 1) a &= ~(uintptr_t)(page - 1);
        *fixable = len <= RES_LEN && a + ((len + page - 1) & ~(page - 1)) <= (uintptr_t)res + RES_LEN &&
                   a % page == 0;
        /* Unaligned: MAP_FIXED refuses it before touching anything. */
        if (a % page) *fixable = 1;
        return a;
    }
    case 3: return KERNEL_ADDR + (x & ~(uint32_t)(page - 1));
    default: return UINTPTR_MAX & ~(uintptr_t)(page - 1); /* the top page: any length wraps */
    }
}

/* The faults of the arguments, with their errnos: the ones rsipc checks
 * itself, and those of the descriptor the kernel checks (first). */
static void arg_faults(size_t len, int prot, int flags, int fd, off_t off, uintptr_t addr, struct fuzz_errs *s) {
    int type = flags & MAP_TYPE;
    if (!(flags & MAP_ANONYMOUS)) {
        int fl = fcntl(fd, F_GETFL);
        struct stat st;
        if (fl == -1 || (fl & O_PATH) || fstat(fd, &st) != 0) {
            fuzz_errs_add(s, EBADF);
        } else {
            if (!S_ISREG(st.st_mode)) fuzz_errs_add(s, ENODEV);
            /* A noexec file system (/dev), or a memfd under vm.memfd_noexec. */
            if (prot & PROT_EXEC) fuzz_errs_add(s, EPERM);
            int acc = fl & O_ACCMODE;
            if (acc == O_WRONLY || (type != MAP_PRIVATE && (prot & PROT_WRITE) && acc != O_RDWR))
                fuzz_errs_add(s, EACCES);
        }
    }
    if (len == 0) fuzz_errs_add(s, EINVAL);
    if (len > (size_t)PTRDIFF_MAX - page + 1) fuzz_errs_add(s, ENOMEM);
    /* No room for it in a user address space (checked by the kernel before
     * the flags). */
    if (len > (size_t)1 << 46) fuzz_errs_add(s, ENOMEM);
    if ((uint64_t)off % page) fuzz_errs_add(s, EINVAL);
    /* MAP_DROPPABLE (0x08, Linux 6.11): anonymous memory only. */
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE &&
        !(type == 0x08 && (flags & MAP_ANONYMOUS)))
        fuzz_errs_add(s, EINVAL);
    size_t rounded = len > SIZE_MAX - page + 1 ? SIZE_MAX : (len + page - 1) & ~(page - 1);
    if (!(flags & MAP_ANONYMOUS) && (off < 0 || (uint64_t)off + rounded > (uint64_t)INT64_MAX ||
                                     (uint64_t)off + rounded < (uint64_t)off))
        fuzz_errs_add(s, EOVERFLOW);
    if ((flags & MAP_FIXED) && addr % page) fuzz_errs_add(s, EINVAL);
    /* MAP_SHARED_VALIDATE: a flag this file does not support. */
    if (type == MAP_SHARED_VALIDATE) fuzz_errs_add(s, EOPNOTSUPP);
    /* Huge pages: not for an ordinary file (EINVAL), and none may be
     * configured (ENOMEM). */
    if (flags & MAP_HUGETLB) {
        fuzz_errs_add(s, EINVAL);
        fuzz_errs_add(s, ENOMEM);
        fuzz_errs_add(s, EOVERFLOW); /* anonymous huge pages are a file: its offset counts */
    }
    /* The kernel's, checked before the mapping type. */
    if (flags & MAP_FIXED_NOREPLACE) {
        if (addr % page) fuzz_errs_add(s, EINVAL);
        if (addr >= (uintptr_t)res && addr < (uintptr_t)res + RES_LEN) fuzz_errs_add(s, EEXIST);
        if (addr >= KERNEL_ADDR) fuzz_errs_add(s, ENOMEM);
    }
}

static int errs_have(const struct fuzz_errs *s, int err) {
    for (int i = 0; i < s->n; i++)
        if (s->e[i] == err) return 1;
    return 0;
}

/* The results of glibc's and rsipc's call agree (see the top). */
static void agree(const char *name, int ours_failed, int our_errno, int theirs_failed, int their_errno,
                  const struct fuzz_errs *faults, const char *what) {
    FUZZ_ASSERT(ours_failed == theirs_failed, "%s: rsipc %s, glibc %s (%s; errnos %d/%d)", name,
                ours_failed ? "failed" : "succeeded", theirs_failed ? "failed" : "succeeded", what, our_errno,
                their_errno);
    if (!ours_failed) return;
    errno = our_errno;
    fuzz_check_message(name, our_errno);
    if (our_errno == their_errno) return;
    FUZZ_ASSERT(faults->n >= 2 && errs_have(faults, our_errno) && errs_have(faults, their_errno),
                "%s: rsipc errno %d, glibc errno %d (%s)", name, our_errno, their_errno, what);
}

static void op_mmap(struct fuzz_in *in, struct fuzz_fds *f) {
    size_t len = take_len(in);
    int fixable;
    uintptr_t addr = take_addr(in, len, &fixable);
    int prot = take_u8(in) < 200 ? (int)(take_u8(in) & 7) : take_int(in);
    int flags = take_int(in);
    if (take_u8(in) < 200) flags &= 0x1ffff | MAP_FIXED_NOREPLACE; /* mostly the known bits */
    enum fuzz_fd_kind kind;
    int fd = take_u8(in) & 1 ? file_fd : fuzz_fd(in, f, &kind);
    off_t off = take_off(in);
    /* Safety, not coverage: see the top. */
    if ((flags & MAP_FIXED) && !fixable) flags &= ~MAP_FIXED;
    if (len > ((size_t)1 << 20)) flags &= ~(MAP_POPULATE | MAP_LOCKED);
    if (!(flags & MAP_FIXED) && (flags & MAP_FIXED_NOREPLACE) && addr >= KERNEL_ADDR) flags &= ~MAP_FIXED_NOREPLACE;
    struct fuzz_errs faults = {.n = 0};
    arg_faults(len, prot, flags, fd, off, addr, &faults);
    char what[160];
    snprintf(what, sizeof what, "addr %#lx len %zu prot %#x flags %#x fd %d off %lld", (unsigned long)addr, len,
             (unsigned)prot, (unsigned)flags, fd, (long long)off);

    errno = 0;
    void *theirs = mmap((void *)addr, len, prot, flags, fd, off);
    int their_errno = errno;
    if (theirs != MAP_FAILED) FUZZ_ASSERT(munmap(theirs, len) == 0, "munmap after glibc's mmap");
    if (flags & MAP_FIXED) restore_reservation();

    errno = 0;
    void *ours = rsipc_mmap((void *)addr, len, prot, flags, fd, off);
    int our_errno = errno;
    if (ours != MAP_FAILED) {
        if (flags & MAP_FIXED) FUZZ_ASSERT((uintptr_t)ours == addr, "MAP_FIXED mapping at another address");
        FUZZ_ASSERT(rsipc_munmap(ours, len) == 0, "rsipc_munmap of rsipc_mmap's mapping");
    }
    if (flags & MAP_FIXED) restore_reservation();
    agree("mmap", ours == MAP_FAILED, our_errno, theirs == MAP_FAILED, their_errno, &faults, what);
}

static void op_munmap(struct fuzz_in *in) {
    size_t len = take_len(in);
    int fixable;
    uintptr_t addr = take_addr(in, len, &fixable);
    /* Only the reservation or addresses that hold nothing. */
    if (addr == 0 || (addr >= (uintptr_t)res && addr < (uintptr_t)res + RES_LEN && !fixable)) return;
    struct fuzz_errs faults = {.n = 0};
    if (addr % page) fuzz_errs_add(&faults, EINVAL);
    if (len == 0) fuzz_errs_add(&faults, EINVAL);
    char what[96];
    snprintf(what, sizeof what, "addr %#lx len %zu", (unsigned long)addr, len);
    errno = 0;
    int theirs = munmap((void *)addr, len);
    int their_errno = errno;
    restore_reservation();
    errno = 0;
    int ours = rsipc_munmap((void *)addr, len);
    int our_errno = errno;
    restore_reservation();
    agree("munmap", ours != 0, our_errno, theirs != 0, their_errno, &faults, what);
}

static void op_msync(struct fuzz_in *in) {
    size_t len = take_len(in);
    int fixable;
    uintptr_t addr = take_addr(in, len, &fixable);
    int flags = take_u8(in) < 200 ? (int)(take_u8(in) & 15) : take_int(in);
    struct fuzz_errs faults = {.n = 0};
    if (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) fuzz_errs_add(&faults, EINVAL);
    if (addr % page) fuzz_errs_add(&faults, EINVAL);
    if ((flags & MS_ASYNC) && (flags & MS_SYNC)) fuzz_errs_add(&faults, EINVAL);
    fuzz_errs_add(&faults, ENOMEM);
    char what[96];
    snprintf(what, sizeof what, "addr %#lx len %zu flags %#x", (unsigned long)addr, len, (unsigned)flags);
    errno = 0;
    int theirs = msync((void *)addr, len, flags);
    int their_errno = errno;
    errno = 0;
    int ours = rsipc_msync((void *)addr, len, flags);
    int our_errno = errno;
    if (len > SIZE_MAX - page + 1 && faults.n == 1) {
        /* The kernel rounds the length up to pages and, when that wraps to
         * 0, syncs nothing and says 0. A size that overflows is never
         * wrapped by rsipc (API.md, rule 3): ENOMEM, the range it names
         * is not all mapped. */
        errno = our_errno;
        fuzz_expect_failure("msync", ours, -1, ENOMEM);
        return;
    }
    agree("msync", ours != 0, our_errno, theirs != 0, their_errno, &faults, what);
}

/* The 2-page file, open for the whole run (before the per-input
 * descriptor count). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    page = (size_t)sysconf(_SC_PAGESIZE);
    file_fd = memfd_create("rsipc-fuzz-map", MFD_CLOEXEC);
    FUZZ_ASSERT(file_fd >= 0 && ftruncate(file_fd, 2 * (off_t)page) == 0, "memfd");
    return 0;
}

static void fuzz_one(struct fuzz_in *in) {
    res = mmap(NULL, RES_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    FUZZ_ASSERT(res != MAP_FAILED, "reservation");
    struct fuzz_fds f;
    fuzz_fds_init(&f);
    for (int op = 0; op < MAX_OPS && in->n > 0; op++) {
        uint8_t what = take_u8(in);
        switch (what % 3) {
        case 0: op_mmap(in, &f); break;
        case 1: op_munmap(in); break;
        default: op_msync(in); break;
        }
    }
    fuzz_fds_close(&f);
    FUZZ_ASSERT(munmap(res, RES_LEN) == 0, "munmap of the reservation");
}
