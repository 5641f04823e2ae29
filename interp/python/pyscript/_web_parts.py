"""The parts of ``pyscript.web``'s elements: ``Classes`` (a live set of CSS classes),
``Style`` (a live dict of inline CSS properties), ``Options`` (a ``select``'s options),
``ElementCollection``, the kinds of queued changes and name helpers. Imported by
``pyscript.web``."""

import _collections_abc
import _rustpy_host
from _rustpy_ffi import JsProxy, batch

_flush = _rustpy_host.js_flush

# A change queued on an element not made yet, or run on its DOM element: (kind, operands)
# (or, the most common ones, a child element or a str; see `pyscript.web`). The kinds are
# the FFI's tree operation's (`rustpy_bridge::ffi::tree_change`), which makes a queued tree
# on the page in one operation:
_KINDS = _rustpy_host.TREE_CHANGES
TEXT = _KINDS["TEXT"]  # (TEXT, value): append a text (or a node proxy)
HTML = _KINDS["HTML"]  # (HTML, text): insert HTML at the end
SET = _KINDS["SET"]  # (SET, name, value): a DOM property
CLASS_ADD = _KINDS["CLASS_ADD"]  # (CLASS_ADD, names)
CLASS_REMOVE = _KINDS["CLASS_REMOVE"]  # (CLASS_REMOVE, names)
STYLE = _KINDS["STYLE"]  # (STYLE, name, value)
UNSTYLE = _KINDS["UNSTYLE"]  # (UNSTYLE, name)
LISTEN = _KINDS["LISTEN"]  # (LISTEN, event type, callable)
CALL = _KINDS["CALL"]  # (CALL, method name, arguments)


def value_of(result):
    """A value read from the page as Python sees it: in an open batch a read gives a
    placeholder, so the batch is sent and the value given."""
    if type(result) is JsProxy:
        if result.__js_id__ <= 0:  # queued (< 0), or an attribute read held back (0)
            _flush()
        if result.__js_id__ == 0:
            return result.__js_value__
    return result


_DOM_NAMES = {"for": "htmlFor", "class": "className"}


def dom_name(name):
    """The DOM property a Python attribute name stands for: a trailing ``_`` dropped
    (``for_``, ``class_``), ``for`` is ``htmlFor`` and ``class`` is ``className``."""
    if name.endswith("_"):
        name = name[:-1]
    return _DOM_NAMES.get(name, name)


def element_id(key, escape=False):
    """The id ``key`` names (a leading ``#`` is optional), escaped for a CSS selector
    (as the browser's ``CSS.escape``) when ``escape``."""
    if key.startswith("#"):
        key = key[1:]
    if not escape:
        return key
    out = []
    for index, char in enumerate(key):
        code = ord(char)
        if code == 0:
            out.append("\ufffd")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\{code:x} ")
        elif char.isdigit() and code < 0x80 and (index == 0 or (index == 1 and key[0] == "-")):
            out.append(f"\\{code:x} ")
        elif char == "-" and index == 0 and len(key) == 1:
            out.append("\\-")
        elif code >= 0x80 or char in "-_" or (char.isalnum() and code < 0x80):
            out.append(char)
        else:
            out.append("\\" + char)
    return "".join(out)


class Classes(_collections_abc.MutableSet):
    """An element's CSS classes as a set, read from and written to the page (``add``,
    ``discard``, ``remove``, ``clear``, ``update``, ``in``, ``len``, iteration, set
    operators). Names with spaces are several names. Like PyScript's, ``remove`` of a
    class the element lacks raises nothing."""

    __slots__ = ("_element",)

    def __init__(self, element):
        self._element = element

    @classmethod
    def _from_iterable(cls, iterable):
        return set(iterable)

    @staticmethod
    def split_all(names):
        """The class names of an iterable of strings, each split at spaces."""
        out = []
        for name in names:
            out.extend(str(name).split())
        return tuple(out)

    def _names(self):
        value = value_of(self._element._dom_element.getAttribute("class"))
        return value.split() if value else []

    def __contains__(self, name):
        return isinstance(name, str) and name in self._names()

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())

    def add(self, name):
        """Adds the class(es) ``name``."""
        names = tuple(name.split())
        if names:
            self._element._queue((CLASS_ADD, names))

    def update(self, *iterables):
        """Adds the classes of each iterable."""
        names = ()
        for iterable in iterables:
            names += self.split_all([iterable] if isinstance(iterable, str) else iterable)
        if names:
            self._element._queue((CLASS_ADD, names))

    def discard(self, name):
        """Removes the class(es) ``name`` if the element has them."""
        names = tuple(name.split())
        if names:
            self._element._queue((CLASS_REMOVE, names))

    def remove(self, name):
        """Removes the class(es) ``name`` (no error when absent, as in PyScript)."""
        self.discard(name)

    def clear(self):
        """Removes every class."""
        self._element._queue((CALL, "removeAttribute", ("class",)))

    def __repr__(self):
        return f"Classes({self._names()!r})"


class Style(_collections_abc.MutableMapping):
    """An element's inline CSS properties as a dict of CSS names (``"font-size"``) to
    strings, read from and written to the page; a property not set is a ``KeyError``,
    deleting one not set does nothing."""

    __slots__ = ("_element",)

    def __init__(self, element):
        self._element = element

    def __getitem__(self, name):
        dom = self._element._dom_element
        with batch():
            value = dom.style.getPropertyValue(name)
        value = value_of(value)
        if not value:
            raise KeyError(name)
        return value

    def __setitem__(self, name, value):
        self._element._queue((STYLE, name, str(value)))

    def __delitem__(self, name):
        self._element._queue((UNSTYLE, name))

    def _names(self):
        dom = self._element._dom_element
        with batch():
            style = dom.style
            count = style.length
        count = value_of(count)
        with batch():
            names = [style.item(index) for index in range(count)]
        return [value_of(name) for name in names]

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())

    def __contains__(self, name):
        try:
            self[name]
        except KeyError:
            return False
        return True

    def __repr__(self):
        return f"Style({dict(self.items())!r})"


class Options:
    """The ``option`` elements of a ``select`` (or ``datalist``, ``optgroup``): items,
    iteration, ``len``, ``add``, ``remove``, ``clear``, ``selected``."""

    def __init__(self, element, wrap_all, option_class):
        self._element = element
        self._wrap_all = wrap_all
        self._option = option_class

    def _is_select(self):
        return self._element._tag == "select"

    @property
    def options(self):
        """The ``option`` elements, a list."""
        dom = self._element._dom_element
        nodes = dom.options if self._is_select() else dom.querySelectorAll("option")
        return list(self._wrap_all(nodes, self._option))

    def __getitem__(self, key):
        return self.options[key]

    def __iter__(self):
        return iter(self.options)

    def __len__(self):
        return len(self.options)

    def __repr__(self):
        return f"Options({self.options!r})"

    @property
    def selected(self):
        """The selected option of a ``select``, or None."""
        if not self._is_select():
            raise TypeError(f"only a select has a selected option, not a {self._element._tag}")
        index = value_of(self._element._dom_element.selectedIndex)
        return None if index < 0 else self.options[index]

    def add(self, value=None, html=None, text=None, before=None, **attributes):
        """Adds an option with ``value``, ``html`` (its inner HTML) or ``text``, and other
        DOM properties (``selected=True``), before the option ``before`` (an element or an
        index) or last; answers it. One round trip from a worker."""
        if value is not None:
            attributes["value"] = value
        if html is not None:
            attributes["innerHTML"] = html
        if text is not None:
            attributes["text"] = text
        new = self._option(**attributes)
        if before is not None and not isinstance(before, (int, JsProxy)):
            before = before._dom_element  # an Element
        with batch():
            dom = self._element._dom_element
            node = new._dom_element
            if self._is_select():
                dom.add(node, before)
            elif before is None:
                dom.append(node)
            else:
                if isinstance(before, int):
                    before = dom.querySelectorAll("option").item(before)
                dom.insertBefore(node, before)
        return new

    def clear(self):
        """Removes every option."""
        if self._is_select():
            self._element._queue((SET, "length", 0))
            return
        options = self.options
        with batch():
            for option in options:
                option._dom_element.remove()

    def remove(self, index):
        """Removes the option at ``index``."""
        if self._is_select():
            self._element._queue((CALL, "remove", (index,)))
        else:
            self.options[index]._dom_element.remove()


class ElementCollection:
    """A list of elements (what ``find`` and ``children`` give): items, slices, ``len``,
    iteration, ``collection["id"]``, ``find``, and writes to every element at once
    (``collection.textContent = "x"``, ``update_all(...)``) in one round trip."""

    def __init__(self, elements):
        object.__setattr__(self, "_elements", list(elements))

    @classmethod
    def wrap_dom_elements(cls, dom_elements):
        """A collection of the DOM elements of a JS list."""
        from pyscript.web import _wrap_all

        return _wrap_all(dom_elements)

    @property
    def elements(self):
        """The elements, a list."""
        return self._elements

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._elements[key]
        if isinstance(key, slice):
            return ElementCollection(self._elements[key])
        if isinstance(key, str):
            wanted = element_id(key)
            with batch():
                ids = [element._dom_element.id for element in self._elements]
            for element, found in zip(self._elements, ids):
                if value_of(found) == wanted:
                    return element
            for element in self._elements:
                found = element[key]
                if found is not None:
                    return found
            return None
        raise TypeError(f"collection indices are ints, slices or ids (str), not {type(key).__name__}")

    def __iter__(self):
        return iter(self._elements)

    def __len__(self):
        return len(self._elements)

    def __eq__(self, other):
        if not isinstance(other, ElementCollection):
            return NotImplemented
        return self._elements == other._elements

    __hash__ = None

    def __repr__(self):
        return f"ElementCollection({self._elements!r})"

    def find(self, selector):
        """The descendants of every element that match the CSS ``selector``."""
        found = []
        for element in self._elements:
            found.extend(element.find(selector))
        return ElementCollection(found)

    def update_all(self, classes=None, style=None, **attributes):
        """``update`` of every element, in one round trip from a worker."""
        with batch():
            for element in self._elements:
                element.update(classes=classes, style=style, **attributes)

    def __getattr__(self, name):
        if name[:1] == "_":
            raise AttributeError(name)
        if name.startswith("on_"):
            return [element.get_event(name) for element in self._elements]
        dom = dom_name(name)
        with batch():
            values = [getattr(element._dom_element, dom) for element in self._elements]
        return [value_of(value) for value in values]

    def __setattr__(self, name, value):
        if name[:1] == "_":
            object.__setattr__(self, name, value)
            return
        with batch():
            for element in self._elements:
                setattr(element, name, value)
