/* rsipc_compat.h maps the FIFO, mmap and POSIX shm names to rsipc: an
 * unchanged program's calls reach rsipc (its checks and messages). */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "rsipc_compat.h"

int main(void) {
    /* Function pointers and &name reach rsipc. */
    CHECK(&mkfifo == &rsipc_mkfifo);
    CHECK(&mkfifoat == &rsipc_mkfifoat);
    CHECK(&mmap == &rsipc_mmap);
    CHECK(&munmap == &rsipc_munmap);
    CHECK(&msync == &rsipc_msync);
    CHECK(&shm_open == &rsipc_shm_open);
    CHECK(&shm_unlink == &rsipc_shm_unlink);

    /* The usual sequences, unchanged. */
    char path[64], name[64];
    snprintf(path, sizeof path, "/tmp/rsipc-c-test-compat-fifo-%d", (int)getpid());
    snprintf(name, sizeof name, "/rsipc-c-test-compat-shm-%d", (int)getpid());
    CHECK(mkfifo(path, 0600) == 0);
    CHECK_FAILS(mkfifo(path, 0600), -1, EEXIST, "mkfifo(");
    CHECK(unlink(path) == 0);

    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0 && ftruncate(fd, 4096) == 0);
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED);
    close(fd);
    if (p != MAP_FAILED) {
        strcpy(p, "hello");
        CHECK(msync(p, 4096, MS_SYNC) == 0);
        CHECK(munmap(p, 4096) == 0);
    }
    CHECK(shm_unlink(name) == 0);

    /* Bad input now gets rsipc's explained errors. */
    CHECK_FAILS(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED, EINVAL, "mmap(");
    CHECK_FAILS(shm_open(NULL, O_RDONLY, 0), -1, EFAULT, "shm_open(name=NULL");
    CHECK_FAILS(shm_unlink(name), -1, ENOENT, "shm_unlink(");
    CHECK_FAILS(mkfifoat(AT_FDCWD, NULL, 0600), -1, EFAULT, "mkfifoat(");
    return check_summary("test_fifo_mmap_shm_compat");
}
