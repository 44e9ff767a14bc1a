"""The ``weaponsdb`` command line: a thin layer that parses, calls the API and prints.

Every user mistake ends as one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..errors import CatalogError, WeaponsDBError
from .parser import build_parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from ..points import print_place_warnings
    from .commands import COMMANDS

    print_place_warnings()
    try:
        return COMMANDS[args.command](args) or 0
    except CatalogError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        print(f"weaponsdb: error: {len(exc.problems)} problem(s) in the catalogue", file=sys.stderr)
        return 2
    except WeaponsDBError as exc:
        print(f"weaponsdb: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("weaponsdb: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


__all__ = ["main"]
