package graph

import "math"

// Grid files the located municipalities of a list by cells of about 11 km,
// for "which lie within so many km of this point" look-ups.
type Grid struct {
	ms    []Municipality
	cells map[[2]int32][]int
}

// gridCellDeg is the side of a Grid cell in degrees.
const gridCellDeg = 0.1

func gridCell(lat, lon float64) [2]int32 {
	return [2]int32{int32(math.Floor(lat / gridCellDeg)), int32(math.Floor(lon / gridCellDeg))}
}

// NewGrid files the municipalities of ms that have a location and that
// keep accepts (all when keep is nil). The grid reads ms; the caller must
// not change it afterwards.
func NewGrid(ms []Municipality, keep func(*Municipality) bool) *Grid {
	g := &Grid{ms: ms, cells: map[[2]int32][]int{}}
	for i := range ms {
		m := &ms[i]
		if m.Location != nil && (keep == nil || keep(m)) {
			c := gridCell(m.Location.Lat, m.Location.Lon)
			g.cells[c] = append(g.cells[c], i)
		}
	}
	return g
}

// Near calls fn with the position in the list and the distance of every
// filed municipality within km of p.
func (g *Grid) Near(p Point, km float64, fn func(i int, distKm float64)) {
	dLat := km / 111.0
	dLon := km / (111.0 * math.Max(0.05, math.Cos(p.Lat*math.Pi/180)))
	lo, hi := gridCell(p.Lat-dLat, p.Lon-dLon), gridCell(p.Lat+dLat, p.Lon+dLon)
	for a := lo[0]; a <= hi[0]; a++ {
		for b := lo[1]; b <= hi[1]; b++ {
			for _, i := range g.cells[[2]int32{a, b}] {
				if d := DistanceKm(p, *g.ms[i].Location); d <= km {
					fn(i, d)
				}
			}
		}
	}
}
