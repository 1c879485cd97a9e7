/* FIFOs: the pipe workloads over two named FIFOs in /tmp. Setup (mkfifo
 * and open against rsipc_mkfifo and rsipc_fifo_open) is outside the timed
 * region; the transfer is glibc read(2)/write(2) loops against
 * rsipc_read_exact/rsipc_write_all. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rsipc.h"
#include "stream.h"

/* How each variant creates and opens its FIFOs. */
typedef struct {
    int (*make)(const char *path, mode_t mode);
    int (*open)(const char *path, int flags);
} fifo_api;

static int glibc_open(const char *path, int flags) { return open(path, flags | O_CLOEXEC); }
static const fifo_api glibc_api = {mkfifo, glibc_open};

/* rsipc_fifo_open: a writer waits for a reader (here at most 30 s, so a
 * child that died during setup is an error, not a hang); a reader opens at
 * once. */
static int rsipc_open(const char *path, int flags) { return rsipc_fifo_open(path, flags, 30000); }
static const fifo_api rsipc_api = {rsipc_mkfifo, rsipc_open};

static void make_fifos(stream_chan *c, const fifo_api *api) {
    bench_tmp_path(c->down_path, sizeof c->down_path, "fifo-down");
    bench_tmp_path(c->up_path, sizeof c->up_path, "fifo-up");
    unlink(c->down_path);
    unlink(c->up_path);
    if (api->make(c->down_path, 0600) != 0) bench_die("mkfifo %s", c->down_path);
    if (api->make(c->up_path, 0600) != 0) bench_die("mkfifo %s", c->up_path);
    if (pipe(c->sync) != 0) bench_die("pipe");
}

/* Each side must not read a FIFO before the other side has opened it for
 * writing: a read of a FIFO that never had a writer is an immediate end of
 * file. glibc's open(O_RDONLY) waits for a writer, but rsipc_fifo_open
 * opens a reader at once (only a writer waits, for a reader). So both
 * sides open "up" first, then "down" (glibc's opens wait for each other in
 * the same order, so neither blocks forever), and the child waits for a
 * byte on a plain pipe that the parent sends once its "down" writer is
 * open. When the parent's opens return, the child's "up" writer is open
 * (it came before the child's "down" reader, which the parent's "down"
 * writer waited for). */
static void open_parent(stream_chan *c, const fifo_api *api) {
    close(c->sync[0]);
    if ((c->up_r = api->open(c->up_path, O_RDONLY)) < 0) bench_die("open %s", c->up_path);
    if ((c->down_w = api->open(c->down_path, O_WRONLY)) < 0) bench_die("open %s", c->down_path);
    bench_send_byte(c->sync[1]);
    close(c->sync[1]);
}

static int open_child(stream_chan *c, const fifo_api *api) {
    close(c->sync[1]);
    if ((c->up_w = api->open(c->up_path, O_WRONLY)) < 0) return bench_child_fail("open %s", c->up_path);
    if ((c->down_r = api->open(c->down_path, O_RDONLY)) < 0) return bench_child_fail("open %s", c->down_path);
    if (bench_recv_byte_child(c->sync[0]) != 0) return bench_child_fail("handshake byte");
    close(c->sync[0]);
    return 0;
}

static void teardown(stream_chan *c) {
    close(c->down_w);
    close(c->up_r);
    if (unlink(c->down_path) != 0 || unlink(c->up_path) != 0) bench_die("unlink FIFO");
}

static void setup_glibc(stream_chan *c) { make_fifos(c, &glibc_api); }
static void parent_glibc(stream_chan *c) { open_parent(c, &glibc_api); }
static int child_glibc(stream_chan *c) { return open_child(c, &glibc_api); }
static void setup_rsipc(stream_chan *c) { make_fifos(c, &rsipc_api); }
static void parent_rsipc(stream_chan *c) { open_parent(c, &rsipc_api); }
static int child_rsipc(stream_chan *c) { return open_child(c, &rsipc_api); }

static const stream_link link_glibc = {setup_glibc, parent_glibc, child_glibc, teardown};
static const stream_link link_rsipc = {setup_rsipc, parent_rsipc, child_rsipc, teardown};

static double glibc_pingpong(const bench_args *a) { return stream_pingpong(&link_glibc, &stream_io_glibc, a); }
static double rsipc_pingpong(const bench_args *a) { return stream_pingpong(&link_rsipc, &stream_io_rsipc, a); }
static double glibc_throughput(const bench_args *a) { return stream_throughput(&link_glibc, &stream_io_glibc, a); }
static double rsipc_throughput(const bench_args *a) { return stream_throughput(&link_rsipc, &stream_io_rsipc, a); }

static const bench_row rows[] = {
    /* name, unit, glibc, rsipc, size, quick count, full count */
    {"one-way latency, 1 B ping-pong", BENCH_NS, glibc_pingpong, rsipc_pingpong, 1, 400, 500},
    {"one-way latency, 64 B ping-pong", BENCH_NS, glibc_pingpong, rsipc_pingpong, 64, 400, 500},
    {"throughput, 4 KiB writes", BENCH_MIBS, glibc_throughput, rsipc_throughput, 4 * KiB, 16 * MiB, 32 * MiB},
    {"throughput, 64 KiB writes", BENCH_MIBS, glibc_throughput, rsipc_throughput, 64 * KiB, 16 * MiB, 32 * MiB},
    {"throughput, 1 MiB writes", BENCH_MIBS, glibc_throughput, rsipc_throughput, 1 * MiB, 16 * MiB, 32 * MiB},
};

BENCH_GROUP(fifo, rows);
