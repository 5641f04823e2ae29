import js
from pyscript import document, ffi, window
from pyscript.ffi import JsProxy, to_js


def crossing():
    """What the page's window.inspect saw of each value, copied back with to_py()."""
    inspect = window.inspect
    holder = window.holder
    return {
        "toJsDict": inspect(to_js({"a": 1, "b": [2, 3]})).to_py(),
        "toJsList": inspect(to_js([1, "two", {"three": 3}])).to_py(),
        "dictArgument": inspect({"x": {"y": 1}}).to_py(),
        "listArgument": inspect([1, [2]]).to_py(),
        "noneArgument": inspect(None).to_py(),
        "severalArguments": window.inspectAll({"k": 1}, [1], None).to_py(),
        "bytesArgument": window.inspectBytes(b"\x00\x01\xff").to_py(),
        "nullReadsNone": holder.nothing is None,
        "undefinedReadsNone": holder.missingValue is None,
        "absentRaises": not hasattr(holder, "absent"),
    }


def store():
    """A to_js() object and a dict argument, kept by the page for it to look at."""
    window.stored = to_js({"kept": True, "items": [1, 2]})
    window.keepArgument({"given": [1, {"deep": None}]})


def kinds():
    """The README's proxy methods instanceof() and typeof(), and isinstance of proxies."""
    body = document.body
    parsed = window.JSON.parse('{"a": [1]}')
    return {
        "bodyIsHTMLElement": body.instanceof(window.HTMLElement),
        "bodyIsElement": body.instanceof(window.Element),
        "bodyIsArray": body.instanceof(window.Array),
        # to_js makes the worker's own object: its constructors are the js module's.
        "arrayIsArray": to_js([1]).instanceof(js.Array),
        "bodyTypeof": body.typeof(),
        "functionTypeof": window.inspect.typeof(),
        "bodyIsJsProxy": isinstance(body, JsProxy),
        "parsedIsJsProxy": isinstance(parsed, JsProxy),
        "parsedToPyIsDict": isinstance(parsed.to_py(), dict),
        "parsedInnerIsJsProxy": isinstance(parsed.a, JsProxy),
    }


held = []


def hold(n):
    """Holds n new JS objects; what ffi.live_handles() counts then."""
    held.extend(window.Object.new() for _ in range(n))
    return ffi.live_handles()


def drop():
    held.clear()


def churn(n):
    """Makes n proxies and drops each at once, inside one call."""
    for _ in range(n):
        window.Object.new()


def count():
    return ffi.live_handles()


__export__ = ["crossing", "store", "kinds", "hold", "drop", "churn", "count"]
