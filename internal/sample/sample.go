// Package sample holds the bundled sample of twinning: Ukrainian and
// European municipalities and the partnerships between them, embedded as
// CSV files, with the parser that turns them into graph values and the
// loader that puts them into a graph.Store.
//
// The files live in data/: municipalities_*.csv (one header, the columns of
// MunicipalityHeader) and partnerships.csv (the columns of
// PartnershipHeader). They are UTF-8 RFC 4180 CSV; list-valued columns
// (alt_names, themes) separate their items with '|'; unit and
// unit_english, what the municipality is in its country's words and in
// English, are both set or both empty.
package sample

import (
	"context"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/twinning/twinning/graph"
)

//go:embed data/*.csv
var files embed.FS

// MunicipalityHeader is the exact header of a municipalities CSV file.
var MunicipalityHeader = []string{
	"id", "name", "name_latin", "alt_names", "country", "region_code", "region_name", "kind",
	"unit", "unit_english", "population", "population_year", "area_km2", "lat", "lon",
	"katottg", "lau", "nuts3", "geonames", "wikidata", "themes", "source",
}

// PartnershipHeader is the exact header of a partnerships CSV file.
var PartnershipHeader = []string{"a", "b", "kind", "status", "since", "source"}

// BatchSize is the number of records Load sends to the store in one call.
const BatchSize = 500

// Data is the parsed sample.
type Data struct {
	Municipalities []graph.Municipality
	Partnerships   []graph.Partnership
}

// ParseError is an error in one line of a CSV file. Err carries the cause;
// when it is a *graph.Error its code (EINVALID) reaches graph.ErrorCode.
type ParseError struct {
	// File is the base name of the file, e.g. "municipalities_eu.csv".
	File string
	// Line is the 1-based line where the record (or the field) starts.
	Line int
	// Field is the CSV column at fault, "" when the whole record is.
	Field string
	// Err is the cause.
	Err error
}

// Error returns "file line N, field F: message".
func (e *ParseError) Error() string {
	msg := e.Err.Error()
	var ge *graph.Error
	if errors.As(e.Err, &ge) {
		// The column is already named; keep only the message.
		msg = ge.Message
		if ge.Err != nil {
			msg += ": " + ge.Err.Error()
		}
	}
	if e.Field == "" {
		return fmt.Sprintf("%s line %d: %s", e.File, e.Line, msg)
	}
	return fmt.Sprintf("%s line %d, field %s: %s", e.File, e.Line, e.Field, msg)
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// Parse parses the embedded sample: every data/municipalities_*.csv file,
// then data/partnerships.csv. Besides each record's own validity it checks
// that ids and unique codes are not repeated, that every partnership names
// known municipalities and that no pair is listed twice.
func Parse() (Data, error) {
	return ParseFS(files, "data")
}

// ParseFS parses a sample laid out like the embedded one: dir holds
// municipalities_*.csv files and partnerships.csv.
func ParseFS(fsys fs.FS, dir string) (Data, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "municipalities_*.csv"))
	if err != nil {
		return Data{}, fmt.Errorf("sample: list municipality files: %w", err)
	}
	if len(names) == 0 {
		return Data{}, fmt.Errorf("sample: no municipalities_*.csv file in %s", dir)
	}
	slices.Sort(names)

	var data Data
	where := map[string]string{} // id -> "file line N", to report duplicates
	codes := map[[2]string]string{}
	for _, name := range names {
		base := path.Base(name)
		ms, lines, err := parseFile(fsys, name, func(r io.Reader) ([]graph.Municipality, []int, error) {
			return parseMunicipalities(r, base)
		})
		if err != nil {
			return Data{}, err
		}
		for i, m := range ms {
			here := fmt.Sprintf("%s line %d", base, lines[i])
			if prev, ok := where[m.ID]; ok {
				return Data{}, &ParseError{File: base, Line: lines[i], Field: "id",
					Err: graph.Errorf(graph.EINVALID, "%q is already defined at %s", m.ID, prev)}
			}
			where[m.ID] = here
			for _, kv := range m.Codes.UniqueCodes() {
				if prev, ok := codes[kv]; ok {
					return Data{}, &ParseError{File: base, Line: lines[i], Field: kv[0],
						Err: graph.Errorf(graph.EINVALID, "%q is already held by the municipality at %s", kv[1], prev)}
				}
				codes[kv] = here
			}
		}
		data.Municipalities = append(data.Municipalities, ms...)
	}

	pname := path.Join(dir, "partnerships.csv")
	ps, lines, err := parseFile(fsys, pname, func(r io.Reader) ([]graph.Partnership, []int, error) {
		return parsePartnerships(r, "partnerships.csv")
	})
	if err != nil {
		return Data{}, err
	}
	seen := map[[2]string]int{}
	for i, p := range ps {
		for _, end := range []struct{ field, id string }{{"a", p.A}, {"b", p.B}} {
			if _, ok := where[end.id]; !ok {
				return Data{}, &ParseError{File: "partnerships.csv", Line: lines[i], Field: end.field,
					Err: graph.Errorf(graph.EINVALID, "unknown municipality %q", end.id)}
			}
		}
		if prev, ok := seen[p.Key()]; ok {
			return Data{}, &ParseError{File: "partnerships.csv", Line: lines[i], Field: "b",
				Err: graph.Errorf(graph.EINVALID, "the pair %s–%s is already listed at line %d", p.A, p.B, prev)}
		}
		seen[p.Key()] = lines[i]
	}
	data.Partnerships = ps
	return data, nil
}

func parseFile[T any](fsys fs.FS, name string, parse func(io.Reader) ([]T, []int, error)) ([]T, []int, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("sample: %w", err)
	}
	defer f.Close()
	return parse(f)
}

// ParseMunicipalities reads a municipalities CSV file (header
// MunicipalityHeader) from r. file names the input in error messages. Every
// municipality returned passes graph.Municipality.Validate; the first
// problem is returned as a *ParseError.
func ParseMunicipalities(r io.Reader, file string) ([]graph.Municipality, error) {
	ms, _, err := parseMunicipalities(r, file)
	return ms, err
}

// ParsePartnerships reads a partnerships CSV file (header
// PartnershipHeader) from r. file names the input in error messages. Every
// partnership returned is normalized (A < B) and passes
// graph.Partnership.Validate; whether its municipalities exist is not
// checked here (Parse does that). The first problem is returned as a
// *ParseError.
func ParsePartnerships(r io.Reader, file string) ([]graph.Partnership, error) {
	ps, _, err := parsePartnerships(r, file)
	return ps, err
}

// table reads CSV records after checking the header, and builds
// ParseErrors that point at a record's line or at one of its fields.
type table struct {
	file   string
	r      *csv.Reader
	record []string
}

func newTable(r io.Reader, file string, header []string) (*table, error) {
	t := &table{file: file, r: csv.NewReader(r)}
	t.r.FieldsPerRecord = -1 // the header is compared as a whole below
	got, err := t.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, &ParseError{File: file, Line: 1, Err: graph.Errorf(graph.EINVALID, "empty file, expected the header %q", strings.Join(header, ","))}
	}
	if err != nil {
		return nil, t.csvError(err)
	}
	if len(got) > 0 {
		got[0] = strings.TrimPrefix(got[0], "\ufeff")
	}
	if !slices.Equal(got, header) {
		return nil, &ParseError{File: file, Line: 1, Err: graph.Errorf(graph.EINVALID, "header is %q, expected %q", strings.Join(got, ","), strings.Join(header, ","))}
	}
	t.r.FieldsPerRecord = len(header)
	return t, nil
}

// next reads the next record; it returns false at the end of the input.
func (t *table) next() (bool, error) {
	rec, err := t.r.Read()
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	// On a field-count error encoding/csv still returns the record, whose
	// length the error message reports.
	t.record = rec
	if err != nil {
		return false, t.csvError(err)
	}
	return true, nil
}

func (t *table) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		line := pe.StartLine
		if line == 0 {
			line = pe.Line
		}
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return &ParseError{File: t.file, Line: line, Err: graph.Errorf(graph.EINVALID, "has %d fields, expected %d", t.fieldCount(), t.r.FieldsPerRecord)}
		}
		return &ParseError{File: t.file, Line: line, Err: graph.Wrap(graph.EINVALID, pe.Err, "is not valid CSV")}
	}
	return fmt.Errorf("sample: read %s: %w", t.file, err)
}

// fieldCount is the number of fields of the record that broke the count;
// encoding/csv still returns it alongside ErrFieldCount.
func (t *table) fieldCount() int { return len(t.record) }

// line is the line where the record starts.
func (t *table) line() int {
	l, _ := t.r.FieldPos(0)
	return l
}

// fieldErr returns a ParseError for column col with the given cause.
func (t *table) fieldErr(col int, name string, cause error) *ParseError {
	l, _ := t.r.FieldPos(col)
	return &ParseError{File: t.file, Line: l, Field: name, Err: cause}
}

func (t *table) invalid(col int, name, format string, args ...any) *ParseError {
	return t.fieldErr(col, name, graph.Errorf(graph.EINVALID, format, args...))
}

// Column positions in MunicipalityHeader.
const (
	colID = iota
	colName
	colNameLatin
	colAltNames
	colCountry
	colRegionCode
	colRegionName
	colKind
	colUnit
	colUnitEnglish
	colPopulation
	colPopulationYear
	colArea
	colLat
	colLon
	colKATOTTG
	colLAU
	colNUTS3
	colGeoNames
	colWikidata
	colThemes
	colSource
)

// validateColumn maps a field named by graph.Municipality.Validate to its
// CSV column.
var validateColumn = map[string]int{
	"id": colID, "name": colName, "country": colCountry, "kind": colKind, "unit": colUnit,
	"population": colPopulation, "population_year": colPopulationYear, "area_km2": colArea,
	"location": colLat, "codes.katottg": colKATOTTG, "codes.lau": colLAU, "codes.nuts3": colNUTS3,
	"codes.geonames": colGeoNames, "codes.wikidata": colWikidata, "themes": colThemes,
}

func parseMunicipalities(r io.Reader, file string) ([]graph.Municipality, []int, error) {
	return readTable(r, file, MunicipalityHeader, (*table).municipality)
}

// readTable reads every row of a table with the given header through row,
// and returns the values with the line of each; the first error stops it.
func readTable[T any](r io.Reader, file string, header []string, row func(*table) (T, error)) ([]T, []int, error) {
	t, err := newTable(r, file, header)
	if err != nil {
		return nil, nil, err
	}
	var (
		out   []T
		lines []int
	)
	for {
		ok, err := t.next()
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return out, lines, nil
		}
		v, err := row(t)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, v)
		lines = append(lines, t.line())
	}
}

func (t *table) municipality() (graph.Municipality, error) {
	f := t.record
	m := graph.Municipality{
		ID:        f[colID],
		Name:      f[colName],
		NameLatin: f[colNameLatin],
		AltNames:  splitList(f[colAltNames]),
		Country:   f[colCountry],
		Region:    graph.Region{Code: f[colRegionCode], Name: f[colRegionName]},
		Kind:      graph.Kind(f[colKind]),
		Codes: graph.Codes{
			KATOTTG: f[colKATOTTG], LAU: f[colLAU], NUTS3: f[colNUTS3],
			GeoNames: f[colGeoNames], Wikidata: f[colWikidata],
		},
		Themes: splitList(f[colThemes]),
		Source: f[colSource],
	}
	if f[colUnit] != "" || f[colUnitEnglish] != "" {
		m.Unit = &graph.Unit{Local: f[colUnit], English: f[colUnitEnglish]}
	}
	var err error
	if m.Population, err = t.wholeNumber(colPopulation, "population"); err != nil {
		return m, err
	}
	year, err := t.wholeNumber(colPopulationYear, "population_year")
	if err != nil {
		return m, err
	}
	m.PopulationYear = int(year)
	if m.AreaKm2, err = t.number(colArea, "area_km2"); err != nil {
		return m, err
	}
	lat, lon := strings.TrimSpace(f[colLat]), strings.TrimSpace(f[colLon])
	switch {
	case lat == "" && lon == "":
	case lat == "":
		return m, t.invalid(colLat, "lat", "is empty while lon is %q: set both or neither", lon)
	case lon == "":
		return m, t.invalid(colLon, "lon", "is empty while lat is %q: set both or neither", lat)
	default:
		p := &graph.Point{}
		if p.Lat, err = t.number(colLat, "lat"); err != nil {
			return m, err
		}
		if p.Lon, err = t.number(colLon, "lon"); err != nil {
			return m, err
		}
		m.Location = p
	}
	if err := m.Validate(); err != nil {
		field := graph.ErrorField(err)
		col, ok := validateColumn[field]
		if !ok {
			col = colID
		}
		return m, t.fieldErr(col, MunicipalityHeader[col], err)
	}
	return m, nil
}

// wholeNumber parses column col as a non-negative whole number; "" is 0.
func (t *table) wholeNumber(col int, name string) (int64, error) {
	s := strings.TrimSpace(t.record[col])
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, t.invalid(col, name, "%q is not a whole number", s)
	}
	return n, nil
}

// number parses column col as a finite decimal number; "" is 0.
func (t *table) number(col int, name string) (float64, error) {
	s := strings.TrimSpace(t.record[col])
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, t.invalid(col, name, "%q is not a decimal number", s)
	}
	return v, nil
}

// splitList splits a '|'-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, "|") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func parsePartnerships(r io.Reader, file string) ([]graph.Partnership, []int, error) {
	return readTable(r, file, PartnershipHeader, (*table).partnership)
}

func (t *table) partnership() (graph.Partnership, error) {
	f := t.record
	p := graph.Partnership{
		A: f[0], B: f[1],
		Kind:   graph.PartnershipKind(f[2]),
		Status: graph.Status(f[3]),
		Source: f[5],
	}
	since, err := t.wholeNumber(4, "since")
	if err != nil {
		return p, err
	}
	if since > math.MaxInt32 {
		return p, t.invalid(4, "since", "%q is not a year", f[4])
	}
	p.Since = int(since)
	if err := p.Validate(); err != nil {
		col := slices.Index(PartnershipHeader, graph.ErrorField(err))
		if col < 0 {
			col = 0
		}
		return p, t.fieldErr(col, PartnershipHeader[col], err)
	}
	p.Normalize()
	return p, nil
}

// Load parses the embedded sample and upserts it into s, municipalities
// first, in batches of BatchSize. It returns what the municipality upserts
// and the partnership upserts did. Loading twice leaves the store as it was
// (the second load reports everything unchanged or updated).
func Load(ctx context.Context, s graph.Store) (graph.UpsertResult, graph.UpsertResult, error) {
	data, err := Parse()
	if err != nil {
		return graph.UpsertResult{}, graph.UpsertResult{}, err
	}
	return LoadData(ctx, s, data)
}

// LoadData upserts data into s, municipalities first, in batches of
// BatchSize.
func LoadData(ctx context.Context, s graph.Store, data Data) (graph.UpsertResult, graph.UpsertResult, error) {
	var mres, pres graph.UpsertResult
	for start := 0; start < len(data.Municipalities); start += BatchSize {
		end := min(start+BatchSize, len(data.Municipalities))
		r, err := s.UpsertMunicipalities(ctx, data.Municipalities[start:end])
		if err != nil {
			return mres, pres, fmt.Errorf("sample: upsert municipalities %d-%d of %d: %w", start+1, end, len(data.Municipalities), err)
		}
		add(&mres, r)
	}
	for start := 0; start < len(data.Partnerships); start += BatchSize {
		end := min(start+BatchSize, len(data.Partnerships))
		r, err := s.UpsertPartnerships(ctx, data.Partnerships[start:end])
		if err != nil {
			return mres, pres, fmt.Errorf("sample: upsert partnerships %d-%d of %d: %w", start+1, end, len(data.Partnerships), err)
		}
		add(&pres, r)
	}
	return mres, pres, nil
}

func add(total *graph.UpsertResult, r graph.UpsertResult) {
	total.Created += r.Created
	total.Updated += r.Updated
	total.Unchanged += r.Unchanged
}

// LoadIfEmpty loads the embedded sample into s when s holds no
// municipality, and reports whether it did.
func LoadIfEmpty(ctx context.Context, s graph.Store) (bool, error) {
	c, err := s.Counts(ctx)
	if err != nil {
		return false, fmt.Errorf("sample: count the store: %w", err)
	}
	if c.Municipalities > 0 {
		return false, nil
	}
	if _, _, err := Load(ctx, s); err != nil {
		return false, err
	}
	return true, nil
}
