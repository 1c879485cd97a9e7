/* A failing rsipc_mq_receive / rsipc_mq_send makes exactly the system call
 * glibc makes and no other: what the message needs beyond the failure
 * itself (is the descriptor open at all? the queue's mq_msgsize?) is asked
 * of the kernel only when rsipc_last_error() is read.
 *
 * A child process installs a seccomp filter that allows only the queue's
 * two transfer calls and exit: any other system call kills it with SIGSYS.
 * Under it, the failing calls run many times (EBADF on a closed descriptor,
 * EMSGSIZE on a buffer below mq_msgsize, EBADF on a descriptor open for the
 * other direction); the child exits 0 only if each failed as glibc's did. */
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <mqueue.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

#if defined(NATIVE_ARCH) && !defined(UNDER_ASAN)

#define ROUNDS 1000


/* Allows mq_timedreceive, mq_timedsend and the ways out; kills on anything
 * else. */
static int allow_only_queue_transfers(void) {
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mq_timedreceive, 4, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mq_timedsend, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* A queue of 64-byte messages holding one message, its name removed. */
static mqd_t queue_with_a_message(int oflag) {
    char name[96];
    snprintf(name, sizeof name, "/rsipc-test-no-syscall-%d", (int)getpid());
    struct mq_attr attr = {.mq_maxmsg = 2, .mq_msgsize = 64};
    mqd_t q = mq_open(name, oflag | O_CREAT | O_EXCL, 0600, &attr);
    if (q == (mqd_t)-1) return q;
    mq_unlink(name);
    if (mq_send(q, "x", 1, 0) != 0) {
        mq_close(q);
        return (mqd_t)-1;
    }
    return q;
}

/* A descriptor number nothing in this test opens. */
static int closed_descriptor(void) {
    int fd = 1000000;
    while (fcntl(fd, F_GETFD) != -1) fd++;
    return fd;
}

int main(void) {
    int closed = closed_descriptor();
    mqd_t q = queue_with_a_message(O_RDWR | O_NONBLOCK);
    CHECK(closed >= 0 && q != (mqd_t)-1);
    char small[8], big[64];

    /* What glibc says. */
    errno = 0;
    CHECK(mq_receive(closed, big, sizeof big, NULL) == -1 && errno == EBADF);
    CHECK(mq_receive(q, small, sizeof small, NULL) == -1 && errno == EMSGSIZE);
    CHECK(mq_send(closed, "x", 1, 0) == -1 && errno == EBADF);

    fflush(stdout);
    fflush(stderr);
    pid_t child = fork();
    if (child == 0) {
        if (allow_only_queue_transfers() != 0) _exit(3);
        for (int i = 0; i < ROUNDS; i++) {
            if (rsipc_mq_receive(closed, big, sizeof big, NULL) != -1 || errno != EBADF) _exit(4);
            if (rsipc_mq_receive(q, small, sizeof small, NULL) != -1 || errno != EMSGSIZE) _exit(5);
            if (rsipc_mq_send(closed, "x", 1, 0) != -1 || errno != EBADF) _exit(6);
        }
        _exit(0);
    }
    int status = 0;
    CHECK(child > 0 && waitpid(child, &status, 0) == child);
    if (WIFSIGNALED(status))
        fprintf(stderr, "the child died of signal %d (%s): a failing call made a system call beyond the queue's own\n",
                WTERMSIG(status), WTERMSIG(status) == SIGSYS ? "SIGSYS" : "?");
    else if (WEXITSTATUS(status) != 0)
        fprintf(stderr, "the child exited with %d (3: no seccomp, 4-6: a call did not fail as glibc's)\n",
                WEXITSTATUS(status));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("failing calls under the filter: %d, extra system calls: %s\n", 3 * ROUNDS,
           WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "none" : "yes (or a wrong result)");

    /* The facts come when the message is read, and it says so. */
    CHECK_FAILS(rsipc_mq_receive(closed, big, sizeof big, NULL), -1, EBADF, "mq_receive(");
    CHECK(strstr(rsipc_last_error(), "is not open") != NULL);
    CHECK(strstr(rsipc_last_error(), "found when this message was read") != NULL);
    CHECK_FAILS(rsipc_mq_receive(q, small, sizeof small, NULL), -1, EMSGSIZE, "mq_receive(");
    CHECK(strstr(rsipc_last_error(), "mq_msgsize (64)") != NULL);
    CHECK(strstr(rsipc_last_error(), "found when this message was read") != NULL);

    mq_close(q);
    return check_summary("test_no_syscall_on_failure");
}
#else
int main(void) {
    (void)check_summary;
#if defined(UNDER_ASAN)
    printf("skipped: AddressSanitizer's runtime makes system calls of its own\n");
#else
    printf("skipped: no seccomp architecture constant for this machine\n");
#endif
    return 77;
}
#endif
