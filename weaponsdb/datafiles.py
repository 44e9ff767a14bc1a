"""The one way to find a data file that ships with weaponsdb (``weaponsdb.data``, the repo's ``data/``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import DataError


def data_file(name: str) -> Path:
    """Path of a bundled data file; DataError when the installation lacks it."""
    path = Path(str(resources.files("weaponsdb.data").joinpath(name)))
    if not path.is_file():
        raise DataError(f"{name} is missing from weaponsdb's data folder ({path.parent}): reinstall weaponsdb")
    return path
