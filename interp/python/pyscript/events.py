"""``when`` and ``Event``: Python functions called on the page's events, as in PyScript.

- ``Event()``: an event of your own Python code. ``add_listener(f)`` /
  ``remove_listener(*fs)`` manage who hears it, ``trigger(result)`` calls each listener
  with ``result`` (an ``async`` listener runs as a task).
- ``when(event_type, selector)``: a decorator that calls the function on the DOM events
  ``event_type`` of the elements ``selector`` matches, or ``when(event)`` /
  ``when([event, ...])`` on the triggers of ``Event`` objects.

This module is loaded on the first use of ``pyscript.when`` or ``pyscript.Event``.
"""

import functools
import sys

import _rustpy_ffi

import pyscript

_CO_COROUTINE = 0x80
_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08


class Event:
    """An event of your own Python code that any number of listeners can hear.

    ``data_loaded = Event()``, ``data_loaded.add_listener(show)`` (or ``@when(data_loaded)``
    on ``show``), then ``data_loaded.trigger(rows)`` calls ``show(rows)``.
    """

    def __init__(self):
        self._listeners = []

    def trigger(self, result):
        """Calls every listener with ``result``, in the order they were added: a function
        at once (an exception it raises propagates, and the later listeners are not
        called), an ``async`` function as a task on the event loop."""
        for listener in self._listeners:
            if _is_coroutine_function(listener):
                import _rustpy_tasks

                _rustpy_tasks.spawn(listener(result))
            else:
                listener(result)

    def add_listener(self, listener):
        """Adds ``listener`` (a function or an ``async`` function; ``ValueError`` if it is
        not callable). Adding it again changes nothing."""
        if not callable(listener):
            raise ValueError("Listener must be callable.")
        if listener not in self._listeners:
            self._listeners.append(listener)

    def remove_listener(self, *listeners):
        """Removes the ``listeners`` given (those not listening are ignored), or every
        listener when none is given."""
        if listeners:
            for listener in listeners:
                try:
                    self._listeners.remove(listener)
                except ValueError:
                    pass
        else:
            self._listeners = []


_FunctionType = type(lambda: None)
_MethodType = type(Event().trigger)


def _is_coroutine_function(function):
    """``inspect.iscoroutinefunction(function)``, without importing ``inspect`` (large)
    unless the script did."""
    inspect = sys.modules.get("inspect")
    if inspect is not None:
        return inspect.iscoroutinefunction(function)
    while isinstance(function, functools.partial):
        function = function.func
    if isinstance(function, _MethodType):
        function = function.__func__
    return isinstance(function, _FunctionType) and bool(function.__code__.co_flags & _CO_COROUTINE)


def _takes_arguments(function):
    """Whether ``inspect.signature(function)`` has parameters (``TypeError`` if it is not
    callable). Plain functions and methods are read from their code; anything else asks
    ``inspect``."""
    bound = isinstance(function, _MethodType)
    plain = function.__func__ if bound else function
    if isinstance(plain, _FunctionType) and not hasattr(plain, "__signature__"):
        code = plain.__code__
        named = code.co_argcount + code.co_kwonlyargcount
        rest = bool(code.co_flags & _CO_VARARGS) + bool(code.co_flags & _CO_VARKEYWORDS)
        if bound and code.co_argcount:
            named -= 1  # the bound instance
        return named + rest > 0
    import inspect

    return bool(inspect.signature(function).parameters)


def _wrapper(function):
    """What ``when`` registers for ``function``: it passes the event (or the ``Event``'s
    result) on if ``function`` takes any parameter, else calls it with none; ``async``
    if ``function`` is."""
    original = function
    while hasattr(original, "__wrapped__"):  # stacked decorators: the innermost function
        original = original.__wrapped__
    takes_event = _takes_arguments(original)
    if _is_coroutine_function(function):
        if takes_event:

            async def wrapper(event):
                return await function(event)

        else:

            async def wrapper(*args, **kwargs):
                return await function()

    elif takes_event:

        def wrapper(event):
            return function(event)

    else:

        def wrapper(*args, **kwargs):
            return function()

    return functools.wraps(function)(wrapper)


def _elements(selector):
    """The DOM elements ``selector`` stands for: a CSS selector's matches, the list given,
    the items of a tuple, or the one element (or ``pyscript.web`` element / collection)."""
    if isinstance(selector, str):
        return list(pyscript.document.querySelectorAll(selector))
    if isinstance(selector, list):
        return selector
    if isinstance(selector, tuple):
        return list(selector)
    web = sys.modules.get("pyscript.web")
    if web is not None:
        element, collection = getattr(web, "Element", None), getattr(web, "ElementCollection", None)
        if element is not None and isinstance(selector, element):
            return [selector._dom_element]
        if collection is not None and isinstance(selector, collection):
            return [item._dom_element for item in selector]
    return [selector]


def when(event_type, selector=None, **options):
    """Decorator: calls the function on events, and returns a wrapper of it.

    - ``@when("click", "#button")``: on the DOM events ``event_type`` of the elements
      ``selector`` matches: a CSS selector, an element proxy, a list (or tuple) of them.
      ``ValueError`` if ``selector`` is missing or matches no element (an invalid CSS
      selector raises the page's ``JsException``).
    - ``@when(event)`` or ``@when([event1, event2])``: when those ``Event`` objects are
      triggered (``selector`` and options are ignored).

    The function may take the event (or the ``Event``'s result) or nothing, and may be
    ``async``. Other keyword arguments are ``addEventListener`` options passed to the page
    as they are: ``once``, ``capture``, ``passive``, ``signal`` (an ``AbortSignal``).
    rustpy adds two: ``prevent_default=True`` / ``stop_propagation=True`` have the page
    call ``event.preventDefault()`` / ``event.stopPropagation()`` before the event reaches
    Python, which in a worker runs after the event was dispatched, too late to do it.
    """
    prevent_default = options.pop("prevent_default", False)
    stop_propagation = options.pop("stop_propagation", False)
    elements = None
    if isinstance(event_type, str):
        if not selector:
            raise ValueError("Selector required for DOM event handling.")
        elements = _elements(selector)
        if not elements:
            raise ValueError(f"No elements found for selector: {selector}")

    def decorator(function):
        wrapper = _wrapper(function)
        if isinstance(event_type, Event):
            event_type.add_listener(wrapper)
        elif isinstance(event_type, list) and all(isinstance(item, Event) for item in event_type):
            for event in event_type:
                event.add_listener(wrapper)
        elif elements is None:
            # PyScript fails here with a NameError too (it reads an unset variable).
            raise NameError(
                "when() takes an event type (a str such as 'click'), an Event or a list of "
                f"Events, not {event_type!r}"
            )
        else:
            listener = _rustpy_ffi.JsCallable(wrapper, prevent_default, stop_propagation)
            failure = None
            # One round trip from a worker; an element that fails (not a DOM element) ends
            # the loop, the ones before it keep their listener.
            with _rustpy_ffi.batch():
                for element in elements:
                    try:
                        element.addEventListener(event_type, listener, options or False)
                    except Exception as error:  # noqa: BLE001 (raised below)
                        failure = error
                        break
            if failure is not None:
                raise failure
        return wrapper

    return decorator


__all__ = ["Event", "when"]
