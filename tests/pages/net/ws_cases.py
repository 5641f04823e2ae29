"""pyscript.WebSocket cases against the suite's echo server (`/ws/echo`), run on the page's
main thread (as a script) and in a worker (`session` exported; the page replaced its own
`window.WebSocket` with a throwing stub first, so only the worker's own can work)."""

import asyncio
import json

from pyscript import RUNNING_IN_WORKER, WebSocket, window

WAIT = 10  # seconds: an event that does not come fails the case instead of hanging
BINARY = bytes(range(256)) + b"\x00end"


def refused(action):
    """The error `action` raises, as "Type: message" (None when it raises nothing)."""
    try:
        action()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


class Recorder:
    """The events of one socket, in order, with futures for the ones a case waits for."""

    def __init__(self):
        loop = asyncio.get_event_loop()
        self.order = []
        self.opened = loop.create_future()
        self.closed = loop.create_future()
        self.messages = asyncio.Queue()

    def handlers(self):
        async def onmessage(event):  # an async handler runs as a task
            self.order.append("message")
            await self.messages.put(event.data)

        return {
            "onopen": self.on_open,
            "onmessage": onmessage,
            "onclose": self.on_close,
            "onerror": self.on_error,
        }

    def on_open(self, event):
        self.order.append("open")
        self.opened.set_result(event.type)

    def on_error(self, event):
        self.order.append("error")

    def on_close(self, event):
        self.order.append("close")
        self.closed.set_result(
            {"code": event.code, "reason": event.reason, "wasClean": event.wasClean}
        )

    async def message(self):
        return await asyncio.wait_for(self.messages.get(), WAIT)


async def echo():
    """Text and binary messages echoed, the handlers in order, close() from Python (the
    server answers the close with the same code and reason)."""
    recorder = Recorder()
    ws = WebSocket(url="/ws/echo", **recorder.handlers())
    report = {"stateAtStart": ws.readyState, "url": ws.url}
    await asyncio.wait_for(recorder.opened, WAIT)
    report["stateOpen"] = ws.readyState == WebSocket.OPEN
    ws.send("hello \u2603")
    text = await recorder.message()
    report["text"] = [type(text).__name__, text]
    ws.send(BINARY)
    data = await recorder.message()
    report["binary"] = [type(data).__name__, bytes(data) == BINARY, len(data)]
    ws.send(bytearray(b"ba"))
    ws.send(memoryview(b"mv"))
    report["bytesLike"] = [bytes(await recorder.message()), bytes(await recorder.message())]
    report["handlerRead"] = ws.onmessage is not None and ws.onopen == recorder.on_open
    report["sendRefused"] = refused(lambda: ws.send(12))
    ws.close(code=3001, reason="bye from Python")
    report["close"] = await asyncio.wait_for(recorder.closed, WAIT)
    report["stateClosed"] = ws.readyState == WebSocket.CLOSED
    report["order"] = recorder.order
    report["bytesLike"] = [b.decode() for b in report["bytesLike"]]
    return report


async def server_close():
    """The server closes with a code and reason after one echo; handlers set after
    construction work too."""
    recorder = Recorder()
    ws = WebSocket(url="/ws/echo?close=4001")
    for name, handler in recorder.handlers().items():
        setattr(ws, name, handler)
    await asyncio.wait_for(recorder.opened, WAIT)
    ws.send("last")
    echoed = await recorder.message()
    closed = await asyncio.wait_for(recorder.closed, WAIT)
    return {"echoed": echoed, "close": closed, "order": recorder.order}


async def unreachable(port):
    """A port nobody listens on: onerror, then onclose (not clean), no hang."""
    recorder = Recorder()
    WebSocket(url=f"ws://127.0.0.1:{port}/", **recorder.handlers())
    closed = await asyncio.wait_for(recorder.closed, WAIT)
    return {"close": closed, "order": recorder.order}


def bad_arguments():
    return {
        "scheme": refused(lambda: WebSocket(url="ftp://127.0.0.1/")),
        "notUrl": refused(lambda: WebSocket(url="ws://[nope")),
        "unknownHandler": refused(lambda: WebSocket(url="/ws/echo", onmesage=print)),
        "notCallable": refused(lambda: WebSocket(url="/ws/echo", onopen=3)),
    }


async def session(closed_port):
    """Every case; the report as JSON text."""
    report = {
        "echo": await echo(),
        "serverClose": await server_close(),
        "unreachable": await unreachable(closed_port),
        "badArguments": bad_arguments(),
        "inWorker": RUNNING_IN_WORKER,
    }
    return json.dumps(report)


heard = []


def listen():
    """A socket the script leaves open: its handlers run after the script ended, while the
    interpreter is idle; each message is handed to the page's `window.heard`."""

    def opened(event):
        socket.send("said at the start")

    def message(event):
        window.heard(event.data)
        socket.close()

    socket = WebSocket(url="/ws/echo", onopen=opened, onmessage=message)
    return socket


__export__ = ["session"]

idle_socket = listen()

if not RUNNING_IN_WORKER:
    closed_port = int(window.URLSearchParams.new(window.location.search).get("closed"))
    window.mainReport = await session(closed_port)
