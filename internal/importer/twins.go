package importer

import (
	"context"
	"errors"
	"io"
	"path/filepath"
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
}

// ParseTwins reads the Wikipedia twin-town list (CSV with the header
// city1,country1,lat1,lng1,city2,country2,lat2,lng2; countries as free
// text) and returns a row per valid line and a RowError per bad one.
// Countries are normalised by NormalizeCountry; a city written "Varna,
// Bulgaria" with an empty country gets its country from the name. A missing
// coordinate leaves the place without a point; a malformed one makes the
// row bad.
func ParseTwins(r io.Reader, file string) ([]PairRow, []*RowError, int, error) {
	file = filepath.Base(file)
	t, err := newCSVTable(r, file, twinsColumns...)
	if err != nil {
		return nil, nil, 0, err
	}
	var rows []PairRow
	var bad []*RowError
	n := 0
	for {
		row, err := t.next()
		if err == io.EOF {
			break
		}
		n++
		var re *RowError
		if errors.As(err, &re) {
			bad = append(bad, re)
			continue
		}
		if err != nil {
			return nil, nil, n, err
		}
		f := &fieldReader{pos: row.pos}
		a := twinPlace(f, row, "1")
		b := twinPlace(f, row, "2")
		if f.err != nil {
			bad = append(bad, f.err)
			continue
		}
		rows = append(rows, PairRow{Pos: row.pos, A: a, B: b})
	}
	return rows, bad, n, nil
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
	rep := newReport("twins", filepath.Base(file))
	im.opts.Progress.Start("reading "+filepath.Base(file), 0)
	rows, bad, n, err := ParseTwins(r, file)
	im.opts.Progress.Done()
	if err != nil {
		return rep, err
	}
	rep.Read = n
	for _, e := range bad {
		rep.bad(e)
	}
	opts.Source = SourceWikipedia
	return rep, im.importPairs(ctx, rep, rows, opts)
}
