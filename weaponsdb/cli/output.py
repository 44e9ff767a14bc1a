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


#: Spec fields shown by ``show``, in order, with their labels and units.
SPEC_FIELDS = (("length_m", "length", " m"), ("diameter_m", "diameter", " m"), ("launch_mass_kg", "launch mass", " kg"),
               ("warhead", "warhead", ""), ("nuclear_capable", "nuclear", ""), ("propulsion", "propulsion", ""),
               ("guidance", "guidance", ""), ("cep_m", "CEP", " m"), ("basing", "basing", ""),
               ("in_service_year", "in service", ""), ("manufacturer", "manufacturer", ""), ("variant_of", "variant of", ""))


def _value(value: Any, unit: str) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:,.10g}{unit}"
    return f"{value}{unit}"


def print_show(system: System, units: str) -> None:
    """Specs first, each with the numbers of the sources that give it, then the numbered sources."""
    r = system.to_record()
    number = {s["id"] or s["url"]: n for n, s in enumerate(r["sources"], 1)}

    def cite(field: str, ids: Sequence[str] | None = None) -> str:
        refs = ids if ids is not None else r.get("field_sources", {}).get(field, [])
        found = sorted({number[i] for i in refs if i in number})
        return f" [{', '.join(map(str, found))}]" if found else ""

    rng = format_distance(r["max_range_km"])
    if units != "km":
        rng += f" ({format_distance(r['max_range_km'], units)})"
    if not r.get("sourced", True):
        rng += "  unsourced (your catalogue)"
    else:
        kind = " ".join(x for x in (r.get("range_kind"), r.get("range_measures") and f"({r['range_measures']})") if x)
        source = r["range_source"] or {}
        rng += (f"  {kind}" if kind else "") + f"; as reported: {r['range_reported']}"
        rng += cite("", [source.get("id") or source.get("url") or ""])
    status = r["status"] + (f" (as of {r['status_as_of']})" if r.get("status_as_of") else "") if r["status"] else ""
    lines: list[tuple[str, str]] = [
        ("aliases", "; ".join(r["aliases"])),
        ("category", r["category"]),
        ("country", r["country"].replace(";", ", ")),
        ("operators", ", ".join(r["operators"]) + cite("operators") if r["operators"] else ""),
        ("status", status + cite("status") if status else ""),
        ("max range", rng),
        ("min range", format_distance(r["min_range_km"], units) + cite("min_range_km") if r["min_range_km"] else ""),
    ]
    if r["range_low_km"] is not None and r["range_high_km"] is not None:
        lines.append(("sources say", f"{format_distance(r['range_low_km'], units)} to "
                      f"{format_distance(r['range_high_km'], units)}" + cite("range_low_km") + cite("range_high_km")))
    lines.append(("range note", r["range_note"]))
    lines += [(label, text + cite(field)) for field, label, unit in SPEC_FIELDS if (text := _value(r.get(field), unit))]
    if r.get("payload"):
        lines.append(("payload", str(r["payload"])))
    print(f"{r['name']}  ({r['id']})")
    for label, value in lines:
        if value:
            print(f"  {label + ':':<14}{value}")
    print("sources:")
    for n, s in enumerate(r["sources"], 1):
        meta = ", ".join(x for x in (s.get("publisher"), s.get("kind"), s.get("date")) if x)
        print(f"  [{n}] {s['title']}" + (f" ({meta})" if meta else ""))
        print(f"      {s['url']}")
