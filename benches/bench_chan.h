/* What the files of the channel group share (bench_chan.c has the rows;
 * bench_chan_limits.c the limits measured next to them; bench_chan_gen2.c
 * the zero-copy and fan-out rows). */
#ifndef RSIPC_BENCH_CHAN_H
#define RSIPC_BENCH_CHAN_H

#include <stdint.h>
#include <stdlib.h>

#include "harness.h"

/* What a spinning core does while it waits: the channel pauses between two
 * looks at the slot, as spin loops should. */
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

#define DEPTH 64    /* slots of every channel, queue and ring */
#define PRODUCERS 3 /* the "several producers" rows */

/* The measured part of a run of n: all but the first tenth (warm-up). */
static inline size_t warmup_of(size_t n) { return n / 10 ? n / 10 : 1; }

/* The time-stamp counter on x86 (calibrated by the callers against
 * CLOCK_MONOTONIC over the same loop); elsewhere the clock itself. */
static inline uint64_t ticks(void) {
#if defined(__x86_64__)
    return __builtin_ia32_rdtsc();
#else
    return bench_now_ns();
#endif
}

/* Half of the `pct` percentile of `n` round trips of `t` ticks, in ns
 * (sorts `t`). */
double half_percentile(uint64_t *t, size_t n, double pct, double ns_per_tick);

/* bench_chan_limits.c */
double ring_ns(const bench_args *a);
double ring_mibs(const bench_args *a);
double cache_line_spin(const bench_args *a);
double cache_line_pause(const bench_args *a);
double cache_line_p50(const bench_args *a);
double cache_line_p99(const bench_args *a);
double slot_model_pingpong(const bench_args *a);
double ring_zc_copy(const bench_args *a);
double ring_zc_place(const bench_args *a);
double ring_zc_copy_locked(const bench_args *a);
double ring_zc_place_locked(const bench_args *a);

/* bench_chan_gen2.c */
/* The zero-copy rows' work: message `seq` of `size` bytes made in full at
 * `p`, and read in full and checked (the run dies if it is damaged). */
void zc_make(unsigned char *p, size_t size, uint64_t seq);
void zc_use(const unsigned char *p, size_t size, uint64_t seq);
double chan_copy_flow(const bench_args *a);
double chan_loan_flow(const bench_args *a);
double fan_out1(const bench_args *a);
double fan_out4(const bench_args *a);
double fan_out8(const bench_args *a);

#endif
