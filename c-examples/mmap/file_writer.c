/* Process A of "both map one disk file": creates the file argv[1] one page
 * long, maps it read-write and shared, writes a message into the mapping and
 * flushes it with msync. It never calls write(2): the file changes because
 * the memory does.
 *
 * Port of the notes' writer; the driver runs process B (file_reader) after
 * this one has exited, so B sees only what reached the file. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "rsipc.h"

int main(int argc, char *argv[]) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE MESSAGE\n", argv[0]);
        return 2;
    }
    size_t len = 4096;
    char *map = rsipc_map_file(argv[1], O_RDWR | O_CREAT | O_EXCL, 0600, &len);
    if (map == MAP_FAILED) {
        fprintf(stderr, "writer: %s\n", rsipc_last_error());
        return 1;
    }
    snprintf(map, len, "%s", argv[2]);
    if (rsipc_msync(map, len, MS_SYNC) == -1 || rsipc_munmap(map, len) == -1) {
        fprintf(stderr, "writer: %s\n", rsipc_last_error());
        return 1;
    }
    printf("writer: mapped a %zu-byte file and wrote: %s\n", len, argv[2]);
    return 0;
}
