"""Name matching that forgives case, spacing, punctuation and accents, and suggests close names."""

import difflib
import re
import unicodedata

_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """``'Fateh-360'``, ``'fateh 360'`` and ``'FATEH360'`` all become ``'fateh360'``."""
    text = unicodedata.normalize("NFKD", str(text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NOT_ALNUM.sub("", text)


def suggest(query: str, names, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` display names from ``names`` closest to ``query``, best first."""
    by_key = {}
    for name in names:
        by_key.setdefault(normalise(name), name)
    keys = difflib.get_close_matches(normalise(query), list(by_key), n=n * 2, cutoff=cutoff)
    out = []
    for key in keys:
        if by_key[key] not in out:
            out.append(by_key[key])
    return out[:n]
