package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
	"github.com/twinning/twinning/internal/sample"
	"github.com/twinning/twinning/internal/score"
)

// clearEnv unsets the variables the commands read, so that the machine's
// environment cannot change what the tests see.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{"TWINNING_STORE", "TWINNING_DATA", "TWINNING_NO_SAMPLE", "TWINNING_ADDR",
		"TWINNING_SHUTDOWN_TIMEOUT", "TWINNING_KEYS", "TWINNING_READS_NEED_KEY", "TWINNING_AS", "TWINNING_UI", "NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"} {
		t.Setenv(name, "") // empty counts as unset
	}
}

// cli runs the command line and returns the exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestSearch(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	// A read command does not create a store a mistyped -data names.
	code, _, errOut := cli(t, "search", "-data", filepath.Join(dir, "nodir", "a.db"), "Lviv")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no store at "+filepath.Join(dir, "nodir", "a.db"))
	assert.NoDirExists(t, filepath.Join(dir, "nodir"))

	data := sampleStore(t, dir)
	code, out, errOut := cli(t, "search", "-data", data, "Львів")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.GreaterOrEqual(t, len(lines), 3, out)
	assert.Regexp(t, `^ID\s+NAME\s+LATIN NAME\s+COUNTRY\s+REGION\s+KIND\s+POPULATION`, lines[0])
	assert.Regexp(t, `^ua-lviv\s+Львів\s+Lviv\s+UA\s+\S.*\s+city hromada\s+717,273\s*$`, lines[1])
	assert.Regexp(t, `^1-\d+ of \d+$`, lines[len(lines)-1])

	// Another spelling, a typo: the place still comes first, with how it
	// matched, and "did you mean" for the typo.
	code, out, errOut = cli(t, "search", "-data", data, "Lwiw")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `(?m)^ua-lviv\s+Львів.*spelling: Lviv\s*$`, out)
	assert.NotContains(t, out, "did you mean")
	code, out, errOut = cli(t, "search", "-data", data, "Lembreg")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, `no name is "Lembreg"; did you mean Lemberg (UA)?`), out)
	assert.Regexp(t, `(?m)^ua-lviv\s.*typo: Lemberg\s*$`, out)

	// Latin script, flags after the text.
	code, out2, errOut := cli(t, "search", "-data", data, "lviv", "-country", "ua")
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, errOut, "loaded the bundled sample", "the store is no longer empty")
	assert.Equal(t, lines[1], strings.Split(out2, "\n")[1])

	code, out, errOut = cli(t, "search", "-data", data, "-json", "-limit", "3", "-country", "PL,DE")
	require.Equal(t, 0, code, errOut)
	var page graph.Page
	require.NoError(t, json.Unmarshal([]byte(out), &page))
	require.Len(t, page.Items, 3)
	assert.Greater(t, page.Total, 3)
	for _, m := range page.Items {
		assert.Contains(t, []string{"PL", "DE"}, m.Country)
	}

	code, out, errOut = cli(t, "search", "-data", data, "Atlantis")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "no municipality matches (0 in all)\n", out)
}

func TestSearchWithoutSample(t *testing.T) {
	clearEnv(t)
	sc := storeConfig{backend: backendEmbedded, dataPath: filepath.Join(t.TempDir(), "empty.db"), creates: true, noSample: true}
	s, _, err := sc.open(context.Background())
	require.NoError(t, err)
	require.NoError(t, s.Close())
	data := sc.dataPath
	code, out, errOut := cli(t, "search", "-data", data, "-no-sample", "Lviv")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "no municipality matches (0 in all)\n", out)

	t.Setenv("TWINNING_NO_SAMPLE", "true")
	t.Setenv("TWINNING_DATA", data)
	code, out, errOut = cli(t, "search", "Lviv")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "no municipality matches (0 in all)\n", out, "the environment applies when no flag is given")

	// A flag beats the variable.
	code, out, errOut = cli(t, "search", "-no-sample=false", "Lviv")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "ua-lviv")
}

func TestSuggestByNameOrID(t *testing.T) {
	clearEnv(t)
	data := sampleStore(t, t.TempDir())
	code, cyrillic, errOut := cli(t, "suggest", "-data", data, "Львів")
	require.Equal(t, 0, code, errOut)
	code, latin, errOut := cli(t, "suggest", "-data", data, "Lviv")
	require.Equal(t, 0, code, errOut)
	code, byID, errOut := cli(t, "suggest", "-data", data, "ua-lviv")
	require.Equal(t, 0, code, errOut)
	code, former, errOut := cli(t, "suggest", "-data", data, "Lemberg")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, cyrillic, latin)
	assert.Equal(t, cyrillic, byID)
	assert.Equal(t, cyrillic, former)

	assert.True(t, strings.HasPrefix(latin, "Partner suggestions for Lviv (Львів), UA"), latin)
	model := score.DefaultModel().Version
	assert.Contains(t, latin, "model "+model)
	assert.Regexp(t, `RANK\s+MUNICIPALITY\s+ID\s+COUNTRY\s+POPULATION\s+DISTANCE\s+SCORE`, latin)
	rows := regexp.MustCompile(`(?m)^\s+(\d+)  .*\s(\d+ km|-)\s+(\d\.\d{3})$`).FindAllStringSubmatch(latin, -1)
	require.Len(t, rows, score.DefaultLimit, latin)
	for i, row := range rows {
		assert.Equal(t, fmt.Sprint(i+1), row[1])
	}
	factors := regexp.MustCompile(`(?m)^\s+[+-]\d\.\d{3} = [ -]\d\.\d{2} × \d\.\d{3}  \S+\s+\S.*$`).FindAllString(latin, -1)
	assert.GreaterOrEqual(t, len(factors), score.DefaultLimit, "each row lists its factors with reasons")

	code, out, errOut := cli(t, "suggest", "-data", data, "-json", "-limit", "3", "-country", "pl", "Lviv")
	require.Equal(t, 0, code, errOut)
	var res score.Result
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "ua-lviv", res.For.ID)
	assert.Equal(t, model, res.ModelVersion)
	require.Len(t, res.Suggestions, 3)
	for _, s := range res.Suggestions {
		assert.Equal(t, "PL", s.Municipality.Country)
		assert.NotEmpty(t, s.Factors)
	}
}

func TestSuggestAmbiguousName(t *testing.T) {
	clearEnv(t)
	data := sampleStore(t, t.TempDir())
	ctx := context.Background()
	store, err := embedded.Open(data)
	require.NoError(t, err)
	_, err = sample.LoadIfEmpty(ctx, store)
	require.NoError(t, err)
	// Two real towns share the name: Pervomaisk in Mykolaiv Oblast (in the
	// sample) and Pervomaisk in Luhansk Oblast.
	_, err = store.UpsertMunicipalities(ctx, []graph.Municipality{
		{ID: "ua-pervomaisk-mykolaiv", Name: "Первомайськ", NameLatin: "Pervomaisk", Country: "UA",
			Region: graph.Region{Code: "UA-48", Name: "Mykolaiv Oblast"}, Kind: graph.KindCity, Population: 62000,
			Location: &graph.Point{Lat: 48.0449, Lon: 30.8506}, Source: "test"},
		{ID: "ua-pervomaisk-luhansk", Name: "Первомайськ", NameLatin: "Pervomaisk", Country: "UA",
			Region: graph.Region{Code: "UA-09", Name: "Luhansk Oblast"}, Kind: graph.KindCity, Population: 37000,
			Location: &graph.Point{Lat: 48.6289, Lon: 38.5483}, Source: "test"},
	})
	require.NoError(t, err)
	require.NoError(t, store.Close())

	for _, name := range []string{"Pervomaisk", "Первомайськ", "PERVOMAISK"} {
		code, out, errOut := cli(t, "suggest", "-data", data, name)
		assert.Equal(t, 1, code, name)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "names 2 municipalities")
		assert.Contains(t, errOut, "ua-pervomaisk-mykolaiv")
		assert.Contains(t, errOut, "ua-pervomaisk-luhansk")
		assert.Contains(t, errOut, "Luhansk Oblast")
		assert.Contains(t, errOut, "37,000")
	}

	// The id settles it.
	code, out, errOut := cli(t, "suggest", "-data", data, "ua-pervomaisk-luhansk")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Partner suggestions for Pervomaisk (Первомайськ), UA, Luhansk Oblast")

	// A partial name lists what it could mean.
	code, _, errOut = cli(t, "suggest", "-data", data, "Pervomai")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no municipality is named exactly \"Pervomai\"")
	assert.Contains(t, errOut, "ua-pervomaisk-luhansk")

	code, _, errOut = cli(t, "suggest", "-data", data, "Atlantis")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no municipality has an id or a name like \"Atlantis\"")
}

func TestUsageErrors(t *testing.T) {
	clearEnv(t)
	data := sampleStore(t, t.TempDir())
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // in stderr
	}{
		{"no command", nil, nil, "Usage: twinning COMMAND"},
		{"unknown command", nil, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", nil, []string{"search", "-colour", "red", "Lviv"}, "-colour"},
		{"limit not a number", nil, []string{"search", "-data", data, "-limit", "ten", "Lviv"}, "-limit"},
		{"limit too big", nil, []string{"search", "-data", data, "-limit", "900", "Lviv"}, "-limit: must be between 1 and 500, got 900"},
		{"limit zero", nil, []string{"search", "-data", data, "-limit", "0", "Lviv"}, "-limit"},
		{"bad country", nil, []string{"search", "-data", data, "-country", "Poland", "Lviv"}, "-country"},
		{"bad kind", nil, []string{"search", "-data", data, "-kind", "castle", "Lviv"}, "-kind"},
		{"bad theme", nil, []string{"search", "-data", data, "-theme", "spaceflight", "Lviv"}, "-theme"},
		{"min above max", nil, []string{"search", "-data", data, "-min-population", "10", "-max-population", "1", "x"}, "-max-population"},
		{"population not a number", nil, []string{"search", "-data", data, "-min-population", "many", "x"}, "-min-population"},
		{"nothing to search", nil, []string{"search", "-data", data}, "give a TEXT"},
		{"bad store", nil, []string{"search", "-store", "mongo", "Lviv"}, "-store: must be embedded or neo4j, got \"mongo\""},
		{"bad store from env", map[string]string{"TWINNING_STORE": "mongo"}, []string{"search", "Lviv"}, "-store: must be embedded or neo4j"},
		{"bad bool from env", map[string]string{"TWINNING_NO_SAMPLE": "perhaps"}, []string{"search", "-data", data, "Lviv"}, "TWINNING_NO_SAMPLE (for -no-sample)"},
		{"suggest without name", nil, []string{"suggest", "-data", data}, "NAME_OR_ID"},
		{"suggest limit too big", nil, []string{"suggest", "-data", data, "-limit", "101", "Lviv"}, "-limit: must be between 1 and 100"},
		{"suggest bad bool", nil, []string{"suggest", "-data", data, "-include-partners=maybe", "Lviv"}, "-include-partners"},
		{"suggest bad country", nil, []string{"suggest", "-data", data, "-country", "UKR", "Lviv"}, "-country"},
		{"suggest bad theme", nil, []string{"suggest", "-data", data, "-theme", "spaceflight", "Lviv"}, "-theme"},
		{"suggest min above max", nil, []string{"suggest", "-data", data, "-min-population", "10", "-max-population", "1", "Lviv"}, "-max-population"},
		{"serve with an argument", nil, []string{"serve", "-data", data, "now"}, "serve takes no arguments"},
		{"serve bad timeout", nil, []string{"serve", "-data", data, "-shutdown-timeout", "soon"}, "-shutdown-timeout"},
		{"serve bad timeout from env", map[string]string{"TWINNING_SHUTDOWN_TIMEOUT": "soon"}, []string{"serve", "-data", data}, "TWINNING_SHUTDOWN_TIMEOUT"},
		{"serve negative rate", nil, []string{"serve", "-data", data, "-rate", "-1"}, "-rate: must be 0 (off) or a positive number"},
		{"serve zero burst", nil, []string{"serve", "-data", data, "-burst", "0"}, "-burst: must be 1 or more"},
		{"serve zero request timeout", nil, []string{"serve", "-data", data, "-request-timeout", "0s"}, "-request-timeout: must be positive"},
		{"serve bad CORS origin", nil, []string{"serve", "-data", data, "-cors-origins", "https://ok.example.org,officers"}, `-cors-origins: "officers" is not an origin`},
		{"serve reads need a key without keys", nil, []string{"serve", "-data", data, "-reads-need-key"}, "-reads-need-key needs -keys"},
		{"serve negative cache", nil, []string{"serve", "-data", data, "-suggestion-cache-mb", "-1"}, "-suggestion-cache-mb: must be between 0 and 16384"},
		{"serve cache from env", map[string]string{"TWINNING_SUGGESTION_CACHE_MB": "16385"}, []string{"serve", "-data", data}, "-suggestion-cache-mb: must be between 0 and 16384, got 16385"},
		{"keys without action", nil, []string{"keys"}, "keys needs an action"},
		{"keys unknown action", nil, []string{"keys", "rotate"}, `unknown action "rotate"`},
		{"keys create without role", nil, []string{"keys", "create", "-keys", filepath.Join(t.TempDir(), "k.json"), "-name", "x"}, "-name and -role are required"},
		{"keys revoke without id", nil, []string{"keys", "revoke", "-keys", filepath.Join(t.TempDir(), "k.json")}, "keys revoke: unexpected arguments"},
		{"serve bad CORS origin from env", map[string]string{"TWINNING_CORS_ORIGINS": "ftp://x.example.org"}, []string{"serve", "-data", data}, "-cors-origins"},
		{"batch with an argument", nil, []string{"batch", "-data", data, "UA"}, "batch takes no arguments"},
		{"batch bad from", nil, []string{"batch", "-data", data, "-from", "Ukraine"}, `-from: "Ukraine" is not an ISO 3166-1 alpha-2 code`},
		{"batch bad code", nil, []string{"batch", "-data", data, "-candidate-code", "postcode"}, `-candidate-code: unknown code "postcode" (known: katottg, lau, nuts3, geonames, wikidata)`},
		{"batch bad format", nil, []string{"batch", "-data", data, "-format", "xlsx"}, `-format: must be csv or json, got "xlsx"`},
		{"batch no workers", nil, []string{"batch", "-data", data, "-workers", "0"}, "-workers: must be between 1 and 256, got 0"},
		{"batch limit too big", nil, []string{"batch", "-data", data, "-limit", "101"}, "-limit: must be between 1 and 100"},
		{"batch diversity too big", nil, []string{"batch", "-data", data, "-diversity", "1.5"}, "-diversity: must be between 0 (off) and 1, got 1.5"},
		{"suggest negative diversity", nil, []string{"suggest", "-data", data, "-diversity", "-0.1", "Lviv"}, "-diversity: must be between 0 (off) and 1, got -0.1"},
		{"suggest unknown language", nil, []string{"suggest", "-data", data, "-lang", "de", "Lviv"}, `-lang: must be en or uk, got "de"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			code, out, errOut := cli(t, tt.args...)
			assert.Equal(t, 2, code, errOut)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tt.want)
		})
	}
}

func TestHelpHidesPassword(t *testing.T) {
	clearEnv(t)
	t.Setenv("NEO4J_PASSWORD", "s3cret-pa55")
	for _, cmd := range []string{"serve", "search", "suggest"} {
		code, _, errOut := cli(t, cmd, "-h")
		assert.Equal(t, 0, code)
		assert.Contains(t, errOut, "-neo4j-password")
		assert.Contains(t, errOut, "NEO4J_PASSWORD")
		assert.NotContains(t, errOut, "s3cret-pa55")
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader in different
// goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// servingAddr waits for the "serving" log line of a serve command running
// in the background and returns the address it tells; it fails the test
// when the command exits first.
func servingAddr(t *testing.T, stderr *syncBuffer, done <-chan int) string {
	t.Helper()
	deadline := time.After(slow) // opening the store loads the sample first
	for {
		for line := range strings.SplitSeq(stderr.String(), "\n") {
			var entry struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "serving" {
				return entry.Addr
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before serving: %s", code, stderr.String())
		case <-deadline:
			t.Fatalf("serve did not log its address within 2 minutes: %s", stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// waitReady waits for /readyz: the engine has loaded the sample.
func waitReady(t *testing.T, base string) {
	t.Helper()
	client := &http.Client{Timeout: slow}
	require.Eventually(t, func() bool {
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, slow, 20*time.Millisecond, "the engine loads")
}

// slow bounds every wait of the serve tests: a client call, the engine's
// load, a reload. It only stops a hung test; under the race detector on a
// busy 2-core machine a first request has taken over 5 s.
const slow = 10 * time.Minute

func TestServe(t *testing.T) {
	clearEnv(t)
	t.Setenv("NEO4J_PASSWORD", "s3cret-pa55")
	data := sampleStore(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data", data}, &stdout, &stderr) }()

	addr := servingAddr(t, &stderr, done)
	base := "http://" + addr
	client := &http.Client{Timeout: slow}

	resp, err := client.Get(base + "/healthz")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	waitReady(t, base)

	resp, err = client.Get(base + "/")
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), `<script src="/assets/app.js" type="module">`, "the web page is served at /")

	resp, err = client.Get(base + "/v1/municipalities/ua-lviv/suggestions?limit=3")
	require.NoError(t, err)
	var res score.Result
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&res))
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Len(t, res.Suggestions, 3)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, stderr.String())
	case <-time.After(slow):
		t.Fatal("serve did not stop after the context was cancelled")
	}
	logs := stderr.String()
	assert.Contains(t, logs, `"msg":"server stopped"`)
	assert.Contains(t, logs, `"msg":"request"`, "the access log is on")
	assert.NotContains(t, logs, "s3cret-pa55")
	_, err = client.Get(base + "/healthz")
	assert.Error(t, err, "the port is closed after shutdown")
}

func TestServePortInUse(t *testing.T) {
	clearEnv(t)
	data := sampleStore(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data", data}, &bytes.Buffer{}, &stderr)
	}()
	addr := servingAddr(t, &stderr, done)

	code, _, errOut := cli(t, "serve", "-addr", addr, "-data", filepath.Join(t.TempDir(), "other.db"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "listen on "+addr)
	cancel()
	assert.Equal(t, 0, <-done)
}

// TestKeysAndWrites: a key made with "twinning keys create" writes a
// partnership through the API of a running "twinning serve", the graph
// analytics see the change, and "twinning keys revoke" takes the key back
// without a restart.
func TestKeysAndWrites(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "keys.json")
	code, token, errOut := cli(t, "keys", "create", "-keys", keyFile, "-name", "the association", "-role", "editor")
	require.Equal(t, 0, code, errOut)
	token = strings.TrimSpace(token)
	require.Regexp(t, `^twk_k[0-9a-f]{12}_[0-9a-f]{48}$`, token)
	id := token[4:17]
	assert.Contains(t, errOut, "created key "+id)
	code, list, errOut := cli(t, "keys", "list", "-keys", keyFile)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, list, id)
	assert.Contains(t, list, "the association")
	assert.NotContains(t, list, token, "list never shows a key")
	code, _, errOut = cli(t, "keys", "create", "-keys", keyFile, "-name", "x", "-role", "owner")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "role")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "twinning.db"), "-keys", keyFile}, &stdout, &stderr)
	}()
	base := "http://" + servingAddr(t, &stderr, done)
	client := &http.Client{Timeout: slow}
	partnerships := func() int {
		resp, err := client.Get(base + "/v1/graph/stats")
		if err != nil {
			return -1
		}
		defer resp.Body.Close()
		var stats struct {
			Partnerships int `json:"partnerships"`
		}
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&stats) != nil {
			return -1
		}
		return stats.Partnerships
	}
	require.Eventually(t, func() bool { return partnerships() == 532 }, slow, 50*time.Millisecond, "the graph snapshot loads")

	put := func() int {
		req, err := http.NewRequest(http.MethodPut, base+"/v1/partnerships/ua-lviv/de-leipzig", strings.NewReader(`{"kind": "twinning", "status": "proposed"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		return resp.StatusCode
	}
	require.Equal(t, http.StatusCreated, put())
	require.Eventually(t, func() bool { return partnerships() == 533 }, slow, 50*time.Millisecond,
		"the analytics see the new partnership after the reload")

	code, out, errOut := cli(t, "keys", "revoke", "-keys", keyFile, id)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "revoked key "+id)
	require.Eventually(t, func() bool { return put() == http.StatusUnauthorized }, slow, 100*time.Millisecond,
		"the running server refuses the revoked key")

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, stderr.String())
	case <-time.After(slow):
		t.Fatal("serve did not stop")
	}
	assert.Contains(t, stderr.String(), "reloaded after a change")
	assert.NotContains(t, stderr.String(), token, "the key is never logged")
}

// TestBatch ranks suggestions for every Ukrainian municipality of the
// sample, as CSV and as JSON, and expects for each what suggest gives.
func TestBatch(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	data := sampleStore(t, dir)
	out := filepath.Join(dir, "batch.csv")
	code, stdout, errOut := cli(t, "batch", "-data", data, "-limit", "3", "-workers", "3", "-o", out)
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, stdout)
	assert.Regexp(t, `twinning: \d+ municipalities of UA, \d+ suggestions .* model default-1, written to `, errOut)
	assert.Regexp(t, `peak resident memory \d+ MiB`, errOut)
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, batchCSVHeader(), rows[0])
	col := map[string]int{}
	for k, name := range rows[0] {
		col[name] = k
	}
	bySource := map[string][][]string{}
	var order []string
	for _, r := range rows[1:] {
		if bySource[r[0]] == nil {
			order = append(order, r[0])
		}
		bySource[r[0]] = append(bySource[r[0]], r)
	}
	require.Contains(t, bySource, "ua-lviv")
	assert.True(t, slices.IsSorted(order), "sources in index order: %v", order)

	s, err := embedded.Open(data)
	require.NoError(t, err)
	c, err := s.Counts(context.Background())
	require.NoError(t, err)
	assert.Len(t, bySource, c.ByCountry["UA"], "one source per Ukrainian municipality")
	require.NoError(t, s.Close())

	for _, id := range []string{"ua-lviv", "ua-kyiv", order[len(order)-1]} {
		code, js, errOut := cli(t, "suggest", "-data", data, "-json", "-limit", "3", id)
		require.Equal(t, 0, code, errOut)
		var want score.Result
		require.NoError(t, json.Unmarshal([]byte(js), &want))
		got := bySource[id]
		require.Len(t, got, len(want.Suggestions), id)
		for k, sg := range want.Suggestions {
			r := got[k]
			assert.Equal(t, fmt.Sprint(sg.Rank), r[col["rank"]], id)
			assert.Equal(t, sg.Municipality.ID, r[col["candidate_id"]], id)
			assert.Equal(t, formatScore(sg.Score), r[col["score"]], id)
			assert.Equal(t, sg.Reason, r[col["reason"]], id)
			for _, fc := range sg.Factors {
				assert.Equal(t, formatScore(fc.Contribution), r[col[fc.Name]], "%s, %s", id, fc.Name)
			}
		}
	}

	// JSON, to standard output: the same suggestions.
	code, js, errOut := cli(t, "batch", "-data", data, "-limit", "3", "-format", "json")
	require.Equal(t, 0, code, errOut)
	var doc struct {
		ModelVersion string         `json:"model_version"`
		Generated    time.Time      `json:"generated"`
		Results      []score.Result `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &doc))
	assert.Equal(t, "default-1", doc.ModelVersion)
	assert.False(t, doc.Generated.IsZero())
	require.Len(t, doc.Results, len(order))
	for k, r := range doc.Results {
		assert.Equal(t, order[k], r.For.ID)
		require.Len(t, r.Suggestions, len(bySource[r.For.ID]))
		for j, sg := range r.Suggestions {
			assert.Equal(t, bySource[r.For.ID][j][col["candidate_id"]], sg.Municipality.ID)
		}
	}

	// No candidate passes: one row per source, that says so.
	code, stdout, errOut = cli(t, "batch", "-data", data, "-min-population", "999999999")
	require.Equal(t, 0, code, errOut)
	empty, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, empty, 1+len(order))
	for _, r := range empty[1:] {
		assert.Empty(t, r[col["rank"]])
		assert.Equal(t, "no candidate passes the filters", r[col["reason"]])
	}

	// Only candidates with a code, and a source code nobody has: an error,
	// and the output file is left as it was.
	before, err := os.ReadFile(out)
	require.NoError(t, err)
	code, _, errOut = cli(t, "batch", "-data", data, "-source-code", "lau", "-o", out)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no municipality of UA with a lau code")
	after, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, before, after)

	// Language and diversity reach every source: Lviv's answer is the one
	// suggest gives with the same flags.
	batchJSON := func(args ...string) map[string]score.Result {
		t.Helper()
		code, js, errOut := cli(t, append([]string{"batch", "-data", data, "-limit", "5", "-format", "json"}, args...)...)
		require.Equal(t, 0, code, errOut)
		var doc struct {
			Results []score.Result `json:"results"`
		}
		require.NoError(t, json.Unmarshal([]byte(js), &doc))
		out := map[string]score.Result{}
		for _, r := range doc.Results {
			out[r.For.ID] = r
		}
		return out
	}
	code, js, errOut = cli(t, "suggest", "-data", data, "-json", "-limit", "5", "-lang", "uk", "-diversity", "0.5", "ua-lviv")
	require.Equal(t, 0, code, errOut)
	var lviv score.Result
	require.NoError(t, json.Unmarshal([]byte(js), &lviv))
	got := batchJSON("-lang", "uk", "-diversity", "0.5")["ua-lviv"]
	require.Len(t, got.Suggestions, len(lviv.Suggestions))
	for k, sg := range lviv.Suggestions {
		assert.Equal(t, sg.Municipality.ID, got.Suggestions[k].Municipality.ID)
		assert.Equal(t, sg.Reason, got.Suggestions[k].Reason)
	}
	assert.Regexp(t, `\p{Cyrillic}`, got.Suggestions[0].Reason)
	assert.Equal(t, 0.5, got.Diversity)

	// Only candidates with a LAU code: the sample has none, the LAU
	// fixture adds some.
	code, _, errOut = cli(t, "import", "lau", "-data", data, importFixture("lau.csv"))
	require.Equal(t, 0, code, errOut)
	withLAU := 0
	for id, r := range batchJSON("-candidate-code", "lau") {
		for _, sg := range r.Suggestions {
			assert.NotEmpty(t, sg.Municipality.Codes.LAU, "%s: %s", id, sg.Municipality.ID)
			withLAU++
		}
	}
	assert.Positive(t, withLAU)
}

// sampleStore creates an embedded store with the bundled sample in dir, as
// serve does, and returns its path: the read commands open an existing
// store only.
func sampleStore(t testing.TB, dir string) string {
	t.Helper()
	sc := storeConfig{backend: backendEmbedded, dataPath: filepath.Join(dir, "twinning.db"), creates: true}
	s, _, err := sc.open(context.Background())
	require.NoError(t, err)
	require.NoError(t, s.Close())
	return sc.dataPath
}

func TestVersionHelpAndNearestCommand(t *testing.T) {
	clearEnv(t)
	code, out, _ := cli(t, "version")
	assert.Equal(t, 0, code)
	assert.Regexp(t, `^twinning \S+ .*go1\.`, out)
	code, out2, _ := cli(t, "--version")
	assert.Equal(t, 0, code)
	assert.Equal(t, out, out2)

	code, _, errOut := cli(t, "serach", "Lviv")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown command "serach"; did you mean "search"?`)
	code, _, errOut = cli(t, "frobnicate")
	assert.Equal(t, 2, code)
	assert.NotContains(t, errOut, "did you mean")

	code, _, errOut = cli(t, "help", "import")
	assert.Equal(t, 0, code)
	assert.Contains(t, errOut, "Usage: twinning import KIND")
}

func TestBadFlagIsOneLine(t *testing.T) {
	clearEnv(t)
	code, _, errOut := cli(t, "suggest", "-limit", "abc", "Lviv")
	assert.Equal(t, 2, code)
	assert.Equal(t, "twinning suggest: invalid value \"abc\" for flag -limit: parse error (run 'twinning suggest -h' for the flags)\n", errOut)
}
