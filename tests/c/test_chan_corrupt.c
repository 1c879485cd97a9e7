/* A channel whose shared header words were overwritten with huge values (as
 * a hostile or broken peer could) makes rsipc_chan_send / rsipc_chan_recv
 * return within their timeout with an error, never spin or sleep past it;
 * and an object whose header does not describe a channel of its size is
 * refused by rsipc_chan_open.
 *
 * The test writes the words through a second mapping of the channel's
 * /dev/shm object, at their offsets in layout version 6 (checked first). */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* Offsets of the header words in layout version 6 (version 5 added the
 * count of returned loans after lost, in the same line; version 6 moved the
 * state word behind the message in the slots of small channels: no offset
 * here moved). */
#define OFF_VERSION 8
#define OFF_MAX_MSG 16
#define OFF_CAPACITY 24
#define OFF_TAIL 128
#define OFF_HEAD 256
/* The wait words: a 32-bit epoch, then the 32-bit flags (1: a futex
 * sleeper, 2: an armed doorbell). */
#define OFF_NOT_EMPTY 384
#define OFF_NOT_FULL 512
/* The doorbell table: 64 entries of (owner word, token). */
#define OFF_BELLS 768
#define HEADER_SIZE 1792
#define LAYOUT_VERSION 6
/* A doorbell entry of member 5 (no such process) armed for both sides. */
#define BOGUS_BELL (((uint64_t)3 << 32) | 5)

static char name_buf[64];

static const char *unique(const char *tag) {
    snprintf(name_buf, sizeof name_buf, "/rsipc-ctest-%d-%s", (int)getpid(), tag);
    return name_buf;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct corruption {
    const char *what;
    size_t offset;
    uint64_t value;
    size_t offset2; /* 0: none */
    uint64_t value2;
    /* Which calls must fail with ENOTRECOVERABLE (bit 0: send, bit 1:
     * recv); the others must succeed (the state they use is sound). */
    int fails;
};

static const struct corruption corruptions[] = {
    {"tail = 2^64-1", OFF_TAIL, UINT64_MAX, 0, 0, 1},
    {"tail = 2^63", OFF_TAIL, (uint64_t)1 << 63, 0, 0, 1},
    {"tail = 2^45", OFF_TAIL, (uint64_t)1 << 45, 0, 0, 1},
    {"tail = 2^39", OFF_TAIL, (uint64_t)1 << 39, 0, 0, 1},
    {"head = 2^64-1", OFF_HEAD, UINT64_MAX, 0, 0, 2},
    {"head = 2^50", OFF_HEAD, (uint64_t)1 << 50, 0, 0, 2},
    {"head = 2^39", OFF_HEAD, (uint64_t)1 << 39, 0, 0, 2},
    {"head = tail = 2^41 + 1", OFF_HEAD, ((uint64_t)1 << 41) + 1, OFF_TAIL, ((uint64_t)1 << 41) + 1, 3},
    {"head = 2^50, tail = 2^39", OFF_HEAD, (uint64_t)1 << 50, OFF_TAIL, (uint64_t)1 << 39, 3},
    {"a bogus doorbell armed, the receivers' flags raised", OFF_BELLS, BOGUS_BELL, OFF_NOT_EMPTY,
     (uint64_t)3 << 32, 0},
    {"a bogus doorbell armed, the senders' flags raised", OFF_BELLS, BOGUS_BELL, OFF_NOT_FULL, (uint64_t)3 << 32,
     0},
    {"max_msg and capacity = 2^64-1 (the handle keeps its own copy)", OFF_MAX_MSG, UINT64_MAX, OFF_CAPACITY,
     UINT64_MAX, 0},
};

#define TIMEOUT_MS 100
/* Room for a loaded machine on top of the timeout. */
#define SLACK_MS 2000

int main(void) {
    int calls = 0, within = 0, errors = 0;
    const size_t n = sizeof corruptions / sizeof corruptions[0];
    for (size_t i = 0; i < n; i++) {
        for (int op = 0; op < 2; op++) {
            const char *name = unique("corrupt");
            rsipc_chan_t *ch = rsipc_chan_create(name, 8, 4, 0600);
            CHECK(ch != NULL);
            if (!ch) continue;
            char buf[8];
            CHECK(rsipc_chan_send(ch, "one", 3, 0) == 0);
            CHECK(rsipc_chan_send(ch, "two", 3, 0) == 0);
            CHECK(rsipc_chan_recv(ch, buf, sizeof buf, 0) == 3);
            int fd = rsipc_shm_open(name, O_RDWR, 0);
            CHECK(fd >= 0);
            unsigned char *map = mmap(NULL, HEADER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            CHECK(map != MAP_FAILED);
            close(fd);
            if (map == MAP_FAILED) continue;
            uint32_t version;
            memcpy(&version, map + OFF_VERSION, sizeof version);
            CHECK(version == LAYOUT_VERSION);
            const struct corruption *c = &corruptions[i];
            memcpy(map + c->offset, &c->value, sizeof c->value);
            if (c->offset2) memcpy(map + c->offset2, &c->value2, sizeof c->value2);
            double start = now_ms();
            errno = 0;
            long r = op == 0 ? rsipc_chan_send(ch, "x", 1, TIMEOUT_MS) : rsipc_chan_recv(ch, buf, sizeof buf, TIMEOUT_MS);
            int err = errno;
            double took = now_ms() - start;
            calls++;
            if (took < TIMEOUT_MS + SLACK_MS) within++;
            if (r == -1) errors++;
            if (c->fails & (1 << op))
                CHECK(r == -1 && err == ENOTRECOVERABLE);
            else
                CHECK(r >= 0);
            printf("  %-62s %s: %s in %.1f ms%s%s\n", c->what, op == 0 ? "send" : "recv",
                   r == -1 ? strerror(err) : "ok", took, r == -1 ? " - " : "", r == -1 ? rsipc_last_error() : "");
            /* Whatever the state, stats and close return too. */
            struct rsipc_chan_stats st;
            CHECK(rsipc_chan_stats(ch, &st) == 0);
            munmap(map, HEADER_SIZE);
            CHECK(rsipc_chan_close(ch) == 0);
            CHECK(rsipc_chan_unlink(name) == 0);
        }
    }
    printf("corrupted-header calls returning within the timeout: %d of %d (%d with an error)\n", within, calls, errors);
    CHECK(within == calls);

    /* Opening: a header whose geometry does not match the object's size is
     * refused (EINVAL), as is another layout version. */
    const char *name = unique("lies");
    rsipc_chan_t *ch = rsipc_chan_create(name, 8, 4, 0600);
    CHECK(ch != NULL);
    int fd = rsipc_shm_open(name, O_RDWR, 0);
    CHECK(fd >= 0);
    unsigned char *map = mmap(NULL, HEADER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(map != MAP_FAILED);
    if (map != MAP_FAILED) {
        uint64_t huge = (uint64_t)1 << 30, cap;
        memcpy(&cap, map + OFF_CAPACITY, sizeof cap);
        memcpy(map + OFF_CAPACITY, &huge, sizeof huge);
        CHECK_FAILS(rsipc_chan_open(name), NULL, EINVAL, "chan_open(");
        memcpy(map + OFF_CAPACITY, &cap, sizeof cap);
        rsipc_chan_t *again = rsipc_chan_open(name);
        CHECK(again != NULL);
        rsipc_chan_close(again);
        /* A future version, and the previous one (whose small channels kept
         * the state word in front of the message). */
        const uint32_t others[] = {99, LAYOUT_VERSION - 1};
        for (int k = 0; k < 2; k++) {
            memcpy(map + OFF_VERSION, &others[k], sizeof others[k]);
            CHECK_FAILS(rsipc_chan_open(name), NULL, EINVAL, "chan_open(");
            CHECK(strstr(rsipc_last_error(), "layout version") != NULL);
        }
        munmap(map, HEADER_SIZE);
    }
    close(fd);
    rsipc_chan_close(ch);
    rsipc_chan_unlink(name);
    return check_summary("test_chan_corrupt");
}
