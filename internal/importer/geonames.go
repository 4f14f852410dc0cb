package importer

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"

	"github.com/twinning/twinning/graph"
)

// SourceGeoNames is the Source of municipalities created from GeoNames.
const SourceGeoNames = "geonames"

// Country is one row of GeoNames' countryInfo.txt.
type Country struct {
	ISO       string // ISO 3166-1 alpha-2
	Name      string
	Continent string // AF, AN, AS, EU, NA, OC, SA
}

// ParseCountryInfo reads GeoNames' countryInfo.txt: "#" comment lines, then
// tab-separated rows whose columns 1, 5 and 9 are the ISO code, the name
// and the continent. It returns the countries by ISO code.
func ParseCountryInfo(r io.Reader, file string) (map[string]Country, error) {
	file = filepath.Base(file)
	out := map[string]Country{}
	err := eachTSVLine(r, func(line int, text string) error {
		if strings.HasPrefix(text, "#") || strings.TrimSpace(text) == "" {
			return nil
		}
		f := strings.Split(text, "\t")
		if len(f) < 9 {
			return &RowError{File: file, Line: line, Message: fmt.Sprintf("has %d tab-separated columns, expected at least 9 (ISO ... Continent)", len(f))}
		}
		if !graph.ValidCountry(f[0]) {
			return &RowError{File: file, Line: line, Column: "ISO", Message: fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 code", f[0])}
		}
		out[f[0]] = Country{ISO: f[0], Name: f[4], Continent: f[8]}
		return nil
	})
	return out, err
}

// ParseAdmin1 reads a GeoNames admin1CodesASCII file ("CC.CODE", name,
// ASCII name, geonameid; tab-separated, "#" lines ignored) and returns the
// names by "CC.CODE".
func ParseAdmin1(r io.Reader, file string) (map[string]string, error) {
	file = filepath.Base(file)
	out := map[string]string{}
	err := eachTSVLine(r, func(line int, text string) error {
		if strings.HasPrefix(text, "#") || strings.TrimSpace(text) == "" {
			return nil
		}
		f := strings.Split(text, "\t")
		if len(f) < 2 || !strings.Contains(f[0], ".") {
			return &RowError{File: file, Line: line, Message: fmt.Sprintf("%q is not CC.CODE<TAB>name...", truncate(text, 60))}
		}
		out[f[0]] = f[1]
		return nil
	})
	return out, err
}

// eachTSVLine calls fn for every line (without its end) with its number,
// stripping a byte-order mark at the start.
func eachTSVLine(r io.Reader, fn func(line int, text string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, bom)
		}
		if err := fn(line, text); err != nil {
			return err
		}
	}
	return sc.Err()
}

// GeoNamesFilter says which GeoNames places to keep.
type GeoNamesFilter struct {
	// Countries keeps places in these ISO codes; empty keeps all.
	Countries map[string]bool
	// Districts keeps city districts (feature code PPLX), left out by
	// default.
	Districts bool
	// CountryNames and Admin1 (by "CC.CODE") name countries and regions;
	// either may be nil.
	CountryNames map[string]Country
	Admin1       map[string]string
}

// DefaultCountries returns the countries imported from GeoNames by
// default: those of continent EU in countryInfo, plus Georgia, Armenia,
// Azerbaijan and Cyprus.
func DefaultCountries(info map[string]Country) map[string]bool {
	out := map[string]bool{"GE": true, "AM": true, "AZ": true, "CY": true}
	for iso, c := range info {
		if c.Continent == "EU" {
			out[iso] = true
		}
	}
	return out
}

// geonamesColumns names the 19 columns of a GeoNames dump, for messages.
var geonamesColumns = []string{"geonameid", "name", "asciiname", "alternatenames", "latitude", "longitude",
	"feature class", "feature code", "country code", "cc2", "admin1 code", "admin2 code", "admin3 code",
	"admin4 code", "population", "elevation", "dem", "timezone", "modification date"}

// ParseGeoNames reads a GeoNames dump (cities500.txt ... allCountries.txt:
// UTF-8, 19 tab-separated columns, no header) and returns the populated
// places (feature class P) that f keeps, and a RowError per bad row of a
// kept country. Rows of other countries and classes are counted in skipped
// by reason and not checked further, so that allCountries.txt streams fast.
//
// Name is the GeoNames name, NameLatin its ASCII name when it differs, else
// the name (transliterated by graph.LatinName when it is not in Latin script
// and the dump has no ASCII name), and the alternate names in Latin,
// Cyrillic or Greek script become alternative names. Kind is city for
// capitals (PPLC), seats of first and second-level divisions (PPLA, PPLA2)
// and places of 50,000 or more, town from 2,000, else village. Region is the
// first-level division: for Ukraine the ISO 3166-2 oblast ("UA-46"),
// elsewhere "CC.ADMIN1" as GeoNames codes it, named from f.Admin1. The id is
// "gn-" and the geonameid. A place in Crimea or Sevastopol (UA-43, UA-40)
// is marked occupied before 2022.
//
// The reduced layout of cities1000.tsv is read too: a first line
// "#geonameid<TAB>name<TAB>alt_name..." (ReducedGeoNamesHeader), then 9
// columns (geonameid, name, alt_name, latitude, longitude, feature code,
// country code, admin1 code, population), all populated places. Its
// records are marked AddOnly: the layout has no ASCII or alternate names,
// so it adds places to the store and never rewrites one that a full dump
// gave.
func ParseGeoNames(r io.Reader, file string, f GeoNamesFilter) (recs []Record, bad []*RowError, read int, skipped map[string]int, err error) {
	file = filepath.Base(file)
	skipped = map[string]int{}
	reduced := false
	err = eachTSVLine(r, func(line int, text string) error {
		if line == 1 && strings.HasPrefix(text, ReducedGeoNamesHeader) {
			reduced = true
			return nil
		}
		if strings.TrimSpace(text) == "" || (reduced && strings.HasPrefix(text, "#")) {
			return nil
		}
		read++
		cols := strings.Split(text, "\t")
		pos := Pos{File: file, Line: line}
		if reduced {
			if len(cols) != len(reducedColumns) {
				bad = append(bad, rowErrorf(pos, "", "has %d tab-separated columns, expected %d (%s)", len(cols), len(reducedColumns), strings.Join(reducedColumns, ", ")))
				return nil
			}
			cols = fullGeoNamesRow(cols)
		}
		if len(cols) != 19 {
			bad = append(bad, rowErrorf(pos, "", "has %d tab-separated columns, expected 19 (%s ... %s)", len(cols), geonamesColumns[0], geonamesColumns[18]))
			return nil
		}
		cc := strings.TrimSpace(cols[8])
		if len(f.Countries) > 0 && !f.Countries[cc] {
			skipped["country not selected"]++
			return nil
		}
		if cols[6] != "P" {
			skipped["not a populated place (feature class is not P)"]++
			return nil
		}
		if cols[7] == "PPLX" && !f.Districts {
			skipped["city district (PPLX), see -districts"]++
			return nil
		}
		if rec, re := geonamesRecord(cols, pos, f); re != nil {
			bad = append(bad, re)
		} else {
			rec.AddOnly = reduced
			recs = append(recs, rec)
		}
		return nil
	})
	if err != nil {
		err = fmt.Errorf("read %s: %w", file, err)
	}
	return recs, bad, read, skipped, err
}

// ReducedGeoNamesHeader starts the first line of a GeoNames file in the
// reduced layout of cities1000.tsv (see ParseGeoNames).
const ReducedGeoNamesHeader = "#geonameid\tname\talt_name\t"

// reducedColumns names the 9 columns of the reduced layout.
var reducedColumns = []string{"geonameid", "name", "alt_name", "latitude", "longitude", "feature_code", "country_code", "admin1_code", "population"}

// fullGeoNamesRow places the columns of a reduced row where a full dump
// has them: alt_name as the alternate names, feature class P.
func fullGeoNamesRow(c []string) []string {
	full := make([]string, 19)
	full[0], full[1], full[3], full[4], full[5] = c[0], c[1], c[2], c[3], c[4]
	full[6], full[7], full[8], full[10], full[14] = "P", c[5], c[6], c[7], c[8]
	return full
}

var digits = regexp.MustCompile(`^\d{1,12}$`)

func geonamesRecord(cols []string, pos Pos, f GeoNamesFilter) (Record, *RowError) {
	fr := &fieldReader{pos: pos}
	id := fr.required("geonameid", cols[0])
	if fr.err == nil && !digits.MatchString(id) {
		fr.fail("geonameid", "%q is not a GeoNames id (1-12 digits)", id)
	}
	name := fr.required("name", strings.TrimSpace(cols[1]))
	lat, lon := fr.latLon("latitude", cols[4], "longitude", cols[5])
	cc := cols[8]
	if fr.err == nil && !graph.ValidCountry(cc) {
		fr.fail("country code", "%q is not an ISO 3166-1 alpha-2 code", cc)
	}
	pop := fr.count("population", cols[14])
	if fr.err != nil {
		return Record{}, fr.err
	}
	m := graph.Municipality{
		ID:       "gn-" + id,
		Name:     name,
		Country:  cc,
		Kind:     geonamesKind(cols[7], pop),
		Location: &graph.Point{Lat: lat, Lon: lon},
		Codes:    graph.Codes{GeoNames: id},
		Source:   SourceGeoNames,
	}
	if ascii := strings.TrimSpace(cols[2]); ascii != "" && ascii != name {
		m.NameLatin = ascii
	} else {
		m.NameLatin = latinName(name, cc)
	}
	if pop > 0 {
		m.Population = pop
	}
	m.Region = geonamesRegion(cc, cols[10], f.Admin1)
	if m.Region.Code == "UA-43" || m.Region.Code == "UA-40" {
		// Crimea and Sevastopol, occupied since 2014, are not in the KSE
		// table, which says this of every other occupied hromada.
		m.War = &graph.WarStatus{OccupiedBefore2022: true}
	}
	for _, alt := range strings.Split(cols[3], ",") {
		if usefulAltName(alt) {
			m.AltNames = append(m.AltNames, strings.TrimSpace(alt))
		}
	}
	tidyNames(&m)
	if len(m.AltNames) > maxAltNames {
		m.AltNames = m.AltNames[:maxAltNames]
	}
	return Record{Municipality: m, Pos: pos}, nil
}

// maxAltNames caps the alternative names kept from one GeoNames place.
const maxAltNames = 40

func geonamesKind(code string, pop int64) graph.Kind {
	switch {
	case code == "PPLC" || code == "PPLA" || code == "PPLA2" || pop >= 50000:
		return graph.KindCity
	case pop >= 2000:
		return graph.KindTown
	}
	return graph.KindVillage
}

func geonamesRegion(cc, admin1 string, names map[string]string) graph.Region {
	admin1 = strings.TrimSpace(admin1)
	if admin1 == "" || admin1 == "00" {
		return graph.Region{}
	}
	if cc == "UA" {
		if r, ok := geonamesUkrainianRegion(admin1); ok {
			return r
		}
	}
	key := cc + "." + admin1
	return graph.Region{Code: key, Name: names[key]}
}

// usefulAltName keeps alternate names written in Latin, Cyrillic or Greek
// letters, without digits, that are not all-capital abbreviations.
func usefulAltName(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 80 {
		return false
	}
	letters, upper := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			return false
		case unicode.IsLetter(r):
			if !unicode.In(r, unicode.Latin, unicode.Cyrillic, unicode.Greek) {
				return false
			}
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		case r == ' ' || r == '-' || r == '\'' || r == '’' || r == '.' || r == '(' || r == ')' || unicode.Is(unicode.Mn, r):
		default:
			return false
		}
	}
	return letters > 0 && !(upper == letters && letters <= 5)
}

// isLatin reports whether every letter of s is Latin.
func isLatin(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

// ImportGeoNames imports a GeoNames dump (see ParseGeoNames).
func (im *Importer) ImportGeoNames(ctx context.Context, r io.Reader, file string, f GeoNamesFilter) (*Report, error) {
	rep := newReport("geonames", filepath.Base(file))
	r, inBytes := startReading(im.opts.Progress, r, file)
	recs, bad, n, skipped, err := ParseGeoNames(r, file, f)
	if !inBytes {
		im.opts.Progress.Add(n) // the rows read, for "done, 32,847 in 350ms"
	}
	im.opts.Progress.Done()
	if err != nil {
		return rep, err
	}
	rep.Read = n
	for reason, c := range skipped {
		rep.Skipped[reason] += c
	}
	for _, e := range bad {
		rep.bad(e)
	}
	return rep, im.importMunicipalities(ctx, rep, SourceGeoNames, "geonames", recs)
}

// ParseCountryList parses "UA,PL,de" into a set of ISO codes.
func ParseCountryList(s string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, c := range strings.Split(s, ",") {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "" {
			continue
		}
		if !graph.ValidCountry(c) {
			return nil, fmt.Errorf("%q is not an ISO 3166-1 alpha-2 country code", c)
		}
		out[c] = true
	}
	return out, nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
