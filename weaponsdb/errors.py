"""Errors a user can fix. The CLI prints them as one line and exits 2; anything else is a bug."""


class InputError(ValueError):
    """Bad input: the message names the bad value and what would be accepted."""


class UnknownNameError(InputError, LookupError):
    """A name (system, place, country) matched nothing; ``suggestions`` holds the closest names."""

    def __init__(self, kind: str, name: str, suggestions=(), accepted: str = ""):
        self.kind, self.name, self.suggestions = kind, name, list(suggestions)
        hint = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{hint}" + (f" ({accepted})" if accepted else ""))


class CatalogError(InputError):
    """A catalogue table failed validation; ``problems`` holds every ``FILE:LINE: column: problem``."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the catalogue:\n" + "\n".join(self.problems))
