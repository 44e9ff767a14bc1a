"""The range explorer: a local web app and its HTTP API, on the same code path as the CLI.

``weaponsdb explore`` serves it; :func:`create_app` builds the ASGI app (stateless, so any ASGI
process manager can run several workers of it). Needs the ``explore`` extra:
``pip install 'weaponsdb[explore]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .server import serve

__all__ = ["create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "serve":
        from .server import serve

        return serve
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
