"""System V message queues through ctypes (dlopen of librsipc.so), beside
glibc's own msgsnd/msgrcv where that makes a differential test."""
import ctypes
import errno
import os
import unittest

import rsipc
from rsipc_testing import RsipcTestCase, glibc, raw_failure
from rsipc import lib

libc = glibc
libc.msgrcv.restype = ctypes.c_ssize_t
libc.msgrcv.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_long, ctypes.c_int]
libc.msgsnd.restype = ctypes.c_int
libc.msgsnd.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]



class MsgTest(RsipcTestCase):
    def setUp(self):
        self.queues = []

    def tearDown(self):
        for msqid in self.queues:
            try:
                rsipc.msg_remove(msqid)
            except OSError:
                pass

    def private(self):
        msqid = rsipc.msgget(rsipc.IPC_PRIVATE, rsipc.IPC_CREAT | 0o600)
        self.queues.append(msqid)
        return msqid


    def test_a_message_comes_back_with_its_type(self):
        q = self.private()
        rsipc.msgsnd(q, 4, b"four")
        self.assertEqual(rsipc.msgrcv(q, 64), (4, b"four"))

    def test_type_selection_zero_positive_negative_and_except(self):
        q = self.private()
        for mtype, text in [(5, b"e"), (3, b"c"), (2, b"b"), (4, b"d")]:
            rsipc.msgsnd(q, mtype, text)
        self.assertEqual(rsipc.msgrcv(q, 8, 4, rsipc.IPC_NOWAIT), (4, b"d"))
        self.assertEqual(rsipc.msgrcv(q, 8, -3, rsipc.IPC_NOWAIT), (2, b"b"))
        self.assertEqual(rsipc.msgrcv(q, 8, 5, rsipc.MSG_EXCEPT | rsipc.IPC_NOWAIT), (3, b"c"))
        self.assertEqual(rsipc.msgrcv(q, 8, 0, rsipc.IPC_NOWAIT), (5, b"e"))

    def test_an_empty_queue_with_ipc_nowait_is_enomsg(self):
        q = self.private()
        self.assert_fails(lambda: rsipc.msgrcv(q, 8, 0, rsipc.IPC_NOWAIT), errno.ENOMSG, "msgrcv")

    def test_e2big_keeps_the_message_and_msg_noerror_truncates(self):
        q = self.private()
        rsipc.msgsnd(q, 1, b"0123456789")
        msg = self.assert_fails(lambda: rsipc.msgrcv(q, 4, 0, rsipc.IPC_NOWAIT), errno.E2BIG, "msgrcv")
        self.assertIn("stays in the queue", msg)
        self.assertEqual(rsipc.msg_stat(q).msg_qnum, 1)
        self.assertEqual(rsipc.msgrcv(q, 4, 0, rsipc.MSG_NOERROR), (1, b"0123"))

    def test_msg_copy_leaves_the_message_queued(self):
        q = self.private()
        rsipc.msgsnd(q, 1, b"a")
        rsipc.msgsnd(q, 2, b"b")
        try:
            self.assertEqual(rsipc.msgrcv(q, 8, 1, rsipc.MSG_COPY | rsipc.IPC_NOWAIT), (2, b"b"))
        except rsipc.RsipcError as e:  # a kernel without CONFIG_CHECKPOINT_RESTORE
            self.assertEqual(e.errno, errno.ENOSYS)
            return
        self.assertEqual(rsipc.msg_stat(q).msg_qnum, 2)
        self.assert_fails(lambda: rsipc.msgrcv(q, 8, 0, rsipc.MSG_COPY), errno.EINVAL, "msgrcv")

    def test_mtype_zero_is_einval(self):
        q = self.private()
        msg = self.assert_fails(lambda: rsipc.msgsnd(q, 0, b"x"), errno.EINVAL, "msgsnd")
        self.assertIn("must be > 0", msg)

    def test_a_message_above_msgmax_is_einval_naming_msgmax(self):
        q = self.private()
        _, info = rsipc.msg_limits()
        msg = self.assert_fails(lambda: rsipc.msgsnd(q, 1, bytes(info.msgmax + 1)), errno.EINVAL, "msgsnd")
        self.assertIn("msgmax", msg)

    def test_a_message_above_msg_qbytes_is_einval_naming_msg_qbytes(self):
        q = self.private()
        ds = rsipc.msg_stat(q)
        ds.msg_qbytes = 10
        rsipc.msg_set(q, ds)
        msg = self.assert_fails(lambda: rsipc.msgsnd(q, 1, bytes(11)), errno.EINVAL, "msgsnd")
        self.assertIn("msg_qbytes (10 bytes)", msg)

    def test_stat_set_limits_usage_and_stat_index(self):
        q = self.private()
        rsipc.msgsnd(q, 1, b"abc")
        ds = rsipc.msg_stat(q)
        self.assertEqual((ds.msg_qnum, ds.msg_cbytes, ds.msg_lspid), (1, 3, os.getpid()))
        ds.msg_perm.mode = 0o640
        rsipc.msg_set(q, ds)
        self.assertEqual(rsipc.msg_stat(q).msg_perm.mode & 0o777, 0o640)
        _, limits = rsipc.msg_limits()
        with open("/proc/sys/kernel/msgmax") as f:
            self.assertEqual(limits.msgmax, int(f.read()))
        highest, usage = rsipc.msg_usage()
        self.assertGreaterEqual(usage.msgpool, 1)
        found = []
        for i in range(highest + 1):
            try:
                found.append(rsipc.msg_stat_index(i, any_permission=True)[0])
            except OSError:
                pass
        self.assertIn(q, found)

    def test_a_glibc_child_and_this_rsipc_process_exchange_messages(self):
        q = self.private()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                buf = ctypes.create_string_buffer(8 + 16)
                n = libc.msgrcv(q, buf, 16, 1, 0)
                if n == 4 and buf.raw[8:12] == b"ping":
                    reply = ctypes.create_string_buffer(8 + 4)
                    ctypes.c_long.from_buffer(reply).value = 2
                    ctypes.memmove(ctypes.addressof(reply) + 8, b"pong", 4)
                    code = 0 if libc.msgsnd(q, reply, 4, 0) == 0 else 2
            finally:
                os._exit(code)
        rsipc.msgsnd(q, 1, b"ping")
        self.assertEqual(rsipc.msgrcv(q, 16, 2), (2, b"pong"))
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)

    def test_null_buffers_and_bad_commands_are_refused(self):
        q = self.private()
        # An empty queue under IPC_NOWAIT is ENOMSG first, as the kernel says.
        result, err, msg = raw_failure(lib.rsipc_msgrcv, q, None, 4, 0, rsipc.IPC_NOWAIT)
        self.assertEqual((result, err), (-1, errno.ENOMSG))
        rsipc.msgsnd(q, 1, b"ping")
        for result, err, msg in [
            raw_failure(lib.rsipc_msgsnd, q, None, 4, 0),
            raw_failure(lib.rsipc_msgrcv, q, None, 4, 0, rsipc.IPC_NOWAIT),
        ]:
            self.assertEqual((result, err), (-1, errno.EFAULT))
            self.assertIn("msgp=NULL", msg)
        # The refused receive took nothing.
        self.assertEqual(rsipc.msgrcv(q, 16, 0), (1, b"ping"))
        result, err, msg = raw_failure(lib.rsipc_msgctl, q, rsipc.IPC_STAT, None)
        self.assertEqual((result, err), (-1, errno.EFAULT))
        self.assertIn("`buf` is NULL", msg)
        result, err, msg = raw_failure(lib.rsipc_msgctl, q, 999, None)
        self.assertEqual((result, err), (-1, errno.EINVAL))
        self.assertTrue(msg.startswith("msgctl(msqid="), msg)

    def test_a_removed_queue_is_einval(self):
        q = rsipc.msgget(rsipc.IPC_PRIVATE, rsipc.IPC_CREAT | 0o600)
        rsipc.msg_remove(q)
        self.assert_fails(lambda: rsipc.msgsnd(q, 1, b"x"), errno.EINVAL, "msgsnd")
        self.assert_fails(lambda: rsipc.msg_stat(q), errno.EINVAL, "msgctl")

    def test_msgget_of_a_missing_key_is_enoent(self):
        key = 0x4E000000 | (os.getpid() & 0xFFFFFF)
        self.assert_fails(lambda: rsipc.msgget(key, 0o600), errno.ENOENT, "msgget")


if __name__ == "__main__":
    unittest.main()
