package sample

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
)

// oblastCentres are Kyiv and the administrative centres of the 24 oblasts.
var oblastCentres = []string{
	"ua-kyiv", "ua-vinnytsia", "ua-lutsk", "ua-dnipro", "ua-donetsk", "ua-zhytomyr",
	"ua-uzhhorod", "ua-zaporizhzhia", "ua-ivano-frankivsk", "ua-kropyvnytskyi", "ua-luhansk",
	"ua-lviv", "ua-mykolaiv", "ua-odesa", "ua-poltava", "ua-rivne", "ua-sumy", "ua-ternopil",
	"ua-kharkiv", "ua-kherson", "ua-khmelnytskyi", "ua-cherkasy", "ua-chernivtsi", "ua-chernihiv",
}

// euMembers are the ISO codes of the 27 EU member states.
var euMembers = []string{
	"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
	"IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
}

var westernBalkans = []string{"RS", "ME", "MK", "AL", "BA", "XK"}

func TestParse(t *testing.T) {
	data, err := Parse()
	require.NoError(t, err)

	byID := map[string]graph.Municipality{}
	ua, europe := 0, 0
	for _, m := range data.Municipalities {
		require.NoError(t, m.Validate(), m.ID)
		_, dup := byID[m.ID]
		require.False(t, dup, "duplicate id %s", m.ID)
		byID[m.ID] = m
		switch {
		case m.Country == "UA":
			ua++
			assert.True(t, strings.HasPrefix(m.ID, "ua-"), m.ID)
		case m.Country == "RU" || m.Country == "BY":
		default:
			europe++
			assert.Equal(t, strings.ToUpper(m.ID[:2]), m.Country, "id %s should start with its country code", m.ID)
			assert.NotEqual(t, "EL", m.Country, "Greece is GR")
		}
		assert.Equal(t, "sample", m.Source, m.ID)
		assert.NotNil(t, m.Location, "%s has no location", m.ID)
	}
	assert.GreaterOrEqual(t, ua, 120, "Ukrainian municipalities")
	assert.GreaterOrEqual(t, europe, 400, "European municipalities")
	for _, id := range oblastCentres {
		assert.Contains(t, byID, id)
	}

	require.GreaterOrEqual(t, len(data.Partnerships), 500)
	pairs := map[[2]string]bool{}
	euEU := 0
	countries := map[string]bool{}
	for _, p := range data.Partnerships {
		require.NoError(t, p.Validate())
		assert.Less(t, p.A, p.B, "partnerships are normalized")
		assert.False(t, pairs[p.Key()], "duplicate pair %v", p.Key())
		pairs[p.Key()] = true
		a, okA := byID[p.A]
		b, okB := byID[p.B]
		require.True(t, okA, "unknown municipality %s", p.A)
		require.True(t, okB, "unknown municipality %s", p.B)
		assert.True(t, strings.HasPrefix(p.Source, "http"), "partnership %v has no source URL", p.Key())
		if a.Country != "UA" && b.Country != "UA" {
			euEU++
		}
		for _, m := range []graph.Municipality{a, b} {
			if m.Country != "UA" {
				countries[m.Country] = true
			}
		}
		if a.Country == "RU" || a.Country == "BY" || b.Country == "RU" || b.Country == "BY" {
			assert.Equal(t, graph.StatusSuspended, p.Status, "partnership %v with RU/BY", p.Key())
		}
	}
	assert.LessOrEqual(t, euEU*4, len(data.Partnerships), "European–European partnerships are at most a quarter")
	assert.Greater(t, euEU, 0, "partners-of-partners signals need some European–European partnerships")

	members := 0
	for _, c := range euMembers {
		if countries[c] {
			members++
		}
	}
	assert.GreaterOrEqual(t, members, 20, "EU member states with a partnership")
	for _, c := range []string{"MD", "GE", "GB", "NO", "CH"} {
		assert.True(t, countries[c], "no partnership with %s", c)
	}
	balkans := 0
	for _, c := range westernBalkans {
		if countries[c] {
			balkans++
		}
	}
	assert.GreaterOrEqual(t, balkans, 2, "Western Balkan countries with a partnership")
}

const muniHeader = "id,name,name_latin,alt_names,country,region_code,region_name,kind,unit,unit_english,population,population_year,area_km2,lat,lon,katottg,lau,nuts3,geonames,wikidata,themes,source\n"

const validMuni = "pl-krakow,Kraków,Kraków,Cracow|Krakau,PL,PL-12,Małopolskie,city,miasto na prawach powiatu,city with powiat rights,804000,2022,327,50.0647,19.9450,,,,,,culture|university,sample\n"

func TestParseMunicipalities(t *testing.T) {
	ms, err := ParseMunicipalities(strings.NewReader(muniHeader+validMuni+
		"md-soroca,Soroca,Soroca,,MD,,,town,,,,,,,,,,,,,,sample\n"), "t.csv")
	require.NoError(t, err)
	require.Len(t, ms, 2)
	assert.Equal(t, graph.Municipality{
		ID: "pl-krakow", Name: "Kraków", NameLatin: "Kraków", AltNames: []string{"Cracow", "Krakau"},
		Country: "PL", Region: graph.Region{Code: "PL-12", Name: "Małopolskie"}, Kind: graph.KindCity,
		Unit:       &graph.Unit{Local: "miasto na prawach powiatu", English: "city with powiat rights"},
		Population: 804000, PopulationYear: 2022, AreaKm2: 327, Location: &graph.Point{Lat: 50.0647, Lon: 19.9450},
		Themes: []string{"culture", "university"}, Source: "sample",
	}, ms[0])
	assert.Nil(t, ms[1].Location)
	assert.Zero(t, ms[1].Population)
}

func TestParseErrors(t *testing.T) {
	row := func(replace map[int]string) string {
		f := strings.Split(strings.TrimSuffix(validMuni, "\n"), ",")
		for i, v := range replace {
			f[i] = v
		}
		return strings.Join(f, ",") + "\n"
	}
	tests := []struct {
		name, input, want string
	}{
		{"empty", "", `municipalities_eu.csv line 1: empty file, expected the header`},
		{"bad header", "id,name\n", `municipalities_eu.csv line 1: header is "id,name", expected "id,name,name_latin,`},
		{"population", muniHeader + validMuni + row(map[int]string{colPopulation: "12k"}),
			`municipalities_eu.csv line 3, field population: "12k" is not a whole number`},
		{"negative population", muniHeader + row(map[int]string{colPopulation: "-5"}),
			`municipalities_eu.csv line 2, field population: "-5" is not a whole number`},
		{"year", muniHeader + row(map[int]string{colPopulationYear: "1700"}),
			`municipalities_eu.csv line 2, field population_year: municipality pl-krakow: year 1700 is out of range 1800-2100`},
		{"area", muniHeader + row(map[int]string{colArea: "big"}),
			`municipalities_eu.csv line 2, field area_km2: "big" is not a decimal number`},
		{"lat without lon", muniHeader + row(map[int]string{colLon: ""}),
			`municipalities_eu.csv line 2, field lon: is empty while lat is "50.0647": set both or neither`},
		{"latitude range", muniHeader + row(map[int]string{colLat: "95"}),
			`municipalities_eu.csv line 2, field lat: municipality pl-krakow: (95, 19.945) is not a latitude`},
		{"kind", muniHeader + row(map[int]string{colKind: "metropolis"}),
			`municipalities_eu.csv line 2, field kind: municipality pl-krakow: "metropolis" is not one of`},
		{"unit without its English word", muniHeader + row(map[int]string{colUnitEnglish: ""}),
			`municipalities_eu.csv line 2, field unit: municipality pl-krakow: a unit needs both its local and its English word`},
		{"theme", muniHeader + row(map[int]string{colThemes: "culture|nightlife"}),
			`municipalities_eu.csv line 2, field themes: municipality pl-krakow: unknown theme "nightlife"`},
		{"country", muniHeader + row(map[int]string{colCountry: "Poland"}),
			`municipalities_eu.csv line 2, field country: municipality pl-krakow: "Poland" is not an ISO 3166-1 alpha-2 code`},
		{"id", muniHeader + row(map[int]string{colID: "PL Kraków"}),
			`municipalities_eu.csv line 2, field id: "PL Kraków" is not a municipality id (1-128 of a-z 0-9 . _ : -, e.g. ua-lviv)`},
		{"wikidata", muniHeader + row(map[int]string{colWikidata: "31487"}),
			`municipalities_eu.csv line 2, field wikidata: municipality pl-krakow: "31487" is not a valid wikidata code`},
		{"field count", muniHeader + "pl-krakow,Kraków\n",
			`municipalities_eu.csv line 2: has 2 fields, expected 22`},
		{"bad quote", muniHeader + `pl-krakow,"Kra"ków` + "\n",
			`municipalities_eu.csv line 2: is not valid CSV`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMunicipalities(strings.NewReader(tt.input), "municipalities_eu.csv")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, graph.EINVALID, graph.ErrorCode(err))
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "municipalities_eu.csv", pe.File)
		})
	}
}

func TestParsePartnershipErrors(t *testing.T) {
	const header = "a,b,kind,status,since,source\n"
	tests := []struct {
		name, input, want string
	}{
		{"since", header + "ua-lviv,pl-krakow,twinning,active,1995a,x\n",
			`partnerships.csv line 2, field since: "1995a" is not a whole number`},
		{"old since", header + "ua-lviv,pl-krakow,twinning,active,1850,x\n",
			`partnerships.csv line 2, field since: partnership ua-lviv-pl-krakow: year 1850 is out of range`},
		{"self", header + "ua-lviv,ua-lviv,twinning,active,,x\n",
			`partnerships.csv line 2, field b: a municipality cannot partner with itself (ua-lviv)`},
		{"kind", header + "ua-lviv,pl-krakow,marriage,active,,x\n",
			`partnerships.csv line 2, field kind: partnership ua-lviv-pl-krakow: "marriage" is not one of`},
		{"status", header + "ua-lviv,pl-krakow,twinning,frozen,,x\n",
			`partnerships.csv line 2, field status: partnership ua-lviv-pl-krakow: "frozen" is not one of`},
		{"header", "a,b,kind\n", `partnerships.csv line 1: header is "a,b,kind", expected "a,b,kind,status,since,source"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePartnerships(strings.NewReader(tt.input), "partnerships.csv")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, graph.EINVALID, graph.ErrorCode(err))
		})
	}

	ps, err := ParsePartnerships(strings.NewReader(header+"ua-lviv,pl-krakow,twinning,active,1995,https://example.org\n"), "partnerships.csv")
	require.NoError(t, err)
	assert.Equal(t, []graph.Partnership{{A: "pl-krakow", B: "ua-lviv", Kind: graph.KindTwinning, Status: graph.StatusActive, Since: 1995, Source: "https://example.org"}}, ps)
}

func FuzzParseMunicipalities(f *testing.F) {
	f.Add(muniHeader + validMuni)
	f.Add(muniHeader + "md-soroca,Soroca,Soroca,,MD,,,town,,,,,,,,,,,,,,sample\n")
	f.Add(muniHeader + `ge-tbilisi,"თბილისი",Tbilisi,"Tiflis|""T""",GE,GE-TB,Tbilisi,city,1202000,2023,504,41.7151,44.8271,,,,,Q994,culture,sample` + "\n")
	f.Add(muniHeader + "x,,,,,,,,,,,,,,,,,,,\n")
	f.Fuzz(func(t *testing.T, input string) {
		ms, err := ParseMunicipalities(strings.NewReader(input), "fuzz.csv")
		if err != nil {
			assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "%v", err)
			assert.True(t, strings.HasPrefix(err.Error(), "fuzz.csv line "), err.Error())
			return
		}
		for _, m := range ms {
			assert.NoError(t, m.Validate())
		}
	})
}

func FuzzParsePartnerships(f *testing.F) {
	f.Add("a,b,kind,status,since,source\nua-lviv,pl-krakow,twinning,active,1995,x\n")
	f.Add("a,b,kind,status,since,source\nua-kyiv,by-minsk,twinning,suspended,,\n")
	f.Fuzz(func(t *testing.T, input string) {
		ps, err := ParsePartnerships(strings.NewReader(input), "fuzz.csv")
		if err != nil {
			assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "%v", err)
			return
		}
		for _, p := range ps {
			assert.NoError(t, p.Validate())
			assert.LessOrEqual(t, p.A, p.B)
		}
	})
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "t.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })

	data, err := Parse()
	require.NoError(t, err)

	loaded, err := LoadIfEmpty(ctx, s)
	require.NoError(t, err)
	require.True(t, loaded)

	c, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(data.Municipalities), c.Municipalities)
	assert.Equal(t, len(data.Partnerships), c.Partnerships)

	partners, err := s.Partners(ctx, "ua-lviv")
	require.NoError(t, err)
	ids := make([]string, 0, len(partners))
	for _, p := range partners {
		ids = append(ids, p.Municipality.ID)
	}
	assert.Contains(t, ids, "pl-krakow")

	loaded, err = LoadIfEmpty(ctx, s)
	require.NoError(t, err)
	assert.False(t, loaded, "a store with municipalities is left alone")

	mres, pres, err := Load(ctx, s)
	require.NoError(t, err)
	assert.Zero(t, mres.Created, "loading twice creates nothing")
	assert.Zero(t, pres.Created, "loading twice creates nothing")
	assert.Equal(t, len(data.Municipalities), mres.Updated+mres.Unchanged)
}
