/* A failing rsipc call allocates nothing: its failure is recorded as plain
 * data, and the message is composed only when rsipc_last_error() reads it.
 *
 * This program defines malloc, calloc, realloc, free and the aligned
 * allocators itself (the executable's definitions are the ones every
 * library, librsipc included, calls), counting the calls made while a flag
 * is set. Each failing call runs with the flag set and must leave the count
 * at 0 — the very first rsipc call of the process and the first failing
 * call of a fresh thread included (a thread-local destructor registered on
 * first use would calloc). */
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#ifndef UNDER_ASAN
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static atomic_int armed;
static atomic_int allocations;

static void note(void) {
    if (atomic_load_explicit(&armed, memory_order_relaxed)) atomic_fetch_add(&allocations, 1);
}

void *malloc(size_t n) {
    note();
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t size) {
    note();
    return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n) {
    note();
    return __libc_realloc(p, n);
}
void free(void *p) {
    if (p) note();
    __libc_free(p);
}
void *memalign(size_t align, size_t n) {
    note();
    return __libc_memalign(align, n);
}
void *aligned_alloc(size_t align, size_t n) {
    note();
    return __libc_memalign(align, n);
}
int posix_memalign(void **out, size_t align, size_t n) {
    note();
    void *p = __libc_memalign(align, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

static sem_t saturated, empty;
static char fifo_path[96];
static key_t missing_key;
static int closed;

/* NULL as the compiler cannot see it. */
static void *volatile null_ptr;

/* Runs `call` with the allocator watched; it must fail with `err` and
 * allocate nothing. */
#define FAILS_WITHOUT_ALLOCATING(call, failval, err)                                                   \
    do {                                                                                              \
        atomic_store(&allocations, 0);                                                                \
        atomic_store(&armed, 1);                                                                      \
        errno = 0;                                                                                    \
        __typeof__(call) ret_ = (call);                                                               \
        int errno_ = errno;                                                                           \
        atomic_store(&armed, 0);                                                                      \
        int n_ = atomic_load(&allocations);                                                           \
        check_count++;                                                                                \
        if (ret_ != (failval) || errno_ != (err) || n_ != 0) {                                        \
            check_failures++;                                                                         \
            fprintf(stderr, "%s:%d: %s: want %s/%s and no allocation, got errno %d and %d allocator calls (%s)\n", \
                    __FILE__, __LINE__, #call, #failval, #err, errno_, n_, rsipc_last_error());       \
        }                                                                                             \
        calls_checked++;                                                                              \
    } while (0)

static _Thread_local int calls_checked;

/* Every failing call, in an order that makes the first one the process's
 * (or the thread's) first rsipc call. */
static int failing_calls(void) {
    calls_checked = 0;
    int fds[2];
    char buf[16];
    struct mq_attr attr;
    struct sembuf op = {0, 1, 0};
    /* The async-signal-safe ones first. */
    FAILS_WITHOUT_ALLOCATING(rsipc_sem_post(null_ptr), -1, EFAULT);
    FAILS_WITHOUT_ALLOCATING(rsipc_sem_post(&saturated), -1, EOVERFLOW);
    FAILS_WITHOUT_ALLOCATING(rsipc_pipe(null_ptr), -1, EFAULT);
    FAILS_WITHOUT_ALLOCATING(rsipc_pipe2(fds, 0x40000000), -1, EINVAL);
    FAILS_WITHOUT_ALLOCATING(rsipc_mkfifo(null_ptr, 0600), -1, EFAULT);
    FAILS_WITHOUT_ALLOCATING(rsipc_mkfifo(fifo_path, 0600), -1, EEXIST);
    FAILS_WITHOUT_ALLOCATING(rsipc_mkfifoat(closed, "relative", 0600), -1, EBADF);
    /* And the others. */
    FAILS_WITHOUT_ALLOCATING(rsipc_sem_trywait(&empty), -1, EAGAIN);
    FAILS_WITHOUT_ALLOCATING(rsipc_sem_wait(null_ptr), -1, EFAULT);
    FAILS_WITHOUT_ALLOCATING(rsipc_sem_init(null_ptr, 0, 0), -1, EFAULT);
    FAILS_WITHOUT_ALLOCATING(rsipc_sem_timedwait(&empty, null_ptr), -1, EFAULT);
    FAILS_WITHOUT_ALLOCATING(rsipc_sem_getvalue(&empty, null_ptr), -1, EFAULT);
    FAILS_WITHOUT_ALLOCATING(rsipc_pipe_capacity(closed), -1, EBADF);
    FAILS_WITHOUT_ALLOCATING(rsipc_pipe_set_capacity(closed, 0), -1, EINVAL);
    FAILS_WITHOUT_ALLOCATING(rsipc_set_nonblocking(closed, 1), -1, EBADF);
    FAILS_WITHOUT_ALLOCATING(rsipc_write_all(closed, "x", 1), -1, EBADF);
    FAILS_WITHOUT_ALLOCATING(rsipc_read_exact(closed, buf, 1), -1, EBADF);
    FAILS_WITHOUT_ALLOCATING(rsipc_fifo_open(null_ptr, O_RDONLY, 0), -1, EFAULT);
    FAILS_WITHOUT_ALLOCATING(rsipc_msgget(missing_key, 0), -1, ENOENT);
    FAILS_WITHOUT_ALLOCATING(rsipc_msgsnd(-1, buf, 1, 0), -1, EINVAL);
    FAILS_WITHOUT_ALLOCATING(rsipc_msgrcv(-1, buf, 8, 0, IPC_NOWAIT), -1, EINVAL);
    FAILS_WITHOUT_ALLOCATING(rsipc_mq_receive(closed, buf, sizeof buf, NULL), -1, EBADF);
    FAILS_WITHOUT_ALLOCATING(rsipc_mq_send(closed, buf, 1, 0), -1, EBADF);
    FAILS_WITHOUT_ALLOCATING(rsipc_mq_getattr(closed, &attr), -1, EBADF);
    FAILS_WITHOUT_ALLOCATING(rsipc_mq_unlink(null_ptr), -1, EFAULT);
    FAILS_WITHOUT_ALLOCATING(rsipc_shm_open("/a/b", O_RDONLY, 0), -1, EINVAL);
    FAILS_WITHOUT_ALLOCATING(rsipc_shmget(missing_key, 4096, 0), -1, ENOENT);
    FAILS_WITHOUT_ALLOCATING(rsipc_shmdt((void *)(uintptr_t)4096), -1, EINVAL);
    FAILS_WITHOUT_ALLOCATING(rsipc_semget(missing_key, 1, 0), -1, ENOENT);
    FAILS_WITHOUT_ALLOCATING(rsipc_semop(-1, &op, 1), -1, EINVAL);
    FAILS_WITHOUT_ALLOCATING(rsipc_munmap((void *)(uintptr_t)1, 4096), -1, EINVAL);
    FAILS_WITHOUT_ALLOCATING(rsipc_mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED, EINVAL);
    FAILS_WITHOUT_ALLOCATING(rsipc_chan_send(null_ptr, "x", 1, 0), -1, EFAULT);
    return calls_checked;
}

/* Runs `call` with the allocator watched; it must succeed (return `ok`)
 * and allocate nothing. */
#define SUCCEEDS_WITHOUT_ALLOCATING(call, ok)                                                         \
    do {                                                                                              \
        atomic_store(&allocations, 0);                                                                \
        atomic_store(&armed, 1);                                                                      \
        int ret_ = (call);                                                                            \
        atomic_store(&armed, 0);                                                                      \
        int n_ = atomic_load(&allocations);                                                           \
        CHECK(ret_ == (ok) && n_ == 0);                                                               \
        if (n_ != 0) fprintf(stderr, "%s: %d allocator calls\n", #call, n_);                          \
    } while (0)

/* The async-signal-safe functions allocate nothing when they succeed
 * either. */
static void async_signal_safe_successes(void) {
    int fds[2], more[2];
    char path[128];
    sem_t s;
    sem_init(&s, 0, 0);
    snprintf(path, sizeof path, "%s-new", fifo_path);
    SUCCEEDS_WITHOUT_ALLOCATING(rsipc_pipe(fds), 0);
    SUCCEEDS_WITHOUT_ALLOCATING(rsipc_pipe2(more, O_CLOEXEC | O_NONBLOCK), 0);
    SUCCEEDS_WITHOUT_ALLOCATING(rsipc_mkfifo(path, 0600), 0);
    unlink(path);
    SUCCEEDS_WITHOUT_ALLOCATING(rsipc_mkfifoat(AT_FDCWD, path, 0600), 0);
    unlink(path);
    SUCCEEDS_WITHOUT_ALLOCATING(rsipc_sem_post(&s), 0);
    close(fds[0]);
    close(fds[1]);
    close(more[0]);
    close(more[1]);
    sem_destroy(&s);
}

static void *in_a_fresh_thread(void *arg) {
    (void)arg;
    return (void *)(intptr_t)failing_calls();
}

int main(void) {
    /* Setup through glibc only: the first rsipc call of the process is the
     * first failing call below. */
    snprintf(fifo_path, sizeof fifo_path, "/tmp/rsipc-test-no-alloc-%d", (int)getpid());
    if (mkfifo(fifo_path, 0600) != 0 || sem_init(&saturated, 0, SEM_VALUE_MAX) != 0 || sem_init(&empty, 0, 0) != 0) {
        perror("setup");
        unlink(fifo_path);
        return 1;
    }
    int p[2];
    if (pipe(p) != 0) return 1;
    close(p[0]);
    close(p[1]);
    closed = p[0];
    for (missing_key = (key_t)(0x52500000 | ((unsigned)getpid() & 0xfffff));; missing_key++)
        if (missing_key != IPC_PRIVATE && msgget(missing_key, 0) == -1 && errno == ENOENT &&
            shmget(missing_key, 0, 0) == -1 && errno == ENOENT && semget(missing_key, 0, 0) == -1 && errno == ENOENT)
            break;

    int in_main = failing_calls();
    async_signal_safe_successes();
    pthread_t t;
    void *in_thread = NULL;
    CHECK(pthread_create(&t, NULL, in_a_fresh_thread, NULL) == 0);
    CHECK(pthread_join(t, &in_thread) == 0);
    printf("failing calls checked for allocations: %d in the main thread (the process's first rsipc calls), %d in a fresh thread\n",
           in_main, (int)(intptr_t)in_thread);

    /* The messages are there when read (reading may allocate). */
    CHECK_FAILS(rsipc_mkfifo(fifo_path, 0600), -1, EEXIST, "mkfifo(path=\"/tmp/rsipc-test-no-alloc-");
    unlink(fifo_path);
    sem_destroy(&saturated);
    sem_destroy(&empty);
    return check_summary("test_no_alloc_on_failure");
}
#else
int main(void) {
    printf("skipped: AddressSanitizer owns malloc in this build, so the test cannot count allocator calls\n");
    (void)check_summary;
    return 77;
}
#endif
