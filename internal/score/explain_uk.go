package score

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/twinning/twinning/graph"
)

// Languages of the reasons: Options.Lang.
const (
	LangEnglish   = graph.LangEnglish
	LangUkrainian = graph.LangUkrainian
)

// Langs lists the languages reasons are written in; "" means English.
var Langs = []string{LangEnglish, LangUkrainian}

// The Ukrainian reasons avoid declining names, which a program cannot do
// reliably: a municipality, region or country stands alone, after a colon
// or a dash or in brackets, always in the nominative ("Україна — Польща:
// 31% міжнародних партнерств"). Ukrainian municipalities are named in
// Ukrainian, the others in Latin script.

// reasonUK is reason in Ukrainian.
func (x *explainer) reasonUK(f int, value, km float64) (string, string) {
	switch f {
	case fSize:
		return x.sizeUK(value)
	case fDistance:
		return x.distanceUK(value, km)
	case fThemes:
		return x.themesUK()
	case fPartnersOfPartners:
		return x.partnersOfPartnersUK()
	case fCountryAffinity:
		return x.countryAffinityUK()
	case fRegionAffinity:
		return x.regionAffinityUK()
	case fSaturation:
		return x.saturationUK()
	case fUkrainianNeighbours:
		return x.neighboursUK()
	case fPartners:
		return x.partnersUK()
	case fRegionCountry:
		return x.regionCountryUK()
	case fAreaTies:
		return x.areaTiesUK(value)
	case fPartnerChains:
		return x.partnerChainsUK()
	}
	panic(fmt.Sprintf("score: no Ukrainian reason for factor %d", f))
}

// nameUK names a municipality: in Ukrainian when it is Ukrainian, else in
// Latin script.
func nameUK(m *graph.Municipality) string {
	if m.Country == "UA" && m.Name != "" {
		return m.Name
	}
	return m.DisplayName()
}

func (x *explainer) sizeUK(value float64) (string, string) {
	a, b := x.src.Population, x.cand.Population
	switch {
	case a == 0 && b == 0:
		return fmt.Sprintf("Розмір не порівняно: населення невідоме (%s, %s)", nameUK(x.src), nameUK(x.cand)), ""
	case a == 0:
		return fmt.Sprintf("Розмір не порівняно: населення невідоме (%s)", nameUK(x.src)), ""
	case b == 0:
		return fmt.Sprintf("Розмір не порівняно: населення невідоме (%s)", nameUK(x.cand)), ""
	}
	figures := fmt.Sprintf("населення %s і %s", formatPopulationUK(a), formatPopulationUK(b))
	switch {
	case value >= similarSize:
		return "Схожий розмір: " + figures, "схожий розмір"
	case value >= differentSize:
		return "Різний розмір: " + figures, "порівнянний розмір"
	}
	return "Дуже різний розмір: " + figures, ""
}

func (x *explainer) distanceUK(value, km float64) (string, string) {
	switch {
	case x.src.Location == nil:
		return fmt.Sprintf("Відстань невідома: немає координат (%s)", nameUK(x.src)), ""
	case x.cand.Location == nil:
		return fmt.Sprintf("Відстань невідома: немає координат (%s)", nameUK(x.cand)), ""
	}
	d := formatKmUK(km)
	if value < nearEnough {
		return "Відстань: " + d, ""
	}
	return "Відстань: " + d, "близькість (" + d + ")"
}

func (x *explainer) themesUK() (string, string) {
	mask := x.r.themeMask
	if mask == 0 {
		return fmt.Sprintf("Немає тем для порівняння: їх не вказано (%s)", nameUK(x.src)), ""
	}
	shared := themeNames(graph.LangUkrainian, mask&x.r.ix.themes[x.i])
	if len(shared) == 0 {
		return fmt.Sprintf("Немає спільних тем (шукали: %s)", strings.Join(themeNames(graph.LangUkrainian, mask), ", ")), ""
	}
	list := strings.Join(shared, ", ")
	return "Спільні теми: " + list, "спільні теми (" + list + ")"
}

func (x *explainer) partnersOfPartnersUK() (string, string) {
	ix := x.r.ix
	common := ix.commonPartners(x.r.src, x.i)
	if len(common) == 0 {
		return "Спільних партнерів немає", ""
	}
	names := make([]string, 0, maxNamed+1)
	for _, c := range common[:min(len(common), maxNamed)] {
		names = append(names, nameUK(&ix.ms[c]))
	}
	if more := len(common) - maxNamed; more > 0 {
		names = append(names, "ще "+formatIntUK(int64(more)))
	}
	n := len(common)
	phrase := pluralUK(n, "спільний партнер", "спільні партнери", "спільних партнерів")
	if n == 1 {
		return "Спільний партнер: " + names[0], phrase
	}
	return fmt.Sprintf("Спільні партнери (%s): %s", formatIntUK(int64(n)), joinListUK(names)), phrase
}

func (x *explainer) partnerChainsUK() (string, string) {
	found := x.r.ix.chains(x.r.src, x.i)
	if len(found) == 0 {
		return "Ланцюжків із трьох партнерств немає", ""
	}
	written, more := x.chainNames(found, nameUK, " — ")
	if more > 0 {
		written = append(written, "ще "+formatIntUK(int64(more)))
	}
	n := len(found)
	phrase := pluralUK(n, "ланцюжок партнерств", "ланцюжки партнерств", "ланцюжків партнерств")
	if n == 1 {
		return "Ланцюжок із трьох партнерств: " + written[0], phrase
	}
	return fmt.Sprintf("Ланцюжки з трьох партнерств (%s): %s", formatIntUK(int64(n)), strings.Join(written, "; ")), phrase
}

// regionNameUK names a region in Ukrainian when it is a Ukrainian oblast,
// else as the data does.
func (ix *Index) regionNameUK(r int32) string {
	if o, ok := graph.OblastByCode(ix.regionCodes[r]); ok {
		return o.NameUK
	}
	return ix.regionName(r)
}

// countryNameUK returns the Ukrainian name of an ISO code, or the code.
func countryNameUK(code string) string {
	if c, ok := countries[code]; ok {
		return c.uk
	}
	return code
}

func (x *explainer) countryAffinityUK() (string, string) {
	ix := x.r.ix
	sc, cc := x.r.srcCountry, ix.country[x.i]
	from, to := countryNameUK(x.src.Country), countryNameUK(x.cand.Country)
	n, total := ix.countryLinks[sc][cc], ix.countryIntl[sc]
	pair := from + " — " + to
	switch {
	case total == 0:
		return fmt.Sprintf("%s: міжнародних партнерств у базі даних ще немає", from), ""
	case n == 0:
		return fmt.Sprintf("%s: партнерств поки немає (усього міжнародних партнерств: %s)", pair, formatIntUK(int64(total))), ""
	}
	return fmt.Sprintf("%s: %s з %s міжнародних партнерств (%s)", pair, formatIntUK(int64(n)), formatIntUK(int64(total)), percentUK(n, total)),
		"зв’язки " + pair
}

func (x *explainer) regionAffinityUK() (string, string) {
	ix := x.r.ix
	sr, cr := ix.region[x.r.src], ix.region[x.i]
	switch {
	case sr < 0:
		return fmt.Sprintf("Зв’язки регіонів не перевірено: регіон невідомий (%s)", nameUK(x.src)), ""
	case cr < 0:
		return fmt.Sprintf("Зв’язки регіонів не перевірено: регіон невідомий (%s)", nameUK(x.cand)), ""
	}
	pair := ix.regionNameUK(sr) + " — " + ix.regionNameUK(cr)
	n, total := ix.regionLinks[sr][cr], ix.regionIntl[sr]
	if n == 0 {
		return pair + ": партнерств поки немає", ""
	}
	return fmt.Sprintf("%s: %s (%s міжнародних партнерств регіону)", pair,
			pluralUK(int(n), "партнерство", "партнерства", "партнерств"), percentUK(n, total)),
		"зв’язки " + pair
}

// partnersInUK says "українських партнерів" for the source's country when
// it is Ukraine, else names the country.
func partnersInUK(code string) string {
	if code == "UA" {
		return "українських партнерів"
	}
	return "партнерів з країни (" + countryNameUK(code) + ")"
}

func (x *explainer) saturationUK() (string, string) {
	k := 0
	if x.entry != nil {
		k = int(x.entry.saturation)
	}
	what := partnersInUK(x.src.Country)
	if k == 0 {
		return graph.UpperFirst(what) + " поки немає", ""
	}
	return fmt.Sprintf("Уже має %s: %d", what, k), fmt.Sprintf("%s уже є (%d)", what, k)
}

func (x *explainer) neighboursUK() (string, string) {
	ix := x.r.ix
	if !x.r.srcLoc {
		return fmt.Sprintf("Партнерів поблизу не перевірено: немає координат (%s)", nameUK(x.src)), ""
	}
	found := x.nearPartners()
	radius := formatKmUK(neighbourRadiusKm)
	if len(found) == 0 {
		return fmt.Sprintf("Немає партнерств з %s в радіусі %s від громади (%s)", communitiesUK(x.src.Country, true), radius, nameUK(x.src)), ""
	}
	names := make([]string, 0, maxNamed+1)
	for _, f := range found[:min(len(found), maxNamed)] {
		names = append(names, fmt.Sprintf("%s (%s)", nameUK(&ix.ms[f.index]), formatKmUK(f.km)))
	}
	if more := len(found) - maxNamed; more > 0 {
		names = append(names, "ще "+formatIntUK(int64(more)))
	}
	return fmt.Sprintf("Партнер %s у радіусі %s від громади (%s): %s", communitiesUK(x.src.Country, false), radius, nameUK(x.src), joinListUK(names)),
		fmt.Sprintf("партнерства з громадами поблизу (%d)", len(found))
}

// communitiesUK says "українських громад" (or, instrumental,
// "українськими громадами") for Ukraine, else names the country.
func communitiesUK(code string, instrumental bool) string {
	switch {
	case code == "UA" && instrumental:
		return "українськими громадами"
	case code == "UA":
		return "українських громад"
	case instrumental:
		return "громадами країни (" + countryNameUK(code) + ")"
	}
	return "громад країни (" + countryNameUK(code) + ")"
}

func (x *explainer) partnersUK() (string, string) {
	n := int(x.r.ix.degree[x.i])
	if n == 0 {
		return "Партнерств поки немає", ""
	}
	return "Партнерств загалом: " + formatIntUK(int64(n)), fmt.Sprintf("партнерства загалом (%s)", formatIntUK(int64(n)))
}

func (x *explainer) regionCountryUK() (string, string) {
	ix := x.r.ix
	sr := ix.region[x.r.src]
	to := countryNameUK(x.cand.Country)
	if sr < 0 {
		return fmt.Sprintf("Зв’язки регіону з країною (%s) не перевірено: регіон невідомий (%s)", to, nameUK(x.src)), ""
	}
	pair := ix.regionNameUK(sr) + " — " + to
	n, total := ix.regionCountry[sr][ix.country[x.i]], ix.regionIntl[sr]
	if n == 0 {
		return pair + ": партнерств поки немає", ""
	}
	return fmt.Sprintf("%s: %s з %s міжнародних партнерств регіону (%s)", pair, formatIntUK(int64(n)), formatIntUK(int64(total)), percentUK(n, total)),
		"зв’язки " + pair
}

func (x *explainer) areaTiesUK(value float64) (string, string) {
	where := fmt.Sprintf("в радіусі %s від громади (%s)", formatKmUK(areaRadiusKm), nameUK(x.src))
	if value == 0 {
		return "Околиці ще не мають партнерств із громадами " + where, ""
	}
	return "Околиці (близько 50\u00a0км) уже мають партнерства з громадами " + where, "зв’язки двох околиць"
}

// summaryUK is summary in Ukrainian.
func summaryUK(factors []Factor, phrases []string) string {
	pros, con := summaryParts(factors, phrases)
	switch {
	case len(pros) == 0 && con == "":
		return "Особливих переваг немає; громада в списку, бо інші кандидати мають нижчу оцінку."
	case len(pros) == 0:
		return "Особливих переваг немає; недолік: " + con + "."
	case con == "":
		return "Основні переваги: " + joinListUK(pros) + "."
	}
	return "Основні переваги: " + joinListUK(pros) + "; недолік: " + con + "."
}

// pluralUK returns n with the form of the noun that Ukrainian takes after
// it: one (1, 21, 31…), few (2-4, 22-24…) or many (0, 5-20, 25-30…).
func pluralUK(n int, one, few, many string) string {
	form := many
	switch n10, n100 := n%10, n%100; {
	case n10 == 1 && n100 != 11:
		form = one
	case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
		form = few
	}
	return formatIntUK(int64(n)) + " " + form
}

// formatIntUK writes n as Ukrainian does: no-break spaces between
// thousands from five digits up ("1 234 567"), none in four ("1110").
func formatIntUK(n int64) string {
	if n > -10000 && n < 10000 {
		return strconv.FormatInt(n, 10)
	}
	return strings.ReplaceAll(formatInt(n), ",", "\u00a0")
}

// formatPopulationUK is formatPopulation in Ukrainian.
func formatPopulationUK(n int64) string {
	if n < 10000 {
		return formatIntUK(n)
	}
	return strings.ReplaceAll(formatPopulation(n), ",", "\u00a0")
}

// formatKmUK is formatKm in Ukrainian: "1120 км".
func formatKmUK(km float64) string {
	return formatIntUK(roundKm(km)) + "\u00a0км"
}

// percentUK is percent in Ukrainian.
func percentUK(n, total int32) string {
	p := 100 * float64(n) / float64(total)
	if p < 0.5 {
		return "менше 1%"
	}
	return strconv.FormatFloat(p, 'f', 0, 64) + "%"
}

// joinListUK joins items as "a", "a і b", "a, b і c".
func joinListUK(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " і " + items[len(items)-1]
}
