package importer

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/twinning/twinning/graph"
)

// SourceKSE is the Source of municipalities created from the KSE hromada
// table.
const SourceKSE = "kse"

// hromadaColumns are the columns of the KSE table the importer needs.
var hromadaColumns = []string{"hromada_code", "hromada_name", "type", "oblast_name", "hromada_center", "lat_center", "lon_center"}

var katottgPattern = regexp.MustCompile(`^UA\d{17}$`)

// ParseHromadas reads the KSE table of Ukrainian hromadas (a CSV file with
// a header; see the columns below) and returns one record per valid row and
// a RowError per bad one. An error is returned only when the file cannot be
// read at all or lacks a required column.
//
// Each hromada becomes one municipality that stands for the whole community
// (its population and area) and is named after its centre, which is how
// twin-town lists name it: Name is hromada_center in Cyrillic ("Львів"),
// NameLatin its romanisation by graph.Romanize ("Lviv"; through
// graph.LatinName, which also romanises a letter outside the Ukrainian
// alphabet), and the hromada's own names ("Львівська міська громада",
// "Львівська") are alternative names. Kind follows type: міська → city,
// селищна → town, сільська → village, and Unit says the same in words
// ("міська громада", city hromada). Region is the oblast as an ISO 3166-2
// code ("UA-46"), from oblast_name (Ukrainian), else the English
// oblast_name_en (misspellings in the file included), else the first two
// digits of the KATOTTG code. Population is total_popultaion_2022 (year
// 2022), area is square (km²); "NA" marks a missing value. War is
// occipied_before_2022 (sic) and the dates of the war_zone_DD_MM_2022
// columns that hold 1, nil when none does (or the columns are absent).
// The id is "ua-" and the 17 digits of the KATOTTG code.
func ParseHromadas(r io.Reader, file string) ([]Record, []*RowError, int, error) {
	return readCSV(r, file, hromadaColumns, hromadaRecord)
}

func hromadaRecord(row csvRow) (Record, *RowError) {
	f := &fieldReader{pos: row.pos}
	code := f.required("hromada_code", row.get("hromada_code"))
	if f.err == nil && !katottgPattern.MatchString(code) {
		f.fail("hromada_code", "%q is not a KATOTTG code (UA and 17 digits)", code)
	}
	centre := f.required("hromada_center", row.get("hromada_center"))
	kind := graph.KindVillage
	switch typ := row.get("type"); typ {
	case "міська":
		kind = graph.KindCity
	case "селищна":
		kind = graph.KindTown
	case "сільська":
		kind = graph.KindVillage
	default:
		f.fail("type", "%q is not one of міська, селищна, сільська", typ)
	}
	lat, lon := f.latLon("lat_center", row.get("lat_center"), "lon_center", row.get("lon_center"))
	area := f.area("square", row.get("square"))
	pop := f.count("total_popultaion_2022", row.get("total_popultaion_2022"))
	var region graph.Region
	if f.err == nil {
		var ok bool
		region, ok = oblastRegion(row.get("oblast_name"), row.get("oblast_name_en"), code)
		if !ok {
			f.fail("oblast_name", "%q (oblast_name_en %q) is not a known oblast and hromada_code %s does not name one", row.get("oblast_name"), row.get("oblast_name_en"), code)
		}
	}
	if f.err != nil {
		return Record{}, f.err
	}
	m := graph.Municipality{
		ID:        "ua-" + code[2:],
		Name:      centre,
		NameLatin: latinName(centre, "UA"),
		Country:   "UA",
		Region:    region,
		Kind:      kind,
		Unit:      unitOf(unitHromada, row.get("type")),
		AreaKm2:   area,
		Location:  &graph.Point{Lat: lat, Lon: lon},
		Codes:     graph.Codes{KATOTTG: code},
		Source:    SourceKSE,
	}
	if pop > 0 {
		m.Population, m.PopulationYear = pop, 2022
	}
	for _, col := range []string{"hromada_full_name", "hromada_name"} {
		if v := row.get(col); !isMissing(v) {
			m.AltNames = append(m.AltNames, v)
		}
	}
	var war graph.WarStatus
	war.OccupiedBefore2022 = f.flag("occipied_before_2022", row.get("occipied_before_2022"))
	for _, d := range graph.WarZoneDates {
		if col := warZoneColumn(d); f.flag(col, row.get(col)) {
			war.WarZone = append(war.WarZone, d)
		}
	}
	if f.err != nil {
		return Record{}, f.err
	}
	if war.Affected() {
		m.War = &war
	}
	tidyNames(&m)
	return Record{Municipality: m, Pos: row.pos}, nil
}

// warZoneColumn is the KSE table's column for a date of
// graph.WarZoneDates: "2022-04-27" → "war_zone_27_04_2022".
func warZoneColumn(date string) string {
	return "war_zone_" + date[8:10] + "_" + date[5:7] + "_" + date[:4]
}

// ImportHromadas imports the KSE hromada table (see ParseHromadas).
func (im *Importer) ImportHromadas(ctx context.Context, r io.Reader, file string) (*Report, error) {
	rep, recs, err := parseFile(im, "hromadas", r, file, ParseHromadas)
	if err != nil {
		return rep, err
	}
	return rep, im.importMunicipalities(ctx, rep, SourceKSE, "katottg", recs)
}

// oblastEnglish maps the English oblast names of the KSE table, as spelt
// there (misspellings included), to ISO codes.
var oblastEnglish = map[string]string{
	"vinnytsia": "UA-05", "vonyn": "UA-07", "volyn": "UA-07", "luhansk": "UA-09",
	"driproptrovska": "UA-12", "dnipropetrovsk": "UA-12", "donetks": "UA-14", "donetsk": "UA-14",
	"zhytomir": "UA-18", "zhytomyr": "UA-18", "zakarpatska": "UA-21", "zakarpattia": "UA-21",
	"zaporizka": "UA-23", "zaporizhzhia": "UA-23", "ivano frankivsk": "UA-26", "kyiv oblast": "UA-32",
	"kirovograd": "UA-35", "kirovohrad": "UA-35", "lviv": "UA-46", "mykolayiv": "UA-48", "mykolaiv": "UA-48",
	"odesa": "UA-51", "poltava": "UA-53", "rivenska": "UA-56", "rivne": "UA-56", "sumska": "UA-59", "sumy": "UA-59",
	"ternopilska": "UA-61", "ternopil": "UA-61", "kharkiv": "UA-63", "kherson": "UA-65",
	"khmelnitsk": "UA-68", "khmelnytskyi": "UA-68", "cherkassy": "UA-71", "cherkasy": "UA-71",
	"cherniveska": "UA-77", "chernivtsi": "UA-77", "chernigiv": "UA-74", "chernihiv": "UA-74",
}

// oblastRegion returns the oblast from its Ukrainian name, its English
// name or the KATOTTG code, in that order.
func oblastRegion(uk, en, katottg string) (graph.Region, bool) {
	uk = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(uk), "область"))
	for _, o := range graph.Oblasts {
		if o.AdjectiveUK == uk {
			return graph.Region{Code: o.Code, Name: o.NameEN}, true
		}
	}
	if iso, ok := oblastEnglish[graph.NameKey(en)]; ok {
		return ukrainianRegion(iso), true
	}
	if len(katottg) >= 4 {
		for _, o := range graph.Oblasts {
			if o.KATOTTG == katottg[2:4] {
				return graph.Region{Code: o.Code, Name: o.NameEN}, true
			}
		}
	}
	return graph.Region{}, false
}

// ukrainianRegion returns the region of an ISO 3166-2 code.
func ukrainianRegion(iso string) graph.Region {
	if o, ok := graph.OblastByCode(iso); ok {
		return graph.Region{Code: o.Code, Name: o.NameEN}
	}
	return graph.Region{Code: iso}
}

// geonamesUkrainianRegion maps a GeoNames admin1 code of Ukraine to its
// region.
func geonamesUkrainianRegion(admin1 string) (graph.Region, bool) {
	for _, o := range graph.Oblasts {
		if o.GeoNames == admin1 {
			return graph.Region{Code: o.Code, Name: o.NameEN}, true
		}
	}
	return graph.Region{}, false
}

// describe is used by tests and messages to name a record.
func (r Record) String() string {
	return fmt.Sprintf("%s (%s, %s line %d)", r.Municipality.ID, r.Municipality.DisplayName(), r.Pos.File, r.Pos.Line)
}
