"""Main-thread Python's line to the page's JavaScript (``rustpy.js``'s page operations).

``op(name, *args)`` runs a page operation: it returns the value when the page answered at
once, or a future the page settles later (``_rustpy_tasks.create_future``: asyncio's once
asyncio is loaded). Python callables handed to the page are kept here by id so the page
can call them back.
"""

import itertools

import _rustpy_host

_requests = {}
_functions = {}
_function_ids = itertools.count(1)


class PageError(Exception):
    """A page operation failed; the message is the JavaScript error's."""


def op(name, *args):
    done, payload = _rustpy_host.page_op(name, list(args))
    if done:
        return payload
    import _rustpy_tasks

    future = _rustpy_tasks.create_future()
    _requests[payload] = future
    return future


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
