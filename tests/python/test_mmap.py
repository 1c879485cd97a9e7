"""The memory-mapping API through ctypes (dlopen of librsipc.so)."""
import ctypes
import errno
import os
import tempfile
import unittest

import rsipc
from rsipc_testing import RsipcTestCase

PAGE = os.sysconf("SC_PAGE_SIZE")


class MmapTest(RsipcTestCase):
    def setUp(self):
        fd, self.path = tempfile.mkstemp(prefix=f"rsipc-py-mmap-{os.getpid()}-")
        os.write(fd, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz")
        os.close(fd)

    def tearDown(self):
        os.unlink(self.path)


    def test_map_file_maps_the_whole_file_read_only(self):
        addr, n = rsipc.map_file(self.path, os.O_RDONLY)
        self.assertEqual(n, 62)
        self.assertEqual(bytes(rsipc.memory_at(addr, n))[25:27], b"Z0")
        rsipc.munmap(addr, n)

    def test_map_file_grows_a_read_write_file(self):
        addr, n = rsipc.map_file(self.path, os.O_RDWR, length=PAGE)
        self.assertEqual(n, PAGE)
        rsipc.memory_at(addr, n)[PAGE - 1] = b"!"
        rsipc.msync(addr, n, rsipc.MS_SYNC)
        rsipc.munmap(addr, n)
        with open(self.path, "rb") as f:
            data = f.read()
        self.assertEqual(len(data), PAGE)
        self.assertEqual(data[-1:], b"!")

    def test_mmap_of_a_descriptor(self):
        fd = os.open(self.path, os.O_RDONLY)
        try:
            addr = rsipc.mmap(None, 62, rsipc.PROT_READ, rsipc.MAP_SHARED, fd, 0)
        finally:
            os.close(fd)
        self.assertEqual(bytes(rsipc.memory_at(addr, 3)), b"ABC")
        rsipc.munmap(addr, 62)

    def test_anonymous_shared_memory_is_shared_with_a_child(self):
        addr = rsipc.map_anonymous_shared(PAGE)
        buf = rsipc.memory_at(addr, PAGE)
        pid = os.fork()
        if pid == 0:
            buf[0:5] = b"child"
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        self.assertEqual(bytes(buf[0:5]), b"child")
        rsipc.munmap(addr, PAGE)

    def test_bad_mmap_arguments(self):
        fd = os.open(self.path, os.O_RDONLY)
        try:
            self.assert_fails(lambda: rsipc.mmap(None, 0, rsipc.PROT_READ, rsipc.MAP_SHARED, fd), errno.EINVAL, "mmap")
            msg = self.assert_fails(lambda: rsipc.mmap(None, PAGE, rsipc.PROT_READ, rsipc.MAP_SHARED, fd, 1),
                                    errno.EINVAL, "mmap")
            self.assertIn("page size", msg)
            msg = self.assert_fails(
                lambda: rsipc.mmap(None, PAGE, rsipc.PROT_READ | rsipc.PROT_WRITE, rsipc.MAP_SHARED, fd),
                errno.EACCES, "mmap")
            self.assertIn("read-only", msg)
            self.assert_fails(lambda: rsipc.mmap(None, 2**64 - 1, rsipc.PROT_READ, rsipc.MAP_PRIVATE | rsipc.MAP_ANONYMOUS),
                              errno.ENOMEM, "mmap")
        finally:
            os.close(fd)
        closed_r, closed_w = os.pipe()
        os.close(closed_r)
        os.close(closed_w)
        self.assert_fails(lambda: rsipc.mmap(None, PAGE, rsipc.PROT_READ, rsipc.MAP_SHARED, closed_r), errno.EBADF, "mmap")

    def test_bad_munmap_and_msync_arguments(self):
        addr = rsipc.map_anonymous_shared(PAGE)
        self.assert_fails(lambda: rsipc.munmap(addr + 1, PAGE), errno.EINVAL, "munmap")
        self.assert_fails(lambda: rsipc.munmap(addr, 0), errno.EINVAL, "munmap")
        self.assert_fails(lambda: rsipc.msync(addr, PAGE, rsipc.MS_SYNC | rsipc.MS_ASYNC), errno.EINVAL, "msync")
        rsipc.munmap(addr, PAGE)
        # Nothing is ever mapped at address 0 (vm.mmap_min_addr).
        self.assert_fails(lambda: rsipc.msync(0, PAGE), errno.ENOMEM, "msync")
        self.assert_fails(lambda: rsipc.map_anonymous_shared(0), errno.EINVAL, "map_anonymous_shared")

    def test_bad_map_file_arguments(self):
        self.assert_fails(lambda: rsipc.map_file("/nonexistent/rsipc", os.O_RDONLY), errno.ENOENT, "map_file")
        self.assert_fails(lambda: rsipc.map_file(self.path, os.O_WRONLY), errno.EINVAL, "map_file")
        msg = self.assert_fails(lambda: rsipc.map_file(self.path, os.O_RDONLY, length=PAGE), errno.EINVAL, "map_file")
        self.assertIn("cannot be grown", msg)
        n = ctypes.c_size_t(0)
        for args in [(None, os.O_RDONLY, 0, ctypes.byref(n)), (self.path.encode(), os.O_RDONLY, 0, None)]:
            rsipc.clear_error()
            self.assertEqual(rsipc.lib.rsipc_map_file(*args), rsipc.MAP_FAILED)
            self.assertEqual(ctypes.get_errno(), errno.EFAULT)
            self.assertTrue(rsipc.last_error().startswith("map_file("), rsipc.last_error())


if __name__ == "__main__":
    unittest.main()
