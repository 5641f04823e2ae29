"""rustpy's in-memory filesystem: one per interpreter (the page, each worker).

RustPython's browser build has no file system (``_io.open`` raises, ``posix`` is
rustpy's own), so the files live here, in Python: ``_files`` maps an absolute path to
its bytes, ``_dirs`` holds the folders. The config's ``files`` and ``fetch`` fill it
before the script runs (``_rustpy_host.take_files()``). ``builtins.open``/``io.open``,
the ``os`` functions (through rustpy's ``posix``) and ``pathlib``/``shutil`` on top of
them work on it, and ``FileFinder`` (on ``sys.meta_path``) imports the user's modules
and packages from the working directory and the rest of ``sys.path``.
"""

import _io
import builtins
import sys

import _frozen_importlib
import _rustpy_host

HOME = "/home/rustpy"
_files = {}  # absolute path -> bytearray
_dirs = {"/", "/home", HOME, "/tmp"}
_mtimes = {}  # absolute path -> seconds since the epoch
_cwd = HOME

_DIR_MODE = 0o040755
_FILE_MODE = 0o100644
ENOENT, EBADF, EEXIST, ENOTDIR, EISDIR, EINVAL, ENOTEMPTY = 2, 9, 17, 20, 21, 22, 39


def _now():
    return _rustpy_host.wall_clock()


def _fspath(path):
    if isinstance(path, str):
        return path
    if isinstance(path, bytes):
        return path.decode("utf-8", "surrogateescape")
    fspath = getattr(type(path), "__fspath__", None)
    if fspath is None:
        raise TypeError(f"expected str, bytes or os.PathLike object, not {type(path).__name__}")
    return _fspath(fspath(path))


def _abs(path):
    """The absolute, normalised form of ``path`` (relative to the working directory)."""
    path = _fspath(path)
    if not path.startswith("/"):
        path = _cwd + "/" + path
    parts = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/" + "/".join(parts)


def _parent(path):
    return path.rsplit("/", 1)[0] or "/"


def _error(cls, code, message, path):
    return cls(code, message, _fspath(path) if not isinstance(path, int) else path)


def _not_found(path):
    return _error(FileNotFoundError, ENOENT, "No such file or directory", path)


def _folder(full, shown):
    """``full`` if it is a folder; else the error CPython raises, naming ``shown``."""
    if full in _files:
        raise _error(NotADirectoryError, ENOTDIR, "Not a directory", shown)
    if full not in _dirs:
        raise _not_found(shown)
    return full


def _check_parent(path, shown):
    _folder(_parent(path), shown)


def _make_dirs_for(path):
    parent = _parent(path)
    while parent not in _dirs:
        _dirs.add(parent)
        parent = _parent(parent)


def add_file(path, data):
    """Puts ``data`` at ``path``, creating its folders (the config's files)."""
    path = _abs(path)
    _make_dirs_for(path)
    _files[path] = bytearray(data)
    _mtimes[path] = _now()


# ---- os -------------------------------------------------------------------------------


class stat_result(tuple):
    """``os.stat_result``: the ten classic fields, by index and by name."""

    n_sequence_fields = 10
    st_mode = property(lambda self: self[0])
    st_ino = property(lambda self: self[1])
    st_dev = property(lambda self: self[2])
    st_nlink = property(lambda self: self[3])
    st_uid = property(lambda self: self[4])
    st_gid = property(lambda self: self[5])
    st_size = property(lambda self: self[6])
    st_atime = property(lambda self: self[7])
    st_mtime = property(lambda self: self[8])
    st_ctime = property(lambda self: self[9])
    st_atime_ns = property(lambda self: int(self[7] * 1e9))
    st_mtime_ns = property(lambda self: int(self[8] * 1e9))
    st_ctime_ns = property(lambda self: int(self[9] * 1e9))

    def __repr__(self):
        names = "mode ino dev nlink uid gid size atime mtime ctime".split()
        return "os.stat_result(" + ", ".join(f"st_{n}={v!r}" for n, v in zip(names, self)) + ")"


def file_stat(data, when):
    """The ``stat_result`` of a file holding ``data``, last written at ``when``."""
    return stat_result((_FILE_MODE, id(data), 1, 1, 0, 0, len(data), when, when, when))


def stat(path, *, dir_fd=None, follow_symlinks=True):
    """The file's or folder's ``stat_result`` (``FileNotFoundError`` if neither)."""
    full = _abs(path)
    when = _mtimes.get(full, 0.0)
    if full in _files:
        return file_stat(_files[full], when)
    if full in _dirs:
        return stat_result((_DIR_MODE, hash(full) & 0xFFFFFFFF, 1, 2, 0, 0, 0, when, when, when))
    raise _not_found(path)


lstat = stat


def access(path, mode, *, dir_fd=None, effective_ids=False, follow_symlinks=True):
    """Whether the path exists (everything is readable and writable)."""
    full = _abs(path)
    return full in _files or full in _dirs


def getcwd():
    """The working directory (``/home/rustpy`` at start)."""
    return _cwd


def getcwdb():
    return _cwd.encode()


def chdir(path):
    """Changes the working directory."""
    global _cwd
    _cwd = _folder(_abs(path), path)


def listdir(path="."):
    """The names in a folder, sorted."""
    full = _folder(_abs(path), path)
    prefix = full.rstrip("/") + "/"
    names = {p[len(prefix):].split("/", 1)[0] for p in _files if p.startswith(prefix)}
    names.update(p[len(prefix):].split("/", 1)[0] for p in _dirs if p.startswith(prefix) and p != full)
    names = sorted(names)
    return [n.encode() for n in names] if isinstance(path, bytes) else names


class DirEntry:
    """An entry of ``os.scandir``."""

    def __init__(self, folder, name):
        self.name = name
        self.path = name if folder in (".", "") else folder.rstrip("/") + "/" + name
        self._full = _abs(self.path)

    def is_dir(self, *, follow_symlinks=True):
        return self._full in _dirs

    def is_file(self, *, follow_symlinks=True):
        return self._full in _files

    def is_symlink(self):
        return False

    def is_junction(self):
        return False

    def stat(self, *, follow_symlinks=True):
        return stat(self._full)

    def inode(self):
        return stat(self._full).st_ino

    def __fspath__(self):
        return self.path

    def __repr__(self):
        return f"<DirEntry {self.name!r}>"


class _ScandirIterator:
    def __init__(self, entries):
        self._entries = iter(entries)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._entries)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._entries = iter(())


def scandir(path="."):
    """The entries of a folder (a context manager too)."""
    folder = _fspath(path)
    return _ScandirIterator([DirEntry(folder, name) for name in listdir(path)])


def mkdir(path, mode=0o777, *, dir_fd=None):
    """Creates a folder whose parent exists."""
    full = _abs(path)
    if full in _dirs or full in _files:
        raise _error(FileExistsError, EEXIST, "File exists", path)
    _check_parent(full, path)
    _dirs.add(full)
    _mtimes[full] = _now()


def makedirs(name, mode=0o777, exist_ok=False):
    """Creates a folder and its missing parents."""
    full = _abs(name)
    if full in _files or (full in _dirs and not exist_ok):
        raise _error(FileExistsError, EEXIST, "File exists", name)
    parent = _parent(full)
    if parent != full and parent not in _dirs:
        makedirs(parent, mode, exist_ok=True)
    if full not in _dirs:
        mkdir(full, mode)


def rmdir(path, *, dir_fd=None):
    """Removes an empty folder."""
    full = _folder(_abs(path), path)
    if listdir(full):
        raise _error(OSError, ENOTEMPTY, "Directory not empty", path)
    if full in ("/", _cwd):
        raise _error(OSError, EINVAL, "Invalid argument", path)
    _dirs.discard(full)


def removedirs(name):
    """Removes a folder, then its parents while they are empty."""
    rmdir(name)
    head = _parent(_abs(name))
    while head != "/":
        try:
            rmdir(head)
        except OSError:
            break
        head = _parent(head)


def remove(path, *, dir_fd=None):
    """Removes a file."""
    full = _abs(path)
    if full in _dirs:
        raise _error(IsADirectoryError, EISDIR, "Is a directory", path)
    if _files.pop(full, None) is None:
        raise _not_found(path)
    _mtimes.pop(full, None)


unlink = remove


def rename(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
    """Moves a file or folder (a file replaces a file at ``dst``)."""
    old, new = _abs(src), _abs(dst)
    if old not in _files and old not in _dirs:
        raise _not_found(src)
    _check_parent(new, dst)
    if old in _files:
        if new in _dirs:
            raise _error(IsADirectoryError, EISDIR, "Is a directory", dst)
        _files[new] = _files.pop(old)
        _mtimes[new] = _mtimes.pop(old, _now())
        return
    if new in _files or (new in _dirs and listdir(new)):
        raise _error(OSError, ENOTEMPTY, "Directory not empty", dst)
    if (new + "/").startswith(old + "/"):
        raise _error(OSError, EINVAL, "Invalid argument", dst)
    moved = lambda p: new + p[len(old):]  # noqa: E731
    inside = lambda p: p == old or p.startswith(old + "/")  # noqa: E731
    for path in [p for p in _files if inside(p)]:
        _files[moved(path)] = _files.pop(path)
    for path in [p for p in _dirs if inside(p)]:
        _dirs.discard(path)
        _dirs.add(moved(path))


replace = rename


def renames(old, new):
    """Moves ``old`` to ``new``, creating ``new``'s folders."""
    head = _parent(_abs(new))
    if head not in _dirs:
        makedirs(head)
    rename(old, new)


def chmod(path, mode, *, dir_fd=None, follow_symlinks=True):
    """Accepted and ignored (every file is readable and writable), after checking the path."""
    stat(path)


def utime(path, times=None, *, ns=None, dir_fd=None, follow_symlinks=True):
    """Sets the modification time."""
    stat(path)
    _mtimes[_abs(path)] = _now() if times is None and ns is None else (times[1] if ns is None else ns[1] / 1e9)


def walk(top, topdown=True, onerror=None, followlinks=False):
    """``os.walk`` over the in-memory folders."""
    try:
        entries = list(scandir(top))
    except OSError as error:
        if onerror is not None:
            onerror(error)
        return
    dirs = [e.name for e in entries if e.is_dir()]
    files = [e.name for e in entries if not e.is_dir()]
    top = _fspath(top)
    if topdown:
        yield top, dirs, files
    for name in dirs:
        yield from walk(top.rstrip("/") + "/" + name, topdown, onerror, followlinks)
    if not topdown:
        yield top, dirs, files


# ---- open -----------------------------------------------------------------------------


class FileIO(_io._RawIOBase):
    """The raw file object ``open()`` buffers: reads and writes one file's bytes."""

    def __init__(self, file, mode="r", closefd=True, opener=None):
        super().__init__()
        self._fd = None
        self.name = file
        full = _abs(file)
        kind = mode.replace("b", "").replace("t", "")
        self._readable = "r" in kind or "+" in kind
        self._writable = any(c in kind for c in "wax+")
        self.mode = ("rb+" if "+" in kind else "rb") if kind[0] == "r" else (kind[0] + "b" + ("+" if "+" in kind else ""))
        if full in _dirs:
            raise _error(IsADirectoryError, EISDIR, "Is a directory", file)
        if kind[0] == "r":
            if full not in _files:
                raise _not_found(file)
        else:
            if kind[0] == "x" and full in _files:
                raise _error(FileExistsError, EEXIST, "File exists", file)
            _check_parent(full, file)
            if kind[0] != "a" or full not in _files:
                _files[full] = bytearray()
            _mtimes[full] = _now()
        self._path = full
        self._data = _files[full]
        self._append = kind[0] == "a"
        self._pos = len(self._data) if self._append else 0

    def readable(self):
        return self._readable

    def writable(self):
        return self._writable

    def seekable(self):
        return True

    def readinto(self, buffer):
        if not self._readable:
            raise _io.UnsupportedOperation("read")
        data = self._data[self._pos : self._pos + len(buffer)]
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def readall(self):
        if not self._readable:
            raise _io.UnsupportedOperation("read")
        data = bytes(self._data[self._pos :])
        self._pos = len(self._data)
        return data

    def write(self, data):
        if not self._writable:
            raise _io.UnsupportedOperation("write")
        data = bytes(data)
        if self._append:
            self._pos = len(self._data)
        if self._pos > len(self._data):
            self._data.extend(bytes(self._pos - len(self._data)))
        self._data[self._pos : self._pos + len(data)] = data
        self._pos += len(data)
        _mtimes[self._path] = _now()
        return len(data)

    def seek(self, offset, whence=0):
        base = {0: 0, 1: self._pos, 2: len(self._data)}.get(whence)
        if base is None:
            raise ValueError(f"invalid whence ({whence}, should be 0, 1 or 2)")
        if base + offset < 0:
            raise _error(OSError, EINVAL, "Invalid argument", self.name)
        self._pos = base + offset
        return self._pos

    def tell(self):
        return self._pos

    def truncate(self, size=None):
        size = self._pos if size is None else size
        del self._data[size:]
        return size

    def fileno(self):
        if self._fd is None:
            raise _error(OSError, EBADF, "this file was not opened by descriptor (os.open)", self.name)
        return self._fd

    def close(self):
        if self._fd is not None:
            import _rustpy_fds

            _rustpy_fds.closed(self._fd)
        super().close()

    def isatty(self):
        return False


def open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None):
    """``open()`` on the in-memory filesystem, as CPython's (text or binary, buffered)."""
    if not isinstance(mode, str) or len(set(mode)) != len(mode) or set(mode) - set("rwaxbt+") or sum(c in mode for c in "rwax") != 1:
        raise ValueError(f"invalid mode: {mode!r}")
    binary = "b" in mode
    if binary and "t" in mode:
        raise ValueError("can't have text and binary mode at once")
    if binary and (encoding is not None or errors is not None or newline is not None):
        raise ValueError("binary mode doesn't take an encoding, errors or newline argument")
    if opener is not None or (isinstance(file, int) and not isinstance(file, bool)):
        import _rustpy_fds

        if opener is not None:
            # `opener(file, flags)` opens it and answers a descriptor (as `tempfile` does).
            raw = _rustpy_fds.raw(opener(file, _rustpy_fds.flags_of(mode)), True)
            raw.name = file
        else:
            raw = _rustpy_fds.raw(file, closefd)
    else:
        raw = FileIO(file, mode)
    if buffering == 0:
        if not binary:
            raise ValueError("can't have unbuffered text I/O")
        return raw
    line_buffering = buffering == 1 and not binary
    size = buffering if buffering > 1 else 8192
    if "+" in mode:
        buffer = _io.BufferedRandom(raw, size)
    elif raw.writable():
        buffer = _io.BufferedWriter(raw, size)
    else:
        buffer = _io.BufferedReader(raw, size)
    if binary:
        return buffer
    if encoding in (None, "locale"):
        encoding = "utf-8"
    return _io.TextIOWrapper(buffer, encoding, errors, newline, line_buffering)


def open_code(path):
    """``io.open_code``: the file's bytes, for reading code."""
    return open(path, "rb")


# ---- import ---------------------------------------------------------------------------


class SourceLoader:
    """Runs a ``.py`` file of the in-memory filesystem as a module."""

    def __init__(self, name, path):
        self.name = name
        self.path = path

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        # Set here rather than through `spec.has_location`: with it, importlib computes
        # `__cached__` through the path machinery RustPython's browser build lacks.
        module.__file__ = self.path
        code = compile(self.get_source(self.name), self.path, "exec")
        exec(code, module.__dict__)

    def get_filename(self, name=None):
        return self.path

    def get_data(self, path):
        full = _abs(path)
        if full not in _files:
            raise _not_found(path)
        return bytes(_files[full])

    def get_source(self, name=None):
        return self.get_data(self.path).decode("utf-8")

    def is_package(self, name=None):
        return self.path.endswith("/__init__.py")


class FileFinder:
    """Finds ``name.py`` and ``name/__init__.py`` in ``sys.path``'s folders (or a
    package's ``__path__``) on the in-memory filesystem (a ``sys.meta_path`` entry)."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        tail = name.rpartition(".")[2]
        for entry in sys.path if path is None else path:
            if not isinstance(entry, str):
                continue
            base = _abs(entry or ".")
            if base not in _dirs:
                continue
            stem = base.rstrip("/") + "/" + tail
            for file, package in ((stem + "/__init__.py", True), (stem + ".py", False)):
                if file in _files:
                    spec = _frozen_importlib.ModuleSpec(name, SourceLoader(name, file), origin=file, is_package=package)
                    if package:
                        spec.submodule_search_locations.append(stem)
                    return spec
        return None

    @classmethod
    def invalidate_caches(cls):
        pass


def install():
    """Takes the config's files, makes ``open()`` and imports use this filesystem."""
    for path, data in _rustpy_host.take_files():
        add_file(path, data)
    builtins.open = _io.open = open
    _io.open_code = open_code
    if not hasattr(_io, "FileIO"):
        _io.FileIO = FileIO
    if HOME not in sys.path:
        sys.path.insert(0, HOME)
    if FileFinder not in sys.meta_path:
        # Before the lazy stdlib: the user's modules come first, as a script's folder
        # does in CPython.
        names = [getattr(finder, "__name__", "") for finder in sys.meta_path]
        at = names.index("LibraryLoader") if "LibraryLoader" in names else len(names)
        sys.meta_path.insert(at, FileFinder)
