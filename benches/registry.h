/* The benchmark groups, in the order they run and are reported: one line per
 * mechanism. BENCH_ENTRY(x) refers to `BENCH_GROUP(x, rows);` in
 * bench_x.c (CMake builds every bench_*.c). The hardware limits come first so
 * they are measured before the machine heats up with the rest. */
BENCH_ENTRY(limits)
BENCH_ENTRY(calls)
BENCH_ENTRY(pipe)
BENCH_ENTRY(fifo)
BENCH_ENTRY(msg)
BENCH_ENTRY(mq)
BENCH_ENTRY(sysv_shm)
BENCH_ENTRY(sem)
BENCH_ENTRY(preload)
BENCH_ENTRY(mmap)
BENCH_ENTRY(chan)
