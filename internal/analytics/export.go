package analytics

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/twinning/twinning/graph"
)

// The export formats.
const (
	FormatGeoJSON = "geojson"
	FormatGraphML = "graphml"
	FormatCSV     = "csv"
)

// Formats lists the export formats.
var Formats = []string{FormatGeoJSON, FormatGraphML, FormatCSV}

// Bounds of an export, counted in elements: municipalities plus
// partnerships.
const (
	DefaultExportLimit = 250_000
	MaxExportLimit     = 5_000_000
)

// ExportOptions select what Graph.Export writes.
type ExportOptions struct {
	// Format is one of Formats.
	Format string
	// Countries and Regions select municipalities (any of the countries,
	// and any of the region codes; nil for no filter). Statuses keeps
	// partnerships of those statuses (nil for all).
	Countries []string
	Regions   []string
	Statuses  []graph.Status
	// Limit caps the number of elements (municipalities plus
	// partnerships); 0 means DefaultExportLimit, at most MaxExportLimit.
	Limit int
}

// ContentType returns the media type of an export format.
func ContentType(format string) string {
	switch format {
	case FormatGeoJSON:
		return "application/geo+json"
	case FormatGraphML:
		return "application/graphml+xml; charset=utf-8"
	default:
		return "text/csv; charset=utf-8"
	}
}

// selection is what an export holds: municipalities and partnerships by
// index, in id and key order.
type selection struct {
	nodes []int32
	edges []int32
}

// validate checks opts and fills in defaults.
func (o *ExportOptions) validate() error {
	o.Format = strings.ToLower(strings.TrimSpace(o.Format))
	if !slices.Contains(Formats, o.Format) {
		return graph.FieldErrorf("format", "must be one of %s, got %q", strings.Join(Formats, ", "), o.Format)
	}
	for _, c := range o.Countries {
		if !graph.ValidCountry(c) {
			return graph.FieldErrorf("country", "%q is not an ISO 3166-1 alpha-2 code such as PL or DE", c)
		}
	}
	for _, r := range o.Regions {
		if r == "" || len(r) > 32 {
			return graph.FieldErrorf("region", "%q is not a region code such as UA-46 or PL21", r)
		}
	}
	if err := validStatuses(o.Statuses); err != nil {
		return err
	}
	if o.Limit == 0 {
		o.Limit = DefaultExportLimit
	}
	if o.Limit < 1 || o.Limit > MaxExportLimit {
		return graph.FieldErrorf("limit", "must be between 1 and %d, got %d", MaxExportLimit, o.Limit)
	}
	return nil
}

// selectFor returns what opts select. A municipality matches when it is in
// one of the countries and one of the regions (either filter may be
// empty). A partnership is exported when its status is kept and at least
// one end matches, so that the foreign partners of a country come along;
// the municipalities exported are those that match plus the other ends of
// the exported partnerships.
func (g *Graph) selectFor(opts *ExportOptions) selection {
	matches := make([]bool, len(g.ms))
	for i := range g.ms {
		m := &g.ms[i]
		matches[i] = (len(opts.Countries) == 0 || slices.Contains(opts.Countries, m.Country)) &&
			(len(opts.Regions) == 0 || slices.Contains(opts.Regions, m.Region.Code))
	}
	keep := statusFilter(opts.Statuses)
	in := slices.Clone(matches)
	var sel selection
	for e, ab := range g.ends {
		if keep(g.ps[e].Status) && (matches[ab[0]] || matches[ab[1]]) {
			sel.edges = append(sel.edges, int32(e))
			in[ab[0]], in[ab[1]] = true, true
		}
	}
	for i, ok := range in {
		if ok {
			sel.nodes = append(sel.nodes, int32(i))
		}
	}
	return sel
}

// Export writes the municipalities and partnerships that opts select to w
// in opts.Format, streaming element by element through a buffer rather
// than building the document in memory:
//
//   - geojson: an RFC 7946 FeatureCollection with a Point feature per
//     municipality and a LineString feature per partnership; elements
//     without known coordinates (at either end, for a partnership) are
//     left out, since a GeoJSON feature needs a geometry to be drawn.
//   - graphml: a GraphML document with <key> declarations for every node
//     and edge attribute and one <graph edgedefault="undirected">.
//   - csv: one table of partnerships, one row each with the attributes of
//     both municipalities (a_*, b_*) and of the partnership, which a
//     spreadsheet or a graph tool loads as an edge list in one file.
//     Municipalities without partnerships do not appear in it.
//
// It returns EINVALID naming "format", "country", "region", "status" or
// "limit" before writing anything, including when the selection holds
// more elements than opts.Limit; a write error is returned wrapped.
func (g *Graph) Export(w io.Writer, opts ExportOptions) error {
	if err := opts.validate(); err != nil {
		return err
	}
	sel := g.selectFor(&opts)
	if err := checkExportLimit(len(sel.nodes), len(sel.edges), opts.Limit); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var err error
	switch opts.Format {
	case FormatGeoJSON:
		err = g.writeGeoJSON(bw, sel)
	case FormatGraphML:
		err = g.writeGraphML(bw, sel)
	default:
		err = g.writeCSV(bw, sel)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("analytics: export %s: %w", opts.Format, err)
	}
	return nil
}

// feature is a GeoJSON feature as written.
type feature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Geometry   geometry       `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// geometry is a GeoJSON Point or LineString.
type geometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// writeGeoJSON writes sel as a FeatureCollection.
func (g *Graph) writeGeoJSON(w *bufio.Writer, sel selection) error {
	if _, err := w.WriteString(`{"type":"FeatureCollection","features":[`); err != nil {
		return err
	}
	first := true
	emit := func(f feature) error {
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if !first {
			if err := w.WriteByte(','); err != nil {
				return err
			}
		}
		first = false
		if err := w.WriteByte('\n'); err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	for _, i := range sel.nodes {
		m := &g.ms[i]
		if m.Location == nil {
			continue
		}
		props := map[string]any{
			"feature": "municipality", "name": m.DisplayName(), "name_local": m.Name,
			"country": m.Country, "region": m.Region.Code, "region_name": m.Region.Name,
			"kind": m.Kind, "population": m.Population, "degree": g.degree(i),
		}
		if err := emit(feature{Type: "Feature", ID: m.ID, Properties: props,
			Geometry: geometry{Type: "Point", Coordinates: [2]float64{m.Location.Lon, m.Location.Lat}}}); err != nil {
			return err
		}
	}
	for _, e := range sel.edges {
		a, b := &g.ms[g.ends[e][0]], &g.ms[g.ends[e][1]]
		if a.Location == nil || b.Location == nil {
			continue
		}
		p := &g.ps[e]
		props := map[string]any{
			"feature": "partnership", "a": p.A, "b": p.B, "kind": p.Kind, "status": p.Status,
			"since": p.Since, "source": p.Source, "sources": append([]string{}, p.SourceNames()...),
		}
		coords := [2][2]float64{{a.Location.Lon, a.Location.Lat}, {b.Location.Lon, b.Location.Lat}}
		if err := emit(feature{Type: "Feature", ID: p.A + "--" + p.B, Properties: props,
			Geometry: geometry{Type: "LineString", Coordinates: coords}}); err != nil {
			return err
		}
	}
	_, err := w.WriteString("\n]}\n")
	return err
}

// graphMLKey is one declared GraphML attribute.
type graphMLKey struct {
	id, domain, name, typ string
}

// The GraphML attributes, declared in this order.
var (
	nodeKeys = []graphMLKey{
		{"n_name", "node", "name", "string"},
		{"n_name_local", "node", "name_local", "string"},
		{"n_country", "node", "country", "string"},
		{"n_region", "node", "region", "string"},
		{"n_region_name", "node", "region_name", "string"},
		{"n_kind", "node", "kind", "string"},
		{"n_unit", "node", "unit", "string"},
		{"n_unit_local", "node", "unit_local", "string"},
		{"n_population", "node", "population", "long"},
		{"n_lat", "node", "lat", "double"},
		{"n_lon", "node", "lon", "double"},
	}
	edgeKeys = []graphMLKey{
		{"e_kind", "edge", "kind", "string"},
		{"e_status", "edge", "status", "string"},
		{"e_since", "edge", "since", "int"},
		{"e_source", "edge", "source", "string"},
		{"e_sources", "edge", "sources", "string"},
	}
)

// writeGraphML writes sel as a GraphML document.
func (g *Graph) writeGraphML(w *bufio.Writer, sel selection) error {
	w.WriteString(xml.Header)
	w.WriteString(`<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">` + "\n")
	for _, k := range slices.Concat(nodeKeys, edgeKeys) {
		fmt.Fprintf(w, `  <key id="%s" for="%s" attr.name="%s" attr.type="%s"/>`+"\n", k.id, k.domain, k.name, k.typ)
	}
	w.WriteString(`  <graph id="twinning" edgedefault="undirected">` + "\n")
	data := func(key, value string) {
		if value == "" {
			return
		}
		w.WriteString(`      <data key="` + key + `">`)
		xml.EscapeText(w, []byte(value)) // a bufio.Writer only fails on Flush
		w.WriteString("</data>\n")
	}
	for _, i := range sel.nodes {
		m := &g.ms[i]
		w.WriteString(`    <node id="`)
		xml.EscapeText(w, []byte(m.ID))
		w.WriteString("\">\n")
		data("n_name", m.DisplayName())
		data("n_name_local", m.Name)
		data("n_country", m.Country)
		data("n_region", m.Region.Code)
		data("n_region_name", m.Region.Name)
		data("n_kind", string(m.Kind))
		if m.Unit != nil {
			data("n_unit", m.Unit.English)
			data("n_unit_local", m.Unit.Local)
		}
		if m.Population > 0 {
			data("n_population", strconv.FormatInt(m.Population, 10))
		}
		if p := m.Location; p != nil {
			data("n_lat", strconv.FormatFloat(p.Lat, 'f', -1, 64))
			data("n_lon", strconv.FormatFloat(p.Lon, 'f', -1, 64))
		}
		w.WriteString("    </node>\n")
	}
	for k, e := range sel.edges {
		p := &g.ps[e]
		fmt.Fprintf(w, `    <edge id="e%d" source="`, k)
		xml.EscapeText(w, []byte(p.A))
		w.WriteString(`" target="`)
		xml.EscapeText(w, []byte(p.B))
		w.WriteString("\">\n")
		data("e_kind", string(p.Kind))
		data("e_status", string(p.Status))
		if p.Since > 0 {
			data("e_since", strconv.Itoa(p.Since))
		}
		data("e_source", p.Source)
		data("e_sources", strings.Join(p.SourceNames(), ";"))
		w.WriteString("    </edge>\n")
	}
	_, err := w.WriteString("  </graph>\n</graphml>\n")
	return err
}

// CSVHeader is the header row of the CSV export.
var CSVHeader = []string{
	"a_id", "a_name", "a_country", "a_region", "a_kind", "a_population", "a_lat", "a_lon",
	"b_id", "b_name", "b_country", "b_region", "b_kind", "b_population", "b_lat", "b_lon",
	"kind", "status", "since", "source", "sources",
}

// writeCSV writes the partnerships of sel as one CSV table.
func (g *Graph) writeCSV(w *bufio.Writer, sel selection) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	row := make([]string, 0, len(CSVHeader))
	end := func(m *graph.Municipality) {
		lat, lon := "", ""
		if p := m.Location; p != nil {
			lat, lon = strconv.FormatFloat(p.Lat, 'f', -1, 64), strconv.FormatFloat(p.Lon, 'f', -1, 64)
		}
		pop := ""
		if m.Population > 0 {
			pop = strconv.FormatInt(m.Population, 10)
		}
		row = append(row, m.ID, m.DisplayName(), m.Country, m.Region.Code, string(m.Kind), pop, lat, lon)
	}
	for _, e := range sel.edges {
		p := &g.ps[e]
		row = row[:0]
		end(&g.ms[g.ends[e][0]])
		end(&g.ms[g.ends[e][1]])
		since := ""
		if p.Since > 0 {
			since = strconv.Itoa(p.Since)
		}
		row = append(row, string(p.Kind), string(p.Status), since, p.Source, strings.Join(p.SourceNames(), ";"))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ExportSize validates opts as Export does and returns the number of
// municipalities and partnerships the export would hold, so that a caller
// can answer an error before it commits to a response.
func (g *Graph) ExportSize(opts ExportOptions) (nodes, edges int, err error) {
	if err := opts.validate(); err != nil {
		return 0, 0, err
	}
	sel := g.selectFor(&opts)
	return len(sel.nodes), len(sel.edges), checkExportLimit(len(sel.nodes), len(sel.edges), opts.Limit)
}

// checkExportLimit returns EINVALID naming "limit" when an export of that
// many municipalities and partnerships would exceed limit.
func checkExportLimit(nodes, edges, limit int) error {
	if n := nodes + edges; n > limit {
		return graph.FieldErrorf("limit", "the export would hold %d municipalities and %d partnerships (%d elements), more than the limit of %d; narrow it with country, region or status",
			nodes, edges, n, limit)
	}
	return nil
}
