"""Name matching that forgives case, spacing, punctuation, accents and script variants, and suggests close names.

``normalise`` folds a name to a key: case, accents and diacritics (Cyrillic й/ё, Hebrew points,
Arabic harakat) and punctuation are dropped; Persian and Arabic letter variants (ی/ي/ى, ک/ك,
ە/ۀ/ة) and the tatweel are unified; every decimal digit (Persian ۳۶۰, Arabic-Indic ٣٦٠,
Devanagari, full-width) becomes an ASCII digit; a few traditional Chinese characters common in
missile names become simplified (東風 → 东风). ``tokens`` splits a folded name into runs of letters
and runs of digits, which is where a typed prefix may end (``Kh-47M2`` is a prefix of
``Kh-47M2 Kinzhal``; ``Hwasong-1`` is not a prefix of ``Hwasong-15``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata

_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
_TOKEN = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)

#: Letter variants that people type interchangeably in Persian and Arabic script.
_LETTERS = str.maketrans({
    "\u064a": "\u06cc",  # Arabic yeh ي -> Persian yeh ی
    "\u0649": "\u06cc",  # alef maksura ى -> ی
    "\u0643": "\u06a9",  # Arabic kaf ك -> Persian keheh ک
    "\u0629": "\u0647",  # teh marbuta ة -> heh ه
    "\u06c0": "\u0647",  # heh with yeh above ۀ -> ه
    "\u06d5": "\u0647",  # ae ە -> ه
    "\u0640": "",  # tatweel (kashida), a stretching stroke
    "\u200c": "", "\u200d": "",  # zero-width (non-)joiner
    # Traditional -> simplified Chinese for characters common in missile names.
    "東": "东", "風": "风", "長": "长", "劍": "剑", "鷹": "鹰", "擊": "击", "導": "导", "彈": "弹",
    "號": "号", "紅": "红", "鳳": "凤", "鋒": "锋", "雲": "云", "龍": "龙", "淩": "凌", "衛": "卫",
    "艦": "舰", "飛": "飞", "無": "无", "機": "机", "極": "极",
})


def _fold(text: str) -> str:
    """Case-, accent- and script-variant-folded text, punctuation kept."""
    text = unicodedata.normalize("NFKD", str(text).casefold())
    out = []
    for c in text:
        if unicodedata.combining(c):
            continue
        if c.isdecimal() and not c.isascii():
            c = str(unicodedata.decimal(c))
        out.append(c)
    return "".join(out).translate(_LETTERS)


def normalise(text: str) -> str:
    """``'Fateh-360'``, ``'fateh 360'``, ``'FATEH360'`` become ``'fateh360'``; ``'فاتح ۳۶۰'`` and ``'فاتح ٣٦٠'`` agree."""
    return _NOT_ALNUM.sub("", _fold(text))


def tokens(text: str) -> list[str]:
    """Runs of letters and runs of digits of the folded text: ``'Kh-47M2 Kinzhal'`` -> kh, 47, m, 2, kinzhal."""
    return _TOKEN.findall(_fold(text))


def prefixes(text: str) -> list[str]:
    """Normalised keys of the proper prefixes of ``text`` that end where a token ends."""
    parts = tokens(text)
    return ["".join(parts[:k]) for k in range(1, len(parts))]


def suggest(query: str, names, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` display names from ``names`` closest to ``query``, best first."""
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(normalise(name), name)
    keys = difflib.get_close_matches(normalise(query), list(by_key), n=n * 2, cutoff=cutoff)
    out: list[str] = []
    for key in keys:
        if by_key[key] not in out:
            out.append(by_key[key])
    return out[:n]
