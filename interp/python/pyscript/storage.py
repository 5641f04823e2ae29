"""``pyscript.storage``: named dict-like stores kept in the browser's IndexedDB.

``store = await storage("name")`` opens (or creates) the store ``name`` of this origin and
loads what it holds; ``store`` is a ``Storage``, a ``dict`` whose writes (``store[k] = v``,
``del store[k]``, ``update``, ``pop``, ``popitem``, ``setdefault``, ``clear``) also go to
IndexedDB at once, each in its own transaction, in order. ``await store.sync()`` waits
until every write made so far is on disk and raises ``StorageError`` if one of them failed.
The data survive a reload of the page and are shared by the page and its workers (each
uses its own thread's ``indexedDB``: in a worker no page round trip).

Keys are ``str``. Values are ``None``, ``bool``, ``int``, ``float``, ``str``, ``bytes``,
``bytearray``, ``memoryview`` (read back as one over ``bytes``) and ``list``, ``tuple``
and ``dict`` of those, nested freely (dict keys: the hashable ones); they come back with
the same types and values (a subclass comes back as its base type). Anything else raises a
``TypeError`` naming where it sits, and the store is left unchanged.

``storage(name, storage_class=MyStorage)`` builds a ``Storage`` subclass instead. Each
store is the IndexedDB database ``rustpy-storage/<name>`` with one object store
(``items``), each value held as JSON text of a tagged form (see ``_encode``).
"""

import base64
import json

import _rustpy_tasks
import js

_DATABASE_PREFIX = "rustpy-storage/"
_ITEMS = "items"
_ALLOWED = (
    "None, bool, int, float, str, bytes, bytearray, memoryview, "
    "and lists, tuples and dicts of those"
)


class StorageError(OSError):
    """IndexedDB refused an operation: opening a store, loading it, or a write (reported
    by ``sync()``). ``name`` is the store's name."""

    def __init__(self, message, name):
        super().__init__(message)
        self.name = name


# -- values <-> JSON -------------------------------------------------------------------------
# A value's JSON form: None, bool, int, float and str stand for themselves; every other value
# is a JSON array whose first item says what it is: ["l", items...] a list, ["t", items...]
# a tuple, ["d", key, value, ...] a dict, ["b", base64] bytes, ["a", base64] a bytearray,
# ["m", base64] a memoryview. A JSON array is never a plain value, so nothing is ambiguous.

_BINARY_TAGS = {bytes: "b", bytearray: "a", memoryview: "m"}


def _encode(value, path, open_containers):
    if value is None:
        return None
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    for kind, tag in _BINARY_TAGS.items():
        if isinstance(value, kind):
            return [tag, base64.b64encode(bytes(value)).decode("ascii")]
    if isinstance(value, (list, tuple, dict)):
        if id(value) in open_containers:
            raise ValueError(f"{path} contains itself: storage cannot hold a circular value")
        open_containers.add(id(value))
        try:
            if isinstance(value, dict):
                encoded = ["d"]
                for key, item in value.items():
                    encoded.append(_encode(key, f"{path} key {key!r}", open_containers))
                    encoded.append(_encode(item, f"{path}[{key!r}]", open_containers))
                return encoded
            tag = "t" if isinstance(value, tuple) else "l"
            return [tag, *(_encode(item, f"{path}[{index}]", open_containers)
                           for index, item in enumerate(value))]
        finally:
            open_containers.discard(id(value))
    raise TypeError(
        f"{path} is of type {type(value).__name__!r}, which storage cannot hold "
        f"(it holds {_ALLOWED})"
    )


def encode(value, key="value"):
    """The JSON text storage keeps for ``value``; ``TypeError`` for a value it cannot hold
    (naming where it sits, starting from ``key``)."""
    return json.dumps(_encode(value, f"storage[{key!r}]", set()), separators=(",", ":"))


def _decode(form):
    if not isinstance(form, list):
        return form
    tag, rest = form[0], form[1:]
    if tag == "l":
        return [_decode(item) for item in rest]
    if tag == "t":
        return tuple(_decode(item) for item in rest)
    if tag == "d":
        return {_decode(rest[i]): _decode(rest[i + 1]) for i in range(0, len(rest), 2)}
    data = base64.b64decode(rest[0])
    if tag == "b":
        return data
    if tag == "a":
        return bytearray(data)
    if tag == "m":
        return memoryview(data)
    raise ValueError(f"unknown tag {tag!r}")


def decode(text):
    """The value ``encode()`` made ``text`` from."""
    return _decode(json.loads(text))


# -- IndexedDB requests as futures -----------------------------------------------------------
# One module-level handler for every request and transaction: it finds the future by the
# event's target (a proxy is the same object while Python holds it), so awaiting a request
# registers no new Python callable with JS.

_waiting = {}  # IDBRequest / IDBTransaction proxy -> (future, what it is, the store's name)


def _settled(target, what, name, done="onsuccess", failed=("onerror",)):
    future = _rustpy_tasks.create_future()
    _waiting[target] = (future, what, name)
    setattr(target, done, _on_settled)
    for handler in failed:
        setattr(target, handler, _on_settled)
    return future


def _failure_text(target):
    error = target.error
    if error is None:
        return "aborted"
    return f"{error.name}: {error.message}"


def _on_settled(event):
    target = event.target
    entry = _waiting.pop(target, None)
    if entry is None:
        return
    future, what, name = entry
    if future.done():
        return
    if event.type in ("success", "complete"):
        future.set_result(target)
    else:
        future.set_exception(
            StorageError(f"storage {name!r}: {what} failed: {_failure_text(target)}", name)
        )


def _create_items(event):
    """``onupgradeneeded`` of a store opened for the first time: makes its object store."""
    event.target.result.createObjectStore(_ITEMS)


async def _open(name):
    try:
        request = js.indexedDB.open(_DATABASE_PREFIX + name, 1)
    except Exception as error:  # no IndexedDB (e.g. a sandboxed frame): say so
        raise StorageError(f"storage {name!r}: IndexedDB is unavailable: {error}", name) from None
    request.onupgradeneeded = _create_items
    await _settled(request, "opening", name)
    database = request.result
    transaction = database.transaction(_ITEMS, "readonly")
    items = transaction.objectStore(_ITEMS)
    keys = _settled(items.getAllKeys(), "loading", name)
    values = _settled(items.getAll(), "loading", name)
    keys = (await keys).result.to_py()
    values = (await values).result.to_py()
    loaded = {}
    for key, text in zip(keys, values):
        try:
            loaded[key] = decode(text)
        except (TypeError, ValueError, KeyError, IndexError) as error:
            raise StorageError(
                f"storage {name!r}: the value of {key!r} was not written by rustpy's "
                f"pyscript.storage ({error})",
                name,
            ) from None
    return database, loaded


# Writes in flight: IDBTransaction proxy -> the Storage it writes for. One module-level
# handler ends them all (a bound method per Storage would stay registered with JS for the
# life of the page); an aborted write is reported by the store's next sync().
_writes = {}


def _on_write_ended(event):
    store = _writes.pop(event.target, None)
    if store is not None and event.type == "abort":
        store._failures.append(_failure_text(event.target))


class Storage(dict):
    """A store of ``pyscript.storage``: a ``dict`` whose writes also go to IndexedDB (see
    the module's docs). Made by ``await storage(name)``; subclass it and pass
    ``storage_class=`` to add behaviour."""

    def __init__(self, database, name, items):
        super().__init__(items)
        self._database = database
        self._name = name
        self._failures = []

    @property
    def name(self):
        """The store's name, as given to ``storage()``."""
        return self._name

    # -- writes --------------------------------------------------------------------------
    def _write(self, operation, *arguments):
        transaction = self._database.transaction(_ITEMS, "readwrite")
        getattr(transaction.objectStore(_ITEMS), operation)(*arguments)
        _writes[transaction] = self
        transaction.onabort = _on_write_ended
        transaction.oncomplete = _on_write_ended

    @staticmethod
    def _checked_key(key):
        if not isinstance(key, str):
            raise TypeError(f"storage keys are str, not {type(key).__name__} ({key!r})")
        return str(key)

    def __setitem__(self, key, value):
        key = self._checked_key(key)
        text = encode(value, key)
        self._write("put", text, key)
        super().__setitem__(key, value)

    def __delitem__(self, key):
        super().__delitem__(key)
        self._write("delete", key)

    def clear(self):
        """Removes every item (also from IndexedDB)."""
        super().clear()
        self._write("clear")

    def pop(self, key, *default):
        """``dict.pop``, removing the item from IndexedDB too."""
        if key in self:
            value = super().__getitem__(key)
            del self[key]
            return value
        if default:
            return default[0]
        raise KeyError(key)

    def popitem(self):
        """``dict.popitem``, removing the item from IndexedDB too."""
        key, value = super().popitem()
        self._write("delete", key)
        return key, value

    def setdefault(self, key, default=None):
        """``dict.setdefault``, storing ``default`` when ``key`` is new."""
        if key not in self:
            self[key] = default
        return super().__getitem__(key)

    def update(self, *others, **items):
        """``dict.update``, storing every item; nothing is stored if one cannot be."""
        pending = dict(*others, **items)
        texts = {self._checked_key(k): encode(v, k) for k, v in pending.items()}
        for key, value in pending.items():
            self._write("put", texts[key], key)
            super().__setitem__(key, value)

    def __ior__(self, other):
        self.update(other)
        return self

    async def sync(self):
        """Waits until every write made so far is in IndexedDB; ``StorageError`` if one
        failed (the items in this dict may then differ from what is stored)."""
        # A readwrite transaction starts after the earlier ones on the same object store end.
        await _settled(
            self._database.transaction(_ITEMS, "readwrite"),
            "sync",
            self._name,
            done="oncomplete",
            failed=("onerror", "onabort"),
        )
        if self._failures:
            failures, self._failures = self._failures, []
            raise StorageError(
                f"storage {self._name!r}: {len(failures)} write(s) failed: {failures[0]}",
                self._name,
            )

    def __repr__(self):
        return f"<Storage {self._name!r} {dict.__repr__(self)}>"


async def storage(name="", storage_class=Storage):
    """Opens the store ``name`` (a non-empty ``str``), creating it if need be, and returns
    it as a ``storage_class`` (``Storage`` or a subclass) holding what it holds."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"storage needs a non-empty str name, not {name!r}")
    if not (isinstance(storage_class, type) and issubclass(storage_class, Storage)):
        raise TypeError(f"storage_class must be Storage or a subclass, not {storage_class!r}")
    database, items = await _open(name)
    return storage_class(database, name, items)


__all__ = ["Storage", "StorageError", "storage"]
