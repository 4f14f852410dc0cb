package importer

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/twinning/twinning/graph"
)

// openStore returns an empty store for a test.
func openStore(t testing.TB) graph.Store {
	t.Helper()
	s := &memStore{ms: map[string]graph.Municipality{}, ps: map[[2]string]graph.Partnership{}}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// memStore keeps the importer-relevant part of the graph.Store contract in
// memory: all-or-none upserts, code conflicts, scans in order.
type memStore struct {
	mu sync.Mutex
	ms map[string]graph.Municipality
	ps map[[2]string]graph.Partnership
	// upserts counts UpsertMunicipalities and UpsertPartnerships calls.
	upserts int
}

func (s *memStore) Municipality(_ context.Context, id string) (graph.Municipality, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.ms[id]
	if !ok {
		return m, graph.Errorf(graph.ENOTFOUND, "no municipality %s", id)
	}
	return m, nil
}

func (s *memStore) MunicipalityByCode(_ context.Context, code, value string) (graph.Municipality, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.ms {
		if codeOf(m.Codes, code) == value {
			return m, nil
		}
	}
	return graph.Municipality{}, graph.Errorf(graph.ENOTFOUND, "no municipality with %s %s", code, value)
}

func (s *memStore) Search(context.Context, graph.Query) (graph.Page, error) {
	return graph.Page{}, graph.Errorf(graph.EINTERNAL, "search is outside the test double")
}

func (s *memStore) Partners(context.Context, string) ([]graph.Partner, error) {
	return nil, graph.Errorf(graph.EINTERNAL, "partners is outside the test double")
}

func (s *memStore) UpsertMunicipalities(ctx context.Context, ms []graph.Municipality) (graph.UpsertResult, error) {
	if err := ctx.Err(); err != nil {
		return graph.UpsertResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.upserts++
	seen := map[string]bool{}
	codes := map[[2]string]string{}
	for id, m := range s.ms {
		for _, kv := range m.Codes.UniqueCodes() {
			codes[kv] = id
		}
	}
	for _, m := range ms {
		if err := m.Validate(); err != nil {
			return graph.UpsertResult{}, err
		}
		if seen[m.ID] {
			return graph.UpsertResult{}, graph.Errorf(graph.ECONFLICT, "id %s twice", m.ID)
		}
		seen[m.ID] = true
		for _, kv := range m.Codes.UniqueCodes() {
			if holder, ok := codes[kv]; ok && holder != m.ID && !seen[holder] {
				return graph.UpsertResult{}, graph.Errorf(graph.ECONFLICT, "%s %s held by %s", kv[0], kv[1], holder)
			}
			codes[kv] = m.ID
		}
	}
	var r graph.UpsertResult
	for _, m := range ms {
		old, ok := s.ms[m.ID]
		switch {
		case !ok:
			r.Created++
		case sameMunicipality(old, m):
			r.Unchanged++
		default:
			r.Updated++
		}
		s.ms[m.ID] = m
	}
	return r, nil
}

func (s *memStore) UpsertPartnerships(ctx context.Context, ps []graph.Partnership) (graph.UpsertResult, error) {
	if err := ctx.Err(); err != nil {
		return graph.UpsertResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.upserts++
	seen := map[[2]string]bool{}
	for _, p := range ps {
		if err := p.Validate(); err != nil {
			return graph.UpsertResult{}, err
		}
		if _, ok := s.ms[p.A]; !ok {
			return graph.UpsertResult{}, graph.FieldErrorf("a", "no municipality %s", p.A)
		}
		if _, ok := s.ms[p.B]; !ok {
			return graph.UpsertResult{}, graph.FieldErrorf("b", "no municipality %s", p.B)
		}
		if seen[p.Key()] {
			return graph.UpsertResult{}, graph.Errorf(graph.ECONFLICT, "pair %v twice", p.Key())
		}
		seen[p.Key()] = true
	}
	var r graph.UpsertResult
	for _, p := range ps {
		p.Normalize()
		old, ok := s.ps[p.Key()]
		switch {
		case !ok:
			r.Created++
		case old == p:
			r.Unchanged++
		default:
			r.Updated++
		}
		s.ps[p.Key()] = p
	}
	return r, nil
}

func (s *memStore) DeleteMunicipality(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ms, id)
	return nil
}

func (s *memStore) DeletePartnership(_ context.Context, a, b string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ps, graph.Partnership{A: a, B: b}.Key())
	return nil
}

func (s *memStore) Counts(context.Context) (graph.Counts, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := graph.Counts{Municipalities: len(s.ms), Partnerships: len(s.ps), ByCountry: map[string]int{}, ByStatus: map[graph.Status]int{}}
	for _, m := range s.ms {
		c.ByCountry[m.Country]++
	}
	for _, p := range s.ps {
		c.ByStatus[p.Status]++
	}
	return c, nil
}

func (s *memStore) ScanMunicipalities(ctx context.Context, fn func(graph.Municipality) error) error {
	s.mu.Lock()
	ms := slices.Collect(maps.Values(s.ms))
	s.mu.Unlock()
	slices.SortFunc(ms, func(a, b graph.Municipality) int { return compare(a.ID, b.ID) })
	for _, m := range ms {
		if err := fn(m); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func (s *memStore) ScanPartnerships(ctx context.Context, fn func(graph.Partnership) error) error {
	s.mu.Lock()
	ps := slices.Collect(maps.Values(s.ps))
	s.mu.Unlock()
	for _, p := range ps {
		if err := fn(p); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func (s *memStore) Ping(context.Context) error { return nil }
func (s *memStore) Close() error               { return nil }

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
