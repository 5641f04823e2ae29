"""``display()`` and ``HTML``: Python values shown on the page, as PyScript shows them.

Each value becomes markup by the first of these that gives something:

- a ``str``: its text, HTML-escaped;
- ``_repr_mimebundle_()``: a dict ``{mime type: data}`` (or ``(dict, metadata)``), whose
  first entry of a type listed below is used; ``data`` may be ``(data, metadata)``;
- ``savefig`` (matplotlib), ``_repr_png_``, ``_repr_jpeg_``, ``_repr_svg_``,
  ``_repr_html_``, ``_repr_json_``, ``_repr_javascript_``, in that order (a method that
  returns ``None`` is skipped; one that returns ``(data, metadata)`` gives both);
- ``repr()``, HTML-escaped.

The types: ``text/plain`` (escaped), ``text/html`` and ``image/svg+xml`` (as they are),
``image/png`` and ``image/jpeg`` (``bytes`` or base64 text, as ``<img src="data:...">``
whose attributes are the metadata), ``application/json`` (as it is) and
``application/javascript`` (in a ``<script>``). Other representations, such as
``_repr_markdown_`` or ``_repr_latex_``, are not used: those objects show their ``repr``.

This module is loaded on the first use of ``pyscript.display`` or ``pyscript.HTML``.
"""

import _rustpy_ffi
from _rustpy_ffi import JsProxy

import pyscript


def _escape(text):
    """``html.escape(text)`` (quotes included), without importing ``html``."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


def _render_image(mime, value, meta):
    """An ``<img>`` of ``value`` (bytes, or base64 text) with ``meta`` as attributes."""
    if isinstance(value, bytes):
        import binascii

        value = binascii.b2a_base64(value, newline=False).decode("utf-8")
    attrs = "".join([f' {k}="{v}"' for k, v in meta.items()])
    return f'<img src="data:{mime};base64,{value}"{attrs}>'


# How the data of each MIME type becomes markup.
_RENDERERS = {
    "text/plain": lambda value, meta: _escape(value),
    "text/html": lambda value, meta: value,
    "image/png": lambda value, meta: _render_image("image/png", value, meta),
    "image/jpeg": lambda value, meta: _render_image("image/jpeg", value, meta),
    "image/svg+xml": lambda value, meta: value,
    "application/json": lambda value, meta: value,
    # A real end tag: an unclosed <script> (PyScript's escaped `<\\/script>` here, right in
    # JS, is a literal backslash in Python) is never run by a parser that follows the HTML
    # standard (Firefox); Chromium ran it anyway.
    "application/javascript": lambda value, meta: f"<script>{value}</script>",
}

# The representation methods, in the order they are tried, and what each gives.
_METHODS = (
    ("savefig", "image/png"),
    ("_repr_png_", "image/png"),
    ("_repr_jpeg_", "image/jpeg"),
    ("_repr_svg_", "image/svg+xml"),
    ("_repr_html_", "text/html"),
    ("_repr_json_", "application/json"),
    ("_repr_javascript_", "application/javascript"),
    ("__repr__", "text/plain"),
)


class HTML:
    """Text that ``display()`` shows as HTML instead of escaping it:
    ``display(HTML("<h1>Hello</h1>"))``."""

    def __init__(self, html):
        self._html = html

    @property
    def html(self):
        """The markup given."""
        return self._html

    def _repr_html_(self):
        return self._html

    def __repr__(self):
        return f"HTML({self._html!r})"


def _representation(value, method):
    """What ``value``'s representation ``method`` gives, or None if it has no such method."""
    if method == "__repr__":
        return repr(value)
    if not hasattr(value, method):
        return None
    if method == "savefig":
        import binascii
        import io

        buffer = io.BytesIO()
        value.savefig(buffer, format="png")
        buffer.seek(0)
        return binascii.b2a_base64(buffer.read(), newline=False).decode("utf-8")
    return getattr(value, method)()


def _markup(value):
    """The markup showing ``value`` and its MIME type (see the module's documentation)."""
    if isinstance(value, str):
        return _escape(value), "text/plain"
    bundle = _representation(value, "_repr_mimebundle_")
    if bundle:
        if isinstance(bundle, tuple):
            formats, global_meta = bundle
        else:
            formats, global_meta = bundle, {}
        for mime, output in formats.items():
            if mime in _RENDERERS:
                meta = global_meta.get(mime, {})
                if isinstance(output, tuple):
                    output, format_meta = output
                    meta.update(format_meta)
                return _RENDERERS[mime](output, meta), mime
    for method, mime in _METHODS:
        output = _representation(value, method)
        if output is None:
            continue
        meta = {}
        if isinstance(output, tuple):
            output, meta = output
        return _RENDERERS[mime](output, meta), mime
    return _escape(repr(value)), "text/plain"  # not reached: __repr__ always answers


def _write(element, html, mime, append):
    """Shows ``html`` (markup of type ``mime``) in ``element``: in a new ``<div>`` at its
    end when ``append``, else as the element's content (HTML is added to what is there,
    other markup replaces it)."""
    document = pyscript.document
    if append:
        container = document.createElement("div")
        element.append(container)
    else:
        container = element
    if mime in ("application/javascript", "text/html"):
        container.append(document.createRange().createContextualFragment(html))
    else:
        container.innerHTML = html


def _is_null(element):
    """True if ``element`` (maybe the placeholder of an open ``batch()``) is JS null."""
    if element is None:
        return True
    if isinstance(element, JsProxy) and element.__js_id__ <= 0:
        _rustpy_ffi._flush_batches()  # a placeholder: its value is needed now
        return element.__js_id__ == 0 and element.__js_value__ is None
    return False


def _element(target):
    """The element ``display()`` writes to for ``target`` (see ``display``)."""
    if isinstance(target, JsProxy):
        if target.__js_id__ <= 0:
            # Maybe the placeholder of an open batch() (`el.id` read there): its value now.
            _rustpy_ffi._flush_batches()
        if target.__js_id__ != 0:
            return target
        target = target.__js_value__  # it stood for a plain value, such as an id
    if target is None:
        target = pyscript.current_target()
        if target is None:
            raise ValueError(
                "Cannot find element with id='None' in the page: this worker was started "
                "without a script tag (PyWorker), so display() has no default target; pass "
                "target='element-id'"
            )
        # rustpy's default target is already the tag's output element, never the tag.
        scripts_target = False
    else:
        if isinstance(target, str) and target.startswith("#"):
            target = target[1:]
        scripts_target = True
    element = pyscript.document.getElementById(target)
    if _is_null(element):
        raise ValueError(f"Cannot find element with id='{target}' in the page.")
    # A script element that names its output element (PyScript's `script.target`).
    if scripts_target and element.tagName == "SCRIPT" and hasattr(element, "target"):
        element = element.target
    return element


def display(*values, target=None, append=True):
    """Shows ``values`` on the page, as PyScript's ``display`` does.

    ``target`` is the id of an element (a leading ``#`` is dropped) or, in rustpy, an
    element proxy; by default ``current_target()``, the output element of the running
    script's tag. No element with that id: ``ValueError``.

    With ``append=True`` (the default) each value goes into a new ``<div>`` at the end of
    the target. With ``append=False`` the target is emptied first and each value written
    straight into it: HTML (``_repr_html_``, ``HTML``) is added to what is there, anything
    else (text, SVG, images, JSON) replaces it, so of several such values only the last
    shows. Values whose markup is empty or blank (``""``, ``"\\n"``) show nothing. See
    the module's documentation for how each value becomes markup.
    """
    element = _element(target)
    # The markup first, outside the batch: reading a representation method of a JS proxy
    # in a batch would queue the read instead of raising AttributeError.
    shown, failure = [], None
    for value in values:
        try:
            html, mime = _markup(value)
            if html.strip():
                shown.append((html, mime))
        except BaseException as error:  # noqa: BLE001 (raised below)
            failure = error
            break
    # One round trip from a worker. What the values before a failing one give is shown.
    with _rustpy_ffi.batch():
        if not append:
            element.replaceChildren()
        for html, mime in shown:
            _write(element, html, mime, append)
    if failure is not None:
        raise failure


__all__ = ["HTML", "display"]
