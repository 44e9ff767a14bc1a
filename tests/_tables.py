"""Reading and writing CSV rows, for tests that build broken copies of the catalogue."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "catalog"


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
