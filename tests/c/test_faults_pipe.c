/* Signals during rsipc_read_exact (the harness: support/faults.h): it
 * retries EINTR by contract, so interrupted while blocked in read, by a
 * handler installed without and with SA_RESTART, it completes once the
 * data comes; glibc's read is shown beside (EINTR without SA_RESTART). */
#include <fcntl.h>
#include <sys/syscall.h>

#include "faults.h"

static int eintr_pipe[2] = {-1, -1};
static int eintr_pipe_setup(void) { return rsipc_pipe2(eintr_pipe, O_CLOEXEC); }
static long eintr_read(int rsipc) {
    char buf[8];
    close(eintr_pipe[1]);
    return rsipc ? rsipc_read_exact(eintr_pipe[0], buf, sizeof buf) : read(eintr_pipe[0], buf, sizeof buf);
}
static void eintr_pipe_release(void) { rsipc_write_all(eintr_pipe[1], "12345678", 8); }
static void eintr_pipe_teardown(void) {
    for (int i = 0; i < 2; i++)
        if (eintr_pipe[i] >= 0) close(eintr_pipe[i]);
    eintr_pipe[0] = eintr_pipe[1] = -1;
}

/* rsipc_read_exact retries EINTR by contract: interrupted while blocked in
 * read, it completes once the data comes (glibc's read is shown beside). */
static void test_read_exact_retries_eintr(void) {
    const struct eintr_case c = {"read", SYS_read, SYS_read, eintr_pipe_setup, eintr_read, eintr_pipe_release,
                                 eintr_pipe_teardown};
    for (int restart = 0; restart < 2; restart++) {
        current_restart = restart;
        long ret[2];
        int err[2];
        CHECK(eintr_run(&c, 0, &ret[0], &err[0]));
        CHECK(eintr_run(&c, 1, &ret[1], &err[1]));
        CHECK(ret[1] == 8);
        CHECK(restart ? ret[0] == 8 : (ret[0] == -1 && err[0] == EINTR));
        char a[64], b[64];
        printf("  EINTR %-22s %-10s glibc read %-11s rsipc_read_exact %s\n", "read / read_exact",
               restart ? "SA_RESTART" : "no restart", outcome(ret[0], err[0], a, sizeof a),
               outcome(ret[1], err[1], b, sizeof b));
    }
}

int main(void) {
    faults_begin("test_faults_pipe");
    test_read_exact_retries_eintr();
    return faults_end("test_faults_pipe");
}
