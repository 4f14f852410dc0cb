package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

// Run runs the contract suite against the store that open returns. open must
// return a fresh, empty store on every call and arrange for it to be closed
// when the test ends (t.Cleanup); every subtest calls it once, so subtests
// do not see each other's data. Subtests do not run in parallel, so a store
// backed by one shared database may empty it in open.
func Run(t *testing.T, open func(t *testing.T) graph.Store) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s graph.Store)
	}{
		{"Municipality", testMunicipality},
		{"MunicipalityByCode", testMunicipalityByCode},
		{"SearchText", testSearchText},
		{"SearchRanking", testSearchRanking},
		{"SearchForgives", testSearchForgives},
		{"SearchFilters", testSearchFilters},
		{"SearchPagination", testSearchPagination},
		{"SearchInvalid", testSearchInvalid},
		{"Partners", testPartners},
		{"UpsertMunicipalitiesCounts", testUpsertMunicipalitiesCounts},
		{"UpsertMunicipalitiesAllOrNone", testUpsertMunicipalitiesAllOrNone},
		{"UpsertMunicipalitiesConflicts", testUpsertMunicipalitiesConflicts},
		{"UpsertMunicipalitiesCodesFollowUpdates", testCodesFollowUpdates},
		{"UpsertMunicipalitiesKeepsPartnerships", testReplaceKeepsPartnerships},
		{"UpsertPartnerships", testUpsertPartnerships},
		{"UpsertPartnershipsAllOrNone", testUpsertPartnershipsAllOrNone},
		{"DeleteMunicipality", testDeleteMunicipality},
		{"DeletePartnership", testDeletePartnership},
		{"Counts", testCounts},
		{"ScanMunicipalities", testScanMunicipalities},
		{"ScanPartnerships", testScanPartnerships},
		{"CancelledContext", testCancelledContext},
		{"Concurrent", testConcurrent},
		{"Ping", testPing},
		{"Version", testVersion},
		{"ShortestPaths", testShortestPaths},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
	for _, tc := range workflowTests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// requireCode fails the test unless err carries the given application code.
func requireCode(t *testing.T, err error, code string, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	require.Equal(t, code, graph.ErrorCode(err), append([]any{"error %q"}, err.Error()))
}

// ids returns the ids of ms, in order.
func ids(ms []graph.Municipality) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// allIDs returns the ids of every municipality in s, in scan order.
func allIDs(t *testing.T, s graph.Store) []string {
	t.Helper()
	var out []string
	require.NoError(t, s.ScanMunicipalities(context.Background(), func(m graph.Municipality) error {
		out = append(out, m.ID)
		return nil
	}))
	return out
}

// allPartnerships returns every partnership in s, in scan order.
func allPartnerships(t *testing.T, s graph.Store) []graph.Partnership {
	t.Helper()
	var out []graph.Partnership
	require.NoError(t, s.ScanPartnerships(context.Background(), func(p graph.Partnership) error {
		out = append(out, p)
		return nil
	}))
	return out
}

// search runs q and fails the test on error.
func search(t *testing.T, s graph.Store, q graph.Query) graph.Page {
	t.Helper()
	page, err := s.Search(context.Background(), q)
	require.NoError(t, err, "search %+v", q)
	return page
}

func testMunicipality(t *testing.T, s graph.Store) {
	ctx := context.Background()
	_, err := s.Municipality(ctx, "ua-lviv")
	requireCode(t, err, graph.ENOTFOUND, "empty store")

	ms, _ := Seed(t, s)
	for _, want := range ms {
		got, err := s.Municipality(ctx, want.ID)
		require.NoError(t, err, want.ID)
		assert.Equal(t, want, got, "round trip of %s", want.ID)
	}
	for _, id := range []string{"ua-nowhere", "UA-LVIV", "lviv", ""} {
		_, err := s.Municipality(ctx, id)
		requireCode(t, err, graph.ENOTFOUND, "id %q", id)
	}

	// The store keeps its own copy: changing a returned value changes nothing.
	got, err := s.Municipality(ctx, "ua-lviv")
	require.NoError(t, err)
	got.AltNames[0] = "changed"
	got.Location.Lat = 0
	again, err := s.Municipality(ctx, "ua-lviv")
	require.NoError(t, err)
	assert.Equal(t, municipalityByID(t, ms, "ua-lviv"), again)
}

func testMunicipalityByCode(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)
	for _, tc := range []struct {
		code, value, want string
	}{
		{"katottg", "UA46060250010015970", "ua-lviv"},
		{"katottg", "UA12020010010063857", "ua-dnipro"},
		{"lau", "PL_1261011", "pl-krakow"},
		{"lau", "DE_08311000", "de-freiburg"},
		{"geonames", "2996944", "fr-lyon"},
		{"wikidata", "Q1799", "pl-wroclaw"},
		{"wikidata", "Q182648", "ua-kamianets"},
	} {
		m, err := s.MunicipalityByCode(ctx, tc.code, tc.value)
		require.NoError(t, err, "%s=%s", tc.code, tc.value)
		assert.Equal(t, tc.want, m.ID, "%s=%s", tc.code, tc.value)
	}
	for _, tc := range [][2]string{{"katottg", "UA00000000000000000"}, {"lau", "PL_1261012"}, {"wikidata", "Q36037"}, {"geonames", "702550x"}} {
		_, err := s.MunicipalityByCode(ctx, tc[0], tc[1])
		requireCode(t, err, graph.ENOTFOUND, "%s=%s", tc[0], tc[1])
	}
	for _, code := range []string{"nuts3", "KATOTTG", "osm", ""} {
		_, err := s.MunicipalityByCode(ctx, code, "PL213")
		requireCode(t, err, graph.EINVALID, "code name %q", code)
	}
}

func testSearchText(t *testing.T, s graph.Store) {
	Seed(t, s)
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"Львів", []string{"ua-lviv"}},
		{"lviv", []string{"ua-lviv"}},
		{"LVIV", []string{"ua-lviv"}},
		{"  Lviv ", []string{"ua-lviv"}},
		{"Lwów", []string{"ua-lviv"}},
		{"lwow", []string{"ua-lviv"}},
		{"Lemberg", []string{"ua-lviv"}},
		{"Kam'ianets", []string{"ua-kamianets"}},
		{"Kamianets", []string{"ua-kamianets"}},
		{"Kam’ianets-Podilskyi", []string{"ua-kamianets"}},
		{"Кам'янець", []string{"ua-kamianets"}},
		{"podilskyi", []string{"ua-kamianets"}},
		{"Krakow", []string{"pl-krakow"}},
		{"KRAKÓW", []string{"pl-krakow"}},
		{"Cracow", []string{"pl-krakow"}},
		{"Dnipropetrovsk", []string{"ua-dnipro"}},
		{"Днепропетровск", []string{"ua-dnipro"}},
		{"Дніпро", []string{"ua-dnipro"}},
		{"Breslau", []string{"pl-wroclaw"}},
		{"wroclaw", []string{"pl-wroclaw"}},
		{"im Breisgau", []string{"de-freiburg"}},
		{"freiburg-im-breisgau", []string{"de-freiburg"}},
		// "krak" is a prefix of Kraków and Krakau, so Kraków is found once.
		{"krak", []string{"pl-krakow"}},
		// Substrings of several cities: by population.
		{"ro", []string{"ua-dnipro", "pl-wroclaw"}},
		{"zzzz", nil},
	} {
		page := search(t, s, graph.Query{Text: tc.text})
		assert.Equal(t, tc.want, ids(page.Items), "text %q", tc.text)
		assert.Equal(t, len(tc.want), page.Total, "total for %q", tc.text)
	}
}

func testSearchRanking(t *testing.T, s graph.Store) {
	ctx := context.Background()
	mk := func(id, name string, pop int64, alt ...string) graph.Municipality {
		return graph.Municipality{ID: id, Name: name, NameLatin: name, AltNames: alt, Country: "IT", Kind: graph.KindTown, Population: pop}
	}
	_, err := s.UpsertMunicipalities(ctx, []graph.Municipality{
		mk("r-sub-tie-b", "Casanova", 500),
		mk("r-exact-small", "Nova", 100),
		mk("r-prefix-unknown", "Nova Gorica", 0),
		mk("r-sub-big", "Villanova", 50000),
		mk("r-exact-big", "Nová", 1000),
		mk("r-prefix-big", "Novara", 100000),
		mk("r-sub-tie-a", "Casanova", 500),
		mk("r-exact-alt", "Novaya Zemlya", 10, "Nova"),
		mk("r-none", "Bologna", 390000),
	})
	require.NoError(t, err)

	page := search(t, s, graph.Query{Text: "nova"})
	assert.Equal(t, []string{
		"r-exact-big", "r-exact-small", "r-exact-alt", // exact, by population
		"r-prefix-big", "r-prefix-unknown", // prefix, unknown population last
		"r-sub-big", "r-sub-tie-a", "r-sub-tie-b", // substring, then id on a tie
	}, ids(page.Items))
	assert.Equal(t, 8, page.Total)

	// Without text every match ranks the same: population, then id.
	page = search(t, s, graph.Query{Countries: []string{"IT"}})
	assert.Equal(t, []string{"r-none", "r-prefix-big", "r-sub-big", "r-exact-big", "r-sub-tie-a", "r-sub-tie-b", "r-exact-small", "r-exact-alt", "r-prefix-unknown"}, ids(page.Items))
}

func testSearchFilters(t *testing.T, s graph.Store) {
	Seed(t, s)
	for _, tc := range []struct {
		name string
		q    graph.Query
		want []string
	}{
		{"all", graph.Query{}, []string{"ua-dnipro", "pl-krakow", "ua-lviv", "pl-wroclaw", "fr-lyon", "de-freiburg", "ua-kamianets", "pl-zakopane", "de-kleindorf"}},
		{"country", graph.Query{Countries: []string{"PL"}}, []string{"pl-krakow", "pl-wroclaw", "pl-zakopane"}},
		{"countries", graph.Query{Countries: []string{"DE", "FR"}}, []string{"fr-lyon", "de-freiburg", "de-kleindorf"}},
		{"region", graph.Query{Regions: []string{"PL21", "UA-46"}}, []string{"pl-krakow", "ua-lviv", "pl-zakopane"}},
		{"kind", graph.Query{Kinds: []graph.Kind{graph.KindTown, graph.KindVillage}}, []string{"pl-zakopane", "de-kleindorf"}},
		{"theme", graph.Query{Themes: []string{"university"}}, []string{"pl-krakow", "ua-lviv", "pl-wroclaw", "de-freiburg"}},
		{"themes any", graph.Query{Themes: []string{"sport", "environment"}}, []string{"de-freiburg", "pl-zakopane"}},
		{"min population", graph.Query{MinPopulation: 672929}, []string{"ua-dnipro", "pl-krakow", "ua-lviv", "pl-wroclaw"}},
		{"max population", graph.Query{MaxPopulation: 97000}, []string{"ua-kamianets", "pl-zakopane"}},
		{"population range", graph.Query{MinPopulation: 97000, MaxPopulation: 522250}, []string{"fr-lyon", "de-freiburg", "ua-kamianets"}},
		{"unknown population only without bounds", graph.Query{Countries: []string{"DE"}}, []string{"de-freiburg", "de-kleindorf"}},
		{"unknown population left out by a bound", graph.Query{Countries: []string{"DE"}, MaxPopulation: 1000000}, []string{"de-freiburg"}},
		{"text and country", graph.Query{Text: "krak", Countries: []string{"PL"}}, []string{"pl-krakow"}},
		{"text and other country", graph.Query{Text: "lviv", Countries: []string{"PL"}}, nil},
		{"text and theme", graph.Query{Text: "o", Themes: []string{"economy"}}, []string{"ua-dnipro", "pl-wroclaw", "fr-lyon"}},
		{"war zone at the last date", graph.Query{War: graph.WarZoneLast}, []string{"ua-dnipro"}},
		{"affected by the war", graph.Query{War: graph.WarAffected}, []string{"ua-dnipro"}},
		{"occupied before 2022", graph.Query{War: graph.WarOccupied}, nil},
		{"free to sign", graph.Query{War: graph.WarFree, Countries: []string{"UA"}}, []string{"ua-lviv", "ua-kamianets"}},
		{"everything", graph.Query{Text: "Львів", Countries: []string{"UA"}, Regions: []string{"UA-46"}, Kinds: []graph.Kind{graph.KindCity}, Themes: []string{"culture"}, MinPopulation: 1, MaxPopulation: 1000000}, []string{"ua-lviv"}},
	} {
		page := search(t, s, tc.q)
		assert.Equal(t, tc.want, ids(page.Items), tc.name)
		assert.Equal(t, len(tc.want), page.Total, tc.name)
	}
}

func testSearchPagination(t *testing.T, s graph.Store) {
	Seed(t, s)
	all := []string{"ua-dnipro", "pl-krakow", "ua-lviv", "pl-wroclaw", "fr-lyon", "de-freiburg", "ua-kamianets", "pl-zakopane", "de-kleindorf"}
	for _, tc := range []struct {
		offset, limit int
		want          []string
		wantLimit     int
	}{
		{0, 0, all, graph.DefaultLimit},
		{0, 3, all[:3], 3},
		{3, 3, all[3:6], 3},
		{8, 3, all[8:], 3},
		{9, 3, nil, 3},
		{50, 0, nil, graph.DefaultLimit},
		{2, graph.MaxLimit, all[2:], graph.MaxLimit},
	} {
		page := search(t, s, graph.Query{Offset: tc.offset, Limit: tc.limit})
		assert.Equal(t, tc.want, ids(page.Items), "offset %d limit %d", tc.offset, tc.limit)
		assert.Equal(t, len(all), page.Total, "offset %d limit %d", tc.offset, tc.limit)
		assert.Equal(t, tc.offset, page.Offset)
		assert.Equal(t, tc.wantLimit, page.Limit)
	}
}

func testSearchInvalid(t *testing.T, s graph.Store) {
	Seed(t, s)
	for _, tc := range []struct {
		q     graph.Query
		field string
	}{
		{graph.Query{Offset: -1}, "offset"},
		{graph.Query{Limit: -1}, "limit"},
		{graph.Query{Limit: graph.MaxLimit + 1}, "limit"},
		{graph.Query{MinPopulation: -5}, "min_population"},
		{graph.Query{MaxPopulation: -5}, "max_population"},
		{graph.Query{MinPopulation: 10, MaxPopulation: 5}, "max_population"},
		{graph.Query{War: "peace"}, "war"},
		{graph.Query{Countries: []string{"pl"}}, "country"},
		{graph.Query{Kinds: []graph.Kind{"metropolis"}}, "kind"},
		{graph.Query{Themes: []string{"nightlife"}}, "theme"},
		{graph.Query{Text: strings.Repeat("я", 201)}, "q"},
	} {
		_, err := s.Search(context.Background(), tc.q)
		requireCode(t, err, graph.EINVALID, "query %+v", tc.q)
		assert.Equal(t, tc.field, graph.ErrorField(err), "query %+v", tc.q)
	}
}

func testPartners(t *testing.T, s graph.Store) {
	ctx := context.Background()
	ms, ps := Seed(t, s)

	got, err := s.Partners(ctx, "ua-lviv")
	require.NoError(t, err)
	require.Len(t, got, 3)
	var others []string
	for _, p := range got {
		others = append(others, p.Municipality.ID)
		assert.Equal(t, municipalityByID(t, ms, p.Municipality.ID), p.Municipality)
		assert.Less(t, p.Partnership.A, p.Partnership.B, "partnership is normalised")
		assert.Equal(t, p.Municipality.ID, p.Partnership.Other("ua-lviv"))
		assert.Contains(t, ps, p.Partnership)
	}
	assert.Equal(t, []string{"de-freiburg", "pl-krakow", "pl-wroclaw"}, others)

	got, err = s.Partners(ctx, "pl-krakow")
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "ua-kamianets", got[0].Municipality.ID)
	assert.Equal(t, graph.StatusDormant, got[0].Partnership.Status)
	assert.Equal(t, "ua-lviv", got[1].Municipality.ID)

	got, err = s.Partners(ctx, "fr-lyon")
	require.NoError(t, err)
	assert.Empty(t, got)

	_, err = s.Partners(ctx, "ua-nowhere")
	requireCode(t, err, graph.ENOTFOUND)
}

func testUpsertMunicipalitiesCounts(t *testing.T, s graph.Store) {
	ctx := context.Background()
	ms, _ := Fixture()

	res, err := s.UpsertMunicipalities(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{}, res, "empty batch")

	res, err = s.UpsertMunicipalities(ctx, ms)
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{Created: len(ms)}, res)

	res, err = s.UpsertMunicipalities(ctx, ms)
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{Unchanged: len(ms)}, res)

	changed := municipalityByID(t, ms, "pl-zakopane")
	changed.Population = 27000
	changed.Themes = append(changed.Themes, "environment")
	added := graph.Municipality{ID: "sk-kosice", Name: "Košice", NameLatin: "Košice", Country: "SK", Kind: graph.KindCity, Population: 229040}
	res, err = s.UpsertMunicipalities(ctx, []graph.Municipality{changed, municipalityByID(t, ms, "ua-lviv"), added})
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{Created: 1, Updated: 1, Unchanged: 1}, res)

	got, err := s.Municipality(ctx, "pl-zakopane")
	require.NoError(t, err)
	assert.Equal(t, changed, got)
	got, err = s.Municipality(ctx, "sk-kosice")
	require.NoError(t, err)
	assert.Equal(t, added, got)
	assert.Equal(t, []string{"sk-kosice"}, ids(search(t, s, graph.Query{Text: "kosice"}).Items), "a created municipality is searchable")
	assert.Equal(t, []string{"pl-zakopane"}, ids(search(t, s, graph.Query{Themes: []string{"environment"}, MaxPopulation: 100000}).Items), "an update is searchable")

	// A rename drops the old name from search.
	renamed := changed
	renamed.Name, renamed.NameLatin = "Tatry Zdrój", "Tatry Zdrój"
	_, err = s.UpsertMunicipalities(ctx, []graph.Municipality{renamed})
	require.NoError(t, err)
	assert.Equal(t, []string{"pl-zakopane"}, ids(search(t, s, graph.Query{Text: "zdroj"}).Items))
	assert.Empty(t, search(t, s, graph.Query{Text: "zakopane"}).Items, "the old name is gone")
}

func testUpsertMunicipalitiesAllOrNone(t *testing.T, s graph.Store) {
	ctx := context.Background()
	ms, _ := Seed(t, s)
	before := allIDs(t, s)

	good := graph.Municipality{ID: "cz-brno", Name: "Brno", Country: "CZ", Kind: graph.KindCity, Population: 380000}
	update := municipalityByID(t, ms, "fr-lyon")
	update.Population = 1
	for _, tc := range []struct {
		name  string
		bad   func(m *graph.Municipality)
		field string
	}{
		{"id", func(m *graph.Municipality) { m.ID = "Bad Id" }, "id"},
		{"name", func(m *graph.Municipality) { m.Name, m.NameLatin = " ", "" }, "name"},
		{"country", func(m *graph.Municipality) { m.Country = "Poland" }, "country"},
		{"kind", func(m *graph.Municipality) { m.Kind = "metropolis" }, "kind"},
		{"population", func(m *graph.Municipality) { m.Population = -1 }, "population"},
		{"location", func(m *graph.Municipality) { m.Location = &graph.Point{Lat: 91} }, "location"},
		{"code", func(m *graph.Municipality) { m.Codes.KATOTTG = "UA123" }, "codes.katottg"},
		{"theme", func(m *graph.Municipality) { m.Themes = []string{"culture", "nightlife"} }, "themes"},
		// Text a store could not index (Neo4j refuses index keys over
		// about 32 kB) or would not give back byte for byte.
		{"long name", func(m *graph.Municipality) { m.Name = strings.Repeat("я", 40000) }, "name"},
		{"long alternative names", func(m *graph.Municipality) {
			m.AltNames = []string{strings.Repeat("a", 15000), strings.Repeat("b", 15000), strings.Repeat("c", 15000)}
		}, "alt_names"},
		{"too many alternative names", func(m *graph.Municipality) {
			for i := range graph.MaxAltNames + 1 {
				m.AltNames = append(m.AltNames, fmt.Sprintf("Bari %d", i))
			}
		}, "alt_names"},
		{"long region code", func(m *graph.Municipality) { m.Region.Code = strings.Repeat("X", 20000) }, "region.code"},
		{"invalid UTF-8", func(m *graph.Municipality) { m.NameLatin = "Bari\xff\xfe" }, "name_latin"},
	} {
		bad := graph.Municipality{ID: "it-bari", Name: "Bari", Country: "IT", Kind: graph.KindCity}
		tc.bad(&bad)
		res, err := s.UpsertMunicipalities(ctx, []graph.Municipality{good, update, bad})
		requireCode(t, err, graph.EINVALID, tc.name)
		assert.Equal(t, tc.field, graph.ErrorField(err), tc.name)
		assert.Equal(t, graph.UpsertResult{}, res, tc.name)
		assert.Equal(t, before, allIDs(t, s), "%s: nothing from the batch is stored", tc.name)
		got, err := s.Municipality(ctx, "fr-lyon")
		require.NoError(t, err)
		assert.Equal(t, int64(522250), got.Population, "%s: no update from the batch is stored", tc.name)
	}
}

func testUpsertMunicipalitiesConflicts(t *testing.T, s graph.Store) {
	ctx := context.Background()
	ms, _ := Seed(t, s)
	before := allIDs(t, s)

	brno := graph.Municipality{ID: "cz-brno", Name: "Brno", Country: "CZ", Kind: graph.KindCity}
	update := municipalityByID(t, ms, "fr-lyon")
	update.Population = 1
	withCode := func(id string, c graph.Codes) graph.Municipality {
		return graph.Municipality{ID: id, Name: id, Country: "CZ", Kind: graph.KindTown, Codes: c}
	}
	for _, tc := range []struct {
		name  string
		batch []graph.Municipality
	}{
		{"duplicate id", []graph.Municipality{brno, update, brno}},
		{"duplicate existing id", []graph.Municipality{update, brno, update}},
		{"katottg held by another", []graph.Municipality{brno, withCode("cz-x", graph.Codes{KATOTTG: "UA46060250010015970"})}},
		{"lau held by another", []graph.Municipality{brno, withCode("cz-x", graph.Codes{LAU: "PL_1261011"})}},
		{"geonames held by another", []graph.Municipality{brno, withCode("cz-x", graph.Codes{GeoNames: "702550"})}},
		{"wikidata held by another", []graph.Municipality{update, withCode("cz-x", graph.Codes{Wikidata: "Q456"})}},
		{"code twice in the batch", []graph.Municipality{withCode("cz-x", graph.Codes{LAU: "CZ_582786"}), brno, withCode("cz-y", graph.Codes{LAU: "CZ_582786"})}},
	} {
		res, err := s.UpsertMunicipalities(ctx, tc.batch)
		requireCode(t, err, graph.ECONFLICT, tc.name)
		assert.Equal(t, graph.UpsertResult{}, res, tc.name)
		assert.Equal(t, before, allIDs(t, s), "%s: nothing from the batch is stored", tc.name)
		got, err := s.Municipality(ctx, "fr-lyon")
		require.NoError(t, err)
		assert.Equal(t, int64(522250), got.Population, "%s: no update from the batch is stored", tc.name)
	}

	// NUTS 3 is a region, not an identity: many municipalities share one.
	_, err := s.UpsertMunicipalities(ctx, []graph.Municipality{withCode("pl-x", graph.Codes{NUTS3: "PL213"})})
	require.NoError(t, err)
	// A municipality keeps its own codes when it is replaced.
	lviv := municipalityByID(t, ms, "ua-lviv")
	lviv.Population++
	res, err := s.UpsertMunicipalities(ctx, []graph.Municipality{lviv})
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{Updated: 1}, res)
}

func testCodesFollowUpdates(t *testing.T, s graph.Store) {
	ctx := context.Background()
	ms, _ := Seed(t, s)
	lviv := municipalityByID(t, ms, "ua-lviv")
	lviv.Codes.Wikidata = "Q999999"
	lviv.Codes.GeoNames = ""
	_, err := s.UpsertMunicipalities(ctx, []graph.Municipality{lviv})
	require.NoError(t, err)

	m, err := s.MunicipalityByCode(ctx, "wikidata", "Q999999")
	require.NoError(t, err)
	assert.Equal(t, "ua-lviv", m.ID)
	_, err = s.MunicipalityByCode(ctx, "wikidata", "Q36036")
	requireCode(t, err, graph.ENOTFOUND, "the old code is released")
	_, err = s.MunicipalityByCode(ctx, "geonames", "702550")
	requireCode(t, err, graph.ENOTFOUND, "the removed code is released")

	// A released code can be taken by another municipality.
	other := graph.Municipality{ID: "ua-other", Name: "Інше", Country: "UA", Kind: graph.KindVillage, Codes: graph.Codes{Wikidata: "Q36036", GeoNames: "702550"}}
	_, err = s.UpsertMunicipalities(ctx, []graph.Municipality{other})
	require.NoError(t, err)
	m, err = s.MunicipalityByCode(ctx, "geonames", "702550")
	require.NoError(t, err)
	assert.Equal(t, "ua-other", m.ID)
}

func testReplaceKeepsPartnerships(t *testing.T, s graph.Store) {
	ctx := context.Background()
	ms, _ := Seed(t, s)
	lviv := municipalityByID(t, ms, "ua-lviv")
	lviv.Population = 700000
	lviv.AltNames = nil
	res, err := s.UpsertMunicipalities(ctx, []graph.Municipality{lviv})
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{Updated: 1}, res)

	got, err := s.Partners(ctx, "ua-lviv")
	require.NoError(t, err)
	assert.Len(t, got, 3)
	kr, err := s.Partners(ctx, "pl-krakow")
	require.NoError(t, err)
	require.Len(t, kr, 2)
	assert.Equal(t, lviv, kr[1].Municipality, "a partner is seen with its new values")
	c, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 5, c.Partnerships)
}

func testUpsertPartnerships(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)

	res, err := s.UpsertPartnerships(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{}, res, "empty batch")

	// Given B before A, stored in order.
	p := graph.Partnership{A: "ua-lviv", B: "fr-lyon", Kind: graph.KindCooperation, Status: graph.StatusProposed, Since: 2024}
	res, err = s.UpsertPartnerships(ctx, []graph.Partnership{p})
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{Created: 1}, res)
	want := graph.Partnership{A: "fr-lyon", B: "ua-lviv", Kind: graph.KindCooperation, Status: graph.StatusProposed, Since: 2024}
	assert.Contains(t, allPartnerships(t, s), want)

	// The same pair in the other order is the same partnership.
	res, err = s.UpsertPartnerships(ctx, []graph.Partnership{want})
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{Unchanged: 1}, res)

	p.Status = graph.StatusActive
	res, err = s.UpsertPartnerships(ctx, []graph.Partnership{p, {A: "ua-lviv", B: "pl-krakow", Kind: graph.KindTwinning, Status: graph.StatusActive, Since: 1995, Source: "storetest"}})
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{Updated: 1, Unchanged: 1}, res)

	got, err := s.Partners(ctx, "fr-lyon")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "ua-lviv", got[0].Municipality.ID)
	want.Status = graph.StatusActive
	assert.Equal(t, want, got[0].Partnership)

	c, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 6, c.Partnerships, "updating a pair in either order adds no partnership")
	assert.Equal(t, 4, c.ByStatus[graph.StatusActive])

	// A partnership keeps what each source says of it, in order.
	cited := want.Cite(graph.Reference{Source: "wikipedia"}).Cite(graph.Reference{Source: "register", Since: 2019, Agreement: "cbc_interterritorial", Themes: []string{"culture", "economy"}})
	res, err = s.UpsertPartnerships(ctx, []graph.Partnership{cited})
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{Updated: 1}, res)
	got, err = s.Partners(ctx, "fr-lyon")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, cited, got[0].Partnership)
	assert.Contains(t, allPartnerships(t, s), cited)
	res, err = s.UpsertPartnerships(ctx, []graph.Partnership{cited})
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{Unchanged: 1}, res, "the same sources: unchanged")
	twice := cited
	twice.Sources = append(slices.Clone(cited.Sources), graph.Reference{Source: "wikipedia"})
	_, err = s.UpsertPartnerships(ctx, []graph.Partnership{twice})
	assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "a source listed twice")
	assert.Equal(t, "sources", graph.ErrorField(err))
}

func testUpsertPartnershipsAllOrNone(t *testing.T, s graph.Store) {
	ctx := context.Background()
	_, ps := Seed(t, s)
	good := graph.Partnership{A: "fr-lyon", B: "ua-kamianets", Kind: graph.KindTwinning, Status: graph.StatusActive}
	update := ps[0]
	update.Status = graph.StatusSuspended
	for _, tc := range []struct {
		name  string
		bad   graph.Partnership
		code  string
		field string
	}{
		{"unknown b", graph.Partnership{A: "fr-lyon", B: "ua-nowhere", Kind: graph.KindTwinning, Status: graph.StatusActive}, graph.EINVALID, "b"},
		{"unknown a", graph.Partnership{A: "zz-nowhere", B: "fr-lyon", Kind: graph.KindTwinning, Status: graph.StatusActive}, graph.EINVALID, "a"},
		{"invalid id", graph.Partnership{A: "Lyon", B: "fr-lyon", Kind: graph.KindTwinning, Status: graph.StatusActive}, graph.EINVALID, "a"},
		{"self", graph.Partnership{A: "fr-lyon", B: "fr-lyon", Kind: graph.KindTwinning, Status: graph.StatusActive}, graph.EINVALID, "b"},
		{"kind", graph.Partnership{A: "fr-lyon", B: "pl-krakow", Kind: "marriage", Status: graph.StatusActive}, graph.EINVALID, "kind"},
		{"status", graph.Partnership{A: "fr-lyon", B: "pl-krakow", Kind: graph.KindTwinning, Status: "signed"}, graph.EINVALID, "status"},
		{"since", graph.Partnership{A: "fr-lyon", B: "pl-krakow", Kind: graph.KindTwinning, Status: graph.StatusActive, Since: 1066}, graph.EINVALID, "since"},
		{"duplicate pair", graph.Partnership{A: "ua-kamianets", B: "fr-lyon", Kind: graph.KindFriendship, Status: graph.StatusActive}, graph.ECONFLICT, ""},
	} {
		res, err := s.UpsertPartnerships(ctx, []graph.Partnership{good, update, tc.bad})
		requireCode(t, err, tc.code, tc.name)
		if tc.field != "" {
			assert.Equal(t, tc.field, graph.ErrorField(err), tc.name)
		}
		assert.Equal(t, graph.UpsertResult{}, res, tc.name)
		assert.Equal(t, ps, allPartnershipsSorted(t, s, ps), "%s: nothing from the batch is stored", tc.name)
	}
}

// allPartnershipsSorted returns the stored partnerships in the order of
// want (by key), so that a test can compare them with a fixture.
func allPartnershipsSorted(t *testing.T, s graph.Store, want []graph.Partnership) []graph.Partnership {
	t.Helper()
	got := allPartnerships(t, s)
	pos := map[[2]string]int{}
	for i, p := range want {
		pos[p.Key()] = i
	}
	slices.SortStableFunc(got, func(x, y graph.Partnership) int {
		px, okx := pos[x.Key()]
		py, oky := pos[y.Key()]
		if !okx || !oky {
			return strings.Compare(x.A+"\x00"+x.B, y.A+"\x00"+y.B)
		}
		return px - py
	})
	return got
}

func testDeleteMunicipality(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)
	require.NoError(t, s.DeleteMunicipality(ctx, "ua-lviv"))

	_, err := s.Municipality(ctx, "ua-lviv")
	requireCode(t, err, graph.ENOTFOUND)
	_, err = s.Partners(ctx, "ua-lviv")
	requireCode(t, err, graph.ENOTFOUND)
	_, err = s.MunicipalityByCode(ctx, "katottg", "UA46060250010015970")
	requireCode(t, err, graph.ENOTFOUND, "the code is released")
	assert.Empty(t, search(t, s, graph.Query{Text: "lviv"}).Items)

	kr, err := s.Partners(ctx, "pl-krakow")
	require.NoError(t, err)
	require.Len(t, kr, 1)
	assert.Equal(t, "ua-kamianets", kr[0].Municipality.ID)
	for _, p := range allPartnerships(t, s) {
		assert.NotEqual(t, "ua-lviv", p.A)
		assert.NotEqual(t, "ua-lviv", p.B)
	}
	c, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 8, c.Municipalities)
	assert.Equal(t, 2, c.Partnerships)
	assert.Equal(t, 2, c.ByCountry["UA"])

	requireCode(t, s.DeleteMunicipality(ctx, "ua-lviv"), graph.ENOTFOUND, "second delete")
	requireCode(t, s.DeleteMunicipality(ctx, "Not An Id"), graph.ENOTFOUND)

	// The id can be used again, without its old partnerships.
	ms, _ := Fixture()
	_, err = s.UpsertMunicipalities(ctx, []graph.Municipality{municipalityByID(t, ms, "ua-lviv")})
	require.NoError(t, err)
	got, err := s.Partners(ctx, "ua-lviv")
	require.NoError(t, err)
	assert.Empty(t, got)
}

func testDeletePartnership(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)
	require.NoError(t, s.DeletePartnership(ctx, "pl-krakow", "ua-lviv"))
	require.NoError(t, s.DeletePartnership(ctx, "ua-lviv", "pl-wroclaw"), "reversed order")

	got, err := s.Partners(ctx, "ua-lviv")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "de-freiburg", got[0].Municipality.ID)
	kr, err := s.Partners(ctx, "pl-krakow")
	require.NoError(t, err)
	require.Len(t, kr, 1)
	assert.Equal(t, "ua-kamianets", kr[0].Municipality.ID)

	for _, pair := range [][2]string{{"ua-lviv", "pl-krakow"}, {"pl-wroclaw", "ua-lviv"}, {"fr-lyon", "ua-lviv"}, {"ua-nowhere", "ua-lviv"}, {"fr-lyon", "fr-lyon"}} {
		requireCode(t, s.DeletePartnership(ctx, pair[0], pair[1]), graph.ENOTFOUND, "%v", pair)
	}
	c, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, c.Partnerships)
	assert.Equal(t, 9, c.Municipalities, "municipalities stay")
}

func testCounts(t *testing.T, s graph.Store) {
	ctx := context.Background()
	c, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Zero(t, c.Municipalities)
	assert.Zero(t, c.Partnerships)
	assert.Empty(t, c.ByCountry)
	assert.Empty(t, c.ByStatus)

	Seed(t, s)
	c, err = s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 9, c.Municipalities)
	assert.Equal(t, 5, c.Partnerships)
	assert.Equal(t, map[string]int{"UA": 3, "PL": 3, "DE": 2, "FR": 1}, c.ByCountry)
	assert.Equal(t, map[graph.Status]int{graph.StatusActive: 3, graph.StatusProposed: 1, graph.StatusDormant: 1}, c.ByStatus)
}

func testScanMunicipalities(t *testing.T, s graph.Store) {
	ctx := context.Background()
	assert.Empty(t, allIDs(t, s), "empty store")
	ms, _ := Seed(t, s)

	var got []graph.Municipality
	require.NoError(t, s.ScanMunicipalities(ctx, func(m graph.Municipality) error {
		got = append(got, m)
		return nil
	}))
	want := slices.Clone(ms)
	slices.SortFunc(want, func(x, y graph.Municipality) int { return strings.Compare(x.ID, y.ID) })
	assert.Equal(t, want, got, "every municipality, in id order")

	stop := errors.New("stop here")
	n := 0
	err := s.ScanMunicipalities(ctx, func(graph.Municipality) error {
		n++
		if n == 2 {
			return fmt.Errorf("second one: %w", stop)
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 2, n, "the scan stops at the first error")
}

func testScanPartnerships(t *testing.T, s graph.Store) {
	ctx := context.Background()
	assert.Empty(t, allPartnerships(t, s), "empty store")
	_, ps := Seed(t, s)

	want := slices.Clone(ps)
	slices.SortFunc(want, func(x, y graph.Partnership) int {
		if c := strings.Compare(x.A, y.A); c != 0 {
			return c
		}
		return strings.Compare(x.B, y.B)
	})
	assert.Equal(t, want, allPartnerships(t, s), "every partnership, in key order")

	stop := errors.New("stop here")
	n := 0
	err := s.ScanPartnerships(ctx, func(graph.Partnership) error {
		n++
		return stop
	})
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n, "the scan stops at the first error")
}

func testCancelledContext(t *testing.T, s graph.Store) {
	Seed(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := s.Municipality(ctx, "ua-lviv")
	assert.Error(t, err, "Municipality")
	_, err = s.MunicipalityByCode(ctx, "lau", "PL_1261011")
	assert.Error(t, err, "MunicipalityByCode")
	_, err = s.Search(ctx, graph.Query{Text: "lviv"})
	assert.Error(t, err, "Search")
	_, err = s.Partners(ctx, "ua-lviv")
	assert.Error(t, err, "Partners")
	_, err = s.Counts(ctx)
	assert.Error(t, err, "Counts")
	called := false
	assert.Error(t, s.ScanMunicipalities(ctx, func(graph.Municipality) error { called = true; return nil }), "ScanMunicipalities")
	assert.Error(t, s.ScanPartnerships(ctx, func(graph.Partnership) error { called = true; return nil }), "ScanPartnerships")
	assert.False(t, called, "a scan with a cancelled context calls nothing")

	_, err = s.UpsertMunicipalities(ctx, []graph.Municipality{{ID: "cz-brno", Name: "Brno", Country: "CZ", Kind: graph.KindCity}})
	assert.Error(t, err, "UpsertMunicipalities")
	_, err = s.UpsertPartnerships(ctx, []graph.Partnership{{A: "fr-lyon", B: "pl-krakow", Kind: graph.KindTwinning, Status: graph.StatusActive}})
	assert.Error(t, err, "UpsertPartnerships")
	assert.Error(t, s.DeleteMunicipality(ctx, "fr-lyon"), "DeleteMunicipality")
	assert.Error(t, s.DeletePartnership(ctx, "pl-krakow", "ua-lviv"), "DeletePartnership")

	c, err := s.Counts(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 9, c.Municipalities, "nothing was written")
	assert.Equal(t, 5, c.Partnerships, "nothing was written")
	_, err = s.Municipality(context.Background(), "cz-brno")
	requireCode(t, err, graph.ENOTFOUND)
}

func testConcurrent(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)
	const writers, readers, rounds = 4, 4, 12

	var wg sync.WaitGroup
	errs := make(chan error, (writers+readers)*rounds*4)
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				id := fmt.Sprintf("cc-w%d-%02d", w, r)
				m := graph.Municipality{ID: id, Name: "Concurrent " + id, Country: "CZ", Kind: graph.KindVillage, Population: int64(100 + r)}
				if _, err := s.UpsertMunicipalities(ctx, []graph.Municipality{m}); err != nil {
					errs <- fmt.Errorf("upsert %s: %w", id, err)
					continue
				}
				p := graph.Partnership{A: id, B: "fr-lyon", Kind: graph.KindFriendship, Status: graph.StatusProposed}
				if _, err := s.UpsertPartnerships(ctx, []graph.Partnership{p}); err != nil {
					errs <- fmt.Errorf("partner %s: %w", id, err)
				}
				if r%3 == 2 {
					if err := s.DeleteMunicipality(ctx, id); err != nil {
						errs <- fmt.Errorf("delete %s: %w", id, err)
					}
				}
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for range rounds {
				if _, err := s.Search(ctx, graph.Query{Text: "concurrent", Limit: 50}); err != nil {
					errs <- fmt.Errorf("search: %w", err)
				}
				if _, err := s.Partners(ctx, "fr-lyon"); err != nil {
					errs <- fmt.Errorf("partners: %w", err)
				}
				if _, err := s.Municipality(ctx, "ua-lviv"); err != nil {
					errs <- fmt.Errorf("municipality: %w", err)
				}
				if _, err := s.Counts(ctx); err != nil {
					errs <- fmt.Errorf("counts: %w", err)
				}
				if err := s.ScanPartnerships(ctx, func(graph.Partnership) error { return nil }); err != nil {
					errs <- fmt.Errorf("scan: %w", err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	kept := writers * (rounds - rounds/3)
	c, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 9+kept, c.Municipalities)
	assert.Equal(t, 5+kept, c.Partnerships)
	page := search(t, s, graph.Query{Text: "concurrent", Limit: graph.MaxLimit})
	assert.Equal(t, kept, page.Total)
	lyon, err := s.Partners(ctx, "fr-lyon")
	require.NoError(t, err)
	assert.Len(t, lyon, kept)
}

func testPing(t *testing.T, s graph.Store) {
	require.NoError(t, s.Ping(context.Background()))
}

// testSearchForgives: other spellings, typos (a swap in a short key too),
// the first words, Russian places after the others; both stores agree.
func testSearchForgives(t *testing.T, s graph.Store) {
	ctx := context.Background()
	ms := []graph.Municipality{
		{ID: "ua-shchors", Name: "Щорс", NameLatin: "Shchors", Country: "UA", Kind: graph.KindTown, Population: 11000},
		{ID: "ua-kharkiv", Name: "Харків", NameLatin: "Kharkiv", AltNames: []string{"Харьков"}, Country: "UA", Kind: graph.KindCity, Population: 1421125},
		{ID: "ua-pokrovsk", Name: "Покровськ", NameLatin: "Pokrovsk", Country: "UA", Kind: graph.KindCity, Population: 60000},
		{ID: "ru-engels", Name: "Энгельс", NameLatin: "Engels", AltNames: []string{"Pokrovsk"}, Country: "RU", Kind: graph.KindCity, Population: 200000},
		{ID: "ua-pereiaslav", Name: "Переяслав", NameLatin: "Pereiaslav", Country: "UA", Kind: graph.KindCity, Population: 26000},
	}
	_, err := s.UpsertMunicipalities(ctx, ms)
	require.NoError(t, err)
	for _, tc := range []struct{ text, want string }{
		{"Kharkiw", "ua-kharkiv"}, {"Charków", "ua-kharkiv"}, {"Kharkov", "ua-kharkiv"}, {"Kharkv", "ua-kharkiv"},
		{"Shchosr", "ua-shchors"}, // a swap in a key of four letters, loosely
		{"Pokrovsk", "ua-pokrovsk"}, {"Pereiaslav-Khmelnytskyi", "ua-pereiaslav"}, {"Kharkiv city", "ua-kharkiv"},
	} {
		page, err := s.Search(ctx, graph.Query{Text: tc.text})
		require.NoError(t, err, tc.text)
		require.NotEmpty(t, page.Items, tc.text)
		assert.Equal(t, tc.want, page.Items[0].ID, tc.text)
	}
	page, err := s.Search(ctx, graph.Query{Text: "Pokrovsk"})
	require.NoError(t, err)
	assert.Equal(t, []string{"ua-pokrovsk", "ru-engels"}, ids(page.Items), "a Russian place after a Ukrainian one")
	assert.Equal(t, 2, page.Total)
	page, err = s.Search(ctx, graph.Query{Text: "Kharkv", Offset: 1})
	require.NoError(t, err)
	assert.Empty(t, page.Items, "one typo match, on the first page")
	assert.Equal(t, 1, page.Total)
}

// testVersion: every write moves the version, a read or a refused write
// does not.
func testVersion(t *testing.T, s graph.Store) {
	ctx := context.Background()
	version := func() int64 {
		v, err := s.Version(ctx)
		require.NoError(t, err)
		return v
	}
	v0 := version()
	m0, err := s.MunicipalitiesVersion(ctx)
	require.NoError(t, err)
	_, ps := Seed(t, s)
	v1 := version()
	assert.Greater(t, v1, v0, "the seed wrote")
	m1, err := s.MunicipalitiesVersion(ctx)
	require.NoError(t, err)
	assert.Greater(t, m1, m0, "the seed wrote municipalities")
	_, err = s.Search(ctx, graph.Query{Text: "Lviv"})
	require.NoError(t, err)
	_, err = s.Partners(ctx, ps[0].A)
	require.NoError(t, err)
	assert.Equal(t, v1, version(), "reads write nothing")
	_, err = s.UpsertPartnerships(ctx, []graph.Partnership{{A: "nobody", B: ps[0].A, Kind: graph.KindTwinning, Status: graph.StatusActive}})
	require.Error(t, err)
	assert.Equal(t, v1, version(), "a refused write writes nothing")
	require.NoError(t, s.DeletePartnership(ctx, ps[0].A, ps[0].B))
	assert.Greater(t, version(), v1, "a delete is a write")
	munVersion := func() int64 {
		v, err := s.MunicipalitiesVersion(ctx)
		require.NoError(t, err)
		return v
	}
	assert.Equal(t, m1, munVersion(), "a write of partnerships alone leaves the municipalities' version")
	require.NoError(t, s.DeleteMunicipality(ctx, ps[1].A))
	m2 := munVersion()
	assert.Greater(t, m2, m1, "a municipality deleted moves it")
	ms, _ := Fixture()
	ms[0].Population++
	_, err = s.UpsertMunicipalities(ctx, ms[:1])
	require.NoError(t, err)
	assert.Greater(t, munVersion(), m2, "a municipality written moves it")
}

// testShortestPaths: every store finds shortest partnership paths, counted
// and listed in order of their municipality ids, with the degrees and the
// partnerships on them, within maxHops and limit.
func testShortestPaths(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)
	// Krakow reaches Freiburg through Lviv and, now, through Wroclaw.
	_, err := s.UpsertPartnerships(ctx, []graph.Partnership{
		{A: "pl-krakow", B: "pl-wroclaw", Kind: graph.KindTwinning, Status: graph.StatusActive, Source: "storetest"},
		{A: "de-freiburg", B: "pl-wroclaw", Kind: graph.KindFriendship, Status: graph.StatusSuspended, Source: "storetest"},
	})
	require.NoError(t, err)
	chains := func(paths []graph.Path) [][]string {
		var out [][]string
		for _, p := range paths {
			out = append(out, ids(p.Municipalities))
		}
		return out
	}
	n, paths, err := s.ShortestPaths(ctx, "pl-krakow", "de-freiburg", 3, 10)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, [][]string{{"pl-krakow", "pl-wroclaw", "de-freiburg"}, {"pl-krakow", "ua-lviv", "de-freiburg"}}, chains(paths))
	require.Len(t, paths, 2)
	assert.Equal(t, []int{3, 3, 2}, paths[1].Degrees, "Krakow: Lviv, Kamianets, Wroclaw; Lviv: three; Freiburg: two")
	require.Len(t, paths[1].Partnerships, 2)
	assert.Equal(t, 1995, paths[1].Partnerships[0].Since, "the partnership on the path, whole")
	assert.Equal(t, graph.StatusSuspended, paths[0].Partnerships[1].Status, "whatever its status")

	n, paths, err = s.ShortestPaths(ctx, "pl-krakow", "de-freiburg", 3, 1)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the count is of all")
	assert.Len(t, paths, 1, "the list stops at limit")
	n, paths, err = s.ShortestPaths(ctx, "ua-kamianets", "de-freiburg", 2, 10)
	require.NoError(t, err)
	assert.Zero(t, n, "3 hops away")
	assert.Empty(t, paths)
	n, _, err = s.ShortestPaths(ctx, "ua-kamianets", "de-freiburg", 3, 10)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	n, _, err = s.ShortestPaths(ctx, "ua-lviv", "ua-dnipro", 6, 10)
	require.NoError(t, err)
	assert.Zero(t, n, "another component")

	_, _, err = s.ShortestPaths(ctx, "ua-lviv", "ua-dnipro", graph.MaxPathHops+1, 10)
	requireCode(t, err, graph.EINVALID)
	_, _, err = s.ShortestPaths(ctx, "ua-lviv", "ua-dnipro", 3, -1)
	requireCode(t, err, graph.EINVALID)
	_, _, err = s.ShortestPaths(ctx, "ua-nowhere", "ua-lviv", 3, 10)
	requireCode(t, err, graph.ENOTFOUND)
	_, _, err = s.ShortestPaths(ctx, "ua-lviv", "ua-nowhere", 3, 10)
	requireCode(t, err, graph.ENOTFOUND)
}
