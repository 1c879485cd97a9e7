/* A tiny assertion kit for the C tests: each failed check prints where and
 * why, and main returns check_summary() so ctest sees the failure. */
#ifndef RSIPC_TEST_CHECK_H
#define RSIPC_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsipc.h"

/* UNDER_ASAN: this build runs under AddressSanitizer (gcc or clang), whose
 * allocator and system calls of its own some tests must leave alone. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

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

/* Checks that need root (to be a second user through privdrop.h) run as a
 * ctest test of their own, c_<program>_root, so that as another user they
 * show as skipped rather than passed. tests/CMakeLists.txt registers that
 * test, with the argument "--root", for every program whose source calls
 * check_root_part():
 *
 *     int main(int argc, char **argv) {
 *         if (check_root_part(argc, argv, "test_x", "why root is needed")) {
 *             ...checks that need root...
 *             return check_summary("test_x (root part)");
 *         }
 *         ...every other check...
 *     }
 *
 * Without "--root" it returns 0. With it, it returns 1 when running as root;
 * as anyone else it prints why the part is skipped and exits 77 (the
 * SKIP_RETURN_CODE of every C test). */
static inline int check_root_part(int argc, char **argv, const char *what, const char *why) {
    if (argc < 2 || strcmp(argv[1], "--root") != 0) return 0;
    if (geteuid() != 0) {
        printf("%s (root part): skipped, not running as root: %s\n", what, why);
        exit(77);
    }
    return 1;
}

#endif
