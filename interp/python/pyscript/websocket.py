"""``pyscript.WebSocket``: the browser's ``WebSocket`` with Python handlers and values.

``ws = WebSocket(url="ws://...", onopen=f, onmessage=g, onclose=h, onerror=e)`` connects
(handlers may also be set later: ``ws.onmessage = g``; ``None`` removes one). A handler
gets a ``WebSocketEvent``: the JS event's attributes, with a binary message's ``data`` as a
``memoryview`` (text stays ``str``), as in PyScript. Handlers may be ``async`` (they run as
tasks). ``ws.send(text_or_bytes)`` sends a text message for a ``str`` and a binary one for
``bytes``, ``bytearray`` or ``memoryview``; ``ws.close(code=None, reason=None)`` closes.
``readyState``, ``url``, ``protocol``, ``bufferedAmount``... are the JS socket's, and
``CONNECTING``/``OPEN``/``CLOSING``/``CLOSED`` its states.

The socket is this thread's own: in a worker, ``js.WebSocket`` of the worker's global
scope, whose events run the handlers on the worker's thread (no page round trip). The
address may be relative or ``http(s)://``: it resolves against the page's address (also in
a worker) and ``http``/``https`` become ``ws``/``wss``. A malformed address or scheme
raises ``ValueError``; a server that cannot be reached fires ``onerror`` then ``onclose``.
"""

import _rustpy_host
import _rustpy_tasks
import js
from _rustpy_ffi import JsCallable, JsException, JsProxy

_HANDLERS = ("onopen", "onmessage", "onclose", "onerror")
_SCHEMES = {"ws:": "ws:", "wss:": "wss:", "http:": "ws:", "https:": "wss:"}


class WebSocketEvent:
    """An event of a ``WebSocket``: the JS event's attributes (``type``, ``code``,
    ``reason``, ``wasClean``, ...), with ``data`` as ``str`` or ``memoryview``."""

    __slots__ = ("_event",)

    def __init__(self, event):
        self._event = event

    def __getattr__(self, name):
        value = getattr(self._event, name)
        if name == "data" and isinstance(value, JsProxy):
            # An ArrayBuffer (the binaryType this class sets); a Blob, if the caller chose
            # "blob", stays a proxy.
            converted = value.to_py()
            if isinstance(converted, bytes):
                return memoryview(converted)
        return value

    def __repr__(self):
        return f"<WebSocketEvent {self._event.type}>"


def _address(url):
    base = _rustpy_host.page_url() or str(js.document.baseURI)
    try:
        parsed = js.URL.new(str(url), base)
    except JsException as error:
        raise ValueError(f"WebSocket {url!r}: not a URL ({error})") from None
    scheme = _SCHEMES.get(str(parsed.protocol))
    if scheme is None:
        raise ValueError(
            f"WebSocket {url!r}: the scheme must be ws, wss, http or https, not {parsed.protocol}"
        )
    parsed.protocol = scheme
    return str(parsed.href)


class WebSocket:
    """A WebSocket connection; see the module's docs."""

    CONNECTING = 0
    OPEN = 1
    CLOSING = 2
    CLOSED = 3

    def __init__(self, url, protocols=None, **handlers):
        unknown = sorted(set(handlers) - set(_HANDLERS))
        if unknown:
            raise TypeError(
                f"WebSocket() got unexpected keyword argument(s) {', '.join(unknown)} "
                f"(handlers: {', '.join(_HANDLERS)})"
            )
        address = _address(url)
        arguments = [address]
        if protocols:
            arguments.append([protocols] if isinstance(protocols, str) else list(protocols))
        try:
            socket = js.WebSocket.new(*arguments)
        except JsException as error:
            raise ValueError(f"WebSocket {url!r}: {error}") from None
        socket.binaryType = "arraybuffer"
        object.__setattr__(self, "_js_websocket", socket)
        object.__setattr__(self, "_handlers", {})  # name -> (handler, its JsCallable)
        # Once closed, no event follows: the JS functions of the handlers are forgotten
        # (after the close event's listeners ran), so a closed socket holds nothing.
        forget = JsCallable(self._closed)
        object.__setattr__(self, "_forget", forget)
        socket.addEventListener("close", forget)
        for name, handler in handlers.items():
            setattr(self, name, handler)

    def _closed(self, event):
        _rustpy_tasks.soon(self._release)

    def _release(self):
        for _, wrapper in self._handlers.values():
            wrapper.destroy()
        self._handlers.clear()
        self._forget.destroy()

    def __getattr__(self, name):
        if name.startswith("_"):  # also a half-made instance's own fields
            raise AttributeError(name)
        if name in _HANDLERS:
            entry = self._handlers.get(name)
            return entry[0] if entry else None
        return getattr(self._js_websocket, name)

    def __setattr__(self, name, value):
        if name not in _HANDLERS:
            setattr(self._js_websocket, name, value)
            return
        if value is not None and not callable(value):
            raise TypeError(
                f"WebSocket.{name} must be callable or None, not {type(value).__name__}"
            )
        previous = self._handlers.pop(name, None)
        if value is None:
            setattr(self._js_websocket, name, None)
        else:

            def handle(event, handler=value):
                return handler(WebSocketEvent(event))

            wrapper = JsCallable(handle)
            setattr(self._js_websocket, name, wrapper)
            self._handlers[name] = (value, wrapper)
        if previous is not None:
            previous[1].destroy()

    def send(self, data):
        """Sends ``data``: a text message for a ``str``, a binary one for ``bytes``,
        ``bytearray`` or ``memoryview``."""
        if isinstance(data, str):
            self._js_websocket.send(data)
        elif isinstance(data, (bytes, bytearray, memoryview)):
            self._js_websocket.send(bytes(data))
        else:
            raise TypeError(
                "WebSocket.send takes str, bytes, bytearray or memoryview, "
                f"not {type(data).__name__}"
            )

    def close(self, code=None, reason=None):
        """Closes the connection, with a ``code`` (1000, or 3000-4999) and ``reason`` if
        given (a ``reason`` alone closes with 1000)."""
        if code is None and reason is None:
            self._js_websocket.close()
        elif reason is None:
            self._js_websocket.close(code)
        else:
            self._js_websocket.close(1000 if code is None else code, reason)

    def __repr__(self):
        return f"<WebSocket {self._js_websocket.url} readyState={self._js_websocket.readyState}>"


__all__ = ["WebSocket", "WebSocketEvent"]
