/* Anonymous pipes: ping-pong latency and bulk throughput, glibc
 * read(2)/write(2) loops against rsipc_read_exact/rsipc_write_all. */
#include <unistd.h>

#include "rsipc.h"
#include "stream.h"

static void make_pipes(stream_chan *c, int (*make)(int fds[2])) {
    int down[2], up[2];
    if (make(down) != 0 || make(up) != 0) bench_die("pipe");
    c->down_r = down[0];
    c->down_w = down[1];
    c->up_r = up[0];
    c->up_w = up[1];
}

static void setup_glibc(stream_chan *c) { make_pipes(c, pipe); }
static void setup_rsipc(stream_chan *c) { make_pipes(c, rsipc_pipe); }

static void open_parent(stream_chan *c) {
    close(c->down_r);
    close(c->up_w);
}

static int open_child(stream_chan *c) {
    close(c->down_w);
    close(c->up_r);
    return 0;
}

static void teardown(stream_chan *c) {
    close(c->down_w);
    close(c->up_r);
}

static const stream_link link_glibc = {setup_glibc, open_parent, open_child, teardown};
static const stream_link link_rsipc = {setup_rsipc, open_parent, open_child, teardown};

static double glibc_pingpong(const bench_args *a) { return stream_pingpong(&link_glibc, &stream_io_glibc, a); }
static double rsipc_pingpong(const bench_args *a) { return stream_pingpong(&link_rsipc, &stream_io_rsipc, a); }
static double glibc_throughput(const bench_args *a) { return stream_throughput(&link_glibc, &stream_io_glibc, a); }
static double rsipc_throughput(const bench_args *a) { return stream_throughput(&link_rsipc, &stream_io_rsipc, a); }

/* The boundary's share of a data-path call: 1-byte write then read on one
 * pipe in one process, so no call ever sleeps and the ratio shows rsipc's
 * own instructions against the bare system calls. */
static double same_process(const stream_io *io, int (*make)(int fds[2]), const bench_args *a) {
    int fds[2];
    char c = 'x';
    if (make(fds) != 0) bench_die("pipe");
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++)
        if (io->write_all(fds[1], &c, 1) != 1 || io->read_exact(fds[0], &c, 1) != 1) bench_die("write/read 1 byte");
    uint64_t t1 = bench_now_ns();
    close(fds[0]);
    close(fds[1]);
    return bench_ns_per(t0, t1, a->count);
}

static double glibc_same_process(const bench_args *a) { return same_process(&stream_io_glibc, pipe, a); }
static double rsipc_same_process(const bench_args *a) { return same_process(&stream_io_rsipc, rsipc_pipe, a); }

static const bench_row rows[] = {
    /* name, unit, glibc, rsipc, size, quick count, full count */
    {"one-way latency, 1 B ping-pong", BENCH_NS, glibc_pingpong, rsipc_pingpong, 1, 400, 500},
    {"one-way latency, 64 B ping-pong", BENCH_NS, glibc_pingpong, rsipc_pingpong, 64, 400, 500},
    {"write + read 1 B, one process (no wake-up)", BENCH_NS, glibc_same_process, rsipc_same_process, 1, 20000, 40000},
    {"throughput, 4 KiB writes", BENCH_MIBS, glibc_throughput, rsipc_throughput, 4 * KiB, 16 * MiB, 32 * MiB},
    {"throughput, 64 KiB writes", BENCH_MIBS, glibc_throughput, rsipc_throughput, 64 * KiB, 16 * MiB, 32 * MiB},
    {"throughput, 1 MiB writes", BENCH_MIBS, glibc_throughput, rsipc_throughput, 1 * MiB, 16 * MiB, 32 * MiB},
};

BENCH_GROUP(pipe, rows);
