package importer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

// TestSoundKeyMatchesExonyms holds Ukrainian exonyms of the registers
// against the names they stand for: their sound keys must lie within
// soundTolerance of each other.
func TestSoundKeyMatchesExonyms(t *testing.T) {
	for _, c := range []struct{ exonym, name, country string }{
		{"Щебрешин", "Szczebrzeszyn", "PL"},
		{"Жешув", "Rzeszów", "PL"},
		{"Хжанув", "Chrzanów", "PL"},
		{"Глогув-Малопольський", "Głogów Małopolski", "PL"},
		{"Бжег-Дольний", "Brzeg Dolny", "PL"},
		{"Устрики Дольне", "Ustrzyki Dolne", "PL"},
		{"Масслейс", "Maassluis", "NL"},
		{"Гайдубесермень", "Hajdúböszörmény", "HU"},
		{"Тисауйварош", "Tiszaújváros", "HU"},
		{"Матесалька", "Mátészalka", "HU"},
		{"Ньїрбогдань", "Nyírbogdány", "HU"},
		{"Реґенсбурґ", "Regensburg", "DE"},
		{"Лейпціг", "Leipzig", "DE"},
		{"Шпрендлінген", "Sprendlingen", "DE"},
		{"Бад-Зоден-Зальмюнстер", "Bad Soden-Salmünster", "DE"},
		{"Одорхею-Секуєск", "Odorheiu Secuiesc", "RO"},
		{"Киндешть", "Cândești", "RO"},
		{"Негрешть-Оаш", "Negrești-Oaș", "RO"},
		{"Дунайська Стреда", "Dunajská Streda", "SK"},
		{"Собранці", "Sobrance", "SK"},
		{"Пельгржимов", "Pelhřimov", "CZ"},
		{"Анікщяй", "Anykščiai", "LT"},
		{"Тирва", "Tõrva", "EE"},
		{"Пон-сюр-Сен", "Pont-sur-Seine", "FR"},
	} {
		a, b := soundKey(c.exonym, c.country), soundKey(c.name, c.country)
		tol := soundTolerance(max(len(a), len(b)))
		assert.LessOrEqual(t, graph.EditDistance(a, b, tol), tol, "%s %q vs %s %q", c.exonym, a, c.name, b)
	}
	// And names that must not meet.
	for _, c := range []struct{ a, b, country string }{
		{"Хелм", "Chełmno", "PL"},
		{"Ряшів", "Rzeszów", "PL"},
	} {
		a, b := soundKey(c.a, c.country), soundKey(c.b, c.country)
		tol := soundTolerance(len(a))
		assert.Greater(t, graph.EditDistance(a, b, tol), tol, "%s %q vs %s %q", c.a, a, c.b, b)
	}
}

// TestPartnerName holds what the registers write around a partner's name.
func TestPartnerName(t *testing.T) {
	for in, want := range map[string]string{
		"м. Барі":                  "Барі",
		"ґміна і місто Ніско":      "Ніско",
		"Муніципалітет м. Зугдіді": "Зугдіді",
		"Гміна Меглів, Свідницького повіту, Люблінського воєводства": "Меглів",
		"Киндешть, Ботошанський повіт":                               "Киндешть",
		"Грудек Білостоцький повіт, Підлянського воєводства":         "Грудек",
		"Нарбонна та Великий Нарбонн":                                "Нарбонна",
		"Апа (повіт Сату Маре) Адреса: комуна Апа, вул. Прінчіпале":  "Апа",
		"Глуськ Люблінського воєводства (Республіка Польща)":         "Глуськ",
		"Регіон Овернь-Рона-Альпи, Муніципалітет Марсії-ле-Шатель":   "Марсії-ле-Шатель",
		"Kam&#39;ianets":          "Kam'ianets",
		"Offenbach, kreis":        "Offenbach, kreis",
		"Bistra (Maramureș )":     "Bistra",
		"Перемишль - Роберт Хома": "Перемишль",
		"Яcси": "Ясси",
	} {
		assert.Equal(t, want, partnerName(in), in)
	}
	for name, regional := range map[string]bool{
		"Хелмський повіт": true, "Підкарпатське воєводство": true, "Hrubieszów County": true, "Burgenlandkreis": true,
		"Landkreis Gießen": true, "Offenbach, kreis": true, "Ніспоренський район": true, "Істрійська жупанія": true,
		"Kreischa": false, "Regensburg": false, "Kupiškis District Municipality": false, "Ніско": false, "Countryside": false,
	} {
		assert.Equal(t, regional, regionalName(name, ""), name)
	}
	assert.False(t, regionalName("Шяуляйский район", "LT"), "a Lithuanian raion is a municipality")
}

// TestResolveBySound resolves the registers' exonyms and spellings
// against an index of a few municipalities.
func TestResolveBySound(t *testing.T) {
	ix := NewIndex()
	for _, m := range []graph.Municipality{
		{ID: "pl-szczebrzeszyn", Name: "Szczebrzeszyn", Country: "PL", Population: 11139},
		{ID: "pl-czeladz", Name: "Czeladź", Country: "PL", Population: 32079},
		{ID: "pl-cieladz", Name: "Cielądz", Country: "PL", Population: 3965},
		{ID: "hu-hajduboszormeny", Name: "Hajdúböszörmény", Country: "HU", Population: 31000},
		{ID: "nl-maassluis", Name: "Maassluis", Country: "NL", Population: 32780},
		{ID: "ro-marghita", Name: "Municipiul Marghita", AltNames: []string{"Marghita"}, Country: "RO", Population: 17614},
		{ID: "de-helsa", Name: "Helsa", Country: "DE", Population: 5674},
		{ID: "de-barum", Name: "Barum", Country: "DE", Population: 2058},
		{ID: "ua-chervonohrad", Name: "Червоноградська", Country: "UA", Codes: graph.Codes{KATOTTG: "UA46120130000026331"}},
	} {
		ix.Put(m)
	}
	r := NewResolver(ix)
	for _, tc := range []struct {
		name, country, id string
	}{
		{"Щебрешин", "PL", "pl-szczebrzeszyn"},
		{"Челядзь", "PL", "pl-czeladz"},
		{"Гайдубесермень", "HU", "hu-hajduboszormeny"},
		{"Масслейс", "NL", "nl-maassluis"},
		{"Khelsa", "DE", "de-helsa"},
		{"Харгіта", "RO", ""}, // Harghita, a county: not Marghita, one letter off
		{"Барут", "DE", ""},   // Baruth: a short name must sound the same
		{"Шептицька", "UA", "ua-chervonohrad"},
	} {
		res := r.Resolve(Place{Name: tc.name, Country: tc.country, CountryRaw: tc.country})
		assert.Equal(t, tc.id, res.ID, "%s: %+v", tc.name, res)
	}
	res := r.Resolve(Place{Name: "Шептицька", Country: "UA", KATOTTG: "UA46120130000026331"})
	assert.Equal(t, "ua-chervonohrad", res.ID, "the renamed hromada's code, with its new name")
}

// TestNamesake holds how a name that several municipalities share is
// told apart without a point.
func TestNamesake(t *testing.T) {
	ix := NewIndex()
	for _, m := range []graph.Municipality{
		// Chełm the city (its LAU unit merged in), the rural gmina around it,
		// and a part of Gdańsk of the same name in GeoNames.
		{ID: "gn-774558", Name: "Chełm", Country: "PL", Population: 60231, Codes: graph.Codes{LAU: "PL_1", GeoNames: "774558"}, Location: &graph.Point{Lat: 51.13, Lon: 23.47}},
		{ID: "lau-pl-2", Name: "Chełm", Country: "PL", Population: 15023, AreaKm2: 200, Codes: graph.Codes{LAU: "PL_2"}, Location: &graph.Point{Lat: 51.15, Lon: 23.4}},
		{ID: "gn-8426032", Name: "Chełm", Country: "PL", Population: 30743, Codes: graph.Codes{GeoNames: "8426032"}, Location: &graph.Point{Lat: 54.33, Lon: 18.62}},
		// Krosno, and a village of that name lent to Mosina as a locality.
		{ID: "gn-767470", Name: "Krosno", Country: "PL", Population: 47784, Codes: graph.Codes{LAU: "PL_3"}},
		{ID: "lau-pl-mosina", Name: "Mosina", AltNames: []string{"Krosno"}, Country: "PL", Population: 33442, Codes: graph.Codes{LAU: "PL_4"}},
		// Two Kłodawa gminas of like size and density, far apart.
		{ID: "lau-pl-k1", Name: "Kłodawa", Country: "PL", Population: 13000, AreaKm2: 150, Codes: graph.Codes{LAU: "PL_5"}, Location: &graph.Point{Lat: 52.25, Lon: 18.91}},
		{ID: "lau-pl-k2", Name: "Kłodawa", Country: "PL", Population: 8000, AreaKm2: 120, Codes: graph.Codes{LAU: "PL_6"}, Location: &graph.Point{Lat: 52.79, Lon: 15.22}},
	} {
		ix.Put(m)
	}
	r := NewResolver(ix)
	for name, id := range map[string]string{"Chełm": "gn-774558", "Krosno": "gn-767470", "Kłodawa": ""} {
		assert.Equal(t, id, r.Resolve(Place{Name: name, Country: "PL", CountryRaw: "PL"}).ID, name)
	}
}

// TestLAUAltNames holds the other names a LAU unit is known by.
func TestLAUAltNames(t *testing.T) {
	for _, c := range []struct {
		name, country string
		want          []string
	}{
		{"Vilniaus miesto savivaldybė", "LT", []string{"Vilnius"}},
		{"Kauno rajono savivaldybė", "LT", []string{"Kaunas"}},
		{"Šiaulių miesto savivaldybė", "LT", []string{"Šiauliai"}},
		{"Antwerpen / Anvers", "BE", []string{"Antwerpen", "Anvers"}},
		{"Oldenburg (Oldenburg), Stadt", "DE", []string{"Oldenburg (Oldenburg)", "Oldenburg"}},
		{"Grad Zagreb", "HR", []string{"Zagreb"}},
		{"Aberdeen City", "UK", []string{"Aberdeen"}},
		{"Otepää vald", "EE", []string{"Otepää"}},
		{"Municipiul Iaşi", "RO", []string{"Iaşi"}},
	} {
		got := lauAltNames(c.name, c.country)
		for _, w := range c.want {
			assert.Contains(t, got, w, c.name)
		}
	}
	assert.Empty(t, lauAltNames("Kraków", "PL"))
}

// TestCandidates holds what the unresolved-places file offers a person.
func TestCandidates(t *testing.T) {
	ix := NewIndex()
	for _, m := range []graph.Municipality{
		{ID: "lau-pl-k1", Name: "Kłodawa", Country: "PL", Population: 13000, AreaKm2: 150},
		{ID: "lau-pl-k2", Name: "Kłodawa", Country: "PL", Population: 8000, AreaKm2: 120},
		{ID: "ro-marghita", Name: "Marghita", Country: "RO", Population: 17614},
	} {
		ix.Put(m)
	}
	r := NewResolver(ix)
	kl := Place{Name: "Kłodawa", Country: "PL"}
	require.Equal(t, Unresolved, r.Resolve(kl).Method)
	assert.Equal(t, []string{
		"lau-pl-k1 Kłodawa (13000 people): one of 2 places of this name, none with twice the people of every other nor a town's density",
		"lau-pl-k2 Kłodawa (8000 people): one of 2 places of this name, none with twice the people of every other nor a town's density",
	}, r.Candidates(kl))
	assert.Equal(t, []string{"ro-marghita Marghita (17614 people): begins with another sound"}, r.Candidates(Place{Name: "Харгіта", Country: "RO"}))
	assert.Empty(t, r.Candidates(Place{Name: "Atlantis"}), "no country")
}
