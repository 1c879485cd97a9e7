"""The build backend of the rsipc Python package (PEP 517, with PEP 660
editable installs), written with the standard library only.

Why not setuptools: the package is pure Python (the C library is found at
run time, see README.md), and a backend needing nothing lets
`pip install ./python` work on a machine without network access, with or
without build isolation, and with a pip whose environment has setuptools but
not `wheel` (a fresh venv), where setuptools' backend cannot build a wheel.

It builds:
  * a wheel (py3-none-any) of the rsipc/ package with its .dist-info;
  * an sdist (pyproject.toml, README.md, build_backend/, rsipc/);
  * an editable wheel: a .pth file naming this directory, so the installed
    package is the source tree's.
The metadata comes from pyproject.toml's [project] table.
"""
import base64
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # python/
PACKAGE = "rsipc"


# ---------------------------------------------------------------------------
# Metadata.

def _project():
    """pyproject.toml's [project] table (the keys this package uses)."""
    with open(os.path.join(HERE, "pyproject.toml"), "rb") as f:
        data = f.read()
    try:
        import tomllib  # Python 3.11+
        return tomllib.loads(data.decode())["project"]
    except ImportError:
        pass
    # Older Pythons: the [project] table's `key = "string"` and
    # `key = { text = "string" }` lines, all this file uses.
    project, section = {}, None
    for line in data.decode().splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]").strip()
            continue
        if section != "project":
            continue
        m = re.match(r'([A-Za-z_-]+)\s*=\s*(?:\{\s*text\s*=\s*)?"([^"]*)"', line)
        if m:
            key, value = m.groups()
            project[key] = {"text": value} if "{" in line else value
    return project


def _dist_name():
    project = _project()
    return f"{project['name']}-{project['version']}", project


def _metadata(project):
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
        f"Summary: {project.get('description', '')}",
    ]
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    license = project.get("license")
    if isinstance(license, dict) and "text" in license:
        lines.append(f"License: {license['text']}")
    text = ""
    readme = project.get("readme")
    if readme:
        with open(os.path.join(HERE, readme), encoding="utf-8") as f:
            text = f.read()
        lines.append("Description-Content-Type: text/markdown")
    return ("\n".join(lines) + "\n\n" + text).encode("utf-8")


# ---------------------------------------------------------------------------
# Wheels.

def _date_time():
    """The time stamp of every archive member: SOURCE_DATE_EPOCH when set
    (reproducible builds), else now; never before 1980 (zip's epoch)."""
    t = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    return max(time.gmtime(t)[:6], (1980, 1, 1, 0, 0, 0))


class _Wheel:
    def __init__(self, path):
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
        self.record = []
        self.when = _date_time()

    def add(self, arcname, data):
        info = zipfile.ZipInfo(arcname, self.when)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        self.record.append(f"{arcname},sha256={digest},{len(data)}")

    def close(self, dist_info):
        self.record.append(f"{dist_info}/RECORD,,")
        info = zipfile.ZipInfo(f"{dist_info}/RECORD", self.when)
        info.external_attr = 0o644 << 16
        self.zip.writestr(info, "\n".join(self.record) + "\n")
        self.zip.close()


def _package_files():
    """(path relative to python/, absolute path) of every file of the
    package, compiled files left out."""
    out = []
    for root, dirs, files in os.walk(os.path.join(HERE, PACKAGE)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            full = os.path.join(root, name)
            out.append((os.path.relpath(full, HERE).replace(os.sep, "/"), full))
    return out


def _build(wheel_directory, contents):
    dist, project = _dist_name()
    filename = f"{dist}-py3-none-any.whl"
    dist_info = f"{dist}.dist-info"
    wheel = _Wheel(os.path.join(wheel_directory, filename))
    for arcname, data in contents(dist):
        wheel.add(arcname, data)
    wheel.add(f"{dist_info}/METADATA", _metadata(project))
    wheel.add(f"{dist_info}/WHEEL",
              b"Wheel-Version: 1.0\nGenerator: rsipc_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    wheel.add(f"{dist_info}/top_level.txt", f"{PACKAGE}\n".encode())
    wheel.close(dist_info)
    return filename


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _build(wheel_directory, lambda dist: [(arc, _read(full)) for arc, full in _package_files()])


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth line is a directory to add to sys.path: this one, which holds
    # the rsipc package.
    return _build(wheel_directory, lambda dist: [(f"__editable__.{dist}.pth", (HERE + "\n").encode())])


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


# ---------------------------------------------------------------------------
# Source distribution.

def build_sdist(sdist_directory, config_settings=None):
    dist, project = _dist_name()
    filename = f"{dist}.tar.gz"
    mtime = time.mktime(_date_time() + (0, 0, -1))
    files = [("pyproject.toml", os.path.join(HERE, "pyproject.toml")),
             ("build_backend/rsipc_build.py", os.path.abspath(__file__))]
    if project.get("readme"):
        files.append((project["readme"], os.path.join(HERE, project["readme"])))
    files += _package_files()
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        def add(arcname, data):
            info = tarfile.TarInfo(f"{dist}/{arcname}")
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            tar.addfile(info, io.BytesIO(data))

        for arcname, full in files:
            add(arcname, _read(full))
        add("PKG-INFO", _metadata(project))
    return filename
