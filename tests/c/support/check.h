/* A tiny assertion kit for the C tests: each failed check prints where and
 * why, and main returns check_summary() so ctest sees the failure.
 *
 * Part of the test support library (tests/c/support/, linked into every C
 * test): the macros stay here because they capture __FILE__, __LINE__ and
 * the expression's text; the counting and reporting is check.c. */
#ifndef RSIPC_TEST_CHECK_H
#define RSIPC_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "rsipc.h"

/* UNDER_ASAN: this build runs under AddressSanitizer (gcc or clang), whose
 * allocator and system calls of its own some tests must leave alone. A
 * macro, decided where the test itself is compiled. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* The checks made and failed so far in this process (a forked child counts
 * its own). Tests with checks of their own shape bump them directly. */
extern int check_failures;
extern int check_count;

/* Counts one check; when `ok` is 0, counts a failure and prints
 * "file:line: CHECK(expr) failed (errno E, last error "...")" with the errno
 * as it was when called. Returns `ok`. */
int check_record(int ok, const char *expr, const char *file, int line);

#define CHECK(cond) ((void)check_record(!!(cond), #cond, __FILE__, __LINE__))

/* The report of CHECK_FAILS: `ret_ok` says whether the call returned the
 * failure value; the rest is what it left (errno, last-error message) and
 * what was wanted. Counts a failure and prints why unless the call failed
 * as wanted and the message starts with `name`. */
void check_failure_result(int ret_ok, int got_errno, int want_errno, const char *msg, const char *name,
                          const char *call, const char *failval, const char *err, const char *file, int line);

/* `call` must return `failval`, set errno to `err`, and leave a last-error
 * message that names `name` (the function without its rsipc_ prefix). */
#define CHECK_FAILS(call, failval, err, name)                                              \
    do {                                                                                   \
        check_count++;                                                                     \
        rsipc_clear_error();                                                               \
        errno = 0;                                                                         \
        __typeof__(call) check_ret_ = (call);                                              \
        int check_errno_ = errno;                                                          \
        check_failure_result(check_ret_ == (failval), check_errno_, (err), rsipc_last_error(), name, #call, \
                             #failval, #err, __FILE__, __LINE__);                          \
    } while (0)

/* Waits for the child `pid`: its exit status, 128 + the signal that killed
 * it (as a shell reports it), or -1 if waitpid fails. */
int wait_code(pid_t pid);

/* Prints "what: N checks, M failed"; 0 when none failed, else 1 (main's
 * exit status). */
int check_summary(const char *what);

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
int check_root_part(int argc, char **argv, const char *what, const char *why);

#endif
