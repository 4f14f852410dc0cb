package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/keys"
	"github.com/twinning/twinning/internal/workflow"
)

// flowEnv is a keyEnv with keys of Lyon and Kharkiv city halls besides.
type flowEnv struct {
	*keyEnv
	lyon, kharkiv string
}

func newFlowEnv(t *testing.T) *flowEnv {
	t.Helper()
	fe := &flowEnv{keyEnv: newKeyEnv(t, api.Config{})}
	var err error
	fe.lyon, _, err = fe.ring.Create("Lyon city hall", keys.RoleEditor, "fr-lyon")
	require.NoError(t, err)
	fe.kharkiv, _, err = fe.ring.Create("Kharkiv city hall", keys.RoleEditor, "ua-kharkiv")
	require.NoError(t, err)
	return fe
}

// sendIf is send with an If-Match header (none when etag is "").
func sendIf(t *testing.T, h http.Handler, method, target, key, etag, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if etag != "" {
		req.Header.Set("If-Match", etag)
	}
	return serve(t, h, req)
}

// decode requires status and decodes the JSON body into v.
func decode(t *testing.T, rec *httptest.ResponseRecorder, status int, v any) {
	t.Helper()
	require.Equal(t, status, rec.Code, rec.Body.String())
	requireMediaType(t, rec, "application/json")
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), v))
}

const lvivRequestJSON = `{"municipality": "ua-lviv", "title": "Water utility and energy efficiency",
	"needs": ["water", "energy"], "offers": ["culture_youth"], "countries": ["FR", "DE", "IT", "ES"],
	"min_population": 100000, "languages": ["en", "uk"], "text": "Львівводоканал шукає партнера."}`

// postRequest creates Lviv's request and returns it.
func (fe *flowEnv) postRequest(t *testing.T) graph.Request {
	t.Helper()
	rec := send(t, fe.h, http.MethodPost, "/v1/requests", fe.lviv, lvivRequestJSON)
	var r graph.Request
	decode(t, rec, http.StatusCreated, &r)
	assert.Equal(t, `"1"`, rec.Header().Get("ETag"))
	assert.Equal(t, "/v1/requests/"+r.ID, rec.Header().Get("Location"))
	return r
}

func TestWorkflowThemes(t *testing.T) {
	h := loadedAPI(t)
	var got struct {
		Version string                   `json:"version"`
		Themes  []graph.CooperationTheme `json:"themes"`
	}
	getJSON(t, h, "/v1/themes", &got)
	assert.Equal(t, graph.TaxonomyVersion, got.Version)
	require.Len(t, got.Themes, 13)
	assert.Equal(t, "Water and sanitation", got.Themes[1].LabelEN)
	assert.Equal(t, "Водопостачання та водовідведення", got.Themes[1].LabelUK)
}

// TestWorkflowEndToEnd walks a request from posting to a signed
// partnership that the graph then shows.
func TestWorkflowEndToEnd(t *testing.T) {
	fe := newFlowEnv(t)
	r := fe.postRequest(t)
	assert.Equal(t, graph.RequestOpen, r.Status)
	assert.Equal(t, graph.Actor{Key: "", Name: "Lviv city hall"}, graph.Actor{Name: r.CreatedBy.Name})
	assert.NotEmpty(t, r.CreatedBy.Key)
	base := "/v1/requests/" + r.ID

	// Before Lyon declares anything, its themes (economy, culture,
	// university) meet no need.
	var before workflow.Suggestions
	decode(t, do(t, fe.h, http.MethodGet, base+"/suggestions?limit=100"), http.StatusOK, &before)
	assert.Equal(t, graph.TaxonomyVersion, before.TaxonomyVersion)
	lyonBefore := -1
	for i, s := range before.Suggestions {
		assert.Contains(t, []string{"FR", "DE", "IT", "ES"}, s.Municipality.Country, "preferred countries only")
		assert.GreaterOrEqual(t, s.Municipality.Population, int64(100000), "size range")
		last := s.Factors[len(s.Factors)-1]
		assert.Equal(t, workflow.FactorComplementarity, last.Name)
		if s.Municipality.ID == "fr-lyon" {
			lyonBefore = i
			assert.Zero(t, last.Value)
		}
	}
	require.GreaterOrEqual(t, lyonBefore, 0, "Lyon is a candidate")

	// Lyon declares its profile with its own key.
	rec := send(t, fe.h, http.MethodPut, "/v1/profiles/fr-lyon", fe.lyon,
		`{"offers": ["water", "health"], "seeks": ["culture_youth"], "languages": ["fr", "en"], "text": "Eau du Grand Lyon"}`)
	var p graph.Profile
	decode(t, rec, http.StatusCreated, &p)
	assert.Equal(t, `"1"`, rec.Header().Get("ETag"))

	var after workflow.Suggestions
	decode(t, do(t, fe.h, http.MethodGet, base+"/suggestions?limit=100"), http.StatusOK, &after)
	lyonAfter := -1
	for i, s := range after.Suggestions {
		if s.Municipality.ID == "fr-lyon" {
			lyonAfter = i
		}
	}
	require.GreaterOrEqual(t, lyonAfter, 0)
	assert.Less(t, lyonAfter, lyonBefore, "declaring offers that meet the needs lifts Lyon")
	lyon := after.Suggestions[lyonAfter]
	assert.True(t, lyon.HasProfile)
	var reasons []string
	for _, m := range lyon.Matches {
		reasons = append(reasons, m.Reason)
	}
	assert.Equal(t, []string{
		"Offers: water and sanitation ↔ Needs: water and sanitation",
		"Seeks: culture and youth ↔ Offers: culture and youth",
	}, reasons)
	c := lyon.Factors[len(lyon.Factors)-1]
	assert.InDelta(t, 0.7*0.5+0.3*1, c.Value, 1e-12, "one need of two declared, the one offer sought")
	assert.Contains(t, c.Reason, "Offers: water and sanitation ↔ Needs: water and sanitation")

	// Lviv shortlists Lyon, then the outreach moves on, each step from
	// the version it read.
	rec = send(t, fe.h, http.MethodPost, base+"/shortlist", fe.lviv, `{"candidate": "fr-lyon", "note": "met at the Eurocities forum"}`)
	var e graph.ShortlistEntry
	decode(t, rec, http.StatusCreated, &e)
	assert.Equal(t, graph.OutreachProposed, e.Status)
	assert.Equal(t, `"1"`, rec.Header().Get("ETag"))
	entry := base + "/shortlist/fr-lyon"

	rec = sendIf(t, fe.h, http.MethodPatch, entry, fe.lviv, "", `{"status": "contacted"}`)
	requireProblem(t, rec, http.StatusPreconditionRequired)
	rec = sendIf(t, fe.h, http.MethodPatch, entry, fe.lviv, `"1"`, `{"status": "contacted", "note": "letter sent"}`)
	decode(t, rec, http.StatusOK, &e)
	assert.Equal(t, `"2"`, rec.Header().Get("ETag"))
	rec = sendIf(t, fe.h, http.MethodPatch, entry, fe.lviv, `"1"`, `{"status": "in_talks"}`)
	pr := requireProblem(t, rec, http.StatusPreconditionFailed)
	assert.Contains(t, pr.Detail, "version 2, not 1")
	rec = sendIf(t, fe.h, http.MethodPatch, entry, fe.lviv, `"2"`, `{"status": "signed"}`)
	pr = requireProblem(t, rec, http.StatusBadRequest)
	assert.Equal(t, "status", pr.Param)
	assert.Contains(t, pr.Detail, "from contacted it may go to in_talks, declined")

	// The candidate's own key may move its outreach too.
	rec = sendIf(t, fe.h, http.MethodPatch, entry, fe.lyon, `"2"`, `{"status": "in_talks", "note": "visit in May"}`)
	decode(t, rec, http.StatusOK, &e)
	// …but only answer or decline: signing is the city hall's.
	rec = sendIf(t, fe.h, http.MethodPatch, entry, fe.lyon, `"3"`, `{"status": "signed"}`)
	requireProblem(t, rec, http.StatusForbidden)
	writes := fe.writes.Load()
	rec = sendIf(t, fe.h, http.MethodPatch, entry, fe.lviv, `"3"`, `{"status": "signed", "note": "signed in Lyon"}`)
	decode(t, rec, http.StatusOK, &e)
	assert.Equal(t, graph.OutreachSigned, e.Status)
	require.Len(t, e.History, 4)
	assert.Equal(t, "Lyon city hall", e.History[2].By.Name)
	assert.Equal(t, writes+1, fe.writes.Load(), "signing tells the engine and the snapshot to reload")

	var partners struct {
		Partners []graph.Partner `json:"partners"`
	}
	getJSON(t, fe.h, "/v1/municipalities/fr-lyon/partners", &partners)
	var found *graph.Partner
	for i, p := range partners.Partners {
		if p.Municipality.ID == "ua-lviv" {
			found = &partners.Partners[i]
		}
	}
	require.NotNil(t, found, "the signed agreement is a partnership in the graph")
	assert.Equal(t, graph.StatusActive, found.Partnership.Status)
	assert.Equal(t, graph.KindTwinning, found.Partnership.Kind)
	assert.Equal(t, "twinning request "+r.ID, found.Partnership.Source)

	// A signed outreach is final.
	rec = sendIf(t, fe.h, http.MethodPatch, entry, fe.lviv, `"4"`, `{"status": "declined"}`)
	assert.Contains(t, requireProblem(t, rec, http.StatusBadRequest).Detail, "final")

	var one graph.ShortlistEntry
	rec = do(t, fe.h, http.MethodGet, entry)
	decode(t, rec, http.StatusOK, &one)
	assert.Equal(t, e, one)
	assert.Equal(t, `"4"`, rec.Header().Get("ETag"))
	var list struct {
		Request string                 `json:"request"`
		Items   []graph.ShortlistEntry `json:"items"`
	}
	decode(t, do(t, fe.h, http.MethodGet, base+"/shortlist"), http.StatusOK, &list)
	require.Len(t, list.Items, 1)

	// The audit log says who did what, newest first.
	var log struct {
		Items []graph.AuditEntry `json:"items"`
	}
	decode(t, do(t, fe.h, http.MethodGet, "/v1/audit?request="+r.ID), http.StatusOK, &log)
	var actions []string
	for _, a := range log.Items {
		actions = append(actions, a.Action+" by "+a.By.Name)
	}
	assert.Equal(t, []string{
		"shortlist.move by Lviv city hall", "shortlist.move by Lyon city hall", "shortlist.move by Lviv city hall",
		"shortlist.add by Lviv city hall", "request.create by Lviv city hall",
	}, actions)
	assert.Contains(t, log.Items[0].Detail, "in_talks → signed")
	decode(t, do(t, fe.h, http.MethodGet, "/v1/audit?municipality=fr-lyon&limit=2"), http.StatusOK, &log)
	assert.Len(t, log.Items, 2)
}

func TestWorkflowRequestUpdatesAndLists(t *testing.T) {
	fe := newFlowEnv(t)
	r := fe.postRequest(t)
	base := "/v1/requests/" + r.ID

	rec := do(t, fe.h, http.MethodGet, base)
	var got graph.Request
	decode(t, rec, http.StatusOK, &got)
	assert.Equal(t, r, got)
	assert.Equal(t, `"1"`, rec.Header().Get("ETag"))

	rec = sendIf(t, fe.h, http.MethodPatch, base, fe.lviv, "", `{"status": "paused"}`)
	requireProblem(t, rec, http.StatusPreconditionRequired)
	rec = sendIf(t, fe.h, http.MethodPatch, base, fe.lviv, `"x1"`, `{"status": "paused"}`)
	assert.Equal(t, "If-Match", requireProblem(t, rec, http.StatusBadRequest).Param)
	rec = sendIf(t, fe.h, http.MethodPatch, base, fe.lviv, `"1"`, `{"status": "paused", "needs": ["water"]}`)
	decode(t, rec, http.StatusOK, &got)
	assert.Equal(t, graph.RequestPaused, got.Status)
	assert.Equal(t, []string{"water"}, got.Needs)
	assert.Equal(t, int64(2), got.Version)

	// Paused requests take no new candidates.
	rec = send(t, fe.h, http.MethodPost, base+"/shortlist", fe.lviv, `{"candidate": "fr-lyon"}`)
	assert.Contains(t, requireProblem(t, rec, http.StatusConflict).Detail, "paused")

	var list struct {
		Items []workflow.RequestSummary `json:"items"`
		Total int                       `json:"total"`
	}
	decode(t, do(t, fe.h, http.MethodGet, "/v1/requests?status=paused&region=UA-46&theme=water"), http.StatusOK, &list)
	require.Equal(t, 1, list.Total)
	assert.Equal(t, "Lviv", list.Items[0].MunicipalityName)
	assert.Equal(t, "UA-46", list.Items[0].Region.Code)
	for _, q := range []string{"status=open", "region=UA-63", "theme=health", "municipality=ua-kyiv"} {
		decode(t, do(t, fe.h, http.MethodGet, "/v1/requests?"+q), http.StatusOK, &list)
		assert.Zero(t, list.Total, q)
	}
	rec = do(t, fe.h, http.MethodGet, "/v1/requests?theme=fishing")
	assert.Equal(t, "theme", requireProblem(t, rec, http.StatusBadRequest).Param)

	// Closed is final.
	rec = sendIf(t, fe.h, http.MethodPatch, base, fe.lviv, `"2"`, `{"status": "closed"}`)
	decode(t, rec, http.StatusOK, &got)
	rec = sendIf(t, fe.h, http.MethodPatch, base, fe.lviv, `"3"`, `{"status": "open"}`)
	assert.Contains(t, requireProblem(t, rec, http.StatusConflict).Detail, "a closed request is final")
	rec = do(t, fe.h, http.MethodGet, base+"/suggestions")
	requireProblem(t, rec, http.StatusConflict)
}

func TestWorkflowPermissions(t *testing.T) {
	fe := newFlowEnv(t)
	// Creating: an editor key, scoped to the request's municipality.
	for _, c := range []struct {
		key    string
		status int
	}{{"", http.StatusUnauthorized}, {fe.reader, http.StatusForbidden}, {fe.kharkiv, http.StatusForbidden}, {fe.lyon, http.StatusForbidden}} {
		requireProblem(t, send(t, fe.h, http.MethodPost, "/v1/requests", c.key, lvivRequestJSON), c.status)
	}
	r := fe.postRequest(t)
	base := "/v1/requests/" + r.ID
	// An unscoped editor (the association's officers) may act for anyone.
	rec := send(t, fe.h, http.MethodPost, "/v1/requests", fe.editor, strings.Replace(lvivRequestJSON, "ua-lviv", "ua-kharkiv", 1))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())

	// Changing: the owner, or an unscoped editor or admin.
	for _, key := range []string{fe.kharkiv, fe.lyon, fe.reader} {
		rec = sendIf(t, fe.h, http.MethodPatch, base, key, `"1"`, `{"title": "hijacked"}`)
		requireProblem(t, rec, http.StatusForbidden)
		rec = send(t, fe.h, http.MethodPost, base+"/shortlist", key, `{"candidate": "fr-lyon"}`)
		requireProblem(t, rec, http.StatusForbidden)
	}
	rec = sendIf(t, fe.h, http.MethodPatch, base, fe.editor, `"1"`, `{"title": "Water utility"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rec = sendIf(t, fe.h, http.MethodPatch, base, fe.admin, `"2"`, `{"title": "Water utility, energy"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	// Profiles: only the municipality's own key (or an unscoped editor).
	rec = send(t, fe.h, http.MethodPut, "/v1/profiles/fr-lyon", fe.lviv, `{"offers": ["water"]}`)
	requireProblem(t, rec, http.StatusForbidden)
	rec = send(t, fe.h, http.MethodPut, "/v1/profiles/fr-lyon", fe.lyon, `{"offers": ["water"]}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	rec = send(t, fe.h, http.MethodPut, "/v1/profiles/fr-lyon", fe.lyon, `{"offers": ["water", "health"]}`)
	requireProblem(t, rec, http.StatusPreconditionRequired)
	rec = sendIf(t, fe.h, http.MethodPut, "/v1/profiles/fr-lyon", fe.editor, `"1"`, `{"offers": ["water", "health"]}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, `"2"`, rec.Header().Get("ETag"))

	// Outreach: the request's city hall or the candidate, nobody else.
	rec = send(t, fe.h, http.MethodPost, base+"/shortlist", fe.lviv, `{"candidate": "fr-lyon"}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	rec = sendIf(t, fe.h, http.MethodPatch, base+"/shortlist/fr-lyon", fe.kharkiv, `"1"`, `{"status": "declined"}`)
	requireProblem(t, rec, http.StatusForbidden)
}

func TestWorkflowBadInputSavesNothing(t *testing.T) {
	fe := newFlowEnv(t)
	for _, c := range []struct{ body, param string }{
		{strings.Replace(lvivRequestJSON, `"water"`, `"fishing"`, 1), "needs"},
		{strings.Replace(lvivRequestJSON, `"min_population": 100000`, `"min_population": 500000, "max_population": 1000`, 1), "max_population"},
		{strings.Replace(lvivRequestJSON, `"en"`, `"english"`, 1), "languages"},
		{strings.Replace(lvivRequestJSON, `"FR"`, `"France"`, 1), "countries"},
		{strings.Replace(lvivRequestJSON, `"title": "Water utility and energy efficiency"`, `"title": " "`, 1), "title"},
		{strings.Replace(lvivRequestJSON, `"needs"`, `"wants"`, 1), "wants"},
		{`{"municipality": "ua-lviv", "title": "x", "needs": "water"}`, "needs"},
	} {
		rec := send(t, fe.h, http.MethodPost, "/v1/requests", fe.editor, c.body)
		assert.Equal(t, c.param, requireProblem(t, rec, http.StatusBadRequest).Param, c.body)
	}
	rec := send(t, fe.h, http.MethodPost, "/v1/requests", fe.editor, strings.Replace(lvivRequestJSON, "ua-lviv", "pl-krakow", 1))
	pr := requireProblem(t, rec, http.StatusBadRequest)
	assert.Equal(t, "municipality", pr.Param)
	assert.Contains(t, pr.Detail, "Ukrainian")
	rec = send(t, fe.h, http.MethodPut, "/v1/profiles/ua-kyiv", fe.editor, `{"offers": ["water"]}`)
	assert.Equal(t, "municipality", requireProblem(t, rec, http.StatusBadRequest).Param)
	rec = send(t, fe.h, http.MethodPut, "/v1/profiles/xx-nowhere", fe.editor, `{"offers": ["water"]}`)
	requireProblem(t, rec, http.StatusNotFound)

	var list struct {
		Total int `json:"total"`
	}
	decode(t, do(t, fe.h, http.MethodGet, "/v1/requests"), http.StatusOK, &list)
	assert.Zero(t, list.Total, "no refused request was stored")
	var log struct {
		Items []graph.AuditEntry `json:"items"`
	}
	decode(t, do(t, fe.h, http.MethodGet, "/v1/audit"), http.StatusOK, &log)
	assert.Empty(t, log.Items, "nor audited")

	r := fe.postRequest(t)
	base := "/v1/requests/" + r.ID
	for _, c := range []struct{ body, param string }{
		{`{"candidate": "ua-kyiv"}`, "candidate"},
		{`{"candidate": "xx-nowhere"}`, "candidate"},
		{`{"candidate": "fr-lyon", "note": "` + strings.Repeat("n", graph.MaxNote+1) + `"}`, "note"},
	} {
		rec := send(t, fe.h, http.MethodPost, base+"/shortlist", fe.lviv, c.body)
		assert.Equal(t, c.param, requireProblem(t, rec, http.StatusBadRequest).Param, c.body)
	}
	rec = sendIf(t, fe.h, http.MethodPatch, base, fe.lviv, `"1"`, `{"min_population": 5000000, "max_population": 1000}`)
	assert.Equal(t, "max_population", requireProblem(t, rec, http.StatusBadRequest).Param, "the size range upside down")
	rec = sendIf(t, fe.h, http.MethodPatch, base, fe.lviv, `"1"`, `{"max_population": 1000}`)
	assert.Equal(t, "max_population", requireProblem(t, rec, http.StatusBadRequest).Param)
	var got graph.Request
	decode(t, do(t, fe.h, http.MethodGet, base), http.StatusOK, &got)
	assert.Equal(t, r, got, "refused patches change nothing")
	requireProblem(t, do(t, fe.h, http.MethodGet, "/v1/requests/req-nowhere"), http.StatusNotFound)
	requireProblem(t, do(t, fe.h, http.MethodGet, "/v1/requests/nonsense"), http.StatusBadRequest)
	requireProblem(t, do(t, fe.h, http.MethodGet, base+"/shortlist/fr-lyon"), http.StatusNotFound)
}

func TestWorkflowConcurrentPatches(t *testing.T) {
	fe := newFlowEnv(t)
	r := fe.postRequest(t)
	const writers = 6
	codes := make(chan int, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest(http.MethodPatch, "/v1/requests/"+r.ID,
				strings.NewReader(`{"title": "Title `+string(rune('A'+i))+`"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+fe.lviv)
			req.Header.Set("If-Match", `"1"`)
			rec := httptest.NewRecorder()
			fe.h.ServeHTTP(rec, req)
			codes <- rec.Code
		}()
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	assert.Equal(t, map[int]int{http.StatusOK: 1, http.StatusPreconditionFailed: writers - 1}, count,
		"one update wins; the others learn that they were stale, none is lost silently")
}
