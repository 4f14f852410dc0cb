package score

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/twinning/twinning/graph"
)

// memStore is a graph.Scanner over slices, all that the engine reads of a
// store: municipalities in id order, partnerships (normalised) in key
// order. scanErr, when set, is returned by the scans to simulate a
// database that went away.
type memStore struct {
	mu      sync.RWMutex
	ms      []graph.Municipality
	ps      []graph.Partnership
	scanErr error
}

var _ graph.Scanner = (*memStore)(nil)

// UpsertMunicipalities adds or replaces ms, keeping id order.
func (s *memStore) UpsertMunicipalities(_ context.Context, ms []graph.Municipality) (graph.UpsertResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range ms {
		if i, ok := slices.BinarySearchFunc(s.ms, m.ID, func(x graph.Municipality, id string) int { return cmp.Compare(x.ID, id) }); ok {
			s.ms[i] = m
		} else {
			s.ms = slices.Insert(s.ms, i, m)
		}
	}
	return graph.UpsertResult{}, nil
}

// UpsertPartnerships adds or replaces ps, keeping key order.
func (s *memStore) UpsertPartnerships(_ context.Context, ps []graph.Partnership) (graph.UpsertResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range ps {
		p.Normalize()
		if i, ok := slices.BinarySearchFunc(s.ps, p.Key(), func(x graph.Partnership, k [2]string) int {
			return cmp.Or(cmp.Compare(x.A, k[0]), cmp.Compare(x.B, k[1]))
		}); ok {
			s.ps[i] = p
		} else {
			s.ps = slices.Insert(s.ps, i, p)
		}
	}
	return graph.UpsertResult{}, nil
}

// ScanMunicipalities calls fn for every municipality in id order.
func (s *memStore) ScanMunicipalities(ctx context.Context, fn func(graph.Municipality) error) error {
	return scan(ctx, s, s.ms, fn)
}

// ScanPartnerships calls fn for every partnership in key order.
func (s *memStore) ScanPartnerships(ctx context.Context, fn func(graph.Partnership) error) error {
	return scan(ctx, s, s.ps, fn)
}

// scan calls fn for every element of xs, under s's read lock.
func scan[T any](ctx context.Context, s *memStore, xs []T, fn func(T) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.scanErr != nil {
		return s.scanErr
	}
	for _, x := range xs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(x); err != nil {
			return err
		}
	}
	return nil
}
