/* Memory mapping: write and read passes over a 64 MiB shared file mapping
 * (rsipc_map_file against open + ftruncate + mmap + close) and a 64 MiB
 * shared anonymous mapping (rsipc_map_anonymous_shared against mmap), and
 * the cost of setting each up and tearing it down (rsipc_munmap against
 * munmap).
 *
 * The pass rows time only the passes: the mapping is made and removed
 * outside the timed region, through the variant measured, so they show
 * whether the mapping rsipc makes is as fast to use as glibc's (same
 * flags, same page faults). A write pass runs over a fresh mapping (of a
 * fresh file), so it includes the page faults that allocate the memory; a
 * read pass runs over pages already written. The file lives in /tmp. */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rsipc.h"
#include "harness.h"

#define REGION (64 * MiB)

typedef struct {
    void *(*map_file)(const char *path, size_t len); /* read-write, created if missing */
    void *(*map_anon)(size_t len);
    int (*unmap)(void *p, size_t len);
} map_api;

static void *glibc_map_file(const char *path, size_t len) {
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return MAP_FAILED;
    void *p = MAP_FAILED;
    if (ftruncate(fd, (off_t)len) == 0) p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return p;
}

static void *glibc_map_anon(size_t len) {
    return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
}

static void *rsipc_file(const char *path, size_t len) { return rsipc_map_file(path, O_RDWR | O_CREAT, 0600, &len); }

static const map_api glibc_api = {glibc_map_file, glibc_map_anon, munmap};
static const map_api rsipc_api = {rsipc_file, rsipc_map_anonymous_shared, rsipc_munmap};

static char *map_region(const map_api *api, int file, const char *path) {
    void *p = file ? api->map_file(path, REGION) : api->map_anon(REGION);
    if (p == MAP_FAILED) bench_die("map %s", file ? path : "anonymous");
    return p;
}

static void unmap_region(const map_api *api, char *p) {
    if (api->unmap(p, REGION) != 0) bench_die("munmap");
}

static const char *file_path(void) {
    static char path[96];
    if (!path[0]) bench_tmp_path(path, sizeof path, "map");
    return path;
}

/* ---- passes ------------------------------------------------------------------- */

static volatile uint64_t sink;

static uint64_t read_pass(const char *p) {
    const uint64_t *w = (const uint64_t *)p;
    uint64_t sum = 0;
    for (size_t i = 0; i < REGION / sizeof *w; i++) sum += w[i];
    return sum;
}

/* a->count / REGION write passes, each over a fresh mapping (and file). */
static double write_passes(const map_api *api, int file, const bench_args *a) {
    uint64_t timed = 0;
    for (size_t done = 0; done < a->count; done += REGION) {
        if (file) unlink(file_path());
        char *p = map_region(api, file, file_path());
        uint64_t t0 = bench_now_ns();
        memset(p, (int)(done / REGION) + 1, REGION);
        timed += bench_now_ns() - t0;
        unmap_region(api, p);
    }
    if (file && unlink(file_path()) != 0) bench_die("unlink %s", file_path());
    return bench_mib_per_s(0, timed, a->count);
}

/* a->count / REGION read passes over one mapping written beforehand. */
static double read_passes(const map_api *api, int file, const bench_args *a) {
    if (file) unlink(file_path());
    char *p = map_region(api, file, file_path());
    memset(p, 1, REGION);
    uint64_t sum = 0;
    uint64_t t0 = bench_now_ns();
    for (size_t done = 0; done < a->count; done += REGION) sum += read_pass(p);
    uint64_t t1 = bench_now_ns();
    sink = sum;
    unmap_region(api, p);
    if (file && unlink(file_path()) != 0) bench_die("unlink %s", file_path());
    return bench_mib_per_s(t0, t1, a->count);
}

/* a->count cycles of map + unmap, without touching the memory; the file
 * exists at full size beforehand. */
static double setup_teardown(const map_api *api, int file, const bench_args *a) {
    if (file) {
        unlink(file_path());
        unmap_region(api, map_region(api, file, file_path()));
    }
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < a->count; i++) unmap_region(api, map_region(api, file, file_path()));
    uint64_t t1 = bench_now_ns();
    if (file && unlink(file_path()) != 0) bench_die("unlink %s", file_path());
    return bench_ns_per(t0, t1, a->count);
}

static double glibc_file_write(const bench_args *a) { return write_passes(&glibc_api, 1, a); }
static double rsipc_file_write(const bench_args *a) { return write_passes(&rsipc_api, 1, a); }
static double glibc_file_read(const bench_args *a) { return read_passes(&glibc_api, 1, a); }
static double rsipc_file_read(const bench_args *a) { return read_passes(&rsipc_api, 1, a); }
static double glibc_anon_write(const bench_args *a) { return write_passes(&glibc_api, 0, a); }
static double rsipc_anon_write(const bench_args *a) { return write_passes(&rsipc_api, 0, a); }
static double glibc_anon_read(const bench_args *a) { return read_passes(&glibc_api, 0, a); }
static double rsipc_anon_read(const bench_args *a) { return read_passes(&rsipc_api, 0, a); }
static double glibc_file_setup(const bench_args *a) { return setup_teardown(&glibc_api, 1, a); }
static double rsipc_file_setup(const bench_args *a) { return setup_teardown(&rsipc_api, 1, a); }
static double glibc_anon_setup(const bench_args *a) { return setup_teardown(&glibc_api, 0, a); }
static double rsipc_anon_setup(const bench_args *a) { return setup_teardown(&rsipc_api, 0, a); }

static const bench_row rows[] = {
    /* name, unit, glibc, rsipc, size, quick count, full count */
    {"64 MiB file: write pass over a fresh mapping (page faults included)", BENCH_MIBS, glibc_file_write,
     rsipc_file_write, REGION, REGION, REGION},
    {"64 MiB file: read pass (pages resident)", BENCH_MIBS, glibc_file_read, rsipc_file_read, REGION, 2 * REGION,
     4 * REGION},
    {"64 MiB anonymous shared: write pass over a fresh mapping", BENCH_MIBS, glibc_anon_write, rsipc_anon_write, REGION,
     REGION, REGION},
    {"64 MiB anonymous shared: read pass", BENCH_MIBS, glibc_anon_read, rsipc_anon_read, REGION, 2 * REGION,
     4 * REGION},
    {"64 MiB file: map + unmap, no access (file exists)", BENCH_NS, glibc_file_setup, rsipc_file_setup, 0, 1000,
     2000},
    {"64 MiB anonymous shared: map + unmap, no access", BENCH_NS, glibc_anon_setup, rsipc_anon_setup, 0, 2000, 3000},
};

BENCH_GROUP(mmap, rows);
