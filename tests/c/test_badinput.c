/* The bad-input matrix runner: the rows live in tests/c/badinput/<mechanism>.c
 * (see badinput.h for how to add them); this file holds the runner, the
 * common fixtures and the harness's self-test.
 *
 * usage: c_test_badinput [SUBSTRING]   run only rows whose function name or
 *                                      file contains SUBSTRING
 *
 * Before the matrix, sentinel rows that are wrong on purpose (a call that
 * succeeds, a wrong errno, a leaked descriptor, a signal, an empty message,
 * ...) must each be reported as failing: a harness that cannot fail proves
 * nothing. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "badinput.h"
#include "privdrop.h"

/* Exit codes of a row's child. */
#define ROW_PASS 0
#define ROW_FAIL 1
#define ROW_SKIP 77
#define ROW_OTHER_PART 78  /* the row belongs to the other part (BI_NEED_ROOT) */
/* A watchdog against a call that blocks forever: far above any row's
 * needs, it only turns a hang into a failing row instead of a stuck test. */
#define ROW_WATCHDOG_SECONDS 120

/* ------------------------------------------------------------------------ */
/* The registry, filled by the rows' constructors before main. */

static const struct bi_row **rows;
static size_t nrows, rows_cap;

void bi_register(const struct bi_row *row) {
    if (nrows == rows_cap) {
        rows_cap = rows_cap ? rows_cap * 2 : 64;
        rows = realloc(rows, rows_cap * sizeof *rows);
        if (!rows) abort();
    }
    rows[nrows++] = row;
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
 * fixture's teardown once the child has exited (see badinput.h). */
struct row_shared {
    struct bi_ctx ctx;
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

static int child_run_row(const struct bi_row *row, FILE *out) {
    struct bi_ctx *ctx = &shared->ctx;
    static struct fd_snapshot before, after;
    static char msg[1024];

    if (row->fixture) {
        int rc = row->fixture->setup(ctx);
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
    if (snapshot_fds(&before) != 0) {
        fprintf(out, "cannot read /proc/self/fd: %s\n", strerror(errno));
        return ROW_FAIL;
    }

    rsipc_clear_error();
    errno = 0;
    intptr_t ret = row->call(ctx);
    int err = errno;
    const char *last = rsipc_last_error();
    size_t last_len = last ? strlen(last) : 0;
    snprintf(msg, sizeof msg, "%s", last ? last : "(NULL)");

    int snap = snapshot_fds(&after);

    int failed = 0;
    intptr_t want = failure_value(row->kind);
    if (ret != want) {
        fprintf(out, "returned %ld, want %ld%s\n", (long)ret, (long)want, err == 0 ? " (the call succeeded)" : "");
        failed = 1;
    }
    if (err != row->err) {
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

/* ------------------------------------------------------------------------ */
/* One row, from the parent: fork, collect the child's report, judge its end. */

enum verdict { PASS, FAIL, SKIP, OTHER_PART };

static enum verdict run_row(const struct bi_row *row, char *report, size_t report_size) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        snprintf(report, report_size, "pipe: %s\n", strerror(errno));
        return FAIL;
    }
    *shared = (struct row_shared){.ctx = {.fd = {-1, -1, -1, -1}, .id = -1, .id2 = -1}};
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(report, report_size, "fork: %s\n", strerror(errno));
        close(p[0]);
        close(p[1]);
        return FAIL;
    }
    if (pid == 0) {
        close(p[0]);
        alarm(ROW_WATCHDOG_SECONDS);
        FILE *out = fdopen(p[1], "w");
        if (!out) _exit(ROW_FAIL);
        setvbuf(out, NULL, _IOFBF, 8192);  /* one write at the end: no fd churn during the call */
        int rc = child_run_row(row, out);
        fclose(out);
        _exit(rc);
    }
    close(p[1]);
    size_t used = 0;
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
            return FAIL;
        }
    }
    if (row->fixture && row->fixture->teardown) row->fixture->teardown(&shared->ctx);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        snprintf(report + used, report_size - used, "killed by signal %d (%s)%s\n", sig, strsignal(sig),
                 sig == SIGALRM ? ": the call did not return" : "");
        return FAIL;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : ROW_FAIL;
    if (code == ROW_SKIP) return SKIP;
    if (code == ROW_OTHER_PART) return OTHER_PART;
    if (code != ROW_PASS && used == 0) snprintf(report, report_size, "child exited with status %d\n", code);
    return code == ROW_PASS ? PASS : FAIL;
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

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv) {
    root_part = argc > 1 && strcmp(argv[1], "--root") == 0;
    const char *only = argc > 1 + root_part ? argv[1 + root_part] : NULL;
    if (root_part && geteuid() != 0) {
        printf("bad-input matrix (root part): skipped, not running as root: no other user to be\n");
        return 77;
    }
    static char report[8192];
    qsort(rows, nrows, sizeof *rows, row_order);
    shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        perror("mmap");
        return 1;
    }

    /* The harness's self-test runs with the default part only. */
    int sentinels = 0, caught = 0;
    for (size_t i = 0; i < nrows && !root_part; i++) {
        const struct bi_row *row = rows[i];
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
    const char *file = NULL;
    for (size_t i = 0; i < nrows; i++) {
        const struct bi_row *row = rows[i];
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
        print_report(report);  /* the message, or why the row failed */
    }
    printf("\nbad-input matrix%s: %d cases, %d failed, %d skipped\n", root_part ? " (root part)" : "", cases, failed,
           skipped);
    return failed == 0 && caught == sentinels ? 0 : 1;
}
