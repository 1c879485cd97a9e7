"""The package as a user meets it: its names, its documentation, its
reprs, the TypeError of a wrong argument, its version, and what
`import rsipc` says when the library is not found."""
import ctypes
import inspect
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import rsipc
from rsipc_testing import RsipcTestCase

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(rsipc.__file__)))
REPO = os.path.dirname(PYTHON_DIR)


def submodules():
    return sorted(m.name for m in pkgutil.iter_modules(rsipc.__path__) if not m.name.startswith("_"))


def public_callables():
    """(qualified name, object) of every public function, class and method."""
    out = []
    for name in rsipc.__all__:
        obj = getattr(rsipc, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            out.append((name, obj))
        if inspect.isclass(obj) and obj.__module__.startswith("rsipc"):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(member, (classmethod, staticmethod)):
                    member = member.__func__
                if inspect.isfunction(member):
                    out.append((f"{name}.{attr}", member))
    return out


class NamesTest(RsipcTestCase):
    def test_all_has_no_duplicates_and_every_name_exists(self):
        dupes = sorted({n for n in rsipc.__all__ if rsipc.__all__.count(n) > 1})
        self.assertEqual(dupes, [])
        for name in rsipc.__all__:
            self.assertTrue(hasattr(rsipc, name), name)

    def test_every_submodule_is_reachable_under_its_own_name(self):
        self.assertIn("pipes", submodules())
        self.assertIn("memmap", submodules())
        for sub in submodules():
            self.assertIs(getattr(rsipc, sub), sys.modules[f"rsipc.{sub}"], sub)
            self.assertNotIn(sub, rsipc.__all__)

    def test_the_functions_keep_their_c_names_at_the_top(self):
        self.assertIs(rsipc.pipe, rsipc.pipes.pipe)
        self.assertIs(rsipc.mmap, rsipc.memmap.mmap)
        r, w = rsipc.pipe()
        os.close(r)
        os.close(w)

    def test_names_shared_by_submodules_are_one_value(self):
        self.assertEqual(rsipc.sysv_sem.IPC_CREAT, rsipc.sysv_shm.IPC_CREAT)
        self.assertEqual(rsipc.IPC_PRIVATE, 0)

    def test_every_public_function_class_and_method_has_a_docstring(self):
        missing = [name for name, obj in public_callables() if not (obj.__doc__ or "").strip()]
        self.assertEqual(missing, [])
        self.assertGreater(len(public_callables()), 100)


class ReprTest(RsipcTestCase):
    def structures(self):
        return [getattr(rsipc, n) for n in rsipc.__all__
                if inspect.isclass(getattr(rsipc, n)) and issubclass(getattr(rsipc, n), ctypes.Structure)]

    def test_every_structure_shows_its_fields(self):
        self.assertGreaterEqual(len(self.structures()), 14)
        for cls in self.structures():
            text = repr(cls())
            self.assertTrue(text.startswith(cls.__name__ + "("), text)
            self.assertNotIn(" object at 0x", text)
            self.assertNotIn("_pad", text)
            self.assertNotIn("_unused", text)
            self.assertNotIn("_reserved", text)

    def test_a_reprs_values(self):
        self.assertEqual(repr(rsipc.MqAttr(0, 10, 8192, 3)),
                         "MqAttr(mq_flags=0, mq_maxmsg=10, mq_msgsize=8192, mq_curmsgs=3)")
        self.assertEqual(repr(rsipc.sembuf(1, -1, rsipc.SEM_UNDO)), "sembuf(sem_num=1, sem_op=-1, sem_flg=4096)")
        self.assertEqual(repr(rsipc.ChanStats(1, 2, 3, 4, 5, 6)),
                         "ChanStats(queued=1, capacity=2, max_msg=3, sent=4, received=5, lost=6)")

    def test_nested_structures_and_arrays(self):
        ds = rsipc.ShmidDs()
        ds.shm_perm.mode = 0o640
        ds.shm_segsz = 4096
        text = repr(ds)
        self.assertIn("shm_perm=IpcPerm(key=0, uid=0, gid=0, cuid=0, cgid=0, mode=416, seq=0)", text)
        self.assertIn("shm_segsz=4096", text)

    def test_a_semaphore_shows_its_value(self):
        sem = rsipc.sem_t()
        rsipc.sem_init(sem, False, 3)
        self.assertEqual(repr(sem), "sem_t(value=3, waiters=0)")
        rsipc.sem_destroy(sem)


class TypeErrorTest(RsipcTestCase):
    def assert_type_error(self, call, name, *words):
        with self.assertRaises(TypeError) as ctx:
            call()
        self.assertNotIsInstance(ctx.exception, ctypes.ArgumentError)
        message = str(ctx.exception)
        self.assertTrue(message.startswith(f"rsipc.{name}(): "), message)
        for word in words:
            self.assertIn(word, message)
        # No ctypes traceback chained to it.
        self.assertIsNone(ctx.exception.__cause__)
        self.assertTrue(ctx.exception.__suppress_context__)

    def test_an_argument_ctypes_cannot_convert(self):
        self.assert_type_error(lambda: rsipc.pipe_capacity("3"), "pipe_capacity", "argument 1", "int", "str '3'")
        self.assert_type_error(lambda: rsipc.pipe2(None), "pipe2", "argument 2", "NoneType")
        self.assert_type_error(lambda: rsipc.sem_post(5), "sem_post", "sem_t")
        self.assert_type_error(lambda: rsipc.shmget(0, "4096"), "shmget", "argument 2")

    def test_the_function_named_is_the_one_called(self):
        # shm_stat calls shmctl: the message names shm_stat.
        self.assert_type_error(lambda: rsipc.shm_stat("7"), "shm_stat", "str '7'")
        self.assert_type_error(lambda: rsipc.semctl_getval(1.5, 0), "semctl_getval", "float")

    def test_conversions_done_in_python(self):
        self.assert_type_error(lambda: rsipc.shm_open(123, os.O_RDONLY), "shm_open", "int")
        self.assert_type_error(lambda: rsipc.mkfifo(None), "mkfifo")
        self.assert_type_error(lambda: rsipc.msgctl(0, rsipc.IPC_STAT, "buffer"), "msgctl")

    def test_data_must_be_bytes_like_not_an_int_taken_as_a_length(self):
        r, w = rsipc.pipe()
        try:
            self.assert_type_error(lambda: rsipc.write_all(w, 5), "write_all", "bytes-like", "'int'")
            self.assert_type_error(lambda: rsipc.write_all(w, "text"), "write_all", "bytes-like", "'str'")
            self.assertEqual(rsipc.write_all(w, bytearray(b"ok")), 2)
            self.assertEqual(rsipc.write_all(w, memoryview(b"!")), 1)
            self.assertEqual(rsipc.read_exact(r, 3), b"ok!")
        finally:
            os.close(r)
            os.close(w)

    def test_methods_are_named_with_their_class(self):
        with rsipc.Chan.create(None, max_msg=16, capacity=2) as ch:
            self.assert_type_error(lambda: ch.send(7), "Chan.send", "bytes-like")
            self.assert_type_error(lambda: ch.recv("soon"), "Chan.recv", "argument 4")
        self.assert_type_error(lambda: rsipc.Chan.create(None, max_msg="16"), "Chan.create", "argument 2")

    def test_a_call_with_the_wrong_number_of_arguments_names_it_too(self):
        self.assert_type_error(lambda: rsipc.pipe_capacity(), "pipe_capacity", "missing")


class VersionTest(RsipcTestCase):
    def test_the_package_library_and_cargo_versions_agree(self):
        with open(os.path.join(REPO, "Cargo.toml")) as f:
            cargo = re.search(r'^version = "([^"]+)"', f.read(), re.M).group(1)
        with open(os.path.join(PYTHON_DIR, "pyproject.toml")) as f:
            pyproject = re.search(r'^version = "([^"]+)"', f.read(), re.M).group(1)
        self.assertEqual(rsipc.__version__, cargo)
        self.assertEqual(pyproject, cargo)
        self.assertEqual(rsipc.version(), cargo)


def import_in_a_clean_environment(package_parent, **env):
    """Runs `import rsipc` with `package_parent` first on sys.path, from a
    directory outside the source tree, with none of the variables that
    would point at a library unless given; returns the CompletedProcess."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("RSIPC_LIBRARY", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH", "PYTHONPATH")}
    clean.update(env)
    clean["PYTHONPATH"] = package_parent
    with tempfile.TemporaryDirectory(prefix="rsipc-py-cwd-") as cwd:
        return subprocess.run([sys.executable, "-c", "import rsipc; print(rsipc.library_path)"],
                              cwd=cwd, env=clean, capture_output=True, text=True)


class LibrarySearchTest(RsipcTestCase):
    def test_a_bad_rsipc_library_is_an_import_error_naming_it(self):
        r = import_in_a_clean_environment(PYTHON_DIR, RSIPC_LIBRARY="/nonexistent/librsipc.so")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ImportError: rsipc: cannot load RSIPC_LIBRARY=/nonexistent/librsipc.so", r.stderr)

    def test_rsipc_library_wins(self):
        r = import_in_a_clean_environment(PYTHON_DIR, RSIPC_LIBRARY=rsipc.library_path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), rsipc.library_path)

    def test_the_checkouts_package_finds_the_checkouts_build(self):
        build_lib = os.path.join(REPO, "build", "cargo", "release", "librsipc.so")
        if not os.path.exists(build_lib):
            self.skipTest(f"no {build_lib} (the default build directory) in this checkout")
        r = import_in_a_clean_environment(PYTHON_DIR)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.strip().startswith(REPO), r.stdout)

    def test_no_library_anywhere_is_an_import_error_listing_every_place_tried(self):
        # A copy of the package outside the checkout, with pkg-config
        # looking in an empty directory only.
        with tempfile.TemporaryDirectory(prefix="rsipc-py-nolib-") as tmp:
            shutil.copytree(os.path.join(PYTHON_DIR, "rsipc"), os.path.join(tmp, "rsipc"),
                            ignore=shutil.ignore_patterns("__pycache__"))
            empty = os.path.join(tmp, "empty")
            os.mkdir(empty)
            r = import_in_a_clean_environment(tmp, PKG_CONFIG_LIBDIR=empty)
            if r.returncode == 0:
                self.skipTest(f"this machine has the library installed ({r.stdout.strip()})")
        self.assertIn("ImportError: rsipc: the C library (librsipc.so.0) was not found", r.stderr)
        for line in ("  $RSIPC_LIBRARY (not set)", "  the dynamic loader: librsipc.so.0: ",
                     "  pkg-config: ", "  prefixes: no librsipc.so.0 in "):
            self.assertIn("\n" + line, r.stderr)
        self.assertIn("set RSIPC_LIBRARY", r.stderr)


if __name__ == "__main__":
    unittest.main()
