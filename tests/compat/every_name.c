/* Takes the address of every name rsipc_compat.h maps and calls mq_open in
 * each form glibc's fortified wrapper handles, so that run.py's `nm -u`
 * check sees, for every build (C and C++, compat header first or last,
 * -O0, -O2 -D_FORTIFY_SOURCE=2, -D_FILE_OFFSET_BITS=64), one reference to
 * rsipc_NAME per name and none to a glibc symbol of those names (mq_open,
 * __mq_open_2, mmap64, ...). At run time it checks that the calls whose glibc
 * wrapper or redirect could bypass rsipc (mq_open's four forms, mmap) do
 * reach it: rsipc explains its failures in rsipc_last_error(), glibc leaves
 * it empty. Valid C and C++. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef COMPAT_LAST
#include "rsipc_compat.h"
#endif
#include "names.h"
#include "rsipc.h"

typedef void (*any_function)(void);

#define ADDRESS_OF(name) (any_function)&name,
/* volatile: the optimiser keeps every address, so every name is referenced. */
any_function const volatile every_mapped_function[] = {RSIPC_COMPAT_NAMES(ADDRESS_OF)};

static int failures;

/* `ret` is the failure value and the message is rsipc's, naming `call`. */
static void expect_rsipc_failure(int failed, const char *call, int line) {
    const char *msg = rsipc_last_error();
    if (!failed || strncmp(msg, call, strlen(call)) != 0) {
        failures++;
        fprintf(stderr, "every_name.c:%d: %s did not fail through rsipc (errno %d, last error \"%s\")\n", line, call,
                errno, msg);
    }
}

/* An oflag the compiler cannot see through, for the wrapper's run-time
 * paths (__mq_open_2 with two arguments, the alias with four). */
static int opaque(int value) {
    volatile int v = value;
    return v;
}

int main(void) {
    char name[64];
    snprintf(name, sizeof name, "/rsipc-compat-absent-%d", (int)getpid());
    struct mq_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.mq_maxmsg = 1;
    attr.mq_msgsize = 8;

    rsipc_clear_error();
    expect_rsipc_failure(mq_open(name, O_RDONLY) == (mqd_t)-1 && errno == ENOENT, "mq_open(", __LINE__);
    rsipc_clear_error();
    expect_rsipc_failure(mq_open(name, opaque(O_RDONLY)) == (mqd_t)-1 && errno == ENOENT, "mq_open(", __LINE__);
    /* O_CREAT with a maximum of 0 messages: EINVAL, before anything is made. */
    attr.mq_maxmsg = 0;
    rsipc_clear_error();
    expect_rsipc_failure(mq_open(name, O_CREAT | O_RDWR, 0600, &attr) == (mqd_t)-1 && errno == EINVAL, "mq_open(",
                         __LINE__);
    rsipc_clear_error();
    expect_rsipc_failure(mq_open(name, opaque(O_CREAT | O_RDWR), 0600, &attr) == (mqd_t)-1 && errno == EINVAL,
                         "mq_open(", __LINE__);
    rsipc_clear_error();
    expect_rsipc_failure(mmap(NULL, 4096, PROT_READ, MAP_SHARED, -1, 0) == MAP_FAILED && errno == EBADF, "mmap(",
                         __LINE__);
    rsipc_clear_error();
    expect_rsipc_failure(shmdt((const void *)1) == -1 && errno == EINVAL, "shmdt(",
                         __LINE__);

    printf("%zu names mapped, %d failures\n", sizeof every_mapped_function / sizeof every_mapped_function[0],
           failures);
    return failures == 0 ? 0 : 1;
}
