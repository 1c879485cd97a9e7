/* rsipc_shmget / rsipc_shmat / rsipc_shmdt / rsipc_shmctl: sizes, flags,
 * addresses and commands on private segments.
 * Input: operations, each [op u8][arguments...]:
 *   shmget  IPC_PRIVATE with a size (0, pages, SHMMAX and around, overflowing,
 *           huge) and flags (permission bits, IPC_EXCL, SHM_NORESERVE,
 *           sometimes SHM_HUGETLB or any int);
 *   shmat   the current segment (or a removed one) at NULL, inside a
 *           PROT_NONE reservation of the harness (aligned or not), or at
 *           addresses no segment can take, with SHM_RDONLY/SHM_RND/
 *           SHM_REMAP/SHM_EXEC and stray bits;
 *   shmdt   of the attachment, again, or of addresses with none;
 *   shmctl  known and unknown commands, with a buffer or NULL.
 * SHM_REMAP only ever goes with an address inside the reservation and a
 * segment that fits in it, so nothing of the fuzzer's own can be replaced.
 * Holds: size 0, above SHMMAX or above 2^63 - 1 -> EINVAL (ENOSPC/ENOMEM for what
 * the system cannot hold), else a segment of exactly that size and mode;
 * shmat: an unaligned address without SHM_RND or SHM_REMAP without one ->
 * EINVAL, a range overlapping a mapping without SHM_REMAP -> EINVAL, a
 * removed segment -> EINVAL, else an attachment at the (rounded) address
 * whose first and last bytes read (and write unless SHM_RDONLY); shmdt of
 * anything but an attachment -> EINVAL; shmctl: unknown cmd -> EINVAL, a
 * NULL buffer where one is needed -> EFAULT, IPC_SET changes the mode. All
 * segments are removed and the reservation unmapped at the end. */
#include <sys/ipc.h>
#include <sys/shm.h>

#include "fuzz.h"

#define MAX_OPS 24
#define RES_LEN ((size_t)8 << 20)
#define KERNEL_ADDR ((void *)0xffff800000000000ull)

static int ids[MAX_OPS + 1];
static int nids;
static unsigned char *res;
static size_t page, shmmax;

struct segment {
    int id;
    size_t size;
    int removed;
    int hugetlb; /* its pages may be missing (SIGBUS on access) */
};

static size_t take_size(struct fuzz_in *in) {
    uint8_t sel = take_u8(in);
    const size_t edges[] = {0,      1,          4095,     4096, 4097, 65536, 1 << 20, RES_LEN, RES_LEN + 1, shmmax,
                            shmmax + 1, SIZE_MAX, SIZE_MAX - 4095, (size_t)1 << 40};
    if (sel < 128) return edges[sel % (sizeof edges / sizeof edges[0])];
    return 1 + take_u32(in) % (RES_LEN + page);
}

static int take_shmget_flags(struct fuzz_in *in, int *documented) {
    uint8_t sel = take_u8(in);
    int mode = take_u16(in) & 0777;
    *documented = 1;
    if (sel >= 250) {
        *documented = 0;
        return take_int(in) & ~SHM_HUGETLB; /* huge pages: a machine setting, not input */
    }
    int f = IPC_CREAT | mode;
    if (sel & 1) f |= IPC_EXCL;
    if (sel & 2) f |= SHM_NORESERVE;
    if (sel >= 240) f |= SHM_HUGETLB;
    return f;
}

static void op_shmget(struct fuzz_in *in, struct segment *seg) {
    size_t size = take_size(in);
    int documented;
    int flags = take_shmget_flags(in, &documented);
    struct fuzz_errs want = {.n = 0};
    int must_fail = 0;
    if (size == 0 || size > shmmax) fuzz_errs_add(&want, EINVAL), must_fail = 1;
    /* No shared memory file is larger than 2^63 - 1 bytes, whatever SHMMAX
     * (huge page files are another file system, with no such check). */
    if (size > (size_t)INT64_MAX && !(flags & SHM_HUGETLB)) fuzz_errs_add(&want, EINVAL), must_fail = 1;
    /* What the system may not be able to hold. */
    fuzz_errs_add(&want, ENOSPC);
    fuzz_errs_add(&want, ENOMEM);
    if (flags & SHM_HUGETLB) {
        fuzz_errs_add(&want, EPERM);
        fuzz_errs_add(&want, EINVAL);
    }
    if (!documented) fuzz_errs_add(&want, EINVAL);
    errno = 0;
    int id = rsipc_shmget(IPC_PRIVATE, size, flags);
    if (id < 0) {
        fuzz_expect_failure_of("shmget", id, -1, want.e, want.n);
        return;
    }
    ids[nids++] = id;
    FUZZ_ASSERT(!must_fail, "shmget of %zu bytes succeeded", size);
    struct shmid_ds ds;
    FUZZ_ASSERT(rsipc_shmctl(id, IPC_STAT, &ds) == 0, "IPC_STAT of a new segment");
    FUZZ_ASSERT(ds.shm_segsz == size && (ds.shm_perm.mode & 0777) == (unsigned)(flags & 0777) && ds.shm_nattch == 0,
                "segment of %zu bytes mode %o, asked %zu bytes mode %o", (size_t)ds.shm_segsz,
                (unsigned)ds.shm_perm.mode, size, (unsigned)flags & 0777);
    *seg = (struct segment){id, size, 0, (flags & SHM_HUGETLB) != 0};
}

static size_t round_up(size_t n) {
    return (n + page - 1) & ~(page - 1);
}

static void op_shmat(struct fuzz_in *in, struct segment *seg) {
    uint8_t where = take_u8(in);
    uint32_t off = take_u32(in);
    int flags = take_u8(in) & 0xf; /* SHM_RDONLY, SHM_RND, SHM_REMAP, SHM_EXEC */
    static const int bit[] = {SHM_RDONLY, SHM_RND, SHM_REMAP, SHM_EXEC};
    int flg = 0;
    for (int i = 0; i < 4; i++)
        if (flags & (1 << i)) flg |= bit[i];
    if (where & 0x80) flg |= take_int(in) & ~(SHM_RDONLY | SHM_RND | SHM_REMAP | SHM_EXEC | SHM_HUGETLB);
    int fits = seg->id >= 0 && round_up(seg->size) <= RES_LEN;
    uintptr_t addr = 0;
    int in_res = 0;
    int kind = where % 4;
    if (kind == 1 && !fits) kind = 2;
    switch (kind) {
    case 0: addr = 0; break;
    case 1: {
        size_t room = RES_LEN - round_up(seg->size);
        addr = (uintptr_t)res + (off % (room + 1));
        if (off & 0x80000000u) addr &= ~(uintptr_t)(page - 1);
        in_res = 1;
        break;
    }
    case 2: addr = page * (16 + off % 64) + 1 + off % (page - 1); break; /* unaligned, low */
    default: addr = (uintptr_t)KERNEL_ADDR + (off & 0xf000); break;
    }
    if (!in_res && addr) {
        /* Never replace anything outside the reservation; low addresses
         * only unaligned (refused) so nothing is attached among the
         * fuzzer's own mappings. */
        flg &= ~SHM_REMAP;
        if (kind == 2) flg &= ~SHM_RND;
    }
    int id = seg->id >= 0 ? seg->id : -1;
    struct fuzz_errs want = {.n = 0};
    int must_fail = 0;
#define MUST(err) (fuzz_errs_add(&want, err), must_fail = 1)
    uintptr_t at = addr;
    if (addr % page) {
        if (flg & SHM_RND) at = addr & ~(uintptr_t)(page - 1);
        else MUST(EINVAL);
    }
    if (!addr && (flg & SHM_REMAP)) MUST(EINVAL);
    if (id < 0 || seg->removed) MUST(EINVAL), fuzz_errs_add(&want, EIDRM);
    if (at && in_res && !(flg & SHM_REMAP)) MUST(EINVAL); /* the reservation is there */
    if (at >= (uintptr_t)KERNEL_ADDR) fuzz_errs_add(&want, ENOMEM), fuzz_errs_add(&want, EINVAL), must_fail = 1;
#undef MUST
    fuzz_errs_add(&want, ENOMEM); /* no room in the address space */
    if (seg->hugetlb && at) fuzz_errs_add(&want, EINVAL); /* not huge-page aligned */
    errno = 0;
    unsigned char *p = rsipc_shmat(id, (void *)addr, flg);
    if (p == (void *)-1) {
        fuzz_expect_failure_of("shmat", (long long)(intptr_t)p, -1, want.e, want.n);
        return;
    }
    FUZZ_ASSERT(!must_fail, "shmat(%d, %#lx, %#x) succeeded", id, (unsigned long)addr, flg);
    if (at) FUZZ_ASSERT((uintptr_t)p == at, "attached at %p, not at %#lx", (void *)p, (unsigned long)at);
    /* Huge pages are the machine's: with none configured, a SHM_HUGETLB
     * segment made with SHM_NORESERVE attaches and then faults. */
    if (!seg->hugetlb) {
        volatile unsigned char first = p[0], last = p[seg->size - 1];
        (void)first;
        (void)last;
    }
    if (!(flg & SHM_RDONLY) && !seg->hugetlb) {
        p[0] = 1;
        p[seg->size - 1] = 2;
    }
    struct shmid_ds ds;
    FUZZ_ASSERT(rsipc_shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1, "one attachment");
    FUZZ_ASSERT(rsipc_shmdt(p) == 0, "shmdt of the attachment");
    errno = 0;
    fuzz_expect_failure("shmdt", rsipc_shmdt(p), -1, EINVAL);
    if (in_res) {
        /* The reservation has a hole where the segment was: fill it again. */
        FUZZ_ASSERT(mmap(res, RES_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) ==
                        res,
                    "restore the reservation");
    }
}

static void op_shmdt(struct fuzz_in *in) {
    static const uintptr_t bogus[] = {0, 1, 4095, 4096 * 3 + 7, (uintptr_t)KERNEL_ADDR};
    uint8_t sel = take_u8(in);
    void *addr = sel & 1 ? (void *)(res + page * (sel >> 1)) : (void *)bogus[(sel >> 1) % 5];
    errno = 0;
    fuzz_expect_failure("shmdt", rsipc_shmdt(addr), -1, EINVAL);
}

static void op_shmctl(struct fuzz_in *in, struct segment *seg) {
    static const int cmds[] = {IPC_STAT, IPC_SET, IPC_INFO, SHM_INFO, SHM_LOCK, SHM_UNLOCK, IPC_RMID, 99, -1};
    uint8_t sel = take_u8(in);
    int cmd = sel < 224 ? cmds[sel % 9] : take_int(in);
    int null = take_u8(in) & 1;
    mode_t mode = take_u16(in) & 0777;
    int known = cmd == IPC_STAT || cmd == IPC_SET || cmd == IPC_INFO || cmd == SHM_INFO || cmd == SHM_LOCK ||
                cmd == SHM_UNLOCK || cmd == IPC_RMID || cmd == SHM_STAT || cmd == SHM_STAT_ANY;
    if (cmd == SHM_STAT || cmd == SHM_STAT_ANY) return; /* indexes: the bad-input matrix */
    int id = seg->id;
    int gone = id < 0 || seg->removed;
    static union {
        struct shmid_ds ds;
        struct shminfo info;
        struct shm_info usage;
    } area;
    if (cmd == IPC_SET && !gone) {
        FUZZ_ASSERT(shmctl(id, IPC_STAT, &area.ds) == 0, "IPC_STAT");
        area.ds.shm_perm.mode = mode;
    }
    int needs_buf = cmd == IPC_STAT || cmd == IPC_SET || cmd == IPC_INFO || cmd == SHM_INFO;
    int global = cmd == IPC_INFO || cmd == SHM_INFO; /* need no segment */
    struct fuzz_errs want = {.n = 0};
    if (!known) fuzz_errs_add(&want, EINVAL);
    /* A negative id is refused for every command, as the kernel does. */
    if (known && (id < 0 || (!global && gone))) fuzz_errs_add(&want, EINVAL);
    if (known && needs_buf && null) fuzz_errs_add(&want, EFAULT);
    if (cmd == SHM_LOCK || cmd == SHM_UNLOCK) {
        fuzz_errs_add(&want, EPERM);  /* without CAP_IPC_LOCK */
        fuzz_errs_add(&want, ENOMEM); /* RLIMIT_MEMLOCK */
    }
    errno = 0;
    int r = rsipc_shmctl(id < 0 ? -1 : id, cmd, null ? NULL : &area.ds);
    if (r == -1) {
        FUZZ_ASSERT(want.n > 0, "shmctl(%d, %d) failed (errno %d)", id, cmd, errno);
        fuzz_expect_failure_of("shmctl", r, -1, want.e, want.n);
        return;
    }
    FUZZ_ASSERT(known && !(needs_buf && null) && id >= 0 && (global || !gone), "shmctl(%d, %d) succeeded", id, cmd);
    if (cmd == IPC_RMID) seg->removed = 1;
    if (cmd == IPC_SET) {
        struct shmid_ds ds;
        FUZZ_ASSERT(rsipc_shmctl(id, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & 0777) == mode, "IPC_SET mode");
    }
}

static void remove_objects(void) {
    for (int i = 0; i < nids; i++) shmctl(ids[i], IPC_RMID, NULL);
    nids = 0;
    if (res) munmap(res, RES_LEN);
    res = NULL;
}

static void fuzz_one(struct fuzz_in *in) {
    if (page == 0) {
        page = (size_t)sysconf(_SC_PAGESIZE);
        FILE *f = fopen("/proc/sys/kernel/shmmax", "re");
        unsigned long long v = 0;
        FUZZ_ASSERT(f && fscanf(f, "%llu", &v) == 1, "shmmax");
        fclose(f);
        shmmax = (size_t)v;
    }
    res = mmap(NULL, RES_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    FUZZ_ASSERT(res != MAP_FAILED, "reservation");
    fuzz_cleanup = remove_objects;
    struct segment seg = {-1, 0, 0, 0};
    for (int op = 0; op < MAX_OPS && in->n > 0; op++) {
        uint8_t what = take_u8(in);
        switch (what % 4) {
        case 0: op_shmget(in, &seg); break;
        case 1: op_shmat(in, &seg); break;
        case 2: op_shmdt(in); break;
        default: op_shmctl(in, &seg); break;
        }
    }
    remove_objects();
}
