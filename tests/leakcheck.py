#!/usr/bin/env python3
"""The suite leaves the machine's IPC objects as it found them.

usage: leakcheck.py snapshot FILE   (ctest fixture setup: runs first)
       leakcheck.py compare FILE    (ctest fixture cleanup: runs last)

Records System V shared memory segments, message queues and semaphore sets
(/proc/sysvipc), the entries of /dev/shm (POSIX shared memory, named
semaphores, rsipc channels) and the POSIX message queues (read from an
mqueue file system, mounted privately when /dev/mqueue is not mounted), and
fails listing every object present at the end that was not there at the
start and that this run could have made. Other programs keep working while
the suite runs (a browser, a sound server, another run of the suite): what
they create is listed as outside this run, and does not fail it.

What this run could have made (the scope), for an object new since the
snapshot:
  1. its owner (the creator, for System V objects) is a user this run's
     processes run as: the user running ctest, and when that is root also
     65534, the user tests/c/support/privdrop.h switches to;
  2. a POSIX object has a test's name: every test names its objects
     "rsipc...-<pid>-..." (the first number is the pid of the process that
     made the name), so "/dev/shm/rsipc*", "/dev/shm/sem.rsipc*" and the
     queues "/rsipc*";
  3. no process that the kernel records for it is alive outside this run.
     The recorded processes: the creator of a segment (cpid) and the
     processes that have it attached now (/proc/PID/maps), the last sender
     and receiver of a queue (lspid, lrpid), the last process that set or
     operated on each semaphore of a set (semctl GETPID), and the pid in a
     POSIX object's name (a channel's doorbell, /dev/shm/rsipc-bell-<token>,
     is named by a random token instead: the processes that have its socket
     bound open now). This run's processes are the descendants of the
     process that ran the snapshot (ctest). A live process outside them
     that could have been the one recorded (it started no later than the
     event recorded) means the object belongs to that other program:
     listed, not failed. Recorded processes that have exited are taken as
     this run's (a dead process has no ancestry left to check): the check
     errs toward reporting a leak;
  4. a System V queue or semaphore set has a recorded process at all. One
     that nobody has sent to or set yet has none (the kernel keeps no
     creator for them), which is also what another run's object looks like
     in the instant after its creation: listed as unattributed, not failed
     (so a test's leak of a queue or set it never used is only listed).
"""
import ctypes
import ctypes.util
import json
import os
import re
import subprocess
import sys
import tempfile

# tests/c/support/privdrop.h: the uid a root run's tests drop to.
PRIVDROP_UID = 65534
# Slack between a process's start time and an object's change time (the
# kernel keeps the latter in whole seconds).
CLOCK_SLACK = 1.0


# ---------------------------------------------------------------------------
# Processes.

def _boot_time():
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("btime "):
                return int(line.split()[1])
    return 0


_BOOT = _boot_time()
_TICK = os.sysconf("SC_CLK_TCK")


def proc_stat(pid):
    """(ppid, start time in seconds since the epoch, command name) of a live
    process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    comm = data[data.index("(") + 1:data.rindex(")")]
    fields = data[data.rindex(")") + 2:].split()
    # fields[0] is the state (field 3 of proc(5)): ppid is field 4, starttime 22.
    return int(fields[1]), _BOOT + int(fields[19]) / _TICK, comm


def descends_from(pid, ancestor):
    seen = set()
    while pid > 1 and pid not in seen:
        if pid == ancestor:
            return True
        seen.add(pid)
        st = proc_stat(pid)
        if st is None:
            return False
        pid = st[0]
    return pid == ancestor


# ---------------------------------------------------------------------------
# Objects. Each is a dict: "id" (stable identity), "desc" (for people),
# "uid" (owner), "name" (POSIX objects), "pids" [(pid, time of the event it
# records)].

def _sysv_rows(kind):
    with open(f"/proc/sysvipc/{kind}") as f:
        lines = f.read().splitlines()
    header = lines[0].split()
    return [dict(zip(header, line.split())) for line in lines[1:]]


_libc = None


def _sem_pids(semid, nsems):
    """The pid of the last semop on each semaphore (0 entries left out)."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        _libc.semctl.restype = ctypes.c_int
    pids = []
    GETPID = 11
    for n in range(nsems):
        pid = _libc.semctl(ctypes.c_int(semid), ctypes.c_int(n), ctypes.c_int(GETPID))
        if pid > 0:
            pids.append(pid)
    return pids


def sysv():
    out = []
    for row in _sysv_rows("shm"):
        key = int(row["key"])
        out.append({
            "id": f"shm {row['shmid']} cpid={row['cpid']}",
            "desc": f"shm key={key & 0xffffffff:#x} id={row['shmid']} perms={row['perms']}",
            "uid": int(row["cuid"]),
            "shmid": int(row["shmid"]),
            "pids": [(int(row["cpid"]), int(row["ctime"]))],
        })
    for row in _sysv_rows("msg"):
        key = int(row["key"])
        pids = [(int(row[p]), int(row[t])) for p, t in (("lspid", "stime"), ("lrpid", "rtime")) if int(row[p]) > 0]
        out.append({
            "id": f"msg {row['msqid']} key={key}",
            "desc": f"msg key={key & 0xffffffff:#x} id={row['msqid']} perms={row['perms']}",
            "uid": int(row["cuid"]),
            "pids": pids,
        })
    for row in _sysv_rows("sem"):
        key = int(row["key"])
        semid = int(row["semid"])
        # GETPID is the last semop's or SETVAL/SETALL's process: the later
        # of the two times bounds when it acted.
        ptime = max(int(row["otime"]), int(row["ctime"]))
        out.append({
            "id": f"sem {semid} key={key}",
            "desc": f"sem key={key & 0xffffffff:#x} id={semid} perms={row['perms']}",
            "uid": int(row["cuid"]),
            "semid": semid,
            "nsems": int(row["nsems"]),
            "ptime": ptime,
            "pids": [],
        })
    return out


def _first_number(name):
    m = re.search(r"\d+", name)
    return int(m.group()) if m else None


# A channel's doorbell: a Unix socket bound to /dev/shm/rsipc-bell-<token>,
# where the token is 16 random hex digits, not a pid.
BELL_PREFIX = "rsipc-bell-"


def socket_holders(path):
    """The live processes with a socket bound to `path` open (the sockets
    of /proc/net/unix with that path, found among /proc/PID/fd)."""
    try:
        with open("/proc/net/unix") as f:
            lines = f.readlines()[1:]
    except OSError:
        return []
    # Num RefCount Protocol Flags Type St Inode Path
    inodes = {f"socket:[{fields[6]}]" for fields in map(str.split, lines) if len(fields) >= 8 and fields[7] == path}
    holders = []
    for entry in os.listdir("/proc") if inodes else ():
        if not entry.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{entry}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{entry}/fd/{fd}") in inodes:
                    holders.append(int(entry))
                    break
            except OSError:
                continue
    return holders


def _posix_entry(directory, name, kind, shown):
    try:
        st = os.lstat(os.path.join(directory, name))
    except OSError:
        return None  # removed meanwhile
    obj = {"id": f"{shown} ino={st.st_ino}", "desc": shown, "uid": st.st_uid, "name": name, "pids": []}
    if name.startswith(BELL_PREFIX):
        # Held now by whoever has its socket bound, whenever they started.
        obj["pids"] += [(pid, float("inf")) for pid in socket_holders(os.path.join(directory, name))]
    else:
        pid = _first_number(name)
        if pid is not None:
            obj["pids"].append((pid, st.st_ctime))
    return obj


def dev_shm():
    out = []
    for name in os.listdir("/dev/shm"):
        obj = _posix_entry("/dev/shm", name, "shm", f"/dev/shm/{name}")
        if obj:
            out.append(obj)
    return out


def posix_mqueues():
    def listing(root):
        out = []
        for name in os.listdir(root):
            obj = _posix_entry(root, name, "mq", f"mqueue /{name}")
            if obj:
                out.append(obj)
        return out

    if os.path.isdir("/dev/mqueue") and os.path.ismount("/dev/mqueue"):
        return listing("/dev/mqueue")
    # Mount the mqueue file system privately to list the queues (root only).
    mnt = tempfile.mkdtemp(prefix="rsipc-mq-")
    try:
        r = subprocess.run(["mount", "-t", "mqueue", "none", mnt], capture_output=True)
        if r.returncode != 0:
            return None
        try:
            return listing(mnt)
        finally:
            subprocess.run(["umount", mnt], capture_output=True)
    finally:
        os.rmdir(mnt)


def collect():
    mq = posix_mqueues()
    return sysv() + dev_shm() + (mq or []), mq is not None


# ---------------------------------------------------------------------------
# The scope.

def _test_name(obj):
    name = obj["name"]
    return name.startswith("rsipc") or name.startswith("sem.rsipc")


def shm_attachers():
    """{shmid: [pid, ...]} of the System V segments live processes have
    attached (their /proc/PID/maps lines "/SYSV<key>", whose inode is the
    shmid). Processes whose maps cannot be read are left out."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/maps") as f:
                for line in f:
                    fields = line.split(None, 5)
                    if len(fields) == 6 and fields[5].startswith("/SYSV"):
                        out.setdefault(int(fields[4]), set()).add(int(entry))
        except (OSError, ValueError):
            continue
    return out


def classify(obj, run, attachers):
    """(True, why) when `obj` is outside this run, (False, what is known of
    its processes) when it is this run's."""
    if obj["uid"] not in run["uids"]:
        return True, f"owned by uid {obj['uid']}, not a user of this run"
    if "name" in obj and not _test_name(obj):
        return True, "not a test's name: those start with \"rsipc\""
    pids = list(obj["pids"])
    if "semid" in obj:
        pids += [(pid, obj["ptime"]) for pid in _sem_pids(obj["semid"], obj["nsems"])]
    if "shmid" in obj:
        # Attached now: whenever it started, it is using the segment.
        pids += [(pid, float("inf")) for pid in sorted(attachers.get(obj["shmid"], ()))]
    if not pids and "name" not in obj:
        return True, ("no process recorded: the kernel keeps no creator for a System V queue or semaphore "
                      "set nobody has used yet, so nothing tells this run's from another program's")
    foreign, ours, gone = [], [], []
    for pid, when in pids:
        st = proc_stat(pid)
        if st is None:
            gone.append(f"pid {pid} exited")
        elif descends_from(pid, run["ctest_pid"]):
            ours.append(f"pid {pid} ({st[2]}) of this run still alive")
        elif st[1] <= when + CLOCK_SLACK:
            foreign.append(f"pid {pid} ({st[2]})")
        else:
            gone.append(f"pid {pid} exited (its number now belongs to a newer process)")
    if foreign and not ours:
        return True, "used by " + ", ".join(dict.fromkeys(foreign)) + ", alive and not part of this run"
    return False, "; ".join(dict.fromkeys(ours + gone)) or "no process recorded"


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("snapshot", "compare"):
        print(__doc__, file=sys.stderr)
        return 2
    path = sys.argv[2]
    objects, mqueue_listed = collect()
    if sys.argv[1] == "snapshot":
        uid = os.geteuid()
        run = {"ctest_pid": os.getppid(), "uids": [uid] + ([PRIVDROP_UID] if uid == 0 else [])}
        with open(path, "w") as f:
            json.dump({"objects": [o["id"] for o in objects], "mqueue_listed": mqueue_listed, "run": run}, f)
        ctest = proc_stat(run["ctest_pid"])
        print(f"snapshot: {len(objects)} IPC objects present before the tests")
        print(f"this run: the descendants of pid {run['ctest_pid']} ({ctest[2] if ctest else '?'}), "
              f"as uid {', '.join(map(str, run['uids']))}")
        if not mqueue_listed:
            print("note: POSIX message queues cannot be listed here (no mqueue mount), so they are not checked")
        return 0
    with open(path) as f:
        before = json.load(f)
    run = before["run"]
    known = set(before["objects"])
    new = sorted((o for o in objects if o["id"] not in known), key=lambda o: o["desc"])
    leaked, outside = [], []
    attachers = shm_attachers() if any("shmid" in o for o in new) else {}
    for obj in new:
        out, why = classify(obj, run, attachers)
        (outside if out else leaked).append((obj, why))
    print(f"IPC objects before: {len(known)}, after: {len(objects)}, new: {len(new)} "
          f"({len(leaked)} this run's, {len(outside)} outside it)")
    for obj, why in outside:
        print(f"outside this run: {obj['desc']} ({why})")
    for obj, why in leaked:
        print(f"LEAKED: {obj['desc']} ({why})")
    return 1 if leaked else 0


if __name__ == "__main__":
    sys.exit(main())
