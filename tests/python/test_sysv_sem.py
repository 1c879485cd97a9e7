"""System V semaphores through ctypes (dlopen of librsipc.so)."""
import ctypes
import errno
import os
import time
import unittest

import rsipc
from rsipc_testing import RsipcTestCase


class SysvSemTest(RsipcTestCase):
    def setUp(self):
        self.ids = []

    def tearDown(self):
        for semid in self.ids:
            try:
                rsipc.semctl_rmid(semid)
            except OSError:
                pass

    def new_set(self, nsems):
        semid = rsipc.semget(rsipc.IPC_PRIVATE, nsems, 0o600)
        self.ids.append(semid)
        return semid


    def test_values_ops_and_stat(self):
        semid = self.new_set(3)
        rsipc.semctl_setall(semid, [1, 2, 3])
        rsipc.semop(semid, [(0, -1, 0), (2, 2, 0)])
        self.assertEqual(rsipc.semctl_getall(semid), [0, 2, 5])
        rsipc.semctl_setval(semid, 1, 9)
        self.assertEqual(rsipc.semctl_getval(semid, 1), 9)
        self.assertEqual(rsipc.semctl_getpid(semid, 0), os.getpid())
        ds = rsipc.semctl_stat(semid)
        self.assertEqual(ds.sem_nsems, 3)
        self.assertEqual(ds.sem_perm.mode & 0o777, 0o600)
        ds.sem_perm.mode = 0o640
        rsipc.semctl_set(semid, ds)
        self.assertEqual(rsipc.semctl_stat(semid).sem_perm.mode & 0o777, 0o640)

    def test_info_and_sem_stat_any_find_the_set(self):
        semid = self.new_set(1)
        top, info = rsipc.semctl_info(used=True)
        self.assertGreaterEqual(info.semusz, 1)
        self.assertEqual(rsipc.semctl_info()[1].semvmx, 32767)
        found = [i for i in range(top + 1) if self._stat_any(i) == semid]
        self.assertEqual(len(found), 1)

    def _stat_any(self, index):
        try:
            return rsipc.semctl_sem_stat(index, any=True)[0]
        except OSError:
            return None

    def test_nowait_and_timeout_are_eagain(self):
        semid = self.new_set(1)
        self.assert_fails(lambda: rsipc.semop(semid, [(0, -1, rsipc.IPC_NOWAIT)]), errno.EAGAIN, "semop")
        self.assert_fails(lambda: rsipc.semtimedop(semid, [(0, -1, 0)], 0.02), errno.EAGAIN, "semtimedop")
        self.assert_fails(lambda: rsipc.semtimedop(semid, [(0, -1, 0)], (0, -1)), errno.EINVAL, "semtimedop")

    def test_a_blocked_child_shows_in_getncnt_and_v_releases_it(self):
        semid = self.new_set(1)
        pid = os.fork()
        if pid == 0:
            try:
                rsipc.semop(semid, [(0, -1, 0)])
                os._exit(0)
            except BaseException:
                os._exit(1)
        deadline = time.monotonic() + 20
        while rsipc.semctl_getncnt(semid, 0) != 1 and time.monotonic() < deadline:
            time.sleep(0.001)
        self.assertEqual(rsipc.semctl_getncnt(semid, 0), 1)
        rsipc.semop(semid, [(0, 1, 0)])
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)

    def test_sem_undo_is_reverted_at_exit(self):
        semid = self.new_set(1)
        pid = os.fork()
        if pid == 0:
            try:
                rsipc.semop(semid, [(0, 4, rsipc.SEM_UNDO)])
                os._exit(0)
            except BaseException:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        self.assertEqual(rsipc.semctl_getval(semid, 0), 0)

    def test_bad_input(self):
        semid = self.new_set(2)
        self.assert_fails(lambda: rsipc.semget(rsipc.IPC_PRIVATE, -1, 0o600), errno.EINVAL, "semget")
        self.assert_fails(lambda: rsipc.semop(semid, []), errno.EINVAL, "semop")
        self.assert_fails(lambda: rsipc.semop(semid, [(7, 1, 0)]), errno.EFBIG, "semop")
        self.assert_fails(lambda: rsipc.semctl(semid, 0, 999), errno.EINVAL, "semctl")
        for cmd in (rsipc.IPC_STAT, rsipc.IPC_SET, rsipc.GETALL, rsipc.SETALL, rsipc.IPC_INFO, rsipc.SEM_INFO,
                    rsipc.SEM_STAT, rsipc.SEM_STAT_ANY):
            self.assert_fails(lambda: rsipc.semctl(semid, 0, cmd, None), errno.EFAULT, "semctl")
        self.assert_fails(lambda: rsipc.semctl_setval(semid, 0, 40000), errno.ERANGE, "semctl")
        self.assert_fails(lambda: rsipc.semctl_getval(semid, 5), errno.EINVAL, "semctl")
        self.assertEqual(rsipc.lib.rsipc_semop(semid, None, 1), -1)
        self.assertEqual(ctypes.get_errno(), errno.EFAULT)
        rsipc.semctl_rmid(semid)
        self.assert_fails(lambda: rsipc.semctl_getval(semid, 0), errno.EINVAL, "semctl")


if __name__ == "__main__":
    unittest.main()
