/* The child writes "hello world!" five times; the parent reads until end of
 * file and counts the messages. */
#include "common.h"

#define MSG "hello world!"
#define LEN 12

int main(void) {
    int fds[2];
    if (rsipc_pipe(fds) == -1) DIE("pipe");
    pid_t pid = fork();
    if (pid == -1) DIE("fork");
    if (pid == 0) {
        close(fds[0]);
        for (int i = 0; i < 5; i++)
            if (rsipc_write_all(fds[1], MSG, LEN) != LEN) DIE("write_all");
        _exit(0); /* exiting closes the write end */
    }
    close(fds[1]);
    char buf[LEN + 1];
    int count = 0;
    ssize_t n;
    while ((n = rsipc_read_exact(fds[0], buf, LEN)) == LEN) {
        buf[LEN] = '\0';
        printf("parent read: %s\n", buf);
        count++;
    }
    if (n != 0) DIE("read_exact");
    printf("end of file after %d messages\n", count);
    close(fds[0]);
    return wait_ok(pid) == 0 && count == 5 ? 0 : 1;
}
