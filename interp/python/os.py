"""rustpy's ``os`` for the browser.

Files and folders are the interpreter's in-memory filesystem (``_rustpy_fs``, through
``posix``); a page has no processes, users or file descriptors, so those calls raise
``OSError(ENOSYS)`` with a message that says why. It replaces the
stdlib's ``os``, which needs a native ``posix`` module that RustPython's browser build
does not have.
"""

import abc
import sys

import posix
from posix import *  # noqa: F403  (the primitives: fspath, getcwd, stat, urandom, ...)

name = "posix"
linesep = "\n"
sep = "/"
altsep = None
curdir = "."
pardir = ".."
extsep = "."
pathsep = ":"
defpath = "/bin:/usr/bin"
devnull = "/dev/null"
supports_bytes_environ = False
# Which calls take a directory fd, an fd, effective ids or follow_symlinks=False: none here
# (shutil and tempfile read these sets at import).
supports_dir_fd, supports_fd, supports_effective_ids, supports_follow_symlinks = (
    set(),
    set(),
    set(),
    set(),
)
SEEK_SET, SEEK_CUR, SEEK_END = 0, 1, 2
F_OK, X_OK, W_OK, R_OK = 0, 1, 2, 4
EX_OK = 0

error = OSError
# What `shutil.rmtree` passes as `walk(followlinks=...)` (CPython's os defines it; the
# in-memory filesystem has no links, so `walk` ignores it).
_walk_symlinks_as_files = object()

import posixpath as path  # noqa: E402  (posixpath imports os; the names above come first)

sys.modules["os.path"] = path


class PathLike(abc.ABC):
    """Abstract base class for objects with a file system path (``__fspath__``)."""

    @abc.abstractmethod
    def __fspath__(self):
        raise NotImplementedError

    @classmethod
    def __subclasshook__(cls, subclass):
        if cls is PathLike:
            return hasattr(subclass, "__fspath__")
        return NotImplemented

    # `os.PathLike[str]` in annotations (importlib.resources has some at import).
    __class_getitem__ = classmethod(type(list[int]))


def fsencode(filename):
    filename = fspath(filename)
    return filename.encode("utf-8", "surrogateescape") if isinstance(filename, str) else filename


def fsdecode(filename):
    filename = fspath(filename)
    return filename.decode("utf-8", "surrogateescape") if isinstance(filename, bytes) else filename


class _Environ(dict):
    """``os.environ``: a plain in-memory mapping of str to str (the page has no process
    environment)."""

    def __setitem__(self, key, value):
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError("os.environ keys and values must be str")
        super().__setitem__(key, value)

    def copy(self):
        return dict(self)


environ = _Environ(HOME="/home/rustpy", PATH=defpath, LANG="C.UTF-8")


def getenv(key, default=None):
    return environ.get(key, default)


def putenv(key, value):
    environ[key] = value


def unsetenv(key):
    environ.pop(key, None)


class terminal_size(tuple):
    @property
    def columns(self):
        return self[0]

    @property
    def lines(self):
        return self[1]


def get_terminal_size(fd=1):
    return terminal_size((80, 24))


def isatty(fd):
    """False: a browser has no terminals."""
    return False


def _exit(code):
    raise SystemExit(code)
