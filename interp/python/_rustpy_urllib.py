"""``urllib.request.urlopen`` over the browser's HTTP: a synchronous ``XMLHttpRequest``.

A browser gives Python no sockets, so ``http.client`` cannot connect. When
``urllib.request`` is imported, ``_rustpy_lazy`` calls :func:`install`, which replaces its
``HTTPHandler`` with one that sends ``http:`` and ``https:`` requests through the
browser (the same request ``import`` uses for the library: it blocks, which a worker does
not notice and the page's main thread pauses for). The browser's rules apply: the
server must allow the page's origin (CORS), redirects are followed by the browser, and
headers the browser sets itself (``Host``, ``Connection``, ``Content-Length``...) are left
to it. A request the browser refuses raises ``URLError`` saying so.
"""

import email.parser
import io

# The browser sets these itself and refuses them from scripts.
_BROWSER_HEADERS = {
    "host",
    "connection",
    "content-length",
    "user-agent",
    "accept-encoding",
    "cookie",
    "referer",
    "origin",
}
# A synchronous request reads text only; in the x-user-defined charset byte b >= 0x80
# arrives as the character U+F700 + b.
_TO_BYTES = {0xF700 + b: b for b in range(0x80, 0x100)}


def _send(req, urllib_request):
    import http.client

    import js

    url = req.full_url
    try:
        xhr = js.XMLHttpRequest.new()
        xhr.open(req.get_method(), url, False)
        xhr.overrideMimeType("text/plain; charset=x-user-defined")
        for name, value in req.header_items():
            if name.lower() not in _BROWSER_HEADERS:
                xhr.setRequestHeader(name, value)
        if req.data is None:
            xhr.send()
        else:
            data = req.data
            xhr.send(data if isinstance(data, (bytes, str)) else b"".join(data))
    except Exception as error:  # noqa: BLE001 (any refusal of the browser's is the answer)
        raise urllib_request.URLError(
            f"the browser could not fetch {url} (a network error, or the server does not "
            f"allow this page's origin: CORS): {error}"
        ) from None
    status = int(xhr.status)
    if status == 0:
        raise urllib_request.URLError(
            f"the browser could not fetch {url} (a network error, or the server does not "
            "allow this page's origin: CORS)"
        )
    body = str(xhr.responseText).translate(_TO_BYTES).encode("latin-1")
    headers = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(
        str(xhr.getAllResponseHeaders())
    )
    response = urllib_request.addinfourl(io.BytesIO(body), headers, str(xhr.responseURL) or url, status)
    response.msg = str(xhr.statusText)
    return response


def install(urllib_request):
    """Makes ``urllib_request`` (the module) open ``http:``/``https:`` URLs through the
    browser."""

    class HTTPHandler(urllib_request.HTTPHandler):
        """Opens ``http:`` and ``https:`` URLs with the browser's ``XMLHttpRequest``."""

        def http_open(self, req):
            return _send(req, urllib_request)

        https_open = http_open

        def https_request(self, req):
            return self.do_request_(req)

    urllib_request.HTTPHandler = HTTPHandler
