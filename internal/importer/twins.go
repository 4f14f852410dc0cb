package importer

import (
	"context"
	"io"
	"strings"

	"github.com/twinning/twinning/graph"
)

// SourceWikipedia is the Source of partnerships from the twin-town list.
const SourceWikipedia = "wikipedia"

// twinsColumns is the header of the twin-town list.
var twinsColumns = []string{"city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2"}

// PairRow is one partnership read from a partnership list: two places and,
// when known, the year it began.
type PairRow struct {
	Pos   Pos
	A, B  Place
	Since int
	// Agreement and Themes are what the row says of the agreement (the
	// register's kind and themes), kept in the partnership's source.
	Agreement string
	Themes    []string
}

// ParseTwins reads the Wikipedia twin-town list (CSV with the header
// city1,country1,lat1,lng1,city2,country2,lat2,lng2; countries as free
// text) and returns a row per valid line and a RowError per bad one.
// Countries are normalised by NormalizeCountry; a city written "Varna,
// Bulgaria" with an empty country gets its country from the name. A missing
// coordinate leaves the place without a point; a malformed one makes the
// row bad.
func ParseTwins(r io.Reader, file string) ([]PairRow, []*RowError, int, error) {
	return readCSV(r, file, twinsColumns, twinsRow)
}

// twinsRow reads one row of the twin-town list.
func twinsRow(row csvRow) (PairRow, *RowError) {
	f := &fieldReader{pos: row.pos}
	a := twinPlace(f, row, "1")
	b := twinPlace(f, row, "2")
	if f.err != nil {
		return PairRow{}, f.err
	}
	return PairRow{Pos: row.pos, A: a, B: b}, nil
}

func twinPlace(f *fieldReader, row csvRow, side string) Place {
	p := Place{
		Name:       f.required("city"+side, row.get("city"+side)),
		CountryRaw: row.get("country" + side),
	}
	lat, lon := row.get("lat"+side), row.get("lng"+side)
	if !isMissing(lat) || !isMissing(lon) {
		la, lo := f.latLon("lat"+side, lat, "lng"+side, lon)
		p.Location = &graph.Point{Lat: la, Lon: lo}
	}
	if p.CountryRaw == "" {
		if i := strings.LastIndex(p.Name, ","); i > 0 {
			p.CountryRaw = strings.TrimSpace(p.Name[i+1:])
			p.Name = strings.TrimSpace(p.Name[:i])
		}
	}
	lonOf := 0.0
	if p.Location != nil {
		lonOf = p.Location.Lon
	}
	p.Country = NormalizeCountry(p.CountryRaw, lonOf)
	return p
}

// ImportTwins imports the Wikipedia twin-town list (see ParseTwins): both
// sides of every row are resolved to municipalities by Resolver, and every
// row whose sides resolve becomes a twinning partnership with source
// "wikipedia", suspended when a side lies in graph.SuspendedCountries and
// active otherwise.
func (im *Importer) ImportTwins(ctx context.Context, r io.Reader, file string, opts PairOptions) (*Report, error) {
	rep, rows, err := parseFile(im, "twins", r, file, ParseTwins)
	if err != nil {
		return rep, err
	}
	opts.Source = SourceWikipedia
	return rep, im.importPairs(ctx, rep, rows, opts)
}
