/* System V keys and shared memory through the public header: rsipc beside
 * glibc (same keys, same errnos), segments shared both ways between rsipc
 * and glibc processes, every shmctl command, and the error cases. */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define FAILED_ATTACH ((void *)-1)

static char key_file[64];

/* A key no one else uses: ftok of this run's own file. */
static key_t fresh_key(int proj_id) {
    key_t key = ftok(key_file, proj_id);
    if (key == -1) {
        perror("ftok");
        abort();
    }
    return key;
}

static int wait_child(pid_t pid) {
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

static void drop_privileges(void) {
    if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(90);
}

/* Same key as glibc for every path and project id, including ids whose low
 * byte sets the key's sign bit and ids with bits above the low byte. */
static void test_ftok_matches_glibc_bit_for_bit(void) {
    const char *paths[] = {"/", "/tmp", ".", "/dev/null", "/proc/self", "/etc/passwd", key_file};
    const int ids[] = {0, 1, 'A', 'R', 0x7f, 0x80, 0xff, 0x100, 0x1ab, -1, INT_MAX, INT_MIN};
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++) {
        for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
            key_t ours = rsipc_ftok(paths[p], ids[i]);
            key_t theirs = ftok(paths[p], ids[i]);
            CHECK(theirs != -1);
            CHECK(ours == theirs);
            if (ours != theirs)
                fprintf(stderr, "  ftok(\"%s\", %d): rsipc %#x, glibc %#x\n", paths[p], ids[i], (unsigned)ours,
                        (unsigned)theirs);
        }
    }
}

static void test_ftok_of_a_missing_path_is_enoent_naming_it(void) {
    CHECK_FAILS(rsipc_ftok("/no/such/rsipc-dir/file", 1), -1, ENOENT, "ftok(");
    CHECK(strstr(rsipc_last_error(), "\"/no/such/rsipc-dir/file\" does not exist") != NULL);
    errno = 0;
    CHECK(ftok("/no/such/rsipc-dir/file", 1) == -1 && errno == ENOENT);
    CHECK_FAILS(rsipc_ftok(NULL, 1), -1, EFAULT, "ftok(path=NULL");
    CHECK_FAILS(rsipc_ftok("/etc/passwd/x", 1), -1, ENOTDIR, "ftok(");
}

static void test_create_attach_write_read_stat_remove(void) {
    key_t key = fresh_key(1);
    int id = rsipc_shmget(key, 5000, IPC_CREAT | IPC_EXCL | 0640);
    CHECK(id >= 0);
    CHECK(rsipc_shmget(key, 0, 0) == id);
    char *p = rsipc_shmat(id, NULL, 0);
    CHECK(p != FAILED_ATTACH);
    CHECK(p[0] == 0 && p[4999] == 0); /* zero-filled */
    strcpy(p, "hello");
    struct shmid_ds ds;
    CHECK(rsipc_shmctl(id, IPC_STAT, &ds) == 0);
    CHECK(ds.shm_segsz == 5000);
    CHECK(ds.shm_perm.__key == key);
    CHECK((ds.shm_perm.mode & 0777) == 0640);
    CHECK(ds.shm_cpid == getpid());
    CHECK(ds.shm_nattch == 1);
    char *q = rsipc_shmat(id, NULL, SHM_RDONLY);
    CHECK(q != FAILED_ATTACH && q != p);
    CHECK(strcmp(q, "hello") == 0);
    CHECK(rsipc_shmdt(q) == 0);
    CHECK(rsipc_shmdt(p) == 0);
    CHECK(rsipc_shmctl(id, IPC_STAT, &ds) == 0);
    CHECK(ds.shm_nattch == 0);
    CHECK(rsipc_shmctl(id, IPC_RMID, NULL) == 0);
}

/* Each error, with the errno glibc gets for the same call and a message. */
static void test_shmget_errors_match_glibc(void) {
    key_t key = fresh_key(2);
    int id = rsipc_shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0644);
    CHECK(id >= 0);

    char expect[200];
    snprintf(expect, sizeof expect,
             "shmget(key=%#x, size=4096, flags=IPC_CREAT|IPC_EXCL|0644): EEXIST: a segment with this key already exists",
             (unsigned)key);
    CHECK_FAILS(rsipc_shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0644), -1, EEXIST, "shmget(");
    CHECK(strcmp(rsipc_last_error(), expect) == 0);
    errno = 0;
    CHECK(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0644) == -1 && errno == EEXIST);

    CHECK_FAILS(rsipc_shmget(key, 8192, 0), -1, EINVAL, "shmget(");
    CHECK(strstr(rsipc_last_error(), "has 4096 bytes") != NULL);
    errno = 0;
    CHECK(shmget(key, 8192, 0) == -1 && errno == EINVAL);

    CHECK_FAILS(rsipc_shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600), -1, EINVAL, "shmget(key=IPC_PRIVATE, size=0");
    CHECK(strstr(rsipc_last_error(), "SHMMIN") != NULL);

    CHECK(rsipc_shmctl(id, IPC_RMID, NULL) == 0);
    CHECK_FAILS(rsipc_shmget(key, 4096, 0644), -1, ENOENT, "shmget(");
    CHECK(strstr(rsipc_last_error(), "IPC_CREAT was not given") != NULL);
    errno = 0;
    CHECK(shmget(key, 4096, 0644) == -1 && errno == ENOENT);
}

static void test_shmat_and_shmdt_errors_match_glibc(void) {
    int id = rsipc_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    CHECK(id >= 0);
    CHECK_FAILS(rsipc_shmat(id, (void *)0x10001, 0), FAILED_ATTACH, EINVAL, "shmat(");
    CHECK(strstr(rsipc_last_error(), "SHMLBA") != NULL);
    errno = 0;
    CHECK(shmat(id, (void *)0x10001, 0) == FAILED_ATTACH && errno == EINVAL);

    CHECK_FAILS(rsipc_shmat(id, NULL, SHM_REMAP), FAILED_ATTACH, EINVAL, "shmat(");
    CHECK(strstr(rsipc_last_error(), "flags=SHM_REMAP") != NULL);

    CHECK_FAILS(rsipc_shmat(-1, NULL, 0), FAILED_ATTACH, EINVAL, "shmat(shmid=-1");

    int local = 0;
    CHECK_FAILS(rsipc_shmdt(&local), -1, EINVAL, "shmdt(");
    CHECK(strstr(rsipc_last_error(), "attached") != NULL);
    errno = 0;
    CHECK(shmdt(&local) == -1 && errno == EINVAL);
    CHECK_FAILS(rsipc_shmdt(NULL), -1, EINVAL, "shmdt(shmaddr=NULL)");

    CHECK(rsipc_shmctl(id, IPC_RMID, NULL) == 0);
    /* Removed with nothing attached: gone at once. */
    rsipc_clear_error();
    errno = 0;
    CHECK(rsipc_shmat(id, NULL, 0) == FAILED_ATTACH);
    CHECK(errno == EINVAL || errno == EIDRM);
    CHECK(strstr(rsipc_last_error(), "no segment has id") != NULL);
    errno = 0;
    CHECK(shmat(id, NULL, 0) == FAILED_ATTACH && (errno == EINVAL || errno == EIDRM));
}

/* NULL where the command needs a buffer: EFAULT, as the kernel says, never a
 * crash; the kernel's own checks (bad id) come first. */
static void test_shmctl_null_buffers_are_efault(void) {
    int id = rsipc_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    CHECK(id >= 0);
    CHECK_FAILS(rsipc_shmctl(id, IPC_STAT, NULL), -1, EFAULT, "shmctl(");
    CHECK(strstr(rsipc_last_error(), "cmd=IPC_STAT, buf=NULL): EFAULT: `buf` is NULL") != NULL);
    errno = 0;
    CHECK(shmctl(id, IPC_STAT, NULL) == -1 && errno == EFAULT);
    CHECK_FAILS(rsipc_shmctl(id, IPC_SET, NULL), -1, EFAULT, "shmctl(");
    errno = 0;
    CHECK(shmctl(id, IPC_SET, NULL) == -1 && errno == EFAULT);
    CHECK_FAILS(rsipc_shmctl(0, IPC_INFO, NULL), -1, EFAULT, "shmctl(shmid=0, cmd=IPC_INFO");
    CHECK(strstr(rsipc_last_error(), "struct shminfo") != NULL);
    errno = 0;
    CHECK(shmctl(0, IPC_INFO, NULL) == -1 && errno == EFAULT);
    CHECK_FAILS(rsipc_shmctl(0, SHM_INFO, NULL), -1, EFAULT, "shmctl(shmid=0, cmd=SHM_INFO");
    errno = 0;
    CHECK(shmctl(0, SHM_INFO, NULL) == -1 && errno == EFAULT);
    CHECK(rsipc_shmctl(id, IPC_RMID, NULL) == 0); /* IPC_RMID takes no buffer */
    /* Gone: the kernel's EINVAL for the id comes before the NULL buffer. */
    errno = 0;
    CHECK(rsipc_shmctl(id, IPC_STAT, NULL) == -1 && (errno == EINVAL || errno == EIDRM));
    errno = 0;
    CHECK(shmctl(id, IPC_STAT, NULL) == -1 && (errno == EINVAL || errno == EIDRM));
}

static void test_shmctl_bad_commands_and_ids_are_einval(void) {
    struct shmid_ds ds;
    CHECK_FAILS(rsipc_shmctl(0, 999, &ds), -1, EINVAL, "shmctl(shmid=0, cmd=999");
    CHECK(strstr(rsipc_last_error(), "unknown command 999") != NULL);
    errno = 0;
    CHECK(shmctl(0, 999, &ds) == -1 && errno == EINVAL);
    CHECK_FAILS(rsipc_shmctl(-1, IPC_STAT, &ds), -1, EINVAL, "shmctl(shmid=-1");
    CHECK_FAILS(rsipc_shmctl(-1, IPC_INFO, &ds), -1, EINVAL, "shmctl(shmid=-1");
    errno = 0;
    CHECK(shmctl(-1, IPC_INFO, &ds) == -1 && errno == EINVAL);
    CHECK_FAILS(rsipc_shmctl(INT_MAX, SHM_STAT, &ds), -1, EINVAL, "shmctl(shmid=2147483647, cmd=SHM_STAT");
    errno = 0;
    CHECK(shmctl(INT_MAX, SHM_STAT, &ds) == -1 && errno == EINVAL);
}

/* IPC_INFO and SHM_INFO store their own structs through the shmid_ds
 * pointer, exactly as the kernel does (and no byte more). */
static void test_ipc_info_and_shm_info_fill_their_structs(void) {
    int id = rsipc_shmget(IPC_PRIVATE, 3 * 4096, IPC_CREAT | 0600);
    CHECK(id >= 0);
    struct {
        struct shminfo info;
        unsigned char guard[64];
    } ours, theirs;
    memset(&ours, 0xab, sizeof ours);
    memset(&theirs, 0, sizeof theirs);
    int highest = rsipc_shmctl(0, IPC_INFO, (struct shmid_ds *)&ours.info);
    CHECK(highest >= 0);
    CHECK(shmctl(0, IPC_INFO, (struct shmid_ds *)&theirs.info) >= 0);
    CHECK(ours.info.shmmax == theirs.info.shmmax);
    CHECK(ours.info.shmmin == 1 && theirs.info.shmmin == 1);
    CHECK(ours.info.shmmni == theirs.info.shmmni);
    CHECK(ours.info.shmall == theirs.info.shmall);
    CHECK(ours.guard[0] == 0xab && ours.guard[63] == 0xab);

    struct {
        struct shm_info info;
        unsigned char guard[64];
    } usage;
    memset(&usage, 0xab, sizeof usage);
    CHECK(rsipc_shmctl(0, SHM_INFO, (struct shmid_ds *)&usage.info) >= 0);
    CHECK(usage.info.used_ids >= 1);
    CHECK(usage.info.shm_tot >= 3);
    CHECK(usage.guard[0] == 0xab);
    CHECK(rsipc_shmctl(id, IPC_RMID, NULL) == 0);
}

/* SHM_STAT and SHM_STAT_ANY take an index and return the id found there. */
static void test_shm_stat_by_index_returns_the_id(void) {
    int id = rsipc_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    CHECK(id >= 0);
    struct shm_info usage;
    int highest = rsipc_shmctl(0, SHM_INFO, (struct shmid_ds *)&usage);
    CHECK(highest >= 0);
    int found = 0, found_any = 0;
    for (int i = 0; i <= highest; i++) {
        struct shmid_ds ds;
        if (rsipc_shmctl(i, SHM_STAT, &ds) == id && ds.shm_segsz == 4096) found++;
        if (rsipc_shmctl(i, SHM_STAT_ANY, &ds) == id) found_any++;
    }
    CHECK(found == 1);
    CHECK(found_any == 1);
    CHECK(rsipc_shmctl(id, IPC_RMID, NULL) == 0);
}

static void test_ipc_set_changes_mode_and_owner(void) {
    int id = rsipc_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    CHECK(id >= 0);
    struct shmid_ds ds;
    CHECK(rsipc_shmctl(id, IPC_STAT, &ds) == 0);
    ds.shm_perm.mode = 0604;
    ds.shm_perm.uid = 65534;
    CHECK(rsipc_shmctl(id, IPC_SET, &ds) == 0);
    struct shmid_ds after;
    CHECK(shmctl(id, IPC_STAT, &after) == 0); /* glibc sees the change */
    CHECK((after.shm_perm.mode & 0777) == 0604);
    CHECK(after.shm_perm.uid == 65534);
    CHECK(after.shm_perm.cuid == geteuid()); /* the creator stays */
    CHECK(rsipc_shmctl(id, IPC_RMID, NULL) == 0);
}

static void test_shm_lock_and_unlock(void) {
    int id = rsipc_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    CHECK(id >= 0);
    struct shmid_ds ds;
    CHECK(rsipc_shmctl(id, SHM_LOCK, NULL) == 0);
    CHECK(rsipc_shmctl(id, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & SHM_LOCKED));
    CHECK(rsipc_shmctl(id, SHM_UNLOCK, NULL) == 0);
    CHECK(rsipc_shmctl(id, IPC_STAT, &ds) == 0 && !(ds.shm_perm.mode & SHM_LOCKED));
    CHECK(rsipc_shmctl(id, IPC_RMID, NULL) == 0);
}

/* The shmat flags: SHM_RND rounds down, SHM_REMAP replaces a mapping,
 * without it the overlap is EINVAL, SHM_EXEC maps executable. */
static void test_shmat_flags(void) {
    int id = rsipc_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0700);
    CHECK(id >= 0);
    char *hole = mmap(NULL, 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(hole != MAP_FAILED);
    CHECK_FAILS(rsipc_shmat(id, hole, 0), FAILED_ATTACH, EINVAL, "shmat(");
    CHECK(strstr(rsipc_last_error(), "overlaps an existing mapping") != NULL);
    errno = 0;
    CHECK(shmat(id, hole, 0) == FAILED_ATTACH && errno == EINVAL);

    char *p = rsipc_shmat(id, hole + 100, SHM_RND | SHM_REMAP);
    CHECK(p == hole);
    strcpy(p, "remapped");
    CHECK(rsipc_shmdt(p) == 0);
    munmap(hole, 2 * 4096);

    char *x = rsipc_shmat(id, NULL, SHM_EXEC);
    CHECK(x != FAILED_ATTACH);
    CHECK(strcmp(x, "remapped") == 0);
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    int executable = 0;
    while (maps && fgets(line, sizeof line, maps)) {
        unsigned long start;
        char perms[8];
        if (sscanf(line, "%lx-%*x %7s", &start, perms) == 2 && start == (unsigned long)x)
            executable = perms[2] == 'x';
    }
    if (maps) fclose(maps);
    CHECK(executable);
    CHECK(rsipc_shmdt(x) == 0);
    CHECK(rsipc_shmctl(id, IPC_RMID, NULL) == 0);
}

/* Removed while attached: survives (key IPC_PRIVATE, SHM_DEST) until the
 * last detach, then IPC_STAT and shmat fail. */
static void test_removal_waits_for_the_last_detach(void) {
    key_t key = fresh_key(3);
    int id = rsipc_shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0);
    char *p = rsipc_shmat(id, NULL, 0);
    CHECK(p != FAILED_ATTACH);
    strcpy(p, "alive");
    CHECK(rsipc_shmctl(id, IPC_RMID, NULL) == 0);
    struct shmid_ds ds;
    CHECK(rsipc_shmctl(id, IPC_STAT, &ds) == 0);
    CHECK(ds.shm_perm.__key == IPC_PRIVATE && (ds.shm_perm.mode & SHM_DEST));
    CHECK(strcmp(p, "alive") == 0);
    CHECK_FAILS(rsipc_shmget(key, 0, 0), -1, ENOENT, "shmget(");
    CHECK(rsipc_shmdt(p) == 0);
    errno = 0;
    CHECK(rsipc_shmctl(id, IPC_STAT, &ds) == -1 && (errno == EINVAL || errno == EIDRM));
    CHECK(strstr(rsipc_last_error(), "no segment has id") != NULL);
}

/* Interop: a segment made and written by rsipc is read by a child using
 * glibc's calls, which writes back; and the reverse. */
static void test_rsipc_segment_read_by_a_glibc_process(void) {
    key_t key = fresh_key(4);
    int id = rsipc_shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0);
    char *p = rsipc_shmat(id, NULL, 0);
    CHECK(p != FAILED_ATTACH);
    strcpy(p, "from rsipc");
    pid_t pid = fork();
    if (pid == 0) {
        int gid = shmget(key, 0, 0600); /* glibc */
        char *q = gid == id ? shmat(gid, NULL, 0) : FAILED_ATTACH;
        if (q == FAILED_ATTACH || strcmp(q, "from rsipc") != 0) _exit(1);
        strcpy(q + 100, "from glibc");
        _exit(shmdt(q) == 0 ? 0 : 2);
    }
    CHECK(wait_child(pid) == 0);
    CHECK(strcmp(p + 100, "from glibc") == 0);
    CHECK(rsipc_shmdt(p) == 0);
    CHECK(rsipc_shmctl(id, IPC_RMID, NULL) == 0);
}

static void test_glibc_segment_read_by_an_rsipc_process(void) {
    key_t key = ftok(key_file, 5); /* glibc's key; the child computes it with rsipc */
    int id = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0);
    char *p = shmat(id, NULL, 0);
    CHECK(p != FAILED_ATTACH);
    strcpy(p, "from glibc");
    pid_t pid = fork();
    if (pid == 0) {
        int rid = rsipc_shmget(rsipc_ftok(key_file, 5), 0, 0600);
        char *q = rid == id ? rsipc_shmat(rid, NULL, 0) : FAILED_ATTACH;
        if (q == FAILED_ATTACH || strcmp(q, "from glibc") != 0) _exit(1);
        strcpy(q + 100, "from rsipc");
        _exit(rsipc_shmdt(q) == 0 ? 0 : 2);
    }
    CHECK(wait_child(pid) == 0);
    CHECK(strcmp(p + 100, "from rsipc") == 0);
    struct shmid_ds ds;
    CHECK(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_lpid == pid);
    CHECK(shmdt(p) == 0);
    CHECK(shmctl(id, IPC_RMID, NULL) == 0);
}

/* As an unprivileged user (the root part: it needs root to become one):
 * EACCES and EPERM, with the errno glibc gets. Exit code = first failed
 * step. */
static void test_permissions_deny_an_unprivileged_process(void) {
    key_t key = fresh_key(6);
    int id = rsipc_shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0);
    pid_t pid = fork();
    if (pid == 0) {
        drop_privileges();
        struct shmid_ds ds;
        errno = 0;
        if (rsipc_shmget(key, 0, 0400) != -1 || errno != EACCES || !*rsipc_last_error()) _exit(10);
        if (shmget(key, 0, 0400) != -1 || errno != EACCES) _exit(11);
        if (rsipc_shmat(id, NULL, SHM_RDONLY) != FAILED_ATTACH || errno != EACCES) _exit(12);
        if (strstr(rsipc_last_error(), "deny this process read access") == NULL) _exit(13);
        if (shmat(id, NULL, SHM_RDONLY) != FAILED_ATTACH || errno != EACCES) _exit(14);
        if (rsipc_shmctl(id, IPC_STAT, &ds) != -1 || errno != EACCES) _exit(15);
        if (shmctl(id, IPC_STAT, &ds) != -1 || errno != EACCES) _exit(16);
        if (rsipc_shmctl(id, IPC_RMID, NULL) != -1 || errno != EPERM) _exit(17);
        if (strstr(rsipc_last_error(), "owner or creator") == NULL) _exit(18);
        if (shmctl(id, IPC_RMID, NULL) != -1 || errno != EPERM) _exit(19);
        if (rsipc_shmctl(id, SHM_LOCK, NULL) != -1 || errno != EPERM) _exit(20);
        _exit(0);
    }
    CHECK(wait_child(pid) == 0);
    CHECK(rsipc_shmctl(id, IPC_RMID, NULL) == 0);
}

int main(int argc, char **argv) {
    /* Decided before the key file exists: as another user the root part
     * exits (skipped) at once, and would leave the file behind. */
    int root_part = check_root_part(argc, argv, "test_sysv_shm", "no other user to be");
    snprintf(key_file, sizeof key_file, "/tmp/rsipc-c-sysv-shm-%d", (int)getpid());
    int fd = open(key_file, O_CREAT | O_EXCL | O_WRONLY, 0600);
    if (fd < 0) {
        perror(key_file);
        return 1;
    }
    close(fd);

    if (root_part) {
        test_permissions_deny_an_unprivileged_process();
        unlink(key_file);
        return check_summary("test_sysv_shm (root part)");
    }
    test_ftok_matches_glibc_bit_for_bit();
    test_ftok_of_a_missing_path_is_enoent_naming_it();
    test_create_attach_write_read_stat_remove();
    test_shmget_errors_match_glibc();
    test_shmat_and_shmdt_errors_match_glibc();
    test_shmctl_null_buffers_are_efault();
    test_shmctl_bad_commands_and_ids_are_einval();
    test_ipc_info_and_shm_info_fill_their_structs();
    test_shm_stat_by_index_returns_the_id();
    test_ipc_set_changes_mode_and_owner();
    test_shm_lock_and_unlock();
    test_shmat_flags();
    test_removal_waits_for_the_last_detach();
    test_rsipc_segment_read_by_a_glibc_process();
    test_glibc_segment_read_by_an_rsipc_process();

    unlink(key_file);
    return check_summary("test_sysv_shm");
}
