package graph

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLabels(t *testing.T) {
	town := Municipality{ID: "gn-770966", Name: "Hrubieszów", Country: "PL", Population: 17528, AreaKm2: 33}
	rural := Municipality{ID: "lau-pl-2", Name: "Hrubieszów", Country: "PL", Population: 9980, AreaKm2: 259}
	d1 := Municipality{ID: "lau-pl-3", Name: "Dąbrowa", Country: "PL", Region: Region{Code: "PL21", Name: "Małopolskie"}}
	d2 := Municipality{ID: "lau-pl-4", Name: "Dabrowa", Country: "PL", Region: Region{Code: "PL52"}}
	h1 := Municipality{ID: "lau-ro-1", Name: "Horia", Country: "RO", Region: Region{Code: "RO22"}, Codes: Codes{NUTS3: "RO225"}, Population: 2000, AreaKm2: 50}
	h2 := Municipality{ID: "lau-ro-2", Name: "Horia", Country: "RO", Region: Region{Code: "RO22"}, Population: 1800, AreaKm2: 60}
	other := Municipality{ID: "de-1", Name: "Hrubieszów", Country: "DE"}
	assert.Equal(t, []string{"Hrubieszów (town)", "Hrubieszów (rural gmina)", "Dąbrowa (Małopolskie)", "Dabrowa (PL52)",
		"Horia (lau-ro-1)", "Horia (lau-ro-2)", "Hrubieszów"},
		Labels([]*Municipality{&town, &rural, &d1, &d2, &h1, &h2, &other}))
	assert.Equal(t, []string{"Hrubieszów"}, Labels([]*Municipality{&town}), "alone, the name")
}

func TestLabelsByNUTS3(t *testing.T) {
	a := Municipality{ID: "lau-ro-1", Name: "Horia", Country: "RO", Region: Region{Code: "RO22"}, Codes: Codes{NUTS3: "RO225"}}
	b := Municipality{ID: "lau-ro-2", Name: "Horia", Country: "RO", Region: Region{Code: "RO22"}, Codes: Codes{NUTS3: "RO213"}}
	assert.Equal(t, []string{"Horia (RO225)", "Horia (RO213)"}, Labels([]*Municipality{&a, &b}))
}

func TestLabelsByUnit(t *testing.T) {
	urban := Municipality{ID: "lau-pl-1", Name: "Bochnia", Country: "PL", Region: Region{Code: "PL21"}, Unit: &Unit{Local: "gmina miejska", English: "urban gmina"}, Population: 29718, AreaKm2: 30}
	rural := Municipality{ID: "lau-pl-2", Name: "Bochnia", Country: "PL", Region: Region{Code: "PL21"}, Unit: &Unit{Local: "gmina wiejska", English: "rural gmina"}, Population: 20024, AreaKm2: 131}
	assert.Equal(t, []string{"Bochnia (urban gmina)", "Bochnia (rural gmina)"}, Labels([]*Municipality{&urban, &rural}))
	same := rural
	same.ID = "lau-pl-3"
	assert.Equal(t, []string{"Bochnia (lau-pl-2)", "Bochnia (lau-pl-3)"}, Labels([]*Municipality{&rural, &same}),
		"one kind of unit twice tells nothing: the ids")
}
