package analytics

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

// exportGraph has three countries, one municipality without a location
// and names that need escaping in XML and CSV.
func exportGraph(t *testing.T) *Graph {
	t.Helper()
	at := func(m graph.Municipality, lat, lon float64) graph.Municipality {
		m.Location = &graph.Point{Lat: lat, Lon: lon}
		return m
	}
	lviv := at(muni("ua-lviv", "UA", 720_000), 49.84, 24.03)
	lviv.Name, lviv.NameLatin = "Львів", "Lviv"
	lviv.Region = graph.Region{Code: "UA-46", Name: "Lviv Oblast"}
	lviv.Unit = &graph.Unit{Local: "міська громада", English: "city hromada"}
	odd := at(muni("pl-odd", "PL", 10), 50, 20)
	odd.NameLatin = `A & B <"quoted">, with comma`
	ms := []graph.Municipality{
		lviv, at(muni("pl-krakow", "PL", 800_000), 50.06, 19.94), odd,
		at(muni("de-freiburg", "DE", 230_000), 47.99, 7.84), muni("ua-noloc", "UA", 5_000),
	}
	dormant := edge("de-freiburg", "ua-lviv")
	dormant.Status = graph.StatusDormant
	dormant.Since = 1989
	ps := []graph.Partnership{edge("pl-krakow", "ua-lviv"), dormant, edge("pl-krakow", "pl-odd"), edge("pl-krakow", "ua-noloc")}
	g, err := New(ms, ps)
	require.NoError(t, err)
	return g
}

// graphMLDoc is the structure of a GraphML document, for encoding/xml.
type graphMLDoc struct {
	XMLName xml.Name `xml:"graphml"`
	Keys    []struct {
		ID       string `xml:"id,attr"`
		For      string `xml:"for,attr"`
		AttrName string `xml:"attr.name,attr"`
		AttrType string `xml:"attr.type,attr"`
	} `xml:"key"`
	Graph struct {
		EdgeDefault string `xml:"edgedefault,attr"`
		Nodes       []struct {
			ID   string        `xml:"id,attr"`
			Data []graphMLData `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			ID     string        `xml:"id,attr"`
			Source string        `xml:"source,attr"`
			Target string        `xml:"target,attr"`
			Data   []graphMLData `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

type graphMLData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

func TestExportGraphML(t *testing.T) {
	g := exportGraph(t)
	var buf bytes.Buffer
	require.NoError(t, g.Export(&buf, ExportOptions{Format: "GraphML"}))
	var doc graphMLDoc
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &doc), buf.String())

	assert.Equal(t, "undirected", doc.Graph.EdgeDefault)
	keys := map[string]string{}
	for _, k := range doc.Keys {
		keys[k.ID] = k.For
		assert.NotEmpty(t, k.AttrName)
		assert.Contains(t, []string{"string", "int", "long", "double"}, k.AttrType)
	}
	require.Len(t, doc.Graph.Nodes, 5)
	require.Len(t, doc.Graph.Edges, 4)
	nodeIDs := map[string]bool{}
	for _, n := range doc.Graph.Nodes {
		nodeIDs[n.ID] = true
		for _, d := range n.Data {
			assert.Equal(t, "node", keys[d.Key], "node data key %q must be declared for nodes", d.Key)
		}
	}
	for _, e := range doc.Graph.Edges {
		assert.True(t, nodeIDs[e.Source] && nodeIDs[e.Target], "edge %s ends at declared nodes", e.ID)
		for _, d := range e.Data {
			assert.Equal(t, "edge", keys[d.Key], "edge data key %q must be declared for edges", d.Key)
		}
	}
	byKey := func(ds []graphMLData) map[string]string {
		out := map[string]string{}
		for _, d := range ds {
			out[d.Key] = d.Value
		}
		return out
	}
	// Nodes come in id order: de-freiburg, pl-krakow, pl-odd, ...
	assert.Equal(t, `A & B <"quoted">, with comma`, byKey(doc.Graph.Nodes[2].Data)["n_name"])
	assert.Equal(t, "Львів", byKey(doc.Graph.Nodes[3].Data)["n_name_local"])
	assert.Equal(t, "city hromada", byKey(doc.Graph.Nodes[3].Data)["n_unit"])
	assert.Equal(t, "міська громада", byKey(doc.Graph.Nodes[3].Data)["n_unit_local"])
	edge0 := byKey(doc.Graph.Edges[0].Data)
	assert.Equal(t, map[string]string{"e_kind": "twinning", "e_status": "dormant", "e_since": "1989"}, edge0)
}

func TestExportGeoJSON(t *testing.T) {
	g := exportGraph(t)
	var buf bytes.Buffer
	require.NoError(t, g.Export(&buf, ExportOptions{Format: FormatGeoJSON}))
	fc, err := geojson.UnmarshalFeatureCollection(buf.Bytes())
	require.NoError(t, err, buf.String())

	var points, lines int
	for _, f := range fc.Features {
		switch geom := f.Geometry.(type) {
		case orb.Point:
			points++
			if f.ID == "ua-lviv" {
				assert.Equal(t, orb.Point{24.03, 49.84}, geom, "GeoJSON is lon, lat")
				assert.Equal(t, "Lviv", f.Properties.MustString("name"))
				assert.Equal(t, 720_000.0, f.Properties.MustFloat64("population"))
			}
		case orb.LineString:
			lines++
			assert.Len(t, geom, 2)
			assert.NotEmpty(t, f.Properties.MustString("status"))
		default:
			t.Errorf("unexpected geometry %T", geom)
		}
	}
	assert.Equal(t, 4, points, "ua-noloc has no location")
	assert.Equal(t, 3, lines, "the partnership with ua-noloc cannot be drawn")
}

func TestExportCSV(t *testing.T) {
	g := exportGraph(t)
	var buf bytes.Buffer
	require.NoError(t, g.Export(&buf, ExportOptions{Format: FormatCSV, Countries: []string{"UA"}, Statuses: []graph.Status{graph.StatusActive}}))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.Equal(t, CSVHeader, rows[0])
	assert.Equal(t, []string{"pl-krakow", "pl-krakow", "PL", "", "city", "800000", "50.06", "19.94",
		"ua-lviv", "Lviv", "UA", "UA-46", "city", "720000", "49.84", "24.03", "twinning", "active", "", "", ""}, rows[1])
	assert.Equal(t, "ua-noloc", rows[2][8])
	assert.Empty(t, rows[2][14], "no latitude")
}

func TestExportSelection(t *testing.T) {
	g := exportGraph(t)
	tests := []struct {
		name         string
		opts         ExportOptions
		nodes, edges int
	}{
		{"everything", ExportOptions{Format: "csv"}, 5, 4},
		{"Ukraine brings its partners", ExportOptions{Format: "csv", Countries: []string{"UA"}}, 4, 3},
		{"region", ExportOptions{Format: "csv", Regions: []string{"UA-46"}}, 3, 2},
		{"status", ExportOptions{Format: "csv", Countries: []string{"DE"}, Statuses: []graph.Status{graph.StatusActive}}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, e, err := g.ExportSize(tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.nodes, n)
			assert.Equal(t, tt.edges, e)
		})
	}
}

func TestExportErrorsWriteNothing(t *testing.T) {
	g := exportGraph(t)
	tests := []struct {
		opts  ExportOptions
		field string
	}{
		{ExportOptions{Format: "xlsx"}, "format"},
		{ExportOptions{Format: "csv", Countries: []string{"Poland"}}, "country"},
		{ExportOptions{Format: "csv", Statuses: []graph.Status{"gone"}}, "status"},
		{ExportOptions{Format: "csv", Regions: []string{""}}, "region"},
		{ExportOptions{Format: "csv", Limit: 8}, "limit"},
		{ExportOptions{Format: "csv", Limit: -1}, "limit"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		err := g.Export(&buf, tt.opts)
		assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "%+v", tt.opts)
		assert.Equal(t, tt.field, graph.ErrorField(err), "%+v", tt.opts)
		assert.Zero(t, buf.Len())
	}
	require.NoError(t, g.Export(io.Discard, ExportOptions{Format: "csv", Limit: 9}))
}

func TestExportReturnsWriteErrors(t *testing.T) {
	g := syntheticGraph(t, 3000, 2000, 1)
	for _, f := range Formats {
		err := g.Export(failingWriter{}, ExportOptions{Format: f})
		require.Error(t, err, f)
		assert.ErrorIs(t, err, errDiskFull, f)
	}
}

var errDiskFull = errors.New("disk full")

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }
