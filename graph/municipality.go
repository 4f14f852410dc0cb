package graph

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Kind is what sort of place a municipality is.
type Kind string

// The kinds of municipality.
const (
	KindCity    Kind = "city"    // a city (in Ukraine, a city hromada's centre or a city of oblast significance)
	KindTown    Kind = "town"    // a town or urban-type settlement
	KindVillage Kind = "village" // a village or rural municipality
	KindHromada Kind = "hromada" // a Ukrainian territorial community as a whole
	KindLAU     Kind = "lau"     // a European local administrative unit whose kind is not known more precisely
	KindRegion  Kind = "region"  // a partner that is a region rather than a municipality
)

// Kinds lists every valid Kind.
var Kinds = []Kind{KindCity, KindTown, KindVillage, KindHromada, KindLAU, KindRegion}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Themes lists the themes a municipality can carry: what it is known for or
// works on, used by search filters and by the scoring of shared themes.
var Themes = []string{
	"agriculture", "civil_protection", "culture", "displaced_people", "economy",
	"education", "energy", "environment", "governance", "health", "industry",
	"port", "reconstruction", "sport", "tourism", "transport", "university",
	"water", "youth",
}

// ValidTheme reports whether t is one of Themes.
func ValidTheme(t string) bool { return slices.Contains(Themes, t) }

// Point is a position in WGS 84 degrees.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// EarthRadiusKm is the Earth's mean radius (IUGG), the one every distance
// of the project uses.
const EarthRadiusKm = 6371.0088

// DistanceKm returns the great-circle distance between a and b in km (the
// haversine formula).
func DistanceKm(a, b Point) float64 {
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dLat, dLon := la2-la1, (b.Lon-a.Lon)*math.Pi/180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Region is a first-level administrative division (oblast, voivodeship,
// Land, NUTS 2 region...). Code is stable and unique across countries, e.g.
// "UA-46" (ISO 3166-2) or "PL21" (NUTS 2).
type Region struct {
	Code string `json:"code,omitempty"`
	Name string `json:"name,omitempty"`
}

// Codes are a municipality's identifiers in outside registries. Each is
// unique among municipalities when set.
type Codes struct {
	KATOTTG  string `json:"katottg,omitempty"`  // Ukrainian codifier, "UA" + 17 digits
	LAU      string `json:"lau,omitempty"`      // Eurostat GISCO LAU id, "CC_LAUID", e.g. "PL_1261011"
	NUTS3    string `json:"nuts3,omitempty"`    // NUTS 3 region, e.g. "PL213"; not unique
	GeoNames string `json:"geonames,omitempty"` // GeoNames id, digits
	Wikidata string `json:"wikidata,omitempty"` // Wikidata item, "Q" + digits
}

// CodeNames names the codes of Codes, in the order of its fields.
var CodeNames = []string{"katottg", "lau", "nuts3", "geonames", "wikidata"}

// Get returns the code called name (one of CodeNames), "" when it is not
// set or name is not a code.
func (c Codes) Get(name string) string {
	switch name {
	case "katottg":
		return c.KATOTTG
	case "lau":
		return c.LAU
	case "nuts3":
		return c.NUTS3
	case "geonames":
		return c.GeoNames
	case "wikidata":
		return c.Wikidata
	}
	return ""
}

// UniqueCodes returns the codes that identify a municipality, as
// (name, value) pairs for the codes that are set. NUTS 3 is a region and is
// left out.
func (c Codes) UniqueCodes() [][2]string {
	var out [][2]string
	for _, name := range CodeNames {
		if v := c.Get(name); v != "" && name != "nuts3" {
			out = append(out, [2]string{name, v})
		}
	}
	return out
}

// Municipality is a city, town, village, hromada or local administrative
// unit that can take part in partnerships.
type Municipality struct {
	// ID is stable and unique, e.g. "ua-lviv" or "pl-krakow".
	ID string `json:"id"`
	// Name is the official name in the local language and script ("Львів").
	Name string `json:"name"`
	// NameLatin is the name in Latin script ("Lviv"); for Ukraine, by the
	// national romanisation of 2010.
	NameLatin string `json:"name_latin"`
	// AltNames are alternative, historical and former names, in any script
	// ("Lwów", "Lemberg", "Dnipropetrovsk").
	AltNames []string `json:"alt_names,omitempty"`
	// Country is the ISO 3166-1 alpha-2 code ("UA", "PL", "GB").
	Country string `json:"country"`
	// Region is the first-level division the municipality lies in.
	Region Region `json:"region"`
	// Kind says what sort of place this is.
	Kind Kind `json:"kind"`
	// Unit says what the municipality is as a unit of its country's
	// administration, in the country's words and in English ("gmina
	// wiejska", rural gmina); nil when no source says.
	Unit *Unit `json:"unit,omitempty"`
	// Population is the number of inhabitants, 0 when unknown.
	Population int64 `json:"population,omitempty"`
	// PopulationYear is the year of the population figure, 0 when unknown.
	PopulationYear int `json:"population_year,omitempty"`
	// AreaKm2 is the area in square kilometres, 0 when unknown.
	AreaKm2 float64 `json:"area_km2,omitempty"`
	// Location is the centre, nil when unknown.
	Location *Point `json:"location,omitempty"`
	// Codes are identifiers in outside registries.
	Codes Codes `json:"codes"`
	// Themes are what the municipality is known for or works on, from Themes.
	Themes []string `json:"themes,omitempty"`
	// Source says where the record comes from ("sample", "geonames", ...).
	Source string `json:"source,omitempty"`
	// War is what Russia's war means for a Ukrainian hromada, nil when
	// nothing is known or nothing applies.
	War *WarStatus `json:"war,omitempty"`
}

// Unit is a kind of administrative unit as its country names it, with an
// English word for it: "gmina wiejska" (rural gmina), "comună" (commune),
// "κοινότητα" (community), "kreisfreie Stadt" (district-free city),
// "міська громада" (city hromada).
type Unit struct {
	// Local is the unit's kind in the country's language and script.
	Local string `json:"local"`
	// English is the same in English.
	English string `json:"english"`
}

// WarStatus is what Russia's war means for a Ukrainian hromada, as the
// KSE table of hromadas gives it.
type WarStatus struct {
	// OccupiedBefore2022 says that the hromada was occupied before 24
	// February 2022 (in 2014): it cannot sign agreements today.
	OccupiedBefore2022 bool `json:"occupied_before_2022,omitempty"`
	// WarZone lists the dates (YYYY-MM-DD, ascending) at which the source
	// counted the hromada in the zone of hostilities or occupation.
	WarZone []string `json:"war_zone,omitempty"`
}

// WarZoneDates are the dates at which the KSE table of hromadas says
// whether each lay in the war zone, oldest first: the dates a WarZone can
// hold.
var WarZoneDates = []string{"2022-04-27", "2022-06-20", "2022-08-23", "2022-10-10"}

// InWarZoneLast reports whether the hromada lay in the war zone at the last
// of WarZoneDates.
func (w *WarStatus) InWarZoneLast() bool {
	return w != nil && slices.Contains(w.WarZone, WarZoneDates[len(WarZoneDates)-1])
}

// Empty reports whether w says nothing: no occupation, no war-zone date.
func (w *WarStatus) Empty() bool { return w == nil || !w.OccupiedBefore2022 && len(w.WarZone) == 0 }

// Affected reports whether the hromada was occupied before 2022 or ever
// in the war zone.
func (w *WarStatus) Affected() bool { return !w.Empty() }

// WarFilter selects municipalities by what the war means for them; the
// empty filter keeps every one.
type WarFilter string

// The war filters.
const (
	// WarFree keeps the municipalities that can sign today: neither
	// occupied before 2022 nor in the war zone at the last of
	// WarZoneDates (every European municipality).
	WarFree WarFilter = "free"
	// WarZoneLast keeps the hromadas in the war zone at the last date.
	WarZoneLast WarFilter = "war_zone"
	// WarOccupied keeps the hromadas occupied before 2022.
	WarOccupied WarFilter = "occupied"
	// WarAffected keeps the hromadas occupied before 2022 or in the war
	// zone at any date: front-line, de-occupied and occupied alike.
	WarAffected WarFilter = "affected"
)

// WarFilters lists the war filters.
var WarFilters = []WarFilter{WarFree, WarZoneLast, WarOccupied, WarAffected}

// Valid reports whether f is "" or one of WarFilters.
func (f WarFilter) Valid() bool { return f == "" || slices.Contains(WarFilters, f) }

// Matches reports whether a municipality of war status w passes f.
func (f WarFilter) Matches(w *WarStatus) bool {
	switch f {
	case WarFree:
		return w == nil || !w.OccupiedBefore2022 && !w.InWarZoneLast()
	case WarZoneLast:
		return w.InWarZoneLast()
	case WarOccupied:
		return w != nil && w.OccupiedBefore2022
	case WarAffected:
		return w.Affected()
	}
	return true
}

// warDate is the form of a WarStatus.WarZone date.
var warDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

var (
	idPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9._:-]{0,127}$`)
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
	codePatterns   = map[string]*regexp.Regexp{
		"katottg":  regexp.MustCompile(`^UA\d{17}$`),
		"lau":      regexp.MustCompile(`^[A-Z]{2}_[0-9A-Za-z.\-/_]{1,24}$`),
		"nuts3":    regexp.MustCompile(`^[A-Z]{2}[0-9A-Z]{1,3}$`),
		"geonames": regexp.MustCompile(`^\d{1,12}$`),
		"wikidata": regexp.MustCompile(`^Q\d{1,12}$`),
	}
)

// ValidID reports whether id has the form of a municipality id: 1 to 128
// characters of lower-case ASCII letters, digits, '.', '_', ':' and '-',
// starting with a letter or digit.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// CheckID returns nil when id has the form of a municipality id
// (ValidID), else an EINVALID *Error for field that says the rule.
func CheckID(field, id string) error {
	if ValidID(id) {
		return nil
	}
	return FieldErrorf(field, "%q is not a municipality id (1-128 of a-z 0-9 . _ : -, e.g. ua-lviv)", id)
}

// ValidCountry reports whether c has the form of an ISO 3166-1 alpha-2 code.
func ValidCountry(c string) bool { return countryPattern.MatchString(c) }

// Validate returns an EINVALID *Error naming the first field that breaks a
// rule, or nil.
func (m *Municipality) Validate() error {
	if err := CheckID("id", m.ID); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(m.Name) == "" && strings.TrimSpace(m.NameLatin) == "":
		return FieldErrorf("name", "municipality %s needs a name or a Latin name", m.ID)
	case !ValidCountry(m.Country):
		return FieldErrorf("country", "municipality %s: %q is not an ISO 3166-1 alpha-2 code", m.ID, m.Country)
	case !m.Kind.Valid():
		return FieldErrorf("kind", "municipality %s: %q is not one of %v", m.ID, m.Kind, Kinds)
	case m.Population < 0:
		return FieldErrorf("population", "municipality %s: population %d is negative", m.ID, m.Population)
	case m.PopulationYear != 0 && (m.PopulationYear < 1800 || m.PopulationYear > 2100):
		return FieldErrorf("population_year", "municipality %s: year %d is out of range 1800-2100", m.ID, m.PopulationYear)
	case m.AreaKm2 < 0 || math.IsNaN(m.AreaKm2) || math.IsInf(m.AreaKm2, 0):
		return FieldErrorf("area_km2", "municipality %s: area %v is not a non-negative number", m.ID, m.AreaKm2)
	}
	if p := m.Location; p != nil {
		if !(p.Lat >= -90 && p.Lat <= 90) || !(p.Lon >= -180 && p.Lon <= 180) {
			return FieldErrorf("location", "municipality %s: (%v, %v) is not a latitude in [-90, 90] and a longitude in [-180, 180]", m.ID, p.Lat, p.Lon)
		}
	}
	for _, name := range CodeNames {
		if value := m.Codes.Get(name); value != "" && !codePatterns[name].MatchString(value) {
			return FieldErrorf("codes."+name, "municipality %s: %q is not a valid %s code", m.ID, value, name)
		}
	}
	if u := m.Unit; u != nil && (strings.TrimSpace(u.Local) == "" || strings.TrimSpace(u.English) == "") {
		return FieldErrorf("unit", "municipality %s: a unit needs both its local and its English word", m.ID)
	}
	if m.War != nil {
		for i, d := range m.War.WarZone {
			if !warDate.MatchString(d) || i > 0 && d <= m.War.WarZone[i-1] {
				return FieldErrorf("war.war_zone", "municipality %s: %q is not a date YYYY-MM-DD after the one before it", m.ID, d)
			}
		}
	}
	for _, t := range m.Themes {
		if !ValidTheme(t) {
			return FieldErrorf("themes", "municipality %s: unknown theme %q (known: %s)", m.ID, t, strings.Join(Themes, ", "))
		}
	}
	return m.validText()
}

// Bounds on the text of a Municipality, checked by Validate. Real names are
// far shorter (the longest in the open data is under 220 bytes); the bounds
// keep a record within what every store can index.
const (
	MaxNameLength   = 300 // characters of a name, Latin name, alternative name or region name
	MaxAltNames     = 100 // alternative names of one municipality
	MaxRegionCode   = 32  // characters of a region code
	MaxSourceLength = 500 // characters of Source
)

// validText checks the text fields of m: valid UTF-8 and within the bounds
// above.
func (m *Municipality) validText() error {
	check := func(field, value string, limit int) error {
		switch {
		case !utf8.ValidString(value):
			return FieldErrorf(field, "municipality %s: %q is not valid UTF-8", m.ID, value)
		case utf8.RuneCountInString(value) > limit:
			return FieldErrorf(field, "municipality %s: %d characters, at most %d allowed", m.ID, utf8.RuneCountInString(value), limit)
		}
		return nil
	}
	if len(m.AltNames) > MaxAltNames {
		return FieldErrorf("alt_names", "municipality %s: %d alternative names, at most %d allowed", m.ID, len(m.AltNames), MaxAltNames)
	}
	var unit Unit
	if m.Unit != nil {
		unit = *m.Unit
	}
	for _, f := range []struct {
		field, value string
		limit        int
	}{
		{"name", m.Name, MaxNameLength},
		{"unit.local", unit.Local, MaxNameLength},
		{"unit.english", unit.English, MaxNameLength},
		{"name_latin", m.NameLatin, MaxNameLength},
		{"region.code", m.Region.Code, MaxRegionCode},
		{"region.name", m.Region.Name, MaxNameLength},
		{"source", m.Source, MaxSourceLength},
	} {
		if err := check(f.field, f.value, f.limit); err != nil {
			return err
		}
	}
	for _, n := range m.AltNames {
		if err := check("alt_names", n, MaxNameLength); err != nil {
			return err
		}
	}
	return nil
}

// DisplayName returns the Latin name when there is one, else the local name.
func (m *Municipality) DisplayName() string {
	if m.NameLatin != "" {
		return m.NameLatin
	}
	return m.Name
}

// Density returns the inhabitants per square kilometre, 0 when the
// population or the area is unknown.
func (m *Municipality) Density() float64 {
	if m.AreaKm2 <= 0 || m.Population <= 0 {
		return 0
	}
	return float64(m.Population) / m.AreaKm2
}

// Names returns the local, Latin and alternative names, without empty ones.
func (m *Municipality) Names() []string {
	out := make([]string, 0, 2+len(m.AltNames))
	for _, n := range append([]string{m.Name, m.NameLatin}, m.AltNames...) {
		if strings.TrimSpace(n) != "" {
			out = append(out, n)
		}
	}
	return out
}
