package score

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/twinning/twinning/graph"
)

// memStore is a TEST DOUBLE: a graph.Store over slices guarded by a mutex,
// for this package's tests only, written while the real embedded store was
// being built. It keeps municipalities in id order and partnerships in key
// order, which is all the engine relies on. scanErr, when set, is returned
// by the scans to simulate a database that went away.
type memStore struct {
	mu      sync.RWMutex
	ms      []graph.Municipality
	ps      []graph.Partnership
	scanErr error
}

var _ graph.Store = (*memStore)(nil)

// Version is always 0: the tests do not watch it.
func (s *memStore) Version(context.Context) (int64, error) { return 0, nil }

func (s *memStore) find(id string) int {
	i, ok := slices.BinarySearchFunc(s.ms, id, func(m graph.Municipality, id string) int { return cmp.Compare(m.ID, id) })
	if !ok {
		return -1
	}
	return i
}

func (s *memStore) Municipality(_ context.Context, id string) (graph.Municipality, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if i := s.find(id); i >= 0 {
		return s.ms[i], nil
	}
	return graph.Municipality{}, graph.Errorf(graph.ENOTFOUND, "municipality %q not found", id)
}

func (s *memStore) MunicipalityByCode(_ context.Context, code, value string) (graph.Municipality, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	known := false
	for _, m := range s.ms {
		for _, kv := range m.Codes.UniqueCodes() {
			if kv[0] == code {
				known = true
				if kv[1] == value {
					return m, nil
				}
			}
		}
	}
	switch code {
	case "katottg", "lau", "geonames", "wikidata":
		known = true
	}
	if !known {
		return graph.Municipality{}, graph.FieldErrorf("code", "unknown code %q", code)
	}
	return graph.Municipality{}, graph.Errorf(graph.ENOTFOUND, "no municipality with %s %q", code, value)
}

// Search filters by every field of the query; its ranking is simpler than
// the contract's (id order), which the engine never uses.
func (s *memStore) Search(_ context.Context, q graph.Query) (graph.Page, error) {
	if err := q.Validate(); err != nil {
		return graph.Page{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	key := graph.NameKey(q.Text)
	var hits []graph.Municipality
	for _, m := range s.ms {
		if key != "" && !slices.ContainsFunc(m.Names(), func(n string) bool { return strings.Contains(graph.NameKey(n), key) }) ||
			len(q.Countries) > 0 && !slices.Contains(q.Countries, m.Country) ||
			len(q.Regions) > 0 && !slices.Contains(q.Regions, m.Region.Code) ||
			len(q.Kinds) > 0 && !slices.Contains(q.Kinds, m.Kind) ||
			len(q.Themes) > 0 && !slices.ContainsFunc(q.Themes, func(t string) bool { return slices.Contains(m.Themes, t) }) ||
			(q.MinPopulation > 0 || q.MaxPopulation > 0) && (m.Population == 0 || m.Population < q.MinPopulation || q.MaxPopulation > 0 && m.Population > q.MaxPopulation) {
			continue
		}
		hits = append(hits, m)
	}
	page := graph.Page{Total: len(hits), Offset: q.Offset, Limit: q.EffectiveLimit()}
	if q.Offset < len(hits) {
		page.Items = hits[q.Offset:min(len(hits), q.Offset+page.Limit)]
	}
	return page, nil
}

func (s *memStore) Partners(_ context.Context, id string) ([]graph.Partner, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.find(id) < 0 {
		return nil, graph.Errorf(graph.ENOTFOUND, "municipality %q not found", id)
	}
	var out []graph.Partner
	for _, p := range s.ps {
		if p.A == id || p.B == id {
			out = append(out, graph.Partner{Municipality: s.ms[s.find(p.Other(id))], Partnership: p})
		}
	}
	slices.SortFunc(out, func(a, b graph.Partner) int { return cmp.Compare(a.Municipality.ID, b.Municipality.ID) })
	return out, nil
}

func (s *memStore) UpsertMunicipalities(_ context.Context, ms []graph.Municipality) (graph.UpsertResult, error) {
	seen := map[string]bool{}
	for i := range ms {
		if err := ms[i].Validate(); err != nil {
			return graph.UpsertResult{}, err
		}
		if seen[ms[i].ID] {
			return graph.UpsertResult{}, graph.Errorf(graph.ECONFLICT, "municipality %s appears twice", ms[i].ID)
		}
		seen[ms[i].ID] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var res graph.UpsertResult
	for _, m := range ms {
		if i := s.find(m.ID); i >= 0 {
			s.ms[i] = m
			res.Updated++
			continue
		}
		i, _ := slices.BinarySearchFunc(s.ms, m.ID, func(m graph.Municipality, id string) int { return cmp.Compare(m.ID, id) })
		s.ms = slices.Insert(s.ms, i, m)
		res.Created++
	}
	return res, nil
}

func (s *memStore) UpsertPartnerships(_ context.Context, ps []graph.Partnership) (graph.UpsertResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[[2]string]bool{}
	for i := range ps {
		ps[i].Normalize()
		if err := ps[i].Validate(); err != nil {
			return graph.UpsertResult{}, err
		}
		if s.find(ps[i].A) < 0 || s.find(ps[i].B) < 0 {
			return graph.UpsertResult{}, graph.FieldErrorf("a", "partnership %s-%s names a municipality that does not exist", ps[i].A, ps[i].B)
		}
		if seen[ps[i].Key()] {
			return graph.UpsertResult{}, graph.Errorf(graph.ECONFLICT, "partnership %s-%s appears twice", ps[i].A, ps[i].B)
		}
		seen[ps[i].Key()] = true
	}
	var res graph.UpsertResult
	for _, p := range ps {
		i, found := slices.BinarySearchFunc(s.ps, p.Key(), func(q graph.Partnership, k [2]string) int {
			return cmp.Or(cmp.Compare(q.A, k[0]), cmp.Compare(q.B, k[1]))
		})
		if found {
			s.ps[i] = p
			res.Updated++
			continue
		}
		s.ps = slices.Insert(s.ps, i, p)
		res.Created++
	}
	return res, nil
}

func (s *memStore) DeleteMunicipality(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(id)
	if i < 0 {
		return graph.Errorf(graph.ENOTFOUND, "municipality %q not found", id)
	}
	s.ms = slices.Delete(s.ms, i, i+1)
	s.ps = slices.DeleteFunc(s.ps, func(p graph.Partnership) bool { return p.A == id || p.B == id })
	return nil
}

func (s *memStore) DeletePartnership(_ context.Context, a, b string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := graph.Partnership{A: a, B: b}.Key()
	n := len(s.ps)
	s.ps = slices.DeleteFunc(s.ps, func(p graph.Partnership) bool { return p.Key() == key })
	if len(s.ps) == n {
		return graph.Errorf(graph.ENOTFOUND, "no partnership between %s and %s", a, b)
	}
	return nil
}

func (s *memStore) Counts(context.Context) (graph.Counts, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
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
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.scanErr != nil {
		return s.scanErr
	}
	for _, m := range s.ms {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

func (s *memStore) ScanPartnerships(ctx context.Context, fn func(graph.Partnership) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.scanErr != nil {
		return s.scanErr
	}
	for _, p := range s.ps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

func (s *memStore) Ping(context.Context) error { return nil }

func (s *memStore) Close() error { return nil }
