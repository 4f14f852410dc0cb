package neo4j

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/twinning/twinning/graph"
)

var _ graph.Workflow = (*Store)(nil)

// ruleError carries an error of a change function, or of the store's own
// rules, out of a transaction function, so that it comes back as it is:
// the driver does not retry it (it is no Neo4j error) and s.fail never
// wraps it. It has no Unwrap on purpose, so that the driver's retry test
// cannot mistake what a change function returned for a transient error.
type ruleError struct{ err error }

func (e *ruleError) Error() string { return e.err.Error() }

// outcome returns the error a workflow call gives for err, the error of
// its transaction: the error of a rule as it is, a driver error mapped by
// fail.
func (s *Store) outcome(err error, format string, args ...any) error {
	var re *ruleError
	if errors.As(err, &re) {
		return re.err
	}
	return s.fail(err, format, args...)
}

// encode returns the JSON a workflow node keeps in its doc property.
func encode(v any) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encoding %T: %w", v, err)
	}
	return string(data), nil
}

// decode reads the doc property of a workflow node into dst; what names the
// record in the error.
func decode(v any, dst any, what string) error {
	doc, ok := v.(string)
	if !ok {
		return fmt.Errorf("%s: doc is %T, want a string", what, v)
	}
	if err := json.Unmarshal([]byte(doc), dst); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// decodeAll decodes the doc of every record's first value, skipping nulls
// (a node deleted by a concurrent transaction while a read ran).
func decodeAll[T any](recs []*driver.Record, what string) ([]T, error) {
	out := make([]T, 0, len(recs))
	for _, r := range recs {
		if r.Values[0] == nil {
			continue
		}
		var x T
		if err := decode(r.Values[0], &x, what); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// count returns the integer in the first value of the first record, 0 when
// there is none.
func count(recs []*driver.Record) int64 {
	if len(recs) == 0 {
		return 0
	}
	n, _ := recs[0].Values[0].(int64)
	return n
}

// nextAuditSeq increments the audit counter and returns its new value. The
// SET reads the value it increments, so Cypher takes the counter's write
// lock before reading it; the lock is held until the transaction ends, so
// concurrent transactions get distinct numbers, in the order they commit.
// MERGE on the constrained name creates the counter once, even when two
// transactions of an empty database race to create it.
const nextAuditSeq = `MERGE (c:WorkflowCounter {name: 'audit'})
ON CREATE SET c.seq = 0
SET c.seq = c.seq + 1
RETURN c.seq AS seq`

// appendAudit gives e the next Seq and stores it. It is the last statement
// of every workflow transaction, so that the counter's lock, which every
// change takes, is held for as short a time as possible and never before a
// lock on a record (no lock-order cycle through the counter).
func appendAudit(ctx context.Context, tx driver.ManagedTransaction, e graph.AuditEntry) error {
	recs, err := run(ctx, tx, nextAuditSeq, nil)
	if err != nil {
		return err
	}
	e.Seq = count(recs)
	if e.Seq == 0 {
		return errors.New("the audit counter gave no number")
	}
	doc, err := encode(e)
	if err != nil {
		return err
	}
	_, err = run(ctx, tx, `CREATE (:AuditEntry {seq: $seq, request: $request, municipalities: $municipalities, doc: $doc})`,
		map[string]any{"seq": e.Seq, "request": str(e.Request), "municipalities": list(e.Municipalities), "doc": doc})
	return err
}

// lockRequest takes the request's write lock and then reads it: the lock
// comes first, so a concurrent change of the same request waits for this
// transaction and reads what it wrote, and no update is lost. The _lock
// property is removed by the statement that writes the request back, and a
// transaction that fails is rolled back, so it is never stored.
const lockRequest = `MATCH (r:PartnerRequest {id: $id})
SET r._lock = true
RETURN r.doc AS doc`

// lockedRequest locks and reads the request with the given id (see
// lockRequest); found is false when there is none.
func lockedRequest(ctx context.Context, tx driver.ManagedTransaction, id string) (r graph.Request, found bool, err error) {
	recs, err := run(ctx, tx, lockRequest, map[string]any{"id": id})
	if err != nil || len(recs) == 0 || recs[0].Values[0] == nil {
		return graph.Request{}, false, err
	}
	err = decode(recs[0].Values[0], &r, "request "+id)
	return r, err == nil, err
}

// CreateRequest stores a new request with its audit entry, in one
// transaction: ECONFLICT when the id exists, EINVALID naming
// "municipality" when that municipality does not exist.
func (s *Store) CreateRequest(ctx context.Context, r graph.Request, audit graph.AuditEntry) error {
	doc, err := encode(r)
	if err != nil {
		return graph.Wrap(graph.EINTERNAL, err, "internal error")
	}
	err = s.write(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		recs, err := run(ctx, tx, `OPTIONAL MATCH (m:Municipality {id: $municipality})
OPTIONAL MATCH (r:PartnerRequest {id: $id})
RETURN m IS NOT NULL AS known, r IS NOT NULL AS taken`, map[string]any{"id": r.ID, "municipality": r.Municipality})
		if err != nil {
			return err
		}
		known, _ := recs[0].Values[0].(bool)
		taken, _ := recs[0].Values[1].(bool)
		switch {
		case !known:
			return &ruleError{graph.FieldErrorf("municipality", "municipality %q does not exist", r.Municipality)}
		case taken:
			return &ruleError{graph.Errorf(graph.ECONFLICT, "request %s already exists", r.ID)}
		}
		// Two creations of the same id that both passed the check above
		// meet at the uniqueness constraint: the second fails with
		// ECONFLICT.
		recs, err = run(ctx, tx, `MATCH (m:Municipality {id: $municipality})
CREATE (r:PartnerRequest {id: $id, municipality: $municipality, status: $status, doc: $doc})
CREATE (m)-[:POSTED]->(r)
RETURN count(r) AS n`, map[string]any{"id": r.ID, "municipality": r.Municipality, "status": string(r.Status), "doc": doc})
		if err != nil {
			return err
		}
		if count(recs) != 1 {
			return &ruleError{graph.Errorf(graph.ECONFLICT, "municipality %s was deleted while request %s was created; try again", r.Municipality, r.ID)}
		}
		return appendAudit(ctx, tx, audit)
	})
	return s.outcome(err, "creating request %q", r.ID)
}

// Request returns the request with the given id, or ENOTFOUND.
func (s *Store) Request(ctx context.Context, id string) (graph.Request, error) {
	r, found, err := readDoc[graph.Request](ctx, s, "MATCH (r:PartnerRequest {id: $id}) RETURN r.doc AS doc", map[string]any{"id": id}, "request "+id)
	switch {
	case err != nil:
		return graph.Request{}, s.fail(err, "reading request %q", id)
	case !found:
		return graph.Request{}, graph.Errorf(graph.ENOTFOUND, "request %q does not exist", id)
	}
	return r, nil
}

// Requests returns every request, in id order.
func (s *Store) Requests(ctx context.Context) ([]graph.Request, error) {
	out, err := readDocs[graph.Request](ctx, s, "MATCH (r:PartnerRequest) RETURN r.doc AS doc ORDER BY r.id", "request")
	if err != nil {
		return nil, s.fail(err, "reading the requests")
	}
	return out, nil
}

// readDoc reads the document (the JSON in "doc") of the one node that
// query finds, and whether it found one; what names it in errors.
func readDoc[T any](ctx context.Context, s *Store, query string, params map[string]any, what string) (T, bool, error) {
	var (
		v     T
		found bool
	)
	err := s.read(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		recs, err := run(ctx, tx, query, params)
		v, found = *new(T), false
		if err != nil || len(recs) == 0 || recs[0].Values[0] == nil {
			return err
		}
		found = true
		return decode(recs[0].Values[0], &v, what)
	})
	return v, found, err
}

// readDocs reads the documents of every node that query returns, in its
// order; what names one in errors.
func readDocs[T any](ctx context.Context, s *Store, query, what string) ([]T, error) {
	var out []T
	err := s.read(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		recs, err := run(ctx, tx, query, nil)
		if err != nil {
			return err
		}
		out, err = decodeAll[T](recs, what)
		return err
	})
	return out, err
}

// UpdateRequest applies change to the stored request and writes the result
// with the audit entry change returns, in one transaction that holds the
// request's lock from before it is read: ENOTFOUND when the request does
// not exist, EINVALID when the change alters the id ("id") or the
// municipality ("municipality"), and an error change returns as it is.
// change may be called more than once when the driver retries the
// transaction.
func (s *Store) UpdateRequest(ctx context.Context, id string, change func(*graph.Request) (graph.AuditEntry, error)) (graph.Request, error) {
	var r graph.Request
	err := s.write(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		var (
			found bool
			err   error
		)
		r, found, err = lockedRequest(ctx, tx, id)
		switch {
		case err != nil:
			return err
		case !found:
			return &ruleError{graph.Errorf(graph.ENOTFOUND, "request %q does not exist", id)}
		}
		audit, err := graph.ChangeRequest(&r, change)
		if err != nil {
			return &ruleError{err}
		}
		doc, err := encode(r)
		if err != nil {
			return err
		}
		if _, err := run(ctx, tx, `MATCH (r:PartnerRequest {id: $id})
SET r.doc = $doc, r.status = $status
REMOVE r._lock`, map[string]any{"id": id, "doc": doc, "status": string(r.Status)}); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
	if err != nil {
		return graph.Request{}, s.outcome(err, "updating request %q", id)
	}
	return r, nil
}

// Profile returns the profile of the municipality, or ENOTFOUND.
func (s *Store) Profile(ctx context.Context, municipality string) (graph.Profile, error) {
	p, found, err := readDoc[graph.Profile](ctx, s, "MATCH (p:Profile {municipality: $id}) RETURN p.doc AS doc",
		map[string]any{"id": municipality}, "profile of "+municipality)
	switch {
	case err != nil:
		return graph.Profile{}, s.fail(err, "reading the profile of %q", municipality)
	case !found:
		return graph.Profile{}, graph.Errorf(graph.ENOTFOUND, "municipality %q has no profile", municipality)
	}
	return p, nil
}

// Profiles returns every profile, in municipality id order.
func (s *Store) Profiles(ctx context.Context) ([]graph.Profile, error) {
	out, err := readDocs[graph.Profile](ctx, s, "MATCH (p:Profile) RETURN p.doc AS doc ORDER BY p.municipality", "profile")
	if err != nil {
		return nil, s.fail(err, "reading the profiles")
	}
	return out, nil
}

// lockProfile finds or creates the profile node of a municipality that
// exists and takes its write lock before reading it. MERGE on the
// constrained key serialises two transactions that both create the
// profile: the second waits for the first and then finds its node. A node
// created here has no doc until the change is written, and is rolled back
// with the transaction when the change fails.
const lockProfile = `MATCH (m:Municipality {id: $id})
MERGE (p:Profile {municipality: $id})
SET p._lock = true
RETURN p.doc AS doc`

// PutProfile applies change to the municipality's profile (a zero Profile
// and exists false when it has none) and writes the result with the audit
// entry change returns, in one transaction that holds the profile's lock
// from before it is read: EINVALID naming "municipality" when that
// municipality does not exist or the change alters the profile's
// municipality, and an error change returns as it is. change may be called
// more than once when the driver retries the transaction.
func (s *Store) PutProfile(ctx context.Context, municipality string, change func(p *graph.Profile, exists bool) (graph.AuditEntry, error)) (graph.Profile, error) {
	var p graph.Profile
	err := s.write(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		p = graph.Profile{}
		recs, err := run(ctx, tx, lockProfile, map[string]any{"id": municipality})
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return &ruleError{graph.FieldErrorf("municipality", "municipality %q does not exist", municipality)}
		}
		exists := recs[0].Values[0] != nil
		if exists {
			if err := decode(recs[0].Values[0], &p, "profile of "+municipality); err != nil {
				return err
			}
		}
		audit, err := change(&p, exists)
		switch {
		case err != nil:
			return &ruleError{err}
		case p.Municipality != municipality:
			return &ruleError{graph.FieldErrorf("municipality", "a profile of %s cannot name %q", municipality, p.Municipality)}
		}
		doc, err := encode(p)
		if err != nil {
			return err
		}
		recs, err = run(ctx, tx, `MATCH (p:Profile {municipality: $id})
MATCH (m:Municipality {id: $id})
SET p.doc = $doc
REMOVE p._lock
MERGE (m)-[:HAS_PROFILE]->(p)
RETURN count(p) AS n`, map[string]any{"id": municipality, "doc": doc})
		if err != nil {
			return err
		}
		if count(recs) != 1 {
			return &ruleError{graph.Errorf(graph.ECONFLICT, "municipality %s was deleted while its profile was written; try again", municipality)}
		}
		return appendAudit(ctx, tx, audit)
	})
	if err != nil {
		return graph.Profile{}, s.outcome(err, "putting the profile of %q", municipality)
	}
	return p, nil
}

// Shortlist returns the entries of a request, in candidate id order:
// ENOTFOUND when the request does not exist.
func (s *Store) Shortlist(ctx context.Context, request string) ([]graph.ShortlistEntry, error) {
	var (
		out   []graph.ShortlistEntry
		found bool
	)
	err := s.read(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		out, found = nil, false
		recs, err := run(ctx, tx, "MATCH (r:PartnerRequest {id: $id}) RETURN count(r) AS n", map[string]any{"id": request})
		if err != nil || count(recs) == 0 {
			return err
		}
		found = true
		recs, err = run(ctx, tx, `MATCH (e:ShortlistEntry {request: $id})
RETURN e.doc AS doc ORDER BY e.candidate`, map[string]any{"id": request})
		if err != nil {
			return err
		}
		out, err = decodeAll[graph.ShortlistEntry](recs, "shortlist entry")
		return err
	})
	if err != nil {
		return nil, s.fail(err, "reading the shortlist of %q", request)
	}
	if !found {
		return nil, graph.Errorf(graph.ENOTFOUND, "request %q does not exist", request)
	}
	return out, nil
}

// Shortlists returns the entries of every request, in request then
// candidate id order.
func (s *Store) Shortlists(ctx context.Context) ([]graph.ShortlistEntry, error) {
	var out []graph.ShortlistEntry
	err := s.read(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		recs, err := run(ctx, tx, "MATCH (e:ShortlistEntry) RETURN e.doc AS doc ORDER BY e.request, e.candidate", nil)
		if err != nil {
			return err
		}
		out, err = decodeAll[graph.ShortlistEntry](recs, "shortlist entry")
		return err
	})
	if err != nil {
		return nil, s.fail(err, "reading the shortlists")
	}
	return out, nil
}

// ChangeShortlist applies change to the entry of the candidate on the
// request's shortlist (a zero entry carrying the two ids and exists false
// when there is none) and writes the result, the audit entry and the
// partnership change returns, in one transaction: ENOTFOUND when the
// request does not exist, EINVALID naming "candidate" when that
// municipality does not exist or the change moves the entry to another
// request or candidate, the partnership's own EINVALID when it does not
// validate, and an error change returns as it is. The transaction locks
// the request before it reads anything, so that the changes of one
// request's shortlist, the creation of an entry included, are serialised.
// A partnership is written as UpsertPartnerships writes one, replacing any
// partnership of the pair. change may be called more than once when the
// driver retries the transaction.
func (s *Store) ChangeShortlist(ctx context.Context, request, candidate string, change func(r graph.Request, e *graph.ShortlistEntry, exists bool) (graph.ShortlistChange, error)) (graph.ShortlistEntry, error) {
	var e graph.ShortlistEntry
	err := s.write(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		r, found, err := lockedRequest(ctx, tx, request)
		switch {
		case err != nil:
			return err
		case !found:
			return &ruleError{graph.Errorf(graph.ENOTFOUND, "request %q does not exist", request)}
		}
		recs, err := run(ctx, tx, `OPTIONAL MATCH (c:Municipality {id: $candidate})
OPTIONAL MATCH (e:ShortlistEntry {request: $request, candidate: $candidate})
RETURN c IS NOT NULL AS known, e.doc AS doc`, map[string]any{"request": request, "candidate": candidate})
		if err != nil {
			return err
		}
		if known, _ := recs[0].Values[0].(bool); !known {
			return &ruleError{graph.FieldErrorf("candidate", "municipality %q does not exist", candidate)}
		}
		e = graph.ShortlistEntry{Request: request, Candidate: candidate}
		exists := recs[0].Values[1] != nil
		if exists {
			if err := decode(recs[0].Values[1], &e, "shortlist entry "+request+"/"+candidate); err != nil {
				return err
			}
		}
		c, err := change(r, &e, exists)
		switch {
		case err != nil:
			return &ruleError{err}
		case e.Request != request || e.Candidate != candidate:
			return &ruleError{graph.FieldErrorf("candidate", "the entry of %s on %s cannot move", candidate, request)}
		}
		if p := c.Partnership; p != nil {
			if err := signPartnership(ctx, tx, *p); err != nil {
				return err
			}
		}
		doc, err := encode(e)
		if err != nil {
			return err
		}
		recs, err = run(ctx, tx, `MATCH (r:PartnerRequest {id: $request})
MATCH (c:Municipality {id: $candidate})
MERGE (e:ShortlistEntry {request: $request, candidate: $candidate})
SET e.doc = $doc, e.status = $status
MERGE (r)-[:SHORTLISTS]->(e)
MERGE (e)-[:CANDIDATE]->(c)
REMOVE r._lock
RETURN count(e) AS n`, map[string]any{"request": request, "candidate": candidate, "doc": doc, "status": string(e.Status)})
		if err != nil {
			return err
		}
		if count(recs) != 1 {
			return &ruleError{graph.Errorf(graph.ECONFLICT, "municipality %s was deleted while the shortlist of %s was written; try again", candidate, request)}
		}
		return appendAudit(ctx, tx, c.Audit)
	})
	if err != nil {
		return graph.ShortlistEntry{}, s.outcome(err, "changing the entry of %q on the shortlist of %q", candidate, request)
	}
	return e, nil
}

// signPartnership writes the partnership of a signed agreement with
// mergePartnerships, replacing any partnership of the pair: EINVALID when
// it does not validate, or naming "candidate" when one of its
// municipalities does not exist.
func signPartnership(ctx context.Context, tx driver.ManagedTransaction, p graph.Partnership) error {
	if err := p.Validate(); err != nil {
		return &ruleError{err}
	}
	p.Normalize()
	recs, err := run(ctx, tx, mergePartnerships, map[string]any{"rows": pairParams([]graph.Partnership{p}, true)})
	if err != nil {
		return err
	}
	if count(recs) != 1 {
		return &ruleError{graph.FieldErrorf("candidate", "partnership %s-%s: a municipality of it does not exist", p.A, p.B)}
	}
	return nil
}

// auditQuery selects audit entries, newest first; an empty $request or
// $municipality and a zero $before turn their filter off (graph.AuditQuery's
// Matches).
const auditQuery = `MATCH (a:AuditEntry)
WHERE ($request = '' OR a.request = $request)
  AND ($municipality = '' OR $municipality IN a.municipalities)
  AND ($before = 0 OR a.seq < $before)
RETURN a.doc AS doc ORDER BY a.seq DESC LIMIT $limit`

// Audit returns the entries of the audit log that q selects, newest first,
// at most q.EffectiveLimit().
func (s *Store) Audit(ctx context.Context, q graph.AuditQuery) ([]graph.AuditEntry, error) {
	var out []graph.AuditEntry
	err := s.read(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		recs, err := run(ctx, tx, auditQuery, map[string]any{
			"request": q.Request, "municipality": q.Municipality, "before": q.Before, "limit": int64(q.EffectiveLimit()),
		})
		if err != nil {
			return err
		}
		out, err = decodeAll[graph.AuditEntry](recs, "audit entry")
		return err
	})
	if err != nil {
		return nil, s.fail(err, "reading the audit log %+v", q)
	}
	return out, nil
}
