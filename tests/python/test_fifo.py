"""The FIFO API through ctypes (dlopen of librsipc.so)."""
import ctypes
import errno
import os
import select
import shutil
import tempfile
import unittest

import rsipc
from rsipc_testing import RsipcTestCase


class FifoTest(RsipcTestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix=f"rsipc-py-fifo-{os.getpid()}-")
        self.path = os.path.join(self.dir, "fifo")
        self.fds = []

    def tearDown(self):
        for fd in self.fds:
            os.close(fd)
        shutil.rmtree(self.dir)

    def open(self, path, flags, timeout_ms=0):
        fd = rsipc.fifo_open(path, flags, timeout_ms)
        self.fds.append(fd)
        return fd


    def test_mkfifo_creates_a_fifo(self):
        rsipc.mkfifo(self.path, 0o600)
        self.assertTrue(os.path.exists(self.path))
        import stat
        self.assertTrue(stat.S_ISFIFO(os.lstat(self.path).st_mode))

    def test_mkfifoat_creates_relative_to_a_directory(self):
        dfd = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            rsipc.mkfifoat(dfd, "relative", 0o600)
        finally:
            os.close(dfd)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "relative")))

    def test_reader_and_writer_exchange_bytes(self):
        rsipc.mkfifo(self.path, 0o600)
        r = self.open(self.path, os.O_RDONLY)
        w = self.open(self.path, os.O_WRONLY)
        os.write(w, b"over the fifo")
        self.assertEqual(os.read(r, 100), b"over the fifo")
        self.assertTrue(os.get_blocking(r))
        self.assertTrue(os.get_inheritable(r))

    def test_a_writer_waits_for_a_reader_in_a_child(self):
        rsipc.mkfifo(self.path, 0o600)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                w = rsipc.fifo_open(self.path, os.O_WRONLY, 60000)
                os.write(w, b"from the child")
                code = 0
            finally:
                os._exit(code)
        r = self.open(self.path, os.O_RDONLY)
        select.select([r], [], [], 60)
        data = b""
        while True:
            chunk = os.read(r, 100)
            if not chunk:
                break
            data += chunk
        self.assertEqual(data, b"from the child")
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)

    def test_a_writer_without_reader_gets_enxio_or_times_out(self):
        rsipc.mkfifo(self.path, 0o600)
        self.assert_fails(lambda: rsipc.fifo_open(self.path, os.O_WRONLY, 0), errno.ENXIO, "fifo_open")
        msg = self.assert_fails(lambda: rsipc.fifo_open(self.path, os.O_WRONLY, 20), errno.ETIMEDOUT, "fifo_open")
        self.assertIn("within 20 ms", msg)

    def test_a_regular_file_is_einval_and_untouched(self):
        with open(self.path, "w") as f:
            f.write("data")
        msg = self.assert_fails(lambda: rsipc.fifo_open(self.path, os.O_WRONLY, 0), errno.EINVAL, "fifo_open")
        self.assertIn("not a FIFO", msg)
        with open(self.path) as f:
            self.assertEqual(f.read(), "data")

    def test_a_symlink_is_eloop(self):
        rsipc.mkfifo(self.path, 0o600)
        link = os.path.join(self.dir, "link")
        os.symlink(self.path, link)
        self.assert_fails(lambda: rsipc.fifo_open(link, os.O_RDONLY, 0), errno.ELOOP, "fifo_open")

    def test_bad_input(self):
        rsipc.mkfifo(self.path, 0o600)
        self.assert_fails(lambda: rsipc.mkfifo(self.path), errno.EEXIST, "mkfifo")
        self.assert_fails(lambda: rsipc.mkfifo(""), errno.ENOENT, "mkfifo")
        self.assert_fails(lambda: rsipc.fifo_open("", os.O_RDONLY), errno.ENOENT, "fifo_open")
        self.assert_fails(lambda: rsipc.fifo_open(self.path, os.O_WRONLY | os.O_CREAT), errno.EINVAL, "fifo_open")
        self.assert_fails(lambda: rsipc.mkfifoat(-1, "relative"), errno.EBADF, "mkfifoat")
        for name, args in [("mkfifo", (None, 0o600)), ("mkfifoat", (-100, None, 0o600)),
                           ("fifo_open", (None, os.O_RDONLY, 0))]:
            rsipc.clear_error()
            self.assertEqual(getattr(rsipc.lib, "rsipc_" + name)(*args), -1)
            self.assertEqual(ctypes.get_errno(), errno.EFAULT)
            self.assertIn("`path` is NULL", rsipc.last_error())


if __name__ == "__main__":
    unittest.main()
