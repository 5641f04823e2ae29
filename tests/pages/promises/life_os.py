# README, "Python available": rustpy's `os` keeps `environ`, `path`, `getcwd()`
# ("/home/rustpy"), `fspath`, `urandom` and friends; descriptors of in-memory files work;
# its process, user, pipe and link calls raise OSError(ENOSYS) saying why (files themselves: tests/tests/config.rs). Run on the page's main thread and in a worker.
import json
import os

from pyscript import RUNNING_IN_WORKER, window


def unavailable(call):
    try:
        call()
    except OSError as error:
        return {
            "type": type(error).__name__,
            "errno": error.errno,
            "message": str(error),
        }
    except Exception as error:
        return {"type": type(error).__name__, "message": str(error)}
    return {"type": "returned"}


def descriptors():
    fd = os.open("fd.txt", os.O_RDWR | os.O_CREAT | os.O_TRUNC)
    os.write(fd, b"hello")
    os.lseek(fd, 0, os.SEEK_SET)
    first = os.read(fd, 5).decode()
    size = os.fstat(fd).st_size
    os.close(fd)
    try:
        os.read(fd, 1)
        closed = "read after close worked"
    except OSError as error:
        closed = error.errno
    return [first, size, closed]


def report():
    try:
        import errno

        errno_enosys = getattr(errno, "ENOSYS", "errno has no ENOSYS")
    except ImportError as error:
        errno_enosys = f"ImportError: {error}"
    os.environ["LIFE_OS"] = "set here"
    home = os.environ.get("HOME")
    return {
        "runningInWorker": RUNNING_IN_WORKER,
        "errnoENOSYS": errno_enosys,
        "strerror": os.strerror(38),
        "environ": {
            "homeIsStr": isinstance(home, str),
            "set": os.environ["LIFE_OS"],
            "getenv": os.getenv("LIFE_OS"),
            "contains": "LIFE_OS" in os.environ,
            "missing": os.getenv("LIFE_OS_MISSING", "default"),
        },
        "getcwd": os.getcwd(),
        "join": os.path.join("a", "b", "c.txt"),
        "basename": os.path.basename("/x/y.py"),
        "fspath": os.fspath("p"),
        "urandom": [len(os.urandom(16)), os.urandom(16) != os.urandom(16)],
        "pipe": unavailable(lambda: os.pipe()),
        "getuid": unavailable(lambda: os.getuid()),
        "kill": unavailable(lambda: os.kill(1, 9)),
        "dup": unavailable(lambda: os.dup(0)),
        "system": unavailable(lambda: os.system("ls")),
        "readlink": unavailable(lambda: os.readlink("f.txt")),
        # Descriptors of the in-memory filesystem work; a bad one is EBADF.
        "descriptors": descriptors(),
    }


__export__ = ["report"]

if not RUNNING_IN_WORKER:
    window.lifeMainOs = json.dumps(report())
