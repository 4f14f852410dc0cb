package neo4j

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"reflect"
	"strings"
	"syscall"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/twinning/twinning/graph"
)

// Defaults of a Config.
const (
	DefaultCallTimeout    = 30 * time.Second
	DefaultPingTimeout    = 2 * time.Second
	DefaultConnectTimeout = 5 * time.Second
	DefaultRetryTime      = 5 * time.Second
	DefaultSchemaTimeout  = 2 * time.Minute
	DefaultRowTimeout     = 20 * time.Millisecond
)

// Config says how to reach the Neo4j server. Zero durations take the
// defaults above.
type Config struct {
	// URI is the Bolt URI, e.g. "bolt://127.0.0.1:17687" or
	// "neo4j+s://xxxx.databases.neo4j.io".
	URI string
	// Username and Password authenticate; an empty Username means no
	// authentication (a server with auth disabled).
	Username string
	Password string
	// Database is the database to use; empty means the server's default.
	Database string

	// CallTimeout bounds every store call (the caller's context can make
	// it shorter, never longer).
	CallTimeout time.Duration
	// RowTimeout is what each row of a batch write (UpsertMunicipalities,
	// UpsertPartnerships) adds to CallTimeout: a batch is a job whose work
	// grows with its rows, not a request. With the defaults a batch of
	// 5,000 rows may take 130 s, which a healthy server beats a
	// hundredfold (about 1 s on a 2-core machine).
	RowTimeout time.Duration
	// PingTimeout bounds Ping, which a readiness probe calls often.
	PingTimeout time.Duration
	// ConnectTimeout bounds opening one connection to the server.
	ConnectTimeout time.Duration
	// RetryTime is how long the driver keeps retrying a transaction after
	// a transient error or a lost connection before the call fails. Kept
	// short so that an outage gives EUNAVAILABLE quickly instead of
	// holding requests until CallTimeout.
	RetryTime time.Duration
	// SchemaTimeout bounds setting up the schema in Open, which builds
	// indexes over the data already stored.
	SchemaTimeout time.Duration
}

// withDefaults returns cfg with zero durations replaced by the defaults.
func (cfg Config) withDefaults() Config {
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.RowTimeout <= 0 {
		cfg.RowTimeout = DefaultRowTimeout
	}
	if cfg.PingTimeout <= 0 {
		cfg.PingTimeout = DefaultPingTimeout
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.RetryTime <= 0 {
		cfg.RetryTime = DefaultRetryTime
	}
	if cfg.SchemaTimeout <= 0 {
		cfg.SchemaTimeout = DefaultSchemaTimeout
	}
	return cfg
}

// Store is a graph.Store on a Neo4j server. It holds one long-lived driver,
// which pools connections and is safe for concurrent use.
type Store struct {
	driver driver.DriverWithContext
	cfg    Config
	// chunkWritten, when set (by tests only), is called after each chunk
	// of an upsert has been sent, inside the transaction.
	chunkWritten func()
}

var _ graph.Store = (*Store)(nil)

// Open connects to the server cfg names, checks that it answers and sets up
// the schema (constraints and indexes, created only when missing). The
// error names the URI and the cause, never the password: EINVALID for a
// malformed configuration, EUNAVAILABLE when the server cannot be reached
// or refuses the credentials.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg = cfg.withDefaults()
	u, err := url.Parse(cfg.URI)
	if err != nil || u.Host == "" {
		return nil, graph.FieldErrorf("uri", "%q is not a Neo4j URI (expected e.g. bolt://127.0.0.1:17687)", cfg.URI)
	}
	if u.User != nil {
		return nil, graph.FieldErrorf("uri", "give the user name and password in the configuration, not in the URI")
	}
	auth := driver.NoAuth()
	if cfg.Username != "" {
		auth = driver.BasicAuth(cfg.Username, cfg.Password, "")
	}
	d, err := driver.NewDriverWithContext(cfg.URI, auth, func(c *config.Config) {
		c.SocketConnectTimeout = cfg.ConnectTimeout
		c.ConnectionAcquisitionTimeout = cfg.CallTimeout
		c.MaxTransactionRetryTime = cfg.RetryTime
		c.UserAgent = "twinning"
	})
	if err != nil {
		return nil, graph.Wrap(graph.EINVALID, err, "cannot use Neo4j URI %s", cfg.URI)
	}
	s := &Store{driver: d, cfg: cfg}
	verifyCtx, cancel := context.WithTimeout(ctx, cfg.CallTimeout)
	defer cancel()
	if err := d.VerifyConnectivity(verifyCtx); err != nil {
		_ = d.Close(context.Background())
		return nil, &graph.Error{Code: graph.EUNAVAILABLE, Message: fmt.Sprintf("cannot reach Neo4j at %s: %s", cfg.URI, reason(err)), Err: err}
	}
	if err := s.setupSchema(ctx); err != nil {
		_ = d.Close(context.Background())
		return nil, s.fail(err, "setting up the schema")
	}
	if err := s.refreshSearchKeys(ctx); err != nil {
		_ = d.Close(context.Background())
		return nil, s.fail(err, "refreshing the search keys")
	}
	return s, nil
}

// reason says in a few words why a connection attempt failed.
func reason(err error) string {
	var ne *driver.Neo4jError
	switch {
	case errors.As(err, &ne) && strings.HasPrefix(ne.Code, "Neo.ClientError.Security."):
		return "authentication failed (check the user name and password)"
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer in time"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (is the server running?)"
	}
	return err.Error()
}

// Close releases the driver and its connections.
func (s *Store) Close() error {
	if err := s.driver.Close(context.Background()); err != nil {
		return fmt.Errorf("closing the Neo4j driver for %s: %w", s.cfg.URI, err)
	}
	return nil
}

// Ping checks that the server answers, within PingTimeout; EUNAVAILABLE
// when it does not.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.PingTimeout)
	defer cancel()
	if err := s.driver.VerifyConnectivity(ctx); err != nil {
		return &graph.Error{Code: graph.EUNAVAILABLE, Message: "the database is unavailable", Err: fmt.Errorf("pinging Neo4j at %s: %w", s.cfg.URI, err)}
	}
	return nil
}

// bumpVersion moves the store's version (Version) in a write transaction;
// bumpMunicipalities moves it and the municipalities' (MunicipalitiesVersion).
const (
	bumpVersion        = "MERGE (v:StoreVersion {name: 'store'}) SET v.n = coalesce(v.n, 0) + 1"
	bumpMunicipalities = "MERGE (v:StoreVersion {name: 'store'}) SET v.n = coalesce(v.n, 0) + 1, v.m = coalesce(v.m, 0) + 1"
)

// Version returns the number of write transactions of municipalities and
// partnerships the store has committed, through any process of this
// release (graph.Store): each moves it, in the same transaction. The
// workflow's records (requests, shortlists, profiles) do not move it: no
// index of the graph depends on them.
func (s *Store) Version(ctx context.Context) (int64, error) {
	return s.counter(ctx, "n")
}

// MunicipalitiesVersion returns the number of write transactions of
// municipalities the store has committed (graph.Store), moved with
// Version in the same transaction.
func (s *Store) MunicipalitiesVersion(ctx context.Context) (int64, error) {
	return s.counter(ctx, "m")
}

// counter reads a counter of the version node (0 before the first write).
func (s *Store) counter(ctx context.Context, name string) (int64, error) {
	var v int64
	err := s.read(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		recs, err := run(ctx, tx, "MATCH (v:StoreVersion {name: 'store'}) RETURN v."+name, nil)
		v = 0
		if err == nil && len(recs) > 0 {
			v, _ = recs[0].Values[0].(int64)
		}
		return err
	})
	if err != nil {
		return 0, s.fail(err, "reading the store's version")
	}
	return v, nil
}

// read runs work in a read transaction under the per-call timeout; work
// must use the context it is given.
func (s *Store) read(ctx context.Context, work func(ctx context.Context, tx driver.ManagedTransaction) error) error {
	return s.transaction(ctx, txRead, s.cfg.CallTimeout, work)
}

// write runs work in a write transaction under the per-call timeout. The
// driver may run work more than once (after a transient error), so work
// must start from scratch each time.
func (s *Store) write(ctx context.Context, work func(ctx context.Context, tx driver.ManagedTransaction) error) error {
	return s.transaction(ctx, txWrite, s.cfg.CallTimeout, work)
}

// writeGraph runs work as write does, for a write of partnerships: it also
// moves the store's version (Version), in the same transaction. A write of
// municipalities goes through writeMunicipalityTx.
func (s *Store) writeGraph(ctx context.Context, work func(ctx context.Context, tx driver.ManagedTransaction) error) error {
	return s.transaction(ctx, txWriteGraph, s.cfg.CallTimeout, work)
}

// writeBatch runs work as writeGraph does, for a batch of rows: its
// timeout grows by RowTimeout a row.
func (s *Store) writeBatch(ctx context.Context, rows int, work func(ctx context.Context, tx driver.ManagedTransaction) error) error {
	return s.transaction(ctx, txWriteGraph, s.batchTimeout(rows), work)
}

// writeMunicipalityTx runs work as writeBatch does, for a write of
// municipalities (rows of them): it also moves MunicipalitiesVersion.
func (s *Store) writeMunicipalityTx(ctx context.Context, rows int, work func(ctx context.Context, tx driver.ManagedTransaction) error) error {
	return s.transaction(ctx, txWriteMunicipalities, s.batchTimeout(rows), work)
}

// The kinds of transaction.
const (
	txRead                = iota
	txWrite               // the workflow's records, the schema: no index of the graph changes
	txWriteGraph          // partnerships: the store's version moves
	txWriteMunicipalities // municipalities: it moves, and so does the municipalities'
)

// batchTimeout is the time a batch write of n rows may take.
func (s *Store) batchTimeout(n int) time.Duration {
	return s.cfg.CallTimeout + time.Duration(n)*s.cfg.RowTimeout
}

func (s *Store) transaction(ctx context.Context, kind int, timeout time.Duration, work func(ctx context.Context, tx driver.ManagedTransaction) error) error {
	write := kind != txRead
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	mode := driver.AccessModeRead
	if write {
		mode = driver.AccessModeWrite
	}
	session := s.driver.NewSession(ctx, driver.SessionConfig{AccessMode: mode, DatabaseName: s.cfg.Database})
	defer session.Close(context.Background())
	fn := func(tx driver.ManagedTransaction) (any, error) {
		if err := work(ctx, tx); err != nil || (kind != txWriteGraph && kind != txWriteMunicipalities) {
			return nil, err
		}
		// A write of the graph moves the store's version, which every
		// serve process watches (Version).
		bump := bumpVersion
		if kind == txWriteMunicipalities {
			bump = bumpMunicipalities
		}
		_, err := run(ctx, tx, bump, nil)
		return nil, err
	}
	// The server ends the transaction by itself when the call's time is up,
	// so that a client that went away holds no locks.
	txTimeout := driver.WithTxTimeout(timeout)
	var err error
	if write {
		_, err = session.ExecuteWrite(ctx, fn, txTimeout)
	} else {
		_, err = session.ExecuteRead(ctx, fn, txTimeout)
	}
	if err == nil {
		return nil
	}
	// A deadline that passed while the driver waited is the server being
	// too slow or away; report it as such rather than as the driver's
	// last error.
	if ctx.Err() != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		var appErr *graph.Error
		if !errors.As(err, &appErr) {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
	}
	return err
}

// run runs one statement in tx and collects its records.
func run(ctx context.Context, tx driver.ManagedTransaction, cypher string, params map[string]any) ([]*driver.Record, error) {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

// fail maps err to a graph error that says what failed: application errors
// pass through, errors of the caller's own making (a callback's error, a
// cancelled context) keep their identity, driver errors get a code.
func (s *Store) fail(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var appErr *graph.Error
	if errors.As(err, &appErr) {
		return err
	}
	what := fmt.Sprintf(format, args...)
	switch code := classify(err); code {
	case graph.EUNAVAILABLE:
		return &graph.Error{Code: code, Message: "the database is unavailable", Err: fmt.Errorf("%s on Neo4j at %s: %w", what, s.cfg.URI, err)}
	case graph.ECONFLICT:
		return &graph.Error{Code: code, Message: "the change clashes with what is stored (a unique id or code is taken)", Err: fmt.Errorf("%s: %w", what, err)}
	case "":
		return fmt.Errorf("%s: %w", what, err)
	default:
		return &graph.Error{Code: code, Message: "internal error", Err: fmt.Errorf("%s: %w", what, err)}
	}
}

// classify returns the graph code of a driver error: EUNAVAILABLE for
// connectivity, timeouts and transient server states, ECONFLICT for
// constraint violations, "" for a cancelled context (the caller's choice,
// not a failure), EINTERNAL for the rest.
func classify(err error) string {
	var found string
	walk(err, func(e error) bool {
		switch x := e.(type) {
		case *driver.ConnectivityError, *driver.TokenExpiredError, *net.OpError:
			found = graph.EUNAVAILABLE
		case *driver.Neo4jError:
			switch {
			case x.Code == "Neo.ClientError.Schema.ConstraintValidationFailed":
				found = graph.ECONFLICT
			case strings.HasPrefix(x.Code, "Neo.TransientError."),
				strings.HasPrefix(x.Code, "Neo.ClientError.Security."),
				x.Code == "Neo.ClientError.Cluster.NotALeader",
				x.Code == "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase":
				found = graph.EUNAVAILABLE
			}
		default:
			switch {
			case errors.Is(e, context.DeadlineExceeded), errors.Is(e, syscall.ECONNREFUSED),
				errors.Is(e, syscall.ECONNRESET), errors.Is(e, io.EOF), errors.Is(e, io.ErrUnexpectedEOF):
				found = graph.EUNAVAILABLE
			case errors.Is(e, context.Canceled):
				found = "-"
			}
		}
		if found == "" {
			if t, ok := e.(interface{ Timeout() bool }); ok && t.Timeout() {
				found = graph.EUNAVAILABLE
			}
		}
		return found != ""
	})
	switch found {
	case "":
		return graph.EINTERNAL
	case "-":
		return ""
	}
	return found
}

// walk calls visit on err and every error it wraps, including the errors
// kept by driver types that do not implement Unwrap, until visit returns
// true.
func walk(err error, visit func(error) bool) bool {
	if err == nil {
		return false
	}
	if visit(err) {
		return true
	}
	switch x := err.(type) {
	case *driver.TransactionExecutionLimit:
		for i := len(x.Errors) - 1; i >= 0; i-- {
			if walk(x.Errors[i], visit) {
				return true
			}
		}
		return false
	case *driver.ConnectivityError:
		return walk(x.Inner, visit)
	case interface{ Unwrap() []error }:
		for _, e := range x.Unwrap() {
			if walk(e, visit) {
				return true
			}
		}
		return false
	}
	if inner := driverCause(err); inner != nil {
		return walk(inner, visit)
	}
	return walk(errors.Unwrap(err), visit)
}

// driverCause returns the error kept in an Err or Inner field of a driver
// error type that does not implement Unwrap (the driver's connection read
// and write errors live in an internal package), or nil.
func driverCause(err error) error {
	v := reflect.ValueOf(err)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	for _, name := range []string{"Err", "Inner"} {
		f := v.Elem().FieldByName(name)
		if f.IsValid() && f.Kind() == reflect.Interface && f.CanInterface() && !f.IsNil() {
			if inner, ok := f.Interface().(error); ok {
				return inner
			}
		}
	}
	return nil
}
