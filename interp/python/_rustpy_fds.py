"""File descriptors on rustpy's in-memory filesystem (``_rustpy_fs``).

``os.open`` gives a number standing for an open file; ``os.read``, ``os.write``,
``os.lseek``, ``os.fstat``, ``os.ftruncate``, ``os.fsync`` and ``os.close`` work on it,
and ``open(fd)`` (``io.open``, ``os.fdopen``) wraps it, as ``tempfile`` does. The
numbers start at 3 (0-2 are the standard streams, which are not files here).

Where it differs from a POSIX system: a descriptor is the open file itself (no
``dup``, no sharing between interpreters), and ``open(fd, closefd=False)`` reads and
writes the same bytes from a position of its own.
"""

import _rustpy_fs
from _rustpy_fs import EBADF, EEXIST, EISDIR, FileIO, _abs, _check_parent, _error, _not_found

O_RDONLY, O_WRONLY, O_RDWR = 0, 1, 2
O_ACCMODE = 3
O_CREAT, O_EXCL, O_TRUNC, O_APPEND = 0o100, 0o200, 0o1000, 0o2000

_open = {}  # descriptor -> FileIO
_next = 3


def _file(fd):
    """The open file behind ``fd``; ``OSError(EBADF)`` if there is none."""
    file = _open.get(fd) if isinstance(fd, int) else None
    if file is None or file.closed:
        raise OSError(EBADF, "Bad file descriptor")
    return file


def open(path, flags, mode=0o777, *, dir_fd=None):
    """``os.open``: opens (with ``O_CREAT``: creates) a file; returns its descriptor."""
    global _next
    full = _abs(path)
    access = flags & O_ACCMODE
    if access == O_ACCMODE:
        raise _error(OSError, 22, "Invalid argument", path)
    if full in _rustpy_fs._dirs:
        raise _error(IsADirectoryError, EISDIR, "Is a directory", path)
    exists = full in _rustpy_fs._files
    if exists and flags & O_CREAT and flags & O_EXCL:
        raise _error(FileExistsError, EEXIST, "File exists", path)
    if not exists and not flags & O_CREAT:
        raise _not_found(path)
    if not exists:
        _check_parent(full, path)
        _rustpy_fs._files[full] = bytearray()
        _rustpy_fs._mtimes[full] = _rustpy_fs._now()
    file = FileIO(path, "rb+")
    if flags & O_TRUNC and access != O_RDONLY:
        file.truncate(0)
    file._readable = access != O_WRONLY
    file._writable = access != O_RDONLY
    file._append = bool(flags & O_APPEND)
    file.mode = {O_RDONLY: "rb", O_WRONLY: "wb", O_RDWR: "rb+"}[access]
    fd = _next
    _next += 1
    file._fd = fd
    _open[fd] = file
    return fd


def close(fd):
    """``os.close``."""
    _file(fd).close()


def closed(fd):
    """Forgets ``fd`` (its file was closed)."""
    _open.pop(fd, None)


def read(fd, length):
    """``os.read``: at most ``length`` bytes from the file's position."""
    if length < 0:
        raise ValueError("negative length")
    return _file(fd).read(length)


def write(fd, data):
    """``os.write``: writes ``data`` at the file's position; returns how many bytes."""
    return _file(fd).write(data)


def lseek(fd, position, how):
    """``os.lseek``: moves the file's position; returns it."""
    return _file(fd).seek(position, how)


def ftruncate(fd, length):
    """``os.ftruncate``: cuts the file to ``length`` bytes (or pads it with zeros)."""
    file = _file(fd)
    if length < 0:
        raise OSError(22, "Invalid argument")
    data = file._data
    if length > len(data):
        data.extend(bytes(length - len(data)))
    del data[length:]


def fstat(fd):
    """``os.fstat``: the open file's ``stat_result`` (also once its name was removed)."""
    file = _file(fd)
    return _rustpy_fs.file_stat(file._data, _rustpy_fs._mtimes.get(file._path, 0.0))


def fsync(fd):
    """``os.fsync``: nothing to do in memory, but ``fd`` must be open."""
    _file(fd)


def fdopen(fd, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True):
    """``os.fdopen``: ``open(fd, ...)``."""
    return _rustpy_fs.open(fd, mode, buffering, encoding, errors, newline, closefd)


def flags_of(mode):
    """The ``os.open`` flags of an ``open()`` mode (for an ``opener``)."""
    kind = mode.replace("b", "").replace("t", "")
    flags = O_RDWR if "+" in kind else (O_RDONLY if kind[0] == "r" else O_WRONLY)
    return flags | {"r": 0, "w": O_CREAT | O_TRUNC, "a": O_CREAT | O_APPEND, "x": O_CREAT | O_EXCL}[kind[0]]


def raw(fd, closefd):
    """The raw file ``open(fd)`` wraps: the descriptor's own (closing it closes ``fd``),
    or with ``closefd=False`` a view of the same bytes with a position of its own."""
    file = _file(fd)
    if closefd:
        return file
    return FileIO(file._path, file.mode)
