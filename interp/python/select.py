"""rustpy's ``select``: there are no file descriptors to wait on in the browser."""

error = OSError


def select(rlist, wlist, xlist, timeout=None):
    raise OSError(38, "select() is not available in the browser: rustpy has no file descriptors")
