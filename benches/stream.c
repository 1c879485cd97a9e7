/* Byte-stream workloads: see stream.h. */
#include "stream.h"

#include <stdlib.h>
#include <unistd.h>

#include "rsipc.h"

const stream_io stream_io_glibc = {glibc_write_all, glibc_read_exact};
const stream_io stream_io_rsipc = {rsipc_write_all, rsipc_read_exact};

typedef struct {
    const stream_link *link;
    const stream_io *io;
    stream_chan chan;
    size_t size, rounds, bytes;
} job;

/* ---- ping-pong ---------------------------------------------------------------- */

static size_t warmup_rounds(size_t rounds) { return rounds / 10 ? rounds / 10 : 1; }

static int pingpong_child(void *arg) {
    job *j = arg;
    if (j->link->open_child(&j->chan) != 0) return 1;
    char *buf = malloc(j->size);
    if (!buf) return bench_child_fail("malloc");
    size_t total = warmup_rounds(j->rounds) + j->rounds;
    for (size_t i = 0; i < total; i++) {
        if (j->io->read_exact(j->chan.down_r, buf, j->size) != (ssize_t)j->size)
            return bench_child_fail("ping-pong read %zu of %zu", i, total);
        if (j->io->write_all(j->chan.up_w, buf, j->size) != (ssize_t)j->size)
            return bench_child_fail("ping-pong write %zu of %zu", i, total);
    }
    free(buf);
    return 0;
}

static void pingpong_rounds(job *j, char *buf, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (j->io->write_all(j->chan.down_w, buf, j->size) != (ssize_t)j->size) bench_die("ping-pong write");
        if (j->io->read_exact(j->chan.up_r, buf, j->size) != (ssize_t)j->size) bench_die("ping-pong read");
    }
}

double stream_pingpong(const stream_link *link, const stream_io *io, const bench_args *a) {
    job j = {link, io, {-1, -1, -1, -1, "", "", {-1, -1}}, a->size, a->count, 0};
    char *buf = bench_alloc(a->size);
    link->setup(&j.chan);
    pid_t pid = bench_spawn(pingpong_child, &j);
    link->open_parent(&j.chan);

    pingpong_rounds(&j, buf, warmup_rounds(j.rounds));
    uint64_t t0 = bench_now_ns();
    pingpong_rounds(&j, buf, j.rounds);
    uint64_t t1 = bench_now_ns();

    bench_reap(pid);
    link->teardown(&j.chan);
    free(buf);
    return bench_ns_per(t0, t1, 2 * j.rounds);
}

/* ---- throughput ---------------------------------------------------------------- */

static int throughput_child(void *arg) {
    job *j = arg;
    if (j->link->open_child(&j->chan) != 0) return 1;
    char *buf = malloc(j->size);
    if (!buf) return bench_child_fail("malloc");
    for (size_t i = 0; i < j->size; i += 4096) buf[i] = 0; /* fault the pages in before the clock starts */
    if (bench_send_byte_child(j->chan.up_w) != 0) return bench_child_fail("ready byte");
    for (size_t done = 0; done < j->bytes; done += j->size)
        if (j->io->read_exact(j->chan.down_r, buf, j->size) != (ssize_t)j->size)
            return bench_child_fail("bulk read at byte %zu of %zu", done, j->bytes);
    if (bench_send_byte_child(j->chan.up_w) != 0) return bench_child_fail("done byte");
    free(buf);
    return 0;
}

double stream_throughput(const stream_link *link, const stream_io *io, const bench_args *a) {
    job j = {link, io, {-1, -1, -1, -1, "", "", {-1, -1}}, a->size, 0, a->count};
    char *buf = bench_alloc(a->size);
    link->setup(&j.chan);
    pid_t pid = bench_spawn(throughput_child, &j);
    link->open_parent(&j.chan);

    bench_recv_byte(j.chan.up_r); /* the child is ready */
    uint64_t t0 = bench_now_ns();
    for (size_t done = 0; done < j.bytes; done += j.size)
        if (io->write_all(j.chan.down_w, buf, j.size) != (ssize_t)j.size) bench_die("bulk write at byte %zu", done);
    bench_recv_byte(j.chan.up_r); /* the child has every byte */
    uint64_t t1 = bench_now_ns();

    bench_reap(pid);
    link->teardown(&j.chan);
    free(buf);
    return bench_mib_per_s(t0, t1, j.bytes);
}
