/* The native message channel through the public header: behaviour, errors,
 * processes (fork, named channels), glibc interop on the shm object, and a
 * peer killed while it holds or waits on the channel. */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char name_buf[64];

/* A pid-unique channel name. */
static const char *unique(const char *tag) {
    snprintf(name_buf, sizeof name_buf, "/rsipc-ctest-%d-%s", (int)getpid(), tag);
    return name_buf;
}

static void test_header_types(void) {
    struct rsipc_chan_stats s;
    CHECK(sizeof s == 6 * sizeof(uint64_t));
    rsipc_chan_t *none = NULL;
    CHECK(rsipc_chan_close(none) == 0);
}

static void test_round_trip_and_stats(void) {
    rsipc_chan_t *ch = rsipc_chan_create(NULL, 32, 4, 0);
    CHECK(ch != NULL);
    if (!ch) return;
    char buf[32];
    CHECK(rsipc_chan_send(ch, "hello", 5, 0) == 0);
    CHECK(rsipc_chan_send(ch, "", 0, 0) == 0);
    CHECK(rsipc_chan_send(ch, NULL, 0, 0) == 0); /* empty message, any pointer */
    CHECK(rsipc_chan_recv(ch, buf, sizeof buf, 0) == 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK(rsipc_chan_recv(ch, buf, sizeof buf, -1) == 0);
    struct rsipc_chan_stats s;
    CHECK(rsipc_chan_stats(ch, &s) == 0);
    CHECK(s.queued == 1 && s.capacity == 4 && s.max_msg == 32);
    CHECK(s.sent == 3 && s.received == 2 && s.lost == 0);
    CHECK(rsipc_chan_recv(ch, NULL, 0, 0) == 0);
    CHECK(rsipc_chan_close(ch) == 0);
}

static void test_full_empty_and_timeouts(void) {
    rsipc_chan_t *ch = rsipc_chan_create(NULL, 8, 1, 0);
    CHECK(ch != NULL);
    if (!ch) return;
    char buf[8];
    CHECK_FAILS(rsipc_chan_recv(ch, buf, sizeof buf, 0), -1, EAGAIN, "chan_recv(");
    CHECK(strstr(rsipc_last_error(), "empty") != NULL);
    CHECK_FAILS(rsipc_chan_recv(ch, buf, sizeof buf, 10), -1, ETIMEDOUT, "chan_recv(");
    CHECK(rsipc_chan_send(ch, "x", 1, 0) == 0);
    CHECK_FAILS(rsipc_chan_send(ch, "y", 1, 0), -1, EAGAIN, "chan_send(");
    CHECK(strstr(rsipc_last_error(), "full") != NULL);
    CHECK_FAILS(rsipc_chan_send(ch, "y", 1, 10), -1, ETIMEDOUT, "chan_send(");
    rsipc_chan_close(ch);
}

static void test_message_size_errors(void) {
    rsipc_chan_t *ch = rsipc_chan_create(NULL, 8, 2, 0);
    CHECK(ch != NULL);
    if (!ch) return;
    char big[9] = "123456789";
    char small[4];
    /* Before any wait: the call would otherwise block forever. */
    CHECK(rsipc_chan_send(ch, "a", 1, 0) == 0);
    CHECK(rsipc_chan_send(ch, "b", 1, 0) == 0);
    CHECK_FAILS(rsipc_chan_send(ch, big, sizeof big, -1), -1, EMSGSIZE, "chan_send(");
    CHECK(rsipc_chan_recv(ch, small, 1, 0) == 1);
    CHECK(rsipc_chan_recv(ch, small, 1, 0) == 1);
    CHECK(rsipc_chan_send(ch, "12345", 5, 0) == 0);
    CHECK_FAILS(rsipc_chan_recv(ch, small, sizeof small, -1), -1, EMSGSIZE, "chan_recv(");
    CHECK(strstr(rsipc_last_error(), "stays queued") != NULL);
    char buf[8];
    CHECK(rsipc_chan_recv(ch, buf, sizeof buf, 0) == 5); /* it stayed queued */
    rsipc_chan_close(ch);
}

static void test_bad_arguments(void) {
    char buf[8];
    struct rsipc_chan_stats s;
    CHECK_FAILS(rsipc_chan_create(NULL, 0, 4, 0), NULL, EINVAL, "chan_create(");
    CHECK_FAILS(rsipc_chan_create(NULL, 8, 0, 0), NULL, EINVAL, "chan_create(");
    CHECK_FAILS(rsipc_chan_create(NULL, (size_t)1 << 40, 4, 0), NULL, EINVAL, "chan_create(");
    CHECK_FAILS(rsipc_chan_create("noslash", 8, 4, 0600), NULL, EINVAL, "chan_create(name=\"noslash\"");
    CHECK_FAILS(rsipc_chan_create("/a/b", 8, 4, 0600), NULL, EINVAL, "chan_create(");
    CHECK_FAILS(rsipc_chan_create("/", 8, 4, 0600), NULL, EINVAL, "chan_create(");
    char longname[300];
    longname[0] = '/';
    memset(longname + 1, 'n', 256);
    longname[257] = '\0';
    CHECK_FAILS(rsipc_chan_create(longname, 8, 4, 0600), NULL, ENAMETOOLONG, "chan_create(");
    CHECK_FAILS(rsipc_chan_open(NULL), NULL, EFAULT, "chan_open(name=NULL)");
    CHECK_FAILS(rsipc_chan_unlink(NULL), -1, EFAULT, "chan_unlink(name=NULL)");
    CHECK_FAILS(rsipc_chan_send(NULL, "x", 1, 0), -1, EFAULT, "chan_send(ch=NULL");
    CHECK_FAILS(rsipc_chan_recv(NULL, buf, sizeof buf, 0), -1, EFAULT, "chan_recv(ch=NULL");
    CHECK_FAILS(rsipc_chan_stats(NULL, &s), -1, EFAULT, "chan_stats(ch=NULL");
    rsipc_chan_t *ch = rsipc_chan_create(NULL, 8, 4, 0);
    CHECK(ch != NULL);
    if (!ch) return;
    CHECK_FAILS(rsipc_chan_send(ch, NULL, 1, 0), -1, EFAULT, "chan_send(");
    CHECK(strstr(rsipc_last_error(), "`msg` is NULL") != NULL);
    CHECK(rsipc_chan_send(ch, "x", 1, 0) == 0);
    CHECK_FAILS(rsipc_chan_recv(ch, NULL, 8, 0), -1, EFAULT, "chan_recv(");
    CHECK_FAILS(rsipc_chan_stats(ch, NULL), -1, EFAULT, "chan_stats(");
    rsipc_chan_close(ch);
}

static void test_named_channel_is_a_shm_object(void) {
    const char *name = unique("named");
    char path[128];
    snprintf(path, sizeof path, "/dev/shm%s", name);
    rsipc_chan_t *a = rsipc_chan_create(name, 16, 4, 0600);
    CHECK(a != NULL);
    if (!a) return;
    CHECK(access(path, F_OK) == 0);
    CHECK_FAILS(rsipc_chan_create(name, 16, 4, 0600), NULL, EEXIST, "chan_create(");
    rsipc_chan_t *b = rsipc_chan_open(name);
    CHECK(b != NULL);
    char buf[16];
    CHECK(rsipc_chan_send(a, "ping", 4, 0) == 0);
    CHECK(b && rsipc_chan_recv(b, buf, sizeof buf, 0) == 4);
    /* glibc's shm_unlink removes it too; open handles keep working. */
    CHECK(shm_unlink(name) == 0);
    CHECK(access(path, F_OK) != 0);
    CHECK_FAILS(rsipc_chan_open(name), NULL, ENOENT, "chan_open(");
    CHECK_FAILS(rsipc_chan_unlink(name), -1, ENOENT, "chan_unlink(");
    CHECK(b && rsipc_chan_send(b, "pong", 4, 0) == 0);
    CHECK(rsipc_chan_recv(a, buf, sizeof buf, 0) == 4);
    CHECK(rsipc_chan_close(b) == 0);
    CHECK(rsipc_chan_close(a) == 0);

    /* rsipc_chan_unlink works on it like shm_unlink. */
    a = rsipc_chan_create(name, 16, 4, 0600);
    CHECK(a != NULL);
    CHECK(rsipc_chan_unlink(name) == 0);
    CHECK(access(path, F_OK) != 0);
    rsipc_chan_close(a);
}

static void test_a_foreign_shm_object_is_einval(void) {
    const char *name = unique("foreign");
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    CHECK(fd >= 0);
    if (fd < 0) return;
    CHECK(ftruncate(fd, 8192) == 0);
    CHECK(write(fd, "not a channel", 13) == 13);
    close(fd);
    CHECK_FAILS(rsipc_chan_open(name), NULL, EINVAL, "chan_open(");
    CHECK(strstr(rsipc_last_error(), "not an rsipc channel") != NULL);
    CHECK(shm_unlink(name) == 0);
}

static void test_children_share_an_anonymous_channel(void) {
    enum { PRODUCERS = 3, EACH = 2000 };
    rsipc_chan_t *ch = rsipc_chan_create(NULL, 8, 8, 0);
    CHECK(ch != NULL);
    if (!ch) return;
    pid_t pids[PRODUCERS];
    for (int p = 0; p < PRODUCERS; p++) {
        pids[p] = fork();
        if (pids[p] == 0) {
            for (uint32_t i = 0; i < EACH; i++) {
                uint32_t msg[2] = {(uint32_t)p, i};
                if (rsipc_chan_send(ch, msg, sizeof msg, 30000) != 0) _exit(1);
            }
            _exit(0);
        }
    }
    uint32_t next[PRODUCERS] = {0};
    int in_order = 1;
    for (int n = 0; n < PRODUCERS * EACH; n++) {
        uint32_t msg[2];
        if (rsipc_chan_recv(ch, msg, sizeof msg, 30000) != (ssize_t)sizeof msg || msg[0] >= PRODUCERS ||
            msg[1] != next[msg[0]]++) {
            in_order = 0;
            break;
        }
    }
    CHECK(in_order);
    for (int p = 0; p < PRODUCERS; p++) CHECK(wait_code(pids[p]) == 0);
    struct rsipc_chan_stats s;
    CHECK(rsipc_chan_stats(ch, &s) == 0);
    CHECK(s.sent == PRODUCERS * EACH && s.received == PRODUCERS * EACH && s.queued == 0 && s.lost == 0);
    rsipc_chan_close(ch);
}

static void test_a_killed_blocked_receiver_does_not_wedge_the_channel(void) {
    rsipc_chan_t *ch = rsipc_chan_create(NULL, 8, 2, 0);
    CHECK(ch != NULL);
    if (!ch) return;
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t child = fork();
    if (child == 0) {
        char buf[8];
        close(ready[0]);
        if (write(ready[1], "r", 1) != 1) _exit(2);
        rsipc_chan_recv(ch, buf, sizeof buf, -1); /* blocks: nothing is sent */
        _exit(1);
    }
    close(ready[1]);
    char c;
    CHECK(read(ready[0], &c, 1) == 1);
    close(ready[0]);
    usleep(20000); /* let it reach its sleep (not needed for correctness) */
    CHECK(kill(child, SIGKILL) == 0);
    CHECK(wait_code(child) == 128 + SIGKILL);
    char buf[8];
    CHECK(rsipc_chan_send(ch, "a", 1, 0) == 0);
    CHECK(rsipc_chan_recv(ch, buf, sizeof buf, 0) == 1);
    struct rsipc_chan_stats s;
    CHECK(rsipc_chan_stats(ch, &s) == 0);
    CHECK(s.sent == 1 && s.received == 1 && s.lost == 0);
    rsipc_chan_close(ch);
}

int main(void) {
    test_header_types();
    test_round_trip_and_stats();
    test_full_empty_and_timeouts();
    test_message_size_errors();
    test_bad_arguments();
    test_named_channel_is_a_shm_object();
    test_a_foreign_shm_object_is_einval();
    test_children_share_an_anonymous_channel();
    test_a_killed_blocked_receiver_does_not_wedge_the_channel();
    return check_summary("test_chan");
}
