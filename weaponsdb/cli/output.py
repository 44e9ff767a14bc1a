"""How the command line prints: aligned tables, JSON for scripts, and one system with its sources."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..model import System
from ..units import format_distance


def emit_json(obj: Any) -> int:
    print(json.dumps(obj, ensure_ascii=False, indent=2))
    return 0


def print_table(table: Sequence[Sequence[Any]]) -> None:
    widths = [max(len(str(row[i])) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())


def print_show(system: System, units: str) -> None:
    """Specs first, then numbered sources that the headline range points into."""
    r = system.to_record()
    refs = {s["url"]: n for n, s in enumerate(r["sources"], 1)}
    rng = format_distance(r["max_range_km"])
    if units != "km":
        rng += f" ({format_distance(r['max_range_km'], units)})"
    rng += f"  as reported: {r['range_reported']} [{refs.get((r['range_source'] or {}).get('url'), '?')}]"
    lines: list[tuple[str, str]] = [
        ("aliases", "; ".join(r["aliases"])),
        ("category", r["category"]),
        ("country", r["country"].replace(";", ", ")),
        ("operators", ", ".join(r["operators"])),
        ("status", r["status"]),
        ("max range", rng),
        ("min range", format_distance(r["min_range_km"], units) if r["min_range_km"] else ""),
    ]
    if r["range_low_km"] is not None and r["range_high_km"] is not None:
        lines.append(("sources say", f"{format_distance(r['range_low_km'], units)} to {format_distance(r['range_high_km'], units)}"))
    lines += [("range note", r["range_note"]), ("payload", r.get("payload") or ""), ("propulsion", r.get("propulsion") or ""),
              ("guidance", r.get("guidance") or ""), ("CEP", f"{r['cep_m']:g} m" if r.get("cep_m") else "")]
    print(f"{r['name']}  ({r['id']})")
    for label, value in lines:
        if value:
            print(f"  {label + ':':<13}{value}")
    print("sources:")
    for n, s in enumerate(r["sources"], 1):
        meta = ", ".join(x for x in (s["publisher"], s["date"]) if x)
        print(f"  [{n}] {s['title']}" + (f" ({meta})" if meta else ""))
        print(f"      {s['url']}")
