#!/usr/bin/env python3
"""The leak check fails on what a test leaves behind and only reports what
other programs create meanwhile (tests/leakcheck.py, the scope in its
docstring).

This process plays ctest: it runs `leakcheck.py snapshot` and `compare` as
its children, so its descendants are "the run". A forked child plays a test
that leaks; a process started with a double fork (so that it descends from
nobody here) plays an unrelated program that creates objects while the run
goes on. Everything is removed at the end, whatever happened.
"""
import ctypes
import ctypes.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
LEAKCHECK = os.path.join(HERE, "leakcheck.py")

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
IPC_PRIVATE, IPC_CREAT, IPC_RMID, IPC_NOWAIT = 0, 0o1000, 0, 0o4000


def shmget():
    shmid = libc.shmget(IPC_PRIVATE, ctypes.c_size_t(4096), IPC_CREAT | 0o600)
    assert shmid >= 0, os.strerror(ctypes.get_errno())
    return shmid


def msgget(send):
    msqid = libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o600)
    assert msqid >= 0, os.strerror(ctypes.get_errno())
    if send:  # records this process as the queue's last sender
        buf = ctypes.create_string_buffer(ctypes.sizeof(ctypes.c_long) + 1)
        ctypes.c_long.from_buffer(buf).value = 1
        assert libc.msgsnd(msqid, buf, ctypes.c_size_t(1), IPC_NOWAIT) == 0
    return msqid


def shmget_in_a_child():
    """A segment made by a child that has exited (its cpid is dead)."""
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        code = 1
        try:
            os.close(r)
            os.write(w, json.dumps(shmget()).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    shmid = json.loads(read_all(r))
    os.waitpid(child, 0)
    return shmid


def shm_file(name):
    fd = os.open(f"/dev/shm/{name}", os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    os.close(fd)
    return f"/dev/shm/{name}"


def bell(token):
    """A doorbell as a channel makes it: a Unix datagram socket bound to
    /dev/shm/rsipc-bell-<token>. Returns the socket and the path."""
    path = f"/dev/shm/rsipc-bell-{token}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    return sock, path


def cleanup(files, shm_ids, msg_ids):
    for path in files:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    for shmid in shm_ids:
        libc.shmctl(shmid, IPC_RMID, None)
    for msqid in msg_ids:
        libc.msgctl(msqid, IPC_RMID, None)


def read_all(fd):
    """Everything written to pipe `fd` until every writer has closed it."""
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


class UnrelatedProgram:
    """A process that descends from nobody here (double fork, new session),
    makes objects, reports them and stays alive until told to remove them
    and exit."""

    def __init__(self):
        report_r, report_w = os.pipe()  # its report line, then EOF when it has exited
        quit_r, self.quit_w = os.pipe()  # EOF tells it to go
        child = os.fork()
        if child == 0:
            os.close(report_r)
            os.close(self.quit_w)
            os.setsid()
            if os.fork() != 0:
                os._exit(0)
            made = ([], [], [])
            try:
                pid = os.getpid()
                made = ([shm_file(f"rsipc-selftest-{pid}-other"), shm_file(f"other-program-{pid}")],
                        [shmget()], [msgget(send=True)])
                # A doorbell it holds, whose token starts with the digit of
                # a live process outside the run (pid 1): held by this
                # program, whatever the token reads as.
                _, bell_path = bell(f"1b{pid:014x}")
                made[0].append(bell_path)
                # A segment its (exited) child made and it has attached.
                attached = shmget_in_a_child()
                made[1].append(attached)
                libc.shmat.restype = ctypes.c_void_p
                address = libc.shmat(attached, None, 0)
                assert address not in (None, ctypes.c_void_p(-1).value)
                os.write(report_w, json.dumps([pid, *made]).encode() + b"\n")
                os.read(quit_r, 1)
                libc.shmdt(ctypes.c_void_p(address))
            finally:
                cleanup(*made)
                os._exit(0)
        os.close(report_w)
        os.close(quit_r)
        os.waitpid(child, 0)  # the middle process; the program lives on
        self.report_r = report_r
        line = b""
        while not line.endswith(b"\n"):
            chunk = os.read(report_r, 4096)
            if not chunk:
                raise RuntimeError("the unrelated program failed to start")
            line += chunk
        self.pid, self.files, self.shm_ids, self.msg_ids = json.loads(line)
        self.bell = self.files.pop()

    def stop(self):
        """Tells it to remove its objects and exit, and returns once it has
        exited (its end of the report pipe closes then)."""
        os.close(self.quit_w)
        read_all(self.report_r)


def leakcheck(*args):
    return subprocess.run([sys.executable, LEAKCHECK, *args], capture_output=True, text=True)


class LeakCheckTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="rsipc-leakcheck-")
        self.snapshot = os.path.join(self.dir, "snapshot.json")
        self.files, self.shm_ids, self.msg_ids = [], [], []
        # Cleanups run last first.
        self.addCleanup(os.rmdir, self.dir)
        self.addCleanup(lambda: os.path.exists(self.snapshot) and os.unlink(self.snapshot))
        self.addCleanup(lambda: cleanup(self.files, self.shm_ids, self.msg_ids))
        r = leakcheck("snapshot", self.snapshot)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"the descendants of pid {os.getpid()}", r.stdout)

    def compare(self):
        r = leakcheck("compare", self.snapshot)
        print(r.stdout, end="")
        leaked = [line for line in r.stdout.splitlines() if line.startswith("LEAKED: ")]
        outside = [line for line in r.stdout.splitlines() if line.startswith("outside this run: ")]
        return r.returncode, leaked, outside

    def leak_from_a_test(self):
        """A test (a child of ours, exited) leaves a segment, a queue it sent
        to and a /dev/shm object named by this process."""
        made = ([shm_file(f"rsipc-selftest-{os.getpid()}-leak")], [], [])
        self.files += made[0]
        r, w = os.pipe()
        child = os.fork()
        if child == 0:
            code = 1
            try:
                os.close(r)
                os.write(w, json.dumps([shmget(), msgget(send=True)]).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(w)
        shmid, msqid = json.loads(read_all(r))
        os.waitpid(child, 0)
        self.shm_ids.append(shmid)
        self.msg_ids.append(msqid)
        return made[0][0], shmid, msqid

    @staticmethod
    def lines_naming(lines, what):
        """The lines about object `what`: a path, or a System V id."""
        needle = f" id={what} " if isinstance(what, int) else f" {what} "
        return [line for line in lines if needle in line]

    def test_a_leak_fails_and_an_unrelated_programs_objects_are_only_reported(self):
        path, shmid, msqid = self.leak_from_a_test()
        other = UnrelatedProgram()
        try:
            code, leaked, outside = self.compare()
        finally:
            other.stop()
        self.assertEqual(code, 1)
        # This run's: all three, whichever else the machine made meanwhile.
        self.assertTrue(self.lines_naming(leaked, path), leaked)
        self.assertTrue(self.lines_naming(leaked, shmid), leaked)
        self.assertTrue(self.lines_naming(leaked, msqid), leaked)
        # The unrelated program's: reported with the reason, never leaked.
        for what in other.files + other.shm_ids + other.msg_ids:
            self.assertFalse(self.lines_naming(leaked, what), (what, leaked))
            self.assertTrue(self.lines_naming(outside, what), (what, outside))
        rsipc_named, other_named = other.files
        self.assertIn("not a test's name", self.lines_naming(outside, other_named)[0])
        # Its own, the one its exited child made that it has attached, and
        # the doorbell it holds.
        self.assertFalse(self.lines_naming(leaked, other.bell), leaked)
        for what in (rsipc_named, *other.shm_ids, other.msg_ids[0], other.bell):
            self.assertIn(f"pid {other.pid} ", self.lines_naming(outside, what)[0])
            self.assertIn("alive and not part of this run", self.lines_naming(outside, what)[0])

    def test_a_queue_nobody_used_is_listed_as_unattributed(self):
        msqid = msgget(send=False)
        self.msg_ids.append(msqid)
        code, leaked, outside = self.compare()
        self.assertFalse(self.lines_naming(leaked, msqid), leaked)
        self.assertIn("no process recorded", self.lines_naming(outside, msqid)[0])
        self.assertEqual(code, 1 if leaked else 0)

    def test_an_object_held_by_a_live_process_of_the_run_is_a_leak(self):
        # Named with the pid of this process, which is alive and "the run".
        path = shm_file(f"rsipc-selftest-{os.getpid()}-held")
        self.files.append(path)
        code, leaked, _ = self.compare()
        self.assertEqual(code, 1)
        self.assertIn("of this run still alive", self.lines_naming(leaked, path)[0])

    def test_a_doorbell_is_attributed_to_the_process_holding_it_not_to_its_token(self):
        # Its token starts with "1": read as a pid, it would be init's,
        # alive and outside the run, and the leak would pass as another
        # program's object.
        sock, left = bell(f"1a{os.getpid():014x}")
        sock.close()  # the socket is gone, its file is left behind
        self.files.append(left)
        held_sock, held = bell(f"1c{os.getpid():014x}")
        self.files.append(held)
        try:
            code, leaked, _ = self.compare()
        finally:
            held_sock.close()
        self.assertEqual(code, 1)
        self.assertIn("no process recorded", self.lines_naming(leaked, left)[0])
        self.assertIn(f"pid {os.getpid()} ", self.lines_naming(leaked, held)[0])
        self.assertIn("of this run still alive", self.lines_naming(leaked, held)[0])

    def test_the_run_passes_once_its_objects_are_gone(self):
        path, shmid, msqid = self.leak_from_a_test()
        cleanup(self.files, self.shm_ids, self.msg_ids)
        code, leaked, _ = self.compare()
        for what in (path, shmid, msqid):
            self.assertFalse(self.lines_naming(leaked, what), leaked)
        # Anything still leaked was made meanwhile by other processes that
        # have exited (what the kernel cannot tell apart): the exit status
        # follows the list.
        self.assertEqual(code, 1 if leaked else 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
