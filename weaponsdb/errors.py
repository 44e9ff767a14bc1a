"""Errors a user can fix, under one root.

The CLI prints a :class:`WeaponsDBError` as one line and exits 2; anything else is a bug. Each
error keeps its context as attributes (the bad value, what would be accepted, suggestions), so
a program can act on it without parsing the message.
"""

from __future__ import annotations

from collections.abc import Iterable


class WeaponsDBError(Exception):
    """Root of every error weaponsdb raises on purpose."""


class InputError(WeaponsDBError, ValueError):
    """Bad input: the message names the bad value and what would be accepted.

    ``value`` and ``accepted``, when given, hold the same facts for programs.
    """

    def __init__(self, message: str, *, value: object = None, accepted: str = ""):
        super().__init__(message)
        self.value, self.accepted = value, accepted


class UnknownNameError(InputError, LookupError):
    """A name (system, place, country) matched nothing; ``suggestions`` holds the closest names."""

    def __init__(self, kind: str, name: str, suggestions: Iterable[str] = (), accepted: str = ""):
        self.kind, self.name, self.suggestions = kind, name, list(suggestions)
        hint = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{hint}" + (f" ({accepted})" if accepted else ""),
                         value=name, accepted=accepted)


class CatalogError(InputError):
    """A catalogue table failed validation; ``problems`` holds every ``FILE:LINE: column: problem``."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the catalogue:\n" + "\n".join(self.problems))


class DataError(WeaponsDBError, FileNotFoundError):
    """A file that ships with weaponsdb is missing or unreadable: the installation is broken."""


class OfflineError(WeaponsDBError, RuntimeError):
    """Offline HTML still refers to something on the network that weaponsdb has no local copy of."""
