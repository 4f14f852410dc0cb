package score

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/twinning/twinning/graph"
)

// Engine ranks candidate partners with a Model over the current Index. It
// is safe for concurrent use: Load swaps a new index in atomically while
// requests in flight finish on the one they started with.
type Engine struct {
	model   Model
	weights [numFactors]float64
	index   atomic.Pointer[Index]
}

// NewEngine returns an engine that scores with model and has no index yet
// (Loaded is false until Load or SetIndex). The model should be valid, as
// DefaultModel and LoadModel return it; weights of unknown factors are
// ignored. The engine keeps its own copy of the weights.
func NewEngine(model Model) *Engine {
	model.Weights = maps.Clone(model.Weights)
	return &Engine{model: model, weights: model.weightVector()}
}

// Load builds a new index from everything in s and swaps it in. It can be
// called again to refresh; on error the current index stays in place. Store
// errors keep their code.
func (e *Engine) Load(ctx context.Context, s graph.Scanner) error {
	d, err := readDump(ctx, s)
	if err != nil {
		return err
	}
	return e.LoadDump(d)
}

// LoadDump builds a new index from d and swaps it in; d is left as it was.
// On error the current index stays in place.
func (e *Engine) LoadDump(d graph.Dump) error {
	ix, err := NewIndex(d.Municipalities, d.Partnerships)
	if err == nil {
		e.index.Store(ix)
	}
	return err
}

// SetIndex swaps in an index built elsewhere, e.g. by NewIndex.
func (e *Engine) SetIndex(ix *Index) { e.index.Store(ix) }

// Index returns the current index, or nil before the first Load.
func (e *Engine) Index() *Index { return e.index.Load() }

// Loaded reports whether the engine has an index to score with.
func (e *Engine) Loaded() bool { return e.index.Load() != nil }

// ModelVersion returns the version of the engine's model.
func (e *Engine) ModelVersion() string { return e.model.Version }

// Model returns a copy of the engine's model.
func (e *Engine) Model() Model {
	m := e.model
	m.Weights = maps.Clone(m.Weights)
	return m
}

// validate checks opts and returns the effective limit. Errors are EINVALID
// and name the option: limit, country, min_population, max_population or
// theme.
func (opts *Options) validate() (int, error) {
	switch {
	case opts.Limit < 0 || opts.Limit > MaxLimit:
		return 0, graph.FieldErrorf("limit", "must be between 1 and %d, got %d", MaxLimit, opts.Limit)
	case opts.MinPopulation < 0:
		return 0, graph.FieldErrorf("min_population", "must be 0 or more, got %d", opts.MinPopulation)
	case opts.MaxPopulation < 0:
		return 0, graph.FieldErrorf("max_population", "must be 0 or more, got %d", opts.MaxPopulation)
	case opts.MaxPopulation != 0 && opts.MinPopulation > opts.MaxPopulation:
		return 0, graph.FieldErrorf("max_population", "must not be below min_population (%d > %d)", opts.MinPopulation, opts.MaxPopulation)
	}
	if !opts.War.Valid() {
		return 0, graph.FieldErrorf("war", "%q is not one of %v", opts.War, graph.WarFilters)
	}
	for _, c := range opts.Countries {
		if !graph.ValidCountry(c) {
			return 0, graph.FieldErrorf("country", "%q is not an ISO 3166-1 alpha-2 code", c)
		}
	}
	for _, t := range opts.Themes {
		if !graph.ValidTheme(t) {
			return 0, graph.FieldErrorf("theme", "unknown theme %q", t)
		}
	}
	if !ValidLang(opts.Lang) {
		return 0, graph.FieldErrorf("lang", "must be one of %s, got %q", strings.Join(Langs, ", "), opts.Lang)
	}
	if !ValidDiversity(opts.Diversity) {
		return 0, graph.FieldErrorf("diversity", "must be between 0 (off) and 1, got %v", opts.Diversity)
	}
	if x := opts.Extra; x != nil {
		switch {
		case x.Name == "" || slices.Contains(FactorNames, x.Name):
			return 0, graph.FieldErrorf("extra", "the extra factor needs a name of its own, not %q", x.Name)
		case x.Value == nil || x.Explain == nil:
			return 0, graph.FieldErrorf("extra", "the extra factor %s needs Value and Explain", x.Name)
		case math.IsNaN(x.Weight) || math.IsInf(x.Weight, 0):
			return 0, graph.FieldErrorf("extra", "the weight of %s is not a finite number", x.Name)
		}
	}
	if opts.Limit == 0 {
		return DefaultLimit, nil
	}
	return opts.Limit, nil
}

// Suggest ranks the municipalities of other countries as partners for the
// municipality id and explains each of the best ones. Candidates exclude
// the source's country, its existing partners (unless IncludePartners) and
// graph.SuspendedCountries (unless IncludeSuspended), then pass the
// filters of opts. Suggestions are ordered by score, highest first, then by
// id, unless opts.Diversity re-ranks them. Errors: EUNAVAILABLE before the
// first Load, EINVALID naming the option at fault, ENOTFOUND for an
// unknown id.
func (e *Engine) Suggest(ctx context.Context, id string, opts Options) (Result, error) {
	ix := e.index.Load()
	if ix == nil {
		return Result{}, graph.Errorf(graph.EUNAVAILABLE, "the scoring engine has not loaded the graph yet")
	}
	limit, err := opts.validate()
	if err != nil {
		return Result{}, err
	}
	src, ok := ix.byID[id]
	if !ok {
		return Result{}, graph.Errorf(graph.ENOTFOUND, "municipality %q not found", id)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("suggest for %s: %w", id, err)
	}
	return e.suggest(ix, src, &opts, limit, nil), nil
}

// suggest ranks the candidates of ix for src, as Suggest does; keep, when
// not nil, says by index position which municipalities may be candidates
// at all (a batch's candidate set).
func (e *Engine) suggest(ix *Index, src int32, opts *Options, limit int, keep []bool) Result {
	r := ix.newPass(src, themeMask(opts.Themes), nil)
	defer r.release()

	allowed := ix.allowedCountries(r.srcCountry, opts)
	themeFilter := themeMask(opts.Themes)
	popFilter := opts.MinPopulation > 0 || opts.MaxPopulation > 0
	maxPop := opts.MaxPopulation
	if maxPop == 0 {
		maxPop = 1<<63 - 1
	}

	pool := limit
	if opts.Diversity > 0 {
		pool = DiversityPool * limit
	}
	top := newTopK(pool)
	candidates := 0
	var v [numFactors]float64
	w := &e.weights
	for i := range int32(len(ix.ms)) {
		if !allowed[ix.country[i]] || (keep != nil && !keep[i]) {
			continue
		}
		if popFilter && (ix.pop[i] == 0 || ix.pop[i] < opts.MinPopulation || ix.pop[i] > maxPop) {
			continue
		}
		if themeFilter != 0 && ix.themes[i]&themeFilter == 0 {
			continue
		}
		if opts.War != "" && !opts.War.Matches(ix.ms[i].War) {
			continue
		}
		if ix.flags[i]&flagDistrict != 0 && !opts.IncludeDistricts {
			continue
		}
		if !opts.IncludePartners {
			if s := r.slot[i]; s >= 0 && r.entries[s].partner {
				continue
			}
		}
		candidates++
		r.values(i, &v)
		score := 0.0
		for f := range numFactors {
			// The conversion forbids a fused multiply-add, so that explain,
			// which adds the same products, gets the same score to the bit.
			score += float64(w[f] * v[f])
		}
		if x := opts.Extra; x != nil {
			score += float64(x.Weight * clamp01(x.Value(&ix.ms[i])))
		}
		top.offer(score, i)
	}

	best := top.sorted()
	if opts.Diversity > 0 {
		best = diversify(best, limit, opts.Diversity, ix.country)
	}
	res := Result{
		For:          cloneMunicipality(&ix.ms[src]),
		ModelVersion: e.model.Version,
		Candidates:   candidates,
		Diversity:    opts.Diversity,
		Suggestions:  make([]Suggestion, len(best)),
	}
	ms := make([]*graph.Municipality, len(best))
	for k, c := range best {
		res.Suggestions[k] = e.explain(r, c.index, k+1, opts.Extra, opts.Lang)
		ms[k] = &res.Suggestions[k].Municipality
	}
	for k, l := range graph.Labels(ms) {
		res.Suggestions[k].Label = l
	}
	return res
}

// Batch ranks suggestions for each of the municipalities ids with the same
// opts, on workers goroutines (at least 1), among the municipalities for
// which keep returns true (all when keep is nil), and calls emit with each
// result in the order of ids, from one goroutine. Workers run at most
// 4 × workers results ahead of emit, so a slow emit holds few results in
// memory. keep is called once per municipality before ranking starts;
// opts.Extra.Value, when set, is called from several goroutines at once
// and must be safe for that. It holds one index for the whole batch, even
// if Load swaps another in meanwhile. It stops at the first error: an
// unknown id (ENOTFOUND, before anything is ranked), an invalid option
// (EINVALID), an error of emit, or ctx's.
func (e *Engine) Batch(ctx context.Context, ids []string, opts Options, keep func(*graph.Municipality) bool, workers int, emit func(Result) error) error {
	ix := e.index.Load()
	if ix == nil {
		return graph.Errorf(graph.EUNAVAILABLE, "the scoring engine has not loaded the graph yet")
	}
	limit, err := opts.validate()
	if err != nil {
		return err
	}
	srcs := make([]int32, len(ids))
	for k, id := range ids {
		src, ok := ix.byID[id]
		if !ok {
			return graph.Errorf(graph.ENOTFOUND, "municipality %q not found", id)
		}
		srcs[k] = src
	}
	var mask []bool
	if keep != nil {
		mask = make([]bool, len(ix.ms))
		for i := range ix.ms {
			mask[i] = keep(&ix.ms[i])
		}
	}
	workers = max(1, workers)
	ctx, cancel := context.WithCancel(ctx)
	// Workers take sources in order and publish each result in its slot;
	// the caller's goroutine emits them in order, freeing each slot.
	results := make([]Result, len(srcs))
	ready := make([]chan struct{}, len(srcs))
	for k := range ready {
		ready[k] = make(chan struct{})
	}
	// A worker takes a slot before it takes the next source and emit
	// gives one back per result emitted: the earliest result not yet
	// emitted always has a worker, so this bounds memory without a
	// deadlock.
	slots := make(chan struct{}, 4*workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return
				}
				k := int(next.Add(1) - 1)
				if k >= len(srcs) || ctx.Err() != nil {
					return
				}
				results[k] = e.suggest(ix, srcs[k], &opts, limit, mask)
				close(ready[k])
			}
		}()
	}
	// On return, stop the workers first, then wait for them.
	defer func() {
		cancel()
		wg.Wait()
	}()
	for k := range srcs {
		select {
		case <-ready[k]:
		case <-ctx.Done():
			return fmt.Errorf("batch stopped after %d of %d: %w", k, len(srcs), ctx.Err())
		}
		if err := emit(results[k]); err != nil {
			return err
		}
		results[k] = Result{}
		<-slots
	}
	return nil
}

// diversify picks limit of the ranked candidates by Diversify, with their
// countries as the groups.
func diversify(ranked []scored, limit int, lambda float64, country []uint16) []scored {
	scores := make([]float64, len(ranked))
	groups := make([]uint16, len(ranked))
	for k, c := range ranked {
		scores[k], groups[k] = c.score, country[c.index]
	}
	picks := Diversify(scores, groups, limit, lambda)
	out := make([]scored, len(picks))
	for k, p := range picks {
		out[k] = ranked[p]
	}
	return out
}

// Diversify re-ranks candidates by maximal marginal relevance, as
// Options.Diversity does: scores are the candidates' scores, best first,
// and groups their countries (or any grouping). Each pick is the candidate
// with the highest score minus lambda × the best score × the number
// already picked from its group, ties to the better ranked. It returns
// the positions of up to limit picks, in order.
func Diversify[G comparable](scores []float64, groups []G, limit int, lambda float64) []int {
	if len(scores) == 0 || limit <= 0 {
		return nil
	}
	scale := math.Abs(scores[0])
	if scale == 0 {
		scale = 1
	}
	picks := make([]int, 0, min(limit, len(scores)))
	perGroup := map[G]int{}
	left := make([]int, len(scores))
	for k := range left {
		left[k] = k
	}
	for len(picks) < limit && len(left) > 0 {
		best, bestValue := 0, math.Inf(-1)
		for k, c := range left {
			// A candidate's value is at most its score, and the scores
			// only fall further down: none below can beat bestValue.
			if scores[c] <= bestValue {
				break
			}
			if v := scores[c] - lambda*scale*float64(perGroup[groups[c]]); v > bestValue {
				best, bestValue = k, v
			}
		}
		c := left[best]
		picks = append(picks, c)
		perGroup[groups[c]]++
		left = slices.Delete(left, best, best+1)
	}
	return picks
}

// clamp01 keeps v within [0, 1]; NaN becomes 0.
func clamp01(v float64) float64 {
	switch {
	case v > 1:
		return 1
	case v >= 0:
		return v
	}
	return 0
}

// allowedCountries returns, by country index, whether candidates of that
// country pass opts: never the source's own country.
func (ix *Index) allowedCountries(srcCountry uint16, opts *Options) []bool {
	allowed := make([]bool, len(ix.countryCodes))
	for c, code := range ix.countryCodes {
		allowed[c] = uint16(c) != srcCountry &&
			(len(opts.Countries) == 0 || slices.Contains(opts.Countries, code)) &&
			(opts.IncludeSuspended || !slices.Contains(graph.SuspendedCountries, code))
	}
	return allowed
}

// scored is a candidate in the top-k selection.
type scored struct {
	score float64
	index int32
}

// better reports whether a ranks before b: higher score, then lower index,
// which is id order.
func (a scored) better(b scored) bool {
	return a.score > b.score || a.score == b.score && a.index < b.index
}

// topK keeps the k best candidates in a min-heap whose root is the worst
// of them, so that each offer costs O(1) when it is rejected and O(log k)
// when it is kept.
type topK struct {
	k    int
	heap []scored
}

func newTopK(k int) *topK { return &topK{k: k, heap: make([]scored, 0, k)} }

// offer considers a candidate.
func (t *topK) offer(score float64, index int32) {
	c := scored{score, index}
	h := t.heap
	if len(h) < t.k {
		h = append(h, c)
		for i := len(h) - 1; i > 0; {
			parent := (i - 1) / 2
			if !h[parent].better(h[i]) {
				break
			}
			h[parent], h[i] = h[i], h[parent]
			i = parent
		}
		t.heap = h
		return
	}
	if t.k == 0 || !c.better(h[0]) {
		return
	}
	h[0] = c
	for i := 0; ; {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[worst].better(h[l]) {
			worst = l
		}
		if r < len(h) && h[worst].better(h[r]) {
			worst = r
		}
		if worst == i {
			break
		}
		h[i], h[worst] = h[worst], h[i]
		i = worst
	}
}

// sorted returns the kept candidates, best first.
func (t *topK) sorted() []scored {
	out := slices.Clone(t.heap)
	slices.SortFunc(out, func(a, b scored) int {
		switch {
		case a.better(b):
			return -1
		case b.better(a):
			return 1
		}
		return 0
	})
	return out
}
