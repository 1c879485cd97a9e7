/* The pipe API through the public header: behaviour, errors, processes. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static int closed_fd(void) {
    int fds[2];
    if (pipe(fds) != 0) abort();
    close(fds[0]);
    close(fds[1]);
    return fds[0];
}

static void test_version(void) {
    char expect[32];
    snprintf(expect, sizeof expect, "%d.%d.%d", RSIPC_VERSION_MAJOR, RSIPC_VERSION_MINOR, RSIPC_VERSION_PATCH);
    CHECK(strcmp(rsipc_version(), expect) == 0);
    CHECK(strcmp(rsipc_version(), RSIPC_VERSION_STRING) == 0);
}

static void test_last_error_lifecycle(void) {
    rsipc_clear_error();
    CHECK(strcmp(rsipc_last_error(), "") == 0);
    CHECK(rsipc_pipe(NULL) == -1);
    CHECK(strcmp(rsipc_last_error(), "pipe(fds=NULL): EFAULT: `fds` is NULL") == 0);
    /* A successful call leaves the message (and errno) alone. */
    int fds[2];
    errno = 1234;
    CHECK(rsipc_pipe(fds) == 0);
    CHECK(errno == 1234);
    CHECK(strstr(rsipc_last_error(), "pipe(fds=NULL)") != NULL);
    close(fds[0]);
    close(fds[1]);
}

static void test_round_trip_and_capacity(void) {
    int fds[2];
    char buf[16] = {0};
    CHECK(rsipc_pipe2(fds, O_CLOEXEC) == 0);
    CHECK((fcntl(fds[0], F_GETFD) & FD_CLOEXEC) != 0);
    CHECK(rsipc_pipe_capacity(fds[0]) == 65536);
    CHECK(rsipc_pipe_set_capacity(fds[1], 4096 * 3) == 4096 * 4);
    CHECK(rsipc_write_all(fds[1], "hello", 5) == 5);
    CHECK(rsipc_read_exact(fds[0], buf, 5) == 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK(rsipc_write_all(fds[1], buf, 0) == 0);
    close(fds[1]);
    errno = 77;
    CHECK(rsipc_read_exact(fds[0], buf, sizeof buf) == 0);
    CHECK(errno == 0); /* end of file is not an error */
    close(fds[0]);
}

static void test_nonblocking_full_pipe(void) {
    int fds[2];
    static char big[100000];
    CHECK(rsipc_pipe(fds) == 0);
    CHECK(rsipc_set_nonblocking(fds[1], 1) == 0);
    CHECK((fcntl(fds[1], F_GETFL) & O_NONBLOCK) != 0);
    errno = 0;
    CHECK(rsipc_write_all(fds[1], big, sizeof big) == 65536); /* partial: the pipe filled up */
    CHECK(errno == EAGAIN);
    CHECK(strstr(rsipc_last_error(), "write_all(") == rsipc_last_error());
    CHECK(rsipc_set_nonblocking(fds[1], 0) == 0);
    CHECK((fcntl(fds[1], F_GETFL) & O_NONBLOCK) == 0);
    close(fds[0]);
    close(fds[1]);
}

static void test_bad_input_never_crashes(void) {
    int bad = closed_fd();
    char buf[4];
    int fds[2];
    CHECK_FAILS(rsipc_pipe(NULL), -1, EFAULT, "pipe(");
    CHECK_FAILS(rsipc_pipe2(NULL, 0), -1, EFAULT, "pipe2(");
    CHECK_FAILS(rsipc_pipe2(fds, O_APPEND), -1, EINVAL, "pipe2(");
    CHECK_FAILS(rsipc_pipe_capacity(bad), -1, EBADF, "pipe_capacity(");
    CHECK_FAILS(rsipc_pipe_capacity(-1), -1, EBADF, "pipe_capacity(");
    CHECK_FAILS(rsipc_pipe_set_capacity(bad, 4096), -1, EBADF, "pipe_set_capacity(");
    CHECK_FAILS(rsipc_pipe_set_capacity(0, -1), -1, EINVAL, "pipe_set_capacity(");
    CHECK_FAILS(rsipc_set_nonblocking(bad, 1), -1, EBADF, "set_nonblocking(");
    CHECK_FAILS(rsipc_set_nonblocking(0, 7), -1, EINVAL, "set_nonblocking(");
    CHECK_FAILS(rsipc_write_all(bad, "x", 1), -1, EBADF, "write_all(");
    CHECK_FAILS(rsipc_write_all(1, NULL, 1), -1, EFAULT, "write_all(");
    CHECK_FAILS(rsipc_write_all(1, "x", (size_t)-1), -1, EINVAL, "write_all(");
    CHECK_FAILS(rsipc_read_exact(bad, buf, 1), -1, EBADF, "read_exact(");
    CHECK_FAILS(rsipc_read_exact(0, NULL, 1), -1, EFAULT, "read_exact(");
    /* A FIFO-less regular file is not a pipe. */
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    CHECK_FAILS(rsipc_pipe_capacity(fd), -1, EBADF, "pipe_capacity(");
    CHECK(strstr(rsipc_last_error(), "not a pipe") != NULL);
    close(fd);
}

static void test_epipe_between_processes(void) {
    int fds[2];
    CHECK(rsipc_pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        /* Child: the only reader, exits at once. */
        close(fds[1]);
        close(fds[0]);
        _exit(0);
    }
    close(fds[0]);
    waitpid(pid, NULL, 0);
    signal(SIGPIPE, SIG_IGN);
    CHECK_FAILS(rsipc_write_all(fds[1], "x", 1), -1, EPIPE, "write_all(");
    signal(SIGPIPE, SIG_DFL);
    close(fds[1]);
}

static void test_child_to_parent(void) {
    int fds[2];
    char buf[64] = {0};
    CHECK(rsipc_pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        for (int i = 0; i < 5; i++)
            if (rsipc_write_all(fds[1], "hello world!", 12) != 12) _exit(1);
        _exit(0);
    }
    close(fds[1]);
    ssize_t n = rsipc_read_exact(fds[0], buf, sizeof buf);
    CHECK(n == 60);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fds[0]);
}

int main(void) {
    test_version();
    test_last_error_lifecycle();
    test_round_trip_and_capacity();
    test_nonblocking_full_pipe();
    test_bad_input_never_crashes();
    test_epipe_between_processes();
    test_child_to_parent();
    return check_summary("test_pipe");
}
