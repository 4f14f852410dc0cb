package importer

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

// fixture returns the path of a hand-written fixture in testdata/import.
func fixture(name string) string {
	return filepath.Join("..", "..", "testdata", "import", name)
}

func openFixture(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Open(fixture(name))
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(fixture(name))
	require.NoError(t, err)
	return b
}

// fixtureFilter is the GeoNames filter built from the fixture tables.
func fixtureFilter(t testing.TB) GeoNamesFilter {
	t.Helper()
	info, err := ParseCountryInfo(openFixture(t, "countryInfo.txt"), "countryInfo.txt")
	require.NoError(t, err)
	admin1, err := ParseAdmin1(openFixture(t, "admin1.tsv"), "admin1.tsv")
	require.NoError(t, err)
	return GeoNamesFilter{Countries: DefaultCountries(info), CountryNames: info, Admin1: admin1}
}

// importFixtures imports every fixture but wikidata into s with im.
func importFixtures(t *testing.T, im *Importer) map[string]*Report {
	t.Helper()
	ctx := context.Background()
	out := map[string]*Report{}
	var err error
	out["hromadas"], err = im.ImportHromadas(ctx, openFixture(t, "hromadas.csv"), "hromadas.csv")
	require.NoError(t, err)
	out["geonames"], err = im.ImportGeoNames(ctx, openFixture(t, "geonames.txt"), "geonames.txt", fixtureFilter(t))
	require.NoError(t, err)
	out["lau"], err = im.ImportLAU(ctx, []string{fixture("lau.csv")})
	require.NoError(t, err)
	out["twins"], err = im.ImportTwins(ctx, openFixture(t, "twins.csv"), "twins.csv", PairOptions{UnresolvedFile: filepath.Join(t.TempDir(), "unresolved.csv")})
	require.NoError(t, err)
	return out
}

func badLines(bad []*RowError) map[int]string {
	out := map[int]string{}
	for _, e := range bad {
		out[e.Line] = e.Column
	}
	return out
}

func TestParseHromadas(t *testing.T) {
	recs, bad, n, err := ParseHromadas(openFixture(t, "hromadas.csv"), fixture("hromadas.csv"))
	require.NoError(t, err)
	assert.Equal(t, 15, n)
	assert.Len(t, recs, 9)
	assert.Equal(t, map[int]string{11: "lat_center", 12: "", 13: "lat_center", 14: "hromada_code", 15: "type", 16: "total_popultaion_2022"}, badLines(bad))
	assert.Equal(t, `hromadas.csv line 11, column lat_center: "abc" is not a number`, bad[0].Error())
	assert.Contains(t, bad[1].Error(), "has 18 columns, expected 19")

	lviv := recs[0].Municipality
	assert.Nil(t, lviv.War, "never in the war zone: no war status")
	war := map[string]*graph.WarStatus{}
	for _, r := range recs {
		war[r.Municipality.Name] = r.Municipality.War
	}
	assert.Equal(t, &graph.WarStatus{WarZone: []string{"2022-04-27", "2022-10-10"}}, war["Маріуполь"])
	assert.Equal(t, &graph.WarStatus{WarZone: []string{"2022-10-10"}}, war["Дніпро"])
	assert.Equal(t, "ua-46060250000025047", lviv.ID)
	assert.Equal(t, "Львів", lviv.Name)
	assert.Equal(t, "Lviv", lviv.NameLatin)
	assert.Equal(t, []string{"Львівська міська громада", "Львівська"}, lviv.AltNames)
	assert.Equal(t, graph.KindCity, lviv.Kind)
	assert.Equal(t, &graph.Unit{Local: "міська громада", English: "city hromada"}, lviv.Unit)
	assert.Equal(t, graph.Region{Code: "UA-46", Name: "Lviv Oblast"}, lviv.Region)
	assert.Equal(t, int64(777234), lviv.Population)
	assert.Equal(t, 2022, lviv.PopulationYear)
	assert.InDelta(t, 311.4, lviv.AreaKm2, 1e-9)
	assert.Equal(t, "UA46060250000025047", lviv.Codes.KATOTTG)
	assert.Equal(t, 2, recs[0].Pos.Line)

	byID := map[string]graph.Municipality{}
	for _, r := range recs {
		require.NoError(t, r.Municipality.Validate(), r.String())
		byID[r.Municipality.ID] = r.Municipality
	}
	kam := byID["ua-68020110000071202"]
	assert.Equal(t, "Kamianets-Podilskyi", kam.NameLatin, "the apostrophe is dropped")
	assert.Equal(t, "UA-68", kam.Region.Code)
	luhansk := byID["ua-44120070000038823"]
	assert.Equal(t, "UA-09", luhansk.Region.Code, "KATOTTG 44 is ISO UA-09; NA oblast_name_en does not matter")
	assert.Zero(t, luhansk.Population, "NA population")
	assert.Zero(t, luhansk.AreaKm2, "NA area")
	assert.Equal(t, "UA-12", byID["ua-12020010000033698"].Region.Code, "misspelt Driproptrovska")
}

func TestOblastRegion(t *testing.T) {
	for _, tc := range []struct{ uk, en, code, want string }{
		{"Чернівецька", "Cherniveska", "UA73000000000000000", "UA-77"},
		{"Чернігівська", "Chernigiv", "UA74000000000000000", "UA-74"},
		{"NA", "Kyiv-oblast", "UA32000000000000000", "UA-32"},
		{"NA", "NA", "UA44000000000000000", "UA-09"},
		{"Луганська область", "", "", "UA-09"},
	} {
		r, ok := oblastRegion(tc.uk, tc.en, tc.code)
		require.True(t, ok, tc)
		assert.Equal(t, tc.want, r.Code, tc)
	}
	_, ok := oblastRegion("Марсіанська", "Mars", "UA99000000000000000")
	assert.False(t, ok)
}

func TestParseGeoNames(t *testing.T) {
	recs, bad, n, skipped, err := ParseGeoNames(openFixture(t, "geonames.txt"), "geonames.txt", fixtureFilter(t))
	require.NoError(t, err)
	assert.Equal(t, 14, n)
	var ids []string
	for _, r := range recs {
		require.NoError(t, r.Municipality.Validate())
		ids = append(ids, r.Municipality.ID)
	}
	assert.Equal(t, []string{"gn-702550", "gn-703448", "gn-709930", "gn-697592", "gn-712969", "gn-3094802", "gn-2926271"}, ids)
	assert.Equal(t, map[int]string{11: "longitude", 12: "", 13: "population", 14: "latitude"}, badLines(bad))
	assert.Equal(t, map[string]int{"country not selected": 1, "city district (PPLX), see -districts": 1, "not a populated place (feature class is not P)": 1}, skipped)

	lviv := recs[0].Municipality
	assert.Equal(t, graph.Region{Code: "UA-46", Name: "Lviv Oblast"}, lviv.Region, "GeoNames UA.15 is ISO UA-46")
	assert.Contains(t, lviv.AltNames, "Lemberg")
	assert.NotContains(t, lviv.AltNames, "Львів", "it has the key of the name Lviv")
	assert.NotContains(t, lviv.AltNames, "LWO", "abbreviations are left out")
	assert.NotContains(t, lviv.AltNames, "Львів 2", "names with digits are left out")
	krakow := recs[5].Municipality
	assert.Equal(t, "Kraków", krakow.Name)
	assert.Equal(t, "Krakow", krakow.NameLatin)
	assert.Equal(t, graph.Region{Code: "PL.72", Name: "Lesser Poland"}, krakow.Region)
	assert.Equal(t, graph.KindCity, krakow.Kind)

	_, _, _, skipped, err = ParseGeoNames(openFixture(t, "geonames.txt"), "geonames.txt", GeoNamesFilter{Countries: map[string]bool{"UA": true}, Districts: true})
	require.NoError(t, err)
	assert.Zero(t, skipped["city district (PPLX), see -districts"])
}

func TestParseLAU(t *testing.T) {
	recs, bad, n, err := ParseLAU(openFixture(t, "lau.csv"), "lau.csv")
	require.NoError(t, err)
	assert.Equal(t, 12, n)
	assert.Len(t, recs, 8)
	assert.Equal(t, map[int]string{10: "area_km2", 11: "", 12: "latitude", 13: "gisco_id"}, badLines(bad))
	byID := map[string]graph.Municipality{}
	for _, r := range recs {
		require.NoError(t, r.Municipality.Validate())
		byID[r.Municipality.ID] = r.Municipality
	}
	krakow := byID["lau-pl-1261011"]
	assert.Equal(t, "PL_1261011", krakow.Codes.LAU)
	assert.Equal(t, "PL213", krakow.Codes.NUTS3)
	assert.Equal(t, graph.Region{Code: "PL21"}, krakow.Region)
	assert.Equal(t, graph.KindLAU, krakow.Kind)
	assert.Equal(t, 2018, krakow.PopulationYear)
	assert.Equal(t, "GR", byID["lau-el-01010101"].Country, "EL is Greece")
	assert.Equal(t, "Koinotita Komotinis", byID["lau-el-01010101"].NameLatin, "a Greek name is transliterated")
	assert.Equal(t, "GB", byID["lau-uk-e06000001"].Country, "UK is GB")
	assert.Equal(t, []string{"Flensburg"}, byID["lau-de-01001000"].AltNames)
	assert.Zero(t, byID["lau-ch-6621"].Population, "NA population")
}

func TestParseTwins(t *testing.T) {
	rows, bad, n, err := ParseTwins(openFixture(t, "twins.csv"), "twins.csv")
	require.NoError(t, err)
	assert.Equal(t, 15, n)
	assert.Len(t, rows, 13)
	assert.Equal(t, map[int]string{13: "lat1", 14: ""}, badLines(bad))
	assert.Equal(t, "GB", rows[3].B.Country, "England, United Kingdom")
	assert.Equal(t, "GE", rows[9].B.Country, "Georgia (country)")
	assert.Equal(t, "", rows[12].B.Country, "Narnia is no country")
}

func TestNormalizeCountry(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		lon  float64
		want string
	}{
		{"England", -1, "GB"}, {"England, United Kingdom", -1, "GB"}, {"Scotland", -3, "GB"},
		{"Wales, United Kingdom", -3, "GB"}, {"Northern Ireland", -6, "GB"}, {"Georgia (country)", 44, "GE"},
		{"Georgia", 44, "GE"}, {"Georgia", -84, "US"}, {"Republic of Ireland", -6, "IE"}, {"Ireland", -6, "IE"},
		{"Czech Republic", 14, "CZ"}, {"Macedonia", 21, "MK"}, {"North Macedonia", 21, "MK"},
		{"Moldova", 28, "MD"}, {"Moldavia", 28, "MD"}, {"Kosovo", 21, "XK"}, {"Russia", 37, "RU"},
		{"Belarus", 27, "BY"}, {"Brandenburg, Germany", 13, "DE"}, {"Åland Islands, Finland", 20, "AX"},
		{"Réunion, France", 55, "RE"}, {"in Italy", 12, "IT"}, {"Grece", 22, "GR"}, {"Island", -21, "IS"},
		{"Bosnia and Hercegovina", 18, "BA"}, {"Northern Cyprus", 33, "CY"}, {"", 0, ""}, {"Narnia", 0, ""},
	} {
		assert.Equal(t, tc.want, NormalizeCountry(tc.raw, tc.lon), tc.raw)
	}
}

func TestMergeHromadaAndGeoNames(t *testing.T) {
	for _, order := range [][]string{{"hromadas", "geonames"}, {"geonames", "hromadas"}} {
		t.Run(strings.Join(order, "-then-"), func(t *testing.T) {
			ctx := context.Background()
			s := openStore(t)
			im := New(s, Options{})
			for _, kind := range order {
				var err error
				if kind == "hromadas" {
					_, err = im.ImportHromadas(ctx, openFixture(t, "hromadas.csv"), "hromadas.csv")
				} else {
					_, err = im.ImportGeoNames(ctx, openFixture(t, "geonames.txt"), "geonames.txt", fixtureFilter(t))
				}
				require.NoError(t, err)
			}
			lviv, err := s.MunicipalityByCode(ctx, "katottg", "UA46060250000025047")
			require.NoError(t, err)
			assert.Equal(t, "702550", lviv.Codes.GeoNames, "one municipality carries both codes")
			byGeo, err := s.MunicipalityByCode(ctx, "geonames", "702550")
			require.NoError(t, err)
			assert.Equal(t, lviv.ID, byGeo.ID)
			assert.Contains(t, lviv.Names(), "Lemberg")
			// The two Pervomaisks stay apart; GeoNames' one is in Luhansk oblast.
			luhansk, err := s.MunicipalityByCode(ctx, "katottg", "UA44120070000038823")
			require.NoError(t, err)
			assert.Equal(t, "697592", luhansk.Codes.GeoNames)
			mykolaiv, err := s.MunicipalityByCode(ctx, "katottg", "UA48080130000028458")
			require.NoError(t, err)
			assert.Empty(t, mykolaiv.Codes.GeoNames)
			// Dnipro: the GeoNames alternative name Dnipropetrovsk lands on the hromada.
			dnipro, err := s.MunicipalityByCode(ctx, "katottg", "UA12020010000033698")
			require.NoError(t, err)
			assert.Equal(t, "709930", dnipro.Codes.GeoNames)
			if order[0] == "hromadas" {
				assert.Equal(t, "ua-46060250000025047", lviv.ID)
				assert.Equal(t, "Львів", lviv.Name, "the first source owns the name")
				assert.Equal(t, "kse+geonames", lviv.Source)
			} else {
				assert.Equal(t, "gn-702550", lviv.ID)
				assert.Equal(t, "geonames+kse", lviv.Source)
				assert.Equal(t, int64(717273), lviv.Population, "GeoNames owns the population")
			}
		})
	}
}

func TestMergeKeepsLAUUnitsApart(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	im := New(s, Options{})
	_, err := im.ImportGeoNames(ctx, openFixture(t, "geonames.txt"), "geonames.txt", fixtureFilter(t))
	require.NoError(t, err)
	rep, err := im.ImportLAU(ctx, []string{fixture("lau.csv")})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Merged, "Kraków and Flensburg (by the name before the comma) merge into GeoNames")
	krakow, err := s.MunicipalityByCode(ctx, "lau", "PL_1261011")
	require.NoError(t, err)
	assert.Equal(t, "gn-3094802", krakow.ID)
	flensburg, err := s.MunicipalityByCode(ctx, "lau", "DE_01001000")
	require.NoError(t, err)
	assert.Equal(t, "gn-2926271", flensburg.ID)
	for _, code := range []string{"PL_1201011", "PL_1201022"} {
		m, err := s.MunicipalityByCode(ctx, "lau", code)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(m.ID, "lau-"), "the two Bochnia units stay two municipalities")
	}
}

func TestResolve(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	im := New(s, Options{})
	importFixtures(t, im)
	ix, err := im.Index(ctx)
	require.NoError(t, err)
	r := NewResolver(ix)
	pt := func(lat, lon float64) *graph.Point { return &graph.Point{Lat: lat, Lon: lon} }
	for _, tc := range []struct {
		place  Place
		id     string
		method Method
	}{
		{Place{Name: "Lviv", Country: "UA", Location: pt(49.84, 24.03)}, "ua-46060250000025047", ByExactName},
		{Place{Name: "Львів", Country: "UA", Location: pt(49.84, 24.03)}, "ua-46060250000025047", ByExactName},
		{Place{Name: "LVIV", Country: "UA"}, "ua-46060250000025047", ByExactName},
		{Place{Name: "Lemberg", Country: "UA", Location: pt(49.84, 24.03)}, "ua-46060250000025047", ByAltName},
		{Place{Name: "Lvov", Country: "UA", Location: pt(49.84, 24.03)}, "ua-46060250000025047", ByAltName},
		{Place{Name: "Kiev", Country: "UA", Location: pt(50.45, 30.52)}, "gn-703448", ByAltName},
		{Place{Name: "Dnipropetrovsk", Country: "UA", Location: pt(48.45, 34.98)}, "ua-12020010000033698", ByAltName},
		{Place{Name: "Kirovohrad", Country: "UA", Location: pt(48.5, 32.27)}, "ua-35040110000030145", ByAltName},
		{Place{Name: "Kirovograd", Country: "UA", Location: pt(48.5, 32.27)}, "ua-35040110000030145", ByAltName},
		{Place{Name: "Zviahel", Country: "UA", Location: pt(50.58, 27.63)}, "ua-18080150000022496", ByAltName},
		{Place{Name: "Novohrad-Volynskyi", Country: "UA", Location: pt(50.58, 27.63)}, "ua-18080150000022496", ByExactName},
		{Place{Name: "Pervomaisk", Country: "UA", Location: pt(48.63, 38.55)}, "ua-44120070000038823", ByExactName},
		{Place{Name: "Pervomaisk", Country: "UA", Location: pt(48.04, 30.85)}, "ua-48080130000028458", ByExactName},
		{Place{Name: "Kam'ianets-Podilskyi", Country: "UA", Location: pt(48.68, 26.58)}, "ua-68020110000071202", ByExactName},
		{Place{Name: "Kam’ianets-Podilskyi", Country: "UA", Location: pt(48.68, 26.58)}, "ua-68020110000071202", ByExactName},
		{Place{Name: "Kamyanets-Podilskyi", Country: "UA", Location: pt(48.68, 26.58)}, "ua-68020110000071202", ByTransliteration},
		{Place{Name: "Mariupol", Country: "UA", Location: pt(47.1, 37.55)}, "ua-14140050000020560", ByExactName},
		{Place{Name: "Lviv Oblast", Country: "UA", Location: pt(49.8, 24.0)}, "ua-46060250000025047", ByCentre},
		{Place{Name: "Bakhchysarai Raion", Country: "UA", Location: pt(44.7, 33.9)}, "gn-712969", ByCentre},
		{Place{Name: "Sykhiv (Lviv)", Country: "UA", Location: pt(49.78, 24.06)}, "ua-46060250000025047", ByCentre},
		{Place{Name: "Vynnyky", Country: "UA", Location: pt(49.815, 24.13)}, "ua-46060250000025047", ByCoordinates},
		{Place{Name: "Krakow", Country: "PL", Location: pt(50.06, 19.94)}, "gn-3094802", ByExactName},
		{Place{Name: "Cracow", Country: "PL", Location: pt(50.06, 19.94)}, "gn-3094802", ByAltName},
		{Place{Name: "Pervomaisk", Country: "UA"}, "", Unresolved},                            // two of them and no point
		{Place{Name: "Lviv", Country: "PL", Location: pt(49.84, 24.03)}, "", Unresolved},      // wrong country
		{Place{Name: "Lviv", Country: "UA", Location: pt(45.0, 35.0)}, "", Unresolved},        // too far
		{Place{Name: "Atlantis", CountryRaw: "Narnia", Location: pt(10, 10)}, "", Unresolved}, // unknown country
	} {
		res := r.Resolve(tc.place)
		assert.Equal(t, tc.id, res.ID, "%+v: %+v", tc.place, res)
		assert.Equal(t, tc.method, res.Method, "%+v: %+v", tc.place, res)
	}
}

func TestImportTwins(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	reps := importFixtures(t, New(s, Options{}))
	rep := reps["twins"]
	assert.Equal(t, 15, rep.Read)
	assert.Equal(t, 2, rep.BadCount)
	assert.Equal(t, 9, rep.Partnerships.Created)
	assert.Equal(t, 1, rep.Skipped["pair listed more than once (repeated or the other way round)"], "Kraków-Lviv repeats Lviv-Kraków")
	assert.Equal(t, 1, rep.Skipped["a side is unresolved"], "Atlantis")
	assert.Equal(t, 2, rep.Skipped["a side's country has no municipality in the store"], "Moscow, Batumi")
	assert.Equal(t, 11, rep.InScope, "15 rows, 2 bad, 2 in countries the store lacks")
	partners, err := s.Partners(ctx, "ua-46060250000025047")
	require.NoError(t, err)
	var ids []string
	off := map[string]float64{}
	for _, p := range partners {
		ids = append(ids, p.Municipality.ID)
		assert.Equal(t, graph.StatusActive, p.Partnership.Status)
		assert.Equal(t, SourceWikipedia, p.Partnership.Source)
		assert.Equal(t, graph.KindTwinning, p.Partnership.Kind)
		require.Len(t, p.Partnership.Sources, 1)
		off[p.Municipality.ID] = p.Partnership.Sources[0].OffKm
	}
	assert.ElementsMatch(t, []string{"gn-3094802", "lau-ch-6621"}, ids)
	assert.Equal(t, map[string]float64{"gn-3094802": 0.1, "lau-ch-6621": 0.4}, off,
		"each reference keeps how far its farther end lies from the list's point")
	b, err := os.ReadFile(rep.Resolution.UnresolvedFile)
	require.NoError(t, err)
	assert.Contains(t, string(b), "Moscow,Russia,RU,55.7558,37.6173,,no municipality of this country in the store")
	assert.Contains(t, string(b), `unknown country ""Narnia""`)
}

func TestImportTwinsCreateMissing(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	im := New(s, Options{})
	importFixtures(t, im)
	rep, err := im.ImportTwins(ctx, openFixture(t, "twins.csv"), "twins.csv", PairOptions{CreateMissing: true})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Created, "Moscow and Batumi; Atlantis has no country")
	moscow, err := s.Municipality(ctx, "tw-ru-moscow-55.76-37.62")
	require.NoError(t, err)
	assert.Equal(t, "RU", moscow.Country)
	partners, err := s.Partners(ctx, moscow.ID)
	require.NoError(t, err)
	require.Len(t, partners, 1)
	assert.Equal(t, graph.StatusSuspended, partners[0].Partnership.Status, "partnerships with Russian cities are suspended")
	assert.Equal(t, "tw-us-maui-county-20.76-m156.31", createdID(Place{Name: "Maui County", Country: "US", Location: &graph.Point{Lat: 20.7581, Lon: -156.3105}}, "tw"))
}

// TestImportTwinsCreateMissingTwice imports a list in which a place that
// -create-missing creates for a later row ("Nərimanov") is what an earlier
// row's place ("Nərimanov (Baku)", a district named with its city) resolves
// to once it exists: the first import must resolve as a second one would,
// so that the second changes nothing. One pass over the rows in file order
// failed this on the real list: the first import linked Lviv to Baku (the
// district's city, by rule 3), the second to Nərimanov (by name, rule 2),
// and so added a partnership (three on the real list).
func TestImportTwinsCreateMissingTwice(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	im := New(s, Options{})
	importFixtures(t, im)
	const list = `city1,country1,lat1,lng1,city2,country2,lat2,lng2
Baku,Azerbaijan,40.3756,49.8325,Kraków,Poland,50.0614,19.9372
Lviv,Ukraine,49.8425,24.0322,Nərimanov (Baku),Azerbaijan,39.9611,48.3814
Flensburg,Germany,54.7819,9.4367,Nərimanov,Azerbaijan,39.9611,48.3814
`
	first, err := im.ImportTwins(ctx, strings.NewReader(list), "baku.csv", PairOptions{CreateMissing: true})
	require.NoError(t, err)
	require.NotZero(t, first.Created)
	second, err := im.ImportTwins(ctx, strings.NewReader(list), "baku.csv", PairOptions{CreateMissing: true})
	require.NoError(t, err)
	assert.Zero(t, second.Created, "nothing left to create")
	assert.Zero(t, second.Merged)
	assert.Equal(t, graph.UpsertResult{Unchanged: first.Partnerships.Created}, second.Partnerships, "the second import changes no partnership")
	assert.Equal(t, first.Skipped, second.Skipped)
	assert.Zero(t, second.Resolution.ByMethod[Created])
	assert.Equal(t, first.Resolution.ByMethod[Unresolved], second.Resolution.ByMethod[Unresolved])
	ids := partnerIDs(t, s, "ua-46060250000025047")
	assert.Contains(t, ids, "tw-az-nerimanov-39.96-48.38", "Nərimanov (Baku) is the district, once it exists")
	assert.NotContains(t, ids, "tw-az-baku-40.38-49.83", "not the district's city")
}

func TestImportWikidata(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	im := New(s, Options{})
	importFixtures(t, im)
	rep, err := im.ImportWikidata(ctx, openFixture(t, "wikidata.json"), "wikidata.json", PairOptions{CreateMissing: true})
	require.NoError(t, err)
	assert.Equal(t, 6, rep.Read)
	assert.Equal(t, 3, rep.BadCount)
	assert.Equal(t, 1, rep.Created, "Berlin is created as wd-q64")
	assert.Equal(t, 1, rep.Partnerships.Created, "Kyiv-Berlin")
	assert.Equal(t, 2, rep.Partnerships.Updated, "Lviv-Kraków and Dnipro-Flensburg came from wikipedia, and now cite wikidata too")
	lviv, err := s.MunicipalityByCode(ctx, "wikidata", "Q36036")
	require.NoError(t, err, "a side resolved by name learns its Wikidata id")
	assert.Equal(t, "ua-46060250000025047", lviv.ID)
	berlin, err := s.Municipality(ctx, "wd-q64")
	require.NoError(t, err)
	assert.Equal(t, int64(3755251), berlin.Population)

	// The second run resolves by code and changes nothing.
	rep, err = im.ImportWikidata(ctx, openFixture(t, "wikidata.json"), "wikidata.json", PairOptions{CreateMissing: true})
	require.NoError(t, err)
	assert.Zero(t, rep.Created)
	assert.Zero(t, rep.Merged)
	assert.Equal(t, graph.UpsertResult{Unchanged: 3}, rep.Partnerships)
	assert.Equal(t, 6, rep.Resolution.ByMethod[ByCode])
}

// TestImportWikidataMergesAfterTheLastPass imports pairs whose first side
// a later row's created place takes over ("Nərimanov (Baku)" resolves to
// Baku by its city until "Nərimanov" exists). The item of the first is
// remembered on a municipality only after the last pass: had the first
// pass written it onto Baku, every later pass would resolve it by code to
// Baku, and the answer would depend on the order of the rows.
func TestImportWikidataMergesAfterTheLastPass(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	importFixtures(t, New(s, Options{}))
	_, err := s.UpsertMunicipalities(ctx, []graph.Municipality{{ID: "gn-587084", Name: "Baku", NameLatin: "Baku", Country: "AZ",
		Kind: graph.KindCity, Population: 2_300_000, Location: &graph.Point{Lat: 40.3756, Lon: 49.8325}}})
	require.NoError(t, err)
	binding := func(city, cityLabel, cityPoint, cityCountry, twin, twinLabel, twinPoint, twinCountry string) string {
		item := func(q string) string { return `{"type": "uri", "value": "http://www.wikidata.org/entity/` + q + `"}` }
		lit := func(v string) string { return `{"type": "literal", "value": "` + v + `"}` }
		return `{"city": ` + item(city) + `, "cityLabel": ` + lit(cityLabel) + `, "cityCoord": ` + lit(cityPoint) + `, "cityCountry": ` + lit(cityCountry) +
			`, "twin": ` + item(twin) + `, "twinLabel": ` + lit(twinLabel) + `, "twinCoord": ` + lit(twinPoint) + `, "twinCountry": ` + lit(twinCountry) + `}`
	}
	doc := `{"head": {"vars": ["city", "cityLabel", "cityCoord", "cityPop", "cityCountry", "twin", "twinLabel", "twinCoord", "twinPop", "twinCountry"]},
"results": {"bindings": [
` + binding("Q36036", "Lviv", "Point(24.0322 49.8425)", "UA", "Q9000001", "Nərimanov (Baku)", "Point(48.3814 39.9611)", "AZ") + `,
` + binding("Q31487", "Kraków", "Point(19.9372 50.0614)", "PL", "Q9000002", "Nərimanov", "Point(48.3814 39.9611)", "AZ") + `,
` + binding("Q31487", "Kraków", "Point(19.9372 50.0614)", "PL", "Q9000003", "Baku", "Point(49.8325 40.3756)", "AZ") + `
]}}`
	var reps []*Report
	for range 2 {
		rep, err := New(s, Options{}).ImportWikidata(ctx, strings.NewReader(doc), "baku.json", PairOptions{CreateMissing: true})
		require.NoError(t, err)
		require.Zero(t, rep.BadCount, "%v", rep.BadRows)
		reps = append(reps, rep)
	}
	assert.Equal(t, 1, reps[0].Created, "Nərimanov, created once")
	assert.Zero(t, reps[1].Created)
	assert.Zero(t, reps[1].Merged)
	assert.Equal(t, graph.UpsertResult{Unchanged: reps[0].Partnerships.Created}, reps[1].Partnerships, "the second import changes nothing")
	ids := partnerIDs(t, s, "ua-46060250000025047")
	assert.Contains(t, ids, "wd-q9000002", "Nərimanov (Baku) is the district, once it exists")
	assert.NotContains(t, ids, "gn-587084", "not Baku")
	baku, err := s.Municipality(ctx, "gn-587084")
	require.NoError(t, err)
	assert.Equal(t, "Q9000003", baku.Codes.Wikidata, "Baku's own item, not the district's")
	assert.Equal(t, "Baku", baku.Name, "a municipality without a source keeps its name when it learns its item")
}

func TestParseWikidata(t *testing.T) {
	rows, bad, n, err := ParseWikidata(openFixture(t, "wikidata.json"), "wikidata.json")
	require.NoError(t, err)
	assert.Equal(t, 6, n)
	require.Len(t, rows, 3)
	assert.Equal(t, Place{Name: "Lviv", CountryRaw: "UA", Country: "UA", Wikidata: "Q36036", Population: 717273, Location: &graph.Point{Lat: 49.842222222, Lon: 24.031111111}}, rows[0].A)
	assert.Equal(t, 1995, rows[0].Since)
	assert.Equal(t, 1993, rows[2].Since, "a dateTime gives its year")
	assert.Equal(t, int64(3755251), rows[1].B.Population)
	assert.Equal(t, 4, rows[0].Pos.Line)
	assert.Equal(t, map[int]string{33: "cityCoord", 38: "city", 42: "cityPop"}, badLines(bad))

	_, _, _, err = ParseWikidata(strings.NewReader(`{"head":{"vars":["x"]},"results":{"bindings":[]}}`), "w.json")
	require.ErrorContains(t, err, `head.vars lacks "city"`)
	_, _, _, err = ParseWikidata(strings.NewReader(`[1,2]`), "w.json")
	require.Error(t, err)
}

func TestReimportChangesNothing(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	importFixtures(t, New(s, Options{}))
	before, err := s.Counts(ctx)
	require.NoError(t, err)
	// A fresh importer, as a second run of the command would be.
	reps := importFixtures(t, New(s, Options{}))
	for kind, rep := range reps {
		assert.Zero(t, rep.Created, kind)
		assert.Zero(t, rep.Updated, kind)
		assert.Zero(t, rep.Merged, kind)
		assert.Zero(t, rep.Partnerships.Created, kind)
		assert.Zero(t, rep.Partnerships.Updated, kind)
	}
	assert.Equal(t, 9, reps["hromadas"].Unchanged)
	assert.Equal(t, 9, reps["twins"].Partnerships.Unchanged)
	after, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

func TestStrictWritesNothing(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	im := New(s, Options{Strict: true, BatchSize: 2})
	_, err := im.ImportHromadas(ctx, openFixture(t, "hromadas.csv"), "hromadas.csv")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `hromadas.csv line 11, column lat_center: "abc" is not a number`)
	assert.Equal(t, graph.EINVALID, graph.ErrorCode(err))
	_, err = im.ImportLAU(ctx, []string{fixture("lau.csv")})
	require.Error(t, err)
	_, err = im.ImportGeoNames(ctx, openFixture(t, "geonames.txt"), "geonames.txt", fixtureFilter(t))
	require.Error(t, err)
	c, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Zero(t, c.Municipalities)

	// A clean file imports in strict mode.
	clean := bytes.Join(bytes.Split(readFixture(t, "hromadas.csv"), []byte("\n"))[:10], []byte("\n"))
	rep, err := im.ImportHromadas(ctx, bytes.NewReader(clean), "clean.csv")
	require.NoError(t, err)
	assert.Equal(t, 9, rep.Created)

	// Twins with bad rows write nothing either.
	_, err = im.ImportTwins(ctx, openFixture(t, "twins.csv"), "twins.csv", PairOptions{})
	require.Error(t, err)
	c, err = s.Counts(ctx)
	require.NoError(t, err)
	assert.Zero(t, c.Partnerships)
}

func TestCancelledImportWritesNoHalfBatch(t *testing.T) {
	s := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(s, Options{BatchSize: 3}).ImportHromadas(ctx, openFixture(t, "hromadas.csv"), "hromadas.csv")
	require.ErrorIs(t, err, context.Canceled)
	c, err := s.Counts(context.Background())
	require.NoError(t, err)
	assert.Zero(t, c.Municipalities)
}

func TestBatchesWriteEverything(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	rep, err := New(s, Options{BatchSize: 2}).ImportHromadas(ctx, openFixture(t, "hromadas.csv"), "hromadas.csv")
	require.NoError(t, err)
	assert.Equal(t, 9, rep.Created)
	c, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 9, c.Municipalities)
}

func TestWriteSummary(t *testing.T) {
	s := openStore(t)
	rep, err := New(s, Options{}).ImportHromadas(context.Background(), openFixture(t, "hromadas.csv"), "hromadas.csv")
	require.NoError(t, err)
	var b strings.Builder
	rep.WriteSummary(&b)
	out := b.String()
	assert.Contains(t, out, "import hromadas: read 15 rows from hromadas.csv")
	assert.Contains(t, out, "9 created, 0 updated, 0 merged, 0 unchanged")
	assert.Contains(t, out, "6 bad rows (left out)")
	assert.Contains(t, out, `hromadas.csv line 11, column lat_center: "abc" is not a number`)
}

func TestProgress(t *testing.T) {
	var b strings.Builder
	p := NewProgress(&b)
	p.Start("writing", 100)
	for range 100 {
		p.Add(1)
	}
	p.Done()
	assert.Contains(t, b.String(), "writing: 100 to do")
	assert.Contains(t, b.String(), "writing: 50% (50/100)")
	assert.Contains(t, b.String(), "writing: done, 100")

	// A file read in bytes, on a clock that says 0.1 s a call: the rate and
	// the time left.
	clock := time.Unix(0, 0)
	tick := func() time.Time { clock = clock.Add(100 * time.Millisecond); return clock }
	b.Reset()
	lp := &lineProgress{stageClock: stageClock{now: tick}, w: &b}
	lp.StartBytes("reading cities1000.tsv", 10_000_000)
	for range 10 {
		lp.Add(1_000_000)
	}
	lp.Done()
	assert.Contains(t, b.String(), "reading cities1000.tsv: 10.0 MB to do")
	assert.Regexp(t, `reading cities1000.tsv: 50% \(5.0 MB/10.0 MB, \d+\.\d MB/s, (about \d+s|under a second) left\)`, b.String())
	assert.Contains(t, b.String(), "reading cities1000.tsv: done, 10.0 MB in")

	// On a terminal, the bar moves while the file is read, with the rate
	// and the time left, and rows are counted with separators.
	b.Reset()
	clock = time.Unix(0, 0)
	bp := &barProgress{stageClock: stageClock{now: tick}, w: &b}
	bp.Start("resolving lau", 63645)
	bp.Add(31000)
	assert.Regexp(t, `\[=+ +\]  48% 31,000/63,645 \d{2,3},\d{3}/s, (about \d+s|under a second) left`, b.String())

	// A file the importer reads: in bytes when it is a file.
	f, err := os.Open(fixture("hromadas.csv"))
	require.NoError(t, err)
	defer f.Close()
	b.Reset()
	r, inBytes := startReading(&lineProgress{stageClock: stageClock{now: time.Now}, w: &b}, f, "hromadas.csv")
	assert.True(t, inBytes)
	_, err = io.ReadAll(r)
	require.NoError(t, err)
	assert.Regexp(t, `reading hromadas\.csv: \d+ kB to do`, b.String())
}

// partnerIDs returns the ids of id's partners in s.
func partnerIDs(t *testing.T, s graph.Store, id string) []string {
	t.Helper()
	partners, err := s.Partners(context.Background(), id)
	require.NoError(t, err)
	var ids []string
	for _, p := range partners {
		ids = append(ids, p.Municipality.ID)
	}
	return ids
}

// TestImportReducedGeoNames imports GeoNames' reduced layout (cities1000)
// after the other fixtures: a place already stored by its code is left as
// it is, one that names a stored unit or a stored place lends nothing new
// and creates no node, a village within a LAU unit becomes that unit's
// alternative name, a place of a country without units is created; a
// second import changes nothing.
func TestImportReducedGeoNames(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	im := New(s, Options{})
	importFixtures(t, im)
	rep, err := im.ImportGeoNames(ctx, openFixture(t, "cities1000.tsv"), "cities1000.tsv", fixtureFilter(t))
	require.NoError(t, err)
	assert.Equal(t, 8, rep.Read)
	assert.Equal(t, 1, rep.BadCount, "Broken has 4 columns")
	assert.Contains(t, rep.BadRows[0].Error(), "cities1000.tsv line 8: has 4 tab-separated columns, expected 9 (geonameid, name, alt_name")
	assert.Equal(t, 1, rep.Created, "Sighnaghi: Georgia has no LAU units")
	assert.Equal(t, 2, rep.Unchanged, "Kraków by its code; Bochnia names the town's unit already")
	assert.Equal(t, 1, rep.Localities, "Łapczyca lies within the rural gmina of Bochnia")
	assert.Equal(t, 1, rep.Skipped["already stored under another GeoNames id (a place of the same name within 5 km)"], "Krakow")
	assert.Equal(t, 1, rep.Skipped["city district (PPLX), see -districts"])
	assert.Equal(t, 1, rep.Skipped["country not selected"])

	_, err = s.Municipality(ctx, "gn-9999001")
	assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err), "no second Bochnia")
	rural, err := s.Municipality(ctx, "lau-pl-1201022")
	require.NoError(t, err)
	assert.Contains(t, rural.AltNames, "Łapczyca")
	assert.Empty(t, rural.Codes.GeoNames, "a locality lends its name, not its code")
	town, err := s.Municipality(ctx, "lau-pl-1201011")
	require.NoError(t, err)
	assert.NotContains(t, town.AltNames, "Łapczyca")
	geo, err := s.Municipality(ctx, "gn-9999004")
	require.NoError(t, err)
	assert.Equal(t, graph.KindCity, geo.Kind, "the seat of a second-level division")
	kr, err := s.Municipality(ctx, "gn-3094802")
	require.NoError(t, err)
	assert.NotEmpty(t, kr.AltNames, "Kraków keeps the alternate names of the full dump")

	again, err := New(s, Options{}).ImportGeoNames(ctx, openFixture(t, "cities1000.tsv"), "cities1000.tsv", fixtureFilter(t))
	require.NoError(t, err)
	assert.Zero(t, again.Created+again.Updated+again.Merged+again.Localities, "a second import changes nothing")
	assert.Equal(t, 4, again.Unchanged)
}

// TestLAURegionNames names a LAU unit's NUTS 2 region by the GeoNames
// region of the places its region's units merge with.
func TestLAURegionNames(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	importFixtures(t, New(s, Options{}))
	krakow, err := s.Municipality(ctx, "gn-3094802")
	require.NoError(t, err)
	require.NotEmpty(t, krakow.Region.Name)
	rural, err := s.Municipality(ctx, "lau-pl-1201022")
	require.NoError(t, err)
	assert.Equal(t, graph.Region{Code: "PL21", Name: krakow.Region.Name}, rural.Region, "Kraków's unit, merged with GeoNames' Kraków, names PL21")
}
