/* The limits the channel rows are read against, measured next to them
 * (see bench_chan.c for the rows).
 *
 * Limits, each measured the way the rows it bounds are, and named with
 * issue 9's target for those rows:
 * - the cache-line one-way latency, as in the limits group, again right
 *   before the awake row (the vCPUs' placement, and with it this latency,
 *   changes during a run), and once more with spins that pause between
 *   looks as the channel's do (on this machine a bare spin loop can slow
 *   the exchange it waits for: the paused form is up to twice as fast);
 * - a futex wake of a sleeping waiter, timestamped exactly like the
 *   "receiver asleep" rows (in bench_chan.c, which times those; the limits
 *   group's futex ping-pong times the same wake-up as half a round trip);
 * - a minimal single-producer single-consumer ring of DEPTH slots in shared
 *   memory (a sequence word per slot, nothing else: no pids, no recovery,
 *   no sleeping; both sides spin), copying each message in on one CPU and
 *   out on the other: with 64 B messages the floor under the 64 B rows,
 *   with 4 KiB messages the bandwidth the 4 KiB target is a share of. The
 *   limits group's memcpy row copies 64 MiB buffers on one CPU, which
 *   measures DRAM bandwidth, not message-sized blocks moving between two
 *   caches, which is what a message queue does;
 * - the zero-copy ceiling: the zero-copy rows' work (every message made in
 *   full and read in full), copying against in place, through the same
 *   minimal ring, bare and with the locked operations a multi-producer
 *   multi-consumer protocol needs: the ratio the zero-copy rows (issue 17's
 *   target: in place >= 2x copying) can reach at most on this machine.
*/
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "bench_chan.h"


static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Half of the `pct` percentile of `n` round trips of `t` ticks, in ns. */
double half_percentile(uint64_t *t, size_t n, double pct, double ns_per_tick) {
    qsort(t, n, sizeof *t, cmp_u64);
    size_t i = (size_t)(pct / 100.0 * (double)(n - 1) + 0.5);
    return (double)t[i] * ns_per_tick / 2.0;
}

/* ---- the minimal ring (limits) ------------------------------------------------------------ */

/* DEPTH slots, each a sequence word on its own line followed by the message:
 * the producer waits until slot i % DEPTH holds i, copies in, stores i + 1;
 * the consumer waits for i + 1, copies out, stores i + DEPTH. Both spin,
 * pausing as the channel does.
 *
 * The same ring also carries the zero-copy rows' messages (zc_make and
 * zc_use: made in full by the producer, read in full by the consumer), in
 * both forms of those rows: made in a buffer and copied in, copied out and
 * read in a buffer; or made and read in the slot. Without a channel's
 * claims, recovery or calls, the ratio of the two is the most skipping the
 * copies can gain on this machine: the ceiling of the zero-copy rows'
 * ratio. `locked` adds the atomic operations no multi-producer
 * multi-consumer slot protocol can do without, and the channel does: each
 * side claims its slot with a compare-exchange, and publication and release
 * are locked exchanges (each a full barrier, as the channel's wake-up check
 * needs). */
typedef enum {
    RING_BYTES,    /* a buffer copied in and out (the cross-core copy rows) */
    RING_ZC_COPY,  /* zero-copy rows' messages, copying */
    RING_ZC_PLACE, /* zero-copy rows' messages, in place */
} ring_load;

typedef struct {
    char *base;
    size_t size, stride, total;
    ring_load load;
    int locked;
} ring_job;

/* A claimed slot's sequence word (with `locked`): the value it was claimed
 * at, with this bit set. */
#define RING_HELD (1ULL << 63)

static _Atomic uint64_t *ring_seq(const ring_job *r, size_t i) {
    return (_Atomic uint64_t *)(r->base + (i % DEPTH) * r->stride);
}

static unsigned char *ring_data(const ring_job *r, size_t i) {
    return (unsigned char *)r->base + (i % DEPTH) * r->stride + 64;
}

/* Waits until `seq` holds `want`, then (with `locked`) claims it. 0, or -1
 * if the claim failed: with one producer and one consumer, a broken ring. */
static int ring_claim(const ring_job *r, _Atomic uint64_t *seq, uint64_t want) {
    while (atomic_load_explicit(seq, memory_order_acquire) != want) cpu_relax();
    if (!r->locked) return 0;
    return atomic_compare_exchange_strong_explicit(seq, &want, want | RING_HELD, memory_order_acquire,
                                                   memory_order_relaxed)
               ? 0
               : -1;
}

/* Hands the slot on: `next` is what the other side waits for. */
static void ring_pass(const ring_job *r, _Atomic uint64_t *seq, uint64_t next) {
    if (r->locked) atomic_exchange_explicit(seq, next, memory_order_seq_cst);
    else atomic_store_explicit(seq, next, memory_order_release);
}

static int ring_producer(void *arg) {
    ring_job *r = arg;
    unsigned char *buf = malloc(r->size);
    if (!buf) return bench_child_fail("malloc");
    memset(buf, 0x5a, r->size);
    for (uint64_t i = 0; i < r->total; i++) {
        _Atomic uint64_t *seq = ring_seq(r, i);
        if (ring_claim(r, seq, i) != 0) return bench_child_fail("ring slot %llu taken", (unsigned long long)i);
        switch (r->load) {
        case RING_BYTES:
            memcpy(buf, &i, sizeof i);
            memcpy(ring_data(r, i), buf, r->size);
            break;
        case RING_ZC_COPY:
            zc_make(buf, r->size, i);
            memcpy(ring_data(r, i), buf, r->size);
            break;
        case RING_ZC_PLACE:
            zc_make(ring_data(r, i), r->size, i);
            break;
        }
        ring_pass(r, seq, i + 1);
    }
    free(buf);
    return 0;
}

/* ns per message of `messages` `size`-byte messages carrying `load`. */
static double ring(size_t size, size_t messages, ring_load load, int locked) {
    ring_job r;
    r.size = size;
    r.stride = 64 + (size + 63) / 64 * 64;
    r.load = load;
    r.locked = locked;
    size_t warm = warmup_of(messages);
    r.total = warm + messages;
    r.base = bench_shared_alloc(DEPTH * r.stride);
    for (uint64_t i = 0; i < DEPTH; i++) atomic_store(ring_seq(&r, i), i);
    unsigned char *buf = bench_alloc(size);
    pid_t pid = bench_spawn(ring_producer, &r);
    uint64_t t0 = 0;
    for (uint64_t i = 0; i < r.total; i++) {
        if (i == warm) t0 = bench_now_ns();
        _Atomic uint64_t *seq = ring_seq(&r, i);
        if (ring_claim(&r, seq, i + 1) != 0) bench_die("ring slot %llu taken", (unsigned long long)i);
        if (load == RING_ZC_PLACE) {
            zc_use(ring_data(&r, i), size, i);
            ring_pass(&r, seq, i + DEPTH);
            continue;
        }
        memcpy(buf, ring_data(&r, i), size);
        ring_pass(&r, seq, i + DEPTH);
        if (load == RING_ZC_COPY) {
            zc_use(buf, size, i);
            continue;
        }
        uint64_t tag;
        memcpy(&tag, buf, sizeof tag);
        if (tag != i) {
            errno = 0;
            bench_die("ring message %llu holds %llu", (unsigned long long)i, (unsigned long long)tag);
        }
    }
    uint64_t t1 = bench_now_ns();
    bench_reap(pid);
    free(buf);
    munmap(r.base, DEPTH * r.stride);
    return bench_ns_per(t0, t1, messages);
}

/* MiB/s of a->count bytes in a->size messages carrying `load`. */
static double ring_rate(const bench_args *a, ring_load load, int locked) {
    double ns = ring(a->size, a->count / a->size, load, locked);
    return (double)a->size / (double)MiB / (ns / 1e9);
}

double ring_ns(const bench_args *a) { return ring(a->size, a->count, RING_BYTES, 0); }
double ring_mibs(const bench_args *a) { return ring_rate(a, RING_BYTES, 0); }
double ring_zc_copy(const bench_args *a) { return ring_rate(a, RING_ZC_COPY, 0); }
double ring_zc_place(const bench_args *a) { return ring_rate(a, RING_ZC_PLACE, 0); }
double ring_zc_copy_locked(const bench_args *a) { return ring_rate(a, RING_ZC_COPY, 1); }
double ring_zc_place_locked(const bench_args *a) { return ring_rate(a, RING_ZC_PLACE, 1); }

/* ---- the cache line (limits) ------------------------------------------------------------------- */

/* The limits group's cache-line ping-pong, measured again right before the
 * awake row (the vCPUs' placement, and with it this latency, changes within
 * a run), and in a second form whose spins pause as the channel's do. One
 * word on its own line; the parent writes odd values, the child answers
 * with the next even one. */
typedef struct {
    _Atomic unsigned *word;
    size_t rounds;
    int relax;
} bounce;

static void bounce_wait(const bounce *b, unsigned v) {
    while (atomic_load_explicit(b->word, memory_order_acquire) != v)
        if (b->relax) cpu_relax();
}

static int bounce_child(void *arg) {
    bounce *b = arg;
    for (unsigned i = 0; i < b->rounds; i++) {
        bounce_wait(b, 2 * i + 1);
        atomic_store_explicit(b->word, 2 * i + 2, memory_order_release);
    }
    return 0;
}

static double cache_line(const bench_args *a, int relax) {
    size_t warm = warmup_of(a->count);
    bounce b = {bench_shared_alloc(4096), warm + a->count, relax};
    pid_t pid = bench_spawn(bounce_child, &b);
    uint64_t t0 = 0;
    for (unsigned i = 0; i < b.rounds; i++) {
        if (i == warm) t0 = bench_now_ns();
        atomic_store_explicit(b.word, 2 * i + 1, memory_order_release);
        bounce_wait(&b, 2 * i + 2);
    }
    uint64_t t1 = bench_now_ns();
    bench_reap(pid);
    munmap((void *)b.word, 4096);
    return bench_ns_per(t0, t1, 2 * a->count);
}

double cache_line_spin(const bench_args *a) { return cache_line(a, 0); }
double cache_line_pause(const bench_args *a) { return cache_line(a, 1); }

/* The pausing cache-line ping-pong's round trips, one by one (as
 * pingpong_pct). */
static double cache_line_pct(const bench_args *a, double pct) {
    size_t warm = warmup_of(a->count);
    bounce b = {bench_shared_alloc(4096), warm + a->count, 1};
    uint64_t *rt = bench_alloc(a->count * sizeof *rt);
    pid_t pid = bench_spawn(bounce_child, &b);
    uint64_t ns0 = 0, tk0 = 0;
    for (unsigned i = 0; i < b.rounds; i++) {
        if (i == warm) {
            ns0 = bench_now_ns();
            tk0 = ticks();
        }
        uint64_t start = ticks();
        atomic_store_explicit(b.word, 2 * i + 1, memory_order_release);
        bounce_wait(&b, 2 * i + 2);
        if (i >= warm) rt[i - warm] = ticks() - start;
    }
    uint64_t tk1 = ticks(), ns1 = bench_now_ns();
    bench_reap(pid);
    munmap((void *)b.word, 4096);
    double ns_per_tick = tk1 > tk0 ? (double)(ns1 - ns0) / (double)(tk1 - tk0) : 1.0;
    double r = half_percentile(rt, a->count, pct, ns_per_tick);
    free(rt);
    return r;
}

double cache_line_p50(const bench_args *a) { return cache_line_pct(a, 50); }
double cache_line_p99(const bench_args *a) { return cache_line_pct(a, 99); }


/* ---- the channel's slot protocol without the library (limits) -------------------------------- */

/* The awake ping-pong of the chan rows (8-byte messages, two channels of
 * DEPTH one-line slots) with the channel's slot protocol written out in C
 * and nothing else: a slot word `[lap | phase | member]` after the message
 * in the slot's one line; a sender claims with a compare-exchange from the
 * lap's empty word, copies in, publishes with a compare-exchange (a full
 * barrier) and loads its peer's sleeper flag; a receiver spins with
 * compare-exchanges that are the claim itself (pausing between them),
 * copies out, releases with a compare-exchange to the next lap's empty word
 * and loads the sleeper flag. The index hints are stored as the channel's
 * are. No calls, no argument checks, no errors, no member lookup, no spin
 * budget, never a sleep: against the chan row in the same run, the ratio is
 * what the library adds to its protocol. */
enum { SLOT_EMPTY, SLOT_WRITING, SLOT_FULL, SLOT_READING };

typedef struct {
    uint64_t msg, pad;
    _Atomic uint64_t state;
    uint32_t len, pad2;
    char rest[32];
} model_slot;

typedef struct {
    _Alignas(128) _Atomic uint64_t tail;
    _Alignas(128) _Atomic uint64_t head;
    _Alignas(128) _Atomic uint32_t sleepers[2]; /* never set: nobody sleeps here */
    _Alignas(128) model_slot slot[DEPTH];
} model_ring;

typedef struct {
    model_ring *down, *up;
    size_t rounds;
} model_job;

static uint64_t model_word(uint64_t lap, unsigned phase, unsigned member) {
    return lap << 24 | (uint64_t)phase << 22 | member;
}

/* Spins until the word of `s` goes from `from` of `lap` to `to` by `me`:
 * the claim, each look a compare-exchange (pausing between them). */
static void model_claim(model_slot *s, uint64_t lap, unsigned from, unsigned to, unsigned me) {
    uint64_t w = model_word(lap, from, 0);
    while (!atomic_compare_exchange_strong_explicit(&s->state, &w, model_word(lap, to, me), memory_order_acquire,
                                                    memory_order_relaxed)) {
        w = model_word(lap, from, 0);
        cpu_relax();
    }
}

/* Ends a claim of position `p`: the word from `claimed` to `next` (a full
 * barrier), the index hint moved past `p`, and the peer's sleeper flag
 * loaded (it is never set: nobody sleeps here). 0, or -1 if the word was
 * not ours or a peer sleeps. */
static int model_hand_on(model_ring *r, _Atomic uint64_t *index, uint64_t p, model_slot *s, uint64_t claimed,
                         uint64_t next, int peer) {
    if (!atomic_compare_exchange_strong_explicit(&s->state, &claimed, next, memory_order_seq_cst,
                                                 memory_order_relaxed))
        return -1;
    if (atomic_load_explicit(index, memory_order_relaxed) == p)
        atomic_store_explicit(index, p + 1, memory_order_relaxed);
    return atomic_load_explicit(&r->sleepers[peer], memory_order_seq_cst) == 0 ? 0 : -1;
}

static int model_send(model_ring *r, uint64_t v, unsigned me) {
    uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed), lap = t / DEPTH;
    model_slot *s = &r->slot[t % DEPTH];
    model_claim(s, lap, SLOT_EMPTY, SLOT_WRITING, me);
    s->msg = v;
    s->len = sizeof v;
    return model_hand_on(r, &r->tail, t, s, model_word(lap, SLOT_WRITING, me), model_word(lap, SLOT_FULL, 0), 1);
}

static int model_recv(model_ring *r, uint64_t *v, unsigned me) {
    uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed), lap = h / DEPTH;
    model_slot *s = &r->slot[h % DEPTH];
    model_claim(s, lap, SLOT_FULL, SLOT_READING, me);
    if (s->len != sizeof *v) return -1;
    *v = s->msg;
    return model_hand_on(r, &r->head, h, s, model_word(lap, SLOT_READING, me), model_word(lap + 1, SLOT_EMPTY, 0), 0);
}

static int model_child(void *arg) {
    model_job *j = arg;
    for (uint64_t i = 0; i < j->rounds; i++) {
        uint64_t v;
        if (model_recv(j->down, &v, 2) != 0 || v != i)
            return bench_child_fail("slot model: message %llu", (unsigned long long)i);
        if (model_send(j->up, v, 2) != 0) return bench_child_fail("slot model: reply %llu", (unsigned long long)i);
    }
    return 0;
}

double slot_model_pingpong(const bench_args *a) {
    size_t warm = warmup_of(a->count);
    model_ring *rings = bench_shared_alloc(2 * sizeof *rings);
    memset(rings, 0, 2 * sizeof *rings);
    model_job j = {&rings[0], &rings[1], warm + a->count};
    pid_t pid = bench_spawn(model_child, &j);
    uint64_t t0 = 0;
    for (uint64_t i = 0; i < j.rounds; i++) {
        if (i == warm) t0 = bench_now_ns();
        uint64_t v;
        if (model_send(j.down, i, 1) != 0) bench_die("slot model: send %llu", (unsigned long long)i);
        if (model_recv(j.up, &v, 1) != 0 || v != i) bench_die("slot model: reply %llu", (unsigned long long)i);
    }
    uint64_t t1 = bench_now_ns();
    bench_reap(pid);
    munmap(rings, 2 * sizeof *rings);
    return bench_ns_per(t0, t1, 2 * a->count);
}
