/* rsipc_sem_open / rsipc_sem_close / rsipc_sem_unlink and the operations on
 * what they return: names, oflags, modes and initial values, against the
 * state of /dev/shm.
 * Input: operations, each [op u8][name][oflag u32][mode u16][value] where
 * the name is fixed-invalid ("", "/", "//") or built by fuzz_take_name
 * (always under "/rsipc-fz-<pid>-"), the value an edge around
 * SEM_VALUE_MAX or a u32.
 * Holds: a bad name (empty, a '/' inside, more than NAME_MAX bytes) ->
 * SEM_FAILED/EINVAL, and a name whose file "sem.NAME" passes NAME_MAX ->
 * ENAMETOOLONG; sem_unlink says ENOENT for a bad name, as glibc; no
 * semaphore and no O_CREAT -> ENOENT; O_CREAT|O_EXCL on one -> EEXIST;
 * creating (or O_CREAT|O_EXCL, as glibc) with a value above SEM_VALUE_MAX
 * -> EINVAL and nothing is created; otherwise a semaphore holding the value (when created), the
 * same pointer for the same semaphore while it is open, and one
 * rsipc_sem_close per open; sem_close of anything else -> EINVAL. Every
 * semaphore is closed and removed at the end of the input. */
#include <semaphore.h>

#include "fuzz.h"

#define MAX_OPS 24
#define MAX_OPEN 16

static const char *const fixed_names[] = {"", "/", "//"};

struct open_sem {
    sem_t *sem;
    dev_t dev;
    ino_t ino;
};
static struct open_sem opened[MAX_OPEN];
static int nopen;

static int name_error(const char *name) {
    while (*name == '/') name++;
    size_t n = strlen(name);
    if (n == 0 || strchr(name, '/') || n > NAME_MAX) return EINVAL;
    if (n + 4 > NAME_MAX) return ENAMETOOLONG; /* "sem." + name */
    return 0;
}

static void path_of(const char *name, char *path, size_t size) {
    while (*name == '/') name++;
    snprintf(path, size, "/dev/shm/sem.%s", name);
}

static unsigned take_value(struct fuzz_in *in) {
    static const unsigned edges[] = {0, 1, 2, SEM_VALUE_MAX - 1, SEM_VALUE_MAX, (unsigned)SEM_VALUE_MAX + 1, UINT_MAX};
    uint8_t sel = take_u8(in);
    if (sel < 128) return edges[sel % (sizeof edges / sizeof edges[0])];
    return take_u32(in);
}

static void op_open(const char *name, int oflag, mode_t mode, unsigned value, int exists, const struct stat *st) {
    errno = 0;
    sem_t *s = rsipc_sem_open(name, oflag, mode, value);
    int create = (oflag & O_CREAT) != 0, excl = create && (oflag & O_EXCL);
    int want = name_error(name);
    /* As glibc: O_CREAT|O_EXCL goes straight to creating, which checks the
     * value before any file is opened or linked. */
    if (want != EINVAL && excl && value > SEM_VALUE_MAX) want = EINVAL;
    if (!want) {
        if (exists && excl) want = EEXIST;
        else if (!exists && !create) want = ENOENT;
        else if (!exists && value > SEM_VALUE_MAX) want = EINVAL;
    }
    if (want) {
        fuzz_expect_failure_of("sem_open", (long long)(intptr_t)s, (long long)(intptr_t)SEM_FAILED, &want, 1);
        if (!exists && name_error(name) == 0) {
            char path[700];
            path_of(name, path, sizeof path);
            FUZZ_ASSERT(access(path, F_OK) != 0, "a failed sem_open left %s behind", path);
        }
        return;
    }
    FUZZ_ASSERT(s != SEM_FAILED, "sem_open(%s, %#x, value %u) failed", name, oflag, value);
    char path[700];
    struct stat now;
    path_of(name, path, sizeof path);
    FUZZ_ASSERT(stat(path, &now) == 0 && S_ISREG(now.st_mode) && now.st_size >= 32, "no semaphore file");
    int sval = -1;
    FUZZ_ASSERT(rsipc_sem_getvalue(s, &sval) == 0 && sval >= 0, "getvalue");
    if (!exists) {
        FUZZ_ASSERT((unsigned)sval == value, "created with %u, holds %d", value, sval);
        mode_t mask = umask(0);
        umask(mask);
        FUZZ_ASSERT((now.st_mode & 0777) == (mode & 0777 & ~mask), "created with mode %o, has %o", (unsigned)mode,
                    (unsigned)now.st_mode);
    } else {
        FUZZ_ASSERT(now.st_ino == st->st_ino, "opened another file");
    }
    /* The same semaphore already open in this process: the same pointer. */
    for (int i = 0; i < nopen; i++) {
        if (opened[i].dev == now.st_dev && opened[i].ino == now.st_ino)
            FUZZ_ASSERT(opened[i].sem == s, "the same semaphore at two addresses");
        else
            FUZZ_ASSERT(opened[i].sem != s, "two semaphores at one address");
    }
    if (nopen < MAX_OPEN) {
        opened[nopen++] = (struct open_sem){s, now.st_dev, now.st_ino};
    } else {
        FUZZ_ASSERT(rsipc_sem_close(s) == 0, "sem_close");
    }
}

static void op_close(uint8_t which) {
    static sem_t unnamed;
    sem_t *bogus[] = {NULL, &unnamed, (sem_t *)(uintptr_t)1, (sem_t *)(uintptr_t)4096};
    if (nopen == 0 || which & 0x80) {
        errno = 0;
        int r = rsipc_sem_close(bogus[which % 4]);
        fuzz_expect_failure("sem_close", r, -1, EINVAL);
        return;
    }
    int i = which % nopen;
    /* Close it and operate on it through another open of it, if any. */
    sem_t *s = opened[i].sem;
    FUZZ_ASSERT(rsipc_sem_close(s) == 0, "sem_close of an open semaphore");
    opened[i] = opened[--nopen];
    for (int j = 0; j < nopen; j++)
        if (opened[j].sem == s) {
            int v = -1;
            FUZZ_ASSERT(rsipc_sem_getvalue(s, &v) == 0, "getvalue after one of two closes");
            if (v < SEM_VALUE_MAX)
                FUZZ_ASSERT(rsipc_sem_post(s) == 0 && rsipc_sem_trywait(s) == 0, "post/trywait after one close");
            else
                FUZZ_ASSERT(rsipc_sem_trywait(s) == 0 && rsipc_sem_post(s) == 0, "trywait/post after one close");
            return;
        }
}

static void op_unlink(const char *name, int exists) {
    errno = 0;
    int r = rsipc_sem_unlink(name);
    int nerr = name_error(name);
    int want = nerr == EINVAL ? ENOENT : nerr ? nerr : exists ? 0 : ENOENT;
    if (want) {
        fuzz_expect_failure_of("sem_unlink", r, -1, &want, 1);
    } else {
        FUZZ_ASSERT(r == 0, "sem_unlink(%s) failed", name);
    }
}

static void remove_objects(void) {
    while (nopen > 0) rsipc_sem_close(opened[--nopen].sem);
    char start[64];
    snprintf(start, sizeof start, "sem.%s", fuzz_prefix() + 1);
    fuzz_remove_entries("/dev/shm", start);
}

static void fuzz_one(struct fuzz_in *in) {
    static char buf[700];
    fuzz_cleanup = remove_objects;
    for (int op = 0; op < MAX_OPS && in->n > 0; op++) {
        uint8_t what = take_u8(in);
        const char *name = (what >> 4) < 3 ? fixed_names[what >> 4] : fuzz_take_name(in, buf, sizeof buf);
        int oflag = take_int(in);
        mode_t mode = take_u16(in) & 07777;
        unsigned value = take_value(in);
        struct stat st;
        int exists = 0;
        if (name_error(name) == 0) {
            char path[700];
            path_of(name, path, sizeof path);
            exists = lstat(path, &st) == 0;
        }
        switch (what % 4) {
        case 0: op_open(name, oflag, mode, value, exists, &st); break;
        case 1: op_close((uint8_t)value); break;
        case 2: op_unlink(name, exists); break;
        default:
            /* The documented flags only. */
            op_open(name, oflag & (O_CREAT | O_EXCL), mode, value, exists, &st);
            break;
        }
    }
    remove_objects();
}
