package workflow_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
	"github.com/twinning/twinning/internal/sample"
	"github.com/twinning/twinning/internal/score"
	"github.com/twinning/twinning/internal/workflow"
)

// env is a Service on a real embedded store with the bundled sample, a
// clock the test moves, and predictable request ids.
type env struct {
	svc    *workflow.Service
	store  *embedded.Store
	engine *score.Engine
	now    time.Time
	ids    int
}

var officer = graph.Actor{Name: "officer"}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	store, err := embedded.Open(filepath.Join(t.TempDir(), "twinning.db"))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	_, err = sample.LoadIfEmpty(ctx, store)
	require.NoError(t, err)
	engine := score.NewEngine(score.DefaultModel())
	require.NoError(t, engine.Load(ctx, store))
	e := &env{store: store, engine: engine, now: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)}
	e.svc = workflow.New(store, engine,
		workflow.WithClock(func() time.Time { return e.now }),
		workflow.WithIDs(func() string { e.ids++; return fmt.Sprintf("req-%04d", e.ids) }))
	return e
}

func (e *env) request(t *testing.T, municipality string, needs, offers []string) graph.Request {
	t.Helper()
	r, err := e.svc.CreateRequest(context.Background(), workflow.RequestInput{
		Municipality: municipality, Title: "Partners for " + municipality, Needs: needs, Offers: offers,
	}, officer)
	require.NoError(t, err)
	return r
}

func TestOutreachStatusMachine(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.request(t, "ua-kharkiv", []string{"reconstruction"}, nil)
	_, err := e.svc.AddCandidate(ctx, r.ID, "de-nuremberg", "", officer)
	require.NoError(t, err)
	moveTo := func(version int64, to graph.OutreachStatus) (graph.ShortlistEntry, error) {
		return e.svc.MoveCandidate(ctx, r.ID, "de-nuremberg", version, workflow.MoveInput{Status: to}, officer, false)
	}
	// Every transition from proposed: only contacted and declined pass.
	for _, to := range graph.OutreachStatuses {
		if to == graph.OutreachContacted || to == graph.OutreachDeclined {
			continue // tried below, in order
		}
		_, err := moveTo(1, to)
		assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "proposed → %s", to)
		assert.Equal(t, "status", graph.ErrorField(err))
	}
	got, err := moveTo(1, graph.OutreachDeclined)
	require.NoError(t, err)
	got, err = moveTo(got.Version, graph.OutreachProposed)
	require.NoError(t, err, "a declined candidate may be proposed again")
	for _, to := range []graph.OutreachStatus{graph.OutreachContacted, graph.OutreachInTalks, graph.OutreachSigned} {
		got, err = moveTo(got.Version, to)
		require.NoError(t, err, to)
	}
	assert.Equal(t, int64(6), got.Version)
	_, err = moveTo(got.Version, graph.OutreachDeclined)
	assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "signed is final")
	_, err = moveTo(0, graph.OutreachDeclined)
	assert.Equal(t, graph.EPRECONDITIONREQUIRED, graph.ErrorCode(err))
	_, err = e.svc.MoveCandidate(ctx, r.ID, "de-nuremberg", got.Version, workflow.MoveInput{Status: graph.OutreachSigned, Kind: "marriage"}, officer, false)
	assert.Equal(t, "kind", graph.ErrorField(err))
	_, err = e.svc.MoveCandidate(ctx, r.ID, "fr-lyon", 1, workflow.MoveInput{Status: graph.OutreachContacted}, officer, false)
	assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err), "not on the shortlist")

	partners, err := e.store.Partners(ctx, "ua-kharkiv")
	require.NoError(t, err)
	var kinds []string
	for _, p := range partners {
		if p.Municipality.ID == "de-nuremberg" {
			kinds = append(kinds, string(p.Partnership.Kind)+"/"+string(p.Partnership.Status)+"/"+fmt.Sprint(p.Partnership.Since))
		}
	}
	assert.Equal(t, []string{"twinning/active/1990"}, kinds, "the sample's partnership of 1990, kept and active")
}

func TestRequestPatchAudit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.request(t, "ua-lviv", []string{"water"}, []string{"culture_youth"})
	paused := graph.RequestPaused
	needs := []string{"water", "energy"}
	e.now = e.now.Add(time.Hour)
	got, err := e.svc.UpdateRequest(ctx, r.ID, 1, workflow.RequestPatch{Status: &paused, Needs: &needs}, graph.Actor{Key: "k1", Name: "Lviv"})
	require.NoError(t, err)
	assert.Equal(t, e.now, got.Updated)
	assert.Equal(t, graph.Actor{Key: "k1", Name: "Lviv"}, got.UpdatedBy)
	assert.Equal(t, officer, got.CreatedBy)
	log, err := e.svc.Flow().Audit(ctx, graph.AuditQuery{Request: r.ID})
	require.NoError(t, err)
	require.Len(t, log, 2)
	assert.Equal(t, "needs: water and sanitation → water and sanitation, energy and energy efficiency; status: open → paused", log[0].Detail)

	_, err = e.svc.UpdateRequest(ctx, r.ID, 2, workflow.RequestPatch{Needs: &needs}, officer)
	assert.Equal(t, "body", graph.ErrorField(err), "a patch that changes nothing is refused")
	_, err = e.svc.UpdateRequest(ctx, r.ID, 1, workflow.RequestPatch{Status: &paused}, officer)
	assert.Equal(t, graph.EPRECONDITION, graph.ErrorCode(err))
	_, err = e.svc.UpdateRequest(ctx, "req-9999", 1, workflow.RequestPatch{Status: &paused}, officer)
	assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err))
}

func TestComplementarityInfersFromThemes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Irpin needs reconstruction; candidates known for it (without a
	// profile) match at half strength, and say so.
	r := e.request(t, "ua-irpin", []string{"reconstruction", "health"}, nil)
	res, err := e.svc.Suggest(ctx, r.ID, 100, "")
	require.NoError(t, err)
	require.NotEmpty(t, res.Suggestions)
	inferred := 0
	for _, s := range res.Suggestions {
		c := s.Factors[len(s.Factors)-1]
		require.Equal(t, workflow.FactorComplementarity, c.Name)
		assert.False(t, s.HasProfile)
		for _, m := range s.Matches {
			assert.False(t, m.Declared)
			assert.Contains(t, m.Reason, "not declared in a profile")
		}
		assert.InDelta(t, 0.5*float64(len(s.Matches))/2, c.Value, 1e-12, s.Municipality.ID)
		if len(s.Matches) > 0 {
			inferred++
		}
	}
	assert.Positive(t, inferred, "some sample municipalities carry reconstruction or health")
}

// TestRequestSuggestionsInUkrainian asks for a request's suggestions in
// Ukrainian: the same candidates and scores, the matches and every reason
// in Ukrainian, and an unknown language refused.
func TestRequestSuggestionsInUkrainian(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.request(t, "ua-lviv", []string{"water", "reconstruction"}, []string{"education"})
	_, _, err := e.svc.PutProfile(ctx, "fr-lyon", 0, workflow.ProfileInput{Offers: []string{"water"}, Seeks: []string{"education"}}, officer)
	require.NoError(t, err)
	en, err := e.svc.Suggest(ctx, r.ID, 100, "")
	require.NoError(t, err)
	uk, err := e.svc.Suggest(ctx, r.ID, 100, score.LangUkrainian)
	require.NoError(t, err)
	require.Len(t, uk.Suggestions, len(en.Suggestions))
	cyrillic := regexp.MustCompile(`\p{Cyrillic}`)
	var reasons []string
	for k, s := range uk.Suggestions {
		assert.Equal(t, en.Suggestions[k].Municipality.ID, s.Municipality.ID)
		assert.Equal(t, en.Suggestions[k].Score, s.Score)
		require.Len(t, s.Matches, len(en.Suggestions[k].Matches))
		for _, m := range s.Matches {
			reasons = append(reasons, m.Reason)
		}
		for _, f := range s.Factors {
			reasons = append(reasons, f.Reason)
		}
		reasons = append(reasons, s.Reason)
	}
	for _, text := range reasons {
		assert.Regexp(t, cyrillic, text)
		assert.NotContains(t, text, "Offers")
		assert.NotContains(t, text, "Needs")
	}
	all := strings.Join(reasons, "\n")
	assert.Contains(t, all, "Пропозиція громади: водопостачання", "Lyon's declared water")
	assert.Contains(t, all, "Потреба громади: освіта", "Lyon seeks what Lviv offers")
	_, err = e.svc.Suggest(ctx, r.ID, 10, "de")
	assert.Equal(t, "lang", graph.ErrorField(err))
}

func TestOfficerLists(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lviv := e.request(t, "ua-lviv", []string{"water"}, []string{"culture_youth"})
	kharkiv := e.request(t, "ua-kharkiv", []string{"reconstruction"}, []string{"education"})
	_, _, err := e.svc.PutProfile(ctx, "fr-lyon", 0, workflow.ProfileInput{Offers: []string{"water"}, Seeks: []string{"education"}}, officer)
	require.NoError(t, err)
	_, _, err = e.svc.PutProfile(ctx, "pl-lublin", 0, workflow.ProfileInput{Offers: []string{"health"}}, officer)
	require.NoError(t, err)

	_, err = e.svc.AddCandidate(ctx, lviv.ID, "pl-lublin", "", officer)
	require.NoError(t, err)
	e.now = e.now.Add(20 * 24 * time.Hour)
	_, err = e.svc.AddCandidate(ctx, kharkiv.ID, "de-nuremberg", "", officer)
	require.NoError(t, err)
	e.now = e.now.Add(15 * 24 * time.Hour)

	stalled, err := e.svc.Stalled(ctx, 30)
	require.NoError(t, err)
	require.Len(t, stalled, 1)
	assert.Equal(t, "pl-lublin", stalled[0].Candidate)
	assert.Equal(t, 35, stalled[0].DaysIdle)
	stalled, err = e.svc.Stalled(ctx, 14)
	require.NoError(t, err)
	require.Len(t, stalled, 2)
	assert.Equal(t, "pl-lublin", stalled[0].Candidate, "longest idle first")
	_, err = e.svc.Stalled(ctx, 0)
	assert.Equal(t, "days", graph.ErrorField(err))

	offers, err := e.svc.UnansweredOffers(ctx)
	require.NoError(t, err)
	var got []string
	for _, o := range offers {
		got = append(got, fmt.Sprintf("%s %s %s wanted by %v", o.Kind, o.Municipality, o.Request, o.Wanted))
	}
	assert.Equal(t, []string{
		// Lyon's water is what Lviv needs, and nobody shortlisted Lyon;
		// Lublin is on a shortlist, so it has an answer.
		"profile fr-lyon  wanted by [" + lviv.ID + "]",
		// Neither request's outreach got past proposed; Lyon seeks
		// Kharkiv's education.
		"request ua-lviv " + lviv.ID + " wanted by []",
		"request ua-kharkiv " + kharkiv.ID + " wanted by [fr-lyon]",
	}, got)

	sums, err := e.svc.Requests(ctx, workflow.RequestFilter{Regions: []string{"UA-63"}})
	require.NoError(t, err)
	require.Len(t, sums, 1)
	assert.Equal(t, map[graph.OutreachStatus]int{graph.OutreachProposed: 1}, sums[0].Outreach)
	sums, err = e.svc.Requests(ctx, workflow.RequestFilter{Statuses: []graph.RequestStatus{graph.RequestOpen}})
	require.NoError(t, err)
	require.Len(t, sums, 2)
	assert.Equal(t, kharkiv.ID, sums[1].ID, "same creation time: id order")
	_, err = e.svc.Requests(ctx, workflow.RequestFilter{Statuses: []graph.RequestStatus{"lost"}})
	assert.Equal(t, "status", graph.ErrorField(err))
}

func TestSigningKeepsThePairsHistory(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Kharkiv and Nuremberg are partners in the sample: find their record.
	before := pairOf(t, e, "ua-kharkiv", "de-nuremberg")
	require.NotNil(t, before, "the sample has this partnership")
	r := e.request(t, "ua-kharkiv", []string{"reconstruction"}, nil)
	_, err := e.svc.AddCandidate(ctx, r.ID, "de-nuremberg", "", officer)
	require.NoError(t, err)
	for v, to := range []graph.OutreachStatus{graph.OutreachContacted, graph.OutreachInTalks, graph.OutreachSigned} {
		_, err = e.svc.MoveCandidate(ctx, r.ID, "de-nuremberg", int64(v+1), workflow.MoveInput{Status: to}, officer, false)
		require.NoError(t, err, to)
	}
	after := pairOf(t, e, "ua-kharkiv", "de-nuremberg")
	require.NotNil(t, after)
	assert.Equal(t, graph.StatusActive, after.Status)
	assert.Equal(t, before.Since, after.Since, "the pair keeps its year")
	assert.Equal(t, before.Source, after.Source, "and its source")
	assert.Equal(t, before.Kind, after.Kind, "and its kind, when none is given")
}

// pairOf returns the partnership of a and b, or nil.
func pairOf(t *testing.T, e *env, a, b string) *graph.Partnership {
	t.Helper()
	partners, err := e.store.Partners(context.Background(), a)
	require.NoError(t, err)
	for _, p := range partners {
		if p.Municipality.ID == b {
			return &p.Partnership
		}
	}
	return nil
}

func TestCandidateSideAndPausedRequests(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.request(t, "ua-lviv", []string{"water"}, nil)
	_, err := e.svc.AddCandidate(ctx, r.ID, "fr-lyon", "", officer)
	require.NoError(t, err)
	lyon := graph.Actor{Name: "Lyon"}
	_, err = e.svc.MoveCandidate(ctx, r.ID, "fr-lyon", 1, workflow.MoveInput{Status: graph.OutreachContacted}, lyon, true)
	assert.Equal(t, graph.EFORBIDDEN, graph.ErrorCode(err), "contacting is the city hall's")
	got, err := e.svc.MoveCandidate(ctx, r.ID, "fr-lyon", 1, workflow.MoveInput{Status: graph.OutreachDeclined}, lyon, true)
	require.NoError(t, err, "the candidate may decline")
	_, err = e.svc.MoveCandidate(ctx, r.ID, "fr-lyon", got.Version, workflow.MoveInput{Status: graph.OutreachProposed}, lyon, true)
	assert.Equal(t, graph.EFORBIDDEN, graph.ErrorCode(err), "but not put itself back on the list")

	paused := graph.RequestPaused
	_, err = e.svc.UpdateRequest(ctx, r.ID, 1, workflow.RequestPatch{Status: &paused}, officer)
	require.NoError(t, err)
	_, err = e.svc.MoveCandidate(ctx, r.ID, "fr-lyon", got.Version, workflow.MoveInput{Status: graph.OutreachProposed}, officer, false)
	assert.Equal(t, graph.ECONFLICT, graph.ErrorCode(err), "a paused request proposes nobody, not even again")
	closed := graph.RequestClosed
	_, err = e.svc.UpdateRequest(ctx, r.ID, 2, workflow.RequestPatch{Status: &closed}, officer)
	require.NoError(t, err)
	title := "new title"
	_, err = e.svc.UpdateRequest(ctx, r.ID, 3, workflow.RequestPatch{Title: &title}, officer)
	assert.Equal(t, graph.ECONFLICT, graph.ErrorCode(err), "closed is final")

	// A profile is taken at its word: no theme is inferred for it.
	_, _, err = e.svc.PutProfile(ctx, "pl-lublin", 0, workflow.ProfileInput{Offers: []string{"health"}}, officer)
	require.NoError(t, err)
	_, _, err = e.svc.PutProfile(ctx, "xx-nowhere", 0, workflow.ProfileInput{Offers: []string{"health"}}, officer)
	assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err))
}
