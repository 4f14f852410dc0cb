package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/workflow"
)

// TestRequestWorkflowCLI walks a partner request through the command line,
// from posting to a signed partnership that the graph commands then see.
func TestRequestWorkflowCLI(t *testing.T) {
	clearEnv(t)
	db := sampleStore(t, t.TempDir())
	code, out, errOut := cli(t, "request", "create", "-data", db, "-json", "-as", "Lviv city hall",
		"-municipality", "ua-lviv", "-title", "Water utility", "-needs", "water,energy", "-offers", "culture_youth",
		"-country", "fr,de", "-language", "en")
	require.Equal(t, 0, code, errOut)
	var r graph.Request
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, []string{"FR", "DE"}, r.Countries, "country codes are upper-cased")
	assert.Equal(t, "Lviv city hall", r.CreatedBy.Name)

	code, _, errOut = cli(t, "profile", "set", "fr-lyon", "-data", db, "-offers", "water", "-seeks", "culture_youth", "-as", "Lyon")
	require.Equal(t, 0, code, errOut)
	code, out, errOut = cli(t, "request", "suggest", r.ID, "-data", db, "-limit", "5")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Offers: water and sanitation ↔ Needs: water and sanitation")
	code, out, errOut = cli(t, "request", "suggest", r.ID, "-data", db, "-limit", "5", "-json")
	require.Equal(t, 0, code, errOut)
	var sg workflow.Suggestions
	require.NoError(t, json.Unmarshal([]byte(out), &sg))
	require.NotEmpty(t, sg.Suggestions)
	assert.Equal(t, "fr-lyon", sg.Suggestions[0].Municipality.ID, "the declared match ranks first in the sample")

	code, _, errOut = cli(t, "request", "shortlist", r.ID, "fr-lyon", "-data", db, "-note", "met in Brussels")
	require.Equal(t, 0, code, errOut)
	code, _, errOut = cli(t, "request", "move", r.ID, "fr-lyon", "signed", "-data", db)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "STATUS: outreach to fr-lyon cannot go from proposed to signed")
	for _, st := range []string{"contacted", "in_talks", "signed"} {
		code, _, errOut = cli(t, "request", "move", r.ID, "fr-lyon", st, "-data", db)
		require.Equal(t, 0, code, errOut)
	}
	code, _, errOut = cli(t, "request", "move", r.ID, "fr-lyon", "declined", "-data", db, "-if-version", "2")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "-if-version: the outreach to fr-lyon changed since it was read: it is at version 4, not 2")

	code, out, errOut = cli(t, "request", "show", r.ID, "-data", db)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "fr-lyon on "+r.ID+": signed (version 4)")
	code, out, errOut = cli(t, "request", "list", "-data", db, "-region", "ua-46", "-theme", "water")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "1 signed")
	code, out, errOut = cli(t, "request", "audit", "-data", db, "-request", r.ID, "-json")
	require.Equal(t, 0, code, errOut)
	var log []graph.AuditEntry
	require.NoError(t, json.Unmarshal([]byte(out), &log))
	require.Len(t, log, 5)
	assert.Contains(t, log[0].Detail, "twinning partnership ua-lviv–fr-lyon is active")
	code, out, errOut = cli(t, "suggest", "ua-lviv", "-data", db, "-country", "FR", "-limit", "100")
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "fr-lyon", "Lyon is now a partner, so plain suggestions leave it out")

	// Bad input names the flag and stores nothing.
	code, _, errOut = cli(t, "request", "create", "-data", db, "-municipality", "ua-lviv", "-title", "x", "-needs", "fishing")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "-needs: unknown theme \"fishing\"")
	code, _, errOut = cli(t, "request", "create", "-data", db, "-municipality", "ua-lviv", "-title", "x", "-needs", "water",
		"-min-population", "500000", "-max-population", "1000")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "-max-population: the size range is upside down")
	code, out, _ = cli(t, "request", "list", "-data", db, "-json")
	require.Equal(t, 0, code)
	var all []workflow.RequestSummary
	require.NoError(t, json.Unmarshal([]byte(out), &all))
	assert.Len(t, all, 1)
	code, _, errOut = cli(t, "request", "frobnicate")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "unknown action")
	code, out, _ = cli(t, "themes")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "Водопостачання та водовідведення")
}
