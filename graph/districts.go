package graph

import (
	"math"
	"strings"
)

// The rule that finds the places within a municipality.
const (
	// WithinMaxKm bounds how far from a unit's point a place within it may
	// lie: the circle of a large rural unit's area would take in the towns
	// around it that are units of their own.
	WithinMaxKm = 15.0
	// DistrictMaxShare is the largest share of the unit's population that
	// a district holds (Mokotów: 12% of Warsaw); a place within a unit with
	// more is the unit's own town under another name (Sofia and Stolichna).
	DistrictMaxShare = 0.5
)

// Administrative reports whether m is an administrative unit: it holds a
// LAU or KATOTTG code.
func (m *Municipality) Administrative() bool {
	return m.Codes.LAU != "" || m.Codes.KATOTTG != ""
}

// WithinUnits returns, for each municipality of ms, the position of the
// administrative unit it lies within, or -1: a place of region UA-30 other
// than Kyiv (its most populous place, which the KSE table leaves out) lies
// within Kyiv; a GeoNames place without an administrative code, in a
// country of administrative units, lies within the most populous unit of
// its country and of another name whose area, as a circle around the
// unit's point widened by a quarter and at most WithinMaxKm, holds it, when
// that unit has more people than the place. IsDistrict tells a district of
// the unit from the unit's own town.
func WithinUnits(ms []Municipality) []int {
	out := make([]int, len(ms))
	unitCountries := map[string]bool{}
	kyiv := -1
	for i := range ms {
		m := &ms[i]
		out[i] = -1
		if m.Administrative() {
			unitCountries[m.Country] = true
		}
		if m.Region.Code == "UA-30" && (kyiv < 0 || m.Population > ms[kyiv].Population) {
			kyiv = i
		}
	}
	units := NewGrid(ms, func(m *Municipality) bool { return m.Administrative() && m.AreaKm2 > 0 })
	for i := range ms {
		m := &ms[i]
		switch {
		case m.Administrative():
			continue
		case m.Region.Code == "UA-30" && i != kyiv:
			out[i] = kyiv
			continue
		case m.Location == nil || !unitCountries[m.Country] || !strings.HasPrefix(m.Source, "geonames"):
			continue
		}
		key := NameKey(m.Name)
		best := -1
		units.Near(*m.Location, WithinMaxKm, func(j int, d float64) {
			u := &ms[j]
			if u.Country != m.Country || u.Population <= m.Population || NameKey(u.Name) == key {
				return
			}
			if d <= min(WithinMaxKm, 1.25*math.Sqrt(u.AreaKm2/math.Pi)) && (best < 0 || u.Population > ms[best].Population) {
				best = j
			}
		})
		out[i] = best
	}
	return out
}

// IsDistrict reports whether place, which lies within unit (WithinUnits),
// is a district of it rather than its own town under another name: it
// holds at most DistrictMaxShare of the unit's people.
func IsDistrict(place, unit *Municipality) bool {
	return place.Population > 0 && float64(place.Population) <= DistrictMaxShare*float64(unit.Population)
}
