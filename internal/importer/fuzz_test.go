package importer

import (
	"bytes"
	"strings"
	"testing"

	"github.com/twinning/twinning/graph"
)

// checkParsed holds for every parser: rows and bad rows name a line, and
// every record validates.
func checkParsed(t *testing.T, recs []Record, bad []*RowError) {
	for _, r := range recs {
		if err := r.Municipality.Validate(); err != nil {
			t.Fatalf("%s does not validate: %v", r, err)
		}
		if r.Pos.Line < 1 {
			t.Fatalf("%s has no line", r)
		}
	}
	for _, e := range bad {
		if e.Line < 1 || !strings.Contains(e.Error(), " line ") {
			t.Fatalf("bad row without a line: %v", e)
		}
	}
}

func FuzzParseHromadas(f *testing.F) {
	f.Add(readFixture(f, "hromadas.csv"))
	f.Add([]byte("hromada_code,hromada_name,type,oblast_name,hromada_center,lat_center,lon_center\nUA46060250000025047,Львівська,міська,Львівська,Львів,49.8,24.0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, bad, _, err := ParseHromadas(bytes.NewReader(data), "f.csv")
		if err == nil {
			checkParsed(t, recs, bad)
		}
	})
}

func FuzzParseGeoNames(f *testing.F) {
	f.Add(readFixture(f, "geonames.txt"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, bad, _, _, err := ParseGeoNames(bytes.NewReader(data), "f.txt", GeoNamesFilter{})
		if err == nil {
			checkParsed(t, recs, bad)
		}
	})
}

func FuzzParseCountryInfo(f *testing.F) {
	f.Add(readFixture(f, "countryInfo.txt"))
	f.Add(readFixture(f, "admin1.tsv"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseCountryInfo(bytes.NewReader(data), "c.txt")
		_, _ = ParseAdmin1(bytes.NewReader(data), "a.tsv")
	})
}

func FuzzParseLAU(f *testing.F) {
	f.Add(readFixture(f, "lau.csv"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, bad, _, err := ParseLAU(bytes.NewReader(data), "f.csv")
		if err == nil {
			checkParsed(t, recs, bad)
		}
	})
}

func FuzzParseTwins(f *testing.F) {
	f.Add(readFixture(f, "twins.csv"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, bad, _, err := ParseTwins(bytes.NewReader(data), "f.csv")
		if err != nil {
			return
		}
		checkParsed(t, nil, bad)
		for _, r := range rows {
			for _, p := range []Place{r.A, r.B} {
				if p.Name == "" {
					t.Fatalf("line %d: a place without a name", r.Pos.Line)
				}
				if p.Location != nil && (p.Location.Lat < -90 || p.Location.Lat > 90 || p.Location.Lon < -180 || p.Location.Lon > 180) {
					t.Fatalf("line %d: point out of range %v", r.Pos.Line, *p.Location)
				}
			}
		}
	})
}

func FuzzParseWikidata(f *testing.F) {
	f.Add(readFixture(f, "wikidata.json"))
	f.Add([]byte(`{"head":{"vars":["city","twin"]},"results":{"bindings":[]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, bad, _, err := ParseWikidata(bytes.NewReader(data), "f.json")
		if err != nil {
			return
		}
		checkParsed(t, nil, bad)
		for _, r := range rows {
			if r.A.Wikidata == "" || r.B.Wikidata == "" {
				t.Fatalf("line %d: a side without an item", r.Pos.Line)
			}
		}
	})
}

func FuzzResolveNames(f *testing.F) {
	for _, s := range []string{"Lviv", "Kam'ianets-Podilskyi", "Pecherskyi (Kyiv)", "Lviv Oblast", "Львів", "(", ")("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		ix := NewIndex()
		r := NewResolver(ix)
		_ = r.Resolve(Place{Name: name, Country: "UA"})
		_ = graph.LooseKey(name)
	})
}
