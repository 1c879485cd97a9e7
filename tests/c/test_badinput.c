/* The bad-input matrix runner: the rows live in tests/c/badinput/<mechanism>.c
 * (see badinput.h for how to add them); this file holds the runner, the
 * common fixtures and the harness's self-test.
 *
 * usage: c_test_badinput [SUBSTRING]   run only rows whose function name or
 *                                      file contains SUBSTRING
 *
 * Before the matrix, sentinel rows that are wrong on purpose (a call that
 * succeeds, a wrong errno, a leaked descriptor, a signal, an empty message,
 * a glibc twin that differs, ...) must each be reported as failing: a
 * harness that cannot fail proves nothing.
 *
 * Every row of a function with a glibc counterpart runs twice, each run in
 * a child of its own with its own fixture: once through rsipc (the row's
 * checks) and once through glibc (the row's twin, see badinput.h); the two
 * results must agree, or differ where the row says why. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "badinput.h"
#include "badinput_glibc.h"
#include "privdrop.h"

/* Exit codes of a row's child. */
#define ROW_PASS 0
#define ROW_FAIL 1
#define ROW_SKIP 77
#define ROW_OTHER_PART 78  /* the row belongs to the other part (BI_NEED_ROOT) */
/* A watchdog against a call that blocks forever: far above any row's
 * needs, it only turns a hang into a failing row instead of a stuck test. */
#define ROW_WATCHDOG_SECONDS 120
/* The glibc side of a row marked as a departure may hang on purpose (glibc
 * waits on a misaligned sem_t, ...): a shorter watchdog, still far above
 * what a call that returns needs. */
#define DEPARTS_WATCHDOG_SECONDS 5

/* ------------------------------------------------------------------------ */
/* The registry, filled by the rows' constructors before main. */

struct row_list {
    const struct bi_row **row;
    size_t n, cap;
};
static struct row_list rows, twins;

static void add_row(struct row_list *list, const struct bi_row *row) {
    if (list->n == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 64;
        list->row = realloc(list->row, list->cap * sizeof *list->row);
        if (!list->row) abort();
    }
    list->row[list->n++] = row;
}

void bi_register(const struct bi_row *row) { add_row(&rows, row); }
void bi_register_glibc(const struct bi_row *row) { add_row(&twins, row); }

int bi_glibc_calls;

/* The functions with a glibc counterpart (from rsipc_compat.h). */
static const char *const glibc_names[] = {BI_GLIBC_NAMES};

static int has_glibc_counterpart(const char *name) {
    for (size_t i = 0; i < sizeof glibc_names / sizeof *glibc_names; i++)
        if (strcmp(glibc_names[i], name) == 0) return 1;
    return 0;
}

static const struct bi_row *twin_of(const struct bi_row *row) {
    for (size_t i = 0; i < twins.n; i++) {
        const struct bi_row *t = twins.row[i];
        if (t->line == row->line && strcmp(t->file, row->file) == 0 && strcmp(t->label, row->label) == 0) return t;
    }
    return NULL;
}

static int row_order(const void *a, const void *b) {
    const struct bi_row *x = *(const struct bi_row *const *)a, *y = *(const struct bi_row *const *)b;
    int c = strcmp(x->file, y->file);
    return c ? c : x->line - y->line;
}

const char *bi_unique_name(struct bi_ctx *ctx, const char *tag) {
    snprintf(ctx->path, sizeof ctx->path, "/rsipc-bad-%ld-%s", (long)getpid(), tag);
    return ctx->path;
}

const char *bi_tmp_path(struct bi_ctx *ctx, const char *tag) {
    snprintf(ctx->path, sizeof ctx->path, "/tmp/rsipc-bad-%ld-%s", (long)getpid(), tag);
    return ctx->path;
}

static int make_file(const char *path, size_t size) {
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    int rc = size ? ftruncate(fd, (off_t)size) : 0;
    close(fd);
    return rc;
}

int bi_make_node(struct bi_ctx *ctx, const char *path, enum bi_node kind) {
    if (path != ctx->path) snprintf(ctx->path, sizeof ctx->path, "%s", path);
    if (kind == BI_LINK_TO_FILE || kind == BI_LINK_TO_FIFO)
        snprintf(ctx->path2, sizeof ctx->path2, "/tmp/rsipc-bad-%ld-target", (long)getpid());
    switch (kind) {
    case BI_NOTHING: return 0;
    case BI_FILE: return make_file(ctx->path, 0);
    case BI_FILE_4K: return make_file(ctx->path, 4096);
    case BI_FIFO: return mkfifo(ctx->path, 0600);
    case BI_DIR: return mkdir(ctx->path, 0700);
    case BI_SOCKET: {
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        if (strlen(ctx->path) >= sizeof a.sun_path) return -1;
        memcpy(a.sun_path, ctx->path, strlen(ctx->path));
        int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0) return -1;
        int rc = bind(sock, (struct sockaddr *)&a, sizeof a);
        close(sock);
        return rc;
    }
    case BI_LINK_TO_FILE:
        if (make_file(ctx->path2, 4096) != 0) return -1;
        return symlink(ctx->path2, ctx->path);
    case BI_LINK_TO_FIFO:
        if (mkfifo(ctx->path2, 0600) != 0) return -1;
        return symlink(ctx->path2, ctx->path);
    case BI_LINK_DANGLING: return symlink("/nonexistent/rsipc-bad-target", ctx->path);
    }
    return -1;
}

static void remove_path(const char *path) {
    if (path[0] && unlink(path) != 0 && errno == EISDIR) rmdir(path);
}

void bi_teardown_paths(struct bi_ctx *ctx) {
    remove_path(ctx->path);
    remove_path(ctx->path2);
}

static char long_buf[4096 + 2];

const char *bi_long_name(size_t n) {
    if (n > 4096) abort();
    long_buf[0] = '/';
    memset(long_buf + 1, 'x', n);
    long_buf[n + 1] = '\0';
    return long_buf;
}

const char *bi_long_path(size_t n) {
    if (n < 6 || n > 4096) abort();
    memcpy(long_buf, "/tmp/", 5);
    memset(long_buf + 5, 'x', n - 5);
    /* A '/' every 200 bytes keeps each component below NAME_MAX, so only
     * the whole path is too long. */
    for (size_t i = 205; i < n; i += 200) long_buf[i] = '/';
    long_buf[n] = '\0';
    return long_buf;
}

/* ------------------------------------------------------------------------ */
/* Common fixtures. Everything they open dies with the row's child; files
 * are unlinked as soon as they are open, so no teardown is needed. */

static int setup_closed_fd(struct bi_ctx *ctx) {
    int p[2];
    if (pipe(p) != 0) return -1;
    close(p[0]);
    close(p[1]);
    ctx->fd[0] = p[0];
    return 0;
}

static int setup_regular_file(struct bi_ctx *ctx) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/rsipc-bad-%ld-XXXXXX", (long)getpid());
    ctx->fd[0] = mkstemp(path);
    if (ctx->fd[0] < 0) return -1;
    return unlink(path);
}

static int setup_directory(struct bi_ctx *ctx) {
    ctx->fd[0] = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return ctx->fd[0] < 0 ? -1 : 0;
}

static int setup_dev_null(struct bi_ctx *ctx) {
    ctx->fd[0] = open("/dev/null", O_RDWR | O_CLOEXEC);
    return ctx->fd[0] < 0 ? -1 : 0;
}

static int setup_socket(struct bi_ctx *ctx) {
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctx->fd);
}

static int open_fifo(struct bi_ctx *ctx, int flags) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/rsipc-bad-%ld-fifo", (long)getpid());
    if (mkfifo(path, 0600) != 0) return -1;
    ctx->fd[0] = open(path, flags | O_CLOEXEC);
    int saved = errno;
    unlink(path);
    errno = saved;
    return ctx->fd[0] < 0 ? -1 : 0;
}

static int setup_fifo(struct bi_ctx *ctx) {
    return open_fifo(ctx, O_RDWR | O_NONBLOCK);  /* O_RDWR: no peer needed */
}

static int setup_fifo_path(struct bi_ctx *ctx) {
    return open_fifo(ctx, O_PATH);
}

int bi_setup_pipe(struct bi_ctx *ctx) {
    return pipe2(ctx->fd, O_CLOEXEC);
}

static int setup_pipe_nonblock(struct bi_ctx *ctx) {
    return pipe2(ctx->fd, O_CLOEXEC | O_NONBLOCK);
}

static int setup_pipe_full(struct bi_ctx *ctx) {
    static char chunk[4096];
    if (setup_pipe_nonblock(ctx) != 0) return -1;
    for (;;) {
        if (write(ctx->fd[1], chunk, sizeof chunk) < 0) break;
    }
    /* Single bytes fill the last partial page, if any. */
    for (;;) {
        if (write(ctx->fd[1], chunk, 1) < 0) break;
    }
    return errno == EAGAIN ? 0 : -1;
}

static int setup_pipe_no_reader(struct bi_ctx *ctx) {
    if (bi_setup_pipe(ctx) != 0) return -1;
    close(ctx->fd[0]);
    ctx->fd[0] = -1;
    return signal(SIGPIPE, SIG_IGN) == SIG_ERR ? -1 : 0;
}

static int setup_pipe_8k_queued(struct bi_ctx *ctx) {
    static char chunk[8192];
    if (bi_setup_pipe(ctx) != 0) return -1;
    return write(ctx->fd[1], chunk, sizeof chunk) == (ssize_t)sizeof chunk ? 0 : -1;
}

/* Exactly one free descriptor slot: the lowest free number becomes the
 * last one RLIMIT_NOFILE allows. */
static int setup_one_free_fd(struct bi_ctx *ctx) {
    (void)ctx;
    int lowest = fcntl(0, F_DUPFD_CLOEXEC, 0);
    if (lowest < 0) return -1;
    close(lowest);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
    rl.rlim_cur = (rlim_t)lowest + 1;
    return setrlimit(RLIMIT_NOFILE, &rl);
}

int bi_setup_unprivileged(struct bi_ctx *ctx) {
    (void)ctx;
    if (geteuid() != 0) return 0;  /* already unprivileged */
    return privdrop_drop();
}

const struct bi_fixture fx_closed_fd = {"closed fd", setup_closed_fd, NULL};
const struct bi_fixture fx_regular_file = {"regular file", setup_regular_file, NULL};
const struct bi_fixture fx_directory = {"directory", setup_directory, NULL};
const struct bi_fixture fx_dev_null = {"/dev/null", setup_dev_null, NULL};
const struct bi_fixture fx_socket = {"socket pair", setup_socket, NULL};
const struct bi_fixture fx_fifo = {"FIFO", setup_fifo, NULL};
const struct bi_fixture fx_fifo_path = {"O_PATH FIFO", setup_fifo_path, NULL};
const struct bi_fixture fx_pipe = {"pipe", bi_setup_pipe, NULL};
const struct bi_fixture fx_pipe_nonblock = {"non-blocking pipe", setup_pipe_nonblock, NULL};
const struct bi_fixture fx_pipe_full = {"full non-blocking pipe", setup_pipe_full, NULL};
const struct bi_fixture fx_pipe_no_reader = {"pipe without reader", setup_pipe_no_reader, NULL};
const struct bi_fixture fx_pipe_8k_queued = {"pipe holding 8 KiB", setup_pipe_8k_queued, NULL};
const struct bi_fixture fx_one_free_fd = {"one free descriptor", setup_one_free_fd, NULL};
const struct bi_fixture fx_unprivileged = {"unprivileged", bi_setup_unprivileged, NULL};

/* ------------------------------------------------------------------------ */
/* /proc/self/fd snapshots. */

#define MAX_FDS 256
struct fd_entry {
    int fd;
    char target[128];
};
struct fd_snapshot {
    int n;
    int truncated;
    struct fd_entry e[MAX_FDS];
};

static int snapshot_fds(struct fd_snapshot *s) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int self = dirfd(d);
    s->n = 0;
    s->truncated = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        int fd = atoi(de->d_name);
        if (fd == self) continue;
        if (s->n == MAX_FDS) {
            s->truncated = 1;
            break;
        }
        struct fd_entry *e = &s->e[s->n++];
        e->fd = fd;
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t len = readlink(link, e->target, sizeof e->target - 1);
        e->target[len < 0 ? 0 : len] = '\0';
    }
    closedir(d);
    return 0;
}

static const struct fd_entry *find_fd(const struct fd_snapshot *s, int fd) {
    for (int i = 0; i < s->n; i++)
        if (s->e[i].fd == fd) return &s->e[i];
    return NULL;
}

/* Appends a line per difference to `out`; returns the number of them. */
static int diff_fds(const struct fd_snapshot *before, const struct fd_snapshot *after, FILE *out) {
    int diffs = 0;
    for (int i = 0; i < after->n; i++) {
        const struct fd_entry *b = find_fd(before, after->e[i].fd);
        if (!b) {
            fprintf(out, "descriptor %d (%s) was left open by the failing call\n", after->e[i].fd, after->e[i].target);
            diffs++;
        } else if (strcmp(b->target, after->e[i].target) != 0) {
            fprintf(out, "descriptor %d changed from %s to %s\n", b->fd, b->target, after->e[i].target);
            diffs++;
        }
    }
    for (int i = 0; i < before->n; i++) {
        if (!find_fd(after, before->e[i].fd)) {
            fprintf(out, "descriptor %d (%s) was closed by the failing call\n", before->e[i].fd, before->e[i].target);
            diffs++;
        }
    }
    if (before->truncated || after->truncated) {
        fprintf(out, "more than %d descriptors open: snapshot incomplete\n", MAX_FDS);
        diffs++;
    }
    return diffs;
}

/* ------------------------------------------------------------------------ */
/* One row, in the child. Reasons for failing go to `out` (a pipe to the
 * parent), one per line. */

static intptr_t failure_value(enum bi_kind kind) {
    switch (kind) {
    case RET_NULL: return 0;
    case RET_MAP_FAILED: return (intptr_t)MAP_FAILED;
    case RET_SEM_FAILED: return (intptr_t)SEM_FAILED;
    case RET_INT:
    case RET_SSIZE:
    case RET_MQD:
    case RET_KEY: return -1;
    }
    return -1;
}

static const char *errno_name(int e) {
    const char *name = e == 0 ? "0" : strerrorname_np(e);
    return name ? name : "unknown errno";
}

/* The row's context lives in memory shared with the parent, which runs the
 * fixture's teardown once the child has exited (see badinput.h); so do the
 * results of the call, for the comparison with glibc's. */
struct row_shared {
    struct bi_ctx ctx;
    int calling;       /* the call was made (the glibc side: it may not return) */
    int called;        /* the call returned */
    intptr_t ret;
    int err;
    int glibc_calls;   /* glibc functions the twin reached */
};
static struct row_shared *shared;

/* "--root": this run is the root part, the rows whose fixture needs root. */
static int root_part;
/* In a row's child: its fixture called bi_need_root(). */
static int row_needs_root;

int bi_need_root(void) {
    row_needs_root = 1;
    if (!root_part) return BI_OTHER_PART;
    return geteuid() == 0 ? 0 : BI_SKIP;
}

/* Runs the row's fixture setup: ROW_PASS, or the row's end (skip, fail, a
 * row of the other part). */
static int setup_fixture(const struct bi_row *row, FILE *out) {
    if (row->fixture) {
        int rc = row->fixture->setup(&shared->ctx);
        if (rc == BI_OTHER_PART) return ROW_OTHER_PART;
        if (rc == BI_SKIP) {
            fprintf(out, "skipped: fixture \"%s\" cannot run here\n", row->fixture->name);
            return ROW_SKIP;
        }
        if (rc != 0) {
            fprintf(out, "fixture \"%s\" setup failed: %s\n", row->fixture->name, strerror(errno));
            return ROW_FAIL;
        }
    }
    if (root_part && !row_needs_root) return ROW_OTHER_PART;
    return ROW_PASS;
}

static int child_run_row(const struct bi_row *row, FILE *out) {
    struct bi_ctx *ctx = &shared->ctx;
    static struct fd_snapshot before, after;
    static char msg[1024];

    int rc = setup_fixture(row, out);
    if (rc != ROW_PASS) return rc;
    if (snapshot_fds(&before) != 0) {
        fprintf(out, "cannot read /proc/self/fd: %s\n", strerror(errno));
        return ROW_FAIL;
    }

    rsipc_clear_error();
    errno = 0;
    intptr_t ret = row->call(ctx);
    int err = errno;
    shared->ret = ret;
    shared->err = err;
    shared->called = 1;
    const char *last = rsipc_last_error();
    size_t last_len = last ? strlen(last) : 0;
    snprintf(msg, sizeof msg, "%s", last ? last : "(NULL)");

    int snap = snapshot_fds(&after);

    int failed = 0;
    intptr_t want = failure_value(row->kind);
    if (row->same && ret != want) {
        /* A SAME row that succeeded: only glibc's result judges it (and a
         * successful call may well open a descriptor). */
        fprintf(out, "returned %ld\n", (long)ret);
        return ROW_PASS;
    }
    if (ret != want) {
        fprintf(out, "returned %ld, want %ld%s\n", (long)ret, (long)want, err == 0 ? " (the call succeeded)" : "");
        failed = 1;
    }
    if (!row->same && err != row->err) {
        fprintf(out, "errno %s (%d), want %s\n", errno_name(err), err, row->err_name);
        failed = 1;
    }
    size_t name_len = strlen(row->name);
    if (last_len == 0) {
        fprintf(out, "rsipc_last_error() is empty\n");
        failed = 1;
    } else if (strncmp(msg, row->name, name_len) != 0 || msg[name_len] != '(') {
        fprintf(out, "rsipc_last_error() \"%s\" does not start with \"%s(\"\n", msg, row->name);
        failed = 1;
    }
    if (snap != 0) {
        fprintf(out, "cannot read /proc/self/fd after the call: %s\n", strerror(errno));
        failed = 1;
    } else if (diff_fds(&before, &after, out) != 0) {
        failed = 1;
    }
    if (!failed) fprintf(out, "%s\n", msg);
    return failed ? ROW_FAIL : ROW_PASS;
}

/* The row's twin, in the child: the same fixture, the call through glibc;
 * only its result is recorded, the parent compares. */
static int child_run_glibc(const struct bi_row *twin, FILE *out) {
    int rc = setup_fixture(twin, out);
    if (rc != ROW_PASS) return rc;
    bi_glibc_calls = 0;
    shared->calling = 1;
    errno = 0;
    intptr_t ret = twin->call(&shared->ctx);
    int err = errno;
    shared->ret = ret;
    shared->err = err;
    shared->glibc_calls = bi_glibc_calls;
    shared->called = 1;
    return ROW_PASS;
}

/* ------------------------------------------------------------------------ */
/* One row, from the parent: fork, collect the child's report, judge its end. */

enum verdict { PASS, FAIL, SKIP, OTHER_PART };

/* How a child ended: the signal that killed it (0: none) or its exit code. */
struct child_end {
    int signal;
    int code;
};

/* Runs `body` for `row` in a child with a fresh context, appends the
 * child's report to `report`, runs the fixture's teardown; -1 (with the
 * reason in `report`) when the child could not be run or waited for. */
static int run_child(const struct bi_row *row, int (*body)(const struct bi_row *, FILE *), unsigned watchdog,
                     char *report, size_t report_size, struct child_end *end) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        snprintf(report, report_size, "pipe: %s\n", strerror(errno));
        return -1;
    }
    *shared = (struct row_shared){.ctx = {.fd = {-1, -1, -1, -1}, .id = -1, .id2 = -1}};
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(report, report_size, "fork: %s\n", strerror(errno));
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        alarm(watchdog);
        FILE *out = fdopen(p[1], "w");
        if (!out) _exit(ROW_FAIL);
        setvbuf(out, NULL, _IOFBF, 8192);  /* one write at the end: no fd churn during the call */
        int rc = body(row, out);
        fclose(out);
        _exit(rc);
    }
    close(p[1]);
    size_t used = strlen(report);
    for (;;) {
        char buf[512];
        ssize_t n = read(p[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        size_t take = (size_t)n < report_size - 1 - used ? (size_t)n : report_size - 1 - used;
        memcpy(report + used, buf, take);
        used += take;
    }
    report[used] = '\0';
    close(p[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(report + used, report_size - used, "waitpid: %s\n", strerror(errno));
            return -1;
        }
    }
    if (row->fixture && row->fixture->teardown) row->fixture->teardown(&shared->ctx);
    end->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    end->code = WIFEXITED(status) ? WEXITSTATUS(status) : ROW_FAIL;
    return 0;
}

/* What the differential run of a row found. */
enum diff { DIFF_NONE, DIFF_SAME, DIFF_DEPARTS, DIFF_DIFFERS, DIFF_RSIPC_ONLY };
static enum diff last_diff;

/* The result of one side, as the comparison and the report see it. */
struct side {
    int signal;     /* killed by this signal, or -1: died in the call with exit status `code`; no result */
    int code;
    intptr_t ret;
    int err;
};

static void describe_side(char *buf, size_t size, enum bi_kind kind, const struct side *s) {
    if (s->signal == -1)
        snprintf(buf, size, "died in the call (exit status %d: a sanitizer's report?)", s->code);
    else if (s->signal == SIGALRM)
        snprintf(buf, size, "did not return (killed by the watchdog)");
    else if (s->signal)
        snprintf(buf, size, "killed by signal %d (%s)", s->signal, strsignal(s->signal));
    else if (s->ret == failure_value(kind))
        snprintf(buf, size, "failed, errno %s", errno_name(s->err));
    else
        snprintf(buf, size, "returned %ld", (long)s->ret);
}

static int same_result(enum bi_kind kind, const struct side *a, const struct side *b) {
    if (a->signal || b->signal) return a->signal == b->signal;
    intptr_t fail = failure_value(kind);
    if ((a->ret == fail) != (b->ret == fail)) return 0;
    if (a->ret == fail) return a->err == b->err;
    return kind == RET_INT || kind == RET_SSIZE ? a->ret == b->ret : 1;
}

/* The differential half of a row: its twin through glibc, compared with
 * rsipc's result `mine`. Appends what it found to `report`. */
static enum verdict run_glibc_twin(const struct bi_row *row, const struct side *mine, char *report,
                                   size_t report_size) {
    size_t used = strlen(report);
    const struct bi_row *twin = twin_of(row);
    if (!twin) {
        snprintf(report + used, report_size - used,
                 "no glibc twin: the row's file was not compiled with BI_GLIBC_TWIN (see badinput.h)\n");
        last_diff = DIFF_DIFFERS;
        return FAIL;
    }
    struct child_end end;
    unsigned watchdog = row->departs ? DEPARTS_WATCHDOG_SECONDS : ROW_WATCHDOG_SECONDS;
    if (run_child(twin, child_run_glibc, watchdog, report, report_size, &end) != 0) return FAIL;
    used = strlen(report);
    if (!end.signal && end.code == ROW_SKIP) return SKIP;
    if (!end.signal && end.code == ROW_OTHER_PART) return OTHER_PART;
    /* Under the sanitizers a fault in glibc ends the child with a report
     * and an exit status instead of the signal: a death all the same. */
    int died = end.signal != 0 || (shared->calling && !shared->called);
    if (!died && (end.code != ROW_PASS || !shared->called)) {
        snprintf(report + used, report_size - used, "glibc side: child exited with status %d\n", end.code);
        last_diff = DIFF_DIFFERS;
        return FAIL;
    }
    if (!died && shared->glibc_calls == 0) {
        snprintf(report + used, report_size - used, "glibc side: the twin called no glibc function\n");
        last_diff = DIFF_DIFFERS;
        return FAIL;
    }
#ifdef BI_SANITIZED
    /* Under the sanitizers the twin calls glibc through their interceptors,
     * which check more than glibc does (ASan's msgsnd reads all msgsz bytes,
     * its sem_init clears *sem first): a twin that dies with their report
     * says nothing about glibc. The plain build compares these rows. */
    if (died && !end.signal && !row->departs) {
        snprintf(report + used, report_size - used,
                 "glibc side: a sanitizer's interceptor stopped the call (exit status %d): not compared in this build\n",
                 end.code);
        last_diff = DIFF_NONE;
        return PASS;
    }
#endif
    struct side glibc = {end.signal ? end.signal : died ? -1 : 0, end.code, shared->ret, shared->err};
    char theirs[128], ours[128];
    describe_side(theirs, sizeof theirs, row->kind, &glibc);
    describe_side(ours, sizeof ours, row->kind, mine);
    int same = same_result(row->kind, mine, &glibc);
    if (row->departs && same) {
        snprintf(report + used, report_size - used,
                 "glibc: %s, as rsipc: the row is marked as a departure (\"%s\") but none is left\n", theirs,
                 row->departs);
        last_diff = DIFF_DIFFERS;
        return FAIL;
    }
    if (row->departs) {
        snprintf(report + used, report_size - used, "glibc departs: %s (%s)\n", theirs, row->departs);
        last_diff = DIFF_DEPARTS;
        return PASS;
    }
    if (!same) {
        snprintf(report + used, report_size - used, "glibc: %s, but rsipc %s\n", theirs, ours);
        last_diff = DIFF_DIFFERS;
        return FAIL;
    }
    snprintf(report + used, report_size - used, "glibc: %s, the same\n", theirs);
    last_diff = DIFF_SAME;
    return PASS;
}

/* A row: rsipc's run with the row's checks, then (for a function glibc
 * has too) glibc's run of the twin. `last_diff` says what the second found. */
static enum verdict run_row(const struct bi_row *row, char *report, size_t report_size) {
    struct child_end end;
    report[0] = '\0';
    last_diff = DIFF_NONE;
    if (run_child(row, child_run_row, ROW_WATCHDOG_SECONDS, report, report_size, &end) != 0) return FAIL;
    size_t used = strlen(report);
    enum verdict v;
    if (end.signal) {
        snprintf(report + used, report_size - used, "killed by signal %d (%s)%s\n", end.signal,
                 strsignal(end.signal), end.signal == SIGALRM ? ": the call did not return" : "");
        v = FAIL;
    } else if (end.code == ROW_SKIP) {
        return SKIP;
    } else if (end.code == ROW_OTHER_PART) {
        return OTHER_PART;
    } else {
        if (end.code != ROW_PASS && used == 0) snprintf(report, report_size, "child exited with status %d\n", end.code);
        v = end.code == ROW_PASS ? PASS : FAIL;
    }
    if (!has_glibc_counterpart(row->name)) {
        last_diff = DIFF_RSIPC_ONLY;
        if (row->same || row->departs) {
            used = strlen(report);
            snprintf(report + used, report_size - used, "a differential row of \"%s\", which glibc lacks\n",
                     row->name);
            return FAIL;
        }
        return v;
    }
    /* A sentinel of the rsipc side alone has no twin. */
    if (row->sentinel && !twin_of(row)) return v;
    if (end.signal || !shared->called) return v;  /* rsipc gave no result to compare */
    struct side mine = {0, 0, shared->ret, shared->err};
    enum verdict d = run_glibc_twin(row, &mine, report, report_size);
    return d == FAIL ? FAIL : v;
}

static void print_report(const char *report) {
    const char *line = report;
    while (*line) {
        const char *nl = strchr(line, '\n');
        int len = nl ? (int)(nl - line) : (int)strlen(line);
        printf("        %.*s\n", len, line);
        line += len + (nl ? 1 : 0);
    }
}

static const char *short_file(const char *path) {
    const char *s = strstr(path, "tests/c/");
    return s ? s + strlen("tests/c/") : path;
}

/* ------------------------------------------------------------------------ */
/* The harness's self-test: each of these rows is wrong on purpose. */

static int leak_a_descriptor(void) {
    return dup(2);
}

BI_SENTINEL(&fx_fifo, RET_INT, "pipe_capacity", "the call succeeds (a FIFO is a pipe)", EBADF,
            rsipc_pipe_capacity(ctx->fd[0]))
BI_SENTINEL(NULL, RET_INT, "pipe", "the errno differs", EINVAL, rsipc_pipe(NULL))
BI_SENTINEL(NULL, RET_INT, "pipe", "the failure value differs", EFAULT, (rsipc_pipe(NULL), 0))
BI_SENTINEL(NULL, RET_INT, "pipe2", "the message names another function", EFAULT, rsipc_pipe(NULL))
BI_SENTINEL(NULL, RET_INT, "pipe", "the message is empty", EFAULT, (rsipc_pipe(NULL), rsipc_clear_error(), -1))
BI_SENTINEL(NULL, RET_INT, "pipe", "a descriptor leaks", EFAULT, (leak_a_descriptor(), rsipc_pipe(NULL)))
/* The crashing row's fixture creates a file: the parent must remove it. */
static char sentinel_file[256];
static pid_t sentinel_teardown_pid;
static int setup_sentinel_file(struct bi_ctx *ctx) {
    snprintf(ctx->path, sizeof ctx->path, "/tmp/rsipc-bad-%ld-sentinel", (long)getpid());
    int fd = open(ctx->path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}
static void teardown_sentinel_file(struct bi_ctx *ctx) {
    snprintf(sentinel_file, sizeof sentinel_file, "%s", ctx->path);
    sentinel_teardown_pid = getpid();
    unlink(ctx->path);
}
static const struct bi_fixture fx_sentinel_file = {"sentinel file", setup_sentinel_file, teardown_sentinel_file};
BI_SENTINEL(&fx_sentinel_file, RET_INT, "pipe", "a signal kills the caller", EFAULT,
            (raise(SIGABRT), rsipc_pipe(NULL)))

/* The differential's self-test: rows whose glibc side is wrong on purpose. */
static struct seminfo sentinel_seminfo;
static int fail_with(int e) {
    errno = e;
    return -1;
}
BI_SENTINEL_VS(NULL, RET_INT, "pipe2", "glibc gives another errno", EINVAL, NULL, 0, rsipc_pipe2(NULL, -1),
               (bi_glibc_calls++, fail_with(EBADF)))
BI_SENTINEL_VS(NULL, RET_INT, "pipe2", "glibc succeeds", EINVAL, NULL, 0, rsipc_pipe2(NULL, -1),
               (bi_glibc_calls++, 0))
BI_SENTINEL_VS(NULL, RET_INT, "pipe2", "glibc crashes on an unmarked row", EINVAL, NULL, 0, rsipc_pipe2(NULL, -1),
               (BI_GLIBC_CALL(raise)(SIGABRT), -1))
BI_SENTINEL_VS(NULL, RET_INT, "pipe2", "a departure mark glibc does not bear out", EINVAL,
               "glibc crashes here (it does not)", 0, rsipc_pipe2(NULL, -1), BI_GLIBC_CALL(pipe2)(NULL, -1))
BI_SENTINEL_VS(&fx_pipe, RET_SSIZE, "write_all", "a SAME row of a function glibc lacks", 0, NULL, 1,
               rsipc_write_all(ctx->fd[1], "abcd", 4), BI_GLIBC_CALL(write)(ctx->fd[1], "abcd", 4))
BI_SENTINEL_VS(NULL, RET_INT, "pipe2", "the twin reaches no glibc function", EINVAL, NULL, 0, rsipc_pipe2(NULL, -1),
               rsipc_pipe2(NULL, -1))
BI_SENTINEL_VS(NULL, RET_INT, "semctl", "SAME row, glibc returns another value", 0, NULL, 1,
               rsipc_semctl(0, 0, IPC_INFO, &sentinel_seminfo), (bi_glibc_calls++, 12345))

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv) {
    root_part = argc > 1 && strcmp(argv[1], "--root") == 0;
    const char *only = argc > 1 + root_part ? argv[1 + root_part] : NULL;
    if (root_part && geteuid() != 0) {
        printf("bad-input matrix (root part): skipped, not running as root: no other user to be\n");
        return 77;
    }
    static char report[8192];
    qsort(rows.row, rows.n, sizeof *rows.row, row_order);
    shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        perror("mmap");
        return 1;
    }

    /* The harness's self-test runs with the default part only. */
    int sentinels = 0, caught = 0;
    for (size_t i = 0; i < rows.n && !root_part; i++) {
        const struct bi_row *row = rows.row[i];
        if (!row->sentinel) continue;
        sentinels++;
        enum verdict v = run_row(row, report, sizeof report);
        if (v == FAIL) {
            caught++;
            printf("caught   %s [%s]\n", row->name, row->label);
            print_report(report);
        } else {
            printf("MISSED   %s [%s]: the harness did not report this deliberately wrong row\n", row->name, row->label);
            print_report(report);
        }
    }
    /* The crashed row's teardown ran here, in the parent, and removed the
     * row's file (every teardown runs in the parent; this one shows it
     * does even when the child was killed). */
    if (!root_part) {
        sentinels++;
        if (sentinel_teardown_pid == getpid() && sentinel_file[0] && access(sentinel_file, F_OK) != 0) {
            caught++;
            printf("caught   the crashed row's object, removed by the parent\n");
        } else {
            printf("MISSED   the crashed row's teardown did not run in the parent (file \"%s\")\n", sentinel_file);
        }
        printf("harness self-test: %d wrong rows, %d caught\n\n", sentinels, caught);
    }

    int cases = 0, failed = 0, skipped = 0;
    int compared = 0, differences = 0, departures = 0, rsipc_only = 0;
    const char *file = NULL;
    for (size_t i = 0; i < rows.n; i++) {
        const struct bi_row *row = rows.row[i];
        if (row->sentinel) continue;
        if (only && !strstr(row->name, only) && !strstr(row->file, only)) continue;
        enum verdict v = run_row(row, report, sizeof report);
        if (v == OTHER_PART) continue;
        if (!file || strcmp(file, row->file) != 0) {
            file = row->file;
            printf("-- %s\n", short_file(file));
        }
        cases++;
        const char *tag = v == PASS ? "ok" : v == SKIP ? "skip" : "FAIL";
        printf("%-8s %s [%s] -> %s%s", tag, row->name, row->label, row->err_name,
               v == FAIL ? "" : "\n");
        if (v == FAIL) {
            printf("  (%s:%d)\n", short_file(row->file), row->line);
            failed++;
        }
        if (v == SKIP) skipped++;
        switch (last_diff) {
        case DIFF_SAME: compared++; break;
        case DIFF_DEPARTS: compared++, departures++; break;
        case DIFF_DIFFERS: compared++, differences++; break;
        case DIFF_RSIPC_ONLY: rsipc_only++; break;
        case DIFF_NONE: break;
        }
        print_report(report);  /* the message, or why the row failed */
    }
    printf("\nbad-input matrix%s: %d cases, %d failed, %d skipped\n", root_part ? " (root part)" : "", cases, failed,
           skipped);
    printf("differential: %d rows run through glibc too, %d differences, %d marked departures; "
           "%d rows of functions glibc lacks\n",
           compared, differences, departures, rsipc_only);
    return failed == 0 && caught == sentinels ? 0 : 1;
}
