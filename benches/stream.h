/* Byte-stream workloads shared by the pipe and FIFO rows: a ping-pong and a
 * one-way bulk transfer between the parent and a child on another CPU, over
 * two one-way channels (parent -> child "down", child -> parent "up").
 *
 * What varies between rows is how the channels are made (stream_link) and
 * which calls move the bytes (stream_io): glibc read/write loops or
 * rsipc_read_exact/rsipc_write_all. */
#ifndef RSIPC_BENCH_STREAM_H
#define RSIPC_BENCH_STREAM_H

#include <sys/types.h>

#include "harness.h"

/* The descriptors of the two channels. Before the fork a link may fill any
 * of them; after it, the parent keeps down_w and up_r, the child down_r and
 * up_w. */
typedef struct {
    int down_r, down_w, up_r, up_w;
    char down_path[96], up_path[96]; /* FIFOs only */
    int sync[2];                     /* FIFOs only: a pipe for the setup handshake */
} stream_chan;

typedef struct {
    /* Before the fork, in the parent. */
    void (*setup)(stream_chan *c);
    /* After the fork: each side ends up with only its two descriptors.
     * open_child returns 0, or non-zero after printing why. */
    void (*open_parent)(stream_chan *c);
    int (*open_child)(stream_chan *c);
    /* In the parent after the child is reaped: close, remove. */
    void (*teardown)(stream_chan *c);
} stream_link;

typedef struct {
    ssize_t (*write_all)(int fd, const void *buf, size_t len);
    ssize_t (*read_exact)(int fd, void *buf, size_t len);
} stream_io;

extern const stream_io stream_io_glibc; /* glibc_write_all / glibc_read_exact (read(2), write(2)) */
extern const stream_io stream_io_rsipc; /* rsipc_write_all / rsipc_read_exact */

/* One-way latency in ns: a->count round trips of a->size bytes (after a
 * tenth as many untimed), half the mean round trip. */
double stream_pingpong(const stream_link *link, const stream_io *io, const bench_args *a);
/* MiB/s: a->count bytes from parent to child in writes (and reads) of
 * a->size bytes, timed from the first write to the child's
 * acknowledgement of the last byte. */
double stream_throughput(const stream_link *link, const stream_io *io, const bench_args *a);

#endif
