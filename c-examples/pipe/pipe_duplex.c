/* Two pipes make a duplex channel: the parent sends words to the child on
 * one, the child answers each in upper case on the other. */
#include <ctype.h>

#include "common.h"

#define MSG_LEN 32

int main(int argc, char **argv) {
    const char *defaults[] = {"hello", "pipes", "are", "one-way"};
    const char **words = argc > 1 ? (const char **)argv + 1 : defaults;
    int nwords = argc > 1 ? argc - 1 : 4;

    int to_child[2], to_parent[2];
    if (rsipc_pipe(to_child) == -1 || rsipc_pipe(to_parent) == -1) DIE("pipe");

    pid_t pid = fork();
    if (pid == -1) DIE("fork");
    if (pid == 0) {
        close(to_child[1]);
        close(to_parent[0]);
        char msg[MSG_LEN];
        for (;;) {
            ssize_t n = rsipc_read_exact(to_child[0], msg, sizeof msg);
            if (n == 0) break;
            if (n != MSG_LEN) DIE("read_exact (child)");
            for (int i = 0; msg[i]; i++) msg[i] = (char)toupper((unsigned char)msg[i]);
            if (rsipc_write_all(to_parent[1], msg, sizeof msg) != MSG_LEN) DIE("write_all (child)");
        }
        _exit(0);
    }

    close(to_child[0]);
    close(to_parent[1]);
    for (int i = 0; i < nwords; i++) {
        char msg[MSG_LEN] = {0};
        snprintf(msg, sizeof msg, "%s", words[i]);
        if (rsipc_write_all(to_child[1], msg, sizeof msg) != MSG_LEN) DIE("write_all");
        if (rsipc_read_exact(to_parent[0], msg, sizeof msg) != MSG_LEN) DIE("read_exact");
        printf("sent \"%s\", got back \"%s\"\n", words[i], msg);
    }
    close(to_child[1]); /* the child sees end of file and exits */
    close(to_parent[0]);
    if (wait_ok(pid) != 0) DIE("child");
    return 0;
}
