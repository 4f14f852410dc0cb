package workflow_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/internal/score"
	"github.com/twinning/twinning/internal/workflow"
)

// BenchmarkSuggestForRequest measures suggestions for a partner request on
// the sample (the engine's ranking plus complementarity for every
// candidate, profiles and shortlist read from the store), against the
// engine's plain suggestions for the same municipality.
func BenchmarkSuggestForRequest(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	for _, p := range []string{"fr-lyon", "de-nuremberg", "pl-lublin"} {
		_, _, err := e.svc.PutProfile(ctx, p, 0, workflow.ProfileInput{Offers: []string{"water", "energy"}}, officer)
		require.NoError(b, err)
	}
	r, err := e.svc.CreateRequest(ctx, workflow.RequestInput{
		Municipality: "ua-lviv", Title: "Water", Needs: []string{"water", "energy", "health"}, Offers: []string{"culture_youth"},
	}, officer)
	require.NoError(b, err)
	b.Run("request", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.svc.Suggest(ctx, r.ID, 10, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.engine.Suggest(ctx, "ua-lviv", score.Options{Limit: 10}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
