/* Signals during rsipc_fifo_open (the harness: support/faults.h): a
 * SIGUSR1 handler installed without and with SA_RESTART interrupts a
 * process waiting forever for a reader, once in rsipc_fifo_open and once in
 * glibc's open(O_WRONLY); both must end the same way (the same return value
 * and errno). And a contract without a glibc twin: rsipc_fifo_open with a
 * timeout ends with EINTR with or without SA_RESTART. */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "faults.h"

static char fifo_path[128];
static int fifo_reader = -1;
static int eintr_fifo_setup(void) {
    snprintf(fifo_path, sizeof fifo_path, "/tmp/rsipc-faults-%d.fifo", (int)getpid());
    if (rsipc_mkfifo(fifo_path, 0600) != 0) return -1;
    track(OBJ_PATH, -1, fifo_path);
    return 0;
}
static long eintr_fifo_open(int rsipc) {
    int fd = rsipc ? rsipc_fifo_open(fifo_path, O_WRONLY, -1) : open(fifo_path, O_WRONLY);
    if (fd >= 0) close(fd);
    return fd >= 0 ? 0 : -1;
}
static void eintr_fifo_release(void) { fifo_reader = rsipc_fifo_open(fifo_path, O_RDONLY | O_NONBLOCK, 0); }
static void eintr_fifo_teardown(void) {
    if (fifo_reader >= 0) close(fifo_reader);
    fifo_reader = -1;
}

static const struct eintr_case fifo_eintr_cases[] = {
    {"fifo open for writing", SYS_openat, SYS_openat, eintr_fifo_setup, eintr_fifo_open, eintr_fifo_release,
     eintr_fifo_teardown},
};

/* rsipc_fifo_open with a timeout has no glibc counterpart; its contract:
 * a handler that runs during the timed wait ends it with EINTR, with or
 * without SA_RESTART (a signal arriving between two of its tries is held
 * until the next sleep, never absorbed). */
static long eintr_fifo_open_timed(int rsipc) {
    (void)rsipc;
    int fd = rsipc_fifo_open(fifo_path, O_WRONLY, 600000);
    if (fd >= 0) close(fd);
    return fd >= 0 ? 0 : -1;
}

static void test_timed_fifo_open_ends_with_eintr(void) {
    const struct eintr_case c = {"timed fifo open", SYS_ppoll, SYS_ppoll, eintr_fifo_setup, eintr_fifo_open_timed,
                                 eintr_fifo_release, eintr_fifo_teardown};
    for (int restart = 0; restart < 2; restart++) {
        current_restart = restart;
        long ret;
        int err;
        CHECK(eintr_run(&c, 1, &ret, &err));
        CHECK(ret == -1 && err == EINTR);
        char b[64];
        printf("  EINTR %-22s %-10s rsipc_fifo_open(timeout_ms=600000) %s\n", "timed fifo open",
               restart ? "SA_RESTART" : "no restart", outcome(ret, err, b, sizeof b));
    }
}

int main(void) {
    faults_begin("test_faults_fifo");
    eintr_compare_with_glibc(fifo_eintr_cases, sizeof fifo_eintr_cases / sizeof fifo_eintr_cases[0]);
    test_timed_fifo_open_ends_with_eintr();
    return faults_end("test_faults_fifo");
}
