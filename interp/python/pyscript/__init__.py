"""rustpy's ``pyscript`` module: PyScript's names, in workers and on the main thread.

- ``window`` and ``document``: proxies of the page's objects (see ``pyscript.ffi``); in a
  worker every operation is a synchronous round trip to the page.
- ``sync``: in a worker, ``sync.f(*args)`` calls the page function registered as
  ``worker.sync.f`` and blocks until it answers; ``sync.g = g`` (like
  ``__export__ = ["g"]``) offers ``g`` to the page.
- ``display`` and ``HTML`` (``pyscript.display``), ``when`` and ``Event``
  (``pyscript.events``): loaded on first use.
- ``current_target``, ``config``, ``RUNNING_IN_WORKER``.
- ``batch()``: ``with batch():`` sends the block's DOM operations in one round trip.
- ``PyWorker`` and ``workers`` (main thread).
- ``fetch``: the browser's ``fetch`` giving Python values (``pyscript.fetch``).
- ``storage`` and ``Storage``: dict-like stores kept in IndexedDB (``pyscript.storage``);
  ``WebSocket`` (``pyscript.websocket``): both this thread's own, loaded on first use.
- ``pyscript.media`` (imported by name): the page's cameras and microphones.
- ``web``: the page's elements as Python objects (``pyscript.web``), loaded on first use.
"""

import sys

import _functools  # not functools: see _rustpy_tasks
import _rustpy_ffi
import _rustpy_host
from _rustpy_ffi import JsException, batch

RUNNING_IN_WORKER = _rustpy_host.in_worker()

config = dict(_rustpy_host.config() or {}, type="rustpy")
"""This interpreter's configuration (a dict): the ``config`` of its script tag or
``PyWorker``, or the page's ``<rustpy-config>``; ``type`` is ``"rustpy"``."""


# Names defined in submodules that only scripts using them load (from the lazily fetched
# library, not the boot image every interpreter carries): submodule -> its names here.
_SUBMODULES = {
    "display": ("display", "HTML"),
    "events": ("when", "Event"),
    "fetch": ("fetch",),
    "storage": ("storage", "Storage"),
    "websocket": ("WebSocket",),
}
_LAZY = {name: submodule for submodule, names in _SUBMODULES.items() for name in names}


def _adopt(submodule):
    """Binds the names of ``pyscript.<submodule>`` here (importing it if need be)."""
    module = sys.modules.get(f"pyscript.{submodule}")
    if module is None:
        __import__(f"pyscript.{submodule}")
        module = sys.modules[f"pyscript.{submodule}"]
    for name in _SUBMODULES[submodule]:
        globals()[name] = getattr(module, name)


class _Package(type(sys)):
    """The ``pyscript`` module's type. Importing a submodule sets it as an attribute of its
    package: for ``import pyscript.display`` that would hide the ``display`` function, as
    PyScript's package never lets it (it imports the submodule up front); the function is
    bound again instead."""

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name in _SUBMODULES and isinstance(value, type(sys)):
            _adopt(name)


sys.modules[__name__].__class__ = _Package


def __getattr__(name):
    # `window` and `document` are made on first use, so importing pyscript costs nothing;
    # `display`, `HTML`, `when`, `Event`, `fetch`, `storage`, `Storage`, `WebSocket` and
    # `web` import their submodule on first use.
    if name in _LAZY:
        _adopt(_LAZY[name])
        return globals()[name]
    if name == "web":  # the submodule itself (`import pyscript.web` binds it too)
        __import__("pyscript.web")
        return globals()["web"]
    if name == "window":
        value = _rustpy_ffi.global_this()
    elif name == "document":
        value = __getattr__("window").document
    else:
        raise AttributeError(f"module 'pyscript' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_LAZY, "window", "document", "web"})


def current_target():
    """The id of the element after the running script's tag, where ``display()`` writes by
    default; ``None`` for a ``PyWorker`` started without a tag."""
    return _rustpy_host.current_target()


class _Sync:
    """``pyscript.sync``: the page's functions (read) and this worker's offers (write)."""

    def __init__(self):
        object.__setattr__(self, "_exports", {})

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        exported = self._exports.get(name)
        if exported is not None:
            return exported
        # A native partial: a call runs no Python frame of rustpy's. Cached in the instance,
        # so later `sync.name` lookups skip __getattr__ (hot loops).
        call_page = _functools.partial(_rustpy_host.call_page, name)
        object.__setattr__(self, name, call_page)
        return call_page

    def __setattr__(self, name, value):
        if not callable(value):
            raise TypeError(f"sync.{name} must be callable, not {type(value).__name__}")
        self.__dict__.pop(name, None)  # an offer shadows a cached page caller
        self._exports[name] = value

    def __delattr__(self, name):
        self._exports.pop(name, None)

    def __dir__(self):
        return sorted(self._exports)


sync = _Sync()


SUPPORTED_TYPES = ("rustpy",)


# The page operations' names, as rustpy_bridge::page_op defines them.
_PAGE_OP = type("_PAGE_OP", (), dict(_rustpy_host.PAGE_OPS))


def _page_op(name, *args):
    import _rustpy_page

    return _rustpy_page.op(name, *args)


def _export_caller(handle, name):
    """A function calling the export ``name`` of the worker ``handle`` (awaitable)."""
    import _rustpy_page

    request, worker_call = _rustpy_page.request, _PAGE_OP.WORKER_CALL

    def call(*args):
        return request(worker_call, [handle, name, list(args)])

    call.__name__ = call.__qualname__ = name
    return call


class _WorkerSync:
    """``worker.sync`` on the page: set page functions, call the worker's exports."""

    def __init__(self, worker):
        object.__setattr__(self, "_worker", worker)

    def __setattr__(self, name, function):
        if not callable(function):
            raise TypeError(f"worker.sync.{name} must be callable, not {type(function).__name__}")
        import _rustpy_page

        _page_op(_PAGE_OP.WORKER_SET_SYNC, self._worker._handle, name, _rustpy_page.register_function(function))

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        # Cached: later `worker.sync.name` lookups skip __getattr__ (hot loops).
        caller = self.__dict__[name] = self._worker._caller(name)
        return caller


class PyWorker:
    """A Python script in a Web Worker, started from the page's Python.

    ``PyWorker("w.py", type="rustpy", config={...})`` returns at once; ``await w.ready``
    waits for the script to finish, ``w.sync.f = f`` offers ``f`` to the worker,
    ``await w.sync.g()`` (or ``await w.g()``) calls what the worker exports,
    ``w.terminate()`` stops it.
    """

    def __init__(self, src, *, type=None, config=None, name=None, service_worker=None, **options):
        if RUNNING_IN_WORKER:
            raise NotImplementedError(
                "PyWorker starts workers from the page's main thread; a worker cannot start "
                "another one in rustpy"
            )
        if type not in SUPPORTED_TYPES:
            raise ValueError(
                f"PyWorker type must be one of {', '.join(map(repr, SUPPORTED_TYPES))}, not {type!r}"
            )
        self._handle = _page_op(_PAGE_OP.WORKER_NEW, str(src), config, name, service_worker)
        self.src = src
        self.config = config
        self.sync = _WorkerSync(self)
        self.ready = _page_op(_PAGE_OP.WORKER_READY, self._handle)

    def _caller(self, name):
        return _export_caller(self._handle, name)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        caller = self.__dict__[name] = self._caller(name)  # cached, as worker.sync's
        return caller

    def terminate(self):
        """Stops the worker; pending calls fail at once."""
        _page_op(_PAGE_OP.WORKER_TERMINATE, self._handle)

    def interrupt(self, timeout=2):
        """Raises ``KeyboardInterrupt`` in the worker's running code. Awaitable: ``True``
        once raised, ``False`` if nothing ran; raises ``_rustpy_page.PageError`` naming
        ``InterruptError`` if the worker did not take it within ``timeout`` seconds (native
        code: use ``restart()``)."""
        return _page_op(_PAGE_OP.WORKER_INTERRUPT, self._handle, timeout)

    def restart(self):
        """Stops the worker and runs its script again (same ``sync`` functions); awaitable:
        ``await w.restart()`` waits until it is ready again."""
        self.ready = _page_op(_PAGE_OP.WORKER_RESTART, self._handle)
        return self.ready

    def __repr__(self):
        return f"<PyWorker {self.src!r}>"


class _NamedSync:
    """``workers["name"].sync``: ``sync.f = f`` offers the page function ``f`` to the worker
    of that tag, even before it starts (as ``worker.sync.f = f`` does for a ``PyWorker``);
    ``await sync.g()`` calls its export ``g`` once it is ready."""

    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def __setattr__(self, name, function):
        if not callable(function):
            raise TypeError(f"sync.{name} must be callable, not {type(function).__name__}")
        import _rustpy_page

        _page_op(_PAGE_OP.WORKERS_SET_SYNC, self._name, name, _rustpy_page.register_function(function))

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        worker_name = self._name

        async def call(*args):
            handle = await _page_op(_PAGE_OP.WORKERS_GET, worker_name)
            return await _page_op(_PAGE_OP.WORKER_CALL, handle, name, list(args))

        call.__name__ = call.__qualname__ = name
        return call


class _NamedWorker:
    """What ``await workers["name"]`` gives: the worker's exports as awaitable calls."""

    def __init__(self, name, handle):
        self._name = name
        self._handle = handle
        self.sync = _NamedSync(name)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        caller = self.__dict__[name] = _export_caller(self._handle, name)  # cached
        return caller

    def terminate(self):
        _page_op(_PAGE_OP.WORKER_TERMINATE, self._handle)

    def interrupt(self, timeout=2):
        return _page_op(_PAGE_OP.WORKER_INTERRUPT, self._handle, timeout)

    def restart(self):
        return _page_op(_PAGE_OP.WORKER_RESTART, self._handle)

    def __repr__(self):
        return f"<worker {self._name!r}>"


class _NamedWorkerRef:
    """``workers["name"]``: awaitable (the worker once its script ran), and ``sync`` to
    offer it page functions before that."""

    def __init__(self, name):
        self._name = name
        self.sync = _NamedSync(name)

    def __await__(self):
        return self._get().__await__()

    async def _get(self):
        handle = await _page_op(_PAGE_OP.WORKERS_GET, self._name)
        return _NamedWorker(self._name, handle)

    def __repr__(self):
        return f"<workers[{self._name!r}]>"


class _Workers:
    """``pyscript.workers``: ``await workers["calc"]`` (or ``await workers.calc``); and
    ``workers["calc"].sync.f = f`` offers a page function to that tag's worker."""

    def __getitem__(self, name):
        if RUNNING_IN_WORKER:
            raise NotImplementedError("pyscript.workers is available on the page's main thread")
        return _NamedWorkerRef(name)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]


workers = _Workers()


# What `from pyscript import *` gives: the lazily loaded names too (it imports their
# submodules). Not `window` and `document`: made on first use, they fail in a worker that
# cannot call the page synchronously, and a star import must not.
__all__ = [
    "Event",
    "HTML",
    "JsException",
    "PyWorker",
    "Storage",
    "WebSocket",
    "RUNNING_IN_WORKER",
    "batch",
    "config",
    "current_target",
    "display",
    "fetch",
    "storage",
    "sync",
    "when",
    "workers",
]
