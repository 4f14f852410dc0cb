package eval

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/score"
)

func TestOutcomeMetrics(t *testing.T) {
	tests := []struct {
		name             string
		o                Outcome
		hr10, hr50, rr   float64
		ndcg10, meanRank float64
	}{
		{"first", Outcome{Better: 0, Tied: 0}, 1, 1, 1, 1, 1},
		{"tenth", Outcome{Better: 9, Tied: 0}, 1, 1, 0.1, 1 / math.Log2(11), 10},
		{"tied across the cutoff", Outcome{Better: 9, Tied: 1}, 0.5, 1, (0.1 + 1/11.0) / 2, 1 / math.Log2(11) / 2, 10.5},
		{"eleventh", Outcome{Better: 10, Tied: 0}, 0, 1, 1 / 11.0, 0, 11},
		{"all tied", Outcome{Better: 0, Tied: 99}, 0.1, 0.5, harmonic(100) / 100, ndcgSum(10) / 100, 50.5},
		{"far", Outcome{Better: 1000, Tied: 0}, 0, 0, 1 / 1001.0, 0, 1001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.hr10, tt.o.HitRate(10), 1e-12)
			assert.InDelta(t, tt.hr50, tt.o.HitRate(50), 1e-12)
			assert.InDelta(t, tt.rr, tt.o.ReciprocalRank(), 1e-9)
			assert.InDelta(t, tt.ndcg10, tt.o.NDCG(10), 1e-12)
			assert.InDelta(t, tt.meanRank, tt.o.ExpectedRank(), 1e-12)
		})
	}
	m := Summarise([]Outcome{{Better: 0, Tied: 0, Countries: 3}, {Better: 10, Tied: 0, Countries: 6}})
	assert.Equal(t, Metrics{HitRate10: 0.5, HitRate50: 1, MRR: (1 + 1/11.0) / 2, NDCG10: 0.5, MeanRank: 6, Countries10: 4.5, Cases: 2}, m)
	assert.Equal(t, Metrics{}, Summarise(nil))
}

func ndcgSum(k int) float64 {
	s := 0.0
	for r := 1; r <= k; r++ {
		s += 1 / math.Log2(float64(r)+1)
	}
	return s
}

func TestHarmonic(t *testing.T) {
	exact := 0.0
	for n := 1; n <= 5000; n++ {
		exact += 1 / float64(n)
		require.InDelta(t, exact, harmonic(n), 1e-12, "H(%d)", n)
	}
}

// smallGraph is a hand-written graph: Lviv has three European partners,
// Kharkiv one; Wrocław and Lublin share a partner, Dresden.
func smallGraph() ([]graph.Municipality, []graph.Partnership) {
	at := func(lat, lon float64) *graph.Point { return &graph.Point{Lat: lat, Lon: lon} }
	m := func(id, name, country, region string, pop int64, p *graph.Point) graph.Municipality {
		return graph.Municipality{ID: id, Name: name, Country: country, Kind: graph.KindCity, Population: pop, Location: p,
			Region: graph.Region{Code: region, Name: region}}
	}
	ms := []graph.Municipality{
		m("ua-lviv", "Lviv", "UA", "UA-46", 717000, at(49.84, 24.03)),
		m("ua-kharkiv", "Kharkiv", "UA", "UA-63", 1400000, at(49.99, 36.23)),
		m("pl-wroclaw", "Wrocław", "PL", "PL-DS", 640000, at(51.11, 17.03)),
		m("pl-lublin", "Lublin", "PL", "PL-LU", 340000, at(51.25, 22.57)),
		m("pl-rzeszow", "Rzeszów", "PL", "PL-PK", 196000, at(50.04, 22.0)),
		m("de-dresden", "Dresden", "DE", "DE-SN", 556000, at(51.05, 13.74)),
		m("de-freiburg", "Freiburg", "DE", "DE-BW", 230000, at(47.99, 7.84)),
		m("fr-lyon", "Lyon", "FR", "FR-ARA", 513000, at(45.76, 4.84)),
		m("ru-tula", "Tula", "RU", "RU-TUL", 470000, at(54.2, 37.6)),
	}
	pair := func(a, b string, s graph.Status) graph.Partnership {
		p := graph.Partnership{A: a, B: b, Kind: graph.KindTwinning, Status: s}
		p.Normalize()
		return p
	}
	ps := []graph.Partnership{
		pair("ua-lviv", "pl-wroclaw", graph.StatusActive),
		pair("ua-lviv", "pl-lublin", graph.StatusActive),
		pair("ua-lviv", "de-freiburg", graph.StatusActive),
		pair("ua-lviv", "ru-tula", graph.StatusSuspended),
		pair("ua-kharkiv", "pl-lublin", graph.StatusActive),
		pair("pl-wroclaw", "de-dresden", graph.StatusActive),
		pair("pl-lublin", "de-dresden", graph.StatusActive),
		pair("de-freiburg", "fr-lyon", graph.StatusActive),
	}
	return ms, ps
}

func TestDatasetCasesAndPool(t *testing.T) {
	ms, ps := smallGraph()
	d, err := NewDataset(ms, ps, PoolGraph)
	require.NoError(t, err)
	ids := func(pos []int) []string {
		var out []string
		for _, i := range pos {
			out = append(out, d.Municipality(i).ID)
		}
		return out
	}
	assert.Equal(t, []string{"de-dresden", "de-freiburg", "fr-lyon", "pl-lublin", "pl-wroclaw"}, ids(d.Pool), "European places with a partnership; Rzeszów has none, Tula is left out")
	assert.Equal(t, []string{"ua-lviv"}, ids(d.Sources), "Kharkiv has one European partner")
	require.Len(t, d.Cases, 3)

	all, err := NewDataset(ms, ps, PoolAll)
	require.NoError(t, err)
	assert.Len(t, all.Pool, 6)

	_, err = NewDataset(ms, ps, "nearby")
	assert.Equal(t, graph.EINVALID, graph.ErrorCode(err))
}

func TestRunRanksWithTheLinkHidden(t *testing.T) {
	ms, ps := smallGraph()
	d, err := NewDataset(ms, ps, PoolGraph)
	require.NoError(t, err)
	d.AssignFolds(0, 1)
	rep, err := Run(context.Background(), d, Options{Models: []NamedModel{{"engine", score.DefaultModel()}}, Workers: 2})
	require.NoError(t, err)
	require.Len(t, rep.Methods, 6)
	assert.Equal(t, 3, rep.Cases)
	assert.Equal(t, 5, rep.PoolSize)

	rank := map[string]map[string]float64{} // method → hidden → rank
	for m, method := range rep.Methods {
		rank[method.Name] = map[string]float64{}
		for _, row := range rep.Rows {
			rank[method.Name][d.Municipality(row.Hidden).ID] = row.Ranks[m]
		}
	}
	// Hiding Wrocław leaves Lviv with Lublin and Freiburg: the candidates
	// are Wrocław, Dresden and Lyon. Adamic–Adar reaches Dresden through
	// Lublin and Lyon through Freiburg (degree 2 each), not Wrocław.
	assert.Equal(t, 3.0, rank["Adamic–Adar"]["pl-wroclaw"])
	assert.Equal(t, 2.0, rank["random"]["pl-wroclaw"], "three candidates alike: expected rank 2")
	// Nearest first: Wrocław (560 km) is nearer than Dresden and Lyon.
	assert.Equal(t, 1.0, rank["nearest first"]["pl-wroclaw"])
	// Most partners, with the hidden link removed: Wrocław 1, Dresden 2,
	// Lyon 1.
	assert.Equal(t, 2.5, rank["most partners"]["pl-wroclaw"])
	// Hiding Lublin: it keeps Kharkiv as a Ukrainian partner, the others
	// have none left.
	assert.Equal(t, 1.0, rank["most Ukrainian partners"]["pl-lublin"])
	for _, row := range rep.Rows {
		for _, r := range row.Ranks {
			assert.GreaterOrEqual(t, r, 1.0)
			assert.LessOrEqual(t, r, 3.0)
		}
	}
}

// TestSourceFeaturesHideLikeRemovingTheLink checks the leave-one-out seam: the
// features of every candidate with a link hidden equal those computed on a
// graph built without that link.
func TestSourceFeaturesHideLikeRemovingTheLink(t *testing.T) {
	ms, ps := smallGraph()
	d, err := NewDataset(ms, ps, PoolAll)
	require.NoError(t, err)
	for _, c := range d.Cases {
		src, hidden := d.Index.ID(c.Source), d.Index.ID(c.Hidden)
		without, err := score.NewIndex(ms, d.withoutLinks(map[[2]int]bool{{c.Source, c.Hidden}: true}))
		require.NoError(t, err)
		q, err := d.Index.SourceFeatures(src, hidden)
		require.NoError(t, err)
		ref, err := without.SourceFeatures(src)
		require.NoError(t, err)
		got, want := make([]float64, score.NumFactors), make([]float64, score.NumFactors)
		for _, i := range d.Pool {
			q.Values(i, got)
			ref.Values(i, want)
			assert.InDeltaSlice(t, want, got, 1e-12, "%s hidden from %s, candidate %s", hidden, src, d.Index.ID(i))
			assert.Equal(t, ref.IsPartner(i), q.IsPartner(i))
		}
		q.Close()
		ref.Close()
	}
	_, err = d.Index.SourceFeatures("ua-lviv", "fr-lyon")
	assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "not a partner")
	_, err = d.Index.SourceFeatures("ua-nowhere")
	assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err))
}

func TestTrainAndCrossValidate(t *testing.T) {
	ms, ps := smallGraph()
	d, err := NewDataset(ms, ps, PoolAll)
	require.NoError(t, err)
	d.AssignFolds(3, 1)
	rep, err := Run(context.Background(), d, Options{Folds: 3, Train: DefaultTrainOptions()})
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Folds)
	require.Len(t, rep.FoldWeights, 3)
	assert.Equal(t, LearnedLabel(3), rep.Methods[len(rep.Methods)-1].Name)

	fit, err := d.Train(d.Index, d.Cases, DefaultTrainOptions())
	require.NoError(t, err)
	assert.Equal(t, 3, fit.Cases)
	assert.False(t, math.IsNaN(fit.Loss) || math.IsInf(fit.Loss, 0))
	m := fit.Model("learned-test")
	require.NoError(t, m.Validate())
}

func TestSolve(t *testing.T) {
	var a [score.NumFactors][score.NumFactors]float64
	var want, b [score.NumFactors]float64
	for i := range score.NumFactors {
		want[i] = float64(i) - 3
		for j := range score.NumFactors {
			a[i][j] = 1 / float64(i+j+1) // a Hilbert matrix plus a ridge
		}
		a[i][i] += 1
	}
	for i := range score.NumFactors {
		for j := range score.NumFactors {
			b[i] += a[i][j] * want[j]
		}
	}
	got, ok := solve(a, b)
	require.True(t, ok)
	for i := range got {
		assert.InDelta(t, want[i], got[i], 1e-9)
	}
	_, ok = solve([score.NumFactors][score.NumFactors]float64{}, b)
	assert.False(t, ok)
}

func TestRunChecksDiversity(t *testing.T) {
	for _, bad := range []float64{-0.5, 1.01, math.NaN()} {
		_, err := Run(context.Background(), nil, Options{Diversity: bad})
		assert.ErrorContains(t, err, "diversity must be between 0 (off) and 1", "%v", bad)
	}
}

// TestSignals checks what links each hidden partner to its source, and
// that a run splits its figures by it.
func TestSignals(t *testing.T) {
	ms, ps := smallGraph()
	// run returns the report of a run on the graph and each hidden
	// partner's signal.
	run := func(ps []graph.Partnership) (*Dataset, *Report, map[string]Signal) {
		d, err := NewDataset(ms, ps, PoolGraph)
		require.NoError(t, err)
		rep, err := Run(context.Background(), d, Options{Workers: 1})
		require.NoError(t, err)
		got := map[string]Signal{}
		for _, row := range rep.Rows {
			got[d.Municipality(row.Hidden).ID] = row.Signal
		}
		return d, rep, got
	}
	d, rep, got := run(ps)
	assert.Equal(t, map[string]Signal{
		"pl-wroclaw":  SignalChain,                // Lviv – Lublin – Dresden – Wrocław
		"pl-lublin":   SignalSourceCountryPartner, // Kharkiv
		"de-freiburg": SignalNone,                 // only Lyon, which no chain reaches
	}, got)
	require.Len(t, rep.Signals, len(Signals))
	assert.Equal(t, []SignalCount{{"partner in common", 0}, {"other Ukrainian partner", 1}, {"chain of three", 1}, {"no graph signal", 1}}, rep.Signals)
	for _, m := range rep.Methods {
		require.Len(t, m.BySignal, len(Signals), m.Name)
		total := 0
		for _, s := range m.BySignal {
			total += s.Cases
		}
		assert.Equal(t, rep.Cases, total, m.Name)
	}
	// Each signal's figures are those of its own cases: one case each
	// here, so its mean rank is that case's rank.
	for _, row := range rep.Rows {
		for m, method := range rep.Methods {
			assert.Equal(t, row.Ranks[m], method.BySignal[row.Signal].MeanRank, "%s, %s", method.Name, d.Municipality(row.Hidden).ID)
		}
	}
	var table, cases strings.Builder
	require.NoError(t, rep.WriteTable(&table))
	assert.Contains(t, table.String(), "CHAIN OF THREE (1)")
	require.NoError(t, rep.WriteCases(&cases, d))
	assert.Contains(t, cases.String(), ",other Ukrainian partner,")

	// Freiburg and Wrocław partnered: each is the other's partner in
	// common with Lviv.
	extra := graph.Partnership{A: "de-freiburg", B: "pl-wroclaw", Kind: graph.KindTwinning, Status: graph.StatusActive}
	extra.Normalize()
	_, _, got = run(append(ps[:len(ps):len(ps)], extra))
	assert.Equal(t, SignalCommonPartner, got["pl-wroclaw"])
	assert.Equal(t, SignalCommonPartner, got["de-freiburg"])
	assert.Equal(t, SignalSourceCountryPartner, got["pl-lublin"])
}

// TestRunDiversity checks the diversified rows: a top ten that one country
// fills without them holds more countries with them, and HR@50 cannot
// move, as only the best 50 are re-ranked.
func TestRunDiversity(t *testing.T) {
	m := func(id, country string, lat, lon float64) graph.Municipality {
		return graph.Municipality{ID: id, Name: id, Country: country, Kind: graph.KindCity, Population: 50000,
			Location: &graph.Point{Lat: lat, Lon: lon}, Region: graph.Region{Code: country + "1", Name: country}}
	}
	ms := []graph.Municipality{m("ua-s", "UA", 50, 24), m("pl-p1", "PL", 50.5, 22), m("pl-p2", "PL", 50.2, 22.5)}
	for k := range 12 {
		ms = append(ms, m(fmt.Sprintf("pl-c%d", k), "PL", 50+float64(k)/10, 21))
	}
	for k, c := range []string{"DE", "CZ", "SK", "HU"} {
		ms = append(ms, m(strings.ToLower(c)+"-c", c, 49+float64(k)/5, 17))
	}
	pair := func(a, b string) graph.Partnership {
		p := graph.Partnership{A: a, B: b, Kind: graph.KindTwinning, Status: graph.StatusActive}
		p.Normalize()
		return p
	}
	ps := []graph.Partnership{pair("ua-s", "pl-p1"), pair("ua-s", "pl-p2")}
	d, err := NewDataset(ms, ps, PoolAll)
	require.NoError(t, err)
	rep, err := Run(context.Background(), d, Options{Models: []NamedModel{{"engine", score.DefaultModel()}}, Diversity: 0.5, Workers: 1})
	require.NoError(t, err)
	byName := map[string]MethodReport{}
	for _, m := range rep.Methods {
		byName[m.Name] = m
	}
	plain, diverse := byName["engine"], byName["engine, diversity 0.5"]
	require.Equal(t, 2, diverse.Cases)
	assert.Equal(t, 1.0, plain.Countries10, "Poland fills the engine's top ten")
	assert.Equal(t, 5.0, diverse.Countries10, "every country is in the diversified top ten")
	assert.Equal(t, plain.HitRate50, diverse.HitRate50)
}

// TestTopScored checks the bounded selection the harness ranks top tens
// with: best first, ties to the lower position, skipped ones left out.
func TestTopScored(t *testing.T) {
	scores := []float64{3, 5, 5, 1, 9, 5, 0}
	skip := []bool{false, false, false, false, true, false, false}
	assert.Equal(t, []int{1, 2, 5}, topScored(scores, skip, 3, nil))
	assert.Equal(t, []int{1, 2, 5, 0, 3, 6}, topScored(scores, skip, 10, nil))
	assert.Empty(t, topScored(scores, skip, 0, nil))
}

// TestProtocols splits a small graph whose partnerships carry sources as
// the registry and dated protocols do, and ranks the targets.
func TestProtocols(t *testing.T) {
	ms, ps := smallGraph()
	cite := func(p graph.Partnership, refs ...graph.Reference) graph.Partnership {
		p.Sources = refs
		p.Source = refs[0].Source
		return p
	}
	for i := range ps {
		ps[i] = cite(ps[i], graph.Reference{Source: "wikipedia"})
	}
	pair := func(a, b string) graph.Partnership {
		p := graph.Partnership{A: a, B: b, Kind: graph.KindTwinning, Status: graph.StatusActive}
		p.Normalize()
		return p
	}
	ps = append(ps,
		cite(pair("ua-kharkiv", "pl-rzeszow"), graph.Reference{Source: "ulead"}, graph.Reference{Source: "register", Since: 2023}),
		cite(pair("ua-kharkiv", "de-freiburg"), graph.Reference{Source: "ministry"}),
		cite(pair("ua-lviv", "pl-rzeszow"), graph.Reference{Source: "register", Since: 2005}),
		cite(pair("ua-lviv", "fr-lyon"), graph.Reference{Source: "wikipedia"}, graph.Reference{Source: "ulead"}),
	)
	keys := func(xs []graph.Partnership) []string {
		var out []string
		for _, p := range xs {
			out = append(out, p.A+"|"+p.B)
		}
		return out
	}

	known, targets, err := Split(ps, ProtocolRegistry)
	require.NoError(t, err)
	assert.Equal(t, []string{"pl-rzeszow|ua-kharkiv", "de-freiburg|ua-kharkiv", "pl-rzeszow|ua-lviv"}, keys(targets), "only the registers list them")
	assert.Len(t, known, len(ps)-3, "Lviv–Lyon: the Wikipedia list has it too")

	known, targets, err = Split(ps, ProtocolDated)
	require.NoError(t, err)
	assert.Equal(t, []string{"pl-rzeszow|ua-kharkiv"}, keys(targets), "signed in 2023")
	assert.Contains(t, keys(known), "pl-rzeszow|ua-lviv", "signed in 2005: before")
	assert.NotContains(t, keys(known), "de-freiburg|ua-kharkiv", "undated: in neither")

	_, _, err = Split(ps, "future")
	assert.Equal(t, graph.EINVALID, graph.ErrorCode(err))

	known, targets, err = Split(ps, ProtocolRegistry)
	require.NoError(t, err)
	d, err := NewTargetDataset(ms, known, targets, ProtocolRegistry)
	require.NoError(t, err)
	assert.Len(t, d.Cases, 3)
	assert.Len(t, d.Sources, 2)
	assert.Equal(t, PoolAll, d.pool(), "Rzeszów has no partnership in the graph before the registers")
	rep, err := Run(context.Background(), d, Options{Models: []NamedModel{{Label: "engine", Model: score.DefaultModel()}}})
	require.NoError(t, err)
	assert.Contains(t, rep.Protocol, "registry:")
	require.Len(t, rep.SameCountry, len(rep.Methods))
	for m, mr := range rep.SameCountry {
		assert.Equal(t, 3, mr.Cases)
		assert.GreaterOrEqual(t, mr.HitRate10, rep.Methods[m].HitRate10, "%s: fewer candidates in one country", mr.Name)
	}
	var b strings.Builder
	require.NoError(t, rep.WriteTable(&b))
	assert.Contains(t, b.String(), "Among the candidates of the hidden partner's country only")
}
