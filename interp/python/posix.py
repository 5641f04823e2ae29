"""rustpy's ``posix``: the primitives below ``os`` in a browser.

``importlib`` and rustpy's ``os`` import this module. A page has no file system,
processes or users: those calls raise ``OSError(ENOSYS)`` with a message saying so.
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


class stat_result(tuple):
    """What ``stat()`` returns: mode, inode, device, links, uid, gid, size, atime, mtime,
    ctime, by index or as ``st_*`` attributes (``shutil`` reads the class at import)."""

    _fields = "st_mode st_ino st_dev st_nlink st_uid st_gid st_size st_atime st_mtime st_ctime"
    n_sequence_fields = n_fields = 10

    def __getattr__(self, name):
        names = self._fields.split()
        if name in names:
            return self[names.index(name)]
        if name.endswith("_ns") and name[:-3] in names[7:]:
            return int(self[names.index(name[:-3])] * 1_000_000_000)
        raise AttributeError(f"'os.stat_result' object has no attribute '{name}'")


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


def getcwd():
    """The browser has no working directory; rustpy reports the root."""
    return "/"


def getcwdb():
    return b"/"


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
            f"os.{function_name}() is not available in the browser: rustpy has no file "
            "system, processes or users (fetch data with pyodide-style JS calls from the "
            "page instead)",
        )

    unavailable.__name__ = function_name
    unavailable.__qualname__ = function_name
    return unavailable


for _name in (
    "access chdir chmod chown close dup dup2 execv execve fdopen fstat fsync "
    "ftruncate getlogin getuid geteuid getgid getegid kill link listdir lseek lstat "
    "makedirs mkdir mkfifo open pipe popen read readlink remove removedirs rename "
    "renames replace rmdir scandir stat statvfs symlink system truncate umask unlink "
    "utime wait waitpid write"
).split():
    globals()[_name] = _unavailable(_name)
del _name


