package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/twinning/twinning/graph"
)

// SourceWikidata is the Source of partnerships from Wikidata.
const SourceWikidata = "wikidata"

// WikidataQuery is the SPARQL query whose JSON results ParseWikidata reads:
// every twinning pair (P190, "twinned administrative body") of a Ukrainian
// municipality, with label, coordinates (P625), population (P1082), the
// country's ISO code (P297) and the start year of the statement (P580) when
// there is one. Run it with "Accept: application/sparql-results+json".
const WikidataQuery = `SELECT ?city ?cityLabel ?cityCoord ?cityPop ?cityCountry
       ?twin ?twinLabel ?twinCoord ?twinPop ?twinCountry ?since WHERE {
  ?city p:P190 ?st . ?st ps:P190 ?twin .
  ?city wdt:P17 wd:Q212 .
  OPTIONAL { ?st pq:P580 ?start . BIND(YEAR(?start) AS ?since) }
  OPTIONAL { ?city wdt:P625 ?cityCoord }
  OPTIONAL { ?city wdt:P1082 ?cityPop }
  OPTIONAL { ?city wdt:P17/wdt:P297 ?cityCountry }
  OPTIONAL { ?twin wdt:P625 ?twinCoord }
  OPTIONAL { ?twin wdt:P1082 ?twinPop }
  OPTIONAL { ?twin wdt:P17/wdt:P297 ?twinCountry }
  SERVICE wikibase:label { bd:serviceParam wikibase:language "en,uk" . }
}`

// sparqlTerm is one bound value of a SPARQL result.
type sparqlTerm struct {
	Type     string `json:"type"`
	Value    string `json:"value"`
	Datatype string `json:"datatype,omitempty"`
	Lang     string `json:"xml:lang,omitempty"`
}

var (
	wikidataItem = regexp.MustCompile(`^https?://www\.wikidata\.org/entity/(Q\d{1,12})$`)
	wktPoint     = regexp.MustCompile(`^\s*(?:<[^>]*>\s*)?Point\(\s*(\S+)\s+(\S+)\s*\)\s*$`)
)

// ParseWikidata reads SPARQL 1.1 JSON results of WikidataQuery (variables
// city, cityLabel, cityCoord, cityPop, cityCountry, twin, twinLabel,
// twinCoord, twinPop, twinCountry, and optionally since) and returns a row
// per valid binding, with the line where the binding starts, and a
// RowError per bad one. Coordinates are WKT literals "Point(lon lat)";
// populations may be decimals ("1234.0"); countries are ISO codes.
func ParseWikidata(r io.Reader, file string) ([]PairRow, []*RowError, int, error) {
	file = filepath.Base(file)
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("read %s: %w", file, err)
	}
	data = bytes.TrimPrefix(data, []byte(bom))
	lineAt := lineCounter(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(format string, args ...any) error {
		return &RowError{File: file, Line: lineAt(int(dec.InputOffset())), Message: fmt.Sprintf(format, args...)}
	}
	if err := expectDelim(dec, '{'); err != nil {
		return nil, nil, 0, fail("not SPARQL JSON results: %v", err)
	}
	var rows []PairRow
	var bad []*RowError
	n := 0
	seenBindings := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, nil, n, fail("not SPARQL JSON results: %v", err)
		}
		switch key {
		case "head":
			var head struct {
				Vars []string `json:"vars"`
			}
			if err := dec.Decode(&head); err != nil {
				return nil, nil, n, fail("head: %v", err)
			}
			for _, v := range []string{"city", "twin"} {
				if !slices.Contains(head.Vars, v) {
					return nil, nil, n, fail("head.vars lacks %q (expected the variables of WikidataQuery)", v)
				}
			}
		case "results":
			if err := expectDelim(dec, '{'); err != nil {
				return nil, nil, n, fail("results: %v", err)
			}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, nil, n, fail("results: %v", err)
				}
				if k != "bindings" {
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						return nil, nil, n, fail("results.%v: %v", k, err)
					}
					continue
				}
				seenBindings = true
				if err := expectDelim(dec, '['); err != nil {
					return nil, nil, n, fail("results.bindings: %v", err)
				}
				for dec.More() {
					start := int(dec.InputOffset())
					var b map[string]sparqlTerm
					if err := dec.Decode(&b); err != nil {
						return nil, nil, n, fail("results.bindings[%d]: %v", n, err)
					}
					n++
					pos := Pos{File: file, Line: lineAt(nextNonSpace(data, start))}
					row, re := wikidataRow(b, pos)
					if re != nil {
						bad = append(bad, re)
						continue
					}
					rows = append(rows, row)
				}
				if _, err := dec.Token(); err != nil {
					return nil, nil, n, fail("results.bindings: %v", err)
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, nil, n, fail("results: %v", err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, nil, n, fail("%v: %v", key, err)
			}
		}
	}
	if !seenBindings {
		return nil, nil, n, &RowError{File: file, Line: 1, Message: "no results.bindings (expected SPARQL 1.1 JSON results)"}
	}
	return rows, bad, n, nil
}

func wikidataRow(b map[string]sparqlTerm, pos Pos) (PairRow, *RowError) {
	f := &fieldReader{pos: pos}
	row := PairRow{Pos: pos, A: wikidataPlace(f, b, "city"), B: wikidataPlace(f, b, "twin")}
	if s, ok := b["since"]; ok && s.Value != "" {
		v := s.Value
		if len(v) >= 4 && strings.Contains(v, "-") && !strings.HasPrefix(v, "-") {
			v = v[:4] // an xsd:dateTime
		}
		y, err := strconv.Atoi(v)
		if err != nil {
			f.fail("since", "%q is not a year", s.Value)
		}
		row.Since = y
	}
	if f.err != nil {
		return PairRow{}, f.err
	}
	return row, nil
}

func wikidataPlace(f *fieldReader, b map[string]sparqlTerm, v string) Place {
	var p Place
	item, ok := b[v]
	if !ok {
		f.fail(v, "is not bound, expected a Wikidata item URI")
		return p
	}
	m := wikidataItem.FindStringSubmatch(item.Value)
	if m == nil {
		f.fail(v, "%q is not a Wikidata item URI (http://www.wikidata.org/entity/Q...)", item.Value)
		return p
	}
	p.Wikidata = m[1]
	p.Name = strings.TrimSpace(b[v+"Label"].Value)
	if p.Name == "" || p.Name == p.Wikidata {
		f.fail(v+"Label", "is empty, expected the item's name")
	}
	if c, ok := b[v+"Coord"]; ok && c.Value != "" {
		pm := wktPoint.FindStringSubmatch(c.Value)
		if pm == nil {
			f.fail(v+"Coord", "%q is not a WKT point \"Point(lon lat)\"", c.Value)
		} else {
			lat, lon := f.latLon(v+"Coord", pm[2], v+"Coord", pm[1])
			p.Location = &graph.Point{Lat: lat, Lon: lon}
		}
	}
	if pop, ok := b[v+"Pop"]; ok {
		p.Population = f.count(v+"Pop", pop.Value)
	}
	p.CountryRaw = strings.TrimSpace(b[v+"Country"].Value)
	if p.CountryRaw != "" {
		if up := strings.ToUpper(p.CountryRaw); graph.ValidCountry(up) {
			p.Country = up
		} else {
			f.fail(v+"Country", "%q is not an ISO 3166-1 alpha-2 code", p.CountryRaw)
		}
	}
	return p
}

// ImportWikidata imports Wikidata SPARQL results of twinning pairs (see
// ParseWikidata and WikidataQuery) like ImportTwins, resolving each side
// by its Wikidata id first; a side resolved by name gets the id added to
// its municipality, so that the next import resolves it by code.
func (im *Importer) ImportWikidata(ctx context.Context, r io.Reader, file string, opts PairOptions) (*Report, error) {
	rep := newReport("wikidata", filepath.Base(file))
	rows, bad, n, err := ParseWikidata(r, file)
	if err != nil {
		return rep, err
	}
	rep.Read = n
	for _, e := range bad {
		rep.bad(e)
	}
	opts.Source = SourceWikidata
	return rep, im.importPairs(ctx, rep, rows, opts)
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t != d {
		return fmt.Errorf("found %v, expected %q", t, d)
	}
	return nil
}

// lineCounter returns a function from a byte offset to its 1-based line;
// offsets must not decrease between calls by much (it counts onward).
func lineCounter(data []byte) func(off int) int {
	line, at := 1, 0
	return func(off int) int {
		off = max(0, min(off, len(data)))
		if off < at {
			line, at = 1, 0
		}
		line += bytes.Count(data[at:off], []byte{'\n'})
		at = off
		return line
	}
}

// nextNonSpace returns the offset of the first byte at or after off that
// is not white space or a comma.
func nextNonSpace(data []byte, off int) int {
	for off < len(data) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
		off++
	}
	return off
}
