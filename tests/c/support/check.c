/* The assertion kit's counters and reports (check.h). */
#include "check.h"

#include <sys/wait.h>

int check_failures = 0;
int check_count = 0;

int check_record(int ok, const char *expr, const char *file, int line) {
    int err = errno; /* as the checked expression left it */
    check_count++;
    if (!ok) {
        check_failures++;
        fprintf(stderr, "%s:%d: CHECK(%s) failed (errno %d, last error \"%s\")\n", file, line, expr, err,
                rsipc_last_error());
    }
    errno = err;
    return ok;
}

void check_failure_result(int ret_ok, int got_errno, int want_errno, const char *msg, const char *name,
                          const char *call, const char *failval, const char *err, const char *file, int line) {
    if (ret_ok && got_errno == want_errno && strstr(msg, name) == msg) return;
    check_failures++;
    fprintf(stderr, "%s:%d: %s: expected failure %s/%s, got errno %d (%s), last error \"%s\"\n", file, line, call,
            failval, err, got_errno, strerror(got_errno), msg);
}

int check_summary(const char *what) {
    printf("%s: %d checks, %d failed\n", what, check_count, check_failures);
    return check_failures == 0 ? 0 : 1;
}

int check_root_part(int argc, char **argv, const char *what, const char *why) {
    if (argc < 2 || strcmp(argv[1], "--root") != 0) return 0;
    if (geteuid() != 0) {
        printf("%s (root part): skipped, not running as root: %s\n", what, why);
        exit(77);
    }
    return 1;
}

int wait_code(pid_t pid) {
    int status;
    if (waitpid(pid, &status, 0) != pid) return -1;
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
