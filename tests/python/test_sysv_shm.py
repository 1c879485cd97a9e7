"""System V keys and shared memory through ctypes (dlopen of librsipc.so),
beside glibc's own ftok/shmget where that makes a differential test."""
import ctypes
import errno
import os
import tempfile
import unittest

import rsipc
from rsipc_testing import RsipcTestCase, glibc, needs_root, raw_failure
from rsipc import lib

libc = glibc
libc.ftok.restype = ctypes.c_int
libc.ftok.argtypes = [ctypes.c_char_p, ctypes.c_int]


def glibc_ftok(path, proj_id):
    return libc.ftok(os.fsencode(path), proj_id)



class SysvShmTest(RsipcTestCase):
    def setUp(self):
        self.segments = []
        self.attachments = []
        fd, self.key_file = tempfile.mkstemp(prefix=f"rsipc-py-shm-{os.getpid()}-")
        os.close(fd)

    def tearDown(self):
        for addr in self.attachments:
            try:
                rsipc.shmdt(addr)
            except OSError:
                pass
        for shmid in self.segments:
            try:
                rsipc.shm_remove(shmid)
            except OSError:
                pass
        os.unlink(self.key_file)

    def private(self, size=4096, mode=0o600):
        shmid = rsipc.shmget(rsipc.IPC_PRIVATE, size, rsipc.IPC_CREAT | mode)
        self.segments.append(shmid)
        return shmid

    def attach(self, shmid, flags=0):
        addr = rsipc.shmat(shmid, None, flags)
        self.attachments.append(addr)
        return addr

    def detach(self, addr):
        rsipc.shmdt(addr)
        self.attachments.remove(addr)

    # --- ftok -------------------------------------------------------------

    def test_ftok_equals_glibcs_for_several_paths_and_ids(self):
        for path in ["/", "/tmp", "/dev/null", "/proc/self", self.key_file]:
            for proj_id in [0, 1, ord("A"), 0x7F, 0x80, 0xFF, 0x1AB, -1]:
                with self.subTest(path=path, proj_id=proj_id):
                    self.assertEqual(rsipc.ftok(path, proj_id), glibc_ftok(path, proj_id))

    def test_ftok_is_the_inode_device_and_project_formula(self):
        st = os.stat(self.key_file)
        expect = (st.st_ino & 0xFFFF) | ((st.st_dev & 0xFF) << 16) | (0x52 << 24)
        self.assertEqual(rsipc.ftok(self.key_file, 0x52), expect)

    def test_ftok_of_a_missing_path_is_enoent_naming_it(self):
        with self.assertRaises(rsipc.RsipcError) as cm:
            rsipc.ftok("/no/such/rsipc-file", 1)
        self.assertEqual(cm.exception.errno, errno.ENOENT)
        self.assertIn('"/no/such/rsipc-file" does not exist', cm.exception.strerror)
        self.assertTrue(cm.exception.strerror.startswith("ftok("))

    def test_ftok_of_a_null_path_is_efault(self):
        result, err, msg = raw_failure(lib.rsipc_ftok, None, 1)
        self.assertEqual((result, err), (-1, errno.EFAULT))
        self.assertTrue(msg.startswith("ftok(path=NULL"), msg)

    # --- shmget / shmat / shmdt -------------------------------------------

    def test_write_through_one_attachment_read_through_another(self):
        shmid = self.private()
        a = self.attach(shmid)
        b = self.attach(shmid, rsipc.SHM_RDONLY)
        rsipc.shm_write(a, b"hello, world", 10)
        self.assertEqual(rsipc.shm_read(b, 12, 10), b"hello, world")
        self.assertEqual(rsipc.shm_stat(shmid).shm_nattch, 2)

    def test_stat_reports_size_mode_and_creator(self):
        shmid = self.private(5000, 0o640)
        ds = rsipc.shm_stat(shmid)
        self.assertEqual(ds.shm_segsz, 5000)
        self.assertEqual(ds.shm_perm.mode & 0o777, 0o640)
        self.assertEqual(ds.shm_cpid, os.getpid())

    def test_shmget_ipc_excl_on_a_taken_key_is_eexist_with_the_message(self):
        key = rsipc.ftok(self.key_file, 1)
        shmid = rsipc.shmget(key, 4096, rsipc.IPC_CREAT | rsipc.IPC_EXCL | 0o644)
        self.segments.append(shmid)
        with self.assertRaises(rsipc.RsipcError) as cm:
            rsipc.shmget(key, 4096, rsipc.IPC_CREAT | rsipc.IPC_EXCL | 0o644)
        self.assertEqual(cm.exception.errno, errno.EEXIST)
        self.assertEqual(
            cm.exception.strerror,
            f"shmget(key={key:#x}, size=4096, flags=IPC_CREAT|IPC_EXCL|0644): EEXIST: a segment with this key already exists",
        )

    def test_shmget_larger_than_the_existing_segment_is_einval(self):
        key = rsipc.ftok(self.key_file, 2)
        self.segments.append(rsipc.shmget(key, 4096, rsipc.IPC_CREAT | rsipc.IPC_EXCL | 0o600))
        with self.assertRaises(rsipc.RsipcError) as cm:
            rsipc.shmget(key, 8192)
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertIn("has 4096 bytes", cm.exception.strerror)

    def test_shmget_of_a_removed_key_without_ipc_creat_is_enoent(self):
        key = rsipc.ftok(self.key_file, 3)
        rsipc.shm_remove(rsipc.shmget(key, 4096, rsipc.IPC_CREAT | rsipc.IPC_EXCL | 0o600))
        with self.assertRaises(rsipc.RsipcError) as cm:
            rsipc.shmget(key, 4096)
        self.assertEqual(cm.exception.errno, errno.ENOENT)

    def test_shmat_of_a_removed_segment_is_einval_or_eidrm(self):
        shmid = rsipc.shmget(rsipc.IPC_PRIVATE, 4096, rsipc.IPC_CREAT | 0o600)
        rsipc.shm_remove(shmid)
        with self.assertRaises(rsipc.RsipcError) as cm:
            rsipc.shmat(shmid)
        self.assertIn(cm.exception.errno, (errno.EINVAL, errno.EIDRM))
        self.assertIn(f"no segment has id {shmid}", cm.exception.strerror)

    def test_shmat_of_an_unaligned_address_without_shm_rnd_is_einval(self):
        shmid = self.private()
        with self.assertRaises(rsipc.RsipcError) as cm:
            rsipc.shmat(shmid, 0x10001)
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertIn("SHMLBA", cm.exception.strerror)

    def test_shmdt_of_an_address_that_is_not_an_attachment_is_einval(self):
        buf = ctypes.create_string_buffer(64)
        with self.assertRaises(rsipc.RsipcError) as cm:
            rsipc.shmdt(ctypes.addressof(buf))
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        result, err, msg = raw_failure(lib.rsipc_shmdt, None)
        self.assertEqual((result, err), (-1, errno.EINVAL))
        self.assertTrue(msg.startswith("shmdt(shmaddr=NULL)"), msg)

    def test_a_removed_segment_stays_usable_until_the_last_detach(self):
        shmid = rsipc.shmget(rsipc.IPC_PRIVATE, 4096, rsipc.IPC_CREAT | 0o600)
        addr = self.attach(shmid)
        rsipc.shm_write(addr, b"alive")
        rsipc.shm_remove(shmid)
        ds = rsipc.shm_stat(shmid)
        self.assertTrue(ds.shm_perm.mode & rsipc.SHM_DEST)
        self.assertEqual(rsipc.shm_read(addr, 5), b"alive")
        self.detach(addr)
        with self.assertRaises(rsipc.RsipcError) as cm:
            rsipc.shm_stat(shmid)
        self.assertIn(cm.exception.errno, (errno.EINVAL, errno.EIDRM))

    # --- shmctl -------------------------------------------------------------

    def test_null_buffers_are_efault_for_the_commands_that_need_one(self):
        shmid = self.private()
        for cmd, target in [(rsipc.IPC_STAT, shmid), (rsipc.IPC_SET, shmid), (rsipc.IPC_INFO, 0),
                            (rsipc.SHM_INFO, 0)]:
            with self.subTest(cmd=cmd):
                result, err, msg = raw_failure(lib.rsipc_shmctl, target, cmd, None)
                self.assertEqual((result, err), (-1, errno.EFAULT))
                self.assertIn("`buf` is NULL", msg)

    def test_an_unknown_command_is_einval(self):
        ds = rsipc.ShmidDs()
        with self.assertRaises(rsipc.RsipcError) as cm:
            rsipc.shmctl(0, 999, ds)
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertIn("unknown command 999", cm.exception.strerror)

    def test_a_negative_shmid_is_einval(self):
        with self.assertRaises(rsipc.RsipcError) as cm:
            rsipc.shm_stat(-1)
        self.assertEqual(cm.exception.errno, errno.EINVAL)

    def test_limits_and_usage(self):
        self.private(3 * 4096)
        _, limits = rsipc.shm_limits()
        self.assertEqual(limits.shmmin, 1)
        with open("/proc/sys/kernel/shmmni") as f:
            self.assertEqual(limits.shmmni, int(f.read()))
        _, usage = rsipc.shm_usage()
        self.assertGreaterEqual(usage.used_ids, 1)
        self.assertGreaterEqual(usage.shm_tot, 3)

    def test_shm_stat_finds_the_segment_by_index(self):
        shmid = self.private()
        highest, _ = rsipc.shm_usage()
        found = []
        for index in range(highest + 1):
            try:
                got, ds = rsipc.shm_stat_index(index)
            except rsipc.RsipcError:
                continue
            if got == shmid:
                found.append(ds.shm_segsz)
        self.assertEqual(found, [4096])

    def test_ipc_set_changes_the_mode(self):
        shmid = self.private()
        ds = rsipc.shm_stat(shmid)
        ds.shm_perm.mode = 0o604
        rsipc.shm_set(shmid, ds)
        self.assertEqual(rsipc.shm_stat(shmid).shm_perm.mode & 0o777, 0o604)

    def test_lock_and_unlock(self):
        shmid = self.private()
        rsipc.shm_lock(shmid)
        self.assertTrue(rsipc.shm_stat(shmid).shm_perm.mode & rsipc.SHM_LOCKED)
        rsipc.shm_unlock(shmid)
        self.assertFalse(rsipc.shm_stat(shmid).shm_perm.mode & rsipc.SHM_LOCKED)

    # --- processes ----------------------------------------------------------

    def fork(self, child):
        pid = os.fork()
        if pid == 0:
            code = 99
            try:
                code = child()
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)

    def test_a_child_finds_the_segment_by_key_and_answers(self):
        key = rsipc.ftok(self.key_file, 4)
        shmid = rsipc.shmget(key, 4096, rsipc.IPC_CREAT | rsipc.IPC_EXCL | 0o600)
        self.segments.append(shmid)
        addr = self.attach(shmid)
        rsipc.shm_write(addr, b"ping")

        def child():
            q = rsipc.shmat(rsipc.shmget(rsipc.ftok(self.key_file, 4), 0), None, 0)
            if rsipc.shm_read(q, 4) != b"ping":
                return 1
            rsipc.shm_write(q, b"pong", 100)
            rsipc.shmdt(q)
            return 0

        self.assertEqual(self.fork(child), 0)
        self.assertEqual(rsipc.shm_read(addr, 4, 100), b"pong")

    @needs_root("no other user to be")
    def test_an_unprivileged_child_gets_eacces_and_eperm(self):
        key = rsipc.ftok(self.key_file, 5)
        shmid = rsipc.shmget(key, 4096, rsipc.IPC_CREAT | rsipc.IPC_EXCL | 0o600)
        self.segments.append(shmid)

        def child():
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            for step, call, expected in [
                (10, lambda: rsipc.shmget(key, 0, 0o400), errno.EACCES),
                (11, lambda: rsipc.shmat(shmid, None, rsipc.SHM_RDONLY), errno.EACCES),
                (12, lambda: rsipc.shm_stat(shmid), errno.EACCES),
                (13, lambda: rsipc.shm_remove(shmid), errno.EPERM),
            ]:
                try:
                    call()
                    return step
                except rsipc.RsipcError as e:
                    if e.errno != expected or not e.strerror:
                        return step
            return 0

        self.assertEqual(self.fork(child), 0)
        self.assertEqual(rsipc.shm_stat(shmid).shm_segsz, 4096)


if __name__ == "__main__":
    unittest.main()
