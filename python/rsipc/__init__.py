"""rsipc for Python, through ctypes.

Loads the C library ``librsipc.so.0`` (where from: see ``rsipc._lib._load``
and python/README.md; ``rsipc.library_path`` says which file) and wraps its
API. Every failing call raises :class:`RsipcError` (an ``OSError``) whose
``errno`` is the C errno and whose ``strerror`` is rsipc's own explanation
(``rsipc_last_error()``); an argument of the wrong type raises ``TypeError``
naming the function.

One submodule per mechanism: :mod:`rsipc.pipes`, :mod:`rsipc.fifo`,
:mod:`rsipc.memmap`, :mod:`rsipc.shm`, :mod:`rsipc.sysv_shm`,
:mod:`rsipc.msg`, :mod:`rsipc.mq`, :mod:`rsipc.sem`, :mod:`rsipc.sysv_sem`,
:mod:`rsipc.chan`, and :mod:`rsipc.objects` (listing and reaping every IPC
object). Their public names (each lists them in its ``__all__``)
are re-exported here, so ``rsipc.pipe2(...)`` works. The raw functions, with
their C prototypes declared, are ``rsipc.lib.rsipc_*`` (for passing
deliberately bad arguments).
"""
import importlib
import pkgutil

from ._lib import lib, library_path, last_error, clear_error, version, RsipcError  # noqa: F401

__version__ = "0.1.0"

__all__ = ["lib", "library_path", "last_error", "clear_error", "version", "RsipcError"]


def _export_submodules():
    """Re-exports every mechanism submodule's ``__all__``. A name two
    submodules share (``IPC_CREAT``, ...) must be the same value in both; a
    name equal to a submodule's would hide that submodule, and is refused."""
    submodules = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    origin = {}
    for sub in sorted(submodules):
        module = importlib.import_module(f"{__name__}.{sub}")
        for name in module.__all__:
            value = getattr(module, name)
            if name in submodules:
                raise ImportError(f"rsipc.{sub}.{name} would hide the submodule rsipc.{name}")
            if name in origin:
                if globals()[name] is not value and globals()[name] != value:
                    raise ImportError(f"rsipc.{sub}.{name} differs from rsipc.{origin[name]}.{name}")
                continue
            origin[name] = sub
            globals()[name] = value
            __all__.append(name)


_export_submodules()
