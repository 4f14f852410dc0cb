package eval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/twinning/twinning/internal/score"
)

// TrainOptions shape the sampling and fitting of weights.
type TrainOptions struct {
	// Near is the most non-partners taken per real pair among those the
	// graph reaches (a partner in common, a nearby Ukrainian partner or any
	// Ukrainian partner): the hard ones that compete for the top.
	Near int
	// Far is the most non-partners taken per real pair among the rest.
	Far int
	// L2 is the ridge penalty on the weights.
	L2 float64
	// Seed seeds the sampling.
	Seed uint64
}

// DefaultTrainOptions returns the options `twinning train` and
// `twinning eval` use unless told otherwise.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{Near: 800, Far: 400, L2: 1e-3, Seed: 1}
}

// Fit is the outcome of a training run.
type Fit struct {
	Weights    [score.NumFactors]float64
	Cases      int     // real pairs trained on
	Negatives  int     // sampled non-partners in all
	Loss       float64 // mean negative log-likelihood at the end, ridge included
	Iterations int     // Newton steps taken
}

// Model returns the fit as a model with the given version. The weights are
// scaled so that the positive ones add up to 1, which changes no ranking
// and lets a score read as a share of the best possible one.
func (f Fit) Model(version string) score.Model {
	pos := 0.0
	for _, w := range f.Weights {
		pos += max(w, 0)
	}
	if pos == 0 {
		pos = 1
	}
	m := score.Model{Version: version, Weights: make(map[string]float64, score.NumFactors)}
	for j, name := range score.FactorNames {
		m.Weights[name] = math.Round(f.Weights[j]/pos*1e4) / 1e4
	}
	return m
}

// group is one real pair and its sampled non-partners: row 0 is the pair.
// A sampled row stands for 1/fraction candidates of its stratum, so its
// logit carries offset log(1/fraction) and the softmax over the group
// estimates the softmax over the whole pool without bias.
type group struct {
	x      [][score.NumFactors]float64
	offset []float64
}

// Train fits the weights of the engine's factors on the given cases, with
// the features taken from ix, each with the case's link hidden. The
// objective is the softmax likelihood of the real partner among all the
// candidates of the pool (a multinomial logistic regression per real
// pair), estimated from a stratified sample of non-partners, with a ridge
// penalty, maximised by Newton's method.
func (d *Dataset) Train(ix *score.Index, cases []Case, opt TrainOptions) (Fit, error) {
	groups, negatives, err := d.sample(ix, cases, opt)
	if err != nil {
		return Fit{}, err
	}
	w, loss, iters := fitSoftmax(groups, opt.L2)
	return Fit{Weights: w, Cases: len(groups), Negatives: negatives, Loss: loss, Iterations: iters}, nil
}

// sample builds one group per case: the real partner, then a uniform
// sample of each stratum of the non-partners.
func (d *Dataset) sample(ix *score.Index, cases []Case, opt TrainOptions) ([]group, int, error) {
	rng := rand.New(rand.NewPCG(opt.Seed, 0x7e57))
	var (
		groups    []group
		negatives int
		v         [score.NumFactors]float64
		near, far [][score.NumFactors]float64
	)
	for _, c := range cases {
		var hidden []string
		if !d.future {
			hidden = append(hidden, ix.ID(c.Hidden))
		}
		q, err := ix.SourceFeatures(ix.ID(c.Source), hidden...)
		if err != nil {
			return nil, 0, fmt.Errorf("eval: train on %s-%s: %w", ix.ID(c.Source), ix.ID(c.Hidden), err)
		}
		near, far = near[:0], far[:0]
		for _, i := range d.Pool {
			if i == c.Hidden || q.IsPartner(i) || slices.Contains(d.others[c.Source], i) {
				continue
			}
			q.Values(i, v[:])
			if score.GraphReached(v[:]) {
				near = append(near, v)
			} else {
				far = append(far, v)
			}
		}
		g := group{x: make([][score.NumFactors]float64, 1, 1+min(len(near), opt.Near)+min(len(far), opt.Far))}
		q.Values(c.Hidden, g.x[0][:])
		q.Close()
		g.offset = append(g.offset, 0)
		for _, stratum := range []struct {
			rows [][score.NumFactors]float64
			take int
		}{{near, opt.Near}, {far, opt.Far}} {
			rows, take := stratum.rows, min(stratum.take, len(stratum.rows))
			if take == 0 {
				continue
			}
			rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
			off := math.Log(float64(len(rows)) / float64(take))
			for _, x := range rows[:take] {
				g.x = append(g.x, x)
				g.offset = append(g.offset, off)
			}
		}
		negatives += len(g.x) - 1
		groups = append(groups, g)
	}
	return groups, negatives, nil
}

// fitSoftmax minimises the mean over groups of -log softmax(row 0) plus
// l2/2 |w|² by Newton's method with backtracking, from w = 0.
func fitSoftmax(groups []group, l2 float64) ([score.NumFactors]float64, float64, int) {
	const n = score.NumFactors
	var w [n]float64
	loss := func(w [n]float64) float64 {
		total := 0.0
		for _, g := range groups {
			total += groupLoss(g, &w)
		}
		reg := 0.0
		for _, x := range w {
			reg += x * x
		}
		return total/float64(max(len(groups), 1)) + l2/2*reg
	}
	cur := loss(w)
	iters := 0
	for ; iters < 50; iters++ {
		var grad [n]float64
		var hess [n][n]float64
		for _, g := range groups {
			groupDerivatives(g, &w, &grad, &hess)
		}
		m := float64(max(len(groups), 1))
		for a := range n {
			grad[a] = grad[a]/m + l2*w[a]
			for b := range n {
				hess[a][b] /= m
			}
			hess[a][a] += l2
		}
		step, ok := solve(hess, grad)
		if !ok {
			break
		}
		t := 1.0
		var next [n]float64
		nextLoss := math.Inf(1)
		for range 30 {
			for a := range n {
				next[a] = w[a] - t*step[a]
			}
			if nextLoss = loss(next); nextLoss <= cur {
				break
			}
			t /= 2
		}
		if nextLoss > cur {
			break
		}
		done := cur-nextLoss < 1e-10
		w, cur = next, nextLoss
		if done {
			iters++
			break
		}
	}
	return w, cur, iters
}

// groupLoss returns -log softmax of row 0 of g under w.
func groupLoss(g group, w *[score.NumFactors]float64) float64 {
	z, zmax := g.logits(w)
	sum := 0.0
	for _, x := range z {
		sum += math.Exp(x - zmax)
	}
	return zmax + math.Log(sum) - z[0]
}

// logits returns the offset logits of the group's rows and their maximum.
func (g group) logits(w *[score.NumFactors]float64) ([]float64, float64) {
	zmax := math.Inf(-1)
	z := make([]float64, len(g.x))
	for r := range g.x {
		z[r] = dot(&g.x[r], w) + g.offset[r]
		zmax = max(zmax, z[r])
	}
	return z, zmax
}

// groupDerivatives adds the gradient and Hessian of groupLoss to grad and
// hess: E[x] - x₀ and E[xxᵀ] - E[x]E[x]ᵀ under the softmax.
func groupDerivatives(g group, w *[score.NumFactors]float64, grad *[score.NumFactors]float64, hess *[score.NumFactors][score.NumFactors]float64) {
	const n = score.NumFactors
	p, zmax := g.logits(w)
	sum := 0.0
	for r := range p {
		p[r] = math.Exp(p[r] - zmax)
		sum += p[r]
	}
	var mean [n]float64
	var second [n][n]float64
	for r := range g.x {
		pr := p[r] / sum
		x := &g.x[r]
		for a := range n {
			if x[a] == 0 {
				continue
			}
			mean[a] += pr * x[a]
			for b := range n {
				second[a][b] += pr * x[a] * x[b]
			}
		}
	}
	for a := range n {
		grad[a] += mean[a] - g.x[0][a]
		for b := range n {
			hess[a][b] += second[a][b] - mean[a]*mean[b]
		}
	}
}

func dot(x, w *[score.NumFactors]float64) float64 {
	s := 0.0
	for j := range score.NumFactors {
		s += x[j] * w[j]
	}
	return s
}

// solve returns x with A x = b by Gaussian elimination with partial
// pivoting, and false when A is singular.
func solve(a [score.NumFactors][score.NumFactors]float64, b [score.NumFactors]float64) ([score.NumFactors]float64, bool) {
	const n = score.NumFactors
	for col := range n {
		pivot := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[pivot][col]) {
				pivot = r
			}
		}
		if math.Abs(a[pivot][col]) < 1e-12 {
			return b, false
		}
		a[col], a[pivot] = a[pivot], a[col]
		b[col], b[pivot] = b[pivot], b[col]
		for r := col + 1; r < n; r++ {
			f := a[r][col] / a[col][col]
			for c := col; c < n; c++ {
				a[r][c] -= f * a[col][c]
			}
			b[r] -= f * b[col]
		}
	}
	var x [n]float64
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for c := r + 1; c < n; c++ {
			s -= a[r][c] * x[c]
		}
		x[r] = s / a[r][r]
	}
	return x, true
}
