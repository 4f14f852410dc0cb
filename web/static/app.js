// The officers' page. It calls the HTTP API of the server that serves it
// and draws with Leaflet on an offline basemap; it builds every element
// with DOM calls and gives Leaflet elements, never HTML made from data
// (Leaflet would set a string as innerHTML), so names from the store
// cannot inject markup.
import { texts } from "./i18n.js";

// Municipality themes (graph.Themes) and the countries offered as filters.
const THEMES = ["agriculture", "civil_protection", "culture", "displaced_people", "economy", "education", "energy",
  "environment", "governance", "health", "industry", "port", "reconstruction", "sport", "tourism", "transport",
  "university", "water", "youth"];
const COUNTRIES = ["AL", "AT", "BA", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GE", "GR",
  "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MD", "ME", "MK", "MT", "NL", "NO", "PL", "PT", "RO", "RS",
  "SE", "SI", "SK", "TR", "UA"];
// Where an outreach may go next (graph.OutreachStatus's machine).
const NEXT = { proposed: ["contacted", "declined"], contacted: ["in_talks", "declined"], in_talks: ["signed", "declined"],
  declined: ["proposed"], signed: [] };
const STATUS_COLOURS = { active: "#1f7a3f", dormant: "#c77700", suspended: "#8a8f98", proposed: "#6a3fb5" };
const SUGGESTIONS = 20;

const state = {
  seq: 0, // counts selections: an answer for an older one is dropped
  suggSeq: 0, // counts requests for suggestions, likewise
  filters: {}, // the filters last applied (filters() reads the form)
  lang: "uk",
  municipality: null, // the selected municipality
  suggestions: [],
  current: -1, // index of the suggestion whose explanation is open
  partners: [],
  results: [],
  lastQuery: "", // the text last searched
  lastResult: null, // the last suggestions answer
  key: sessionStorage.getItem("twinning.key") || "",
  request: null,
  themes: null, // the cooperation themes of /v1/themes
  map: null, layers: null, markers: [],
};

// ---- text ----

// fill replaces el's children with those given, leaving out null, undefined
// and false (replaceChildren would write them as text: "null").
function fill(el, ...children) {
  el.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

// regionName names a region in the interface language: Ukraine's from the
// texts, the others as the data names them.
function regionName(r) {
  if (!r) return "";
  return texts[state.lang]["region." + r.code] ?? r.name ?? "";
}

function t(key, vars = {}) {
  const s = texts[state.lang][key] ?? texts.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? ""));
}
// numberFormat returns the interface language's format with d decimals
// (any number up to 3 when d is undefined), made once.
const numberFormats = new Map();
function numberFormat(d) {
  const key = `${state.lang}/${d}`;
  if (!numberFormats.has(key)) {
    numberFormats.set(key, new Intl.NumberFormat(state.lang === "uk" ? "uk-UA" : "en-GB",
      d === undefined ? {} : { minimumFractionDigits: d, maximumFractionDigits: d }));
  }
  return numberFormats.get(key);
}
const fmt = (n) => numberFormat().format(n);
const fixed = (n, d = 3) => numberFormat(d).format(n);
function countryName(code) {
  try {
    return new Intl.DisplayNames([state.lang], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}
const themeName = (code) => t("theme." + code);
const factorName = (name) => (texts.en["factor." + name] ? t("factor." + name) : name.replaceAll("_", " "));
// displayName gives the name in the interface's script where it can: the
// Ukrainian name in Ukrainian, the Latin one in English.
function displayName(m) {
  if (!m) return "";
  if (state.lang === "en") return m.name_latin || m.name || m.id;
  return m.name || m.name_latin || m.id;
}
function cooperationThemeLabel(code) {
  const th = state.themes?.find((x) => x.code === code);
  if (!th) return code;
  return state.lang === "uk" ? th.label_uk : th.label_en;
}

function applyTexts() {
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  const lang = document.getElementById("lang");
  lang.textContent = t("lang.switch");
  lang.lang = state.lang === "uk" ? "en" : "uk";
}

// ---- DOM ----

// h builds an element: h("li", {class: "x", onclick: f}, child, "text", ...).
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}
const $ = (id) => document.getElementById(id);

function say(msg) {
  $("status").textContent = msg;
}
let alertTimer;
function alertError(msg) {
  const el = $("alert");
  el.textContent = msg;
  el.hidden = false;
  clearTimeout(alertTimer);
  alertTimer = setTimeout(() => { el.hidden = true; }, 8000);
}

// ---- API ----

// api calls the API and returns the decoded body; a problem answer throws
// an Error carrying its detail, status and code.
async function api(path, { method = "GET", body, version } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (state.key) headers.Authorization = "Bearer " + state.key;
  if (version !== undefined) headers["If-Match"] = `"${version}"`;
  let resp;
  try {
    resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new Error(t("err.network", { msg: e.message }));
  }
  const data = resp.status === 204 ? null : await resp.json().catch(() => null);
  if (!resp.ok) {
    const err = new Error(data?.detail || data?.title || `${resp.status} ${resp.statusText}`);
    err.status = resp.status;
    err.code = data?.code;
    if (resp.status === 401 && !state.key) err.message = t("err.key") + " " + err.message;
    throw err;
  }
  return data;
}
function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    u.set(k, Array.isArray(v) ? v.join(",") : v);
  }
  const s = u.toString();
  return s ? "?" + s : "";
}

// ---- tabs ----

// The address keeps the view and its state, so that it can be linked and
// reloaded: #m=ua-lviv (the selected municipality), tab=analyst|cityhall,
// and the analyst view's filters (mfrom, mstatus, gsort, goblast).
function hashParams() { return new URLSearchParams(location.hash.slice(1)); }
function setHash(changes) {
  const p = hashParams();
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === "") p.delete(k); else p.set(k, v);
  }
  const next = p.toString().replaceAll("%2F", "/");
  if (location.hash.slice(1) !== next) history.replaceState(null, "", next ? "#" + next : location.pathname + location.search);
}

const TABS = ["map", "analyst", "cityhall"];
function showTab(name, focus = false) {
  setHash({ tab: name === "map" ? null : name });
  for (const n of TABS) {
    const tab = $("tab-" + n);
    const on = n === name;
    tab.setAttribute("aria-selected", on ? "true" : "false");
    tab.tabIndex = on ? 0 : -1;
    $("view-" + n).hidden = !on;
    if (on && focus) tab.focus();
  }
  if (name === "map") state.map?.invalidateSize();
  if (name === "analyst" && !$("matrix").dataset.loaded) { loadSources(); loadMatrix(); loadGaps(); }
  if (name === "cityhall") renderCityHall();
}
function setupTabs() {
  for (const n of TABS) {
    const tab = $("tab-" + n);
    tab.addEventListener("click", () => showTab(n));
    tab.addEventListener("keydown", (e) => {
      const i = TABS.indexOf(n);
      let j = null;
      if (e.key === "ArrowRight") j = (i + 1) % TABS.length;
      if (e.key === "ArrowLeft") j = (i + TABS.length - 1) % TABS.length;
      if (e.key === "Home") j = 0;
      if (e.key === "End") j = TABS.length - 1;
      if (j !== null) { e.preventDefault(); showTab(TABS[j], true); }
    });
  }
}

// ---- map ----

async function setupMap() {
  const map = L.map("map", { zoomSnap: 0.25, minZoom: 3, maxZoom: 12, worldCopyJump: false, keyboard: true,
    maxBounds: [[25, -40], [75, 70]] }).setView([50, 18], 4);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth · world-atlas · Leaflet");
  state.map = map;
  state.layers = L.layerGroup().addTo(map);
  try {
    const basemap = await (await fetch("/assets/vendor/europe.geojson")).json();
    L.geoJSON(basemap, { interactive: false,
      style: { color: "#9aa3ad", weight: 0.7, fillColor: "#f2f0ea", fillOpacity: 1 } }).addTo(map).bringToBack();
  } catch (e) {
    alertError(t("err.basemap", { msg: e.message }));
  }
  renderLegend();
}
function renderLegend() {
  const rows = [
    [h("span", { class: "dot s-selected" }), t("map.selected")],
    [h("span", { class: "dot s-suggested" }), t("map.suggested")],
    ...Object.keys(STATUS_COLOURS).map((s) => [h("span", { class: "s-" + s }), t("status." + s)]),
  ];
  fill($("legend"), ...rows.map((r) => h("div", {}, ...r)));
}

function drawMap() {
  const m = state.municipality;
  state.layers.clearLayers();
  state.markers = [];
  if (!m) return;
  // Without the selected municipality's location, its partners and
  // suggestions are still drawn, without the lines.
  const here = m.location ? [m.location.lat, m.location.lon] : null;
  const points = here ? [here] : [];
  for (const p of state.partners) {
    const loc = p.municipality.location;
    if (!loc) continue;
    const to = [loc.lat, loc.lon];
    points.push(to);
    const colour = STATUS_COLOURS[p.partnership.status] ?? "#555";
    if (here) {
      L.polyline([here, to], { color: colour, weight: 2.5, opacity: 0.85,
        dashArray: p.partnership.status === "active" ? null : "6 5", className: "partner-line" }).addTo(state.layers);
    }
    L.circleMarker(to, { radius: 5, color: "#fff", weight: 1, fillColor: colour, fillOpacity: 1, className: "partner-marker" })
      .bindTooltip(h("span", {}, `${displayName(p.municipality)} (${p.municipality.country}) · ${t("status." + p.partnership.status)}`))
      .addTo(state.layers);
  }
  state.suggestions.forEach((s, i) => {
    const loc = s.municipality.location;
    if (!loc) return;
    points.push([loc.lat, loc.lon]);
    const marker = L.marker([loc.lat, loc.lon], {
      icon: L.divIcon({ className: "sugg-marker" + (i === state.current ? " current" : ""), html: h("span", {}, s.rank), iconSize: [22, 22] }),
      title: `${s.rank}. ${displayName(s.municipality)}`, alt: `${s.rank}. ${displayName(s.municipality)}`, keyboard: true,
      zIndexOffset: 1000 - i,
    }).on("click", () => openSuggestion(i, true)).addTo(state.layers);
    state.markers.push(marker);
  });
  if (here) {
    L.circleMarker(here, { radius: 9, color: "#fff", weight: 2, fillColor: "#d7263d", fillOpacity: 1, className: "selected-marker" })
      .bindTooltip(h("span", {}, displayName(m)), { permanent: true, direction: "top", offset: [0, -8] })
      .addTo(state.layers);
  }
  if (points.length > 1) state.map.fitBounds(points, { padding: [30, 30], maxZoom: 8 });
  else if (points.length === 1) state.map.setView(points[0], 7);
}

// ---- search and selection ----

async function search(q) {
  q = q.trim();
  if (!q) return;
  say(t("loading"));
  try {
    const res = await api("/v1/municipalities" + qs({ q, limit: 20 }));
    state.results = res.items;
    state.matches = res.matches || [];
    state.lastQuery = q;
    renderResults(q);
    if (res.items.length === 1 || (res.items.length > 0 && sameName(res.items[0], q))) await select(res.items[0].id);
    else say(res.items.length ? t("search.found", { n: res.items.length, q }) : t("search.none", { q }));
  } catch (e) {
    alertError(e.message);
  }
}
const fold = (s) => (s || "").toLocaleLowerCase().normalize("NFD").replace(/\p{M}/gu, "");
const sameName = (m, q) => [m.name, m.name_latin, ...(m.alt_names || [])].some((n) => fold(n) === fold(q));

function renderResults(q) {
  const list = $("results");
  if (!state.results.length) {
    fill(list, ...(q ? [h("li", { class: "muted" }, t("search.none", { q }))] : []));
    return;
  }
  fill(list, ...state.results.map((m, i) => h("li", {},
    h("button", { type: "button", "aria-current": state.municipality?.id === m.id ? "true" : "false", dataset: { id: m.id },
      onclick: () => select(m.id, true),
      onkeydown: (e) => moveFocus(e, list, ":scope > li > button", i, () => $("q").focus()) },
    `${displayName(m)}`, m.name !== m.name_latin && m.name_latin ? ` · ${state.lang === "en" ? m.name : m.name_latin}` : "",
    qualifier(m, state.matches?.[i]),
    ` — ${countryName(m.country)}${regionName(m.region) ? ", " + regionName(m.region) : ""}${m.population ? " · " + fmt(m.population) : ""}`,
    matchNote(state.matches?.[i])))));
}

// qualifier is what the API's label adds to a result's name to tell it from
// a namesake among the results ("Hrubieszów (urban gmina)"), or "".
function qualifier(m, match) {
  const base = m.name_latin || m.name;
  if (!match?.label || match.label === base || !match.label.startsWith(base)) return "";
  return match.label.slice(base.length);
}

// matchNote says how a result matched the search text when it was not by its
// name: "spelling: Львів", "did you mean Kharkiv?".
function matchNote(match) {
  if (!match?.match || match.match === "name") return null;
  return h("span", { class: "muted match" }, " · " + t("match." + match.match, { name: match.name }));
}
// moveFocus lets the arrow keys walk the buttons that selector finds in
// list, from the i-th; ArrowUp on the first calls above, if given.
function moveFocus(e, list, selector, i, above) {
  const buttons = [...list.querySelectorAll(selector)];
  let j = null;
  if (e.key === "ArrowDown") j = Math.min(i + 1, buttons.length - 1);
  if (e.key === "ArrowUp") j = i - 1;
  if (j === null) return;
  e.preventDefault();
  if (j >= 0) buttons[j].focus();
  else above?.();
}

async function select(id, focusCard = false) {
  say(t("loading"));
  const seq = ++state.seq;
  try {
    const partners = await api(`/v1/municipalities/${encodeURIComponent(id)}/partners`);
    if (seq !== state.seq) return; // a newer selection is under way
    state.municipality = partners.municipality;
    state.districtOf = partners.district_of;
    state.partners = partners.partners;
    state.current = -1;
    setHash({ m: id });
    renderSelected();
    renderPartners();
    renderResults(state.lastQuery);
    if (focusCard) $("selected").focus();
    await loadSuggestions();
    if (!$("view-cityhall").hidden) renderCityHall();
  } catch (e) {
    alertError(e.message);
  }
}

function renderSelected() {
  const m = state.municipality;
  const card = $("selected");
  card.hidden = !m;
  if (!m) return;
  const codes = Object.entries(m.codes || {}).map(([k, v]) => `${k.toUpperCase()} ${v}`).join(" · ");
  fill(card,
    h("h2", {}, displayName(m), " ", h("span", { class: "muted" }, state.lang === "en" ? m.name : m.name_latin || "")),
    h("div", {}, [countryName(m.country), regionName(m.region), unitName(m)].filter(Boolean).join(" · ")),
    h("div", {}, [m.population ? t("card.population", { n: fmt(m.population) }) : null,
      m.area_km2 ? t("card.area", { n: fmt(m.area_km2) }) : null,
      t("card.partners", { n: state.partners.length })].filter(Boolean).join(" · ")),
    m.themes?.length ? h("div", {}, t("card.themes") + ": ", ...m.themes.map((x) => h("span", { class: "tag" }, themeName(x)))) : null,
    warLine(m.war),
    state.districtOf ? h("div", { class: "district" }, t("card.district", { city: state.districtOf.name })) : null,
    codes ? h("div", { class: "codes" }, t("card.codes") + ": " + codes) : null,
  );
}

// unitName says what the municipality is: the kind of unit in its country's
// words (with the English word on the English page, "rural gmina (gmina
// wiejska)"), else its kind.
function unitName(m) {
  const u = m.unit;
  if (!u) return m.kind ? t("kind." + m.kind) : null;
  if (state.lang === "en" && u.english !== u.local) return `${u.english} (${u.local})`;
  return state.lang === "en" ? u.english : u.local;
}

// warLine says what the war means for a hromada, from the KSE table: occupied
// before 2022, or the dates of 2022 at which it lay in the war zone.
function warLine(w) {
  if (!w) return null;
  if (w.occupied_before_2022) return h("div", { class: "war" }, t("war.occupied"));
  if (!w.war_zone?.length) return null;
  return h("div", { class: "war" }, t("war.zone", { dates: w.war_zone.join(", ") }));
}

function renderPartners() {
  const list = $("partners");
  if (!state.municipality) { fill(list); return; }
  if (!state.partners.length) { fill(list, h("li", { class: "muted" }, t("partners.none"))); return; }
  fill(list, ...state.partners.map((p) => h("li", {},
    h("span", { class: "swatch s-" + p.partnership.status, title: t("status." + p.partnership.status) }),
    h("button", { type: "button", class: "link", onclick: () => select(p.municipality.id, true) }, displayName(p.municipality)),
    h("span", { class: "muted" }, `${countryName(p.municipality.country)} · ${t("status." + p.partnership.status)}` +
      (p.partnership.since ? " · " + t("partners.since", { year: p.partnership.since }) : "") +
      (sourceNames(p.partnership).length ? " · " + t("partners.sources", { list: sourceNames(p.partnership).join(", ") }) : "")))));
}

// sourceNames returns the sources that list a partnership, in the
// interface language: each source of `sources`, or `source` alone.
function sourceNames(p) {
  const names = p.sources?.length ? p.sources.map((s) => s.source) : (p.source ? [p.source] : []);
  return names.map((n) => (texts[state.lang]["source." + n] || texts.en["source." + n] ? t("source." + n) : n));
}

// ---- suggestions ----

function filters() {
  return {
    country: [...$("f-countries").selectedOptions].map((o) => o.value),
    min_population: $("f-min").value,
    max_population: $("f-max").value,
    theme: [...$("f-themes").querySelectorAll("input:checked")].map((i) => i.value),
    // Which hromadas, by what the war means for them (a European city that
    // looks for a front-line or de-occupied partner).
    war: $("f-war").value,
    // The engine's diversity knob: each suggestion already picked from a
    // country costs the next one of that country 5% of the best score.
    diversity: $("f-diversity").checked ? "0.05" : "",
  };
}

// loadSuggestions asks for the selected municipality's suggestions; with
// keepOpen, the suggestion whose explanation is open stays open when it is
// still in the answer (a change of language).
async function loadSuggestions(keepOpen = false) {
  const m = state.municipality;
  if (!m) return;
  // Only the answer to the latest request is shown: a slower answer to an
  // earlier one (another language, other filters) is dropped.
  const seq = ++state.suggSeq;
  const latest = () => seq === state.suggSeq && m === state.municipality;
  try {
    // The reasons come in the page's language; the filters are the ones
    // last applied, not what is half-edited in the form.
    const res = await api(`/v1/municipalities/${encodeURIComponent(m.id)}/suggestions` + qs({ ...state.filters, limit: SUGGESTIONS, lang: state.lang }));
    if (!latest()) return;
    // The explanation open now (not when asked) stays open if it can.
    const openID = keepOpen && state.current >= 0 ? state.suggestions[state.current]?.municipality.id : null;
    state.suggestions = res.suggestions;
    state.current = openID ? res.suggestions.findIndex((x) => x.municipality.id === openID) : -1;
    state.lastResult = res;
    renderSuggestions();
    drawMap();
    say(t("loaded"));
  } catch (e) {
    if (!latest()) return;
    state.suggestions = [];
    renderSuggestions();
    drawMap();
    alertError(e.message);
  }
}

function renderSuggestions() {
  const list = $("suggestions");
  const res = state.lastResult;
  if (!state.municipality) {
    $("sugg-summary").textContent = t("suggestions.pick");
    fill(list);
    return;
  }
  $("sugg-summary").textContent = state.suggestions.length
    ? t("suggestions.summary", { n: state.suggestions.length, c: fmt(res?.candidates ?? 0), model: res?.model_version ?? "" })
    : t("suggestions.none");
  fill(list, ...state.suggestions.map((s, i) => suggestionItem(s, i, list, i === state.current, () => openSuggestion(i, false))));
}

// suggestionItem is one suggestion: a button that opens its explanation
// (shown when expanded), and extra below its reason.
function suggestionItem(s, i, list, expanded, open, extra) {
  const m = s.municipality;
  const li = h("li", { class: expanded ? "current" : "", dataset: { id: m.id } },
    h("button", { type: "button", class: "sugg-head", "aria-expanded": expanded ? "true" : "false",
      "aria-controls": `explain-${list.id}-${i}`, onclick: open, onkeydown: (e) => moveFocus(e, list, ".sugg-head", i) },
    h("span", { class: "rank" }, `${s.rank}.`),
    h("span", { class: "name" }, s.label || displayName(m), " ", h("span", { class: "muted" }, `${countryName(m.country)}`)),
    h("span", { class: "score" }, fixed(s.score))),
    h("p", { class: "sugg-reason" }, s.reason),
    extra ?? null);
  if (expanded) li.append(explanation(s, `explain-${list.id}-${i}`));
  return li;
}

// explanation draws the factor bars: each factor's weighted contribution,
// as a bar scaled to the largest one, with its value, weight and reason.
function explanation(s, id) {
  const weighted = s.factors.filter((f) => f.weight !== 0);
  const context = s.factors.filter((f) => f.weight === 0);
  const most = Math.max(...weighted.map((f) => Math.abs(f.contribution)), 1e-9);
  const row = (f, ctx) => {
    const share = ctx ? f.value : Math.abs(f.contribution) / most;
    const bar = h("div", { class: "bar" + (f.contribution < 0 ? " neg" : "") });
    bar.style.width = `${Math.round(Math.min(1, share) * 100)}%`;
    return h("div", { class: "factor" + (ctx ? " context" : ""), dataset: { factor: f.name } },
      h("span", { class: "fname" }, factorName(f.name)),
      h("div", { class: "track", role: "img", "aria-label": `${factorName(f.name)}: ${ctx ? fixed(f.value, 2) : (f.contribution >= 0 ? "+" : "") + fixed(f.contribution)}` }, bar),
      h("span", { class: "num", title: `${fixed(f.value, 2)} × ${fmt(f.weight)}` }, ctx ? fixed(f.value, 2) : (f.contribution >= 0 ? "+" : "") + fixed(f.contribution)),
      h("span", { class: "freason" }, f.reason, ctx ? "" : ` (${fixed(f.value, 2)} × ${fmt(f.weight)})`));
  };
  return h("div", { class: "explain", id },
    h("h4", {}, t("suggestions.why", { name: displayName(s.municipality) })),
    h("p", { class: "muted" }, t("explain.total", { score: fixed(s.score) }),
      s.distance_km != null ? " " + t("explain.km", { km: fmt(Math.round(s.distance_km)) }) : ""),
    s.matches?.length ? h("div", {}, h("h4", {}, t("ch.matches")), h("ul", { class: "matches" }, ...s.matches.map((x) => h("li", {}, x.reason)))) : null,
    ...weighted.map((f) => row(f, false)),
    context.length ? h("h4", {}, t("explain.context")) : null,
    ...context.map((f) => row(f, true)));
}

function openSuggestion(i, fromMap) {
  state.current = state.current === i && !fromMap ? -1 : i;
  renderSuggestions();
  drawMapMarkers();
  const li = $("suggestions").children[i];
  li?.querySelector(".sugg-head").focus(); // the list was drawn anew
  if (li && state.current === i) {
    li.scrollIntoView({ block: "nearest" });
    const loc = state.suggestions[i].municipality.location;
    if (loc && fromMap === false) state.map.panTo([loc.lat, loc.lon]);
  }
}
// drawMapMarkers marks the open suggestion's marker without redrawing the
// map (which would lose the zoom).
function drawMapMarkers() {
  state.markers.forEach((mk, i) => {
    const el = mk.getElement();
    if (el) el.classList.toggle("current", i === state.current);
  });
}

function setupFilters() {
  const sel = $("f-countries");
  fill(sel, ...COUNTRIES.map((c) => h("option", { value: c }, `${countryName(c)} (${c})`)));
  fill($("f-themes"), $("f-themes").querySelector("legend"),
    ...THEMES.map((x) => h("label", {}, h("input", { type: "checkbox", value: x }), h("span", { dataset: { i18n: "theme." + x } }, themeName(x)))));
  $("filter-form").addEventListener("submit", (e) => { e.preventDefault(); state.filters = filters(); loadSuggestions(); });
  $("filter-form").addEventListener("reset", () => setTimeout(() => { state.filters = filters(); loadSuggestions(); }, 0));
}

// ---- analyst view ----

async function loadSources() {
  const box = $("sources");
  try {
    const res = await api("/v1/graph/stats");
    const name = (n) => (texts.en["source." + n] ? t("source." + n) : n);
    fill(box, h("table", {},
      h("caption", { class: "muted" }, t("sources.caption")),
      h("thead", {}, h("tr", {}, ...["sources.source", "sources.partnerships", "sources.only", "sources.ukrainian", "sources.years"]
        .map((k, i) => h("th", { scope: "col", class: i >= 1 && i <= 3 ? "num" : "" }, t(k))))),
      h("tbody", {}, ...res.sources.slice(0, 20).map((s) => h("tr", {},
        h("th", { scope: "row" }, name(s.source)),
        h("td", { class: "num" }, fmt(s.partnerships)),
        h("td", { class: "num" }, fmt(s.only)),
        h("td", { class: "num" }, fmt(s.ukrainian)),
        h("td", {}, s.dated ? `${s.first_year}–${s.latest_year} (${fmt(s.dated)})` : "—"))))));
  } catch (e) {
    fill(box, h("p", { class: "muted" }, e.message));
  }
}

async function loadMatrix() {
  const box = $("matrix");
  try {
    const res = await api("/v1/graph/countries" + qs({ from: $("m-from").value, status: $("m-status").value }));
    box.dataset.loaded = "1";
    const from = $("m-from");
    if (from.options.length === 0) { // filled once, from the unfiltered answer
      fill(from, h("option", { value: "" }, t("matrix.all")), ...res.countries.map((c) => h("option", { value: c }, `${countryName(c)} (${c})`)));
      const wanted = hashParams().get("mfrom");
      if (wanted && res.countries.includes(wanted)) { from.value = wanted; return loadMatrix(); }
    }
    const cols = res.countries.filter((c) => res.rows.some((r) => r.cells.some((x) => x.country === c)));
    const most = Math.max(1, ...res.rows.flatMap((r) => r.cells.map((x) => x.partnerships)));
    const table = h("table", { class: "matrix" },
      h("caption", { class: "muted" }, t("matrix.caption")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("matrix.country")), h("th", { scope: "col", class: "num" }, t("matrix.municipalities")),
        h("th", { scope: "col", class: "num" }, t("matrix.total")), ...cols.map((c) => h("th", { scope: "col", title: countryName(c) }, c)))),
      h("tbody", {}, ...res.rows.map((r) => h("tr", {},
        h("th", { scope: "row", title: countryName(r.country) }, `${countryName(r.country)} (${r.country})`),
        h("td", { class: "num" }, fmt(r.municipalities)),
        h("td", { class: "num" }, fmt(r.partnerships)),
        ...cols.map((c) => {
          const cell = r.cells.find((x) => x.country === c);
          const td = h("td", { title: cell ? `${r.country}–${c}: ${cell.partnerships}` : "" }, cell ? cell.partnerships : "");
          if (cell) td.style.background = `rgba(11, 92, 173, ${(0.12 + 0.75 * cell.partnerships / most).toFixed(2)})`;
          if (cell && cell.partnerships / most > 0.5) td.style.color = "#fff";
          return td;
        })))));
    fill(box, table);
  } catch (e) {
    fill(box, h("p", { class: "muted" }, e.message));
  }
}

async function loadGaps() {
  const box = $("gaps");
  try {
    const res = await api("/v1/graph/gaps" + qs({ sort: $("g-sort").value, oblast: $("g-oblast").value, limit: 50, suggestions: 3 }));
    const ob = $("g-oblast");
    if (ob.dataset.filled !== "1" && !$("g-oblast").value) {
      fill(ob, ob.options[0], ...res.by_oblast.filter((o) => o.region)
        .map((o) => h("option", { value: o.region }, `${regionName({ code: o.region, name: o.region_name }) || o.region} (${o.gaps})`)));
      ob.dataset.filled = "1";
      const wanted = hashParams().get("goblast");
      if (wanted && res.by_oblast.some((o) => o.region === wanted)) { ob.value = wanted; return loadGaps(); }
    }
    $("gaps-summary").textContent = t("gaps.summary", { total: fmt(res.total), pop: fmt(res.population), n: res.items.length });
    const open = (id) => { showTab("map"); select(id, true); };
    fill(box, h("table", { class: "gaps" },
      h("thead", {}, h("tr", {}, ...["gaps.municipality", "gaps.region", "gaps.population", "gaps.degree", "gaps.border", "gaps.suggestions"]
        .map((k, i) => h("th", { scope: "col", class: i >= 2 && i <= 4 ? "num" : "" }, t(k))))),
      h("tbody", {}, ...res.items.map((g) => h("tr", { dataset: { id: g.id } },
        h("td", {}, h("button", { type: "button", class: "link", "aria-label": t("gaps.open", { name: g.name }), onclick: () => open(g.id) }, g.name)),
        h("td", {}, regionName({ code: g.region, name: g.region_name })),
        h("td", { class: "num" }, g.population ? fmt(g.population) : "—"),
        h("td", { class: "num" }, g.degree),
        h("td", { class: "num" }, g.border_km != null ? t("unit.km", { km: fmt(Math.round(g.border_km)) }) : "—"),
        h("td", {}, (g.suggestions || []).map((s) => `${s.name} (${s.country}, ${fixed(s.score, 2)})`).join("; ")))))));
  } catch (e) {
    fill(box, h("p", { class: "muted" }, e.message));
  }
}

// ---- city hall view ----

async function ensureThemes() {
  if (!state.themes) state.themes = (await api("/v1/themes")).themes;
  return state.themes;
}

async function renderCityHall() {
  const m = state.municipality;
  const p = $("ch-muni");
  if (!m) {
    p.textContent = t("ch.noMuni");
    fill($("requests"));
    $("new-request").hidden = true;
    $("request-panel").hidden = true;
    return;
  }
  if (m.country !== "UA") {
    p.textContent = t("ch.notUA", { name: displayName(m) });
    fill($("requests"));
    $("new-request").hidden = true;
    return;
  }
  $("new-request").hidden = false;
  p.textContent = t("ch.muni", { name: displayName(m), region: regionName(m.region) || m.country });
  try {
    const themes = await ensureThemes();
    for (const side of ["needs", "offers"]) {
      const fs = $("r-" + side);
      const checked = new Set([...fs.querySelectorAll("input:checked")].map((i) => i.value));
      fill(fs, fs.querySelector("legend"), ...themes.map((x) => h("label", {},
        h("input", { type: "checkbox", name: side, value: x.code, checked: checked.has(x.code) }), cooperationThemeLabel(x.code))));
    }
    const res = await api("/v1/requests" + qs({ municipality: m.id }));
    const list = $("requests");
    fill(list, ...(res.items.length ? res.items.map((r, i) => h("li", {},
      h("button", { type: "button", "aria-current": state.request?.id === r.id ? "true" : "false", onclick: () => openRequest(r.id),
        onkeydown: (e) => moveFocus(e, list, ":scope > li > button", i) },
      [`${r.title} — ${t("ch.req." + r.status)}`, ...Object.entries(r.outreach || {}).map(([k, v]) => `${t("outreach." + k)}: ${v}`)].join(" · "))))
      : [h("li", { class: "muted" }, t("ch.noRequests"))]));
    if (state.request && state.request.municipality === m.id) await openRequest(state.request.id);
    else { state.request = null; $("request-panel").hidden = true; }
  } catch (e) {
    alertError(e.message);
  }
}

const splitCodes = (s) => s.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);

async function createRequest(e) {
  e.preventDefault();
  const checked = (side) => [...$("r-" + side).querySelectorAll("input:checked")].map((i) => i.value);
  try {
    const r = await api("/v1/requests", { method: "POST", body: {
      municipality: state.municipality.id, title: $("r-title").value, needs: checked("needs"), offers: checked("offers"),
      countries: splitCodes($("r-countries").value).map((c) => c.toUpperCase()),
      languages: splitCodes($("r-languages").value).map((c) => c.toLowerCase()), text: $("r-text").value } });
    say(t("ch.created", { id: r.id }));
    $("request-form").reset();
    $("new-request").open = false;
    state.request = r;
    await renderCityHall();
  } catch (err) {
    alertError(err.message);
  }
}

async function openRequest(id) {
  try {
    const [r, shortlist] = await Promise.all([api(`/v1/requests/${id}`), api(`/v1/requests/${id}/shortlist`)]);
    const closed = r.status === "closed";
    // A closed request has no suggestions (the API answers 409).
    const sugg = closed ? { suggestions: [] } : await api(`/v1/requests/${id}/suggestions?limit=10&lang=${state.lang}`);
    state.request = r;
    $("request-panel").hidden = false;
    $("request-title").textContent = r.title;
    const statusSel = h("select", { id: "r-status", disabled: closed }, ...["open", "paused", "closed"].map((s) => h("option", { value: s, selected: s === r.status }, t("ch.req." + s))));
    const save = h("button", { type: "button", disabled: true, onclick: async () => {
      try {
        const u = await api(`/v1/requests/${r.id}`, { method: "PATCH", body: { status: statusSel.value }, version: r.version });
        say(t("ch.saved", { v: u.version }));
        await renderCityHall();
      } catch (err) { alertError(err.message); }
    } }, t("ch.save"));
    statusSel.addEventListener("change", () => { save.disabled = statusSel.value === r.status; });
    fill($("request-detail"),
      h("p", {}, `${t("ch.needsList")}: ${r.needs.map(cooperationThemeLabel).join(", ") || "—"}`),
      h("p", {}, `${t("ch.offersList")}: ${r.offers.map(cooperationThemeLabel).join(", ") || "—"}`),
      h("p", {}, `${t("ch.countriesList")}: ${r.countries.length ? r.countries.map(countryName).join(", ") : t("ch.any")}`),
      ...(r.text ? [h("p", { class: "muted" }, r.text)] : []),
      h("div", { class: "row inline" }, h("label", { for: "r-status" }, t("ch.requestStatus")), statusSel, save),
      closed ? h("p", { class: "muted" }, t("ch.closed")) : null);
    await renderShortlist(shortlist.items, sugg.suggestions, closed);
    const list = $("request-suggestions");
    fill(list, ...sugg.suggestions.map((s, i) => {
      const add = s.outreach || closed
        ? (s.outreach ? h("p", { class: "sugg-reason" }, t("ch.onList", { status: t("outreach." + s.outreach) })) : null)
        : h("p", { class: "sugg-reason" }, h("button", { type: "button", class: "secondary", onclick: () => addCandidate(r, s.municipality) }, t("ch.add")));
      const li = suggestionItem(s, i, list, false, () => {
        const open = li.querySelector(".explain");
        if (open) { open.remove(); li.querySelector(".sugg-head").setAttribute("aria-expanded", "false"); return; }
        li.append(explanation(s, `explain-${list.id}-${i}`));
        li.querySelector(".sugg-head").setAttribute("aria-expanded", "true");
      }, add);
      return li;
    }));
  } catch (e) {
    alertError(e.message);
  }
}

async function renderShortlist(items, suggestions, closed) {
  const box = $("shortlist");
  if (!items.length) { fill(box, h("p", { class: "muted" }, t("ch.noShortlist"))); return; }
  const names = new Map(suggestions.map((s) => [s.municipality.id, displayName(s.municipality)]));
  // Candidates out of the top suggestions (a signed one leaves them).
  await Promise.all(items.filter((e) => !names.has(e.candidate)).map(async (e) => {
    try {
      names.set(e.candidate, displayName(await api(`/v1/municipalities/${encodeURIComponent(e.candidate)}`)));
    } catch {
      names.set(e.candidate, e.candidate);
    }
  }));
  fill(box, h("table", {},
    h("thead", {}, h("tr", {}, ...["ch.candidate", "ch.status", "ch.updated", "ch.note", "ch.move"].map((k) => h("th", { scope: "col" }, t(k))))),
    h("tbody", {}, ...items.map((e) => {
      const next = closed ? [] : NEXT[e.status] ?? [];
      const sel = h("select", { "aria-label": `${t("ch.move")}: ${names.get(e.candidate) ?? e.candidate}` }, ...next.map((s) => h("option", { value: s }, t("outreach." + s))));
      const note = h("input", { "aria-label": `${t("ch.note")}: ${names.get(e.candidate) ?? e.candidate}`, maxlength: 2000 });
      return h("tr", { dataset: { candidate: e.candidate } },
        h("td", {}, names.get(e.candidate) ?? e.candidate),
        h("td", { class: "outreach-status" }, t("outreach." + e.status)),
        h("td", {}, new Date(e.updated).toLocaleDateString(state.lang === "uk" ? "uk-UA" : "en-GB")),
        h("td", {}, e.note ?? ""),
        h("td", {}, next.length ? h("div", { class: "row inline" }, sel, note, h("button", { type: "button", onclick: () => moveCandidate(e, sel.value, note.value, names.get(e.candidate) ?? e.candidate) }, t("ch.moveButton"))) : t("ch.final")));
    }))));
}

async function addCandidate(r, m) {
  try {
    await api(`/v1/requests/${r.id}/shortlist`, { method: "POST", body: { candidate: m.id } });
    say(t("ch.added", { name: displayName(m) }));
    await openRequest(r.id);
  } catch (e) {
    alertError(e.message);
  }
}

async function moveCandidate(entry, status, note, name) {
  try {
    await api(`/v1/requests/${entry.request}/shortlist/${entry.candidate}`, { method: "PATCH", body: { status, note }, version: entry.version });
    say(t("ch.moved", { name, status: t("outreach." + status) }));
    await openRequest(entry.request);
  } catch (e) {
    alertError(e.message);
  }
}

// ---- start ----

function setLanguage(lang) {
  state.lang = lang;
  localStorage.setItem("twinning.lang", lang);
  applyTexts();
  say("");
  renderLegend();
  const keepOpen = [...$("f-countries").selectedOptions].map((o) => o.value);
  for (const o of $("f-countries").options) o.textContent = `${countryName(o.value)} (${o.value})`;
  for (const o of $("f-countries").options) o.selected = keepOpen.includes(o.value);
  renderResults(state.lastQuery);
  renderSelected();
  renderPartners();
  renderSuggestions();
  drawMap();
  if (state.municipality) loadSuggestions(true); // their reasons, in the new language
  for (const o of $("m-from").options) o.textContent = o.value ? `${countryName(o.value)} (${o.value})` : t("matrix.all");
  if (!$("view-analyst").hidden) { loadSources(); loadMatrix(); loadGaps(); } else delete $("matrix").dataset.loaded;
  if (!$("view-cityhall").hidden) renderCityHall();
}

function start() {
  const saved = localStorage.getItem("twinning.lang");
  const asked = new URLSearchParams(location.search).get("lang");
  state.lang = [asked, saved].find((x) => x === "uk" || x === "en") ?? (navigator.language.startsWith("uk") ? "uk" : "en");
  applyTexts();
  setupTabs();
  setupFilters();
  setupMap();
  renderSuggestions();
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); search($("q").value); });
  $("q").addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { const b = $("results").querySelector("button"); if (b) { e.preventDefault(); b.focus(); } }
  });
  $("lang").addEventListener("click", () => setLanguage(state.lang === "uk" ? "en" : "uk"));
  $("matrix-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setHash({ mfrom: $("m-from").value, mstatus: $("m-status").value });
    loadMatrix();
  });
  $("gaps-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setHash({ gsort: $("g-sort").value === "population" ? null : $("g-sort").value, goblast: $("g-oblast").value });
    loadGaps();
  });
  $("request-form").addEventListener("submit", createRequest);
  $("key").value = state.key;
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    state.key = $("key").value.trim();
    sessionStorage.setItem("twinning.key", state.key);
    say(t("ch.keySet"));
  });
  const params = hashParams();
  if (params.get("m")) select(params.get("m"));
  if (params.get("mstatus")) $("m-status").value = params.get("mstatus");
  if (params.get("gsort")) $("g-sort").value = params.get("gsort");
  if (TABS.includes(params.get("tab"))) showTab(params.get("tab"));
  document.body.dataset.ready = "1";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
