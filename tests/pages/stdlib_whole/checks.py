"""Imports each standard-library module issue 24 names and exercises it a little.

Run on the page and in a worker (``stdlib_whole.rs``) and natively (``interp/tests``).
``stdlib_checks()`` returns {module: "ok" or the error}; ``unavailable_checks()`` the
errors of what a browser cannot do, {what: the message raised}.
"""

# One line each: the imports, then an assert on what the module did.
CHECKS = {
    "csv": "import csv, io; assert list(csv.reader(io.StringIO('a,b\\n1,\"2,3\"\\n'))) == [['a', 'b'], ['1', '2,3']]",
    "pathlib": "import pathlib; p = pathlib.PurePosixPath('/data/a.tar.gz'); assert (p.suffixes, p.parent.name, str(pathlib.Path('x') / 'y')) == (['.tar', '.gz'], 'data', 'x/y')",
    "logging": "import logging, io; s = io.StringIO(); log = logging.getLogger('t'); log.addHandler(logging.StreamHandler(s)); log.warning('hi %s', 1); assert s.getvalue() == 'hi 1\\n'",
    "argparse": "import argparse; p = argparse.ArgumentParser(); p.add_argument('--n', type=int); assert p.parse_args(['--n', '3']).n == 3",
    "unittest": "import unittest, io\nclass T(unittest.TestCase):\n    def test_a(self): self.assertEqual(1 + 1, 2)\nr = unittest.TextTestRunner(stream=io.StringIO()).run(unittest.defaultTestLoader.loadTestsFromTestCase(T)); assert r.wasSuccessful() and r.testsRun == 1",
    "pprint": "import pprint; assert pprint.pformat({'b': [1, 2], 'a': 0}) == \"{'a': 0, 'b': [1, 2]}\"",
    "difflib": "import difflib; assert list(difflib.unified_diff(['a\\n'], ['b\\n'], lineterm=''))[2:] == ['@@ -1 +1 @@', '-a\\n', '+b\\n'] and difflib.SequenceMatcher(None, 'abcd', 'abce').ratio() == 0.75",
    "inspect": "import inspect\ndef f(a, b=2, *c): pass\nassert str(inspect.signature(f)) == '(a, b=2, *c)' and inspect.isfunction(f)",
    "struct": "import struct; assert struct.pack('<HI', 1, 2) == b'\\x01\\x00\\x02\\x00\\x00\\x00' and struct.unpack('>h', b'\\xff\\xfe') == (-2,)",
    "array": "import array; a = array.array('i', [1, 2, 3]); a.append(4); assert a.tolist() == [1, 2, 3, 4] and len(a.tobytes()) == 4 * a.itemsize",
    "calendar": "import calendar; assert calendar.isleap(2024) and calendar.monthrange(2024, 2) == (3, 29) and 'February 2024' in calendar.month(2024, 2)",
    "zoneinfo": "import zoneinfo, datetime as d; z = zoneinfo.ZoneInfo('Europe/Paris'); assert (z.utcoffset(d.datetime(2024, 7, 1)), z.utcoffset(d.datetime(2024, 1, 1)), d.datetime(2024, 7, 1, tzinfo=z).tzname()) == (d.timedelta(hours=2), d.timedelta(hours=1), 'CEST')",
    "uuid": "import uuid; assert uuid.uuid4().version == 4 and str(uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org')) == '886313e1-3b8a-5372-9b90-0c9aee199e5d'",
    "secrets": "import secrets; assert len(secrets.token_hex(8)) == 16 and secrets.choice('ab') in 'ab' and secrets.token_bytes(4) != secrets.token_bytes(4)",
    "zipfile": "import zipfile, io; b = io.BytesIO()\nwith zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z: z.writestr('d/a.txt', 'hello' * 50)\nassert zipfile.ZipFile(io.BytesIO(b.getvalue())).read('d/a.txt') == b'hello' * 50",
    "gzip": "import gzip; assert gzip.decompress(gzip.compress(b'x' * 1000)) == b'x' * 1000",
    "tarfile": "import tarfile, io; b = io.BytesIO(); i = tarfile.TarInfo('a.txt'); i.size = 2\nwith tarfile.open(fileobj=b, mode='w:gz') as t: t.addfile(i, io.BytesIO(b'hi'))\nb.seek(0); t = tarfile.open(fileobj=b); assert t.getnames() == ['a.txt'] and t.extractfile('a.txt').read() == b'hi'",
    "shutil": "import shutil, io; o = io.BytesIO(); shutil.copyfileobj(io.BytesIO(b'abc'), o); assert o.getvalue() == b'abc' and shutil.get_terminal_size().columns > 0",
    "tempfile": "import tempfile, os\nwith tempfile.SpooledTemporaryFile(max_size=4) as f: f.write(b'abcdef'); f.seek(0); assert f.read() == b'abcdef' and f._rolled\nwith tempfile.NamedTemporaryFile('w+') as f: f.write('hi'); f.flush(); assert open(f.name).read() == 'hi' and f.name.startswith(tempfile.gettempdir())\nassert not os.path.exists(f.name)\nfd, name = tempfile.mkstemp(suffix='.txt'); os.write(fd, b'xy'); os.close(fd); assert open(name, 'rb').read() == b'xy'\nwith tempfile.TemporaryDirectory() as d: open(os.path.join(d, 'a'), 'w').close(); assert os.listdir(d) == ['a']\nassert not os.path.exists(d)",
    "glob": "import glob; assert glob.escape('a*b?.py') == 'a[*]b[?].py' and glob.has_magic('*.py')",
    "fnmatch": "import fnmatch; assert fnmatch.filter(['a.py', 'b.txt', 'c.py'], '*.py') == ['a.py', 'c.py']",
    "html.parser": "import html.parser\nclass P(html.parser.HTMLParser):\n    tags = []\n    def handle_starttag(self, tag, attrs): self.tags.append((tag, dict(attrs)))\nP().feed('<p class=x><a href=\"/y\">t</a></p>'); assert P.tags == [('p', {'class': 'x'}), ('a', {'href': '/y'})]",
    "xml.etree.ElementTree": "import xml.etree.ElementTree as ET; r = ET.fromstring('<a><b x=\"1\">t</b><b x=\"2\"/></a>'); assert [b.get('x') for b in r.iter('b')] == ['1', '2'] and r.find('b').text == 't' and ET.tostring(ET.Element('c')) == b'<c />'",
    "email": "import email, email.message; m = email.message_from_string('Subject: hi\\nFrom: a@b.c\\n\\nbody\\n'); e = email.message.EmailMessage(); e['To'] = 'x@y.z'; e.set_content('hello'); assert m['Subject'] == 'hi' and m.get_payload() == 'body\\n' and 'To: x@y.z' in e.as_string()",
    "urllib.request": "import urllib.request; r = urllib.request.Request('https://example.org/a?b=1', data=b'x'); assert r.get_method() == 'POST' and r.host == 'example.org' and urllib.request.quote('a b') == 'a%20b'",
    "weakref": "import weakref\nclass A: pass\na = A(); r = weakref.ref(a); d = weakref.WeakValueDictionary(k=a); assert r() is a and d['k'] is a",
    "types": "import types; assert types.SimpleNamespace(a=1).a == 1 and isinstance(len, types.BuiltinFunctionType) and types.MappingProxyType({'k': 1})['k'] == 1",
    "numbers": "import numbers, fractions; assert isinstance(1, numbers.Integral) and isinstance(fractions.Fraction(1, 2), numbers.Rational) and not isinstance(1j, numbers.Real)",
    "graphlib": "import graphlib; assert list(graphlib.TopologicalSorter({'c': {'b'}, 'b': {'a'}}).static_order()) == ['a', 'b', 'c']",
    "tomllib": "import tomllib; assert tomllib.loads('a = 1\\n[t]\\nb = \"x\"\\nc = [1.5, true]') == {'a': 1, 't': {'b': 'x', 'c': [1.5, True]}}",
    "wave": "import wave, io; b = io.BytesIO(); w = wave.open(b, 'wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000); w.writeframes(b'\\x00\\x01' * 80); w.close(); b.seek(0); r = wave.open(b); assert (r.getnframes(), r.getframerate()) == (80, 8000)",
    "colorsys": "import colorsys; assert colorsys.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0) and colorsys.hls_to_rgb(0.0, 0.5, 1.0) == (1.0, 0.0, 0.0)",
    "textwrap": "import textwrap; assert textwrap.wrap('aaa bbb ccc', 7) == ['aaa bbb', 'ccc'] and textwrap.dedent('  a\\n  b') == 'a\\nb'",
    "shlex": "import shlex; assert shlex.split('a \"b c\" d\\\\ e') == ['a', 'b c', 'd e'] and shlex.quote('x y') == \"'x y'\"",
    "string": "import string; assert string.Template('$a-${b}').substitute(a=1, b=2) == '1-2' and string.capwords('a b') == 'A B'",
    "locale": "import locale; assert locale.localeconv()['decimal_point'] == '.' and locale.setlocale(locale.LC_ALL) in ('C', 'C.UTF-8') and locale.getpreferredencoding(False).lower().replace('-', '') == 'utf8'",
    "codecs": "import codecs; assert codecs.encode('abc', 'rot13') == 'nop' and codecs.lookup('latin-1').name == 'iso8859-1' and codecs.decode(b'\\xc3\\xa9', 'utf-8') == '\\u00e9'",
    "unicodedata": "import unicodedata; assert unicodedata.name('\\u00e9') == 'LATIN SMALL LETTER E WITH ACUTE' and unicodedata.normalize('NFC', 'e\\u0301') == '\\u00e9' and unicodedata.category('A') == 'Lu'",
    "ast": "import ast; assert ast.literal_eval('[1, (2, \"x\")]') == [1, (2, 'x')] and ast.unparse(ast.parse('x=1+2')) == 'x = 1 + 2' and isinstance(ast.parse('f()').body[0], ast.Expr)",
    "dis": "import dis, io; s = io.StringIO(); dis.dis(compile('x = 1', 's', 'exec'), file=s); assert 'STORE_NAME' in s.getvalue() and dis.opname[dis.opmap['RETURN_VALUE']] == 'RETURN_VALUE'",
    "tokenize": "import tokenize, io; t = list(tokenize.generate_tokens(io.StringIO('x = 1\\n').readline)); assert [(tokenize.tok_name[k.type], k.string) for k in t[:3]] == [('NAME', 'x'), ('OP', '='), ('NUMBER', '1')]",
    "doctest": "import doctest; t = doctest.DocTestParser().get_doctest('>>> 1 + 1\\n2\\n>>> print(\"a\")\\na\\n', {}, 't', 't.py', 0); assert tuple(doctest.DocTestRunner().run(t, out=lambda s: None)) == (0, 2)",
}

# What a browser cannot do: the statement, and words its error must contain.
UNAVAILABLE = {
    "tkinter": ("import tkinter", "ModuleNotFoundError", "no Tk windows"),
    "tkinter.ttk": ("import tkinter.ttk", "ModuleNotFoundError", "no Tk windows"),
    "multiprocessing": ("import multiprocessing", "ModuleNotFoundError", "cannot start processes"),
    "sqlite3": ("import sqlite3", "ModuleNotFoundError", "no SQLite"),
    "ssl": ("import ssl", "ModuleNotFoundError", "TLS"),
    "ctypes": ("import ctypes", "ModuleNotFoundError", "shared libraries"),
    "subprocess": ("import subprocess; subprocess.run(['ls'])", "OSError", "subprocess: a browser cannot start processes"),
    "socket": ("import socket; socket.socket()", "OSError", "a browser cannot open sockets"),
    "urlopen": ("import urllib.request; urllib.request.urlopen('http://127.0.0.1:9/')", "URLError", "the browser could not fetch http://127.0.0.1:9/"),
}


def _run(source):
    exec(compile(source, "<check>", "exec"), {"__name__": "check"})


def stdlib_checks():
    """{module: "ok" or "ExceptionName: message"} for each module of CHECKS."""
    results = {}
    for name, source in CHECKS.items():
        try:
            _run(source)
            results[name] = "ok"
        except BaseException as error:  # noqa: BLE001 (a check reports any failure)
            results[name] = f"{type(error).__name__}: {error}"
    return results


def unavailable_checks():
    """{what: "ok" or what was raised instead of the expected clear error}."""
    results = {}
    for what, (source, kind, words) in UNAVAILABLE.items():
        try:
            _run(source)
            results[what] = "no error raised"
        except BaseException as error:  # noqa: BLE001
            raised = f"{type(error).__name__}: {error}"
            results[what] = "ok" if type(error).__name__ == kind and words in str(error) else raised
    return results


def urlopen_checks():
    """{what: "ok" or the error} of ``urllib.request.urlopen`` over the browser's HTTP:
    a text file of this page's server, a binary one, a 404 (browser only: it asks the
    page's server)."""
    import urllib.error
    import urllib.parse
    import urllib.request

    import js

    here = str(js.location.href)
    cases = {
        "text": lambda: urllib.request.urlopen(urllib.parse.urljoin(here, "/stdlib_whole/checks.py")),
        "binary": lambda: urllib.request.urlopen(urllib.parse.urljoin(here, "/rustpy/library/tzdata/zoneinfo/UTC")),
        "404": lambda: urllib.request.urlopen(urllib.parse.urljoin(here, "/stdlib_whole/missing.txt")),
    }
    results = {}
    for what, open_it in cases.items():
        try:
            with open_it() as response:
                body = response.read()
                results[what] = (response.status, body[:4].decode("latin-1"), "ok")
        except urllib.error.HTTPError as error:
            results[what] = (error.code, "", "HTTPError")
        except BaseException as error:  # noqa: BLE001
            results[what] = (0, "", f"{type(error).__name__}: {error}")
    return results


def report():
    """Prints, for the browser test: how long the first imports of csv, pathlib and logging
    took, then the results of both kinds of checks, as JSON, naming the thread."""
    import json
    import time

    from pyscript import RUNNING_IN_WORKER

    where = "worker" if RUNNING_IN_WORKER else "main"
    took = {}
    for name in ("csv", "pathlib", "logging"):
        started = time.perf_counter()
        __import__(name)
        took[name] = round((time.perf_counter() - started) * 1000, 1)
    print(f"{where} first imports (ms)", json.dumps(took))
    print(f"{where} stdlib", json.dumps(stdlib_checks()))
    print(f"{where} unavailable", json.dumps(unavailable_checks()))
    print(f"{where} urlopen", json.dumps(urlopen_checks()))


# Run as a page's or a worker's script (the native test defines _NATIVE first).
if not globals().get("_NATIVE"):
    report()
