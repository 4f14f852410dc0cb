package importer

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/twinning/twinning/graph"
)

// The Sources of partnerships from the registers of today's partnerships
// of Ukrainian hromadas (../shared/data/ua-partnerships).
const (
	SourceULEAD    = "ulead"    // the U-LEAD/GIZ partnership map
	SourceMinistry = "ministry" // the ministry's partnership map
	SourceRegister = "register" // the register of international territorial cooperation agreements
)

// Registry is one kind of register file: the columns its header must have
// and the Source of the partnerships it gives.
type Registry struct {
	Kind    string   // the Report's kind
	Source  string   // the partnerships' Source
	UAName  string   // the column of the hromada's short name
	Columns []string // the columns the header must have
	Dated   bool     // whether rows carry a signed_date
}

// Registries are the register files ImportRegistry recognises, by the
// column that tells each apart: ua_name (the U-LEAD map), signed_date (the
// register of agreements), else hromada (the ministry's map).
var Registries = []Registry{
	{Kind: "ulead", Source: SourceULEAD, UAName: "ua_name", Columns: []string{"katottg", "ua_name", "partner_name", "partner_country"}},
	{Kind: "register", Source: SourceRegister, UAName: "hromada", Columns: []string{"katottg", "hromada", "partner_name", "partner_country", "signed_date"}, Dated: true},
	{Kind: "ministry", Source: SourceMinistry, UAName: "hromada", Columns: []string{"katottg", "hromada", "partner_name", "partner_country"}},
}

// DetectRegistry returns the Registry whose columns the header line has,
// trying Registries in order, or an error naming what was expected.
func DetectRegistry(header, file string) (Registry, error) {
	cols := map[string]bool{}
	for _, c := range strings.Split(strings.TrimPrefix(strings.TrimSpace(header), bom), ",") {
		cols[strings.Trim(strings.TrimSpace(c), `"`)] = true
	}
	for _, reg := range Registries {
		ok := true
		for _, c := range reg.Columns {
			ok = ok && cols[c]
		}
		if ok {
			return reg, nil
		}
	}
	var want []string
	for _, reg := range Registries {
		want = append(want, reg.Kind+": "+strings.Join(reg.Columns, ","))
	}
	return Registry{}, &RowError{File: filepath.Base(file), Line: 1,
		Message: "the header is not that of a partnership register; expected the columns of one of " + strings.Join(want, "; ")}
}

// ParseRegistry reads a register of today's partnerships of Ukrainian
// hromadas as reg describes it and returns a row per valid line and a
// RowError per bad one. The Ukrainian side is the hromada of the KATOTTG
// code (empty in some rows: then its short name alone), the other the
// partner by name within its country (an ISO code). Names lose HTML
// entities (&#39;), runs of spaces and the word for the kind of place
// before them ("м. Барі", "Гміна Заршин": see withoutUnitPrefix); a signing date
// (YYYY-MM-DD or YYYY) gives the partnership's year.
func ParseRegistry(r io.Reader, file string, reg Registry) ([]PairRow, []*RowError, int, error) {
	return readCSV(r, file, reg.Columns, func(row csvRow) (PairRow, *RowError) { return registryRow(row, reg) })
}

// registryRow reads one row of a register.
func registryRow(row csvRow, reg Registry) (PairRow, *RowError) {
	f := &fieldReader{pos: row.pos}
	code := strings.TrimSpace(row.get("katottg"))
	if code != "" && !katottgPattern.MatchString(code) {
		f.fail("katottg", "%q is not a KATOTTG code (UA and 17 digits)", code)
	}
	name := row.get(reg.UAName)
	if name == "" && code == "" {
		name = row.get("ua_side") // the register's parties it could not match
	}
	ua := Place{Name: cleanName(f.required(reg.UAName, name)), CountryRaw: "UA", Country: "UA", KATOTTG: code}
	cc := strings.ToUpper(strings.TrimSpace(f.required("partner_country", row.get("partner_country"))))
	if f.err == nil && !graph.ValidCountry(cc) {
		f.fail("partner_country", "%q is not a two-letter country code", row.get("partner_country"))
	}
	partner := Place{Name: withoutUnitPrefix(cleanName(f.required("partner_name", row.get("partner_name")))), CountryRaw: cc, Country: cc}
	since := 0
	if d := row.get("signed_date"); reg.Dated && d != "" {
		y, err := strconv.Atoi(d[:min(4, len(d))])
		if err != nil || y < 1900 || y > 2100 || (len(d) != 4 && len(d) != 10) {
			f.fail("signed_date", "%q is not a date YYYY-MM-DD or a year YYYY", d)
		}
		since = y
	}
	if f.err != nil {
		return PairRow{}, f.err
	}
	return PairRow{Pos: row.pos, A: ua, B: partner, Since: since}, nil
}

// cleanName decodes HTML entities and folds runs of white space, as the
// partnership registers carry both.
func cleanName(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

// ImportRegistry imports a register of today's partnerships of Ukrainian
// hromadas: the U-LEAD/GIZ map, the ministry's map or the register of
// agreements, recognised by the header (see DetectRegistry and
// ParseRegistry). The hromada is found by its KATOTTG code, checked against
// the name the row gives, the partner by Resolver within its country;
// every row whose sides resolve becomes a twinning partnership with the
// register's Source (and the signing year, where given), active unless a
// side lies in graph.SuspendedCountries. A pair already stored from another
// source is kept as it is.
func (im *Importer) ImportRegistry(ctx context.Context, r io.Reader, file string, opts PairOptions) (*Report, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return newReport("registry", filepath.Base(file)), fmt.Errorf("%s: %w", filepath.Base(file), err)
	}
	first, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
	reg, err := DetectRegistry(string(first), file)
	if err != nil {
		return newReport("registry", filepath.Base(file)), err
	}
	rep, rows, err := parseFile(im, reg.Kind, bytes.NewReader(data), file, func(r io.Reader, file string) ([]PairRow, []*RowError, int, error) {
		return ParseRegistry(r, file, reg)
	})
	if err != nil {
		return rep, err
	}
	opts.Source = reg.Source
	return rep, im.importPairs(ctx, rep, rows, opts)
}
