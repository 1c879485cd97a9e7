/* Writes A-Z, 0-9, a-z (62 bytes) to a file, maps the file read-only and
 * prints the character at each offset it is given.
 *
 * Port of the notes' mmap sample: the offsets come from argv, or one per
 * line on standard input when there are none (instead of a prompt); an
 * offset outside the file is rejected with a message, as in the notes, and
 * the next one is tried. The data file is unique to this run and removed at
 * the end. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rsipc.h"

static const char *map;
static off_t size;

static void show(const char *arg) {
    char *end;
    errno = 0;
    long long offset = strtoll(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0') {
        printf("\"%s\" is not an offset\n", arg);
    } else if (offset < 0 || offset >= size) {
        printf("offset %lld is out of range: the file has %lld bytes (0 to %lld)\n", offset, (long long)size,
               (long long)size - 1);
    } else {
        printf("offset %lld: %c\n", offset, map[offset]);
    }
}

int main(int argc, char *argv[]) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/rsipc-mmap-chars-%d", (int)getpid());

    /* The data file. */
    char data[62];
    for (int i = 0; i < 26; i++) data[i] = (char)('A' + i);
    for (int i = 0; i < 10; i++) data[26 + i] = (char)('0' + i);
    for (int i = 0; i < 26; i++) data[36 + i] = (char)('a' + i);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd == -1 || write(fd, data, sizeof data) != (ssize_t)sizeof data) {
        perror(path);
        return 1;
    }

    /* Map it read-only, as the notes do: fstat for the size, then mmap. */
    struct stat st;
    if (fstat(fd, &st) == -1) {
        perror("fstat");
        return 1;
    }
    size = st.st_size;
    map = rsipc_mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        fprintf(stderr, "%s\n", rsipc_last_error());
        return 1;
    }
    if (close(fd) == -1) { /* the mapping keeps the file */
        perror("close");
        return 1;
    }
    printf("mapped %lld bytes: %.*s\n", (long long)size, (int)size, map);

    if (argc > 1) {
        for (int i = 1; i < argc; i++) show(argv[i]);
    } else {
        char line[64];
        while (fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\n")] = '\0';
            if (*line) show(line);
        }
    }

    if (rsipc_munmap((void *)map, (size_t)size) == -1) {
        fprintf(stderr, "%s\n", rsipc_last_error());
        return 1;
    }
    if (unlink(path) == -1) {
        perror("unlink");
        return 1;
    }
    return 0;
}
