"""``pyscript.ffi``: crossing between Python and JavaScript, with PyScript's names.

- ``to_js(value)``: a JS object or array of this thread made from a Python dict/list, by
  copy (in a worker, the worker's own object; passed to the page it is copied again).
- ``create_proxy(function, prevent_default=False, stop_propagation=False)``: a Python
  callable for JS, with options the page applies to an event before Python sees it;
  ``.destroy()`` forgets it. It counts as a ``JsProxy``, as PyScript's does. Plain Python
  callables may be passed to JS directly too (the same function always becomes the same
  JS function, so ``removeEventListener`` works).
- ``is_none(value)``: true for ``None``; ``jsnull`` is ``None`` (JS ``null`` and
  ``undefined`` both read as ``None`` in rustpy).
- ``assign(target, *sources)``: JS ``Object.assign`` of each source (dicts are copied) into
  ``target``, which it returns; ``direct(value)``: the value itself (rustpy has no
  reflected proxies to bypass); ``gather(target, *names)``: the attributes, read in one
  round trip from a worker; ``query(target, path)``: the value at a path of names and
  indexes (``"body.children[0].id"``), read in one round trip from a worker (a name the
  JS object lacks raises ``AttributeError``, where PyScript's gives ``undefined``).
- ``JsProxy``, ``JsException``, ``batch``, ``live_handles()`` (a debug counter of the JS
  objects the page holds for this interpreter).
"""

import re

from _rustpy_ffi import (
    JsCallable,
    JsException,
    JsProxy,
    batch,
    global_of,
    live_handles,
    to_js,
)

jsnull = None
"""JS ``null`` as rustpy reads it: ``None`` (PyScript's Pyodide has a distinct object)."""


def create_proxy(function, prevent_default=False, stop_propagation=False):
    """A Python callable for JS; see the module documentation."""
    return JsCallable(function, prevent_default, stop_propagation)


def is_none(value):
    """True for None (JS ``null`` and ``undefined`` arrive as None)."""
    return value is None


def assign(target, *sources):
    """Copies the properties of each source (a dict or a JS object) into the JS object
    ``target`` with JS ``Object.assign``, and returns ``target``."""
    if not isinstance(target, JsProxy) or isinstance(target, JsCallable):
        raise TypeError(f"assign() needs a JS object to assign to, not {type(target).__name__}")
    object_assign = global_of(target).Object.assign
    for source in sources:
        object_assign(target, source)
    return target


def direct(value):
    """The value itself: PyScript's way past its worker proxies, which rustpy has not."""
    return value


def gather(target, *names):
    """The attributes ``names`` of the JS object ``target`` as a tuple, read in one round
    trip in a worker."""
    with batch():
        values = [getattr(target, name) for name in names]
    # A batch's results are placeholders: plain values come out as themselves.
    return tuple(_settled(value) for value in values)


_PATH_INDEX = re.compile(r"""\[(['"]?)(.+?)\1\]""")


def query(target, path):
    """The value at ``path`` from the JS object ``target``: names joined by dots, indexes
    or quoted keys in brackets (``"rows[2].cells['x']"``), read in one round trip in a
    worker."""
    if not isinstance(path, str):
        raise TypeError(f"query() needs a str path, not {type(path).__name__}")
    names = _PATH_INDEX.sub(r".\2", path).removeprefix(".").split(".")
    if not all(names):
        raise ValueError(f"query(): {path!r} has an empty name")
    with batch():
        value = target
        for name in names:
            value = getattr(value, name)
    return _settled(value)


def _settled(value):
    """A batch result as Python sees it: plain values come out as themselves."""
    return value.__js_value__ if getattr(value, "__js_id__", None) == 0 else value


__all__ = [
    "JsCallable",
    "JsException",
    "JsProxy",
    "assign",
    "batch",
    "create_proxy",
    "direct",
    "gather",
    "is_none",
    "jsnull",
    "live_handles",
    "query",
    "to_js",
]
