/* The benchmark harness: see harness.h. */
#include "harness.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mqueue.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rsipc.h"

#ifndef RSIPC_BENCH_CARGO_PROFILE
#define RSIPC_BENCH_CARGO_PROFILE "unknown"
#endif

/* ---- time ----------------------------------------------------------------- */

uint64_t bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double bench_ns_per(uint64_t t0, uint64_t t1, size_t n) {
    return (double)(t1 - t0) / (double)(n ? n : 1);
}

double bench_mib_per_s(uint64_t t0, uint64_t t1, size_t bytes) {
    return bench_per_s(t0, t1, bytes) / (double)MiB;
}

double bench_per_s(uint64_t t0, uint64_t t1, size_t n) {
    double secs = (double)(t1 - t0) / 1e9;
    return secs > 0 ? (double)n / secs : 0.0;
}

/* ---- failures and temporary files ------------------------------------------ */

static void vreport(const char *fmt, va_list ap) {
    int err = errno;
    fprintf(stderr, "rsipc_bench[%d]: ", (int)getpid());
    vfprintf(stderr, fmt, ap);
    const char *last = rsipc_last_error();
    fprintf(stderr, ": %s%s%s%s\n", err ? strerror(err) : "no errno", *last ? " (rsipc: " : "", last,
            *last ? ")" : "");
}

void bench_die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    exit(1);
}

int bench_child_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    return 1;
}

#define MAX_TMP_PATHS 64
static char tmp_paths[MAX_TMP_PATHS][96];
static size_t ntmp_paths;
static pid_t main_pid;

/* IPC objects registered by bench_remember and not yet forgotten. */
#define MAX_OBJECTS 64
static struct {
    int used;
    bench_object kind;
    int id;
    char name[96];
} objects[MAX_OBJECTS];

static void remove_objects(void) {
    for (size_t i = 0; i < MAX_OBJECTS; i++) {
        if (!objects[i].used) continue;
        switch (objects[i].kind) {
        case BENCH_SYSV_MSG: msgctl(objects[i].id, IPC_RMID, NULL); break;
        case BENCH_SYSV_SEM: semctl(objects[i].id, 0, IPC_RMID); break;
        case BENCH_POSIX_MQ: mq_unlink(objects[i].name); break;
        case BENCH_POSIX_SEM: sem_unlink(objects[i].name); break;
        }
        objects[i].used = 0;
    }
}

static void remove_tmp_paths(void) {
    if (getpid() != main_pid) return; /* only the process that registered them */
    for (size_t i = 0; i < ntmp_paths; i++) unlink(tmp_paths[i]);
    remove_objects();
}

/* SIGINT, SIGTERM, SIGHUP: remove what the run created, then die of the
 * signal. Only system calls run here (unlink, msgctl, semctl and glibc's
 * thin mq_unlink/sem_unlink wrappers). */
static void cleanup_and_die(int sig) {
    remove_tmp_paths();
    signal(sig, SIG_DFL);
    raise(sig);
}

int bench_remember(bench_object kind, int id, const char *name) {
    for (int i = 0; i < MAX_OBJECTS; i++) {
        if (objects[i].used) continue;
        objects[i].kind = kind;
        objects[i].id = id;
        if (snprintf(objects[i].name, sizeof objects[i].name, "%s", name ? name : "") >= (int)sizeof objects[i].name)
            bench_die("IPC name %s too long", name);
        objects[i].used = 1;
        return i;
    }
    bench_die("too many IPC objects to remember");
}

void bench_forget(int handle) {
    if (handle < 0 || handle >= MAX_OBJECTS || !objects[handle].used) bench_die("bench_forget(%d): not remembered", handle);
    objects[handle].used = 0;
}

void bench_ipc_name(char *buf, size_t len, const char *what) {
    int n = snprintf(buf, len, "/rsipc_bench.%d.%s", (int)main_pid, what);
    if (n < 0 || (size_t)n >= len) bench_die("IPC name for %s too long", what);
}

void bench_tmp_path(char *buf, size_t len, const char *what) {
    int n = snprintf(buf, len, "/tmp/rsipc_bench.%d.%s", (int)main_pid, what);
    if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof tmp_paths[0]) bench_die("temporary path for %s too long", what);
    for (size_t i = 0; i < ntmp_paths; i++)
        if (strcmp(tmp_paths[i], buf) == 0) return;
    if (ntmp_paths == MAX_TMP_PATHS) bench_die("too many temporary paths");
    strcpy(tmp_paths[ntmp_paths++], buf);
}

/* ---- processes ---------------------------------------------------------------- */

static int cpu_parent = -1, cpu_child = -1;
static char placement[128] = "not pinned";

static void pin_to(int cpu) {
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) bench_die("sched_setaffinity(CPU %d)", cpu);
}

const char *bench_placement(void) { return placement; }

pid_t bench_spawn(int (*body)(void *), void *arg) {
    fflush(NULL); /* no buffered output duplicated into the child */
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) bench_die("fork");
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(1);
        if (cpu_child >= 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(cpu_child, &set);
            if (sched_setaffinity(0, sizeof set, &set) != 0) _exit(bench_child_fail("sched_setaffinity(CPU %d)", cpu_child));
        }
        int rc = body(arg);
        fflush(NULL);
        _exit(rc); /* not exit(): the parent's atexit cleanup is not ours */
    }
    return pid;
}

void bench_reap(pid_t pid) {
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) bench_die("waitpid(%d)", (int)pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = 0;
        bench_die("child %d failed (status 0x%x)", (int)pid, status);
    }
}

/* ---- glibc baselines and helpers ------------------------------------------------- */

ssize_t glibc_write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return done ? (ssize_t)done : -1;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

ssize_t glibc_read_exact(int fd, void *buf, size_t len) {
    char *p = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t n = read(fd, p + done, len - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return done ? (ssize_t)done : -1;
        }
        if (n == 0) {
            errno = 0;
            break;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

int bench_send_byte_child(int fd) {
    char c = 'x';
    return glibc_write_all(fd, &c, 1) == 1 ? 0 : -1;
}

int bench_recv_byte_child(int fd) {
    char c;
    return glibc_read_exact(fd, &c, 1) == 1 ? 0 : -1;
}

void bench_send_byte(int fd) {
    if (bench_send_byte_child(fd) != 0) bench_die("control write to fd %d", fd);
}

void bench_recv_byte(int fd) {
    if (bench_recv_byte_child(fd) != 0) bench_die("control read from fd %d", fd);
}

void *bench_alloc(size_t len) {
    void *p = malloc(len ? len : 1);
    if (!p) bench_die("malloc(%zu)", len);
    memset(p, 0x5a, len);
    return p;
}

void *bench_shared_alloc(size_t len) {
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) bench_die("mmap(MAP_SHARED|MAP_ANONYMOUS, %zu)", len);
    return p;
}

/* ---- init --------------------------------------------------------------------- */

void bench_init(const bench_options *opt) {
    main_pid = getpid();
    atexit(remove_tmp_paths);
    signal(SIGINT, cleanup_and_die);
    signal(SIGTERM, cleanup_and_die);
    signal(SIGHUP, cleanup_and_die);
    /* A peer that dies must show up as EPIPE and a message, not a silent kill. */
    signal(SIGPIPE, SIG_IGN);

    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) bench_die("sched_getaffinity");
    int usable = CPU_COUNT(&set);
    for (int cpu = 0; cpu < CPU_SETSIZE && cpu_child < 0; cpu++) {
        if (!CPU_ISSET(cpu, &set)) continue;
        if (cpu_parent < 0)
            cpu_parent = cpu;
        else
            cpu_child = cpu;
    }
    if (!opt->pin) {
        cpu_parent = cpu_child = -1;
        snprintf(placement, sizeof placement, "not pinned (--no-pin)");
    } else if (cpu_child < 0) {
        cpu_parent = -1;
        snprintf(placement, sizeof placement, "not pinned (only %d usable CPU)", usable);
    } else {
        pin_to(cpu_parent);
        snprintf(placement, sizeof placement, "parent on CPU %d, child on CPU %d (sched_setaffinity)", cpu_parent,
                 cpu_child);
    }
}

/* ---- the run ---------------------------------------------------------------------- */

typedef struct {
    double median, min, max;
} stats;

typedef struct {
    const bench_group *group;
    const bench_row *row;
    stats glibc, rsipc;
    double ratio; /* cost ratio, see bench_unit */
} result;

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static stats summarise(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    stats s = {n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0], v[n - 1]};
    return s;
}

static const char *unit_name(bench_unit u) {
    switch (u) {
    case BENCH_NS: return "ns";
    case BENCH_MIBS: return "MiB/s";
    case BENCH_MSGS: return "msg/s";
    }
    return "?";
}

static void format_value(char *buf, size_t len, double v, bench_unit u) {
    if (u == BENCH_NS && v < 10)
        snprintf(buf, len, "%.2f", v);
    else if (u == BENCH_NS && v < 1000)
        snprintf(buf, len, "%.1f", v);
    else
        snprintf(buf, len, "%.0f", v);
}

static bench_args args_for(const bench_options *opt, const bench_row *row) {
    double count = (double)(opt->full ? row->full_count : row->quick_count) * opt->scale;
    bench_args a = {row->size, count < 1 ? 1 : (size_t)count};
    if (row->unit == BENCH_MIBS && row->size) {
        /* a whole number of writes, at least one */
        a.count -= a.count % row->size;
        if (a.count < row->size) a.count = row->size;
    }
    return a;
}

static bench_args warmup_args(const bench_row *row, bench_args a) {
    a.count /= 8;
    if (a.count < 1) a.count = 1;
    if (row->unit == BENCH_MIBS && row->size) {
        a.count -= a.count % row->size;
        if (a.count < row->size) a.count = row->size;
    }
    return a;
}

static int selected(const bench_options *opt, const bench_group *g, const bench_row *r) {
    if (!opt->filter) return 1;
    char full[256];
    snprintf(full, sizeof full, "%s: %s", g->name, r->name);
    return strstr(full, opt->filter) != NULL;
}

static result run_row(const bench_options *opt, const bench_group *g, const bench_row *r) {
    bench_args a = args_for(opt, r);
    bench_args warm = warmup_args(r, a);
    double *gv = calloc((size_t)opt->reps, sizeof *gv);
    double *rv = calloc((size_t)opt->reps, sizeof *rv);
    if (!gv || !rv) bench_die("calloc");

    /* --aa: both columns run glibc, so the ratios show the row's own noise. */
    bench_fn rsipc_fn = r->rsipc_fn && opt->aa ? r->glibc_fn : r->rsipc_fn;
    r->glibc_fn(&warm);
    if (rsipc_fn) rsipc_fn(&warm);
    for (int i = 0; i < opt->reps; i++) {
        /* Alternate which variant goes first, so a drift in the machine's
         * state (frequency, caches, a neighbour's load) hits both alike. */
        if (rsipc_fn && i % 2) rv[i] = rsipc_fn(&a);
        gv[i] = r->glibc_fn(&a);
        if (rsipc_fn && !(i % 2)) rv[i] = rsipc_fn(&a);
    }

    result res = {g, r, {0, 0, 0}, {0, 0, 0}, 0};
    if (r->rsipc_fn) {
        /* The ratio of each repetition's two runs, which ran back to back
         * and so saw the same machine; their median is robust to the load
         * of other processes changing during the row. */
        double *ratios = calloc((size_t)opt->reps, sizeof *ratios);
        if (!ratios) bench_die("calloc");
        for (int i = 0; i < opt->reps; i++) ratios[i] = r->unit == BENCH_NS ? rv[i] / gv[i] : gv[i] / rv[i];
        res.ratio = summarise(ratios, opt->reps).median;
        free(ratios);
        res.rsipc = summarise(rv, opt->reps);
    }
    res.glibc = summarise(gv, opt->reps);
    free(gv);
    free(rv);
    return res;
}

/* ---- reports ---------------------------------------------------------------------- */

typedef struct {
    char date[64];
    char kernel[256];
    char cpu[256];
    long online;
    int usable;
    double seconds;
    char load_start[64], load_end[64];
} machine_info;

/* The first three fields of /proc/loadavg: other processes' load skews every
 * absolute figure (less so the ratios), so the report records it. */
static void read_loadavg(char *buf, size_t len) {
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f) return;
    double a, b, c;
    if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3) snprintf(buf, len, "%.2f %.2f %.2f", a, b, c);
    fclose(f);
}

/* The value of /proc/cpuinfo's line `key` (first CPU), or "" if none. */
static void cpuinfo_value(const char *key, char *buf, size_t len) {
    buf[0] = 0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0 || (line[klen] != ' ' && line[klen] != '\t' && line[klen] != ':')) continue;
        char *colon = strchr(line, ':');
        if (!colon) continue;
        colon++;
        while (*colon == ' ' || *colon == '\t') colon++;
        colon[strcspn(colon, "\n")] = 0;
        snprintf(buf, len, "%s", colon);
        break;
    }
    fclose(f);
}

/* The CPU's name and, on x86, its family, model and stepping: a virtual
 * machine may show only "AMD EPYC" for several generations, whose spin and
 * cache-line costs differ (PAUSE alone ranges from a few cycles to over a
 * hundred), so two reports are only comparable when these match. */
static void read_cpu_model(char *buf, size_t len) {
    char name[160], family[16], model[16], stepping[16];
    cpuinfo_value("model name", name, sizeof name);
    if (!name[0]) cpuinfo_value("Model", name, sizeof name);
    cpuinfo_value("cpu family", family, sizeof family);
    cpuinfo_value("model", model, sizeof model);
    cpuinfo_value("stepping", stepping, sizeof stepping);
    if (family[0] && model[0])
        snprintf(buf, len, "%s (family %s, model %s, stepping %s)", name[0] ? name : "unknown", family, model,
                 stepping[0] ? stepping : "?");
    else
        snprintf(buf, len, "%s", name[0] ? name : "unknown");
}

static void collect_info(machine_info *m) {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(m->date, sizeof m->date, "%Y-%m-%d %H:%M UTC", &tm);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(m->kernel, sizeof m->kernel, "%s %s %s", u.sysname, u.release, u.machine);
    else
        snprintf(m->kernel, sizeof m->kernel, "unknown");
    read_cpu_model(m->cpu, sizeof m->cpu);
    m->online = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    m->usable = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1;
    /* the parent pins itself to one CPU: count the machine's, not ours */
    if (m->usable == 1 && m->online > 1) m->usable = (int)m->online;
}

static void write_markdown(FILE *f, const bench_options *opt, const machine_info *m, const result *res,
                           size_t nres) {
    char a[32], b[32], c[32], d[32], e[32], g[32];
    fprintf(f, "# rsipc benchmark: rsipc against glibc\n\n");
    fprintf(f, "- date: %s\n", m->date);
    fprintf(f, "- machine: %s, %ld CPU cores online (%d usable), %s\n", m->cpu, m->online, m->usable, m->kernel);
    fprintf(f, "- processes: %s\n", bench_placement());
    fprintf(f, "- mode: %s, %d repetitions per variant (after one warm-up of each), glibc and rsipc alternated"
               " within each row%s\n",
            opt->full ? "--full" : "--quick", opt->reps, opt->scale != 1.0 ? " (counts scaled)" : "");
    fprintf(f, "- rsipc %s (cargo profile %s%s), benchmark compiled by %s%s\n", rsipc_version(),
            RSIPC_BENCH_CARGO_PROFILE,
            strcmp(RSIPC_BENCH_CARGO_PROFILE, "release") ? ": not an optimised library, timings not representative" : "",
#ifdef __clang__
            "clang " __clang_version__,
#else
            "gcc " __VERSION__,
#endif
#ifdef RSIPC_BENCH_SANITIZED
            " with sanitizers (timings not meaningful)"
#else
            ""
#endif
    );
    if (opt->aa)
        fprintf(f, "- **A/A calibration (--aa): the rsipc columns ran glibc too; the ratios show each row's noise,"
                   " not rsipc**\n");
    fprintf(f, "- run time: %.1f s; load average (1, 5, 15 min) %s at the start, %s at the end\n\n", m->seconds,
            m->load_start, m->load_end);

    fprintf(f, "## rsipc against glibc\n\n");
    fprintf(f, "Medians, minima and maxima over the repetitions. The ratio is rsipc's cost over glibc's "
               "(rsipc/glibc for times, glibc/rsipc for rates; above 1.00 rsipc is slower), computed for each "
               "repetition from its two back-to-back runs, median over the repetitions.\n\n");
    fprintf(f, "| mechanism | workload | unit | glibc median | glibc min | glibc max | rsipc median | rsipc min "
               "| rsipc max | rsipc/glibc |\n");
    fprintf(f, "|---|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
    for (size_t i = 0; i < nres; i++) {
        const result *r = &res[i];
        if (!r->row->rsipc_fn) continue;
        bench_unit u = r->row->unit;
        format_value(a, sizeof a, r->glibc.median, u);
        format_value(b, sizeof b, r->glibc.min, u);
        format_value(c, sizeof c, r->glibc.max, u);
        format_value(d, sizeof d, r->rsipc.median, u);
        format_value(e, sizeof e, r->rsipc.min, u);
        format_value(g, sizeof g, r->rsipc.max, u);
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.3f |\n", r->group->name, r->row->name,
                unit_name(u), a, b, c, d, e, g, r->ratio);
    }

    fprintf(f, "\n## Hardware limits (same run)\n\n");
    fprintf(f, "What the machine itself allows, between the same two processes as the rows where two take part.\n\n");
    fprintf(f, "| limit | unit | median | min | max |\n");
    fprintf(f, "|---|---|--:|--:|--:|\n");
    for (size_t i = 0; i < nres; i++) {
        const result *r = &res[i];
        if (r->row->rsipc_fn) continue;
        bench_unit u = r->row->unit;
        format_value(a, sizeof a, r->glibc.median, u);
        format_value(b, sizeof b, r->glibc.min, u);
        format_value(c, sizeof c, r->glibc.max, u);
        fprintf(f, "| %s | %s | %s | %s | %s |\n", r->row->name, unit_name(u), a, b, c);
    }
}

static void csv_text(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_line(FILE *f, const result *r, const char *section, const char *variant, const stats *s,
                     int with_ratio) {
    fprintf(f, "%s,", section);
    csv_text(f, r->group->name);
    fputc(',', f);
    csv_text(f, r->row->name);
    fprintf(f, ",%s,%s,%.6g,%.6g,%.6g,", unit_name(r->row->unit), variant, s->median, s->min, s->max);
    if (with_ratio) fprintf(f, "%.4f", r->ratio);
    fputc('\n', f);
}

static void write_csv(FILE *f, const result *res, size_t nres) {
    fprintf(f, "section,mechanism,workload,unit,variant,median,min,max,ratio\n");
    for (size_t i = 0; i < nres; i++) {
        const result *r = &res[i];
        if (r->row->rsipc_fn) {
            csv_line(f, r, "compare", "glibc", &r->glibc, 0);
            csv_line(f, r, "compare", "rsipc", &r->rsipc, 1);
        } else {
            csv_line(f, r, "limit", "hardware", &r->glibc, 0);
        }
    }
}

/* Creates the directory holding `path` if it is missing (one level). */
static void ensure_parent_dir(const char *path) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return;
    *slash = 0;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) bench_die("mkdir %s", dir);
}

static FILE *open_report(const char *path) {
    ensure_parent_dir(path);
    FILE *f = fopen(path, "w");
    if (!f) bench_die("cannot write %s", path);
    return f;
}

static void close_report(FILE *f, const char *path) {
    if (ferror(f) | fclose(f)) bench_die("error writing %s", path);
}

int bench_run(const bench_options *opt, const bench_group *const *groups, size_t ngroups) {
    size_t total = 0;
    for (size_t g = 0; g < ngroups; g++) total += groups[g]->nrows;
    result *res = calloc(total ? total : 1, sizeof *res);
    if (!res) bench_die("calloc");

    machine_info m;
    read_loadavg(m.load_start, sizeof m.load_start);
    uint64_t start = bench_now_ns();
    size_t nres = 0;
    for (size_t g = 0; g < ngroups; g++) {
        for (size_t i = 0; i < groups[g]->nrows; i++) {
            const bench_row *r = &groups[g]->rows[i];
            if (!selected(opt, groups[g], r)) continue;
            uint64_t t0 = bench_now_ns();
            res[nres] = run_row(opt, groups[g], r);
            char a[32], b[32];
            format_value(a, sizeof a, res[nres].glibc.median, r->unit);
            if (r->rsipc_fn) {
                format_value(b, sizeof b, res[nres].rsipc.median, r->unit);
                fprintf(stderr, "%-6s %-48s glibc %10s  rsipc %10s %-5s  ratio %.3f  (%.1f s)\n", groups[g]->name,
                        r->name, a, b, unit_name(r->unit), res[nres].ratio, (double)(bench_now_ns() - t0) / 1e9);
            } else {
                fprintf(stderr, "%-6s %-48s       %10s %-5s  (%.1f s)\n", groups[g]->name, r->name, a,
                        unit_name(r->unit), (double)(bench_now_ns() - t0) / 1e9);
            }
            nres++;
        }
    }
    if (nres == 0) {
        fprintf(stderr, "rsipc_bench: no row matches --filter \"%s\" (see --list)\n", opt->filter);
        free(res);
        return 2;
    }

    collect_info(&m);
    read_loadavg(m.load_end, sizeof m.load_end);
    m.seconds = (double)(bench_now_ns() - start) / 1e9;

    write_markdown(stdout, opt, &m, res, nres);
    FILE *f = open_report(opt->markdown);
    write_markdown(f, opt, &m, res, nres);
    close_report(f, opt->markdown);
    f = open_report(opt->csv);
    write_csv(f, res, nres);
    close_report(f, opt->csv);
    fprintf(stderr, "rsipc_bench: wrote %s and %s\n", opt->markdown, opt->csv);
    free(res);
    return 0;
}
