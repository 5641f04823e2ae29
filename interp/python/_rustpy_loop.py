"""An asyncio event loop driven by the host's timers (``_rustpy_tasks``: a task of the
browser's event loop for what is due at once, ``setTimeout`` for later).

The browser owns the real event loop, so this one never blocks: it is always "running",
queues callbacks, and asks the host to call :func:`fire_timer` when something is due.
``asyncio.run()`` cannot work here (it would block the page); top-level ``await`` in a
script and ``asyncio.create_task`` are the ways in.
"""

import asyncio
import collections
from asyncio import events, futures, tasks

import _rustpy_host
import _rustpy_tasks

# How many callbacks one turn runs before yielding to the browser.
_CALLBACKS_PER_TURN = 10_000


class HostEventLoop(asyncio.AbstractEventLoop):
    """An always-running asyncio loop whose wake-ups come from host timers."""

    def __init__(self):
        self._ready = collections.deque()
        self._ready_scheduled = False
        self._closed = False
        self._debug = False
        self._task_factory = None
        self._exception_handler = None

    # -- state ---------------------------------------------------------------------
    def is_running(self):
        return True

    def is_closed(self):
        return self._closed

    def close(self):
        self._closed = True

    def get_debug(self):
        return self._debug

    def set_debug(self, enabled):
        self._debug = enabled

    def time(self):
        return _rustpy_host.monotonic()

    def run_forever(self):
        raise RuntimeError(
            "rustpy's event loop is driven by the browser and is always running: "
            "use top-level `await` or asyncio.create_task() instead of run_forever()"
        )

    def run_until_complete(self, future):
        raise RuntimeError(
            "asyncio.run() and run_until_complete() would block the browser: in rustpy, "
            "`await` the coroutine at the top level of the script instead"
        )

    def stop(self):
        pass

    async def shutdown_asyncgens(self):
        pass

    async def shutdown_default_executor(self, timeout=None):
        pass

    # -- scheduling ----------------------------------------------------------------
    def call_soon(self, callback, *args, context=None):
        handle = events.Handle(callback, args, self, context)
        self._ready.append(handle)
        self._wake()
        return handle

    def call_soon_threadsafe(self, callback, *args, context=None):
        return self.call_soon(callback, *args, context=context)

    def call_later(self, delay, callback, *args, context=None):
        return self.call_at(self.time() + max(delay, 0), callback, *args, context=context)

    def call_at(self, when, callback, *args, context=None):
        timer = events.TimerHandle(when, callback, args, self, context)
        timer._scheduled = True
        _rustpy_tasks.later((when - self.time()) * 1000.0, lambda: self._due(timer))
        return timer

    def _timer_handle_cancelled(self, handle):
        pass  # the host timer still fires; fire() skips cancelled handles.

    def _wake(self):
        if not self._ready_scheduled:
            self._ready_scheduled = True
            _rustpy_tasks.soon(self._run_ready)

    def _due(self, timer):
        """A ``call_at`` timer is due: it runs with the ready queue."""
        if not timer._cancelled:
            self._ready.append(timer)
        self._run_ready()

    def _run_ready(self):
        """Runs the ready queue (at most a turn's worth; the rest in the next turn)."""
        self._ready_scheduled = False
        for _ in range(_CALLBACKS_PER_TURN):
            if not self._ready:
                return
            handle = self._ready.popleft()
            if not handle._cancelled:
                handle._run()
        if self._ready:
            self._wake()

    # -- futures and tasks ---------------------------------------------------------
    def create_future(self):
        return futures.Future(loop=self)

    def create_task(self, coro, *, name=None, context=None, **kwargs):
        if self._task_factory is None:
            return tasks.Task(coro, loop=self, name=name, context=context, **kwargs)
        return self._task_factory(self, coro, name=name, context=context, **kwargs)

    def set_task_factory(self, factory):
        self._task_factory = factory

    def get_task_factory(self):
        return self._task_factory

    def run_in_executor(self, executor, func, *args):
        raise NotImplementedError("rustpy has no threads: run_in_executor() is not available")

    # -- errors --------------------------------------------------------------------
    def set_exception_handler(self, handler):
        self._exception_handler = handler

    def get_exception_handler(self):
        return self._exception_handler

    def default_exception_handler(self, context):
        """Errors nobody can catch any more (a callback that raised, a task whose exception
        was never retrieved) go to the host, which shows them on the page."""
        message = context.get("message") or "Unhandled exception in event loop"
        exc = context.get("exception")
        detail = message if exc is None else f"{message}\n{_rustpy_host.format_exception(exc)}"
        _rustpy_host.report_error("the event loop", detail)

    def call_exception_handler(self, context):
        if self._exception_handler is None:
            self.default_exception_handler(context)
        else:
            self._exception_handler(self, context)


def _blocking_run(*args, **kwargs):
    raise RuntimeError(
        "asyncio.run() would block the browser: in rustpy, `await` the coroutine at the "
        "top level of the script instead (the event loop is always running)"
    )


class _BlockingRunner:
    def __init__(self, *args, **kwargs):
        _blocking_run()


_loop = HostEventLoop()
events._set_running_loop(_loop)
asyncio.set_event_loop(_loop)
asyncio.run = asyncio.runners.run = _blocking_run
asyncio.Runner = asyncio.runners.Runner = _BlockingRunner


def get_loop():
    """The loop of this interpreter."""
    return _loop
