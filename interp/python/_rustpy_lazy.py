"""Loads the stdlib modules that are not frozen into the interpreter, on first import.

The build (``interp/build.rs``) freezes only what an interpreter needs to start and what
``pyscript`` needs; every other module of the stdlib is a file under
``dist/rustpy/library/``: the module's compiled code together with what it imports at
import time, marshalled. The first ``import json`` fetches ``library/json.bin`` (one
blocking request through the host), keeps the modules it carries and executes them as
Python imports them. A page pays only for the modules its scripts import. A module that
cannot run in a browser (``interp/stdlib-unavailable.txt``) raises ModuleNotFoundError
saying why, without a request.
"""

import marshal
import sys

import _frozen_importlib
import _rustpy_host

#: name -> (True if a package, the modules its bundle file ``library/<name>.bin`` brings,
#: itself included), for every module the library holds. Read on the first lookup, not at
#: start-up: an interpreter whose scripts import nothing from the library never needs it.
_index = None
#: The library's modules in the index's order (a bundle names its members by position).
_names = None
#: name -> why it cannot run in a browser (it and its submodules).
_unavailable = {}


def _entry(name):
    """The index entry of ``name``, or None if the library does not hold it."""
    global _index, _names
    if _index is None:
        lines = [line.split("\t") for line in _rustpy_host.library_index().splitlines()]
        _names = [module for module, package, _ in lines if package != "!"]
        _index = {}
        for module, package, rest in lines:
            if package == "!":
                _unavailable[module] = rest
            else:
                _index[module] = (package == "1", rest)
    entry = _index.get(name)
    if entry is not None and isinstance(entry[1], str):
        # A bundle lists its other modules by line number, base 36 (see build.rs).
        members = [_names[int(n, 36)] for n in entry[1].split(",") if n]
        entry = _index[name] = (entry[0], [name, *members])
    return entry


def _why_unavailable(name):
    """Why ``name`` (or its package) cannot run in a browser, or None."""
    while name:
        if name in _unavailable:
            return _unavailable[name]
        name = name.rpartition(".")[0]
    return None

#: Compiled code of modules that arrived in a file and have not been executed yet.
_fetched = {}


def _fetch(name, file):
    for module, _package, code in marshal.loads(_rustpy_host.load_library(name, file)):
        module = module.decode()
        if module == name or module not in sys.modules:
            _fetched.setdefault(module, code)


def _code(name):
    """The compiled code of ``name``, fetched with what it imports if need be."""
    if name not in _fetched:
        members = _entry(name)[1]
        missing = [m for m in members if m == name or (m not in sys.modules and m not in _fetched)]
        # The bundle, unless most of it is here already: then each missing module alone
        # (e.g. ``_rustpy_loop``, whose bundle is all of asyncio, right after asyncio).
        if len(members) == 1 or 2 * len(missing) > len(members):
            _fetch(name, f"{name}.bin")
        else:
            for module in missing:
                _fetch(module, f"one/{module}.bin" if len(_entry(module)[1]) > 1 else f"{module}.bin")
    code = _fetched.pop(name, None)
    if code is None:
        raise ImportError(f"rustpy's library file for '{name}' does not hold it", name=name)
    return code


class LibraryLoader:
    """Finds and runs modules of the lazily loaded stdlib (an entry of ``sys.meta_path``)."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        entry = _entry(name)
        if entry is None:
            why = _why_unavailable(name)
            if why is not None:
                raise ModuleNotFoundError(f"No module named '{name}': {why}", name=name)
            return None
        return _frozen_importlib.ModuleSpec(name, cls, origin="rustpy library", is_package=entry[0])

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        exec(_code(module.__spec__.name), module.__dict__)
        if module.__spec__.name == "urllib.request":
            # No sockets: its HTTP goes through the browser (see _rustpy_urllib.py).
            import _rustpy_urllib

            _rustpy_urllib.install(module)

    @staticmethod
    def get_resource_reader(name):
        """Reads a library package's data files (``importlib.resources``; the time zones
        of ``tzdata``)."""
        import _rustpy_resources

        return _rustpy_resources.Reader(name)


def install():
    """Adds the loader to ``sys.meta_path`` (once)."""
    if LibraryLoader not in sys.meta_path:
        sys.meta_path.append(LibraryLoader)
