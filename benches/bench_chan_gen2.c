/* The second generation of the channel: zero-copy loans and borrows
 * against the copying path, and broadcast fan-out (rows in bench_chan.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench_chan.h"
#include "rsipc.h"


/* ---- zero-copy: loans and borrows ------------------------------------------------------------ */

/* One producer, one consumer, every message `size` bytes, every byte of it
 * written once by the producer and read once by the consumer, as a program
 * making and using its data does. The copying path writes the message into
 * a buffer of its own, sends it (a copy in), receives it (a copy out) and
 * reads the buffer; the zero-copy path writes it into a loaned slot,
 * publishes it, borrows it and reads it there. Same channel geometry
 * (DEPTH slots), same data, same checks. Both paths write and read 16 bytes
 * at a time (SSE2, baseline x86-64), as a compiler vectorising the loops
 * would: with 8-byte scalar loops the loops themselves, not the copies, are
 * most of the time. */
typedef struct {
    rsipc_chan_t *ch;
    size_t size, total;
    int zero_copy;
} zc_job;

#define ZC_MIX 0x9E3779B97F4A7C15ULL

typedef uint64_t zc_vec __attribute__((vector_size(16)));

/* Writes message `seq`: its number, then one 64-bit word per 8 bytes. */
void zc_make(unsigned char *p, size_t size, uint64_t seq) {
    uint64_t v = seq * ZC_MIX;
    zc_vec head = {seq, v}, body = {v, v};
    size_t i = 0;
    if (size >= 16) memcpy(p, &head, sizeof head), i = 16;
    else memcpy(p, &seq, sizeof seq), i = 8;
    for (; i + 16 <= size; i += 16) memcpy(p + i, &body, sizeof body);
    if (i + 8 <= size) memcpy(p + i, &v, sizeof v);
}

/* Reads every word of message `seq` and checks their sum. */
void zc_use(const unsigned char *p, size_t size, uint64_t seq) {
    uint64_t first, sum = 0;
    zc_vec a = {0, 0}, b = {0, 0};
    memcpy(&first, p, sizeof first);
    size_t i = 0;
    for (; i + 32 <= size; i += 32) {
        zc_vec x, y;
        memcpy(&x, p + i, sizeof x);
        memcpy(&y, p + i + 16, sizeof y);
        a += x;
        b += y;
    }
    for (; i + 8 <= size; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, sizeof w);
        sum += w;
    }
    a += b;
    sum += a[0] + a[1] - first;
    if (first != seq || sum != (uint64_t)(size / 8 - 1) * (seq * ZC_MIX)) {
        errno = 0;
        bench_die("zero-copy row: message %llu damaged", (unsigned long long)seq);
    }
}

static int zc_producer(void *arg) {
    zc_job *j = arg;
    unsigned char *buf = malloc(j->size);
    if (!buf) return bench_child_fail("malloc");
    for (uint64_t s = 0; s < j->total; s++) {
        if (j->zero_copy) {
            void *p;
            if (rsipc_chan_loan(j->ch, j->size, &p, -1) != 0) return bench_child_fail("loan %llu", (unsigned long long)s);
            zc_make(p, j->size, s);
            if (rsipc_chan_publish(j->ch, p, j->size) != 0) return bench_child_fail("publish");
        } else {
            zc_make(buf, j->size, s);
            if (rsipc_chan_send(j->ch, buf, j->size, -1) != 0) return bench_child_fail("send %llu", (unsigned long long)s);
        }
    }
    free(buf);
    return 0;
}

/* MiB/s of a->count bytes in a->size messages (plus a tenth to warm up). */
static double zc_flow(const bench_args *a, int zero_copy) {
    zc_job j;
    j.size = a->size;
    j.zero_copy = zero_copy;
    size_t messages = a->count / a->size;
    size_t warm = warmup_of(messages);
    j.total = warm + messages;
    j.ch = rsipc_chan_create(NULL, j.size, DEPTH, 0600);
    if (!j.ch) bench_die("rsipc_chan_create(NULL, %zu, %d)", j.size, DEPTH);
    unsigned char *buf = bench_alloc(j.size);
    pid_t pid = bench_spawn(zc_producer, &j);
    uint64_t t0 = 0;
    for (uint64_t s = 0; s < j.total; s++) {
        if (s == warm) t0 = bench_now_ns();
        if (zero_copy) {
            void *p;
            size_t n;
            if (rsipc_chan_recv_borrow(j.ch, &p, &n, -1) != 0 || n != j.size) bench_die("borrow %llu", (unsigned long long)s);
            zc_use(p, n, s);
            if (rsipc_chan_release(j.ch, p) != 0) bench_die("release");
        } else {
            if (rsipc_chan_recv(j.ch, buf, j.size, -1) != (ssize_t)j.size) bench_die("recv %llu", (unsigned long long)s);
            zc_use(buf, j.size, s);
        }
    }
    uint64_t t1 = bench_now_ns();
    bench_reap(pid);
    free(buf);
    if (rsipc_chan_close(j.ch) != 0) bench_die("rsipc_chan_close");
    double ns = bench_ns_per(t0, t1, messages);
    return (double)a->size / (double)MiB / (ns / 1e9);
}

double chan_copy_flow(const bench_args *a) { return zc_flow(a, 0); }
double chan_loan_flow(const bench_args *a) { return zc_flow(a, 1); }

/* ---- broadcast fan-out -------------------------------------------------------------------- */

/* One publisher, `subs` subscriber processes on a broadcast channel
 * (RSIPC_CHAN_BLOCK_PUBLISHER: every message reaches every subscriber, so
 * the figure is per message delivered to all). Each subscriber checks the
 * sequence numbers and sends a byte on `done` after the last message. */
typedef struct {
    char name[64];
    int ready[2], done[2];
    size_t size, total;
} fan_job;

static int fan_subscriber(void *arg) {
    fan_job *j = arg;
    rsipc_chan_t *s = rsipc_chan_subscribe(j->name);
    if (!s) return bench_child_fail("subscribe: %s", rsipc_last_error());
    if (bench_send_byte_child(j->ready[1]) != 0) return bench_child_fail("ready byte");
    char *buf = malloc(j->size);
    if (!buf) return bench_child_fail("malloc");
    for (uint64_t n = 0; n < j->total; n++) {
        if (rsipc_chan_recv(s, buf, j->size, -1) < 0) return bench_child_fail("recv: %s", rsipc_last_error());
        uint64_t seq;
        memcpy(&seq, buf, sizeof seq);
        if (seq != n) return bench_child_fail("message %llu instead of %llu", (unsigned long long)seq,
                                              (unsigned long long)n);
    }
    if (bench_send_byte_child(j->done[1]) != 0) return bench_child_fail("done byte");
    free(buf);
    rsipc_chan_close(s);
    return 0;
}

static double fan_out(const bench_args *a, unsigned subs) {
    fan_job j;
    memset(&j, 0, sizeof j);
    snprintf(j.name, sizeof j.name, "/rsipc-bench-fan-%d", (int)getpid());
    j.size = a->size;
    size_t warm = warmup_of(a->count);
    j.total = warm + a->count;
    rsipc_chan_t *p = rsipc_chan_create_broadcast(j.name, a->size, DEPTH, 0600, RSIPC_CHAN_BLOCK_PUBLISHER);
    if (!p) bench_die("chan_create_broadcast: %s", rsipc_last_error());
    if (pipe(j.ready) != 0 || pipe(j.done) != 0) bench_die("pipe");
    pid_t pids[8];
    for (unsigned i = 0; i < subs; i++) pids[i] = bench_spawn(fan_subscriber, &j);
    for (unsigned i = 0; i < subs; i++) bench_recv_byte(j.ready[0]);
    char *buf = bench_alloc(a->size);
    memset(buf, 0x5a, a->size);
    uint64_t t0 = 0;
    for (uint64_t n = 0; n < j.total; n++) {
        if (n == warm) t0 = bench_now_ns();
        memcpy(buf, &n, sizeof n);
        if (rsipc_chan_send(p, buf, a->size, -1) != 0) bench_die("send: %s", rsipc_last_error());
    }
    for (unsigned i = 0; i < subs; i++) bench_recv_byte(j.done[0]);
    uint64_t t1 = bench_now_ns();
    for (unsigned i = 0; i < subs; i++) bench_reap(pids[i]);
    free(buf);
    int fds[] = {j.ready[0], j.ready[1], j.done[0], j.done[1]};
    for (size_t i = 0; i < 4; i++) close(fds[i]);
    rsipc_chan_close(p);
    rsipc_chan_unlink(j.name);
    return bench_ns_per(t0, t1, a->count);
}

double fan_out1(const bench_args *a) { return fan_out(a, 1); }
double fan_out4(const bench_args *a) { return fan_out(a, 4); }
double fan_out8(const bench_args *a) { return fan_out(a, 8); }

