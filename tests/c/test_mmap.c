/* The memory-mapping API through the public header: bad input (each case
 * also run through glibc's mmap where the kernel answers it, to show the
 * same errno), MAP_FIXED, map_file, anonymous shared memory across fork. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char path[64];
static long page;

static int closed_fd(void) {
    int fds[2];
    if (pipe(fds) != 0) abort();
    close(fds[0]);
    close(fds[1]);
    return fds[0];
}

/* The number of open descriptors of this (single-threaded) process. */
static int open_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

/* glibc's mmap fails with the same errno as rsipc_mmap just did. */
#define SAME_AS_GLIBC(addr, len, prot, flags, fd, off)                         \
    do {                                                                       \
        int rsipc_errno_ = errno;                                              \
        errno = 0;                                                             \
        void *glibc_ = mmap(addr, len, prot, flags, fd, off);                  \
        CHECK(glibc_ == MAP_FAILED && errno == rsipc_errno_);                  \
    } while (0)

static void test_mmap_bad_input(void) {
    int ro = open(path, O_RDONLY | O_CLOEXEC);
    int wo = open(path, O_WRONLY | O_CLOEXEC);
    int bad = closed_fd();
    CHECK(ro >= 0 && wo >= 0);

    CHECK_FAILS(rsipc_mmap(NULL, 0, PROT_READ, MAP_SHARED, ro, 0), MAP_FAILED, EINVAL, "mmap(addr=NULL, len=0, prot=PROT_READ, flags=MAP_SHARED");
    CHECK(strstr(rsipc_last_error(), "len is 0") != NULL);
    SAME_AS_GLIBC(NULL, 0, PROT_READ, MAP_SHARED, ro, 0);

    CHECK_FAILS(rsipc_mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 100), MAP_FAILED, EINVAL, "mmap(");
    CHECK(strstr(rsipc_last_error(), "page size") != NULL);
    SAME_AS_GLIBC(NULL, 4096, PROT_READ, MAP_SHARED, ro, 100);

    CHECK_FAILS(rsipc_mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, -page), MAP_FAILED, EOVERFLOW, "mmap(");
    CHECK(strstr(rsipc_last_error(), "negative") != NULL);
    SAME_AS_GLIBC(NULL, 4096, PROT_READ, MAP_SHARED, ro, -page);

    CHECK_FAILS(rsipc_mmap(NULL, SIZE_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED, ENOMEM, "mmap(");
    CHECK(strstr(rsipc_last_error(), "overflows") != NULL);
    SAME_AS_GLIBC(NULL, SIZE_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    CHECK_FAILS(rsipc_mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0), MAP_FAILED, EINVAL, "mmap(");
    CHECK(strstr(rsipc_last_error(), "MAP_SHARED, MAP_PRIVATE") != NULL);
    SAME_AS_GLIBC(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0);

    CHECK_FAILS(rsipc_mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, ro, (off_t)(INT64_MAX - (page - 1))), MAP_FAILED, EOVERFLOW, "mmap(");
    SAME_AS_GLIBC(NULL, 2 * page, PROT_READ, MAP_SHARED, ro, (off_t)(INT64_MAX - (page - 1)));

    /* The descriptor's access mode. */
    CHECK_FAILS(rsipc_mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), MAP_FAILED, EACCES, "mmap(");
    CHECK(strstr(rsipc_last_error(), "read-only (O_RDONLY); a writable MAP_SHARED mapping needs O_RDWR") != NULL);
    SAME_AS_GLIBC(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
    CHECK_FAILS(rsipc_mmap(NULL, 4096, PROT_READ, MAP_SHARED, wo, 0), MAP_FAILED, EACCES, "mmap(");
    CHECK(strstr(rsipc_last_error(), "write-only") != NULL);
    SAME_AS_GLIBC(NULL, 4096, PROT_READ, MAP_SHARED, wo, 0);
    CHECK_FAILS(rsipc_mmap(NULL, 4096, PROT_READ, MAP_SHARED, bad, 0), MAP_FAILED, EBADF, "mmap(");
    SAME_AS_GLIBC(NULL, 4096, PROT_READ, MAP_SHARED, bad, 0);

    /* A private writable copy of a read-only file is fine. */
    void *p = rsipc_mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        ((char *)p)[0] = 'X';
        CHECK(rsipc_munmap(p, 4096) == 0);
    }
    close(ro);
    close(wo);
}

static void test_munmap_and_msync_bad_input(void) {
    char *p = rsipc_map_anonymous_shared(2 * page);
    CHECK(p != MAP_FAILED);
    CHECK_FAILS(rsipc_munmap(p + 1, page), -1, EINVAL, "munmap(");
    CHECK_FAILS(rsipc_munmap(p, 0), -1, EINVAL, "munmap(");
    CHECK_FAILS(rsipc_munmap((void *)(UINTPTR_MAX & ~(uintptr_t)(page - 1)), 2 * page), -1, EINVAL, "munmap(");
    CHECK_FAILS(rsipc_msync(p + 1, page, MS_SYNC), -1, EINVAL, "msync(");
    CHECK_FAILS(rsipc_msync(p, page, MS_SYNC | MS_ASYNC), -1, EINVAL, "msync(");
    CHECK(strstr(rsipc_last_error(), "MS_ASYNC|MS_SYNC") != NULL);
    CHECK_FAILS(rsipc_msync(p, page, 0x100), -1, EINVAL, "msync(");
    /* The kernel rounds SIZE_MAX up to whole pages, wraps to 0 and reports
     * success; rsipc refuses a size that wraps. */
    CHECK_FAILS(rsipc_msync(p, SIZE_MAX, MS_SYNC), -1, ENOMEM, "msync(");
    CHECK(strstr(rsipc_last_error(), "wraps around") != NULL);
    CHECK_FAILS(rsipc_msync(p, (size_t)1 << 62, MS_SYNC), -1, ENOMEM, "msync(");
    /* glibc (the kernel) says the same for each. */
    CHECK(munmap(p + 1, page) == -1 && errno == EINVAL);
    CHECK(munmap(p, 0) == -1 && errno == EINVAL);
    CHECK(msync(p + 1, page, MS_SYNC) == -1 && errno == EINVAL);
    CHECK(msync(p, page, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL);
    CHECK(msync(p, page, 0x100) == -1 && errno == EINVAL);
    CHECK(msync(p, (size_t)1 << 62, MS_SYNC) == -1 && errno == ENOMEM);
    CHECK(rsipc_msync(p, 2 * page, MS_SYNC) == 0);
    CHECK(rsipc_munmap(p, 2 * page) == 0);
    /* Unmapping again is fine (as munmap(2)); msync where nothing is mapped
     * (address 0 never is: vm.mmap_min_addr) is ENOMEM. */
    CHECK(rsipc_munmap(p, 2 * page) == 0);
    CHECK_FAILS(rsipc_msync(NULL, page, MS_SYNC), -1, ENOMEM, "msync(addr=NULL");
    CHECK(msync(NULL, page, MS_SYNC) == -1 && errno == ENOMEM);
    CHECK(strstr(rsipc_last_error(), "not mapped") != NULL);
}

static void test_map_fixed_replaces_a_page(void) {
    char *p = rsipc_mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    p[page] = 'a';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    void *q = rsipc_mmap(p + page, page, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
    CHECK(q == p + page);
    CHECK(p[page] == 'A'); /* now the file's first byte */
    CHECK_FAILS(rsipc_mmap(p + 1, page, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0), MAP_FAILED, EINVAL, "mmap(");
    CHECK(strstr(rsipc_last_error(), "MAP_FIXED") != NULL);
    CHECK_FAILS(rsipc_mmap(p, page, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0), MAP_FAILED, EEXIST, "mmap(");
    close(fd);
    CHECK(rsipc_munmap(p, 2 * page) == 0);
}

static void test_map_file(void) {
    int fds_before = open_fds();
    size_t len = 0;
    char *p = rsipc_map_file(path, O_RDONLY, 0, &len);
    CHECK(p != MAP_FAILED && len == 62);
    if (p != MAP_FAILED) {
        CHECK(p[0] == 'A' && p[26] == '0' && p[61] == 'z');
        CHECK(rsipc_munmap(p, len) == 0);
    }

    char grown[96];
    snprintf(grown, sizeof grown, "%s-grown", path);
    len = 10000;
    p = rsipc_map_file(grown, O_RDWR | O_CREAT | O_EXCL, 0600, &len);
    CHECK(p != MAP_FAILED && len == 10000);
    struct stat st;
    CHECK(stat(grown, &st) == 0 && st.st_size == 10000);
    if (p != MAP_FAILED) {
        p[9999] = '!';
        CHECK(rsipc_msync(p, len, MS_SYNC) == 0);
        CHECK(rsipc_munmap(p, len) == 0);
    }
    len = 4096;
    CHECK_FAILS(rsipc_map_file(grown, O_RDWR | O_CREAT | O_EXCL, 0600, &len), MAP_FAILED, EEXIST, "map_file(");
    CHECK(len == 4096); /* unchanged on failure */
    CHECK(unlink(grown) == 0);
    /* O_EXCL with *len == 0 would create an empty file: refused before
     * creating anything. */
    len = 0;
    CHECK_FAILS(rsipc_map_file(grown, O_RDWR | O_CREAT | O_EXCL, 0600, &len), MAP_FAILED, EINVAL, "map_file(");
    CHECK(access(grown, F_OK) == -1 && errno == ENOENT);
    /* A later step failing removes the file this call created. */
    len = SIZE_MAX / 4;
    CHECK(rsipc_map_file(grown, O_RDWR | O_CREAT | O_EXCL, 0600, &len) == MAP_FAILED);
    CHECK(access(grown, F_OK) == -1 && errno == ENOENT);

    len = 0;
    CHECK_FAILS(rsipc_map_file(NULL, O_RDONLY, 0, &len), MAP_FAILED, EFAULT, "map_file(path=NULL");
    CHECK_FAILS(rsipc_map_file(path, O_RDONLY, 0, NULL), MAP_FAILED, EFAULT, "map_file(");
    CHECK(strstr(rsipc_last_error(), "len=NULL") != NULL);
    CHECK_FAILS(rsipc_map_file("/nonexistent/rsipc/file", O_RDONLY, 0, &len), MAP_FAILED, ENOENT, "map_file(");
    CHECK_FAILS(rsipc_map_file(path, O_WRONLY, 0, &len), MAP_FAILED, EINVAL, "map_file(");
    CHECK_FAILS(rsipc_map_file(path, O_RDWR | O_APPEND, 0, &len), MAP_FAILED, EINVAL, "map_file(");
    CHECK_FAILS(rsipc_map_file("/tmp", O_RDONLY, 0, &len), MAP_FAILED, EINVAL, "map_file(");
    len = 4096;
    CHECK_FAILS(rsipc_map_file(path, O_RDONLY, 0, &len), MAP_FAILED, EINVAL, "map_file(");
    CHECK(strstr(rsipc_last_error(), "cannot be grown") != NULL);
    CHECK(len == 4096);
    len = SIZE_MAX;
    CHECK_FAILS(rsipc_map_file(path, O_RDWR, 0, &len), MAP_FAILED, ENOMEM, "map_file(");

    char empty[96];
    snprintf(empty, sizeof empty, "%s-empty", path);
    len = 0;
    CHECK_FAILS(rsipc_map_file(empty, O_RDWR | O_CREAT, 0600, &len), MAP_FAILED, EINVAL, "map_file(");
    CHECK(strstr(rsipc_last_error(), "empty") != NULL);
    CHECK(unlink(empty) == 0);
    CHECK(open_fds() == fds_before); /* the mapped files' descriptors were all closed */
}

static void test_anonymous_shared_survives_fork(void) {
    CHECK_FAILS(rsipc_map_anonymous_shared(0), MAP_FAILED, EINVAL, "map_anonymous_shared(len=0)");
    CHECK_FAILS(rsipc_map_anonymous_shared(SIZE_MAX), MAP_FAILED, ENOMEM, "map_anonymous_shared(");
    int *counter = rsipc_map_anonymous_shared(sizeof *counter);
    CHECK(counter != MAP_FAILED);
    if (counter == MAP_FAILED) return;
    CHECK(*counter == 0);
    for (int i = 0; i < 3; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            *counter += 10;
            _exit(0);
        }
        int status;
        CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CHECK(*counter == 30);
    CHECK(rsipc_munmap(counter, sizeof *counter) == 0);
}

int main(void) {
    page = sysconf(_SC_PAGESIZE);
    snprintf(path, sizeof path, "/tmp/rsipc-c-test-mmap-%d", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f || fputs("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz", f) < 0 || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    test_mmap_bad_input();
    test_munmap_and_msync_bad_input();
    test_map_fixed_replaces_a_page();
    test_map_file();
    test_anonymous_shared_survives_fork();
    CHECK(unlink(path) == 0);
    return check_summary("test_mmap");
}
