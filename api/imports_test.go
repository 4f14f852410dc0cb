package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/importer"
)

// importInto is the ImportFunc of serve, on store: the importer, reporting
// its stages and written batches.
func importInto(store func() graph.Store) api.ImportFunc {
	return func(ctx context.Context, req api.ImportRequest, p api.ImportProgress) (string, error) {
		var filter importer.GeoNamesFilter
		if req.CountryInfo != "" {
			f, err := os.Open(req.CountryInfo)
			if err != nil {
				return "", err
			}
			filter.CountryNames, err = importer.ParseCountryInfo(f, "countryInfo.txt")
			f.Close()
			if err != nil {
				return "", err
			}
			filter.Countries = importer.DefaultCountries(filter.CountryNames)
		}
		im := importer.New(store(), importer.Options{Strict: req.Strict, BatchSize: req.BatchSize, Progress: p, OnBatch: p.Batch})
		rep, err := im.ImportFile(ctx, req.Kind, req.Path, filter, importer.PairOptions{CreateMissing: req.CreateMissing})
		var b strings.Builder
		if rep != nil {
			rep.WriteSummary(&b)
		}
		return b.String(), err
	}
}

// postFile sends body as the file of an import, checked against the
// contract.
func postFile(t *testing.T, h http.Handler, target, key, contentType, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return serve(t, h, req)
}

// importStatus GETs an import with key, checked against the contract.
func importStatus(t *testing.T, h http.Handler, key, id string) api.ImportStatus {
	t.Helper()
	rec := send(t, h, http.MethodGet, "/v1/admin/imports/"+id, key, "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var st api.ImportStatus
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st))
	return st
}

// waitImport follows an import until it ends.
func waitImport(t *testing.T, h http.Handler, key, id string) api.ImportStatus {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := importStatus(t, h, key, id)
		if st.Finished != nil {
			return st
		}
		require.True(t, time.Now().Before(deadline), "import %s did not end: %+v", id, st)
		time.Sleep(5 * time.Millisecond)
	}
}

// wroclaw is a twin list of a pair the sample has; bydgoszcz of one it
// lacks.
const wroclaw = "city1,country1,lat1,lng1,city2,country2,lat2,lng2\nLviv,Ukraine,49.8425,24.0322,Wrocław,Poland,51.11,17.0325\n"

const bydgoszcz = "city1,country1,lat1,lng1,city2,country2,lat2,lng2\nLviv,Ukraine,49.8425,24.0322,Bydgoszcz,Poland,53.1235,18.0084\n"

// TestImportWhileServing: an admin key sends a twin list to the serving
// API; the import runs in the background through the importer, its status
// says what it wrote, the partnership is served without a restart, and the
// server is told to reload (AfterWrite).
func TestImportWhileServing(t *testing.T) {
	var ke *keyEnv
	ke = newKeyEnv(t, api.Config{Import: importInto(func() graph.Store { return ke.store })})
	h := ke.h
	defer h.(*api.Server).Close()

	rec := postFile(t, h, "/v1/admin/imports?kind=twins", "", "text/csv", bydgoszcz)
	requireProblem(t, rec, http.StatusUnauthorized)
	rec = postFile(t, h, "/v1/admin/imports?kind=twins", ke.editor, "text/csv", bydgoszcz)
	requireProblem(t, rec, http.StatusForbidden)
	rec = postFile(t, h, "/v1/admin/imports?kind=twinz", ke.admin, "text/csv", bydgoszcz)
	assert.Equal(t, "kind", requireProblem(t, rec, http.StatusBadRequest).Param)
	rec = postFile(t, h, "/v1/admin/imports?kind=twins&batch=0", ke.admin, "text/csv", bydgoszcz)
	assert.Equal(t, "batch", requireProblem(t, rec, http.StatusBadRequest).Param)
	rec = send(t, h, http.MethodPost, "/v1/admin/imports?kind=twins", ke.admin, "")
	assert.Contains(t, requireProblem(t, rec, http.StatusBadRequest).Detail, "the file is empty")
	rec = postFile(t, h, "/v1/admin/imports?kind=geonames", ke.admin, "text/tab-separated-values", "1\tKyiv\n")
	assert.Equal(t, "countries", requireProblem(t, rec, http.StatusBadRequest).Param)

	var before []graph.Partner
	before, err := ke.store.Partners(context.Background(), "ua-lviv")
	require.NoError(t, err)
	rec = postFile(t, h, "/v1/admin/imports?kind=twins&name=twin_cities.csv", ke.admin, "text/csv", bydgoszcz)
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	var st api.ImportStatus
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st))
	assert.Equal(t, "/v1/admin/imports/"+st.ID, rec.Header().Get("Location"))
	assert.Equal(t, api.ImportQueued, st.State)
	assert.Equal(t, int64(len(bydgoszcz)), st.Bytes)
	assert.Equal(t, "twin_cities.csv", st.File)

	st = waitImport(t, h, ke.admin, st.ID)
	assert.Equal(t, api.ImportDone, st.State, st.Error)
	assert.Equal(t, 1, st.BatchesWritten)
	assert.Equal(t, 1, st.RowsWritten)
	assert.Contains(t, st.Report, "twin_cities.csv")
	assert.NotNil(t, st.Started)
	assert.Positive(t, ke.writes.Load(), "the server is told to reload")
	after, err := ke.store.Partners(context.Background(), "ua-lviv")
	require.NoError(t, err)
	assert.Len(t, after, len(before)+1)
	var partners struct {
		Partners []struct {
			Municipality struct{ ID string } `json:"municipality"`
		} `json:"partners"`
	}
	getJSON(t, h, "/v1/municipalities/ua-lviv/partners", &partners)
	ids := []string{}
	for _, p := range partners.Partners {
		ids = append(ids, p.Municipality.ID)
	}
	assert.Contains(t, ids, "pl-bydgoszcz", "served without a restart")

	rec = send(t, h, http.MethodGet, "/v1/admin/imports", ke.admin, "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), st.ID)
	requireProblem(t, send(t, h, http.MethodGet, "/v1/admin/imports/"+st.ID, ke.editor, ""), http.StatusForbidden)
	assert.Equal(t, "id", requireProblem(t, send(t, h, http.MethodGet, "/v1/admin/imports/42", ke.admin, ""), http.StatusBadRequest).Param)
	requireProblem(t, send(t, h, http.MethodGet, "/v1/admin/imports/imp_aaaaaaaaaaaaaaaa", ke.admin, ""), http.StatusNotFound)
	// An ended import is forgotten when deleted.
	require.Equal(t, http.StatusOK, send(t, h, http.MethodDelete, "/v1/admin/imports/"+st.ID, ke.admin, "").Code)
	requireProblem(t, send(t, h, http.MethodGet, "/v1/admin/imports/"+st.ID, ke.admin, ""), http.StatusNotFound)

	// A bad file fails with the importer's words; a geonames dump goes as
	// multipart with its country table.
	rec = postFile(t, h, "/v1/admin/imports?kind=twins&strict=true", ke.admin, "text/csv", "city1,country1\nLviv,Ukraine\n")
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st))
	st = waitImport(t, h, ke.admin, st.ID)
	assert.Equal(t, api.ImportFailed, st.State)
	assert.Contains(t, st.Error, "lat1")
	assert.Zero(t, st.BatchesWritten)

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, part := range [][2]string{{"file", "geonames.txt"}, {"country_info", "countryInfo.txt"}} {
		w, err := mw.CreateFormFile(part[0], part[1])
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join("..", "testdata", "import", part[1]))
		require.NoError(t, err)
		_, _ = w.Write(b)
	}
	require.NoError(t, mw.Close())
	rec = postFile(t, h, "/v1/admin/imports?kind=geonames", ke.admin, mw.FormDataContentType(), body.String())
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st))
	assert.Equal(t, "geonames.txt", st.File)
	st = waitImport(t, h, ke.admin, st.ID)
	assert.Equal(t, api.ImportDone, st.State, st.Error)
	assert.Positive(t, st.RowsWritten, "the dump's European places, kept by the country table sent with it: %s", st.Report)

	// A file over the server's limit is refused whole: 413.
	small := newKeyEnv(t, api.Config{Import: importInto(func() graph.Store { return ke.store }), ImportMaxBytes: 64})
	defer small.h.(*api.Server).Close()
	req := httptest.NewRequest(http.MethodPost, "/v1/admin/imports?kind=twins", strings.NewReader(bydgoszcz))
	req.ContentLength = -1 // sent chunked: found out while reading
	req.Header.Set("Authorization", "Bearer "+small.admin)
	requireProblem(t, serve(t, small.h, req), http.StatusRequestEntityTooLarge)
}

// TestImportQueueAndCancel: imports run one at a time in the order they
// came; a queued one is cancelled before it begins, a running one stops at
// its next batch, and Close stops the one under way.
func TestImportQueueAndCancel(t *testing.T) {
	started := make(chan string, 4)
	block := func(ctx context.Context, req api.ImportRequest, p api.ImportProgress) (string, error) {
		started <- req.Name
		p.Batch("partnerships", 10) // one batch written, then it waits for its next
		<-ctx.Done()
		return "", ctx.Err()
	}
	ke := newKeyEnv(t, api.Config{Import: block})
	h := ke.h
	post := func(name string) api.ImportStatus {
		rec := postFile(t, h, "/v1/admin/imports?kind=twins&name="+name, ke.admin, "text/csv", bydgoszcz)
		require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
		var st api.ImportStatus
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st))
		return st
	}
	a := post("a.csv")
	assert.Equal(t, "a.csv", <-started)
	b, c := post("b.csv"), post("c.csv")
	assert.Equal(t, api.ImportRunning, importStatus(t, h, ke.admin, a.ID).State)
	assert.Equal(t, api.ImportQueued, importStatus(t, h, ke.admin, b.ID).State)

	require.Equal(t, http.StatusOK, send(t, h, http.MethodDelete, "/v1/admin/imports/"+b.ID, ke.admin, "").Code)
	assert.Equal(t, api.ImportCancelled, importStatus(t, h, ke.admin, b.ID).State)
	require.Equal(t, http.StatusOK, send(t, h, http.MethodDelete, "/v1/admin/imports/"+a.ID, ke.admin, "").Code)
	st := waitImport(t, h, ke.admin, a.ID)
	assert.Equal(t, api.ImportCancelled, st.State)
	assert.Equal(t, 1, st.BatchesWritten)
	assert.Contains(t, st.Error, "whole batches only were written")

	assert.Equal(t, "c.csv", <-started, "b was passed over")
	d := post("d.csv")
	require.NoError(t, h.(*api.Server).Close())
	st = importStatus(t, h, ke.admin, c.ID)
	assert.Equal(t, api.ImportCancelled, st.State, "Close stops the import under way")
	assert.Equal(t, api.ImportCancelled, importStatus(t, h, ke.admin, d.ID).State, "and those waiting")
	rec := postFile(t, h, "/v1/admin/imports?kind=twins", ke.admin, "text/csv", bydgoszcz)
	requireProblem(t, rec, http.StatusServiceUnavailable)
	assert.EqualValues(t, 2, ke.writes.Load(), "a reload after each import that wrote a batch")
}

// TestImportsOffWithoutAnImportFunc: a server without Config.Import
// answers 503.
func TestImportsOffWithoutAnImportFunc(t *testing.T) {
	ke := newKeyEnv(t, api.Config{})
	rec := postFile(t, ke.h, "/v1/admin/imports?kind=twins", ke.admin, "text/csv", bydgoszcz)
	assert.Contains(t, requireProblem(t, rec, http.StatusServiceUnavailable).Detail, "takes no imports")
}
