"""display() and HTML as PyScript shows them, on the main thread ("m-") and in a worker
("w-"): each case writes into its own element under #m-boxes / #w-boxes, which the test
reads; errors and what Python saw go to #m-results / #w-results as JSON, written last."""

import json
import sys

import pyscript

# pyscript.display is not in the boot image: imported on the first use of its names.
LAZY_BEFORE = "pyscript.display" in sys.modules

from pyscript import HTML, RUNNING_IN_WORKER, batch, current_target, display, document  # noqa: E402

P = "w" if RUNNING_IN_WORKER else "m"
boxes = document.getElementById(f"{P}-boxes")
report = {"lazy_before": LAZY_BEFORE, "errors": {}, "seen": {}}


def box(name, content=""):
    """A new element #<P>-<name> holding `content`; its id."""
    element = document.createElement("div")
    element.id = f"{P}-{name}"
    element.innerHTML = content
    boxes.append(element)
    return element.id


def error_of(call):
    try:
        call()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "no error"


# -- strings, HTML, several values ------------------------------------------------------
display("<p>hi & 'bye'</p>", target=box("text"))
display(HTML("<p>hello <b>world</b></p>"), target=box("html"))
display("a", 1, 2.5, None, True, [1, "x"], (2,), target=box("values"))
display("", "\n", "   ", target=box("blank", "<span>kept</span>"))
display(target=box("nothing", "<span>kept</span>"))

# -- append=False: emptied first; text replaces, HTML is added ---------------------------
display("one", "two", target=box("replace-text", "<span>old</span>"), append=False)
display(
    HTML("<b>1</b>"), HTML("<i>2</i>"), target=box("replace-html", "<span>old</span>"), append=False
)
display("one", HTML("<b>2</b>"), target=box("replace-text-html", "<span>old</span>"), append=False)
display(HTML("<b>1</b>"), "two", target=box("replace-html-text", "<span>old</span>"), append=False)
display("", target=box("replace-blank", "<span>old</span>"), append=False)
display(target=box("replace-nothing", "<span>old</span>"), append=False)

# -- targets -----------------------------------------------------------------------------
by = box("targets")
display("by hash", target="#" + by)
display("by id", target=by)
display("by proxy", target=document.getElementById(by))
report["errors"]["empty target"] = error_of(lambda: display("x", target=""))
report["errors"]["missing target"] = error_of(lambda: display("x", target="missing"))
report["errors"]["missing hash target"] = error_of(lambda: display("x", target="#missing"))
report["errors"]["double hash target"] = error_of(lambda: display("x", target="##" + by))


# -- images ------------------------------------------------------------------------------
class Png:
    def _repr_png_(self):
        return b"\x89PNG\r\n\x1a\n"


class PngText:
    def _repr_png_(self):
        return "iVBORw0KGgo="


class Jpeg:
    def _repr_jpeg_(self):
        return b"\xff\xd8\xff\xe0"


class JpegWithMeta:
    def _repr_jpeg_(self):
        return ("/9j/4A==", {"width": "10", "alt": "x"})


display(Png(), PngText(), Jpeg(), JpegWithMeta(), target=box("images"))
display(Png(), Jpeg(), target=box("replace-images", "<span>old</span>"), append=False)


# -- SVG, JSON, JavaScript ---------------------------------------------------------------
class Svg:
    def _repr_svg_(self):
        return '<svg width="10" height="10"><circle cx="5" cy="5" r="4"></circle></svg>'


class Json:
    def _repr_json_(self):
        return '{"key": "value", "n": 42}'


class JsonDict:
    def _repr_json_(self):
        return {"key": "value"}


class Script:
    def _repr_javascript_(self):
        return f"document.body.dataset.{P}Js = 'ran'; //"


display(Svg(), target=box("svg"))
display(Svg(), Svg(), target=box("replace-svg", "<span>old</span>"), append=False)
display(Json(), target=box("json"))
display(Script(), target=box("javascript"))
# Scripts in HTML run (PyScript inserts HTML as a parsed fragment, not with innerHTML).
display(HTML(f"<script>document.body.dataset.{P}Html = 'ran'</script>"), target=box("html-script"))
report["errors"]["json dict"] = error_of(lambda: display(JsonDict(), target=box("json-dict")))


# -- what has no representation of its own shows its repr --------------------------------
class Markdown:
    def _repr_markdown_(self):
        return "**bold**"

    def __repr__(self):
        return "Markdown<1>"


class Latex:
    def _repr_latex_(self):
        return "$x^2$"

    def __repr__(self):
        return "Latex<2>"


class Pretty:
    def _repr_pretty_(self, printer, cycle):
        printer.text("pretty")

    def __repr__(self):
        return "Pretty<3>"


class Plain:
    pass


display(Markdown(), Latex(), Pretty(), target=box("repr-only"))
display(Plain(), target=box("plain"))
report["seen"]["plain repr"] = repr(Plain)


# -- _repr_html_ forms, preferences --------------------------------------------------------
class HtmlTuple:
    def _repr_html_(self):
        return ("<p>Paragraph</p>", {"data-custom": "value"})


class HtmlNone:
    def _repr_html_(self):
        return None

    def __repr__(self):
        return "Fallback <repr>"


class PngAndHtml:
    def _repr_html_(self):
        return "<p>html</p>"

    def _repr_png_(self):
        return "QUJD"


class SvgAndHtml:
    def _repr_html_(self):
        return "<p>html</p>"

    def _repr_svg_(self):
        return "<svg></svg>"


class HtmlAndJson:
    def _repr_json_(self):
        return "{}"

    def _repr_html_(self):
        return "<p>html</p>"


display(HtmlTuple(), HtmlNone(), target=box("html-forms"))
display(PngAndHtml(), SvgAndHtml(), HtmlAndJson(), target=box("preferences"))


# -- _repr_mimebundle_ -------------------------------------------------------------------
class Bundle:
    def __init__(self, bundle, html=None, text="Bundle"):
        self.bundle, self.html, self.text = bundle, html, text

    def _repr_mimebundle_(self):
        return self.bundle

    def __repr__(self):
        return self.text


class BundleWithHtml(Bundle):
    def _repr_html_(self):
        return "<p>fallback</p>"


display(
    Bundle({"text/html": "<strong>B</strong>", "text/plain": "plain"}),
    Bundle({"text/plain": "<p>", "text/html": "<b>x</b>"}),
    Bundle(({"image/png": ("QUJD", {"height": "50"})}, {"image/png": {"width": "100"}})),
    Bundle(({"image/jpeg": "/9j/4A=="}, {"image/jpeg": {"width": "7"}})),
    BundleWithHtml({"text/latex": "x", "text/markdown": "y"}),
    Bundle({}, text="empty bundle"),
    Bundle({"application/json": '{"a": 1}'}),
    target=box("bundles"),
)


# -- matplotlib's savefig comes first ------------------------------------------------------
class Figure:
    def savefig(self, buffer, format):
        buffer.write(f"{format}!".encode())

    def _repr_html_(self):
        return "<p>not this</p>"


display(Figure(), target=box("savefig"))

# -- a script element whose `target` property names its output element (PyScript's tags) --
fake_script = document.createElement("script")
fake_script.type = "text/x-not-python"
fake_script.id = f"{P}-fake-script"
boxes.append(fake_script)
fake_script.target = document.getElementById(box("script-output"))
display("via the script", target=fake_script.id)

# -- inside batch(): a target id read in the batch, a missing target --------------------
with batch():
    display("in a batch", HTML("<i>too</i>"), target=box("batched"))
    report["errors"]["missing target in a batch"] = error_of(
        lambda: display("x", target="missing")
    )


# -- a failing value: what came before it stays -------------------------------------------
class Boom:
    def _repr_html_(self):
        raise RuntimeError("boom")


report["errors"]["failing value"] = error_of(
    lambda: display("first", Boom(), "third", target=box("partial"))
)

# -- JS objects: their repr (no representation method is read from them) ----------------
display(pyscript.window.JSON, document.getElementById(by), target=box("js-values"))

# -- the default target: the element after this script's tag -------------------------------
default = current_target()
report["seen"]["current_target"] = default
display("item 1")
display("item 2", target=box("elsewhere"))
display("item 3")
report["seen"]["default after appends"] = document.getElementById(default).innerHTML
display("x", "y", append=False)
report["seen"]["default after replace"] = document.getElementById(default).innerHTML
display("z")

# -- the same objects under every name -----------------------------------------------------
import pyscript.display  # noqa: E402
from pyscript.display import HTML as HTML2, display as display2  # noqa: E402

report["seen"]["names"] = [
    pyscript.display is display,
    display2 is display,
    HTML2 is HTML,
    sys.modules["pyscript.display"].display is display,
    callable(pyscript.display),
]
star = {}
exec("from pyscript import *", star)
report["seen"]["star import"] = [star.get(name) is value for name, value in [
    ("display", display), ("HTML", HTML), ("when", pyscript.when), ("Event", pyscript.Event)
]]

results = document.createElement("pre")
results.id = f"{P}-results"
results.textContent = json.dumps(report)
document.body.append(results)
