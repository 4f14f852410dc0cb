package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"go.etcd.io/bbolt"

	"github.com/twinning/twinning/graph"
)

// municipalityChange is one municipality an upsert writes.
type municipalityChange struct {
	rec  *record
	data []byte
	old  *record // nil when the municipality is new
}

// UpsertMunicipalities creates or replaces the given municipalities, all or
// none, in one transaction: EINVALID (naming the field and the id) when one
// does not validate, ECONFLICT when an id appears twice in the batch or a
// unique code is already held by another municipality. Replacing keeps the
// municipality's partnerships. A municipality equal to the stored one counts
// as unchanged and is not written.
func (s *Store) UpsertMunicipalities(ctx context.Context, ms []graph.Municipality) (graph.UpsertResult, error) {
	if err := ctx.Err(); err != nil {
		return graph.UpsertResult{}, contextError("upsert municipalities", err)
	}
	inBatch, codeHolder, err := checkBatch(ms)
	if err != nil {
		return graph.UpsertResult{}, err
	}

	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.checkOpen(); err != nil {
		return graph.UpsertResult{}, err
	}
	// A code held by a municipality outside the batch clashes; one held by
	// a municipality inside it is either released by the batch or already
	// reported as held twice in the batch.
	for kv, id := range codeHolder {
		if holder, ok := s.codes[kv[0]][kv[1]]; ok && holder != id && !inBatch[holder] {
			return graph.UpsertResult{}, codeConflict(kv, id, holder)
		}
	}

	var res graph.UpsertResult
	changes := make([]municipalityChange, 0, len(ms))
	for _, m := range ms {
		data, err := json.Marshal(m)
		if err != nil {
			return graph.UpsertResult{}, graph.Wrap(graph.EINTERNAL, err, "encoding municipality %s", m.ID)
		}
		old := s.munis[m.ID]
		if old != nil {
			oldData, err := json.Marshal(old.m)
			if err != nil {
				return graph.UpsertResult{}, graph.Wrap(graph.EINTERNAL, err, "encoding stored municipality %s", m.ID)
			}
			if bytes.Equal(data, oldData) {
				res.Unchanged++
				continue
			}
			res.Updated++
		} else {
			res.Created++
		}
		changes = append(changes, municipalityChange{rec: newRecord(clone(m)), data: data, old: old})
	}
	if len(changes) == 0 {
		return res, nil
	}

	// bbolt inserts into a node by shifting, until the commit splits it:
	// keys in order make a large batch linear instead of quadratic.
	slices.SortFunc(changes, func(a, b municipalityChange) int { return compareIDs(a.rec, b.rec) })
	err = s.update(ctx, "upsert municipalities", func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketMunicipalities)
		for _, c := range changes {
			if err := b.Put([]byte(c.rec.m.ID), c.data); err != nil {
				return fmt.Errorf("municipality %s: %w", c.rec.m.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return graph.UpsertResult{}, err
	}

	s.apply(changes)
	return res, nil
}

// checkBatch validates a batch of municipalities as a whole: each valid,
// no id twice, no unique code held twice. It returns the batch's ids and
// the holder of each of its codes.
func checkBatch(ms []graph.Municipality) (map[string]bool, map[[2]string]string, error) {
	inBatch := make(map[string]bool, len(ms))
	codeHolder := map[[2]string]string{}
	for i := range ms {
		m := &ms[i]
		if err := m.Validate(); err != nil {
			return nil, nil, err
		}
		if inBatch[m.ID] {
			return nil, nil, &graph.Error{Code: graph.ECONFLICT, Field: "id", Message: fmt.Sprintf("municipality %s appears twice in the batch", m.ID)}
		}
		inBatch[m.ID] = true
		for _, kv := range m.Codes.UniqueCodes() {
			if other, ok := codeHolder[kv]; ok {
				return nil, nil, codeConflict(kv, m.ID, other)
			}
			codeHolder[kv] = m.ID
		}
	}
	return inBatch, codeHolder, nil
}

// apply makes the memory follow the committed changes: the codes, the
// text indexes, the order, and the version.
func (s *Store) apply(changes []municipalityChange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	replaced := map[string]*record{}
	var created []*record
	for _, c := range changes {
		if c.old != nil {
			s.dropCodes(c.old)
			s.text.remove(c.old, c.old.keys.Names)
			s.loose.remove(c.old, c.old.keys.Loose)
			replaced[c.rec.m.ID] = c.rec
		} else {
			created = append(created, c.rec)
		}
	}
	for _, c := range changes {
		for _, kv := range c.rec.m.Codes.UniqueCodes() {
			s.addCode(kv, c.rec.m.ID)
		}
		s.munis[c.rec.m.ID] = c.rec
		s.text.add(c.rec, c.rec.keys.Names)
		s.loose.add(c.rec, c.rec.keys.Loose)
	}
	s.reorder(replaced, created)
	s.version++
	s.munVersion++
}

// codeConflict reports that id cannot take code kv, held by other.
func codeConflict(kv [2]string, id, other string) error {
	return &graph.Error{
		Code:    graph.ECONFLICT,
		Field:   "codes." + kv[0],
		Message: fmt.Sprintf("municipality %s: %s code %s is already held by %s", id, kv[0], kv[1], other),
	}
}

// dropCodes removes r's codes from the code index. The caller holds mu
// for writing.
func (s *Store) dropCodes(r *record) {
	for _, kv := range r.m.Codes.UniqueCodes() {
		if s.codes[kv[0]][kv[1]] == r.m.ID {
			delete(s.codes[kv[0]], kv[1])
		}
	}
}

// reorder replaces s.order by a new slice in which the records of
// replaced's ids are swapped for the new ones (or dropped, for a nil value)
// and created records are merged in. The caller holds mu for writing.
func (s *Store) reorder(replaced map[string]*record, created []*record) {
	slices.SortFunc(created, compareIDs)
	next := make([]*record, 0, len(s.order)+len(created))
	j := 0
	for _, r := range s.order {
		for j < len(created) && created[j].m.ID < r.m.ID {
			next = append(next, created[j])
			j++
		}
		if nr, ok := replaced[r.m.ID]; ok {
			if nr != nil {
				next = append(next, nr)
			}
			continue
		}
		next = append(next, r)
	}
	s.order = append(next, created[j:]...)
}

// update runs fn in one bbolt transaction, committed only when ctx is still
// live after fn: a cancelled context writes nothing.
func (s *Store) update(ctx context.Context, op string, fn func(tx *bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return contextError(op, err)
	}
	var ctxErr error
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		ctxErr = ctx.Err()
		return ctxErr
	})
	switch {
	case ctxErr != nil:
		return contextError(op, ctxErr)
	case err != nil:
		return graph.Wrap(graph.EINTERNAL, fmt.Errorf("%s: %w", s.path, err), "%s: writing the store failed", op)
	}
	return nil
}

// UpsertPartnerships creates or replaces the given partnerships (one per
// unordered pair, stored with A < B), all or none, in one transaction:
// EINVALID when one does not validate or names a municipality that does
// not exist, ECONFLICT when a pair appears twice in the batch.
func (s *Store) UpsertPartnerships(ctx context.Context, ps []graph.Partnership) (graph.UpsertResult, error) {
	if err := ctx.Err(); err != nil {
		return graph.UpsertResult{}, contextError("upsert partnerships", err)
	}
	norm := make([]graph.Partnership, len(ps))
	seen := make(map[[2]string]bool, len(ps))
	for i, p := range ps {
		if err := p.Validate(); err != nil {
			return graph.UpsertResult{}, err
		}
		if seen[p.Key()] {
			return graph.UpsertResult{}, graph.Errorf(graph.ECONFLICT, "partnership %s-%s appears twice in the batch", p.A, p.B)
		}
		seen[p.Key()] = true
		p.Normalize()
		norm[i] = p
	}

	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.checkOpen(); err != nil {
		return graph.UpsertResult{}, err
	}
	for _, p := range ps {
		for _, end := range [][2]string{{"a", p.A}, {"b", p.B}} {
			if _, ok := s.munis[end[1]]; !ok {
				return graph.UpsertResult{}, graph.FieldErrorf(end[0], "partnership %s-%s: municipality %q does not exist", p.A, p.B, end[1])
			}
		}
	}

	var res graph.UpsertResult
	changes := make([]graph.Partnership, 0, len(norm))
	for _, p := range norm {
		old, ok := s.partners[p.A][p.B]
		switch {
		case ok && old.Equal(p):
			res.Unchanged++
			continue
		case ok:
			res.Updated++
		default:
			res.Created++
		}
		changes = append(changes, p)
	}
	if len(changes) == 0 {
		return res, nil
	}

	slices.SortFunc(changes, func(a, b graph.Partnership) int {
		return bytes.Compare(partnershipKey(a.A, a.B), partnershipKey(b.A, b.B))
	})
	err := s.update(ctx, "upsert partnerships", func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketPartnerships)
		for _, p := range changes {
			data, err := json.Marshal(p)
			if err != nil {
				return fmt.Errorf("encoding partnership %s-%s: %w", p.A, p.B, err)
			}
			if err := b.Put(partnershipKey(p.A, p.B), data); err != nil {
				return fmt.Errorf("partnership %s-%s: %w", p.A, p.B, err)
			}
		}
		return nil
	})
	if err != nil {
		return graph.UpsertResult{}, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range changes {
		s.addPartnership(p)
	}
	s.version++
	return res, nil
}

// DeleteMunicipality deletes the municipality and its partnerships, or
// returns ENOTFOUND.
func (s *Store) DeleteMunicipality(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return contextError("delete municipality", err)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.checkOpen(); err != nil {
		return err
	}
	r, ok := s.munis[id]
	if !ok {
		return graph.Errorf(graph.ENOTFOUND, "municipality %q does not exist", id)
	}
	var others []string
	for other := range s.partners[id] {
		others = append(others, other)
	}
	err := s.update(ctx, "delete municipality", func(tx *bbolt.Tx) error {
		if err := tx.Bucket(bucketMunicipalities).Delete([]byte(id)); err != nil {
			return fmt.Errorf("municipality %s: %w", id, err)
		}
		b := tx.Bucket(bucketPartnerships)
		for _, other := range others {
			p := graph.Partnership{A: id, B: other}
			p.Normalize()
			if err := b.Delete(partnershipKey(p.A, p.B)); err != nil {
				return fmt.Errorf("partnership %s-%s: %w", p.A, p.B, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, other := range others {
		s.removePartnership(id, other)
	}
	s.dropCodes(r)
	delete(s.munis, id)
	s.text.remove(r, r.keys.Names)
	s.loose.remove(r, r.keys.Loose)
	s.reorder(map[string]*record{id: nil}, nil)
	s.version++
	s.munVersion++
	return nil
}

// DeletePartnership deletes the partnership between a and b (in either
// order), or returns ENOTFOUND.
func (s *Store) DeletePartnership(ctx context.Context, a, b string) error {
	if err := ctx.Err(); err != nil {
		return contextError("delete partnership", err)
	}
	if b < a {
		a, b = b, a
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.checkOpen(); err != nil {
		return err
	}
	if _, ok := s.partners[a][b]; !ok {
		return graph.Errorf(graph.ENOTFOUND, "there is no partnership between %q and %q", a, b)
	}
	err := s.update(ctx, "delete partnership", func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketPartnerships).Delete(partnershipKey(a, b))
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removePartnership(a, b)
	s.version++
	return nil
}

// The embedded store implements graph.Store.
var _ graph.Store = (*Store)(nil)
