/* POSIX shared memory writer: creates the object argv[1], sizes it, maps it
 * and writes a message into it.
 *
 * The POSIX side of the notes' contrast with System V (shmget/shmat): an
 * object has a name like a file ("/name", living in /dev/shm), is sized with
 * ftruncate and mapped with mmap, and stays until shm_unlink. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rsipc.h"

#define SIZE 4096

int main(int argc, char *argv[]) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s /NAME MESSAGE\n", argv[0]);
        return 2;
    }
    int fd = rsipc_shm_open(argv[1], O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1) {
        fprintf(stderr, "writer: %s\n", rsipc_last_error());
        return 1;
    }
    if (ftruncate(fd, SIZE) == -1) {
        perror("writer: ftruncate");
        return 1;
    }
    char *p = rsipc_mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "writer: %s\n", rsipc_last_error());
        return 1;
    }
    if (close(fd) == -1) { /* the mapping keeps the object */
        perror("writer: close");
        return 1;
    }
    snprintf(p, SIZE, "%s", argv[2]);
    printf("writer: created a %d-byte object and wrote: %s\n", SIZE, p);
    if (rsipc_munmap(p, SIZE) == -1) {
        fprintf(stderr, "writer: %s\n", rsipc_last_error());
        return 1;
    }
    return 0;
}
