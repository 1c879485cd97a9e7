/* The notes' three 16-byte messages: the writer sends them and closes its
 * end; the reader reads 16 bytes at a time and stops at end of file. */
#include "common.h"

#define MSGSIZE 16

int main(void) {
    const char *msgs[3] = {"hello, world #1", "hello, world #2", "hello, world #3"};
    int fds[2];
    if (rsipc_pipe(fds) == -1) DIE("pipe");

    pid_t pid = fork();
    if (pid == -1) DIE("fork");
    if (pid == 0) {
        close(fds[0]);
        for (int i = 0; i < 3; i++)
            if (rsipc_write_all(fds[1], msgs[i], MSGSIZE) != MSGSIZE) DIE("write_all");
        close(fds[1]); /* without this the reader would wait forever */
        _exit(0);
    }

    close(fds[1]);
    char inbuf[MSGSIZE];
    ssize_t n;
    while ((n = rsipc_read_exact(fds[0], inbuf, MSGSIZE)) == MSGSIZE) printf("%s\n", inbuf);
    if (n != 0) DIE("read_exact");
    printf("reading finished: end of file\n");
    close(fds[0]);
    return wait_ok(pid) == 0 ? 0 : 1;
}
