"""POSIX message queues through ctypes (dlopen of librsipc.so), beside
glibc's own mq_* where that makes a differential test."""
import ctypes
import errno
import os
import signal
import threading
import time
import unittest

import rsipc
from rsipc_testing import RsipcTestCase, glibc, raw_failure
from rsipc import lib

libc = glibc
libc.mq_open.restype = ctypes.c_int
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.mq_send.restype = ctypes.c_int
libc.mq_send.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint]
libc.mq_receive.restype = ctypes.c_ssize_t
libc.mq_receive.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint)]



class MqTest(RsipcTestCase):
    counter = 0

    def setUp(self):
        self.opened = []
        self.names = []

    def tearDown(self):
        for mqd in self.opened:
            try:
                rsipc.mq_close(mqd)
            except OSError:
                pass
        for name in self.names:
            try:
                rsipc.mq_unlink(name)
            except OSError:
                pass

    def new_queue(self, maxmsg=4, msgsize=32):
        MqTest.counter += 1
        name = f"/rsipc-py-{os.getpid()}-{MqTest.counter}"
        mqd = rsipc.mq_open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600, (maxmsg, msgsize))
        self.names.append(name)
        self.opened.append(mqd)
        return name, mqd


    def test_priorities_come_out_highest_first(self):
        _, q = self.new_queue()
        for data, prio in [(b"low", 1), (b"high", 9), (b"low2", 1)]:
            rsipc.mq_send(q, data, prio)
        self.assertEqual([rsipc.mq_receive(q) for _ in range(3)], [(b"high", 9), (b"low", 1), (b"low2", 1)])

    def test_getattr_and_setattr(self):
        _, q = self.new_queue(3, 48)
        rsipc.mq_send(q, b"x")
        a = rsipc.mq_getattr(q)
        self.assertEqual((a.mq_flags, a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs), (0, 3, 48, 1))
        self.assertEqual(rsipc.mq_setattr(q, os.O_NONBLOCK).mq_flags, 0)
        rsipc.mq_receive(q)
        self.assert_fails(lambda: rsipc.mq_receive(q), errno.EAGAIN, "mq_receive")
        self.assert_fails(lambda: rsipc.mq_setattr(q, os.O_APPEND), errno.EINVAL, "mq_setattr")

    def test_timedreceive_times_out(self):
        _, q = self.new_queue()
        msg = self.assert_fails(lambda: rsipc.mq_timedreceive(q, time.time() + 0.02), errno.ETIMEDOUT, "mq_timedreceive")
        self.assertIn("abs_timeout", msg)

    def test_bad_tv_nsec_is_einval(self):
        _, q = self.new_queue()
        rsipc.mq_send(q, b"x")
        bad = rsipc.Timespec(0, 1_000_000_000)
        self.assert_fails(lambda: rsipc.mq_timedreceive(q, bad), errno.EINVAL, "mq_timedreceive")
        self.assert_fails(lambda: rsipc.mq_timedsend(q, b"y", 0, bad), errno.EINVAL, "mq_timedsend")

    def test_size_and_priority_limits(self):
        _, q = self.new_queue(2, 8)
        msg = self.assert_fails(lambda: rsipc.mq_send(q, bytes(9)), errno.EMSGSIZE, "mq_send")
        self.assertIn("mq_msgsize (8)", msg)
        self.assert_fails(lambda: rsipc.mq_send(q, b"x", rsipc.MQ_PRIO_MAX), errno.EINVAL, "mq_send")
        rsipc.mq_send(q, b"x")
        self.assert_fails(lambda: rsipc.mq_receive(q, 4), errno.EMSGSIZE, "mq_receive")

    def test_name_rules(self):
        self.assert_fails(lambda: rsipc.mq_open("no-slash", os.O_RDONLY), errno.EINVAL, "mq_open")
        self.assert_fails(lambda: rsipc.mq_open("/a/b", os.O_RDWR | os.O_CREAT), errno.EACCES, "mq_open")
        self.assert_fails(lambda: rsipc.mq_open("/" + "x" * 256, os.O_RDONLY), errno.ENAMETOOLONG, "mq_open")
        self.assert_fails(lambda: rsipc.mq_unlink(f"/rsipc-py-{os.getpid()}-missing"), errno.ENOENT, "mq_unlink")

    def test_bad_attributes_are_einval(self):
        MqTest.counter += 1
        name = f"/rsipc-py-{os.getpid()}-{MqTest.counter}"
        msg = self.assert_fails(lambda: rsipc.mq_open(name, os.O_CREAT | os.O_RDWR, 0o600, (0, 8)), errno.EINVAL,
                                "mq_open")
        self.assertIn("mq_maxmsg 0", msg)

    def test_unlink_then_open_is_enoent(self):
        name, q = self.new_queue()
        rsipc.mq_unlink(name)
        self.names.remove(name)
        self.assert_fails(lambda: rsipc.mq_open(name, os.O_RDONLY), errno.ENOENT, "mq_open")

    def test_null_pointers_are_efault(self):
        _, q = self.new_queue()
        for result, err in [
            raw_failure(lib.rsipc_mq_open, None, os.O_RDONLY, 0, None)[:2],
            raw_failure(lib.rsipc_mq_unlink, None)[:2],
            raw_failure(lib.rsipc_mq_send, q, None, 4, 0)[:2],
            raw_failure(lib.rsipc_mq_receive, q, None, 32, None)[:2],
            raw_failure(lib.rsipc_mq_getattr, q, None)[:2],
            raw_failure(lib.rsipc_mq_setattr, q, None, None)[:2],
        ]:
            self.assertEqual((result, err), (-1, errno.EFAULT))
        self.assertNotEqual(rsipc.last_error(), "")

    def test_a_closed_descriptor_is_ebadf(self):
        _, q = self.new_queue()
        rsipc.mq_close(q)
        self.opened.remove(q)
        msg = self.assert_fails(lambda: rsipc.mq_send(q, b"x"), errno.EBADF, "mq_send")
        self.assertIn("not open", msg)

    def test_notify_signal_delivers_the_signal(self):
        _, q = self.new_queue()
        got = []
        old = signal.signal(signal.SIGUSR1, lambda signo, frame: got.append(signo))
        try:
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
            rsipc.mq_notify(q, rsipc.SIGEV_SIGNAL, signo=signal.SIGUSR1, value=7)
            rsipc.mq_send(q, b"wake")
            info = signal.sigtimedwait([signal.SIGUSR1], 60)
            self.assertIsNotNone(info)
            self.assertEqual(info.si_signo, signal.SIGUSR1)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR1])
            signal.signal(signal.SIGUSR1, old)

    def test_notify_thread_calls_the_function(self):
        _, q = self.new_queue()
        called = threading.Event()
        values = []

        def on_message(value):
            values.append(value)
            called.set()

        rsipc.mq_notify(q, rsipc.SIGEV_THREAD, value=1234, function=on_message)
        rsipc.mq_send(q, b"wake")
        self.assertTrue(called.wait(60))
        self.assertEqual(values, [1234])

    def test_a_second_registration_is_ebusy_and_none_unregisters(self):
        _, q = self.new_queue()
        rsipc.mq_notify(q, rsipc.SIGEV_NONE)
        msg = self.assert_fails(lambda: rsipc.mq_notify(q, rsipc.SIGEV_NONE), errno.EBUSY, "mq_notify")
        self.assertIn("already registered", msg)
        rsipc.mq_notify(q, None)
        rsipc.mq_notify(q, rsipc.SIGEV_NONE)
        self.assert_fails(lambda: rsipc.mq_notify(q, 99), errno.EINVAL, "mq_notify")

    def test_a_glibc_child_and_this_rsipc_process_exchange_messages(self):
        name, q = self.new_queue()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                g = libc.mq_open(os.fsencode(name), os.O_RDWR)
                buf = ctypes.create_string_buffer(32)
                prio = ctypes.c_uint()
                if g >= 0 and libc.mq_receive(g, buf, 32, ctypes.byref(prio)) == 4 and buf.raw[:4] == b"ping" \
                        and prio.value == 3:
                    code = 0 if libc.mq_send(g, b"pong", 4, 8) == 0 else 2
            finally:
                os._exit(code)
        rsipc.mq_send(q, b"ping", 3)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        self.assertEqual(rsipc.mq_receive(q), (b"pong", 8))


if __name__ == "__main__":
    unittest.main()
