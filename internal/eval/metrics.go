package eval

import "math"

// Cutoffs of the hit rates and of NDCG.
const (
	hitsAt10 = 10
	hitsAt50 = 50
)

// Outcome is where a hidden partner ranked in one case: Better candidates
// scored higher and Tied other candidates scored the same.
type Outcome struct {
	Better int `json:"better"`
	Tied   int `json:"tied"`
	// Countries is the number of countries among the method's 10 best
	// candidates of the case (partners left out): how varied a top ten
	// it gives.
	Countries int `json:"countries"`
}

// ExpectedRank returns the mean rank under random tie-breaking, 1 for the
// best.
func (o Outcome) ExpectedRank() float64 { return float64(o.Better) + 1 + float64(o.Tied)/2 }

// HitRate returns the probability that the hidden partner is in the top k.
func (o Outcome) HitRate(k int) float64 {
	return math.Max(0, math.Min(1, float64(k-o.Better)/float64(o.Tied+1)))
}

// ReciprocalRank returns the expected 1/rank.
func (o Outcome) ReciprocalRank() float64 {
	return (harmonic(o.Better+o.Tied+1) - harmonic(o.Better)) / float64(o.Tied+1)
}

// NDCG returns the expected normalised discounted cumulative gain at k of a
// single relevant item: 1/log2(rank+1) when rank ≤ k, else 0.
func (o Outcome) NDCG(k int) float64 {
	sum := 0.0
	for r := o.Better + 1; r <= min(o.Better+o.Tied+1, k); r++ {
		sum += 1 / math.Log2(float64(r)+1)
	}
	return sum / float64(o.Tied+1)
}

// harmonic returns H(n) = 1 + 1/2 + ... + 1/n, exactly for small n and by
// its asymptotic expansion beyond.
func harmonic(n int) float64 {
	if n < 64 {
		h := 0.0
		for k := 1; k <= n; k++ {
			h += 1 / float64(k)
		}
		return h
	}
	x := float64(n)
	return math.Log(x) + 0.5772156649015329 + 1/(2*x) - 1/(12*x*x) + 1/(120*x*x*x*x)
}

// Metrics are the means of the per-case figures over Cases cases.
type Metrics struct {
	HitRate10 float64 `json:"hit_rate_10"`
	HitRate50 float64 `json:"hit_rate_50"`
	MRR       float64 `json:"mrr"`
	NDCG10    float64 `json:"ndcg_10"`
	MeanRank  float64 `json:"mean_rank"`
	// Countries10 is the mean number of countries in a top ten.
	Countries10 float64 `json:"countries_10"`
	Cases       int     `json:"cases"`
}

// Summarise returns the mean metrics of the outcomes.
func Summarise(outcomes []Outcome) Metrics {
	m := Metrics{Cases: len(outcomes)}
	if len(outcomes) == 0 {
		return m
	}
	for _, o := range outcomes {
		m.HitRate10 += o.HitRate(hitsAt10)
		m.HitRate50 += o.HitRate(hitsAt50)
		m.MRR += o.ReciprocalRank()
		m.NDCG10 += o.NDCG(hitsAt10)
		m.MeanRank += o.ExpectedRank()
		m.Countries10 += float64(o.Countries)
	}
	n := float64(len(outcomes))
	m.HitRate10 /= n
	m.HitRate50 /= n
	m.MRR /= n
	m.NDCG10 /= n
	m.MeanRank /= n
	m.Countries10 /= n
	return m
}
