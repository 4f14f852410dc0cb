package datafetch_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/internal/datafetch"
	"github.com/twinning/twinning/internal/datafetch/fetchtest"
)

// testdata is the repository's testdata folder.
var testdata = filepath.Join("..", "..", "testdata")

func fetcher(srv *fetchtest.Server, log *bytes.Buffer) *datafetch.Fetcher {
	return &datafetch.Fetcher{Mirror: srv.URL, Retries: 3, Backoff: time.Millisecond, Log: log, UserAgent: "twinning-test"}
}

func source(t *testing.T, name string) datafetch.Source {
	srcs, err := datafetch.Select(datafetch.Sources(), name)
	require.NoError(t, err)
	require.Len(t, srcs, 1)
	return srcs[0]
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestFetchEverySource fetches every source from the fixture server: each
// file lands where import all reads it, converted and checked, and the
// manifest records each download's address, size and SHA-256. A second run
// finds every file unchanged (the publisher answers 304 to the ETag), and
// a changed file alone is downloaded again.
func TestFetchEverySource(t *testing.T) {
	srv := fetchtest.NewServer(t, testdata)
	dir := t.TempDir()
	var log bytes.Buffer
	f := fetcher(srv, &log)
	srcs := datafetch.Sources()
	res, err := f.Fetch(context.Background(), dir, srcs)
	require.NoError(t, err)
	require.Len(t, res, len(srcs))
	for _, r := range res {
		assert.Equal(t, datafetch.StatusNew, r.Status, r.Source)
		assert.Positive(t, r.Records, r.Source)
		assert.FileExists(t, filepath.Join(dir, r.File))
	}
	m, err := datafetch.ReadManifest(dir)
	require.NoError(t, err)
	require.Len(t, m, len(srcs))
	for _, src := range srcs {
		body := srv.Body(t, src.URL)
		e := m[src.Name]
		assert.Equal(t, sum(body), e.SHA256, src.Name)
		assert.Equal(t, int64(len(body)), e.Size, src.Name)
		assert.Equal(t, src.File, e.File)
		assert.True(t, strings.HasPrefix(e.Address, srv.URL+"/"), e.Address)
		assert.False(t, e.Fetched.IsZero())
	}
	geo, err := os.ReadFile(filepath.Join(dir, "geonames", "cities15000.txt"))
	require.NoError(t, err)
	fixture, err := os.ReadFile(filepath.Join(testdata, "import", "geonames.txt"))
	require.NoError(t, err)
	assert.Equal(t, fixture, geo, "the dump comes out of its zip archive")
	assert.NoDirExists(t, filepath.Join(dir, ".fetch"), "no download is left to resume")
	for _, e := range m {
		got, err := os.ReadFile(filepath.Join(dir, e.File))
		require.NoError(t, err)
		assert.Equal(t, sum(got), e.FileSHA256, "the manifest's file_sha256 is the file's: %s", e.File)
		assert.Equal(t, int64(len(got)), e.FileSize, e.File)
	}

	res, err = f.Fetch(context.Background(), dir, srcs)
	require.NoError(t, err)
	for _, r := range res {
		assert.Equal(t, datafetch.StatusUnchanged, r.Status, r.Source)
	}
	twins := source(t, "twins")
	reqs := srv.Requests(t, twins.URL)
	assert.NotEmpty(t, reqs[len(reqs)-1].Get("If-None-Match"), "the second run asks with the ETag")
	m2, err := datafetch.ReadManifest(dir)
	require.NoError(t, err)
	assert.Equal(t, m, m2)

	changed := append(srv.Body(t, twins.URL), []byte("Ternopil,Ukraine,49.5535,25.5948,Kielce,Poland,50.8661,20.6286\n")...)
	srv.Set(t, twins.URL, changed)
	res, err = f.Fetch(context.Background(), dir, srcs)
	require.NoError(t, err)
	for _, r := range res {
		want := datafetch.StatusUnchanged
		if r.Source == "twins" {
			want = datafetch.StatusUpdated
		}
		assert.Equal(t, want, r.Status, r.Source)
	}
	got, err := os.ReadFile(filepath.Join(dir, "twins", "twin_cities.csv"))
	require.NoError(t, err)
	assert.Equal(t, changed, got)
}

// TestFetchTriesAgainAndResumes: busy answers are tried again with
// backoff, and a download cut off mid-body resumes with a Range request
// from the byte it stopped at, giving the whole file.
func TestFetchTriesAgainAndResumes(t *testing.T) {
	srv := fetchtest.NewServer(t, testdata)
	dir := t.TempDir()
	var log bytes.Buffer
	geo := source(t, "geonames-cities15000")
	srv.Fail(t, geo.URL, 2)
	hrom := source(t, "kse-hromadas")
	srv.Cut(t, hrom.URL, 700)
	res, err := fetcher(srv, &log).Fetch(context.Background(), dir, []datafetch.Source{geo, hrom})
	require.NoError(t, err, log.String())
	assert.Equal(t, datafetch.StatusNew, res[0].Status)
	assert.Len(t, srv.Requests(t, geo.URL), 3)
	assert.Contains(t, log.String(), "503 Service Unavailable; trying again")

	reqs := srv.Requests(t, hrom.URL)
	require.Len(t, reqs, 2, log.String())
	assert.Equal(t, "bytes=700-", reqs[1].Get("Range"))
	assert.NotEmpty(t, reqs[1].Get("If-Range"), "the resumed request asks for the same file")
	assert.Contains(t, log.String(), "kept, to resume")
	got, err := os.ReadFile(filepath.Join(dir, hrom.File))
	require.NoError(t, err)
	assert.Equal(t, srv.Body(t, hrom.URL), got)
	assert.Equal(t, sum(got), res[1].SHA256)
}

// TestFetchRestartsWithoutAValidator: a download cut off at a publisher
// that gives no ETag or Last-Modified is not resumed, since nothing would
// tell that the file did not change meanwhile: the next try starts again.
func TestFetchRestartsWithoutAValidator(t *testing.T) {
	srv := fetchtest.NewServer(t, testdata)
	srv.WithoutValidators()
	dir := t.TempDir()
	var log bytes.Buffer
	hrom := source(t, "kse-hromadas")
	srv.Cut(t, hrom.URL, 700)
	_, err := fetcher(srv, &log).Fetch(context.Background(), dir, []datafetch.Source{hrom})
	require.NoError(t, err, log.String())
	reqs := srv.Requests(t, hrom.URL)
	require.Len(t, reqs, 2)
	assert.Empty(t, reqs[1].Get("Range"), "no resume without a validator")
	got, err := os.ReadFile(filepath.Join(dir, hrom.File))
	require.NoError(t, err)
	assert.Equal(t, srv.Body(t, hrom.URL), got)
}

// TestFetchGivesUp: a source that stays busy fails after its retries, one
// that is not found fails at once; the others are fetched all the same,
// and the error names each failure.
func TestFetchGivesUp(t *testing.T) {
	srv := fetchtest.NewServer(t, testdata)
	dir := t.TempDir()
	var log bytes.Buffer
	twins, admin1, info := source(t, "twins"), source(t, "geonames-admin1"), source(t, "geonames-countryinfo")
	srv.Fail(t, twins.URL, 10)
	admin1.URL += ".missing"
	res, err := fetcher(srv, &log).Fetch(context.Background(), dir, []datafetch.Source{twins, admin1, info})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "2 of 3 sources failed")
	assert.Contains(t, err.Error(), "twins (")
	assert.Contains(t, err.Error(), "404 Not Found")
	assert.Len(t, srv.Requests(t, twins.URL), 4, "the first try and 3 retries")
	assert.Error(t, res[0].Err)
	assert.NoError(t, res[2].Err)
	assert.FileExists(t, filepath.Join(dir, info.File))
	m, err := datafetch.ReadManifest(dir)
	require.NoError(t, err)
	assert.Len(t, m, 1)
}

// TestFetchKeepsTheOldFileOfABadDownload: a download that is not in the
// format its importer reads (an error page, a file of other columns, a
// zip without the dump) leaves the old file and its manifest entry as
// they were.
func TestFetchKeepsTheOldFileOfABadDownload(t *testing.T) {
	srv := fetchtest.NewServer(t, testdata)
	dir := t.TempDir()
	var log bytes.Buffer
	f := fetcher(srv, &log)
	srcs, err := datafetch.Select(datafetch.Sources(), "twins,geonames-cities15000,partnership-map")
	require.NoError(t, err)
	_, err = f.Fetch(context.Background(), dir, srcs)
	require.NoError(t, err)
	before, err := datafetch.ReadManifest(dir)
	require.NoError(t, err)
	old := map[string][]byte{}
	for _, s := range srcs {
		old[s.Name], err = os.ReadFile(filepath.Join(dir, s.File))
		require.NoError(t, err)
	}
	srv.Set(t, srcs[0].URL, []byte("<!doctype html><html><body>Moved</body></html>\n"))
	srv.Set(t, srcs[1].URL, []byte("PK not a zip"))
	srv.Set(t, srcs[2].URL, []byte(`{"hromadas": "none"}`))
	_, err = f.Fetch(context.Background(), dir, srcs)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "3 of 3 sources failed")
	assert.Contains(t, err.Error(), "twins/twin_cities.csv is left as it was")
	assert.Contains(t, err.Error(), "not a zip archive")
	assert.Contains(t, err.Error(), "not the publisher's JSON")
	for _, s := range srcs {
		got, err := os.ReadFile(filepath.Join(dir, s.File))
		require.NoError(t, err)
		assert.Equal(t, old[s.Name], got, s.Name)
	}
	after, err := datafetch.ReadManifest(dir)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	left, _ := filepath.Glob(filepath.Join(dir, "*", ".*"))
	assert.Empty(t, left, "no temporary file is left beside the data")
}

// TestManifestErrors: a manifest edited by hand into another shape is
// refused with its line and field.
func TestManifestErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, datafetch.ManifestFile)
	require.NoError(t, os.WriteFile(path, []byte("source\tfile\n"), 0o644))
	_, err := datafetch.ReadManifest(dir)
	assert.ErrorContains(t, err, "manifest.tsv:1: the header is not source<TAB>file")
	require.NoError(t, os.WriteFile(path, []byte("source\tfile\taddress\tfetched\tsize\tsha256\tfile_size\tfile_sha256\tetag\tlast_modified\n"+
		"twins\tt.csv\thttp://x\tyesterday\t1\tab\t1\tab\t\t\n"), 0o644))
	_, err = datafetch.ReadManifest(dir)
	assert.ErrorContains(t, err, `manifest.tsv:2: field fetched: "yesterday" is not an RFC 3339 time`)
}

// TestSelect: names and prefixes pick sources; an unknown name is refused.
func TestSelect(t *testing.T) {
	all := datafetch.Sources()
	lau, err := datafetch.Select(all, "lau-")
	require.NoError(t, err)
	assert.Len(t, lau, len(datafetch.LAUCountries))
	two, err := datafetch.Select(all, "twins, kse-hromadas")
	require.NoError(t, err)
	assert.Equal(t, []string{"twins", "kse-hromadas"}, []string{two[0].Name, two[1].Name})
	_, err = datafetch.Select(all, "twinz")
	assert.ErrorContains(t, err, `no source is named "twinz"`)
	seen := map[string]bool{}
	for _, s := range all {
		assert.False(t, seen[s.Name], "one source a name: %s", s.Name)
		seen[s.Name] = true
		assert.True(t, strings.HasPrefix(s.URL, "https://"), s.URL)
	}
}
