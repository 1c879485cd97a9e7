/* Running test code as an unprivileged user, for the permission tests
 * (EACCES on a 0600 object of another user, for every object kind).
 *
 *   int r = privdrop_run(fn, arg);   fn(arg) runs in a forked child as
 *                                    uid/gid 65534 (nobody/nogroup), no
 *                                    supplementary groups, no capabilities;
 *                                    r is fn's return value (0..255), or
 *                                    PRIVDROP_UNAVAILABLE when the test does
 *                                    not run as root (nothing to drop: skip),
 *                                    or PRIVDROP_FAILED if the child could not
 *                                    drop or did not exit normally.
 *   privdrop_drop()                  the same drop in the calling process (for
 *                                    code that is already in a forked child,
 *                                    such as a bad-input matrix row); returns
 *                                    0, or -1 with a message on stderr.
 *
 * Why each step: setgroups(0) first (it needs privilege), then setgid while
 * still root, then setuid, which clears the effective, permitted and ambient
 * capabilities. The credential change makes the process non-dumpable, which
 * hands /proc/self/ to root; PR_SET_DUMPABLE gives it back so the tests can
 * still read /proc/self/fd and /proc/self/status. The drop is verified, never
 * assumed: every id, the group list, the capability sets, and that
 * setuid(0) now fails.
 *
 * Part of the test support library (tests/c/support/): the functions are
 * privdrop.c. */
#ifndef RSIPC_TEST_PRIVDROP_H
#define RSIPC_TEST_PRIVDROP_H

#define PRIVDROP_UID 65534
#define PRIVDROP_GID 65534
#define PRIVDROP_UNAVAILABLE 254
#define PRIVDROP_FAILED 255

/* Reads the hex capability set `which` ("CapEff", "CapPrm", ...) of this
 * process from /proc/self/status; -1 if it cannot be read. */
long long privdrop_capset(const char *which);

/* Drops this process to PRIVDROP_UID:PRIVDROP_GID and verifies it; 0, or -1
 * with a message on stderr. */
int privdrop_drop(void);

/* fn(arg) in a forked child dropped as privdrop_drop() does: fn's return
 * value (0..255), PRIVDROP_UNAVAILABLE when not root, PRIVDROP_FAILED. */
int privdrop_run(int (*fn)(void *), void *arg);

#endif
