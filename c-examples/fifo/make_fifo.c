/* mkfifo: create a named pipe, show that it is one and what creating it a
 * second time says.
 *
 * Port of the notes' FIFO creation program. Given a path (argv[1]) it leaves
 * the FIFO there for the programs that will use it (the server/client demo
 * creates its well-known FIFO this way); without one it uses a name unique to
 * this run and removes the FIFO at the end. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rsipc.h"

int main(int argc, char *argv[]) {
    char path[256];
    int keep = argc > 1;
    if (keep)
        snprintf(path, sizeof path, "%s", argv[1]);
    else
        snprintf(path, sizeof path, "/tmp/rsipc-myfifo-%d", (int)getpid());

    if (rsipc_mkfifo(path, 0666) == -1) {
        fprintf(stderr, "mkfifo failed: %s\n", rsipc_last_error());
        return 1;
    }
    printf("mkfifo: created the FIFO\n");

    struct stat st;
    if (lstat(path, &st) == -1) {
        perror("lstat");
        return 1;
    }
    printf("it is a FIFO: %s\n", S_ISFIFO(st.st_mode) ? "yes" : "no");

    /* mkfifo never replaces an existing file. */
    if (rsipc_mkfifo(path, 0666) == 0 || errno != EEXIST) {
        fprintf(stderr, "a second mkfifo should fail with EEXIST\n");
        unlink(path);
        return 1;
    }
    printf("a second mkfifo fails: %s\n", rsipc_last_error());

    if (keep) {
        printf("left the FIFO in place for its users\n");
        return 0;
    }

    if (unlink(path) == -1) {
        perror("unlink");
        return 1;
    }
    printf("removed the FIFO\n");
    return 0;
}
