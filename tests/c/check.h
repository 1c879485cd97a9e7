/* A tiny assertion kit for the C tests: each failed check prints where and
 * why, and main returns check_summary() so ctest sees the failure. */
#ifndef RSIPC_TEST_CHECK_H
#define RSIPC_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rsipc.h"

static int check_failures = 0;
static int check_count = 0;

#define CHECK(cond)                                                              \
    do {                                                                         \
        check_count++;                                                           \
        if (!(cond)) {                                                           \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: CHECK(%s) failed (errno %d, last error \"%s\")\n", \
                    __FILE__, __LINE__, #cond, errno, rsipc_last_error());       \
        }                                                                        \
    } while (0)

/* `call` must return `failval`, set errno to `err`, and leave a last-error
 * message that names `name` (the function without its rsipc_ prefix). */
#define CHECK_FAILS(call, failval, err, name)                                    \
    do {                                                                         \
        check_count++;                                                           \
        rsipc_clear_error();                                                     \
        errno = 0;                                                               \
        __typeof__(call) check_ret_ = (call);                                    \
        int check_errno_ = errno;                                                \
        const char *check_msg_ = rsipc_last_error();                             \
        if (check_ret_ != (failval) || check_errno_ != (err) ||                  \
            strstr(check_msg_, name) != check_msg_) {                            \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: %s: expected failure %s/%s, got errno %d (%s), last error \"%s\"\n", \
                    __FILE__, __LINE__, #call, #failval, #err, check_errno_,     \
                    strerror(check_errno_), check_msg_);                         \
        }                                                                        \
    } while (0)

static int check_summary(const char *what) {
    printf("%s: %d checks, %d failed\n", what, check_count, check_failures);
    return check_failures == 0 ? 0 : 1;
}

#endif
