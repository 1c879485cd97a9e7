/* Forced into the ported examples (-include) for their "plain" build, the
 * one the preload tests run under LD_PRELOAD (cmake/RsipcTesting.cmake,
 * label "preload"): every rsipc_ name of the POSIX-compatible layer becomes
 * the standard name, and rsipc's own helpers (rsipc_write_all, ...) become
 * small functions written with the C library only, so the programs are
 * linked against glibc and nothing else -- as a program that was never
 * ported would be. rsipc_last_error() is looked up at run time with
 * dlsym(RTLD_DEFAULT): under the preload it is rsipc's (librsipc.so is
 * loaded with the preloaded library); without, it reads "".
 *
 * The helpers are not standard names and not what these tests are about;
 * so that the examples' expected output (which quotes the helpers' rsipc
 * messages too) holds unchanged, each helper is rsipc's own when the
 * process has librsipc.so loaded (found the same way), and the plain
 * version otherwise. Every standard name is the C library's name, which
 * only the preload can send to rsipc. */
#ifndef RSIPC_PRELOAD_PLAIN_H
#define RSIPC_PRELOAD_PLAIN_H

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The declarations, under their own names, before the names change. */
#include "rsipc.h"

#define PLAIN_UNUSED_ __attribute__((unused))

static PLAIN_UNUSED_ const char *plain_last_error(void) {
    const char *(*fn)(void);
    void *sym = dlsym(RTLD_DEFAULT, "rsipc_last_error");
    if (sym == NULL) return "";
    *(void **)&fn = sym;
    return fn();
}

static PLAIN_UNUSED_ ssize_t plain_write_all_libc(int fd, const void *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, (const char *)buf + done, len - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return done > 0 ? (ssize_t)done : -1;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static PLAIN_UNUSED_ ssize_t plain_read_exact_libc(int fd, void *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = read(fd, (char *)buf + done, len - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return done > 0 ? (ssize_t)done : -1;
        }
        if (n == 0) {
            errno = 0;
            break;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static PLAIN_UNUSED_ int plain_pipe_capacity_libc(int fd) { return fcntl(fd, F_GETPIPE_SZ); }

static PLAIN_UNUSED_ int plain_pipe_set_capacity_libc(int fd, int bytes) { return fcntl(fd, F_SETPIPE_SZ, bytes); }

static PLAIN_UNUSED_ int plain_set_nonblocking_libc(int fd, int on) {
    int fl = fcntl(fd, F_GETFL);
    if (fl == -1) return -1;
    return fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* A writer waits for a reader up to timeout_ms (< 0: forever), retrying a
 * non-blocking open every 10 ms, as the examples expect of rsipc_fifo_open. */
static PLAIN_UNUSED_ int plain_fifo_open_libc(const char *path, int flags, int timeout_ms) {
    if ((flags & O_ACCMODE) != O_WRONLY || timeout_ms < 0) return open(path, flags);
    long waited = 0;
    for (;;) {
        int fd = open(path, flags | O_NONBLOCK);
        if (fd >= 0) {
            if (!(flags & O_NONBLOCK)) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            return fd;
        }
        if (errno != ENXIO) return -1;
        if (waited >= timeout_ms) {
            errno = timeout_ms == 0 ? ENXIO : ETIMEDOUT;
            return -1;
        }
        struct timespec tick = {0, 10 * 1000 * 1000};
        nanosleep(&tick, NULL);
        waited += 10;
    }
}

static PLAIN_UNUSED_ void *plain_map_file_libc(const char *path, int oflag, mode_t mode, size_t *len) {
    int fd = open(path, oflag, mode);
    if (fd == -1) return MAP_FAILED;
    struct stat st;
    if (fstat(fd, &st) == -1) goto fail;
    size_t want = *len != 0 ? *len : (size_t)st.st_size;
    if (want == 0) {
        errno = EINVAL;
        goto fail;
    }
    if ((off_t)want > st.st_size && ftruncate(fd, (off_t)want) == -1) goto fail;
    int prot = (oflag & O_ACCMODE) == O_RDONLY ? PROT_READ : PROT_READ | PROT_WRITE;
    void *p = mmap(NULL, want, prot, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) goto fail;
    close(fd);
    *len = want;
    return p;
fail: {
    int saved = errno;
    close(fd);
    errno = saved;
    return MAP_FAILED;
}
}

static PLAIN_UNUSED_ void *plain_map_anonymous_shared_libc(size_t len) {
    return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
}

/* The helpers: rsipc's when librsipc.so is in the process, else the above. */
#define PLAIN_HELPER_(ret, name, params, args)                              \
    static PLAIN_UNUSED_ ret plain_##name params {                          \
        ret(*fn) params;                                                    \
        void *sym = dlsym(RTLD_DEFAULT, "rsipc_" #name);                    \
        if (sym == NULL) return plain_##name##_libc args;                   \
        *(void **)&fn = sym;                                                \
        return fn args;                                                     \
    }
PLAIN_HELPER_(ssize_t, write_all, (int fd, const void *buf, size_t len), (fd, buf, len))
PLAIN_HELPER_(ssize_t, read_exact, (int fd, void *buf, size_t len), (fd, buf, len))
PLAIN_HELPER_(int, pipe_capacity, (int fd), (fd))
PLAIN_HELPER_(int, pipe_set_capacity, (int fd, int bytes), (fd, bytes))
PLAIN_HELPER_(int, set_nonblocking, (int fd, int on), (fd, on))
PLAIN_HELPER_(int, fifo_open, (const char *path, int flags, int timeout_ms), (path, flags, timeout_ms))
PLAIN_HELPER_(void *, map_file, (const char *path, int oflag, mode_t mode, size_t *len), (path, oflag, mode, len))
PLAIN_HELPER_(void *, map_anonymous_shared, (size_t len), (len))

#define rsipc_last_error plain_last_error
#define rsipc_write_all plain_write_all
#define rsipc_read_exact plain_read_exact
#define rsipc_pipe_capacity plain_pipe_capacity
#define rsipc_pipe_set_capacity plain_pipe_set_capacity
#define rsipc_set_nonblocking plain_set_nonblocking
#define rsipc_fifo_open plain_fifo_open
#define rsipc_map_file plain_map_file
#define rsipc_map_anonymous_shared plain_map_anonymous_shared

/* The POSIX-compatible layer: the standard names (tests/compat/names.h). */
#define rsipc_pipe pipe
#define rsipc_pipe2 pipe2
#define rsipc_mkfifo mkfifo
#define rsipc_mkfifoat mkfifoat
#define rsipc_mmap mmap
#define rsipc_munmap munmap
#define rsipc_msync msync
#define rsipc_shm_open shm_open
#define rsipc_shm_unlink shm_unlink
#define rsipc_ftok ftok
#define rsipc_shmget shmget
#define rsipc_shmat shmat
#define rsipc_shmdt shmdt
#define rsipc_shmctl shmctl
#define rsipc_msgget msgget
#define rsipc_msgsnd msgsnd
#define rsipc_msgrcv msgrcv
#define rsipc_msgctl msgctl
#define rsipc_mq_open mq_open
#define rsipc_mq_close mq_close
#define rsipc_mq_unlink mq_unlink
#define rsipc_mq_send mq_send
#define rsipc_mq_receive mq_receive
#define rsipc_mq_timedsend mq_timedsend
#define rsipc_mq_timedreceive mq_timedreceive
#define rsipc_mq_getattr mq_getattr
#define rsipc_mq_setattr mq_setattr
#define rsipc_mq_notify mq_notify
#define rsipc_sem_init sem_init
#define rsipc_sem_destroy sem_destroy
#define rsipc_sem_wait sem_wait
#define rsipc_sem_trywait sem_trywait
#define rsipc_sem_timedwait sem_timedwait
#define rsipc_sem_clockwait sem_clockwait
#define rsipc_sem_post sem_post
#define rsipc_sem_getvalue sem_getvalue
#define rsipc_sem_open sem_open
#define rsipc_sem_close sem_close
#define rsipc_sem_unlink sem_unlink
#define rsipc_semget semget
#define rsipc_semop semop
#define rsipc_semtimedop semtimedop
#define rsipc_semctl semctl

#endif
