"""Main-thread Python's line to the page's JavaScript (``rustpy.js``'s page operations).

``op(name, *args)`` runs a page operation: it returns the value when the page answered at
once, or a future the page settles later (``_rustpy_tasks.create_future``: asyncio's once
asyncio is loaded). Python callables handed to the page are kept here by id so the page
can call them back.
"""

import itertools

import _rustpy_host
import _rustpy_tasks

_page_op = _rustpy_host.page_op
_requests = {}
_functions = {}
_function_ids = itertools.count(1)


class PageError(Exception):
    """A page operation failed; the message is the JavaScript error's."""


def op(name, *args):
    return request(name, list(args))


def request(name, args):
    """``op`` with the operation's arguments as one list (the hot path of worker calls)."""
    done, payload = _page_op(name, args)
    if done:
        return payload
    future = _rustpy_tasks.create_future()
    _requests[payload] = future
    return future


def settle_request(request_id, ok, payload):
    """The host's answer to the request ``request_id``: whoever awaits it goes on now, not
    one event-loop task later."""
    _rustpy_tasks.drained(settle, request_id, ok, payload)


def settle(request_id, ok, payload):
    future = _requests.pop(request_id, None)
    if future is None or future.done():
        return
    if ok:
        future.set_result(payload)
    else:
        name, _, message = payload.partition(": ")
        error = PageError(payload)
        for python_type in (TypeError, ValueError, RuntimeError):
            if name == python_type.__name__:
                error = python_type(message)
        future.set_exception(error)


def register_function(function):
    function_id = next(_function_ids)
    _functions[function_id] = function
    return function_id


def registered_function(function_id):
    return _functions[function_id]
