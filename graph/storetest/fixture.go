// Package storetest is the contract suite that every graph.Store must pass,
// written once and run against each implementation (graph/embedded,
// graph/neo4j), plus a small hand-written fixture that other packages' tests
// can reuse.
//
// The suite only uses the graph.Store interface and data it builds itself,
// so a store passes it by behaving as graph.Store documents, not by sharing
// internals with another store.
package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

// Fixture returns a small, hand-written graph: nine municipalities in four
// countries (Ukrainian ones with Cyrillic names, Latin names and former
// names; Polish and German ones with diacritics; one of unknown population)
// and five partnerships in three statuses. Each call returns fresh slices
// that the caller may change. The codes have the right form but are not
// meant as reference data.
//
// Partnerships: ua-lviv with pl-krakow, pl-wroclaw and de-freiburg (active
// twinnings), ua-dnipro with de-kleindorf (proposed friendship) and
// ua-kamianets with pl-krakow (dormant cooperation). fr-lyon has none.
func Fixture() ([]graph.Municipality, []graph.Partnership) {
	ms := []graph.Municipality{
		{
			ID: "ua-lviv", Name: "Львів", NameLatin: "Lviv", AltNames: []string{"Lwów", "Lemberg"},
			Country: "UA", Region: graph.Region{Code: "UA-46", Name: "Львівська область"},
			Kind: graph.KindCity, Population: 717273, PopulationYear: 2022, AreaKm2: 182.01,
			Location: &graph.Point{Lat: 49.8419, Lon: 24.0315},
			Codes:    graph.Codes{KATOTTG: "UA46060250010015970", GeoNames: "702550", Wikidata: "Q36036"},
			Themes:   []string{"culture", "tourism", "university"}, Source: "storetest",
		},
		{
			ID: "ua-dnipro", Name: "Дніпро", NameLatin: "Dnipro", AltNames: []string{"Dnipropetrovsk", "Днепропетровск", "Katerynoslav"},
			Country: "UA", Region: graph.Region{Code: "UA-12", Name: "Дніпропетровська область"},
			Kind: graph.KindCity, Population: 968502, PopulationYear: 2022,
			Location: &graph.Point{Lat: 48.4647, Lon: 35.0462},
			Codes:    graph.Codes{KATOTTG: "UA12020010010063857", GeoNames: "709930", Wikidata: "Q47021"},
			Themes:   []string{"industry", "economy"}, Source: "storetest",
			// A war status, so that both stores must keep one (the dates
			// are the fixture's, not the city's).
			War: &graph.WarStatus{WarZone: []string{"2022-04-27", "2022-10-10"}},
		},
		{
			ID: "ua-kamianets", Name: "Кам'янець-Подільський", NameLatin: "Kamianets-Podilskyi",
			Country: "UA", Region: graph.Region{Code: "UA-68", Name: "Хмельницька область"},
			Kind: graph.KindCity, Population: 97000, PopulationYear: 2022,
			Codes:  graph.Codes{KATOTTG: "UA68040170010045770", Wikidata: "Q182648"},
			Themes: []string{"tourism", "culture"}, Source: "storetest",
		},
		{
			ID: "pl-krakow", Name: "Kraków", NameLatin: "Kraków", AltNames: []string{"Cracow", "Krakau"},
			Country: "PL", Region: graph.Region{Code: "PL21", Name: "Małopolskie"},
			Kind: graph.KindCity, Unit: &graph.Unit{Local: "miasto na prawach powiatu", English: "city with powiat rights"},
			Population: 800653, PopulationYear: 2018, AreaKm2: 326.8,
			Location: &graph.Point{Lat: 50.0614, Lon: 19.9366},
			Codes:    graph.Codes{LAU: "PL_1261011", NUTS3: "PL213", Wikidata: "Q31487"},
			Themes:   []string{"culture", "university", "tourism"}, Source: "storetest",
		},
		{
			ID: "pl-wroclaw", Name: "Wrocław", NameLatin: "Wrocław", AltNames: []string{"Breslau"},
			Country: "PL", Region: graph.Region{Code: "PL51", Name: "Dolnośląskie"},
			Kind: graph.KindCity, Population: 672929, PopulationYear: 2018,
			Codes:  graph.Codes{LAU: "PL_0264011", NUTS3: "PL514", Wikidata: "Q1799"},
			Themes: []string{"university", "economy"}, Source: "storetest",
		},
		{
			ID: "pl-zakopane", Name: "Zakopane", NameLatin: "Zakopane",
			Country: "PL", Region: graph.Region{Code: "PL21", Name: "Małopolskie"},
			Kind: graph.KindTown, Population: 27266, PopulationYear: 2018,
			Codes:  graph.Codes{LAU: "PL_1217011", NUTS3: "PL218"},
			Themes: []string{"tourism", "sport"}, Source: "storetest",
		},
		{
			ID: "de-freiburg", Name: "Freiburg im Breisgau", NameLatin: "Freiburg im Breisgau",
			Country: "DE", Region: graph.Region{Code: "DE13", Name: "Freiburg"},
			Kind: graph.KindCity, Population: 231848, PopulationYear: 2018,
			Codes:  graph.Codes{LAU: "DE_08311000", NUTS3: "DE131"},
			Themes: []string{"environment", "university"}, Source: "storetest",
		},
		{
			ID: "de-kleindorf", Name: "Kleindorf", NameLatin: "Kleindorf",
			Country: "DE", Region: graph.Region{Code: "DE27", Name: "Schwaben"},
			Kind: graph.KindVillage, Source: "storetest",
		},
		{
			ID: "fr-lyon", Name: "Lyon", NameLatin: "Lyon",
			Country: "FR", Region: graph.Region{Code: "FRK2", Name: "Rhône-Alpes"},
			Kind: graph.KindCity, Population: 522250, PopulationYear: 2020,
			Codes:  graph.Codes{GeoNames: "2996944", Wikidata: "Q456"},
			Themes: []string{"economy", "culture"}, Source: "storetest",
		},
	}
	ps := []graph.Partnership{
		{A: "pl-krakow", B: "ua-lviv", Kind: graph.KindTwinning, Status: graph.StatusActive, Since: 1995, Source: "storetest"},
		{A: "pl-wroclaw", B: "ua-lviv", Kind: graph.KindTwinning, Status: graph.StatusActive, Since: 2003, Source: "storetest"},
		{A: "de-freiburg", B: "ua-lviv", Kind: graph.KindTwinning, Status: graph.StatusActive, Since: 1989, Source: "storetest"},
		{A: "de-kleindorf", B: "ua-dnipro", Kind: graph.KindFriendship, Status: graph.StatusProposed, Source: "storetest"},
		{A: "pl-krakow", B: "ua-kamianets", Kind: graph.KindCooperation, Status: graph.StatusDormant, Since: 2010, Source: "storetest"},
	}
	return ms, ps
}

// Seed stores the Fixture in s and fails the test on any error.
func Seed(t testing.TB, s graph.Store) ([]graph.Municipality, []graph.Partnership) {
	t.Helper()
	ms, ps := Fixture()
	ctx := context.Background()
	_, err := s.UpsertMunicipalities(ctx, ms)
	require.NoError(t, err, "seeding municipalities")
	_, err = s.UpsertPartnerships(ctx, ps)
	require.NoError(t, err, "seeding partnerships")
	return ms, ps
}

// municipalityByID returns the fixture municipality with the given id.
func municipalityByID(t testing.TB, ms []graph.Municipality, id string) graph.Municipality {
	t.Helper()
	for _, m := range ms {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("fixture has no municipality %q", id)
	return graph.Municipality{}
}
