/* Process B of "both map one disk file": maps the whole file argv[1]
 * read-write and shared, prints the message process A left in it, writes a
 * reply after it, and checks with read(2) that the reply is in the file.
 * Removes the file when done.
 *
 * Port of the notes' reader. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rsipc.h"

int main(int argc, char *argv[]) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    size_t len = 0; /* the whole file */
    char *map = rsipc_map_file(argv[1], O_RDWR, 0, &len);
    if (map == MAP_FAILED) {
        fprintf(stderr, "reader: %s\n", rsipc_last_error());
        return 1;
    }
    printf("reader: mapped the %zu-byte file and read: %.*s\n", len, (int)strnlen(map, len), map);

    const char reply[] = "got it, thanks";
    memcpy(map + len / 2, reply, sizeof reply);
    if (rsipc_msync(map, len, MS_SYNC) == -1 || rsipc_munmap(map, len) == -1) {
        fprintf(stderr, "reader: %s\n", rsipc_last_error());
        return 1;
    }

    /* The reply went to the file through the mapping: read it back. */
    char check[sizeof reply];
    int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (fd == -1 || pread(fd, check, sizeof check, (off_t)(len / 2)) != (ssize_t)sizeof check || close(fd) == -1) {
        perror("reader: pread");
        return 1;
    }
    printf("reader: wrote a reply; read(2) finds it in the file: %s\n", check);
    if (unlink(argv[1]) == -1) {
        perror("reader: unlink");
        return 1;
    }
    return 0;
}
