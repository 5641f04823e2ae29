"""rustpy's ``signal``: the browser delivers no POSIX signals.

Handlers can be set and read back (code that installs them at start-up keeps working);
they are never called by the system.
"""

import enum


class Signals(enum.IntEnum):
    SIGINT = 2
    SIGTERM = 15


class Handlers(enum.IntEnum):
    SIG_DFL = 0
    SIG_IGN = 1


SIGINT, SIGTERM = Signals.SIGINT, Signals.SIGTERM
SIG_DFL, SIG_IGN = Handlers.SIG_DFL, Handlers.SIG_IGN
NSIG = 65


def default_int_handler(signalnum, frame):
    raise KeyboardInterrupt


_handlers = {SIGINT: default_int_handler, SIGTERM: SIG_DFL}


def signal(signalnum, handler):
    previous = _handlers.get(signalnum, SIG_DFL)
    _handlers[signalnum] = handler
    return previous


def getsignal(signalnum):
    return _handlers.get(signalnum, SIG_DFL)


def set_wakeup_fd(fd, *, warn_on_full_buffer=True):
    return -1


def valid_signals():
    return set(Signals)
