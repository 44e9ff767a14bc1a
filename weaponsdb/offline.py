"""Make folium's HTML self-contained, so a map opens with no network (air-gapped desks, archives).

folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. Leaflet and jQuery come
from the xstatic wheels and are inlined; the rest serve only awesome-marker icons and
Bootstrap-styled HTML, which these maps do not use, so they are dropped. A URL not listed
here raises, so a new plugin cannot quietly bring the network back.
"""

import base64
import functools
import mimetypes
import re
from pathlib import Path

from .errors import OfflineError


def _leaflet_dir() -> Path:
    import xstatic.pkg.leaflet

    return Path(xstatic.pkg.leaflet.BASE_DIR)


def _jquery_dir() -> Path:
    import xstatic.pkg.jquery

    return Path(xstatic.pkg.jquery.BASE_DIR)


# Exact URLs folium 0.20 emits -> (asset directory getter, file name), or None to drop the tag.
ASSETS = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": (_leaflet_dir, "leaflet.js"),
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": (_leaflet_dir, "leaflet.css"),
    "https://code.jquery.com/jquery-3.7.1.min.js": (_jquery_dir, "jquery.min.js"),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": None,
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": None,
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": None,
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": None,
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": None,
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": None,
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": None,
}

_URL = r"((?:https?:)?//[^\"'\s>]+)"
_SCRIPT_TAG = re.compile(r"<script\b[^>]*?\bsrc=[\"']" + _URL + r"[\"'][^>]*>\s*</script>", re.I)
_LINK_TAG = re.compile(r"<link\b[^>]*?\bhref=[\"']" + _URL + r"[\"'][^>]*?/?>", re.I)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(?!data:|#|https?:|//)([^'\")]+)\1\s*\)")
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=\S+\s*$|/\*# sourceMappingURL=\S+\s*\*/", re.M)
# Anything left that would make the browser fetch: loading tags, CSS url()/@import, tile URL templates.
_LEFTOVER = (
    re.compile(r"<(?:script|link|img|iframe|source|embed|object|audio|video|track)\b[^>]*?"
               r"\b(?:src|href|data|srcset|poster)=[\"']?" + _URL, re.I),
    re.compile(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", re.I),
    re.compile(r"@import\s+(?:url\()?\s*['\"]?((?:https?:)?//[^'\")\s;]+)", re.I),
    re.compile(r"L\.tileLayer(?:\.wms)?\(\s*[\"']" + _URL, re.I),
)


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _asset(url: str) -> Path | None:
    if url not in ASSETS:
        raise OfflineError(f"no local copy of {url}: add it to weaponsdb.offline.ASSETS or drop the plugin")
    entry = ASSETS[url]
    return None if entry is None else entry[0]() / entry[1]


@functools.cache
def _inline_script(path: Path) -> str:
    code = _SOURCE_MAP.sub("", path.read_text(encoding="utf-8")).replace("</script", "<\\/script")
    tag = f"<script>{code}</script>"
    if path.name == "leaflet.js":
        tag += _icon_fix(path.parent / "images")
    return tag


def _icon_fix(images: Path) -> str:
    """Leaflet finds its default marker images next to leaflet.css, which is gone once inlined."""
    urls = [_data_uri(images / n) for n in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")]
    return ('<script>L.Icon.Default.imagePath="";L.Icon.Default.mergeOptions('
            f'{{iconUrl:"{urls[0]}",iconRetinaUrl:"{urls[1]}",shadowUrl:"{urls[2]}"}});</script>')


@functools.cache
def _inline_style(path: Path) -> str:
    def embed(match):
        target = (path.parent / match.group(2)).resolve()
        return f"url({_data_uri(target)})" if target.is_file() else match.group(0)

    css = _CSS_URL.sub(embed, _SOURCE_MAP.sub("", path.read_text(encoding="utf-8")))
    return "<style>" + css.replace("</style", "<\\/style") + "</style>"


def external_refs(html: str) -> list[str]:
    """URLs in ``html`` that a browser would fetch (links in ``<a href>`` are not fetched)."""
    return [m.group(1) for pattern in _LEFTOVER for m in pattern.finditer(html)]


def drop_unused(html: str) -> str:
    """Remove the CDN tags these maps never use (Bootstrap, Font Awesome, awesome-markers).

    For online maps: fewer third-party hosts see the reader's address, and the page loads faster.
    """
    def keep(match):
        return "" if match.group(1) in ASSETS and ASSETS[match.group(1)] is None else match.group(0)

    return _LINK_TAG.sub(keep, _SCRIPT_TAG.sub(keep, html))


def inline_assets(html: str) -> str:
    """Replace the CDN tags in folium's HTML with inline copies; raise OfflineError if any URL is left."""
    html = _SCRIPT_TAG.sub(lambda m: "" if (p := _asset(m.group(1))) is None else _inline_script(p), html)
    html = _LINK_TAG.sub(lambda m: "" if (p := _asset(m.group(1))) is None else _inline_style(p), html)
    left = external_refs(html)
    if left:
        raise OfflineError(f"external references left in offline HTML: {', '.join(sorted(set(left)))}")
    return html
