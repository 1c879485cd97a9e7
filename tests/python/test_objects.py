"""The object listing and reaper through ctypes (rsipc.objects): objects of
this process (in use) and of a child killed with SIGKILL (stale), found,
judged, reaped; the C functions' argument checks. Runs on the machine's own
namespaces, so it only looks at its own pid-unique names and keys, and
uses the kinds whose staleness needs no view of other users' processes (a
System V segment: its creator's pid; a channel: its kernel-held member
locks)."""
import ctypes
import errno
import os
import signal
import unittest

import rsipc
from rsipc import lib
from rsipc_testing import RsipcTestCase


class ObjectsTest(RsipcTestCase):
    def setUp(self):
        self.prefix = f"/rsipc-pytest-{os.getpid()}-obj"
        self.key = 0x7E600000 | (os.getpid() & 0xFFFF)
        self.handles = []
        self.names = []

    def tearDown(self):
        for ch in self.handles:
            ch.close()
        for name in self.names:
            for unlink in (rsipc.chan_unlink, rsipc.shm_unlink):
                try:
                    unlink(name)
                    break
                except OSError:
                    pass
        try:
            rsipc.shm_remove(rsipc.shmget(self.key, 0, 0))
        except OSError:
            pass

    def mine(self, **filters):
        return rsipc.list_objects(pattern=self.prefix + "*", **filters)

    def killed_child_leaves(self):
        """A child makes a channel and a System V segment, then is killed."""
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                rsipc.Chan.create(self.prefix + "-dead", max_msg=32, capacity=2)
                rsipc.shmat(rsipc.shmget(self.key, 4096, rsipc.IPC_CREAT | rsipc.IPC_EXCL | 0o600))
                os.write(w, b"1")
                signal.pause()
            finally:
                os._exit(1)
        os.close(w)
        self.names.append(self.prefix + "-dead")
        self.assertEqual(os.read(r, 1), b"1")
        os.close(r)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return pid

    def test_live_objects_are_in_use_with_their_fields(self):
        name = self.prefix + "-live"
        self.names.append(name)
        ch = rsipc.Chan.create(name, max_msg=48, capacity=4)
        self.handles.append(ch)
        ch.send(b"abc")
        (obj,) = self.mine()
        self.assertEqual((obj.kind, obj.name, obj.uid, obj.mode), ("chan", name, os.geteuid(), 0o600))
        self.assertEqual(obj.state, "in_use")
        self.assertIn("member", obj.cause_text)
        self.assertEqual((obj.chan.capacity, obj.chan.max_msg, obj.chan.queued, obj.chan.members), (4, 48, 1, 1))
        self.assertEqual(obj.ino, os.stat("/dev/shm" + name).st_ino)
        with self.assertRaises(rsipc.RsipcError) as ctx:
            rsipc.remove_object(obj)
        self.assertEqual(ctx.exception.errno, errno.EBUSY)
        self.assertEqual(len(self.mine()), 1)

    def test_a_killed_processs_objects_are_stale_and_reaped(self):
        live = self.prefix + "-live"
        self.names.append(live)
        self.handles.append(rsipc.Chan.create(live, max_msg=16, capacity=2))
        pid = self.killed_child_leaves()
        by_name = {o.label: o for o in self.mine()}
        self.assertEqual(by_name[self.prefix + "-dead"].state, "stale")
        self.assertEqual(by_name[self.prefix + "-dead"].chan.members, 0)
        self.assertEqual(by_name[live].state, "in_use")
        (seg,) = rsipc.list_objects(kinds="sysv_shm", pattern=f"0x{self.key:08x}")
        self.assertEqual((seg.cpid, seg.nattch, seg.size, seg.state), (pid, 0, 4096, "stale"))
        self.assertEqual(len(rsipc.list_objects(pattern=self.prefix + "*", only_stale=True)), 1)

        dry = rsipc.reap_objects(pattern=self.prefix + "*", dry_run=True)
        self.assertEqual(sorted((e.object.label, e.outcome) for e in dry.entries),
                         [(self.prefix + "-dead", "would_remove"), (live, "kept")])
        self.assertEqual(len(self.mine()), 2)
        report = rsipc.reap_objects(pattern=self.prefix + "*")
        self.assertEqual((report.removed, report.kept, report.failed), (1, 1, 0))
        self.assertEqual([o.label for o in self.mine()], [live])
        report = rsipc.reap_objects(kinds=["sysv_shm"], pattern=f"0x{self.key:08x}")
        self.assertEqual((report.removed, report.kept, report.failed), (1, 0, 0))
        self.assertEqual(rsipc.list_objects(kinds="sysv_shm", pattern=f"0x{self.key:08x}"), [])

    def test_a_removed_object_reports_enoent(self):
        self.killed_child_leaves()
        (obj,) = rsipc.list_objects(kinds="chan", pattern=self.prefix + "*")
        rsipc.remove_object(obj)
        with self.assertRaises(rsipc.RsipcError) as ctx:
            rsipc.remove_object(obj)
        self.assertEqual(ctx.exception.errno, errno.ENOENT)

    def test_listing_with_notes(self):
        listing = rsipc.list_objects(with_notes=True)
        self.assertIsInstance(listing.notes, list)
        for note in listing.notes:
            self.assertTrue(note)

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            rsipc.list_objects(kinds="nonsense")
        self.assert_raw_fails(lambda: lib.rsipc_objects_list(None, None, 4, None, 0), errno.EFAULT)
        self.assert_raw_fails(lambda: lib.rsipc_objects_remove(None), errno.EFAULT)
        flt = rsipc.objects._Filter(1 << 9, 0, -1, 0, None)
        self.assert_raw_fails(lambda: lib.rsipc_objects_list(ctypes.byref(flt), None, 0, None, 0), errno.EINVAL)
        flt = rsipc.objects._Filter(0, 0, -2, 0, None)
        self.assert_raw_fails(lambda: lib.rsipc_objects_reap(ctypes.byref(flt), 1, None, 0, None), errno.EINVAL)
        record = rsipc.objects._Object()
        record.kind = 99
        self.assert_raw_fails(lambda: lib.rsipc_objects_remove(ctypes.byref(record)), errno.EINVAL)

    def assert_raw_fails(self, call, err):
        ctypes.set_errno(0)
        self.assertEqual(call(), -1)
        self.assertEqual(ctypes.get_errno(), err)
        self.assertTrue(rsipc.last_error().startswith("rsipc_objects_"), rsipc.last_error())


if __name__ == "__main__":
    unittest.main()
