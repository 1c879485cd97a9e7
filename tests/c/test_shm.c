/* The POSIX shared memory API through the public header: name rules side by
 * side with glibc's shm_open, bad input, and one object shared between a
 * process using glibc's shm_open and one using rsipc, both ways. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char name[64];

static int child_ok(pid_t pid) {
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The number of open descriptors of this (single-threaded) process. */
static int open_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

/* rsipc_shm_open and glibc's shm_open accept or refuse `n` alike. */
static void same_as_glibc(const char *n) {
    errno = 0;
    int ours = rsipc_shm_open(n, O_RDWR | O_CREAT, 0600);
    int our_errno = errno;
    if (ours >= 0) {
        close(ours);
        CHECK(rsipc_shm_unlink(n) == 0);
    }
    errno = 0;
    int theirs = shm_open(n, O_RDWR | O_CREAT, 0600);
    int their_errno = errno;
    if (theirs >= 0) {
        close(theirs);
        CHECK(shm_unlink(n) == 0);
    }
    CHECK((ours >= 0) == (theirs >= 0));
    if (ours < 0 || theirs < 0) {
        CHECK(our_errno == their_errno);
        if (our_errno != their_errno)
            fprintf(stderr, "  name \"%s\": rsipc errno %d, glibc errno %d\n", n, our_errno, their_errno);
    }
}

static void test_names_as_glibc(void) {
    char bare[64], doubled[80];
    snprintf(bare, sizeof bare, "%s", name + 1);   /* no leading slash */
    snprintf(doubled, sizeof doubled, "/%s", name); /* two slashes */
    const char *cases[] = {"", "/", "///", "/a/b", "/ab/", name, bare, doubled};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) same_as_glibc(cases[i]);
}

static void test_bad_input(void) {
    int fds_before = open_fds();
    char longname[NAME_MAX + 3];
    longname[0] = '/';
    memset(longname + 1, 'x', NAME_MAX + 1);
    longname[NAME_MAX + 2] = '\0';

    CHECK_FAILS(rsipc_shm_open(NULL, O_RDWR, 0), -1, EFAULT, "shm_open(name=NULL");
    CHECK_FAILS(rsipc_shm_unlink(NULL), -1, EFAULT, "shm_unlink(name=NULL");
    CHECK_FAILS(rsipc_shm_map(NULL, 4096, O_RDWR, 0), MAP_FAILED, EFAULT, "shm_map(name=NULL");
    CHECK_FAILS(rsipc_shm_open("", O_RDWR | O_CREAT, 0600), -1, EINVAL, "shm_open(name=\"\"");
    CHECK(strstr(rsipc_last_error(), "empty") != NULL);
    CHECK_FAILS(rsipc_shm_open("/", O_RDWR | O_CREAT, 0600), -1, EINVAL, "shm_open(name=\"/\"");
    CHECK_FAILS(rsipc_shm_open("/a/b", O_RDWR | O_CREAT, 0600), -1, EINVAL, "shm_open(");
    CHECK(strstr(rsipc_last_error(), "single path component") != NULL);
    CHECK_FAILS(rsipc_shm_open("/.", O_RDONLY, 0), -1, EINVAL, "shm_open(");
    CHECK_FAILS(rsipc_shm_open("/..", O_RDWR, 0), -1, EINVAL, "shm_open(");
    CHECK_FAILS(rsipc_shm_open(longname, O_RDWR | O_CREAT, 0600), -1, ENAMETOOLONG, "shm_open(");
    CHECK(strstr(rsipc_last_error(), "NAME_MAX") != NULL);
    longname[NAME_MAX + 1] = '\0'; /* exactly NAME_MAX: a valid name */
    int fd = rsipc_shm_open(longname, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    close(fd);
    CHECK(rsipc_shm_unlink(longname) == 0);

    CHECK_FAILS(rsipc_shm_unlink(""), -1, ENOENT, "shm_unlink(");
    CHECK_FAILS(rsipc_shm_unlink("/a/b"), -1, ENOENT, "shm_unlink(");
    CHECK_FAILS(rsipc_shm_unlink(name), -1, ENOENT, "shm_unlink(");
    CHECK_FAILS(rsipc_shm_open(name, O_RDWR, 0), -1, ENOENT, "shm_open(");
    CHECK(strstr(rsipc_last_error(), "O_CREAT") != NULL);

    CHECK_FAILS(rsipc_shm_map(name, 0, O_RDWR | O_CREAT, 0600), MAP_FAILED, EINVAL, "shm_map(");
    CHECK_FAILS(rsipc_shm_map(name, 4096, O_WRONLY | O_CREAT, 0600), MAP_FAILED, EINVAL, "shm_map(");
    CHECK_FAILS(rsipc_shm_map(name, SIZE_MAX, O_RDWR | O_CREAT, 0600), MAP_FAILED, ENOMEM, "shm_map(");
    CHECK_FAILS(rsipc_shm_open(name, O_RDONLY, 0), -1, ENOENT, "shm_open("); /* none of those created it */

    fd = rsipc_shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    close(fd);
    CHECK_FAILS(rsipc_shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600), -1, EEXIST, "shm_open(");
    CHECK_FAILS(rsipc_shm_map(name, 4096, O_RDONLY, 0), MAP_FAILED, EINVAL, "shm_map(");
    CHECK(strstr(rsipc_last_error(), "cannot be grown") != NULL);
    CHECK(rsipc_shm_unlink(name) == 0);
    CHECK(open_fds() == fds_before); /* no failure left a descriptor open */
}

static void test_symlink_is_never_followed(void) {
    char target[64], link[96];
    snprintf(target, sizeof target, "/tmp/rsipc-c-test-shm-target-%d", (int)getpid());
    snprintf(link, sizeof link, "/dev/shm%s", name);
    FILE *f = fopen(target, "w");
    CHECK(f != NULL && fputs("precious", f) >= 0 && fclose(f) == 0);
    CHECK(symlink(target, link) == 0);
    CHECK_FAILS(rsipc_shm_open(name, O_RDWR | O_CREAT | O_TRUNC, 0600), -1, ELOOP, "shm_open(");
    CHECK(strstr(rsipc_last_error(), "symbolic link") != NULL);
    CHECK_FAILS(rsipc_shm_map(name, 4096, O_RDWR | O_CREAT, 0600), MAP_FAILED, ELOOP, "shm_map(");
    struct stat st;
    CHECK(stat(target, &st) == 0 && st.st_size == 8);
    CHECK(unlink(link) == 0 && unlink(target) == 0);
}

/* A glibc process creates, sizes, maps and writes; rsipc maps and reads. */
static void test_glibc_writes_rsipc_reads(void) {
    pid_t pid = fork();
    if (pid == 0) {
        int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd < 0 || ftruncate(fd, 4096) != 0) _exit(1);
        char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) _exit(2);
        strcpy(p, "written by glibc");
        _exit(munmap(p, 4096) == 0 && close(fd) == 0 ? 0 : 3);
    }
    CHECK(child_ok(pid));
    char *p = rsipc_shm_map(name, 4096, O_RDONLY, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        CHECK(strcmp(p, "written by glibc") == 0);
        CHECK(rsipc_munmap(p, 4096) == 0);
    }
    CHECK(rsipc_shm_unlink(name) == 0);
}

/* rsipc creates and writes; a glibc process opens, maps, reads, answers in
 * the same object and unlinks it. */
static void test_rsipc_writes_glibc_reads(void) {
    char *p = rsipc_shm_map(name, 4096, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED) return;
    strcpy(p, "written by rsipc");
    pid_t pid = fork();
    if (pid == 0) {
        int fd = shm_open(name, O_RDWR, 0);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0 || st.st_size != 4096) _exit(1);
        char *q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (q == MAP_FAILED || strcmp(q, "written by rsipc") != 0) _exit(2);
        strcpy(q + 2048, "answered by glibc");
        _exit(munmap(q, 4096) == 0 && close(fd) == 0 && shm_unlink(name) == 0 ? 0 : 3);
    }
    CHECK(child_ok(pid));
    CHECK(strcmp(p + 2048, "answered by glibc") == 0);
    CHECK_FAILS(rsipc_shm_unlink(name), -1, ENOENT, "shm_unlink("); /* glibc removed it */
    CHECK(rsipc_munmap(p, 4096) == 0);
}

int main(void) {
    snprintf(name, sizeof name, "/rsipc-c-test-shm-%d", (int)getpid());
    test_names_as_glibc();
    test_bad_input();
    test_symlink_is_never_followed();
    test_glibc_writes_rsipc_reads();
    test_rsipc_writes_glibc_reads();
    return check_summary("test_shm");
}
