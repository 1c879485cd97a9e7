"""The POSIX shared memory API through ctypes, with glibc's shm_open on the
other side."""
import ctypes
import errno
import os
import unittest

import rsipc
from rsipc_testing import RsipcTestCase

libc = ctypes.CDLL(None, use_errno=True)
libc.shm_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint]
libc.shm_unlink.argtypes = [ctypes.c_char_p]


class ShmTest(RsipcTestCase):
    def setUp(self):
        self.name = f"/rsipc-py-shm-{os.getpid()}-{self.id().rsplit('.', 1)[-1]}"[:200]

    def tearDown(self):
        try:
            rsipc.shm_unlink(self.name)
        except OSError:
            pass


    def test_open_creates_a_close_on_exec_file_in_dev_shm(self):
        fd = rsipc.shm_open(self.name, os.O_RDWR | os.O_CREAT | os.O_EXCL)
        try:
            self.assertFalse(os.get_inheritable(fd))
            self.assertTrue(os.path.isfile("/dev/shm" + self.name))
        finally:
            os.close(fd)
        rsipc.shm_unlink(self.name)
        self.assertFalse(os.path.exists("/dev/shm" + self.name))

    def test_shm_map_shares_memory_with_a_child(self):
        addr = rsipc.shm_map(self.name, 4096, os.O_RDWR | os.O_CREAT)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                theirs = rsipc.shm_map(self.name, 4096, os.O_RDWR)
                rsipc.memory_at(theirs, 4096)[0:5] = b"hello"
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        self.assertEqual(bytes(rsipc.memory_at(addr, 5)), b"hello")
        rsipc.munmap(addr, 4096)

    def test_glibc_opens_the_object_rsipc_created(self):
        addr = rsipc.shm_map(self.name, 100, os.O_RDWR | os.O_CREAT | os.O_EXCL)
        rsipc.memory_at(addr, 100)[0:4] = b"data"
        fd = libc.shm_open(self.name.encode(), os.O_RDONLY, 0)
        self.assertGreaterEqual(fd, 0)
        try:
            self.assertEqual(os.read(fd, 4), b"data")
        finally:
            os.close(fd)
        rsipc.munmap(addr, 100)

    def test_rsipc_opens_the_object_glibc_created(self):
        fd = libc.shm_open(self.name.encode(), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        self.assertGreaterEqual(fd, 0)
        os.write(fd, b"from glibc")
        os.close(fd)
        addr = rsipc.shm_map(self.name, 10, os.O_RDONLY)
        self.assertEqual(bytes(rsipc.memory_at(addr, 10)), b"from glibc")
        rsipc.munmap(addr, 10)
        self.assertEqual(libc.shm_unlink(self.name.encode()), 0)

    def test_bad_names(self):
        self.assert_fails(lambda: rsipc.shm_open("", os.O_RDWR | os.O_CREAT), errno.EINVAL, "shm_open")
        self.assert_fails(lambda: rsipc.shm_open("/", os.O_RDWR | os.O_CREAT), errno.EINVAL, "shm_open")
        self.assert_fails(lambda: rsipc.shm_open("/a/b", os.O_RDWR | os.O_CREAT), errno.EINVAL, "shm_open")
        self.assert_fails(lambda: rsipc.shm_open("/..", os.O_RDONLY), errno.EINVAL, "shm_open")
        self.assert_fails(lambda: rsipc.shm_open("/" + "x" * 256, os.O_RDWR | os.O_CREAT), errno.ENAMETOOLONG,
                          "shm_open")
        self.assert_fails(lambda: rsipc.shm_unlink(""), errno.ENOENT, "shm_unlink")
        self.assert_fails(lambda: rsipc.shm_open(self.name, os.O_RDWR), errno.ENOENT, "shm_open")
        for name, args, fail in [("shm_open", (None, os.O_RDONLY, 0), -1), ("shm_unlink", (None,), -1),
                                 ("shm_map", (None, 4096, os.O_RDWR, 0), rsipc.MAP_FAILED)]:
            rsipc.clear_error()
            self.assertEqual(getattr(rsipc.lib, "rsipc_" + name)(*args), fail)
            self.assertEqual(ctypes.get_errno(), errno.EFAULT)
            self.assertIn("`name` is NULL", rsipc.last_error())

    def test_bad_map_arguments(self):
        self.assert_fails(lambda: rsipc.shm_map(self.name, 0, os.O_RDWR | os.O_CREAT), errno.EINVAL, "shm_map")
        self.assert_fails(lambda: rsipc.shm_map(self.name, 4096, os.O_WRONLY | os.O_CREAT), errno.EINVAL, "shm_map")
        os.close(rsipc.shm_open(self.name, os.O_RDWR | os.O_CREAT))
        self.assert_fails(lambda: rsipc.shm_map(self.name, 4096, os.O_RDONLY), errno.EINVAL, "shm_map")

    def test_a_symlink_at_the_name_is_eloop(self):
        os.symlink("/dev/null", "/dev/shm" + self.name)
        try:
            self.assert_fails(lambda: rsipc.shm_open(self.name, os.O_RDWR), errno.ELOOP, "shm_open")
        finally:
            os.unlink("/dev/shm" + self.name)


if __name__ == "__main__":
    unittest.main()
