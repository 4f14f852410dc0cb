package score

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

func TestExtraFactorAddsToScoreAndExplains(t *testing.T) {
	ms, ps := cities()
	e, _ := newTestEngine(t, ms, ps)
	ctx := context.Background()
	src := ms[0].ID
	plain, err := e.Suggest(ctx, src, Options{Limit: MaxLimit})
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(plain.Suggestions), 2)
	// Lift the last candidate with an extra factor worth more than any
	// score: it must come first, and its explanation must add up.
	last := plain.Suggestions[len(plain.Suggestions)-1].Municipality.ID
	calls := 0
	extra := &ExtraFactor{
		Name: "complementarity", Weight: 10,
		Value: func(m *graph.Municipality) float64 {
			calls++
			if m.ID == last {
				return 7 // clamped to 1
			}
			return math.NaN() // clamped to 0
		},
		Explain: func(m *graph.Municipality, v float64) (string, string) {
			if v > 0 {
				return "It offers what is needed", "what it offers"
			}
			return "Nothing it offers is needed", ""
		},
	}
	res, err := e.Suggest(ctx, src, Options{Limit: MaxLimit, Extra: extra})
	require.NoError(t, err)
	assert.Equal(t, res.Candidates, calls-len(res.Suggestions), "Value is called once per candidate, and once more per suggestion to explain it")
	top := res.Suggestions[0]
	assert.Equal(t, last, top.Municipality.ID)
	require.Len(t, top.Factors, len(FactorNames)+1)
	f := top.Factors[len(FactorNames)]
	assert.Equal(t, Factor{Name: "complementarity", Value: 1, Weight: 10, Contribution: 10, Reason: "It offers what is needed"}, f)
	sum := 0.0
	for _, f := range top.Factors {
		sum += f.Contribution
	}
	assert.InDelta(t, top.Score, sum, 1e-9)
	assert.Contains(t, top.Reason, "what it offers")
	for _, s := range res.Suggestions[1:] {
		assert.Zero(t, s.Factors[len(FactorNames)].Value, "NaN counts as 0")
	}

	for _, bad := range []*ExtraFactor{
		{Name: FactorSize, Value: extra.Value, Explain: extra.Explain},
		{Name: "", Value: extra.Value, Explain: extra.Explain},
		{Name: "x", Explain: extra.Explain},
		{Name: "x", Value: extra.Value, Explain: extra.Explain, Weight: math.Inf(1)},
	} {
		_, err := e.Suggest(ctx, src, Options{Extra: bad})
		require.Error(t, err)
		assert.Equal(t, "extra", graph.ErrorField(err))
	}
}
