"""rustpy's ``pyscript`` module: PyScript's names for talking across the worker bridge.

In a worker, ``sync.f(*args)`` calls the page function registered as ``worker.sync.f``
and blocks until it answers; ``sync.g = g`` (like ``__export__ = ["g"]``) offers ``g`` to
the page.
"""

import _rustpy_host

RUNNING_IN_WORKER = _rustpy_host.in_worker()


class JsException(Exception):
    """A JavaScript exception thrown on the page; ``name`` is the JS error's name."""

    def __init__(self, name, message):
        super().__init__(message)
        self.name = name


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

        def call_page(*args):
            return _call_page(name, args)

        call_page.__name__ = call_page.__qualname__ = name
        return call_page

    def __setattr__(self, name, value):
        if not callable(value):
            raise TypeError(f"sync.{name} must be callable, not {type(value).__name__}")
        self._exports[name] = value

    def __delattr__(self, name):
        self._exports.pop(name, None)

    def __dir__(self):
        return sorted(self._exports)


def _call_page(name, args):
    ok, payload = _rustpy_host.sync_call(name, list(args))
    if ok:
        return payload
    kind, message = payload
    if kind == "Missing":
        raise AttributeError(message)
    if kind == "Raised":
        js_name, _, js_message = message.partition(": ")
        raise JsException(js_name, message)
    if kind in ("NotInWorker", "NoSharedMemory"):
        raise RuntimeError(message)
    raise RuntimeError(f"sync.{name}: {message}")


sync = _Sync()
