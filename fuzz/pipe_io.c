/* rsipc_write_all / rsipc_read_exact on a real non-blocking pipe, against a
 * model of the byte stream.
 * Input: [capacity selector u8] then operations, each [op u8][length...]:
 *   write_all of a length, read_exact of a length, either with buf NULL,
 *   either with a length above SSIZE_MAX, closing the write end.
 * Holds: every byte read is the next byte of the stream written (each byte
 * of the stream has a known value); a read returns exactly what the pipe
 * holds up to its length (all of it, -1/EAGAIN when empty, the rest then
 * 0 with errno 0 after the writer closed); a write returns its length, or
 * fewer bytes / -1 with EAGAIN when the pipe filled; NULL with len > 0 is
 * -1/EFAULT and len > SSIZE_MAX is -1/EINVAL, moving nothing; len 0 moves
 * nothing and returns 0. */
#include "fuzz.h"

#define MAX_LEN (1u << 20)
#define MAX_OPS 64

static unsigned char stream_byte(uint64_t pos) {
    return (unsigned char)(pos * 131 + (pos >> 9) * 7 + 1);
}

static unsigned char buf[MAX_LEN];

static size_t take_len(struct fuzz_in *in) {
    uint8_t sel = take_u8(in);
    switch (sel % 4) {
    case 0: return sel >> 2;                     /* 0..63 */
    case 1: return take_u16(in);                 /* up to 64 KiB */
    case 2: return take_u32(in) % (MAX_LEN + 1); /* up to 1 MiB */
    default: return (size_t)4096 * (sel >> 2);   /* page multiples */
    }
}

static void fuzz_one(struct fuzz_in *in) {
    int fds[2];
    FUZZ_ASSERT(rsipc_pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0, "pipe2");
    uint8_t cap = take_u8(in);
    if (cap & 1) FUZZ_ASSERT(rsipc_pipe_set_capacity(fds[1], 4096 << (cap >> 1) % 5) > 0, "set_capacity");
    uint64_t written = 0, readpos = 0;
    int writer_open = 1;

    for (int op = 0; op < MAX_OPS && in->n > 0; op++) {
        uint8_t kind = take_u8(in) % 7;
        size_t len = take_len(in);
        ssize_t r;
        errno = 0;
        switch (kind) {
        case 0: /* write_all */
            if (!writer_open) break;
            for (size_t i = 0; i < len; i++) buf[i] = stream_byte(written + i);
            r = rsipc_write_all(fds[1], buf, len);
            if (r == (ssize_t)len) {
                written += len;
            } else if (r == -1) {
                FUZZ_ASSERT(len > 0, "write of 0 bytes failed");
                fuzz_expect_failure("write_all", r, -1, EAGAIN);
            } else {
                FUZZ_ASSERT(r > 0 && (size_t)r < len && errno == EAGAIN, "partial write_all %zd of %zu", r, len);
                fuzz_check_message("write_all", errno);
                written += (uint64_t)r;
            }
            break;
        case 1: { /* read_exact */
            uint64_t avail = written - readpos;
            r = rsipc_read_exact(fds[0], buf, len);
            if (len <= avail) {
                FUZZ_ASSERT(r == (ssize_t)len, "read_exact(%zu) with %llu queued returned %zd", len,
                            (unsigned long long)avail, r);
            } else if (avail == 0) {
                if (writer_open) fuzz_expect_failure("read_exact", r, -1, EAGAIN);
                else FUZZ_ASSERT(r == 0 && errno == 0, "read at end of file returned %zd", r);
            } else {
                FUZZ_ASSERT(r == (ssize_t)avail, "read_exact(%zu) with %llu queued returned %zd", len,
                            (unsigned long long)avail, r);
                if (writer_open) {
                    FUZZ_ASSERT(errno == EAGAIN, "short read without EAGAIN");
                    fuzz_check_message("read_exact", errno);
                } else {
                    FUZZ_ASSERT(errno == 0, "short read at end of file with errno %d", errno);
                }
            }
            for (ssize_t i = 0; i < r; i++)
                FUZZ_ASSERT(buf[i] == stream_byte(readpos + (uint64_t)i), "byte %llu of the stream differs",
                            (unsigned long long)(readpos + (uint64_t)i));
            if (r > 0) readpos += (uint64_t)r;
            break;
        }
        case 2: /* write_all(NULL) */
            if (!writer_open) break;
            r = rsipc_write_all(fds[1], NULL, len);
            if (len == 0) FUZZ_ASSERT(r == 0, "write_all(NULL, 0) returned %zd", r);
            else fuzz_expect_failure("write_all", r, -1, EFAULT);
            break;
        case 3: /* read_exact(NULL) */
            r = rsipc_read_exact(fds[0], NULL, len);
            if (len == 0) FUZZ_ASSERT(r == 0, "read_exact(NULL, 0) returned %zd", r);
            else fuzz_expect_failure("read_exact", r, -1, EFAULT);
            break;
        case 4: /* a length above SSIZE_MAX */
        case 5: {
            size_t huge = (size_t)SSIZE_MAX + 1 + (size_t)take_u64(in) % ((size_t)SSIZE_MAX + 1);
            if (kind == 4 && writer_open) r = rsipc_write_all(fds[1], buf, huge);
            else r = rsipc_read_exact(fds[0], buf, huge);
            fuzz_expect_failure(kind == 4 && writer_open ? "write_all" : "read_exact", r, -1, EINVAL);
            break;
        }
        case 6: /* the writer leaves: readers then see end of file */
            if (writer_open) {
                close(fds[1]);
                writer_open = 0;
            }
            break;
        }
    }
    if (writer_open) close(fds[1]);
    close(fds[0]);
}
