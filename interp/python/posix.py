"""rustpy's ``posix``: the primitives below ``os`` in a browser.

``importlib`` and rustpy's ``os`` import this module. Files and folders are the
interpreter's in-memory filesystem (``_rustpy_fs``, its descriptors ``_rustpy_fds``); a
page has no processes, users, pipes or links: those calls raise ``OSError(ENOSYS)`` with a
message saying so.
"""

import errno as _errno

import _rustpy_host

ENOSYS = 38
# RustPython's errno module has no ENOSYS on wasm32: add it, so that the usual
# `error.errno == errno.ENOSYS` check works on what these calls raise.
if not hasattr(_errno, "ENOSYS"):
    _errno.ENOSYS = ENOSYS
    _errno.errorcode.setdefault(ENOSYS, "ENOSYS")
environ = {}


def fspath(path):
    """Returns the str or bytes form of a path-like object."""
    if isinstance(path, (str, bytes)):
        return path
    path_type = type(path)
    try:
        result = path_type.__fspath__(path)
    except AttributeError:
        if hasattr(path_type, "__fspath__"):
            raise
        raise TypeError(
            "expected str, bytes or os.PathLike object, not " + path_type.__name__
        ) from None
    if isinstance(result, (str, bytes)):
        return result
    raise TypeError(
        f"expected {path_type.__name__}.__fspath__() to return str or bytes, "
        f"not {type(result).__name__}"
    )


def urandom(size):
    """``size`` random bytes from the browser's ``crypto.getRandomValues``."""
    return bytes(_rustpy_host.urandom(size))


def getpid():
    return 1


def getppid():
    return 0


def cpu_count():
    return None


def process_cpu_count():
    return None


def strerror(code):
    return {ENOSYS: "Function not implemented"}.get(code, f"Unknown error {code}")


def _unavailable(function_name):
    def unavailable(*args, **kwargs):
        raise OSError(
            ENOSYS,
            f"os.{function_name}() is not available in the browser: rustpy's files live in "
            "memory, and a page has no processes, users, pipes or links",
        )

    unavailable.__name__ = function_name
    unavailable.__qualname__ = function_name
    return unavailable


for _name in (
    "chown dup dup2 execv execve getlogin getuid geteuid getgid getegid kill link "
    "mkfifo pipe popen readlink statvfs symlink system truncate umask wait waitpid"
).split():
    globals()[_name] = _unavailable(_name)
del _name

from _rustpy_fds import (  # noqa: E402  (descriptors of files in the in-memory filesystem)
    O_APPEND,
    O_CREAT,
    O_EXCL,
    O_RDONLY,
    O_RDWR,
    O_TRUNC,
    O_WRONLY,
    close,
    fdopen,
    fstat,
    fsync,
    ftruncate,
    lseek,
    open,
    read,
    write,
)
from _rustpy_fs import (  # noqa: E402  (files and folders: the in-memory filesystem)
    DirEntry,
    access,
    chdir,
    chmod,
    getcwd,
    getcwdb,
    listdir,
    lstat,
    makedirs,
    mkdir,
    remove,
    removedirs,
    rename,
    renames,
    replace,
    rmdir,
    scandir,
    stat,
    stat_result,
    unlink,
    utime,
    walk,
)


