"""Loads the stdlib modules that are not frozen into the interpreter, on first import.

The build (``interp/build.rs``) freezes only what an interpreter needs to start and what
``pyscript`` needs; every other module of the curated stdlib is a file under
``dist/rustpy/library/``: the module's compiled code together with what it imports at
import time, marshalled. The first ``import json`` fetches ``library/json.bin`` (one
blocking request through the host), keeps the modules it carries and executes them as
Python imports them. A page pays only for the modules its scripts import.
"""

import marshal
import sys

import _frozen_importlib
import _rustpy_host

#: name -> True if a package, for every module the library holds.
_INDEX = {}
for _line in _rustpy_host.library_index().splitlines():
    _name, _package, _size = _line.split("\t")
    _INDEX[_name] = _package == "1"
del _line, _name, _package, _size

#: Compiled code of modules that arrived in a bundle and have not been executed yet.
_fetched = {}


def _code(name):
    code = _fetched.pop(name, None)
    if code is None:
        for module, _package, module_code in marshal.loads(_rustpy_host.load_library(name)):
            module = module.decode()
            if module == name or module not in sys.modules:
                _fetched.setdefault(module, module_code)
        code = _fetched.pop(name, None)
        if code is None:
            raise ImportError(f"rustpy's library file for '{name}' does not hold it", name=name)
    return code


class LibraryLoader:
    """Finds and runs modules of the lazily loaded stdlib (an entry of ``sys.meta_path``)."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        package = _INDEX.get(name)
        if package is None:
            return None
        spec = _frozen_importlib.ModuleSpec(name, cls, origin="rustpy library", is_package=package)
        return spec

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        exec(_code(module.__spec__.name), module.__dict__)


def install():
    """Adds the loader to ``sys.meta_path`` (once)."""
    if LibraryLoader not in sys.meta_path:
        sys.meta_path.append(LibraryLoader)
