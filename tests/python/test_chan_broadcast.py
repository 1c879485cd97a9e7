"""Broadcast (publish-subscribe) channels through ctypes: every subscriber
receives every message; both policies; a SIGKILLed subscriber process stops
counting; misuse raises RsipcError with the C errno."""
import errno
import os
import signal
import struct
import unittest

import rsipc


def unique(tag):
    return f"/rsipc-pytest-{os.getpid()}-bc-{tag}"


class BroadcastTest(unittest.TestCase):
    def setUp(self):
        self.names = []

    def tearDown(self):
        for name in self.names:
            try:
                rsipc.chan_unlink(name)
            except OSError:
                pass

    def create(self, tag, policy, capacity=4):
        name = unique(tag)
        self.names.append(name)
        return name, rsipc.Broadcast.create(name, max_msg=16, capacity=capacity, policy=policy)

    def test_every_subscriber_receives_every_message(self):
        for policy in (rsipc.BLOCK_PUBLISHER, rsipc.DROP_OLDEST):
            name, pub = self.create(f"all{policy}", policy)
            with pub, rsipc.Broadcast.subscribe(name) as a, rsipc.chan_subscribe(name) as b:
                for i in range(4):
                    pub.send(struct.pack("<Q", i), 0)
                for sub in (a, b):
                    self.assertEqual([struct.unpack("<Q", sub.recv(0))[0] for _ in range(4)], [0, 1, 2, 3])
                    st = sub.stats()
                    self.assertEqual((st.published, st.received, st.lost, st.pending, st.subscribers), (4, 4, 0, 0, 2))
            rsipc.chan_unlink(name)
            self.names.remove(name)

    def test_block_publisher_waits_and_drop_oldest_counts(self):
        name, pub = self.create("block", rsipc.BLOCK_PUBLISHER)
        with pub, rsipc.Broadcast.subscribe(name) as sub:
            for i in range(4):
                pub.send(b"%d" % i, 0)
            with self.assertRaises(rsipc.RsipcError) as ctx:
                pub.send(b"4", 0)
            self.assertEqual(ctx.exception.errno, errno.EAGAIN)
            self.assertEqual(sub.recv(0), b"0")
            pub.send(b"4", 0)
        name, pub = self.create("drop", rsipc.DROP_OLDEST)
        with pub, rsipc.Broadcast.subscribe(name) as sub:
            for i in range(10):
                pub.send(b"%d" % i, 0)
            got = []
            while True:
                try:
                    got.append(sub.recv(0))
                except rsipc.RsipcError as e:
                    self.assertEqual(e.errno, errno.EAGAIN)
                    break
            self.assertEqual(got, [b"6", b"7", b"8", b"9"])
            st = sub.stats()
            self.assertEqual((st.received, st.lost), (4, 6))

    def test_a_killed_subscriber_stops_counting(self):
        name, pub = self.create("kill", rsipc.BLOCK_PUBLISHER, capacity=2)
        ready_r, ready_w = os.pipe()
        hold_r, hold_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                sub = rsipc.Broadcast.subscribe(name)
                os.write(ready_w, b"s")
                os.read(hold_r, 1)  # never comes: killed here, subscribed
                sub.close()
            finally:
                os._exit(1)
        self.assertEqual(os.read(ready_r, 1), b"s")
        self.assertEqual(pub.stats().subscribers, 1)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        self.assertTrue(os.WIFSIGNALED(status))
        for fd in (ready_r, ready_w, hold_r, hold_w):
            os.close(fd)
        with pub:
            for i in range(10):
                pub.send(b"%d" % i, 10000)
            # The dead subscriber stopped counting: the publisher went past a
            # full channel and freed its entry.
            st = pub.stats()
            self.assertEqual((st.published, st.subscribers), (10, 0))

    def test_iterating_a_subscriber_ends_when_the_publisher_is_gone(self):
        name, pub = self.create("gone", rsipc.BLOCK_PUBLISHER)
        with rsipc.Broadcast.subscribe(name) as sub:
            with pub:
                for i in range(3):
                    pub.send(struct.pack("<Q", i), 0)
            self.assertEqual([struct.unpack("<Q", m)[0] for m in sub], [0, 1, 2])
            with self.assertRaises(rsipc.RsipcError) as cm:
                sub.recv(-1)
            self.assertEqual(cm.exception.errno, errno.EPIPE)
            self.assertIn("closed its handle", cm.exception.strerror)

    def test_misuse_raises(self):
        name, pub = self.create("misuse", rsipc.DROP_OLDEST)
        with pub, rsipc.Broadcast.subscribe(name) as sub:
            with self.assertRaises(rsipc.RsipcError) as ctx:
                sub.send(b"x", 0)
            self.assertEqual(ctx.exception.errno, errno.EPERM)
            with self.assertRaises(rsipc.RsipcError) as ctx:
                rsipc.Chan.open(name)
            self.assertEqual(ctx.exception.errno, errno.EINVAL)
        with self.assertRaises(rsipc.RsipcError) as ctx:
            rsipc.Broadcast.create(unique("flags"), 16, 4, policy=7)
        self.assertEqual(ctx.exception.errno, errno.EINVAL)


if __name__ == "__main__":
    unittest.main()
