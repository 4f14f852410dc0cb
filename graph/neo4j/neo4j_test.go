package neo4j

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
	"github.com/twinning/twinning/graph/storetest"
)

// serverURI returns the URI of the test server from TWINNING_NEO4J_URI. It
// skips the test when the variable is unset, or fails it when
// TWINNING_REQUIRE_NEO4J=1 says the server must be there (as in CI).
func serverURI(t testing.TB) string {
	t.Helper()
	uri := os.Getenv("TWINNING_NEO4J_URI")
	if uri == "" {
		if os.Getenv("TWINNING_REQUIRE_NEO4J") == "1" {
			t.Fatal("TWINNING_REQUIRE_NEO4J=1 but TWINNING_NEO4J_URI is unset: start the server (scripts/neo4j start; eval $(scripts/neo4j env))")
		}
		t.Skip("set TWINNING_NEO4J_URI (scripts/neo4j start; eval $(scripts/neo4j env)) to run the Neo4j tests")
	}
	return uri
}

// serverConfig returns the configuration of the test server, with the
// credentials from NEO4J_USERNAME (default neo4j) and NEO4J_PASSWORD when a
// password is set.
func serverConfig(t testing.TB) Config {
	// Generous timeouts: the tests check what the store does, not how fast
	// the server is, and on a small shared machine (CI's included, where
	// half the CPU time can go to other guests) one statement of a cold
	// server has taken over two minutes. Timeouts that the tests are about
	// set their own, short deadlines.
	return envConfig(serverURI(t), testCallTimeout, time.Minute)
}

// testCallTimeout bounds one store call in the tests: far above what a
// call takes on a healthy server, it only stops a hung test.
const testCallTimeout = 15 * time.Minute

// envConfig returns the configuration of the server at uri with the given
// timeouts, the database from TWINNING_NEO4J_DATABASE and the credentials
// from NEO4J_USERNAME (default neo4j) and NEO4J_PASSWORD when a password is
// set.
func envConfig(uri string, call, retry time.Duration) Config {
	cfg := Config{URI: uri, Database: os.Getenv("TWINNING_NEO4J_DATABASE"), CallTimeout: call, RetryTime: retry}
	if pw := os.Getenv("NEO4J_PASSWORD"); pw != "" {
		cfg.Username, cfg.Password = "neo4j", pw
		if u := os.Getenv("NEO4J_USERNAME"); u != "" {
			cfg.Username = u
		}
	}
	return cfg
}

// openEmpty opens a store on the test server, deletes everything in the
// database and closes the store when the test ends. Only this package
// touches the shared server, and its tests do not run in parallel.
func openEmpty(t testing.TB) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, serverConfig(t))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	require.NoError(t, clear(ctx, s))
	return s
}

// clear deletes every node and relationship, in batches so that a large
// database does not need one huge transaction.
func clear(ctx context.Context, s *Store) error {
	for {
		var n int64
		err := s.write(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
			recs, err := run(ctx, tx, "MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n", nil)
			if err != nil {
				return err
			}
			n, _ = recs[0].Values[0].(int64)
			return nil
		})
		if err != nil {
			return fmt.Errorf("clearing the database: %w", err)
		}
		if n == 0 {
			return nil
		}
	}
}

func TestContract(t *testing.T) {
	serverURI(t)
	storetest.Run(t, func(t *testing.T) graph.Store { return openEmpty(t) })
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		cfg  Config
		code string
		want string
	}{
		{"not a URI", Config{URI: "127.0.0.1"}, graph.EINVALID, "not a Neo4j URI"},
		{"credentials in the URI", Config{URI: "bolt://neo4j:secret-pw@127.0.0.1:1"}, graph.EINVALID, "not in the URI"},
		{"unknown scheme", Config{URI: "http://127.0.0.1:1"}, graph.EINVALID, "http://127.0.0.1:1"},
		{"nothing listening", Config{URI: "bolt://127.0.0.1:" + closedPort(t), Username: "neo4j", Password: "secret-pw", CallTimeout: 5 * time.Second}, graph.EUNAVAILABLE, "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(ctx, tc.cfg)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Equal(t, tc.code, graph.ErrorCode(err), err.Error())
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "secret-pw", "the password never shows")
			if tc.code == graph.EUNAVAILABLE {
				assert.Contains(t, graph.ErrorMessage(err), tc.cfg.URI, "the message names the URI")
			}
		})
	}
}

// closedPort returns a TCP port on 127.0.0.1 where nothing listens.
func closedPort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	_, port, err := net.SplitHostPort(l.Addr().String())
	require.NoError(t, err)
	require.NoError(t, l.Close())
	return port
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"connectivity", &driver.ConnectivityError{Inner: errors.New("broken pipe")}, graph.EUNAVAILABLE},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, graph.EUNAVAILABLE},
		{"eof", fmt.Errorf("reading: %w", io.EOF), graph.EUNAVAILABLE},
		{"deadline", fmt.Errorf("waiting: %w", context.DeadlineExceeded), graph.EUNAVAILABLE},
		{"retries of a lost connection", &driver.TransactionExecutionLimit{Cause: "timeout", Errors: []error{&driver.ConnectivityError{Inner: io.EOF}}}, graph.EUNAVAILABLE},
		{"transient", &driver.Neo4jError{Code: "Neo.TransientError.General.DatabaseUnavailable"}, graph.EUNAVAILABLE},
		{"auth", &driver.Neo4jError{Code: "Neo.ClientError.Security.Unauthorized"}, graph.EUNAVAILABLE},
		{"constraint", &driver.Neo4jError{Code: "Neo.ClientError.Schema.ConstraintValidationFailed"}, graph.ECONFLICT},
		{"wrapped constraint", fmt.Errorf("chunk 3: %w", &driver.Neo4jError{Code: "Neo.ClientError.Schema.ConstraintValidationFailed"}), graph.ECONFLICT},
		{"syntax", &driver.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError"}, graph.EINTERNAL},
		{"usage", &driver.UsageError{Message: "session closed"}, graph.EINTERNAL},
		{"other", errors.New("something else"), graph.EINTERNAL},
		{"cancelled", fmt.Errorf("run: %w", context.Canceled), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, classify(tc.err))
		})
	}

	s := &Store{cfg: Config{URI: "bolt://db.example:7687"}}
	err := s.fail(&driver.ConnectivityError{Inner: io.EOF}, "reading %q", "ua-lviv")
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(err))
	assert.Equal(t, "the database is unavailable", graph.ErrorMessage(err), "no internals in the message")
	assert.Contains(t, err.Error(), `reading "ua-lviv" on Neo4j at bolt://db.example:7687`)
	appErr := graph.Errorf(graph.ENOTFOUND, "gone")
	assert.Same(t, appErr, s.fail(appErr, "x"), "application errors pass through")
	err = s.fail(context.Canceled, "searching")
	assert.ErrorIs(t, err, context.Canceled, "a cancelled call stays recognisable")
}

// TestInterruptedBatch cancels a large upsert after some of its chunks
// have reached the server and checks that nothing of it was stored.
func TestInterruptedBatch(t *testing.T) {
	s := openEmpty(t)
	ctx := context.Background()
	_, ps := storetest.Seed(t, s)

	// Five chunks: cancelled after the second has reached the server.
	const n = 5 * chunkSize
	batch := generated(n)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := 0
	s.chunkWritten = func() {
		chunks++
		if chunks == n/chunkSize/2 {
			cancel()
		}
	}
	_, err := s.UpsertMunicipalities(cctx, batch)
	s.chunkWritten = nil
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, n/chunkSize/2, chunks, "cancelled midway, after half the chunks were written")

	c, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 9, c.Municipalities, "nothing of the interrupted batch is stored")
	assert.Equal(t, len(ps), c.Partnerships)
	for _, id := range []string{batch[0].ID, batch[n/2].ID, batch[n-1].ID} {
		_, err := s.Municipality(ctx, id)
		assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err), id)
	}
	assert.Zero(t, search(t, s, graph.Query{Text: "generated"}).Total)

	// A deadline that passes midway gives EUNAVAILABLE and stores nothing
	// either.
	dctx, dcancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer dcancel()
	_, err = s.UpsertMunicipalities(dctx, batch)
	require.Error(t, err)
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(err), err.Error())
	c, err = s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 9, c.Municipalities)

	// The store is not left in a bad state: the same batch goes in whole.
	res, err := s.UpsertMunicipalities(ctx, batch)
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{Created: n}, res)
	c, err = s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 9+n, c.Municipalities)
}

// TestBatchTimeoutGrowsWithRows holds a batch write to a timeout that
// grows with its rows: with a call timeout far below what 5,000 rows take
// (about 1 s on a 2-core machine), the batch still goes in.
func TestBatchTimeoutGrowsWithRows(t *testing.T) {
	openEmpty(t)
	ctx := context.Background()
	cfg := serverConfig(t)
	cfg.CallTimeout, cfg.RowTimeout = 300*time.Millisecond, 20*time.Millisecond
	s, err := Open(ctx, cfg)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, 300*time.Millisecond+5000*20*time.Millisecond, s.batchTimeout(5000))

	batch := generated(5000)
	res, err := s.UpsertMunicipalities(ctx, batch)
	require.NoError(t, err, "a batch of 5,000 within 300 ms + 5,000 × 20 ms")
	assert.Equal(t, 5000, res.Created)
	ps := make([]graph.Partnership, 0, 2500)
	for i := 0; i+1 < len(batch); i += 2 {
		ps = append(ps, graph.Partnership{A: batch[i].ID, B: batch[i+1].ID, Kind: graph.KindTwinning, Status: graph.StatusActive, Source: "test"})
	}
	pres, err := s.UpsertPartnerships(ctx, ps)
	require.NoError(t, err)
	assert.Equal(t, 2500, pres.Created)
}

// TestSchemaIdempotent opens a second store on a database already set up.
func TestSchemaIdempotent(t *testing.T) {
	s := openEmpty(t)
	again, err := Open(context.Background(), s.cfg)
	require.NoError(t, err)
	require.NoError(t, again.Close())

	// The model: regions, countries and themes as nodes.
	storetest.Seed(t, s)
	ctx := context.Background()
	var got []string
	err = s.read(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		recs, err := run(ctx, tx, `MATCH (m:Municipality)-[:IN_REGION]->(:Region {code: $region})-[:IN_COUNTRY]->(:Country {code: $country}),
      (m)-[:HAS_THEME]->(:Theme {name: $theme})
RETURN m.id ORDER BY m.id`, map[string]any{"region": "PL21", "country": "PL", "theme": "tourism"})
		got = nil
		for _, r := range recs {
			got = append(got, r.Values[0].(string))
		}
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"pl-krakow", "pl-zakopane"}, got)

	// The full-text index covers alternative names.
	err = s.read(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		recs, err := run(ctx, tx, `CALL db.index.fulltext.queryNodes("municipality_names", $q) YIELD node RETURN node.id`, map[string]any{"q": "Lemberg"})
		got = nil
		for _, r := range recs {
			got = append(got, r.Values[0].(string))
		}
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"ua-lviv"}, got)
}

// generated returns n valid municipalities with ids gen-00000... and
// distinct codes, in several countries and themes.
func generated(n int) []graph.Municipality {
	countries := []string{"PL", "DE", "FR", "IT", "CZ", "SK", "LT", "UA"}
	ms := make([]graph.Municipality, n)
	for i := range ms {
		c := countries[i%len(countries)]
		ms[i] = graph.Municipality{
			ID: fmt.Sprintf("gen-%05d", i), Name: fmt.Sprintf("Generated %d", i), NameLatin: fmt.Sprintf("Generated %d", i),
			AltNames: []string{fmt.Sprintf("Gen Town %d", i)},
			Country:  c, Region: graph.Region{Code: fmt.Sprintf("%s%02d", c, i%17), Name: "Region " + c},
			Kind: graph.KindTown, Population: int64(1000 + (i*7919)%500000), PopulationYear: 2021,
			Location: &graph.Point{Lat: 45 + float64(i%1000)/100, Lon: 10 + float64(i%700)/50},
			Codes:    graph.Codes{Wikidata: fmt.Sprintf("Q%d", 90000000+i)},
			Themes:   []string{graph.Themes[i%len(graph.Themes)], graph.Themes[(i+5)%len(graph.Themes)]},
			Source:   "generated",
		}
	}
	return ms
}

// search runs q and fails the test on error.
func search(t testing.TB, s graph.Store, q graph.Query) graph.Page {
	t.Helper()
	page, err := s.Search(context.Background(), q)
	require.NoError(t, err, "search %+v", q)
	return page
}

// TestMain warms a freshly started server up before the tests run: the
// first statements of each kind on a cold JVM (schema, MERGE, search,
// delete) take minutes on a small, busy machine, longer than the per-call
// timeouts the tests rely on. Without TWINNING_NEO4J_URI it does nothing.
func TestMain(m *testing.M) {
	if uri := os.Getenv("TWINNING_NEO4J_URI"); uri != "" {
		start := time.Now()
		if err := warmUp(uri); err != nil {
			fmt.Fprintf(os.Stderr, "warming up the Neo4j server at %s failed after %v: %v\n", uri, time.Since(start).Round(time.Second), err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "Neo4j server at %s warmed up in %v\n", uri, time.Since(start).Round(time.Second))
	}
	os.Exit(m.Run())
}

// warmUp opens a store with generous timeouts, writes, reads, searches and
// deletes the contract fixture, and leaves the database empty.
func warmUp(uri string) error {
	ctx := context.Background()
	cfg := envConfig(uri, testCallTimeout, time.Minute)
	cfg.SchemaTimeout = testCallTimeout
	s, err := Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := clear(ctx, s); err != nil {
		return err
	}
	ms, ps := storetest.Fixture()
	if _, err := s.UpsertMunicipalities(ctx, ms); err != nil {
		return err
	}
	if _, err := s.UpsertPartnerships(ctx, ps); err != nil {
		return err
	}
	if _, err := s.Search(ctx, graph.Query{Text: "lviv", Countries: []string{"UA"}, MinPopulation: 1}); err != nil {
		return err
	}
	if _, err := s.Partners(ctx, ms[0].ID); err != nil {
		return err
	}
	if _, err := s.Counts(ctx); err != nil {
		return err
	}
	if err := s.DeletePartnership(ctx, ps[0].A, ps[0].B); err != nil {
		return err
	}
	if err := s.DeleteMunicipality(ctx, ms[0].ID); err != nil {
		return err
	}
	return clear(ctx, s)
}

func TestSchemaNames(t *testing.T) {
	seen := map[string]bool{}
	for _, stmt := range schema {
		name := schemaName(stmt)
		require.NotEmpty(t, name, stmt)
		require.False(t, seen[name], "two schema statements name %s", name)
		seen[name] = true
	}
	for _, c := range constraintNames {
		assert.True(t, seen[c], "constraint %s is in the schema", c)
	}
}

// TestScanPages scans the contract fixture in pages of every small size and
// expects the embedded store's order and records: no record lost or
// repeated where a page ends, whatever the page size (a page ending among
// the partnerships of one municipality included).
func TestScanPages(t *testing.T) {
	serverURI(t)
	ctx := context.Background()
	neo := openEmpty(t)
	ms, ps := storetest.Seed(t, neo)
	emb := embeddedWith(t, ms, ps)

	scan := func(s graph.Store) ([]graph.Municipality, []graph.Partnership) {
		var gotM []graph.Municipality
		var gotP []graph.Partnership
		require.NoError(t, s.ScanMunicipalities(ctx, func(m graph.Municipality) error { gotM = append(gotM, m); return nil }))
		require.NoError(t, s.ScanPartnerships(ctx, func(p graph.Partnership) error { gotP = append(gotP, p); return nil }))
		return gotM, gotP
	}
	wantM, wantP := scan(emb)
	require.Len(t, wantM, len(ms))
	require.Len(t, wantP, len(ps))
	defer func(n int) { scanPageSize = n }(scanPageSize)
	for _, size := range []int{1, 2, 3, 5, len(ps) - 1, len(ps), 5000} {
		scanPageSize = size
		gotM, gotP := scan(neo)
		ids := func(ms []graph.Municipality) []string {
			out := make([]string, len(ms))
			for i, m := range ms {
				out[i] = m.ID
			}
			return out
		}
		assert.Equal(t, ids(wantM), ids(gotM), "municipalities in pages of %d", size)
		assert.Equal(t, wantP, gotP, "partnerships in pages of %d", size)
	}
}

// embeddedWith returns an embedded store in a temporary file holding ms and
// ps, closed when the test ends: the reference the Neo4j store's answers
// are compared with.
func embeddedWith(t *testing.T, ms []graph.Municipality, ps []graph.Partnership) *embedded.Store {
	t.Helper()
	ctx := context.Background()
	emb, err := embedded.Open(filepath.Join(t.TempDir(), "reference.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = emb.Close() })
	_, err = emb.UpsertMunicipalities(ctx, ms)
	require.NoError(t, err)
	_, err = emb.UpsertPartnerships(ctx, ps)
	require.NoError(t, err)
	return emb
}
