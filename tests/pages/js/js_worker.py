import asyncio
import sys

import js
from js import JSON, Object, Uint8Array, console, fetch, performance, setTimeout
from pyscript import document, window
from pyscript.ffi import JsException, create_proxy, live_handles, to_js


def identity():
    """The js module is the worker's own global scope, not the page's window."""
    js.rustpyMarker = "set by the worker"
    return {
        "moduleIsProxy": sys.modules["js"] is js,
        "workerScope": hasattr(js, "WorkerGlobalScope") and not hasattr(js, "document"),
        "selfIsGlobal": js.self == js,
        "location": str(js.location.pathname),
        "markerHere": str(js.rustpyMarker),
        "pageTitle": str(document.title),
        "consoleLog": console.log("from the worker's own console") is None,
    }


def values():
    """Calls, .new(), to_py() and to_js() on the worker's own objects."""
    numbers = JSON.parse('{"a": [1, 2.5, "x"], "b": null}').to_py()
    array = js.Array.new(3, 1, 2)
    array.sort()
    seen = []
    js.Array.of(1, 2, 3).forEach(create_proxy(lambda item, *rest: seen.append(item)))
    made = to_js({"k": [1, 2]})
    return {
        "parsed": numbers,
        "sorted": array.to_py(),
        "bytes": list(Uint8Array.new([7, 8, 9]).to_py()),
        "date": js.Date.new(0).getTime(),
        "forEach": seen,
        "toJsIsArray": js.Array.isArray(made.k),
        "toJsKeys": list(Object.keys(made)),
        "nowIsNumber": isinstance(performance.now(), float),
        "typeof": js.setTimeout.typeof(),
        # A worker object given to the page is copied: the page sees a plain object.
        "pageSawCopy": window.inspect(made).to_py(),
    }


def ffi_names():
    """PyScript's pyscript.ffi names on the worker's own objects and the page's."""
    from pyscript import ffi

    proxy = ffi.create_proxy(lambda: 42)
    target = ffi.assign(js.Object.new(), {"a": 1}, {"b": 2, "a": 3})
    page_target = ffi.assign(window.Object.new(), {"c": 4})
    window.assigned = page_target
    title, body_tag = ffi.gather(document, "title", "body")
    return {
        "proxyCalls": proxy(),
        "proxyIsJsProxy": isinstance(proxy, ffi.JsProxy),
        "toJsIsJsProxy": isinstance(ffi.to_js({"a": 1}), ffi.JsProxy),
        "dictIsNotJsProxy": isinstance({}, ffi.JsProxy),
        "assigned": [target.a, target.b],
        "assignedOnPage": str(window.JSON.stringify(window.assigned)),
        "jsnullIsNone": ffi.is_none(ffi.jsnull) and ffi.is_none(None) and not ffi.is_none(0),
        "gathered": [title, str(body_tag.tagName)],
        "direct": ffi.direct(5),
        "queried": [
            ffi.query(document, "body.tagName"),
            ffi.query(js.JSON.parse('{"rows": [{"x": 1}, {"x": 2}]}'), "rows[1]['x']"),
            ffi.query(window, "document.title"),
        ],
    }


def mixing():
    """A page object in a worker's JS call, and a Python error inside a nested JS call."""
    results = {}
    try:
        console.log(document.body)
        results["pageObject"] = "no error"
    except TypeError as error:
        results["pageObject"] = str(error)

    def boom(*args):
        raise ValueError("raised in forEach")

    try:
        js.Array.of(1).forEach(boom)
        results["nested"] = "no error"
    except JsException as error:
        results["nested"] = f"{error.name}: {'ValueError: raised in forEach' in str(error)}"
    return results


async def waits():
    """await on the worker's own promises: fetch, a timer with a Python callback."""
    response = await fetch("/js/data.json")
    text = await response.text()
    loop = asyncio.get_event_loop()
    fired = loop.create_future()
    setTimeout(create_proxy(lambda: fired.set_result("timer fired")), 5)
    timer = await fired
    promise = js.Promise.resolve(41)
    resolved = await promise
    try:
        await js.Promise.reject(js.Error.new("nope"))
        rejected = "no error"
    except JsException as error:
        rejected = str(error)
    return {
        "status": response.status,
        "text": text,
        "timer": timer,
        "resolved": resolved + 1,
        "rejected": rejected,
    }


def failing_timer():
    """A Python callback that raises when the worker's own timer calls it: shown on the page."""

    def fail():
        raise RuntimeError("raised in a worker timer")

    setTimeout(fail, 1)


def soak(count):
    """Makes `count` proxies of worker objects and drops them: the handles come back."""
    before = live_handles(local=True)
    for _ in range(count):
        Object.new()
    after = live_handles(local=True)
    return {"before": before, "after": after, "pageHandles": live_handles()}


__export__ = ["identity", "values", "mixing", "waits", "failing_timer", "soak", "fetching", "ffi_names"]


async def fetching():
    """pyscript.fetch in a worker: relative URLs resolve against the page."""
    from pyscript import fetch
    from pyscript.fetch import FetchError

    response = await fetch("data.json")
    results = {
        "ok": response.ok,
        "status": response.status,
        "json": await response.json(),
        "chainedJson": await fetch("data.json").json(),
        "chainedText": await fetch("data.json").text(),
        "bytes": list((await fetch("data.json").bytearray())[:3]),
        "arrayBuffer": (await fetch("data.json").arrayBuffer())[:3].decode(),
        "posted": (await fetch("data.json", method="GET", headers={"X-Test": "1"})).status,
    }
    missing = await fetch("missing.json")
    results["missingOk"] = missing.ok
    results["missingStatus"] = missing.status
    try:
        await fetch("missing.json").json()
    except FetchError as error:
        results["missingJson"] = [str(error), error.status]
    try:
        await fetch("http://127.0.0.1:1/nothing")
    except FetchError as error:
        results["network"] = str(error)
    return results
