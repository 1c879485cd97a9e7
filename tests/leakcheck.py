#!/usr/bin/env python3
"""The suite leaves the machine's IPC objects as it found them.

usage: leakcheck.py snapshot FILE   (ctest fixture setup: runs first)
       leakcheck.py compare FILE    (ctest fixture cleanup: runs last)

Records System V shared memory segments, message queues and semaphore sets
(/proc/sysvipc), the entries of /dev/shm (POSIX shared memory, named
semaphores, rsipc channels) and the POSIX message queues (read from an
mqueue file system, mounted privately when /dev/mqueue is not mounted), and
fails listing every object present at the end that was not there at the
start.
"""
import json
import os
import subprocess
import sys
import tempfile


def sysv(kind):
    path = f"/proc/sysvipc/{kind}"
    with open(path) as f:
        lines = f.read().splitlines()
    header = lines[0].split()
    out = []
    for line in lines[1:]:
        fields = dict(zip(header, line.split()))
        ident = fields.get("shmid") or fields.get("msqid") or fields.get("semid")
        out.append(f"{kind} key={int(fields['key']):#x} id={ident} perms={fields['perms']}")
    return out


def dev_shm():
    return [f"/dev/shm/{name}" for name in os.listdir("/dev/shm")]


def posix_mqueues():
    if os.path.isdir("/dev/mqueue") and os.path.ismount("/dev/mqueue"):
        return [f"mqueue /{name}" for name in os.listdir("/dev/mqueue")]
    # Mount the mqueue file system privately to list the queues (root only).
    mnt = tempfile.mkdtemp(prefix="rsipc-mq-")
    try:
        r = subprocess.run(["mount", "-t", "mqueue", "none", mnt], capture_output=True)
        if r.returncode != 0:
            return None
        try:
            return [f"mqueue /{name}" for name in os.listdir(mnt)]
        finally:
            subprocess.run(["umount", mnt], capture_output=True)
    finally:
        os.rmdir(mnt)


def snapshot():
    mq = posix_mqueues()
    return {
        "objects": sysv("shm") + sysv("msg") + sysv("sem") + dev_shm() + (mq or []),
        "mqueue_listed": mq is not None,
    }


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("snapshot", "compare"):
        print(__doc__, file=sys.stderr)
        return 2
    path = sys.argv[2]
    now = snapshot()
    if sys.argv[1] == "snapshot":
        with open(path, "w") as f:
            json.dump(now, f)
        print(f"snapshot: {len(now['objects'])} IPC objects present before the tests")
        if not now["mqueue_listed"]:
            print("note: POSIX message queues cannot be listed here (no mqueue mount)")
        return 0
    with open(path) as f:
        before = json.load(f)
    leaked = sorted(set(now["objects"]) - set(before["objects"]))
    print(f"IPC objects before: {len(before['objects'])}, after: {len(now['objects'])}, new: {len(leaked)}")
    for obj in leaked:
        print(f"LEAKED: {obj}")
    return 1 if leaked else 0


if __name__ == "__main__":
    sys.exit(main())
