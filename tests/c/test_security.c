/* Security (issue 8, part 7), through the public header:
 *
 *  1. Modes are honoured for every object kind: made by root with mode 0600
 *     (FIFO, POSIX shared memory, named semaphore, POSIX message queue,
 *     System V segment, queue and semaphore set, a file for map_file), an
 *     unprivileged process (privdrop.h) gets EACCES (EPERM for removal of
 *     System V objects, as the kernel says) through every rsipc call that
 *     reaches them; opened up to 0644/0666, the same process may read and
 *     still may not write — so the refusal comes from the mode.
 *  2. A symbolic link planted at a /dev/shm name (shm_open, shm_map,
 *     sem_open) or at a FIFO path (fifo_open, mkfifo) is never followed:
 *     ELOOP (EEXIST for an exclusive create or mkfifo), and the file it
 *     points to keeps its contents, size and mode; a dangling link never
 *     gets its target created.
 *  3. Every function that creates a named object takes a mode, and the
 *     object gets exactly that mode (less the umask where the kernel applies
 *     one: files, FIFOs, queues; System V objects take it as given).
 *  4. Sizes from the caller never make rsipc read or write outside a
 *     mapping or a buffer: a read-only object or file smaller than the
 *     length asked is EINVAL (never a mapping that would SIGBUS), growing
 *     works when writable, and every call that stores into a caller's
 *     buffer leaves the guard bytes after it untouched (messages longer
 *     than the buffer are E2BIG/EMSGSIZE and stay queued).
 *
 * Part 1 and the other user's object of part 4 need root: they are the
 * root part (c_test_security_root, skipped as another user); the others run
 * as anyone. */
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "privdrop.h"

#define GUARD 0xA5
#define GUARD_LEN 64

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
    struct seminfo *__buf;
};

/* ------------------------------------------------------------------------ */
/* Names, and removing everything at the end whatever happened. */

static char fifo_path[96], file_path[96], key_path[96], victim_path[96], victim32_path[96], absent_path[96];
static char shm_name[64], sem_name[64], mq_name[64], link_name[64], sem_link_name[64], dangling_name[64];
static char fifo_link[96], file_link[96], dangling_link[96], shm_link_file[96], sem_link_file[96], dangling_file[96];
static int shm_id = -1, msg_id = -1, sem_id = -1;

static void make_names(void) {
    long pid = (long)getpid();
    snprintf(fifo_path, sizeof fifo_path, "/tmp/rsipc-sec-%ld-fifo", pid);
    snprintf(file_path, sizeof file_path, "/tmp/rsipc-sec-%ld-file", pid);
    snprintf(key_path, sizeof key_path, "/tmp/rsipc-sec-%ld-key", pid);
    snprintf(victim_path, sizeof victim_path, "/tmp/rsipc-sec-%ld-victim", pid);
    snprintf(victim32_path, sizeof victim32_path, "/tmp/rsipc-sec-%ld-victim32", pid);
    snprintf(absent_path, sizeof absent_path, "/tmp/rsipc-sec-%ld-absent", pid);
    snprintf(shm_name, sizeof shm_name, "/rsipc-sec-%ld-shm", pid);
    snprintf(sem_name, sizeof sem_name, "/rsipc-sec-%ld-sem", pid);
    snprintf(mq_name, sizeof mq_name, "/rsipc-sec-%ld-mq", pid);
    snprintf(link_name, sizeof link_name, "/rsipc-sec-%ld-link", pid);
    snprintf(sem_link_name, sizeof sem_link_name, "/rsipc-sec-%ld-semlink", pid);
    snprintf(dangling_name, sizeof dangling_name, "/rsipc-sec-%ld-dangling", pid);
    snprintf(fifo_link, sizeof fifo_link, "/tmp/rsipc-sec-%ld-fifolink", pid);
    snprintf(file_link, sizeof file_link, "/tmp/rsipc-sec-%ld-filelink", pid);
    snprintf(dangling_link, sizeof dangling_link, "/tmp/rsipc-sec-%ld-danglinglink", pid);
    snprintf(shm_link_file, sizeof shm_link_file, "/dev/shm%s", link_name);
    snprintf(sem_link_file, sizeof sem_link_file, "/dev/shm/sem.%s", sem_link_name + 1);
    snprintf(dangling_file, sizeof dangling_file, "/dev/shm%s", dangling_name);
}

static void remove_everything(void) {
    const char *paths[] = {fifo_path,     file_path, key_path,      victim_path,   victim32_path, absent_path,
                           fifo_link,     file_link, dangling_link, shm_link_file, sem_link_file, dangling_file};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) unlink(paths[i]);
    shm_unlink(shm_name);
    sem_unlink(sem_name);
    mq_unlink(mq_name);
    if (shm_id >= 0) shmctl(shm_id, IPC_RMID, NULL);
    if (msg_id >= 0) msgctl(msg_id, IPC_RMID, NULL);
    if (sem_id >= 0) semctl(sem_id, 0, IPC_RMID);
    shm_id = msg_id = sem_id = -1;
}

/* ------------------------------------------------------------------------ */
/* Small helpers. */

static int write_file(const char *path, const char *content, mode_t mode) {
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
    if (fd < 0) return -1;
    size_t n = strlen(content);
    int ok = write(fd, content, n) == (ssize_t)n && fchmod(fd, mode) == 0;
    close(fd);
    return ok ? 0 : -1;
}

/* The file at `path` still has exactly `content`, `mode` and inode `ino`. */
static int file_is(const char *path, const char *content, mode_t mode, ino_t ino) {
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 07777) != mode || st.st_ino != ino) return 0;
    size_t n = strlen(content);
    if ((size_t)st.st_size != n) return 0;
    char buf[128] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t got = read(fd, buf, sizeof buf);
    close(fd);
    return got == (ssize_t)n && memcmp(buf, content, n) == 0;
}

static mode_t mode_of(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static off_t size_of(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static int exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

static int guard_intact(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != GUARD) return 0;
    return 1;
}

/* A System V key of our own: ftok of a pid-unique file, the first project
 * id whose key `get(key)` can create exclusively. */
static int fresh_object(int (*get)(key_t)) {
    for (int proj = 1; proj < 256; proj++) {
        key_t key = rsipc_ftok(key_path, proj);
        if (key == -1) return -1;
        int id = get(key);
        if (id >= 0 || errno != EEXIST) return id;
    }
    return -1;
}
static key_t shm_key, msg_key, sem_key;
static int get_shm(key_t k) {
    shm_key = k;
    return rsipc_shmget(k, 4096, IPC_CREAT | IPC_EXCL | 0600);
}
static int get_msg(key_t k) {
    msg_key = k;
    return rsipc_msgget(k, IPC_CREAT | IPC_EXCL | 0600);
}
static int get_sem(key_t k) {
    sem_key = k;
    return rsipc_semget(k, 1, IPC_CREAT | IPC_EXCL | 0600);
}

/* ------------------------------------------------------------------------ */
/* 1. Permissions. */

struct message {
    long mtype;
    char mtext[64];
};

/* Every object kind, made by root through rsipc with mode 0600. */
static int make_private_objects(void) {
    int ok = 1;
    ok &= rsipc_mkfifo(fifo_path, 0600) == 0;
    void *p = rsipc_shm_map(shm_name, 4096, O_RDWR | O_CREAT | O_EXCL, 0600);
    ok &= p != MAP_FAILED && rsipc_munmap(p, 4096) == 0;
    sem_t *s = rsipc_sem_open(sem_name, O_CREAT | O_EXCL, 0600, 1);
    ok &= s != SEM_FAILED && rsipc_sem_close(s) == 0;
    mqd_t q = rsipc_mq_open(mq_name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
    ok &= q != (mqd_t)-1 && rsipc_mq_send(q, "x", 1, 0) == 0 && rsipc_mq_close(q) == 0;
    size_t len = 4096;
    p = rsipc_map_file(file_path, O_RDWR | O_CREAT | O_EXCL, 0600, &len);
    ok &= p != MAP_FAILED && rsipc_munmap(p, len) == 0;
    ok &= write_file(key_path, "key\n", 0600) == 0;
    shm_id = fresh_object(get_shm);
    msg_id = fresh_object(get_msg);
    sem_id = fresh_object(get_sem);
    struct message m = {1, "secret"};
    ok &= shm_id >= 0 && msg_id >= 0 && sem_id >= 0 && rsipc_msgsnd(msg_id, &m, 6, IPC_NOWAIT) == 0;
    /* The modes are what was asked. */
    ok &= mode_of(fifo_path) == 0600 && mode_of(file_path) == 0600;
    char path[96];
    snprintf(path, sizeof path, "/dev/shm%s", shm_name);
    ok &= mode_of(path) == 0600;
    snprintf(path, sizeof path, "/dev/shm/sem.%s", sem_name + 1);
    ok &= mode_of(path) == 0600;
    return ok ? 0 : -1;
}

/* Run as nobody: every way in is refused. Returns the number of failed
 * checks. */
static int refused_everything(void *unused) {
    (void)unused;
    int before = check_failures;
    static char buf[128];
    static struct message m = {1, "intruder"};
    static struct shmid_ds sds;
    static struct msqid_ds mds;
    static struct semid_ds semds;
    struct sembuf op = {0, -1, IPC_NOWAIT};
    size_t len = 0, len_page = 4096;

    CHECK_FAILS(rsipc_fifo_open(fifo_path, O_RDONLY, 0), -1, EACCES, "fifo_open(");
    CHECK_FAILS(rsipc_fifo_open(fifo_path, O_WRONLY, -1), -1, EACCES, "fifo_open(");
    CHECK_FAILS(rsipc_fifo_open(fifo_path, O_RDWR | O_NONBLOCK, 0), -1, EACCES, "fifo_open(");

    CHECK_FAILS(rsipc_shm_open(shm_name, O_RDONLY, 0), -1, EACCES, "shm_open(");
    CHECK_FAILS(rsipc_shm_open(shm_name, O_RDWR | O_CREAT, 0666), -1, EACCES, "shm_open(");
    CHECK_FAILS(rsipc_shm_map(shm_name, 4096, O_RDONLY, 0), MAP_FAILED, EACCES, "shm_map(");
    CHECK_FAILS(rsipc_shm_unlink(shm_name), -1, EACCES, "shm_unlink(");

    CHECK_FAILS(rsipc_sem_open(sem_name, 0), SEM_FAILED, EACCES, "sem_open(");
    CHECK_FAILS(rsipc_sem_open(sem_name, O_CREAT, 0666, 1), SEM_FAILED, EACCES, "sem_open(");
    CHECK_FAILS(rsipc_sem_unlink(sem_name), -1, EACCES, "sem_unlink(");

    CHECK_FAILS(rsipc_mq_open(mq_name, O_RDONLY), (mqd_t)-1, EACCES, "mq_open(");
    CHECK_FAILS(rsipc_mq_open(mq_name, O_WRONLY), (mqd_t)-1, EACCES, "mq_open(");
    CHECK_FAILS(rsipc_mq_open(mq_name, O_RDWR | O_CREAT, 0666, NULL), (mqd_t)-1, EACCES, "mq_open(");
    CHECK_FAILS(rsipc_mq_unlink(mq_name), -1, EACCES, "mq_unlink(");

    CHECK_FAILS(rsipc_map_file(file_path, O_RDONLY, 0, &len), MAP_FAILED, EACCES, "map_file(");
    CHECK_FAILS(rsipc_map_file(file_path, O_RDWR | O_CREAT, 0666, &len_page), MAP_FAILED, EACCES, "map_file(");

    CHECK_FAILS(rsipc_shmget(shm_key, 0, 0400), -1, EACCES, "shmget(");
    CHECK_FAILS(rsipc_shmat(shm_id, NULL, SHM_RDONLY), (void *)-1, EACCES, "shmat(");
    CHECK_FAILS(rsipc_shmctl(shm_id, IPC_STAT, &sds), -1, EACCES, "shmctl(");
    CHECK_FAILS(rsipc_shmctl(shm_id, IPC_RMID, NULL), -1, EPERM, "shmctl(");

    CHECK_FAILS(rsipc_msgget(msg_key, 0400), -1, EACCES, "msgget(");
    CHECK_FAILS(rsipc_msgrcv(msg_id, buf, 64, 0, IPC_NOWAIT), -1, EACCES, "msgrcv(");
    CHECK_FAILS(rsipc_msgsnd(msg_id, &m, 8, IPC_NOWAIT), -1, EACCES, "msgsnd(");
    CHECK_FAILS(rsipc_msgctl(msg_id, IPC_STAT, &mds), -1, EACCES, "msgctl(");
    CHECK_FAILS(rsipc_msgctl(msg_id, IPC_RMID, NULL), -1, EPERM, "msgctl(");

    CHECK_FAILS(rsipc_semget(sem_key, 0, 0400), -1, EACCES, "semget(");
    CHECK_FAILS(rsipc_semop(sem_id, &op, 1), -1, EACCES, "semop(");
    CHECK_FAILS(rsipc_semctl(sem_id, 0, GETVAL), -1, EACCES, "semctl(");
    CHECK_FAILS(rsipc_semctl(sem_id, 0, IPC_STAT, (union semun){.buf = &semds}), -1, EACCES, "semctl(");
    CHECK_FAILS(rsipc_semctl(sem_id, 0, IPC_RMID), -1, EPERM, "semctl(");
    return check_failures - before;
}

/* Opens the objects up to read-only for others (0644; 0666 for the named
 * semaphore, which every opener maps read-write). */
static int open_up_objects(void) {
    int ok = chmod(fifo_path, 0644) == 0 && chmod(file_path, 0644) == 0;
    char path[96];
    snprintf(path, sizeof path, "/dev/shm%s", shm_name);
    ok &= chmod(path, 0644) == 0;
    snprintf(path, sizeof path, "/dev/shm/sem.%s", sem_name + 1);
    ok &= chmod(path, 0666) == 0;
    mqd_t q = rsipc_mq_open(mq_name, O_RDONLY);
    ok &= q != (mqd_t)-1 && fchmod(q, 0644) == 0 && rsipc_mq_close(q) == 0;
    struct shmid_ds sds;
    ok &= rsipc_shmctl(shm_id, IPC_STAT, &sds) == 0;
    sds.shm_perm.mode = 0644;
    ok &= rsipc_shmctl(shm_id, IPC_SET, &sds) == 0;
    struct msqid_ds mds;
    ok &= rsipc_msgctl(msg_id, IPC_STAT, &mds) == 0;
    mds.msg_perm.mode = 0644;
    ok &= rsipc_msgctl(msg_id, IPC_SET, &mds) == 0;
    struct semid_ds semds;
    ok &= rsipc_semctl(sem_id, 0, IPC_STAT, (union semun){.buf = &semds}) == 0;
    semds.sem_perm.mode = 0644;
    ok &= rsipc_semctl(sem_id, 0, IPC_SET, (union semun){.buf = &semds}) == 0;
    return ok ? 0 : -1;
}

/* Run as nobody on the opened-up objects: reading works, writing does not. */
static int read_allowed_write_refused(void *unused) {
    (void)unused;
    int before = check_failures;
    static struct message got, m = {1, "intruder"};
    struct sembuf op = {0, 1, IPC_NOWAIT};
    size_t len = 0;

    int fd = rsipc_fifo_open(fifo_path, O_RDONLY | O_NONBLOCK, 0);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
    CHECK_FAILS(rsipc_fifo_open(fifo_path, O_WRONLY, 0), -1, EACCES, "fifo_open(");

    fd = rsipc_shm_open(shm_name, O_RDONLY, 0);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
    CHECK_FAILS(rsipc_shm_open(shm_name, O_RDWR, 0), -1, EACCES, "shm_open(");
    void *p = rsipc_shm_map(shm_name, 4096, O_RDONLY, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) CHECK(rsipc_munmap(p, 4096) == 0);

    sem_t *s = rsipc_sem_open(sem_name, 0);
    CHECK(s != SEM_FAILED);
    if (s != SEM_FAILED) CHECK(rsipc_sem_close(s) == 0);

    mqd_t q = rsipc_mq_open(mq_name, O_RDONLY | O_NONBLOCK);
    CHECK(q != (mqd_t)-1);
    if (q != (mqd_t)-1) CHECK(rsipc_mq_close(q) == 0);
    CHECK_FAILS(rsipc_mq_open(mq_name, O_WRONLY), (mqd_t)-1, EACCES, "mq_open(");

    p = rsipc_map_file(file_path, O_RDONLY, 0, &len);
    CHECK(p != MAP_FAILED && len == 4096);
    if (p != MAP_FAILED) CHECK(rsipc_munmap(p, len) == 0);
    len = 4096;
    CHECK_FAILS(rsipc_map_file(file_path, O_RDWR, 0, &len), MAP_FAILED, EACCES, "map_file(");

    CHECK(rsipc_shmget(shm_key, 0, 0400) == shm_id);
    p = rsipc_shmat(shm_id, NULL, SHM_RDONLY);
    CHECK(p != (void *)-1);
    if (p != (void *)-1) CHECK(rsipc_shmdt(p) == 0);
    CHECK_FAILS(rsipc_shmat(shm_id, NULL, 0), (void *)-1, EACCES, "shmat(");

    CHECK(rsipc_msgget(msg_key, 0400) == msg_id);
    CHECK(rsipc_msgrcv(msg_id, &got, sizeof got.mtext, 0, IPC_NOWAIT | MSG_COPY) >= 0 || errno == ENOSYS);
    CHECK_FAILS(rsipc_msgsnd(msg_id, &m, 8, IPC_NOWAIT), -1, EACCES, "msgsnd(");

    CHECK(rsipc_semget(sem_key, 0, 0400) == sem_id);
    CHECK(rsipc_semctl(sem_id, 0, GETVAL) == 0);
    CHECK_FAILS(rsipc_semop(sem_id, &op, 1), -1, EACCES, "semop(");
    return check_failures - before;
}

static void test_modes_are_honoured_for_every_object_kind(void) {
    mode_t old = umask(022);
    CHECK(make_private_objects() == 0);
    CHECK(privdrop_run(refused_everything, NULL) == 0);
    CHECK(open_up_objects() == 0);
    CHECK(privdrop_run(read_allowed_write_refused, NULL) == 0);
    umask(old);
    remove_everything();
    printf("permissions: 8 object kinds, refused at 0600 and readable only at 0644\n");
}

/* ------------------------------------------------------------------------ */
/* 2. Symbolic links are never followed. */

#define VICTIM "precious contents\n"

static void test_links_at_shm_names_are_never_followed(void) {
    struct stat st;
    CHECK(write_file(victim_path, VICTIM, 0644) == 0 && stat(victim_path, &st) == 0);
    ino_t ino = st.st_ino;
    CHECK(symlink(victim_path, shm_link_file) == 0);
    size_t big = 8192;

    CHECK_FAILS(rsipc_shm_open(link_name, O_RDONLY, 0), -1, ELOOP, "shm_open(");
    CHECK_FAILS(rsipc_shm_open(link_name, O_RDWR, 0), -1, ELOOP, "shm_open(");
    CHECK_FAILS(rsipc_shm_open(link_name, O_RDWR | O_CREAT, 0666), -1, ELOOP, "shm_open(");
    CHECK_FAILS(rsipc_shm_open(link_name, O_RDWR | O_TRUNC, 0), -1, ELOOP, "shm_open(");
    CHECK_FAILS(rsipc_shm_open(link_name, O_RDWR | O_CREAT | O_EXCL, 0600), -1, EEXIST, "shm_open(");
    CHECK_FAILS(rsipc_shm_map(link_name, big, O_RDWR | O_CREAT, 0666), MAP_FAILED, ELOOP, "shm_map(");
    CHECK_FAILS(rsipc_shm_map(link_name, 4, O_RDONLY, 0), MAP_FAILED, ELOOP, "shm_map(");
    CHECK_FAILS(rsipc_shm_map(link_name, big, O_RDWR | O_TRUNC, 0), MAP_FAILED, ELOOP, "shm_map(");
    CHECK(file_is(victim_path, VICTIM, 0644, ino));
    /* shm_unlink removes the link itself, as unlink(2) does. */
    CHECK(rsipc_shm_unlink(link_name) == 0);
    CHECK(!exists(shm_link_file) && file_is(victim_path, VICTIM, 0644, ino));

    /* A dangling link: nothing is created where it points. */
    CHECK(symlink(absent_path, dangling_file) == 0);
    CHECK_FAILS(rsipc_shm_open(dangling_name, O_RDWR | O_CREAT, 0666), -1, ELOOP, "shm_open(");
    CHECK_FAILS(rsipc_shm_map(dangling_name, 4096, O_RDWR | O_CREAT, 0666), MAP_FAILED, ELOOP, "shm_map(");
    CHECK(!exists(absent_path));
    CHECK(unlink(dangling_file) == 0);
}

static void test_links_at_semaphore_names_are_never_followed(void) {
    /* The target is a valid semaphore's size: followed, it would "work". */
    static const char zeros32[] = "0123456789abcdef0123456789abcdef";
    struct stat st;
    CHECK(write_file(victim32_path, zeros32, 0666) == 0 && stat(victim32_path, &st) == 0);
    ino_t ino = st.st_ino;
    CHECK(symlink(victim32_path, sem_link_file) == 0);
    CHECK_FAILS(rsipc_sem_open(sem_link_name, 0), SEM_FAILED, ELOOP, "sem_open(");
    CHECK_FAILS(rsipc_sem_open(sem_link_name, O_CREAT, 0600, 5), SEM_FAILED, ELOOP, "sem_open(");
    CHECK_FAILS(rsipc_sem_open(sem_link_name, O_CREAT | O_EXCL, 0600, 5), SEM_FAILED, EEXIST, "sem_open(");
    CHECK(file_is(victim32_path, zeros32, 0666, ino));
    CHECK(rsipc_sem_unlink(sem_link_name) == 0);
    CHECK(!exists(sem_link_file) && file_is(victim32_path, zeros32, 0666, ino));

    CHECK(symlink(absent_path, sem_link_file) == 0);
    CHECK_FAILS(rsipc_sem_open(sem_link_name, O_CREAT, 0600, 1), SEM_FAILED, ELOOP, "sem_open(");
    CHECK(!exists(absent_path));
    CHECK(unlink(sem_link_file) == 0);
}

static void test_links_at_fifo_paths_are_never_followed(void) {
    struct stat st;
    CHECK(write_file(victim_path, VICTIM, 0644) == 0 || errno == EEXIST);
    CHECK(stat(victim_path, &st) == 0);
    ino_t ino = st.st_ino;
    /* A link to a real FIFO: still refused. */
    CHECK(rsipc_mkfifo(fifo_path, 0600) == 0);
    CHECK(symlink(fifo_path, fifo_link) == 0);
    CHECK_FAILS(rsipc_fifo_open(fifo_link, O_RDONLY, 0), -1, ELOOP, "fifo_open(");
    CHECK_FAILS(rsipc_fifo_open(fifo_link, O_RDWR, 0), -1, ELOOP, "fifo_open(");
    CHECK_FAILS(rsipc_fifo_open(fifo_link, O_WRONLY, 0), -1, ELOOP, "fifo_open(");
    CHECK_FAILS(rsipc_fifo_open(fifo_link, O_WRONLY | O_NONBLOCK, -1), -1, ELOOP, "fifo_open(");
    /* A link to a regular file: refused, the file untouched. */
    CHECK(symlink(victim_path, file_link) == 0);
    CHECK_FAILS(rsipc_fifo_open(file_link, O_WRONLY | O_APPEND, 0), -1, ELOOP, "fifo_open(");
    CHECK_FAILS(rsipc_fifo_open(file_link, O_RDWR, 0), -1, ELOOP, "fifo_open(");
    CHECK_FAILS(rsipc_mkfifo(file_link, 0600), -1, EEXIST, "mkfifo(");
    CHECK(file_is(victim_path, VICTIM, 0644, ino));
    /* A dangling link: mkfifo does not create its target. */
    CHECK(symlink(absent_path, dangling_link) == 0);
    CHECK_FAILS(rsipc_mkfifo(dangling_link, 0600), -1, EEXIST, "mkfifo(");
    CHECK_FAILS(rsipc_mkfifoat(AT_FDCWD, dangling_link, 0600), -1, EEXIST, "mkfifoat(");
    CHECK_FAILS(rsipc_fifo_open(dangling_link, O_RDONLY, 0), -1, ELOOP, "fifo_open(");
    CHECK(!exists(absent_path));
    remove_everything();
    printf("links: shm_open, shm_map, sem_open, fifo_open, mkfifo never followed a planted link\n");
}

/* ------------------------------------------------------------------------ */
/* 3. Modes of created objects: exactly what the caller asked. */

static const mode_t modes[] = {0600, 0400, 0640, 0604, 0644, 0660, 0666, 0700, 0};

/* The permission bits of System V object `id` ("shm", "msg" or "sem") as
 * the kernel lists them in /proc/sysvipc, or -1. Not IPC_STAT: that needs
 * read permission, which the creator of a mode 0200 or 0 object only has
 * as root. */
static int sysv_mode_of(const char *kind, int id) {
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/sysvipc/%s", kind);
    FILE *f = fopen(path, "re");
    if (!f) return -1;
    int mode = -1;
    while (fgets(line, sizeof line, f)) {
        int key, found;
        unsigned perms;
        if (sscanf(line, "%d %d %o", &key, &found, &perms) == 3 && found == id) {
            mode = (int)(perms & 0777);
            break;
        }
    }
    fclose(f);
    return mode;
}

/* Creates each kind with `mode` under the current umask and checks it got
 * `mode & ~mask` (`mode` for System V objects). */
static void created_with(mode_t mode, mode_t mask) {
    mode_t want = mode & ~mask;
    char path[96];

    CHECK(rsipc_mkfifo(fifo_path, mode) == 0);
    CHECK(mode_of(fifo_path) == want);
    unlink(fifo_path);
    CHECK(rsipc_mkfifoat(AT_FDCWD, fifo_path, mode) == 0);
    CHECK(mode_of(fifo_path) == want);
    unlink(fifo_path);

    size_t len = 4096;
    void *p = rsipc_map_file(file_path, O_RDWR | O_CREAT | O_EXCL, mode, &len);
    CHECK(p != MAP_FAILED && mode_of(file_path) == want);
    if (p != MAP_FAILED) rsipc_munmap(p, len);
    unlink(file_path);

    snprintf(path, sizeof path, "/dev/shm%s", shm_name);
    int fd = rsipc_shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL, mode);
    CHECK(fd >= 0 && mode_of(path) == want);
    if (fd >= 0) close(fd);
    rsipc_shm_unlink(shm_name);
    p = rsipc_shm_map(shm_name, 4096, O_RDWR | O_CREAT | O_EXCL, mode);
    CHECK(p != MAP_FAILED && mode_of(path) == want);
    if (p != MAP_FAILED) rsipc_munmap(p, 4096);
    rsipc_shm_unlink(shm_name);

    snprintf(path, sizeof path, "/dev/shm/sem.%s", sem_name + 1);
    sem_t *s = rsipc_sem_open(sem_name, O_CREAT | O_EXCL, mode, 0);
    CHECK(s != SEM_FAILED && mode_of(path) == want);
    if (s != SEM_FAILED) rsipc_sem_close(s);
    rsipc_sem_unlink(sem_name);

    mqd_t q = rsipc_mq_open(mq_name, O_RDONLY | O_CREAT | O_EXCL, mode, NULL);
    struct stat st;
    CHECK(q != (mqd_t)-1 && fstat(q, &st) == 0 && (st.st_mode & 07777) == want);
    if (q != (mqd_t)-1) rsipc_mq_close(q);
    rsipc_mq_unlink(mq_name);

    /* System V: the low 9 bits of the flags, no umask. */
    int id = rsipc_shmget(IPC_PRIVATE, 4096, IPC_CREAT | (int)mode);
    CHECK(id >= 0 && sysv_mode_of("shm", id) == (int)mode);
    if (id >= 0) rsipc_shmctl(id, IPC_RMID, NULL);
    id = rsipc_msgget(IPC_PRIVATE, IPC_CREAT | (int)mode);
    CHECK(id >= 0 && sysv_mode_of("msg", id) == (int)mode);
    if (id >= 0) rsipc_msgctl(id, IPC_RMID, NULL);
    id = rsipc_semget(IPC_PRIVATE, 1, IPC_CREAT | (int)mode);
    CHECK(id >= 0 && sysv_mode_of("sem", id) == (int)mode);
    if (id >= 0) rsipc_semctl(id, 0, IPC_RMID);
}

static void test_created_objects_get_exactly_the_mode_asked(void) {
    int n = 0;
    mode_t old = umask(0);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++, n++) created_with(modes[i], 0);
    umask(077);
    created_with(0666, 077);
    created_with(0644, 077);
    umask(022);
    created_with(0666, 022);
    umask(old);
    remove_everything();
    /* No function creates a named object without a mode argument: the
     * creating ones are mkfifo, mkfifoat, map_file, shm_open, shm_map,
     * sem_open, mq_open, shmget, msgget, semget, and each was checked. The
     * others (pipe, pipe2, map_anonymous_shared) create nothing with a name
     * or permissions. */
    printf("modes: 10 creating functions, %d modes under umask 0 and 3 under 077/022, each exact\n", n);
}

/* ------------------------------------------------------------------------ */
/* 4. Sizes never reach outside a mapping or a buffer. */

static void test_shm_map_never_maps_past_the_object(void) {
    char path[96];
    snprintf(path, sizeof path, "/dev/shm%s", shm_name);
    unsigned char *p = rsipc_shm_map(shm_name, 4096, O_RDWR | O_CREAT | O_EXCL, 0644);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED) return;
    p[4095] = 'z';
    rsipc_munmap(p, 4096);
    /* Read-only and shorter than asked: refused, never a mapping that would
     * SIGBUS past the end, and the object is not grown. */
    CHECK_FAILS(rsipc_shm_map(shm_name, 4097, O_RDONLY, 0), MAP_FAILED, EINVAL, "shm_map(");
    CHECK_FAILS(rsipc_shm_map(shm_name, 1 << 20, O_RDONLY, 0), MAP_FAILED, EINVAL, "shm_map(");
    CHECK(size_of(path) == 4096);
    /* Exactly its size: every byte readable. */
    p = rsipc_shm_map(shm_name, 4096, O_RDONLY, 0);
    CHECK(p != MAP_FAILED && p[4095] == 'z');
    if (p != MAP_FAILED) rsipc_munmap(p, 4096);
    /* Writable: grown first, so the whole length is backed. */
    p = rsipc_shm_map(shm_name, 3 * 4096 + 100, O_RDWR, 0);
    CHECK(p != MAP_FAILED && size_of(path) == 3 * 4096 + 100);
    if (p != MAP_FAILED) {
        p[3 * 4096 + 99] = 'y';
        CHECK(p[4095] == 'z');
        rsipc_munmap(p, 3 * 4096 + 100);
    }
    /* A smaller length never shrinks it. */
    p = rsipc_shm_map(shm_name, 10, O_RDWR, 0);
    CHECK(p != MAP_FAILED && size_of(path) == 3 * 4096 + 100);
    if (p != MAP_FAILED) rsipc_munmap(p, 10);
    rsipc_shm_unlink(shm_name);
}

/* As nobody: the read-only view of root's object is refused past its end. */
static int shm_map_past_end_as_nobody(void *unused) {
    (void)unused;
    int before = check_failures;
    CHECK_FAILS(rsipc_shm_map(shm_name, 8192, O_RDONLY, 0), MAP_FAILED, EINVAL, "shm_map(");
    CHECK_FAILS(rsipc_shm_map(shm_name, 8192, O_RDWR, 0), MAP_FAILED, EACCES, "shm_map(");
    unsigned char *p = rsipc_shm_map(shm_name, 4096, O_RDONLY, 0);
    CHECK(p != MAP_FAILED && p[4095] == 0);
    if (p != MAP_FAILED) rsipc_munmap(p, 4096);
    return check_failures - before;
}

static void test_shm_map_of_another_users_object_never_maps_past_it(void) {
    void *p = rsipc_shm_map(shm_name, 4096, O_RDWR | O_CREAT | O_EXCL, 0644);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) rsipc_munmap(p, 4096);
    CHECK(privdrop_run(shm_map_past_end_as_nobody, NULL) == 0);
    rsipc_shm_unlink(shm_name);
}

static void test_map_file_never_maps_past_the_file(void) {
    CHECK(write_file(file_path, "ten bytes\n", 0600) == 0);
    size_t len = 4096;
    CHECK_FAILS(rsipc_map_file(file_path, O_RDONLY, 0, &len), MAP_FAILED, EINVAL, "map_file(");
    CHECK(len == 4096 && size_of(file_path) == 10);
    len = 11;
    CHECK_FAILS(rsipc_map_file(file_path, O_RDONLY, 0, &len), MAP_FAILED, EINVAL, "map_file(");
    /* The whole file: exactly its length, its last byte readable. */
    len = 0;
    unsigned char *p = rsipc_map_file(file_path, O_RDONLY, 0, &len);
    CHECK(p != MAP_FAILED && len == 10 && p[9] == '\n');
    if (p != MAP_FAILED) rsipc_munmap(p, len);
    /* Writable and longer: the file grows first. */
    len = 2 * 4096 + 1;
    p = rsipc_map_file(file_path, O_RDWR, 0, &len);
    CHECK(p != MAP_FAILED && len == 2 * 4096 + 1 && size_of(file_path) == 2 * 4096 + 1);
    if (p != MAP_FAILED) {
        p[2 * 4096] = 'e';
        CHECK(memcmp(p, "ten bytes\n", 10) == 0 && p[10] == 0);
        rsipc_munmap(p, len);
    }
    /* Shorter: only that much is mapped and the file keeps its size. */
    len = 3;
    p = rsipc_map_file(file_path, O_RDWR, 0, &len);
    CHECK(p != MAP_FAILED && len == 3 && size_of(file_path) == 2 * 4096 + 1);
    if (p != MAP_FAILED) rsipc_munmap(p, len);
    unlink(file_path);
}

static void test_msgrcv_never_writes_past_msgsz(void) {
    int id = rsipc_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    CHECK(id >= 0);
    if (id < 0) return;
    struct message m = {7, "0123456789abcdefghijklmnopqrstuvwxyz"};
    CHECK(rsipc_msgsnd(id, &m, 36, IPC_NOWAIT) == 0);
    static _Alignas(long) unsigned char area[sizeof(long) + 8 + GUARD_LEN];
    memset(area, GUARD, sizeof area);
    CHECK_FAILS(rsipc_msgrcv(id, area, 8, 0, IPC_NOWAIT), -1, E2BIG, "msgrcv(");
    CHECK(guard_intact(area, sizeof area));  /* nothing written at all */
    struct msqid_ds ds;
    CHECK(rsipc_msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum == 1);  /* still queued */
    CHECK(rsipc_msgrcv(id, area, 8, 0, IPC_NOWAIT | MSG_NOERROR) == 8);
    long mtype;
    memcpy(&mtype, area, sizeof mtype);
    CHECK(mtype == 7 && memcmp(area + sizeof(long), "01234567", 8) == 0);
    CHECK(guard_intact(area + sizeof(long) + 8, GUARD_LEN));
    /* An empty message into msgsz 0: only the mtype is stored. */
    CHECK(rsipc_msgsnd(id, &m, 0, IPC_NOWAIT) == 0);
    memset(area, GUARD, sizeof area);
    CHECK(rsipc_msgrcv(id, area, 0, 0, IPC_NOWAIT) == 0);
    CHECK(guard_intact(area + sizeof(long), 8 + GUARD_LEN));
    rsipc_msgctl(id, IPC_RMID, NULL);
}

static void test_mq_receive_never_writes_past_msg_len(void) {
    struct mq_attr attr = {.mq_maxmsg = 2, .mq_msgsize = 64};
    mqd_t q = rsipc_mq_open(mq_name, O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK, 0600, &attr);
    CHECK(q != (mqd_t)-1);
    if (q == (mqd_t)-1) return;
    static unsigned char area[64 + GUARD_LEN];
    unsigned prio_area[2];
    char full[64];
    memset(full, 'm', sizeof full);
    CHECK(rsipc_mq_send(q, full, 64, 3) == 0);
    memset(area, GUARD, sizeof area);
    CHECK_FAILS(rsipc_mq_receive(q, (char *)area, 63, NULL), -1, EMSGSIZE, "mq_receive(");
    static const struct timespec past = {0, 0};
    CHECK_FAILS(rsipc_mq_timedreceive(q, (char *)area, 63, NULL, &past), -1, EMSGSIZE, "mq_timedreceive(");
    CHECK(guard_intact(area, sizeof area));
    memset(prio_area, GUARD, sizeof prio_area);
    CHECK(rsipc_mq_receive(q, (char *)area, 64, prio_area) == 64);
    CHECK(prio_area[0] == 3 && guard_intact((unsigned char *)&prio_area[1], sizeof prio_area[1]));
    CHECK(memcmp(area, full, 64) == 0 && guard_intact(area + 64, GUARD_LEN));
    /* A short message: only its bytes are stored. */
    CHECK(rsipc_mq_send(q, "short", 5, 0) == 0);
    memset(area, GUARD, sizeof area);
    CHECK(rsipc_mq_timedreceive(q, (char *)area, 64, NULL, &past) == 5);
    CHECK(memcmp(area, "short", 5) == 0 && guard_intact(area + 5, 59 + GUARD_LEN));
    rsipc_mq_close(q);
    rsipc_mq_unlink(mq_name);
}

/* Calls that store a struct or array into the caller's memory store exactly
 * its size: the bytes after it keep their guard. */
#define STORES_EXACTLY(type, call_with_p)                                        \
    do {                                                                         \
        static _Alignas(16) unsigned char area_[sizeof(type) + GUARD_LEN];       \
        memset(area_, GUARD, sizeof area_);                                      \
        type *p = (type *)area_;                                                 \
        CHECK((call_with_p) >= 0);                                               \
        CHECK(guard_intact(area_ + sizeof(type), GUARD_LEN));                    \
    } while (0)

typedef int fd_pair[2];
typedef unsigned short three_values[3];
typedef char four_bytes[4];

static void test_stored_structs_stay_in_their_buffers(void) {
    STORES_EXACTLY(struct shminfo, rsipc_shmctl(0, IPC_INFO, (struct shmid_ds *)p));
    STORES_EXACTLY(struct shm_info, rsipc_shmctl(0, SHM_INFO, (struct shmid_ds *)p));
    STORES_EXACTLY(struct msginfo, rsipc_msgctl(0, IPC_INFO, (struct msqid_ds *)p));
    STORES_EXACTLY(struct msginfo, rsipc_msgctl(0, MSG_INFO, (struct msqid_ds *)p));
    STORES_EXACTLY(struct seminfo, rsipc_semctl(0, 0, IPC_INFO, (union semun){.__buf = p}));
    STORES_EXACTLY(struct seminfo, rsipc_semctl(0, 0, SEM_INFO, (union semun){.__buf = p}));
    STORES_EXACTLY(fd_pair, rsipc_pipe(*p) == 0 ? (close((*p)[0]), close((*p)[1])) : -1);
    STORES_EXACTLY(fd_pair, rsipc_pipe2(*p, O_CLOEXEC) == 0 ? (close((*p)[0]), close((*p)[1])) : -1);

    int shm = rsipc_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    CHECK(shm >= 0);
    STORES_EXACTLY(struct shmid_ds, rsipc_shmctl(shm, IPC_STAT, p));
    rsipc_shmctl(shm, IPC_RMID, NULL);
    int msq = rsipc_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    CHECK(msq >= 0);
    STORES_EXACTLY(struct msqid_ds, rsipc_msgctl(msq, IPC_STAT, p));
    rsipc_msgctl(msq, IPC_RMID, NULL);
    /* GETALL stores the set's 3 values, not one more. */
    int sem = rsipc_semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
    CHECK(sem >= 0);
    STORES_EXACTLY(struct semid_ds, rsipc_semctl(sem, 0, IPC_STAT, (union semun){.buf = p}));
    STORES_EXACTLY(three_values, rsipc_semctl(sem, 0, GETALL, (union semun){.array = *p}));
    rsipc_semctl(sem, 0, IPC_RMID);

    mqd_t q = rsipc_mq_open(mq_name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
    CHECK(q != (mqd_t)-1);
    STORES_EXACTLY(struct mq_attr, rsipc_mq_getattr(q, p));
    static const struct mq_attr blocking = {0};
    STORES_EXACTLY(struct mq_attr, rsipc_mq_setattr(q, &blocking, p));
    rsipc_mq_close(q);
    rsipc_mq_unlink(mq_name);

    sem_t s;
    CHECK(rsipc_sem_init(&s, 0, 5) == 0);
    STORES_EXACTLY(int, rsipc_sem_getvalue(&s, p));

    /* read_exact stores `len` bytes even when more are waiting. */
    int fds[2];
    CHECK(rsipc_pipe(fds) == 0);
    CHECK(rsipc_write_all(fds[1], "0123456789", 10) == 10);
    STORES_EXACTLY(four_bytes, rsipc_read_exact(fds[0], *p, 4));
    close(fds[0]);
    close(fds[1]);
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv) {
    make_names();
    remove_everything();
    if (check_root_part(argc, argv, "test_security", "no other user to be")) {
        test_modes_are_honoured_for_every_object_kind();
        test_shm_map_of_another_users_object_never_maps_past_it();
        remove_everything();
        return check_summary("test_security (root part)");
    }
    test_links_at_shm_names_are_never_followed();
    test_links_at_semaphore_names_are_never_followed();
    test_links_at_fifo_paths_are_never_followed();
    test_created_objects_get_exactly_the_mode_asked();
    test_shm_map_never_maps_past_the_object();
    test_map_file_never_maps_past_the_file();
    test_msgrcv_never_writes_past_msgsz();
    test_mq_receive_never_writes_past_msg_len();
    test_stored_structs_stay_in_their_buffers();
    remove_everything();
    return check_summary("test_security");
}
