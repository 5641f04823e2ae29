"""Coroutines and futures without asyncio, until something imports asyncio.

``asyncio`` and what it imports weigh about 650 KB (brotli) and a second or more to load
in the browser; a script with a top-level ``await`` of a page operation, a worker call or
``pyscript.fetch`` needs none of it. This module runs such coroutines on the host's timers
by itself:

- ``soon(callback)`` / ``later(delay_ms, callback)``: the host timers of this interpreter
  (``Host::schedule_timer``; ``fire_timer`` is the host's way back), the callbacks due now
  gathered behind one timer (``run_due``). rustpy's asyncio loop (``_rustpy_loop``)
  schedules through them too.
- ``create_future()``: a ``Future`` the host settles later (an asyncio future once asyncio
  is loaded).
- ``spawn(awaitable)``: runs it to its end and returns a ``Task`` (an asyncio task once
  asyncio is loaded). A light task whose coroutine is running when asyncio arrives moves
  into an asyncio task at its next resumption, so ``asyncio.current_task()``,
  ``asyncio.timeout()`` and task groups work from there on.
- ``run_script_coroutine``: a script's top-level coroutine. A script whose code names
  asyncio gets an asyncio task from its first statement.
"""

import itertools
import sys

# The native partial, not `functools`: importing functools runs collections, abc, types and
# more (about 80 ms of a page's cold start), and every script with top-level `await`
# imports this module before its first statement.
from _functools import partial

import _rustpy_host

_modules = sys.modules

_callbacks = {}
_timer_ids = itertools.count(1)


def later(delay_ms, callback):
    """Calls ``callback()`` after ``delay_ms`` milliseconds (a host timer)."""
    timer_id = next(_timer_ids)
    _callbacks[timer_id] = callback
    _rustpy_host.schedule_timer(timer_id, max(0.0, float(delay_ms)))
    return timer_id


# The callbacks due now, in order; one host timer runs them (see ``run_due``).
_due = []
_due_scheduled = False


def soon(callback):
    """Calls ``callback()`` as soon as possible: with the callbacks due now, in the next
    task of the browser's event loop, or earlier where the host drains them
    (``run_due``)."""
    _due.append(callback)
    _schedule_due()


def _schedule_due():
    """Makes sure a timer will run the callbacks due now."""
    global _due_scheduled
    if not _due_scheduled:
        _due_scheduled = True
        later(0.0, run_due)


def run_due():
    """Runs the callbacks due now, in order. Those they add run in a later turn, so code
    that keeps rescheduling itself still lets the page run between turns. The host calls
    it through a timer, and right after it settled a page request (the task waiting for
    that answer goes on at once, not one event-loop task later)."""
    global _due, _due_scheduled
    batch, _due = _due, []
    _due_scheduled = False
    for index, callback in enumerate(batch):
        try:
            callback()
        except BaseException as exc:  # one callback's error must not drop the others
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                _due[:0] = batch[index + 1 :]
                if _due:
                    _schedule_due()
                raise
            _rustpy_host.report_error("a callback", _rustpy_host.format_exception(exc))


def drained(action, *args):
    """Runs ``action(*args)``, then at once the callbacks it made due (a settled future's
    waiters), with no timer for them: the host's way to deliver an answer."""
    global _due_scheduled
    if _due_scheduled:  # a timer is on its way anyway
        action(*args)
        run_due()
        return
    _due_scheduled = True  # soon() only queues while the action runs
    try:
        action(*args)
    finally:
        run_due()


def fire_timer(timer_id):
    """The host's timer ``timer_id`` is due."""
    callback = _callbacks.pop(timer_id, None)
    if callback is not None:
        callback()


def _asyncio_loop():
    """rustpy's asyncio loop if asyncio was imported (which installs it), else None."""
    loop_module = _modules.get("_rustpy_loop")
    return None if loop_module is None else loop_module.get_loop()


class InvalidStateError(RuntimeError):
    """A future's result was asked for before it had one, or set twice."""


class Future:
    """A result that arrives later: ``await`` it, or ``add_done_callback``."""

    def __init__(self):
        self._done = False
        self._result = None
        self._exception = None
        self._callbacks = []

    def done(self):
        return self._done

    def cancelled(self):
        return False

    def result(self):
        if not self._done:
            raise InvalidStateError("the result is not set yet")
        if self._exception is not None:
            raise self._exception
        return self._result

    def exception(self):
        if not self._done:
            raise InvalidStateError("the result is not set yet")
        return self._exception

    def add_done_callback(self, callback, *, context=None):
        if self._done:
            soon(partial(callback, self))
        else:
            self._callbacks.append(callback)

    def remove_done_callback(self, callback):
        kept = [c for c in self._callbacks if c != callback]
        removed = len(self._callbacks) - len(kept)
        self._callbacks = kept
        return removed

    def set_result(self, result):
        self._settle(result, None)

    def set_exception(self, exception):
        if isinstance(exception, type):
            exception = exception()
        self._settle(None, exception)

    def _settle(self, result, exception):
        if self._done:
            raise InvalidStateError("the result is set already")
        self._done, self._result, self._exception = True, result, exception
        callbacks, self._callbacks = self._callbacks, []
        if callbacks:  # the hot path of every answer: no frame per callback but its own
            _due.extend([partial(callback, self) for callback in callbacks])
            _schedule_due()

    def __await__(self):
        if not self._done:
            if "_rustpy_loop" not in _modules:
                yield self
            else:
                # An asyncio task accepts only its loop's futures: wait on one that follows.
                yield from _follow(self, _asyncio_loop()).__await__()
        if not self._done:
            raise InvalidStateError("the result is not set yet")
        if self._exception is not None:
            raise self._exception
        return self._result

    __iter__ = __await__


def _follow(future, loop):
    """An asyncio future settled as ``future`` is."""
    follower = loop.create_future()

    def copy(done):
        if follower.done():
            return
        if done.exception() is not None:
            follower.set_exception(done.exception())
        else:
            follower.set_result(done.result())

    future.add_done_callback(copy)
    return follower


class Task(Future):
    """Runs a coroutine on the host's timers; settled with its return value or exception."""

    def __init__(self, coro):
        super().__init__()
        self._coro = coro
        soon(self._step)

    def _step(self, _settled=None):
        """Runs the coroutine to its next wait (``_settled``: the future it waited for, when
        called as that future's done callback)."""
        if "_rustpy_loop" in _modules:
            self._move_to(_asyncio_loop())
            return
        try:
            waited = self._coro.send(None)
        except StopIteration as stop:
            self.set_result(stop.value)
            return
        except BaseException as exc:  # the task's outcome, reported by whoever awaits it
            self.set_exception(exc)
            return
        if waited is None:  # a bare yield (asyncio.sleep(0)): step again soon
            soon(self._step)
        elif hasattr(waited, "add_done_callback"):
            waited.add_done_callback(self._step)
        else:
            self._coro.close()
            self.set_exception(RuntimeError(f"a task awaited {waited!r}, which is not awaitable"))

    def _move_to(self, loop):
        """asyncio arrived: the rest of the coroutine runs as an asyncio task."""
        task = loop.create_task(self._coro)

        def adopt(task):
            if task.cancelled():
                import asyncio

                self.set_exception(asyncio.CancelledError())
            elif task.exception() is not None:
                self.set_exception(task.exception())
            else:
                self.set_result(task.result())

        task.add_done_callback(adopt)


def create_future():
    """A future for the host to settle: asyncio's once it is loaded, else a light one."""
    loop = _asyncio_loop()
    return Future() if loop is None else loop.create_future()


def spawn(awaitable):
    """Runs ``awaitable`` to its end; returns its task (asyncio's once it is loaded)."""
    loop = _asyncio_loop()
    if loop is not None:
        import asyncio

        return asyncio.ensure_future(awaitable)
    if isinstance(awaitable, Future):
        return awaitable
    if not hasattr(awaitable, "send"):
        awaitable = _wait_for(awaitable)
    return Task(awaitable)


async def _wait_for(awaitable):
    return await awaitable


def names_asyncio(code):
    """Whether ``code`` (or a function or class inside it) uses the name ``asyncio``
    (``import asyncio``, ``from asyncio import ...``, ``asyncio.x``)."""
    if "asyncio" in code.co_names:
        return True
    return any(names_asyncio(const) for const in code.co_consts if hasattr(const, "co_names"))


def run_script_coroutine(coro, filename, script_id, code=None):
    """Runs a script's top-level coroutine and reports its end to the host. A script whose
    ``code`` names asyncio imports it first, so the whole script runs in an asyncio task."""
    if code is not None and names_asyncio(code):
        import asyncio  # noqa: F401  (installs rustpy's loop)
    task = spawn(coro)

    def report(task):
        if task.cancelled():
            error = "asyncio.CancelledError: the script's top-level task was cancelled"
        else:
            exc = task.exception()
            if exc is None:
                error = None
            else:
                from _rustpy_runner import format_user_exception

                error = format_user_exception(exc, filename)
        _rustpy_host.script_finished(script_id, error)

    task.add_done_callback(report)
