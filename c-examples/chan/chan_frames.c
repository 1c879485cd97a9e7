/* Zero-copy frames: a forked camera process renders 640x480 RGB frames
 * (900 KiB each) straight into the channel's memory (rsipc_chan_loan, then
 * rsipc_chan_publish), and the parent reads each one where it lies
 * (rsipc_chan_recv_borrow, then rsipc_chan_release): no byte of a frame is
 * ever copied. A channel of 3 slots (under 3 MiB of RAM) is enough: the
 * camera waits while all three are queued or being read. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rsipc.h"

enum { WIDTH = 640, HEIGHT = 480, FRAMES = 12, SLOTS = 3 };

/* A frame starts with this header; the pixels follow, 3 bytes each. */
struct frame {
    uint32_t number, width, height, stride;
    unsigned char pixels[];
};

#define FRAME_BYTES (sizeof(struct frame) + (size_t)WIDTH * HEIGHT * 3)

/* The camera: frame n is a diagonal gradient shifted by n, drawn in place. */
static int camera(rsipc_chan_t *ch) {
    for (uint32_t n = 0; n < FRAMES; n++) {
        void *slot;
        if (rsipc_chan_loan(ch, FRAME_BYTES, &slot, 10000) != 0) {
            fprintf(stderr, "camera: chan_loan: %s\n", rsipc_last_error());
            return 1;
        }
        struct frame *f = slot;
        f->number = n;
        f->width = WIDTH;
        f->height = HEIGHT;
        f->stride = WIDTH * 3;
        for (uint32_t y = 0; y < HEIGHT; y++) {
            unsigned char *row = f->pixels + (size_t)y * f->stride;
            for (uint32_t x = 0; x < WIDTH; x++) {
                row[3 * x] = (unsigned char)(x + n);
                row[3 * x + 1] = (unsigned char)(y + n);
                row[3 * x + 2] = (unsigned char)((x + y) / 5);
            }
        }
        if (rsipc_chan_publish(ch, slot, FRAME_BYTES) != 0) {
            fprintf(stderr, "camera: chan_publish: %s\n", rsipc_last_error());
            return 1;
        }
    }
    return 0;
}

int main(void) {
    rsipc_chan_t *ch = rsipc_chan_create(NULL, FRAME_BYTES, SLOTS, 0);
    if (ch == NULL) {
        fprintf(stderr, "chan_create: %s\n", rsipc_last_error());
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        int rc = camera(ch);
        if (rsipc_chan_close(ch) != 0) rc = 1; /* the child's own handle */
        _exit(rc);
    }

    int bad = 0;
    for (int i = 0; i < FRAMES; i++) {
        void *slot;
        size_t len;
        if (rsipc_chan_recv_borrow(ch, &slot, &len, 10000) != 0) {
            fprintf(stderr, "chan_recv_borrow: %s\n", rsipc_last_error());
            return 1;
        }
        const struct frame *f = slot;
        /* The mean of each channel over the whole frame, read in place. */
        uint64_t sum[3] = {0, 0, 0};
        for (uint32_t y = 0; y < f->height; y++) {
            const unsigned char *row = f->pixels + (size_t)y * f->stride;
            for (uint32_t x = 0; x < f->width; x++)
                for (int c = 0; c < 3; c++) sum[c] += row[3 * x + c];
        }
        double px = (double)f->width * f->height;
        printf("frame %2u: %ux%u RGB, %zu bytes, 64-byte aligned: %s, mean R %.2f G %.2f B %.2f\n", f->number,
               f->width, f->height, len, (uintptr_t)slot % 64 == 0 ? "yes" : "no", sum[0] / px, sum[1] / px,
               sum[2] / px);
        if (f->number != (uint32_t)i || len != FRAME_BYTES) bad = 1;
        if (rsipc_chan_release(ch, slot) != 0) {
            fprintf(stderr, "chan_release: %s\n", rsipc_last_error());
            return 1;
        }
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) bad = 1;
    struct rsipc_chan_stats st;
    if (rsipc_chan_stats(ch, &st) != 0) {
        fprintf(stderr, "chan_stats: %s\n", rsipc_last_error());
        return 1;
    }
    printf("channel: %llu slots of %llu bytes; sent %llu, received %llu, queued %llu, lost %llu\n",
           (unsigned long long)st.capacity, (unsigned long long)st.max_msg, (unsigned long long)st.sent,
           (unsigned long long)st.received, (unsigned long long)st.queued, (unsigned long long)st.lost);
    if (rsipc_chan_close(ch) != 0) {
        fprintf(stderr, "chan_close: %s\n", rsipc_last_error());
        return 1;
    }
    return bad;
}
