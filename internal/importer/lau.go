package importer

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/samber/lo"

	"github.com/twinning/twinning/graph"
)

// SourceLAU is the Source of municipalities created from Eurostat LAU data.
const SourceLAU = "lau"

// lauColumns are the columns of a LAU centre file the importer needs.
var lauColumns = []string{"gisco_id", "longitude", "latitude", "country", "nuts_2", "nuts_3", "lau_id", "lau_name", "population", "area_km2"}

var (
	lauIDPattern = regexp.MustCompile(`^[A-Z]{2}_[0-9A-Za-z.\-/_]{1,24}$`)
	nutsPattern  = regexp.MustCompile(`^[A-Z]{2}[0-9A-Z]{1,3}$`)
	idUnsafe     = regexp.MustCompile(`[^a-z0-9._:-]`)
)

// euCountry maps the country codes that Eurostat writes differently from
// ISO 3166-1 (EL for Greece, UK for the United Kingdom).
func euCountry(c string) string {
	switch c {
	case "EL":
		return "GR"
	case "UK":
		return "GB"
	}
	return c
}

// ParseLAU reads one Eurostat LAU centre file (CSV with the header
// gisco_id,longitude,latitude,country,nuts_2,nuts_3,lau_id,lau_name,
// population,area_km2,year,fid,concordance,pop_weighted) and returns a
// record per valid row and a RowError per bad one.
//
// Codes.LAU is gisco_id, Codes.NUTS3 is nuts_3, Region is the NUTS 2 code
// (without a name), Country is the ISO code (EL → GR, UK → GB), Unit
// says what the unit is in its country (lauUnit, polishNamesakes: "gmina
// wiejska", "comună", "kreisfreie Stadt", "κοινότητα") and Kind follows
// from it (lau when it does not tell), population (missing as "NA" in 129 rows) is of 2018. NameLatin is
// the name, or its transliteration by graph.LatinName when it is in Greek
// or Cyrillic script ("Λευκωσία" → "Lefkosia"). A name of the form
// "Flensburg, Stadt" gets the part before the comma as an alternative
// name, and one that starts with the word for its kind of unit
// ("Municipiul Iaşi", "Oraş Bicaz") the name without it. The id is "lau-"
// and gisco_id in lower case with "_" written "-" ("PL_1261011" →
// "lau-pl-1261011").
func ParseLAU(r io.Reader, file string) ([]Record, []*RowError, int, error) {
	recs, bad, n, err := readCSV(r, file, lauColumns, lauRecord)
	polishNamesakes(recs)
	return recs, bad, n, err
}

func lauRecord(row csvRow) (Record, *RowError) {
	f := &fieldReader{pos: row.pos}
	gisco := f.required("gisco_id", row.get("gisco_id"))
	if f.err == nil && !lauIDPattern.MatchString(gisco) {
		f.fail("gisco_id", "%q is not a GISCO LAU id (CC_ and 1-24 letters, digits, . - / _)", gisco)
	}
	name := f.required("lau_name", row.get("lau_name"))
	lat, lon := f.latLon("latitude", row.get("latitude"), "longitude", row.get("longitude"))
	country := euCountry(f.required("country", row.get("country")))
	if f.err == nil && !graph.ValidCountry(country) {
		f.fail("country", "%q is not a two-letter country code", row.get("country"))
	}
	nuts2, nuts3 := row.get("nuts_2"), row.get("nuts_3")
	if f.err == nil && !isMissing(nuts3) && !nutsPattern.MatchString(nuts3) {
		f.fail("nuts_3", "%q is not a NUTS 3 code (2 letters and 1-3 letters or digits)", nuts3)
	}
	pop := f.count("population", row.get("population"))
	area := f.area("area_km2", row.get("area_km2"))
	if f.err != nil {
		return Record{}, f.err
	}
	m := graph.Municipality{
		ID:       "lau-" + idUnsafe.ReplaceAllString(strings.ToLower(strings.Replace(gisco, "_", "-", 1)), "."),
		Name:     name,
		Country:  country,
		Kind:     graph.KindLAU,
		AreaKm2:  area,
		Location: &graph.Point{Lat: lat, Lon: lon},
		Codes:    graph.Codes{LAU: gisco},
		Source:   SourceLAU,
	}
	m.NameLatin = latinName(name, country)
	m.Unit, m.Kind = lauUnit(country, gisco, name, pop)
	if !isMissing(nuts2) {
		m.Region = graph.Region{Code: nuts2}
	}
	if !isMissing(nuts3) {
		m.Codes.NUTS3 = nuts3
	}
	if pop > 0 {
		m.Population, m.PopulationYear = pop, 2018
	}
	m.AltNames = append(m.AltNames, lauAltNames(name, country)...)
	tidyNames(&m)
	return Record{Municipality: m, Pos: row.pos}, nil
}

// lauUnitSuffix is the word for the kind of unit after an Estonian,
// Latvian or Scottish LAU name ("Otepää vald", "Haapsalu linn", "Bauskas
// novads", "Aberdeen City").
var lauUnitSuffix = regexp.MustCompile(`\s+(?:vald|linn|novads|City)$`)

// lithuanianUnit is a Lithuanian LAU name: the town in the genitive, then
// "miesto" (city) or "rajono" (district) and "savivaldybė".
var lithuanianUnit = regexp.MustCompile(`^(.+?)\s+(?:miesto\s+|rajono\s+)?savivaldybė$`)

// lithuanianNominative maps the genitive endings of Lithuanian town names
// to the nominative ones they may stand for (Vilniaus Vilnius, Kauno
// Kaunas, Šiaulių Šiauliai, Kelmės Kelmė, Klaipėdos Klaipėda, Rokiškio
// Rokiškis, Pasvalio Pasvalys), longest ending first.
var lithuanianNominative = [][2]string{
	{"ių", "iai"}, {"aus", "us"}, {"ės", "ė"}, {"os", "a"}, {"io", "is"}, {"io", "ys"}, {"ų", "ai"}, {"o", "as"}, {"o", "is"},
}

// lauAltNames returns the other names a LAU name stands for: the part
// before a comma ("Flensburg, Stadt"), before a parenthesis ("Oldenburg
// (Oldenburg), Stadt"), each side of a bilingual name ("Antwerpen /
// Anvers"), the name without the word for its kind before
// (withoutUnitPrefix: "Municipiul Iaşi", "Grad Zagreb") or after it
// ("Otepää vald", "Aberdeen City"), and a Lithuanian unit's town in the nominative
// ("Vilniaus miesto savivaldybė": Vilnius).
func lauAltNames(name, country string) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && s != name {
			out = append(out, s)
		}
	}
	before, _, _ := strings.Cut(name, ",")
	add(before)
	if i := strings.Index(before, "("); i > 0 {
		add(before[:i])
	}
	if strings.Contains(name, " / ") {
		for _, part := range strings.Split(name, " / ") {
			add(part)
		}
	}
	add(withoutUnitPrefix(name))
	add(lauUnitSuffix.ReplaceAllString(name, ""))
	if m := lithuanianUnit.FindStringSubmatch(name); m != nil && country == "LT" {
		for _, e := range lithuanianNominative {
			if stem, ok := strings.CutSuffix(m[1], e[0]); ok && stem != "" {
				add(stem + e[1])
			}
		}
	}
	return out
}

// LAUFiles expands the arguments of the lau command: a directory stands
// for the *.csv files in it, in name order.
func LAUFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("lau input: %w", err)
		}
		if !fi.IsDir() {
			out = append(out, a)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(a, "*.csv"))
		if err != nil {
			return nil, fmt.Errorf("lau input %s: %w", a, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("lau input %s: no *.csv files in the directory", a)
		}
		out = append(out, matches...)
	}
	return out, nil
}

// ImportLAU imports LAU centre files (see ParseLAU) in one pass: all files
// are parsed before the first write.
func (im *Importer) ImportLAU(ctx context.Context, files []string) (*Report, error) {
	rep := newReport("lau")
	var recs []Record
	im.opts.Progress.Start("reading LAU files", len(files))
	rep.Files = lo.Map(files, func(path string, _ int) string { return filepath.Base(path) })
	for _, path := range files {
		fh, err := os.Open(path)
		if err != nil {
			im.opts.Progress.Done()
			return rep, fmt.Errorf("lau: %w", err)
		}
		rs, bad, n, err := ParseLAU(fh, path)
		fh.Close()
		if err != nil {
			im.opts.Progress.Done()
			return rep, fmt.Errorf("lau: %w", err)
		}
		rep.Read += n
		for _, e := range bad {
			rep.bad(e)
		}
		recs = append(recs, rs...)
		im.opts.Progress.Add(1)
	}
	im.opts.Progress.Done()
	if err := im.nameRegions(ctx, recs); err != nil {
		return rep, err
	}
	return rep, im.importMunicipalities(ctx, rep, SourceLAU, "lau", recs)
}

// RegionNameShare is the least share of a NUTS 2 region's merged places
// whose GeoNames region must bear one name for the region to take it.
const RegionNameShare = 0.9

// nameRegions names the NUTS 2 regions of LAU records, which the LAU
// files give by code only ("PL81"): each takes the GeoNames region name
// ("Lublin") that at least RegionNameShare of its units' GeoNames places
// carry, the place a unit is merged with (found by the unit's code, or by
// the merge rule on a first import), so that a list reads "Hrubieszów
// (Lublin)"; a region whose places lie in several GeoNames regions (a
// Romanian development region of six counties) keeps its code alone.
func (im *Importer) nameRegions(ctx context.Context, recs []Record) error {
	ix, err := im.Index(ctx)
	if err != nil {
		return err
	}
	votes := map[string]map[string]int{}
	for _, r := range recs {
		code := r.Municipality.Region.Code
		if code == "" {
			continue
		}
		place, ok := ix.ByCode("lau", r.Municipality.Codes.LAU)
		if !ok {
			place, ok = mergeCandidate(ix, r.Municipality, "lau")
		}
		if !ok || owner(place.Source) != SourceGeoNames || place.Region.Name == "" {
			continue
		}
		if votes[code] == nil {
			votes[code] = map[string]int{}
		}
		votes[code][place.Region.Name]++
	}
	names := map[string]string{}
	for code, vs := range votes {
		best, total := "", 0
		for name, n := range vs {
			total += n
			if n > vs[best] || (n == vs[best] && name < best) {
				best = name
			}
		}
		if float64(vs[best]) >= RegionNameShare*float64(total) {
			names[code] = best
		}
	}
	for i := range recs {
		if n := names[recs[i].Municipality.Region.Code]; n != "" {
			recs[i].Municipality.Region.Name = n
		}
	}
	return nil
}
