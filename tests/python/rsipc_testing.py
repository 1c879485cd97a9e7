"""What the ctypes tests share: failure assertions and glibc for
differential checks."""
import ctypes
import ctypes.util
import os
import unittest

import rsipc

# glibc itself, for tests that run the same call through glibc and rsipc.
glibc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def raw_failure(call, *args):
    """Calls a raw rsipc function; returns (result, errno, last error)."""
    rsipc.clear_error()
    ctypes.set_errno(0)
    result = call(*args)
    return result, ctypes.get_errno(), rsipc.last_error()


def needs_root(why):
    """Skips the test, saying why, unless it runs as root (to become a
    second user, or for another privilege)."""
    return unittest.skipUnless(os.geteuid() == 0, f"not running as root: {why}")


class RsipcTestCase(unittest.TestCase):
    def assert_fails(self, call, err, name):
        """`call()` raises RsipcError with errno `err` and a message that
        starts with `name(`; returns the message."""
        rsipc.clear_error()
        with self.assertRaises(rsipc.RsipcError) as ctx:
            call()
        self.assertEqual(ctx.exception.errno, err)
        self.assertTrue(ctx.exception.strerror.startswith(name + "("), ctx.exception.strerror)
        return ctx.exception.strerror
