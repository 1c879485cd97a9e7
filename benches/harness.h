/* The benchmark harness: rows, timing, processes, output.
 *
 * A benchmark row runs one workload twice per repetition, once through glibc
 * and once through rsipc (the C ABI, as users call it), alternating which goes
 * first, and reports the median, min and max of each plus the ratio of the
 * medians. Rows come in groups, one group per mechanism, each defined in its
 * own bench_<mech>.c and listed once in registry.h.
 *
 * A row function runs the workload once (one repetition) with the sizes in
 * `bench_args` and returns the figure in the row's unit: nanoseconds per
 * operation (BENCH_NS) or MiB per second (BENCH_MIBS). On any failure it calls
 * bench_die() (in the parent) or returns non-zero from the child body (in a
 * child process): a benchmark that silently measured an error would be worse
 * than none.
 */
#ifndef RSIPC_BENCH_HARNESS_H
#define RSIPC_BENCH_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What a row's figure measures. The rsipc/glibc ratio is always a cost ratio
 * (above 1 = rsipc slower): rsipc/glibc for times, glibc/rsipc for rates. */
typedef enum {
    BENCH_NS,   /* nanoseconds per operation; lower is better */
    BENCH_MIBS, /* MiB (2^20 bytes) per second; higher is better */
    BENCH_MSGS, /* messages per second; higher is better */
} bench_unit;

typedef struct {
    size_t size;  /* the row's own parameter: message or write size in bytes */
    size_t count; /* the amount of work for this mode: iterations (messages for BENCH_MSGS), or bytes for BENCH_MIBS rows */
} bench_args;

typedef double (*bench_fn)(const bench_args *a);

typedef struct {
    const char *name;    /* the workload, e.g. "one-way latency, 1 B ping-pong" */
    bench_unit unit;
    bench_fn glibc_fn;   /* the baseline; for a hardware limit, the only function */
    bench_fn rsipc_fn;   /* NULL for a hardware limit */
    size_t size;         /* passed as bench_args.size */
    size_t quick_count;  /* bench_args.count in --quick mode */
    size_t full_count;   /* bench_args.count in --full mode */
} bench_row;

typedef struct {
    const char *name; /* mechanism, e.g. "pipe" */
    const bench_row *rows;
    size_t nrows;
} bench_group;

/* In bench_<id>.c, after the rows array:  BENCH_GROUP(pipe, rows);  */
#define BENCH_GROUP(id, rows_array)                                            \
    const bench_group bench_group_##id = {#id, rows_array, sizeof(rows_array) / sizeof((rows_array)[0])}

#define MiB ((size_t)1 << 20)
#define KiB ((size_t)1 << 10)

/* ---- time ---------------------------------------------------------------- */

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);
/* (t1 - t0) / n in nanoseconds. */
double bench_ns_per(uint64_t t0, uint64_t t1, size_t n);
/* bytes / (t1 - t0) in MiB/s. */
double bench_mib_per_s(uint64_t t0, uint64_t t1, size_t bytes);
/* n / (t1 - t0) per second. */
double bench_per_s(uint64_t t0, uint64_t t1, size_t n);

/* ---- failures and temporary files ---------------------------------------- */

/* Prints "rsipc_bench: <message>: <errno text> (rsipc: <last error>)" and
 * exits 1 (temporary paths are removed at exit, children die with it). */
__attribute__((noreturn, format(printf, 1, 2))) void bench_die(const char *fmt, ...);
/* The same for a child process: prints and returns 1 (the child's exit code). */
__attribute__((format(printf, 1, 2))) int bench_child_fail(const char *fmt, ...);

/* Writes "/tmp/rsipc_bench.<pid>.<what>" into buf and registers it to be
 * unlinked when the benchmark exits (also after bench_die). */
void bench_tmp_path(char *buf, size_t len, const char *what);

/* Writes "/rsipc_bench.<pid>.<what>" into buf: a name for a POSIX message
 * queue or named semaphore (not registered: see bench_remember). */
void bench_ipc_name(char *buf, size_t len, const char *what);

/* IPC objects that outlive the process unless removed. bench_remember
 * registers one to be removed when the benchmark exits (also after
 * bench_die) and returns a handle; bench_forget(handle) drops it once the
 * row has removed the object itself. `name` is copied (POSIX kinds only). */
typedef enum {
    BENCH_SYSV_MSG, /* msgctl(id, IPC_RMID) */
    BENCH_SYSV_SEM, /* semctl(id, 0, IPC_RMID) */
    BENCH_POSIX_MQ, /* mq_unlink(name) */
    BENCH_POSIX_SEM /* sem_unlink(name) */
} bench_object;
int bench_remember(bench_object kind, int id, const char *name);
void bench_forget(int handle);

/* ---- processes -------------------------------------------------------------- */

/* Forks a child that runs body(arg) on the peer CPU (see bench_placement) and
 * exits with its return value; the child dies if the parent does. The parent
 * stays on its own CPU. */
pid_t bench_spawn(int (*body)(void *), void *arg);
/* Waits for the child; dies unless it exited with status 0. */
void bench_reap(pid_t pid);
/* "parent on CPU 0, child on CPU 1" or why the processes are not pinned. */
const char *bench_placement(void);

/* ---- glibc baselines of the byte loops ------------------------------------- */

/* The loops a C programmer writes around read(2)/write(2) (retry EINTR and
 * short counts); the glibc side of every rsipc_write_all/rsipc_read_exact
 * comparison, so both sides make the same system calls. Same return
 * convention as the rsipc functions. */
ssize_t glibc_write_all(int fd, const void *buf, size_t len);
ssize_t glibc_read_exact(int fd, void *buf, size_t len);

/* One control byte (handshakes outside the timed region), dying on failure.
 * In a child use the _child forms, which return -1 instead. */
void bench_send_byte(int fd);
void bench_recv_byte(int fd);
int bench_send_byte_child(int fd);
int bench_recv_byte_child(int fd);

/* malloc + memset (so no page fault lands in a timed loop), dying on failure. */
void *bench_alloc(size_t len);
/* A MAP_SHARED|MAP_ANONYMOUS region that a child inherits, zeroed. */
void *bench_shared_alloc(size_t len);

/* ---- the run ------------------------------------------------------------------ */

typedef struct {
    int full;              /* --full (else --quick) */
    int reps;              /* repetitions per variant */
    double scale;          /* multiplies every count */
    int pin;               /* pin parent and child to different CPUs */
    int aa;                /* A/A calibration: the rsipc column runs the glibc function too */
    const char *filter;    /* run rows whose "group: name" contains this */
    const char *markdown;  /* output paths */
    const char *csv;
} bench_options;

/* Pins the process (unless told not to) and records the placement. */
void bench_init(const bench_options *opt);
/* Runs every selected row of the groups, then writes the reports. Returns
 * the process exit status. */
int bench_run(const bench_options *opt, const bench_group *const *groups, size_t ngroups);

#endif
