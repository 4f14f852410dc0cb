// Package embedded implements graph.Store on one local bbolt file, with the
// whole graph held in memory for reads.
//
// Every write is one bbolt transaction, committed (and so fsynced) before
// the call returns: a write that has returned survives a crash. Writes are
// validated in full before the file is touched, and the in-memory indexes
// change only after the commit succeeds, so a failed write leaves both the
// file and the memory as they were.
//
// The file holds three buckets of the graph: "meta" (the format name and
// version), "municipalities" (JSON of graph.Municipality by id) and
// "partnerships" (JSON of graph.Partnership by "a\x00b", a < b); and four
// of the partner-request workflow (graph.Workflow), described in
// workflow.go, which a file of an older build gets, empty, when opened. Open refuses a file that
// is not a bbolt file or lacks that meta bucket, and never writes to it.
package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/twinning/twinning/graph"
)

// FormatVersion is the version of the file layout this package reads and
// writes. Open refuses a file of any other version.
const FormatVersion = 1

// formatName marks a bbolt file as a twinning store.
const formatName = "twinning-graph"

// DefaultLockTimeout is how long Open waits for the file lock when another
// process holds it.
const DefaultLockTimeout = 2 * time.Second

var (
	bucketMeta           = []byte("meta")
	bucketMunicipalities = []byte("municipalities")
	bucketPartnerships   = []byte("partnerships")
	keyFormat            = []byte("format")
	keyVersion           = []byte("version")
)

// ErrInUse is returned (wrapped) by Open when another process holds the
// file's lock.
var ErrInUse = errors.New("in use by another process")

// ErrNotStore is returned (wrapped) by Open when the file exists but is not
// a twinning store of a version this package reads.
var ErrNotStore = errors.New("not a twinning store")

// Options tune Open.
type Options struct {
	// LockTimeout is how long to wait for the file lock; 0 means
	// DefaultLockTimeout.
	LockTimeout time.Duration
}

// Store is a graph.Store on a bbolt file. It is safe for concurrent use.
type Store struct {
	path string
	db   *bbolt.DB

	// writeMu serialises writers. A writer holds it from validation to the
	// update of the indexes, so it may read the indexes without mu: only
	// holders of writeMu change them, and they do so under mu.
	writeMu sync.Mutex

	// mu guards everything below.
	mu     sync.RWMutex
	closed bool
	// munis holds every municipality by id. A *record is never changed
	// once published; an update replaces it.
	munis map[string]*record
	// order holds every record by id. It is replaced, never changed in
	// place, so a scan can walk a snapshot without the lock.
	order []*record
	// codes maps a unique code name ("katottg", ...) and value to an id.
	codes map[string]map[string]string
	// partners maps an id to the partnerships it takes part in, by the id
	// at the other end. Each partnership is present under both ids.
	partners map[string]map[string]graph.Partnership
	// npartnerships counts the partnerships (pairs, not entries).
	npartnerships int
	// text holds the name keys, loose the loose keys (graph.SearchKeys).
	text, loose gramIndex
	// version counts the writes of municipalities and partnerships since
	// the store opened (Version).
	version int64
	// munVersion counts the writes of municipalities alone
	// (MunicipalitiesVersion).
	munVersion int64
}

// record is a stored municipality with its precomputed search keys.
type record struct {
	m    graph.Municipality
	keys graph.SearchKeys
}

func newRecord(m graph.Municipality) *record {
	return &record{m: m, keys: graph.NewSearchKeys(&m)}
}

// Open opens the store in the file at path, creating the file (and its
// directory) when it does not exist, with DefaultLockTimeout.
func Open(path string) (*Store, error) {
	return OpenWith(path, Options{})
}

// OpenWith opens the store in the file at path as Open does, with options.
// It fails with an error wrapping ErrInUse when another process holds the
// file, and with one wrapping ErrNotStore when the file is not a twinning
// store; in that case the file is left untouched.
func OpenWith(path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("embedded: open: empty path")
	}
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("embedded: open %s: creating directory: %w", path, err)
		}
	case err != nil:
		return nil, fmt.Errorf("embedded: open %s: %w", path, err)
	case info.IsDir():
		return nil, fmt.Errorf("embedded: open %s: is a directory, want a store file", path)
	case info.Size() > 0:
		// Check the file read-only first: a read-write open of a foreign
		// bbolt file may write to it (bbolt rewrites a missing freelist).
		if err := checkFile(path, timeout); err != nil {
			return nil, err
		}
	}

	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout})
	if err != nil {
		return nil, openError(path, timeout, err)
	}
	s := &Store{path: path, db: db}
	if err := s.init(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// openError describes an error of bbolt.Open.
func openError(path string, timeout time.Duration, err error) error {
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return fmt.Errorf("embedded: open %s: %w (no lock within %s)", path, ErrInUse, timeout)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch), errors.Is(err, bolterrors.ErrChecksum):
		return fmt.Errorf("embedded: open %s: %w (not a valid bbolt file: %v)", path, ErrNotStore, err)
	default:
		return fmt.Errorf("embedded: open %s: %w", path, err)
	}
}

// checkFile opens the existing file at path read-only and checks that it is
// a twinning store of FormatVersion.
func checkFile(path string, timeout time.Duration) (err error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		return openError(path, timeout, err)
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("embedded: open %s: closing after check: %w", path, cerr)
		}
	}()
	return guard(path, func() error {
		return db.View(func(tx *bbolt.Tx) error { return checkFormat(path, tx) })
	})
}

// guard runs fn, turning a panic (bbolt panics on some corrupt pages) into
// an error that names the file.
func guard(path string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("embedded: open %s: %w (corrupt file: %v)", path, ErrNotStore, r)
		}
	}()
	return fn()
}

// checkFormat checks the meta bucket and the data buckets.
func checkFormat(path string, tx *bbolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return fmt.Errorf("embedded: open %s: %w (a bbolt file without the %q bucket)", path, ErrNotStore, bucketMeta)
	}
	if f := string(meta.Get(keyFormat)); f != formatName {
		return fmt.Errorf("embedded: open %s: %w (format %q, want %q)", path, ErrNotStore, f, formatName)
	}
	v := string(meta.Get(keyVersion))
	if n, err := strconv.Atoi(v); err != nil || n != FormatVersion {
		return fmt.Errorf("embedded: open %s: %w (format version %q; this program reads version %d)", path, ErrNotStore, v, FormatVersion)
	}
	for _, b := range [][]byte{bucketMunicipalities, bucketPartnerships} {
		if tx.Bucket(b) == nil {
			return fmt.Errorf("embedded: open %s: %w (bucket %q is missing)", path, ErrNotStore, b)
		}
	}
	return nil
}

// init writes the meta bucket into a new file, or checks it in an existing
// one, and loads the graph into memory.
func (s *Store) init() error {
	err := guard(s.path, func() error {
		return s.db.Update(func(tx *bbolt.Tx) error {
			empty := true
			_ = tx.ForEach(func([]byte, *bbolt.Bucket) error { empty = false; return nil })
			if !empty {
				if err := checkFormat(s.path, tx); err != nil {
					return err
				}
				return createWorkflowBuckets(tx)
			}
			meta, err := tx.CreateBucket(bucketMeta)
			if err != nil {
				return err
			}
			if err := meta.Put(keyFormat, []byte(formatName)); err != nil {
				return err
			}
			if err := meta.Put(keyVersion, []byte(strconv.Itoa(FormatVersion))); err != nil {
				return err
			}
			for _, b := range [][]byte{bucketMunicipalities, bucketPartnerships} {
				if _, err := tx.CreateBucket(b); err != nil {
					return err
				}
			}
			return createWorkflowBuckets(tx)
		})
	})
	if err != nil {
		if errors.Is(err, ErrNotStore) {
			return err
		}
		return fmt.Errorf("embedded: open %s: initialising: %w", s.path, err)
	}
	return guard(s.path, func() error { return s.db.View(s.load) })
}

// createWorkflowBuckets adds the workflow's buckets where they are missing.
func createWorkflowBuckets(tx *bbolt.Tx) error {
	for _, b := range workflowBuckets {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// load reads the whole graph into the in-memory indexes.
func (s *Store) load(tx *bbolt.Tx) error {
	s.munis = map[string]*record{}
	s.codes = map[string]map[string]string{}
	s.partners = map[string]map[string]graph.Partnership{}
	s.text, s.loose = newGramIndex(), newGramIndex()
	// Decoding a record and computing its search keys is most of the
	// work: it runs on every core, the indexing after it in id order.
	type raw struct{ k, v []byte } // valid until the transaction ends
	var raws []raw
	if err := tx.Bucket(bucketMunicipalities).ForEach(func(k, v []byte) error {
		raws = append(raws, raw{k, v})
		return nil
	}); err != nil {
		return fmt.Errorf("embedded: open %s: %w", s.path, err)
	}
	recs := make([]*record, len(raws))
	errs := make([]error, len(raws))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(raws); i += workers {
				var m graph.Municipality
				if err := json.Unmarshal(raws[i].v, &m); err != nil {
					errs[i] = fmt.Errorf("municipality %q: %w", raws[i].k, err)
					continue
				}
				if m.ID != string(raws[i].k) {
					errs[i] = fmt.Errorf("municipality %q: stored under the key of %q", m.ID, raws[i].k)
					continue
				}
				recs[i] = newRecord(m)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("embedded: open %s: %w", s.path, err)
	}
	for _, r := range recs {
		m := &r.m
		for _, kv := range m.Codes.UniqueCodes() {
			if other, ok := s.codes[kv[0]][kv[1]]; ok {
				return fmt.Errorf("embedded: open %s: municipality %q: %s code %q is also held by %q", s.path, m.ID, kv[0], kv[1], other)
			}
			s.addCode(kv, m.ID)
		}
		s.munis[m.ID] = r
		s.order = append(s.order, r) // bbolt iterates keys in byte order: id order
		s.text.add(r, r.keys.Names)
		s.loose.add(r, r.keys.Loose)
	}
	var err error
	err = tx.Bucket(bucketPartnerships).ForEach(func(k, v []byte) error {
		var p graph.Partnership
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("partnership %q: %w", k, err)
		}
		if string(partnershipKey(p.A, p.B)) != string(k) || p.A >= p.B {
			return fmt.Errorf("partnership %q: holds the pair %q-%q", k, p.A, p.B)
		}
		for _, id := range []string{p.A, p.B} {
			if _, ok := s.munis[id]; !ok {
				return fmt.Errorf("partnership %q: municipality %q does not exist", k, id)
			}
		}
		s.addPartnership(p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("embedded: open %s: %w", s.path, err)
	}
	return nil
}

// Path returns the path of the store's file.
func (s *Store) Path() string { return s.path }

// Ping returns nil while the store is open and EUNAVAILABLE after Close.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded: ping: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.checkOpen()
}

// Version returns the number of writes of municipalities and partnerships
// since the store opened (graph.Store): only this process writes to the
// file, which it holds locked. The workflow's records (requests,
// shortlists, profiles) do not move it: no index of the graph depends on
// them.
func (s *Store) Version(ctx context.Context) (int64, error) {
	return s.counter(ctx, "version", &s.version)
}

// MunicipalitiesVersion returns the number of writes of municipalities
// since the store opened (graph.Store).
func (s *Store) MunicipalitiesVersion(ctx context.Context) (int64, error) {
	return s.counter(ctx, "municipalities version", &s.munVersion)
}

// counter reads one of the store's counters (what names it in errors).
func (s *Store) counter(ctx context.Context, what string, n *int64) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("embedded: %s: %w", what, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkOpen(); err != nil {
		return 0, err
	}
	return *n, nil
}

// Close waits for running writes, then closes the file. Further calls to
// the store's methods return EUNAVAILABLE; a second Close returns nil.
func (s *Store) Close() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.munis, s.order, s.codes, s.partners, s.text, s.loose = nil, nil, nil, nil, gramIndex{}, gramIndex{}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("embedded: close %s: %w", s.path, err)
	}
	return nil
}

// checkOpen returns EUNAVAILABLE once the store is closed. The caller holds
// mu or writeMu.
func (s *Store) checkOpen() error {
	if s.closed {
		return graph.Errorf(graph.EUNAVAILABLE, "the store %s is closed", s.path)
	}
	return nil
}

// partnershipKey returns the bbolt key of the partnership between a and b,
// a < b.
func partnershipKey(a, b string) []byte {
	return []byte(a + "\x00" + b)
}

// addCode records that id holds the code kv. The caller holds mu for
// writing.
func (s *Store) addCode(kv [2]string, id string) {
	byValue := s.codes[kv[0]]
	if byValue == nil {
		byValue = map[string]string{}
		s.codes[kv[0]] = byValue
	}
	byValue[kv[1]] = id
}

// addPartnership puts p (normalised) into the partner index, counting it
// when it is new. The caller holds mu for writing.
func (s *Store) addPartnership(p graph.Partnership) {
	if _, ok := s.partners[p.A][p.B]; !ok {
		s.npartnerships++
	}
	for _, e := range [][2]string{{p.A, p.B}, {p.B, p.A}} {
		m := s.partners[e[0]]
		if m == nil {
			m = map[string]graph.Partnership{}
			s.partners[e[0]] = m
		}
		m[e[1]] = p
	}
}

// removePartnership takes the partnership between a and b out of the
// partner index. The caller holds mu for writing.
func (s *Store) removePartnership(a, b string) {
	if _, ok := s.partners[a][b]; !ok {
		return
	}
	s.npartnerships--
	for _, e := range [][2]string{{a, b}, {b, a}} {
		delete(s.partners[e[0]], e[1])
		if len(s.partners[e[0]]) == 0 {
			delete(s.partners, e[0])
		}
	}
}

// clone returns a copy of m that shares no memory with it.
func clone(m graph.Municipality) graph.Municipality {
	m.AltNames = slices.Clone(m.AltNames)
	m.Themes = slices.Clone(m.Themes)
	if m.Location != nil {
		p := *m.Location
		m.Location = &p
	}
	return m
}

// contextError wraps a context's error with the operation it stopped.
func contextError(op string, err error) error {
	return fmt.Errorf("embedded: %s: %w", op, err)
}

// compareIDs orders records by id.
func compareIDs(a, b *record) int { return strings.Compare(a.m.ID, b.m.ID) }
