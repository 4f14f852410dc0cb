// Package keys keeps the API keys of a twinning server: a JSON file that
// holds, for each key, its public id, a name, a role, an optional scope
// (the municipality a city-hall key acts for) and the SHA-256 hash of the
// key's secret text, never the text itself. The command line creates, lists
// and revokes keys (twinning keys); the server authenticates requests with
// Ring.Authenticate and sees changes to the file without a restart.
package keys

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twinning/twinning/graph"
)

// Role is what a key may do.
type Role string

// Roles, each allowed what the ones before it are.
const (
	// RoleReader reads; it matters when reads need a key.
	RoleReader Role = "reader"
	// RoleEditor also changes data: partnerships, and later partner
	// requests. With a scope, only for its own municipality.
	RoleEditor Role = "editor"
	// RoleAdmin also reaches the operator's endpoints (profiling).
	RoleAdmin Role = "admin"
)

// Roles lists the roles from least to most allowed.
var Roles = []Role{RoleReader, RoleEditor, RoleAdmin}

// Allows reports whether r is at least want.
func (r Role) Allows(want Role) bool {
	return slices.Index(Roles, r) >= slices.Index(Roles, want) && slices.Contains(Roles, r)
}

// Key is one key as stored: everything but the secret.
type Key struct {
	// ID is the key's public id ("k" and 12 hex digits), the first part of
	// the key text; logs and metrics name keys by it.
	ID string `json:"id"`
	// Name says whose key it is ("Lviv city hall, international office").
	Name string `json:"name"`
	// Role is what the key may do.
	Role Role `json:"role"`
	// Scope, when set, is the id of the only municipality the key may
	// change data for.
	Scope string `json:"scope,omitempty"`
	// Hash is the hex SHA-256 of the whole key text.
	Hash string `json:"sha256"`
	// Created is when the key was made.
	Created time.Time `json:"created"`
	// Revoked is when the key was revoked; nil while it is valid.
	Revoked *time.Time `json:"revoked,omitempty"`
}

// tokenPrefix starts every key text, so that a key pasted where it should
// not be is easy to find and to recognise.
const tokenPrefix = "twk_"

var (
	idPattern    = regexp.MustCompile(`^k[0-9a-f]{12}$`)
	tokenPattern = regexp.MustCompile(`^twk_(k[0-9a-f]{12})_[0-9a-f]{48}$`)
)

// fileFormat is the file's content.
type fileFormat struct {
	Version int   `json:"version"`
	Keys    []Key `json:"keys"`
}

// Ring is the set of keys of one file. It is safe for concurrent use; it
// reads the file again when the file changes (checked at most once per
// CheckEvery), so that a key created or revoked by the command line takes
// effect on a running server.
type Ring struct {
	path string
	// CheckEvery is how often Authenticate looks for a change of the file;
	// 0 means every second.
	CheckEvery time.Duration

	mu        sync.Mutex
	keys      []Key
	stamp     fileStamp
	checked   time.Time
	reloadErr error
}

// fileStamp identifies a version of the file.
type fileStamp struct {
	mod  time.Time
	size int64
}

// Open reads the key file at path. A missing file is an empty ring (the
// first Create writes it); a malformed one is an error that names the file
// and what is wrong.
func Open(path string) (*Ring, error) {
	if path == "" {
		return nil, graph.FieldErrorf("keys", "no key file given")
	}
	r := &Ring{path: path}
	keys, stamp, err := read(path)
	if err != nil {
		return nil, err
	}
	r.keys, r.stamp, r.checked = keys, stamp, time.Now()
	return r, nil
}

// Path returns the file of the ring.
func (r *Ring) Path() string { return r.path }

// read reads and checks the file.
func read(path string) ([]Key, fileStamp, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fileStamp{}, nil
	}
	if err != nil {
		return nil, fileStamp{}, fmt.Errorf("key file %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fileStamp{}, fmt.Errorf("key file %s: %w", path, err)
	}
	var content fileFormat
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&content); err != nil {
		return nil, fileStamp{}, graph.Wrap(graph.EINVALID, err, "key file %s is not a key file: %v", path, err)
	}
	if content.Version != 1 {
		return nil, fileStamp{}, graph.Errorf(graph.EINVALID, "key file %s: version %d, want 1", path, content.Version)
	}
	seen := map[string]bool{}
	for i, k := range content.Keys {
		if err := k.check(); err != nil {
			return nil, fileStamp{}, graph.Errorf(graph.EINVALID, "key file %s: key %d (%s): %v", path, i+1, k.ID, err)
		}
		if seen[k.ID] {
			return nil, fileStamp{}, graph.Errorf(graph.EINVALID, "key file %s: key id %s appears twice", path, k.ID)
		}
		seen[k.ID] = true
	}
	return content.Keys, fileStamp{info.ModTime(), info.Size()}, nil
}

// check returns what is wrong with a stored key, or nil.
func (k Key) check() error {
	switch {
	case !idPattern.MatchString(k.ID):
		return fmt.Errorf("id %q is not k and 12 hex digits", k.ID)
	case !slices.Contains(Roles, k.Role):
		return fmt.Errorf("role %q is not one of reader, editor, admin", k.Role)
	case k.Scope != "" && !graph.ValidID(k.Scope):
		return fmt.Errorf("scope %q is not a municipality id", k.Scope)
	case len(k.Hash) != 64 || strings.Trim(k.Hash, "0123456789abcdef") != "":
		return fmt.Errorf("sha256 is not 64 lower-case hex digits")
	}
	return nil
}

// List returns the keys, revoked ones included, in the order made.
func (r *Ring) List() []Key {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refreshLocked(true)
	return slices.Clone(r.keys)
}

// Create makes a key and writes the file. It returns the key text, which
// is shown once and never stored, and the key as stored.
func (r *Ring) Create(name string, role Role, scope string) (string, Key, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "" || len(name) > 200:
		return "", Key{}, graph.FieldErrorf("name", "must be 1 to 200 characters, saying whose key it is")
	case !slices.Contains(Roles, role):
		return "", Key{}, graph.FieldErrorf("role", "must be one of reader, editor, admin, got %q", role)
	case scope != "" && !graph.ValidID(scope):
		return "", Key{}, graph.FieldErrorf("scope", "must be a municipality id such as ua-lviv, got %q", scope)
	}
	var random [30]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", Key{}, err
	}
	id := "k" + hex.EncodeToString(random[:6])
	token := tokenPrefix + id + "_" + hex.EncodeToString(random[6:])
	k := Key{ID: id, Name: name, Role: role, Scope: scope, Hash: hash(token), Created: time.Now().UTC().Truncate(time.Second)}
	err := r.change(func(keys []Key) ([]Key, error) { return append(keys, k), nil })
	if err != nil {
		return "", Key{}, err
	}
	return token, k, nil
}

// Revoke marks the key with the given id as revoked and writes the file.
// Revoking a revoked key is not an error.
func (r *Ring) Revoke(id string) (Key, error) {
	var out Key
	err := r.change(func(keys []Key) ([]Key, error) {
		i := slices.IndexFunc(keys, func(k Key) bool { return k.ID == id })
		if i < 0 {
			return nil, graph.Errorf(graph.ENOTFOUND, "no key has the id %q (twinning keys list shows them)", id)
		}
		if keys[i].Revoked == nil {
			now := time.Now().UTC().Truncate(time.Second)
			keys[i].Revoked = &now
		}
		out = keys[i]
		return keys, nil
	})
	return out, err
}

// change reads the file afresh, applies edit and writes the result
// atomically (a temporary file renamed over the old one), so that a
// reader never sees half a file and a failed write leaves the old one.
func (r *Ring) change(edit func([]Key) ([]Key, error)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys, _, err := read(r.path)
	if err != nil {
		return err
	}
	keys, err = edit(keys)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(fileFormat{Version: 1, Keys: keys}, "", "  ")
	if err != nil {
		return err
	}
	if err := writeAtomically(r.path, append(b, '\n')); err != nil {
		return fmt.Errorf("key file %s: %w", r.path, err)
	}
	r.keys, r.reloadErr = keys, nil
	if info, err := os.Stat(r.path); err == nil {
		r.stamp = fileStamp{info.ModTime(), info.Size()}
	}
	r.checked = time.Now()
	return nil
}

// writeAtomically writes data to a temporary file of mode 0600 beside
// path, syncs it and renames it over path.
func writeAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// refreshLocked reads the file again if it changed since it was last read
// and the last look is older than CheckEvery (or force is true). A file that
// has become unreadable keeps the keys last read, and the error is kept
// for Err.
func (r *Ring) refreshLocked(force bool) {
	every := r.CheckEvery
	if every <= 0 {
		every = time.Second
	}
	if !force && time.Since(r.checked) < every {
		return
	}
	r.checked = time.Now()
	info, err := os.Stat(r.path)
	var stamp fileStamp
	if err == nil {
		stamp = fileStamp{info.ModTime(), info.Size()}
	} else if !errors.Is(err, os.ErrNotExist) {
		r.reloadErr = err
		return
	}
	if stamp == r.stamp {
		return
	}
	keys, stamp, err := read(r.path)
	if err != nil {
		r.reloadErr = err
		return
	}
	r.keys, r.stamp, r.reloadErr = keys, stamp, nil
}

// Err returns why the file could not be read again, or nil: the ring
// then goes on with the keys it read last.
func (r *Ring) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reloadErr
}

// Authenticate returns the valid key whose text is token. A token of the
// wrong shape, an unknown id, a wrong secret and a revoked key are all
// EUNAUTHENTICATED, with a message that does not help guessing.
func (r *Ring) Authenticate(token string) (Key, error) {
	m := tokenPattern.FindStringSubmatch(token)
	if m == nil {
		return Key{}, graph.Errorf(graph.EUNAUTHENTICATED, "the key is not a twinning key (twk_…)")
	}
	r.mu.Lock()
	r.refreshLocked(false)
	i := slices.IndexFunc(r.keys, func(k Key) bool { return k.ID == m[1] })
	var k Key
	if i >= 0 {
		k = r.keys[i]
	}
	r.mu.Unlock()
	want, _ := hex.DecodeString(k.Hash)
	got := sha256.Sum256([]byte(token))
	if i < 0 || subtle.ConstantTimeCompare(want, got[:]) != 1 || k.Revoked != nil {
		return Key{}, graph.Errorf(graph.EUNAUTHENTICATED, "the key is unknown or revoked")
	}
	return k, nil
}

// hash returns the hex SHA-256 of a key text. Key texts carry 192 random
// bits, so a fast hash is enough: there is nothing to guess from.
func hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
