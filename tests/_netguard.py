"""Refuse network access from Python: only loopback and unix-socket connections are allowed.

Used in-process by ``conftest.py`` and, through a generated ``sitecustomize.py``, inside every
CLI subprocess the tests start, so the whole suite proves that weaponsdb never phones home.
Loopback stays open because Playwright drives Chromium over pipes and localhost websockets.

Every refused attempt raises :class:`NetworkBlocked` (a RuntimeError, so code that quietly
swallows OSError cannot hide it), is recorded in :data:`ATTEMPTS` and, in subprocesses, is
also printed to stderr, where the CLI tests' "exactly one stderr line" checks will see it.
"""

import ipaddress
import socket
import sys

LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
ATTEMPTS: list[str] = []
_ORIGINAL: dict = {}
_ANNOUNCE = False


class NetworkBlocked(RuntimeError):
    """A test (or the code under test) tried to reach a non-local address."""


def is_local_host(host) -> bool:
    """True for loopback/unspecified IP literals and the usual names of this machine."""
    if host is None:
        return True
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    host = str(host).strip().strip("[]").split("%", 1)[0].lower().rstrip(".")
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


def is_local_address(family, address) -> bool:
    """Unix sockets (paths, abstract names) and loopback inet addresses are local; nothing else."""
    if family == getattr(socket, "AF_UNIX", object()) or isinstance(address, (str, bytes, bytearray)):
        return True
    if family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and address:
        return is_local_host(address[0])
    return False


def _refuse(what: str):
    ATTEMPTS.append(what)
    if _ANNOUNCE:
        print(f"weaponsdb tests: network access blocked: {what}", file=sys.stderr, flush=True)
    raise NetworkBlocked(f"network access blocked by the test suite: {what}")


def _connect(self, address, *args, **kwargs):
    if not is_local_address(self.family, address):
        _refuse(f"connect to {address!r}")
    return _ORIGINAL["connect"](self, address, *args, **kwargs)


def _connect_ex(self, address, *args, **kwargs):
    if not is_local_address(self.family, address):
        _refuse(f"connect_ex to {address!r}")
    return _ORIGINAL["connect_ex"](self, address, *args, **kwargs)


def _sendto(self, data, *args):
    address = args[-1] if args else None
    if address is not None and not is_local_address(self.family, address):
        _refuse(f"sendto {address!r}")
    return _ORIGINAL["sendto"](self, data, *args)


def _create_connection(address, *args, **kwargs):
    host = address[0] if isinstance(address, tuple) and address else address
    if not is_local_host(host):
        _refuse(f"create_connection to {address!r}")
    return _ORIGINAL["create_connection"](address, *args, **kwargs)


def _getaddrinfo(host, *args, **kwargs):
    if not is_local_host(host):
        _refuse(f"getaddrinfo({host!r})")
    return _ORIGINAL["getaddrinfo"](host, *args, **kwargs)


def _gethostbyname(host, *args, **kwargs):
    if not is_local_host(host):
        _refuse(f"gethostbyname({host!r})")
    return _ORIGINAL["gethostbyname"](host, *args, **kwargs)


def _gethostbyname_ex(host, *args, **kwargs):
    if not is_local_host(host):
        _refuse(f"gethostbyname_ex({host!r})")
    return _ORIGINAL["gethostbyname_ex"](host, *args, **kwargs)


_PATCHES = {
    (socket.socket, "connect"): _connect,
    (socket.socket, "connect_ex"): _connect_ex,
    (socket.socket, "sendto"): _sendto,
    (socket, "create_connection"): _create_connection,
    (socket, "getaddrinfo"): _getaddrinfo,
    (socket, "gethostbyname"): _gethostbyname,
    (socket, "gethostbyname_ex"): _gethostbyname_ex,
}


def install(announce: bool = False) -> None:
    """Patch the socket module (idempotent)."""
    global _ANNOUNCE
    _ANNOUNCE = announce
    if _ORIGINAL:
        return
    for (owner, name), replacement in _PATCHES.items():
        _ORIGINAL[name] = getattr(owner, name)
        setattr(owner, name, replacement)


def uninstall() -> None:
    for (owner, name), _ in _PATCHES.items():
        if name in _ORIGINAL:
            setattr(owner, name, _ORIGINAL.pop(name))
