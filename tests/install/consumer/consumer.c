/* A program outside the rsipc tree, built against an installed rsipc. */
#include <rsipc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    int fds[2];
    char buf[3] = {0};
    if (rsipc_pipe(fds) != 0) {
        fprintf(stderr, "rsipc_pipe: %s\n", rsipc_last_error());
        return 1;
    }
    if (rsipc_write_all(fds[1], "ok", 2) != 2 || rsipc_read_exact(fds[0], buf, 2) != 2 || strcmp(buf, "ok") != 0) {
        fprintf(stderr, "round trip failed: %s\n", rsipc_last_error());
        return 1;
    }
    close(fds[0]);
    close(fds[1]);
    if (strcmp(rsipc_version(), RSIPC_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s, library %s\n", RSIPC_VERSION_STRING, rsipc_version());
        return 1;
    }
    printf("consumer ok: rsipc %s\n", rsipc_version());
    return 0;
}
