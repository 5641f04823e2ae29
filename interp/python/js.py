"""The ``js`` module, as in PyScript and Pyodide: this thread's JavaScript global scope.

On the page's main thread it is ``window``; in a worker it is the worker's own global scope
(``self``), used directly on the worker's thread: ``js.fetch``, ``js.console``,
``js.performance``, ``js.setTimeout``, ``js.WebSocket``, ``js.indexedDB``... never reach
the page. (``pyscript.window`` and ``pyscript.document`` stay the page's in a worker.)

``import js`` gives a ``JsProxy`` of ``globalThis`` itself (the module object is replaced on
import), so ``from js import document, console`` reads the global's attributes.
"""

import sys

import _rustpy_ffi

sys.modules[__name__] = _rustpy_ffi.local_global_this()
