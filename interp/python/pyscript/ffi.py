"""``pyscript.ffi``: crossing between Python and JavaScript, with PyScript's names.

- ``to_js(value)``: a JS object or array made from a Python dict/list, by copy.
- ``create_proxy(function, prevent_default=False, stop_propagation=False)``: a Python
  callable for JS, with options the page applies to an event before Python sees it;
  ``.destroy()`` forgets it. Plain Python callables may be passed to JS directly too (the
  same function always becomes the same JS function, so ``removeEventListener`` works).
- ``is_none(value)``: true for ``None`` (JS ``null`` and ``undefined`` both read as None).
- ``JsProxy``, ``JsException``, ``live_handles()`` (a debug counter of the JS objects the
  page holds for this interpreter).
"""

from _rustpy_ffi import JsCallable, JsException, JsProxy, batch, live_handles, to_js


def create_proxy(function, prevent_default=False, stop_propagation=False):
    """A Python callable for JS; see the module documentation."""
    return JsCallable(function, prevent_default, stop_propagation)


def is_none(value):
    """True for None (JS ``null`` and ``undefined`` arrive as None)."""
    return value is None


__all__ = [
    "JsCallable",
    "JsException",
    "JsProxy",
    "batch",
    "create_proxy",
    "is_none",
    "live_handles",
    "to_js",
]
