/* The FIFO API through the public header: behaviour, errors, processes, and
 * interoperability with glibc's mkfifo/open on the other side. */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char dir[64];

static void path_in_dir(char *out, size_t size, const char *leaf) {
    snprintf(out, size, "%s/%s", dir, leaf);
}

static int child_ok(pid_t pid) {
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Waits until a FIFO reader has data or its writer hung up. */
static int wait_readable(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 60000) == 1;
}

static void test_bad_input(void) {
    char fifo[128], file[128], link[128];
    path_in_dir(fifo, sizeof fifo, "bad-fifo");
    path_in_dir(file, sizeof file, "regular");
    path_in_dir(link, sizeof link, "link");
    CHECK(rsipc_mkfifo(fifo, 0600) == 0);
    FILE *f = fopen(file, "w");
    CHECK(f != NULL && fputs("keep me", f) >= 0 && fclose(f) == 0);
    CHECK(symlink(fifo, link) == 0);

    CHECK_FAILS(rsipc_mkfifo(NULL, 0600), -1, EFAULT, "mkfifo(path=NULL");
    CHECK_FAILS(rsipc_mkfifoat(AT_FDCWD, NULL, 0600), -1, EFAULT, "mkfifoat(dirfd=AT_FDCWD, path=NULL");
    CHECK_FAILS(rsipc_fifo_open(NULL, O_RDONLY, 0), -1, EFAULT, "fifo_open(path=NULL");
    CHECK_FAILS(rsipc_mkfifo("", 0600), -1, ENOENT, "mkfifo(");
    CHECK(strstr(rsipc_last_error(), "empty") != NULL);
    CHECK_FAILS(rsipc_fifo_open("", O_RDONLY, 0), -1, ENOENT, "fifo_open(");
    CHECK_FAILS(rsipc_mkfifo(fifo, 0600), -1, EEXIST, "mkfifo(");
    CHECK_FAILS(rsipc_mkfifoat(-1, "relative", 0600), -1, EBADF, "mkfifoat(dirfd=-1");

    /* Not a FIFO: refused, never opened, never changed. */
    CHECK_FAILS(rsipc_fifo_open(file, O_WRONLY, 0), -1, EINVAL, "fifo_open(");
    CHECK(strstr(rsipc_last_error(), "regular file, not a FIFO") != NULL);
    CHECK_FAILS(rsipc_fifo_open(dir, O_RDONLY, 0), -1, EINVAL, "fifo_open(");
    CHECK(strstr(rsipc_last_error(), "directory") != NULL);
    CHECK_FAILS(rsipc_fifo_open("/dev/null", O_WRONLY, 0), -1, EINVAL, "fifo_open(");
    char buf[16] = {0};
    f = fopen(file, "r");
    CHECK(f != NULL && fgets(buf, sizeof buf, f) != NULL && fclose(f) == 0);
    CHECK(strcmp(buf, "keep me") == 0);

    /* A symlink, even to a FIFO, is never followed. */
    CHECK_FAILS(rsipc_fifo_open(link, O_RDONLY, 0), -1, ELOOP, "fifo_open(");
    CHECK(strstr(rsipc_last_error(), "symbolic link") != NULL);

    /* Flags that would create, truncate or make no sense. */
    CHECK_FAILS(rsipc_fifo_open(fifo, O_WRONLY | O_CREAT, 0), -1, EINVAL, "fifo_open(");
    CHECK(strstr(rsipc_last_error(), "O_WRONLY|O_CREAT") != NULL);
    CHECK_FAILS(rsipc_fifo_open(fifo, O_RDWR | O_TRUNC, 0), -1, EINVAL, "fifo_open(");
    CHECK_FAILS(rsipc_fifo_open(fifo, O_ACCMODE, 0), -1, EINVAL, "fifo_open(");

    /* A writer with no reader. */
    CHECK_FAILS(rsipc_fifo_open(fifo, O_WRONLY, 0), -1, ENXIO, "fifo_open(");
    CHECK_FAILS(rsipc_fifo_open(fifo, O_WRONLY, 50), -1, ETIMEDOUT, "fifo_open(");
    CHECK(strstr(rsipc_last_error(), "within 50 ms") != NULL);

    CHECK(unlink(link) == 0 && unlink(file) == 0 && unlink(fifo) == 0);
}

static void test_mkfifoat_and_descriptor_flags(void) {
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(dfd >= 0);
    CHECK(rsipc_mkfifoat(dfd, "at-fifo", 0640) == 0);
    struct stat st;
    CHECK(fstatat(dfd, "at-fifo", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISFIFO(st.st_mode));
    char fifo[128];
    path_in_dir(fifo, sizeof fifo, "at-fifo");

    int r = rsipc_fifo_open(fifo, O_RDONLY, 0);
    CHECK(r >= 0);
    CHECK((fcntl(r, F_GETFL) & O_NONBLOCK) == 0);  /* blocking unless asked */
    CHECK((fcntl(r, F_GETFD) & FD_CLOEXEC) == 0);  /* the caller's, as from open(2) */
    int w = rsipc_fifo_open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
    CHECK(w >= 0);
    CHECK((fcntl(w, F_GETFL) & O_NONBLOCK) != 0);
    CHECK((fcntl(w, F_GETFD) & FD_CLOEXEC) != 0);
    CHECK(rsipc_pipe_capacity(w) == 65536);  /* a FIFO is a pipe */
    close(r);
    close(w);
    CHECK(unlinkat(dfd, "at-fifo", 0) == 0);
    close(dfd);
}

/* glibc creates and writes (blocking open(2)); rsipc reads. */
static void test_glibc_writer_rsipc_reader(void) {
    char fifo[128];
    path_in_dir(fifo, sizeof fifo, "glibc-writer");
    CHECK(mkfifo(fifo, 0600) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        int w = open(fifo, O_WRONLY); /* blocks until the reader comes */
        _exit(w >= 0 && write(w, "from glibc", 10) == 10 && close(w) == 0 ? 0 : 1);
    }
    int r = rsipc_fifo_open(fifo, O_RDONLY, 0);
    CHECK(r >= 0);
    CHECK(wait_readable(r));
    char buf[32] = {0};
    CHECK(rsipc_read_exact(r, buf, sizeof buf) == 10);
    CHECK(strcmp(buf, "from glibc") == 0);
    CHECK(child_ok(pid));
    close(r);
    CHECK(unlink(fifo) == 0);
}

/* rsipc creates and writes (waiting for the reader); glibc reads with a
 * blocking open(2). */
static void test_rsipc_writer_glibc_reader(void) {
    char fifo[128];
    path_in_dir(fifo, sizeof fifo, "rsipc-writer");
    CHECK(rsipc_mkfifo(fifo, 0600) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        char buf[32] = {0};
        int r = open(fifo, O_RDONLY); /* blocks until the writer comes */
        ssize_t n = r >= 0 ? read(r, buf, sizeof buf) : -1;
        _exit(n == 10 && memcmp(buf, "from rsipc", 10) == 0 ? 0 : 1);
    }
    int w = rsipc_fifo_open(fifo, O_WRONLY, 60000);
    CHECK(w >= 0);
    CHECK(rsipc_write_all(w, "from rsipc", 10) == 10);
    close(w);
    CHECK(child_ok(pid));
    CHECK(unlink(fifo) == 0);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/rsipc-c-test-fifo-%d", (int)getpid());
    if (mkdir(dir, 0700) != 0) {
        perror("mkdir");
        return 1;
    }
    test_bad_input();
    test_mkfifoat_and_descriptor_flags();
    test_glibc_writer_rsipc_reader();
    test_rsipc_writer_glibc_reader();
    CHECK(rmdir(dir) == 0);
    return check_summary("test_fifo");
}
