package eval

import (
	"fmt"
	"math"

	"github.com/twinning/twinning/internal/score"
)

// Method ranks the candidates of a case: the higher the score, the better
// the rank.
type Method interface {
	// Name names the method in the report.
	Name() string
	// Score writes the score of every pool candidate of the case into out,
	// in the order of Dataset.Pool.
	Score(c *caseState, out []float64)
}

// caseState is what the methods share while one case is ranked: the
// engine's feature vectors of the pool are computed once, when a method
// first asks for them, with the hidden link removed.
type caseState struct {
	d        *Dataset
	c        Case
	features []float64 // len(d.Pool) × score.NumFactors, when computed
	ready    bool
	err      error
	// skip marks, by pool position, the source's partners other than the
	// hidden one: they are not ranked.
	skip  []bool
	aa    []float64 // by position, scratch of Adamic–Adar
	order []int     // scratch of Diversified
	top   []int     // scratch of countriesAtTop
}

// reset prepares the state for case c.
func (s *caseState) reset(c Case) {
	s.c = c
	s.ready = false
	s.err = nil
}

// engineFeatures returns the feature vectors of the pool, computed with
// the case's link hidden.
func (s *caseState) engineFeatures() ([]float64, error) {
	if s.ready {
		return s.features, s.err
	}
	s.ready = true
	d := s.d
	var hidden []string
	if !d.future {
		hidden = append(hidden, d.Index.ID(s.c.Hidden))
	}
	q, err := d.Index.SourceFeatures(d.Index.ID(s.c.Source), hidden...)
	if err != nil {
		s.err = err
		return nil, err
	}
	defer q.Close()
	if len(s.features) != len(d.Pool)*score.NumFactors {
		s.features = make([]float64, len(d.Pool)*score.NumFactors)
	}
	for k, i := range d.Pool {
		q.Values(i, s.features[k*score.NumFactors:(k+1)*score.NumFactors])
	}
	return s.features, nil
}

// Random scores every candidate alike, so that its figures are those of a
// uniformly random order.
type Random struct{}

func (Random) Name() string { return "random" }
func (Random) Score(_ *caseState, out []float64) {
	clear(out)
}

// MostPartners ranks candidates by their number of partnerships.
func MostPartners() Method {
	return countBaseline{"most partners", func(d *Dataset) []int { return d.degree }}
}

// MostUkrainianPartners ranks candidates by their number of partnerships
// with Ukrainian municipalities.
func MostUkrainianPartners() Method {
	return countBaseline{"most Ukrainian partners", func(d *Dataset) []int { return d.uaDegree }}
}

// countBaseline ranks candidates by a count of partnerships, the hidden
// one left out.
type countBaseline struct {
	name   string
	counts func(d *Dataset) []int
}

func (b countBaseline) Name() string { return b.name }
func (b countBaseline) Score(s *caseState, out []float64) {
	counts := b.counts(s.d)
	for k, i := range s.d.Pool {
		out[k] = float64(counts[i])
		if i == s.c.Hidden && !s.d.future {
			out[k]-- // the hidden link's own count
		}
	}
}

// NearestFirst ranks candidates by distance to the source, nearest first;
// candidates without a location come last.
type NearestFirst struct{}

func (NearestFirst) Name() string { return "nearest first" }
func (NearestFirst) Score(s *caseState, out []float64) {
	d, src := s.d, s.c.Source
	for k, i := range d.Pool {
		switch {
		case !d.located[src]:
			out[k] = 0
		case !d.located[i]:
			out[k] = math.Inf(-1)
		default:
			out[k] = -d.chordSquared(src, i)
		}
	}
}

// AdamicAdar ranks candidates by Σ 1/ln(degree) over the partners they
// share with the source.
type AdamicAdar struct{}

func (AdamicAdar) Name() string { return "Adamic–Adar" }
func (AdamicAdar) Score(s *caseState, out []float64) {
	d := s.d
	if len(s.aa) != len(d.ms) {
		s.aa = make([]float64, len(d.ms))
	}
	var touched []int32
	for _, p := range d.adj[s.c.Source] {
		if int(p) == s.c.Hidden || d.degree[p] < 2 {
			continue
		}
		w := 1 / math.Log(float64(d.degree[p]))
		for _, q := range d.adj[p] {
			if s.aa[q] == 0 {
				touched = append(touched, q)
			}
			s.aa[q] += w
		}
	}
	for k, i := range d.Pool {
		out[k] = s.aa[i]
	}
	for _, q := range touched {
		s.aa[q] = 0
	}
}

// Engine ranks candidates as score.Engine does: the weighted sum of the
// factor values. Weights gives the weights for a case, so that k-fold
// learned weights rank each case with the weights of its fold.
type Engine struct {
	Label   string
	Weights func(c Case) [score.NumFactors]float64
}

// ModelEngine returns the engine method with a fixed model.
func ModelEngine(label string, m score.Model) Engine {
	w := weightVector(m)
	return Engine{Label: label, Weights: func(Case) [score.NumFactors]float64 { return w }}
}

func (e Engine) Name() string { return e.Label }
func (e Engine) Score(s *caseState, out []float64) {
	f, err := s.engineFeatures()
	if err != nil {
		clear(out)
		return
	}
	w := e.Weights(s.c)
	for k := range out {
		v := f[k*score.NumFactors : (k+1)*score.NumFactors]
		sum := 0.0
		for j := range score.NumFactors {
			sum += w[j] * v[j]
		}
		out[k] = sum
	}
}

// weightVector returns a model's weights in score.FactorNames order.
func weightVector(m score.Model) [score.NumFactors]float64 {
	var w [score.NumFactors]float64
	for j, name := range score.FactorNames {
		w[j] = m.Weights[name]
	}
	return w
}

// Baselines returns the baseline methods of the protocol.
func Baselines() []Method {
	return []Method{Random{}, MostPartners(), MostUkrainianPartners(), NearestFirst{}, AdamicAdar{}}
}

// Diversified ranks as Inner does, then re-ranks the best as the engine
// does with Options.Diversity = Lambda and Options.Limit = Limit: among the
// score.DiversityPool × Limit best candidates that are not already
// partners, score.Diversify picks Limit by country, and those come first,
// in their order; the others follow by score.
type Diversified struct {
	Inner  Method
	Lambda float64
	Limit  int
}

func (m Diversified) Name() string { return fmt.Sprintf("%s, diversity %g", m.Inner.Name(), m.Lambda) }
func (m Diversified) Score(s *caseState, out []float64) {
	m.Inner.Score(s, out)
	if s.err != nil || len(out) == 0 {
		return
	}
	d := s.d
	order := topScored(out, s.skip, score.DiversityPool*m.Limit, s.order[:0])
	s.order = order
	scores := make([]float64, len(order))
	groups := make([]string, len(order))
	for k, c := range order {
		scores[k], groups[k] = out[c], d.country[d.Pool[c]]
	}
	// The picks go above the best score (scores[0]), in their order.
	picks := score.Diversify(scores, groups, m.Limit, m.Lambda)
	for k, p := range picks {
		out[order[p]] = scores[0] + float64(len(picks)-k)
	}
}
