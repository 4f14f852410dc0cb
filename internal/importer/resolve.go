package importer

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/twinning/twinning/graph"
)

// Method says how a place named in a partnership list was resolved to a
// municipality.
type Method string

// The resolution methods, in the order Resolver tries them.
const (
	ByCode            Method = "code"                  // by Wikidata item id, or by KATOTTG code with a name that agrees
	ByExactName       Method = "exact"                 // the name's key equals the municipality's local or Latin name's key
	ByAltName         Method = "alternative name"      // an alternative or former name (renamings, Russian spellings included)
	ByTransliteration Method = "transliteration"       // another romanisation of the same name (LooseKey)
	ByCentre          Method = "administrative centre" // a raion, oblast or city district named after, or lying in, the municipality
	ByCoordinates     Method = "coordinates"           // no name agrees; the point lies within the municipality's area
	Created           Method = "created"               // unresolved, created with -create-missing
	Unresolved        Method = "unresolved"
)

// methods lists the methods in report order.
var methods = []Method{ByCode, ByExactName, ByAltName, ByTransliteration, ByCentre, ByCoordinates, Created, Unresolved}

// Place is a place named by a partnership list.
type Place struct {
	Name       string       // as written
	CountryRaw string       // the country as written
	Country    string       // ISO code, "" when unknown
	Location   *graph.Point // nil when unknown
	Wikidata   string       // Wikidata item id, "" when unknown
	KATOTTG    string       // KATOTTG code of a Ukrainian hromada, "" when unknown
	Population int64        // 0 when unknown
}

// Resolution is the outcome of resolving a Place.
type Resolution struct {
	ID     string  // the municipality, "" when unresolved
	Method Method  // how it was found
	DistKm float64 // distance between the given point and the municipality, -1 when unknown
	Reason string  // why it is unresolved, or a hint for a person
}

// Resolver finds the municipality a Place names. Its rules, tried in order
// until one gives a municipality:
//
//  1. the Wikidata item id (Codes.Wikidata);
//  2. the name's graph.NameKey against every name of the municipalities of
//     the same country (local, Latin, alternative; Cyrillic romanised), then
//     for Ukraine the table of renamed places and Russian spellings
//     ("Dnipropetrovsk" → Dnipro, "Kiev" → Kyiv), then the looser
//     transliteration key LooseKey ("Kamyanets-Podilskyi");
//  3. the name without a trailing unit word ("Zhovkva Raion", "Lviv
//     Oblast", "Prymorsky District") or with the part in parentheses
//     ("Pecherskyi (Kyiv)" → Pecherskyi, then Kyiv), by rule 2, as its
//     administrative centre, within UnitRadiusKm;
//  4. the point alone: the nearest municipality of the country whose area
//     (as a circle of the same area, widened by a quarter; 2 km when the
//     area is unknown) contains the point.
//
// Before them, a KATOTTG code names its hromada when the hromada has the
// name the row gives (a code of a namesake in another oblast, which the
// registers carry, fails the check and falls to the rules below). A name
// with a comma ("Offenbach, kreis") is also tried by its first part, as an
// administrative centre.
//
// In rules 2 and 3 a name match counts only within RadiusKm of the given
// point, and the nearest wins, so that homonyms (Pervomaisk in three
// oblasts) are told apart by the coordinates; without a point the match
// must be unique, or the most populous with at least twice the people of
// every other.
type Resolver struct {
	ix *Index
	// RadiusKm is how far a name match may lie from the given point.
	RadiusKm float64
	// UnitRadiusKm is how far the centre of a raion or oblast may lie from
	// the point given for the unit.
	UnitRadiusKm float64
}

// NewResolver returns a Resolver over ix with the default radii (30 km for
// names, 150 km for administrative units).
func NewResolver(ix *Index) *Resolver {
	return &Resolver{ix: ix, RadiusKm: 30, UnitRadiusKm: 150}
}

// unitPrefix is the word for a kind of unit or place that a name may
// carry before the place's own name: in LAU names ("Municipiul Iaşi",
// "Oraş Bicaz", "Gmina Zarszyn") and in the Ukrainian registers ("м. Барі",
// "Ґміна Заршин", "с. Вільшанка", "Obec Cífer"). A word must be followed
// by a space, an abbreviation by its dot.
var unitPrefix = regexp.MustCompile(`(?i)^(?:(?:м|с|к|смт)\.\s*|(?:municipiul|oraş|oraș|comuna|miasto|gmina|obec|city of|town of|місто|смт|село|комуна|[гґ]міна|громада|муніципалітет)\s+)`)

// withoutUnitPrefix returns name without a leading unitPrefix, or name
// itself when nothing is left after it.
func withoutUnitPrefix(name string) string {
	if rest := strings.TrimSpace(unitPrefix.ReplaceAllString(name, "")); rest != "" {
		return rest
	}
	return name
}

var (
	unitSuffix  = regexp.MustCompile(`(?i)[\s-]+(raion|rayon|district|oblast|region|county|municipality|urban hromada|hromada|community|city|town|municipal district|metropolitan borough|borough)$`)
	parenthesis = regexp.MustCompile(`^(.*?)\s*\(([^()]*)\)\s*$`)
)

// Resolve returns the municipality p names, or an Unresolved resolution
// with the reason.
func (r *Resolver) Resolve(p Place) Resolution {
	if p.Wikidata != "" {
		if m, ok := r.ix.ByCode("wikidata", p.Wikidata); ok {
			return Resolution{ID: m.ID, Method: ByCode, DistKm: distance(p.Location, m.Location)}
		}
	}
	if p.KATOTTG != "" {
		if m, ok := r.ix.ByCode("katottg", p.KATOTTG); ok && hasName(m, p.Name) {
			return Resolution{ID: m.ID, Method: ByCode, DistKm: distance(p.Location, m.Location)}
		}
	}
	if p.Country == "" {
		return Resolution{Method: Unresolved, DistKm: -1, Reason: fmt.Sprintf("unknown country %q", p.CountryRaw)}
	}
	name := strings.TrimSpace(p.Name)
	if res, ok := r.byName(name, p, r.RadiusKm); ok {
		return res
	}
	if m := parenthesis.FindStringSubmatch(name); m != nil {
		if res, ok := r.byName(m[1], p, r.RadiusKm); ok {
			return res
		}
		if res, ok := r.byName(m[2], p, r.UnitRadiusKm); ok {
			res.Method = ByCentre
			return res
		}
	}
	if before, _, ok := strings.Cut(name, ","); ok && strings.TrimSpace(before) != "" {
		// "Offenbach, kreis", "Ochota, Warszawa": the place first.
		if res, ok := r.byName(strings.TrimSpace(before), p, r.UnitRadiusKm); ok {
			res.Method = ByCentre
			return res
		}
	}
	if base := unitSuffix.ReplaceAllString(name, ""); base != name && base != "" {
		if res, ok := r.byName(base, p, r.UnitRadiusKm); ok {
			res.Method = ByCentre
			return res
		}
	}
	if p.Location != nil {
		for _, c := range r.ix.near(*p.Location, 60, p.Country) {
			m := &r.ix.muns[c.slot]
			reach := 2.0
			if m.AreaKm2 > 0 {
				reach = math.Max(reach, 1.25*math.Sqrt(m.AreaKm2/math.Pi))
			}
			if c.distKm <= reach {
				return Resolution{ID: m.ID, Method: ByCoordinates, DistKm: c.distKm}
			}
		}
	}
	return Resolution{Method: Unresolved, DistKm: -1, Reason: r.hint(name, p)}
}

// byName applies rule 2 within radius.
func (r *Resolver) byName(name string, p Place, radius float64) (Resolution, bool) {
	key := graph.NameKey(name)
	if key == "" {
		return Resolution{}, false
	}
	if res, ok := r.pick(r.ix.named(key, false, p.Country, p.Location), p, radius, ByExactName); ok {
		return res, true
	}
	if p.Country == "UA" {
		// A former name asked for, the current one stored, or the other way
		// round (the KSE table predates the renamings of 2022-2024).
		for _, other := range append([]string{ukrainianFormerNames[key]}, ukrainianRenamedFrom[key]...) {
			if other == "" {
				continue
			}
			if res, ok := r.pick(r.ix.named(other, false, p.Country, p.Location), p, radius, ByAltName); ok {
				res.Method = ByAltName
				return res, true
			}
		}
	}
	return r.pick(r.ix.named(LooseKey(key), true, p.Country, p.Location), p, radius, ByTransliteration)
}

// pick chooses among name matches (nearest first): the nearest within
// radius when p has a point, the only one when it has none. A match filed
// under an alternative name gives ByAltName.
func (r *Resolver) pick(cs []candidate, p Place, radius float64, method Method) (Resolution, bool) {
	if len(cs) == 0 {
		return Resolution{}, false
	}
	var c candidate
	switch {
	case p.Location != nil:
		if cs[0].distKm < 0 || cs[0].distKm > radius {
			return Resolution{}, false
		}
		c = cs[0]
	case len(cs) == 1:
		c = cs[0]
	default:
		// Without a point, the most populous of the namesakes when it has
		// at least twice the people of every other: a list names the
		// city, not the rural gmina or the village of the same name.
		best, second := 0, int64(0)
		for i := 1; i < len(cs); i++ {
			pop, top := r.ix.muns[cs[i].slot].Population, r.ix.muns[cs[best].slot].Population
			if pop > top {
				best, second = i, top
			} else {
				second = max(second, pop)
			}
		}
		if top := r.ix.muns[cs[best].slot].Population; top == 0 || top < 2*second {
			return Resolution{}, false
		}
		c = cs[best]
	}
	if c.alt && method == ByExactName {
		method = ByAltName
	}
	return Resolution{ID: r.ix.muns[c.slot].ID, Method: method, DistKm: c.distKm}, true
}

// hint says why a place is unresolved, naming the nearest municipality of
// the same name when there is one too far away.
func (r *Resolver) hint(name string, p Place) string {
	key := graph.NameKey(name)
	cs := r.ix.named(key, false, p.Country, p.Location)
	if len(cs) == 0 {
		cs = r.ix.named(LooseKey(key), true, p.Country, p.Location)
	}
	switch {
	case len(cs) > 0 && p.Location == nil:
		return fmt.Sprintf("no coordinates to choose among %d places of this name", len(cs))
	case len(cs) > 0 && cs[0].distKm >= 0:
		return fmt.Sprintf("nearest place of this name, %s, is %.0f km away (more than %.0f km)", r.ix.muns[cs[0].slot].ID, cs[0].distKm, r.RadiusKm)
	case len(cs) > 0:
		return "the places of this name have no coordinates"
	}
	return "no municipality of this name in the country"
}

// ukrainianFormerNames maps the graph.NameKey of former names and Russian
// spellings of Ukrainian places to the key of the current name.
var ukrainianFormerNames = func() map[string]string {
	m := map[string]string{}
	for current, olds := range map[string][]string{
		// Renamings (2016 decommunisation, 2023-2024 derussification).
		"Dnipro":                {"Dnipropetrovsk", "Dnepropetrovsk", "Dnepr", "Dnipropetrovs'k"},
		"Kropyvnytskyi":         {"Kirovohrad", "Kirovograd", "Kirovohrad city", "Yelysavethrad", "Elisavetgrad"},
		"Zviahel":               {"Novohrad-Volynskyi", "Novograd-Volynsky", "Novohrad-Volynskyy", "Novograd-Volynskiy"},
		"Bakhmut":               {"Artemivsk", "Artyomovsk", "Artemovsk"},
		"Sheptytskyi":           {"Chervonohrad", "Chervonograd"},
		"Volodymyr":             {"Volodymyr-Volynskyi", "Vladimir-Volynsky", "Volodymyr-Volynskyy"},
		"Khrustalnyi":           {"Krasnyi Luch", "Krasny Luch", "Krasnyy Luch"},
		"Horishni Plavni":       {"Komsomolsk", "Komsomolsk-on-Dnieper"},
		"Kamianske":             {"Dniprodzerzhynsk", "Dneprodzerzhinsk"},
		"Chornomorsk":           {"Illichivsk", "Ilyichevsk", "Ilichevsk"},
		"Podilsk":               {"Kotovsk"},
		"Oleshky":               {"Tsiurupynsk", "Tsyurupinsk"},
		"Pivdennoukrainsk":      {"Yuzhnoukrainsk", "Yuzhnoukrayinsk"},
		"Pivdenne":              {"Yuzhne", "Yuzhny", "Yuzhnyi"},
		"Pokrovsk":              {"Krasnoarmiisk", "Krasnoarmeysk"},
		"Myrnohrad":             {"Dymytrov", "Dimitrov"},
		"Toretsk":               {"Dzerzhynsk", "Dzerzhinsk"},
		"Kadiivka":              {"Stakhanov"},
		"Holubivka":             {"Kirovsk"},
		"Sorokyne":              {"Krasnodon"},
		"Chystiakove":           {"Torez"},
		"Pokrov":                {"Ordzhonikidze"},
		"Pereiaslav":            {"Pereiaslav-Khmelnytskyi", "Pereyaslav-Khmelnytsky", "Pereyaslav"},
		"Sievierodonetsk":       {"Severodonetsk", "Syeverodonetsk"},
		"Starokostiantyniv":     {"Starokonstantinov"},
		"Myrhorod":              {"Mirgorod"},
		"Novovolynsk":           {"Novovolinsk"},
		"Bilhorod-Dnistrovskyi": {"Belgorod-Dnestrovsky", "Bilhorod-Dnistrovsky", "Akkerman"},
		// Russian and older spellings.
		"Kyiv":                {"Kiev", "Kiyev"},
		"Kharkiv":             {"Kharkov"},
		"Odesa":               {"Odessa"},
		"Mykolaiv":            {"Nikolaev", "Nikolayev", "Mykolayiv"},
		"Lviv":                {"Lvov", "Lwow", "Lemberg"},
		"Rivne":               {"Rovno"},
		"Chernihiv":           {"Chernigov"},
		"Zaporizhzhia":        {"Zaporozhye", "Zaporozhe", "Zaporizhzhya", "Zaporojie"},
		"Luhansk":             {"Lugansk"},
		"Kryvyi Rih":          {"Krivoy Rog", "Kryvyy Rih", "Krivoi Rog"},
		"Vinnytsia":           {"Vinnitsa", "Vinnytsya"},
		"Zhytomyr":            {"Zhitomir"},
		"Cherkasy":            {"Cherkassy"},
		"Chernivtsi":          {"Chernovtsy", "Czernowitz", "Cernauti"},
		"Ivano-Frankivsk":     {"Ivano-Frankovsk", "Stanislav", "Stanyslaviv"},
		"Uzhhorod":            {"Uzhgorod", "Ungvar"},
		"Ternopil":            {"Ternopol"},
		"Khmelnytskyi":        {"Khmelnitsky", "Khmelnytsky", "Khmelnitskiy", "Proskuriv"},
		"Kamianets-Podilskyi": {"Kamenets-Podolsky", "Kamenets-Podolskiy", "Kamianets-Podilsky"},
		"Berdiansk":           {"Berdyansk"},
		"Lysychansk":          {"Lisichansk"},
		"Sloviansk":           {"Slavyansk"},
		"Horlivka":            {"Gorlovka"},
		"Makiivka":            {"Makeevka", "Makeyevka"},
		"Kremenchuk":          {"Kremenchug"},
		"Bila Tserkva":        {"Belaya Tserkov"},
		"Boryspil":            {"Borispol"},
		"Yevpatoriia":         {"Yevpatoria", "Evpatoria", "Yevpatoriya"},
		"Feodosiia":           {"Feodosia", "Feodosiya"},
		"Nizhyn":              {"Nezhin"},
		"Okhtyrka":            {"Akhtyrka"},
		"Pryluky":             {"Priluki"},
		"Drohobych":           {"Drogobych"},
		"Kolomyia":            {"Kolomyya"},
		"Chornobyl":           {"Chernobyl"},
		"Prypiat":             {"Pripyat"},
		"Slavutych":           {"Slavutich"},
		"Mukachevo":           {"Munkacs", "Mukachiv"},
		"Sumy":                {"Sumi"},
		"Poltava":             {"Poltawa"},
		"Lutsk":               {"Luck"},
		"Kherson":             {"Cherson"},
	} {
		ck := graph.NameKey(current)
		for _, o := range olds {
			m[graph.NameKey(o)] = ck
		}
	}
	return m
}()

// ukrainianRenamedFrom maps the key of a current name to the keys of its
// former names.
var ukrainianRenamedFrom = func() map[string][]string {
	m := map[string][]string{}
	for old, current := range ukrainianFormerNames {
		m[current] = append(m[current], old)
	}
	for _, olds := range m {
		slices.Sort(olds)
	}
	return m
}()

// ResolutionReport counts the resolutions of the places of a partnership
// list by method and keeps every place's outcome.
type ResolutionReport struct {
	// ByMethod counts distinct places (name, country and point) by method.
	ByMethod map[Method]int
	// Places holds every distinct place with its resolution, in the order
	// first met.
	Places []PlaceResolution
	// UnresolvedFile is where the unresolved places were written, "" when
	// they were not.
	UnresolvedFile string
}

// PlaceResolution is one distinct place and its resolution.
type PlaceResolution struct {
	Place
	Resolution
	// Pos is the first row naming the place; Side is 1 or 2.
	Pos  Pos
	Side int
}

func (r *ResolutionReport) write(w io.Writer) {
	fmt.Fprintf(w, "  name resolution of %d distinct places:\n", len(r.Places))
	for _, m := range methods {
		if n := r.ByMethod[m]; n > 0 {
			fmt.Fprintf(w, "    %7d  %s\n", n, m)
		}
	}
	if r.UnresolvedFile != "" {
		fmt.Fprintf(w, "  unresolved places written to %s\n", r.UnresolvedFile)
	}
}

// hasName reports whether one of m's names has the key of name.
func hasName(m graph.Municipality, name string) bool {
	key := graph.NameKey(name)
	for _, n := range m.Names() {
		if graph.NameKey(n) == key {
			return true
		}
	}
	return false
}
