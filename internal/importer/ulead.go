package importer

import (
	"context"
	"html"
	"io"
	"strings"

	"github.com/twinning/twinning/graph"
)

// SourceULEAD is the Source of partnerships from the U-LEAD/GIZ map.
const SourceULEAD = "ulead"

// uleadColumns is the header of the U-LEAD/GIZ partnership map
// (ua-partnerships/ulead-map.csv).
var uleadColumns = []string{"katottg", "ua_name", "partner_name", "partner_country"}

// ParseULEAD reads the U-LEAD/GIZ partnership map of Ukrainian hromadas
// (CSV with the header katottg,ua_name,partner_name,partner_country and
// optionally partner_country_raw) and returns a row per valid line and a
// RowError per bad one. The Ukrainian side is the hromada of the KATOTTG
// code (empty in some rows: then its short name, ua_name, alone), the
// other the partner by name within its country (an ISO code). HTML
// entities in names (&#39;) are decoded and runs of spaces folded; no row
// has a point or a date.
func ParseULEAD(r io.Reader, file string) ([]PairRow, []*RowError, int, error) {
	return readCSV(r, file, uleadColumns, uleadRow)
}

// uleadRow reads one row of the U-LEAD/GIZ map.
func uleadRow(row csvRow) (PairRow, *RowError) {
	f := &fieldReader{pos: row.pos}
	code := strings.TrimSpace(row.get("katottg"))
	if code != "" && !katottgPattern.MatchString(code) {
		f.fail("katottg", "%q is not a KATOTTG code (UA and 17 digits)", code)
	}
	ua := Place{Name: cleanName(f.required("ua_name", row.get("ua_name"))), CountryRaw: "UA", Country: "UA", KATOTTG: code}
	cc := strings.ToUpper(strings.TrimSpace(f.required("partner_country", row.get("partner_country"))))
	if f.err == nil && !graph.ValidCountry(cc) {
		f.fail("partner_country", "%q is not a two-letter country code", row.get("partner_country"))
	}
	partner := Place{Name: cleanName(f.required("partner_name", row.get("partner_name"))), CountryRaw: row.get("partner_country_raw"), Country: cc}
	if partner.CountryRaw == "" {
		partner.CountryRaw = cc
	}
	if f.err != nil {
		return PairRow{}, f.err
	}
	return PairRow{Pos: row.pos, A: ua, B: partner}, nil
}

// cleanName decodes HTML entities and folds runs of white space, as the
// partnership registers carry both.
func cleanName(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

// ImportULEAD imports the U-LEAD/GIZ partnership map (see ParseULEAD):
// the hromada by its KATOTTG code, checked against the name the row gives,
// the partner by Resolver within its country; every row whose sides
// resolve becomes a twinning partnership with source "ulead", active
// unless a side lies in graph.SuspendedCountries. A pair already stored
// from another source is kept as it is.
func (im *Importer) ImportULEAD(ctx context.Context, r io.Reader, file string, opts PairOptions) (*Report, error) {
	rep, rows, err := parseFile(im, "ulead", r, file, ParseULEAD)
	if err != nil {
		return rep, err
	}
	opts.Source = SourceULEAD
	return rep, im.importPairs(ctx, rep, rows, opts)
}
