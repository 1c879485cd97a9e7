/* Bad-input rows for the FIFO API (format: see badinput.h): rsipc_mkfifo,
 * rsipc_mkfifoat, rsipc_fifo_open.
 *
 * rsipc_fifo_open never opens anything but a FIFO: every other file type is
 * EINVAL and a symbolic link ELOOP, whatever it points to. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "badinput.h"

/* ---- fixtures: things at a /tmp path, removed by the parent ----------- */

BI_NODE_FIXTURE(fx_missing_path, bi_tmp_path(ctx, "missing"), BI_NOTHING);
BI_NODE_FIXTURE(fx_fifo_at_path, bi_tmp_path(ctx, "fifo"), BI_FIFO);
BI_NODE_FIXTURE(fx_file_at_path, bi_tmp_path(ctx, "file"), BI_FILE);
BI_NODE_FIXTURE(fx_dir_at_path, bi_tmp_path(ctx, "dir"), BI_DIR);
BI_NODE_FIXTURE(fx_socket_at_path, bi_tmp_path(ctx, "sock"), BI_SOCKET);
BI_NODE_FIXTURE(fx_symlink_to_fifo, bi_tmp_path(ctx, "link"), BI_LINK_TO_FIFO);
BI_NODE_FIXTURE(fx_dangling_symlink, bi_tmp_path(ctx, "dangling"), BI_LINK_DANGLING);

/* ctx->path: a path below a regular file (ctx->path2). */
static int setup_below_file(struct bi_ctx *ctx) {
    snprintf(ctx->path2, sizeof ctx->path2, "/tmp/rsipc-bad-%ld-notdir", (long)getpid());
    int fd = open(ctx->path2, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    close(fd);
    snprintf(ctx->path, sizeof ctx->path, "%.200s/fifo", ctx->path2);
    return 0;
}
BI_FIXTURE(fx_below_file, setup_below_file, bi_teardown_paths);

/* A root-owned 0600 FIFO, then privileges dropped. */
static int setup_private_fifo_unprivileged(struct bi_ctx *ctx) {
    BI_NEED_ROOT();
    if (bi_make_node(ctx, bi_tmp_path(ctx, "private"), BI_FIFO) != 0) return -1;
    return bi_setup_unprivileged(ctx);
}
BI_FIXTURE(fx_private_fifo_unprivileged, setup_private_fifo_unprivileged, bi_teardown_paths);

/* Unprivileged, with ctx->path a name in a directory only root may write. */
static int setup_unwritable_dir(struct bi_ctx *ctx) {
    BI_NEED_ROOT();
    snprintf(ctx->path2, sizeof ctx->path2, "/tmp/rsipc-bad-%ld-rootdir", (long)getpid());
    if (mkdir(ctx->path2, 0755) != 0) return -1;
    snprintf(ctx->path, sizeof ctx->path, "%.200s/fifo", ctx->path2);
    return bi_setup_unprivileged(ctx);
}
BI_FIXTURE(fx_unwritable_dir, setup_unwritable_dir, bi_teardown_paths);

/* fd[0]: an open directory, ctx->path a name in it, ctx->path2 the
 * directory. */
static int setup_dirfd(struct bi_ctx *ctx) {
    snprintf(ctx->path2, sizeof ctx->path2, "/tmp/rsipc-bad-%ld-dirfd", (long)getpid());
    if (mkdir(ctx->path2, 0700) != 0) return -1;
    ctx->fd[0] = open(ctx->path2, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return ctx->fd[0] < 0 ? -1 : 0;
}
BI_FIXTURE(fx_dirfd, setup_dirfd, bi_teardown_paths);

/* ---- mkfifo ------------------------------------------------------------- */
BAD(RET_INT, "mkfifo", "path NULL", EFAULT, rsipc_mkfifo(NULL, 0600))
BAD(RET_INT, "mkfifo", "path empty", ENOENT, rsipc_mkfifo("", 0600))
BAD_IN(fx_fifo_at_path, RET_INT, "mkfifo", "a FIFO exists at the path", EEXIST, rsipc_mkfifo(ctx->path, 0600))
BAD_IN(fx_file_at_path, RET_INT, "mkfifo", "a regular file exists at the path", EEXIST, rsipc_mkfifo(ctx->path, 0600))
BAD_IN(fx_dir_at_path, RET_INT, "mkfifo", "a directory exists at the path", EEXIST, rsipc_mkfifo(ctx->path, 0600))
BAD_IN(fx_dangling_symlink, RET_INT, "mkfifo", "a dangling symbolic link at the path (never followed)", EEXIST,
       rsipc_mkfifo(ctx->path, 0600))
BAD(RET_INT, "mkfifo", "parent directory missing", ENOENT, rsipc_mkfifo("/nonexistent/rsipc-bad/fifo", 0600))
BAD_IN(fx_below_file, RET_INT, "mkfifo", "a path component is a regular file", ENOTDIR, rsipc_mkfifo(ctx->path, 0600))
BAD(RET_INT, "mkfifo", "last component NAME_MAX + 1 bytes", ENAMETOOLONG, rsipc_mkfifo(bi_long_name(NAME_MAX + 1), 0600))
BAD(RET_INT, "mkfifo", "path PATH_MAX bytes", ENAMETOOLONG, rsipc_mkfifo(bi_long_path(PATH_MAX), 0600))
BAD_IN(fx_unwritable_dir, RET_INT, "mkfifo", "unprivileged, in a root-owned 0755 directory", EACCES,
       rsipc_mkfifo(ctx->path, 0600))
BAD(RET_INT, "mkfifo", "in /proc (no FIFOs there)", ENOENT, rsipc_mkfifo("/proc/rsipc-bad-fifo", 0600))
BAD_IN(fx_missing_path, RET_INT, "mkfifo", "mode with file type bits S_IFREG", EINVAL,
       rsipc_mkfifo(ctx->path, S_IFREG | 0600))
BAD_IN(fx_missing_path, RET_INT, "mkfifo", "mode with every file type bit (S_IFMT)", EINVAL,
       rsipc_mkfifo(ctx->path, S_IFMT | 0600))
BAD_IN(fx_dirfd, RET_INT, "mkfifoat", "mode with file type bits S_IFDIR", EINVAL,
       rsipc_mkfifoat(ctx->fd[0], "fifo", S_IFDIR | 0600))

/* ---- mkfifoat ----------------------------------------------------------- */
BAD(RET_INT, "mkfifoat", "path NULL", EFAULT, rsipc_mkfifoat(AT_FDCWD, NULL, 0600))
BAD(RET_INT, "mkfifoat", "dirfd -1, relative path", EBADF, rsipc_mkfifoat(-1, "rsipc-bad-fifo", 0600))
BAD(RET_INT, "mkfifoat", "dirfd INT_MAX, relative path", EBADF, rsipc_mkfifoat(INT_MAX, "rsipc-bad-fifo", 0600))
BAD_IN(fx_closed_fd, RET_INT, "mkfifoat", "dirfd closed, relative path", EBADF,
       rsipc_mkfifoat(ctx->fd[0], "rsipc-bad-fifo", 0600))
BAD_IN(fx_regular_file, RET_INT, "mkfifoat", "dirfd a regular file, relative path", ENOTDIR,
       rsipc_mkfifoat(ctx->fd[0], "rsipc-bad-fifo", 0600))
BAD_IN(fx_pipe, RET_INT, "mkfifoat", "dirfd a pipe, relative path", ENOTDIR,
       rsipc_mkfifoat(ctx->fd[0], "rsipc-bad-fifo", 0600))
BAD_IN(fx_dirfd, RET_INT, "mkfifoat", "path empty", ENOENT, rsipc_mkfifoat(ctx->fd[0], "", 0600))
BAD_IN(fx_dirfd, RET_INT, "mkfifoat", "the directory itself (\".\")", EEXIST, rsipc_mkfifoat(ctx->fd[0], ".", 0600))
BAD_IN(fx_dirfd, RET_INT, "mkfifoat", "missing subdirectory", ENOENT, rsipc_mkfifoat(ctx->fd[0], "missing/fifo", 0600))
BAD_IN(fx_dirfd, RET_INT, "mkfifoat", "relative component NAME_MAX + 1 bytes", ENAMETOOLONG,
       rsipc_mkfifoat(ctx->fd[0], bi_long_name(NAME_MAX + 1) + 1, 0600))
BAD_IN(fx_fifo_at_path, RET_INT, "mkfifoat", "absolute path exists (dirfd ignored)", EEXIST,
       rsipc_mkfifoat(-1, ctx->path, 0600))

/* ---- fifo_open: only an existing FIFO, never through a link ------------- */
BAD(RET_INT, "fifo_open", "path NULL", EFAULT, rsipc_fifo_open(NULL, O_RDONLY, 0))
BAD(RET_INT, "fifo_open", "path empty", ENOENT, rsipc_fifo_open("", O_RDONLY, 0))
BAD_IN(fx_missing_path, RET_INT, "fifo_open", "nothing at the path", ENOENT, rsipc_fifo_open(ctx->path, O_RDONLY, 0))
BAD_IN(fx_missing_path, RET_INT, "fifo_open", "nothing at the path, writer", ENOENT,
       rsipc_fifo_open(ctx->path, O_WRONLY, 0))
BAD_IN(fx_file_at_path, RET_INT, "fifo_open", "a regular file", EINVAL, rsipc_fifo_open(ctx->path, O_RDONLY, 0))
BAD_IN(fx_file_at_path, RET_INT, "fifo_open", "a regular file, O_WRONLY", EINVAL,
       rsipc_fifo_open(ctx->path, O_WRONLY, -1))
BAD_IN(fx_dir_at_path, RET_INT, "fifo_open", "a directory", EINVAL, rsipc_fifo_open(ctx->path, O_RDONLY, 0))
BAD(RET_INT, "fifo_open", "a character device (/dev/null)", EINVAL, rsipc_fifo_open("/dev/null", O_RDWR, 0))
BAD(RET_INT, "fifo_open", "a character device (/dev/tty), no terminal touched", EINVAL,
    rsipc_fifo_open("/dev/tty", O_RDWR, 0))
BAD_IN(fx_socket_at_path, RET_INT, "fifo_open", "a UNIX socket", EINVAL, rsipc_fifo_open(ctx->path, O_WRONLY, 0))
BAD_IN(fx_symlink_to_fifo, RET_INT, "fifo_open", "a symbolic link to a FIFO", ELOOP,
       rsipc_fifo_open(ctx->path, O_RDONLY, 0))
BAD_IN(fx_symlink_to_fifo, RET_INT, "fifo_open", "a symbolic link to a FIFO, O_RDWR", ELOOP,
       rsipc_fifo_open(ctx->path, O_RDWR, 0))
BAD_IN(fx_dangling_symlink, RET_INT, "fifo_open", "a dangling symbolic link", ELOOP,
       rsipc_fifo_open(ctx->path, O_RDONLY, 0))
BAD_IN(fx_below_file, RET_INT, "fifo_open", "a path component is a regular file", ENOTDIR,
       rsipc_fifo_open(ctx->path, O_RDONLY, 0))
BAD(RET_INT, "fifo_open", "last component NAME_MAX + 1 bytes", ENAMETOOLONG,
    rsipc_fifo_open(bi_long_name(NAME_MAX + 1), O_RDONLY, 0))
BAD(RET_INT, "fifo_open", "path PATH_MAX bytes", ENAMETOOLONG, rsipc_fifo_open(bi_long_path(PATH_MAX), O_RDONLY, 0))
BAD_IN(fx_fifo_at_path, RET_INT, "fifo_open", "flags O_ACCMODE", EINVAL, rsipc_fifo_open(ctx->path, O_ACCMODE, 0))
BAD_IN(fx_fifo_at_path, RET_INT, "fifo_open", "flags O_CREAT", EINVAL, rsipc_fifo_open(ctx->path, O_RDONLY | O_CREAT, 0))
BAD_IN(fx_fifo_at_path, RET_INT, "fifo_open", "flags O_TRUNC", EINVAL, rsipc_fifo_open(ctx->path, O_WRONLY | O_TRUNC, 0))
BAD_IN(fx_fifo_at_path, RET_INT, "fifo_open", "flags O_EXCL", EINVAL, rsipc_fifo_open(ctx->path, O_RDWR | O_EXCL, 0))
BAD_IN(fx_fifo_at_path, RET_INT, "fifo_open", "flags O_DIRECTORY", EINVAL,
       rsipc_fifo_open(ctx->path, O_RDONLY | O_DIRECTORY, 0))
BAD_IN(fx_fifo_at_path, RET_INT, "fifo_open", "flags O_PATH", EINVAL, rsipc_fifo_open(ctx->path, O_PATH, 0))
BAD_IN(fx_fifo_at_path, RET_INT, "fifo_open", "flags O_TMPFILE", EINVAL, rsipc_fifo_open(ctx->path, O_RDWR | O_TMPFILE, 0))
BAD_IN(fx_fifo_at_path, RET_INT, "fifo_open", "flags -1", EINVAL, rsipc_fifo_open(ctx->path, -1, 0))
BAD_IN(fx_fifo_at_path, RET_INT, "fifo_open", "flags INT_MIN", EINVAL, rsipc_fifo_open(ctx->path, INT_MIN, 0))
BAD_IN(fx_fifo_at_path, RET_INT, "fifo_open", "writer, no reader, timeout 0", ENXIO,
       rsipc_fifo_open(ctx->path, O_WRONLY, 0))
BAD_IN(fx_fifo_at_path, RET_INT, "fifo_open", "writer, no reader, O_NONBLOCK, timeout 0", ENXIO,
       rsipc_fifo_open(ctx->path, O_WRONLY | O_NONBLOCK, 0))
BAD_IN(fx_fifo_at_path, RET_INT, "fifo_open", "writer, no reader, timeout 20 ms", ETIMEDOUT,
       rsipc_fifo_open(ctx->path, O_WRONLY, 20))
BAD_IN(fx_private_fifo_unprivileged, RET_INT, "fifo_open", "unprivileged, root's 0600 FIFO, reader", EACCES,
       rsipc_fifo_open(ctx->path, O_RDONLY, 0))
BAD_IN(fx_private_fifo_unprivileged, RET_INT, "fifo_open", "unprivileged, root's 0600 FIFO, writer", EACCES,
       rsipc_fifo_open(ctx->path, O_WRONLY, -1))
