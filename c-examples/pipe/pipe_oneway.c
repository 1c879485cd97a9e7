/* One-way pipe from a child to its parent: the child reads lines from its
 * standard input (the notes read the keyboard) and sends each one; the
 * parent prints what it receives until the child closes its end. */
#include "common.h"

#define LINE_MAX_LEN 256

int main(void) {
    int fds[2];
    if (rsipc_pipe(fds) == -1) DIE("pipe");

    pid_t pid = fork();
    if (pid == -1) DIE("fork");
    if (pid == 0) {
        close(fds[0]);
        char line[LINE_MAX_LEN];
        /* Each message is a fixed-size record so the parent can read one at
         * a time with read_exact. */
        while (fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\n")] = '\0';
            char record[LINE_MAX_LEN] = {0};
            strcpy(record, line);
            if (rsipc_write_all(fds[1], record, sizeof record) != (ssize_t)sizeof record) DIE("write_all");
        }
        close(fds[1]);
        _exit(0);
    }

    close(fds[1]);
    char record[LINE_MAX_LEN];
    int lines = 0;
    for (;;) {
        ssize_t n = rsipc_read_exact(fds[0], record, sizeof record);
        if (n == -1) DIE("read_exact");
        if (n == 0) break; /* the child closed its end: end of file */
        if (n != (ssize_t)sizeof record) {
            fprintf(stderr, "short record of %zd bytes\n", n);
            return 1;
        }
        record[sizeof record - 1] = '\0';
        printf("parent received: %s\n", record);
        lines++;
    }
    close(fds[0]);
    if (wait_ok(pid) != 0) DIE("child");
    printf("parent: %d lines, then end of file\n", lines);
    return 0;
}
