#!/usr/bin/env python3
"""ctest cli_*: the `rsipc` command against objects this test makes.

    test_cli.py --rsipc BUILD/bin/rsipc [unittest arguments]
    (PYTHONPATH=python RSIPC_LIBRARY=BUILD/lib/librsipc.so)

Two processes make one object of every kind each: a *live* one, which keeps
using its objects (a System V segment attached, the channel, semaphore,
queue and shared memory object open), and a *killed* one, which makes the
same, is SIGKILLed and reaped. The command must list both sets with the
fields they were made with, flag the killed process's objects stale and
not the live one's, list them with `reap --dry-run` and remove nothing,
remove exactly them with `reap`; `rm` removes by name and by id; `watch`
follows a channel; `--help`, the usage errors and `run` behave as
docs/cli.md says.

Where the kernel lets this user make them, the test runs in private IPC,
mount and pid namespaces (in a user namespace when not root, as
tests/c/test_full_shm.c does), with its own /dev/shm, mqueue and /proc:
nothing else on the machine can show up or be touched, and every process
can be inspected, so every kind can be judged. Elsewhere it runs in the
machine's namespaces and restricts every listing and every reap to its own
objects (names rsipc-cli-PID-*, keys 0xPPPPPPxx), so it touches nothing of
anyone else's either way.
"""
import ctypes
import ctypes.util
import json
import os
import signal
import subprocess
import sys
import unittest

RSIPC = None
IN_NAMESPACE = os.environ.get("RSIPC_CLI_NAMESPACE") == "1"
# In the namespaces this process is pid 1; the name is still unique there.
PID = os.getpid()
PREFIX = f"rsipc-cli-{PID}-"


def enter_namespace():
    """Re-runs this script in a private IPC + mount namespace (user
    namespace as non-root) with a fresh tmpfs on /dev/shm and mqueue on
    /dev/mqueue; returns only when that is impossible (then the test runs in
    the machine's namespaces)."""
    if IN_NAMESPACE or os.environ.get("RSIPC_CLI_NO_NAMESPACE") == "1":
        return
    # A pid namespace with its own /proc too: the listing then sees only
    # this test's processes, so it can inspect every one and judge POSIX
    # objects (which it never calls stale while some process is hidden).
    unshare = ["unshare", "--ipc", "--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc"]
    if os.geteuid() != 0:
        unshare[1:1] = ["--user", "--map-root-user"]
    probe = subprocess.run(unshare + ["true"], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"note: no private namespace ({probe.stderr.strip()}); running in the machine's, "
              f"restricted to {PREFIX}* and its keys", flush=True)
        return
    env = dict(os.environ, RSIPC_CLI_NAMESPACE="1")
    cmd = unshare + [sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
    sys.stdout.flush()
    os.execvpe(cmd[0], cmd, env)


def mount_private_filesystems():
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8
    if libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=16m,mode=1777") != 0:
        sys.exit(f"mount tmpfs /dev/shm in the private namespace: {os.strerror(ctypes.get_errno())}")
    # The namespace's own queues appear only in an mqueue mounted in it: on
    # /dev/mqueue, or where the machine has none, on a private tmpfs over
    # /mnt (the listing finds it through /proc/self/mountinfo).
    target = b"/dev/mqueue"
    if not os.path.isdir("/dev/mqueue"):
        if libc.mount(b"tmpfs", b"/mnt", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=64k,mode=755") != 0:
            sys.exit(f"mount tmpfs /mnt in the private namespace: {os.strerror(ctypes.get_errno())}")
        os.mkdir("/mnt/mqueue")
        target = b"/mnt/mqueue"
    if libc.mount(b"mqueue", target, b"mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, None) != 0:
        sys.exit(f"mount mqueue {target.decode()} in the private namespace: {os.strerror(ctypes.get_errno())}")


def mqueue_mounted():
    """Whether an mqueue file system is mounted here (without one, POSIX
    queues cannot be listed, and the listing says so in a note)."""
    with open("/proc/self/mountinfo") as f:
        return any(" - mqueue " in line for line in f)


def rsipc(*args, check=True, env=None):
    """Runs the command; returns (exit status, stdout, stderr)."""
    res = subprocess.run([RSIPC, *args], capture_output=True, text=True, env=env, timeout=120)
    if check and res.returncode != 0:
        raise AssertionError(f"rsipc {' '.join(args)} exited {res.returncode}:\n{res.stdout}{res.stderr}")
    return res.returncode, res.stdout, res.stderr


def rsipc_json(*args):
    return json.loads(rsipc(*args, "--json")[1])


# --- making objects -------------------------------------------------------

KINDS = ["sysv_shm", "sysv_msg", "sysv_sem", "posix_shm", "posix_sem", "posix_mq", "chan"]


def key_for(tag, kind):
    """A System V key unique to this run: 0xPPPPPPtk (pid, tag, kind)."""
    return ((PID & 0xFFFFFF) << 8) | (tag << 4) | KINDS.index(kind)


def name_for(tag, kind):
    return f"/{PREFIX}{tag}-{kind}"


def key_pattern():
    return f"0x{PID & 0xFFFFFF:06x}??"


def make_objects(tag, held):
    """Makes one object of every kind and uses each (held: things to keep
    alive). Returns the description the test compares the listing with."""
    import rsipc as r
    made = {}
    key = key_for(tag, "sysv_shm")
    shmid = r.shmget(key, 8192, r.IPC_CREAT | r.IPC_EXCL | 0o640)
    held.append(r.shmat(shmid))
    made["sysv_shm"] = dict(key=key, id=shmid, size=8192, mode=0o640)
    key = key_for(tag, "sysv_msg")
    msqid = r.msgget(key, r.IPC_CREAT | r.IPC_EXCL | 0o600)
    for word in (b"hello", b"big", b"world"):
        r.msgsnd(msqid, 1, word)
    r.msgrcv(msqid, 16)  # sent to and received from: its last pids tell
    made["sysv_msg"] = dict(key=key, id=msqid, count=2, mode=0o600)
    key = key_for(tag, "sysv_sem")
    semid = r.semget(key, 3, r.IPC_CREAT | r.IPC_EXCL | 0o600)
    r.semop(semid, [(0, 1, 0)])
    made["sysv_sem"] = dict(key=key, id=semid, count=3, mode=0o600)
    name = name_for(tag, "posix_shm")
    fd = r.shm_open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    os.ftruncate(fd, 12288)
    held.append(fd)
    made["posix_shm"] = dict(name=name, size=12288, mode=0o600)
    name = name_for(tag, "posix_sem")
    held.append(r.sem_open(name, os.O_CREAT | os.O_EXCL, 0o600, 1))
    made["posix_sem"] = dict(name=name, mode=0o600)
    if mqueue_mounted():
        name = name_for(tag, "posix_mq")
        mqd = r.mq_open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600, (4, 64))
        r.mq_send(mqd, b"x")
        held.append(mqd)
        made["posix_mq"] = dict(name=name, size=1, mode=0o600)  # size: bytes queued
    name = name_for(tag, "chan")
    chan = r.Chan.create(name, max_msg=64, capacity=8, mode=0o600)
    chan.send(b"one")
    held.append(chan)
    made["chan"] = dict(name=name, mode=0o600, chan=dict(capacity=8, max_msg=64, queued=1, sent=1))
    return made


class Maker:
    """A child process that makes a set of objects, reports them on a pipe
    and waits to be told to exit (or is killed)."""

    def __init__(self, tag):
        self.tag = tag
        r_report, w_report = os.pipe()
        r_go, w_go = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r_report)
            os.close(w_go)
            code = 0
            try:
                held = []
                made = make_objects(tag, held)
                os.write(w_report, json.dumps(made).encode() + b"\n")
                os.close(w_report)
                os.read(r_go, 1)  # until told to go (or killed)
            except BaseException as e:  # report, never return into unittest
                try:
                    os.write(w_report, json.dumps({"error": repr(e)}).encode() + b"\n")
                except OSError:
                    pass
                code = 1
            os._exit(code)
        os.close(w_report)
        os.close(r_go)
        self.pid = pid
        self.go = w_go
        with os.fdopen(r_report) as f:
            line = f.readline()
        self.made = json.loads(line) if line else {"error": "the maker died before reporting"}
        if "error" in self.made:
            self.finish()
            raise RuntimeError(f"making objects failed: {self.made['error']}")

    def kill(self):
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.go)
        self.pid = None

    def finish(self):
        if self.pid is not None:
            os.close(self.go)
            os.waitpid(self.pid, 0)
            self.pid = None


def remove_made(made):
    """Removes whatever is left of a set (the cleanup, whatever the test did)."""
    import rsipc as r
    for kind, m in made.items():
        try:
            if kind == "sysv_shm":
                r.shm_remove(m["id"])
            elif kind == "sysv_msg":
                r.msg_remove(m["id"])
            elif kind == "sysv_sem":
                r.semctl_rmid(m["id"])
            elif kind in ("posix_shm", "chan"):
                r.shm_unlink(m["name"])
            elif kind == "posix_sem":
                r.sem_unlink(m["name"])
            elif kind == "posix_mq":
                r.mq_unlink(m["name"])
        except OSError:
            pass  # already gone: what the test wanted


def ours(records):
    """The records of this run's objects (by name prefix or key)."""
    out = []
    for rec in records:
        name = rec.get("name") or ""
        key = rec.get("key")
        if name.lstrip("/").startswith(PREFIX) or (key is not None and (key & 0xFFFFFFFF) >> 8 == PID & 0xFFFFFF):
            out.append(rec)
    return out


def find(records, kind, m):
    """The record of made object m of this kind, or None."""
    for rec in records:
        if rec["kind"] != kind:
            continue
        if "name" in m and (rec.get("name") or "").lstrip("/") == m["name"].lstrip("/"):
            return rec
        if "key" in m and rec.get("key") is not None and rec["key"] & 0xFFFFFFFF == m["key"]:
            return rec
    return None


def scope_args():
    """The filters that keep `ls`/`reap` to this run's objects: none in the
    private namespace (nothing else is there), else by name and by key."""
    if IN_NAMESPACE:
        return [[]]
    return [["--name", f"*{PREFIX}*"], ["--name", key_pattern()]]


def listing(*args):
    """This run's records of `rsipc ls ARGS --json`, across the scopes."""
    records = []
    for scope in scope_args():
        doc = rsipc_json("ls", *args, *scope)
        assert doc["version"] == 1, doc
        records += doc["objects"]
    if IN_NAMESPACE:
        return records
    return ours(records)


def reap(*args):
    """`rsipc reap ARGS --json` over this run's scopes: (removed, failed)."""
    removed, failed = [], []
    for scope in scope_args():
        doc = rsipc_json("reap", *args, *scope)
        assert doc["version"] == 1 and doc["dry_run"] == ("--dry-run" in args), doc
        assert set(doc) == {"version", "dry_run", "removed", "kept", "failed", "notes"}, doc
        removed += doc["removed"]
        failed += doc["failed"]
    return removed, failed


def exists(kind, m):
    return find(listing(), kind, m) is not None


class LiveAndKilled(unittest.TestCase):
    """Each test: one live maker, one killed maker (fresh objects)."""

    def setUp(self):
        self.live = Maker(1)
        self.addCleanup(remove_made, self.live.made)
        self.addCleanup(self.live.finish)
        self.dead = Maker(2)
        self.addCleanup(remove_made, self.dead.made)
        self.dead.kill()

    def expected_stale(self):
        """The killed maker's kinds the listing can judge stale: all of them,
        except that POSIX objects (not channels, which the kernel's liveness
        locks judge) are 'unknown' when some processes could not be
        inspected (other users' processes, without root)."""
        notes = []
        for scope in scope_args():
            notes += rsipc_json("ls", *scope)["notes"]
        if any("could not be inspected" in n for n in notes):
            return {k for k in self.dead.made if k not in ("posix_shm", "posix_sem", "posix_mq")}
        return set(self.dead.made)

    def test_ls_lists_every_object_with_the_fields_it_was_made_with(self):
        records = listing()
        uid = os.geteuid()
        for label, made in (("live", self.live.made), ("killed", self.dead.made)):
            for kind, m in made.items():
                rec = find(records, kind, m)
                self.assertIsNotNone(rec, f"{label} {kind} {m} not in {records}")
                self.assertEqual(rec["uid"], uid, rec)
                self.assertEqual(rec["mode"], m["mode"], rec)
                for field in ("id", "size", "count"):
                    if field in m:
                        self.assertEqual(rec[field], m[field], f"{field} of {rec}")
                if "chan" in m:
                    for field, value in m["chan"].items():
                        self.assertEqual(rec["chan"][field], value, f"chan.{field} of {rec}")
        self.assertEqual(len(records), len(self.live.made) + len(self.dead.made),
                         "exactly this test's objects: " + json.dumps(records, indent=1))

    def test_ls_json_has_every_documented_field(self):
        fields = {"kind", "name", "key", "id", "uid", "gid", "owner", "mode", "perms", "size", "count",
                  "cpid", "lpid", "lrpid", "nattch", "users", "state", "cause", "reason", "times", "chan"}
        for rec in listing():
            self.assertEqual(set(rec), fields, rec)
            self.assertIn(rec["kind"], KINDS)
            self.assertIn(rec["state"], ("in_use", "stale", "unknown"))
            self.assertEqual(set(rec["times"]), {"ctime", "mtime", "atime"})

    def test_ls_columns_show_every_object(self):
        for scope in scope_args():
            _, out, _ = rsipc("ls", *scope)
            lines = out.splitlines()
            self.assertEqual(lines[0].split(), ["KIND", "KEY/NAME", "ID", "OWNER", "PERMS", "SIZE", "COUNT", "USERS", "STATE"])
        _, out, _ = rsipc("ls", *scope_args()[0])
        for kind, m in self.live.made.items():
            if "name" in m:
                self.assertIn(m["name"], out)
        _, out, _ = rsipc("ls", "--bytes", *scope_args()[0])
        self.assertIn("12288", out)

    def test_ls_kind_keeps_only_that_kind(self):
        for kind in self.live.made:
            for scope in scope_args():
                doc = rsipc_json("ls", "--kind", kind, *scope)
                self.assertTrue(all(r["kind"] == kind for r in doc["objects"]), doc)

    def test_stale_flags_the_killed_process_objects_and_not_the_live_ones(self):
        stale = listing("--stale")
        every = listing()
        expected = self.expected_stale()
        for kind, m in self.dead.made.items():
            rec = find(stale, kind, m)
            if kind in expected:
                self.assertIsNotNone(rec, f"killed {kind} {m} not flagged stale: {find(every, kind, m)}")
                self.assertEqual(rec["state"], "stale")
                self.assertTrue(rec["reason"], rec)
            else:
                # Not every process could be inspected: never "stale".
                self.assertIsNone(rec, f"killed {kind} flagged stale although processes were hidden")
                self.assertEqual(find(every, kind, m)["state"], "unknown")
        for kind, m in self.live.made.items():
            self.assertIsNone(find(stale, kind, m), f"live {kind} flagged stale")
            rec = find(every, kind, m)
            self.assertEqual(rec["state"], "in_use", rec)
            self.assertIn(self.live.pid, rec["users"] + [rec["cpid"], rec["lpid"]], rec)
        print(f"\nkilled-process objects: {len(self.dead.made)} left, "
              f"{sum(find(stale, k, m) is not None for k, m in self.dead.made.items())} flagged stale; "
              f"live objects wrongly flagged: {sum(find(stale, k, m) is not None for k, m in self.live.made.items())}")

    def test_reap_dry_run_lists_the_stale_objects_and_removes_nothing(self):
        expected = self.expected_stale()
        removed, failed = reap("--dry-run")
        self.assertEqual(failed, [])
        self.assertEqual(len(removed), len(expected), json.dumps(removed, indent=1))
        for kind in expected:
            self.assertIsNotNone(find(removed, kind, self.dead.made[kind]), f"{kind} not in the dry run's list")
        for kind, m in list(self.dead.made.items()) + list(self.live.made.items()):
            self.assertTrue(exists(kind, m), f"the dry run removed {kind} {m}")

    def test_reap_removes_exactly_the_stale_objects(self):
        expected = self.expected_stale()
        removed, failed = reap()
        self.assertEqual(failed, [])
        self.assertEqual(len(removed), len(expected), json.dumps(removed, indent=1))
        for kind, m in self.dead.made.items():
            if kind in expected:
                self.assertIsNotNone(find(removed, kind, m), f"{kind} not reported removed")
                self.assertFalse(exists(kind, m), f"{kind} {m} still there after reap")
            else:
                self.assertTrue(exists(kind, m), f"reap removed {kind} {m}, whose state is unknown")
        for kind, m in self.live.made.items():
            self.assertTrue(exists(kind, m), f"reap removed the live {kind} {m}")
        print(f"\nreaped {len(removed)} of the killed process's {len(self.dead.made)} objects "
              f"({len(self.dead.made) - len(expected)} of unknown state kept); live objects removed: 0")

    def test_reap_text_report(self):
        for scope in scope_args():
            code, out, _ = rsipc("reap", "--dry-run", *scope)
            self.assertEqual(code, 0)
            self.assertRegex(out, r"would remove (\d+ stale objects?:|nothing)")

    def test_show_prints_one_object(self):
        m = self.live.made["chan"]
        _, out, _ = rsipc("show", m["name"])
        self.assertRegex(out, r"kind:\s+chan")
        self.assertRegex(out, r"capacity:\s+8 messages")
        rec = json.loads(rsipc("show", m["name"].lstrip("/"), "--json")[1])
        self.assertEqual(rec["chan"]["queued"], 1)
        m = self.live.made["sysv_shm"]
        rec = json.loads(rsipc("show", str(m["id"]), "--kind", "sysv_shm", "--json")[1])
        self.assertEqual((rec["kind"], rec["key"], rec["size"]), ("sysv_shm", m["key"], 8192))


class Remove(unittest.TestCase):
    def setUp(self):
        self.maker = Maker(3)
        self.addCleanup(remove_made, self.maker.made)
        self.maker.kill()

    def test_rm_by_name_and_by_id(self):
        made = self.maker.made
        _, out, _ = rsipc("rm", made["posix_shm"]["name"], made["posix_sem"]["name"])
        self.assertEqual(len(out.splitlines()), 2, out)
        rsipc("rm", str(made["sysv_msg"]["id"]), "--kind", "sysv_msg")
        self.assertFalse(exists("posix_shm", made["posix_shm"]))
        self.assertFalse(exists("posix_sem", made["posix_sem"]))
        self.assertFalse(exists("sysv_msg", made["sysv_msg"]))
        rsipc("rm", made["chan"]["name"].lstrip("/"), hex(made["sysv_sem"]["key"]))
        self.assertFalse(exists("chan", made["chan"]))
        self.assertFalse(exists("sysv_sem", made["sysv_sem"]))
        self.assertTrue(exists("sysv_shm", made["sysv_shm"]))

    def test_rm_of_a_missing_object_is_status_1_and_removes_the_others(self):
        made = self.maker.made
        code, _, err = rsipc("rm", f"/{PREFIX}no-such", made["posix_shm"]["name"], check=False)
        self.assertEqual(code, 1, err)
        self.assertIn("no such object", err)
        self.assertFalse(exists("posix_shm", made["posix_shm"]))

    def test_show_of_a_missing_object_is_status_3(self):
        code, _, err = rsipc("show", f"/{PREFIX}no-such", check=False)
        self.assertEqual(code, 3, err)


class Watch(unittest.TestCase):
    def setUp(self):
        import rsipc as r
        self.name = f"/{PREFIX}watch"
        self.chan = r.Chan.create(self.name, max_msg=32, capacity=16, mode=0o600)
        self.addCleanup(r.shm_unlink, self.name)
        self.addCleanup(self.chan.close)
        for i in range(3):
            self.chan.send(b"m%d" % i)
        self.chan.recv()

    def test_watch_count_2_prints_two_samples(self):
        _, out, _ = rsipc("watch", self.name, "--count", "2", "--interval", "0.05", "--json")
        lines = [json.loads(l) for l in out.splitlines()]
        self.assertEqual(len(lines), 2)
        for s in lines:
            self.assertEqual((s["queued"], s["sent"], s["received"], s["lost"], s["capacity"], s["max_msg"]),
                             (2, 3, 1, 0, 16, 32), s)
        self.assertEqual(lines[0]["members"], 1)  # this test's handle; watch itself joins nothing
        self.assertIsNone(lines[0]["sent_per_s"])
        self.assertEqual(lines[1]["sent_per_s"], 0.0)

    def test_watch_columns(self):
        _, out, _ = rsipc("watch", self.name.lstrip("/"), "-c", "2", "-i", "0.01")
        lines = out.splitlines()
        self.assertEqual(len(lines), 3, out)
        self.assertEqual(lines[0].split()[:6], ["TIME", "QUEUED", "CAPACITY", "SENT", "RECEIVED", "LOST"])
        self.assertEqual(lines[2].split()[1:6], ["2", "16", "3", "1", "0"])

    def test_watch_of_a_missing_channel_is_status_3(self):
        code, _, err = rsipc("watch", f"/{PREFIX}no-such", "--count", "1", check=False)
        self.assertEqual(code, 3, err)


class CommandLine(unittest.TestCase):
    SUBCOMMANDS = ["ls", "show", "rm", "reap", "watch", "run"]

    def test_help_names_every_subcommand_and_the_exit_statuses(self):
        _, out, _ = rsipc("--help")
        for sub in self.SUBCOMMANDS:
            self.assertRegex(out, rf"\n  {sub}\s")
        self.assertIn("Exit status", out)
        for sub in self.SUBCOMMANDS:
            code, out, _ = rsipc(sub, "--help")
            self.assertEqual(code, 0)
            self.assertIn(f"Usage: rsipc {sub}", out)

    def test_usage_errors_are_status_2(self):
        for args in (["ls", "--kind", "bogus"], ["frobnicate"], ["reap", "--older-than", "3w"], ["rm"],
                     ["watch", "x", "--count", "0"], []):
            code, _, err = rsipc(*args, check=False)
            self.assertEqual(code, 2, f"{args}: {err}")

    def test_version(self):
        _, out, _ = rsipc("--version")
        self.assertRegex(out, r"^rsipc \d+\.\d+\.\d+")


class Run(unittest.TestCase):
    def test_run_puts_the_preload_library_first_in_ld_preload(self):
        lib = os.environ["RSIPC_LIBRARY"]  # any shared object stands in for it here
        env = dict(os.environ, RSIPC_PRELOAD_LIB=lib, LD_PRELOAD="")
        _, out, _ = rsipc("run", "--", "sh", "-c", 'printf %s "$LD_PRELOAD"', env=env)
        self.assertEqual(out, os.path.realpath(lib))

    def test_run_without_the_preload_library_is_status_4(self):
        env = dict(os.environ, RSIPC_PRELOAD_LIB=f"/nonexistent/{PREFIX}/librsipc_preload.so")
        code, _, err = rsipc("run", "--", "true", check=False, env=env)
        self.assertEqual(code, 4, err)
        self.assertIn("RSIPC_PRELOAD_LIB", err)

    def test_run_of_a_missing_program_is_status_127(self):
        env = dict(os.environ, RSIPC_PRELOAD_LIB=os.environ["RSIPC_LIBRARY"])
        code, _, err = rsipc("run", "--", f"/nonexistent/{PREFIX}prog", check=False, env=env)
        self.assertEqual(code, 127, err)


def main():
    global RSIPC
    if len(sys.argv) < 3 or sys.argv[1] != "--rsipc":
        sys.exit(__doc__)
    RSIPC = os.path.abspath(sys.argv[2])
    enter_namespace()
    if IN_NAMESPACE:
        mount_private_filesystems()
        print("running in private IPC, mount and pid namespaces", flush=True)
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:], verbosity=2)


if __name__ == "__main__":
    main()
