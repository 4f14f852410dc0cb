package neo4j

import (
	"context"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/storetest"
)

// TestWorkflowModel checks what the workflow leaves in the graph beside
// its records (the contract suite checks the records): the links to the
// municipalities, no _lock property, and a gapless audit sequence.
func TestWorkflowModel(t *testing.T) {
	s := openEmpty(t)
	ctx := context.Background()
	storetest.Seed(t, s)
	at := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	by := graph.Actor{Name: "test"}
	audit := graph.AuditEntry{At: at, By: by, Action: "test"}

	r := graph.Request{ID: "req-0001", Municipality: "ua-lviv", Title: "Water", Needs: []string{"water"},
		Status: graph.RequestOpen, Version: 1, Created: at, Updated: at, CreatedBy: by, UpdatedBy: by}
	require.NoError(t, s.CreateRequest(ctx, r, audit))
	_, err := s.UpdateRequest(ctx, r.ID, func(r *graph.Request) (graph.AuditEntry, error) {
		r.Status, r.Version = graph.RequestPaused, r.Version+1
		return audit, nil
	})
	require.NoError(t, err)
	_, err = s.PutProfile(ctx, "pl-krakow", func(p *graph.Profile, _ bool) (graph.AuditEntry, error) {
		p.Municipality, p.Offers, p.Version = "pl-krakow", []string{"water"}, p.Version+1
		return audit, nil
	})
	require.NoError(t, err)
	_, err = s.ChangeShortlist(ctx, r.ID, "pl-krakow", func(_ graph.Request, e *graph.ShortlistEntry, _ bool) (graph.ShortlistChange, error) {
		e.Status, e.Version = graph.OutreachProposed, 1
		return graph.ShortlistChange{Audit: audit}, nil
	})
	require.NoError(t, err)

	var row []any
	err = s.read(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		recs, err := run(ctx, tx, `MATCH (:Municipality {id: 'ua-lviv'})-[:POSTED]->(r:PartnerRequest)-[:SHORTLISTS]->(e:ShortlistEntry)-[:CANDIDATE]->(c:Municipality)
MATCH (c)-[:HAS_PROFILE]->(p:Profile)
OPTIONAL MATCH (n) WHERE n._lock IS NOT NULL
WITH r, e, c, p, count(n) AS locks
MATCH (a:AuditEntry)
WITH r, e, c, p, locks, collect(a.seq) AS seqs
MATCH (k:WorkflowCounter {name: 'audit'})
RETURN r.status, e.status, c.id, p.municipality, locks, seqs, k.seq`, nil)
		if err != nil || len(recs) == 0 {
			return err
		}
		row = recs[0].Values
		return nil
	})
	require.NoError(t, err)
	require.NotNil(t, row, "the request is linked to its municipality, its entry and its candidate")
	assert.Equal(t, []any{"paused", "proposed", "pl-krakow", "pl-krakow", int64(0)}, row[:5], "links, status properties, no lock left")
	assert.ElementsMatch(t, []any{int64(1), int64(2), int64(3), int64(4)}, row[5], "one audit entry per change, from 1")
	assert.Equal(t, int64(4), row[6], "the counter holds the last Seq")
}
