package score

import (
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

// nameUK names a municipality: in Ukrainian when it is Ukrainian, else in
// Latin script.
func nameUK(m *graph.Municipality) string {
	if m.Country == "UA" && m.Name != "" {
		return m.Name
	}
	return m.DisplayName()
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

// partnersInUK says "українських партнерів" for the source's country when
// it is Ukraine, else names the country.
func partnersInUK(code string) string {
	if code == "UA" {
		return "українських партнерів"
	}
	return "партнерів з країни (" + countryNameUK(code) + ")"
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
