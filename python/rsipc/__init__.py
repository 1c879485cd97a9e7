"""rsipc for Python, through ctypes.

Loads ``librsipc.so`` with ``dlopen`` (the path in ``$RSIPC_LIBRARY``, else
the repository's build directory, else the system's library path) and wraps
the C API. Every failing call raises ``OSError`` whose ``errno`` is the C
errno and whose ``strerror`` is rsipc's own explanation
(``rsipc_last_error()``).

The raw functions, with their C prototypes declared, are ``rsipc.lib.rsipc_*``
(for passing deliberately bad arguments); the Pythonic wrappers are the
module-level functions, one submodule per mechanism (``rsipc.pipe``, ...),
all re-exported here.
"""
import importlib
import pkgutil

from ._lib import lib, library_path, last_error, clear_error, version, RsipcError  # noqa: F401

__all__ = ["lib", "library_path", "last_error", "clear_error", "version", "RsipcError"]

# Re-export every mechanism submodule's public names (each one lists them in
# its __all__), so `import rsipc; rsipc.pipe2(...)` works.
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("_"):
        continue
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _name in getattr(_module, "__all__", ()):
        globals()[_name] = getattr(_module, _name)
        __all__.append(_name)
