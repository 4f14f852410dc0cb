package importer

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

// countingProgress records what a stage was told.
type countingProgress struct{ total, done int }

func (p *countingProgress) Start(_ string, total int) { p.total, p.done = total, 0 }
func (p *countingProgress) StartBytes(string, int64)  {}
func (p *countingProgress) Add(n int)                 { p.done += n }
func (p *countingProgress) Done()                     {}

func TestWriteBatchesRetriesSmaller(t *testing.T) {
	xs := make([]int, 5300)
	for i := range xs {
		xs[i] = i
	}
	unavailable := &graph.Error{Code: graph.EUNAVAILABLE, Message: "the database is unavailable", Err: context.DeadlineExceeded}

	t.Run("a batch too large for the server is written in halves, in order", func(t *testing.T) {
		var got []int
		var sizes []int
		p := &countingProgress{}
		err := writeBatches(context.Background(), Options{BatchSize: 2000, Progress: p}, "rows", xs, func(_ context.Context, b []int) error {
			sizes = append(sizes, len(b))
			if len(b) > 600 {
				return unavailable
			}
			got = append(got, b...)
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, xs, got, "every row once, in order")
		assert.Equal(t, []int{2000, 1000, 500, 500, 1000, 500, 500, 2000, 1000, 500, 500, 1000, 500, 500, 1300, 650, 325, 325, 650, 325, 325}, sizes)
		assert.Equal(t, 5300, p.done)
	})

	t.Run("a batch that still fails at the smallest size names the rows and what is written", func(t *testing.T) {
		calls := 0
		err := writeBatches(context.Background(), Options{BatchSize: 2000, Progress: NopProgress{}}, "municipalities", xs, func(_ context.Context, b []int) error {
			calls++
			if b[0] >= 2000 {
				return unavailable
			}
			return nil
		})
		require.Error(t, err)
		assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(err))
		assert.Contains(t, err.Error(), fmt.Sprintf("write municipalities 2001-%d of 5300 (the first 2000 are written, after retrying timed-out batches in smaller ones, down to %d rows)", 2000+MinRetryBatch, MinRetryBatch))
		assert.Equal(t, 1+4, calls, "the first batch, then 2000, 1000, 500, 250 rows of the second")
	})

	t.Run("other errors are not retried", func(t *testing.T) {
		calls := 0
		bad := graph.Errorf(graph.EINVALID, "municipality x: name is empty")
		err := writeBatches(context.Background(), Options{BatchSize: 2000, Progress: NopProgress{}}, "municipalities", xs, func(_ context.Context, b []int) error {
			calls++
			return bad
		})
		assert.ErrorIs(t, err, bad)
		assert.Equal(t, 1, calls)
		assert.Contains(t, err.Error(), "write municipalities 1-2000 of 5300 (the first 0 are written)")
	})

	t.Run("an interrupt stops between batches", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		err := writeBatches(ctx, Options{BatchSize: 2000, Progress: NopProgress{}}, "partnerships", xs, func(_ context.Context, b []int) error {
			cancel()
			return nil
		})
		assert.True(t, errors.Is(err, context.Canceled))
		assert.Contains(t, err.Error(), "interrupted after writing 2000 of 5300 partnerships")
	})
}

func TestPlausibleUnit(t *testing.T) {
	place := graph.Municipality{ID: "gn-761168", Population: 67013, Source: SourceGeoNames}
	city := graph.Municipality{ID: "lau-pl-1006181346201", Population: 60689, Source: SourceLAU}
	rural := graph.Municipality{ID: "lau-pl-1006181341308", Population: 10650, Source: SourceLAU}
	hromada := graph.Municipality{ID: "ua-1", Population: 30000, Source: SourceKSE}
	centre := graph.Municipality{ID: "gn-2", Population: 8000, Source: SourceGeoNames}
	assert.True(t, plausibleUnit(city, place), "the city's own unit")
	assert.False(t, plausibleUnit(rural, place), "the rural gmina around the city")
	assert.False(t, plausibleUnit(place, rural), "either way round")
	assert.True(t, plausibleUnit(centre, hromada), "a hromada is larger than its centre")
	assert.True(t, plausibleUnit(rural, graph.Municipality{Source: SourceGeoNames}), "no population: no evidence")
	assert.True(t, plausibleUnit(rural, city), "two units: not this rule's business")
	preston := graph.Municipality{ID: "gn-2639912", Population: 313332, Source: SourceGeoNames}
	district := graph.Municipality{ID: "lau-uk-e07000123", Population: 141818, AreaKm2: 142.2, Source: SourceLAU}
	assert.True(t, plausibleUnit(district, preston), "an urban district: GeoNames counts the urban area")
	tarnow := graph.Municipality{ID: "gn-757026", Population: 117799, Source: SourceGeoNames}
	suburban := graph.Municipality{ID: "lau-pl-1001121241609", Population: 26202, AreaKm2: 82.7, Source: SourceLAU}
	assert.False(t, plausibleUnit(suburban, tarnow), "a dense rural gmina with a fifth of the city's people")
}

func TestWithoutUnitPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"Municipiul Iaşi": "Iaşi", "Oraş Bicaz": "Bicaz", "Oraș Siret": "Siret", "Comuna Vama": "Vama", "Gmina Zarszyn": "Zarszyn",
		"м.Устрики Долішні": "Устрики Долішні", "м. Барі": "Барі", "Ґміна Заршин": "Заршин", "гміна Заршин": "Заршин", "Obec Cífer": "Cífer",
		"Iaşi": "Iaşi", "Municipiul ": "Municipiul ", "Gminaxyz": "Gminaxyz", "Comunanza": "Comunanza", "Селидове": "Селидове",
	} {
		assert.Equal(t, want, withoutUnitPrefix(in), in)
	}
}

func TestImportRegistryULEAD(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	im := New(s, Options{})
	importFixtures(t, im)
	rep, err := im.ImportRegistry(ctx, openFixture(t, "ulead.csv"), "ulead.csv", PairOptions{UnresolvedFile: filepath.Join(t.TempDir(), "u.csv")})
	require.NoError(t, err)
	assert.Equal(t, 10, rep.Read)
	assert.Equal(t, 1, rep.BadCount, "code UA123")
	assert.Equal(t, 1, rep.Skipped["a side is unresolved"], "Nowhere is nowhere")
	assert.Equal(t, 1, rep.Skipped["a side's country has no municipality in the store"], "nothing lies in XX")
	assert.Equal(t, 2, rep.Partnerships.Updated, "Lviv–Kraków and Lviv–Geneva are in the twin list, and now cite the map too")
	assert.Equal(t, 5, rep.Partnerships.Created)
	assert.Equal(t, 8, rep.InScope, "10 rows, 1 bad, 1 in XX")

	partners := func(id string) map[string]graph.Partnership {
		ps, err := s.Partners(ctx, id)
		require.NoError(t, err)
		out := map[string]graph.Partnership{}
		for _, p := range ps {
			out[p.Municipality.ID] = p.Partnership
		}
		return out
	}
	lviv := partners("ua-46060250000025047")
	assert.Equal(t, SourceULEAD, lviv["gn-2926271"].Source, "Flensburg, Stadt: the city, by the name before the comma")
	assert.Equal(t, SourceULEAD, lviv["lau-is-1000"].Source)
	assert.Equal(t, SourceWikipedia, lviv["lau-ch-6621"].Source, "a Vinnytsia code with Lviv's name is Lviv's row; the pair was known")
	assert.Equal(t, []graph.Reference{{Source: SourceWikipedia, OffKm: 0.4}, {Source: SourceULEAD}}, lviv["lau-ch-6621"].Sources, "one partnership citing both")
	assert.Equal(t, []graph.Reference{{Source: SourceULEAD}}, lviv["gn-2926271"].Sources)
	assert.Contains(t, partners("ua-05020030000031457"), "gn-2926271", "Vinnytsia by its name, without a code")
	assert.Contains(t, partners("ua-05020030000031457"), "lau-pl-1201011", "Bochnia: the town (994 people a km²), not the rural gmina around it (153)")
	assert.Contains(t, partners("ua-68020110000071202"), "gn-3094802", "Kam&#39;ianets-Podilska decoded")

	again, err := New(s, Options{}).ImportRegistry(ctx, openFixture(t, "ulead.csv"), "ulead.csv", PairOptions{})
	require.NoError(t, err)
	assert.Zero(t, again.Partnerships.Created+again.Partnerships.Updated, "a second import changes nothing")
}

func TestParseRegistryKinds(t *testing.T) {
	for header, kind := range map[string]string{
		"katottg,ua_name,partner_name,partner_country,partner_country_raw":                                                               "ulead",
		"katottg,hromada,oblast,partner_name,partner_country,partner_country_ua":                                                         "ministry",
		"\ufeffkatottg,hromada,oblast,ua_side,kind_id,partner_name,partner_country,partner_country_ua,signed_date,signed_place,duration": "register",
	} {
		reg, err := DetectRegistry(header, "x.csv")
		require.NoError(t, err, header)
		assert.Equal(t, kind, reg.Kind, header)
	}
	_, err := DetectRegistry("city1,country1,lat1,lng1,city2,country2,lat2,lng2", "twins.csv")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "twins.csv line 1: the header is not that of a partnership register")

	reg, _ := DetectRegistry("katottg,hromada,oblast,ua_side,kind_id,partner_name,partner_country,partner_country_ua,signed_date", "r.csv")
	rows, bad, n, err := ParseRegistry(strings.NewReader(`katottg,hromada,oblast,ua_side,kind_id,partner_name,partner_country,partner_country_ua,signed_date
UA46060250000025047,Львівська,Львівська область,,cbc,м.Устрики Долішні,PL,Республіка Польща,2017-03-22
UA46060250000025047,Львівська,Львівська область,,cbc,Ґміна Заршин,PL,Республіка Польща,2019
UA46060250000025047,Львівська,Львівська область,,cbc,Кочев&#39;є,SI,Словенія,
UA46060250000025047,Львівська,Львівська область,,cbc,Барі,IT,Італія,22.03.2017
,,Вінницька область,"Вільшанська сільська рада (24624, ...)",,,MD,,
`), "r.csv", reg)
	require.NoError(t, err)
	assert.Equal(t, 5, n)
	require.Len(t, rows, 3)
	assert.Equal(t, "Устрики Долішні", rows[0].B.Name)
	assert.Equal(t, 2017, rows[0].Since)
	assert.Equal(t, "Заршин", rows[1].B.Name)
	assert.Equal(t, 2019, rows[1].Since)
	assert.Equal(t, "Кочев'є", rows[2].B.Name)
	assert.Zero(t, rows[2].Since)
	require.Len(t, bad, 2)
	assert.Equal(t, `r.csv line 5, column signed_date: "22.03.2017" is not a date YYYY-MM-DD or a year YYYY`, bad[0].Error())
	assert.Contains(t, bad[1].Error(), "r.csv line 6, column partner_name: is empty")
}
