"""rustpy's FFI: Python proxies of JavaScript objects held by the page.

A ``JsProxy`` holds a handle into the page's table for this interpreter (see
``rustpy_bridge::ffi``). Every operation on it (attribute, call, item, ``len``, ...) is one
request to the page: a blocking round trip from a worker, a direct call on the main thread.
The same JS object always gives the same proxy while Python holds it, so ``is`` works.
When a proxy dies, its handle is given back (natively, by its base's ``__del__``; batched). The
registry of live proxies is native (``rustpy_interp``'s ``proxies``).

Inside ``with batch():`` operations are queued instead and sent together: their results are
placeholders (``JsProxy`` objects with a pending slot) that resolve when the block ends or
when Python needs a value (``str()``, ``bool()``, ``==``, ``len()``, iteration, ...).
An attribute read in a batch is held back until the next operation: when that operation
is a call of the attribute (``tr.append(td)``), the two become one ``call``.
"""

import itertools

import _rustpy_host


class JsException(Exception):
    """A JavaScript exception thrown on the page; ``name`` is the JS error's name."""

    def __init__(self, name, message):
        super().__init__(message)
        self.name = name


_callables = {}  # callable id -> Python callable offered to JS
_callable_ids = {}  # _identity(callable) -> callable id
_one_shot = {}  # callable id -> group key: ids dropped together after the first call
_next_callable = itertools.count(1)


class _Method:
    """The marker a ``get`` answers for an inherited method (see ``JsMethod``)."""


METHOD = _Method()
# Runs one operation, or queues it in the open batch and returns its placeholder.
_run = _rustpy_host.js_run
# The operations' names, as rustpy_bridge::ffi::op defines them: ``_OP.GET_ITEM``.
_OP = type("_OP", (), dict(_rustpy_host.FFI_OPS))


def _resolved_op(proxy, name, *operands):
    """Operation ``name`` on ``proxy`` now (an open batch is sent first), and its result.
    A module function, not a method: every attribute name of a proxy is the JS object's."""
    _flush_batches()
    if proxy.__js_id__ == 0:  # a batch placeholder that resolved to a plain value
        raise TypeError(f"{name}() of a plain value: {proxy.__js_value__!r}")
    return _rustpy_host.js_request([[name, proxy, *operands]])[0]


class _ProxyType(type):
    """``JsProxy``'s metaclass: ``create_proxy()``'s callables count as proxies too, as
    PyScript's ``create_proxy`` returns a ``JsProxy`` (they cross to JS by reference)."""

    def __instancecheck__(cls, instance):
        return type.__instancecheck__(cls, instance) or (
            cls is JsProxy and isinstance(instance, JsCallable)
        )


class JsProxy(_rustpy_host.JsObject, metaclass=_ProxyType):
    """A JavaScript object on the page.

    Attribute get/set/delete, calls, ``new()`` (PyScript's spelling of JS ``new``), items,
    ``len()``, iteration, ``in``, ``bool()``, ``str()``, ``dir()`` and ``await`` (for
    promises) all act on the real object. Reading an attribute the object does not have
    raises ``AttributeError`` (so ``hasattr`` works); a JS ``undefined`` or ``null`` value
    reads as ``None``.
    """

    # What the proxy stands for is native (`rustpy_interp`'s `proxies::ProxyState`); Python
    # reads `__js_id__` (> 0: a page handle; < 0: a queued batch operation; 0: a plain
    # value, `__js_value__`). No `__dict__`: every other attribute is the JS object's.
    __slots__ = ()

    # Attribute reads the proxy lacks, writes, deletes and calls are native (the base
    # class, `rustpy_interp`'s `proxies`): the JS object's, or queued in a batch. An
    # attribute read in a batch is held back until the next operation.

    def __dir__(self):
        return sorted(set(_resolved_op(self, _OP.DIR)))

    # -- calls (the native base calls the JS function) --------------------------------
    def new(self, *args, **kwargs):
        """``new`` this JS constructor: ``window.Date.new(0)``."""
        if kwargs:
            args = (*args, kwargs)
        return _run([_OP.NEW, self, list(args)])

    # -- items --------------------------------------------------------------------------
    def __getitem__(self, key):
        return _run([_OP.GET_ITEM, self, key])

    def __setitem__(self, key, value):
        _run([_OP.SET_ITEM, self, key, value])

    def __delitem__(self, key):
        _run([_OP.DEL_ITEM, self, key])

    # -- values Python needs now (they end an open batch; see `_resolved_op`) ----------
    def __len__(self):
        return _resolved_op(self, _OP.LEN)

    def __iter__(self):
        return iter(_resolved_op(self, _OP.ITER))

    def __contains__(self, value):
        return _resolved_op(self, _OP.CONTAINS, value)

    def __bool__(self):
        _flush_batches()
        if self.__js_id__ == 0:
            return bool(self.__js_value__)
        return _resolved_op(self, _OP.BOOL)

    def __str__(self):
        _flush_batches()
        if self.__js_id__ == 0:
            return str(self.__js_value__)
        return _resolved_op(self, _OP.STR)

    def __repr__(self):
        _flush_batches()
        if self.__js_id__ == 0:
            return repr(self.__js_value__)
        kind, text = _resolved_op(self, _OP.DESCRIBE)
        if len(text) > 60:
            text = text[:57] + "..."
        return f"<JsProxy {kind}: {text}>"

    def __eq__(self, other):
        _flush_batches()
        if self.__js_id__ == 0:
            return self.__js_value__ == other
        return isinstance(other, JsProxy) and other.__js_id__ == self.__js_id__

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        _flush_batches()
        if self.__js_id__ == 0:
            return hash(self.__js_value__)
        return hash(("JsProxy", self.__js_id__))

    def __int__(self):
        _flush_batches()
        return int(self.__js_value__ if self.__js_id__ == 0 else str(self))

    def __float__(self):
        _flush_batches()
        return float(self.__js_value__ if self.__js_id__ == 0 else str(self))

    # -- helpers PyScript users know ---------------------------------------------------
    def to_py(self):
        """A copy as Python values: arrays to lists, plain objects and maps to dicts,
        typed arrays and ArrayBuffers to bytes (other objects inside stay proxies)."""
        return _resolved_op(self, _OP.TO_PY)

    def typeof(self):
        """The JS ``typeof`` of the object."""
        return _resolved_op(self, _OP.TYPEOF)

    def instanceof(self, constructor):
        """JS ``this instanceof constructor``."""
        return _resolved_op(self, _OP.INSTANCEOF, constructor)

    def __await__(self):
        """Awaits a JS promise (anything with ``then``)."""
        return _await_js(self).__await__()

    # A dying proxy gives its handle's references back to the page: natively (the base's
    # `__del__`, `proxies::dropped`).


def _method_function(method):
    """The JS function a ``JsMethod`` stands for (read from its owner the first time)."""
    if method.__js_function__ is None:
        method.__js_function__ = _run([_OP.GET_ITEM, method.__js_owner__, method.__js_name__])
    return method.__js_function__


class JsMethod(_rustpy_host.JsMethodBase):
    """A function read from a JS object: calling it (native) calls ``owner[name](...)`` in
    one round trip (``this`` is the owner, as in JS). Handed to JS it is the function itself,
    or for an inherited method (whose handle Python does not hold) the method bound to its
    owner. Made natively, with ``__js_owner__``, ``__js_name__`` and ``__js_function__``
    (the own function property it stands for, or None).
    """

    __slots__ = ()

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return getattr(_method_function(self), name)

    def new(self, *args):
        return _method_function(self).new(*args)

    def __repr__(self):
        return f"<JsMethod {self.__js_name__} of {self.__js_owner__!r}>"


# -- Python callables offered to JS --------------------------------------------------------


class JsCallable:
    """``create_proxy(function, ...)``: a Python callable for JS with page-side options.

    ``prevent_default`` / ``stop_propagation`` call ``event.preventDefault()`` /
    ``event.stopPropagation()`` on the page before the event reaches Python, which in a
    worker runs later (too late to cancel the event). ``destroy()`` forgets it.
    """

    def __init__(self, function, prevent_default=False, stop_propagation=False):
        if isinstance(function, JsCallable):
            function = function.function
        if not callable(function):
            raise TypeError(f"create_proxy needs a callable, not {type(function).__name__}")
        self.function = function
        self.prevent_default = prevent_default
        self.stop_propagation = stop_propagation

    def __call__(self, *args):
        return self.function(*args)

    def destroy(self):
        """Forgets this callable; JS calling it afterwards gets an error."""
        callable_id = _callable_ids.pop(_identity(self), None)
        _callables.pop(callable_id, None)


def _identity(function):
    """What makes two callables the same for JS: the object, or for a bound method (a new
    object at each attribute read) its instance and function, so that ``obj.method``
    passed twice is the same JS function (``removeEventListener`` works). The registered
    callable keeps both alive, so their ids are not reused while it is registered."""
    owner = getattr(function, "__self__", None)
    underlying = getattr(function, "__func__", None)
    if owner is not None and underlying is not None:
        return (id(owner), id(underlying))
    return id(function)


def register_callable(function):
    """The id (and options) under which JS may call ``function``."""
    key = _identity(function)
    callable_id = _callable_ids.get(key)
    if callable_id is None:
        callable_id = next(_next_callable)
        _callable_ids[key] = callable_id
        _callables[callable_id] = function
    if isinstance(function, JsCallable):
        return (callable_id, function.prevent_default, function.stop_propagation)
    return (callable_id, False, False)


def callable_for(callable_id):
    """The Python callable behind an id JS handed back."""
    try:
        return _callables[callable_id]
    except KeyError:
        raise RuntimeError(f"the Python callable {callable_id} offered to JS was destroyed") from None


def _forget(callable_id):
    function = _callables.pop(callable_id, None)
    if function is not None:
        _callable_ids.pop(_identity(function), None)


def invoke(callable_id, args):
    """JS called a Python callable: run it; a coroutine runs as a task on the loop."""
    group = _one_shot.pop(callable_id, None)
    function = _callables.get(callable_id)
    if group is not None:
        for other in group:
            _one_shot.pop(other, None)
            _forget(other)
    if function is None:
        raise RuntimeError(f"JS called the Python callable {callable_id}, which was destroyed")
    result = function(*args)
    if hasattr(result, "__await__") and not isinstance(result, JsProxy):
        import _rustpy_tasks

        task = _rustpy_tasks.spawn(result)
        task.add_done_callback(_report_task_error)
        return None
    return result


def _report_task_error(task):
    """An ``async`` callback's task failed: nobody awaits it, so the host shows the error
    (on the page, as a synchronous handler's error is)."""
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        _rustpy_host.report_error(
            "an async callback (event handler, timer, promise)",
            _rustpy_host.format_exception(error),
        )


async def _await_js(thenable):
    import _rustpy_tasks

    future = _rustpy_tasks.create_future()

    def resolve(value=None):
        if not future.done():
            future.set_result(value)

    def reject(error=None):
        if future.done():
            return
        try:
            name, message = str(error.name), str(error.message)
        except Exception:  # not an Error object
            name, message = "Error", str(error)
        future.set_exception(JsException(name, f"{name}: {message}"))

    ids = (register_callable(resolve)[0], register_callable(reject)[0])
    for callable_id in ids:
        _one_shot[callable_id] = ids
    thenable.then(resolve, reject)
    return await future


# -- batches -------------------------------------------------------------------------------
# The queue is native (`rustpy_interp`'s `host_module`): each operation is converted to its
# wire form when queued (queued operations hold no Python objects), its placeholder is made
# there and held by the batch, so the results Python dropped are not sent back (their
# placeholders are reused), and the placeholders still held are settled when the queue is
# sent (`_rustpy_host.js_flush`).


def _flush_batches():
    """Sends the queued operations (if any) and resolves their placeholders."""
    _rustpy_host.js_flush()


class batch:
    """``with batch():`` sends the DOM operations of the block in one round trip.

    Results of operations inside the block are placeholders: use them as arguments of
    later operations freely; reading their value (``str``, ``bool``, ``==``, ``len``,
    iteration) sends what was queued so far first. An error is raised when the block
    ends (or at that read), naming the failing operation; operations after it did not run.
    Nested blocks join the outermost one.
    """

    def __enter__(self):
        _rustpy_host.batch_enter()
        return self

    def __exit__(self, kind, error, traceback):
        # The outermost block sends the queue; a failed one drops it (placeholders: None).
        _rustpy_host.batch_exit(kind is None)
        return False


def live_handles(local=False):
    """How many JS objects the page holds for this interpreter (a debug counter); with
    ``local=True``, how many of this thread's own (the ``js`` module's) it holds."""
    _flush_batches()
    _rustpy_host.flush_releases()
    return _rustpy_host.js_request([[_OP.COUNT]], local)[0]


def global_this():
    """The page's ``globalThis`` (``window``)."""
    return _rustpy_host.js_request([[_OP.GLOBAL]], False)[0]


def global_of(proxy):
    """The ``globalThis`` of the table that holds ``proxy``: the page's, or in a worker the
    worker's own for its objects (``js``)."""
    if _rustpy_host.is_local(proxy):
        return local_global_this()
    return global_this()


def local_global_this():
    """This thread's own ``globalThis``: the page's ``window`` on the main thread, the
    worker's global scope in a worker (the ``js`` module)."""
    return _rustpy_host.js_request([[_OP.GLOBAL]], True)[0]


def to_js(value):
    """A JS object of this thread made from a Python value by copy (dict → plain object,
    list → array). Passed to the other side (a worker's object to the page), it is copied."""
    return _rustpy_host.js_request([[_OP.TO_JS, value]], True)[0]


_rustpy_host.ffi_install(JsProxy, JsMethod, register_callable, callable_for, METHOD)
