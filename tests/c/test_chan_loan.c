/* Zero-copy loans and borrows of the native channel, between processes:
 *  - a producer loaning and a consumer borrowing deliver every message, in
 *    order and intact, through a small channel (the two wait on each other
 *    all the time), mixed with copying sends and receives;
 *  - payloads are 64-byte aligned whatever max_msg, and full, short, loaned
 *    and copied messages round-trip through reused slots at every size;
 *  - misuse is -1 with errno and a last-error message, and changes nothing;
 *  - SIGKILL rounds: children killed while holding a loan (half written) or
 *    a borrow, while a producer and a consumer keep streaming through the
 *    same channel; the consumer gets every message of the producer in order
 *    and no half-written one, and the stats count each killed holder.
 * Sizes stay small: 64 KiB slots, capacity 4 (about 260 KiB reserved). */
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define SLOT ((size_t)64 << 10)
#define CAPACITY 4
#define LONG_MS 60000

/* Message `seq` of a stream: its number, then bytes derived from it; the
 * length varies from 8 bytes to the whole slot. */
static size_t msg_len(uint64_t seq) {
    return 8 + (size_t)(seq * 7919) % (SLOT - 8);
}

static void fill(uint64_t seq, unsigned char *p, size_t len) {
    memcpy(p, &seq, sizeof seq);
    for (size_t i = sizeof seq; i < len; i++) p[i] = (unsigned char)(seq + i);
}

static int intact(uint64_t seq, const unsigned char *p, size_t len) {
    uint64_t got;
    if (len != msg_len(seq)) return 0;
    memcpy(&got, p, sizeof got);
    if (got != seq) return 0;
    for (size_t i = sizeof seq; i < len; i++)
        if (p[i] != (unsigned char)(seq + i)) return 0;
    return 1;
}

/* ---- stream ----------------------------------------------------------- */

/* Every third message goes by the copying send, every fifth is received by
 * the copying receive: both paths share one order. */
static void test_loaned_stream_arrives_in_order(int count) {
    rsipc_chan_t *ch = rsipc_chan_create(NULL, SLOT, CAPACITY, 0);
    CHECK(ch != NULL);
    if (!ch) return;
    pid_t producer = fork();
    if (producer == 0) {
        unsigned char *copy = malloc(SLOT);
        int bad = copy == NULL;
        for (uint64_t i = 0; i < (uint64_t)count && !bad; i++) {
            size_t len = msg_len(i);
            if (i % 3 == 0) {
                fill(i, copy, len);
                bad |= rsipc_chan_send(ch, copy, len, LONG_MS) != 0;
                continue;
            }
            void *p = NULL;
            if (rsipc_chan_loan(ch, len, &p, LONG_MS) != 0 || (uintptr_t)p % 64 != 0) {
                bad = 1;
                break;
            }
            fill(i, p, len);
            bad |= rsipc_chan_publish(ch, p, len) != 0;
        }
        free(copy);
        _exit(bad);
    }
    unsigned char *buf = malloc(SLOT);
    int ok = buf != NULL;
    for (uint64_t i = 0; i < (uint64_t)count && ok; i++) {
        if (i % 5 == 0) {
            ssize_t n = rsipc_chan_recv(ch, buf, SLOT, LONG_MS);
            ok = n >= 0 && intact(i, buf, (size_t)n);
            continue;
        }
        void *p = NULL;
        size_t n = 0;
        ok = rsipc_chan_recv_borrow(ch, &p, &n, LONG_MS) == 0 && (uintptr_t)p % 64 == 0 && intact(i, p, n);
        if (p) ok &= rsipc_chan_release(ch, p) == 0;
    }
    CHECK(ok);
    CHECK(wait_code(producer) == 0);
    struct rsipc_chan_stats st;
    CHECK(rsipc_chan_stats(ch, &st) == 0);
    CHECK(st.sent == (uint64_t)count && st.received == (uint64_t)count && st.lost == 0 && st.queued == 0);
    free(buf);
    rsipc_chan_close(ch);
}

/* ---- alignment -------------------------------------------------------- */

/* Byte i of message `seed` in the alignment test. */
static unsigned char byte_of(unsigned seed, size_t i) { return (unsigned char)(i * 31 + seed * 7 + 1); }

/* Each side of the one-line limit (48 bytes, the state word and length
 * right after them) and of the separate state line (from 256). */
static void test_payload_alignment(void) {
    static const size_t sizes[] = {1, 8, 48, 49, 64, 100, 255, 256, 4096, (size_t)1 << 20};
    for (size_t c = 0; c < sizeof sizes / sizeof sizes[0]; c++) {
        const size_t max = sizes[c];
        rsipc_chan_t *ch = rsipc_chan_create(NULL, max, 3, 0);
        CHECK(ch != NULL);
        if (!ch) continue;
        unsigned char *copy = malloc(max);
        CHECK(copy != NULL);
        /* Five rounds through three slots: a full loan, a copying send of
         * about half, a one-byte loan; each slot is reused. */
        for (unsigned round = 0; round < 5 && copy; round++) {
            const size_t lens[3] = {max, max / 2 + 1, 1};
            for (unsigned k = 0; k < 3; k++) {
                unsigned seed = round * 3 + k;
                if (k == 1) {
                    for (size_t i = 0; i < lens[k]; i++) copy[i] = byte_of(seed, i);
                    CHECK(rsipc_chan_send(ch, copy, lens[k], 0) == 0);
                    continue;
                }
                void *p = NULL;
                CHECK(rsipc_chan_loan(ch, max, &p, 0) == 0);
                if (!p) continue;
                CHECK((uintptr_t)p % 64 == 0);
                memset(p, 0xa5, max); /* the whole payload is ours */
                for (size_t i = 0; i < lens[k]; i++) ((unsigned char *)p)[i] = byte_of(seed, i);
                CHECK(rsipc_chan_publish(ch, p, lens[k]) == 0);
            }
            for (unsigned k = 0; k < 3; k++) {
                void *p = NULL;
                size_t n = 0, bad = 0;
                CHECK(rsipc_chan_recv_borrow(ch, &p, &n, 0) == 0);
                if (!p) continue;
                CHECK((uintptr_t)p % 64 == 0 && n == lens[k]);
                for (size_t i = 0; i < n; i++) bad += ((unsigned char *)p)[i] != byte_of(round * 3 + k, i);
                CHECK(bad == 0);
                CHECK(rsipc_chan_release(ch, p) == 0);
            }
        }
        struct rsipc_chan_stats st;
        CHECK(rsipc_chan_stats(ch, &st) == 0 && st.sent == 15 && st.received == 15 && st.lost == 0);
        free(copy);
        rsipc_chan_close(ch);
    }
}

/* ---- misuse ----------------------------------------------------------- */

static void test_misuse_is_an_error(void) {
    rsipc_chan_t *ch = rsipc_chan_create(NULL, 512, CAPACITY, 0);
    rsipc_chan_t *other = rsipc_chan_create(NULL, 512, CAPACITY, 0);
    CHECK(ch && other);
    if (!ch || !other) return;
    void *p = NULL, *q = NULL;
    size_t n = 0;
    char local[64];
    CHECK_FAILS(rsipc_chan_loan(ch, 513, &p, 0), -1, EMSGSIZE, "chan_loan");
    CHECK(p == NULL);
    CHECK_FAILS(rsipc_chan_loan(NULL, 1, &p, 0), -1, EFAULT, "chan_loan");
    CHECK_FAILS(rsipc_chan_loan(ch, 1, NULL, 0), -1, EFAULT, "chan_loan");
    CHECK_FAILS(rsipc_chan_recv_borrow(ch, &q, &n, 0), -1, EAGAIN, "chan_recv_borrow");
    CHECK_FAILS(rsipc_chan_recv_borrow(ch, NULL, &n, 0), -1, EFAULT, "chan_recv_borrow");
    CHECK_FAILS(rsipc_chan_recv_borrow(ch, &q, NULL, 0), -1, EFAULT, "chan_recv_borrow");
    CHECK(rsipc_chan_loan(ch, 100, &p, 0) == 0);
    memcpy(p, "hello", 5);
    /* Longer than the loan: refused, the loan stays open. */
    CHECK_FAILS(rsipc_chan_publish(ch, p, 101), -1, EMSGSIZE, "chan_publish");
    /* Not payload addresses of this channel. */
    void *bad[] = {local, NULL, (char *)p + 1, (char *)p - 64, (char *)p + ((size_t)1 << 40)};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_FAILS(rsipc_chan_publish(ch, bad[i], 1), -1, EINVAL, "chan_publish");
        CHECK_FAILS(rsipc_chan_loan_return(ch, bad[i]), -1, EINVAL, "chan_loan_return");
        CHECK_FAILS(rsipc_chan_release(ch, bad[i]), -1, EINVAL, "chan_release");
    }
    /* Another channel's loan. */
    CHECK_FAILS(rsipc_chan_publish(other, p, 5), -1, EINVAL, "chan_publish");
    /* A loan is not a borrow. */
    CHECK_FAILS(rsipc_chan_release(ch, p), -1, EINVAL, "chan_release");
    /* Another process cannot publish or return it. */
    pid_t child = fork();
    if (child == 0) {
        int e1 = rsipc_chan_publish(ch, p, 5) == -1 && errno == EINVAL;
        int e2 = rsipc_chan_loan_return(ch, p) == -1 && errno == EINVAL;
        _exit(e1 && e2 ? 0 : 1);
    }
    CHECK(wait_code(child) == 0);
    CHECK(rsipc_chan_publish(ch, p, 5) == 0);
    /* Published twice, returned after publication. */
    CHECK_FAILS(rsipc_chan_publish(ch, p, 5), -1, EINVAL, "chan_publish");
    CHECK_FAILS(rsipc_chan_loan_return(ch, p), -1, EINVAL, "chan_loan_return");
    CHECK(rsipc_chan_recv_borrow(ch, &q, &n, 0) == 0);
    CHECK(q == p && n == 5 && memcmp(q, "hello", 5) == 0);
    /* A borrow is not a loan; another process cannot release it. */
    CHECK_FAILS(rsipc_chan_publish(ch, q, 1), -1, EINVAL, "chan_publish");
    child = fork();
    if (child == 0) _exit(rsipc_chan_release(ch, q) == -1 && errno == EINVAL ? 0 : 1);
    CHECK(wait_code(child) == 0);
    CHECK(rsipc_chan_release(ch, q) == 0);
    /* Released twice. */
    CHECK_FAILS(rsipc_chan_release(ch, q), -1, EINVAL, "chan_release");
    /* A returned loan is never delivered and counts nowhere. */
    CHECK(rsipc_chan_loan(ch, 10, &p, 0) == 0);
    CHECK(rsipc_chan_loan_return(ch, p) == 0);
    CHECK_FAILS(rsipc_chan_loan_return(ch, p), -1, EINVAL, "chan_loan_return");
    CHECK_FAILS(rsipc_chan_recv_borrow(ch, &q, &n, 0), -1, EAGAIN, "chan_recv_borrow");
    struct rsipc_chan_stats st;
    CHECK(rsipc_chan_stats(ch, &st) == 0);
    CHECK(st.sent == 1 && st.received == 1 && st.lost == 0 && st.queued == 0);
    rsipc_chan_close(ch);
    rsipc_chan_close(other);
}

/* ---- SIGKILL rounds --------------------------------------------------- */

/* A child that takes a loan (writes half of it) or a borrow, says so on
 * `ready`, and waits to be killed. */
static pid_t holder(rsipc_chan_t *ch, int borrow, int ready) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    void *p = NULL;
    size_t n = 0;
    int rc = borrow ? rsipc_chan_recv_borrow(ch, &p, &n, LONG_MS) : rsipc_chan_loan(ch, SLOT, &p, LONG_MS);
    if (rc == 0 && !borrow) memset(p, 0xee, SLOT / 2);
    char c = rc == 0 ? 'y' : 'n';
    if (write(ready, &c, 1) != 1) _exit(2);
    for (;;) pause();
}

/* A producer streams loaned messages until told to stop, then publishes
 * an end marker; a consumer borrows them until the marker. Meanwhile
 * `rounds` children are killed holding a loan and `rounds` holding a
 * borrow. The consumer must see the producer's messages in order and
 * intact (never a killed child's half-written loan); every one it did not
 * see was taken by a killed borrower, and the stats say so. */
#define END UINT64_MAX
static void test_killed_holders_are_recovered(int rounds) {
    rsipc_chan_t *ch = rsipc_chan_create(NULL, SLOT, CAPACITY, 0);
    CHECK(ch != NULL);
    if (!ch) return;
    int stop[2], produced[2], consumed[2], ready[2];
    CHECK(pipe(stop) == 0 && pipe(produced) == 0 && pipe(consumed) == 0 && pipe(ready) == 0);
    pid_t producer = fork();
    if (producer == 0) {
        int bad = 0;
        uint64_t i = 0;
        for (;; i++) {
            struct pollfd pfd = {.fd = stop[0], .events = POLLIN};
            if (poll(&pfd, 1, 0) != 0) break;
            void *p = NULL;
            size_t len = msg_len(i);
            if (rsipc_chan_loan(ch, len, &p, LONG_MS) != 0) {
                bad = 1;
                break;
            }
            fill(i, p, len);
            if (rsipc_chan_publish(ch, p, len) != 0) {
                bad = 1;
                break;
            }
        }
        uint64_t end = END;
        bad |= rsipc_chan_send(ch, &end, sizeof end, LONG_MS) != 0;
        bad |= write(produced[1], &i, sizeof i) != sizeof i;
        _exit(bad);
    }
    pid_t consumer = fork();
    if (consumer == 0) {
        uint64_t got = 0, next = 0;
        int bad = 0;
        for (;;) {
            void *p = NULL;
            size_t n = 0;
            if (rsipc_chan_recv_borrow(ch, &p, &n, LONG_MS) != 0) {
                bad = 1;
                break;
            }
            uint64_t seq;
            memcpy(&seq, p, sizeof seq);
            int whole = seq == END ? n == sizeof seq : intact(seq, p, n);
            bad |= rsipc_chan_release(ch, p) != 0;
            if (!whole) bad = 1;
            if (seq == END || bad) break;
            if (seq < next) bad = 1;
            next = seq + 1;
            got++;
        }
        bad |= write(consumed[1], &got, sizeof got) != sizeof got;
        _exit(bad);
    }
    int killed = 0, killed_borrows = 0;
    for (int r = 0; r < 2 * rounds; r++) {
        int borrow = r % 2;
        pid_t h = holder(ch, borrow, ready[1]);
        char c = 0;
        CHECK(read(ready[0], &c, 1) == 1);
        kill(h, SIGKILL);
        CHECK(wait_code(h) == 128 + SIGKILL);
        if (c == 'y') {
            killed++;
            killed_borrows += borrow;
        }
    }
    CHECK(write(stop[1], "x", 1) == 1);
    CHECK(wait_code(producer) == 0);
    CHECK(wait_code(consumer) == 0);
    uint64_t made = 0, got = 0;
    CHECK(read(produced[0], &made, sizeof made) == sizeof made);
    CHECK(read(consumed[0], &got, sizeof got) == sizeof got);
    struct rsipc_chan_stats st;
    CHECK(rsipc_chan_stats(ch, &st) == 0);
    /* Every loan the killed children held was lost, never delivered; every
     * borrow lost one producer message. */
    CHECK(killed == 2 * rounds);
    CHECK(st.lost == (uint64_t)killed);
    CHECK(got + (uint64_t)killed_borrows == made);
    CHECK(st.sent == made + 1 + (uint64_t)(killed - killed_borrows));
    CHECK(st.received == got + 1 && st.queued == 0);
    printf("killed %d holders (%d with a borrow); the consumer got %llu of %llu; stats: sent %llu received %llu lost %llu\n",
           killed, killed_borrows, (unsigned long long)got, (unsigned long long)made, (unsigned long long)st.sent,
           (unsigned long long)st.received, (unsigned long long)st.lost);
    int fds[] = {stop[0], stop[1], produced[0], produced[1], consumed[0], consumed[1], ready[0], ready[1]};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) close(fds[i]);
    rsipc_chan_close(ch);
}

int main(void) {
    int full = getenv("RSIPC_STRESS_FULL") != NULL;
    test_loaned_stream_arrives_in_order(full ? 20000 : 3000);
    test_payload_alignment();
    test_misuse_is_an_error();
    test_killed_holders_are_recovered(full ? 100 : 10);
    return check_summary("test_chan_loan");
}
