"""POSIX semaphores through ctypes (dlopen of librsipc.so)."""
import ctypes
import errno
import mmap
import os
import time
import unittest

import rsipc
from rsipc_testing import RsipcTestCase


def unique_name(tag):
    unique_name.n = getattr(unique_name, "n", 0) + 1
    return f"/rsipc-pytest-{os.getpid()}-{tag}-{unique_name.n}"


class SemTest(RsipcTestCase):

    def test_post_wait_trywait_and_getvalue(self):
        s = rsipc.sem_t()
        rsipc.sem_init(s, False, 1)
        rsipc.sem_post(s)
        self.assertEqual(rsipc.sem_getvalue(s), 2)
        rsipc.sem_wait(s)
        rsipc.sem_trywait(s)
        self.assertEqual(rsipc.sem_getvalue(s), 0)
        rsipc.sem_destroy(s)

    def test_trywait_on_zero_is_eagain(self):
        s = rsipc.sem_t()
        rsipc.sem_init(s, False, 0)
        self.assert_fails(lambda: rsipc.sem_trywait(s), errno.EAGAIN, "sem_trywait")

    def test_timedwait_times_out_and_rejects_bad_nanoseconds(self):
        s = rsipc.sem_t()
        rsipc.sem_init(s, False, 0)
        self.assert_fails(lambda: rsipc.sem_timedwait(s, time.time() + 0.02), errno.ETIMEDOUT, "sem_timedwait")
        rsipc.sem_post(s)
        self.assert_fails(lambda: rsipc.sem_timedwait(s, (0, 1000000000)), errno.EINVAL, "sem_timedwait")
        self.assert_fails(lambda: rsipc.sem_clockwait(s, rsipc.CLOCK_MONOTONIC, (0, -1)), errno.EINVAL, "sem_clockwait")
        rsipc.sem_clockwait(s, rsipc.CLOCK_MONOTONIC, time.monotonic())

    def test_clockwait_rejects_other_clocks(self):
        s = rsipc.sem_t()
        rsipc.sem_init(s, False, 1)
        self.assert_fails(lambda: rsipc.sem_clockwait(s, time.CLOCK_BOOTTIME, 0.0), errno.EINVAL, "sem_clockwait")

    def test_limits_are_einval_and_eoverflow(self):
        s = rsipc.sem_t()
        self.assert_fails(lambda: rsipc.sem_init(s, False, rsipc.SEM_VALUE_MAX + 1), errno.EINVAL, "sem_init")
        rsipc.sem_init(s, True, rsipc.SEM_VALUE_MAX)
        self.assert_fails(lambda: rsipc.sem_post(s), errno.EOVERFLOW, "sem_post")

    def test_null_pointers_are_efault(self):
        for name, args in [("sem_init", (None, 0, 0)), ("sem_post", (None,)), ("sem_wait", (None,)),
                           ("sem_trywait", (None,)), ("sem_destroy", (None,)), ("sem_getvalue", (None, None))]:
            rsipc.clear_error()
            self.assertEqual(getattr(rsipc.lib, "rsipc_" + name)(*args), -1)
            self.assertEqual(ctypes.get_errno(), errno.EFAULT)
            self.assertTrue(rsipc.last_error().startswith(name + "(sem=NULL"), rsipc.last_error())
        s = rsipc.sem_t()
        rsipc.sem_init(s, False, 0)
        self.assertEqual(rsipc.lib.rsipc_sem_timedwait(s, None), -1)
        self.assertEqual(ctypes.get_errno(), errno.EFAULT)
        self.assertIn("`abs_timeout` is NULL", rsipc.last_error())

    def test_a_child_posts_a_process_shared_semaphore_in_shared_memory(self):
        m = mmap.mmap(-1, 4096)
        s = rsipc.sem_t.from_buffer(m)
        rsipc.sem_init(s, True, 0)
        pid = os.fork()
        if pid == 0:
            try:
                rsipc.sem_post(s)
                os._exit(0)
            except BaseException:
                os._exit(1)
        rsipc.sem_timedwait(s, time.time() + 60)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        del s
        m.close()

    def test_named_semaphore_round_trip_between_processes(self):
        name = unique_name("named")
        s = rsipc.sem_open(name, os.O_CREAT | os.O_EXCL, 0o600, 0)
        self.assertTrue(os.path.exists("/dev/shm/sem." + name[1:]))
        pid = os.fork()
        if pid == 0:
            try:
                c = rsipc.sem_open(name)
                rsipc.sem_post(c)
                rsipc.sem_close(c)
                os._exit(0)
            except BaseException:
                os._exit(1)
        rsipc.sem_timedwait(s, time.time() + 60)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        again = rsipc.sem_open(name)
        self.assertEqual(ctypes.addressof(again.contents), ctypes.addressof(s.contents))
        rsipc.sem_close(again)
        rsipc.sem_close(s)
        self.assert_fails(lambda: rsipc.sem_close(s), errno.EINVAL, "sem_close")
        rsipc.sem_unlink(name)
        self.assertFalse(os.path.exists("/dev/shm/sem." + name[1:]))

    def test_named_errors(self):
        name = unique_name("errors")
        self.assert_fails(lambda: rsipc.sem_open(name), errno.ENOENT, "sem_open")
        self.assert_fails(lambda: rsipc.sem_open("/a/b", os.O_CREAT), errno.EINVAL, "sem_open")
        self.assert_fails(lambda: rsipc.sem_open("", os.O_CREAT), errno.EINVAL, "sem_open")
        self.assert_fails(lambda: rsipc.sem_open(name, os.O_CREAT, 0o600, rsipc.SEM_VALUE_MAX + 1),
                          errno.EINVAL, "sem_open")
        s = rsipc.sem_open(name, os.O_CREAT | os.O_EXCL)
        try:
            self.assert_fails(lambda: rsipc.sem_open(name, os.O_CREAT | os.O_EXCL), errno.EEXIST, "sem_open")
        finally:
            rsipc.sem_close(s)
            rsipc.sem_unlink(name)
        self.assert_fails(lambda: rsipc.sem_unlink(name), errno.ENOENT, "sem_unlink")
        self.assertFalse(rsipc.lib.rsipc_sem_open(None, 0, 0, 0))  # a NULL pointer
        self.assertEqual(ctypes.get_errno(), errno.EFAULT)


if __name__ == "__main__":
    unittest.main()
