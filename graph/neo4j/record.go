package neo4j

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/twinning/twinning/graph"
)

// municipalityProjection is the map projection that reads a municipality
// node back: the stored fields, not the derived search properties.
const municipalityProjection = `{.id, .name, .name_latin, .alt_names, .country, .region_code, .region_name, .kind,
 .population, .population_year, .area_km2, .lat, .lon, .katottg, .lau, .nuts3, .geonames, .wikidata, .themes, .source,
 .occupied_before_2022, .war_zone, .unit_local, .unit_english}`

// partnershipProjection reads a PARTNER_OF relationship back.
const partnershipProjection = `{.kind, .status, .since, .source, .sources, .source_years, .source_agreements, .source_themes, .source_off_km}`

// normalize returns m as the store gives it back: empty lists become nil,
// so that an unchanged municipality compares equal to its stored self.
func normalize(m graph.Municipality) graph.Municipality {
	if len(m.AltNames) == 0 {
		m.AltNames = nil
	} else {
		m.AltNames = slices.Clone(m.AltNames)
	}
	if len(m.Themes) == 0 {
		m.Themes = nil
	} else {
		m.Themes = slices.Clone(m.Themes)
	}
	if m.Location != nil {
		p := *m.Location
		m.Location = &p
	}
	if m.War.Empty() {
		m.War = nil
	} else {
		w := *m.War
		w.WarZone = slices.Clone(w.WarZone)
		if len(w.WarZone) == 0 {
			w.WarZone = nil
		}
		m.War = &w
	}
	return m
}

// searchProps returns the search properties of m (graph.SearchKeys), which
// Search matches on: the name keys (name_keys, of which main_keys are the
// current name's, and search_keys, joined for the text index), the loose
// keys (loose_keys, of which main_loose are the current name's, and
// loose_text, joined for the text and full-text indexes), and the version
// of the keys' rules (search_version, which refreshSearchKeys brings up to
// date).
func searchProps(m *graph.Municipality) map[string]any {
	k := graph.NewSearchKeys(m)
	return map[string]any{
		"name_keys":      list(k.Names),
		"main_keys":      list(k.Main),
		"search_keys":    str(strings.Join(k.Names, "\n")),
		"loose_keys":     list(k.Loose),
		"main_loose":     list(k.MainLoose()),
		"loose_text":     str(strings.Join(k.Loose, "\n")),
		"search_version": int64(graph.SearchKeysVersion),
	}
}

// municipalityProps returns the node properties of m. Empty values are
// nil, which SET turns into "no property".
func municipalityProps(m *graph.Municipality) map[string]any {
	p := map[string]any{
		"id":              m.ID,
		"name":            str(m.Name),
		"name_latin":      str(m.NameLatin),
		"alt_names":       list(m.AltNames),
		"country":         m.Country,
		"region_code":     str(m.Region.Code),
		"region_name":     str(m.Region.Name),
		"kind":            string(m.Kind),
		"population":      m.Population, // always set: search sorts and filters on it
		"population_year": nonZero(int64(m.PopulationYear)),
		"area_km2":        nil,
		"lat":             nil,
		"lon":             nil,
		"katottg":         str(m.Codes.KATOTTG),
		"lau":             str(m.Codes.LAU),
		"nuts3":           str(m.Codes.NUTS3),
		"geonames":        str(m.Codes.GeoNames),
		"wikidata":        str(m.Codes.Wikidata),
		"themes":          list(m.Themes),
		"source":          str(m.Source),
		// War status: absent when nothing applies, like the other fields.
		"occupied_before_2022": nil,
		"war_zone":             nil,
		"unit_local":           nil,
		"unit_english":         nil,
	}
	if m.Unit != nil {
		p["unit_local"], p["unit_english"] = m.Unit.Local, m.Unit.English
	}
	maps.Copy(p, searchProps(m))
	if m.War != nil {
		if m.War.OccupiedBefore2022 {
			p["occupied_before_2022"] = true
		}
		p["war_zone"] = list(m.War.WarZone)
	}
	if m.AreaKm2 != 0 {
		p["area_km2"] = m.AreaKm2
	}
	if m.Location != nil {
		p["lat"], p["lon"] = m.Location.Lat, m.Location.Lon
	}
	return p
}

func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func list(ss []string) any {
	if len(ss) == 0 {
		return nil
	}
	return ss
}

func nonZero(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// props reads typed values out of a map the server returned.
type props map[string]any

func (p props) str(key string) (string, error) {
	switch v := p[key].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		return "", fmt.Errorf("property %s: got %T, want a string", key, v)
	}
}

func (p props) bool(key string) (bool, error) {
	switch v := p[key].(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	default:
		return false, fmt.Errorf("property %s: got %T, want a boolean", key, v)
	}
}

func (p props) int(key string) (int64, error) {
	switch v := p[key].(type) {
	case nil:
		return 0, nil
	case int64:
		return v, nil
	default:
		return 0, fmt.Errorf("property %s: got %T, want an integer", key, v)
	}
}

func (p props) float(key string) (float64, bool, error) {
	switch v := p[key].(type) {
	case nil:
		return 0, false, nil
	case float64:
		return v, true, nil
	case int64:
		return float64(v), true, nil
	default:
		return 0, false, fmt.Errorf("property %s: got %T, want a number", key, v)
	}
}

func (p props) ints(key string) ([]int64, error) { return listOf[int64](p, key, "integer") }

func (p props) strings(key string) ([]string, error) { return listOf[string](p, key, "string") }

func (p props) floats(key string) ([]float64, error) { return listOf[float64](p, key, "float") }

// listOf reads a list property whose items are all of type T (named want
// in errors); null and an empty list give nil.
func listOf[T any](p props, key, want string) ([]T, error) {
	switch v := p[key].(type) {
	case nil:
		return nil, nil
	case []any:
		if len(v) == 0 {
			return nil, nil
		}
		out := make([]T, len(v))
		for i, x := range v {
			t, ok := x.(T)
			if !ok {
				return nil, fmt.Errorf("property %s[%d]: got %T, want a %s", key, i, x, want)
			}
			out[i] = t
		}
		return out, nil
	default:
		return nil, fmt.Errorf("property %s: got %T, want a list of %ss", key, v, want)
	}
}

// toMunicipality converts a municipalityProjection map into a
// Municipality.
func toMunicipality(v any) (graph.Municipality, error) {
	p, ok := v.(map[string]any)
	if !ok {
		return graph.Municipality{}, fmt.Errorf("municipality: got %T, want a map", v)
	}
	var (
		m    graph.Municipality
		errs []error
	)
	s := func(dst *string, key string) {
		v, err := props(p).str(key)
		*dst = v
		errs = append(errs, err)
	}
	s(&m.ID, "id")
	s(&m.Name, "name")
	s(&m.NameLatin, "name_latin")
	s(&m.Country, "country")
	s(&m.Region.Code, "region_code")
	s(&m.Region.Name, "region_name")
	var kind string
	s(&kind, "kind")
	m.Kind = graph.Kind(kind)
	s(&m.Codes.KATOTTG, "katottg")
	s(&m.Codes.LAU, "lau")
	s(&m.Codes.NUTS3, "nuts3")
	s(&m.Codes.GeoNames, "geonames")
	s(&m.Codes.Wikidata, "wikidata")
	s(&m.Source, "source")
	var err error
	m.AltNames, err = props(p).strings("alt_names")
	errs = append(errs, err)
	m.Themes, err = props(p).strings("themes")
	errs = append(errs, err)
	m.Population, err = props(p).int("population")
	errs = append(errs, err)
	year, err := props(p).int("population_year")
	m.PopulationYear = int(year)
	errs = append(errs, err)
	m.AreaKm2, _, err = props(p).float("area_km2")
	errs = append(errs, err)
	lat, hasLat, err := props(p).float("lat")
	errs = append(errs, err)
	lon, hasLon, err := props(p).float("lon")
	errs = append(errs, err)
	if hasLat && hasLon {
		m.Location = &graph.Point{Lat: lat, Lon: lon}
	}
	occupied, err := props(p).bool("occupied_before_2022")
	errs = append(errs, err)
	zone, err := props(p).strings("war_zone")
	errs = append(errs, err)
	if occupied || len(zone) > 0 {
		m.War = &graph.WarStatus{OccupiedBefore2022: occupied, WarZone: zone}
	}
	var unit graph.Unit
	s(&unit.Local, "unit_local")
	s(&unit.English, "unit_english")
	if unit != (graph.Unit{}) {
		m.Unit = &unit
	}
	for _, err := range errs {
		if err != nil {
			return graph.Municipality{}, fmt.Errorf("municipality %q: %w", m.ID, err)
		}
	}
	return m, nil
}

// partnershipProps returns the relationship properties of p.
func partnershipProps(p *graph.Partnership) map[string]any {
	props := map[string]any{
		"kind":   string(p.Kind),
		"status": string(p.Status),
		"since":  nonZero(int64(p.Since)),
		"source": str(p.Source),
		// A relationship property cannot hold maps, so the sources are
		// kept as parallel lists (themes joined by "|"), null when none.
		"sources":           nil,
		"source_years":      nil,
		"source_agreements": nil,
		"source_themes":     nil,
		"source_off_km":     nil,
	}
	if len(p.Sources) > 0 {
		names, years, agreements, themes := make([]string, len(p.Sources)), make([]int64, len(p.Sources)), make([]string, len(p.Sources)), make([]string, len(p.Sources))
		off := make([]float64, len(p.Sources))
		for i, r := range p.Sources {
			names[i], years[i], agreements[i], themes[i], off[i] = r.Source, int64(r.Since), r.Agreement, strings.Join(r.Themes, "|"), r.OffKm
		}
		props["sources"], props["source_years"], props["source_agreements"], props["source_themes"] = names, years, agreements, themes
		if slices.ContainsFunc(off, func(d float64) bool { return d != 0 }) {
			props["source_off_km"] = off
		}
	}
	return props
}

// toPartnership converts a partnershipProjection map and the two ids into a
// normalised Partnership.
func toPartnership(a, b string, v any) (graph.Partnership, error) {
	p, ok := v.(map[string]any)
	if !ok {
		return graph.Partnership{}, fmt.Errorf("partnership %s-%s: got %T, want a map", a, b, v)
	}
	out := graph.Partnership{A: a, B: b}
	out.Normalize()
	kind, err1 := props(p).str("kind")
	status, err2 := props(p).str("status")
	since, err3 := props(p).int("since")
	source, err4 := props(p).str("source")
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			return graph.Partnership{}, fmt.Errorf("partnership %s-%s: %w", a, b, err)
		}
	}
	out.Kind, out.Status, out.Since, out.Source = graph.PartnershipKind(kind), graph.Status(status), int(since), source
	names, err1 := props(p).strings("sources")
	years, err2 := props(p).ints("source_years")
	agreements, err3 := props(p).strings("source_agreements")
	themes, err4 := props(p).strings("source_themes")
	off, err5 := props(p).floats("source_off_km")
	for _, err := range []error{err1, err2, err3, err4, err5} {
		if err != nil {
			return graph.Partnership{}, fmt.Errorf("partnership %s-%s: %w", a, b, err)
		}
	}
	if len(years) != len(names) || len(agreements) != len(names) || len(themes) != len(names) || off != nil && len(off) != len(names) {
		return graph.Partnership{}, fmt.Errorf("partnership %s-%s: %d sources but %d years, %d agreements and %d theme lists", a, b, len(names), len(years), len(agreements), len(themes))
	}
	for i, name := range names {
		r := graph.Reference{Source: name, Since: int(years[i]), Agreement: agreements[i]}
		if off != nil {
			r.OffKm = off[i]
		}
		if themes[i] != "" {
			r.Themes = strings.Split(themes[i], "|")
		}
		out.Sources = append(out.Sources, r)
	}
	return out, nil
}
