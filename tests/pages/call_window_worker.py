# The worker of call-window.html: exports answered at once, one answered later (a
# coroutine), and a callback the page calls between calls.
import asyncio

from pyscript import window

seen = []


def note(value):
    seen.append(value)


window.noteFromWorker = note  # a Python callback the page calls


def echo(value):
    return value


def quick():
    return "quick ran to its end"


def last_seen():
    return seen[-1] if seen else None


async def later(value):
    await asyncio.sleep(0)
    return value


__export__ = ["echo", "quick", "last_seen", "later"]
