"""pyscript.storage cases, run on the page's main thread (as a script) and in a worker
(`run` exported): the first visit of a page writes and checks, the second (after a reload)
checks that what was written is still there, with the same types and values."""

import json

from pyscript import RUNNING_IN_WORKER, Storage, storage, window

EXPECTED = {
    "str": "h\u00e9llo \u2603 \x00 end",
    "empty str": "",
    "int": 42,
    "negative": -7,
    "big int": 2**80 + 1,
    "float": 0.1,
    "whole float": 3.0,
    "infinity": float("-inf"),
    "nan": float("nan"),
    "negative zero": -0.0,
    "true": True,
    "false": False,
    "none": None,
    "bytes": bytes(range(256)),
    "bytearray": bytearray(b"\x00ab"),
    "list": [1, "two", 3.0, None, b"\x01", [False]],
    "tuple": (1, (2, "x")),
    "dict": {"a": 1, "nested": {"list": [True, b"\xff"]}, "n": None},
    "other keys": {1: "one", (2, 3): "pair", b"k": 0.5},
}


def describe(value):
    """A value as JSON data that tells its type and value exactly (a float's repr, an int
    as text, bytes as hex), nested values too."""
    name = type(value).__name__
    if isinstance(value, dict):
        return [name, [[describe(k), describe(v)] for k, v in value.items()]]
    if isinstance(value, (list, tuple)):
        return [name, [describe(item) for item in value]]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return [name, bytes(value).hex()]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [name, repr(value)]
    return [name, value]


def described(mapping):
    return {key: describe(mapping[key]) for key in sorted(mapping)}


def refused(action):
    """The error `action` raises, as "Type: message" (None when it raises nothing)."""
    try:
        action()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


async def first_visit(name, store):
    checks = {}
    for key, value in EXPECTED.items():
        store[key] = value
    checks["get"] = describe(store["big int"]) == describe(EXPECTED["big int"])
    checks["getDefault"] = store.get("missing", "default")
    store["gone"] = "soon deleted"
    del store["gone"]
    store["popped"] = 1
    checks["pop"] = store.pop("popped")
    store.update({"updated": 1})
    store.setdefault("updated", 2)
    store.setdefault("defaulted", [1])
    del store["updated"]
    del store["defaulted"]
    checks["iterated"] = sorted(store) == sorted(EXPECTED)
    checks["items"] = described(dict(store.items())) == described(EXPECTED)
    checks["isDict"] = isinstance(store, dict) and isinstance(store, Storage)
    checks["setRefused"] = refused(lambda: store.__setitem__("bad", {1, 2}))
    checks["nestedRefused"] = refused(lambda: store.__setitem__("bad", {"k": [1, object()]}))
    checks["updateRefused"] = refused(lambda: store.update({"fine": 1, "bad": {2}}))
    checks["keyRefused"] = refused(lambda: store.__setitem__(1, "one"))
    checks["unchangedAfterRefusals"] = sorted(store) == sorted(EXPECTED)
    checks["emptyName"] = None
    try:
        await storage("")
    except ValueError as error:
        checks["emptyName"] = f"ValueError: {error}"
    await store.sync()
    # A second handle reads what IndexedDB holds now (not this dict).
    again = await storage(name)
    checks["reopened"] = described(dict(again)) == described(EXPECTED)
    # A Storage subclass, and a class that is not one.
    class Counting(Storage):
        writes = 0

        def __setitem__(self, key, value):
            Counting.writes += 1
            super().__setitem__(key, value)

    custom = await storage(name + "-custom", storage_class=Counting)
    custom["a"] = 1
    custom.setdefault("b", 2)
    checks["subclass"] = [type(custom).__name__, Counting.writes, custom.name]
    checks["notStorageClass"] = None
    try:
        await storage(name, storage_class=dict)
    except TypeError as error:
        checks["notStorageClass"] = f"TypeError: {error}"
    # Stores register no Python callable of their own with JS: ten more stores, each
    # written and synced, leave the count of offered callables as it was.
    import _rustpy_ffi

    offered = len(_rustpy_ffi._callables)
    for index in range(10):
        extra = await storage(f"{name}-extra-{index}")
        extra["n"] = index
        await extra.sync()
    checks["noCallablePerStore"] = len(_rustpy_ffi._callables) - offered
    # clear() persists too.
    scratch = await storage(name + "-scratch")
    scratch["x"] = 1
    scratch.clear()
    await scratch.sync()
    checks["clearedReopened"] = dict(await storage(name + "-scratch"))
    return {"visit": "first", "checks": checks, "stored": described(dict(again))}


async def run(name, also=None):
    """One visit: the first writes the store `name`, the second (the store is not empty)
    reports what it holds; `also` names another store to report (one the page wrote)."""
    store = await storage(name)
    if len(store) == 0:
        report = await first_visit(name, store)
    else:
        report = {
            "visit": "second",
            "same": described(dict(store)) == described(EXPECTED),
            "stored": described(dict(store)),
            "expected": described(EXPECTED),
        }
    if also is not None:
        other = await storage(also)
        report["also"] = described(dict(other)) == described(EXPECTED)
    return json.dumps(report)


__export__ = ["run"]

if not RUNNING_IN_WORKER:
    window.mainReport = await run("main")
