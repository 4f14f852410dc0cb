package importer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

func TestLAUUnit(t *testing.T) {
	for _, tc := range []struct {
		country, gisco, name string
		pop                  int64
		local                string
		kind                 graph.Kind
	}{
		{"PL", "PL_1001121216101", "Kraków", 779115, "miasto na prawach powiatu", graph.KindCity},
		{"PL", "PL_1001121200903", "Myślenice", 44444, "gmina", graph.KindLAU},
		{"RO", "RO_95060", "Municipiul Iaşi", 290422, "municipiu", graph.KindCity},
		{"RO", "RO_120987", "Oraş Bicaz", 8000, "oraș", graph.KindTown},
		{"RO", "RO_138734", "Santău", 3000, "comună", graph.KindVillage},
		{"DE", "DE_01001000", "Flensburg, Stadt", 89504, "kreisfreie Stadt", graph.KindCity},
		{"DE", "DE_01055021", "Heiligenhafen, Stadt", 9000, "Stadt", graph.KindTown},
		{"DE", "DE_09178124", "Freising, GKSt", 48000, "Große Kreisstadt", graph.KindTown},
		{"DE", "DE_13071107", "Schönberg, M", 1000, "Markt", graph.KindTown},
		{"DE", "DE_01059126", "Hürup", 1200, "Gemeinde", graph.KindVillage},
		{"DE", "DE_06633000x", "Gutsbezirk Reinhardswald, gemfr. Gebiet", 0, "gemeindefreies Gebiet", graph.KindLAU},
		{"DE", "DE_05911000", "Bochum, Stadt", 364628, "kreisfreie Stadt", graph.KindCity},
		{"DE", "DE_05954036", "Witten, Stadt", 96000, "Stadt", graph.KindTown},
		{"DE", "DE_05958044", "Herdecke, Stadt der Kluterthöhle", 22000, "Stadt", graph.KindTown},
		{"GR", "EL_01010101", "Κοινότητα Κομοτηνής", 60000, "κοινότητα", graph.KindLAU},
		{"GR", "EL_0x", "Ψευδοδημοτική Κοινότητα Θεσσαλονίκης", 300000, "ψευδοδημοτική κοινότητα", graph.KindLAU},
		{"EE", "EE_0784", "Tallinn", 437619, "linn", graph.KindCity},
		{"EE", "EE_0296", "Keila linn", 10000, "linn", graph.KindTown},
		{"EE", "EE_0130", "Alutaguse vald", 5000, "vald", graph.KindVillage},
		{"LV", "LV_0010000", "Rīga", 630000, "republikas pilsēta", graph.KindCity},
		{"LV", "LV_0x", "Olaines novads", 20000, "novads", graph.KindLAU},
		{"LT", "LT_11", "Alytaus miesto savivaldybė", 50000, "miesto savivaldybė", graph.KindTown},
		{"LT", "LT_41", "Trakų rajono savivaldybė", 30000, "rajono savivaldybė", graph.KindLAU},
		{"LT", "LT_x", "Neringos savivaldybė", 3000, "savivaldybė", graph.KindLAU},
		{"SK", "SK_528595", "Bratislava - mestská časť Ružinov", 70000, "mestská časť", graph.KindLAU},
		{"SK", "SK_500011", "Nitra", 77000, "obec", graph.KindLAU},
		{"GB", "UK_E09000007", "Camden", 250000, "London borough", graph.KindLAU},
		{"IT", "IT_001001", "Agliè", 2600, "comune", graph.KindLAU},
	} {
		u, kind := lauUnit(tc.country, tc.gisco, tc.name, tc.pop)
		require.NotNil(t, u, tc.name)
		assert.Equal(t, tc.local, u.Local, tc.name)
		assert.NotEmpty(t, u.English, tc.name)
		assert.Equal(t, tc.kind, kind, tc.name)
	}
	u, kind := lauUnit("XK", "XK_1", "Prishtinë", 200000)
	assert.Nil(t, u, "a country whose units are not known has no unit")
	assert.Equal(t, graph.KindLAU, kind)
}

func TestPolishNamesakes(t *testing.T) {
	rec := func(gisco, name string, pop int64, area, lat float64) Record {
		u, k := lauUnit("PL", gisco, name, pop)
		return Record{Municipality: graph.Municipality{ID: gisco, Name: name, Country: "PL", Unit: u, Kind: k,
			Population: pop, AreaKm2: area, Location: &graph.Point{Lat: lat, Lon: 20}, Codes: graph.Codes{LAU: gisco}}}
	}
	recs := []Record{
		rec("PL_1001121200101", "Bochnia", 29718, 29.9, 49.97),
		rec("PL_1001121200102", "Bochnia", 20024, 130.8, 49.98),
		rec("PL_1006061106201", "Chełm", 61932, 35.3, 51.13),
		rec("PL_1006061100303", "Chełm", 15023, 221.8, 51.15),
		rec("PL_1001121200903", "Myślenice", 44444, 153.4, 49.83),
		rec("PL_1002000000101", "Dąbrowa", 5000, 100, 50.0),
		rec("PL_1004000000101", "Dąbrowa", 4000, 100, 53.0),
		rec("PL_1005000000101", "Wola", 30000, 10, 51.0),
		rec("PL_1007000000101", "Wola", 3000, 100, 53.0),
	}
	polishNamesakes(recs)
	var got []string
	for _, r := range recs {
		got = append(got, r.Municipality.Unit.English+" "+string(r.Municipality.Kind))
	}
	assert.Equal(t, []string{
		"urban gmina town", "rural gmina village",
		"city with powiat rights city", "rural gmina village",
		"gmina lau",
		"gmina lau", "gmina lau", // as dense as each other
		"gmina lau", "gmina lau", // 220 km apart
	}, got)
}
