"""rustpy's ``socket``: the browser gives pages no sockets.

Importing works (asyncio and other modules import it); creating a socket raises
``OSError(ENOSYS)`` explaining that the browser has no raw sockets.
"""

AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6 = 0, 1, 2, 10
SOCK_STREAM, SOCK_DGRAM, SOCK_RAW = 1, 2, 3
SOL_SOCKET, SO_REUSEADDR, SO_KEEPALIVE, SO_ERROR, SO_BROADCAST, SO_REUSEPORT = 1, 2, 9, 4, 6, 15
IPPROTO_TCP, IPPROTO_UDP, IPPROTO_IPV6, TCP_NODELAY, IPV6_V6ONLY = 6, 17, 41, 1, 26
AI_PASSIVE = 1
SHUT_RD, SHUT_WR, SHUT_RDWR = 0, 1, 2
has_ipv6 = False
error = OSError
timeout = TimeoutError
#: The "no timeout given" marker of ``create_connection`` (``http.client`` reads it).
_GLOBAL_DEFAULT_TIMEOUT = object()


class herror(OSError):
    pass


class gaierror(OSError):
    pass


def _no_sockets(*args, **kwargs):
    raise OSError(
        38,
        "a browser cannot open sockets: fetch URLs with pyscript.fetch (await) or use a "
        "WebSocket from JS",
    )


class socket:
    def __init__(self, *args, **kwargs):
        _no_sockets()


socketpair = create_connection = create_server = getaddrinfo = gethostbyname = _no_sockets
getnameinfo = fromfd = _no_sockets


def gethostname():
    return "localhost"
