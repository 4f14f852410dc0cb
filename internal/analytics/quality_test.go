package analytics

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

func TestQuality(t *testing.T) {
	at := func(lat, lon float64) *graph.Point { return &graph.Point{Lat: lat, Lon: lon} }
	ms := []graph.Municipality{
		// The same city twice: a GeoNames place and a LAU unit that did not merge.
		{ID: "gn-1", Name: "Preston", NameLatin: "Preston", Country: "GB", Population: 313332, Location: at(53.76, -2.70), Codes: graph.Codes{GeoNames: "1"}, Source: "geonames"},
		{ID: "lau-uk-1", Name: "Preston", NameLatin: "Preston", Country: "GB", Population: 141818, AreaKm2: 142, Location: at(53.77, -2.69), Codes: graph.Codes{LAU: "UK_1"}, Source: "lau"},
		// A town and the rural gmina of its name: two units.
		{ID: "gn-2", Name: "Chełm", NameLatin: "Chelm", Country: "PL", Population: 60231, Location: at(51.13, 23.47), Codes: graph.Codes{GeoNames: "2", LAU: "PL_1"}, Source: "geonames+lau"},
		{ID: "lau-pl-2", Name: "Chełm", NameLatin: "Chełm", Country: "PL", Population: 15023, AreaKm2: 200, Location: at(51.15, 23.44), Codes: graph.Codes{LAU: "PL_2"}, Source: "lau"},
		// Warsaw and a district of it.
		{ID: "lau-pl-3", Name: "Warszawa", NameLatin: "Warszawa", Country: "PL", Population: 1790658, AreaKm2: 517, Location: at(52.23, 21.01), Codes: graph.Codes{LAU: "PL_3"}, Source: "lau"},
		{ID: "gn-3", Name: "Mokotów", NameLatin: "Mokotow", Country: "PL", Population: 217683, Location: at(52.19, 21.02), Codes: graph.Codes{GeoNames: "3"}, Source: "geonames"},
		// Kyiv and Obolon.
		{ID: "gn-4", Name: "Київ", NameLatin: "Kyiv", Country: "UA", Population: 2797553, Region: graph.Region{Code: "UA-30"}, Location: at(50.45, 30.52), Codes: graph.Codes{GeoNames: "4"}, Source: "geonames"},
		{ID: "gn-5", Name: "Оболонь", NameLatin: "Obolon", Country: "UA", Population: 317300, Region: graph.Region{Code: "UA-30"}, Location: at(50.5, 30.5), Codes: graph.Codes{GeoNames: "5"}, Source: "geonames"},
		// Sofia, which the merge did not pair with its unit, Stolichna.
		{ID: "lau-bg-sof46", Name: "Столична", NameLatin: "Stolichna", Country: "BG", Population: 1328120, AreaKm2: 1349, Location: at(42.70, 23.32), Codes: graph.Codes{LAU: "BG_1"}, Source: "lau"},
		{ID: "gn-727011", Name: "Sofia", NameLatin: "Sofia", Country: "BG", Population: 1152556, Location: at(42.69, 23.32), Codes: graph.Codes{GeoNames: "727011"}, Source: "geonames"},
		// No Latin name; a place created from a list.
		{ID: "lau-el-1", Name: "Κοινότητα Λαέρμων", Country: "GR", Population: 361, Location: at(36.1, 27.9), Codes: graph.Codes{LAU: "EL_1"}, Source: "lau"},
		{ID: "tw-jp-taito-35.71-139.78", Name: "Taitō", NameLatin: "Taitō", Country: "JP", Source: "wikipedia"},
	}
	ps := []graph.Partnership{
		// Resolved 77 km off the list's point; 12 km off is within the rule.
		{A: "gn-4", B: "lau-el-1", Kind: graph.KindTwinning, Status: graph.StatusActive, Source: "wikipedia",
			Sources: []graph.Reference{{Source: "wikipedia", OffKm: 77.2}}},
		{A: "gn-4", B: "lau-pl-3", Kind: graph.KindTwinning, Status: graph.StatusActive, Source: "wikipedia",
			Sources: []graph.Reference{{Source: "wikipedia", OffKm: 12}, {Source: "ulead"}}},
	}
	g, err := New(ms, ps)
	require.NoError(t, err)
	q := g.Quality()
	assert.Equal(t, 12, q.Municipalities)
	require.Equal(t, 1, q.Duplicates.Count)
	assert.Equal(t, []string{"gn-1", "lau-uk-1"}, []string{q.Duplicates.Examples[0].Municipalities[0].ID, q.Duplicates.Examples[0].Municipalities[1].ID})
	assert.InDelta(t, 1.3, q.Duplicates.Examples[0].DistanceKm, 0.1)
	require.Equal(t, 1, q.Namesakes.Count)
	assert.Equal(t, "two administrative units: LAU PL_1 and LAU PL_2", q.Namesakes.Examples[0].Note)
	require.Equal(t, 1, q.NoLatinName.Count)
	assert.Equal(t, "lau-el-1", q.NoLatinName.Examples[0].Municipalities[0].ID)
	require.Equal(t, 1, q.Created.Count)
	assert.Equal(t, "created by wikipedia", q.Created.Examples[0].Note)
	require.Equal(t, 2, q.Districts.Count, "Obolon in Kyiv, Mokotów in Warsaw")
	assert.Equal(t, "gn-5", q.Districts.Examples[0].Municipalities[0].ID, "the largest first")
	assert.Equal(t, "a district of Kyiv", q.Districts.Examples[0].Note)
	assert.Equal(t, "a district of Warszawa", q.Districts.Examples[1].Note)
	require.Equal(t, 1, q.Unmerged.Count, "Sofia within Stolichna")
	assert.Equal(t, "the town of Stolichna under another name", q.Unmerged.Examples[0].Note)
	require.Equal(t, 1, q.FarFromSource.Count)
	assert.Equal(t, []string{"gn-4", "lau-el-1"}, []string{q.FarFromSource.Examples[0].Municipalities[0].ID, q.FarFromSource.Examples[0].Municipalities[1].ID})
	assert.Equal(t, 77.2, q.FarFromSource.Examples[0].DistanceKm)
	assert.Equal(t, "listed by wikipedia", q.FarFromSource.Examples[0].Note)
	assert.Equal(t, q, g.Quality(), "the same report again")

	empty, err := New(nil, nil)
	require.NoError(t, err)
	assert.NotNil(t, empty.Quality().Duplicates.Examples, "an empty list, not null")
}
