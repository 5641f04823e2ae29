# A worker script that is not Python: its `ready` must reject, not stay pending.
print("never printed")

def broken(:
    pass
