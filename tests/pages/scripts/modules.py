from pyscript import RUNNING_IN_WORKER

WHERE = "worker" if RUNNING_IN_WORKER else "main"
import sys, math, json, re, random, collections, itertools, functools, operator, datetime
import time, string, textwrap, dataclasses, typing, enum, abc, copy, heapq, bisect
import statistics, decimal, fractions, base64, hashlib, html, urllib.parse, io
import contextlib, traceback, os

@dataclasses.dataclass
class Point:
    x: int
    y: int


def suppressed_key_error():
    """True once contextlib.suppress swallowed a KeyError (else the KeyError ends the script)."""
    with contextlib.suppress(KeyError):
        {}["missing"]
    return True


checks = {
    "math": math.isclose(math.sqrt(2) ** 2, 2),
    "json": json.loads(json.dumps({"a": [1, 2.5, None]})) == {"a": [1, 2.5, None]},
    "re": re.findall(r"\d+", "a1b22c333") == ["1", "22", "333"],
    "random": len({random.randint(0, 10**9) for _ in range(5)}) > 1,
    "collections": collections.Counter("abca")["a"] == 2,
    "itertools": list(itertools.islice(itertools.count(3), 2)) == [3, 4],
    "functools": functools.reduce(operator.add, [1, 2, 3]) == 6,
    "datetime": datetime.datetime.now().year >= 2025 and datetime.date(2024, 2, 29).isoformat() == "2024-02-29",
    "time": time.monotonic() >= 0 and time.time() > 1.7e9,
    "string": string.ascii_lowercase[:3] == "abc",
    "textwrap": textwrap.wrap("aaa bbb ccc", 7) == ["aaa bbb", "ccc"],
    "dataclasses": Point(1, 2) == Point(1, 2),
    "typing": typing.get_type_hints(Point) == {"x": int, "y": int},
    "enum": enum.Enum("C", "A B").B.value == 2,
    "abc": isinstance([], collections.abc.Sequence),
    "copy": copy.deepcopy({"a": [1]}) == {"a": [1]},
    "heapq": heapq.nsmallest(2, [5, 1, 3]) == [1, 3],
    "bisect": bisect.bisect([1, 2, 4], 3) == 2,
    "statistics": statistics.median([3, 1, 2]) == 2,
    "decimal": decimal.Decimal("0.1") + decimal.Decimal("0.2") == decimal.Decimal("0.3"),
    "fractions": fractions.Fraction(1, 3) * 3 == 1,
    "base64": base64.b64decode(base64.b64encode(b"rustpy")) == b"rustpy",
    "hashlib": hashlib.sha256(b"abc").hexdigest().startswith("ba7816bf"),
    "html": html.escape("<a>") == "&lt;a&gt;",
    "urllib.parse": urllib.parse.urlparse("https://x.org/p?q=1").query == "q=1",
    "io": io.StringIO("x").read() == "x",
    "contextlib": suppressed_key_error(),
    "traceback": "ZeroDivisionError" in "".join(traceback.format_exception_only(ZeroDivisionError("z"))),
    "os": len(os.urandom(8)) == 8 and os.getcwd() == "/home/rustpy" and os.path.join("a", "b") == "a/b",
    "sys": sys.version_info >= (3, 12),
}
failed = [name for name, ok in checks.items() if not ok]
try:
    import no_such_module_here
except ModuleNotFoundError as exc:
    missing = type(exc).__name__
print(WHERE, "modules", len(checks), "failed", failed, missing)
print(WHERE, "wall clock", time.time())
