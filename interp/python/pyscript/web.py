"""``pyscript.web``: the page's elements as Python objects, with PyScript's names.

- ``page``: the page; ``page.body``, ``page.head``, ``page.html``, ``page.title`` (read and
  write), ``page["id"]`` or ``page["#id"]`` (an element or ``None``), ``page.find(css)`` (an
  ``ElementCollection``), ``page.append(...)``.
- A class per HTML element (``div``, ``button``, ``table``, ``input_``, ``del_``, ...):
  ``div("text", p("child"), id="x", classes=["a"], style={"color": "red"},
  on_click=handler)``. Positional arguments are children (elements, collections, strings
  as HTML, numbers as text); keyword arguments are DOM properties (``for_`` is ``htmlFor``,
  ``class_`` is ``className``), ``on_<event>`` adds a handler.
- An element: DOM properties and methods read and written as attributes, ``classes`` (a
  live set), ``style`` (a live dict of CSS properties), ``find``, ``append``, ``clone``,
  ``parent``, ``children``, ``update``, items (``el[0]``, ``el[1:3]``, ``el["id"]``) and
  ``on_<event>`` (a ``pyscript.Event``; ``when`` takes elements too). ``select``,
  ``datalist`` and ``optgroup`` have ``options``.

rustpy builds elements lazily: a new element and everything done to it before it is
needed (its attributes, classes, style, handlers, children) are Python data until the
element is attached to one on the page or read; then the whole tree is made in one batch,
one round trip from a worker however many elements it holds, and within it by one FFI
operation (``tree``), plus one for each element inside that Python still holds. Reads
(``el.value``) always give the value.
"""

from sys import getrefcount as _getrefcount

import _rustpy_host
from _rustpy_ffi import JsProxy, batch

import pyscript

from pyscript._web_parts import (
    CALL,
    CLASS_ADD,
    CLASS_REMOVE,
    HTML,
    LISTEN,
    SET,
    STYLE,
    TEXT,
    UNSTYLE,
    Classes,
    ElementCollection,
    Options,
    Style,
    dom_name,
    element_id,
)
from pyscript._web_parts import value_of as _value


def _is_markup(text):
    """Whether ``text`` as HTML differs from ``text`` as text (a tag, an entity, a carriage
    return or NUL the HTML parser changes): other strings are appended as text (faster)."""
    return "<" in text or "&" in text or "\r" in text or "\0" in text


_run = _rustpy_host.js_run
_TREE = _rustpy_host.FFI_OPS["TREE"]

# A queued change is an element (a child to append, made first if need be), a str (a text
# to append) or a tuple (kind, operands...) of the kinds in `_web_parts`. Changes that are
# one operation on the page need no batch to go together:
_ONE_OPERATION = (TEXT, HTML, SET, CALL)


def _apply(dom, op):
    """Runs one queued change on the DOM element ``dom`` (queued too inside a batch)."""
    kind = type(op)
    if kind is str:
        dom.append(op)
        return
    if kind is not tuple:  # an element
        node = op._dom
        if node is None:
            # Made before `dom.append` is read: in a batch that read is held back until the
            # next operation, and the child's own operations must not come in between.
            node = _build(op)
        dom.append(node)
        return
    kind = op[0]
    if kind == TEXT:
        dom.append(op[1])
    elif kind == HTML:
        dom.insertAdjacentHTML("beforeend", op[1])
    elif kind == SET:
        setattr(dom, op[1], op[2])
    elif kind == CLASS_ADD:  # (names are a tuple: `*list` of a method read in a batch fails)
        dom.classList.add(*op[1])
    elif kind == CLASS_REMOVE:
        dom.classList.remove(*op[1])
    elif kind == STYLE:
        dom.style.setProperty(op[1], op[2])
    elif kind == UNSTYLE:
        dom.style.removeProperty(op[1])
    elif kind == LISTEN:
        dom.addEventListener(op[1], op[2])
    else:
        getattr(dom, op[1])(*op[2])


def _build(element):
    """Makes ``element``'s DOM element, and everything queued in it, with one FFI tree
    operation (``rustpy_bridge::ffi::op::TREE``; queued in the caller's batch); answers
    the DOM element (a placeholder until the batch is sent)."""
    dom = _run((_TREE, _spec(element)))
    element.__dict__["_dom"] = dom
    return dom


def _spec(element):
    """The tree operation's spec of ``element``: its tag and queued changes, a child as its
    own spec. A child that Python holds elsewhere too (a variable, a list, a handler) is
    made first, by an operation of its own, and goes in by reference: it keeps its DOM
    element. The others exist only on the page once made: nothing in Python can reach
    them any more (a function call and a DOM operation per change were most of a tree's
    time)."""
    pending = element.__dict__.pop("_pending")
    spec = [element._tag]
    for op in pending:
        kind = type(op)
        if kind is str or kind is tuple:
            spec.append(op)
            continue
        node = op._dom
        if node is not None:
            spec.append(node)
        elif _getrefcount(op) > _ONLY_QUEUED:
            spec.append(_build(op))
        else:
            leaf = op.__dict__["_pending"]
            if len(leaf) == 1 and type(leaf[0]) is str:
                spec.append([op._tag, leaf[0]])  # `td("text")`, the common leaf, inline
            else:
                spec.append(_spec(op))
    return spec


def _only_queued():
    """What ``getrefcount`` answers, in ``_spec``'s loop, for a child held only by its
    parent's queue (the loop's variable and the call's argument count too)."""
    for op in [object()]:
        return _getrefcount(op)


_ONLY_QUEUED = _only_queued()


def _child_ops(item, html, out):
    """Adds to ``out`` the changes that append ``item``: an element, a collection, a list
    or tuple of items, a string (HTML when ``html``, else text), a number or bool (text),
    or a DOM node proxy."""
    if isinstance(item, Element):
        out.append(item)
    elif isinstance(item, str):
        out.append((HTML, item) if html and _is_markup(item) else item)
    elif isinstance(item, (int, float)):
        out.append((TEXT, item))
    elif isinstance(item, ElementCollection):
        out.extend(item)
    elif isinstance(item, (list, tuple)):
        for each in item:
            _child_ops(each, html, out)
    elif isinstance(item, JsProxy):
        out.append((TEXT, item))
    else:
        raise TypeError(f"cannot append {type(item).__name__} to an element")


_BY_TAG = {}  # tag name -> its Element class


def _class_of(tag):
    return _BY_TAG.get(str(tag).lower(), Element)


def _wrap(node, cls=None):
    """The ``Element`` (of the class of its tag, or ``cls``) of a DOM element proxy; None
    for None."""
    node = _value(node)
    if node is None:
        return None
    return (cls or _class_of(node.tagName))(dom_element=node)


def _wrap_all(nodes, cls=None):
    """An ``ElementCollection`` of the DOM elements of the JS list ``nodes`` (a
    ``NodeList``, ``HTMLCollection``, ...): two round trips from a worker, however many."""
    nodes = list(nodes)
    if cls is not None or not nodes:
        return ElementCollection([cls(dom_element=node) for node in nodes])
    with batch():
        tags = [node.tagName for node in nodes]
    return ElementCollection(
        [_class_of(_value(tag))(dom_element=node) for tag, node in zip(tags, nodes)]
    )


def _find_by_id(dom, key):
    """The element with id ``key`` (a leading ``#`` ignored) under ``dom``, or None."""
    return _wrap(dom.querySelector("#" + element_id(key, escape=True)))


class Element:
    """An HTML element: a new one (``web.div(...)``) or one of the page's
    (``Element(dom_element=proxy)``, what ``page`` and ``find`` give).

    Attributes not defined here are the DOM element's (read or written); ``on_<event>``
    is the event's ``pyscript.Event``, and assigning a function to it adds a handler.
    """

    _tag = "div"  # set for each tag's class
    # Defaults (an instance sets its own): the DOM element (None until made), the changes
    # queued until then (None once made), the `on_<event>` Events.
    _dom = None
    _pending = None
    _events = None

    def __init__(self, dom_element=None, classes=None, style=None, **attributes):
        if dom_element is None:
            self.__dict__["_pending"] = []
        else:
            self.__dict__["_dom"] = dom_element
        if classes or style or attributes:
            self.update(classes=classes, style=style, **attributes)

    # -- PyScript's class helpers ---------------------------------------------------------
    @classmethod
    def get_tag_name(cls):
        """The HTML tag this class makes (``input_`` makes ``input``)."""
        return cls._tag

    @classmethod
    def wrap_dom_element(cls, dom_element):
        """The element of a DOM element proxy, of the class of its tag."""
        return _wrap(dom_element)

    # -- the DOM element ------------------------------------------------------------------
    @property
    def _dom_element(self):
        """The DOM element (a proxy), made now if it was not yet (one batch for the tree)."""
        dom = self._dom
        if dom is None:
            with batch():
                dom = _build(self)
        elif type(dom) is JsProxy and dom.__js_id__ == 0 and _value(dom) is None:
            # (An attribute read a batch holds back is sent first: `_value`.)
            raise RuntimeError(
                f"the <{type(self)._tag}> element could not be made: the batch that made it "
                "failed (see the error it raised)"
            )
        return dom

    def _queue(self, op):
        """Runs a change: queued while the element is not made yet, else on the page."""
        pending = self._pending
        if pending is not None:
            pending.append(op)
        elif type(op) is str or (type(op) is tuple and op[0] in _ONE_OPERATION):
            _apply(self._dom_element, op)
        else:  # a child to make, or an object to read first (classList): one batch
            with batch():
                _apply(self._dom_element, op)

    def _queue_all(self, ops):
        """Runs changes: queued, or on the page in one batch."""
        pending = self._pending
        if pending is not None:
            pending.extend(ops)
        elif len(ops) == 1:
            self._queue(ops[0])
        elif ops:
            with batch():
                dom = self._dom_element
                for op in ops:
                    _apply(dom, op)

    # -- attributes -----------------------------------------------------------------------
    def __getattr__(self, name):
        if name[:1] == "_":
            raise AttributeError(name)
        if name.startswith("on_"):
            return self.get_event(name)
        return _value(getattr(self._dom_element, dom_name(name)))

    def __setattr__(self, name, value):
        if name[:1] == "_":
            object.__setattr__(self, name, value)
        elif name.startswith("on_"):
            self.get_event(name).add_listener(value)
        else:
            if isinstance(value, Element):
                value = value._dom_element
            self._queue((SET, dom_name(name), value))

    def get_event(self, name):
        """The ``pyscript.Event`` of the DOM event ``name`` without its ``on_``
        (``on_click``): its listeners are called with the DOM event."""
        if not name.startswith("on_") or len(name) == 3:
            raise ValueError(f"event names start with 'on_' and name the event: {name!r}")
        events = self._events
        if events is None:
            events = self.__dict__["_events"] = {}
        event = events.get(name)
        if event is None:
            from pyscript.events import Event

            event = events[name] = Event()
            self._queue((LISTEN, name[3:], event.trigger))
        return event

    def update(self, classes=None, style=None, **attributes):
        """Adds ``classes`` (a string of names or an iterable of them), sets ``style`` (a
        dict of CSS properties) and the DOM properties of ``attributes`` (``on_<event>``
        adds a handler); one round trip from a worker."""
        ops = []
        if classes:
            names = Classes.split_all([classes] if isinstance(classes, str) else classes)
            if names:
                ops.append((CLASS_ADD, names))
        if style:
            ops.extend((STYLE, name, str(value)) for name, value in style.items())
        for name, value in attributes.items():
            if name.startswith("on_"):
                self.get_event(name).add_listener(value)
            else:
                if isinstance(value, Element):
                    value = value._dom_element
                ops.append((SET, dom_name(name), value))
        self._queue_all(ops)

    # -- the tree -------------------------------------------------------------------------
    def append(self, *items):
        """Appends elements, collections, lists of them, DOM nodes, or text (strings and
        numbers); one round trip from a worker."""
        ops = []
        for item in items:
            _child_ops(item, False, ops)
        self._queue_all(ops)

    @property
    def children(self):
        """The child elements, an ``ElementCollection``."""
        return _wrap_all(self._dom_element.children)

    @property
    def parent(self):
        """The parent element, or None."""
        return _wrap(self._dom_element.parentElement)

    def find(self, selector):
        """The descendants matching the CSS ``selector``, an ``ElementCollection``."""
        return _wrap_all(self._dom_element.querySelectorAll(selector))

    def clone(self, clone_id=None):
        """A deep copy (DOM handlers are not copied), with id ``clone_id`` if given."""
        copy = type(self)(dom_element=self._dom_element.cloneNode(True))
        if clone_id is not None:
            copy.id = clone_id
        return copy

    def show_me(self):
        """Scrolls the element into view."""
        self._dom_element.scrollIntoView()

    def __getitem__(self, key):
        if isinstance(key, (int, slice)):
            return self.children[key]
        if isinstance(key, str):
            return _find_by_id(self._dom_element, key)
        raise TypeError(f"element indices are ints, slices or ids (str), not {type(key).__name__}")

    # -- classes and style ----------------------------------------------------------------
    @property
    def classes(self):
        """The element's CSS classes, a live set (``add``, ``discard``, ``remove``, ``in``)."""
        found = self.__dict__.get("_classes")
        if found is None:
            found = self.__dict__["_classes"] = Classes(self)
        return found

    @property
    def style(self):
        """The element's inline CSS properties, a live dict (``style["color"] = "red"``)."""
        found = self.__dict__.get("_style")
        if found is None:
            found = self.__dict__["_style"] = Style(self)
        return found

    # -- comparison -----------------------------------------------------------------------
    def __eq__(self, other):
        if self is other:
            return True
        if not isinstance(other, Element):
            return NotImplemented
        return self._dom_element == other._dom_element

    def __hash__(self):
        return hash(self._dom_element)

    def __repr__(self):
        state = "" if self._dom is not None else ", not on the page yet"
        return f"<{type(self).__name__} element{state}>"


class ContainerElement(Element):
    """An element that may hold others: positional arguments (and ``children=[...]``) are
    its children; strings are HTML, as in PyScript."""

    def __init__(self, *items, **options):
        # Keyword arguments: children=, dom_element=, classes=, style=, DOM properties. The
        # common cases (no keyword argument, one text) are kept short: a tree's elements
        # are made by the thousand.
        if options:
            self._init_with(items, options)
            return
        if len(items) == 1:
            text = items[0]
            # `_is_markup`, inline: a Python call is a third of making a `td("text")`.
            if (
                type(text) is str
                and "<" not in text
                and "&" not in text
                and "\r" not in text
                and "\0" not in text
            ):
                self.__dict__["_pending"] = [text]
                return
        pending = self.__dict__["_pending"] = []
        for item in items:
            if isinstance(item, Element):
                pending.append(item)
            else:
                _child_ops(item, True, pending)

    def _init_with(self, items, options):
        children = options.pop("children", None)
        dom_element = options.pop("dom_element", None)
        Element.__init__(self, dom_element, options.pop("classes", None), options.pop("style", None), **options)
        if children:
            items = (*items, *children)
        if items:
            ops = []
            for item in items:
                _child_ops(item, True, ops)
            self._queue_all(ops)

    def __iter__(self):
        return iter(self.children)


class HasOptions:
    """What ``select``, ``datalist`` and ``optgroup`` add: ``options``."""

    @property
    def options(self):
        """The ``option`` elements, an ``Options`` (``add``, ``remove``, ``clear``,
        ``selected``, items, iteration)."""
        found = self.__dict__.get("_options")
        if found is None:
            found = self.__dict__["_options"] = Options(self, _wrap_all, _BY_TAG["option"])
        return found


class canvas(ContainerElement):
    """``<canvas>``, with ``draw`` and ``download``."""

    _tag = "canvas"

    def draw(self, what, width=None, height=None):
        """Draws an image source (an element or DOM proxy: image, video, canvas, ...) at
        0, 0, scaled to ``width`` x ``height`` if given."""
        if isinstance(what, Element):
            what = what._dom_element
        context = self._dom_element.getContext("2d")
        if width or height:
            context.drawImage(what, 0, 0, width, height)
        else:
            context.drawImage(what, 0, 0)

    def download(self, filename="snapped.png"):
        """Has the browser download the canvas as a PNG named ``filename``."""
        link = _BY_TAG["a"](download=filename, href=self._dom_element.toDataURL())
        self.append(link)
        link.click()
        link.remove()


class video(ContainerElement):
    """``<video>``, with ``snap``."""

    _tag = "video"

    def snap(self, to=None, width=None, height=None):
        """Draws the current frame on the ``canvas`` ``to`` (an element, or a new one),
        scaled to ``width`` x ``height`` (default: the video's size); answers the canvas."""
        width = width or self.videoWidth
        height = height or self.videoHeight
        if to is None:
            to = canvas(width=width, height=height)
        elif not isinstance(to, canvas):
            raise TypeError(f"snap() draws on a web.canvas, not {type(to).__name__}")
        to.draw(self, width, height)
        return to


class select(ContainerElement, HasOptions):
    """``<select>``, with ``options``."""

    _tag = "select"


class datalist(ContainerElement, HasOptions):
    """``<datalist>``, with ``options``."""

    _tag = "datalist"


class optgroup(ContainerElement, HasOptions):
    """``<optgroup>``, with ``options``."""

    _tag = "optgroup"


# The HTML elements (WHATWG's list) that may hold others, and the void ones.
CONTAINER_TAGS = (
    "a abbr address article aside audio b bdi bdo blockquote body button caption cite code "
    "colgroup data dd del details dfn dialog div dl dt em fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 head header hgroup html i iframe ins kbd label legend li main "
    "map mark menu meter nav noscript object ol option output p picture pre progress q rp "
    "rt ruby s samp script search section slot small span strong style sub summary sup "
    "table tbody td template textarea tfoot th thead time title tr u ul var"
).split()
"""The tags whose classes take children (besides canvas, video, select, datalist, optgroup)."""
VOID_TAGS = "area base br col embed hr img input link meta param source track wbr".split()
"""The tags of elements that have no children."""
# Names that are Python keywords or builtins get a trailing underscore, as in PyScript.
_RENAMED = {"del", "input", "map", "object"}


def _make_classes():
    for special in (canvas, video, select, datalist, optgroup):
        _BY_TAG[special._tag] = special
    for tags, base in ((CONTAINER_TAGS, ContainerElement), (VOID_TAGS, Element)):
        for tag in tags:
            name = f"{tag}_" if tag in _RENAMED else tag
            cls = type(name, (base,), {"_tag": tag, "__doc__": f"``<{tag}>``."})
            cls.__module__ = __name__
            globals()[name] = cls
            _BY_TAG[tag] = cls


_make_classes()


class Page:
    """The page: ``html``, ``head``, ``body``, ``title``, ``page["id"]``, ``find``,
    ``append``."""

    def __init__(self):
        self._known = {}

    def _document_element(self, name, tag):
        found = self._known.get(name)
        if found is None:
            found = self._known[name] = _BY_TAG[tag](dom_element=getattr(pyscript.document, name))
        return found

    @property
    def html(self):
        """The ``<html>`` element."""
        return self._document_element("documentElement", "html")

    @property
    def head(self):
        """The ``<head>`` element."""
        return self._document_element("head", "head")

    @property
    def body(self):
        """The ``<body>`` element."""
        return self._document_element("body", "body")

    @property
    def title(self):
        """The document's title (``document.title``), read and written."""
        return pyscript.document.title

    @title.setter
    def title(self, value):
        pyscript.document.title = value

    def __getitem__(self, key):
        if not isinstance(key, str):
            raise TypeError(f"page[...] takes an element id (str), not {type(key).__name__}")
        return _wrap(pyscript.document.getElementById(element_id(key)))

    def find(self, selector):
        """The page's elements matching the CSS ``selector``, an ``ElementCollection``."""
        return _wrap_all(pyscript.document.querySelectorAll(selector))

    def append(self, *items):
        """Appends to the body (``page.body.append``)."""
        self.body.append(*items)


page = Page()
"""The page (see ``Page``)."""
