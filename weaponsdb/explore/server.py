"""Serving the explorer: bind a socket (a free port unless one is given), print the URL, run uvicorn.

The socket is bound before uvicorn starts, so the printed URL is the one served and a busy port
is reported as a one-line error instead of a traceback.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import time
import webbrowser
from pathlib import Path

from ..errors import InputError, WeaponsDBError


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free one)."""
    if not 0 <= port <= 65535:
        raise InputError(f"bad --port {port}: expected 1..65535, or omit it for a free port", value=port,
                         accepted="1..65535")
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise InputError(f"bad --host {host!r}: not an address of this machine; expected e.g. 127.0.0.1 or 0.0.0.0",
                         value=host) from None
    family, _, _, _, address = infos[0]
    # proto=IPPROTO_TCP matters: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets that
    # say they are TCP. A socket made with proto 0, as uvicorn's --workers does, answers each keep-alive
    # request ~40 ms late (Nagle meets delayed ACK between the header and body writes).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        what = f"port {port} on {host} is in use" if port else f"cannot listen on {host}"
        raise InputError(f"{what} ({exc.strerror}): choose another --port, or omit it for a free one") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_for(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host in ("::", "[::]") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def serve(*, catalog: str | Path | None = None, host: str = "127.0.0.1", port: int = 0, open_browser: bool = True,
          tiles: str = "offline", workers: int = 1) -> int:
    """Run the explorer until interrupted; returns the exit code.

    ``workers`` > 1 runs that many processes on the one socket (uvicorn's supervisor); the app is
    stateless, so any of them can answer any request.
    """
    try:
        import uvicorn

        from .app import LOCAL_HOSTS, create_app
    except ImportError as exc:
        raise WeaponsDBError(f"the explorer needs FastAPI and uvicorn ({exc.name} is missing): "
                             "pip install 'weaponsdb[explore]'") from None
    if workers < 1:
        raise InputError(f"bad --workers {workers}: expected 1 or more processes", value=workers, accepted="1 or more")
    local = is_loopback(host)
    app = create_app(catalog, trusted_hosts=LOCAL_HOSTS if local else None, tiles=tiles)  # checks the catalogue
    sock = bind(host, port)
    url = url_for(sock, host)
    if not local:
        print(f"weaponsdb: warning: listening on {host}: anyone who can reach this machine on port "
              f"{sock.getsockname()[1]} can use the explorer (no login, no TLS)", file=sys.stderr)
    print(f"weaponsdb explorer: {url}  (Ctrl+C to stop)", flush=True)
    if workers > 1:
        return _serve_workers(sock, url, workers, catalog=catalog, local=local, tiles=tiles, open_browser=open_browser)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    threading.Thread(target=_warm, daemon=True).start()
    if open_browser:
        threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


def _serve_workers(sock: socket.socket, url: str, workers: int, *, catalog, local: bool, tiles: str,
                   open_browser: bool) -> int:
    """Several worker processes on one socket; each builds the app from the environment (create_app())."""
    import os

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    os.environ["WEAPONSDB_EXPLORE_TILES"] = tiles
    os.environ["WEAPONSDB_EXPLORE_HOSTS"] = "local" if local else "*"
    if catalog:
        os.environ["WEAPONSDB_CATALOG"] = str(Path(catalog).resolve())
    # A worker busy with long requests may answer the supervisor's ping late; the default 5 s would have
    # it killed (dropping its connections) when it is only slow.
    config = uvicorn.Config("weaponsdb.explore.app:create_app", factory=True, workers=workers, log_level="warning",
                            access_log=False, timeout_worker_healthcheck=30)
    if open_browser:
        threading.Timer(2.0, webbrowser.open, args=(url,)).start()
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
    return 0


def _warm() -> None:
    """Load the gazetteer while the user looks at the page, so the first place search is quick."""
    from ..gazetteer import _index, cities

    try:
        cities()
        _index()
    except Exception:  # a broken gazetteer shows up, as a 422 or 500, on the request that needs it
        pass


def _open_when_started(server, url: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if server.started:
        webbrowser.open(url)
