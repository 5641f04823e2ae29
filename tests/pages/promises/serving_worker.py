def unawaited_failure():
    raise LookupError("quiet export failed with nobody awaiting")


__export__ = ["unawaited_failure"]
