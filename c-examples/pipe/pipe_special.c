/* The four special cases of pipes, each shown between two processes:
 *   1. a writer blocks on a full pipe until the reader drains it;
 *   2. a reader blocks on an empty pipe until something is written;
 *   3. read returns 0 (end of file) once every write end is closed;
 *   4. a writer whose readers are all gone gets SIGPIPE (or EPIPE when the
 *      signal is ignored).
 * "Blocks" is shown, not assumed: the parent waits until the kernel reports
 * the child asleep in pipe_write / pipe_read (/proc/PID/wchan). */
#include <signal.h>

#include "common.h"

static void case_full_pipe_blocks_writer(void) {
    int fds[2];
    if (rsipc_pipe(fds) == -1) DIE("pipe");
    int cap = rsipc_pipe_capacity(fds[1]);
    if (cap == -1) DIE("pipe_capacity");

    pid_t pid = fork();
    if (pid == -1) DIE("fork");
    if (pid == 0) {
        close(fds[0]);
        static char data[65536 + 4096];
        /* More than the capacity: blocks once the pipe is full. */
        _exit(rsipc_write_all(fds[1], data, sizeof data) == (ssize_t)sizeof data ? 0 : 1);
    }
    close(fds[1]);
    if (wait_until_blocked_in(pid, "pipe_write", "pipe_wait_writable") != 0) DIE("waiting for the writer to block");
    printf("1. writer blocked with the pipe full (%d bytes)\n", cap);
    static char sink[65536 + 4096];
    ssize_t n = rsipc_read_exact(fds[0], sink, sizeof sink);
    if (n != (ssize_t)sizeof sink) DIE("read_exact");
    if (wait_ok(pid) != 0) DIE("writer");
    printf("   reader drained %zd bytes; the writer finished\n", n);
    close(fds[0]);
}

static void case_empty_pipe_blocks_reader(void) {
    int fds[2];
    if (rsipc_pipe(fds) == -1) DIE("pipe");
    pid_t pid = fork();
    if (pid == -1) DIE("fork");
    if (pid == 0) {
        close(fds[1]);
        char buf[8] = {0};
        if (rsipc_read_exact(fds[0], buf, 7) != 7) _exit(1);
        _exit(strcmp(buf, "wake up") == 0 ? 0 : 1);
    }
    close(fds[0]);
    if (wait_until_blocked_in(pid, "pipe_read", "pipe_wait_readable") != 0) DIE("waiting for the reader to block");
    printf("2. reader blocked on the empty pipe\n");
    if (rsipc_write_all(fds[1], "wake up", 7) != 7) DIE("write_all");
    if (wait_ok(pid) != 0) DIE("reader");
    printf("   one write woke it; it read \"wake up\"\n");
    close(fds[1]);
}

static void case_eof_after_all_writers_close(void) {
    int fds[2];
    if (rsipc_pipe(fds) == -1) DIE("pipe");
    pid_t pid = fork();
    if (pid == -1) DIE("fork");
    if (pid == 0) {
        close(fds[0]);
        _exit(rsipc_write_all(fds[1], "bye", 3) == 3 ? 0 : 1);
    }
    close(fds[1]); /* the parent's own copy of the write end, too */
    char buf[16];
    ssize_t n = rsipc_read_exact(fds[0], buf, sizeof buf);
    if (n != 3 || errno != 0) DIE("read_exact");
    n = rsipc_read_exact(fds[0], buf, sizeof buf);
    printf("3. after the last writer closed: read got 3 bytes, then %zd (end of file)\n", n);
    close(fds[0]);
    if (wait_ok(pid) != 0) DIE("writer");
}

static void case_no_reader_sigpipe(void) {
    int fds[2];
    if (rsipc_pipe(fds) == -1) DIE("pipe");
    close(fds[0]); /* no reader left */
    pid_t pid = fork();
    if (pid == -1) DIE("fork");
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        rsipc_write_all(fds[1], "x", 1); /* killed here by SIGPIPE */
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) DIE("waitpid");
    if (!WIFSIGNALED(status)) DIE("expected the writer to be killed");
    printf("4. writer with no reader was killed by signal %d (%s)\n", WTERMSIG(status),
           WTERMSIG(status) == SIGPIPE ? "SIGPIPE" : "unexpected");

    signal(SIGPIPE, SIG_IGN);
    ssize_t n = rsipc_write_all(fds[1], "x", 1);
    int err = errno;
    printf("   with SIGPIPE ignored: write_all returned %zd, errno %s\n", n, err == EPIPE ? "EPIPE" : strerror(err));
    printf("   rsipc explains: %s\n", rsipc_last_error());
    signal(SIGPIPE, SIG_DFL);
    close(fds[1]);
}

int main(void) {
    case_full_pipe_blocks_writer();
    case_empty_pipe_blocks_reader();
    case_eof_after_all_writers_close();
    case_no_reader_sigpipe();
    return 0;
}
