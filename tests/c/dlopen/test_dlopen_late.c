/* librsipc.so loaded with dlopen() after the program started, with threads
 * already running: every thread (one that existed before the dlopen, the
 * main thread, one created after) fails calls and gets the right errno and
 * message.
 *
 * This is the case the per-thread error record must survive: a library
 * loaded late gets its thread-local storage from the dynamic linker's
 * dynamic TLS (or, when room is left, from its surplus static TLS), not from
 * the static TLS laid out at start. rsipc reaches the record's hot part
 * through a TLS descriptor (src/error/), which glibc resolves differently in
 * each case; ctest runs this program once as it is and once with
 * GLIBC_TUNABLES=glibc.rtld.optional_static_tls=65536 (the descriptor then
 * resolves to static TLS). Python's ctypes loads the library the same way
 * (tests/python).
 *
 * Usage: test_dlopen_late PATH_TO_LIBRSIPC_SO */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                          \
        }                                                                        \
    } while (0)

static struct {
    int (*sem_init)(sem_t *, int, unsigned);
    int (*sem_post)(sem_t *);
    int (*sem_trywait)(sem_t *);
    int (*sem_destroy)(sem_t *);
    int (*pipe_capacity)(int);
    const char *(*last_error)(void);
} rs;

static void *need(void *lib, const char *name) {
    void *f = dlsym(lib, name);
    if (!f) {
        fprintf(stderr, "dlsym(%s): %s\n", name, dlerror());
        exit(1);
    }
    return f;
}

/* The failing calls, many rounds (the first failure of a thread takes the
 * slow path, the rest the fast one). */
static void fail_calls(const char *who) {
    sem_t full, empty;
    CHECK(rs.sem_init(&full, 0, SEM_VALUE_MAX) == 0);
    CHECK(rs.sem_init(&empty, 0, 0) == 0);
    /* -1, never a closed descriptor: another thread's pipe() could reuse
     * that number between the close and the call. */
    const int bad_fd = -1;
    for (int round = 0; round < 1000; round++) {
        errno = 0;
        CHECK(rs.sem_post(&full) == -1 && errno == EOVERFLOW);
        errno = 0;
        CHECK(rs.sem_trywait(&empty) == -1 && errno == EAGAIN);
        errno = 0;
        CHECK(rs.pipe_capacity(bad_fd) == -1 && errno == EBADF);
    }
    CHECK(rs.sem_post(&full) == -1 && errno == EOVERFLOW);
    const char *msg = rs.last_error();
    CHECK(strstr(msg, "sem_post(sem=") == msg && strstr(msg, "EOVERFLOW") != NULL);
    CHECK(rs.sem_trywait(&empty) == -1 && errno == EAGAIN);
    msg = rs.last_error();
    CHECK(strstr(msg, "sem_trywait(sem=") == msg && strstr(msg, "EAGAIN") != NULL);
    CHECK(rs.pipe_capacity(bad_fd) == -1 && errno == EBADF);
    msg = rs.last_error();
    CHECK(strstr(msg, "pipe_capacity(") != NULL && strstr(msg, "EBADF") != NULL);
    CHECK(rs.sem_destroy(&full) == 0 && rs.sem_destroy(&empty) == 0);
    printf("%s: last message: %s\n", who, msg);
}

static pthread_barrier_t loaded;

static void *early_thread(void *arg) {
    (void)arg;
    pthread_barrier_wait(&loaded); /* the main thread loads the library */
    fail_calls("thread started before dlopen");
    return NULL;
}

static void *late_thread(void *arg) {
    (void)arg;
    fail_calls("thread started after dlopen");
    return NULL;
}

/* dlsym's object pointer into a function pointer field, the way ISO C
 * allows (a cast between the two is not). */
#define LOAD(field, name)                                    \
    do {                                                     \
        void *sym_ = need(lib, name);                        \
        memcpy(&rs.field, &sym_, sizeof rs.field);           \
    } while (0)

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH_TO_LIBRSIPC_SO\n", argv[0]);
        return 2;
    }
    pthread_t early, late;
    CHECK(pthread_barrier_init(&loaded, NULL, 2) == 0);
    CHECK(pthread_create(&early, NULL, early_thread, NULL) == 0);

    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen(%s): %s\n", argv[1], dlerror());
        return 1;
    }
    LOAD(sem_init, "rsipc_sem_init");
    LOAD(sem_post, "rsipc_sem_post");
    LOAD(sem_trywait, "rsipc_sem_trywait");
    LOAD(sem_destroy, "rsipc_sem_destroy");
    LOAD(pipe_capacity, "rsipc_pipe_capacity");
    LOAD(last_error, "rsipc_last_error");

    pthread_barrier_wait(&loaded);
    fail_calls("main thread");
    CHECK(pthread_join(early, NULL) == 0);
    CHECK(pthread_create(&late, NULL, late_thread, NULL) == 0);
    CHECK(pthread_join(late, NULL) == 0);
    pthread_barrier_destroy(&loaded);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    puts("ok: librsipc.so loaded late, every thread's failures recorded");
    return 0;
}
