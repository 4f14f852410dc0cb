// Builds the web page's third-party assets into static/vendor from the
// packages pinned in package-lock.json: Leaflet's script, style sheet and
// marker images, and an offline basemap of Europe (country outlines from
// world-atlas, that is Natural Earth 1:50m, as GeoJSON). The output depends
// only on the locked packages, so `make web` reproduces the committed files
// byte for byte; `make web-check` proves it.
import { mkdirSync, copyFileSync, readFileSync, writeFileSync, rmSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, "static", "vendor");
const mod = (p) => join(here, "node_modules", p);

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "leaflet", "images"), { recursive: true });
for (const f of ["leaflet.js", "leaflet.css"]) {
  copyFileSync(mod(`leaflet/dist/${f}`), join(out, "leaflet", f));
}
for (const f of readdirSync(mod("leaflet/dist/images")).sort()) {
  copyFileSync(mod(`leaflet/dist/images/${f}`), join(out, "leaflet", "images", f));
}

// Europe, with room for the Caucasus, Cyprus and Iceland.
const box = { west: -25, south: 33, east: 50, north: 72 };
const inBox = ([w, s, e, n]) => e >= box.west && w <= box.east && n >= box.south && s <= box.north;
const bounds = (rings) => {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const ring of rings) for (const [x, y] of ring) {
    w = Math.min(w, x); e = Math.max(e, x); s = Math.min(s, y); n = Math.max(n, y);
  }
  return [w, s, e, n];
};
// Two decimals (about 1 km) are finer than the map ever shows them.
const round = (rings) => rings.map((ring) => ring.map(([x, y]) => [Math.round(x * 100) / 100, Math.round(y * 100) / 100]));

const topo = JSON.parse(readFileSync(mod("world-atlas/countries-50m.json"), "utf8"));
const world = feature(topo, topo.objects.countries);
const features = [];
for (const f of world.features) {
  if (!f.geometry) continue;
  const polygons = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
  const kept = polygons.filter((p) => inBox(bounds(p))).map(round);
  if (kept.length === 0) continue;
  features.push({
    type: "Feature",
    properties: { name: f.properties.name },
    geometry: kept.length === 1 ? { type: "Polygon", coordinates: kept[0] } : { type: "MultiPolygon", coordinates: kept },
  });
}
features.sort((a, b) => a.properties.name.localeCompare(b.properties.name, "en"));
writeFileSync(join(out, "europe.geojson"), JSON.stringify({ type: "FeatureCollection", features }) + "\n");

const licence = (name, file) => `== ${name}\n\n` + readFileSync(mod(file), "utf8").trim() + "\n\n";
writeFileSync(join(out, "LICENSES.txt"),
  "Third-party files in this directory, built by web/build.mjs from the packages pinned in web/package-lock.json.\n\n" +
  licence("leaflet 1.9.4 (leaflet/): BSD-2-Clause", "leaflet/LICENSE") +
  licence("world-atlas 2.0.2 (europe.geojson, converted with topojson-client 3.1.0, ISC): ISC; its data is Natural Earth, public domain", "world-atlas/LICENSE") +
  licence("topojson-client 3.1.0 (used by the build only): ISC", "topojson-client/LICENSE"));
console.log(`wrote ${out}: leaflet, europe.geojson (${features.length} countries)`);
