def ping():
    return "pong"


__export__ = ["ping"]
