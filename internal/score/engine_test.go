package score

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

// muni returns a valid municipality for fixtures.
func muni(id, name, country, region string, pop int64, lat, lon float64, themes ...string) graph.Municipality {
	return graph.Municipality{
		ID: id, Name: name, NameLatin: name, Country: country, Kind: graph.KindCity,
		Region:     graph.Region{Code: region, Name: "Region " + region},
		Population: pop, Location: &graph.Point{Lat: lat, Lon: lon}, Themes: themes,
	}
}

// pair returns an active twinning between a and b.
func pair(a, b string) graph.Partnership {
	return graph.Partnership{A: a, B: b, Kind: graph.KindTwinning, Status: graph.StatusActive}
}

// newTestEngine loads ms and ps into a test store and an engine with the
// default model.
func newTestEngine(t testing.TB, ms []graph.Municipality, ps []graph.Partnership) (*Engine, *memStore) {
	t.Helper()
	ctx := context.Background()
	s := &memStore{}
	_, err := s.UpsertMunicipalities(ctx, ms)
	require.NoError(t, err)
	_, err = s.UpsertPartnerships(ctx, ps)
	require.NoError(t, err)
	e := NewEngine(DefaultModel())
	require.NoError(t, e.Load(ctx, s))
	return e, s
}

// rank returns the position of id among the suggestions, or -1.
func rank(res Result, id string) int {
	return slices.IndexFunc(res.Suggestions, func(s Suggestion) bool { return s.Municipality.ID == id })
}

func suggestion(t *testing.T, res Result, id string) Suggestion {
	t.Helper()
	k := rank(res, id)
	require.GreaterOrEqual(t, k, 0, "%s is not among the suggestions", id)
	return res.Suggestions[k]
}

func factor(t *testing.T, s Suggestion, name string) Factor {
	t.Helper()
	k := slices.IndexFunc(s.Factors, func(f Factor) bool { return f.Name == name })
	require.GreaterOrEqual(t, k, 0, "no factor %s", name)
	return s.Factors[k]
}

// source is the municipality the factor tests suggest for.
func source() graph.Municipality {
	return muni("ua-src", "Source", "UA", "UA-46", 500000, 50, 24, "university", "tourism")
}

// twin returns a German candidate that differs from its twin only where a
// test changes it.
func twin(id string) graph.Municipality {
	return muni(id, strings.ToUpper(id[3:4])+id[4:], "DE", "DE1", 500000, 50, 12)
}

func TestFactorsMoveRankingTheRightWay(t *testing.T) {
	tests := []struct {
		name   string
		factor string
		edit   func(a, b *graph.Municipality) // a must come out ahead of b
		extra  []graph.Municipality
		ps     []graph.Partnership
		moves  []string // factors that move with factor by construction
	}{
		{
			name: "closer", factor: FactorDistance,
			edit: func(a, b *graph.Municipality) { a.Location = &graph.Point{Lat: 50, Lon: 16} },
		},
		{
			name: "similar size", factor: FactorSize,
			edit: func(a, b *graph.Municipality) { b.Population = 5000 },
		},
		{
			name: "larger is not better per se", factor: FactorSize,
			edit: func(a, b *graph.Municipality) { b.Population = 50_000_000 },
		},
		{
			name: "shared themes", factor: FactorThemes,
			edit: func(a, b *graph.Municipality) { a.Themes = []string{"university"} },
		},
		{
			name: "common partners", factor: FactorPartnersOfPartners,
			// A partner in common is one more partnership of the candidate.
			moves: []string{FactorPartners},
			extra: []graph.Municipality{muni("cz-p", "P", "CZ", "CZ1", 100000, 50, 15)},
			ps:    []graph.Partnership{pair("cz-p", "ua-src"), pair("cz-p", "de-a")},
		},
		{
			name: "saturation penalises", factor: FactorSaturation,
			moves: []string{FactorPartners},
			extra: []graph.Municipality{
				muni("ua-x1", "X1", "UA", "UA-01", 100000, 46, 34),
				muni("ua-x2", "X2", "UA", "UA-01", 100000, 46.1, 34),
				muni("ua-x3", "X3", "UA", "UA-01", 100000, 46.2, 34),
			},
			ps: []graph.Partnership{pair("de-b", "ua-x1"), pair("de-b", "ua-x2"), pair("de-b", "ua-x3")},
		},
		{
			name: "country affinity", factor: FactorCountryAffinity,
			// The source's region shares its country's ties, smoothed.
			moves: []string{FactorRegionCountry},
			edit:  func(a, b *graph.Municipality) { a.Country, a.Region.Code = "PL", "PL1" },
			extra: []graph.Municipality{
				muni("ua-x1", "X1", "UA", "UA-01", 100000, 46, 34),
				muni("pl-o", "O", "PL", "PL9", 100000, 52, 21),
				muni("fr-o", "O", "FR", "FR9", 100000, 48, 2),
			},
			// The partnership to Poland raises Poland; the one from the
			// PL1 region keeps region_affinity equal for a and b.
			ps: []graph.Partnership{pair("pl-o", "ua-x1")},
		},
		{
			name: "region affinity", factor: FactorRegionAffinity,
			edit: func(a, b *graph.Municipality) { a.Region.Code = "DE2" },
			extra: []graph.Municipality{
				muni("ua-y", "Y", "UA", "UA-46", 100000, 48.5, 24), // same region, 170 km away
				muni("de-o", "O", "DE", "DE2", 100000, 48, 11),
			},
			ps: []graph.Partnership{pair("de-o", "ua-y")},
		},
		{
			name: "ukrainian neighbours", factor: FactorUkrainianNeighbours,
			extra: []graph.Municipality{
				muni("ua-near", "Near", "UA", "UA-01", 100000, 50.3, 24),
				muni("ua-far", "Far", "UA", "UA-01", 100000, 46, 34),
			},
			ps: []graph.Partnership{pair("de-a", "ua-near"), pair("de-b", "ua-far")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := twin("de-a"), twin("de-b")
			if tt.edit != nil {
				tt.edit(&a, &b)
			}
			ms := append([]graph.Municipality{source(), a, b}, tt.extra...)
			e, _ := newTestEngine(t, ms, tt.ps)
			res, err := e.Suggest(context.Background(), "ua-src", Options{Limit: MaxLimit})
			require.NoError(t, err)
			sa, sb := suggestion(t, res, "de-a"), suggestion(t, res, "de-b")
			assert.Less(t, rank(res, "de-a"), rank(res, "de-b"), "de-a must rank above de-b")
			assert.Greater(t, sa.Score, sb.Score)
			fa, fb := factor(t, sa, tt.factor), factor(t, sb, tt.factor)
			if fa.Weight < 0 {
				assert.Less(t, fa.Value, fb.Value, "penalty must be lower for the winner")
			} else {
				assert.Greater(t, fa.Value, fb.Value, "factor must be higher for the winner")
			}
			for _, f := range sa.Factors {
				if f.Name != tt.factor && !slices.Contains(tt.moves, f.Name) {
					assert.InDelta(t, f.Value, factor(t, sb, f.Name).Value, 1e-12, "factor %s must not differ", f.Name)
				}
			}
		})
	}
}

// cities is a small, realistic fixture.
func cities() ([]graph.Municipality, []graph.Partnership) {
	ms := []graph.Municipality{
		muni("ua-lviv", "Lviv", "UA", "UA-46", 717000, 49.8397, 24.0297, "university", "tourism", "culture"),
		muni("ua-stryi", "Stryi", "UA", "UA-46", 59000, 49.2606, 23.8536),
		muni("ua-kyiv", "Kyiv", "UA", "UA-30", 2952000, 50.4501, 30.5234, "university"),
		muni("ua-odesa", "Odesa", "UA", "UA-51", 1010000, 46.4825, 30.7233, "port", "tourism"),
		muni("pl-krakow", "Kraków", "PL", "PL21", 770000, 50.0647, 19.9450, "university", "tourism"),
		muni("pl-wroclaw", "Wrocław", "PL", "PL51", 641000, 51.1079, 17.0385, "university"),
		muni("pl-rzeszow", "Rzeszów", "PL", "PL32", 196000, 50.0412, 21.9991, "university"),
		muni("pl-przemysl", "Przemyśl", "PL", "PL32", 58000, 49.7838, 22.7678),
		muni("pl-lublin", "Lublin", "PL", "PL81", 339000, 51.2465, 22.5684, "university"),
		muni("de-freiburg", "Freiburg", "DE", "DE13", 231000, 47.999, 7.842, "university", "environment"),
		muni("de-wurzburg", "Würzburg", "DE", "DE26", 127000, 49.7913, 9.9534, "university"),
		muni("de-unknown", "Irgendwo", "DE", "", 0, 50, 10),
		muni("ru-moskva", "Moskva", "RU", "RU-MOW", 13000000, 55.7558, 37.6173),
		muni("by-minsk", "Minsk", "BY", "BY-HM", 1990000, 53.9, 27.5667),
		muni("lt-vilnius", "Vilnius", "LT", "LT01", 590000, 54.6872, 25.2797, "university"),
		muni("at-wien", "Wien", "AT", "AT13", 1980000, 48.2082, 16.3738, "culture", "tourism"),
	}
	ms[11].Location = nil
	ps := []graph.Partnership{
		pair("pl-krakow", "ua-kyiv"), pair("pl-wroclaw", "ua-lviv"), pair("pl-rzeszow", "ua-lviv"),
		pair("pl-przemysl", "ua-lviv"), pair("de-freiburg", "ua-lviv"), pair("pl-krakow", "pl-wroclaw"),
		pair("pl-krakow", "pl-rzeszow"), pair("pl-lublin", "ua-lviv"), pair("pl-lublin", "ua-stryi"),
		pair("lt-vilnius", "ua-kyiv"), pair("at-wien", "ua-kyiv"), pair("pl-krakow", "ua-odesa"),
		pair("de-wurzburg", "ua-odesa"), pair("pl-krakow", "ua-stryi"),
		{A: "ru-moskva", B: "ua-lviv", Kind: graph.KindTwinning, Status: graph.StatusSuspended},
	}
	return ms, ps
}

func TestSuggestContributionsAddUp(t *testing.T) {
	ms, ps := cities()
	e, _ := newTestEngine(t, ms, ps)
	for _, m := range ms {
		res, err := e.Suggest(context.Background(), m.ID, Options{Limit: MaxLimit, IncludePartners: true, IncludeSuspended: true})
		require.NoError(t, err)
		require.NotEmpty(t, res.Suggestions, m.ID)
		for k, s := range res.Suggestions {
			assert.Equal(t, k+1, s.Rank)
			require.Len(t, s.Factors, len(FactorNames))
			sum := 0.0
			for j, f := range s.Factors {
				assert.Equal(t, FactorNames[j], f.Name)
				assert.GreaterOrEqual(t, f.Value, 0.0, "%s %s", s.Municipality.ID, f.Name)
				assert.LessOrEqual(t, f.Value, 1.0, "%s %s", s.Municipality.ID, f.Name)
				assert.InDelta(t, f.Weight*f.Value, f.Contribution, 1e-15)
				assert.NotEmpty(t, f.Reason, "%s %s", s.Municipality.ID, f.Name)
				sum += f.Contribution
			}
			assert.InDelta(t, s.Score, sum, 1e-9, "%s → %s", m.ID, s.Municipality.ID)
			assert.NotEmpty(t, s.Reason)
			if k > 0 {
				prev := res.Suggestions[k-1]
				assert.True(t, prev.Score > s.Score || prev.Score == s.Score && prev.Municipality.ID < s.Municipality.ID,
					"order: %s (%v) before %s (%v)", prev.Municipality.ID, prev.Score, s.Municipality.ID, s.Score)
			}
		}
	}
}

func TestSuggestReasonsReadWell(t *testing.T) {
	ms, ps := cities()
	e, _ := newTestEngine(t, ms, ps)
	res, err := e.Suggest(context.Background(), "ua-lviv", Options{})
	require.NoError(t, err)
	assert.Equal(t, "ua-lviv", res.For.ID)
	assert.Equal(t, "default-1", res.ModelVersion)
	krakow := suggestion(t, res, "pl-krakow")
	assert.Equal(t, 1, krakow.Rank, "Kraków partners two of Lviv's partners and should lead")
	assert.InDelta(t, 292, krakow.DistanceKm, 3)

	want := map[string]string{
		FactorSize:                "Similar size: 717,000 and 770,000 inhabitants",
		FactorDistance:            "290 km apart",
		FactorThemes:              "Shares themes: tourism, university",
		FactorPartnersOfPartners:  "Partner of 2 of Lviv's partners: Rzeszów and Wrocław",
		FactorCountryAffinity:     "Poland holds 67% of Ukraine's international partnerships (8 of 12)",
		FactorRegionAffinity:      "Region UA-46 already has 1 partnership with Region PL21 (14% of its international ones)",
		FactorSaturation:          "Already has 3 Ukrainian partners",
		FactorUkrainianNeighbours: "Partner of 1 Ukrainian municipality within 100 km of Lviv: Stryi (66 km)",
	}
	for name, reason := range want {
		assert.Equal(t, reason, factor(t, krakow, name).Reason, name)
	}
	assert.Equal(t, "Suggested mainly for 2 partners in common, proximity (290 km) and a similar size, though held back by its 3 Ukrainian partners.", krakow.Reason)

	unknown := suggestion(t, res, "de-unknown")
	assert.Equal(t, "Size not compared: the population of Irgendwo is unknown", factor(t, unknown, FactorSize).Reason)
	assert.Equal(t, "Distance unknown: no location for Irgendwo", factor(t, unknown, FactorDistance).Reason)
	assert.Equal(t, "Region ties not checked: the region of Irgendwo is unknown", factor(t, unknown, FactorRegionAffinity).Reason)
	assert.Zero(t, unknown.DistanceKm)
	assert.Zero(t, factor(t, unknown, FactorSize).Value)
	assert.Zero(t, factor(t, unknown, FactorDistance).Value)
}

func TestSuggestExclusionsAndFilters(t *testing.T) {
	ms, ps := cities()
	e, _ := newTestEngine(t, ms, ps)
	ids := func(res Result) []string {
		var out []string
		for _, s := range res.Suggestions {
			out = append(out, s.Municipality.ID)
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"default: no partners, no suspended, no Ukrainian", Options{Limit: MaxLimit},
			[]string{"at-wien", "de-unknown", "de-wurzburg", "lt-vilnius", "pl-krakow"}},
		{"partners on request", Options{Limit: MaxLimit, IncludePartners: true},
			[]string{"at-wien", "de-freiburg", "de-unknown", "de-wurzburg", "lt-vilnius", "pl-krakow", "pl-lublin", "pl-przemysl", "pl-rzeszow", "pl-wroclaw"}},
		{"suspended on request, but not the suspended partner", Options{Limit: MaxLimit, IncludeSuspended: true},
			[]string{"at-wien", "by-minsk", "de-unknown", "de-wurzburg", "lt-vilnius", "pl-krakow"}},
		{"suspended partner with both", Options{Limit: MaxLimit, IncludeSuspended: true, IncludePartners: true, Countries: []string{"RU"}},
			[]string{"ru-moskva"}},
		{"countries", Options{Countries: []string{"DE", "AT"}}, []string{"at-wien", "de-unknown", "de-wurzburg"}},
		{"source country asked for gives nothing", Options{Countries: []string{"UA"}}, nil},
		{"min population; unknown fails", Options{MinPopulation: 1}, []string{"at-wien", "de-wurzburg", "lt-vilnius", "pl-krakow"}},
		{"population range", Options{MinPopulation: 500000, MaxPopulation: 800000}, []string{"lt-vilnius", "pl-krakow"}},
		{"max population; unknown fails", Options{MaxPopulation: 600000}, []string{"de-wurzburg", "lt-vilnius"}},
		{"themes: at least one", Options{Themes: []string{"culture", "environment"}}, []string{"at-wien"}},
		{"limit", Options{Limit: 2}, []string{"lt-vilnius", "pl-krakow"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.Suggest(context.Background(), "ua-lviv", tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ids(res))
			if tt.opts.Limit == MaxLimit {
				assert.Equal(t, len(tt.want), res.Candidates)
			}
		})
	}
}

func TestSuggestDefaultLimitAndTies(t *testing.T) {
	ms := []graph.Municipality{source()}
	for k := range 30 {
		// Identical candidates: only the id can order them.
		ms = append(ms, twin(fmt.Sprintf("de-c%02d", 29-k)))
	}
	e, _ := newTestEngine(t, ms, nil)
	res, err := e.Suggest(context.Background(), "ua-src", Options{})
	require.NoError(t, err)
	assert.Equal(t, 30, res.Candidates)
	require.Len(t, res.Suggestions, DefaultLimit)
	for k, s := range res.Suggestions {
		assert.Equal(t, fmt.Sprintf("de-c%02d", k), s.Municipality.ID)
		assert.Equal(t, res.Suggestions[0].Score, s.Score)
	}
	again, err := e.Suggest(context.Background(), "ua-src", Options{})
	require.NoError(t, err)
	assert.Equal(t, res, again)
}

func TestSuggestErrors(t *testing.T) {
	ctx := context.Background()
	_, err := NewEngine(DefaultModel()).Suggest(ctx, "ua-lviv", Options{})
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(err), "before Load")

	ms, ps := cities()
	e, _ := newTestEngine(t, ms, ps)
	tests := []struct {
		name, id string
		opts     Options
		code     string
		field    string
	}{
		{"unknown id", "ua-nowhere", Options{}, graph.ENOTFOUND, ""},
		{"negative limit", "ua-lviv", Options{Limit: -1}, graph.EINVALID, "limit"},
		{"limit too large", "ua-lviv", Options{Limit: MaxLimit + 1}, graph.EINVALID, "limit"},
		{"bad country", "ua-lviv", Options{Countries: []string{"pl"}}, graph.EINVALID, "country"},
		{"negative min", "ua-lviv", Options{MinPopulation: -1}, graph.EINVALID, "min_population"},
		{"negative max", "ua-lviv", Options{MaxPopulation: -1}, graph.EINVALID, "max_population"},
		{"min above max", "ua-lviv", Options{MinPopulation: 10, MaxPopulation: 9}, graph.EINVALID, "max_population"},
		{"unknown theme", "ua-lviv", Options{Themes: []string{"tourism", "beer"}}, graph.EINVALID, "theme"},
		{"options checked before the id", "ua-nowhere", Options{Limit: -5}, graph.EINVALID, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Suggest(ctx, tt.id, tt.opts)
			require.Error(t, err)
			assert.Equal(t, tt.code, graph.ErrorCode(err), err.Error())
			assert.Equal(t, tt.field, graph.ErrorField(err))
		})
	}
}

func TestLoadKeepsStoreErrorCode(t *testing.T) {
	ms, ps := cities()
	e, s := newTestEngine(t, ms, ps)
	s.scanErr = graph.Errorf(graph.EUNAVAILABLE, "database down")
	err := e.Load(context.Background(), s)
	require.Error(t, err)
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(err))
	assert.True(t, e.Loaded(), "the old index stays in place")
	_, err = e.Suggest(context.Background(), "ua-lviv", Options{})
	assert.NoError(t, err)
}

func TestNewIndexRejectsBadGraphs(t *testing.T) {
	ms, _ := cities()
	tests := []struct {
		name  string
		ms    []graph.Municipality
		ps    []graph.Partnership
		code  string
		field string
	}{
		{"duplicate id", append(slices.Clone(ms), ms[0]), nil, graph.EINVALID, "id"},
		{"unknown a", ms, []graph.Partnership{pair("xx-none", "ua-lviv")}, graph.EINVALID, "a"},
		{"unknown b", ms, []graph.Partnership{pair("ua-lviv", "xx-none")}, graph.EINVALID, "b"},
		{"duplicate pair", ms, []graph.Partnership{pair("pl-krakow", "ua-lviv"), pair("ua-lviv", "pl-krakow")}, graph.ECONFLICT, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewIndex(tt.ms, tt.ps)
			require.Error(t, err)
			assert.Equal(t, tt.code, graph.ErrorCode(err), err.Error())
			assert.Equal(t, tt.field, graph.ErrorField(err))
		})
	}
}

func TestFeaturesMatchSuggestions(t *testing.T) {
	ms, ps := cities()
	e, _ := newTestEngine(t, ms, ps)
	res, err := e.Suggest(context.Background(), "ua-lviv", Options{Limit: MaxLimit, IncludePartners: true, Themes: []string{"port"}})
	require.NoError(t, err)
	var ids []string
	for _, s := range res.Suggestions {
		ids = append(ids, s.Municipality.ID)
	}
	vecs, err := e.Index().Features("ua-lviv", ids, "port")
	require.NoError(t, err)
	require.Len(t, vecs, len(ids))
	for k, s := range res.Suggestions {
		require.Len(t, vecs[k], len(FactorNames))
		for j, f := range s.Factors {
			assert.Equal(t, f.Value, vecs[k][j], "%s %s", s.Municipality.ID, f.Name)
		}
	}
	_, err = e.Index().Features("ua-nowhere", ids)
	assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err))
	_, err = e.Index().Features("ua-lviv", []string{"xx-none"})
	assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err))
	_, err = e.Index().Features("ua-lviv", ids, "beer")
	assert.Equal(t, "theme", graph.ErrorField(err))
}

func TestAdamicAdarAndSaturationValues(t *testing.T) {
	ms, ps := cities()
	e, _ := newTestEngine(t, ms, ps)
	vecs, err := e.Index().Features("ua-lviv", []string{"pl-krakow", "at-wien"})
	require.NoError(t, err)
	// Kraków shares Wrocław (2 partners) and Rzeszów (2 partners) with Lviv.
	aa := 2 / math.Log(2)
	assert.InDelta(t, 1-math.Exp(-aa), vecs[0][fPartnersOfPartners], 1e-12)
	// Kraków partners Kyiv, Odesa and Stryi.
	assert.InDelta(t, 1-math.Exp(-1.0), vecs[0][fSaturation], 1e-12)
	assert.Zero(t, vecs[1][fPartnersOfPartners])
	assert.InDelta(t, 1-math.Exp(-1.0/3), vecs[1][fSaturation], 1e-12)
}

func TestLoadWhileSuggesting(t *testing.T) {
	ms, ps := cities()
	e, s := newTestEngine(t, ms, ps)
	ctx := context.Background()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 8)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := e.Suggest(ctx, "ua-lviv", Options{Limit: 5})
				if err != nil {
					errs <- err
					return
				}
				if len(res.Suggestions) == 0 {
					errs <- fmt.Errorf("no suggestions")
					return
				}
			}
		}()
	}
	for k := range 20 {
		m := muni(fmt.Sprintf("it-c%02d", k), "Città", "IT", "ITC4", int64(10000*(k+1)), 45, 9)
		_, err := s.UpsertMunicipalities(ctx, []graph.Municipality{m})
		require.NoError(t, err)
		require.NoError(t, e.Load(ctx, s))
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Equal(t, len(ms)+20, e.Index().Len())
}

func TestTopKMatchesFullSort(t *testing.T) {
	scores := []float64{0.5, 0.1, 0.9, 0.5, 0.3, 0.9, 0.0, 0.7, 0.5, 0.2, 0.8, 0.5}
	for k := 0; k <= len(scores)+1; k++ {
		top := newTopK(k)
		var all []scored
		for i, s := range scores {
			top.offer(s, int32(i))
			all = append(all, scored{s, int32(i)})
		}
		slices.SortFunc(all, func(a, b scored) int {
			if a.better(b) {
				return -1
			}
			return 1
		})
		assert.Equal(t, all[:min(k, len(all))], top.sorted(), "k=%d", k)
	}
}

// TestBatchMatchesSuggest ranks a batch of sources on several goroutines
// and expects, in the order of the sources, the results Suggest gives one
// by one: with every candidate, and with a candidate set equal to a
// country filter.
func TestBatchMatchesSuggest(t *testing.T) {
	ms, e := syntheticEngine(t)
	ctx := context.Background()
	var ids []string
	for i := 0; i < benchUkrainian && len(ids) < 40; i += 37 {
		ids = append(ids, ms[i].ID)
	}
	for _, tc := range []struct {
		name string
		keep func(*graph.Municipality) bool
		opts Options
	}{
		{"all", nil, Options{}},
		{"PL and DE", func(m *graph.Municipality) bool { return m.Country == "PL" || m.Country == "DE" }, Options{Countries: []string{"PL", "DE"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []Result
			err := e.Batch(ctx, ids, Options{Limit: 20}, tc.keep, 3, func(r Result) error {
				got = append(got, r)
				return nil
			})
			require.NoError(t, err)
			require.Len(t, got, len(ids))
			for k, id := range ids {
				opts := tc.opts
				opts.Limit = 20
				want, err := e.Suggest(ctx, id, opts)
				require.NoError(t, err)
				assert.Equal(t, want, got[k], "result %d, for %s", k, id)
			}
		})
	}
}

func TestBatchErrors(t *testing.T) {
	ms, ps := benchGraph()
	ix, err := NewIndex(ms, ps)
	require.NoError(t, err)
	e := NewEngine(DefaultModel())
	ctx := context.Background()
	emit := func(Result) error { return nil }
	ids := []string{ms[0].ID, ms[1].ID, ms[2].ID}

	err = e.Batch(ctx, ids, Options{}, nil, 2, emit)
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(err), "before the first load: %v", err)
	e.SetIndex(ix)
	err = e.Batch(ctx, append(ids, "xx-nowhere"), Options{}, nil, 2, func(Result) error { t.Error("emitted before the ids were checked"); return nil })
	assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err), "%v", err)
	assert.Contains(t, graph.ErrorMessage(err), "xx-nowhere")
	err = e.Batch(ctx, ids, Options{Limit: MaxLimit + 1}, nil, 2, emit)
	assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "%v", err)

	// An error of emit stops the batch and is returned as it is.
	stop := fmt.Errorf("disk full")
	n := 0
	err = e.Batch(ctx, ids, Options{}, nil, 2, func(Result) error { n++; return stop })
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)

	// A cancelled context stops it too.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err = e.Batch(cctx, ids, Options{}, nil, 2, emit)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestDiversify(t *testing.T) {
	// Countries by index: 0-2 PL, 3 DE, 4 FR.
	group := []uint16{0, 0, 0, 1, 2}
	ranked := []scored{{1.0, 0}, {0.99, 1}, {0.98, 2}, {0.9, 3}, {0.8, 4}}
	order := func(ss []scored) []int32 {
		var out []int32
		for _, s := range ss {
			out = append(out, s.index)
		}
		return out
	}
	assert.Equal(t, []int32{0, 1, 3}, order(diversify(ranked, 3, 0.05, group)), "a small knob: the third Polish town gives way")
	assert.Equal(t, []int32{0, 3, 4}, order(diversify(ranked, 3, 1, group)), "the largest: one per country first")
	assert.Equal(t, []int32{0, 3, 4, 1, 2}, order(diversify(ranked, 10, 1, group)), "then the rest")
	assert.Equal(t, []int32{0, 1, 2}, order(diversify(ranked, 3, 0.001, group)), "a tiny knob changes nothing here")
	assert.Empty(t, diversify(nil, 3, 0.5, group))
}

// TestSuggestDiversity asks for diversified suggestions on the synthetic
// graph: more countries in the top 10, scores and factors unchanged, and
// the option checked.
func TestSuggestDiversity(t *testing.T) {
	ms, e := syntheticEngine(t)
	ctx := context.Background()
	countries := func(r Result) int {
		seen := map[string]bool{}
		for _, s := range r.Suggestions {
			seen[s.Municipality.Country] = true
		}
		return len(seen)
	}
	more, n := 0, 0
	for i := 0; i < benchUkrainian; i += 97 {
		id := ms[i].ID
		plain, err := e.Suggest(ctx, id, Options{})
		require.NoError(t, err)
		div, err := e.Suggest(ctx, id, Options{Diversity: 0.3})
		require.NoError(t, err)
		assert.Equal(t, 0.3, div.Diversity)
		require.Len(t, div.Suggestions, len(plain.Suggestions))
		assert.GreaterOrEqual(t, countries(div), countries(plain), id)
		if countries(div) > countries(plain) {
			more++
		}
		n++
		assert.Equal(t, plain.Suggestions[0].Municipality.ID, div.Suggestions[0].Municipality.ID, "the best stays first")
		for k, s := range div.Suggestions {
			assert.Equal(t, k+1, s.Rank)
			sum := 0.0
			for _, f := range s.Factors {
				sum += f.Contribution
			}
			assert.InDelta(t, s.Score, sum, 1e-9, "contributions add up to the score")
		}
	}
	assert.Greater(t, more, n/2, "most top tens gain countries (%d of %d)", more, n)
	for _, bad := range []float64{-0.1, 1.5, math.NaN()} {
		_, err := e.Suggest(ctx, ms[0].ID, Options{Diversity: bad})
		assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "%v", bad)
		assert.Equal(t, "diversity", graph.ErrorField(err))
	}
}

// syntheticEngine returns the benchmarks' synthetic municipalities and an
// engine with the default model over them.
func syntheticEngine(t *testing.T) ([]graph.Municipality, *Engine) {
	t.Helper()
	ms, ps := benchGraph()
	ix, err := NewIndex(ms, ps)
	require.NoError(t, err)
	e := NewEngine(DefaultModel())
	e.SetIndex(ix)
	return ms, e
}

// TestRegionsOfBothSchemes checks that a municipality whose region is a
// NUTS 2 code (the LAU files') counts in the GeoNames admin1 region that
// the merged municipalities of both sources place it in, so that region
// affinity sees one voivodeship, not two.
func TestRegionsOfBothSchemes(t *testing.T) {
	geo := func(id, name, region string, nuts3 string, lat, lon float64) graph.Municipality {
		m := muni(id, name, "PL", region, 100_000, lat, lon)
		m.Codes.NUTS3 = nuts3
		return m
	}
	ms := []graph.Municipality{
		muni("ua-lviv", "Lviv", "UA", "UA-46", 720_000, 49.84, 24.03),
		muni("ua-stryi", "Stryi", "UA", "UA-46", 60_000, 49.26, 23.85),
		// Merged GeoNames + LAU places of Podkarpackie: admin1 PL.80, NUTS PL82x.
		geo("pl-rzeszow", "Rzeszów", "PL.80", "PL825", 50.04, 22.00),
		geo("pl-przemysl", "Przemyśl", "PL.80", "PL822", 49.78, 22.77),
		// A LAU-only town of Podkarpackie, and one of Lesser Poland.
		geo("pl-sanok", "Sanok", "PL82", "PL822", 49.56, 22.21),
		geo("pl-tarnow", "Tarnów", "PL21", "PL214", 50.01, 20.99),
		geo("pl-krakow", "Kraków", "PL.77", "PL213", 50.06, 19.94),
	}
	ps := []graph.Partnership{pair("ua-stryi", "pl-rzeszow"), pair("ua-stryi", "pl-przemysl"), pair("ua-lviv", "pl-krakow")}
	for k := range ps {
		ps[k].Normalize()
	}
	e, _ := newTestEngine(t, ms, ps)
	ix := e.Index()
	vecs, err := ix.Features("ua-lviv", []string{"pl-sanok", "pl-tarnow", "pl-rzeszow"})
	require.NoError(t, err)
	assert.Greater(t, vecs[0][fRegionAffinity], 0.0, "Sanok (PL82) counts in Podkarpackie (PL.80), where the oblast has 2 partnerships")
	assert.Equal(t, vecs[2][fRegionAffinity], vecs[0][fRegionAffinity], "the same region as Rzeszów")
	assert.Equal(t, ix.region[ix.byID["pl-sanok"]], ix.region[ix.byID["pl-rzeszow"]])
	assert.Equal(t, ix.region[ix.byID["pl-tarnow"]], ix.region[ix.byID["pl-krakow"]], "PL21 is Lesser Poland, PL.77")
	res, err := e.Suggest(context.Background(), "ua-lviv", Options{Limit: 10})
	require.NoError(t, err)
	found := false
	for _, s := range res.Suggestions {
		if s.Municipality.ID != "pl-sanok" {
			continue
		}
		for _, f := range s.Factors {
			if f.Name == FactorRegionAffinity {
				found = true
				assert.Contains(t, f.Reason, "Region PL.80", "the reason names the admin1 region: %s", f.Reason)
			}
		}
	}
	assert.True(t, found, "Sanok is suggested, with its region affinity")
}

func TestPluralUK(t *testing.T) {
	for n, want := range map[int]string{
		0: "0 партнерств", 1: "1 партнерство", 2: "2 партнерства", 4: "4 партнерства", 5: "5 партнерств",
		11: "11 партнерств", 12: "12 партнерств", 14: "14 партнерств", 21: "21 партнерство", 22: "22 партнерства",
		111: "111 партнерств", 1001: "1001 партнерство", 10001: "10\u00a0001 партнерство",
	} {
		assert.Equal(t, want, pluralUK(n, "партнерство", "партнерства", "партнерств"), "%d", n)
	}
}

// TestSuggestReasonsInUkrainian asks for Ukrainian reasons and expects
// every reason and summary in Ukrainian (no English words left), the same
// factors, values and scores as in English, and the names of Ukrainian
// municipalities in Ukrainian.
func TestSuggestReasonsInUkrainian(t *testing.T) {
	ms, ps := cities()
	e, _ := newTestEngine(t, ms, ps)
	ctx := context.Background()
	en, err := e.Suggest(ctx, "ua-lviv", Options{Limit: 20})
	require.NoError(t, err)
	uk, err := e.Suggest(ctx, "ua-lviv", Options{Limit: 20, Lang: LangUkrainian})
	require.NoError(t, err)
	require.Len(t, uk.Suggestions, len(en.Suggestions))
	english := regexp.MustCompile(`\b(the|and|of|with|in|no|not|partners?|partnerships?|size|km|apart|already|yet|suggested|held|themes?|unknown|region|area|nothing)\b`)
	cyrillic := regexp.MustCompile(`\p{Cyrillic}`)
	var all []string
	for k, s := range uk.Suggestions {
		assert.Equal(t, en.Suggestions[k].Municipality.ID, s.Municipality.ID)
		assert.Equal(t, en.Suggestions[k].Score, s.Score)
		texts := []string{s.Reason}
		for j, f := range s.Factors {
			assert.Equal(t, en.Suggestions[k].Factors[j].Name, f.Name)
			assert.Equal(t, en.Suggestions[k].Factors[j].Value, f.Value)
			texts = append(texts, f.Reason)
		}
		for _, text := range texts {
			assert.NotEmpty(t, text, s.Municipality.ID)
			assert.Regexp(t, cyrillic, text, "%s: in Ukrainian", s.Municipality.ID)
			// Region names are the data's (here "Region UA-46").
			words := regexp.MustCompile(`Region [A-Z0-9-]+`).ReplaceAllString(text, "")
			assert.NotRegexp(t, english, strings.ToLower(words), "%s: no English word left", s.Municipality.ID)
			all = append(all, text)
		}
	}
	joined := strings.Join(all, "\n")
	assert.Contains(t, joined, "Спільні партнери (2): ", "the partners in common, counted")
	assert.Contains(t, joined, "Україна — Польща: ", "country ties as a pair of names")
	assert.Contains(t, joined, "Основні переваги: ", "the summary")
	assert.Contains(t, joined, "Львівська область — ", "Ukrainian oblasts named in Ukrainian")
	assert.Contains(t, joined, "\u00a0км", "kilometres in Ukrainian")

	_, err = e.Suggest(ctx, "ua-lviv", Options{Lang: "de"})
	assert.Equal(t, graph.EINVALID, graph.ErrorCode(err))
	assert.Equal(t, "lang", graph.ErrorField(err))
}

// town is a municipality of the chain tests, named after its id.
func town(id, country string) graph.Municipality {
	return muni(id, strings.ToUpper(id[3:]), country, country+"1", 100000, 50, 10)
}

// chains is the partner_chains value of a weighted sum of chains.
func chains(x float64) float64 { return 1 - math.Exp(-chainsRate*x) }

// chainValues returns the partner_chains values of the candidates for
// ua-src, with its partnerships to hidden hidden.
func chainValues(t *testing.T, ix *Index, hidden []string, ids ...string) []float64 {
	t.Helper()
	q, err := ix.SourceFeatures("ua-src", hidden...)
	require.NoError(t, err)
	defer q.Close()
	out := make([]float64, len(ids))
	v := make([]float64, NumFactors)
	for k, id := range ids {
		i, ok := ix.Position(id)
		require.True(t, ok, id)
		q.Values(i, v)
		out[k] = v[fPartnerChains]
	}
	return out
}

// TestPartnerChains checks the partner_chains factor on a hand-worked
// graph: its value, the chains its reasons name, and that hidden and
// suspended partnerships take no part. Degrees: a 2, b 4, h 3, e 2.
//
//	src – a – b – c       two chains to c: through a and b, through h and b
//	src – a – b – d       three to d: a and b, h and e, h and b
//	src – h – e – d
//	b – h
//	src ~ s – x – y       suspended: no chain to y
//	z                     no partnership at all
func TestPartnerChains(t *testing.T) {
	ms := []graph.Municipality{
		source(), town("pl-a", "PL"), town("de-b", "DE"), town("fr-c", "FR"), town("fr-d", "FR"), town("pl-h", "PL"),
		town("de-e", "DE"), town("ru-s", "RU"), town("de-x", "DE"), town("fr-y", "FR"), town("fr-z", "FR"),
	}
	ps := []graph.Partnership{
		pair("ua-src", "pl-a"), pair("pl-a", "de-b"), pair("de-b", "fr-c"), pair("de-b", "fr-d"),
		pair("ua-src", "pl-h"), pair("pl-h", "de-e"), pair("de-e", "fr-d"), pair("de-b", "pl-h"),
		{A: "ru-s", B: "ua-src", Kind: graph.KindTwinning, Status: graph.StatusSuspended},
		pair("ru-s", "de-x"), pair("de-x", "fr-y"),
	}
	e, _ := newTestEngine(t, ms, ps)
	ab := 1 / math.Sqrt(2*4.0)
	he := 1 / math.Sqrt(3*2.0)
	hb := 1 / math.Sqrt(3*4.0)
	want := map[string]float64{
		"fr-c": chains(ab + hb),      // src–a–b–c, src–h–b–c
		"fr-d": chains(ab + he + hb), // src–a–b–d, src–h–e–d, src–h–b–d
		"fr-y": 0,                    // only through the suspended link
		"fr-z": 0,                    // no partnership at all
	}
	ids := []string{"fr-c", "fr-d", "fr-y", "fr-z"}
	for k, got := range chainValues(t, e.Index(), nil, ids...) {
		assert.InDelta(t, want[ids[k]], got, 1e-12, ids[k])
	}

	// With src–h hidden, the chains through h go; src – a – b – ? never
	// reaches e.
	got := chainValues(t, e.Index(), []string{"pl-h"}, "fr-c", "fr-d", "de-e")
	assert.InDeltaSlice(t, []float64{chains(ab), chains(ab), 0}, got, 1e-12)

	// A model that weighs the factor ranks c above z, and the reasons name
	// the chains, strongest first.
	model := DefaultModel()
	model.Weights[FactorPartnerChains] = 0.5
	e2 := NewEngine(model)
	_, s := newTestEngine(t, ms, ps)
	require.NoError(t, e2.Load(context.Background(), s))
	res, err := e2.Suggest(context.Background(), "ua-src", Options{Limit: MaxLimit})
	require.NoError(t, err)
	assert.Less(t, rank(res, "fr-c"), rank(res, "fr-z"))
	d := factor(t, suggestion(t, res, "fr-d"), FactorPartnerChains)
	assert.Equal(t, "Linked to Source by 3 chains of three partnerships: Source – H – E – D; Source – A – B – D; 1 more", d.Reason)
	c := factor(t, suggestion(t, res, "fr-c"), FactorPartnerChains)
	assert.Equal(t, "Linked to Source by 2 chains of three partnerships: Source – A – B – C; Source – H – B – C", c.Reason)
	assert.Contains(t, suggestion(t, res, "fr-d").Reason, "3 chains of partnerships")
	y := factor(t, suggestion(t, res, "fr-y"), FactorPartnerChains)
	assert.Equal(t, "No chain of three partnerships links Source to Y", y.Reason)

	uk, err := e2.Suggest(context.Background(), "ua-src", Options{Limit: MaxLimit, Lang: LangUkrainian})
	require.NoError(t, err)
	assert.Equal(t, "Ланцюжки з трьох партнерств (3): Source — H — E — D; Source — A — B — D; ще 1",
		factor(t, suggestion(t, uk, "fr-d"), FactorPartnerChains).Reason)
	assert.Equal(t, "Ланцюжків із трьох партнерств немає", factor(t, suggestion(t, uk, "fr-y"), FactorPartnerChains).Reason)
	assert.Contains(t, suggestion(t, uk, "fr-d").Reason, "3 ланцюжки партнерств")
}

// TestPartnerChainsEdges checks the cases TestPartnerChains does not
// reach: a hidden partner in the middle of a chain counts its degree
// without the hidden link, a suspended second or third link breaks a
// chain, and a walk back to a partner (src – a – h – a) is no chain.
//
//	src – a – h – c, src – h      deg a = 2, deg h = 3
//	src – p ~ q – y                the second link suspended
//	src – p – r ~ z                the third link suspended
func TestPartnerChainsEdges(t *testing.T) {
	suspended := func(a, b string) graph.Partnership {
		return graph.Partnership{A: a, B: b, Kind: graph.KindTwinning, Status: graph.StatusSuspended}
	}
	ms := []graph.Municipality{
		source(), town("pl-a", "PL"), town("pl-h", "PL"), town("fr-c", "FR"), town("pl-p", "PL"), town("de-q", "DE"),
		town("fr-y", "FR"), town("de-r", "DE"), town("fr-z", "FR"),
	}
	ps := []graph.Partnership{
		pair("ua-src", "pl-a"), pair("ua-src", "pl-h"), pair("pl-a", "pl-h"), pair("pl-h", "fr-c"),
		pair("ua-src", "pl-p"), suspended("pl-p", "de-q"), pair("de-q", "fr-y"), pair("pl-p", "de-r"), suspended("de-r", "fr-z"),
	}
	e, _ := newTestEngine(t, ms, ps)
	got := chainValues(t, e.Index(), nil, "fr-c", "fr-y", "fr-z", "pl-a", "pl-h")
	assert.InDeltaSlice(t, []float64{chains(1 / math.Sqrt(2*3.0)), 0, 0, 0, 0}, got, 1e-12)

	// Hiding h: src – a – h – c stays, h's degree now 2 (a and c).
	got = chainValues(t, e.Index(), []string{"pl-h"}, "fr-c")
	assert.InDeltaSlice(t, []float64{chains(1 / math.Sqrt(2*2.0))}, got, 1e-12)

	// Partners asked for too: no back-and-forth walk reads as a chain.
	res, err := e.Suggest(context.Background(), "ua-src", Options{Limit: MaxLimit, IncludePartners: true})
	require.NoError(t, err)
	for _, id := range []string{"pl-a", "pl-h"} {
		f := factor(t, suggestion(t, res, id), FactorPartnerChains)
		assert.Zero(t, f.Value, id)
		assert.Equal(t, "No chain of three partnerships links Source to "+strings.ToUpper(id[3:]), f.Reason)
	}
}

// TestSuggestLeavesDistrictsOut suggests neither a district of a city
// (graph.WithinUnits, graph.IsDistrict) unless asked, nor a hromada the war
// filter leaves out.
func TestSuggestLeavesDistrictsOut(t *testing.T) {
	warsaw := muni("lau-pl-1", "Warszawa", "PL", "PL91", 1790658, 52.23, 21.01)
	warsaw.Codes.LAU, warsaw.AreaKm2, warsaw.Source = "PL_1", 517, "lau"
	mokotow := muni("gn-764484", "Mokotów", "PL", "PL91", 217683, 52.19, 21.02)
	mokotow.Codes.GeoNames, mokotow.Source = "764484", "geonames"
	krakow := muni("pl-krakow", "Kraków", "PL", "PL21", 779115, 50.06, 19.94)
	front := muni("ua-front", "Front", "UA", "UA-63", 200000, 49.99, 36.23)
	front.War = &graph.WarStatus{WarZone: graph.WarZoneDates}
	e, _ := newTestEngine(t, []graph.Municipality{source(), warsaw, mokotow, krakow, front}, nil)
	res, err := e.Suggest(context.Background(), "ua-src", Options{Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, -1, rank(res, "gn-764484"), "a district of Warsaw")
	assert.GreaterOrEqual(t, rank(res, "lau-pl-1"), 0)
	res, err = e.Suggest(context.Background(), "ua-src", Options{Limit: 10, IncludeDistricts: true})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, rank(res, "gn-764484"), 0, "asked for")

	res, err = e.Suggest(context.Background(), "pl-krakow", Options{Limit: 10, Countries: []string{"UA"}, War: graph.WarZoneLast})
	require.NoError(t, err)
	require.Len(t, res.Suggestions, 1)
	assert.Equal(t, "ua-front", res.Suggestions[0].Municipality.ID)
	_, err = e.Suggest(context.Background(), "pl-krakow", Options{War: "peace"})
	assert.Equal(t, "war", graph.ErrorField(err))
}
