/* The stress driver (stress.h): the senders, the receivers, the run and
 * its self-test. */
#include "stress.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rsipc.h"

/* What the children report, in an anonymous shared mapping. */
struct stress_counts {
    long received, out_of_order, corrupted, errors;
};
struct stress_shared {
    struct stress_counts receiver[STRESS_MAX_PROCS];
    long sent[STRESS_MAX_PROCS];
    long sender_errors[STRESS_MAX_PROCS];
    unsigned char seen[]; /* one counter per record, saturating at 255 */
};

long stress_records(long small) {
    const char *n = getenv("RSIPC_STRESS_RECORDS");
    if (n && *n) return atol(n);
    const char *full = getenv("RSIPC_STRESS_FULL");
    if (full && strcmp(full, "1") == 0) return STRESS_FULL_RECORDS;
    return small;
}

static long stress_share(const struct stress_config *cfg, int sender) {
    return cfg->records / cfg->senders + (sender < cfg->records % cfg->senders ? 1 : 0);
}

/* Index of a sender's first record in `seen`. */
static long stress_first(const struct stress_config *cfg, int sender) {
    long base = cfg->records / cfg->senders, extra = cfg->records % cfg->senders;
    return (long)sender * base + (sender < extra ? sender : extra);
}

static unsigned char stress_pattern(uint32_t sender, uint64_t seq, size_t i) {
    return (unsigned char)(sender * 251u + (unsigned)seq * 13u + (unsigned)i * 0x9du);
}

static void stress_fill(unsigned char *rec, size_t size, uint32_t sender, uint64_t seq, uint32_t flags) {
    struct stress_header h = {STRESS_MAGIC, flags, sender, (uint32_t)size, seq};
    memcpy(rec, &h, sizeof h);
    for (size_t i = sizeof h; i < size; i++) rec[i] = stress_pattern(sender, seq, i);
}

/* 0 if `rec` is an intact record of `size` bytes, with its header in *h. */
static int stress_check(const unsigned char *rec, size_t size, struct stress_header *h) {
    memcpy(h, rec, sizeof *h);
    if (h->magic != STRESS_MAGIC || h->size != size) return -1;
    for (size_t i = sizeof *h; i < size; i++)
        if (rec[i] != stress_pattern(h->sender, h->seq, i)) return -1;
    return 0;
}

static int stress_sender(const struct stress_transport *t, void *state, const struct stress_config *cfg,
                                struct stress_shared *sh, int id) {
    unsigned char *rec = malloc(t->record_size);
    if (!rec) return 1;
    int rsipc = id % 2 == 0;
    long n = stress_share(cfg, id);
    for (long seq = 0; seq < n; seq++) {
        stress_fill(rec, t->record_size, (uint32_t)id, (uint64_t)seq, 0);
        if (t->send(state, rec, rsipc) != 0) {
            fprintf(stderr, "stress %s: sender %d (%s): record %ld: %s (%s)\n", t->name, id, rsipc ? "rsipc" : "glibc",
                    seq, strerror(errno), rsipc ? rsipc_last_error() : "");
            sh->sender_errors[id]++;
            free(rec);
            return 1;
        }
        sh->sent[id]++;
    }
    free(rec);
    return 0;
}

static int stress_receiver(const struct stress_transport *t, void *state, const struct stress_config *cfg,
                                  struct stress_shared *sh, int id) {
    unsigned char *rec = malloc(t->record_size);
    long *last = malloc(sizeof(long) * (size_t)cfg->senders);
    if (!rec || !last) return 1;
    for (int s = 0; s < cfg->senders; s++) last[s] = -1;
    struct stress_counts *c = &sh->receiver[id];
    int rsipc = id % 2 == 0;
    for (;;) {
        int r = t->recv(state, rec, rsipc);
        if (r == 0) break;
        if (r < 0) {
            fprintf(stderr, "stress %s: receiver %d (%s): %s (%s)\n", t->name, id, rsipc ? "rsipc" : "glibc",
                    strerror(errno), rsipc ? rsipc_last_error() : "");
            c->errors++;
            break;
        }
        struct stress_header h;
        if (stress_check(rec, t->record_size, &h) != 0) {
            c->corrupted++;
            continue;
        }
        if (h.flags & STRESS_FLAG_END) break;
        if (h.sender >= (uint32_t)cfg->senders || h.seq >= (uint64_t)stress_share(cfg, (int)h.sender)) {
            c->corrupted++;
            continue;
        }
        if ((long)h.seq <= last[h.sender]) c->out_of_order++;
        last[h.sender] = (long)h.seq;
        unsigned char *slot = &sh->seen[stress_first(cfg, (int)h.sender) + (long)h.seq];
        unsigned char old = __atomic_load_n(slot, __ATOMIC_RELAXED);
        while (old < 255 && !__atomic_compare_exchange_n(slot, &old, (unsigned char)(old + 1), 0, __ATOMIC_RELAXED,
                                                         __ATOMIC_RELAXED)) {
        }
        c->received++;
    }
    free(rec);
    free(last);
    return c->errors || c->corrupted ? 1 : 0;
}

static pid_t stress_fork(int (*role)(const struct stress_transport *, void *, const struct stress_config *,
                                            struct stress_shared *, int),
                                int (*init)(void *, int), const struct stress_transport *t, void *state,
                                const struct stress_config *cfg, struct stress_shared *sh, int id) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(STRESS_WATCHDOG_SECONDS);
        if (init && init(state, id) != 0) {
            fprintf(stderr, "stress %s: init of process %d: %s\n", t->name, id, strerror(errno));
            _exit(1);
        }
        _exit(role(t, state, cfg, sh, id));
    }
    return pid;
}

/* A child's end: 0 if it exited 0; else prints why and returns 1. */
int stress_wait(const struct stress_transport *t, pid_t pid, const char *role, int id) {
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return 1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (WIFSIGNALED(status))
        fprintf(stderr, "stress %s: %s %d killed by signal %d (%s)%s\n", t->name, role, id, WTERMSIG(status),
                strsignal(WTERMSIG(status)), WTERMSIG(status) == SIGALRM ? ": deadlock?" : "");
    else
        fprintf(stderr, "stress %s: %s %d exited with status %d\n", t->name, role, id, WEXITSTATUS(status));
    return 1;
}

/* Runs the whole exchange; prints one summary line; 0 if every record
 * arrived exactly once, in order, intact, and every process succeeded. */
int stress_run(const struct stress_transport *t, void *state, const struct stress_config *cfg) {
    if (cfg->senders < 1 || cfg->receivers < 1 || cfg->senders > STRESS_MAX_PROCS ||
        cfg->receivers > STRESS_MAX_PROCS || cfg->records < 0 || t->record_size < sizeof(struct stress_header)) {
        fprintf(stderr, "stress %s: bad configuration\n", t->name);
        return 1;
    }
    size_t shared_size = sizeof(struct stress_shared) + (size_t)cfg->records;
    struct stress_shared *sh = mmap(NULL, shared_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("stress: mmap");
        return 1;
    }
    int failed = 0;
    if (t->open(state) != 0) {
        fprintf(stderr, "stress %s: open: %s (%s)\n", t->name, strerror(errno), rsipc_last_error());
        munmap(sh, shared_size);
        return 1;
    }
    pid_t receivers[STRESS_MAX_PROCS], senders[STRESS_MAX_PROCS];
    for (int i = 0; i < cfg->receivers; i++)
        receivers[i] = stress_fork(stress_receiver, t->receiver_init, t, state, cfg, sh, i);
    for (int i = 0; i < cfg->senders; i++)
        senders[i] = stress_fork(stress_sender, t->sender_init, t, state, cfg, sh, i);
    for (int i = 0; i < cfg->senders; i++) failed |= senders[i] < 0 || stress_wait(t, senders[i], "sender", i);

    if (t->finish) {
        if (t->finish(state, cfg->receivers) != 0) {
            fprintf(stderr, "stress %s: finish: %s\n", t->name, strerror(errno));
            failed = 1;
        }
    } else {
        unsigned char *end = malloc(t->record_size);
        for (int i = 0; end && i < cfg->receivers; i++) {
            stress_fill(end, t->record_size, 0, 0, STRESS_FLAG_END);
            if (t->send(state, end, 1) != 0) {
                fprintf(stderr, "stress %s: end record: %s (%s)\n", t->name, strerror(errno), rsipc_last_error());
                failed = 1;
                break;
            }
        }
        free(end);
    }
    for (int i = 0; i < cfg->receivers; i++)
        failed |= receivers[i] < 0 || stress_wait(t, receivers[i], "receiver", i);
    t->close(state);

    long sent = 0, received = 0, out_of_order = 0, corrupted = 0, errors = 0, lost = 0, duplicated = 0;
    for (int i = 0; i < cfg->senders; i++) {
        sent += sh->sent[i];
        errors += sh->sender_errors[i];
    }
    for (int i = 0; i < cfg->receivers; i++) {
        received += sh->receiver[i].received;
        out_of_order += sh->receiver[i].out_of_order;
        corrupted += sh->receiver[i].corrupted;
        errors += sh->receiver[i].errors;
    }
    for (long i = 0; i < cfg->records; i++) {
        if (sh->seen[i] == 0) lost++;
        else if (sh->seen[i] > 1) duplicated += sh->seen[i] - 1;
    }
    printf("stress %s: %d senders (%d rsipc, %d glibc), %d receivers (%d rsipc, %d glibc), %ld records of %zu bytes: "
           "sent %ld, received %ld, lost %ld, duplicated %ld, out of order %ld, corrupted %ld, errors %ld\n",
           t->name, cfg->senders, (cfg->senders + 1) / 2, cfg->senders / 2, cfg->receivers, (cfg->receivers + 1) / 2,
           cfg->receivers / 2, cfg->records, t->record_size, sent, received, lost, duplicated, out_of_order, corrupted,
           errors);
    fflush(stdout);
    failed |= sent != cfg->records || received != cfg->records || lost || duplicated || out_of_order || corrupted ||
              errors;
    munmap(sh, shared_size);
    return failed ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Self-test: the same exchange with one fault injected by sender 1 at
 * record 5; the driver must report each one. */

enum stress_fault { STRESS_DROP, STRESS_DUPLICATE, STRESS_REORDER, STRESS_CORRUPT };

struct stress_faulty {
    const struct stress_transport *inner;
    void *inner_state;
    enum stress_fault fault;
    unsigned char *held; /* STRESS_REORDER: record 5, sent after record 6 */
};
static struct stress_faulty stress_faulty_now;

static int stress_faulty_open(void *s) {
    (void)s;
    return stress_faulty_now.inner->open(stress_faulty_now.inner_state);
}
static int stress_faulty_sender_init(void *s, int id) {
    (void)s;
    int (*init)(void *, int) = stress_faulty_now.inner->sender_init;
    return init ? init(stress_faulty_now.inner_state, id) : 0;
}
static int stress_faulty_receiver_init(void *s, int id) {
    (void)s;
    int (*init)(void *, int) = stress_faulty_now.inner->receiver_init;
    return init ? init(stress_faulty_now.inner_state, id) : 0;
}
static int stress_faulty_send(void *s, const void *rec, int rsipc) {
    (void)s;
    struct stress_faulty *f = &stress_faulty_now;
    size_t size = f->inner->record_size;
    struct stress_header h;
    memcpy(&h, rec, sizeof h);
    int target = h.sender == 1 && !(h.flags & STRESS_FLAG_END);
    if (target && h.seq == 5) {
        switch (f->fault) {
        case STRESS_DROP: return 0;
        case STRESS_DUPLICATE:
            if (f->inner->send(f->inner_state, rec, rsipc) != 0) return -1;
            break;
        case STRESS_REORDER:
            f->held = malloc(size);
            if (!f->held) return -1;
            memcpy(f->held, rec, size);
            return 0;
        case STRESS_CORRUPT: {
            unsigned char *bad = malloc(size);
            if (!bad) return -1;
            memcpy(bad, rec, size);
            bad[size - 1] ^= 0x5a;
            int rc = f->inner->send(f->inner_state, bad, rsipc);
            free(bad);
            return rc;
        }
        }
    }
    if (f->inner->send(f->inner_state, rec, rsipc) != 0) return -1;
    if (target && h.seq == 6 && f->held) {
        int rc = f->inner->send(f->inner_state, f->held, rsipc);
        free(f->held);
        f->held = NULL;
        return rc;
    }
    return 0;
}
static int stress_faulty_recv(void *s, void *rec, int rsipc) {
    (void)s;
    return stress_faulty_now.inner->recv(stress_faulty_now.inner_state, rec, rsipc);
}
static int stress_faulty_finish(void *s, int receivers) {
    (void)s;
    return stress_faulty_now.inner->finish(stress_faulty_now.inner_state, receivers);
}
static void stress_faulty_close(void *s) {
    (void)s;
    stress_faulty_now.inner->close(stress_faulty_now.inner_state);
}

int stress_selftest(const struct stress_transport *t, void *state) {
    static const char *const names[] = {"dropped", "duplicated", "reordered", "corrupted"};
    struct stress_transport faulty = {t->name,
                                      t->record_size,
                                      stress_faulty_open,
                                      stress_faulty_sender_init,
                                      stress_faulty_receiver_init,
                                      stress_faulty_send,
                                      stress_faulty_recv,
                                      t->finish ? stress_faulty_finish : NULL,
                                      stress_faulty_close};
    int missed = 0;
    for (int fault = STRESS_DROP; fault <= STRESS_CORRUPT; fault++) {
        /* Order is checked per receiver: only a single receiver is sure to
         * get both records of the swapped pair. */
        struct stress_config cfg = {.senders = 2, .receivers = fault == STRESS_REORDER ? 1 : 2, .records = 200};
        stress_faulty_now = (struct stress_faulty){t, state, (enum stress_fault)fault, NULL};
        printf("stress self-test, one record %s on purpose:\n  ", names[fault]);
        if (stress_run(&faulty, NULL, &cfg) == 0) {
            fprintf(stderr, "stress %s: a %s record went unnoticed\n", t->name, names[fault]);
            missed++;
        }
    }
    printf("stress self-test: 4 faults injected, %d caught\n", 4 - missed);
    return missed ? 1 : 0;
}
