"""when() and Event as PyScript has them, on the main thread ("m-") and in a worker ("w-"):
DOM events of elements made under #m-area / #w-area (clicked from Python here; the test
clicks some again with WebDriver), Event objects, listener options, errors. Handlers show
what they got in #<P>-log; the rest goes to #<P>-results as JSON, written last."""

import asyncio
import json
import sys

import pyscript

# pyscript.events is not in the boot image: imported on the first use of its names.
LAZY_BEFORE = "pyscript.events" in sys.modules

from pyscript import (  # noqa: E402
    RUNNING_IN_WORKER, Event, JsException, display, document, when, window,
)

P = "w" if RUNNING_IN_WORKER else "m"
report = {"lazy_before": LAZY_BEFORE, "errors": {}, "seen": {}}
seen = []  # what the handlers saw, in order
LOG = f"{P}-log"

document.getElementById(f"{P}-area").innerHTML = "".join(
    f'<button id="{P}-{name}" class="{P}-{kind}">{name}</button>'
    for name, kind in [
        ("plain", "x"), ("noarg", "x"), ("async", "x"), ("async-noarg", "x"),
        ("keyword", "x"), ("many-1", "many"), ("many-2", "many"), ("proxy", "x"),
        ("list-1", "x"), ("list-2", "x"), ("tuple", "x"), ("stacked", "x"),
        ("once", "x"), ("passive", "x"), ("active", "x"), ("signal", "x"),
        ("sentinel", "x"), ("partial", "x"),
    ]
) + (
    f'<div id="{P}-outer"><button id="{P}-inner">inner</button></div>'
    f'<div id="{P}-stop-outer"><button id="{P}-stop-inner">stop inner</button></div>'
    f'<div id="{LOG}"></div>'
)


def element(name):
    return document.getElementById(f"{P}-{name}")


def error_of(call):
    try:
        call()
    except Exception as error:
        return [type(error).__name__, str(error)]
    return ["no error", ""]


flags = {}


def flag(name):
    """The asyncio.Event a handler sets to say it ran."""
    return flags.setdefault(name, asyncio.Event())


async def ran(name):
    """Waits until the handler behind flag `name` ran (and clears the flag)."""
    await asyncio.wait_for(flag(name).wait(), 30)
    flag(name).clear()


async def click(name):
    """Clicks #<P>-<name>, waits for its handler (flag `name`)."""
    element(name).click()
    await ran(name)


@when("click", f"#{P}-sentinel")
def sentinel():
    flag("sentinel").set()


async def settled():
    """Returns once every handler of the events dispatched so far ran: the sentinel's click
    comes after them (in a worker, the page calls the worker's handlers in order)."""
    await click("sentinel")


# -- handlers with and without the event, sync and async ---------------------------------
@when("click", f"#{P}-plain")
def plain(event):
    seen.append(f"plain {event.type} {event.target.id}")
    display(f"{event.type} {event.target.id}", target=LOG)
    flag("plain").set()


@when("click", f"#{P}-noarg")
def noarg():
    display("noarg", target=LOG)
    flag("noarg").set()


@when("click", f"#{P}-async")
async def async_handler(event):
    await asyncio.sleep(0)
    display(f"async {event.target.id}", target=LOG)
    flag("async").set()


@when("click", selector=f"#{P}-async-noarg")
async def async_noarg():
    display("async noarg", target=LOG)
    flag("async-noarg").set()


await click("plain")
await click("noarg")
await click("async")
await click("async-noarg")
report["seen"]["wrapper"] = [
    plain.__name__,
    plain.__wrapped__.__name__,
    async_handler.__name__,
    asyncio.iscoroutinefunction(async_handler),
    callable(noarg),
]


# -- selectors: keyword, several matches, element proxy, list, tuple -----------------------
def record(event):
    seen.append(f"selector {event.target.id}")
    flag(event.target.id.removeprefix(f"{P}-")).set()


when("click", selector=f"#{P}-keyword")(record)
when("click", f".{P}-many")(record)
when("click", element("proxy"))(record)
when("click", [element("list-1"), element("list-2")])(record)
when("click", (element("tuple"),))(record)
for name in ["keyword", "many-1", "many-2", "proxy", "list-1", "list-2", "tuple"]:
    await click(name)

# -- Event objects -------------------------------------------------------------------------
event = Event()
heard = []


def listener(result):
    heard.append(f"listener {result}")


event.add_listener(listener)
event.add_listener(listener)
report["seen"]["listeners after adding twice"] = len(event._listeners)


@when(event)
def on_event(result):
    heard.append(f"when {result}")


@when(event, once=True)  # options of DOM events are ignored for Event objects
def no_argument():
    heard.append("no argument")


@when(event)
async def on_event_async(result):
    heard.append(f"async {result}")
    flag("event-async").set()


event.trigger("one")
await ran("event-async")
event.trigger("two")
await ran("event-async")
event.remove_listener(listener, lambda result: None)  # one not listening is ignored
event.trigger("three")
await ran("event-async")
event.remove_listener()
event.trigger("four")  # nobody listens
report["seen"]["event"] = heard

first, second = Event(), Event()
both = []


@when([first, second])
def on_either(result):
    both.append(result)


first.trigger(1)
second.trigger(2)
report["seen"]["list of events"] = both

stacked_event = Event()


@when("click", f"#{P}-stacked")
@when(stacked_event)
def stacked(result):
    seen.append(f"stacked {result if isinstance(result, str) else result.type}")
    flag("stacked").set()


stacked_event.trigger("custom")
await click("stacked")

order = []
failing = Event()
failing.add_listener(lambda result: order.append("first"))
failing.add_listener(lambda result: 1 / 0)
failing.add_listener(lambda result: order.append("third"))
report["errors"]["failing listener"] = error_of(lambda: failing.trigger("x"))
report["seen"]["after failing listener"] = order

# -- listener options ----------------------------------------------------------------------
counts = {"once": 0, "signal": 0}


@when("click", f"#{P}-once", once=True)
def once():
    counts["once"] += 1


element("once").click()
element("once").click()
await settled()


@when("click", f"#{P}-outer", capture=True)
def outer_capture(event):
    seen.append("outer (capture)")


@when("click", f"#{P}-inner")
def inner(event):
    seen.append("inner")
    flag("inner").set()


await click("inner")


@when("click", f"#{P}-stop-inner", stop_propagation=True)
def stop_inner(event):
    seen.append("stop inner")


@when("click", f"#{P}-stop-outer")
def stop_outer(event):
    seen.append("stop outer (must not run)")


element("stop-inner").click()
await settled()


@when("poke", f"#{P}-passive", passive=True, prevent_default=True)
def poked_passive(event):
    seen.append("poke passive")


@when("poke", f"#{P}-active", prevent_default=True)
def poked_active(event):
    seen.append("poke active")


def poke(name):
    """dispatchEvent's answer for a cancelable `poke`: False if a listener cancelled it."""
    return element(name).dispatchEvent(window.Event.new("poke", {"cancelable": True}))


report["seen"]["not cancelled (passive, active)"] = [poke("passive"), poke("active")]
controller = window.AbortController.new()


@when("click", f"#{P}-signal", signal=controller.signal)
def signalled():
    counts["signal"] += 1


element("signal").click()
controller.abort()
element("signal").click()
await settled()
report["seen"]["counts"] = counts
report["seen"]["handlers"] = seen

# -- errors --------------------------------------------------------------------------------
def handler(event):
    pass


report["errors"]["no selector"] = error_of(lambda: when("click"))
report["errors"]["empty selector"] = error_of(lambda: when("click", ""))
report["errors"]["empty list"] = error_of(lambda: when("click", []))
report["errors"]["no match"] = error_of(lambda: when("click", f"#{P}-nothing-here"))
report["errors"]["bad selector"] = error_of(lambda: when("click", "#.bad"))
report["errors"]["bad event type"] = error_of(lambda: when(42, f"#{P}-plain")(handler))
report["errors"]["mixed list"] = error_of(lambda: when([Event(), "click"], f"#{P}-plain")(handler))
report["errors"]["not callable (DOM)"] = error_of(lambda: when("click", f"#{P}-plain")(5))
report["errors"]["not callable (Event)"] = error_of(lambda: when(Event())(5))
report["errors"]["add_listener not callable"] = error_of(lambda: Event().add_listener("x"))
report["errors"]["trigger without result"] = error_of(lambda: Event().trigger())
report["seen"]["JsException"] = JsException.__name__
partial = []


def on_partial(event):
    partial.append(event.target.id)
    flag("partial").set()


# The elements before one that is not a DOM element keep their listener (as in PyScript).
report["errors"]["list with a non-element"] = error_of(
    lambda: when("click", [element("partial"), 5])(on_partial)
)
await click("partial")
report["seen"]["partial"] = partial

# -- the same objects under every name -----------------------------------------------------
import pyscript.events  # noqa: E402
from pyscript.events import Event as Event2, when as when2  # noqa: E402

report["seen"]["names"] = [
    Event2 is Event,
    when2 is when,
    pyscript.Event is Event,
    pyscript.when is when,
    type(pyscript.events).__name__,
]

results = document.createElement("pre")
results.id = f"{P}-results"
results.textContent = json.dumps(report)
document.body.append(results)
