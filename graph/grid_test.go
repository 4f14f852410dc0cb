package graph

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGridNear(t *testing.T) {
	ms := []Municipality{
		{ID: "a", Location: &Point{Lat: 50.00, Lon: 20.00}},
		{ID: "b", Location: &Point{Lat: 50.03, Lon: 20.00}}, // 3.3 km north
		{ID: "c", Location: &Point{Lat: 50.20, Lon: 20.00}}, // 22 km north, another cell
		{ID: "d"}, // no location
		{ID: "e", Location: &Point{Lat: 50.01, Lon: 20.01}, Population: -1},
	}
	g := NewGrid(ms, func(m *Municipality) bool { return m.Population >= 0 })
	near := func(km float64) map[string]float64 {
		out := map[string]float64{}
		g.Near(*ms[0].Location, km, func(i int, d float64) { out[ms[i].ID] = d })
		return out
	}
	got := near(5)
	assert.Len(t, got, 2, "a itself and b; e is not filed")
	assert.InDelta(t, 3.34, got["b"], 0.01)
	assert.Contains(t, near(25), "c", "across cells")
}
