/* POSIX shared memory reader: opens the object argv[1] read-only, maps it,
 * prints the message the writer left, and removes the object's name.
 *
 * It runs after the writer has exited: the object outlives the processes
 * that use it until shm_unlink. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rsipc.h"

int main(int argc, char *argv[]) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s /NAME\n", argv[0]);
        return 2;
    }
    int fd = rsipc_shm_open(argv[1], O_RDONLY, 0);
    if (fd == -1) {
        fprintf(stderr, "reader: %s\n", rsipc_last_error());
        return 1;
    }
    struct stat st;
    if (fstat(fd, &st) == -1) {
        perror("reader: fstat");
        return 1;
    }
    const char *p = rsipc_mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "reader: %s\n", rsipc_last_error());
        return 1;
    }
    if (close(fd) == -1) {
        perror("reader: close");
        return 1;
    }
    printf("reader: the object has %lld bytes and says: %.*s\n", (long long)st.st_size,
           (int)strnlen(p, (size_t)st.st_size), p);
    if (rsipc_munmap((void *)p, (size_t)st.st_size) == -1 || rsipc_shm_unlink(argv[1]) == -1) {
        fprintf(stderr, "reader: %s\n", rsipc_last_error());
        return 1;
    }
    printf("reader: removed the object\n");
    /* Once unlinked, the name is gone. */
    if (rsipc_shm_open(argv[1], O_RDONLY, 0) != -1 || errno != ENOENT) {
        fprintf(stderr, "reader: the object should be gone\n");
        return 1;
    }
    /* The message starts with the call and its arguments; show the cause. */
    printf("reader: opening it again fails: %s\n", strstr(rsipc_last_error(), "ENOENT"));
    return 0;
}
