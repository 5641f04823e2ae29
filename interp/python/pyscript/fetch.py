"""``pyscript.fetch``: the browser's ``fetch`` with Python values, as PyScript's.

``await fetch(url, **options)`` gives a ``FetchResponse`` (``ok``, ``status``,
``statusText``, ``headers``, ``url`` and the other properties of the JS ``Response``);
``await response.json()`` gives Python values, ``.text()`` a ``str``, ``.bytearray()`` a
``bytearray``, ``.arrayBuffer()`` ``bytes`` and ``.blob()`` the JS ``Blob``. The same
methods on the pending fetch itself chain: ``data = await fetch(url).json()``.

The options are the JS ``RequestInit``'s (``method``, ``headers``, ``body``, ...), copied
to a JS object. In a worker the request is the worker's own (no page round trip for the
body), and a relative URL resolves against the page's address, as on the main thread.

Errors name the URL: a request that cannot be made (network, CORS, a bad URL) raises
``FetchError``; so do ``json()`` of an HTTP error response and ``raise_for_status()``. Like
PyScript, ``await fetch(url)`` itself returns a response whose ``ok`` is false for an HTTP
error, and ``text()`` and the bytes methods return its body.
"""

import json

import _rustpy_host
import _rustpy_tasks
import js
from _rustpy_ffi import JsException, to_js


class FetchError(OSError):
    """A fetch that failed: no response (network, CORS, bad URL) or an HTTP error status
    where a usable body was asked for. ``url`` is the address; ``status`` the HTTP status,
    or ``None`` when there was no response."""

    def __init__(self, message, url, status=None):
        super().__init__(message)
        self.url = url
        self.status = status


class FetchResponse:
    """A JS ``Response`` with methods that give Python values (see the module's docs)."""

    def __init__(self, response, url):
        self._response = response
        self._url = url

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._response, name)

    def raise_for_status(self):
        """Raises ``FetchError`` when the status is not 2xx."""
        if not self._response.ok:
            status = self._response.status
            raise FetchError(
                f"fetch {self._url}: HTTP {status} {self._response.statusText}".rstrip(),
                self._url,
                status,
            )

    async def text(self):
        """The body as a ``str``."""
        return await self._response.text()

    async def json(self):
        """The body parsed as JSON into Python values; ``FetchError`` for an HTTP error."""
        self.raise_for_status()
        text = await self.text()
        try:
            return json.loads(text)
        except ValueError as error:
            raise ValueError(f"fetch {self._url}: the body is not JSON: {error}") from None

    async def arrayBuffer(self):
        """The body as ``bytes``."""
        return (await self._response.arrayBuffer()).to_py()

    async def bytearray(self):
        """The body as a ``bytearray``."""
        return bytearray(await self.arrayBuffer())

    async def blob(self):
        """The body as the JS ``Blob``."""
        return await self._response.blob()

    def __repr__(self):
        return f"<FetchResponse {self._url} {self._response.status}>"


def _page_base():
    """The address relative URLs resolve against: the page's, also in a worker (where it is
    the address the page had when the worker started; no page round trip, so it works
    without shared memory too)."""
    return _rustpy_host.page_url() or str(js.document.baseURI)


async def _request(url, options):
    try:
        absolute = str(js.URL.new(str(url), _page_base()).href)
    except JsException as error:
        raise FetchError(f"fetch {url}: not a URL ({error})", str(url)) from None
    try:
        response = await js.fetch(absolute, to_js(options))
    except JsException as error:
        raise FetchError(f"fetch {absolute} failed: {error}", absolute) from None
    return FetchResponse(response, absolute)


class PendingFetch:
    """What ``fetch()`` returns: awaitable (the ``FetchResponse``), with the response's
    body methods chained on it (``await fetch(url).json()``)."""

    def __init__(self, url, options):
        self._task = _rustpy_tasks.spawn(_request(url, options))

    def __await__(self):
        return self._task.__await__()

    async def text(self):
        """``(await self).text()``."""
        return await (await self).text()

    async def json(self):
        """``(await self).json()``."""
        return await (await self).json()

    async def arrayBuffer(self):
        """``(await self).arrayBuffer()``."""
        return await (await self).arrayBuffer()

    async def bytearray(self):
        """``(await self).bytearray()``."""
        return await (await self).bytearray()

    async def blob(self):
        """``(await self).blob()``."""
        return await (await self).blob()


def fetch(url, **options):
    """Starts fetching ``url``; see the module's docs."""
    return PendingFetch(url, options)


__all__ = ["FetchError", "FetchResponse", "fetch"]
