"""rustpy's start-up and script runner.

Imported once when an interpreter is built. It routes output and clocks to the host
(``_rustpy_host``) and runs scripts, with top-level ``await``, in ``__main__``.
"""

import sys
import time

import _rustpy_errno  # noqa: F401  (fills errno's codes before any script imports them)
import _rustpy_host
import _rustpy_lazy

_rustpy_lazy.install()

# The in-memory filesystem: the config's files, open(), imports of the user's modules.
import _rustpy_fs  # noqa: E402  (after the lazy stdlib, whose loader it goes before)

_rustpy_fs.install()

# compile() flag and code flag, as CPython numbers them.
_PyCF_ALLOW_TOP_LEVEL_AWAIT = 0x2000
_CO_COROUTINE = 0x0080


class HostStream:
    """A text stream whose writes go to the host (the browser console)."""

    encoding = "utf-8"
    errors = "strict"
    closed = False
    line_buffering = True

    def __init__(self, fd, name):
        self._fd = fd
        self.name = name

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        return _rustpy_host.write_stream(self._fd, text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True

    def seekable(self):
        return False

    def fileno(self):
        raise OSError(f"{self.name} has no file descriptor in the browser")

    def __repr__(self):
        return f"<rustpy stream {self.name}>"


sys.stdout = sys.__stdout__ = HostStream(1, "<stdout>")
sys.stderr = sys.__stderr__ = HostStream(2, "<stderr>")


def _install_clocks():
    """Routes every clock and sleep in ``time`` to the host.

    The browser has no native clock that RustPython can read (std::time panics on
    wasm32-unknown-unknown), so wall time comes from ``Date.now()``, monotonic time from
    ``performance.now()`` and sleeping from ``Atomics.wait``.
    """
    wall = _rustpy_host.wall_clock
    mono = _rustpy_host.monotonic
    native_localtime = time.localtime
    native_gmtime = time.gmtime
    native_strftime = time.strftime
    native_asctime = time.asctime

    def localtime(secs=None):
        return native_localtime(wall() if secs is None else secs)

    def gmtime(secs=None):
        return native_gmtime(wall() if secs is None else secs)

    def strftime(format, t=None):
        return native_strftime(format, localtime() if t is None else t)

    def asctime(t=None):
        return native_asctime(localtime() if t is None else t)

    def ctime(secs=None):
        return native_asctime(localtime(secs))

    replacements = {
        "time": wall,
        "time_ns": lambda: int(wall() * 1_000_000) * 1000,
        "monotonic": mono,
        "monotonic_ns": lambda: int(mono() * 1_000_000) * 1000,
        "perf_counter": mono,
        "perf_counter_ns": lambda: int(mono() * 1_000_000) * 1000,
        # The browser offers no CPU clock; elapsed time is the honest approximation.
        "process_time": mono,
        "process_time_ns": lambda: int(mono() * 1_000_000) * 1000,
        "thread_time": mono,
        "thread_time_ns": lambda: int(mono() * 1_000_000) * 1000,
        "sleep": _rustpy_host.sleep,
        "localtime": localtime,
        "gmtime": gmtime,
        "strftime": strftime,
        "asctime": asctime,
        "ctime": ctime,
    }
    for name, function in replacements.items():
        setattr(time, name, function)


_install_clocks()


class _LoaderThenLoop:
    """Wraps asyncio's loader: once ``asyncio`` is imported, installs rustpy's loop."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        import _rustpy_loop  # noqa: F401  (sets the running loop, patches asyncio.run)


class _InstallLoopOnAsyncioImport:
    """A meta path finder that only intercepts the first ``import asyncio``.

    asyncio is large, so rustpy does not import it at start-up; but whoever imports it
    must find rustpy's browser-driven loop running, as in PyScript.
    """

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "asyncio":
            return None
        sys.meta_path.remove(cls)
        import _frozen_importlib

        spec = _frozen_importlib._find_spec(name, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _LoaderThenLoop(spec.loader)
        return spec


sys.meta_path.insert(0, _InstallLoopOnAsyncioImport)


def _install_input():
    import builtins

    def input(prompt=""):
        """Asks the page for a line: by default it shows ``prompt`` and a text field next to
        the worker's script tag (or a page function set as ``worker.sync.input``)."""
        if not _rustpy_host.in_worker():
            raise RuntimeError(
                "input() waits for the user, which the page's main thread cannot do without "
                "freezing the page: run this code in a worker (<script type=\"rustpy\" "
                "worker>), or read an <input> element with pyscript.document"
            )
        sys.stdout.flush()
        # The prompt comes after everything printed before it (a terminal shows both).
        _rustpy_host.drain_output()
        answer = _rustpy_host.call_page("input", str(prompt), timeout=float("inf"))
        return "" if answer is None else str(answer)

    builtins.input = input


_install_input()


def _main_globals():
    main = sys.modules.get("__main__")
    if main is None:
        main = type(sys)("__main__")
        sys.modules["__main__"] = main
    namespace = main.__dict__
    namespace.setdefault("__builtins__", __builtins__)
    return namespace


def _is_internal(tb):
    name = tb.tb_frame.f_code.co_filename
    return name.startswith("<frozen importlib")


def _is_rustpys(tb):
    name = tb.tb_frame.f_code.co_filename
    return name.startswith(("_rustpy_", "pyscript/"))


def format_user_exception(exc, filename=None):
    """The traceback of ``exc`` as the user should see it.

    Drops rustpy's frames above the user's code (those before the first frame of
    ``filename``; without one, rustpy's own modules' frames at the top, as when JS calls a
    Python callback) and importlib's machinery between import statements and the imported
    module (CPython hides those too).
    """
    tb = exc.__traceback__
    if filename is None:
        while tb is not None and tb.tb_next is not None and _is_rustpys(tb):
            tb = tb.tb_next
    while tb is not None and filename is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    if tb is None and isinstance(exc, SyntaxError):
        exc.__traceback__ = None
    elif tb is not None:
        kept = []
        while tb is not None:
            if not _is_internal(tb):
                kept.append(tb)
            tb = tb.tb_next
        try:
            for earlier, later in zip(kept, kept[1:]):
                earlier.tb_next = later
            kept[-1].tb_next = None
        except (AttributeError, TypeError):
            pass  # read-only tracebacks: show them whole
        exc.__traceback__ = kept[0]
    return _rustpy_host.format_exception(exc)


def run(source, filename, script_id):
    """Runs one script in ``__main__``.

    Returns None when it finished, True when it awaits (the event loop finishes it and
    reports through ``_rustpy_host.script_finished``), or the traceback text.
    """
    namespace = _main_globals()
    namespace["__file__"] = filename
    try:
        code = compile(source, filename, "exec", _PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
        result = eval(code, namespace)
    except SystemExit as exc:
        if exc.code in (None, 0):
            return None
        return format_user_exception(exc, filename)
    except BaseException as exc:
        return format_user_exception(exc, filename)
    if code.co_flags & _CO_COROUTINE:
        import _rustpy_tasks

        _rustpy_tasks.run_script_coroutine(result, filename, script_id, code)
        return True
    return None


def exported_names():
    """What a worker offers the page: ``__export__`` of its script and ``pyscript.sync``."""
    names = list(_main_globals().get("__export__", ()))
    pyscript = sys.modules.get("pyscript")
    if pyscript is not None:
        names.extend(name for name in pyscript.sync._exports if name not in names)
    return [str(name) for name in names]


def _find_export(name):
    pyscript = sys.modules.get("pyscript")
    if pyscript is not None and name in pyscript.sync._exports:
        return pyscript.sync._exports[name]
    namespace = _main_globals()
    if name in namespace.get("__export__", ()) and name in namespace:
        return namespace[name]
    raise AttributeError(
        f"this worker exports no function {name!r}: list it in __export__ or set sync.{name}"
    )


def call_export(call_id, name, args):
    """Runs an exported function for the page; the result goes to ``export_result``."""
    try:
        function = _find_export(name)
    except AttributeError as exc:
        _rustpy_host.export_result(call_id, False, _format_call_error(exc))
        return
    _call_and_report(call_id, function, args, name)


def call_function(call_id, function_id, args):
    """Runs a main-thread function registered for the page (``worker.sync.f = f``)."""
    import _rustpy_page

    _call_and_report(call_id, _rustpy_page.registered_function(function_id), args)


def _call_and_report(call_id, function, args, name=None):
    """Calls ``function(*args)`` for the page's call ``call_id`` and reports the outcome. A
    plain result (what a worker's blocking call waits for) is reported here, without more
    frames; an awaitable one through ``report_result``."""
    try:
        result = function(*args)
    except BaseException as exc:
        report_error(call_id, exc)
        return
    if hasattr(result, "__await__"):
        report_result(call_id, name or getattr(function, "__name__", "function"), result)
    else:
        _rustpy_host.export_result(call_id, True, result)


def report_error(call_id, exc):
    """The exported call ``call_id`` raised ``exc``: the page gets its traceback."""
    _rustpy_host.export_result(call_id, False, _format_call_error(exc))


def report_result(call_id, name, result):
    """The exported call ``call_id`` returned ``result``; an awaitable one is run as a task
    and reported when it finishes."""
    if hasattr(result, "__await__"):
        import _rustpy_tasks

        task = _rustpy_tasks.spawn(result)

        def report(task):
            if task.cancelled():
                _rustpy_host.export_result(call_id, False, f"asyncio.CancelledError: {name}() was cancelled")
            elif task.exception() is not None:
                _rustpy_host.export_result(call_id, False, _format_call_error(task.exception()))
            else:
                _rustpy_host.export_result(call_id, True, task.result())

        task.add_done_callback(report)
        return
    _rustpy_host.export_result(call_id, True, result)


def _format_call_error(exc):
    return format_user_exception(exc)
