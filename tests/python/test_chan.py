"""The native message channel through ctypes (dlopen of librsipc.so)."""
import asyncio
import ctypes
import errno
import os
import select
import selectors
import signal
import struct
import unittest

import rsipc


def unique(tag):
    return f"/rsipc-pytest-{os.getpid()}-{tag}"


class ChanTest(unittest.TestCase):
    def setUp(self):
        self.handles = []
        self.names = []

    def tearDown(self):
        for ch in self.handles:
            ch.close()
        for name in self.names:
            try:
                rsipc.chan_unlink(name)
            except OSError:
                pass

    def anon(self, max_msg=64, capacity=8):
        ch = rsipc.Chan.create(None, max_msg, capacity)
        self.handles.append(ch)
        return ch

    def named(self, tag, max_msg=64, capacity=8):
        name = unique(tag)
        self.names.append(name)
        ch = rsipc.Chan.create(name, max_msg, capacity)
        self.handles.append(ch)
        return name, ch

    def assert_fails(self, call, err, name):
        rsipc.clear_error()
        with self.assertRaises(rsipc.RsipcError) as ctx:
            call()
        self.assertEqual(ctx.exception.errno, err)
        self.assertTrue(ctx.exception.strerror.startswith(name + "("), ctx.exception.strerror)
        return ctx.exception.strerror

    def test_messages_round_trip_in_order(self):
        ch = self.anon()
        for msg in [b"one", b"", b"x" * 64]:
            ch.send(msg, 0)
        self.assertEqual([ch.recv(0) for _ in range(3)], [b"one", b"", b"x" * 64])

    def test_stats_account_for_every_message(self):
        ch = self.anon(max_msg=16, capacity=4)
        for _ in range(3):
            ch.send(b"m")
        ch.recv()
        s = ch.stats()
        self.assertEqual(s.as_dict(), {"queued": 2, "capacity": 4, "max_msg": 16, "sent": 3, "received": 1, "lost": 0})

    def test_empty_and_full_are_eagain_and_etimedout(self):
        ch = self.anon(capacity=1)
        self.assertIn("empty", self.assert_fails(lambda: ch.recv(0), errno.EAGAIN, "chan_recv"))
        self.assert_fails(lambda: ch.recv(10), errno.ETIMEDOUT, "chan_recv")
        ch.send(b"a", 0)
        self.assertIn("full", self.assert_fails(lambda: ch.send(b"b", 0), errno.EAGAIN, "chan_send"))
        self.assert_fails(lambda: ch.send(b"b", 10), errno.ETIMEDOUT, "chan_send")

    def test_oversized_message_is_emsgsize(self):
        ch = self.anon(max_msg=8)
        self.assert_fails(lambda: ch.send(b"123456789"), errno.EMSGSIZE, "chan_send")

    def test_a_too_small_buffer_leaves_the_message_queued(self):
        ch = self.anon(max_msg=8)
        ch.send(b"12345")
        buf = ctypes.create_string_buffer(4)
        self.assertEqual(rsipc.lib.rsipc_chan_recv(ch._handle, buf, 4, 0), -1)
        self.assertEqual(ctypes.get_errno(), errno.EMSGSIZE)
        self.assertEqual(ch.recv(0), b"12345")

    def test_bad_arguments_fail_cleanly(self):
        self.assert_fails(lambda: rsipc.Chan.create(None, 0, 4), errno.EINVAL, "chan_create")
        self.assert_fails(lambda: rsipc.Chan.create(None, 8, 0), errno.EINVAL, "chan_create")
        self.assert_fails(lambda: rsipc.Chan.create("noslash", 8, 4), errno.EINVAL, "chan_create")
        self.assert_fails(lambda: rsipc.Chan.open("/" + "n" * 256), errno.ENAMETOOLONG, "chan_open")
        self.assert_fails(lambda: rsipc.chan_unlink(unique("never")), errno.ENOENT, "chan_unlink")
        lib = rsipc.lib
        for call, name in [
            (lambda: lib.rsipc_chan_open(None), "chan_open(name=NULL)"),
            (lambda: lib.rsipc_chan_send(None, b"x", 1, 0), "chan_send(ch=NULL"),
            (lambda: lib.rsipc_chan_recv(None, None, 0, 0), "chan_recv(ch=NULL"),
            (lambda: lib.rsipc_chan_stats(None, None), "chan_stats(ch=NULL"),
            (lambda: lib.rsipc_chan_unlink(None), "chan_unlink(name=NULL)"),
        ]:
            rsipc.clear_error()
            self.assertIn(call(), (None, -1))
            self.assertEqual(ctypes.get_errno(), errno.EFAULT)
            self.assertTrue(rsipc.last_error().startswith(name), rsipc.last_error())
        self.assertEqual(lib.rsipc_chan_close(None), 0)

    def test_a_closed_handle_is_refused_in_python(self):
        ch = rsipc.Chan.create(None, 8, 2)
        ch.close()
        ch.close()
        with self.assertRaises(ValueError):
            ch.send(b"x")

    def test_a_named_channel_is_opened_by_name_and_seen_in_dev_shm(self):
        name, ch = self.named("named")
        self.assertTrue(os.path.exists("/dev/shm" + name))
        self.assert_fails(lambda: rsipc.Chan.create(name, 64, 8), errno.EEXIST, "chan_create")
        with rsipc.Chan.open(name) as other:
            self.assertEqual((other.max_msg, other.capacity), (64, 8))
            other.send(b"through the name")
            self.assertEqual(ch.recv(0), b"through the name")
            rsipc.chan_unlink(name)
            self.names.remove(name)
            self.assertFalse(os.path.exists("/dev/shm" + name))
            self.assert_fails(lambda: rsipc.Chan.open(name), errno.ENOENT, "chan_open")
            ch.send(b"still works")
            self.assertEqual(other.recv(0), b"still works")

    def test_a_file_that_is_not_a_channel_is_einval(self):
        name = unique("foreign")
        path = "/dev/shm" + name
        with open(path, "wb") as f:
            f.write(b"\x01" * 4096)
        try:
            self.assertIn("not an rsipc channel", self.assert_fails(lambda: rsipc.Chan.open(name), errno.EINVAL, "chan_open"))
        finally:
            os.unlink(path)

    def test_forked_producers_reach_the_parent_in_order(self):
        ch = self.anon(max_msg=8, capacity=4)
        pids = []
        for p in range(2):
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    for i in range(300):
                        ch.send(struct.pack("<II", p, i), 10000)
                except BaseException:
                    code = 1
                os._exit(code)
            pids.append(pid)
        nxt = [0, 0]
        for _ in range(600):
            p, i = struct.unpack("<II", ch.recv(10000))
            self.assertEqual(i, nxt[p])
            nxt[p] += 1
        for pid in pids:
            self.assertEqual(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), 0)
        s = ch.stats()
        self.assertEqual((s.sent, s.received, s.lost, s.queued), (600, 600, 0, 0))

    def test_a_receiver_killed_while_blocked_leaves_the_channel_working(self):
        ch = self.anon(max_msg=8, capacity=2)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            os.write(w, b"r")
            try:
                ch.recv(-1)
            finally:
                os._exit(1)
        os.close(w)
        self.assertEqual(os.read(r, 1), b"r")
        os.close(r)
        os.kill(pid, signal.SIGKILL)
        self.assertEqual(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), -signal.SIGKILL)
        ch.send(b"after", 0)
        self.assertEqual(ch.recv(0), b"after")

    def fork_sender(self, name, batches):
        """A child that opens ``name`` and, for each byte read from the
        returned pipe, sends the next batch of messages; returns (pid, go)."""
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.close(w)
                with rsipc.Chan.open(name) as ch:
                    for batch in batches:
                        if os.read(r, 1) != b"g":
                            break
                        for msg in batch:
                            ch.send(msg, 10000)
                    else:
                        code = 0
            finally:
                os._exit(code)
        os.close(r)
        return pid, w

    def test_loans_and_borrows_are_memoryviews_in_the_channel(self):
        ch = self.anon(max_msg=4096, capacity=4)
        with ch.loan(5) as buf:
            self.assertIsInstance(buf, memoryview)
            self.assertEqual((len(buf), buf.readonly), (5, False))
            buf[:] = b"hello"
        loan = ch.loan(4096)
        with loan as buf:
            self.assertEqual(loan.address % 64, 0)
            buf[:3] = b"abc"
            loan.publish(3)
        with ch.borrow(0) as msg:
            self.assertEqual((bytes(msg), msg.readonly), (b"hello", True))
        b = ch.borrow(0)
        self.assertEqual((bytes(b), len(b), b.address % 64), (b"abc", 3, 0))
        b.release()
        # The views end with the loan and the borrow.
        with self.assertRaises(ValueError):
            buf[0]
        with self.assertRaises(ValueError):
            b.buf[0]
        st = ch.stats()
        self.assertEqual((st.sent, st.received, st.lost, st.queued), (2, 2, 0, 0))

    def test_a_loan_whose_block_raises_is_given_back(self):
        ch = self.anon(max_msg=64, capacity=2)
        with self.assertRaises(KeyError):
            with ch.loan(8) as buf:
                buf[:4] = b"half"
                raise KeyError("abandoned")
        self.assert_fails(lambda: ch.borrow(0), errno.EAGAIN, "chan_recv_borrow")
        st = ch.stats()
        self.assertEqual((st.sent, st.received, st.queued), (0, 0, 0))

    def test_loan_misuse_is_an_error(self):
        ch = self.anon(max_msg=64, capacity=2)
        self.assert_fails(lambda: ch.loan(65, 0), errno.EMSGSIZE, "chan_loan")
        loan = ch.loan(8)
        self.assert_fails(lambda: loan.publish(9), errno.EMSGSIZE, "chan_publish")
        loan.publish(8)
        with self.assertRaises(ValueError):
            loan.publish(8)
        b = ch.borrow(0)
        b.release()
        with self.assertRaises(ValueError):
            b.release()

    def test_a_child_killed_holding_a_borrow_is_counted_lost(self):
        ch = self.anon(max_msg=1024, capacity=2)
        ch.send(b"taken", 0)
        ready, go = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                with ch.borrow(-1):
                    os.write(go, b"y")
                    signal.pause()
            finally:
                os._exit(1)
        self.assertEqual(os.read(ready, 1), b"y")
        os.kill(pid, signal.SIGKILL)
        self.assertEqual(os.waitpid(pid, 0)[1] & 0x7F, signal.SIGKILL)
        os.close(ready)
        os.close(go)
        with ch.loan(4) as buf:
            buf[:] = b"next"
        with ch.borrow(-1) as msg:
            self.assertEqual(bytes(msg), b"next")
        st = ch.stats()
        self.assertEqual((st.sent, st.received, st.lost, st.queued), (2, 1, 1, 0))


    def test_pollfd_works_with_selectors_level_triggered(self):
        name, ch = self.named("poll-sel", max_msg=8, capacity=4)
        fd = ch.pollfd(select.POLLIN)
        self.assertEqual(ch.pollfd(select.POLLIN), fd)
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_READ)
        try:
            self.assertEqual(sel.select(0), [])
            pid, go = self.fork_sender(name, [[b"a"], [b"b", b"c"]])
            got = []
            for want in (1, 3):
                os.write(go, b"g")
                while len(got) < want:
                    self.assertEqual(len(sel.select(None)), 1)
                    while True:
                        try:
                            got.append(ch.recv(0))
                        except rsipc.RsipcError as e:
                            self.assertEqual(e.errno, errno.EAGAIN)
                            break
            os.close(go)
            self.assertEqual(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), 0)
            self.assertEqual(got, [b"a", b"b", b"c"])
            # Drained by the EAGAIN, nothing in flight: not readable.
            self.assertEqual(sel.select(0), [])
        finally:
            sel.close()
        self.assert_fails(lambda: ch.pollfd(0), errno.EINVAL, "chan_pollfd")

    def test_recv_async_waits_in_the_event_loop(self):
        name, ch = self.named("poll-async", max_msg=8, capacity=2)
        pid, go = self.fork_sender(name, [[b"%d" % i for i in range(5)]])

        async def main():
            # Another task keeps running while recv_async waits: the loop
            # is never blocked.
            ticks = []

            async def ticker():
                while True:
                    ticks.append(1)
                    await asyncio.sleep(0)

            t = asyncio.ensure_future(ticker())
            first = asyncio.ensure_future(ch.recv_async())
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            self.assertFalse(first.done())
            os.write(go, b"g")
            got = [await first] + [await ch.recv_async() for _ in range(4)]
            t.cancel()
            self.assertTrue(ticks)
            return got

        self.assertEqual(asyncio.run(main()), [b"0", b"1", b"2", b"3", b"4"])
        os.close(go)
        self.assertEqual(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), 0)

    def test_send_async_waits_for_room(self):
        ch = self.anon(max_msg=8, capacity=1)
        ch.send(b"full", 0)

        async def main():
            pending = asyncio.ensure_future(ch.send_async(b"next"))
            await asyncio.sleep(0)
            self.assertFalse(pending.done())
            self.assertEqual(await ch.recv_async(), b"full")
            await pending
            return await ch.recv_async()

        self.assertEqual(asyncio.run(main()), b"next")


if __name__ == "__main__":
    unittest.main()
