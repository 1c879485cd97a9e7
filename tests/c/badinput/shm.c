/* Bad-input rows for POSIX shared memory (format: see badinput.h):
 * rsipc_shm_open, rsipc_shm_unlink, rsipc_shm_map, rsipc_shm_map_reserve.
 *
 * Names follow glibc (leading slashes skipped, then one component of 1 to
 * NAME_MAX bytes); what is at /dev/shm/NAME must be a regular file, never
 * reached through a symbolic link. shm_unlink says ENOENT for a name no
 * object can have, as glibc. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "badinput.h"

/* ctx->path is "/dev/shm/rsipc-bad-<pid>-<tag>"; the object's name is the
 * part from the last '/'. */
#define SHM_NAME(ctx) ((ctx)->path + sizeof "/dev/shm" - 1)

static const char *shm_path(struct bi_ctx *ctx, const char *tag) {
    snprintf(ctx->path, sizeof ctx->path, "/dev/shm/rsipc-bad-%ld-%s", (long)getpid(), tag);
    return ctx->path;
}

BI_NODE_FIXTURE(fx_shm_missing, shm_path(ctx, "missing"), BI_NOTHING);
BI_NODE_FIXTURE(fx_shm_4k, shm_path(ctx, "4k"), BI_FILE_4K);
BI_NODE_FIXTURE(fx_shm_fifo, shm_path(ctx, "fifo"), BI_FIFO);
BI_NODE_FIXTURE(fx_shm_dir, shm_path(ctx, "dir"), BI_DIR);
BI_NODE_FIXTURE(fx_shm_socket, shm_path(ctx, "sock"), BI_SOCKET);
BI_NODE_FIXTURE(fx_shm_link, shm_path(ctx, "link"), BI_LINK_TO_FILE);
BI_NODE_FIXTURE(fx_shm_dangling, shm_path(ctx, "dangling"), BI_LINK_DANGLING);

/* A root-owned 0600 object of 4096 bytes, then privileges dropped. */
static int setup_shm_private_unprivileged(struct bi_ctx *ctx) {
    BI_NEED_ROOT();
    if (bi_make_node(ctx, shm_path(ctx, "private"), BI_FILE_4K) != 0) return -1;
    return bi_setup_unprivileged(ctx);
}
BI_FIXTURE(fx_shm_private_unprivileged, setup_shm_private_unprivileged, bi_teardown_paths);

/* A root-owned 0644 object of 4096 bytes, then privileges dropped. */
static int setup_shm_readable_unprivileged(struct bi_ctx *ctx) {
    BI_NEED_ROOT();
    if (bi_make_node(ctx, shm_path(ctx, "readable"), BI_FILE_4K) != 0) return -1;
    if (chmod(ctx->path, 0644) != 0) return -1;
    return bi_setup_unprivileged(ctx);
}
BI_FIXTURE(fx_shm_readable_unprivileged, setup_shm_readable_unprivileged, bi_teardown_paths);

/* ---- shm_open: names ---------------------------------------------------- */
BAD_DEPARTS("glibc dereferences the NULL pointer",
            RET_INT, "shm_open", "name NULL", EFAULT, rsipc_shm_open(NULL, O_RDWR | O_CREAT, 0600))
BAD(RET_INT, "shm_open", "name empty", EINVAL, rsipc_shm_open("", O_RDWR | O_CREAT, 0600))
BAD(RET_INT, "shm_open", "name \"/\"", EINVAL, rsipc_shm_open("/", O_RDWR | O_CREAT, 0600))
BAD(RET_INT, "shm_open", "name \"///\"", EINVAL, rsipc_shm_open("///", O_RDONLY, 0))
BAD(RET_INT, "shm_open", "name with an inner '/'", EINVAL, rsipc_shm_open("/rsipc-bad/x", O_RDWR | O_CREAT, 0600))
BAD(RET_INT, "shm_open", "name ending in '/'", EINVAL, rsipc_shm_open("/rsipc-bad/", O_RDWR | O_CREAT, 0600))
BAD_DEPARTS("documented: glibc opens /dev/shm itself for \"/.\"",
            RET_INT, "shm_open", "name \"/.\"", EINVAL, rsipc_shm_open("/.", O_RDONLY, 0))
BAD_DEPARTS("documented: glibc opens /dev/shm's parent for \"/..\"",
            RET_INT, "shm_open", "name \"/..\"", EINVAL, rsipc_shm_open("/..", O_RDONLY, 0))
BAD(RET_INT, "shm_open", "name \"/..\" with O_CREAT", EINVAL, rsipc_shm_open("/..", O_RDWR | O_CREAT, 0600))
BAD(RET_INT, "shm_open", "name NAME_MAX + 1 bytes", ENAMETOOLONG,
    rsipc_shm_open(bi_long_name(NAME_MAX + 1), O_RDWR | O_CREAT, 0600))
BAD_DEPARTS("documented: names past NAME_MAX are ENAMETOOLONG; glibc says EINVAL for this one",
            RET_INT, "shm_open", "name 4096 bytes", ENAMETOOLONG, rsipc_shm_open(bi_long_name(4096), O_RDONLY, 0))
BAD(RET_INT, "shm_open", "name NAME_MAX bytes (valid), no such object", ENOENT,
    rsipc_shm_open(bi_long_name(NAME_MAX), O_RDONLY, 0))

/* ---- shm_open: what is at the name -------------------------------------- */
BAD_IN(fx_shm_missing, RET_INT, "shm_open", "no object, no O_CREAT", ENOENT, rsipc_shm_open(SHM_NAME(ctx), O_RDWR, 0))
BAD_IN(fx_shm_4k, RET_INT, "shm_open", "O_CREAT|O_EXCL on an existing object", EEXIST,
       rsipc_shm_open(SHM_NAME(ctx), O_RDWR | O_CREAT | O_EXCL, 0600))
BAD_IN(fx_shm_link, RET_INT, "shm_open", "a symbolic link to a file", ELOOP, rsipc_shm_open(SHM_NAME(ctx), O_RDWR, 0))
BAD_IN(fx_shm_link, RET_INT, "shm_open", "a symbolic link to a file, O_RDONLY|O_CREAT", ELOOP,
       rsipc_shm_open(SHM_NAME(ctx), O_RDONLY | O_CREAT, 0600))
BAD_IN(fx_shm_link, RET_INT, "shm_open", "a symbolic link to a file, O_TRUNC", ELOOP,
       rsipc_shm_open(SHM_NAME(ctx), O_RDWR | O_TRUNC, 0))
BAD_IN(fx_shm_dangling, RET_INT, "shm_open", "a dangling symbolic link, O_CREAT", ELOOP,
       rsipc_shm_open(SHM_NAME(ctx), O_RDWR | O_CREAT, 0600))
BAD_IN_DEPARTS("documented: glibc opens a FIFO at the name and waits for a writer; rsipc accepts only a regular file",
               fx_shm_fifo, RET_INT, "shm_open", "a FIFO, O_RDONLY (no wait for a writer)", EINVAL,
       rsipc_shm_open(SHM_NAME(ctx), O_RDONLY, 0))
BAD_IN_DEPARTS("documented: glibc opens a FIFO at the name; rsipc accepts only a regular file",
               fx_shm_fifo, RET_INT, "shm_open", "a FIFO, O_RDWR", EINVAL, rsipc_shm_open(SHM_NAME(ctx), O_RDWR, 0))
BAD_IN_DEPARTS("documented: glibc opens a FIFO at the name and waits for a reader; rsipc accepts only a regular file",
               fx_shm_fifo, RET_INT, "shm_open", "a FIFO, O_WRONLY (no reader)", EINVAL,
       rsipc_shm_open(SHM_NAME(ctx), O_WRONLY, 0))
BAD_IN_DEPARTS("documented: glibc opens a directory at the name; rsipc accepts only a regular file",
               fx_shm_dir, RET_INT, "shm_open", "a directory, O_RDONLY", EINVAL, rsipc_shm_open(SHM_NAME(ctx), O_RDONLY, 0))
BAD_IN(fx_shm_dir, RET_INT, "shm_open", "a directory, O_RDWR", EINVAL, rsipc_shm_open(SHM_NAME(ctx), O_RDWR, 0))
BAD_IN_DEPARTS("documented: glibc's open fails with ENXIO for a socket; rsipc says it is not a regular file",
               fx_shm_socket, RET_INT, "shm_open", "a UNIX socket", EINVAL, rsipc_shm_open(SHM_NAME(ctx), O_RDWR, 0))
BAD_IN(fx_shm_private_unprivileged, RET_INT, "shm_open", "unprivileged, root's 0600 object, O_RDONLY", EACCES,
       rsipc_shm_open(SHM_NAME(ctx), O_RDONLY, 0))
BAD_IN(fx_shm_private_unprivileged, RET_INT, "shm_open", "unprivileged, root's 0600 object, O_RDWR|O_CREAT", EACCES,
       rsipc_shm_open(SHM_NAME(ctx), O_RDWR | O_CREAT, 0666))
BAD_IN(fx_shm_readable_unprivileged, RET_INT, "shm_open", "unprivileged, root's 0644 object, O_RDWR", EACCES,
       rsipc_shm_open(SHM_NAME(ctx), O_RDWR, 0))
BAD_IN(fx_shm_readable_unprivileged, RET_INT, "shm_open", "unprivileged, root's 0644 object, O_RDONLY|O_TRUNC",
       EACCES, rsipc_shm_open(SHM_NAME(ctx), O_RDONLY | O_TRUNC, 0))

/* ---- shm_unlink --------------------------------------------------------- */
BAD_DEPARTS("glibc dereferences the NULL pointer", RET_INT, "shm_unlink", "name NULL", EFAULT, rsipc_shm_unlink(NULL))
BAD(RET_INT, "shm_unlink", "name empty", ENOENT, rsipc_shm_unlink(""))
BAD(RET_INT, "shm_unlink", "name \"/\"", ENOENT, rsipc_shm_unlink("/"))
BAD(RET_INT, "shm_unlink", "name with an inner '/'", ENOENT, rsipc_shm_unlink("/rsipc-bad/x"))
BAD_DEPARTS("glibc unlinks /dev/shm/.. and says EISDIR; rsipc says no object can have the name",
            RET_INT, "shm_unlink", "name \"/..\"", ENOENT, rsipc_shm_unlink("/.."))
BAD(RET_INT, "shm_unlink", "name NAME_MAX + 1 bytes", ENAMETOOLONG, rsipc_shm_unlink(bi_long_name(NAME_MAX + 1)))
BAD_IN(fx_shm_missing, RET_INT, "shm_unlink", "no such object", ENOENT, rsipc_shm_unlink(SHM_NAME(ctx)))
BAD_IN(fx_shm_private_unprivileged, RET_INT, "shm_unlink", "unprivileged, root's object", EACCES,
       rsipc_shm_unlink(SHM_NAME(ctx)))

/* ---- shm_map ------------------------------------------------------------ */
BAD(RET_MAP_FAILED, "shm_map", "name NULL", EFAULT, rsipc_shm_map(NULL, 4096, O_RDWR | O_CREAT, 0600))
BAD(RET_MAP_FAILED, "shm_map", "name empty", EINVAL, rsipc_shm_map("", 4096, O_RDWR | O_CREAT, 0600))
BAD(RET_MAP_FAILED, "shm_map", "name with an inner '/'", EINVAL, rsipc_shm_map("/a/b", 4096, O_RDWR | O_CREAT, 0600))
BAD(RET_MAP_FAILED, "shm_map", "name \"/..\"", EINVAL, rsipc_shm_map("/..", 4096, O_RDONLY, 0))
BAD(RET_MAP_FAILED, "shm_map", "name NAME_MAX + 1 bytes", ENAMETOOLONG,
    rsipc_shm_map(bi_long_name(NAME_MAX + 1), 4096, O_RDWR | O_CREAT, 0600))
BAD_IN(fx_shm_missing, RET_MAP_FAILED, "shm_map", "len 0 (nothing created)", EINVAL,
       rsipc_shm_map(SHM_NAME(ctx), 0, O_RDWR | O_CREAT, 0600))
BAD_IN(fx_shm_4k, RET_MAP_FAILED, "shm_map", "len 0 on an existing object", EINVAL,
       rsipc_shm_map(SHM_NAME(ctx), 0, O_RDWR, 0))
BAD_IN(fx_shm_4k, RET_MAP_FAILED, "shm_map", "len SIZE_MAX", ENOMEM, rsipc_shm_map(SHM_NAME(ctx), SIZE_MAX, O_RDWR, 0))
BAD_IN(fx_shm_missing, RET_MAP_FAILED, "shm_map", "oflag O_WRONLY|O_CREAT (nothing created)", EINVAL,
       rsipc_shm_map(SHM_NAME(ctx), 4096, O_WRONLY | O_CREAT, 0600))
BAD_IN(fx_shm_4k, RET_MAP_FAILED, "shm_map", "oflag O_ACCMODE", EINVAL, rsipc_shm_map(SHM_NAME(ctx), 4096, O_ACCMODE, 0))
BAD_IN(fx_shm_missing, RET_MAP_FAILED, "shm_map", "no object, no O_CREAT", ENOENT,
       rsipc_shm_map(SHM_NAME(ctx), 4096, O_RDWR, 0))
BAD_IN(fx_shm_4k, RET_MAP_FAILED, "shm_map", "O_CREAT|O_EXCL on an existing object", EEXIST,
       rsipc_shm_map(SHM_NAME(ctx), 4096, O_RDWR | O_CREAT | O_EXCL, 0600))
BAD_IN(fx_shm_4k, RET_MAP_FAILED, "shm_map", "O_RDONLY, object smaller than len", EINVAL,
       rsipc_shm_map(SHM_NAME(ctx), 8192, O_RDONLY, 0))
BAD_IN(fx_shm_missing, RET_MAP_FAILED, "shm_map", "O_RDONLY|O_CREAT|O_EXCL (an empty object cannot be mapped)",
       EINVAL, rsipc_shm_map(SHM_NAME(ctx), 4096, O_RDONLY | O_CREAT | O_EXCL, 0600))
BAD_IN(fx_shm_link, RET_MAP_FAILED, "shm_map", "a symbolic link to a file", ELOOP,
       rsipc_shm_map(SHM_NAME(ctx), 4096, O_RDWR, 0))
BAD_IN(fx_shm_dangling, RET_MAP_FAILED, "shm_map", "a dangling symbolic link, O_CREAT", ELOOP,
       rsipc_shm_map(SHM_NAME(ctx), 4096, O_RDWR | O_CREAT, 0600))
BAD_IN(fx_shm_fifo, RET_MAP_FAILED, "shm_map", "a FIFO", EINVAL, rsipc_shm_map(SHM_NAME(ctx), 4096, O_RDONLY, 0))
BAD_IN(fx_shm_dir, RET_MAP_FAILED, "shm_map", "a directory", EINVAL, rsipc_shm_map(SHM_NAME(ctx), 4096, O_RDWR, 0))
BAD_IN(fx_shm_socket, RET_MAP_FAILED, "shm_map", "a UNIX socket", EINVAL, rsipc_shm_map(SHM_NAME(ctx), 4096, O_RDWR, 0))
BAD_IN(fx_shm_private_unprivileged, RET_MAP_FAILED, "shm_map", "unprivileged, root's 0600 object", EACCES,
       rsipc_shm_map(SHM_NAME(ctx), 4096, O_RDONLY, 0))
BAD_IN(fx_shm_readable_unprivileged, RET_MAP_FAILED, "shm_map", "unprivileged, root's 0644 object, O_RDWR", EACCES,
       rsipc_shm_map(SHM_NAME(ctx), 4096, O_RDWR, 0))

/* ---- shm_map_reserve ---------------------------------------------------- */
BAD(RET_MAP_FAILED, "shm_map_reserve", "name NULL", EFAULT, rsipc_shm_map_reserve(NULL, 4096, O_RDWR | O_CREAT, 0600))
BAD(RET_MAP_FAILED, "shm_map_reserve", "name with an inner '/'", EINVAL,
    rsipc_shm_map_reserve("/a/b", 4096, O_RDWR | O_CREAT, 0600))
BAD_IN(fx_shm_missing, RET_MAP_FAILED, "shm_map_reserve", "len 0 (nothing created)", EINVAL,
       rsipc_shm_map_reserve(SHM_NAME(ctx), 0, O_RDWR | O_CREAT, 0600))
BAD_IN(fx_shm_4k, RET_MAP_FAILED, "shm_map_reserve", "len SIZE_MAX", ENOMEM,
       rsipc_shm_map_reserve(SHM_NAME(ctx), SIZE_MAX, O_RDWR, 0))
BAD_IN(fx_shm_4k, RET_MAP_FAILED, "shm_map_reserve", "O_RDONLY (reserving may grow the object)", EINVAL,
       rsipc_shm_map_reserve(SHM_NAME(ctx), 4096, O_RDONLY, 0))
BAD_IN(fx_shm_missing, RET_MAP_FAILED, "shm_map_reserve", "no object, no O_CREAT", ENOENT,
       rsipc_shm_map_reserve(SHM_NAME(ctx), 4096, O_RDWR, 0))
BAD_IN(fx_shm_4k, RET_MAP_FAILED, "shm_map_reserve", "O_CREAT|O_EXCL on an existing object", EEXIST,
       rsipc_shm_map_reserve(SHM_NAME(ctx), 4096, O_RDWR | O_CREAT | O_EXCL, 0600))
BAD_IN(fx_shm_fifo, RET_MAP_FAILED, "shm_map_reserve", "a FIFO", EINVAL,
       rsipc_shm_map_reserve(SHM_NAME(ctx), 4096, O_RDWR, 0))
