"""The pipe API through ctypes (dlopen of librsipc.so)."""
import ctypes
import errno
import os
import unittest

import rsipc
from rsipc_testing import RsipcTestCase


class PipeTest(RsipcTestCase):
    def setUp(self):
        self.fds = []

    def tearDown(self):
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass

    def new_pipe(self, flags=0):
        r, w = rsipc.pipe2(flags)
        self.fds += [r, w]
        return r, w

    def closed_fd(self):
        r, w = os.pipe()
        os.close(r)
        os.close(w)
        return r

    def test_version_matches_the_header_format(self):
        self.assertRegex(rsipc.version(), r"^\d+\.\d+\.\d+$")

    def test_round_trip_through_write_all_and_read_exact(self):
        r, w = self.new_pipe()
        self.assertEqual(rsipc.write_all(w, b"hello world"), 11)
        self.assertEqual(rsipc.read_exact(r, 11), b"hello world")

    def test_read_exact_returns_short_at_end_of_file(self):
        r, w = rsipc.pipe()
        self.fds.append(r)
        rsipc.write_all(w, b"abc")
        os.close(w)
        self.assertEqual(rsipc.read_exact(r, 10), b"abc")

    def test_capacity_defaults_to_64k_and_grows(self):
        r, w = self.new_pipe()
        self.assertEqual(rsipc.pipe_capacity(r), 65536)
        self.assertEqual(rsipc.pipe_set_capacity(w, 200000), 262144)

    def test_pipe2_flags_are_applied(self):
        r, w = self.new_pipe(os.O_NONBLOCK | os.O_CLOEXEC)
        self.assertFalse(os.get_blocking(r))
        self.assertFalse(os.get_inheritable(w))
        rsipc.set_nonblocking(r, False)
        self.assertTrue(os.get_blocking(r))

    def test_child_writes_parent_reads_to_eof(self):
        r, w = rsipc.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            code = 0 if rsipc.write_all(w, b"from the child") == 14 else 1
            os._exit(code)
        os.close(w)
        self.fds.append(r)
        self.assertEqual(rsipc.read_exact(r, 100), b"from the child")
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)


    def test_null_pointers_are_efault(self):
        for name, args in [("pipe", (None,)), ("pipe2", (None, 0))]:
            raw = getattr(rsipc.lib, "rsipc_" + name)
            rsipc.clear_error()
            self.assertEqual(raw(*args), -1)
            self.assertEqual(ctypes.get_errno(), errno.EFAULT)
            self.assertTrue(rsipc.last_error().startswith(name + "(fds=NULL"), rsipc.last_error())
        r, w = self.new_pipe()
        for name, fd in [("write_all", w), ("read_exact", r)]:
            raw = getattr(rsipc.lib, "rsipc_" + name)
            self.assertEqual(raw(fd, None, 4), -1)
            self.assertEqual(ctypes.get_errno(), errno.EFAULT)
            self.assertIn("`buf` is NULL", rsipc.last_error())

    def test_closed_descriptors_are_ebadf_for_every_function(self):
        fd = self.closed_fd()
        self.assert_fails(lambda: rsipc.pipe_capacity(fd), errno.EBADF, "pipe_capacity")
        self.assert_fails(lambda: rsipc.pipe_set_capacity(fd, 4096), errno.EBADF, "pipe_set_capacity")
        self.assert_fails(lambda: rsipc.set_nonblocking(fd, True), errno.EBADF, "set_nonblocking")
        self.assert_fails(lambda: rsipc.write_all(fd, b"x"), errno.EBADF, "write_all")
        self.assert_fails(lambda: rsipc.read_exact(fd, 1), errno.EBADF, "read_exact")

    def test_bad_flags_and_sizes_are_einval(self):
        self.assert_fails(lambda: rsipc.pipe2(os.O_APPEND), errno.EINVAL, "pipe2")
        r, w = self.new_pipe()
        self.assert_fails(lambda: rsipc.pipe_set_capacity(w, 0), errno.EINVAL, "pipe_set_capacity")
        self.assertEqual(rsipc.lib.rsipc_set_nonblocking(r, 2), -1)
        self.assertEqual(ctypes.get_errno(), errno.EINVAL)

    def test_a_regular_file_is_not_a_pipe(self):
        fd = os.open("/proc/self/status", os.O_RDONLY)
        self.fds.append(fd)
        self.assert_fails(lambda: rsipc.pipe_capacity(fd), errno.EBADF, "pipe_capacity")
        self.assertIn("not a pipe", rsipc.last_error())


if __name__ == "__main__":
    unittest.main()
