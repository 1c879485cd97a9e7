/* System V message queues through the public header: type selection and
 * flags, every msgctl command, rsipc beside glibc (same results, same
 * errnos), messages exchanged both ways between a glibc process and an
 * rsipc process on one queue, removal waking blocked processes, and the
 * error cases. */
#include <limits.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

struct small_msg {
    long mtype;
    char mtext[32];
};

static int wait_child(pid_t pid) {
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

/* A new private queue (removed by the test that made it). */
static int new_queue(void) {
    int id = rsipc_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (id == -1) {
        fprintf(stderr, "msgget: %s\n", rsipc_last_error());
        abort();
    }
    return id;
}

static int send_text(int id, long mtype, const char *text) {
    struct small_msg m = {mtype, {0}};
    size_t len = strlen(text);
    memcpy(m.mtext, text, len);
    return rsipc_msgsnd(id, &m, len, 0);
}

/* Takes one message with rsipc; returns its type, and its text in `out`. */
static long take(int id, long msgtyp, int flags, char *out, size_t room) {
    struct small_msg m;
    memset(&m, 0, sizeof m);
    ssize_t n = rsipc_msgrcv(id, &m, room, msgtyp, flags);
    if (n < 0) return -1;
    memcpy(out, m.mtext, (size_t)n);
    out[n] = '\0';
    return m.mtype;
}

/* Waits until `pid` sleeps inside system call `nr` (/proc/PID/syscall
 * names the call only while the task is blocked in it). */
static int wait_until_blocked_in(pid_t pid, long nr) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
    for (int i = 0; i < 60000; i++) {
        FILE *f = fopen(path, "r");
        if (f) {
            long got = -1;
            int ok = fgets(line, sizeof line, f) != NULL && sscanf(line, "%ld", &got) == 1;
            fclose(f);
            if (ok && got == nr) return 0;
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return -1;
}

static void test_messages_come_back_with_their_types(void) {
    int id = new_queue();
    char text[33];
    CHECK(send_text(id, 2, "two") == 0);
    CHECK(send_text(id, 1, "one") == 0);
    CHECK(take(id, 0, IPC_NOWAIT, text, 32) == 2 && strcmp(text, "two") == 0);
    CHECK(take(id, 0, IPC_NOWAIT, text, 32) == 1 && strcmp(text, "one") == 0);
    CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
}

static void test_type_selection_zero_positive_negative_and_except(void) {
    int id = new_queue();
    char text[33];
    const long types[] = {5, 3, 2, 3, 4};
    const char *texts[] = {"e", "c1", "b", "c2", "d"};
    for (int i = 0; i < 5; i++) CHECK(send_text(id, types[i], texts[i]) == 0);
    CHECK(take(id, 3, IPC_NOWAIT, text, 32) == 3 && strcmp(text, "c1") == 0);       /* first of type 3 */
    CHECK(take(id, -3, IPC_NOWAIT, text, 32) == 2 && strcmp(text, "b") == 0);       /* lowest type <= 3 */
    CHECK(take(id, 5, MSG_EXCEPT | IPC_NOWAIT, text, 32) == 3 && strcmp(text, "c2") == 0); /* first not 5 */
    CHECK(take(id, 0, IPC_NOWAIT, text, 32) == 5 && strcmp(text, "e") == 0);        /* first of all */
    CHECK(take(id, -4, IPC_NOWAIT, text, 32) == 4 && strcmp(text, "d") == 0);
    CHECK_FAILS(rsipc_msgrcv(id, &(struct small_msg){0, {0}}, 32, 0, IPC_NOWAIT), -1, ENOMSG, "msgrcv(");
    CHECK(strstr(rsipc_last_error(), "IPC_NOWAIT") != NULL);
    CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
}

static void test_e2big_keeps_the_message_and_msg_noerror_truncates(void) {
    int id = new_queue();
    char text[33];
    struct msqid_ds ds;
    CHECK(send_text(id, 1, "0123456789") == 0);
    CHECK_FAILS(rsipc_msgrcv(id, &(struct small_msg){0, {0}}, 4, 0, IPC_NOWAIT), -1, E2BIG, "msgrcv(");
    CHECK(strstr(rsipc_last_error(), "stays in the queue") != NULL);
    CHECK(rsipc_msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum == 1);
    CHECK(take(id, 0, MSG_NOERROR | IPC_NOWAIT, text, 4) == 1 && strcmp(text, "0123") == 0);
    CHECK(rsipc_msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum == 0);
    CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
}

/* MSG_COPY needs a kernel with CONFIG_CHECKPOINT_RESTORE; this machine's
 * has it. rsipc and glibc must agree either way. */
static void test_msg_copy_peeks_by_index_like_glibc(void) {
    int id = new_queue();
    struct small_msg ours, theirs;
    CHECK(send_text(id, 7, "first") == 0);
    CHECK(send_text(id, 8, "second") == 0);
    errno = 0;
    ssize_t a = rsipc_msgrcv(id, &ours, 32, 1, MSG_COPY | IPC_NOWAIT);
    int a_err = errno;
    errno = 0;
    ssize_t b = msgrcv(id, &theirs, 32, 1, MSG_COPY | IPC_NOWAIT);
    CHECK(a == b && (a != -1 || a_err == errno));
    if (a == 6) {
        CHECK(ours.mtype == 8 && memcmp(ours.mtext, "second", 6) == 0);
        struct msqid_ds ds;
        CHECK(rsipc_msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum == 2); /* still there */
        CHECK_FAILS(rsipc_msgrcv(id, &ours, 32, 2, MSG_COPY | IPC_NOWAIT), -1, ENOMSG, "msgrcv(");
    } else {
        CHECK(a_err == ENOSYS);
    }
    CHECK_FAILS(rsipc_msgrcv(id, &ours, 32, 0, MSG_COPY), -1, EINVAL, "msgrcv(");
    CHECK(msgrcv(id, &theirs, 32, 0, MSG_COPY) == -1 && errno == EINVAL);
    CHECK_FAILS(rsipc_msgrcv(id, &ours, 32, 0, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT), -1, EINVAL, "msgrcv(");
    CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
}

static void test_mtype_must_be_positive(void) {
    int id = new_queue();
    struct small_msg m = {0, "x"};
    CHECK_FAILS(rsipc_msgsnd(id, &m, 1, 0), -1, EINVAL, "msgsnd(");
    CHECK(strstr(rsipc_last_error(), "must be > 0") != NULL);
    CHECK(msgsnd(id, &m, 1, 0) == -1 && errno == EINVAL);
    m.mtype = -5;
    CHECK_FAILS(rsipc_msgsnd(id, &m, 1, 0), -1, EINVAL, "msgsnd(");
    CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
}

static void test_a_message_above_msgmax_is_einval_naming_msgmax(void) {
    int id = new_queue();
    struct msginfo info;
    CHECK(rsipc_msgctl(0, IPC_INFO, (struct msqid_ds *)&info) >= 0);
    size_t size = (size_t)info.msgmax + 1;
    char *big = calloc(1, sizeof(long) + size);
    CHECK(big != NULL);
    *(long *)big = 1;
    CHECK_FAILS(rsipc_msgsnd(id, big, size, 0), -1, EINVAL, "msgsnd(");
    CHECK(strstr(rsipc_last_error(), "msgmax") != NULL);
    CHECK(msgsnd(id, big, size, 0) == -1 && errno == EINVAL);
    free(big);
    CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
}

/* The kernel would wait forever (glibc: EAGAIN with IPC_NOWAIT) for a
 * message that can never fit; rsipc says EINVAL and names msg_qbytes. */
static void test_a_message_above_msg_qbytes_is_einval_naming_msg_qbytes(void) {
    int id = new_queue();
    struct msqid_ds ds;
    char buf[sizeof(long) + 64] = {0};
    *(long *)buf = 1;
    CHECK(rsipc_msgctl(id, IPC_STAT, &ds) == 0);
    ds.msg_qbytes = 32;
    CHECK(rsipc_msgctl(id, IPC_SET, &ds) == 0);
    CHECK_FAILS(rsipc_msgsnd(id, buf, 64, 0), -1, EINVAL, "msgsnd(");
    CHECK(strstr(rsipc_last_error(), "msg_qbytes (32 bytes)") != NULL);
    CHECK_FAILS(rsipc_msgsnd(id, buf, 64, IPC_NOWAIT), -1, EINVAL, "msgsnd(");
    /* A message that fits a full queue: EAGAIN with IPC_NOWAIT, like glibc. */
    CHECK(rsipc_msgsnd(id, buf, 32, 0) == 0);
    CHECK_FAILS(rsipc_msgsnd(id, buf, 1, IPC_NOWAIT), -1, EAGAIN, "msgsnd(");
    CHECK(msgsnd(id, buf, 1, IPC_NOWAIT) == -1 && errno == EAGAIN);
    CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
}

static void test_every_msgctl_command(void) {
    int id = new_queue();
    struct msqid_ds ds, theirs;
    struct msginfo info;
    CHECK(send_text(id, 1, "abc") == 0);
    CHECK(rsipc_msgctl(id, IPC_STAT, &ds) == 0);
    CHECK(msgctl(id, IPC_STAT, &theirs) == 0);
    CHECK(ds.msg_qnum == 1 && ds.msg_cbytes == 3 && ds.msg_lspid == getpid());
    CHECK(memcmp(&ds, &theirs, sizeof ds) == 0);
    ds.msg_perm.mode = 0640;
    ds.msg_qbytes = 4000;
    CHECK(rsipc_msgctl(id, IPC_SET, &ds) == 0);
    CHECK(msgctl(id, IPC_STAT, &theirs) == 0 && (theirs.msg_perm.mode & 0777) == 0640 && theirs.msg_qbytes == 4000);

    int highest = rsipc_msgctl(0, IPC_INFO, (struct msqid_ds *)&info);
    CHECK(highest >= 0);
    struct msginfo glibc_info;
    CHECK(msgctl(0, IPC_INFO, (struct msqid_ds *)&glibc_info) >= 0);
    CHECK(info.msgmax == glibc_info.msgmax && info.msgmnb == glibc_info.msgmnb && info.msgmni == glibc_info.msgmni);
    highest = rsipc_msgctl(0, MSG_INFO, (struct msqid_ds *)&info);
    CHECK(highest >= 0 && info.msgpool >= 1 && info.msgmap >= 1);

    int found_stat = 0, found_any = 0;
    for (int i = 0; i <= highest; i++) {
        if (rsipc_msgctl(i, MSG_STAT, &ds) == id) found_stat = 1;
        if (rsipc_msgctl(i, MSG_STAT_ANY, &ds) == id) found_any = 1;
    }
    CHECK(found_stat && found_any);
    CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
    CHECK_FAILS(rsipc_msgctl(id, IPC_STAT, &ds), -1, EINVAL, "msgctl(");
    CHECK(strstr(rsipc_last_error(), "no queue has id") != NULL);
}

static void test_msgctl_errors_match_glibc(void) {
    int id = new_queue();
    struct msqid_ds ds;
    const int cmds[] = {IPC_STAT, IPC_SET, IPC_INFO, MSG_INFO};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        CHECK_FAILS(rsipc_msgctl(id, cmds[i], NULL), -1, EFAULT, "msgctl(");
        CHECK(strstr(rsipc_last_error(), "`buf` is NULL") != NULL);
        CHECK(msgctl(id, cmds[i], NULL) == -1 && errno == EFAULT);
    }
    CHECK_FAILS(rsipc_msgctl(id, 999, &ds), -1, EINVAL, "msgctl(");
    CHECK(msgctl(id, 999, &ds) == -1 && errno == EINVAL);
    CHECK_FAILS(rsipc_msgctl(-1, IPC_STAT, &ds), -1, EINVAL, "msgctl(");
    CHECK_FAILS(rsipc_msgctl(-1, MSG_STAT_ANY, &ds), -1, EINVAL, "msgctl(");
    CHECK_FAILS(rsipc_msgctl(INT_MAX, MSG_STAT, &ds), -1, EINVAL, "msgctl(");
    CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
    CHECK_FAILS(rsipc_msgctl(id, IPC_RMID, NULL), -1, EINVAL, "msgctl(");
    CHECK(msgctl(id, IPC_RMID, NULL) == -1 && errno == EINVAL);
}

static void test_bad_input_never_crashes(void) {
    int id = new_queue();
    struct small_msg m = {1, "x"};
    CHECK_FAILS(rsipc_msgsnd(id, NULL, 4, 0), -1, EFAULT, "msgsnd(");
    CHECK(strstr(rsipc_last_error(), "msgp=NULL") != NULL);
    CHECK(send_text(id, 1, "keep") == 0);
    /* NULL is refused before a message is taken: none is lost (the kernel
     * would dequeue it and then fault). */
    CHECK_FAILS(rsipc_msgrcv(id, NULL, 32, 0, IPC_NOWAIT), -1, EFAULT, "msgrcv(");
    struct msqid_ds ds;
    CHECK(rsipc_msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum == 1);
    CHECK_FAILS(rsipc_msgrcv(id, &m, (size_t)-1, 0, IPC_NOWAIT), -1, EINVAL, "msgrcv(");
    CHECK(msgrcv(id, &m, (size_t)-1, 0, IPC_NOWAIT) == -1 && errno == EINVAL);
    CHECK_FAILS(rsipc_msgsnd(id, &m, (size_t)-1, 0), -1, EINVAL, "msgsnd(");
    CHECK(msgsnd(id, &m, (size_t)-1, 0) == -1 && errno == EINVAL);
    CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
    CHECK_FAILS(rsipc_msgsnd(id, &m, 1, 0), -1, EINVAL, "msgsnd(");
    CHECK_FAILS(rsipc_msgrcv(id, &m, 32, 0, IPC_NOWAIT), -1, EINVAL, "msgrcv(");
    CHECK_FAILS(rsipc_msgsnd(-1, &m, 1, 0), -1, EINVAL, "msgsnd(");
    CHECK(strstr(rsipc_last_error(), "negative") != NULL);
}

static void test_msgget_errors_match_glibc(void) {
    key_t key = (key_t)(0x4d000000 | (getpid() & 0xffffff));
    CHECK_FAILS(rsipc_msgget(key, 0600), -1, ENOENT, "msgget(");
    CHECK(msgget(key, 0600) == -1 && errno == ENOENT);
    int id = rsipc_msgget(key, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0);
    CHECK(msgget(key, 0) == id);
    CHECK_FAILS(rsipc_msgget(key, IPC_CREAT | IPC_EXCL | 0600), -1, EEXIST, "msgget(");
    CHECK(strstr(rsipc_last_error(), "already exists") != NULL);
    CHECK(msgget(key, IPC_CREAT | IPC_EXCL | 0600) == -1 && errno == EEXIST);
    CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
}

/* One queue, two processes: the child uses glibc's msgsnd/msgrcv, the
 * parent rsipc's (ping type 1, pong type 2) — then the roles swap. */
static void test_glibc_and_rsipc_processes_exchange_messages_both_ways(void) {
    for (int child_uses_glibc = 1; child_uses_glibc >= 0; child_uses_glibc--) {
        int id = new_queue();
        pid_t pid = fork();
        if (pid == 0) {
            struct small_msg m;
            ssize_t n = child_uses_glibc ? msgrcv(id, &m, sizeof m.mtext, 1, 0) : rsipc_msgrcv(id, &m, sizeof m.mtext, 1, 0);
            if (n != 4 || memcmp(m.mtext, "ping", 4) != 0) _exit(1);
            struct small_msg reply = {2, "pong"};
            int r = child_uses_glibc ? msgsnd(id, &reply, 4, 0) : rsipc_msgsnd(id, &reply, 4, 0);
            _exit(r == 0 ? 0 : 2);
        }
        struct small_msg ping = {1, "ping"}, got;
        int sent = child_uses_glibc ? rsipc_msgsnd(id, &ping, 4, 0) : msgsnd(id, &ping, 4, 0);
        CHECK(sent == 0);
        memset(&got, 0, sizeof got);
        ssize_t n = child_uses_glibc ? rsipc_msgrcv(id, &got, sizeof got.mtext, 2, 0) : msgrcv(id, &got, sizeof got.mtext, 2, 0);
        CHECK(n == 4 && got.mtype == 2 && memcmp(got.mtext, "pong", 4) == 0);
        CHECK(wait_child(pid) == 0);
        CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
    }
}

static void test_removal_wakes_a_blocked_receiver_with_eidrm(void) {
    int id = new_queue();
    pid_t pid = fork();
    if (pid == 0) {
        struct small_msg m;
        ssize_t n = rsipc_msgrcv(id, &m, sizeof m.mtext, 0, 0);
        _exit(n == -1 && errno == EIDRM && strstr(rsipc_last_error(), "removed") != NULL ? 0 : 1);
    }
    CHECK(wait_until_blocked_in(pid, SYS_msgrcv) == 0);
    CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
    CHECK(wait_child(pid) == 0);
}

static void test_removal_wakes_a_blocked_sender_with_eidrm(void) {
    int id = new_queue();
    struct msqid_ds ds;
    char buf[sizeof(long) + 16] = {0};
    *(long *)buf = 1;
    CHECK(rsipc_msgctl(id, IPC_STAT, &ds) == 0);
    ds.msg_qbytes = 16;
    CHECK(rsipc_msgctl(id, IPC_SET, &ds) == 0);
    CHECK(rsipc_msgsnd(id, buf, 16, 0) == 0); /* full */
    pid_t pid = fork();
    if (pid == 0) {
        int r = rsipc_msgsnd(id, buf, 8, 0);
        _exit(r == -1 && errno == EIDRM ? 0 : 1);
    }
    CHECK(wait_until_blocked_in(pid, SYS_msgsnd) == 0);
    CHECK(rsipc_msgctl(id, IPC_RMID, NULL) == 0);
    CHECK(wait_child(pid) == 0);
}

int main(void) {
    test_messages_come_back_with_their_types();
    test_type_selection_zero_positive_negative_and_except();
    test_e2big_keeps_the_message_and_msg_noerror_truncates();
    test_msg_copy_peeks_by_index_like_glibc();
    test_mtype_must_be_positive();
    test_a_message_above_msgmax_is_einval_naming_msgmax();
    test_a_message_above_msg_qbytes_is_einval_naming_msg_qbytes();
    test_every_msgctl_command();
    test_msgctl_errors_match_glibc();
    test_bad_input_never_crashes();
    test_msgget_errors_match_glibc();
    test_glibc_and_rsipc_processes_exchange_messages_both_ways();
    test_removal_wakes_a_blocked_receiver_with_eidrm();
    test_removal_wakes_a_blocked_sender_with_eidrm();
    return check_summary("test_msg");
}
