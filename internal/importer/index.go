package importer

import (
	"context"
	"math"
	"slices"

	"github.com/twinning/twinning/graph"
)

// Index is an in-memory view of the store's municipalities for resolution:
// by id, by unique code, by name key, by loose name key and by position. It
// is built once from ScanMunicipalities and kept up to date by the
// importer, so that no row costs a store query.
type Index struct {
	muns    []graph.Municipality
	byID    map[string]int
	byCode  map[string]map[string]int // code name → value → slot
	byKey   map[string][]nameRef      // graph.NameKey → slots
	byLoose map[string][]nameRef      // graph.LooseKey → slots
	grid    map[cell][]int
	keys    [][]string // slot → the name keys it is filed under
}

// nameRef is one municipality filed under a name; alt says the name is an
// alternative one.
type nameRef struct {
	slot int
	alt  bool
}

type cell struct{ lat, lon int32 }

// cellDeg is the side of a grid cell in degrees.
const cellDeg = 0.2

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		byID:    map[string]int{},
		byCode:  map[string]map[string]int{"katottg": {}, "lau": {}, "geonames": {}, "wikidata": {}},
		byKey:   map[string][]nameRef{},
		byLoose: map[string][]nameRef{},
		grid:    map[cell][]int{},
	}
}

// LoadIndex builds an index of every municipality in the store.
func LoadIndex(ctx context.Context, s graph.Store) (*Index, error) {
	ix := NewIndex()
	err := s.ScanMunicipalities(ctx, func(m graph.Municipality) error {
		ix.Put(m)
		return nil
	})
	if err != nil {
		return nil, graph.Wrap(graph.ErrorCode(err), err, "read the municipalities in the store")
	}
	return ix, nil
}

// Countries returns the set of countries of the index's municipalities.
func (ix *Index) Countries() map[string]bool {
	out := map[string]bool{}
	for i := range ix.muns {
		out[ix.muns[i].Country] = true
	}
	return out
}

// Len returns the number of municipalities in the index.
func (ix *Index) Len() int { return len(ix.muns) }

// Get returns the municipality with the given id.
func (ix *Index) Get(id string) (graph.Municipality, bool) {
	i, ok := ix.byID[id]
	if !ok {
		return graph.Municipality{}, false
	}
	return ix.muns[i], true
}

// ByCode returns the municipality holding the given unique code.
func (ix *Index) ByCode(code, value string) (graph.Municipality, bool) {
	if value == "" {
		return graph.Municipality{}, false
	}
	i, ok := ix.byCode[code][value]
	if !ok {
		return graph.Municipality{}, false
	}
	return ix.muns[i], true
}

// Put adds m or replaces the municipality with its id.
func (ix *Index) Put(m graph.Municipality) {
	slot, ok := ix.byID[m.ID]
	if ok {
		ix.unfile(slot)
		ix.muns[slot] = m
	} else {
		slot = len(ix.muns)
		ix.muns = append(ix.muns, m)
		ix.keys = append(ix.keys, nil)
		ix.byID[m.ID] = slot
	}
	for _, kv := range m.Codes.UniqueCodes() {
		ix.byCode[kv[0]][kv[1]] = slot
	}
	var keys []string
	file := func(name string, alt bool) {
		k := graph.NameKey(name)
		if k == "" {
			return
		}
		ix.byKey[k] = addRef(ix.byKey[k], nameRef{slot, alt})
		l := graph.LooseKey(k)
		ix.byLoose[l] = addRef(ix.byLoose[l], nameRef{slot, alt})
		keys = append(keys, k, l)
	}
	file(m.Name, false)
	file(m.NameLatin, false)
	for _, n := range m.AltNames {
		file(n, true)
	}
	ix.keys[slot] = keys
	if p := m.Location; p != nil {
		c := cellOf(p.Lat, p.Lon)
		ix.grid[c] = append(ix.grid[c], slot)
	}
}

// unfile removes a slot from the name, code and grid maps before its
// municipality is replaced.
func (ix *Index) unfile(slot int) {
	old := ix.muns[slot]
	for _, kv := range old.Codes.UniqueCodes() {
		if ix.byCode[kv[0]][kv[1]] == slot {
			delete(ix.byCode[kv[0]], kv[1])
		}
	}
	for i, k := range ix.keys[slot] {
		m := ix.byKey
		if i%2 == 1 {
			m = ix.byLoose
		}
		m[k] = slices.DeleteFunc(m[k], func(r nameRef) bool { return r.slot == slot })
		if len(m[k]) == 0 {
			delete(m, k)
		}
	}
	if p := old.Location; p != nil {
		c := cellOf(p.Lat, p.Lon)
		ix.grid[c] = slices.DeleteFunc(ix.grid[c], func(s int) bool { return s == slot })
	}
}

// addRef adds r unless the slot is there already; a primary name wins over
// an alternative one.
func addRef(refs []nameRef, r nameRef) []nameRef {
	for i, x := range refs {
		if x.slot == r.slot {
			if x.alt && !r.alt {
				refs[i].alt = false
			}
			return refs
		}
	}
	return append(refs, r)
}

func cellOf(lat, lon float64) cell {
	return cell{int32(math.Floor(lat / cellDeg)), int32(math.Floor(lon / cellDeg))}
}

// candidate is a municipality found near a point.
type candidate struct {
	slot   int
	distKm float64 // -1 when either position is unknown
	alt    bool
}

// named returns the municipalities of the country filed under the key (by
// graph.NameKey, or by graph.LooseKey when loose is set), with their distance
// from p, nearest first.
func (ix *Index) named(key string, loose bool, country string, p *graph.Point) []candidate {
	m := ix.byKey
	if loose {
		m = ix.byLoose
	}
	var out []candidate
	for _, r := range m[key] {
		mun := &ix.muns[r.slot]
		if mun.Country != country {
			continue
		}
		out = append(out, candidate{slot: r.slot, distKm: distance(p, mun.Location), alt: r.alt})
	}
	sortCandidates(out)
	return out
}

// near returns the municipalities of the country within radiusKm of p,
// nearest first.
func (ix *Index) near(p graph.Point, radiusKm float64, country string) []candidate {
	dLat := radiusKm / 111.0
	dLon := radiusKm / (111.0 * math.Max(0.05, math.Cos(p.Lat*math.Pi/180)))
	lo, hi := cellOf(p.Lat-dLat, p.Lon-dLon), cellOf(p.Lat+dLat, p.Lon+dLon)
	var out []candidate
	for a := lo.lat; a <= hi.lat; a++ {
		for b := lo.lon; b <= hi.lon; b++ {
			for _, slot := range ix.grid[cell{a, b}] {
				mun := &ix.muns[slot]
				if country != "" && mun.Country != country {
					continue
				}
				if d := distance(&p, mun.Location); d <= radiusKm {
					out = append(out, candidate{slot: slot, distKm: d})
				}
			}
		}
	}
	sortCandidates(out)
	return out
}

func sortCandidates(cs []candidate) {
	slices.SortStableFunc(cs, func(a, b candidate) int {
		da, db := a.distKm, b.distKm
		if da < 0 {
			da = math.MaxFloat64
		}
		if db < 0 {
			db = math.MaxFloat64
		}
		switch {
		case da < db:
			return -1
		case da > db:
			return 1
		}
		return 0
	})
}

// distance returns the great-circle distance in km, or -1 when either
// point is nil.
func distance(a, b *graph.Point) float64 {
	if a == nil || b == nil {
		return -1
	}
	return graph.DistanceKm(*a, *b)
}
