package eval

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/twinning/twinning/internal/score"
)

// Options configure a run of the harness.
type Options struct {
	// Folds is the number of folds over the Ukrainian sources for the
	// learned weights; 0 leaves the learned engine out.
	Folds int
	// Train shapes each fold's fit.
	Train TrainOptions
	// Models are fixed models to measure beside the baselines, such as the
	// hand-set default and the shipped learned model; label → model.
	Models []NamedModel
	// Workers is the number of cases ranked at once (0: GOMAXPROCS).
	Workers int
	// Diversity, when above 0, adds a row for each engine with its top 10
	// re-ranked as Options.Diversity does in the engine (see Diversified).
	Diversity float64
}

// NamedModel is a fixed model with the label it has in the report.
type NamedModel struct {
	Label string
	Model score.Model
}

// MethodReport holds the figures of one method.
type MethodReport struct {
	Name string `json:"name"`
	Metrics
	// BySignal holds the figures over the cases of each signal, in
	// Report.Signals order.
	BySignal []Metrics `json:"by_signal"`
}

// FoldReport holds the fit of one fold.
type FoldReport struct {
	Fold      int                `json:"fold"`
	Sources   int                `json:"sources"`
	TestCases int                `json:"test_cases"`
	Train     int                `json:"train_cases"`
	Negatives int                `json:"negatives"`
	Loss      float64            `json:"loss"`
	Weights   map[string]float64 `json:"weights"`
}

// CaseRow is one case of the per-case dump.
type CaseRow struct {
	Case
	Signal Signal    // what links the hidden partner to the source
	Ranks  []float64 // expected rank by method, in Report.Methods order
}

// Report is the outcome of a run.
type Report struct {
	Protocol  string `json:"protocol"`
	Pool      Pool   `json:"pool"`
	PoolSize  int    `json:"pool_size"`
	Sources   int    `json:"sources"`
	Cases     int    `json:"cases"`
	Folds     int    `json:"folds"`
	FoldSplit string `json:"fold_split,omitempty"`
	// Signals names the signals the figures are split by (see Signal),
	// with the number of cases of each.
	Signals []SignalCount  `json:"signals"`
	Methods []MethodReport `json:"methods"`
	// SameCountry holds the figures of each method when a case ranks only
	// the candidates of its hidden partner's country (how an officer who
	// wants, say, a German partner asks), in Methods order.
	SameCountry []MethodReport `json:"same_country"`
	// ByCountry holds HR@10 by the hidden partner's country, for the
	// countries of at least MinCountryCases cases, most cases first.
	ByCountry   []CountryReport `json:"by_country"`
	FoldWeights []FoldReport    `json:"fold_fits,omitempty"`
	Rows        []CaseRow       `json:"-"`
}

// MinCountryCases is the least number of cases of a country that
// Report.ByCountry lists.
const MinCountryCases = 20

// CountryReport is HR@10 of every method over the cases of one country of
// the hidden partner, among all candidates and among that country's.
type CountryReport struct {
	Country string `json:"country"`
	Cases   int    `json:"cases"`
	// HitRate10 and SameCountry10 are by method, in Report.Methods order.
	HitRate10     []float64 `json:"hit_rate_10"`
	SameCountry10 []float64 `json:"same_country_hit_rate_10"`
}

// SignalCount is a signal and its number of cases.
type SignalCount struct {
	Signal string `json:"signal"`
	Cases  int    `json:"cases"`
}

// protocol describes the protocol in the report.
const protocol = "leave-one-out: each European partner (RU, BY left out) of a Ukrainian municipality with at least 2 is hidden in turn; " +
	"every European municipality of the pool that is not already a partner is ranked; graph features are computed with the hidden link removed"

// LearnedLabel is the name of the k-fold learned engine in reports.
func LearnedLabel(folds int) string { return fmt.Sprintf("engine, learned (%d-fold)", folds) }

// Run ranks every case with the baselines, the fixed models and, when
// opts.Folds > 1, the engine with weights learned by k-fold over the
// sources, and returns the figures.
func Run(ctx context.Context, d *Dataset, opts Options) (*Report, error) {
	if !score.ValidDiversity(opts.Diversity) {
		return nil, fmt.Errorf("eval: diversity must be between 0 (off) and 1, got %v", opts.Diversity)
	}
	methods := Baselines()
	for _, m := range opts.Models {
		methods = append(methods, ModelEngine(m.Label, m.Model))
	}
	rep := &Report{Protocol: d.describe(), Pool: d.pool(), PoolSize: len(d.Pool), Sources: len(d.Sources), Cases: len(d.Cases)}
	if opts.Folds > 1 {
		fits, err := d.crossValidate(ctx, opts.Folds, opts.Train)
		if err != nil {
			return nil, err
		}
		rep.Folds = opts.Folds
		rep.FoldSplit = "by Ukrainian source: all the cases of a source are in one fold; each fold is ranked with weights fitted on the other folds, on a graph without any link of the fold"
		weights := make([][score.NumFactors]float64, opts.Folds)
		for f, fit := range fits {
			weights[f] = fit.Weights
			fr := FoldReport{Fold: f, Train: fit.Cases, Negatives: fit.Negatives, Loss: fit.Loss, Weights: fit.Model("").Weights}
			for _, c := range d.Cases {
				if c.Fold == f {
					fr.TestCases++
				}
			}
			for _, s := range d.Sources {
				if d.foldOf(s) == f {
					fr.Sources++
				}
			}
			rep.FoldWeights = append(rep.FoldWeights, fr)
		}
		methods = append(methods, Engine{Label: LearnedLabel(opts.Folds), Weights: func(c Case) [score.NumFactors]float64 { return weights[c.Fold] }})
	}

	if opts.Diversity > 0 {
		for _, m := range methods {
			if e, ok := m.(Engine); ok {
				methods = append(methods, Diversified{Inner: e, Lambda: opts.Diversity, Limit: hitsAt10})
			}
		}
	}
	outcomes, within, signals, err := d.rank(ctx, methods, opts.Workers)
	if err != nil {
		return nil, err
	}
	rep.Signals = make([]SignalCount, len(Signals))
	for k, sig := range Signals {
		rep.Signals[k].Signal = sig.String()
	}
	for _, sig := range signals {
		rep.Signals[sig].Cases++
	}
	for m, method := range methods {
		mr := MethodReport{Name: method.Name(), Metrics: Summarise(outcomes[m]), BySignal: make([]Metrics, len(Signals))}
		split := make([][]Outcome, len(Signals))
		for k, o := range outcomes[m] {
			split[signals[k]] = append(split[signals[k]], o)
		}
		for sig := range split {
			mr.BySignal[sig] = Summarise(split[sig])
		}
		rep.Methods = append(rep.Methods, mr)
		rep.SameCountry = append(rep.SameCountry, MethodReport{Name: method.Name(), Metrics: Summarise(within[m])})
	}
	rep.ByCountry = d.byCountry(outcomes, within)
	rep.Rows = make([]CaseRow, len(d.Cases))
	for k, c := range d.Cases {
		rep.Rows[k] = CaseRow{Case: c, Signal: signals[k], Ranks: make([]float64, len(methods))}
		for m := range methods {
			rep.Rows[k].Ranks[m] = outcomes[m][k].ExpectedRank()
		}
	}
	return rep, nil
}

// pool names the dataset's pool.
func (d *Dataset) pool() Pool {
	if d.poolKind == "" {
		return PoolGraph
	}
	return d.poolKind
}

// AssignFolds spreads the sources over k folds at random (seeded), and
// sets the fold of every case to its source's.
func (d *Dataset) AssignFolds(k int, seed uint64) {
	order := slices.Clone(d.Sources)
	rand.New(rand.NewPCG(seed, 0xf01d)).Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
	d.fold = make(map[int]int, len(order))
	for r, s := range order {
		d.fold[s] = r % max(k, 1)
	}
	for k := range d.Cases {
		d.Cases[k].Fold = d.fold[d.Cases[k].Source]
	}
}

// foldOf returns the fold of source s.
func (d *Dataset) foldOf(s int) int { return d.fold[s] }

// crossValidate fits one set of weights per fold: on the cases of the
// other folds, with every link of the fold's cases removed from the graph.
// The folds must have been assigned.
func (d *Dataset) crossValidate(ctx context.Context, k int, opt TrainOptions) ([]Fit, error) {
	if d.fold == nil {
		return nil, fmt.Errorf("eval: cross-validation before AssignFolds")
	}
	fits := make([]Fit, k)
	for f := range k {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("eval: fold %d: %w", f, err)
		}
		drop := map[[2]int]bool{}
		var train []Case
		for _, c := range d.Cases {
			if c.Fold == f {
				drop[[2]int{c.Source, c.Hidden}] = true
			} else {
				train = append(train, c)
			}
		}
		ix, err := score.NewIndex(d.ms, d.withoutLinks(drop))
		if err != nil {
			return nil, fmt.Errorf("eval: fold %d: %w", f, err)
		}
		fit, err := d.Train(ix, train, opt)
		if err != nil {
			return nil, fmt.Errorf("eval: fold %d: %w", f, err)
		}
		fits[f] = fit
	}
	return fits, nil
}

// rank ranks every case with every method and returns the outcomes by
// method, then case, among all candidates and among those of the hidden
// partner's country, and the signal of every case.
func (d *Dataset) rank(ctx context.Context, methods []Method, workers int) ([][]Outcome, [][]Outcome, []Signal, error) {
	signals := make([]Signal, len(d.Cases))
	outcomes := make([][]Outcome, len(methods))
	within := make([][]Outcome, len(methods))
	for m := range outcomes {
		outcomes[m] = make([]Outcome, len(d.Cases))
		within[m] = make([]Outcome, len(d.Cases))
	}
	poolIndex := d.poolPos
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		firstErr error
		errOnce  sync.Once
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := &caseState{d: d, skip: make([]bool, len(d.Pool))}
			out := make([]float64, len(d.Pool))
			for {
				k := int(next.Add(1) - 1)
				if k >= len(d.Cases) || ctx.Err() != nil {
					return
				}
				c := d.Cases[k]
				target, ok := poolIndex[c.Hidden]
				if !ok {
					errOnce.Do(func() { firstErr = fmt.Errorf("eval: hidden partner %s is not in the pool", d.ms[c.Hidden].ID) })
					return
				}
				for _, p := range d.adj[c.Source] {
					if j, ok := poolIndex[int(p)]; ok && int(p) != c.Hidden {
						st.skip[j] = true
					}
				}
				for _, p := range d.others[c.Source] {
					if j, ok := poolIndex[p]; ok && p != c.Hidden {
						st.skip[j] = true
					}
				}
				st.reset(c)
				for m, method := range methods {
					method.Score(st, out)
					if st.err != nil {
						errOnce.Do(func() {
							firstErr = fmt.Errorf("eval: %s on %s-%s: %w", method.Name(), d.ms[c.Source].ID, d.ms[c.Hidden].ID, st.err)
						})
						return
					}
					outcomes[m][k] = outcome(out, target, st.skip)
					outcomes[m][k].Countries = st.countriesAtTop(out)
					within[m][k] = outcomeAmong(out, target, st.skip, d.poolByCountry[d.country[c.Hidden]])
				}
				f, err := st.engineFeatures()
				if err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("eval: %s-%s: %w", d.ms[c.Source].ID, d.ms[c.Hidden].ID, err) })
					return
				}
				signals[k] = signalOf(f[target*score.NumFactors : (target+1)*score.NumFactors])
				for _, p := range d.adj[c.Source] {
					if j, ok := poolIndex[int(p)]; ok {
						st.skip[j] = false
					}
				}
				for _, p := range d.others[c.Source] {
					if j, ok := poolIndex[p]; ok {
						st.skip[j] = false
					}
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, nil, nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("eval: %w", err)
	}
	return outcomes, within, signals, nil
}

// outcomeAmong is outcome over the candidates at the given pool positions
// only.
func outcomeAmong(scores []float64, target int, skip []bool, positions []int) Outcome {
	var o Outcome
	t := scores[target]
	for _, k := range positions {
		if k == target || skip[k] {
			continue
		}
		if s := scores[k]; s > t {
			o.Better++
		} else if s == t {
			o.Tied++
		}
	}
	return o
}

// byCountry returns HR@10 by the hidden partner's country, for countries
// of at least MinCountryCases cases, most cases first.
func (d *Dataset) byCountry(outcomes, within [][]Outcome) []CountryReport {
	cases := map[string][]int{}
	for k, c := range d.Cases {
		cc := d.country[c.Hidden]
		cases[cc] = append(cases[cc], k)
	}
	var out []CountryReport
	for cc, ks := range cases {
		if len(ks) < MinCountryCases {
			continue
		}
		r := CountryReport{Country: cc, Cases: len(ks), HitRate10: make([]float64, len(outcomes)), SameCountry10: make([]float64, len(outcomes))}
		for m := range outcomes {
			for _, k := range ks {
				r.HitRate10[m] += outcomes[m][k].HitRate(hitsAt10)
				r.SameCountry10[m] += within[m][k].HitRate(hitsAt10)
			}
			r.HitRate10[m] /= float64(len(ks))
			r.SameCountry10[m] /= float64(len(ks))
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b CountryReport) int {
		if a.Cases != b.Cases {
			return b.Cases - a.Cases
		}
		return cmp.Compare(a.Country, b.Country)
	})
	return out
}

// countriesAtTop returns the number of countries among the 10 best scored
// candidates of the pool that are not skipped (ties to the lower
// position).
func (s *caseState) countriesAtTop(scores []float64) int {
	s.top = topScored(scores, s.skip, hitsAt10, s.top[:0])
	seen := make([]string, 0, hitsAt10)
	for _, k := range s.top {
		if c := s.d.country[s.d.Pool[k]]; !slices.Contains(seen, c) {
			seen = append(seen, c)
		}
	}
	return len(seen)
}

// topScored appends to buf the positions of the n best scored candidates
// that are not skipped, best first, ties to the lower position, and
// returns it.
func topScored(scores []float64, skip []bool, n int, buf []int) []int {
	top := buf
	if n <= 0 {
		return top
	}
	for k, s := range scores {
		if skip[k] {
			continue
		}
		if len(top) == n && s <= scores[top[len(top)-1]] {
			continue
		}
		at, _ := slices.BinarySearchFunc(top, k, func(t, k int) int { return cmp.Compare(scores[k], scores[t]) })
		for at < len(top) && scores[top[at]] == s {
			at++
		}
		top = slices.Insert(top, at, k)
		if len(top) > n {
			top = top[:n]
		}
	}
	return top
}

// outcome counts the candidates that score above and alike the target,
// leaving out the skipped ones.
func outcome(scores []float64, target int, skip []bool) Outcome {
	var o Outcome
	t := scores[target]
	for k, s := range scores {
		if k == target || skip[k] {
			continue
		}
		if s > t {
			o.Better++
		} else if s == t {
			o.Tied++
		}
	}
	return o
}
