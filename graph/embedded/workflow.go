package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/twinning/twinning/graph"
)

// The workflow's buckets: "requests" (JSON of graph.Request by id),
// "profiles" (JSON of graph.Profile by municipality id), "shortlist" (JSON
// of graph.ShortlistEntry by "request\x00candidate") and "audit" (JSON of
// graph.AuditEntry by its Seq, 8 bytes big-endian, given by the bucket's
// sequence). A store file made before the workflow existed gets them,
// empty, when it is opened.
var (
	bucketRequests  = []byte("requests")
	bucketProfiles  = []byte("profiles")
	bucketShortlist = []byte("shortlist")
	bucketAudit     = []byte("audit")
	workflowBuckets = [][]byte{bucketRequests, bucketProfiles, bucketShortlist, bucketAudit}
)

var _ graph.Workflow = (*Store)(nil)

// ruleError carries an error of a change function (or of the store's own
// rules) through a bbolt transaction, so that it comes back unwrapped.
type ruleError struct{ err error }

func (e *ruleError) Error() string { return e.err.Error() }

// change runs fn in one write transaction under writeMu, as update does,
// except that an error fn returns as a *ruleError comes back as it is.
func (s *Store) change(ctx context.Context, op string, fn func(tx *bbolt.Tx) error) error {
	err := s.update(ctx, op, fn)
	var re *ruleError
	if errors.As(err, &re) {
		return re.err
	}
	return err
}

// getJSON decodes the value under key in bucket into v and reports whether
// there was one.
func getJSON(tx *bbolt.Tx, bucket, key []byte, v any) (bool, error) {
	data := tx.Bucket(bucket).Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("%s %q: %w", bucket, key, err)
	}
	return true, nil
}

// putJSON stores v under key in bucket.
func putJSON(tx *bbolt.Tx, bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %s %q: %w", bucket, key, err)
	}
	return tx.Bucket(bucket).Put(key, data)
}

// appendAudit gives e the next Seq and stores it.
func appendAudit(tx *bbolt.Tx, e graph.AuditEntry) error {
	b := tx.Bucket(bucketAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.Seq = int64(seq)
	return putJSON(tx, bucketAudit, binary.BigEndian.AppendUint64(nil, seq), e)
}

// shortlistKey returns the bbolt key of a shortlist entry.
func shortlistKey(request, candidate string) []byte {
	return []byte(request + "\x00" + candidate)
}

// exists reports whether the municipality is stored. The caller holds
// writeMu, so the index cannot change under it.
func (s *Store) exists(id string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.munis[id]
	return ok
}

// CreateRequest stores a new request with its audit entry: ECONFLICT when
// the id exists, EINVALID naming "municipality" when that municipality does
// not exist.
func (s *Store) CreateRequest(ctx context.Context, r graph.Request, audit graph.AuditEntry) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.checkOpen(); err != nil {
		return err
	}
	if !s.exists(r.Municipality) {
		return graph.FieldErrorf("municipality", "municipality %q does not exist", r.Municipality)
	}
	return s.change(ctx, "create request", func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketRequests).Get([]byte(r.ID)) != nil {
			return &ruleError{graph.Errorf(graph.ECONFLICT, "request %s already exists", r.ID)}
		}
		if err := putJSON(tx, bucketRequests, []byte(r.ID), r); err != nil {
			return err
		}
		return appendAudit(tx, audit)
	})
}

// Request returns the request with the given id, or ENOTFOUND.
func (s *Store) Request(ctx context.Context, id string) (graph.Request, error) {
	return getRecord[graph.Request](ctx, s, "request", bucketRequests, id, "request %q does not exist")
}

// Requests returns every request, in id order.
func (s *Store) Requests(ctx context.Context) ([]graph.Request, error) {
	return allRecords[graph.Request](ctx, s, "requests", "request", bucketRequests)
}

// getRecord reads the record key of bucket (op names the read), or returns
// ENOTFOUND with the message missing, which names key with %q.
func getRecord[T any](ctx context.Context, s *Store, op string, bucket []byte, key, missing string) (T, error) {
	var v T
	err := s.view(ctx, op, func(tx *bbolt.Tx) error {
		ok, err := getJSON(tx, bucket, []byte(key), &v)
		if err == nil && !ok {
			return &ruleError{graph.Errorf(graph.ENOTFOUND, missing, key)}
		}
		return err
	})
	return v, err
}

// allRecords reads every record of bucket, in key order (op names the
// read, what a record in errors).
func allRecords[T any](ctx context.Context, s *Store, op, what string, bucket []byte) ([]T, error) {
	out := []T{}
	err := s.view(ctx, op, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, data []byte) error {
			var v T
			if err := json.Unmarshal(data, &v); err != nil {
				return fmt.Errorf("%s %q: %w", what, k, err)
			}
			out = append(out, v)
			return nil
		})
	})
	return out, err
}

// UpdateRequest applies change to the stored request and writes the result
// with the audit entry change returns.
func (s *Store) UpdateRequest(ctx context.Context, id string, change func(*graph.Request) (graph.AuditEntry, error)) (graph.Request, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.checkOpen(); err != nil {
		return graph.Request{}, err
	}
	var r graph.Request
	err := s.change(ctx, "update request", func(tx *bbolt.Tx) error {
		ok, err := getJSON(tx, bucketRequests, []byte(id), &r)
		switch {
		case err != nil:
			return err
		case !ok:
			return &ruleError{graph.Errorf(graph.ENOTFOUND, "request %q does not exist", id)}
		}
		audit, err := graph.ChangeRequest(&r, change)
		if err != nil {
			return &ruleError{err}
		}
		if err := putJSON(tx, bucketRequests, []byte(id), r); err != nil {
			return err
		}
		return appendAudit(tx, audit)
	})
	if err != nil {
		return graph.Request{}, err
	}
	return r, nil
}

// Profile returns the profile of the municipality, or ENOTFOUND.
func (s *Store) Profile(ctx context.Context, municipality string) (graph.Profile, error) {
	return getRecord[graph.Profile](ctx, s, "profile", bucketProfiles, municipality, "municipality %q has no profile")
}

// Profiles returns every profile, in municipality id order.
func (s *Store) Profiles(ctx context.Context) ([]graph.Profile, error) {
	return allRecords[graph.Profile](ctx, s, "profiles", "profile", bucketProfiles)
}

// PutProfile applies change to the municipality's profile and writes the
// result with the audit entry change returns.
func (s *Store) PutProfile(ctx context.Context, municipality string, change func(p *graph.Profile, exists bool) (graph.AuditEntry, error)) (graph.Profile, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.checkOpen(); err != nil {
		return graph.Profile{}, err
	}
	if !s.exists(municipality) {
		return graph.Profile{}, graph.FieldErrorf("municipality", "municipality %q does not exist", municipality)
	}
	var p graph.Profile
	err := s.change(ctx, "put profile", func(tx *bbolt.Tx) error {
		ok, err := getJSON(tx, bucketProfiles, []byte(municipality), &p)
		if err != nil {
			return err
		}
		audit, err := change(&p, ok)
		switch {
		case err != nil:
			return &ruleError{err}
		case p.Municipality != municipality:
			return &ruleError{graph.FieldErrorf("municipality", "a profile of %s cannot name %q", municipality, p.Municipality)}
		}
		if err := putJSON(tx, bucketProfiles, []byte(municipality), p); err != nil {
			return err
		}
		return appendAudit(tx, audit)
	})
	if err != nil {
		return graph.Profile{}, err
	}
	return p, nil
}

// Shortlist returns the entries of a request, in candidate id order, or
// ENOTFOUND when the request does not exist.
func (s *Store) Shortlist(ctx context.Context, request string) ([]graph.ShortlistEntry, error) {
	out := []graph.ShortlistEntry{}
	err := s.view(ctx, "shortlist", func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketRequests).Get([]byte(request)) == nil {
			return &ruleError{graph.Errorf(graph.ENOTFOUND, "request %q does not exist", request)}
		}
		prefix := []byte(request + "\x00")
		c := tx.Bucket(bucketShortlist).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var e graph.ShortlistEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("shortlist entry %q: %w", k, err)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// Shortlists returns the entries of every request, in request then
// candidate id order.
func (s *Store) Shortlists(ctx context.Context) ([]graph.ShortlistEntry, error) {
	return allRecords[graph.ShortlistEntry](ctx, s, "shortlists", "shortlist entry", bucketShortlist)
}

// ChangeShortlist applies change to the candidate's entry on the request's
// shortlist and writes the result, the audit entry and the partnership
// change returns, in one transaction.
func (s *Store) ChangeShortlist(ctx context.Context, request, candidate string, change func(r graph.Request, e *graph.ShortlistEntry, exists bool) (graph.ShortlistChange, error)) (graph.ShortlistEntry, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.checkOpen(); err != nil {
		return graph.ShortlistEntry{}, err
	}
	var e graph.ShortlistEntry
	var signed *graph.Partnership
	err := s.change(ctx, "change shortlist", func(tx *bbolt.Tx) error {
		var r graph.Request
		ok, err := getJSON(tx, bucketRequests, []byte(request), &r)
		switch {
		case err != nil:
			return err
		case !ok:
			return &ruleError{graph.Errorf(graph.ENOTFOUND, "request %q does not exist", request)}
		case !s.exists(candidate):
			return &ruleError{graph.FieldErrorf("candidate", "municipality %q does not exist", candidate)}
		}
		key := shortlistKey(request, candidate)
		ok, err = getJSON(tx, bucketShortlist, key, &e)
		if err != nil {
			return err
		}
		if !ok {
			e = graph.ShortlistEntry{Request: request, Candidate: candidate}
		}
		c, err := change(r, &e, ok)
		switch {
		case err != nil:
			return &ruleError{err}
		case e.Request != request || e.Candidate != candidate:
			return &ruleError{graph.FieldErrorf("candidate", "the entry of %s on %s cannot move", candidate, request)}
		}
		if p := c.Partnership; p != nil {
			if err := s.checkSigned(*p); err != nil {
				return &ruleError{err}
			}
			q := *p
			q.Normalize()
			if err := putJSON(tx, bucketPartnerships, partnershipKey(q.A, q.B), q); err != nil {
				return err
			}
			signed = &q
		}
		if err := putJSON(tx, bucketShortlist, key, e); err != nil {
			return err
		}
		return appendAudit(tx, c.Audit)
	})
	if err != nil {
		return graph.ShortlistEntry{}, err
	}
	if signed != nil {
		s.mu.Lock()
		s.addPartnership(*signed)
		s.mu.Unlock()
	}
	return e, nil
}

// checkSigned checks the partnership a shortlist change writes.
func (s *Store) checkSigned(p graph.Partnership) error {
	if err := p.Validate(); err != nil {
		return err
	}
	for _, id := range []string{p.A, p.B} {
		if !s.exists(id) {
			return graph.FieldErrorf("candidate", "partnership %s-%s: municipality %q does not exist", p.A, p.B, id)
		}
	}
	return nil
}

// Audit returns the entries of the audit log that q selects, newest first.
func (s *Store) Audit(ctx context.Context, q graph.AuditQuery) ([]graph.AuditEntry, error) {
	out := []graph.AuditEntry{}
	limit := q.EffectiveLimit()
	err := s.view(ctx, "audit", func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketAudit).Cursor()
		k, v := c.Last()
		if q.Before > 0 {
			k, v = c.Seek(binary.BigEndian.AppendUint64(nil, uint64(q.Before)))
			if k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		}
		for n := 0; k != nil && len(out) < limit; k, v = c.Prev() {
			if n++; n%checkEvery == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			var e graph.AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("audit entry %x: %w", k, err)
			}
			if q.Matches(&e) {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// view runs fn in one read transaction. An error fn returns as a
// *ruleError comes back as it is; any other is EINTERNAL.
func (s *Store) view(ctx context.Context, op string, fn func(tx *bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return contextError(op, err)
	}
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return graph.Errorf(graph.EUNAVAILABLE, "the store %s is closed", s.path)
	}
	err := s.db.View(fn)
	var re *ruleError
	switch {
	case errors.As(err, &re):
		return re.err
	case err != nil && ctx.Err() != nil:
		return contextError(op, ctx.Err())
	case err != nil:
		return graph.Wrap(graph.EINTERNAL, fmt.Errorf("%s: %w", s.path, err), "%s: reading the store failed", op)
	}
	return nil
}
