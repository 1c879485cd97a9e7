/* Whether a channel peer is alive comes from the kernel (a lock it holds on
 * the channel's file), not from /proc or pids:
 *  - a sender whose main thread has called pthread_exit() (its /proc entry
 *    shows a zombie) while a second thread sends large and small messages
 *    is not judged dead: the receiver in another process gets every
 *    message, intact;
 *  - a sender in another pid namespace (its pid means nothing here) is not
 *    judged dead while it sends, and once SIGKILLed mid-stream it is judged
 *    dead: the channel goes on working and its stats add up.
 * Sizes stay small: 1 MiB messages, capacity 4 (about 4 MiB reserved). */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define LARGE ((size_t)1 << 20)
#define SMALL 24
#define CAPACITY 4
#define LONG_MS 60000

/* Message `seq`: large for even numbers, small for odd ones; starts with its
 * number, then bytes derived from it. */
static size_t message(uint64_t seq, unsigned char *buf) {
    size_t len = seq % 2 == 0 ? LARGE : SMALL;
    memcpy(buf, &seq, sizeof seq);
    for (size_t i = sizeof seq; i < len; i++) buf[i] = (unsigned char)(seq * 31 + i);
    return len;
}

/* A cheaper message for the streaming sender that gets killed: its number,
 * then a fixed byte, written once (so the sender spends its time copying
 * into the channel, where the kill should land, and the receiver keeps
 * up); checked at a few places only. */
#define FILL 0xA5
static size_t quick_message(uint64_t seq, unsigned char *buf) {
    size_t len = seq % 2 == 0 ? LARGE : SMALL;
    if (seq == 0) memset(buf, FILL, LARGE);
    memcpy(buf, &seq, sizeof seq);
    return len;
}

static int quick_intact(uint64_t seq, const unsigned char *buf, ssize_t n) {
    size_t len = seq % 2 == 0 ? LARGE : SMALL;
    return n == (ssize_t)len && buf[sizeof seq] == FILL && buf[len / 2] == FILL && buf[len - 1] == FILL;
}

/* `intact` at 64 evenly spread places and the last byte: cheap enough for
 * the receiver to keep up with the sender (which builds every byte), so it
 * waits on the slot while the sender copies a message in. */
static int spot_intact(uint64_t seq, const unsigned char *buf, ssize_t n) {
    size_t len = seq % 2 == 0 ? LARGE : SMALL;
    uint64_t got;
    if (n != (ssize_t)len) return 0;
    memcpy(&got, buf, sizeof got);
    if (got != seq) return 0;
    for (size_t k = 0; k <= 64; k++) {
        size_t i = k == 64 ? len - 1 : sizeof seq + (len - sizeof seq) * k / 64;
        if (buf[i] != (unsigned char)(seq * 31 + i)) return 0;
    }
    return 1;
}

static int intact(uint64_t seq, const unsigned char *buf, ssize_t n, unsigned char *scratch) {
    size_t len = message(seq, scratch);
    return n == (ssize_t)len && memcmp(buf, scratch, len) == 0;
}

/* ---- zombie leader ---------------------------------------------------- */

struct sender {
    rsipc_chan_t *ch;
    int count;
};

/* The state letter of /proc/self/stat: the main thread's ("Z" once it has
 * exited while other threads run). Only the test looks at it. */
static char leader_state(void) {
    char text[512] = {0};
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f) return '?';
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    char *close = strrchr(text, ')');
    return close && close[1] && close[2] ? close[2] : '?';
}

/* The message the zombie-leader sender pauses in the middle of copying
 * (an even number: large), until the receiver has seen that its slot,
 * held by a process whose main thread is a zombie, is not taken from it. */
#define PAUSE_AT 100

/* The pause: the sender's source buffer for message PAUSE_AT has its last
 * page unreadable; the SIGSEGV handler reports the pause, waits for the
 * go-ahead, makes the page readable and returns, and the copy goes on. */
static int paused_fd = -1, resume_fd = -1;
static unsigned char *paused_page;

static void pause_mid_copy(int sig) {
    (void)sig;
    char c = 'p';
    if (write(paused_fd, &c, 1) != 1 || read(resume_fd, &c, 1) != 1) _exit(20);
    if (mprotect(paused_page, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE) != 0) _exit(21);
}

static void *zombie_sender(void *arg) {
    struct sender *s = arg;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (leader_state() != 'Z') {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 60) _exit(3);
        sched_yield();
    }
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *buf = mmap(NULL, LARGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) _exit(4);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = pause_mid_copy;
    if (sigaction(SIGSEGV, &sa, NULL) != 0) _exit(6);
    for (int i = 0; i < s->count; i++) {
        size_t len = message((uint64_t)i, buf);
        if (i == PAUSE_AT) {
            paused_page = buf + LARGE - page;
            if (mprotect(paused_page, (size_t)page, PROT_NONE) != 0) _exit(7);
        }
        if (rsipc_chan_send(s->ch, buf, len, LONG_MS) != 0) {
            fprintf(stderr, "zombie-leader sender: message %d: %s\n", i, rsipc_last_error());
            _exit(5);
        }
    }
    return NULL; /* the last thread: the process exits with status 0 */
}

static void test_a_zombie_leader_sender_delivers_every_message(int count) {
    rsipc_chan_t *ch = rsipc_chan_create(NULL, LARGE, CAPACITY, 0);
    CHECK(ch != NULL);
    if (!ch) return;
    int paused[2], resume[2];
    CHECK(pipe(paused) == 0 && pipe(resume) == 0);
    pid_t child = fork();
    if (child == 0) {
        static struct sender s;
        s.ch = ch;
        s.count = count;
        paused_fd = paused[1];
        resume_fd = resume[0];
        pthread_t t;
        if (pthread_create(&t, NULL, zombie_sender, &s) != 0) _exit(2);
        pthread_exit(NULL); /* the main thread leaves; the sender goes on */
    }
    close(paused[1]);
    close(resume[0]);
    unsigned char *buf = malloc(LARGE);
    int delivered = 0, held_slot_kept = 0;
    for (int i = 0; i < count && buf; i++) {
        if (i == PAUSE_AT) {
            /* The sender holds message PAUSE_AT's slot, half-written: it is
             * alive, so a receive waits for it (and times out) rather than
             * taking the slot, and nothing is counted lost. */
            char c;
            CHECK(read(paused[0], &c, 1) == 1);
            errno = 0;
            CHECK(rsipc_chan_recv(ch, buf, LARGE, 300) == -1 && errno == ETIMEDOUT);
            struct rsipc_chan_stats st;
            CHECK(rsipc_chan_stats(ch, &st) == 0);
            CHECK(st.lost == 0);
            held_slot_kept = st.lost == 0;
            CHECK(write(resume[1], "g", 1) == 1);
        }
        ssize_t n = rsipc_chan_recv(ch, buf, LARGE, LONG_MS);
        if (n < 0) {
            fprintf(stderr, "zombie-leader receiver: message %d: %s\n", i, rsipc_last_error());
            break;
        }
        if (spot_intact((uint64_t)i, buf, n)) delivered++;
    }
    CHECK(held_slot_kept);
    CHECK(wait_code(child) == 0);
    struct rsipc_chan_stats st;
    CHECK(rsipc_chan_stats(ch, &st) == 0);
    CHECK(st.sent == (uint64_t)count && st.received == (uint64_t)count && st.lost == 0 && st.queued == 0);
    printf("zombie-leader messages delivered: %d of %d\n", delivered, count);
    CHECK(delivered == count);
    free(buf);
    close(paused[0]);
    close(resume[1]);
    rsipc_chan_close(ch);
}

/* ---- another pid namespace -------------------------------------------- */

/* Messages the sender that gets killed sends before the one it dies in. */
#define KILL_AFTER 39

/* Where the stalling sender says that it is stuck in the middle of a copy. */
static int stall_fd = -1;

static void stall(int sig) {
    (void)sig;
    char c = 's';
    if (write(stall_fd, &c, 1) != 1) _exit(10);
    for (;;) pause(); /* until the SIGKILL */
}

/* Sends message `seq` (large) from a buffer whose last page cannot be read:
 * the copy into the channel faults half-way, and the SIGSEGV handler
 * reports that and waits to be killed, with the slot claimed and half
 * written. Exits 11 if the send unexpectedly completes. */
static void send_and_stall_mid_copy(rsipc_chan_t *ch, uint64_t seq) {
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *src = mmap(NULL, LARGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (src == MAP_FAILED) _exit(12);
    quick_message(0, src);
    memcpy(src, &seq, sizeof seq);
    if (mprotect(src + LARGE - page, page, PROT_NONE) != 0) _exit(13);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = stall;
    if (sigaction(SIGSEGV, &sa, NULL) != 0) _exit(14);
    rsipc_chan_send(ch, src, LARGE, LONG_MS);
    _exit(11);
}

/* Runs in a forked helper: makes a new pid namespace and forks its init
 * process, which sends `count` messages (forever with count < 0); writes
 * that sender's pid as this namespace sees it to `ready_fd`, and exits
 * with the sender's wait code. Exits 77 if no pid namespace can be made. */
static void pidns_sender(rsipc_chan_t *ch, int count, int ready_fd) {
    if (unshare(CLONE_NEWPID) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0) _exit(77);
    pid_t s = fork();
    if (s < 0) _exit(6);
    if (s == 0) {
        close(ready_fd);
        if (getpid() != 1) _exit(9); /* not a new namespace after all */
        unsigned char *buf = malloc(LARGE);
        if (!buf) _exit(4);
        int n = count < 0 ? KILL_AFTER : count;
        for (int i = 0; i < n; i++) {
            size_t len = count < 0 ? quick_message((uint64_t)i, buf) : message((uint64_t)i, buf);
            if (rsipc_chan_send(ch, buf, len, LONG_MS) != 0) _exit(5);
        }
        if (count < 0) send_and_stall_mid_copy(ch, (uint64_t)n);
        _exit(0);
    }
    if (write(ready_fd, &s, sizeof s) != sizeof s) _exit(7);
    close(ready_fd);
    _exit(wait_code(s));
}

/* Starts pidns_sender in a helper: the helper's pid, and the sender's in
 * `*sender`; 0 (after printing why) when pid namespaces are not
 * permitted. */
static pid_t start_pidns_sender(rsipc_chan_t *ch, int count, pid_t *sender) {
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t helper = fork();
    if (helper == 0) {
        close(ready[0]);
        pidns_sender(ch, count, ready[1]);
    }
    close(ready[1]);
    ssize_t got = read(ready[0], sender, sizeof *sender);
    close(ready[0]);
    if (got != sizeof *sender) {
        int code = wait_code(helper);
        if (code == 77)
            printf("SKIP sender in another pid namespace: unshare(CLONE_NEWPID) is not permitted here "
                   "(needs CAP_SYS_ADMIN or unprivileged user namespaces)\n");
        else
            CHECK(!"the pid-namespace sender did not start");
        return 0;
    }
    return helper;
}

static void test_a_sender_in_another_pid_namespace_is_not_judged_dead(int count) {
    rsipc_chan_t *ch = rsipc_chan_create(NULL, LARGE, CAPACITY, 0);
    CHECK(ch != NULL);
    if (!ch) return;
    pid_t sender;
    pid_t helper = start_pidns_sender(ch, count, &sender);
    if (helper) {
        unsigned char *buf = malloc(LARGE), *scratch = malloc(LARGE);
        int delivered = 0;
        for (int i = 0; i < count && buf && scratch; i++) {
            ssize_t n = rsipc_chan_recv(ch, buf, LARGE, LONG_MS);
            if (n < 0) {
                fprintf(stderr, "pid-namespace receiver: message %d: %s\n", i, rsipc_last_error());
                break;
            }
            if (intact((uint64_t)i, buf, n, scratch)) delivered++;
        }
        CHECK(wait_code(helper) == 0); /* 0: the sender was pid 1 of its namespace and sent all */
        printf("messages from a sender in another pid namespace: %d of %d\n", delivered, count);
        CHECK(delivered == count);
        struct rsipc_chan_stats st;
        CHECK(rsipc_chan_stats(ch, &st) == 0);
        CHECK(st.lost == 0 && st.queued == 0 && st.sent == (uint64_t)count);
        free(buf);
        free(scratch);
    }
    rsipc_chan_close(ch);
}

/* The same sender SIGKILLed while it copies a large message in (made to
 * stall half-way by a fault on its source buffer): the receiver judges it
 * dead by its lock (its pid, 1 in its namespace, names another process
 * here), skips the half-written message and counts it lost, and the
 * channel goes on working. */
static void test_a_sender_in_another_pid_namespace_killed_mid_send_is_recovered(void) {
    rsipc_chan_t *ch = rsipc_chan_create(NULL, LARGE, CAPACITY, 0);
    CHECK(ch != NULL);
    if (!ch) return;
    int stalled[2];
    CHECK(pipe(stalled) == 0);
    stall_fd = stalled[1];
    pid_t sender;
    pid_t helper = start_pidns_sender(ch, -1, &sender);
    close(stalled[1]);
    if (helper) {
        unsigned char *buf = malloc(LARGE);
        uint64_t next = 0;
        int received = 0, torn = 0;
        while (buf && received < KILL_AFTER) {
            ssize_t n = rsipc_chan_recv(ch, buf, LARGE, LONG_MS);
            if (n < 0) break;
            uint64_t seq;
            memcpy(&seq, buf, sizeof seq);
            if (seq != next || !quick_intact(seq, buf, n)) torn++;
            next = seq + 1;
            received++;
        }
        char c;
        CHECK(read(stalled[0], &c, 1) == 1); /* it holds a half-written slot now */
        CHECK(kill(sender, SIGKILL) == 0);
        CHECK(wait_code(helper) == 128 + SIGKILL);
        /* The half-written message is never delivered. */
        CHECK(rsipc_chan_recv(ch, buf, LARGE, 0) == -1 && errno == EAGAIN);
        CHECK(torn == 0 && received == KILL_AFTER);
        /* The channel still carries messages, and its stats add up. */
        CHECK(rsipc_chan_send(ch, "after", 5, 0) == 0);
        CHECK(rsipc_chan_recv(ch, buf, LARGE, 0) == 5 && memcmp(buf, "after", 5) == 0);
        struct rsipc_chan_stats st;
        CHECK(rsipc_chan_stats(ch, &st) == 0);
        CHECK(st.sent == st.received + st.lost + st.queued && st.queued == 0 && st.lost == 1);
        printf("sender in another pid namespace killed mid-send: %d messages received in order, %llu lost with it\n",
               received, (unsigned long long)st.lost);
        free(buf);
    }
    close(stalled[0]);
    rsipc_chan_close(ch);
}

int main(void) {
    int count = getenv("RSIPC_STRESS_FULL") ? 20000 : 2000;
    test_a_zombie_leader_sender_delivers_every_message(count);
    test_a_sender_in_another_pid_namespace_is_not_judged_dead(count / 4);
    test_a_sender_in_another_pid_namespace_killed_mid_send_is_recovered();
    return check_summary("test_chan_liveness");
}
