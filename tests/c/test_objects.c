/* The object listing through the C API: a channel and a System V segment
 * left by a child killed with SIGKILL are listed stale, this process's own
 * channel in use; the reaper removes exactly the stale ones (nothing in a
 * dry run); removal of an in-use or vanished object fails as documented;
 * bad arguments. Only this process's pid-unique names and keys are
 * looked at, and only kinds whose staleness needs no view of other users'
 * processes (a segment's creator pid, a channel's member locks). */
#include <signal.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include "check.h"

static char dead_name[64], live_name[64], pattern[64], key_pattern[32];
static key_t key;

static struct rsipc_objects_filter filter_for(const char *pat, unsigned kinds) {
    struct rsipc_objects_filter f;
    memset(&f, 0, sizeof f);
    f.kinds = kinds;
    f.owner = -1;
    f.pattern = pat;
    return f;
}

static const struct rsipc_object *find(const struct rsipc_object *objs, ssize_t n, const char *name) {
    ssize_t i;
    for (i = 0; i < n; i++)
        if (strcmp(objs[i].name, name) == 0) return &objs[i];
    return NULL;
}

/* A child makes a channel and a segment, then is killed. */
static pid_t leave_objects_behind(void) {
    int p[2];
    char c = 0;
    pid_t pid;
    CHECK(pipe(p) == 0);
    pid = fork();
    if (pid == 0) {
        rsipc_chan_t *ch = rsipc_chan_create(dead_name, 32, 2, 0600);
        int id = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
        c = (ch != NULL && id >= 0 && shmat(id, NULL, 0) != (void *)-1) ? 1 : 2;
        if (write(p[1], &c, 1) != 1) _exit(3);
        for (;;) pause();
    }
    close(p[1]);
    CHECK(read(p[0], &c, 1) == 1 && c == 1);
    close(p[0]);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return pid;
}

static void test_listing_states_and_reap(void) {
    struct rsipc_object objs[8];
    struct rsipc_reap_entry entries[8];
    struct rsipc_reap_counts counts;
    struct rsipc_objects_filter f = filter_for(pattern, 0);
    struct rsipc_objects_filter seg = filter_for(key_pattern, 1u << RSIPC_OBJECT_SYSV_SHM);
    const struct rsipc_object *dead, *live;
    struct rsipc_object dead_copy;
    rsipc_chan_t *ch = rsipc_chan_create(live_name, 48, 4, 0600);
    pid_t killed = leave_objects_behind();
    ssize_t n;

    CHECK(ch != NULL);
    CHECK(rsipc_chan_send(ch, "abc", 3, 0) == 0);
    CHECK(rsipc_objects_list(&f, NULL, 0, NULL, 0) == 2);
    n = rsipc_objects_list(&f, objs, 8, NULL, 0);
    CHECK(n == 2);
    dead = find(objs, n, dead_name);
    live = find(objs, n, live_name);
    CHECK(dead != NULL && live != NULL);
    if (dead == NULL || live == NULL) return;
    CHECK(dead->kind == RSIPC_OBJECT_CHAN && dead->state == RSIPC_OBJECT_STALE);
    CHECK(dead->cause == RSIPC_OBJECT_CAUSE_NO_MEMBER && dead->cause_text[0] != '\0');
    CHECK((dead->fields & (RSIPC_OBJECT_HAS_CHAN | RSIPC_OBJECT_HAS_FILE)) == (RSIPC_OBJECT_HAS_CHAN | RSIPC_OBJECT_HAS_FILE));
    CHECK(dead->chan_members == 0 && dead->chan_capacity == 2 && dead->chan_max_msg == 32);
    CHECK(live->state == RSIPC_OBJECT_IN_USE && live->cause == RSIPC_OBJECT_CAUSE_MEMBERS);
    CHECK(live->chan_members == 1 && live->chan_queued == 1 && live->uid == geteuid() && live->mode == 0600);
    CHECK(live->nusers >= 1 && live->users[0] == getpid());
    dead_copy = *dead;

    n = rsipc_objects_list(&seg, objs, 8, NULL, 0);
    CHECK(n == 1);
    if (n == 1) {
        CHECK(objs[0].key == key && objs[0].cpid == killed && objs[0].nattch == 0 && objs[0].size == 4096);
        CHECK((objs[0].fields & (RSIPC_OBJECT_HAS_KEY | RSIPC_OBJECT_HAS_ID | RSIPC_OBJECT_HAS_CPID)) ==
              (RSIPC_OBJECT_HAS_KEY | RSIPC_OBJECT_HAS_ID | RSIPC_OBJECT_HAS_CPID));
        CHECK(objs[0].state == RSIPC_OBJECT_STALE && objs[0].cause == RSIPC_OBJECT_CAUSE_NOBODY_ATTACHED_CREATOR_GONE);
    }

    /* An object in use is not removed. */
    n = rsipc_objects_list(&f, objs, 8, NULL, 0);
    live = find(objs, n, live_name);
    CHECK(live != NULL);
    if (live != NULL) CHECK_FAILS(rsipc_objects_remove(live), -1, EBUSY, "rsipc_objects_remove(");

    /* A dry run removes nothing; the reap exactly the stale one. */
    CHECK(rsipc_objects_reap(&f, 1, entries, 8, &counts) == 2);
    CHECK(counts.removed == 1 && counts.kept == 1 && counts.failed == 0);
    CHECK(rsipc_objects_list(&f, NULL, 0, NULL, 0) == 2);
    n = rsipc_objects_reap(&f, 0, entries, 8, &counts);
    CHECK(n == 2 && counts.removed == 1 && counts.kept == 1 && counts.failed == 0);
    if (n == 2) {
        int i;
        for (i = 0; i < 2; i++) {
            int is_dead = strcmp(entries[i].object.name, dead_name) == 0;
            CHECK(entries[i].outcome == (is_dead ? RSIPC_REAP_REMOVED : RSIPC_REAP_KEPT));
        }
    }
    CHECK(rsipc_objects_list(&f, objs, 8, NULL, 0) == 1 && strcmp(objs[0].name, live_name) == 0);
    CHECK(rsipc_objects_reap(&seg, 0, NULL, 0, &counts) == 1 && counts.removed == 1);
    CHECK(rsipc_objects_list(&seg, NULL, 0, NULL, 0) == 0);

    /* The listed record of a removed object: ENOENT. */
    CHECK_FAILS(rsipc_objects_remove(&dead_copy), -1, ENOENT, "rsipc_objects_remove(");

    CHECK(rsipc_chan_close(ch) == 0);
    CHECK(rsipc_chan_unlink(live_name) == 0);
}

static void test_notes_and_bad_arguments(void) {
    char notes[2048];
    struct rsipc_objects_filter f = filter_for(NULL, 1u << 12);
    struct rsipc_object rec;
    memset(notes, 'x', sizeof notes);
    CHECK(rsipc_objects_list(NULL, NULL, 0, notes, sizeof notes) >= 0);
    CHECK(memchr(notes, '\0', sizeof notes) != NULL);
    CHECK_FAILS(rsipc_objects_list(NULL, NULL, 1, NULL, 0), -1, EFAULT, "rsipc_objects_list(");
    CHECK_FAILS(rsipc_objects_list(NULL, NULL, 0, NULL, 1), -1, EFAULT, "rsipc_objects_list(");
    CHECK_FAILS(rsipc_objects_list(&f, NULL, 0, NULL, 0), -1, EINVAL, "rsipc_objects_list(");
    f = filter_for(NULL, 0);
    f.older_than = -1;
    CHECK_FAILS(rsipc_objects_reap(&f, 1, NULL, 0, NULL), -1, EINVAL, "rsipc_objects_reap(");
    CHECK_FAILS(rsipc_objects_reap(NULL, 1, NULL, 3, NULL), -1, EFAULT, "rsipc_objects_reap(");
    CHECK_FAILS(rsipc_objects_remove(NULL), -1, EFAULT, "rsipc_objects_remove(");
    memset(&rec, 0, sizeof rec);
    rec.kind = 99;
    CHECK_FAILS(rsipc_objects_remove(&rec), -1, EINVAL, "rsipc_objects_remove(");
    rec.kind = RSIPC_OBJECT_SYSV_SHM; /* no key and id */
    CHECK_FAILS(rsipc_objects_remove(&rec), -1, EINVAL, "rsipc_objects_remove(");
}

int main(void) {
    snprintf(dead_name, sizeof dead_name, "/rsipc-ctest-%d-obj-dead", (int)getpid());
    snprintf(live_name, sizeof live_name, "/rsipc-ctest-%d-obj-live", (int)getpid());
    snprintf(pattern, sizeof pattern, "/rsipc-ctest-%d-obj-*", (int)getpid());
    key = (key_t)(0x7e700000 | (getpid() & 0xffff));
    snprintf(key_pattern, sizeof key_pattern, "0x%08x", (unsigned)key);
    test_listing_states_and_reap();
    test_notes_and_bad_arguments();
    return check_summary("test_objects");
}
