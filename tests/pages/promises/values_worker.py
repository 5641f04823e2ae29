def small_bytes():
    return b"\x00\x01\xfe\xff"


def large_bytes():
    # Past 64 KiB, bytes travel as a transferred buffer instead of inside the message.
    return bytes([7]) * 100_000


def record():
    return {"name": "Ada", "tags": ["x", "y"], "nested": {"n": 1}, "raw": b"ab"}


def items():
    return [1, "two", [3], (4, 5), {"six": 6}]


__export__ = ["small_bytes", "large_bytes", "record", "items"]
