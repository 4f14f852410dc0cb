package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

// workflowTests are the contract of graph.Workflow, run by Run on every
// store (each store must implement it).
var workflowTests = []struct {
	name string
	fn   func(t *testing.T, s graph.Store)
}{
	{"WorkflowCreateRequest", testCreateRequest},
	{"WorkflowUpdateRequest", testUpdateRequest},
	{"WorkflowConcurrentUpdates", testConcurrentRequestUpdates},
	{"WorkflowProfiles", testProfiles},
	{"WorkflowShortlist", testShortlist},
	{"WorkflowSignedReplacesPartnership", testSignedReplacesPartnership},
	{"WorkflowConcurrentShortlist", testConcurrentShortlist},
	{"WorkflowAudit", testAudit},
}

// at is a fixed time of the workflow tests, in UTC without a monotonic
// reading, so that stored and returned times compare equal.
var at = time.Date(2026, 3, 14, 9, 30, 0, 123456000, time.UTC)

// cli is the actor of the workflow tests.
var cli = graph.Actor{Name: "storetest"}

// lvivRequest returns a valid request of ua-lviv with the given id.
func lvivRequest(id string) graph.Request {
	return graph.Request{
		ID: id, Municipality: "ua-lviv", Title: "Water and schools",
		Needs: []string{"water", "education"}, Offers: []string{"culture_youth"},
		Countries: []string{"PL", "DE"}, MinPopulation: 100000, MaxPopulation: 2000000,
		Languages: []string{"en", "pl"}, Text: "Водоканал шукає партнера.",
		Status: graph.RequestOpen, Version: 1, Created: at, Updated: at, CreatedBy: cli, UpdatedBy: cli,
	}
}

// auditOf returns an audit entry of a change of the request.
func auditOf(action, subject, request string, ids ...string) graph.AuditEntry {
	return graph.AuditEntry{At: at, By: cli, Action: action, Subject: subject, Request: request,
		Municipalities: ids, Detail: action + " " + subject}
}

// createRequest stores lvivRequest(id) and fails the test on error.
func createRequest(t *testing.T, s graph.Store, id string) graph.Request {
	t.Helper()
	r := lvivRequest(id)
	require.NoError(t, s.CreateRequest(context.Background(), r, auditOf("request.create", id, id, "ua-lviv")))
	return r
}

// audit returns the whole audit log, newest first.
func audit(t *testing.T, s graph.Store, q graph.AuditQuery) []graph.AuditEntry {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = graph.MaxLimit
	}
	entries, err := s.Audit(context.Background(), q)
	require.NoError(t, err)
	return entries
}

func testCreateRequest(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)
	_, err := s.Request(ctx, "req-0001")
	requireCode(t, err, graph.ENOTFOUND, "empty workflow")
	got, err := s.Requests(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)

	want := createRequest(t, s, "req-0002")
	createRequest(t, s, "req-0001")
	r, err := s.Request(ctx, "req-0002")
	require.NoError(t, err)
	assert.Equal(t, want, r, "round trip")
	all, err := s.Requests(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, "req-0001", all[0].ID, "id order")
	assert.Equal(t, "req-0002", all[1].ID)

	// The store keeps its own copy.
	r.Needs[0] = "changed"
	again, err := s.Request(ctx, "req-0002")
	require.NoError(t, err)
	assert.Equal(t, want, again)

	err = s.CreateRequest(ctx, lvivRequest("req-0002"), auditOf("request.create", "req-0002", "req-0002"))
	requireCode(t, err, graph.ECONFLICT, "the id exists")
	missing := lvivRequest("req-0003")
	missing.Municipality = "ua-nowhere"
	err = s.CreateRequest(ctx, missing, auditOf("request.create", "req-0003", "req-0003"))
	requireCode(t, err, graph.EINVALID, "unknown municipality")
	assert.Equal(t, "municipality", graph.ErrorField(err))
	_, err = s.Request(ctx, "req-0003")
	requireCode(t, err, graph.ENOTFOUND, "a refused request is not stored")

	entries := audit(t, s, graph.AuditQuery{})
	require.Len(t, entries, 2, "one audit entry per stored request, none for refused ones")
	assert.Equal(t, "req-0001", entries[0].Subject, "newest first")
	assert.Greater(t, entries[0].Seq, entries[1].Seq)
	assert.Equal(t, cli, entries[0].By)
	assert.True(t, at.Equal(entries[0].At))
}

func testUpdateRequest(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)
	want := createRequest(t, s, "req-0001")

	later := at.Add(time.Hour)
	got, err := s.UpdateRequest(ctx, "req-0001", func(r *graph.Request) (graph.AuditEntry, error) {
		assert.Equal(t, want, *r, "the change sees the stored request")
		r.Status, r.Version, r.Updated = graph.RequestPaused, r.Version+1, later
		return auditOf("request.update", r.ID, r.ID, r.Municipality), nil
	})
	require.NoError(t, err)
	assert.Equal(t, graph.RequestPaused, got.Status)
	assert.Equal(t, int64(2), got.Version)
	stored, err := s.Request(ctx, "req-0001")
	require.NoError(t, err)
	assert.Equal(t, got, stored)

	// A change that fails writes nothing and its error comes back as it is.
	refusal := graph.Errorf(graph.EPRECONDITION, "stale")
	_, err = s.UpdateRequest(ctx, "req-0001", func(r *graph.Request) (graph.AuditEntry, error) {
		r.Status, r.Version = graph.RequestClosed, r.Version+1
		return graph.AuditEntry{}, refusal
	})
	require.ErrorIs(t, err, refusal)
	stored, err = s.Request(ctx, "req-0001")
	require.NoError(t, err)
	assert.Equal(t, got, stored, "a failed change leaves the request")
	assert.Len(t, audit(t, s, graph.AuditQuery{}), 2, "and writes no audit entry")

	_, err = s.UpdateRequest(ctx, "req-0404", func(r *graph.Request) (graph.AuditEntry, error) {
		t.Error("change called for an unknown request")
		return graph.AuditEntry{}, nil
	})
	requireCode(t, err, graph.ENOTFOUND, "unknown request")

	for _, c := range []func(r *graph.Request){
		func(r *graph.Request) { r.ID = "req-0002" },
		func(r *graph.Request) { r.Municipality = "ua-dnipro" },
	} {
		_, err = s.UpdateRequest(ctx, "req-0001", func(r *graph.Request) (graph.AuditEntry, error) {
			c(r)
			r.Version++
			return auditOf("request.update", "req-0001", "req-0001"), nil
		})
		requireCode(t, err, graph.EINVALID, "a change may not move a request")
	}
	stored, err = s.Request(ctx, "req-0001")
	require.NoError(t, err)
	assert.Equal(t, got, stored)
}

func testConcurrentRequestUpdates(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)
	createRequest(t, s, "req-0001")
	const writers, each = 6, 4
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				mark := fmt.Sprintf("[%d.%d]", g, i)
				_, err := s.UpdateRequest(ctx, "req-0001", func(r *graph.Request) (graph.AuditEntry, error) {
					r.Text += mark
					r.Version++
					return auditOf("request.update", r.ID, r.ID, r.Municipality), nil
				})
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	r, err := s.Request(ctx, "req-0001")
	require.NoError(t, err)
	assert.Equal(t, int64(1+writers*each), r.Version, "every change applied to the version before it")
	for g := range writers {
		for i := range each {
			assert.Contains(t, r.Text, fmt.Sprintf("[%d.%d]", g, i), "no update lost")
		}
	}
	assert.Len(t, audit(t, s, graph.AuditQuery{Request: "req-0001"}), 1+writers*each)
}

func testProfiles(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)
	_, err := s.Profile(ctx, "pl-krakow")
	requireCode(t, err, graph.ENOTFOUND, "no profile yet")

	put := func(id string, offers ...string) (graph.Profile, error) {
		return s.PutProfile(ctx, id, func(p *graph.Profile, exists bool) (graph.AuditEntry, error) {
			assert.Equal(t, exists, p.Version > 0, "exists says whether there is a stored profile")
			if !exists {
				assert.Equal(t, graph.Profile{}, *p, "a new profile starts empty")
			}
			p.Municipality, p.Offers, p.Seeks = id, offers, []string{"culture_youth"}
			p.Languages, p.Version, p.Updated, p.UpdatedBy = []string{"en"}, p.Version+1, at, cli
			return auditOf("profile.put", "profile:"+id, "", id), nil
		})
	}
	got, err := put("pl-krakow", "water")
	require.NoError(t, err)
	assert.Equal(t, int64(1), got.Version)
	got, err = put("pl-krakow", "water", "energy")
	require.NoError(t, err)
	assert.Equal(t, int64(2), got.Version)
	assert.Equal(t, []string{"water", "energy"}, got.Offers)
	stored, err := s.Profile(ctx, "pl-krakow")
	require.NoError(t, err)
	assert.Equal(t, got, stored)
	_, err = put("de-freiburg", "health")
	require.NoError(t, err)

	_, err = put("xx-nowhere", "health")
	requireCode(t, err, graph.EINVALID, "unknown municipality")
	assert.Equal(t, "municipality", graph.ErrorField(err))
	refusal := graph.FieldErrorf("offers", "no")
	_, err = s.PutProfile(ctx, "pl-krakow", func(p *graph.Profile, exists bool) (graph.AuditEntry, error) {
		p.Offers = nil
		return graph.AuditEntry{}, refusal
	})
	require.ErrorIs(t, err, refusal)

	all, err := s.Profiles(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, "de-freiburg", all[0].Municipality, "municipality id order")
	assert.Equal(t, stored, all[1], "a failed change leaves the profile")
	assert.Len(t, audit(t, s, graph.AuditQuery{}), 3)
}

// move returns a change that moves the entry to next, with a partnership
// when next is signed.
func move(next graph.OutreachStatus, when time.Time) func(graph.Request, *graph.ShortlistEntry, bool) (graph.ShortlistChange, error) {
	return func(r graph.Request, e *graph.ShortlistEntry, exists bool) (graph.ShortlistChange, error) {
		if !exists {
			return graph.ShortlistChange{}, graph.Errorf(graph.ENOTFOUND, "not on the shortlist")
		}
		if err := e.Move(next, "to "+string(next), cli, when); err != nil {
			return graph.ShortlistChange{}, err
		}
		c := graph.ShortlistChange{Audit: auditOf("shortlist.move", r.ID+"/"+e.Candidate, r.ID, r.Municipality, e.Candidate)}
		if next == graph.OutreachSigned {
			p := graph.Partnership{A: r.Municipality, B: e.Candidate, Kind: graph.KindTwinning, Status: graph.StatusActive, Since: when.Year(), Source: "request " + r.ID}
			p.Normalize()
			c.Partnership = &p
		}
		return c, nil
	}
}

// propose returns a change that puts a candidate on the shortlist.
func propose(r graph.Request, e *graph.ShortlistEntry, exists bool) (graph.ShortlistChange, error) {
	if exists {
		return graph.ShortlistChange{}, graph.Errorf(graph.ECONFLICT, "already on the shortlist")
	}
	e.Status, e.Version, e.Created, e.Updated = graph.OutreachProposed, 1, at, at
	e.History = []graph.Transition{{To: graph.OutreachProposed, At: at, By: cli}}
	return graph.ShortlistChange{Audit: auditOf("shortlist.add", r.ID+"/"+e.Candidate, r.ID, r.Municipality, e.Candidate)}, nil
}

func testShortlist(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)
	_, err := s.Shortlist(ctx, "req-0001")
	requireCode(t, err, graph.ENOTFOUND, "unknown request")
	_, err = s.ChangeShortlist(ctx, "req-0001", "fr-lyon", propose)
	requireCode(t, err, graph.ENOTFOUND, "unknown request")
	createRequest(t, s, "req-0001")
	createRequest(t, s, "req-0002")

	_, err = s.ChangeShortlist(ctx, "req-0001", "fr-nowhere", propose)
	requireCode(t, err, graph.EINVALID, "unknown candidate")
	assert.Equal(t, "candidate", graph.ErrorField(err))

	e, err := s.ChangeShortlist(ctx, "req-0001", "fr-lyon", func(r graph.Request, e *graph.ShortlistEntry, exists bool) (graph.ShortlistChange, error) {
		assert.Equal(t, "req-0001", r.ID, "the change sees the request")
		assert.False(t, exists)
		assert.Equal(t, graph.ShortlistEntry{Request: "req-0001", Candidate: "fr-lyon"}, *e, "a new entry carries its ids")
		return propose(r, e, exists)
	})
	require.NoError(t, err)
	assert.Equal(t, graph.OutreachProposed, e.Status)
	_, err = s.ChangeShortlist(ctx, "req-0001", "fr-lyon", propose)
	requireCode(t, err, graph.ECONFLICT, "the change's own refusal comes back")
	_, err = s.ChangeShortlist(ctx, "req-0001", "de-kleindorf", propose)
	require.NoError(t, err)
	_, err = s.ChangeShortlist(ctx, "req-0002", "pl-zakopane", propose)
	require.NoError(t, err)

	for _, next := range []graph.OutreachStatus{graph.OutreachContacted, graph.OutreachInTalks} {
		e, err = s.ChangeShortlist(ctx, "req-0001", "fr-lyon", move(next, at.Add(time.Hour)))
		require.NoError(t, err)
		assert.Equal(t, next, e.Status)
	}
	// A signing whose change fails writes neither the entry nor the
	// partnership.
	_, err = s.ChangeShortlist(ctx, "req-0001", "fr-lyon", func(r graph.Request, e *graph.ShortlistEntry, exists bool) (graph.ShortlistChange, error) {
		c, err := move(graph.OutreachSigned, at)(r, e, exists)
		require.NoError(t, err)
		return c, graph.Errorf(graph.EPRECONDITION, "stale")
	})
	requireCode(t, err, graph.EPRECONDITION)
	partners, err := s.Partners(ctx, "fr-lyon")
	require.NoError(t, err)
	assert.Empty(t, partners, "no partnership from a failed signing")

	signed, err := s.ChangeShortlist(ctx, "req-0001", "fr-lyon", move(graph.OutreachSigned, at.Add(2*time.Hour)))
	require.NoError(t, err)
	assert.Equal(t, graph.OutreachSigned, signed.Status)
	assert.Equal(t, int64(4), signed.Version)
	require.Len(t, signed.History, 4)
	assert.Equal(t, graph.OutreachInTalks, signed.History[3].From)
	partners, err = s.Partners(ctx, "fr-lyon")
	require.NoError(t, err)
	require.Len(t, partners, 1, "a signed agreement is a partnership in the graph")
	assert.Equal(t, "ua-lviv", partners[0].Municipality.ID)
	assert.Equal(t, graph.StatusActive, partners[0].Partnership.Status)
	assert.Equal(t, "request req-0001", partners[0].Partnership.Source)

	list, err := s.Shortlist(ctx, "req-0001")
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "de-kleindorf", list[0].Candidate, "candidate id order")
	assert.Equal(t, signed, list[1])
	all, err := s.Shortlists(ctx)
	require.NoError(t, err)
	var keys []string
	for _, e := range all {
		keys = append(keys, e.Request+"/"+e.Candidate)
	}
	assert.Equal(t, []string{"req-0001/de-kleindorf", "req-0001/fr-lyon", "req-0002/pl-zakopane"}, keys)
}

func testSignedReplacesPartnership(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)
	// ua-kamianets and pl-krakow have a dormant partnership in the fixture;
	// a request of Kamianets that signs with Kraków makes it active.
	r := lvivRequest("req-0001")
	r.Municipality = "ua-kamianets"
	require.NoError(t, s.CreateRequest(ctx, r, auditOf("request.create", r.ID, r.ID, r.Municipality)))
	_, err := s.ChangeShortlist(ctx, "req-0001", "pl-krakow", propose)
	require.NoError(t, err)
	for _, next := range []graph.OutreachStatus{graph.OutreachContacted, graph.OutreachInTalks, graph.OutreachSigned} {
		_, err = s.ChangeShortlist(ctx, "req-0001", "pl-krakow", move(next, at))
		require.NoError(t, err)
	}
	partners, err := s.Partners(ctx, "ua-kamianets")
	require.NoError(t, err)
	require.Len(t, partners, 1)
	assert.Equal(t, graph.StatusActive, partners[0].Partnership.Status)
	assert.Equal(t, graph.KindTwinning, partners[0].Partnership.Kind)
	c, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 5, c.Partnerships, "the pair's partnership was replaced, not doubled")
}

func testConcurrentShortlist(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)
	createRequest(t, s, "req-0001")
	_, err := s.ChangeShortlist(ctx, "req-0001", "fr-lyon", propose)
	require.NoError(t, err)
	// Eight writers each try to move the proposed entry to contacted, each
	// only from version 1: exactly one may win.
	const writers = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, stale := 0, 0
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.ChangeShortlist(ctx, "req-0001", "fr-lyon", func(r graph.Request, e *graph.ShortlistEntry, exists bool) (graph.ShortlistChange, error) {
				if e.Version != 1 {
					return graph.ShortlistChange{}, graph.Errorf(graph.EPRECONDITION, "entry is at version %d", e.Version)
				}
				return move(graph.OutreachContacted, at)(r, e, exists)
			})
			mu.Lock()
			defer mu.Unlock()
			switch graph.ErrorCode(err) {
			case "":
				won++
			case graph.EPRECONDITION:
				stale++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, won, "one writer wins")
	assert.Equal(t, writers-1, stale, "the others see a stale version")
	list, err := s.Shortlist(ctx, "req-0001")
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Len(t, list[0].History, 2, "one transition recorded")
}

func testAudit(t *testing.T, s graph.Store) {
	ctx := context.Background()
	Seed(t, s)
	createRequest(t, s, "req-0001")
	createRequest(t, s, "req-0002")
	_, err := s.ChangeShortlist(ctx, "req-0001", "fr-lyon", propose)
	require.NoError(t, err)
	_, err = s.ChangeShortlist(ctx, "req-0002", "pl-zakopane", propose)
	require.NoError(t, err)
	_, err = s.ChangeShortlist(ctx, "req-0001", "fr-lyon", move(graph.OutreachContacted, at))
	require.NoError(t, err)

	all := audit(t, s, graph.AuditQuery{})
	require.Len(t, all, 5)
	var actions []string
	for i, e := range all {
		actions = append(actions, e.Action+" "+e.Subject)
		if i > 0 {
			assert.Less(t, e.Seq, all[i-1].Seq, "newest first, by Seq")
		}
	}
	assert.Equal(t, []string{
		"shortlist.move req-0001/fr-lyon", "shortlist.add req-0002/pl-zakopane", "shortlist.add req-0001/fr-lyon",
		"request.create req-0002", "request.create req-0001",
	}, actions)

	subjects := func(q graph.AuditQuery) string {
		var out []string
		for _, e := range audit(t, s, q) {
			out = append(out, e.Action+" "+e.Subject)
		}
		return strings.Join(out, ", ")
	}
	assert.Equal(t, "shortlist.move req-0001/fr-lyon, shortlist.add req-0001/fr-lyon, request.create req-0001",
		subjects(graph.AuditQuery{Request: "req-0001"}))
	assert.Equal(t, "shortlist.add req-0002/pl-zakopane", subjects(graph.AuditQuery{Municipality: "pl-zakopane"}))
	assert.Equal(t, "shortlist.add req-0001/fr-lyon, request.create req-0002",
		subjects(graph.AuditQuery{Before: all[1].Seq, Limit: 2}), "paging with Before and Limit")
	got, err := s.Audit(ctx, graph.AuditQuery{})
	require.NoError(t, err)
	assert.Len(t, got, 5, "the default limit covers a short log")
}
